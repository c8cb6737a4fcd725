#!/usr/bin/env bash
# Builds the example images from local files only (no registry needed):
# portgate-example-base, -good and -drift, all FROM scratch with a static listener.
set -euo pipefail
cd "$(dirname "$0")"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
gcc -static -O2 -o "$bin/listen" ../test/fixtures/c/listen.c
# The docker CLI warns that the legacy builder is deprecated; show stderr only on failure.
build() { docker build -q -t "$1" "$2" >/dev/null 2>"$bin/err" || { cat "$bin/err" >&2; exit 1; }; }
build portgate-example-base:latest base
for ex in good drift; do
  cp "$bin/listen" "$ex/listen"
  build "portgate-example-$ex:latest" "$ex"
  rm -f "$ex/listen"
done
echo "built portgate-example-base, portgate-example-good, portgate-example-drift"
