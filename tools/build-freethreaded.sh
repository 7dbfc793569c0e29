#!/bin/bash
# tools/build-freethreaded.sh [MINOR...] [DIR]
#
# Build free-threaded CPython (PEP 703, ./configure --disable-gil) inside the
# sid chroot DIR (default /var/tmp/pybpftop-sid, made by tools/sid-chroot.sh)
# from Debian's own source package, for each MINOR (default: 13 14 15).
# Debian does not package free-threaded interpreters, so the tests need this.
#
# Result, per minor, inside the chroot (so tools/sid-run.sh can start it):
#   /opt/pybpftop-ft/3.Xt/bin/python3.Xt      the interpreter (-g, no PGO/LTO)
#   /opt/pybpftop-ft/3.Xt/BUILT               marker: the Debian source
#                                             version built, date, seconds
#   e.g. tools/sid-run.sh /var/tmp/pybpftop-sid /opt/pybpftop-ft/3.13t/bin/python3.13t
# It lives in the chroot (not the repo) because it is built by and links
# against the chroot's libc; a rebuilt chroot simply rebuilds it.
#
# - Idempotent: a minor whose BUILT marker and interpreter exist is reused at
#   once (no network). The build happens in /opt/pybpftop-ft/.tmp-3.Xt and
#   is installed into a staging directory renamed into place only after
#   `python3.Xt -c` proves it runs, and BUILT is written last: an
#   interrupted build never looks complete (its leftovers are removed on
#   the next run).
# - Sources: deb-src lines for sid, testing and experimental are added to the
#   CHROOT's apt sources (/etc/apt/sources.list.d/pybpftop-src.list; the
#   host's apt is never touched). The mirror serves some source versions
#   only (on 2026-12-01 python3.13 3.13.15-1 downloaded, every listed 3.14
#   and 3.15 gave 404), so every version apt knows is tried, newest first.
# - A minor that cannot be had (no source downloads) is reported and
#   skipped; the exit status is non-zero only if 3.13t (REQUIRED_MINORS,
#   default "13") is not built.
# - Network and apt run in a private mount namespace (fresh /proc, /dev, the
#   host's resolv.conf bound in), as tools/sid-chroot.sh --add does; nothing
#   stays mounted. The package lists are dropped again afterwards.
# - Time: 3.13t takes about 9 minutes on 2 cores (see docs/versions.md).
set -euo pipefail

log() { printf '[build-ft] %s\n' "$*" >&2; }
die() { printf '[build-ft] ERROR: %s\n' "$*" >&2; exit 1; }

