#!/usr/bin/env bash
# Speed of mlspec's simulator against SimPy on the same M/M/c (8 servers,
# one queue, Poisson 640/s, exponential 10 ms, 1M requests), on this machine.
#
#   bash benches/simpy/run.sh
#
# Creates a virtual environment with a pinned SimPy (default
# $HOME/.cache/mlspec-simpy-venv, or $MLSPEC_SIMPY_VENV), runs
# benches/simpy/mmc.py, then the criterion benchmark of the same model
# (`simulate/mmc_1M_requests` in runtime/sim/benches/load.rs), and prints both
# rates and their ratio. A measurement, not a test: it is not part of
# scripts/test.sh. Both sides run on one thread. Arguments go to mmc.py
# only (`--requests 20000` for a quick check of the script; the Rust side
# always runs 1M requests, so quote only ratios of 1M-request runs).
set -euo pipefail
cd "$(dirname "$0")/../.."

SIMPY_VERSION=4.1.2
VENV="${MLSPEC_SIMPY_VENV:-$HOME/.cache/mlspec-simpy-venv}"
: "${CARGO_TARGET_DIR:=$HOME/.cache/mlspec-target}"
export CARGO_TARGET_DIR
export CARGO_TERM_COLOR=never

if ! "$VENV/bin/python" -c "import simpy, sys; sys.exit(simpy.__version__ != '$SIMPY_VERSION')" 2>/dev/null; then
  echo "== creating $VENV with simpy==$SIMPY_VERSION"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "simpy==$SIMPY_VERSION"
fi

echo "== SimPy: benches/simpy/mmc.py"
simpy_out="$("$VENV/bin/python" benches/simpy/mmc.py "$@")"
echo "$simpy_out"
simpy_rate="$(echo "$simpy_out" | sed -n 's/^simpy_requests_per_s=//p')"

echo "== mlspec: cargo bench -p mlspec-sim --bench load -- mmc"
bench_out="$(cargo bench --quiet -p mlspec-sim --bench load -- mmc 2>&1)"
echo "$bench_out" | grep -E "mmc|time:|thrpt:" || true
# criterion prints `thrpt:  [low UNIT median UNIT high UNIT]`; take the median.
mlspec_rate="$(echo "$bench_out" | grep -A3 'mmc_1M_requests' | grep -m1 'thrpt:' | awk '
  { gsub(/\[|\]/, ""); v = $4; u = $5;
    m = (u ~ /^G/) ? 1e9 : (u ~ /^M/) ? 1e6 : (u ~ /^K/) ? 1e3 : 1;
    printf "%.1f", v * m }')"

if [ -z "$simpy_rate" ] || [ -z "$mlspec_rate" ]; then
  echo "could not read a rate (simpy: '${simpy_rate}', mlspec: '${mlspec_rate}')" >&2
  exit 1
fi
echo "== result ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
awk -v s="$simpy_rate" -v m="$mlspec_rate" 'BEGIN {
  printf "simpy   %12.0f requests/s\n", s
  printf "mlspec  %12.0f requests/s (criterion median)\n", m
  printf "ratio   %12.1f x\n", m / s }'
