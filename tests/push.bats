# The agent's push and spool (user/agent/push.c, spool.c, pyroscope.c,
# otlp.c), through build/push_driver's synthetic windows and a loopback
# receiver (tests/lib/push_receiver.py) that records every request and
# fails as scripted. No Pyroscope or OTel Collector can be installed here:
# the envelopes are decoded by protoc against tests/push/*.proto, written
# from the published field numbers, and the pprof inside by go tool pprof.
# No root, no BPF.
load lib/common

DRIVER=$REPO/build/push_driver
RECEIVER="/usr/bin/python3 $REPO/tests/lib/push_receiver.py"
PROTO_DIR=$REPO/tests/push

setup() {
	[ -x "$DRIVER" ] || skip "build/push_driver missing: run 'make unit'"
	command -v protoc >/dev/null || skip "protoc missing: run 'tools/install-deps.sh test' (protobuf-compiler)"
	RX=$BATS_TEST_TMPDIR/rx
	mkdir -p "$RX"
	RX_PID=
	export HOME=$BATS_TEST_TMPDIR GOCACHE=$BATS_TEST_TMPDIR/gocache
}

teardown() {
	stop_receiver
	stop_workload
}

# Before stop_workload, whose `wait` would wait for the receiver too.
stop_receiver() {
	[ -z "$RX_PID" ] || kill "$RX_PID" 2>/dev/null || true
	[ -z "$RX_PID" ] || wait "$RX_PID" 2>/dev/null || true
	RX_PID=
}

# start_receiver ACTION...: the receiver, scripted; sets URL.
start_receiver() {
	$RECEIVER "$RX" "$BATS_TEST_TMPDIR/port" "$@" 3>&- &
	RX_PID=$!
	for _ in $(seq 100); do
		[ -s "$BATS_TEST_TMPDIR/port" ] && break
		sleep 0.05
	done
	URL=http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/port")
}

# drive ARGS...: the driver; its "name value" lines in $output.
drive() {
	run "$DRIVER" "$@"
	echo "$output"
	[ "$status" -eq 0 ]
}

counter() {	# NAME: its value in the driver's output
	awk -v k="$1" '$1 == k { print $2; found = 1 } END { exit !found }' <<<"$output"
}

# Every window submitted is pushed, spooled, dropped for a reason, or
# still queued: nothing lost without a counter.
check_invariant() {
	local sum=0 k
	for k in windows_pushed spool_fallback dropped_queue_full dropped_rejected dropped_too_old \
		dropped_shutdown dropped_spool_failed queue_windows; do
		sum=$((sum + $(counter $k)))
	done
	echo "submitted $(counter windows_submitted), accounted $sum"
	[ "$sum" -eq "$(counter windows_submitted)" ]
	[ "$(counter queue_windows)" -eq 0 ]
	[ "$(counter queue_bytes)" -eq 0 ]
}

requests() {	# how many the receiver saw
	ls "$RX" | grep -c '\.json$' || true
}

req() {	# N EXPR: a field of request N's record (python expression on r)
	/usr/bin/python3 -c "import json,sys; r=json.load(open('$RX/$1.json')); print($2)"
}

gap() {	# N M: seconds between requests N and M
	/usr/bin/python3 -c "import json; t=lambda n: json.load(open('$RX/%d.json' % n))['time']; print('%.3f' % (t($2) - t($1)))"
}

ge() { /usr/bin/python3 -c "import sys; sys.exit(not float(sys.argv[1]) >= float(sys.argv[2]))" "$@"; }

decode_push() {	# N: request N's body as protoc prints a push.v1.PushRequest
	protoc --decode=push.v1.PushRequest -I "$PROTO_DIR" "$PROTO_DIR/pyroscope_push.proto" <"$RX/$1.body"
}

seq_of() {	# N: the seq label of request N
	decode_push "$1" | awk '/name: "seq"/ { getline; gsub(/[^0-9]/, ""); print }'
}

