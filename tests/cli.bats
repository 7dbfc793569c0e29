# Bad input: each case gets one clear line naming the fix, a non-zero exit,
# and leaves nothing attached.
load lib/common

setup() {
	need_root
	PY_CMD=/usr/bin/python3
	PY_WL=$REPO/tests/workloads
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

# Every command that attaches checks its input the same way.
COMMANDS=("record -d 1" "record --idle -d 1" "top --batch -n 1" "dump" "dump --locals --json"
	  "alloc -d 1" "alloc --exact -d 1")

@test "no such pid" {
	# A pid that existed and is gone for sure: a reaped child.
	sh -c 'exit 0' & pid=$!
	wait "$pid"
	for cmd in "${COMMANDS[@]}"; do
		# shellcheck disable=SC2086
		run "$PYBPFTOP" $cmd -p "$pid"
		echo "$cmd: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"no process with pid $pid: check the pid"* ]]
		[ "${#lines[@]}" -eq 1 ]
	done
}

@test "not a Python process" {
	sleep 30 & pid=$!
	# Until the forked shell has exec'd sleep, it is a copy of bash.
	for _ in $(seq 100); do
		[ "$(cat /proc/$pid/comm)" = sleep ] && break
		sleep 0.01
	done
	for cmd in "${COMMANDS[@]}"; do
		# shellcheck disable=SC2086
		run "$PYBPFTOP" $cmd -p "$pid"
		echo "$cmd: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"process $pid (sleep) is not a Python process"* ]]
		[ "${#lines[@]}" -eq 1 ]
	done
	kill "$pid"
}

@test "an unsupported version names it and the supported range" {
	range=$("$REPO/tests/lib/interpreters.sh" range)	# "3.8 to 3.14", from the registry
	[ -n "$range" ]
	root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
	py=$(ls -d "$root"/versions/3.7.*/bin/python3.7 "$root"/versions/2.7.*/bin/python2.7 2>/dev/null | head -n 1)
	[ -n "$py" ] || skip "no CPython 3.7 or 2.7 under $root to stand for an unsupported version"
	start_sleeper "$py"
	for cmd in "${COMMANDS[@]}"; do
		# shellcheck disable=SC2086
		run "$PYBPFTOP" $cmd -p "$WL_PID"
		echo "$cmd: $output"
		[ "$status" -ne 0 ]
		[[ "$output" =~ runs\ Python\ (3\.7|2\.7) ]]
		[[ "$output" == *"which is not supported: pybpftop supports CPython $range" ]]
		[ "${#lines[@]}" -eq 1 ]
	done
}

@test "no privileges" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
	sleep 30 & pid=$!
	for cmd in "${COMMANDS[@]}"; do
		# shellcheck disable=SC2086
		run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$PYBPFTOP" $cmd -p "$pid"
		echo "$cmd: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"permission denied: pybpftop needs root, or CAP_BPF, CAP_PERFMON and CAP_SYS_PTRACE: run it with sudo"* ]]
		[ "${#lines[@]}" -eq 1 ]
	done
	kill "$pid"
}

@test "no BTF" {
	command -v unshare >/dev/null || skip "unshare (util-linux) missing"
	/usr/bin/python3 -c 'import time; time.sleep(30)' & pid=$!
	# Hide the kernel's BTF in a private mount namespace only.
	for cmd in "${COMMANDS[@]}"; do
		run unshare --mount --propagation private sh -c \
			'mount -t tmpfs none /sys/kernel/btf && exec "$0" $2 -p "$1"' "$PYBPFTOP" "$pid" "$cmd"
		echo "$cmd: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"kernel has no BTF (/sys/kernel/btf/vmlinux"*"CONFIG_DEBUG_INFO_BTF=y"* ]]
		[ "${#lines[@]}" -eq 1 ]
	done
	kill "$pid"
}

@test "--list-versions: one tab-separated row per supported version, hidden from the usage" {
	run "$PYBPFTOP" --list-versions
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 1 ]
	prev= first= last= defaults=" " nft=0
	for line in "${lines[@]}"; do
		# version, where its layout comes from, what the table was taken from
		[ "$(tr -cd '\t' <<<"$line" | wc -c)" -eq 2 ]
		IFS=$'\t' read -r ver layout from <<<"$line"
		[[ "$layout" == table || "$layout" =~ ^debug-offsets\ 3\.[0-9]+$ ]]
		[[ "$from" == "table from "?* ]]
		# a free-threaded build's row (3.13t) comes after the default
		# rows, for a version that has one
		if [[ "$ver" =~ ^3\.([0-9]+)t$ ]]; then
			[[ "$defaults" == *" ${BASH_REMATCH[1]} "* ]]
			nft=$((nft + 1))
			continue
		fi
		[ "$nft" -eq 0 ]
		[[ "$ver" =~ ^3\.([0-9]+)$ ]]
		minor=${BASH_REMATCH[1]}
		# sorted and contiguous, so that "3.first to 3.last" is true
		[ -z "$prev" ] || [ "$minor" -eq $((prev + 1)) ]
		prev=$minor defaults="$defaults$minor " last=$ver
		first=${first:-$ver}
	done
	[ "$("$REPO/tests/lib/interpreters.sh" range)" = "$first to $last" ]
	run "$PYBPFTOP" --help
	[ "$status" -eq 0 ]
	[[ "$output" != *list-versions* ]]
}

