# per-interpreter +dbg
# tests/run.sh runs this file once for every CPython present, debug builds too.
# Incomplete frames (3.11+: a frame still in its prologue, before its code's
# _co_firsttraceable) are not shown, as CPython's own tracebacks and
# sys._current_frames() do not show them.
load lib/common

setup() {
	need_root
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

@test "$PY_LABEL: a function whose time is its prologue (250 MAKE_CELLs) is not the leaf while it runs it" {
	start_workload prologue
	run "$PYBPFTOP" record -p "$WL_PID" -d 2 -r 499 -v -o "$BATS_TEST_TMPDIR/out.folded"
	echo "$output" | grep -E 'Symbolizer'
	[ "$status" -eq 0 ]
	run $FOLDED leaf-shares "$BATS_TEST_TMPDIR/out.folded" cells_only caller
	echo "$output"
	read -r own caller n <<<"$output"
	[ "${n#n=}" -ge 500 ]
	# Its body is two instructions: before the fix, with frames in the
	# prologue shown, it was the leaf in 58-60% of the samples (3.11, 3.13),
	# against 1% before 3.11, where the cells are made before the frame runs.
	/usr/bin/python3 -c 'import sys; assert float(sys.argv[1]) <= 5, sys.argv[1]' "${own#*=}"
	# The caller is the leaf then, in its call.
	run $FOLDED hot-line "$BATS_TEST_TMPDIR/out.folded" caller
	echo "hot line: $output"
	[ "${output%% *}" -eq "$(grep -n 'f(\*args)' "$REPO/tests/workloads/prologue.py" | cut -d: -f1)" ]
}
