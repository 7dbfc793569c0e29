# Helpers for the bats tests.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PYBPFTOP=$REPO/pybpftop
FOLDED="/usr/bin/python3 $REPO/tests/lib/folded.py"
export SID_BIND=$REPO/tests	# sid-run.sh binds it at /pybpftop in the chroot

# start_workload NAME ARGS...: run tests/workloads/NAME.py under the
# interpreter of this run (PY_CMD) and wait for its READY line.
start_workload() {
	local name=$1
	shift
	WL_OUT=$BATS_TEST_TMPDIR/workload.out
	# shellcheck disable=SC2086 # PY_CMD may be a command with arguments
	$PY_CMD "$PY_WL/$name.py" "$@" >"$WL_OUT" 2>&1 &
	WL_JOB=$!
	for _ in $(seq 100); do
		WL_PID=$(sed -n 's/^READY \([0-9]*\)$/\1/p' "$WL_OUT")
		[ -n "$WL_PID" ] && return 0
		kill -0 "$WL_JOB" 2>/dev/null || break
		sleep 0.1
	done
	echo "workload $name did not start:" >&2
	cat "$WL_OUT" >&2
	return 1
}

stop_workload() {
	if [ -n "${WL_PID:-}" ]; then kill -9 "$WL_PID" 2>/dev/null || true; fi
	if [ -n "${WL_JOB:-}" ]; then kill -9 "$WL_JOB" 2>/dev/null || true; fi
	wait 2>/dev/null || true
	WL_PID= WL_JOB=
	return 0
}

# No program of ours may stay loaded after pybpftop exits. The kernel frees
# a closed program after an RCU grace period (tracing programs after an RCU
# tasks one, which can take a while), so allow it 3 seconds.
assert_no_bpf_left() {
	local left
	for _ in $(seq 30); do
		left=$(bpftool prog show 2>/dev/null | grep -cE 'name (sample_cpu|snapshot_thre|on_fork|on_exec|fault_user|fault_kernel|sys_enter|sys_exit|malloc_enter|calloc_enter|realloc_enter|alloc_exit|free_enter)' || true)
		[ "$left" = 0 ] && return 0
		sleep 0.1
	done
	echo "BPF programs left attached after exit:" >&2
	bpftool prog show >&2
	return 1
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}
