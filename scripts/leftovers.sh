#!/usr/bin/env bash
# Containers and networks left behind by the portgate runs of one test suite:
# those labelled io.portgate.job=$PORTGATE_JOB (the suite's own id, which
# vitest.config.ts gives to every portgate it starts). Another portgate on the
# same engine (a parallel CI job, a developer's run) carries another label and
# is not counted. Prints what is left and exits 1, or exits 0 when nothing is.
set -euo pipefail
job=${PORTGATE_JOB:?PORTGATE_JOB must name the suite whose leftovers to count}
filters=(--filter label=io.portgate.managed --filter "label=io.portgate.job=$job")
containers=$(docker ps -aq "${filters[@]}")
networks=$(docker network ls -q "${filters[@]}")
if [ -z "$containers" ] && [ -z "$networks" ]; then exit 0; fi
[ -z "$containers" ] || docker ps -a "${filters[@]}" >&2
[ -z "$networks" ] || docker network ls "${filters[@]}" >&2
echo "portgate left $(printf '%s\n' $containers | grep -c .) container(s) and $(printf '%s\n' $networks | grep -c .) network(s) of test suite $job behind" >&2
exit 1
