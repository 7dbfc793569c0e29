# Debian sid's interpreters that pybpftop does not support are refused clearly.
load ../lib/common

setup() {
	need_root
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

@test "Python 3.15 (Debian sid, in a chroot) is refused with its version" {
	sid=${SID_CHROOT:-/var/tmp/pybpftop-sid}
	[ -x "$sid/usr/bin/python3.15" ] || skip "no python3.15 in $sid (tools/sid-chroot.sh makes it)"
	start_sleeper "$REPO/tools/sid-run.sh" "$sid" python3.15
	run "$PYBPFTOP" record -p "$WL_PID" -d 1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" =~ runs\ Python\ 3\.15\.[0-9]+\ \(found\ by\ _Py_DebugOffsets\).*not\ supported:\ pybpftop\ supports\ CPython\ 3\.8\ to\ 3\.14 ]]
	[ "${#lines[@]}" -eq 1 ]
}
