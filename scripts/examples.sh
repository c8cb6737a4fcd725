#!/usr/bin/env bash
# Runs the gate on the bundled examples: one service that passes, one that drifts.
# Exits 0 when each example gets the verdict it is meant to get.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
[ -f dist/cli.js ] || npm run -s build
bash examples/build.sh

ok=true
for ex in good drift; do
  printf '\n\033[1m$ portgate check --image portgate-example-%s:latest --dockerfile examples/%s/Dockerfile --spec examples/%s/portgate.yml\033[0m\n' "$ex" "$ex" "$ex"
  code=0
  node dist/cli.js check --image "portgate-example-$ex:latest" --dockerfile "examples/$ex/Dockerfile" --spec "examples/$ex/portgate.yml" || code=$?
  want=0; [ "$ex" = drift ] && want=1
  echo "exit code $code (expected $want)"
  [ "$code" -eq "$want" ] || ok=false
done
$ok && echo -e "\nexamples: the good service passed and the drifting one failed, as expected" || { echo "examples: unexpected verdict" >&2; exit 1; }
