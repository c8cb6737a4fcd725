#!/usr/bin/env bash
# The full test suite, as CI runs it (.ci/run). Needs root on a fresh Debian
# machine: scripts/setup.sh installs and starts the Docker engine first.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "set-up (engine, static binaries, npm deps)"
bash scripts/setup.sh

step "typecheck and lint"
npx tsc --noEmit
npx eslint --max-warnings=0 .

step "dist/ is fresh (rebuild and diff)"
npm run -s build
if [ -n "$(git status --porcelain -- dist 2>/dev/null)" ]; then
  git status --porcelain -- dist
  echo "dist/ differs from a fresh build: run 'npm run build' and commit dist/" >&2
  exit 1
fi

step "unit and integration tests (real engine)"
results=$(mktemp)
status=0
# The suite's own id: every portgate it starts labels what it creates with it
# (vitest.config.ts), so the check below counts this suite's leftovers only,
# not those of another portgate run sharing the engine.
export PORTGATE_TEST_JOB="portgate-test-$(date +%s)-$$"
# CI mode: a missing golden file or snapshot fails instead of being written.
CI=${CI:-true} npx vitest run --reporter=default --reporter=json --outputFile.json="$results" || status=$?

step "no containers or networks left behind"
PORTGATE_JOB=$PORTGATE_TEST_JOB bash scripts/leftovers.sh || status=1

node scripts/summarize-tests.mjs "$results"
exit "$status"
