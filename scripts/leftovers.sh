#!/usr/bin/env bash
# Containers and networks left behind by the portgate runs of one test suite:
# those labelled io.portgate.job=$PORTGATE_JOB (the suite's own id, which
# vitest.config.ts gives to every portgate it starts), in Docker and, when its
# API service answers, in Podman (test/integration/podman.test.ts runs there).
# Another portgate on the same engine (a parallel CI job, a developer's run)
# carries another label and is not counted. Prints what is left and exits 1,
# or exits 0 when nothing is.
set -euo pipefail
job=${PORTGATE_JOB:?PORTGATE_JOB must name the suite whose leftovers to count}
filters=(--filter label=io.portgate.managed --filter "label=io.portgate.job=$job")
podman_sock=${PORTGATE_PODMAN_SOCKET:-/run/podman/podman.sock}
status=0
docker_host=${DOCKER_HOST:-unix:///var/run/docker.sock}
for engine in "$docker_host" "unix://$podman_sock"; do
  # Docker must answer (an error here fails the check); Podman only where its service runs.
  [ "$engine" = "$docker_host" ] || DOCKER_HOST=$engine docker version >/dev/null 2>&1 || continue
  containers=$(DOCKER_HOST=$engine docker ps -aq "${filters[@]}")
  networks=$(DOCKER_HOST=$engine docker network ls -q "${filters[@]}")
  if [ -z "$containers" ] && [ -z "$networks" ]; then continue; fi
  [ -z "$containers" ] || DOCKER_HOST=$engine docker ps -a "${filters[@]}" >&2
  [ -z "$networks" ] || DOCKER_HOST=$engine docker network ls "${filters[@]}" >&2
  echo "portgate left $(printf '%s\n' $containers | grep -c .) container(s) and $(printf '%s\n' $networks | grep -c .) network(s) of test suite $job behind in $engine" >&2
  status=1
done
exit "$status"
