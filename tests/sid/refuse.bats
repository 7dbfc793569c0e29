# Debian sid's interpreters that pybpftop does not support are refused clearly.
# Which those are is the registry's (pybpftop --list-versions): every
# python3.X of the chroot without a row, 3.15 until it has one.
load ../lib/common

setup() {
	need_root
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

@test "a Python without a row (Debian sid, in a chroot) is refused with its version" {
	sid=${SID_CHROOT:-/var/tmp/pybpftop-sid}
	[ -d "$sid/usr/bin" ] || skip "no chroot at $sid (tools/sid-chroot.sh makes it)"
	range=$("$REPO/tests/lib/interpreters.sh" range)	# "3.8 to 3.14"
	minors=$("$REPO/tests/lib/interpreters.sh" minors)
	[ -n "$range" ]
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
	[ "$checked" -gt 0 ] || skip "every python3.X in $sid has a row: none to refuse"
}
