#!/usr/bin/env bash
# Runs every check of the project: formatting, lints, all tests (unit,
# golden corpora, CLI, snapshots, property tests, benchmarks in test mode).
# Installs nothing outside the build directory, the Python virtual
# environment of the generated-code stage (~/.cache/mlspec-pyenv-<hash>),
# the load tool (~/.cache/mlspec-tools), the npm cache of the editor
# extension (~/.cache/mlspec-npm) and, when missing, Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# Reuse a build directory outside the clone when there is one.
: "${CARGO_TARGET_DIR:=$HOME/.cache/mlspec-target}"
export CARGO_TARGET_DIR
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

started=$SECONDS
step() { echo "== $1 (at $((SECONDS - started)) s)"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test"
cargo test --workspace --all-targets

# Editor support: the VS Code extension's grammar tests over specs/, its
# .vsix (editors/vscode/dist/) and a start of its packaged client against
# the mlspec just built (installs Node.js with apt-get when missing; npm
# packages from the committed lock file, cached in ~/.cache/mlspec-npm).
step "VS Code extension"
MLSPEC="$CARGO_TARGET_DIR/debug/mlspec" bash scripts/editors/vscode.sh

# The Tree-sitter grammar (Neovim, Helix, Zed): generated parser up to date,
# corpus, every spec parses, queries compile; the Zed extension's rustfmt
# and clippy (installs tree-sitter-cli from crates.io into
# ~/.cache/mlspec-tools when missing).
step "Tree-sitter grammar and Zed extension"
bash scripts/editors/tree_sitter.sh

# Generated code, for real: the runtime package's own checks, every example
# built as a Python project, its ruff, mypy and pytest, and an open-loop load
# run against uvicorn on 127.0.0.1 (creates or reuses a pinned virtual
# environment under ~/.cache and installs the load tool oha from the crate
# registry into ~/.cache/mlspec-tools; see the script).
step "generated python projects"
bash scripts/test_generated_python.sh
echo "== all checks passed in $((SECONDS - started)) s"
