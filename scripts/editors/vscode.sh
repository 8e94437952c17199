#!/usr/bin/env bash
# The VS Code extension in editors/vscode: its grammar tests over specs/,
# the .vsix, and a check of what the .vsix holds and that its client starts
# `mlspec lsp`.
#
#   bash scripts/editors/vscode.sh
#
# 1. Node.js and npm: used as found (Node 18 or later); when either is
#    missing, installed from Debian's packages (`apt-get install nodejs npm`,
#    Node 18 on Debian 12; needs root).
# 2. `npm ci` in editors/vscode from the committed package-lock.json, with
#    the npm cache in ~/.cache/mlspec-npm ($MLSPEC_NPM_CACHE when set;
#    skipped when node_modules already matches the lock file). Install scripts are not run: nothing here needs
#    them, and vsce's optional `keytar` would try to download a prebuilt
#    binary. On Node 18, npm warns (EBADENGINE) that some @azure packages
#    want Node 20: vsce needs them only to publish, which this never does.
# 3. Grammar tests: the assertion tests editors/vscode/test/unit/*.test.mlspec
#    (vscode-tmgrammar-test), then the snapshot of every specs/*.mlspec
#    against editors/vscode/test/snapshots/ (vscode-tmgrammar-snap through
#    test/snapshots.js; `npm run snap:update` in editors/vscode rewrites them).
# 4. `vsce package` into editors/vscode/dist/mlspec-<version>.vsix (ignored
#    by git).
# 5. The .vsix's file list: what the extension needs is there (manifest,
#    extension.js, grammar, language configuration, vscode-languageclient and
#    each of its production dependencies) and nothing else is (no
#    devDependencies, tests, snapshots, lock file, type declarations).
# 6. The packaged extension, unpacked to a temporary directory, loaded by
#    node with a stand-in `vscode` module (test/smoke.js): the client
#    resolves from inside the package, `activate` builds it with
#    `<mlspec.server.path> lsp`, and it starts the mlspec built here
#    (`cargo build --bin mlspec`, or $MLSPEC when set), gets the server's
#    capabilities and the diagnostics of a broken document, and stops it.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
ext=$root/editors/vscode
started=$SECONDS
step() { echo "-- vscode: $1 (at $((SECONDS - started)) s)"; }

# ---------------------------------------------------------------- 1. node, npm
missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]} with apt-get"
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: ${missing[*]} not found, and installing them needs root (apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq
  timeout 900 apt-get install -y -qq "${missing[@]}" >/dev/null
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "error: Node.js $(node --version) is too old; the extension's tools need Node 18 or later" >&2
  exit 1
fi
step "node $(node --version), npm $(npm --version)"

# ---------------------------------------------------------------- 2. npm ci
cd "$ext"
stamp=node_modules/.mlspec-installed
want="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1) node $node_major"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  step "node_modules matches package-lock.json; npm ci skipped"
else
  cache=${MLSPEC_NPM_CACHE:-$HOME/.cache/mlspec-npm}
  step "npm ci (cache $cache)"
  timeout 600 npm ci --prefer-offline --no-audit --no-fund --ignore-scripts --cache "$cache" --loglevel=warn
  echo "$want" >"$stamp"
fi
bin=$ext/node_modules/.bin

# ---------------------------------------------------------------- 3. grammar tests
step "grammar assertion tests (test/unit/*.test.mlspec)"
timeout 120 "$bin/vscode-tmgrammar-test" 'test/unit/*.test.mlspec'
step "grammar snapshots of specs/*.mlspec (test/snapshots/)"
timeout 120 node test/snapshots.js

# ---------------------------------------------------------------- 4. vsce package
version=$(node -p 'require("./package.json").version')
vsix=$ext/dist/mlspec-$version.vsix
step "vsce package -> ${vsix#"$root"/}"
mkdir -p dist
rm -f "$vsix"
# No repository URL yet (vsce would ask); stdin closed so that any other
# question fails the step instead of waiting.
timeout 300 "$bin/vsce" package --allow-missing-repository --out "$vsix" </dev/null

# ---------------------------------------------------------------- 5. its contents
step "checking the files in the .vsix"
# The production dependencies as installed (relative dirs, nested ones too).
prod=$(npm ls --omit=dev --all --parseable | sed -n "s|^$ext/||p" | grep '^node_modules/' || true)
timeout 60 python3 - "$vsix" "$prod" <<'EOF'
import sys, zipfile
vsix, prod = sys.argv[1], [p for p in sys.argv[2].split("\n") if p]
names = zipfile.ZipFile(vsix).namelist()
files = [n[len("extension/"):] for n in names if n.startswith("extension/")]
problems = []
need = ["package.json", "extension.js", "language-configuration.json", "syntaxes/mlspec.tmLanguage.json",
        "README.md", "CHANGELOG.md", "LICENSE.txt",
        "node_modules/vscode-languageclient/node.js", "node_modules/vscode-languageclient/lib/node/main.js"]
need += [f"{p}/package.json" for p in prod]
problems += [f"missing: extension/{f}" for f in need if f not in files]
if "extension.vsixmanifest" not in names:
    problems.append("missing: extension.vsixmanifest")
top = {"package.json", "extension.js", "language-configuration.json", "syntaxes/mlspec.tmLanguage.json",
       "README.md", "CHANGELOG.md", "LICENSE.txt"}
dev_words = ("vsce", "tmgrammar", "vscode-textmate", "vscode-oniguruma")
for f in files:
    if f.startswith("node_modules/"):
        owner = max((p for p in prod if f.startswith(p + "/")), key=len, default=None)
        if owner is None:
            problems.append(f"not a production dependency: extension/{f}")
        elif f.endswith((".d.ts", ".map", ".ts")) or "/lib/browser/" in f:
            problems.append(f"not needed at run time: extension/{f}")
    elif f not in top:
        problems.append(f"unexpected: extension/{f}")
    if any(w in f for w in dev_words) or f.endswith((".snap", ".vsix")) or f == "package-lock.json":
        problems.append(f"development file: extension/{f}")
for p in problems:
    print("ERROR", p)
if problems:
    sys.exit(1)
deps = sorted({p.split("node_modules/")[-1] for p in prod})
print(f"ok: {len(names)} entries; the extension's {len(top)} files and the production dependencies "
      f"{', '.join(deps)}; nothing else")
EOF
echo "   ${vsix#"$root"/}: $(wc -c <"$vsix") bytes"

# ---------------------------------------------------------------- 6. the packaged client
if [ -n "${MLSPEC:-}" ]; then
  mlspec=$MLSPEC
else
  step "cargo build --bin mlspec (for the client's smoke test)"
  (cd "$root" && timeout 1200 cargo build --quiet --bin mlspec)
  mlspec=${CARGO_TARGET_DIR:-$root/target}/debug/mlspec
fi
step "smoke test of the packaged extension with $mlspec"
unpacked=$(mktemp -d "${TMPDIR:-/tmp}/mlspec-vsix.XXXXXX")
trap 'rm -rf "$unpacked"' EXIT
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$vsix" "$unpacked"
timeout 120 node test/smoke.js "$unpacked/extension" "$mlspec"

step "done: ${vsix#"$root"/}"
