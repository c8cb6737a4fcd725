#!/usr/bin/env bash
# Runs the gate on the bundled examples: one service that passes, one that drifts.
# Exits 0 when each example gets the verdict it is meant to get.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
[ -f dist/cli.js ] || npm run -s build
bash examples/build.sh

# Expected verdict and the rule ids the example exists to show.
declare -A want_code=([good]=0 [drift]=1)
declare -A want_rules=([good]="" [drift]="bound-to-loopback exposed-not-declared risky-port undeclared-listener")
report=$(mktemp)
ok=true
for ex in good drift; do
  printf '\n\033[1m$ portgate check --image portgate-example-%s:latest --dockerfile examples/%s/Dockerfile --spec examples/%s/portgate.yml\033[0m\n' "$ex" "$ex" "$ex"
  code=0
  node dist/cli.js check --image "portgate-example-$ex:latest" --dockerfile "examples/$ex/Dockerfile" --spec "examples/$ex/portgate.yml" \
    --report "json=$report" || code=$?
  rules=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log([...new Set(r.findings.map(f=>f.rule))].sort().join(" "))' "$report" 2>/dev/null || echo "(no report)")
  echo "exit code $code (expected ${want_code[$ex]}); rules: ${rules:-none} (expected: ${want_rules[$ex]:-none})"
  [ "$code" -eq "${want_code[$ex]}" ] && [ "$rules" = "${want_rules[$ex]}" ] || ok=false
done
$ok && echo -e "\nexamples: the good service passed and the drifting one failed, as expected" || { echo "examples: unexpected verdict" >&2; exit 1; }
