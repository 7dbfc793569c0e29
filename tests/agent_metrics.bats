# The agent's /metrics and log, live: the page a running agent serves
# passes promtool, counts what it profiles, and names it as the log does.
# Run it under the live lock: flock /tmp/pybpftop-live.lock tests/run.sh tests/agent_metrics.bats
load lib/common

setup() {
	need_root
	command -v promtool >/dev/null || skip "promtool absent (Debian package prometheus)"
	WL=$(mktemp -d /tmp/pybpftop-metrics-wl.XXXXXX)
	cp "$REPO"/tests/workloads/{agent_burn,_common}.py "$WL"/
	# The script's name is the service's.
	mv "$WL/agent_burn.py" "$WL/billing-api.py"
}

teardown() {
	[ -n "${AGENT:-}" ] && kill -9 "$AGENT" 2>/dev/null || true
	for p in ${PIDS[@]+"${PIDS[@]}"}; do kill -9 "$p" 2>/dev/null || true; done
	stop_workload
	# The test's cgroups, once their processes are reaped: leaves first.
	for d in ${CGROUPS[@]+"${CGROUPS[@]}"}; do rmdir "$d" 2>/dev/null || true; done
	rm -rf "$WL"
	assert_no_bpf_left
}

# burn NAME CGROUP: the workload burning in function NAME, moved into the
# cgroup directory CGROUP (made here); its pid in BURN_PID.
burn() {
	WL_OUT=$BATS_TEST_TMPDIR/$1.out
	/usr/bin/python3.11 "$WL/billing-api.py" "$1" >"$WL_OUT" 2>&1 &
	WL_JOB=$!
	wait_ready "$1"
	BURN_PID=$WL_PID
	PIDS+=("$WL_PID")
	mkdir -p "$2"
	CGROUPS=("$2" "$(dirname "$2")" ${CGROUPS[@]+"${CGROUPS[@]}"})
	echo "$BURN_PID" >"$2/cgroup.procs"
	grep -q "$(basename "$2")" "/proc/$BURN_PID/cgroup"
}

# scrape: the page into $PAGE, its headers into $HDR; 0 if it answered 200.
scrape() {
	PAGE=$BATS_TEST_TMPDIR/page HDR=$BATS_TEST_TMPDIR/headers
	[ "$(curl -s -m 5 -D "$HDR" -o "$PAGE" -w '%{http_code}' "http://127.0.0.1:$PORT/metrics")" = 200 ]
}

value() {	# value METRIC: its sample's value on $PAGE
	awk -v m="$1" '$1 == m { print $2 }' "$PAGE"
}

@test "agent /metrics live: promtool finds nothing; samples, processes, windows and RSS counted; 404, 405; the log names the service" {
	PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	WL_OUT=$BATS_TEST_TMPDIR/burn.out
	/usr/bin/python3.11 "$WL/billing-api.py" hot_billing >"$WL_OUT" 2>&1 &
	WL_JOB=$!
	wait_ready billing-api
	LOG=$BATS_TEST_TMPDIR/agent.log
	mkdir -p "$BATS_TEST_TMPDIR/spool"
	"$PYBPFTOP" agent --spool "$BATS_TEST_TMPDIR/spool" --window 2 --rate 99 --metrics "127.0.0.1:$PORT" >"$LOG" 2>&1 &
	AGENT=$!
	wait_line "$LOG" 'msg=started' "$AGENT"
	wait_line "$LOG" "msg=profiling pid=$WL_PID .*service=billing-api " "$AGENT"
	# Until a window is written (2 s windows) and the processes gauge set:
	# the agent sets it once all of a window's files are written, which
	# takes a while on a host with many Python processes.
	for _ in $(seq 100); do
		scrape && [ "$(value pybpftop_agent_windows_written_total)" -ge 1 ] 2>/dev/null &&
			[ "$(value pybpftop_agent_processes)" -ge 1 ] 2>/dev/null && break
		sleep 0.1
	done
	cat "$PAGE"
	grep -qi '^content-type: text/plain; version=0.0.4' "$HDR"
	run promtool check metrics < "$PAGE"
	echo "promtool: $output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(value pybpftop_agent_samples_total)" -gt 0 ]
	echo "pybpftop_agent_processes: $(value pybpftop_agent_processes) while pid $WL_PID is profiled"
	[ "$(value pybpftop_agent_processes)" -ge 1 ]
	[ "$(value pybpftop_agent_processes_seen_total)" -ge 1 ]
	[ "$(value pybpftop_agent_windows_written_total)" -ge 1 ]
	[ "$(value pybpftop_agent_bpf_map_bytes)" -gt 0 ]
	rss=$(value process_resident_memory_bytes)
	[ "$rss" -gt 1000000 ] && [ "$rss" -lt 1000000000 ]
	[ "$(value 'pybpftop_agent_errors_total{kind="attach"}')" = 0 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = 404 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "http://127.0.0.1:$PORT/metrics")" = 405 ]
	# The log: logfmt lines only, each starting with ts= and level=.
	kill -TERM "$AGENT"
	wait "$AGENT"
	AGENT=
	bad=$(grep -v '^ts=[0-9T:.-]*Z level=\(debug\|info\|warn\|error\) msg=' "$LOG" || true)
	echo "lines that are not logfmt: $bad"
	[ -z "$bad" ]
}

