#!/usr/bin/env bash
# The CPython interpreters to test against, one per line:
#   LABEL <tab> COMMAND <tab> WORKLOAD-DIR     for those present
#   -     <tab> LABEL   <tab> REASON           for those absent
# Usage: interpreters.sh host|sid|host-dbg|sid-dbg|sid-ft (sid includes sid-ft)
#        interpreters.sh minors     the supported minor versions, one a line
#        interpreters.sh range      the supported range: "3.8 to 3.14"
# The supported versions are pybpftop's own (pybpftop --list-versions, its
# registry of rows), so adding a row adds its interpreters here. With no
# pybpftop to ask this fails: an empty list would skip every test silently.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
pybpftop=$repo/pybpftop

# Sets $minors from the registry, or exits non-zero saying why.
supported() {
	local out
	if [ ! -x "$pybpftop" ]; then
		echo "$0: no $pybpftop to ask which versions are supported: run make" >&2
		exit 1
	fi
	if ! out=$("$pybpftop" --list-versions); then
		echo "$0: $pybpftop --list-versions failed" >&2
		exit 1
	fi
	# "3.13<tab>debug-offsets 3.13<tab>table from ..." -> 13
	minors=$(printf '%s\n' "$out" | awk -F '\t' '$1 ~ /^3\.[0-9]+$/ { sub(/^3\./, "", $1); print $1 }')
	# "3.13t<tab>..." -> 3.13t: the free-threaded rows
	ft_versions=$(printf '%s\n' "$out" | awk -F '\t' '$1 ~ /^3\.[0-9]+t$/ { print $1 }')
	if [ -z "$minors" ]; then
		echo "$0: no versions in the output of $pybpftop --list-versions" >&2
		exit 1
	fi
}

sid=${SID_CHROOT:-/var/tmp/pybpftop-sid}

# sid_list SUFFIX LABEL-SUFFIX: every supported python3.X$SUFFIX in the chroot.
# Others there (a version without a row) are refused: tests/sid/refuse.bats.
sid_list() {
	local suffix=$1 lsuffix=$2 found=0 minor
	if [ ! -d "$sid/usr/bin" ]; then
		printf -- '-\tsid%s\tno chroot at %s (tools/sid-chroot.sh makes it)\n' "$lsuffix" "$sid"
		return
	fi
	for minor in $minors; do
		[ -x "$sid/usr/bin/python3.$minor$suffix" ] || continue
		printf 'sid-3.%s%s\t%s\t%s\n' "$minor" "$lsuffix" \
			"$repo/tools/sid-run.sh $sid python3.$minor$suffix" /pybpftop/workloads
		found=1
	done
	[ "$found" = 1 ] || printf -- '-\tsid%s\tno python3.X%s of a supported version in %s (tools/sid-chroot.sh installs them)\n' \
		"$lsuffix" "$suffix" "$sid"
}

# ft_list: the free-threaded builds of tools/build-freethreaded.sh in the
# chroot (/opt/pybpftop-ft/3.Xt, complete when BUILT is there), one per
# free-threaded row of pybpftop's registry.
ft_list() {
	local v
	for v in $ft_versions; do
		if [ -x "$sid/opt/pybpftop-ft/$v/bin/python$v" ] && [ -f "$sid/opt/pybpftop-ft/$v/BUILT" ]; then
			printf 'sid-%s\t%s\t%s\n' "$v" \
				"$repo/tools/sid-run.sh $sid /opt/pybpftop-ft/$v/bin/python$v" /pybpftop/workloads
		else
			printf -- '-\tsid-%s\tnot built in %s (tools/build-freethreaded.sh; the mirror may serve no source for it)\n' \
				"$v" "$sid"
		fi
	done
}

# debian_list SUFFIX LABEL-SUFFIX PACKAGE: every supported /usr/bin/python3.X$SUFFIX.
debian_list() {
	local suffix=$1 lsuffix=$2 found=0 minor
	for minor in $minors; do
		[ -x "/usr/bin/python3.$minor$suffix" ] || continue
		printf 'debian-3.%s%s	/usr/bin/python3.%s%s	%s\n' "$minor" "$lsuffix" "$minor" "$suffix" \
			"$repo/tests/workloads"
		found=1
	done
	[ "$found" = 1 ] || printf -- '-\tdebian%s\tno /usr/bin/python3.X%s of a supported version: run make deps (%s)\n' \
		"$lsuffix" "$suffix" "$3"
}

supported
case "${1:-host}" in
minors)
	printf '%s\n' "$minors"
	;;
range)
	printf '3.%s to 3.%s\n' "$(printf '%s\n' "$minors" | head -n 1)" "$(printf '%s\n' "$minors" | tail -n 1)"
	;;
host)
	debian_list "" "" python3.11
	root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
	for minor in $minors; do
		dir=$(ls -d "$root"/versions/3."$minor".[0-9]* 2>/dev/null | sort -V | tail -n 1)
		if [ -n "$dir" ] && [ -x "$dir/bin/python3.$minor" ]; then
			printf 'pyenv-%s\t%s\t%s\n' "${dir##*/}" "$dir/bin/python3.$minor" "$repo/tests/workloads"
		else
			printf -- '-\tpyenv-3.%s\tnot installed under %s/versions\n' "$minor" "$root"
		fi
	done
	;;
sid)
	sid_list "" ""
	[ -d "$sid/usr/bin" ] && ft_list
	;;
sid-ft)
	# the free-threaded builds only (tests/sid/freethreaded.bats)
	ft_list
	;;
sid-ft-dbg)
	# what "# per-interpreter +dbg" asks for with INTERPRETERS=sid-ft
	printf -- '-\tsid-ft-dbg\tno Py_DEBUG free-threaded build (tools/build-freethreaded.sh makes release builds)\n'
	;;
host-dbg)
	# Debian's debug builds: the allocator runs through its debug hooks.
	debian_list d -dbg python3.11-dbg
	;;
sid-dbg)
	sid_list d -dbg
	;;
*)
	echo "usage: $0 host|sid|host-dbg|sid-dbg|sid-ft|sid-ft-dbg|minors|range" >&2
	exit 2
	;;
esac
