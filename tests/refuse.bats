# Versions pybpftop does not support, and never will, are refused with one
# clear line, a non-zero exit and nothing left attached, by every command:
# old ones (pyenv's 3.7 and 3.6, which a file name and their PY_VERSION
# string give away) and forged ones (a process whose _PyRuntime carries the
# _Py_DebugOffsets cookie, with a future version or one no release has;
# tests/fakes/fake_runtime.c). Unlike a real new release, none of them can
# get a row.
load lib/common

setup() {
	need_root
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

COMMANDS=("record -d 1" "record --idle -d 1" "top --batch -n 1" "dump" "dump --locals --json"
	  "alloc -d 1")

# start_fake HEX: a fake runtime claiming PY_VERSION_HEX HEX, started as
# WL_PID. Its name holds no version: detection has only the blob to go by.
start_fake() {
	local bin=$BATS_TEST_TMPDIR/fakert
	cc -O1 -Wall -Wextra -Werror -DFAKE_VERSION_HEX="$1" "$REPO/tests/fakes/fake_runtime.c" -o "$bin"
	WL_OUT=$BATS_TEST_TMPDIR/workload.out
	"$bin" >"$WL_OUT" 2>&1 &
	WL_JOB=$!
	wait_ready "$bin"
}

# refused_by_all PATTERN...: every command exits non-zero with a single
# line that matches each bash regex PATTERN.
refused_by_all() {
	local cmd pat
	for cmd in "${COMMANDS[@]}"; do
		# shellcheck disable=SC2086
		run "$PYBPFTOP" $cmd -p "$WL_PID"
		echo "$cmd: $output"
		[ "$status" -ne 0 ]
		[ "${#lines[@]}" -eq 1 ]
		for pat in "$@"; do
			[[ "$output" =~ $pat ]]
		done
	done
}

@test "pyenv's 3.7 and 3.6 are refused with their full version and the supported range" {
	range=$("$REPO/tests/lib/interpreters.sh" range)	# "3.8 to 3.14", from the registry
	[ -n "$range" ]
	root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
	checked=0
	for minor in 7 6; do
		py=$(ls -d "$root"/versions/3."$minor".*/bin/python3."$minor" 2>/dev/null | head -n 1)
		[ -n "$py" ] || continue
		# The interpreter's own word for its version.
		full=$("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
		[[ "$full" == 3.$minor.* ]]
		start_sleeper "$py"
		refused_by_all "^pybpftop: process $WL_PID \([^)]*\) runs Python ${full//./\\.} \(found by libpython file name and version string\), which is not supported: pybpftop supports CPython ${range//./\\.}\$"
		stop_workload
		checked=$((checked + 1))
	done
	[ "$checked" -gt 0 ] || skip "no pyenv CPython 3.7 or 3.6 under $root/versions"
}

@test "a forged future version (3.99 in a _Py_DebugOffsets blob) is refused as not supported" {
	command -v cc >/dev/null || skip "no C compiler to build tests/fakes/fake_runtime.c"
	range=$("$REPO/tests/lib/interpreters.sh" range)
	[ -n "$range" ]
	start_fake 0x036300f0	# 3.99.0 final
	refused_by_all "^pybpftop: process $WL_PID \(fakert\) runs Python 3\.99\.0 \(found by _Py_DebugOffsets\), which is not supported: pybpftop supports CPython ${range//./\\.}\$"
}

@test "a forged blob with a version no release has is refused: the version cannot be detected" {
	command -v cc >/dev/null || skip "no C compiler to build tests/fakes/fake_runtime.c"
	# Major 10; then a value past 32 bits; then none at all.
	for hex in 0x0a0b00f0 0x1030b02f0 0; do
		start_fake "$hex"
		refused_by_all "^pybpftop: process $WL_PID \(fakert\) has a CPython runtime but its version could not be detected"
		stop_workload
	done
}