@test "agent --metrics refuses an address that is not loopback, naming the fix" {
	run "$PYBPFTOP" agent --no-spool --metrics 0.0.0.0:9464 -d 1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"not a loopback address"*"127.0.0.1:9464"* ]]
}

@test "agent service_name from real cgroups: a systemd template unit's name; a docker scope's id, and the container_id label" {
	# cgroup v2's tree; or, on a v1 host, systemd's named tree for the
	# unit and the pids controller's for the container.
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		units=/sys/fs/cgroup ctrs=/sys/fs/cgroup
	elif [ -d /sys/fs/cgroup/systemd ] && [ -d /sys/fs/cgroup/pids ]; then
		units=/sys/fs/cgroup/systemd ctrs=/sys/fs/cgroup/pids
	else
		skip "no cgroup tree to make the test's groups in"
	fi
	id=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	[ ${#id} = 64 ]
	CGROUPS=() PIDS=()
	burn web_hot "$units/pybpftop-test-$$.slice/web-test@1.service"
	web=$BURN_PID
	burn ctr_hot "$ctrs/pybpftop-test-$$-ctr.slice/docker-$id.scope"
	ctr=$BURN_PID
	cat /proc/$web/cgroup /proc/$ctr/cgroup
	SPOOL=$BATS_TEST_TMPDIR/spool
	mkdir -p "$SPOOL"
	LOG=$BATS_TEST_TMPDIR/agent.log
	"$PYBPFTOP" agent --spool "$SPOOL" --window 2 --rate 99 >"$LOG" 2>&1 &
	AGENT=$!
	wait_line "$LOG" "msg=profiling pid=$web .*service=web-test " "$AGENT"
	wait_line "$LOG" "msg=profiling pid=$ctr .*service=${id:0:12} " "$AGENT"
	sleep 5		# two windows of each
	kill -TERM "$AGENT"
	wait "$AGENT"
	AGENT=
	/usr/bin/python3 "$REPO/tests/lib/agent_check.py" process "$SPOOL" "$web" web_hot service_name=web-test
	/usr/bin/python3 "$REPO/tests/lib/agent_check.py" process "$SPOOL" "$ctr" ctr_hot \
		service_name="${id:0:12}" container_id="$id"
	# The unit's process is in no container: it has no container_id.
	! /usr/bin/python3 "$REPO/tests/lib/agent_check.py" process "$SPOOL" "$web" web_hot container_id="$id"
}
