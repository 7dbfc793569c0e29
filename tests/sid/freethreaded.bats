# Free-threaded CPython (PEP 703, 3.13t/3.14t) from tools/build-freethreaded.sh,
# in the sid chroot: threads that really run at once, the line numbers when
# they share (3.13t) or copy (3.14t, thread-local bytecode) a function's
# bytecode, and "no GIL" in top and dump. Each test runs on every built
# free-threaded interpreter (tests/lib/interpreters.sh sid-ft); the whole
# e2e matrix also runs on them (make test-sid: they are in the sid list).
load ../lib/common

setup() {
	need_root
	FT_LIST=$("$REPO/tests/lib/interpreters.sh" sid-ft | grep -v '^-') ||
		skip "no free-threaded build in the chroot (tools/build-freethreaded.sh makes them)"
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

# each_ft FUNC: FUNC once per built free-threaded interpreter, with PY_LABEL,
# PY_CMD and PY_WL set as tests/run.sh would.
each_ft() {
	local label cmd wl
	while IFS=$'\t' read -r label cmd wl; do
		echo "== $label"
		PY_LABEL=$label PY_CMD=$cmd PY_WL=$wl "$1" || { echo "FAILED on $label"; return 1; }
	done <<<"$FT_LIST"
}

parallel_own() {
	local rate=499 secs=5
	# At a higher priority than the rest of a shared machine (other builds
	# and tests), so that its 8 threads do get both CPUs at once; the
	# shares among them are unchanged (they all have it).
	PY_CMD="nice -n -10 $PY_CMD" start_workload ft_parallel own 8
	# The interpreter's own word that it runs without a GIL.
	grep -qx 'GIL 0' "$WL_OUT"
	# the process's CPU time (utime + stime, in USER_HZ ticks) and the wall
	# clock around the record: how many CPUs its threads really kept busy
	cpu0=$(awk '{print $14 + $15}' /proc/"$WL_PID"/stat)
	t0=$(date +%s.%N)
	run "$PYBPFTOP" record -p "$WL_PID" -d "$secs" -r "$rate" -o "$BATS_TEST_TMPDIR/out.folded"
	[ "$status" -eq 0 ]
	t1=$(date +%s.%N)
	cpu1=$(awk '{print $14 + $15}' /proc/"$WL_PID"/stat)
	run $FOLDED leaf-shares "$BATS_TEST_TMPDIR/out.folded" ft_work_00 ft_work_01 ft_work_02 \
		ft_work_03 ft_work_04 ft_work_05 ft_work_06 ft_work_07
	echo "$output"
	shares=$output
	run $FOLDED threads "$BATS_TEST_TMPDIR/out.folded"
	threads=$output
	stop_workload
	load=$(cut -d' ' -f1 /proc/loadavg)
	run /usr/bin/python3 - "$rate" "$secs" "$(nproc)" "$shares" "$threads" \
		"$((cpu1 - cpu0))" "$t0" "$t1" "$load" <<'PY'
import sys
rate, secs, cpus = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
fields = dict(f.split("=") for f in sys.argv[4].split())
n = int(fields.pop("n"))
shares = {k: float(v) for k, v in fields.items()}
cpu = int(sys.argv[6]) / 100.0        # seconds of CPU the process used
wall = float(sys.argv[8]) - float(sys.argv[7])
load = float(sys.argv[9])
busy = cpu / wall
want = busy * secs * rate
print("samples %d over %ds at %d Hz; the process used %.2fs of CPU in %.1fs: %.2f CPUs at once "
      "(%d CPUs, load %.1f): %d samples expected" % (n, secs, rate, cpu, wall, busy, cpus, load, want))
# pybpftop's record holds every thread's CPU time: cpu-clock samples each
# CPU `rate` times a second while a thread of the target runs on it, so
# over its `secs` seconds it takes busy * secs * rate samples (busy
# measured over a slightly longer window that includes its start-up).
assert 0.8 * want <= n <= 1.2 * want, ("samples against the CPU time", n, want)
# Truly in parallel: more than one CPU's worth of CPU time per second of
# wall time, which a GIL makes impossible (its threads take turns: <= 1.0).
if busy < 1.15 and cpus >= 2 and load > cpus + 1:
    print("SKIP: the host is too busy (load %.1f on %d CPUs) to show parallelism" % (load, cpus))
    sys.exit(3)
if cpus >= 2:
    assert busy >= 1.15, ("threads did not run at once", busy)
# 8 CPU-bound threads of equal weight on the CPUs: the scheduler gives each
# 1/8 of the CPU time, 12.5%. Over ~5000 samples the sampling error is
# under 0.5 points; CFS's fairness over 5 s and other load on a shared VM
# move a thread by a few points: 4.5 points catches a thread missing or
# counted twice (0% or 25%) while allowing for that.
for f, s in sorted(shares.items()):
    assert abs(s - 12.5) <= 4.5, (f, s)
# The record names each thread: worker ft-XX runs ft_work_XX.
pairs = set(tuple(l.split()[:2]) for l in sys.argv[5].splitlines() if l.strip())
for i in range(8):
    assert ("ft-%02d" % i, "ft_work_%02d" % i) in pairs, ("thread", i, sorted(pairs))
print("shares", shares)
PY
	echo "$output"
	[ "$status" -ne 3 ] || skip "$(tail -n 1 <<<"$output")"
	[ "$status" -eq 0 ]
}

@test "free-threaded: 8 threads burning in parallel, each in its own function, each seen with its 1/8 share" {
	each_ft parallel_own
}

same_function() {
	local hot
	start_workload ft_parallel same 8
	grep -qx 'GIL 0' "$WL_OUT"
	run "$PYBPFTOP" record -p "$WL_PID" -d 4 -r 499 -v -o "$BATS_TEST_TMPDIR/out.folded"
	echo "$output" | grep -E 'tlbc|read-errors' || true
	[ "$status" -eq 0 ]
	hot=$(grep -n '# HOT' "$REPO/tests/workloads/ft_parallel.py" | cut -d: -f1)
	run $FOLDED hot-line "$BATS_TEST_TMPDIR/out.folded" ft_same
	echo "hot line of ft_same, its samples, all of ft_same's: $output (want line $hot)"
	[ "${output%% *}" = "$hot" ]
	# Every thread is seen in ft_same, with the line of the HOT statement
	# for most of its samples (sorted() is a C call from that line).
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/out.folded" "$hot" <<'PY'
import re, sys
path, hot = sys.argv[1], int(sys.argv[2])
per = {}
for line in open(path, encoding="utf-8"):
    stack, _, count = line.rstrip("\n").rpartition(" ")
    m = re.match(r"(ft-same-\d\d) \(\d+\);", stack)
    lines = re.findall(r";ft_same \(.*?:(\d+)\)", stack)
    if not m or not lines:
        continue
    t = per.setdefault(m[1], [0, 0])
    t[0] += int(count)
    t[1] += int(count) if int(lines[-1]) == hot else 0
print({k: "%d/%d at line %d" % (v[1], v[0], hot) for k, v in sorted(per.items())})
assert len(per) == 8, sorted(per)
for name, (total, at_hot) in per.items():
    assert total >= 50 and at_hot >= 0.8 * total, (name, total, at_hot)
PY
}

@test "free-threaded: 8 threads in the same function (3.14t: thread-local bytecode copies): the hot line is right in every thread" {
	each_ft same_function
}

no_gil() {
	start_workload ft_parallel own 2
	"$PYBPFTOP" dump -p "$WL_PID" >"$BATS_TEST_TMPDIR/dump.txt"
	cat "$BATS_TEST_TMPDIR/dump.txt"
	grep -qE '^Python 3\.[0-9]+\.[0-9]+t, no GIL \(free-threaded\)$' "$BATS_TEST_TMPDIR/dump.txt"
	! grep -q 'holding the GIL' "$BATS_TEST_TMPDIR/dump.txt"
	# the threads' stacks are still there
	grep -q 'in ft_work_00$' "$BATS_TEST_TMPDIR/dump.txt"
	"$PYBPFTOP" dump --json -p "$WL_PID" >"$BATS_TEST_TMPDIR/dump.json"
	/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
p = d["processes"][0]
assert p["free_threaded"] is True and p["python"].endswith("t"), p["python"]
assert not any(t["gil"] for t in p["threads"])' "$BATS_TEST_TMPDIR/dump.json"
	run "$PYBPFTOP" top -p "$WL_PID" --batch -n 1
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qE 'Threads: 3 \([0-9]+ running, [0-9]+ idle\) - no GIL \(free-threaded\)$' <<<"$output"
	! grep -q 'GIL: ' <<<"$output"
}

@test "free-threaded: top and dump say \"no GIL (free-threaded)\" instead of naming a holder" {
	each_ft no_gil
}
