# per-interpreter +dbg: tests/run.sh runs this file once for every CPython present, debug builds too.
# `record -- COMMAND` (run mode) and --subprocesses.
load lib/common

setup() {
	need_root
}

# Run mode starts PY_CMD itself. The chroot's wrapper (tools/sid-run.sh)
# execs its way to the interpreter in the same pid, so run mode follows it
# there; but it must run as root (chroot, mount namespace), so it cannot
# run as another user.
need_unprivileged_interpreter() {
	case "$PY_LABEL" in sid-*) skip "tools/sid-run.sh needs root: the chroot's interpreters cannot run as another user" ;; esac
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

@test "$PY_LABEL: run mode passes the exit status through and samples a 1 s script" {
	run "$PYBPFTOP" record -o "$BATS_TEST_TMPDIR/out.folded" -- $PY_CMD "$PY_WL/short_lived.py" 1
	echo "$output"
	[ "$status" -eq 0 ]
	n=$($FOLDED has "$BATS_TEST_TMPDIR/out.folded" busy_until)
	all=$($FOLDED check "$BATS_TEST_TMPDIR/out.folded")
	echo "busy_until samples: $n of $all"
	# 1 s of CPU at 99 Hz is 99 samples, if nothing else wants the CPU.
	[ "$n" -ge 30 ] && [ $((n * 100)) -ge $((all * 80)) ]
	run "$PYBPFTOP" record -o "$BATS_TEST_TMPDIR/out2.folded" -- $PY_CMD -c 'import sys; sys.exit(7)'
	[ "$status" -eq 7 ]
	run "$PYBPFTOP" record -- $PY_CMD -c 'import os, signal; os.kill(os.getpid(), signal.SIGTERM)'
	[ "$status" -eq 143 ]	# 128 + SIGTERM, as a shell says
	run "$PYBPFTOP" record -- /nonexistent/python
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot run /nonexistent/python: No such file or directory"* ]]
}

@test "$PY_LABEL: under sudo the command runs as the invoking user, not root" {
	need_unprivileged_interpreter
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all sh -c 'test -x "$1"' _ "$PY_CMD" ||
		skip "$PY_CMD cannot be run by uid 65534 (under /root?)"
	# The profile too is the user's: in a directory they may write.
	out=$(mktemp -d /tmp/pybpftop-sudo.XXXXXX)
	chown 65534:65534 "$out"
	run env SUDO_UID=65534 SUDO_GID=65534 "$PYBPFTOP" record -o "$out/out.folded" -- \
		$PY_CMD -c 'import os; print("ids", os.getuid(), os.getgid(), os.getgroups(), os.environ["HOME"])'
	echo "$output"
	owner=$(stat -c %u:%g "$out/out.folded" || true)
	rm -rf "$out"
	[ "$status" -eq 0 ]
	[ "$owner" = 65534:65534 ]
	home=$(getent passwd 65534 | cut -d: -f6)
	grep -qx "ids 65534 65534 \[65534\] $home" <<<"$output" ||
		grep -qx "ids 65534 65534 \[\] $home" <<<"$output"
}

@test "$PY_LABEL: Ctrl-C sent to pybpftop reaches the child and the profile is still written" {
	"$PYBPFTOP" record -v -o "$BATS_TEST_TMPDIR/out.folded" -- $PY_CMD "$PY_WL/short_lived.py" 30 \
		>"$BATS_TEST_TMPDIR/log" 2>&1 &
	rec=$!
	# Once pybpftop follows the child's interpreter (-v says when): before,
	# Ctrl-C could come before its handler, or before any sample.
	wait_line "$BATS_TEST_TMPDIR/log" '^pybpftop: following pid .* after its fork or exec was seen$' "$rec"
	sleep 2
	kill -INT "$rec"
	status=0
	wait "$rec" || status=$?
	cat "$BATS_TEST_TMPDIR/log"
	[ "$status" -eq 130 ]	# the child died of SIGINT (KeyboardInterrupt)
	[ "$($FOLDED has "$BATS_TEST_TMPDIR/out.folded" busy_until)" -ge 20 ]	# 2 s of a busy loop
}

