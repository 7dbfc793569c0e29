# `pybpftop top` in batch mode (and `pybpftop -p PID`, its short form).
load lib/common

setup() {
	need_root
	PY_CMD=/usr/bin/python3.11
	PY_WL=$REPO/tests/workloads
}

teardown() {
	stop_screen
	stop_workload
	assert_no_bpf_left
}

@test "top --batch -n 2 prints two refreshes with the hot function first" {
	start_workload hot_line
	run "$PYBPFTOP" top -p "$WL_PID" --batch -n 2 -i 1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c "^pybpftop top - pid $WL_PID: .*hot_line.py - Python 3.11" <<<"$output")" -eq 2 ]
	[ "$(grep -cE '^Samples: [0-9]+ taken, 0 lost - Threads: 1 \(1 running, 0 idle\) - GIL: ' <<<"$output")" -eq 2 ]
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
	# Its 1.5 s start at top's first refresh: before, they could be over.
	start_workload short_lived 1.5 --after-usr1
	"$PYBPFTOP" top -p "$WL_PID" -i 0.5 >"$BATS_TEST_TMPDIR/out" 2>&1 &
	top=$!
	wait_line "$BATS_TEST_TMPDIR/out" '^pybpftop top - pid' "$top"
	kill -USR1 "$WL_PID"
	status=0
	wait "$top" || status=$?
	cat "$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 0 ]
	grep -q "process $WL_PID exited" "$BATS_TEST_TMPDIR/out"
	grep -q 'busy_until' "$BATS_TEST_TMPDIR/out"
}

# The full-screen view, driven under tmux (CI has no terminal of its own),
# on a tmux server of the test's own (-L): a server that someone else
# started would give pybpftop its environment, without this test's tag.
tm() { tmux -L "$TMUX_SESSION" "$@"; }
screen() { tm capture-pane -p -t "$TMUX_SESSION"; }
screen_line() { screen | sed -n "${1}p"; }
wait_screen() {	# regex: wait up to 5 s for the screen to match
	for _ in $(seq 50); do
		screen | grep -qE "$1" && return 0
		sleep 0.1
	done
	echo "screen never matched $1:" >&2
	screen >&2
	return 1
}
start_screen() {
	command -v tmux >/dev/null || skip "tmux missing"
	TMUX_SESSION=pybpftop-test-$$
	tm new-session -d -s "$TMUX_SESSION" -x 120 -y 30 "$PYBPFTOP -p $WL_PID -i 0.5"
}
stop_screen() {
	if [ -n "${TMUX_SESSION:-}" ]; then
		tm kill-server 2>/dev/null || true
	fi
}

@test "full screen: the hot function first, sort keys, line rows, q quits" {
	start_workload cpu_split
	start_screen
	wait_screen '^ +[0-9.]+% .*  sixty \('
	# Row 5 is the first of the table.
	screen_line 5 | grep -E '  sixty \(' || { screen; false; }
	tm send-keys -t "$TMUX_SESSION" 2
	wait_screen 'sort: %Total'
	screen_line 5 | grep -E '  (main|<module>) \(' || { screen; false; }
	tm send-keys -t "$TMUX_SESSION" 1
	wait_screen 'sort: %Own'
	tm send-keys -t "$TMUX_SESSION" l
	wait_screen 'TotalTime  Line'
	screen_line 5 | grep -E '  sixty \(.*cpu_split.py:(7|8)\)' || { screen; false; }
	tm send-keys -t "$TMUX_SESSION" q
	for _ in $(seq 30); do
		tm has-session -t "$TMUX_SESSION" 2>/dev/null || break
		sleep 0.1
	done
	run tm has-session -t "$TMUX_SESSION"
	[ "$status" -ne 0 ]	# q ended pybpftop, and so the tmux session
	stop_screen
}

