#!/usr/bin/env bash
# Points extension.toml's grammar at the checkout this script sits in, at its
# current commit (HEAD), so that Zed's "Install Dev Extension" can build the
# grammar without a published repository. Commit grammar changes first: Zed
# clones the commit, not the work tree.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(git -C "$here" rev-parse --show-toplevel)
rev=$(git -C "$root" rev-parse HEAD)
sed -i.bak -E \
  -e "s|^repository = \"file://.*\"$|repository = \"file://$root\"|" \
  -e "s|^rev = \"[0-9a-f]*\"$|rev = \"$rev\"|" \
  "$here/extension.toml"
rm -f "$here/extension.toml.bak"
grep -A3 '^\[grammars.mlspec\]' "$here/extension.toml"
