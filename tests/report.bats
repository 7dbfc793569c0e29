# `pybpftop report DIR`: the agent's spool merged back. One live run in
# setup_file (the agent with a short window, `record` of the same process
# at the same time, and `record -f pprof` into spool names), then the
# filters, the formats and hostile directories on its files. Live: run it
# under flock /tmp/pybpftop-live.lock.
load lib/common

CHECK_JS="node $REPO/tests/js-formats/check.cjs"

# near WANT GOT TOLERANCE: |WANT - GOT| <= TOLERANCE
near() {
	/usr/bin/python3 -c 'import sys; w, g, t = map(float, sys.argv[1:]); sys.exit(abs(w - g) > t)' "$@" ||
		{ echo "want $1 +- $3, got $2" >&2; return 1; }
}

# shares FOLDED: "s60 s30 s10 n", the leaf shares of the known workload.
shares() {
	$FOLDED leaf-shares "$1" sixty thirty ten | sed 's/[a-z]*=//g'
}

# cpu_ticks: the workload's CPU time so far (utime + stime, in clock ticks).
cpu_ticks() {
	awk '{print $14 + $15}' "/proc/$WL_PID/stat"
}

setup_file() {
	[ "$(id -u)" = 0 ] || return 0	# each test skips (need_root)
	export BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR PY_CMD=/usr/bin/python3.11 PY_WL=$REPO/tests/workloads
	SPOOL=$BATS_FILE_TMPDIR/spool RECSPOOL=$BATS_FILE_TMPDIR/recspool
	mkdir -p "$SPOOL" "$RECSPOOL"
	start_workload cpu_split
	echo "$WL_PID" >"$BATS_FILE_TMPDIR/pid"
	# The agent windows every Python of the host; 2 s windows at 997 Hz,
	# and a direct record of the same process over the same seconds.
	"$PYBPFTOP" agent --spool "$SPOOL" --window 2 -r 997 -d 8.5 >"$BATS_FILE_TMPDIR/agent.log" 2>&1 &
	agent=$!
	wait_line "$BATS_FILE_TMPDIR/agent.log" 'msg="\{0,1\}started' "$agent"
	cpu_ticks >"$BATS_FILE_TMPDIR/ticks"
	"$PYBPFTOP" record -p "$WL_PID" -d 6 -r 997 -o "$BATS_FILE_TMPDIR/record.folded" \
		>"$BATS_FILE_TMPDIR/record.log" 2>&1
	cpu_ticks >>"$BATS_FILE_TMPDIR/ticks"
	wait "$agent"
	echo "agent: $?" >>"$BATS_FILE_TMPDIR/agent.log"
	# record's own pprof (labels thread, tid, pid; no agent comments) under
	# spool names, as two windows.
	for _ in 1 2; do
		"$PYBPFTOP" record -p "$WL_PID" -d 2 -r 499 -f pprof \
			-o "$RECSPOOL/$(date +%s%3N)-$WL_PID-1-process_cpu.pb.gz" >>"$BATS_FILE_TMPDIR/record.log" 2>&1
	done
	stop_workload
	# --idle: wall windows, [off-cpu] under the blocked threads.
	WALLSPOOL=$BATS_FILE_TMPDIR/wallspool
	mkdir -p "$WALLSPOOL"
	start_workload idle_mix
	echo "$WL_PID" >"$BATS_FILE_TMPDIR/idle_pid"
	"$PYBPFTOP" agent --idle --spool "$WALLSPOOL" --window 1 -r 199 -d 5.5 >>"$BATS_FILE_TMPDIR/agent.log" 2>&1 &
	agent=$!
	wait_line "$BATS_FILE_TMPDIR/agent.log" 'msg="\{0,1\}started.* spool="\{0,1\}'"$WALLSPOOL" "$agent"
	"$PYBPFTOP" record -p "$WL_PID" -d 4 -r 199 --idle -o "$BATS_FILE_TMPDIR/record_idle.folded" \
		>>"$BATS_FILE_TMPDIR/record.log" 2>&1
	wait "$agent"
	stop_workload
}

# A setup_file that failed half-way must not leave its workload running:
# bats would wait on it for ever.
teardown_file() {
	stop_workload
}