@test "usage errors name the missing option" {
	run "$PYBPFTOP" record -d 1
	[ "$status" -ne 0 ]
	[[ "$output" == *"give -p PID"* ]]
	run "$PYBPFTOP" record -p 1 -r abc
	[ "$status" -ne 0 ]
	[[ "$output" == *"'abc' is not a number"* ]]
}

# A signal that comes before pybpftop has said it is sampling could find it
# without its handler, or with next to no samples: wait for that line.
@test "SIGINT stops a recording and the file is still written, complete" {
	start_workload cpu_split
	"$PYBPFTOP" record -p "$WL_PID" -o "$BATS_TEST_TMPDIR/out.folded" 2>"$BATS_TEST_TMPDIR/err" &
	rec=$!
	wait_line "$BATS_TEST_TMPDIR/err" '^pybpftop: sampling pid' "$rec"
	sleep 2
	kill -INT "$rec"
	status=0
	wait "$rec" || status=$?
	cat "$BATS_TEST_TMPDIR/err"
	[ "$status" -eq 0 ]
	run $FOLDED check "$BATS_TEST_TMPDIR/out.folded"
	echo "samples: $output"
	[ "$status" -eq 0 ]
	[ "$output" -gt 50 ]
}

@test "SIGTERM stops a recording and the summary is printed" {
	start_workload cpu_split
	"$PYBPFTOP" record -p "$WL_PID" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	rec=$!
	wait_line "$BATS_TEST_TMPDIR/out" '^pybpftop: sampling pid' "$rec"
	sleep 2
	kill -TERM "$rec"
	status=0
	wait "$rec" || status=$?
	cat "$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 0 ]
	grep -q 'Top functions by own samples' "$BATS_TEST_TMPDIR/out"
}

@test "alloc: the target exiting mid-run ends it with a report, and nothing left behind" {
	# It allocates for 1.5 s from the SIGUSR1 that says pybpftop is
	# attached: a fixed life from its start could end before that.
	WL_OUT=$BATS_TEST_TMPDIR/workload.out
	/usr/bin/python3 -c '
import os, signal, time
go = []
signal.signal(signal.SIGUSR1, lambda *_: go.append(1))
print("READY %d" % os.getpid(), flush=True)
while not go:
    time.sleep(0.01)
keep = []
end = time.time() + 1.5
while time.time() < end:
    keep.append(bytearray(4096 * 8))
' >"$WL_OUT" 2>&1 &
	WL_JOB=$!
	wait_ready alloc-exit
	"$PYBPFTOP" alloc -p "$WL_PID" -v --allocated >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	ap=$!
	wait_line "$BATS_TEST_TMPDIR/err" 'mode$' "$ap"
	kill -USR1 "$WL_PID"
	status=0
	wait "$ap" || status=$?
	cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err"
	[ "$status" -eq 0 ]
	[[ "$(head -n 1 "$BATS_TEST_TMPDIR/out")" == *"until it exited"* ]]
	grep -q '^<string>:11: size=' "$BATS_TEST_TMPDIR/out"
}

