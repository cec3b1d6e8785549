#!/usr/bin/env bash
# Builds (once) and prints the path of a minimal Debian `sid` root that holds one server flavour the
# machine's own release is too old for. The servers run from it with `chroot`; TCP on 127.0.0.1
# reaches them from outside. Nothing comes from anywhere but the Debian mirror apt already uses.
#
#   scripts/flavour-root.sh mysql          MySQL (mysql-server-core / mysql-client-core, 9.7 today)
#   scripts/flavour-root.sh mariadb-lts    the newest MariaDB LTS (mariadb-server, 11.8 today)
#
# Roots are cached outside the clone, in $BF_ROOTS_DIR (default /var/cache/binlog-flusher/roots): a
# root is built once per machine (about 30 s and 0.5 GB) and shared by every clone. A half-built root
# is never used: the build happens in a temporary folder renamed into place at the end, and only a
# root holding the marker file `.ready` counts as built (a root prepared another way, by hand or copied
# from another machine, needs `touch $BF_ROOTS_DIR/<flavour>/.ready`).
set -euo pipefail

flavour=${1:-}
case "$flavour" in
  mysql) packages="mysql-server-core mysql-client-core" ;;
  mariadb-lts) packages="mariadb-server mariadb-client" ;;
  *) echo "usage: $0 mysql|mariadb-lts" >&2; exit 2 ;;
esac

cache=${BF_ROOTS_DIR:-/var/cache/binlog-flusher/roots}
root="$cache/$flavour"
if [ -f "$root/.ready" ]; then echo "$root"; exit 0; fi

need() { echo "flavour-root: $*" >&2; exit 3; }
[ "$(id -u)" -eq 0 ] || need "building and running the $flavour root needs root (debootstrap and chroot); run as root, or use BF_SANDBOX=local"
export PATH="$PATH:/usr/sbin:/sbin"
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "flavour-root: installing debootstrap from Debian's packages" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; } ||
    need "debootstrap is not installed and apt-get could not install it"
fi

# The mirror apt already uses (deb822 or one-line sources).
mirror=$(grep -hoE '^URIs:\s*\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
[ -n "$mirror" ] || mirror=$(grep -hoE '^deb\s+\S+' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
[ -n "$mirror" ] || need "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"

mkdir -p "$cache"
exec 9>"$cache/.$flavour.lock"
flock 9
if [ -f "$root/.ready" ]; then echo "$root"; exit 0; fi

work=$(mktemp -d "$cache/.$flavour.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "flavour-root: building $root from $mirror (sid); once per machine" >&2
debootstrap --variant=minbase sid "$work" "$mirror" >"$work.log" 2>&1 ||
  { tail -n 20 "$work.log" >&2; need "debootstrap sid failed (log above)"; }
rm -f "$work.log"
# Nothing may start inside the root while packages install.
printf '#!/bin/sh\nexit 101\n' >"$work/usr/sbin/policy-rc.d"
chmod +x "$work/usr/sbin/policy-rc.d"
# The mirror is a snapshot: sid's Release file may be past its validity date.
chroot "$work" apt-get -qq -o Acquire::Check-Valid-Until=false update >/dev/null ||
  need "apt-get update inside the $flavour root failed"
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive chroot "$work" apt-get install -y -qq --no-install-recommends $packages >/dev/null ||
  need "installing $packages inside the root failed"
chroot "$work" apt-get clean
touch "$work/.ready"
rm -rf "$root"
mv "$work" "$root"
trap - EXIT
echo "$root"