setup() {
	need_root
	SPOOL=$BATS_FILE_TMPDIR/spool RECSPOOL=$BATS_FILE_TMPDIR/recspool WALLSPOOL=$BATS_FILE_TMPDIR/wallspool
	WL_PID=$(cat "$BATS_FILE_TMPDIR/pid")
	# The spool's windows of our process, oldest first (start ms).
	mapfile -t STARTS < <(ls "$SPOOL" | sed -n "s/^\([0-9]*\)-$WL_PID-[0-9]*-process_cpu\.pb\.gz$/\1/p" | sort -n)
	[ "${#STARTS[@]}" -ge 3 ] || { cat "$BATS_FILE_TMPDIR/agent.log"; ls -l "$SPOOL"; false; }
	export HOME=$BATS_TEST_TMPDIR GOCACHE=$BATS_TEST_TMPDIR/gocache
}

teardown() {
	assert_no_bpf_left
}

@test "report: merging a run's windows gives the shares a direct record of the same process gives, and the truth (60/30/10)" {
	run "$PYBPFTOP" report "$SPOOL" --pid "$WL_PID" -f folded
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/report.folded"
	read -r r60 r30 r10 rn < <(shares "$BATS_TEST_TMPDIR/report.folded")
	read -r d60 d30 d10 dn < <(shares "$BATS_FILE_TMPDIR/record.folded")
	echo "report: $r60 $r30 $r10 of $rn; record: $d60 $d30 $d10 of $dn"
	# Samples: what the CPU the workload had during record's 6 s gives at
	# 997 Hz (on a loaded machine it gets less than a core), within 30%;
	# and enough for shares within 3 points.
	t0=$(sed -n 1p "$BATS_FILE_TMPDIR/ticks") t1=$(sed -n 2p "$BATS_FILE_TMPDIR/ticks")
	want=$(((t1 - t0) * 997 / $(getconf CLK_TCK)))
	echo "record's 6 s: $((t1 - t0)) ticks of CPU, $want samples due"
	[ "$dn" -ge $((want * 7 / 10)) ]
	[ "$rn" -ge $((want * 7 / 10)) ]
	[ "$dn" -ge 500 ]
	near "$d60" "$r60" 3
	near "$d30" "$r30" 3
	near "$d10" "$r10" 3
	near 60 "$r60" 3
	near 30 "$r30" 3
	near 10 "$r10" 3
	# One process: its thread at the root, as record prints it.
	grep -q "^python3.11 ($WL_PID);<module> (.*cpu_split.py:[0-9]*);main" "$BATS_TEST_TMPDIR/report.folded"
}

