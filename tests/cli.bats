# Bad input: each case gets one clear line naming the fix, a non-zero exit,
# and leaves nothing attached.
load lib/common

setup() {
	need_root
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
	"$py" -c 'import time; time.sleep(30)' & pid=$!
	sleep 0.5
	for cmd in "${COMMANDS[@]}"; do
		# shellcheck disable=SC2086
		run "$PYBPFTOP" $cmd -p "$pid"
		echo "$cmd: $output"
		[ "$status" -ne 0 ]
		[[ "$output" =~ runs\ Python\ (3\.7|2\.7) ]]
		[[ "$output" == *"which is not supported: pybpftop supports CPython $range" ]]
		[ "${#lines[@]}" -eq 1 ]
	done
	kill "$pid"
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
	prev=
	for line in "${lines[@]}"; do
		# version, where its layout comes from, what the table was taken from
		[ "$(tr -cd '\t' <<<"$line" | wc -c)" -eq 2 ]
		IFS=$'\t' read -r ver layout from <<<"$line"
		[[ "$ver" =~ ^3\.([0-9]+)$ ]]
		minor=${BASH_REMATCH[1]}
		# sorted and contiguous, so that "3.first to 3.last" is true
		[ -z "$prev" ] || [ "$minor" -eq $((prev + 1)) ]
		prev=$minor
		[[ "$layout" == table || "$layout" =~ ^debug-offsets\ 3\.[0-9]+$ ]]
		[[ "$from" == "table from "?* ]]
	done
	[ "$("$REPO/tests/lib/interpreters.sh" range)" = "${lines[0]%%$'\t'*} to ${lines[-1]%%$'\t'*}" ]
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

@test "SIGINT stops a recording and the file is still written, complete" {
	/usr/bin/python3 "$REPO/tests/workloads/cpu_split.py" >/dev/null & pid=$!
	sleep 0.5
	"$PYBPFTOP" record -p "$pid" -o "$BATS_TEST_TMPDIR/out.folded" 2>"$BATS_TEST_TMPDIR/err" &
	rec=$!
	sleep 2
	kill -INT "$rec"
	wait "$rec"
	status=$?
	kill "$pid"
	cat "$BATS_TEST_TMPDIR/err"
	[ "$status" -eq 0 ]
	run $FOLDED check "$BATS_TEST_TMPDIR/out.folded"
	echo "samples: $output"
	[ "$status" -eq 0 ]
	[ "$output" -gt 50 ]
}

@test "SIGTERM stops a recording and the summary is printed" {
	/usr/bin/python3 "$REPO/tests/workloads/cpu_split.py" >/dev/null & pid=$!
	sleep 0.5
	"$PYBPFTOP" record -p "$pid" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	rec=$!
	sleep 2
	kill -TERM "$rec"
	wait "$rec"
	status=$?
	kill "$pid"
	cat "$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 0 ]
	grep -q 'Top functions by own samples' "$BATS_TEST_TMPDIR/out"
}

@test "alloc: the target exiting mid-run ends it with a report, and nothing left behind" {
	/usr/bin/python3 -c '
import time
keep = []
end = time.time() + 1.5
while time.time() < end:
    keep.append(bytearray(4096 * 8))
' & pid=$!
	sleep 0.3
	run "$PYBPFTOP" alloc -p "$pid" --allocated
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"until it exited"* ]]
	grep -q '^<string>:6: size=' <<<"$output"
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
