# The agent and processes in another mount namespace (the closest thing
# here to a container): Debian sid's interpreters in the chroot, started
# after the agent through tools/sid-run.sh, each found, its files opened
# through its own root, its windows with the right hot function and labels.
load ../lib/common

CHECK="/usr/bin/python3 $REPO/tests/lib/agent_check.py"

setup() {
	need_root
	SID_LIST=$("$REPO/tests/lib/interpreters.sh" sid | grep -v '^-') ||
		skip "no sid chroot (tools/sid-chroot.sh makes it)"
	SPOOL=$BATS_TEST_TMPDIR/spool
	PIDS=()
}

teardown() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	[ -n "${AGENT:-}" ] && kill -9 "$AGENT" 2>/dev/null || true
	# Every job this test started, also one whose pid it never learnt
	# (a workload that failed to say READY): `wait` would hang on it.
	jobs -p | xargs -r kill -9 2>/dev/null || true
	wait 2>/dev/null || true
	assert_no_bpf_left
}

@test "agent: sid's interpreters in their own mount namespace, started after the agent, each profiled with its hot function and labels" {
	local label cmd wl
	AGENT_LOG=$BATS_TEST_TMPDIR/agent.log
	"$PYBPFTOP" agent --spool "$SPOOL" --window 2 --rate 99 >"$AGENT_LOG" 2>&1 &
	AGENT=$!
	wait_line "$AGENT_LOG" 'msg=.*started' "$AGENT"
	declare -A func version
	while IFS=$'\t' read -r label cmd wl; do
		[[ "$label" == *d ]] && continue	# the debug builds: make test-sid's e2e runs cover them
		name=burn_${label//[^a-z0-9]/_}
		WL_OUT=$BATS_TEST_TMPDIR/$name.out
		# shellcheck disable=SC2086 # cmd is a command with arguments
		$cmd "$wl/agent_burn.py" "$name" >"$WL_OUT" 2>&1 &
		WL_JOB=$!
		wait_ready "$name"
		PIDS+=("$WL_PID")
		func[$WL_PID]=$name
		# shellcheck disable=SC2086
		version[$WL_PID]=$($cmd -c 'import sys; print(sys.version.split()[0] + ("t" if not getattr(sys, "_is_gil_enabled", lambda: True)() else ""))')
	done <<<"$SID_LIST"
	sleep 5
	kill -TERM "$AGENT"
	wait "$AGENT"
	AGENT=
	for pid in "${!func[@]}"; do
		echo "== pid $pid: ${func[$pid]}, Python ${version[$pid]}"
		$CHECK process "$SPOOL" "$pid" "${func[$pid]}" python_version="${version[$pid]}"
	done
}
