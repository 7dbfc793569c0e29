#!/bin/bash
# tools/sid-austin.sh [DIR]
#
# Put sid's Austin (the frame-stack sampler for CPython) into the sid chroot
# DIR (default /var/tmp/pybpftop-sid, made by tools/sid-chroot.sh) under
# /opt/austin, for bench/peers.sh. Prints the binary's path inside the
# chroot (/opt/austin/usr/bin/austin) on stdout.
#
# sid's austin package does not install through apt (its dependencies do not
# install there), but the austin binary itself needs only libc: so the .deb
# is fetched with `apt-get download` and unpacked by hand with dpkg-deb -x.
# apt runs with a private package-list directory, so the chroot's own lists
# (which tools/build-freethreaded.sh may be using) are neither read nor
# dropped, under sid-chroot.sh's $DIR.lock, in a private mount namespace,
# so nothing stays mounted.
# Idempotent: when /opt/austin's binary already runs, exits 0 at once
# without touching the network.
set -euo pipefail

log() { printf '[sid-austin] %s\n' "$*" >&2; }
die() { printf '[sid-austin] ERROR: %s\n' "$*" >&2; exit 1; }

DIR=$(readlink -f "${1:-/var/tmp/pybpftop-sid}")
BIN=/opt/austin/usr/bin/austin
[[ $(id -u) == 0 ]] || die "must run as root (chroot)"
[[ -x $DIR/usr/bin/apt-get ]] || die "$DIR is not a chroot; create it with tools/sid-chroot.sh $DIR"

works() { chroot "$DIR" "$BIN" --version >/dev/null 2>&1; }
if works; then echo "$BIN"; exit 0; fi

exec 9>"$DIR.lock"
flock -n 9 || { log "another run holds $DIR.lock; waiting"; flock 9; }
if works; then echo "$BIN"; exit 0; fi
log "downloading sid's austin into $DIR/opt/austin"
# shellcheck disable=SC2016 # the script is expanded by the inner sh
unshare --mount --propagation private -- /bin/sh -euc '
	dir=$1
	mount -t proc -o nosuid,nodev,noexec proc "$dir/proc"
	mount --rbind /dev "$dir/dev"
	[ -r /etc/resolv.conf ] && [ -f "$dir/etc/resolv.conf" ] &&
		mount --bind /etc/resolv.conf "$dir/etc/resolv.conf"
	work=/tmp/sid-austin.$$
	trap "rm -rf \"$dir$work\"" EXIT
	mkdir -p "$dir$work/lists/partial"
	run_in() {
		env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
			chroot "$dir" "$@"
	}
	opt="-q -o Acquire::Check-Valid-Until=false -o Dir::State::Lists=$work/lists"
	run_in apt-get $opt update >/dev/null
	run_in sh -c "cd $work && apt-get $opt download austin >/dev/null"
	rm -rf "$dir/opt/austin"
	run_in sh -c "dpkg-deb -x $work/austin_*.deb /opt/austin && dpkg-deb -f $work/austin_*.deb Version >/opt/austin/VERSION"
' sid-austin "$DIR" || die "fetching austin failed (see apt's output above)"
works || die "$DIR$BIN does not run: $(chroot "$DIR" "$BIN" --version 2>&1 | head -n 3)"
log "austin $(cat "$DIR/opt/austin/VERSION") in $DIR/opt/austin"
echo "$BIN"
