#!/usr/bin/env bash
# Builds the real-services test images without any registry: a Debian bookworm
# rootfs from debootstrap with every package of packages.txt, imported as
# portgate-realbase:<hash>, then one portgate-real-<name>:test per folder in
# services/. Run as root. Usage: build.sh [service...] (default: all services).
#
# Cache (/var/cache/portgate): realbase-<hash>.tar is the finished rootfs, so a
# deleted base image is re-imported without debootstrap; debs/ and apt-archives/
# keep downloaded packages for the next package-list change.
set -euo pipefail

# Bump when the way the base is built changes (not for package-list changes).
BUILD_VERSION=2
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
CACHE=/var/cache/portgate
LABELS=(io.portgate.test=true io.portgate.test.suite=real-services)

HERE=$(cd "$(dirname "$0")" && pwd)
log() { printf '[real-services] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

PHASE=start
phase_start=$(date +%s%N)
script_start=$phase_start
phase() {
  local now; now=$(date +%s%N)
  [ "$PHASE" = start ] || log "phase $PHASE took $(( (now - phase_start) / 1000000 )) ms"
  PHASE=$1; phase_start=$now
  [ "$1" = done ] || log "phase $1"
}
LOCKED=
on_exit() {
  local rc=$?
  [ -z "$LOCKED" ] || [ -z "${ROOT:-}" ] || release_root || true
  [ $rc -eq 0 ] || log "FAILED in phase $PHASE (exit $rc); see the output above"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot, nsenter)"
command -v docker >/dev/null || die "docker CLI missing: run scripts/setup.sh first"
docker info >/dev/null 2>&1 || die "Docker engine not reachable: run scripts/setup.sh first"

# One build at a time per machine, host-tool installs included (flock is in util-linux, which is Essential).
mkdir -p "$CACHE/debs" "$CACHE/apt-archives/partial"
exec 9>"$CACHE/build.lock"
if ! flock -n 9; then
  log "another build.sh holds $CACHE/build.lock; waiting"
  flock 9
fi
LOCKED=1

phase host-tools
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v ss >/dev/null || need+=(iproute2)
command -v nsenter >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

packages=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$HERE/packages.txt" | tr -s ' \n' '\n')
HASH=$( { echo "v$BUILD_VERSION"; echo "$packages"; cat "$HERE/base/hello.go"; } | sha256sum | cut -c1-12)
BASE=portgate-realbase:$HASH
TAR=$CACHE/realbase-$HASH.tar
ROOT=$CACHE/rootfs-$HASH

# Processes left in the chroot are ours (a postinst that ignored policy-rc.d);
# they and our mounts must go before rm -rf, or it would reach into /dev/pts.
release_root() {
  [ -d "$ROOT" ] || return 0
  for p in /proc/[0-9]*; do
    if [ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ]; then kill -9 "${p#/proc/}" 2>/dev/null || true; fi
  done
  awk -v r="$ROOT" 'index($2, r "/") == 1 {print $2}' /proc/self/mounts | sort -r | while read -r m; do umount "$m" || umount -l "$m"; done
  if awk -v r="$ROOT" 'index($2, r "/") == 1' /proc/self/mounts | grep -q .; then
    log "mounts remain under $ROOT; not deleting it"; return 1
  fi
  rm -rf "$ROOT"
}

# Long, chatty steps write to $CACHE/<name>.log; their tail is shown when they fail.
logged() {
  local name=$1; shift
  "$@" >"$CACHE/$name.log" 2>&1 || { tail -n 40 "$CACHE/$name.log" >&2; die "$name failed (full log: $CACHE/$name.log)"; }
}

in_root() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$ROOT" "$@"; }

build_rootfs() {
  phase debootstrap
  release_root
  logged debootstrap debootstrap --variant=minbase --cache-dir="$CACHE/debs" "$SUITE" "$ROOT" "$MIRROR"

  phase install-packages
  printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
  chmod 755 "$ROOT/usr/sbin/policy-rc.d"
  cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR}-security $SUITE-security main
EOF
  # The size of a "slim" image: no manuals, docs (copyright kept) or translations;
  # nor the 210 MB of raw tz history prometheus' web UI pulls in (it loads builds/).
  cat >"$ROOT/etc/dpkg/dpkg.cfg.d/90portgate-slim" <<'EOF'
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/javascript/moment-timezone/data/*
EOF
  # openjdk's postinst registers man pages with update-alternatives, which fails without the folder.
  mkdir -p "$ROOT/usr/share/man/man1"
  mount -t proc proc "$ROOT/proc"
  mount --bind /dev/pts "$ROOT/dev/pts"
  mount --bind "$CACHE/apt-archives" "$ROOT/var/cache/apt/archives"
  logged apt-update in_root apt-get update
  # shellcheck disable=SC2086 # one word per package
  logged apt-install in_root apt-get install -y --no-install-recommends $packages

  phase go-debuggee
  before=$(in_root dpkg-query -W -f '${Package}\n' | sort)
  logged go-install in_root apt-get install -y --no-install-recommends golang-go
  mkdir -p "$ROOT/tmp/hello"
  cp "$HERE/base/hello.go" "$ROOT/tmp/hello/hello.go"
  in_root env GOCACHE=/tmp/gocache CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -o /usr/local/bin/hello-go /tmp/hello/hello.go
  # shellcheck disable=SC2046 # exactly the packages golang-go added
  logged go-purge in_root apt-get purge -y $(comm -13 <(echo "$before") <(in_root dpkg-query -W -f '${Package}\n' | sort))

  phase clean-rootfs
  umount "$ROOT/var/cache/apt/archives" "$ROOT/dev/pts" "$ROOT/proc"
  rm -f "$ROOT/usr/sbin/policy-rc.d"
  rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/tmp/* "$ROOT"/var/tmp/* \
    "$ROOT"/var/log/apt/* "$ROOT"/var/log/dpkg.log "$ROOT"/var/log/alternatives.log "$ROOT"/var/cache/debconf/*-old \
    "$ROOT"/var/lib/dpkg/*-old "$ROOT"/root/.cache \
    "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/log/bootstrap.log
  # Host keys belong to each built image (the sshd Dockerfile generates them), not to a shared base.
  rm -f "$ROOT"/etc/ssh/ssh_host_*
  # Docker bind-mounts its own; the build host's must not leak into the image.
  : >"$ROOT/etc/resolv.conf"; : >"$ROOT/etc/hostname"

  phase tar-rootfs
  tar --numeric-owner --xattrs --xattrs-include='security.capability' -C "$ROOT" -cf "$TAR.tmp" .
  mv "$TAR.tmp" "$TAR"
  release_root
}

if docker image inspect "$BASE" >/dev/null 2>&1; then
  log "base $BASE present"
else
  # Not `[ -f ] || build_rootfs`: set -e is off inside a function called from an || list.
  if [ ! -f "$TAR" ]; then build_rootfs; fi
  phase import-base
  log "importing $TAR"
  docker import "${LABELS[@]/#/--change=LABEL }" --message "portgate real-services base ($SUITE, hash $HASH)" "$TAR" "$BASE" >/dev/null
  # Older bases of this suite are superseded by this one.
  for old in "$CACHE"/realbase-*.tar; do [ "$old" = "$TAR" ] || rm -f "$old"; done
  docker images --format '{{.Repository}}:{{.Tag}}' portgate-realbase | grep -vx "$BASE" | xargs -r docker rmi >/dev/null || true
fi
log "base $BASE: $(docker image inspect -f '{{.Size}}' "$BASE" | awk '{printf "%.0f MB", $1/1e6}')"

phase services
if [ $# -gt 0 ]; then names=("$@"); else names=(); for d in "$HERE"/services/*/; do names+=("$(basename "$d")"); done; fi
for name in "${names[@]}"; do
  dir=$HERE/services/$name
  [ -f "$dir/Dockerfile" ] || die "no Dockerfile in $dir"
  t0=$(date +%s%N)
  out=$(DOCKER_BUILDKIT=0 docker build --rm --force-rm "${LABELS[@]/#/--label=}" --build-arg "BASE=$BASE" \
    -t "portgate-real-$name:test" "$dir" 2>&1) || { printf '%s\n' "$out" | tail -n 40 >&2; die "building $name failed"; }
  log "built portgate-real-$name:test in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
done
# Rebuilt service images leave their predecessors untagged; only ours carry the suite label.
docker image prune -f --filter label=io.portgate.test.suite=real-services >/dev/null

phase done
log "total $(( ($(date +%s%N) - script_start) / 1000000 )) ms"