# subprocs.py prints the pids that ran each known function. Each of those
# pids must show it, and no other: a sample of a code object freed before
# the drain, whose address the function's code object took meanwhile, is
# not named after it (the fingerprint the kernel took says it is another).
check_subprocesses() {	# folded-file workload-output
	child=$(sed -n 's/^CHILD_PIDS //p' "$2")
	pool=$(sed -n 's/^POOL_PIDS //p' "$2")
	[ -n "$child" ] && [ -n "$pool" ]
	for f in child_task pool_task; do
		want=$child
		[ $f = pool_task ] && want=$pool
		got=$($FOLDED pid-samples "$1" $f)
		echo "$f: want $want, got $got"
		/usr/bin/python3 - "$want" "$got" <<'PY'
import sys
want = {int(p) for p in sys.argv[1].split()}
got = {int(k): int(v) for k, v in (kv.split("=") for kv in sys.argv[2].split())}
assert want <= set(got), (want, got)
stray = sum(v for k, v in got.items() if k not in want)
assert stray == 0, (want, got)
PY
	done
}

@test "$PY_LABEL: --subprocesses in run mode: a Pool(4)'s workers and exec'd children, each under its pid" {
	"$PYBPFTOP" record -v --subprocesses -o "$BATS_TEST_TMPDIR/out.folded" -- \
		$PY_CMD "$PY_WL/subprocs.py" >"$BATS_TEST_TMPDIR/wl" 2>"$BATS_TEST_TMPDIR/log"
	cat "$BATS_TEST_TMPDIR/wl"
	grep -v '^  ' "$BATS_TEST_TMPDIR/log"
	check_subprocesses "$BATS_TEST_TMPDIR/out.folded" "$BATS_TEST_TMPDIR/wl"
	# Each new process was attached soon after the kernel saw its fork or
	# exec: the median within 100 ms (the goal for every one; CI is noisy).
	sed -n 's/.*, \([0-9.]*\) ms after its fork or exec was seen$/\1/p' "$BATS_TEST_TMPDIR/log" |
		/usr/bin/python3 -c 'import statistics, sys
ms = [float(x) for x in sys.stdin]
print("attach latency ms:", ms)
assert len(ms) >= 7 and statistics.median(ms) < 100, ms'
}

@test "$PY_LABEL: -p --subprocesses takes children started before attach and after" {
	start_workload subprocs
	run "$PYBPFTOP" record -p "$WL_PID" --subprocesses -o "$BATS_TEST_TMPDIR/out.folded"
	echo "$output"
	[ "$status" -eq 0 ]
	wait "$WL_JOB" || true
	cat "$WL_OUT"
	check_subprocesses "$BATS_TEST_TMPDIR/out.folded" "$WL_OUT"
}

@test "$PY_LABEL: -p may repeat: each process under its own root frame" {
	start_workload hot_line
	first=$WL_PID
	$PY_CMD "$PY_WL/cpu_split.py" >"$BATS_TEST_TMPDIR/second.out" 2>&1 &
	second_job=$!
	for _ in $(seq 100); do
		second=$(sed -n 's/^READY \([0-9]*\)$/\1/p' "$BATS_TEST_TMPDIR/second.out")
		[ -n "$second" ] && break
		sleep 0.1
	done
	run "$PYBPFTOP" record -p "$first" -p "$second" -d 2 -o "$BATS_TEST_TMPDIR/out.folded"
	kill -9 "$second" "$second_job" 2>/dev/null || true
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$($FOLDED pids "$BATS_TEST_TMPDIR/out.folded" hot_line_function)" = "$first" ]
	[ "$($FOLDED pids "$BATS_TEST_TMPDIR/out.folded" sixty)" = "$second" ]
}
