# Helpers for the bats tests.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PYBPFTOP=$REPO/pybpftop
FOLDED="/usr/bin/python3 $REPO/tests/lib/folded.py"
export SID_BIND=$REPO/tests	# sid-run.sh binds it at /pybpftop in the chroot
# The tests run pybpftop as root itself: under sudo it would write its
# files as the user who ran sudo, into directories the tests made as root.
# A test that means sudo sets both.
unset SUDO_UID SUDO_GID
# bats loads this file afresh for each test: each gets its own tag, which
# every process it starts inherits (pybpftop, its run-mode children), so
# that assert_no_bpf_left can tell this test's BPF programs from those of
# another pybpftop on the machine.
PYBPFTOP_TEST_TAG=$(cat /proc/sys/kernel/random/uuid)
export PYBPFTOP_TEST_TAG

# start_workload NAME ARGS...: run tests/workloads/NAME.py under the
# interpreter of this run (PY_CMD) and wait for its READY line.
start_workload() {
	local name=$1
	shift
	WL_OUT=$BATS_TEST_TMPDIR/workload.out
	# shellcheck disable=SC2086 # PY_CMD may be a command with arguments
	$PY_CMD "$PY_WL/$name.py" "$@" >"$WL_OUT" 2>&1 &
	WL_JOB=$!
	wait_ready "$name"
}

# py_free_threaded: true when this run's interpreter (PY_CMD) is a
# free-threaded build running without a GIL, by its own word.
py_free_threaded() {
	# shellcheck disable=SC2086 # PY_CMD may be a command with arguments
	[ "$($PY_CMD -c 'import sys; print(int(not getattr(sys, "_is_gil_enabled", lambda: True)()))' 2>/dev/null)" = 1 ]
}

# start_sleeper PYTHON [ARG...]: start a Python that only sleeps (2.7 to
# 3.15; through tools/sid-run.sh, one in the sid chroot) and wait until it
# says READY: after a fixed sleep instead, pybpftop could still find the
# shell that has not exec'd it, or no interpreter mapped yet.
start_sleeper() {
	WL_OUT=$BATS_TEST_TMPDIR/workload.out
	"$@" -c 'import os, sys, time
sys.stdout.write("READY %d\n" % os.getpid())
sys.stdout.flush()
time.sleep(60)' >"$WL_OUT" 2>&1 &
	WL_JOB=$!
	wait_ready "$*"
}

# wait_ready NAME: wait up to 10 s for the workload's "READY PID" line in
# WL_OUT; sets WL_PID.
wait_ready() {
	for _ in $(seq 100); do
		# The file may not be there yet: the background job makes it.
		WL_PID=$(sed -n 's/^READY \([0-9]*\)$/\1/p' "$WL_OUT" 2>/dev/null || true)
		[ -n "$WL_PID" ] && return 0
		kill -0 "$WL_JOB" 2>/dev/null || break
		sleep 0.1
	done
	echo "workload $1 did not start:" >&2
	cat "$WL_OUT" >&2
	return 1
}

# wait_line FILE PATTERN [PID]: wait up to 60 s for a line matching
# PATTERN (grep) in FILE, such as pybpftop's "sampling pid" once attached;
# gives up early if PID, the process writing it, exits first.
wait_line() {
	for _ in $(seq 600); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then
			grep -q "$2" "$1" 2>/dev/null && return 0
			break
		fi
		sleep 0.1
	done
	echo "no line matching '$2' in $1:" >&2
	cat "$1" >&2
	return 1
}

stop_workload() {
	if [ -n "${WL_PID:-}" ]; then kill -9 "$WL_PID" 2>/dev/null || true; fi
	if [ -n "${WL_JOB:-}" ]; then kill -9 "$WL_JOB" 2>/dev/null || true; fi
	# `wait` waits for every job: one the test lost track of would hang it
	# (and bats with it) for ever.
	jobs -p | xargs -r kill -9 2>/dev/null || true
	wait 2>/dev/null || true
	WL_PID= WL_JOB=
	return 0
}

# bpf_held_by_test: "PID COMM PROG_ID" for each BPF program that a process
# carrying this test's tag holds through a program or a link fd: the
# fdinfo of both has a "prog_id:" line. (bpftool prog show names the pids
# that hold a program only when built with its BPF skeletons, and Debian's
# 7.1 is not.) A process that exits meanwhile holds nothing any more.
bpf_held_by_test() {
	local environ pid
	for environ in $(grep -lsxzF "PYBPFTOP_TEST_TAG=$PYBPFTOP_TEST_TAG" /proc/[0-9]*/environ); do
		pid=${environ#/proc/}
		pid=${pid%/environ}
		grep -sh '^prog_id:' /proc/"$pid"/fdinfo/* |
			awk -v pid="$pid" -v comm="$(cat /proc/"$pid"/comm 2>/dev/null)" '{ print pid, comm, $2 }'
	done | sort -u
}

# No BPF program may stay held by a process of this test once it is done
# with pybpftop: one that did not exit, or a child that kept its fds. Only
# this test's processes count: another pybpftop running on the machine (a
# developer's, a benchmark) is none of its business. The kernel frees a
# closed program only after an RCU grace period, but it is in no process's
# fds by then; the 3 seconds are for a pybpftop signalled just before,
# still detaching and exiting.
assert_no_bpf_left() {
	local held id
	for _ in $(seq 30); do
		held=$(bpf_held_by_test)
		[ -z "$held" ] && return 0
		sleep 0.1
	done
	echo "BPF programs still held by processes of this test (pid, command, program id):" >&2
	echo "$held" >&2
	for id in $(awk '{print $3}' <<<"$held" | sort -un); do
		bpftool prog show id "$id" >&2
	done
	return 1
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}
