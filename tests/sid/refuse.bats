# Refusals for a target in Debian sid's chroot (another root and mount
# namespace: pybpftop opens its files through /proc/PID/map_files). The
# versions refused are ones that stay unsupported whatever rows are added:
# a forged future 3.99 (tests/fakes/fake_runtime.c, as tests/refuse.bats
# uses on the host), and any python3.X of the chroot still without a row
# (pybpftop --list-versions), when there is one.
load ../lib/common

setup() {
	need_root
	sid=${SID_CHROOT:-/var/tmp/pybpftop-sid}
	[ -d "$sid/usr/bin" ] || skip "no chroot at $sid (tools/sid-chroot.sh makes it)"
	range=$("$REPO/tests/lib/interpreters.sh" range)	# "3.8 to 3.14"
	[ -n "$range" ]
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

@test "a forged future version (3.99) running in the chroot is refused as not supported" {
	command -v cc >/dev/null || skip "no C compiler to build tests/fakes/fake_runtime.c"
	cc -O1 -Wall -Wextra -Werror -DFAKE_VERSION_HEX=0x036300f0 \
		"$REPO/tests/fakes/fake_runtime.c" -o "$BATS_TEST_TMPDIR/fakert"
	WL_OUT=$BATS_TEST_TMPDIR/workload.out
	SID_BIND=$BATS_TEST_TMPDIR "$REPO/tools/sid-run.sh" "$sid" /pybpftop/fakert >"$WL_OUT" 2>&1 &
	WL_JOB=$!
	wait_ready fakert
	for cmd in "record -d 1" "top --batch -n 1" "dump" "alloc -d 1"; do
		# shellcheck disable=SC2086
		run "$PYBPFTOP" $cmd -p "$WL_PID"
		echo "$cmd: $output"
		[ "$status" -ne 0 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "pybpftop: process $WL_PID (fakert) runs Python 3.99.0 (found by _Py_DebugOffsets), which is not supported: pybpftop supports CPython $range" ]]
	done
}

@test "a python3.X of the chroot without a row is refused with its version" {
	minors=$("$REPO/tests/lib/interpreters.sh" minors)
	[ -n "$minors" ]
	checked=0
	for py in "$sid"/usr/bin/python3.*; do
		name=${py##*/}
		[[ "$name" =~ ^python3\.([0-9]+)$ ]] || continue	# not python3.14d, -config...
		minor=${BASH_REMATCH[1]}
		grep -qx "$minor" <<<"$minors" && continue
		start_sleeper "$REPO/tools/sid-run.sh" "$sid" "$name"
		run "$PYBPFTOP" record -p "$WL_PID" -d 1
		stop_workload
		echo "$name: $output"
		[ "$status" -ne 0 ]
		[[ "$output" =~ runs\ Python\ 3\.$minor\.[0-9]+\ \(found\ by\ _Py_DebugOffsets\) ]]
		[[ "$output" == *"which is not supported: pybpftop supports CPython $range" ]]
		[ "${#lines[@]}" -eq 1 ]
		checked=$((checked + 1))
	done
	[ "$checked" -gt 0 ] || skip "every python3.X in $sid has a row: none to refuse (the forged 3.99 above still is)"
}
