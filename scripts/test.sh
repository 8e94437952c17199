#!/usr/bin/env bash
# Runs every check of the project: formatting, lints, all tests (unit,
# golden corpora, CLI, snapshots, property tests, benchmarks in test mode).
# Installs nothing outside the build directory and the Python virtual
# environment of the generated-code stage (~/.cache/mlspec-pyenv-<hash>).
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

# Generated code, for real: every example built as a Python project, its
# ruff and pytest, and a load run against uvicorn on 127.0.0.1 (creates or
# reuses a pinned virtual environment under ~/.cache; see the script).
echo "== generated python projects"
bash scripts/test_generated_python.sh
