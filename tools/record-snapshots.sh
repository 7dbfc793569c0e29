#!/bin/bash
# tools/record-snapshots.sh               record every interpreter listed below
# tools/record-snapshots.sh BUILD PYTHON  record one, e.g. pyenv /root/.pyenv/versions/3.12.1/bin/python3.12
# tools/record-snapshots.sh sid PYTHON    record one in the sid chroot, e.g. sid python3.14
#                                         (a python3.Xd is recorded as build sid-dbg)
#
# Records the walker replay test's snapshots, tests/replay/snapshots/
# VERSION-BUILD.snap (as root: the recorder stops the workload's threads
# with ptrace). Each interpreter runs tests/replay/workload.py, whose three
# threads block in a known stack and print it as the interpreter sees it;
# build/record_walk then walks them with the user-space build of the BPF
# walker, keeps every byte it and the code-object reader read, and saves the
# snapshot only when the walk matches the interpreter's own stacks.
# `make snapshots` runs this for all; build/test_replay (make unit) replays.
#
# The workload runs from /tmp/pybpftop-replay (/pybpftop in the chroot), so
# the file names recorded do not depend on where the repository is.
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
OUT=$REPO/tests/replay/snapshots
RECORD=$REPO/build/record_walk
SID=${SID_CHROOT:-/var/tmp/pybpftop-sid}
WL_DIR=/tmp/pybpftop-replay

die() { printf 'record-snapshots: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "run as root: the recorder stops the workload's threads with ptrace"
[[ -x $RECORD ]] || die "$RECORD missing: run make build/record_walk"
mkdir -p "$WL_DIR" "$OUT"
cp "$REPO/tests/replay/workload.py" "$WL_DIR/workload.py"

# record BUILD CMD...: CMD is the interpreter with the workload's path.
record() {
	local build=$1 tmp pid job
	shift
	tmp=$(mktemp -d)
	"$@" >"$tmp/out" 2>"$tmp/err" &
	job=$!
	for _ in $(seq 300); do
		pid=$(sed -n 's/^READY \([0-9]*\)$/\1/p' "$tmp/out")
		[[ -n $pid ]] && break
		kill -0 "$job" 2>/dev/null || break
		sleep 0.1
	done
	if [[ -z ${pid:-} ]]; then
		cat "$tmp/err" >&2
		kill -9 "$job" 2>/dev/null || true
		rm -rf "$tmp"
		die "the workload under '$*' did not start"
	fi
	head -n 1 "$tmp/out" >"$tmp/truth.json"
	local rc=0
	"$RECORD" -p "$pid" -t "$tmp/truth.json" -b "$build" -d "$OUT" || rc=$?
	kill -9 "$pid" "$job" 2>/dev/null || true
	wait "$job" 2>/dev/null || true
	rm -rf "$tmp"
	return $rc
}

record_host() {	# BUILD PYTHON
	record "$1" "$2" "$WL_DIR/workload.py"
}

record_sid() {	# PYTHON [BUILD]: PYTHON a name in the chroot's /usr/bin; BUILD sid by default
	[[ -x $SID/usr/bin/$1 ]] || die "$SID/usr/bin/$1 missing: make the chroot with tools/sid-chroot.sh"
	SID_BIND=$WL_DIR record "${2:-sid}" "$REPO/tools/sid-run.sh" "$SID" "$1" /pybpftop/workload.py
}

if (( $# == 2 )); then
	if [[ $1 == sid && $2 == *d ]]; then record_sid "$2" sid-dbg
	elif [[ $1 == sid ]]; then record_sid "$2"
	else record_host "$1" "$2"; fi
	exit
fi
(( $# == 0 )) || die "usage: $0 [BUILD PYTHON | sid PYTHON]"

# Every supported version, and Debian's Py_DEBUG build of 3.11, whose
# layout is the same for everything the walker reads.
failed=0
for v in 3.8.18 3.9.18 3.10.13 3.11.7 3.12.1 3.13.0; do
	record_host pyenv "/root/.pyenv/versions/$v/bin/python${v%.*}" || failed=1
done
record_host debian /usr/bin/python3.11 || failed=1
record_host debian-dbg /usr/bin/python3.11d || failed=1
record_sid python3.13 || failed=1
record_sid python3.14 || failed=1
record_sid python3.15 || failed=1
# sid's Py_DEBUG builds (python3.X-dbg), whose layout is the release one's
for v in 3.13 3.14 3.15; do record_sid "python${v}d" sid-dbg || failed=1; done
exit $failed