DIR=/var/tmp/pybpftop-sid
MINORS=()
for a; do
	if [[ $a == */* ]]; then DIR=$a
	elif [[ $a =~ ^1[0-9]$ ]]; then MINORS+=("$a")
	else die "usage: $0 [MINOR...] [DIR]   (MINOR like 13; DIR contains a /)"
	fi
done
(( ${#MINORS[@]} )) || MINORS=(13 14 15)
REQUIRED=${REQUIRED_MINORS:-13}
[[ $(id -u) == 0 ]] || die "must run as root (chroot, mount namespaces)"
DIR=$(readlink -f "$DIR")
[[ -d $DIR/usr/bin && -f $DIR/.pybpftop-sid-complete ]] ||
	die "$DIR is not a complete sid chroot: run tools/sid-chroot.sh $DIR"

OPT=/opt/pybpftop-ft
is_built() { [[ -f $DIR$OPT/3.$1t/BUILT && -x $DIR$OPT/3.$1t/bin/python3.$1t ]]; }

todo=()
for m in "${MINORS[@]}"; do
	if is_built "$m"; then log "3.${m}t already built: $(head -n 1 "$DIR$OPT/3.${m}t/BUILT")"
	else todo+=("$m"); fi
done
if (( ${#todo[@]} == 0 )); then exit 0; fi

# One builder at a time per chroot (apt in the chroot is also guarded by
# sid-chroot.sh's own $DIR.lock, taken below around every apt step).
exec 8>"$DIR.ft.lock"
flock -n 8 || { log "another build holds $DIR.ft.lock; waiting"; flock 8; }

# Run a shell script inside the chroot in a private mount namespace.
# $1 = script (sh), rest = its arguments.
in_chroot() {
	local script=$1; shift
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare --mount --propagation private -- /bin/sh -euc '
		dir=$1; script=$2; shift 2
		mount -t proc -o nosuid,nodev,noexec proc "$dir/proc"
		mount --rbind /dev "$dir/dev"
		[ -r /etc/resolv.conf ] && [ -f "$dir/etc/resolv.conf" ] &&
			mount --bind /etc/resolv.conf "$dir/etc/resolv.conf"
		exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
			chroot "$dir" /bin/sh -euc "$script" build-ft "$@"
	' build-ft "$DIR" "$script" "$@"
}

# Under sid-chroot.sh's lock: apt must not run twice in one chroot.
with_apt_lock() {
	( exec 9>"$DIR.lock"; flock 9; "$@" )
}

APT='-o Acquire::Check-Valid-Until=false -q'
MIRROR=$(awk '$1 == "deb" {print $2; exit}' "$DIR/etc/apt/sources.list")
[[ -n $MIRROR ]] || die "no deb line in $DIR/etc/apt/sources.list"
SRCLIST=$DIR/etc/apt/sources.list.d/pybpftop-src.list
if [[ ! -f $SRCLIST ]]; then
	log "adding deb-src (sid, testing, experimental) to the chroot's sources: $SRCLIST"
	printf 'deb-src %s %s main\n' "$MIRROR" sid "$MIRROR" testing "$MIRROR" experimental >"$SRCLIST"
fi

# The smallest set upstream's configure + make needs (no build-dep: that
# pulls in tk, gdb, sphinx ...). dpkg-dev unpacks the source package.
DEPS="gcc make dpkg-dev pkg-config xz-utils libffi-dev zlib1g-dev libbz2-dev liblzma-dev libexpat1-dev libssl-dev"
# shellcheck disable=SC2317 # called through with_apt_lock
apt_prepare() {
	# shellcheck disable=SC2016
	in_chroot 'apt-get '"$APT"' update >/dev/null
		apt-get '"$APT"' install -y --no-install-recommends $1 >/dev/null' "$DEPS"
}
# shellcheck disable=SC2317 # called through with_apt_lock
apt_drop_lists() {
	in_chroot 'apt-get clean; find /var/lib/apt/lists -maxdepth 1 -type f ! -name lock -delete'
}
log "apt-get update + build tools in the chroot: $DEPS"
with_apt_lock apt_prepare || die "apt-get in the chroot failed (see above)"
trap 'with_apt_lock apt_drop_lists || true' EXIT

required_ok=1
for m in "${todo[@]}"; do
	pkg=python3.$m
	tag=3.${m}t
	tmp=$OPT/.tmp-$tag
	rm -rf --one-file-system "${DIR:?}$tmp"
	mkdir -p "$DIR$tmp"
	# Every source version apt knows, across the suites, newest first.
	# apt-cache showsrc lists one stanza per suite; dpkg orders them.
	mapfile -t versions < <(chroot "$DIR" apt-cache showsrc "$pkg" 2>/dev/null |
		awk -v p="$pkg" '/^Package:/ {cur = $2} /^Version:/ && cur == p {print $2}' | sort -u)
	if (( ${#versions[@]} > 1 )); then
		# shellcheck disable=SC2016
		mapfile -t versions < <(chroot "$DIR" sh -c 'for a; do n=0; for b; do
			if dpkg --compare-versions "$b" gt "$a"; then n=$((n + 1)); fi; done
			echo "$n $a"; done' sh "${versions[@]}" | sort -n | awk '{print $2}')
	fi
	if (( ${#versions[@]} == 0 )); then
		log "$tag: apt knows no source package $pkg; skipping"
		[[ " $REQUIRED " == *" $m "* ]] && required_ok=0
		continue
	fi
	log "$tag: source versions apt knows (newest first): ${versions[*]}"
	got=
	for v in "${versions[@]}"; do
		log "$tag: trying apt-get source $pkg=$v"
		# shellcheck disable=SC2016
		if with_apt_lock in_chroot 'cd "$1" && apt-get '"$APT"' source --download-only "$2=$3" >apt-source.log 2>&1' \
				"$tmp" "$pkg" "$v"; then
			got=$v; break
		fi
		log "$tag: $pkg=$v did not download: $(grep -m 1 -A 1 '^Err:' "$DIR$tmp/apt-source.log" | tr -s ' \n' ' ' | cut -c1-200)"
		rm -rf --one-file-system "${DIR:?}$tmp"/*
	done
	if [[ -z $got ]]; then
		log "$tag: no source version of $pkg downloads from this mirror; skipping"
		rm -rf --one-file-system "${DIR:?}$tmp"
		[[ " $REQUIRED " == *" $m "* ]] && required_ok=0
		continue
	fi
	log "$tag: building $pkg $got (configure --disable-gil, CFLAGS=-g, make -j$(nproc))"
	start=$SECONDS
	# Upstream sources as released (--skip-patches): Debian's patches adapt
	# the layout to Debian's packaging, which a plain ./configure build
	# does not need. Staged install, a smoke test, then rename into place.
	# shellcheck disable=SC2016
	if ! in_chroot '
		cd "$1"; tag=$2; m=$3; opt=$4; jobs=$5
		dpkg-source -x --skip-patches ./*.dsc src >/dev/null
		cd src
		./configure --disable-gil --prefix="$opt/$tag" --without-ensurepip \
			CFLAGS=-g >../configure.log 2>&1 || { tail -n 30 ../configure.log; exit 1; }
		make -j"$jobs" >../make.log 2>&1 || { tail -n 40 ../make.log; exit 1; }
		make install DESTDIR="$1/stage" >../install.log 2>&1 || { tail -n 30 ../install.log; exit 1; }
		py="$1/stage$opt/$tag/bin/python3.${m}t"
		test -x "$py"
		PYTHONHOME="$1/stage$opt/$tag" "$py" -c "import sys; assert not sys._is_gil_enabled()"
	' "$tmp" "$tag" "$m" "$OPT" "$(nproc)"; then
		log "$tag: build of $pkg $got FAILED (logs in $DIR$tmp/*.log)"
		[[ " $REQUIRED " == *" $m "* ]] && required_ok=0
		continue
	fi
	secs=$((SECONDS - start))
	rm -rf --one-file-system "${DIR:?}$OPT/$tag"
	mv -T "$DIR$tmp/stage$OPT/$tag" "$DIR$OPT/$tag"
	rm -rf --one-file-system "${DIR:?}$tmp"
	printf 'Debian source %s %s, configure --disable-gil CFLAGS=-g, built %s in %ss\n' \
		"$pkg" "$got" "$(date -u +%FT%TZ)" "$secs" >"$DIR$OPT/$tag/BUILT.tmp"
	mv "$DIR$OPT/$tag/BUILT.tmp" "$DIR$OPT/$tag/BUILT"
	log "$tag: done in ${secs}s: $(cat "$DIR$OPT/$tag/BUILT")"
done
(( required_ok )) || die "a required free-threaded build (3.{$REQUIRED}t) is missing"
exit 0
