#!/usr/bin/env bash
# Runs every check of the project: formatting, lints, all tests (unit,
# golden corpora, CLI, snapshots, property tests, benchmarks in test mode).
# Installs nothing outside the build directory; bounded by cargo's own time.
set -euo pipefail
cd "$(dirname "$0")/.."

# Reuse a build directory outside the clone when there is one.
: "${CARGO_TARGET_DIR:=$HOME/.cache/mlspec-target}"
export CARGO_TARGET_DIR
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "== cargo fmt --check"
cargo fmt --all --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

echo "== cargo test"
cargo test --workspace --all-targets
