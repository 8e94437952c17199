#!/usr/bin/env bash
# `mlspec data check` against the same checks in pandas (and Great Expectations), on ROWS generated rows.
#
#   bench/data_check/run.sh ROWS            e.g. 10000000 for the issue's 10M × 20
#
# - a pinned venv at ~/.cache/mlspec-bench-venv (BENCH_VENV) with pandas, pyarrow, numpy;
# - data in ~/.cache/mlspec-bench-data/ROWS/ (BENCH_DATA), generated once by generate.py;
# - each tool RUNS times (default 3) under `/usr/bin/time -v`;
# - Great Expectations too (gx_check.py), from its own venv ~/.cache/mlspec-bench-venv-gx
#   (BENCH_GX_VENV) with the same pins: skipped with a message if it does not install,
#   or with GX=0; GX_RUNS (default RUNS) sets its runs, as it is much the slowest;
#   PANDAS=0 skips pandas (for a file larger than memory, which pandas cannot read);
# - a Markdown table: tool, rows, median wall seconds, max RSS MiB, findings.
#
# MLSPEC is the mlspec binary (default: $CARGO_TARGET_DIR/release/mlspec, else the
# repo's target/release/mlspec; build it with `cargo build --release`). Without it
# the pandas side still runs. The logs of every run are kept in the data folder
# (runs/). Run it on an idle machine: the numbers are wall times.
set -euo pipefail

ROWS=${1:?usage: run.sh ROWS}
[[ $ROWS =~ ^[0-9]+$ && $ROWS -gt 0 ]] || { echo "ROWS must be a positive whole number, not '$ROWS'" >&2; exit 2; }
RUNS=${RUNS:-3}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
VENV=${BENCH_VENV:-$HOME/.cache/mlspec-bench-venv}
DATA=${BENCH_DATA:-$HOME/.cache/mlspec-bench-data}/$ROWS
MLSPEC=${MLSPEC:-${CARGO_TARGET_DIR:-$REPO/target}/release/mlspec}
AS_OF=2026-12-01T00:00:00Z # generate.py ends the events a minute before it
SEED=7
PINS=(pandas==2.2.3 pyarrow==18.1.0 numpy==2.1.3)
GX_PINS=(great_expectations==1.24.1 "${PINS[@]}")
GX_VENV=${BENCH_GX_VENV:-$HOME/.cache/mlspec-bench-venv-gx}
GX=${GX:-1}
PANDAS=${PANDAS:-1}
GX_RUNS=${GX_RUNS:-$RUNS}

# ---- tools --------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
  echo "installing GNU time (Debian package 'time')" >&2
  apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi

PY=$VENV/bin/python
if [[ ! -x $PY ]]; then
  echo "creating the venv $VENV" >&2
  python3 -m venv "$VENV"
fi
# pinned PYTHON PIN...: whether PYTHON's environment has exactly these versions.
pinned() {
  local python=$1
  shift
  "$python" - "$@" <<'EOF'
import importlib.metadata as m, sys
sys.exit(any(m.version(p.split("==")[0]) != p.split("==")[1] for p in sys.argv[1:]))
EOF
}
if ! pinned "$PY" "${PINS[@]}" 2>/dev/null; then
  echo "installing ${PINS[*]} into $VENV" >&2
  "$PY" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
fi

GPY=$GX_VENV/bin/python
if [[ $GX == 1 ]] && ! pinned "$GPY" "${GX_PINS[@]}" 2>/dev/null; then
  echo "installing ${GX_PINS[*]} into $GX_VENV (optional)" >&2
  if ! { [[ -x $GPY ]] || python3 -m venv "$GX_VENV"; } ||
    ! "$GPY" -m pip install --quiet --disable-pip-version-check "${GX_PINS[@]}" >&2; then
    echo "great_expectations did not install: skipping it" >&2
    GX=0
  fi
fi

# ---- data ---------------------------------------------------------------------
if [[ ! -f $DATA/events.parquet || ! -f $DATA/users.parquet ]]; then
  echo "generating $ROWS rows into $DATA" >&2
  "$PY" "$HERE/generate.py" "$ROWS" "$DATA" --seed "$SEED" --as-of "$AS_OF" >&2