@test "full screen: t cycles the thread filter through every thread and back" {
	start_workload threads 2
	start_screen
	wait_screen '  work_01 \('
	wait_screen '  work_00 \('
	# Threads come in tid order; the main thread, if it was sampled, first.
	for _ in 1 2 3; do
		tm send-keys -t "$TMUX_SESSION" t
		sleep 0.3
		screen | grep -q 'showing worker-00 (' && break
	done
	wait_screen 'showing worker-00 \('
	sleep 0.6
	screen | grep -q '  work_00 (' && ! screen | grep -q '  work_01 (' || { screen; false; }
	tm send-keys -t "$TMUX_SESSION" t
	wait_screen 'showing worker-01 \('
	sleep 0.6
	screen | grep -q '  work_01 (' && ! screen | grep -q '  work_00 (' || { screen; false; }
	# The main thread may have been sampled too (it wakes every 0.1 s):
	# keep pressing until the filter comes back to all threads.
	for _ in 1 2 3; do
		tm send-keys -t "$TMUX_SESSION" t
		sleep 0.6
		screen | grep -q 'showing' || break
	done
	[ "$(screen | grep -c 'showing')" -eq 0 ]
	screen | grep -q '  work_00 (' && screen | grep -q '  work_01 ('
	stop_screen
}

@test "full screen: p pauses the display, r resets the counts" {
	start_workload hot_line
	start_screen
	wait_screen 'hot_line_function'
	tm send-keys -t "$TMUX_SESSION" p
	wait_screen 'PAUSED'
	a=$(screen_line 1)
	sleep 1.2
	[ "$(screen_line 1)" = "$a" ]
	tm send-keys -t "$TMUX_SESSION" p r
	sleep 0.3
	wait_screen '^Samples: [0-9]{1,2} taken'
	stop_screen
}

@test "top --idle: threads that sleep, wait on a lock or a pipe get their wall-clock share" {
	start_workload idle_mix
	run "$PYBPFTOP" top -p "$WL_PID" --batch -n 2 -i 1.5 --idle -r 199
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qE '^pybpftop top - pid [0-9]+: .* 199 Hz wall-clock' <<<"$output"
	# Four of five threads sleep all along; one burns CPU.
	grep -qE '^Samples: [0-9]+ taken \((19|20|21)% on CPU, (79|80|81)% off\), 0 lost - Threads: 5 \(1 running, 4 idle\)' <<<"$output"
	last=$(awk '/^pybpftop top/{n++} n==2' <<<"$output")
	for f in burn main_waits sleeper lock_waiter pipe_reader; do
		row=$(grep -E "^ +[0-9.]+% +[0-9.]+% .*  $f \(" <<<"$last")
		pct=$(awk '{print $2}' <<<"$row" | tr -d %)
		echo "$f: $pct% total"
		/usr/bin/python3 -c "import sys; assert abs(float(sys.argv[1]) - 20) <= 5" "$pct"
	done
}

@test "full screen: follows a terminal resize" {
	start_workload cpu_split
	start_screen
	# The footer is there from the start, the rows only from the first
	# refresh: resize once they are, so that the redraw has them to fit.
	wait_screen '^ +[0-9.]+% .*  (sixty|thirty|ten) \('
	[ "$(screen | wc -l)" -eq 30 ]
	screen_line 30 | grep -q 'q quit'
	tm resize-window -t "$TMUX_SESSION" -x 70 -y 15
	# Until pybpftop redraws, tmux shows the old screen's last 15 lines,
	# which end with the footer too: wait for the header on top as well,
	# and the rows under it.
	for _ in $(seq 30); do
		screen_line 1 | grep -q '^pybpftop top - pid' && screen_line 15 | grep -q '^sort: ' &&
			[ "$(screen | grep -c '%')" -ge 3 ] && break
		sleep 0.1
	done
	screen
	[ "$(screen | wc -l)" -eq 15 ]
	screen_line 1 | grep -q '^pybpftop top - pid'
	screen_line 15 | grep -q '^sort: '
	# The table shrank to fit: nothing but blank lines between it and the footer.
	[ "$(screen | grep -c '%')" -ge 3 ]
	[ "$(screen | awk 'length > 70' | wc -l)" -eq 0 ]
	stop_screen
}
