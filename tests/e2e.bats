# per-interpreter +dbg: tests/run.sh runs this file once for every CPython present, debug builds too.
# End-to-end: real stacks from a real interpreter against a known truth.
load lib/common

setup() {
	need_root
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

@test "$PY_LABEL: three functions at 60/30/10 are measured within 3 points" {
	start_workload cpu_split
	run "$PYBPFTOP" record -p "$WL_PID" -d 5 -r 997 -o "$BATS_TEST_TMPDIR/out.folded"
	[ "$status" -eq 0 ]
	run $FOLDED leaf-shares "$BATS_TEST_TMPDIR/out.folded" sixty thirty ten
	echo "$output"
	read -r s60 s30 s10 n <<<"$output"
	[ "${n#n=}" -ge 2000 ]
	/usr/bin/python3 - "${s60#*=}" "${s30#*=}" "${s10#*=}" <<'PY'
import sys
got = [float(x) for x in sys.argv[1:]]
for want, g in zip([60, 30, 10], got):
    assert abs(want - g) <= 3, (want, g)
PY
}

@test "$PY_LABEL: code compiled, run and dropped in a loop: the split of its two families (75/25 by work) within 3 points of their run times, under 1% unnamed" {
	start_workload code_churn
	run "$PYBPFTOP" record -p "$WL_PID" -d 6 -r 997 -v -o "$BATS_TEST_TMPDIR/out.folded"
	echo "$output" | grep -E '^(pybpftop: wrote|Symbolizer)'
	[ "$status" -eq 0 ]
	run $FOLDED families "$BATS_TEST_TMPDIR/out.folded" alpha_ omega_
	echo "$output"
	read -r alpha omega n unknown <<<"$output"
	[ "${n#n=}" -ge 2000 ]
	/usr/bin/python3 - "${alpha#*=}" "${unknown#*=}" "$BATS_TEST_TMPDIR/out.folded" "$WL_OUT" <<'PY'
import re, sys
alpha, unknown = float(sys.argv[1]), float(sys.argv[2])
ran = {}
for line in open(sys.argv[4]):
    if line.startswith("RAN "):
        _, name, secs = line.split()
        ran[name] = float(secs)
# The truth is the time each family took, as the workload measured it:
# alpha_* does 3 times omega_*'s work, 75% of the time in a release build,
# but a debug build's fixed cost per call (its checks) weighs more in the
# shorter omega_* calls (72% measured on sid's python3.15d).
tot = {f: sum(t for n, t in ran.items() if n.startswith(f)) for f in ("alpha", "omega")}
want = 100 * tot["alpha"] / (tot["alpha"] + tot["omega"])
print("alpha: %.1f%% of the samples, %.1f%% of the run time" % (alpha, want))
assert 65 <= want <= 85, ("the workload's own split", want)
assert abs(alpha - want) <= 3, ("alpha share", alpha, want)
assert unknown < 1, ("unnamed", unknown)
# Each sample is named after the code object it came from: no function
# holds more samples than its run had time for (997 Hz), as one named
# after another that took its address later would.
got = {}
for line in open(sys.argv[3]):
    m = re.search(r";((?:alpha|omega)_\d+) \(<churn>:\d+\) (\d+)$", line.rstrip("\n"))
    if m:
        got[m[1]] = got.get(m[1], 0) + int(m[2])
last = max(ran, key=lambda n: int(n.split("_")[1]), default=None)
over = {n: (c, ran.get(n)) for n, c in got.items()
        if n in ran and c > 2 * ran[n] * 997 + 5}
print("%d functions sampled, %d ran; over their time: %s" % (len(got), len(ran), over))
assert not over, over
PY
}

# Record deep_recursion.py DEPTH at RATE Hz: at least 99% of the samples at
# its leaf must hold all DEPTH frames of `recurse`, DEPTH-1 of them on the
# line of the recursive call.
assert_whole_recursion() {	# depth rate min-leaf-samples
	start_workload deep_recursion "$1"
	line=$(grep -n 'RECURSIVE CALL' "$REPO/tests/workloads/deep_recursion.py" | cut -d: -f1)
	run "$PYBPFTOP" record -p "$WL_PID" -d 3 -r "$2" -o "$BATS_TEST_TMPDIR/out.folded"
	[ "$status" -eq 0 ]
	run $FOLDED depth "$BATS_TEST_TMPDIR/out.folded" leaf recurse "$1" "$line"
	echo "whole/leaf samples at depth $1: $output"
	read -r good total <<<"$output"
	[ "$total" -ge "$3" ]
	[ $((good * 100)) -ge $((total * 99)) ]
}

@test "$PY_LABEL: a 1500-deep recursion is sampled whole, with the call's line" {
	assert_whole_recursion 1500 199 100
}

@test "$PY_LABEL: 16 busy threads are all seen, with their names" {
	start_workload threads 16
	run "$PYBPFTOP" record -p "$WL_PID" -d 4 -r 499 -o "$BATS_TEST_TMPDIR/out.folded"
	[ "$status" -eq 0 ]
	run $FOLDED threads "$BATS_TEST_TMPDIR/out.folded"
	echo "$output"
	for i in $(seq -w 0 15); do
		grep -qx "worker-$i work_$i" <<<"$output"
	done
}

@test "$PY_LABEL: a thread started after attach is seen" {
	start_workload threads 1
	"$PYBPFTOP" record -p "$WL_PID" -d 4 -r 499 -o "$BATS_TEST_TMPDIR/out.folded" 2>"$BATS_TEST_TMPDIR/err" &
	rec=$!
	# Once pybpftop says it samples: a fixed sleep could still be before.
	wait_line "$BATS_TEST_TMPDIR/err" '^pybpftop: sampling pid' "$rec"
	kill -USR1 "$WL_PID"
	wait "$rec"
	run $FOLDED threads "$BATS_TEST_TMPDIR/out.folded"
	echo "$output"
	grep -qx "late-thread late_thread_work" <<<"$output"
}

@test "$PY_LABEL: a known hot line is reported on that line" {
	start_workload hot_line
	line=$(grep -n '# HOT' "$REPO/tests/workloads/hot_line.py" | cut -d: -f1)
	run "$PYBPFTOP" record -p "$WL_PID" -d 3 -r 499 -o "$BATS_TEST_TMPDIR/out.folded"
	[ "$status" -eq 0 ]
	run $FOLDED hot-line "$BATS_TEST_TMPDIR/out.folded" hot_line_function
	echo "best-line samples total: $output (want line $line)"
	read -r best n total <<<"$output"
	[ "$best" -eq "$line" ]
	[ $((n * 100)) -ge $((total * 80)) ]
}

@test "$PY_LABEL: the target exiting mid-recording keeps what was collected" {
	# Its 1.5 s start once pybpftop samples: before, they could be over.
	start_workload short_lived 1.5 --after-usr1
	"$PYBPFTOP" record -p "$WL_PID" -d 30 -o "$BATS_TEST_TMPDIR/out.folded" >"$BATS_TEST_TMPDIR/log" 2>&1 &
	rec=$!
	wait_line "$BATS_TEST_TMPDIR/log" '^pybpftop: sampling pid' "$rec"
	kill -USR1 "$WL_PID"
	status=0
	wait "$rec" || status=$?
	cat "$BATS_TEST_TMPDIR/log"
	[ "$status" -eq 0 ]
	grep -q "process $WL_PID exited" "$BATS_TEST_TMPDIR/log"
	run $FOLDED has "$BATS_TEST_TMPDIR/out.folded" busy_until
	[ "$output" -gt 0 ]
}

@test "$PY_LABEL: the summary lists the hot functions" {
	start_workload cpu_split
	run "$PYBPFTOP" record -p "$WL_PID" -d 2 -v
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Top functions by own samples:"* ]]
	[[ "$output" == *"Top functions by total samples:"* ]]
	grep -E '^ +[0-9.]+% +[0-9]+ +[0-9.]+% +[0-9]+  sixty \(' <<<"$output"
	grep -E '^  all ' <<<"$output"
}

@test "$PY_LABEL: a 5000-frame stack is complete; deeper ones are marked truncated" {
	# <module> + 4998 x recurse + leaf = 5000 frames.
	assert_whole_recursion 4998 99 100
	run grep -c '\[truncated\]' "$BATS_TEST_TMPDIR/out.folded"
	[ "$output" = 0 ]

	# With room for 100 frames only, stacks are cut and marked, not dropped.
	run "$PYBPFTOP" record -p "$WL_PID" -d 2 -r 99 -D 100 -v -o "$BATS_TEST_TMPDIR/cut.folded"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qE '^.* \([0-9]+\);\[truncated\];recurse ' "$BATS_TEST_TMPDIR/cut.folded"
	cut=$(grep -c '\[truncated\]' "$BATS_TEST_TMPDIR/cut.folded")
	[ "$cut" -ge 1 ]
	truncated=$(awk '$1 == "all" {print $4}' <<<"$output")
	sent=$(awk '$1 == "all" {print $3}' <<<"$output")
	echo "truncated=$truncated sent=$sent"
	[ "$truncated" -ge 1 ]
	[ "$truncated" -eq "$sent" ]
}

@test "$PY_LABEL: non-ASCII names come out right" {
	start_workload unicode_names
	run "$PYBPFTOP" record -p "$WL_PID" -d 2 -r 199 -o "$BATS_TEST_TMPDIR/out.folded"
	[ "$status" -eq 0 ]
	cat "$BATS_TEST_TMPDIR/out.folded"
	# co_qualname exists from 3.11; before, code objects hold co_name only.
	if [ "$($PY_CMD -c 'import sys; print(sys.version_info >= (3, 11))')" = True ]; then
		want='Café.naïve_方法'
	else
		want='naïve_方法'
	fi
	run $FOLDED has "$BATS_TEST_TMPDIR/out.folded" "$want"
	[ "$output" -gt 100 ]
}

@test "$PY_LABEL: the version is detected, and -v says which step found it" {
	start_workload hot_line
	run "$PYBPFTOP" record -p "$WL_PID" -d 0.5 -v -o "$BATS_TEST_TMPDIR/out.folded"
	echo "$output"
	[ "$status" -eq 0 ]
	read -r full minor < <($PY_CMD -c 'import platform, sys; print(platform.python_version(), sys.version_info[1])')
	# The most precise evidence each version offers comes first.
	if [ "$minor" -ge 13 ]; then
		src=_Py_DebugOffsets
	elif [ "$minor" -ge 11 ]; then
		src=Py_Version
	else
		src="libpython file name"
		full=3.$minor
	fi
	[[ "$output" == *"Python $full (found by $src)"* ]]
}

@test "$PY_LABEL: --idle charges wall time to threads blocked in sleep, a lock and a pipe read" {
	start_workload idle_mix
	run "$PYBPFTOP" record -p "$WL_PID" -d 4 -r 199 --idle -o "$BATS_TEST_TMPDIR/out.folded"
	[ "$status" -eq 0 ]
	run $FOLDED shares "$BATS_TEST_TMPDIR/out.folded" sleeper lock_waiter pipe_reader main_waits busy
	echo "share/off-cpu-share: $output"
	/usr/bin/python3 - $output <<'PY'
import sys
*shares, n = sys.argv[1:]
assert int(n[2:]) >= 5 * 199 * 3, n   # five threads, at least 3 s each
for s in shares:
    name, _, v = s.partition("=")
    share, off = (float(x) for x in v.split("/"))
    # Five threads, each there for the whole run: a fifth of wall time each.
    assert abs(share - 20) <= 5, (name, share)
    if name != "busy":
        assert off >= 99, (name, off)   # blocked all along
PY
	run "$PYBPFTOP" record -p "$WL_PID" -d 2 --idle
	[ "$status" -eq 0 ]
	echo "$output"
	grep -E 'wall-clock time: [0-9.]+% on CPU, [0-9.]+% off CPU' <<<"$output"
}
