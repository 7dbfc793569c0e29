# `pybpftop top` in batch mode (and `pybpftop -p PID`, its short form).
load lib/common

setup() {
	need_root
	PY_CMD=/usr/bin/python3.11
	PY_WL=$REPO/tests/workloads
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

@test "top --batch -n 2 prints two refreshes with the hot function first" {
	start_workload hot_line
	run "$PYBPFTOP" top -p "$WL_PID" --batch -n 2 -i 1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c "^pybpftop top - pid $WL_PID: .*hot_line.py - Python 3.11" <<<"$output")" -eq 2 ]
	[ "$(grep -cE '^Samples: [0-9]+ taken, 0 lost - Threads: 1$' <<<"$output")" -eq 2 ]
	# The first row under each header is the hot function, with all the time.
	first=$(grep -A1 '%Own' <<<"$output" | grep -v '%Own' | grep -v '^--' | head -n 2)
	[ "$(grep -cE '^ +(9[0-9]|100)\.[0-9]% +100\.0% +[0-9.]+s +[0-9.]+s  hot_line_function \(.*hot_line.py:[0-9]+\)$' <<<"$first")" -eq 2 ]
}

@test "top --lines puts the hot line first" {
	start_workload hot_line
	line=$(grep -n '# HOT' "$REPO/tests/workloads/hot_line.py" | cut -d: -f1)
	run "$PYBPFTOP" -p "$WL_PID" --lines -n 1 -i 2
	echo "$output"
	[ "$status" -eq 0 ]
	grep -A1 '%Own' <<<"$output" | tail -n 1 | grep -q "hot_line_function (.*hot_line.py:$line)$"
}

@test "top reports a bad pid like record does" {
	sh -c 'exit 0' & pid=$!
	wait "$pid"
	run "$PYBPFTOP" top -p "$pid" -n 1
	[ "$status" -ne 0 ]
	[[ "$output" == *"no process with pid $pid: check the pid"* ]]
}

@test "top stops when the target exits" {
	start_workload short_lived 1.5
	run "$PYBPFTOP" top -p "$WL_PID" -i 0.5
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"process $WL_PID exited"* ]]
	grep -q 'busy_until' <<<"$output"
}
