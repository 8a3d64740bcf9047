#!/usr/bin/env bash
# fresh-check.sh - prove the README on a machine that has nothing installed
# by hand: a minimal Debian 12 root (debootstrap --variant=minbase bookworm)
# with only gcc, make, git and ca-certificates added, a clone of the commit
# under test, and the README's two set-up commands run in it exactly as they
# are written. Any failure fails the check.
#
#   tests/fresh-check.sh [COMMIT]      default: HEAD of this repository
#
# Needs root (debootstrap, chroot, mount) and the Debian archive. The
# minimal root is built once and kept as a tarball in $MTASIM_FRESH_CACHE
# (default /var/cache/mtasim-fresh); every check unpacks a new copy of it,
# so nothing installed by an earlier check is ever seen by the next one.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$top" rev-parse "${1:-HEAD}")
cache=${MTASIM_FRESH_CACHE:-/var/cache/mtasim-fresh}
mirror=${MTASIM_FRESH_MIRROR:-http://deb.debian.org/debian}
base_pkgs="gcc make git ca-certificates"
# The cache key names the suite and the added packages, so changing either
# builds a new base instead of reusing a stale one.
base_tar="$cache/bookworm-minbase-$(echo "$base_pkgs" | tr ' ' '+').tar"

say() { printf 'fresh-check: %s\n' "$*"; }
die() { printf 'fresh-check: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || die "debootstrap is not installed: apt-get install debootstrap"

root=""
cleanup() {
    [ -n "$root" ] || return 0
    for m in dev/pts proc; do
        mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
    done
    rm -rf --one-file-system "$root"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_root() { chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash -c "$1"; }

mount_root() {
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    mount -t proc proc "$root/proc"
    mount -t devpts devpts "$root/dev/pts" 2>/dev/null || true
}

# build_base - debootstrap the minimal root, add the base packages, and keep
# it as a tarball (written under a temporary name, renamed when complete).
build_base() {
    say "building the minimal Debian 12 root (debootstrap --variant=minbase bookworm)"
    mkdir -p "$cache"
    root=$(mktemp -d "$cache/base.XXXXXX")
    chmod 755 "$root"
    debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 ||
        { tail -n 20 "$root.log" >&2; die "debootstrap failed (log above)"; }
    rm -f "$root.log"
    mount_root
    say "adding only: $base_pkgs"
    in_root "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends $base_pkgs >/dev/null && \
        apt-get clean && rm -rf /var/lib/apt/lists/*"
    umount -l "$root/proc"
    mountpoint -q "$root/dev/pts" && umount -l "$root/dev/pts"
    tar -C "$root" -cf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"
    rm -rf --one-file-system "$root"
    root=""
}

# readme_commands - the README's set-up commands: the shell block under
# "## Set-up", one command a line, trailing comments dropped.
readme_commands() {
    awk '/^## Set-up/ { in_sec = 1; next }
         in_sec && /^## / { exit }
         in_sec && /^```sh/ { in_code = 1; next }
         in_code && /^```/ { exit }
         in_code { sub(/[ \t]+#.*$/, ""); if ($0 != "") print }' "$top/README.md"
}

[ -f "$base_tar" ] || build_base
mapfile -t cmds < <(readme_commands)
[ "${#cmds[@]}" -ge 2 ] || die "could not find the README's set-up commands"

root=$(mktemp -d "$cache/run.XXXXXX")
chmod 755 "$root"
tar -C "$root" -xf "$base_tar"
mount_root
say "cloning $commit"
git clone -q --no-local "$top" "$root/root/mtasim"
git -C "$root/root/mtasim" checkout -q "$commit"

for c in "${cmds[@]}"; do
    say "running: $c"
    start=$(date +%s)
    if ! in_root "cd /root/mtasim && $c" >"$root/cmd.log" 2>&1; then
        tail -n 40 "$root/cmd.log" >&2
        die "FAILED on a fresh machine: $c"
    fi
    tail -n 3 "$root/cmd.log"
    say "ok in $(($(date +%s) - start)) s: $c"
done
say "the README's commands pass on a fresh Debian 12"
