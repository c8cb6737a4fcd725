#!/usr/bin/env bash
# Builds, without any image registry, a stand-in for node:24-bookworm-slim to
# build portgate's own image FROM: a Debian 12 rootfs made from this machine's
# own installed Debian packages (the files `dpkg -L` lists for a shell,
# coreutils and the C/C++ runtime), the official Node.js 24 binary at
# /usr/local/bin/node (npm's `node@24` package ships it, as `npx node@24`
# fetches it) and a `node` user and group with id 1000, as in the official
# image. Imported with `docker import` as portgate-nodebase:<hash>; prints
# that reference on stdout.
#
# A few seconds, so no tarball cache: the image itself is kept, keyed by a hash
# of this recipe, the package versions and the Node.js binary. Run as root on
# Debian 12 (what scripts/setup.sh prepares).
set -euo pipefail

# Bump when the recipe changes in a way the hash would not notice.
BUILD_VERSION=1
# What node:*-bookworm-slim's Dockerfile needs to RUN (sh, ln, mkdir, chown) and node needs to start.
PACKAGES=(base-files base-passwd bash dash coreutils debianutils findutils grep sed
  libc6 libgcc-s1 libstdc++6 libacl1 libattr1 libgmp10 libselinux1 libpcre2-8-0 libtinfo6 libcrypt1)
LABELS=(io.portgate.test=true io.portgate.test.suite=image)

log() { printf '[node-base] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (chroot, files owned by root)"
grep -q '^VERSION_ID="12"' /etc/os-release || log "warning: not Debian 12; the base will hold this machine's packages instead of bookworm's"
docker info >/dev/null 2>&1 || die "Docker engine not reachable: run scripts/setup.sh first"

# The official build, as the node:24 images carry it.
node_bin=$(npx -y node@24 -p process.execPath 2>/dev/null | tail -n 1)
[ -x "$node_bin" ] || die "could not get Node.js 24 from the npm registry (npx -y node@24)"
node_version=$("$node_bin" --version)
versions=$(dpkg-query -W -f '${Package}=${Version}\n' "${PACKAGES[@]}") || die "a package of the base is not installed: ${PACKAGES[*]}"
HASH=$( { echo "v$BUILD_VERSION"; echo "$versions"; sha256sum "$node_bin" | cut -d' ' -f1; sha256sum "$0" | cut -d' ' -f1; } | sha256sum | cut -c1-12)
BASE=portgate-nodebase:$HASH

exec 9>/tmp/portgate-nodebase.lock
flock 9

if docker image inspect "$BASE" >/dev/null 2>&1; then
  log "$BASE present (Node.js $node_version)"
  echo "$BASE"
  exit 0
fi

t0=$(date +%s%N)
ROOT=$(mktemp -d /tmp/portgate-nodebase.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
# Merged /usr, as bookworm has it: /bin/sh is /usr/bin/sh.
mkdir -p "$ROOT/usr/bin" "$ROOT/usr/lib" "$ROOT/usr/lib64" "$ROOT/usr/sbin"
for d in bin lib lib64 sbin; do ln -s "usr/$d" "$ROOT/$d"; done
# Every file and symlink the packages installed here (not their folders: the listing names /usr and /etc too).
# Without manuals, docs (copyright kept) and translations, as debian:*-slim.
dpkg -L "${PACKAGES[@]}" | grep -Ev '^/usr/share/(man|info|locale|doc/[^/]+/[^c])' | grep '^/' | sort -u | while read -r f; do
  if [ -L "$f" ] || { [ -e "$f" ] && [ ! -d "$f" ]; }; then printf '%s\n' "${f#/}"; fi
done >"$ROOT.list"
tar -C / --no-recursion -cf - -T "$ROOT.list" | tar -C "$ROOT" --keep-directory-symlink -xf -
rm -f "$ROOT.list"
# Debian's initial accounts (what base-passwd installs on a new system), and node:1000 as in the official images.
cp /usr/share/base-passwd/passwd.master "$ROOT/etc/passwd"
cp /usr/share/base-passwd/group.master "$ROOT/etc/group"
echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$ROOT/etc/passwd"
echo 'node:x:1000:' >>"$ROOT/etc/group"
mkdir -p "$ROOT/home/node" "$ROOT/root" "$ROOT/tmp" "$ROOT/var/tmp" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/run"
chown 1000:1000 "$ROOT/home/node"
chmod 1777 "$ROOT/tmp" "$ROOT/var/tmp"
chmod 700 "$ROOT/root"
mkdir -p "$ROOT/usr/local/bin"
install -m 0755 "$node_bin" "$ROOT/usr/local/bin/node"
# The build host's identity must not leak into the image; the engine mounts its own.
: >"$ROOT/etc/hostname"; : >"$ROOT/etc/resolv.conf"; : >"$ROOT/etc/hosts"
[ "$(chroot "$ROOT" /usr/local/bin/node -p 1+1)" = 2 ] || die "node does not run in the rootfs"
chroot "$ROOT" /bin/sh -c 'ln --version && mkdir --version && chown --version' >/dev/null || die "sh or coreutils do not run in the rootfs"

tar --numeric-owner -C "$ROOT" -cf - . | docker import "${LABELS[@]/#/--change=LABEL }" --change 'CMD ["node"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --message "portgate test stand-in for node:24-bookworm-slim (this machine's Debian packages, Node.js $node_version)" - "$BASE" >/dev/null
# Older bases are superseded by this one.
docker images --format '{{.Repository}}:{{.Tag}}' portgate-nodebase | grep -vx "$BASE" | xargs -r docker rmi >/dev/null 2>&1 || true
log "$BASE built in $(( ($(date +%s%N) - t0) / 1000000 )) ms (Node.js $node_version, $(docker image inspect -f '{{.Size}}' "$BASE" | awk '{printf "%.0f MB", $1/1e6}'))"
echo "$BASE"
