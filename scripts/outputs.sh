#!/usr/bin/env bash
# Writes what every spec in specs/ gives through the user-facing commands
# into DIR, so that two builds of mlspec can be compared byte for byte
# (`diff -r`) across a refactoring that must not change behaviour:
#   check --format json, review --format json, doc, graph (dot), fmt,
#   simulate --format json (scenario default, --requests 100k,
#   --rows-per-day 2k) and build --target python.
# Exit statuses are recorded beside the outputs, so a changed status shows too.
# Usage: scripts/outputs.sh MLSPEC_BINARY DIR
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "$1")
out=$(realpath -m "$2")
mkdir -p "$out"
for spec in specs/*.mlspec; do
  name=$(basename "$spec" .mlspec)
  d="$out/$name"
  mkdir -p "$d"
  run() { # run LABEL CMD...: stdout to LABEL, exit status to LABEL.rc
    local label=$1
    shift
    set +e
    "$@" >"$d/$label" 2>"$d/$label.stderr"
    echo $? >"$d/$label.rc"
    set -e
  }
  run check.json "$bin" check "$spec" --format json
  run review.json "$bin" review "$spec" --format json
  run doc.md "$bin" doc "$spec"
  run graph.dot "$bin" graph "$spec"
  run fmt "$bin" fmt - <"$spec"
  run simulate.json "$bin" simulate "$spec" --format json --requests 100k --rows-per-day 2k
  rm -rf "$d/build"
  run build.log "$bin" build "$spec" --target python --out "$d/build"
  # What build prints names the output folder: name it OUT, so that two
  # runs into different folders compare equal.
  sed -i "s#$out#OUT#g" "$d/build.log.stderr"
done
# One line per output file, to compare or to quote in a note.
(cd "$out" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$out.sha256"