fi
mkdir -p "$DATA/runs"

# ---- timing -------------------------------------------------------------------
# time_runs NAME CMD...: runs CMD $RUNS times; prints "median_wall_s max_rss_mib findings".
# Findings are read from the JSON each tool prints (`errors` + `warnings`).
# (gx runs GX_RUNS times.)
time_runs() {
  local name=$1 runs=$RUNS
  shift
  [[ $name == gx ]] && runs=$GX_RUNS
  local walls=() rss=0 findings=? i log out
  for ((i = 1; i <= runs; i++)); do
    log=$DATA/runs/$name.$i.time
    out=$DATA/runs/$name.$i.json
    # exit 1 means findings, which the table shows; anything else is a failure.
    /usr/bin/time -v -o "$log" "$@" >"$out" 2>"$DATA/runs/$name.$i.err" || {
      local rc=$?
      if [[ $rc -ne 1 ]]; then
        echo "$name failed (exit $rc); see $DATA/runs/$name.$i.err" >&2
        echo "failed - -"
        return
      fi
    }
    walls+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0; for (k = 1; k <= n; k++) s = s * 60 + p[k]; print s }' "$log")")
    rss=$(awk -F': ' -v m="$rss" '/Maximum resident set size/ { print ($2 > m ? $2 : m) }' "$log")
    findings=$("$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["errors"] + d["warnings"])' "$out" 2>/dev/null || echo "?")
    echo "  $name run $i: ${walls[-1]} s, $((rss / 1024)) MiB so far, $findings findings" >&2
  done
  local median
  median=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }')
  echo "$median $(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }') $findings"
}

rows_fmt=$(printf "%'d" "$ROWS" 2>/dev/null || echo "$ROWS")
size_mib() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'; }
results=()

if [[ -x $MLSPEC ]]; then
  echo "mlspec: $MLSPEC ($("$MLSPEC" --version 2>/dev/null || echo 'version unknown'))" >&2
  results+=("mlspec data check|$(time_runs mlspec "$MLSPEC" data check "$HERE/bench.mlspec" --data "$DATA" --as-of "$AS_OF" --format json)")
else
  echo "mlspec binary missing at $MLSPEC: set MLSPEC, or build it (cargo build --release); skipping it" >&2
  results+=("mlspec data check|missing - -")
fi
if [[ $PANDAS == 1 ]]; then
  echo "pandas: $("$PY" -c 'import pandas, pyarrow, numpy; print(f"pandas {pandas.__version__}, pyarrow {pyarrow.__version__}, numpy {numpy.__version__}")')" >&2
  results+=("pandas $("$PY" -c 'import pandas; print(pandas.__version__)')|$(time_runs pandas "$PY" "$HERE/pandas_check.py" --data "$DATA" --as-of "$AS_OF")")
fi
if [[ $GX == 1 ]]; then
  gx_version=$("$GPY" -c 'import importlib.metadata as m; print(m.version("great_expectations"))')
  echo "great_expectations $gx_version (W0607 and timestamp types not covered: see gx_check.py)" >&2
  results+=("Great Expectations $gx_version (pandas)|$(time_runs gx "$GPY" "$HERE/gx_check.py" --data "$DATA" --as-of "$AS_OF")")
fi

# ---- report -------------------------------------------------------------------
echo
echo "events.parquet: $(size_mib "$DATA/events.parquet") MiB, users.parquet: $(size_mib "$DATA/users.parquet") MiB" \
  "($DATA; $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo) GiB RAM, $RUNS runs each)"
if [[ $GX == 1 && $GX_RUNS != "$RUNS" ]]; then echo "(Great Expectations: $GX_RUNS runs)"; fi
echo
echo "| tool | rows | median wall s | max RSS MiB | findings |"
echo "|---|---:|---:|---:|---:|"
for r in "${results[@]}"; do
  read -r wall rss findings <<<"${r#*|}"
  echo "| ${r%%|*} | $rows_fmt | $wall | $rss | $findings |"
done
