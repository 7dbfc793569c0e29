# The agent over a long life: processes come and go by the thousand, and
# the ones after the 1024th are profiled like the first. (The CPU sampler
# once counted every target in and none out, and refused every process
# after the 1024th it had seen: bench/soak.sh found it at minute 12.)
load lib/common

setup() {
	need_root
	AGENT=
}

teardown() {
	[ -n "$AGENT" ] && kill -9 "$AGENT" 2>/dev/null || true
	wait 2>/dev/null || true
	assert_no_bpf_left
}

@test "agent: 1100 short-lived Pythons, 40 at a time, the last ones profiled too, none refused" {
	local log=$BATS_TEST_TMPDIR/agent.log pids=() i n late
	"$PYBPFTOP" agent --no-spool --window 5 -v >"$log" 2>&1 &
	AGENT=$!
	wait_line "$log" 'msg=.*started' "$AGENT"
	# Each sleeps 0.4 s: long enough to be found (within 1 s of its
	# exec is the agent's promise), short enough for 1100 in ~25 s.
	for i in $(seq 1100); do
		/usr/bin/python3.11 -S -c 'import time; time.sleep(0.4)' &
		pids+=("$!")
		echo "$!" >>"$BATS_TEST_TMPDIR/pids"
		if [ $((i % 40)) = 0 ]; then
			wait "${pids[@]}"
			pids=()
		fi
	done
	wait "${pids[@]}"
	sleep 0.5
	kill -TERM "$AGENT"
	wait "$AGENT"
	AGENT=
	! grep 'too many processes' "$log"
	# Which of ours were profiled: all but a few that a loaded machine
	# keeps from their interpreter for 0.4 s; the last 100 come after
	# the 1024th whatever else ran on the host.
	sed -n 's/.*msg="\{0,1\}profiling"\{0,1\} pid="\{0,1\}\([0-9]*\).*/\1/p' "$log" | sort -u >"$BATS_TEST_TMPDIR/profiled"
	n=$(sort -u "$BATS_TEST_TMPDIR/pids" | comm -12 - "$BATS_TEST_TMPDIR/profiled" | wc -l)
	late=$(tail -n 100 "$BATS_TEST_TMPDIR/pids" | sort -u | comm -12 - "$BATS_TEST_TMPDIR/profiled" | wc -l)
	echo "profiled: $n of 1100, $late of the last 100"
	[ "$n" -ge 1050 ]
	[ "$late" -ge 95 ]
}