@test "alloc diff and show: a file that is not a snapshot is refused, naming it" {
	echo '{"format": "something else"}' >"$BATS_TEST_TMPDIR/bad.json"
	run "$PYBPFTOP" alloc show "$BATS_TEST_TMPDIR/bad.json"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"bad.json is not a pybpftop alloc snapshot"* ]]
	run "$PYBPFTOP" alloc diff "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -ne 0 ]
	[[ "$output" == *"alloc diff needs two snapshot files"* ]]
}

# background_record NAME ENV...: `env ENV... pybpftop record` of the
# workload for 30 s, in the background, once it samples; sets REC (its pid).
background_record() {
	env "${@:2}" "$PYBPFTOP" record -p "$WL_PID" -d 30 -o "$BATS_TEST_TMPDIR/$1.folded" \
		2>"$BATS_TEST_TMPDIR/$1.err" &
	REC=$!
	wait_line "$BATS_TEST_TMPDIR/$1.err" '^pybpftop: sampling pid' "$REC"
}

@test "the leftover check sees our programs and ignores others'" {
	start_workload cpu_split
	# Others' pybpftops, still sampling while the check runs: one without
	# a tag (a developer's), one with another test's (which starts as ours).
	background_record untagged -u PYBPFTOP_TEST_TAG
	untagged=$REC
	background_record other PYBPFTOP_TEST_TAG="$PYBPFTOP_TEST_TAG-other"
	other=$REC
	run assert_no_bpf_left
	echo "with others' running: status $status"
	echo "$output"
	[ "$status" -eq 0 ]
	# And one of ours.
	background_record ours
	ours=$REC
	run assert_no_bpf_left
	echo "with ours running: status $status"
	echo "$output"
	kill -INT "$ours" "$untagged" "$other"
	wait "$ours" "$untagged" "$other" || true
	[ "$status" -ne 0 ]
	grep -q "^$ours pybpftop [0-9]*$" <<<"$output"
	[ "$(grep -cE "^($untagged|$other) " <<<"$output")" -eq 0 ]
}

@test "the output formats: README's table, --help and -f all come from the one writer table" {
	table=$("$PYBPFTOP" --list-formats)
	readme=$(sed -n '/^<!-- formats: /,/^<!-- \/formats -->/p' "$REPO/README.md" | sed '1d;$d')
	echo "$table"
	[ "$table" = "$readme" ] || { echo "README.md is out of date: run tools/readme-formats.sh"; false; }
	# Every row's name and file names reach record's --help, and -f takes it.
	run "$PYBPFTOP" record --help
	for name in $(awk -F'`' 'NR > 2 {print $4}' <<<"$table"); do
		grep -q "$name" <<<"$output"
	done
	grep -q '\.speedscope\.json' <<<"$output"
	# alloc lists only those its table row allows, and refuses the others.
	run "$PYBPFTOP" alloc --help
	# Not `! grep`: bats ignores a status negated before the last command.
	if grep -q 'chrome' <<<"$output"; then false; fi
	run "$PYBPFTOP" alloc -p 1 -o "$BATS_TEST_TMPDIR/x.trace.json"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot hold this profile: use folded, html, speedscope or pprof"* ]]
	run "$PYBPFTOP" record -p 1 -f nosuch
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown format 'nosuch': use folded, html, speedscope, pprof or chrome"* ]]
}

# Devices are written to, not replaced (proc/output_file.c): /dev/stdout is
# root's link to /proc/self/fd/1, followed whether stdout is a pipe or a
# file; /dev/null stays a device.
@test "-o /dev/stdout writes the profile to stdout, a pipe or a file; -o /dev/null stays a device" {
	start_workload cpu_split
	"$PYBPFTOP" record -p "$WL_PID" -d 1 -o /dev/stdout 2>"$BATS_TEST_TMPDIR/err" | cat >"$BATS_TEST_TMPDIR/piped"
	cat "$BATS_TEST_TMPDIR/err"
	grep -q 'cpu_split' "$BATS_TEST_TMPDIR/piped"
	"$PYBPFTOP" record -p "$WL_PID" -d 1 -o /dev/stdout >"$BATS_TEST_TMPDIR/file" 2>"$BATS_TEST_TMPDIR/err"
	cat "$BATS_TEST_TMPDIR/err"
	grep -q 'cpu_split' "$BATS_TEST_TMPDIR/file"
	[ -L /dev/stdout ]
	"$PYBPFTOP" record -p "$WL_PID" -d 1 -o /dev/null
	[ -c /dev/null ]
}
