#!/usr/bin/env bash
# Checks the Tree-sitter grammar (editors/tree-sitter-mlspec) and the Zed
# extension (editors/zed):
#
#   1. the committed src/ (parser.c, grammar.json, node-types.json) is what
#      grammar.js generates (a stale commit fails);
#   2. the Helix and Zed highlight queries are the ones derived from
#      queries/highlights.scm;
#   3. the corpus (test/corpus/*.txt) passes `tree-sitter test`;
#   4. every specs/*.mlspec and every ```mlspec block of docs/language.md
#      parses without ERROR or MISSING nodes;
#   5. every query (highlights, folds, indents; Helix's; Zed's) compiles
#      against the grammar and runs over specs/, and no node gets two
#      different highlight captures (so editors that let the first pattern
#      win and editors that let the last one win colour alike);
#   6. the Zed extension's Rust code passes rustfmt and clippy on the host
#      target (Zed itself builds it for wasm32-wasip2, which is not installed
#      here).
#
# Installs the tree-sitter CLI when missing, from crates.io only (the npm
# package downloads a binary from GitHub in postinstall, which is not
# reachable), into ~/.cache/mlspec-tools, with only its `qjs-rt` feature: the
# embedded QuickJS runtime evaluates grammar.js (`--js-runtime native`), so
# no Node.js is needed. Nothing else touches the network; compiled parsers
# are cached by the CLI under ~/.cache/tree-sitter.
set -euo pipefail
export NO_COLOR=1
cd "$(dirname "$0")/../.."
root=$PWD

ts_version=0.27.1
# The ABI of the committed parser: 14 loads in every editor runtime from
# tree-sitter 0.20 on (Neovim, Helix, Zed, old and new); 15 needs 0.25.
ts_abi=14
tools=${MLSPEC_TOOLS_ROOT:-$HOME/.cache/mlspec-tools}
ts="$tools/bin/tree-sitter"
grammar="$root/editors/tree-sitter-mlspec"

started=$SECONDS
step() { echo "== tree-sitter: $1 (at $((SECONDS - started)) s)"; }

if [ "$("$ts" --version 2>/dev/null)" != "tree-sitter $ts_version" ]; then
  step "installing tree-sitter-cli $ts_version into $tools"
  env -u CARGO_TARGET_DIR timeout 1800 cargo install --quiet --locked --force \
    --no-default-features --features qjs-rt \
    --version "$ts_version" --root "$tools" tree-sitter-cli
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A configuration of our own: no parser directories to scan (and no warning
# that there are none); each command finds the grammar from its directory.
mkdir -p "$work/no-parsers"
printf '{ "parser-directories": ["%s"] }\n' "$work/no-parsers" > "$work/config.json"
tsc() { timeout 300 "$ts" "$@" --config-path "$work/config.json"; }

step "src/ is generated from grammar.js"
mkdir -p "$work/generate"
cp -r "$grammar/grammar.js" "$grammar/tree-sitter.json" "$grammar/src" "$work/generate/"
(cd "$work/generate" && timeout 300 "$ts" generate --abi "$ts_abi" --js-runtime native)
if ! diff -r "$grammar/src" "$work/generate/src" > "$work/generate.diff"; then
  head -40 "$work/generate.diff" >&2
  echo "error: editors/tree-sitter-mlspec/src is stale: run \`tree-sitter generate --abi $ts_abi --js-runtime native\` there and commit src/" >&2
  exit 1
fi

step "derived queries are up to date"
bash "$grammar/scripts/derive-queries.sh" --check

cd "$grammar"

step "corpus"
tsc test

step "specs/*.mlspec and the examples of docs/language.md parse without errors"
mkdir -p "$work/docs"
awk -v dir="$work/docs" '
  /^```mlspec$/ { n++; file = sprintf("%s/language_%02d.mlspec", dir, n); inside = 1; printf "" > file; next }
  /^```/ && inside { inside = 0; close(file); next }
  inside { print >> file }
' "$root/docs/language.md"
inputs=("$root"/specs/*.mlspec "$work"/docs/*.mlspec)
# The exit status says little (it is 1 for a tree with errors, but also for
# other reasons); the trees themselves are checked.
tsc parse "${inputs[@]}" > "$work/trees.txt" || true
parsed=$(grep -c '^(source_file' "$work/trees.txt" || true)
if [ "$parsed" -ne "${#inputs[@]}" ]; then
  echo "error: parsed $parsed of ${#inputs[@]} files" >&2
  exit 1
fi
if grep -n '(ERROR\|(MISSING' "$work/trees.txt" >&2; then
  tsc parse --quiet --stat "${inputs[@]}" >&2 || true
  echo "error: a spec or an example of docs/language.md does not parse (ERROR or MISSING nodes above)" >&2
  exit 1
fi
echo "${#inputs[@]} files parsed"

step "queries compile and run over specs/"
queries=(
  queries/highlights.scm queries/folds.scm queries/indents.scm
  queries/helix/highlights.scm queries/helix/indents.scm
  "$root"/editors/zed/languages/mlspec/*.scm
)
for query in "${queries[@]}"; do
  tsc query --quiet "$query" "$root"/specs/*.mlspec > /dev/null
done
tsc query queries/highlights.scm "$root"/specs/*.mlspec > "$work/captures.txt"
# Lines look like `    capture: 3 - keyword, start: (1, 0), end: (1, 6), text: ...`
# under a line naming the file. Captures whose names start with `_` only feed
# predicates.
awk '
  /^[^ ]/ { file = $0; next }
  /^    capture:/ {
    name = $4; sub(/,$/, "", name)
    if (name ~ /^_/) next
    where = $0; sub(/^.*start: /, "", where); sub(/, text: .*$/, "", where)
    key = file " " where
    if (key in seen && seen[key] != name) {
      printf "%s %s: captured as both @%s and @%s\n", file, where, seen[key], name
      bad = 1
    }
    seen[key] = name
  }
  END { exit bad }
' "$work/captures.txt" >&2
echo "${#queries[@]} queries checked"

cd "$root"

step "Zed extension: rustfmt and clippy (host target)"
# The test command's build folder, as scripts/test.sh sets it; never a
# target/ inside the clone.
: "${CARGO_TARGET_DIR:=$HOME/.cache/mlspec-target}"
export CARGO_TARGET_DIR
(cd editors/zed \
  && cargo fmt --check \
  && timeout 900 cargo clippy --quiet --locked -- -D warnings)

echo "== tree-sitter checks passed in $((SECONDS - started)) s"
