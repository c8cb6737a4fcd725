#!/usr/bin/env bash
# Prepares a fresh Debian machine (as root) for portgate's examples and tests:
# a running Docker engine, Podman's API service, static binaries for FROM-scratch test images, Chromium
# for the rendered-markdown tests, npm deps.
# Idempotent: every step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx httpd || need_pkgs+=(busybox-static)
command -v gcc >/dev/null 2>&1 || need_pkgs+=(gcc libc6-dev)
command -v rsync >/dev/null 2>&1 || need_pkgs+=(rsync)
command -v iptables >/dev/null 2>&1 || need_pkgs+=(iptables)
# The rendered job summary and PR comment are checked in a real browser (test/integration/rendered-markdown.test.ts);
# the emoji font makes its screenshots show ❌/✅ rather than empty boxes.
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium fonts-dejavu-core fonts-noto-color-emoji)
# Certificates for the TLS engine tests (a relay that asks for client certificates, as dind does).
command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
# Podman for test/integration/podman.test.ts and the Buildah column of the differential test
# (Debian 12: podman 4.3 with the CNI network backend). `HostConfig.Init: true` needs the
# init Podman 4.3 looks for at /usr/libexec/podman/catatonit, which Debian's catatonit ships.
command -v podman >/dev/null 2>&1 || need_pkgs+=(podman containernetworking-plugins)
[ -x /usr/libexec/podman/catatonit ] || need_pkgs+=(catatonit)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# busybox-static must be statically linked: it is copied into FROM-scratch images.
if ! file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' && ! ldd /bin/busybox 2>&1 | grep -q 'not a dynamic'; then
  log "warning: /bin/busybox does not look static"
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  mkdir -p /var/log
  # No registry is reachable here; dockerd only needs its local socket.
  nohup dockerd --host=unix:///var/run/docker.sock >/var/log/portgate-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    log "dockerd did not come up; last log lines:"
    tail -n 30 /var/log/portgate-dockerd.log >&2 || true
    exit 3
  fi
fi
log "engine: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"

# Podman's Docker-compatible API, rootful, where portgate's auto-detection looks for it.
podman_sock=/run/podman/podman.sock
podman_up() { DOCKER_HOST=unix://$podman_sock docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if ! podman_up; then
  log "starting podman system service"
  mkdir -p /run/podman
  nohup podman system service --time=0 "unix://$podman_sock" >/var/log/portgate-podman.log 2>&1 &
  for _ in $(seq 1 30); do
    podman_up && break
    sleep 1
  done
  if ! podman_up; then
    log "podman system service did not come up; last log lines:"
    tail -n 30 /var/log/portgate-podman.log >&2 || true
    exit 3
  fi
fi
log "podman: $(DOCKER_HOST=unix://$podman_sock docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"

if [ -L node_modules ]; then
  # A worktree sharing another checkout's install: npm ci would empty that one through the link.
  log "node_modules is a link to $(readlink node_modules): leaving it alone"
elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