@test "report: the summary counts windows, processes and samples, names the range and the hot function" {
	run "$PYBPFTOP" report "$SPOOL" --pid "$WL_PID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^pybpftop:\ ${#STARTS[@]}\ windows\ of\ 1\ process\ from\ .*\ to\ .*\ samples\ at\ 997\ Hz$ ]]
	[[ "${lines[1]}" =~ ^\ \ pid\ $WL_PID\ .*\ ${#STARTS[@]}\ windows ]]
	grep -qE '^ +[0-9.]+% +[0-9]+ +[0-9.]+% +[0-9]+  sixty \(.*cpu_split.py:[0-9]+\)$' <<<"$output"
	# Every process of the spool: a root frame per process in the formats.
	run "$PYBPFTOP" report "$SPOOL" -f folded
	[ "$status" -eq 0 ]
	n=$(ls "$SPOOL" | sed 's/^[0-9]*-\([0-9]*\)-.*/\1/' | sort -u | wc -l)
	if [ "$n" -gt 1 ]; then
		grep -q "^[^;]* ($WL_PID);python3.11 ($WL_PID);<module>" <<<"$output"
	fi
}

@test "report: --since and --until take unix seconds, RFC 3339 and times ago; the windows split where asked" {
	total=${#STARTS[@]}
	mid_ms=${STARTS[$((total / 2))]}
	mid=$((mid_ms / 1000)).$(printf '%03d' $((mid_ms % 1000)))
	count() {	# ARGS: the windows report reads
		run "$PYBPFTOP" report "$SPOOL" --pid "$WL_PID" "$@"
		sed -n 's/^pybpftop: \([0-9]*\) windows\{0,1\} of .*/\1/p' <<<"$output"
	}
	after=$(count --since "$mid")
	before=$(count --until "$mid")
	echo "total $total, before $before, after $after"
	[ "$after" -eq $((total - total / 2)) ]
	[ "$before" -eq $((total / 2)) ]
	# RFC 3339, whole seconds: the window at mid_ms starts after the second.
	rfc=$(date -u -d "@$((mid_ms / 1000))" +%Y-%m-%dT%H:%M:%SZ)
	[ "$(count --since "$rfc")" -eq "$after" ]
	local=$(date -d "@$((mid_ms / 1000))" '+%Y-%m-%d %H:%M:%S')
	[ "$(count --since "$local")" -eq "$after" ]
	[ "$(count --since 1h)" -eq "$total" ]
	[ "$(count --since '10 m ago' 2>/dev/null)" = "" ]	# not a time
	run "$PYBPFTOP" report "$SPOOL" --since yesterday
	[ "$status" -ne 0 ]
	[[ "$output" == *"'yesterday' is not a time"* ]]
}

@test "report: an empty range, a service or pid with no windows, an empty directory: said clearly, non-zero" {
	run "$PYBPFTOP" report "$SPOOL" --until 1h
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no windows in $SPOOL match: process_cpu windows until 1h ("*" windows outside the filter)"* ]]
	run "$PYBPFTOP" report "$SPOOL" --service no-such-service -f folded
	[ "$status" -eq 1 ]
	[[ "$output" == *"of service no-such-service"* ]]
	[ -z "$(grep -v '^pybpftop:' <<<"$output")" ]
	run "$PYBPFTOP" report "$SPOOL" --pid 1
	[ "$status" -eq 1 ]
	mkdir "$BATS_TEST_TMPDIR/empty"
	run "$PYBPFTOP" report "$BATS_TEST_TMPDIR/empty"
	[ "$status" -eq 1 ]
	[[ "$output" == *"(0 entries in the directory"* ]]
	run "$PYBPFTOP" report "$BATS_TEST_TMPDIR/missing"
	[ "$status" -eq 1 ]
	[[ "$output" == *"missing: No such file or directory"* ]]
	run "$PYBPFTOP" report "$SPOOL" --type memory
	[ "$status" -eq 1 ]
}

@test "report: --service takes the windows' service_name label, exactly" {
	run "$PYBPFTOP" report "$SPOOL" --pid "$WL_PID"
	service=$(sed -n "s/^  pid $WL_PID *\([^ ]*\) .*/\1/p" <<<"$output")
	samples=$(sed -n 's/.*): \([0-9]*\) samples.*/\1/p' <<<"${lines[0]}")
	echo "service '$service', $samples samples"
	[ -n "$service" ] && [ "$service" != - ]
	run "$PYBPFTOP" report "$SPOOL" --pid "$WL_PID" --service "$service"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"): $samples samples"* ]]
	run "$PYBPFTOP" report "$SPOOL" --pid "$WL_PID" --service "${service%?}"
	[ "$status" -eq 1 ]
}

@test "report: folded to stdout, html, speedscope, pprof read by go tool pprof (60/30/10); chrome refused" {
	command -v go >/dev/null || skip "go missing: run 'tools/install-deps.sh test' (golang-go)"
	d=$BATS_TEST_TMPDIR
	run "$PYBPFTOP" report "$SPOOL" --pid "$WL_PID" -o "$d/m.pb.gz"
	echo "$output"
	[ "$status" -eq 0 ]
	samples=$(sed -n 's/.*wrote [0-9]* stacks (\([0-9]*\) samples).*/\1/p' <<<"$output")
	run go tool pprof -top -sample_index=samples "$d/m.pb.gz"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "of $samples total" <<<"$output"
	for pair in sixty:60 thirty:30 ten:10; do
		share=$(awk -v f="${pair%:*}" '$NF == f {sub("%", "", $2); print $2}' <<<"$output")
		near "${pair#*:}" "$share" 3
	done
	# Read back by report itself, as a window: the same stacks.
	mkdir "$d/again"
	cp "$d/m.pb.gz" "$d/again/1000-$WL_PID-1-process_cpu.pb.gz"
	run "$PYBPFTOP" report "$d/again" -f folded
	[ "$status" -eq 0 ]
	diff <(sort <<<"$output") <("$PYBPFTOP" report "$SPOOL" --pid "$WL_PID" -f folded | sort)

	run "$PYBPFTOP" report "$SPOOL" --pid "$WL_PID" -o "$d/m.html"
	[ "$status" -eq 0 ]
	[ "$(head -c 15 "$d/m.html")" = "<!DOCTYPE html>" ]
	grep -q "sixty" "$d/m.html"
	run "$PYBPFTOP" report "$SPOOL" --pid "$WL_PID" -o "$d/m.speedscope.json"
	[ "$status" -eq 0 ]
	if [ -d "$REPO/tests/js-formats/node_modules/speedscope" ]; then
		run $CHECK_JS "$d/m.speedscope.json"
		echo "$output"
		[ "$status" -eq 0 ]
		printf '%s\n' "$output" >"$d/ss.json"
		/usr/bin/python3 - "$d/ss.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
share = 100 * d["frames"]["sixty"] / d["total"]
assert abs(share - 60) <= 3, share
PY
	fi
	run "$PYBPFTOP" report "$SPOOL" -o "$d/m.trace.json"
	[ "$status" -ne 0 ]
	[[ "$output" == *"chrome needs every sample's time"* ]]
}

@test "report: names not ours, links, directories, huge and corrupt files are skipped and counted, never followed" {
	d=$BATS_TEST_TMPDIR/hostile
	mkdir "$d"
	cp "$SPOOL"/*-"$WL_PID"-*.pb.gz "$d"/
	want=$("$PYBPFTOP" report "$d" -f folded | md5sum)
	first=$(ls "$d" | head -1)
	echo hello >"$d/notes.txt"
	ln -s "$first" "$d/9999999999999-$WL_PID-1-process_cpu.pb.gz"	# would double one window
	ln -s /dev/zero "$d/9999999999998-$WL_PID-1-process_cpu.pb.gz"
	mkfifo "$d/9999999999997-$WL_PID-1-process_cpu.pb.gz"		# a read would block
	mkdir "$d/9999999999996-$WL_PID-1-process_cpu.pb.gz"
	truncate -s 65M "$d/9999999999995-$WL_PID-1-process_cpu.pb.gz"
	head -c 4000 /dev/urandom >"$d/9999999999994-$WL_PID-1-process_cpu.pb.gz"
	head -c 300 "$d/$first" >"$d/9999999999993-$WL_PID-1-process_cpu.pb.gz"
	# A gzip bomb: small, inflating past the 256 MiB cap.
	head -c 300M /dev/zero | gzip -1 >"$d/9999999999992-$WL_PID-1-process_cpu.pb.gz"
	run timeout 60 "$PYBPFTOP" report "$d" -f folded
	[ "$status" -eq 0 ]
	[ "$(grep -v '^pybpftop:' <<<"$output" | md5sum)" = "$want" ]
	warn=$(grep '^pybpftop: warning: skipped' <<<"$output")
	echo "$warn"
	[[ "$warn" == *"skipped 9 files of $d: 1 not a window's name, 4 links or not regular files, 1 over 64 MiB, 3 unreadable or corrupt"* ]]
}

@test "report: record's own pprof files (labels thread, tid, pid) read as windows: go tool pprof merging them agrees to the sample" {
	run "$PYBPFTOP" report "$RECSPOOL" -f folded
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/rec.folded"
	read -r r60 r30 r10 rn < <(shares "$BATS_TEST_TMPDIR/rec.folded")
	echo "$r60 $r30 $r10 of $rn"
	[ "$rn" -ge 200 ]
	near 60 "$r60" 10
	grep -q "^python3.11 ($WL_PID);<module>" "$BATS_TEST_TMPDIR/rec.folded"
	run "$PYBPFTOP" report "$RECSPOOL"
	[[ "${lines[0]}" == "pybpftop: 2 windows of 1 process from "*" at 499 Hz" ]]
	command -v go >/dev/null || skip "go missing: run 'tools/install-deps.sh test' (golang-go)"
	# pprof's own merge of the two files, function by function: the same counts.
	run "$PYBPFTOP" report "$RECSPOOL" -o "$BATS_TEST_TMPDIR/merged.pb.gz"
	[ "$status" -eq 0 ]
	top() {
		go tool pprof -top -sample_index=samples -nodefraction=0 -nodecount=100000 "$@" 2>/dev/null |
			awk '$1 ~ /^[0-9]/ && $2 ~ /%$/ {print $1, $4, $NF}' | sort
	}
	top "$BATS_TEST_TMPDIR/merged.pb.gz" >"$BATS_TEST_TMPDIR/merged.top"
	top "$RECSPOOL"/*.pb.gz >"$BATS_TEST_TMPDIR/direct.top"
	cat "$BATS_TEST_TMPDIR/direct.top"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/direct.top")" -ge 4 ]
	diff "$BATS_TEST_TMPDIR/direct.top" "$BATS_TEST_TMPDIR/merged.top"
}

@test "report --type wall: the agent's --idle windows give record --idle's shares, blocked threads all under [off-cpu]" {
	pid=$(cat "$BATS_FILE_TMPDIR/idle_pid")
	run "$PYBPFTOP" report "$WALLSPOOL" --type wall --pid "$pid" -f folded
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/wall.folded"
	funcs="sleeper lock_waiter pipe_reader main_waits busy"
	# shellcheck disable=SC2086 # the function names, one argument each
	report=$($FOLDED shares "$BATS_TEST_TMPDIR/wall.folded" $funcs)
	# shellcheck disable=SC2086
	record=$($FOLDED shares "$BATS_FILE_TMPDIR/record_idle.folded" $funcs)
	echo "report: $report"
	echo "record: $record"
	/usr/bin/python3 - "$report" "$record" <<'PY'
import sys
def parse(line):
    *shares, n = line.split()
    return int(n[2:]), {s.partition("=")[0]: tuple(map(float, s.partition("=")[2].split("/")))
                        for s in shares}
(rn, rep), (dn, rec) = parse(sys.argv[1]), parse(sys.argv[2])
assert rn >= 4 * 199 * 3 and dn >= 4 * 199 * 3, (rn, dn)   # four blocked threads, 3 s at least
for name in rep:
    assert abs(rep[name][0] - rec[name][0]) <= 3, (name, rep[name], rec[name])
    if name != "busy":
        # Blocked all along, each there for the whole run: equal shares,
        # all of it off the CPU (busy's share depends on the CPU it gets).
        assert rep[name][1] >= 99, (name, rep[name])
        assert abs(rep[name][0] - rep["sleeper"][0]) <= 2, (name, rep[name], rep["sleeper"])
PY
	# The default type is cpu: these are not.
	run "$PYBPFTOP" report "$WALLSPOOL" --pid "$pid"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no windows in $WALLSPOOL match: process_cpu windows of pid $pid"* ]]
	run "$PYBPFTOP" report "$WALLSPOOL" --type wall --pid "$pid"
	[ "$status" -eq 0 ]
	grep -E 'wall-clock time: [0-9.]+% on CPU, [0-9.]+% off CPU' <<<"$output"
}

@test "report: usage errors name the fix" {
	run "$PYBPFTOP" report
	[ "$status" -ne 0 ]
	[[ "$output" == *"which directory? give the agent's spool"* ]]
	run "$PYBPFTOP" report "$SPOOL" "$SPOOL"
	[[ "$output" == *"give one directory"* ]]
	run "$PYBPFTOP" report "$SPOOL" --since 1h --until 2h
	[ "$status" -ne 0 ]
	[[ "$output" == *"--until must be later than --since"* ]]
	run "$PYBPFTOP" report "$SPOOL" --type heap
	[[ "$output" == *"unknown type 'heap': use cpu, wall or memory"* ]]
	run "$PYBPFTOP" report "$SPOOL" -f svg
	[[ "$output" == *"unknown format 'svg'"* ]]
	run "$PYBPFTOP" report "$SPOOL" --pid 0
	[ "$status" -ne 0 ]
	run "$PYBPFTOP" report --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"EXAMPLES:"* ]]
}