@test "pyroscope: POST /push.v1.PusherService/Push, every label sorted, basic auth and X-Scope-OrgID, the pprof inside read by go tool pprof" {
	command -v go >/dev/null || skip "go missing (golang-go)"
	start_receiver
	drive --url "$URL/" --windows 1 --user alice --password 's3cret' --org tenant-7 --label env=prod
	check_invariant
	[ "$(counter windows_pushed)" -eq 1 ]
	[ "$(requests)" -eq 1 ]
	[ "$(req 1 "r['path']")" = /push.v1.PusherService/Push ]
	[ "$(req 1 "r['method']")" = POST ]
	[ "$(req 1 "r['headers']['content-type']")" = application/proto ]
	[ "$(req 1 "r['headers']['x-scope-orgid']")" = tenant-7 ]
	[ "$(req 1 "r['headers']['authorization']")" = "Basic $(printf 'alice:s3cret' | base64)" ]

	decode_push 1 >"$BATS_TEST_TMPDIR/envelope"
	grep -v raw_profile "$BATS_TEST_TMPDIR/envelope"
	# Names and values, in sorted order, each once.
	run awk '/name:/ { n = $2 } /value:/ { print n "=" $2 }' "$BATS_TEST_TMPDIR/envelope"
	echo "$output"
	[ "$output" = '"__name__"="process_cpu"
"env"="prod"
"host"="testhost"
"pid"="4242"
"python_version"="3.11.2"
"seq"="1"
"service_name"="checkout"' ]
	grep -Eq 'ID: "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"' "$BATS_TEST_TMPDIR/envelope"

	/usr/bin/python3 "$PROTO_DIR/raw_profile.py" "$RX/1.body" "$BATS_TEST_TMPDIR/raw.pb.gz"
	gzip -t "$BATS_TEST_TMPDIR/raw.pb.gz"
	run go tool pprof -raw "$BATS_TEST_TMPDIR/raw.pb.gz"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'PeriodType: cpu nanoseconds' <<<"$output"
	grep -q 'Comment: label service_name=checkout' <<<"$output"
	grep -q 'Comment: label env=prod' <<<"$output"
	# The samples: counts and cpu nanoseconds at 100 Hz, with their
	# thread labels (strings, as Pyroscope takes them).
	grep -A1 -E '^ +30 +300000000: ' <<<"$output" | grep -q 'thread_id:\[4242\] thread_name:\[MainThread\]'
	grep -A1 -E '^ +10 +100000000: ' <<<"$output" | grep -q 'thread_id:\[4242\] thread_name:\[MainThread\]'
	grep -A1 -E '^ +5 +50000000: ' <<<"$output" | grep -q 'thread_id:\[4243\] thread_name:\[worker-1\]'
	run go tool pprof -top -nodecount=1 "$BATS_TEST_TMPDIR/raw.pb.gz"
	echo "$output"
	grep -E '^ +300ms' <<<"$output" | grep -q hot_loop
}

@test "pyroscope: a bearer token (Authorization: Bearer), in place of basic auth" {
	start_receiver
	drive --url "$URL" --bearer 'tok.en-123' --user ignored --password x --org t2
	check_invariant
	[ "$(req 1 "r['headers']['authorization']")" = "Bearer tok.en-123" ]
	[ "$(req 1 "r['headers']['x-scope-orgid']")" = t2 ]
}

@test "push: 503 then 200 is retried after a backoff of 0.5-1x the base (jittered), counted" {
	start_receiver 503 503 200
	drive --url "$URL" --backoff 0.5
	check_invariant
	[ "$(counter windows_pushed)" -eq 1 ]
	[ "$(counter push_retries)" -eq 2 ]
	[ "$(counter err_push)" -eq 2 ]
	[ "$(requests)" -eq 3 ]
	# The first retry after 0.25-0.5 s, the second after 0.5-1 s.
	g1=$(gap 1 2) g2=$(gap 2 3)
	echo "gaps $g1 $g2"
	ge "$g1" 0.24 && ! ge "$g1" 0.75
	ge "$g2" 0.49 && ! ge "$g2" 1.25
	# The same window each time.
	cmp "$RX/1.body" "$RX/3.body" || [ "$(seq_of 1)" = "$(seq_of 3)" ]
}

@test "push: 429 with Retry-After: 2 waits 2 s (not the 0.1 s backoff); an HTTP-date too" {
	start_receiver 429:2 200 429:date:2 200
	drive --url "$URL" --backoff 0.1 --windows 2 --deadline 8
	check_invariant
	[ "$(counter windows_pushed)" -eq 2 ]
	[ "$(counter push_retries)" -eq 2 ]
	g=$(gap 1 2)
	echo "seconds gap $g"
	ge "$g" 2.0 && ! ge "$g" 3.0
	# An HTTP-date has whole seconds: at least 1 s left of the 2.
	g=$(gap 3 4)
	echo "date gap $g"
	ge "$g" 1.0 && ! ge "$g" 3.0
	[ "$(seq_of 1)" = 1 ] && [ "$(seq_of 2)" = 1 ] && [ "$(seq_of 4)" = 2 ]
}

@test "push: 400 is dropped at once, counted, not retried, not spooled" {
	start_receiver 400 200
	drive --url "$URL" --windows 2 --backoff 0.1 --spool "$BATS_TEST_TMPDIR/spool"
	check_invariant
	[ "$(counter dropped_rejected)" -eq 1 ]
	[ "$(counter windows_pushed)" -eq 1 ]
	[ "$(counter push_retries)" -eq 0 ]
	[ "$(counter spool_fallback)" -eq 0 ]
	[ "$(requests)" -eq 2 ]
	[ "$(seq_of 2)" = 2 ]
}

@test "push: a hung server times out and the window is retried; a connection closed unanswered too" {
	start_receiver hang:20 close 200
	drive --url "$URL" --timeout 1 --backoff 0.1
	check_invariant
	[ "$(counter windows_pushed)" -eq 1 ]
	[ "$(counter push_retries)" -eq 2 ]
	[ "$(requests)" -eq 3 ]
	g=$(gap 1 2)
	echo "timeout gap $g"
	ge "$g" 1.0 && ! ge "$g" 2.0
}

@test "push: at close, a hung server does not hold the deadline: what is left goes to the spool" {
	start_receiver hang:30 hang:30 hang:30
	drive --url "$URL" --windows 3 --deadline 1.5 --spool "$BATS_TEST_TMPDIR/spool"
	check_invariant
	ge 2.0 "$(counter close_seconds)"
	[ "$(counter windows_pushed)" -eq 0 ]
	[ "$(counter spool_fallback)" -eq 3 ]
	[ "$(counter windows_written)" -eq 3 ]
	[ "$(ls "$BATS_TEST_TMPDIR/spool" | grep -c '^[0-9]*-4242-[0-9]*-process_cpu\.pb\.gz$')" -eq 3 ]
}

@test "push: windows the agent spooled already are not written again by the fallback at close" {
	start_receiver hang:30 hang:30 hang:30
	drive --url "$URL" --windows 3 --deadline 1 --spool "$BATS_TEST_TMPDIR/spool" --also-spool
	check_invariant
	[ "$(counter spool_fallback)" -eq 3 ]
	[ "$(counter windows_written)" -eq 3 ]
	[ "$(counter spool_files)" -eq 3 ]
	ge 1.5 "$(counter close_seconds)"
}

@test "push: close's deadline honoured (< 5 s) with nothing to spool to: counted dropped at shutdown" {
	start_receiver hang:30
	drive --url "$URL" --windows 4 --deadline 3
	check_invariant
	ge 3.5 "$(counter close_seconds)"
	ge "$(counter close_seconds)" 2.9
	[ "$(counter dropped_shutdown)" -eq 4 ]
}

@test "push: connection refused goes to the spool after --attempts, each file a whole pprof" {
	command -v go >/dev/null || skip "go missing (golang-go)"
	# A port nobody listens on: bind one, then free it.
	port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	drive --url "http://127.0.0.1:$port" --windows 2 --attempts 2 --backoff 0.1 --spool "$BATS_TEST_TMPDIR/spool"
	check_invariant
	[ "$(counter spool_fallback)" -eq 2 ]
	[ "$(counter err_push)" -eq 4 ]
	[ "$(counter push_retries)" -eq 2 ]
	ge 1 "$(counter close_seconds)"
	for f in "$BATS_TEST_TMPDIR"/spool/*.pb.gz; do
		run go tool pprof -raw "$f"
		[ "$status" -eq 0 ]
		grep -q 'Comment: label service_name=checkout' <<<"$output"
		grep -q 'thread_name:\[worker-1\]' <<<"$output"
	done
}

@test "push: the queue is bounded in bytes, the oldest dropped first and counted" {
	start_receiver
	# The size of one window in the queue, then room for three.
	drive --url "$URL" --windows 1
	size=$(counter first_window_bytes)
	kill "$RX_PID"
	rm -f "$RX"/* "$BATS_TEST_TMPDIR/port"
	start_receiver hang:2
	# Window 1 is in flight (the server holds it 2 s) while 2-10 come, in
	# 0.9 s: only the newest three fit.
	drive --url "$URL" --windows 10 --interval 0.1 --queue-max $((size * 7 / 2)) --timeout 5
	check_invariant
	[ "$(counter dropped_queue_full)" -eq 6 ]
	[ "$(counter windows_pushed)" -eq 4 ]
	run bash -c "for n in 1 2 3 4; do $(declare -f seq_of decode_push); RX=$RX PROTO_DIR=$PROTO_DIR seq_of \$n; done | tr '\n' ' '"
	echo "received: $output"
	[ "$output" = "1 8 9 10 " ]
}

@test "push: a window older than an hour is not sent: to the spool, or counted too old" {
	start_receiver
	drive --url "$URL" --windows 2 --age 3700
	check_invariant
	[ "$(counter dropped_too_old)" -eq 2 ]
	[ "$(requests)" -eq 0 ]
	drive --url "$URL" --windows 2 --age 3700 --spool "$BATS_TEST_TMPDIR/spool"
	check_invariant
	[ "$(counter spool_fallback)" -eq 2 ]
	[ "$(counter dropped_too_old)" -eq 0 ]
	[ "$(requests)" -eq 0 ]
}

@test "otlp: POST /v1development/profiles, functions, stacks, values and attributes decoded by protoc" {
	start_receiver
	drive --url "$URL" --format otlp --label env=prod
	check_invariant
	[ "$(req 1 "r['path']")" = /v1development/profiles ]
	[ "$(req 1 "r['headers']['content-type']")" = application/x-protobuf ]
	protoc --decode=otlp.ExportProfilesServiceRequest -I "$PROTO_DIR" "$PROTO_DIR/otlp_profiles.proto" \
		<"$RX/1.body" >"$BATS_TEST_TMPDIR/otlp.txt"
	# Resolve the indices with an independent reading of protoc's text.
	run /usr/bin/python3 "$PROTO_DIR/otlp_check.py" "$BATS_TEST_TMPDIR/otlp.txt"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 'resource env=prod
resource host.name=testhost
resource process.pid=4242
resource process.runtime.name=CPython
resource process.runtime.version=3.11.2
resource seq=1
resource service.name=checkout
sample main;idle_wait 50000000 thread.id=4243 thread.name=worker-1
sample main;work 100000000 thread.id=4242 thread.name=MainThread
sample main;work;hot_loop 300000000 thread.id=4242 thread.name=MainThread
type cpu/nanoseconds period 10000000' ]
	grep -q 'name: "pybpftop"' "$BATS_TEST_TMPDIR/otlp.txt"
}

@test "spool: rotated by total size, the oldest first, and the index matches the directory" {
	drive --spool "$BATS_TEST_TMPDIR/spool" --windows 1
	one=$(counter spool_bytes)
	[ "$one" -gt 0 ]
	rm -rf "$BATS_TEST_TMPDIR/spool"
	# Room for three windows and a half: of ten, the last three stay.
	drive --spool "$BATS_TEST_TMPDIR/spool" --windows 10 --interval 0.002 --spool-max $((one * 7 / 2))
	[ "$(counter windows_written)" -eq 10 ]
	[ "$(counter spool_rotated)" -eq 7 ]
	[ "$(counter spool_files)" -eq 3 ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/spool")" = 700 ]
	total=$(cat "$BATS_TEST_TMPDIR"/spool/*.pb.gz | wc -c)
	[ "$total" -eq "$(counter spool_bytes)" ]
	[ "$total" -le $((one * 7 / 2)) ]
	# The three newest: start_ticks 777 + i, i = 8, 9, 10.
	run bash -c "ls '$BATS_TEST_TMPDIR/spool' | sed 's/^[0-9]*-4242-\([0-9]*\)-.*/\1/' | sort -n | tr '\n' ' '"
	[ "$output" = "785 786 787 " ]
}

@test "spool: old files (by the time in their names) go at open; foreign files and planted links are left alone" {
	spool=$BATS_TEST_TMPDIR/spool
	mkdir -m 700 "$spool"
	now_ms=$(($(date +%s) * 1000))
	old=$((now_ms - 8 * 86400 * 1000)) recent=$((now_ms - 3600 * 1000))
	echo old >"$spool/$old-100-5-process_cpu.pb.gz"
	echo recent >"$spool/$recent-100-6-process_cpu.pb.gz"
	# Not ours: other names, a directory, and a link with our kind of name
	# to a file that must survive.
	echo mine >"$spool/README"
	echo mine >"$spool/$old-100-5-process_cpu.pb.gz.bak"
	echo mine >"$spool/0x$old-100-5-process_cpu.pb.gz"
	mkdir "$spool/$old-101-5-process_cpu.pb.gz"
	echo victim >"$BATS_TEST_TMPDIR/victim"
	ln -s "$BATS_TEST_TMPDIR/victim" "$spool/$old-102-5-process_cpu.pb.gz"
	drive --spool "$spool" --windows 2 --retention 604800
	[ "$(counter spool_rotated)" -eq 1 ]
	[ ! -e "$spool/$old-100-5-process_cpu.pb.gz" ]
	[ -e "$spool/$recent-100-6-process_cpu.pb.gz" ]
	[ "$(counter spool_files)" -eq 3 ]
	[ -f "$spool/README" ] && [ -f "$spool/$old-100-5-process_cpu.pb.gz.bak" ] && [ -f "$spool/0x$old-100-5-process_cpu.pb.gz" ]
	[ -d "$spool/$old-101-5-process_cpu.pb.gz" ]
	[ -L "$spool/$old-102-5-process_cpu.pb.gz" ]
	[ "$(cat "$BATS_TEST_TMPDIR/victim")" = victim ]
	# The size limit does not touch them either: only ours are counted and removed.
	drive --spool "$spool" --windows 1 --spool-max 1
	[ "$(counter spool_files)" -eq 0 ]
	[ "$(ls "$spool" | grep -c '^[0-9]*-4242-')" -eq 0 ]
	[ -f "$spool/README" ] && [ -L "$spool/$old-102-5-process_cpu.pb.gz" ]
	[ "$(cat "$BATS_TEST_TMPDIR/victim")" = victim ]
	[ "$(counter spool_bytes)" -eq 0 ]
}

@test "agent: pybpftop agent --push sends each window of a busy Python, its hot function and labels in the pprof (live, as root)" {
	need_root
	command -v go >/dev/null || skip "go missing (golang-go)"
	PY_CMD=/usr/bin/python3.11 PY_WL=$REPO/tests/workloads
	start_receiver
	start_workload cpu_split
	# The agent's own run, serialized with the other live tests.
	run "$PYBPFTOP" agent --push "$URL" --window 2 --no-spool -d 5 \
		--rate 99 --label env=agent-test
	echo "$output"
	[ "$status" -eq 0 ]
	stop_workload_keep=$WL_PID
	stop_receiver
	stop_workload
	# The windows of the workload: by their pid label.
	found=0
	for body in "$RX"/*.body; do
		n=$(basename "$body" .body)
		decode_push "$n" >"$BATS_TEST_TMPDIR/env.$n"
		grep -A1 'name: "pid"' "$BATS_TEST_TMPDIR/env.$n" | grep -q "value: \"$stop_workload_keep\"" || continue
		found=$((found + 1))
		[ "$(req "$n" "r['path']")" = /push.v1.PusherService/Push ]
		grep -A1 'name: "__name__"' "$BATS_TEST_TMPDIR/env.$n" | grep -q 'value: "process_cpu"'
		grep -A1 'name: "env"' "$BATS_TEST_TMPDIR/env.$n" | grep -q 'value: "agent-test"'
		grep -A1 'name: "python_version"' "$BATS_TEST_TMPDIR/env.$n" | grep -q 'value: "3.11.2"'
		grep -A1 'name: "service_name"' "$BATS_TEST_TMPDIR/env.$n" | grep -q 'value: "..*"'
		grep -A1 'name: "host"' "$BATS_TEST_TMPDIR/env.$n" | grep -q "value: \"$(hostname)\""
		/usr/bin/python3 "$PROTO_DIR/raw_profile.py" "$body" "$BATS_TEST_TMPDIR/raw.$n.pb.gz"
		run go tool pprof -top "$BATS_TEST_TMPDIR/raw.$n.pb.gz"
		echo "$output"
		# cpu_split burns 60/30/10: sixty is the hottest function.
		awk '/flat%/ { getline; print $NF; exit }' <<<"$output" | grep -qx sixty
		run go tool pprof -raw "$BATS_TEST_TMPDIR/raw.$n.pb.gz"
		grep -q "thread_id:\[$stop_workload_keep\] thread_name:\[python3.11\]" <<<"$output"
	done
	echo "# windows of the workload pushed: $found" >&3
	# 5 s in windows of 2 s: two whole ones and the last, flushed at exit.
	[ "$found" -ge 2 ]
}

@test "agent: SIGTERM with a hung backend exits within 5 s (live, as root)" {
	need_root
	PY_CMD=/usr/bin/python3.11 PY_WL=$REPO/tests/workloads
	start_receiver $(printf 'hang:30 %.0s' $(seq 20))
	start_workload cpu_split
	spool=$BATS_TEST_TMPDIR/spool
	# Windows of 1 s for 3 s, each push held by the server; then SIGTERM.
	run bash -c '
		"$1" agent --push "$2" --window 1 --spool "$3" --rate 99 2>"$4" &
		agent=$!
		sleep 3
		t0=$(date +%s.%N)
		kill -TERM $agent
		wait $agent
		rc=$?
		echo "exit $rc after $(echo "$(date +%s.%N) - $t0" | bc) s"' _ "$PYBPFTOP" "$URL" "$spool" "$BATS_TEST_TMPDIR/agent.log"
	echo "$output"
	cat "$BATS_TEST_TMPDIR/agent.log"
	[ "$status" -eq 0 ]
	[[ $output =~ exit\ 0\ after\ ([0-9.]+)\ s ]]
	echo "# the agent exited ${BASH_REMATCH[1]} s after SIGTERM" >&3
	ge 5 "${BASH_REMATCH[1]}"
	grep -q 'msg="\{0,1\}stopped' "$BATS_TEST_TMPDIR/agent.log"
	# The server was reached (and held the request), and the windows are in the spool.
	[ "$(requests)" -ge 1 ]
	[ "$(ls "$spool" | grep -c "^[0-9]*-$WL_PID-[0-9]*-process_cpu\.pb\.gz$")" -ge 2 ]
}
