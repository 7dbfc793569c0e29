# per-interpreter +dbg: tests/run.sh runs this file once for every CPython present, debug builds too.
# pybpftop dump against what the process says about itself from the inside.
load lib/common

setup() {
	need_root
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

# dump_me.py prints its report, then blocks; its helper thread names
# itself, then blocks. A dump taken as soon as the report shows could find
# either still on its way (running, or unnamed): wait until both threads
# sleep, the report written (it comes before the main thread blocks) and
# the helper named.
dump_ready() {
	local stat asleep
	for _ in $(seq 50); do
		asleep=1
		for stat in /proc/"$WL_PID"/task/*/stat; do
			[ "$(sed 's/.*) //' "$stat" | cut -c1)" = S ] || asleep=0
		done
		[ "$asleep" = 1 ] && grep -q '^{' "$WL_OUT" &&
			grep -qx helper /proc/"$WL_PID"/task/*/comm && return 0
		sleep 0.1
	done
	cat "$WL_OUT" >&2
	return 1
}

@test "$PY_LABEL: dump shows the stack traceback.format_stack() printed, with source lines" {
	start_workload dump_me
	dump_ready
	"$PYBPFTOP" dump -p "$WL_PID" >"$BATS_TEST_TMPDIR/dump.txt"
	cat "$BATS_TEST_TMPDIR/dump.txt"
	/usr/bin/python3 "$REPO/tests/lib/dump_check.py" stack "$WL_OUT" "$BATS_TEST_TMPDIR/dump.txt" "$WL_PID"
	# The second thread, blocked in its own function, with its name and state.
	grep -A20 -E '^Thread [0-9]+ \(idle\): "helper"' "$BATS_TEST_TMPDIR/dump.txt" |
		grep -q 'in helper_thread$'
}

@test "$PY_LABEL: dump --json holds the same threads and frames" {
	start_workload dump_me
	dump_ready
	"$PYBPFTOP" dump -p "$WL_PID" --json >"$BATS_TEST_TMPDIR/dump.json"
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/dump.json" "$WL_PID" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
(proc,) = doc["processes"]
assert proc["pid"] == int(sys.argv[2]), proc["pid"]
threads = {t["name"]: t for t in proc["threads"]}
assert "helper" in threads, list(threads)
main = next(t for t in proc["threads"] if t["tid"] == proc["pid"])
names = [f["function"] for f in main["frames"]]
assert names[0] == "<module>" and names[-1] == "wait_here", names
assert names.count("descend") == 4, names
assert main["frames"][-1]["source"].endswith("os.read(fd, 1)  # BLOCK"), main["frames"][-1]
assert main["state"] == "idle" and main["consistent"], main
PY
}

@test "$PY_LABEL: dump --locals prints each local as repr() does" {
	start_workload dump_me
	dump_ready
	"$PYBPFTOP" dump -p "$WL_PID" --locals >"$BATS_TEST_TMPDIR/dump.txt"
	cat "$BATS_TEST_TMPDIR/dump.txt"
	/usr/bin/python3 "$REPO/tests/lib/dump_check.py" locals "$WL_OUT" "$BATS_TEST_TMPDIR/dump.txt" "$WL_PID"
	grep -q "^      captured (cell) = 'in a cell'$" "$BATS_TEST_TMPDIR/dump.txt"
	# The stack is still the one format_stack() printed.
	/usr/bin/python3 "$REPO/tests/lib/dump_check.py" stack "$WL_OUT" "$BATS_TEST_TMPDIR/dump.txt" "$WL_PID"
}

@test "$PY_LABEL: dump and top name the thread that holds the GIL" {
	start_workload idle_mix
	busy=$(grep -l '^busy$' /proc/"$WL_PID"/task/*/comm | cut -d/ -f5)
	[ -n "$busy" ]
	"$PYBPFTOP" dump -p "$WL_PID" >"$BATS_TEST_TMPDIR/dump.txt"
	cat "$BATS_TEST_TMPDIR/dump.txt"
	grep -qE "^Thread $busy \((running|runnable), holding the GIL\): \"busy\"" "$BATS_TEST_TMPDIR/dump.txt"
	[ "$(grep -c 'holding the GIL' "$BATS_TEST_TMPDIR/dump.txt")" -eq 1 ]
	[ "$(grep -cE '^Thread [0-9]+ \(idle\)' "$BATS_TEST_TMPDIR/dump.txt")" -eq 4 ]
	run "$PYBPFTOP" top -p "$WL_PID" --batch -n 1
	echo "$output"
	grep -qE "Threads: 5 \(1 running, 4 idle\) - GIL: held by $busy$" <<<"$output"
}

@test "$PY_LABEL: dumps of threads whose stacks and locals keep changing never crash or lie" {
	start_workload churn
	# Each churner names itself first, through ctypes, whose functions the
	# check below does not expect: wait until all four have done so.
	for _ in $(seq 100); do
		[ "$(cat /proc/"$WL_PID"/task/*/comm 2>/dev/null | grep -c '^churn-')" -eq 4 ] && break
		sleep 0.1
	done
	for i in $(seq 15); do
		"$PYBPFTOP" dump -p "$WL_PID" --locals --json >"$BATS_TEST_TMPDIR/d$i.json"
	done
	/usr/bin/python3 - "$BATS_TEST_TMPDIR"/d*.json <<'PY'
import json, sys
known = {"<module>", "churner", "churn_down", "churn_leaf", "Thread._bootstrap",
         "Thread._bootstrap_inner", "Thread.run", "_bootstrap", "_bootstrap_inner", "run"}
moving = steady = 0
for path in sys.argv[1:]:
    (proc,) = json.load(open(path))["processes"]
    assert len(proc["threads"]) == 4, path
    for t in proc["threads"]:
        names = [f["function"] for f in t["frames"]]
        if not t["consistent"]:
            moving += 1
            continue
        steady += 1
        # A stack shown as consistent holds only the workload's functions,
        # churner at the root of its own part and churn_down under it.
        assert set(names) <= known | {None}, (path, names)
        assert "churner" in names, (path, names)
print("threads marked as moving: %d, consistent: %d" % (moving, steady))
PY
}
