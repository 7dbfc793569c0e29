# The pprof, speedscope and chrome outputs, each read back by an independent
# reader: `go tool pprof` (Debian's golang-go), speedscope's own importer
# (its npm package, tests/js-formats) and a trace-event checker.
load lib/common

CHECK_JS="node $REPO/tests/js-formats/check.cjs"
CHROME="/usr/bin/python3 $REPO/tests/lib/chrome_trace.py"

setup() {
	need_root
	PY_CMD=/usr/bin/python3.11
	PY_WL=$REPO/tests/workloads
	command -v go >/dev/null || skip "go missing: run 'tools/install-deps.sh test' (golang-go)"
	[ -d "$REPO/tests/js-formats/node_modules/speedscope" ] ||
		skip "speedscope missing: run 'tools/install-deps.sh test' (npm ci --prefix tests/js-formats)"
	# go tool pprof wants a home and a cache it can write to.
	export HOME=$BATS_TEST_TMPDIR GOCACHE=$BATS_TEST_TMPDIR/gocache
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

# record FILE ARGS...: record the workload into FILE; sets SAMPLES from
# pybpftop's "wrote N stacks (M samples)" line.
record() {
	local file=$1
	shift
	run "$PYBPFTOP" record -p "$WL_PID" -o "$file" "$@"
	echo "$output"
	[ "$status" -eq 0 ]
	SAMPLES=$(sed -n 's/.*wrote [0-9]* stacks (\([0-9]*\) samples).*/\1/p' <<<"$output")
	[ -s "$file" ]
	[ -n "$SAMPLES" ]
}

# near WANT GOT TOLERANCE: |WANT - GOT| <= TOLERANCE
near() {
	/usr/bin/python3 -c 'import sys; w, g, t = map(float, sys.argv[1:]); sys.exit(abs(w - g) > t)' "$@" ||
		{ echo "want $1 +- $3, got $2" >&2; return 1; }
}

@test "pprof: go tool pprof reads it; 60/30/10 within 5 points, sample counts and time agree, thread labels" {
	start_workload cpu_split
	f=$BATS_TEST_TMPDIR/out.pb.gz
	record "$f" -d 4 -r 499
	[ "$SAMPLES" -ge 1000 ]
	gzip -t "$f"

	run go tool pprof -top -sample_index=samples "$f"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "of $SAMPLES total" <<<"$output"
	for pair in sixty:60 thirty:30 ten:10; do
		share=$(awk -v f="${pair%:*}" '$NF == f {sub("%", "", $2); print $2}' <<<"$output")
		near "${pair#*:}" "$share" 5
	done
	grep -q "^Type: samples" <<<"$output"

	# -raw: every sample's time is its count times the period (1e9 / 499 ns),
	# and carries its thread's name, tid and pid.
	run go tool pprof -raw "$f"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^PeriodType: cpu nanoseconds$' <<<"$output"
	grep -q '^Period: 2004008$' <<<"$output"
	grep -q "^samples/count cpu/nanoseconds\[dflt\]$" <<<"$output"
	grep -qE "^ +pid:\[$WL_PID\] tid:\[$WL_PID\]$" <<<"$output"
	grep -qE '^ +thread:\[python3.11\]$' <<<"$output"
	grep -qE '^ +[0-9]+: 0x0 M=1 <module> .*cpu_split.py:[0-9]+ s=1\(' <<<"$output"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/output"
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/output" "$SAMPLES" <<'PY'
import re, sys
want = int(sys.argv[2])
n = 0
for line in open(sys.argv[1]):
    m = re.match(r"^ +(\d+) +(\d+): [\d ]+$", line)
    if m:
        c, ns = int(m[1]), int(m[2])
        assert ns == c * 2004008, line
        n += c
assert n == want, (n, want)
PY
	# Time, duration, and the comments naming the command.
	grep -qE '^Duration: [34]\.[0-9]+$' <<<"$output"
	grep -q "^Comment: pybpftop: .*cpu_split.py (pid $WL_PID)$" <<<"$output"
	[ "$(date -d "$(sed -n 's/^Time: \(.*\) UTC$/\1/p' <<<"$output" | cut -d. -f1)" +%s)" -ge $(($(date +%s) - 60)) ]

	# speedscope's pprof importer agrees.
	run $CHECK_JS "$f"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/output"
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/output" "$SAMPLES" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = int(sys.argv[2]) * 2004008
assert d["total"] == want, (d["total"], want)
assert abs(100 * d["frames"]["sixty"] / d["total"] - 60) <= 5, d["frames"]
PY
}

@test "speedscope: valid by its schema, imported by speedscope; weights add up to the samples; 60/30/10" {
	start_workload cpu_split
	f=$BATS_TEST_TMPDIR/out.speedscope.json
	record "$f" -d 4 -r 499
	[ "$SAMPLES" -ge 1000 ]
	run $CHECK_JS --schema "$f"
	echo "$output"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/output"
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/output" "$SAMPLES" "$WL_PID" "$f" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
samples, pid, path = int(sys.argv[2]), sys.argv[3], sys.argv[4]
raw = json.load(open(path))
assert raw["exporter"] == "pybpftop", raw["exporter"]
assert raw["name"].endswith("cpu_split.py (pid %s)" % pid), raw["name"]
assert len(d["profiles"]) == 1, d["profiles"]
p = d["profiles"][0]
assert p["name"] == "python3.11 (%s)" % pid, p["name"]
assert p["unit"] == "seconds"
# Weights are seconds: samples / 499, overall and per thread.
assert abs(d["total"] - samples / 499) < 1e-6, (d["total"], samples / 499)
assert abs(p["selfSum"] - p["total"]) < 1e-6, p
for f, want in (("sixty", 60), ("thirty", 30), ("ten", 10)):
    share = 100 * d["frames"][f] / d["total"]
    assert abs(share - want) <= 5, (f, share)
# Frames carry their file and line.
frames = raw["shared"]["frames"]
assert any(f["name"] == "sixty" and f["file"].endswith("cpu_split.py") and f["line"] > 0
           for f in frames), frames
PY
}

@test "chrome: ordered, nested, named spans per thread; sixty spans 60% of the busy time; speedscope imports it" {
	start_workload cpu_split
	f=$BATS_TEST_TMPDIR/out.trace.json
	record "$f" -d 4 -r 499
	[ "$SAMPLES" -ge 1000 ]
	run $CHROME check "$f" sixty thirty ten
	echo "$output"
	[ "$status" -eq 0 ]
	read -r busy threads s60 s30 s10 _ <<<"$output"
	[ "$threads" = threads=1 ]
	near 60 "${s60#*=}" 5
	near 30 "${s30#*=}" 5
	near 10 "${s10#*=}" 5
	# Each sample spans 1/499 s, plus the jitter between samples that a
	# span bridges: the busy time is at least the samples' and not far off.
	busy=${busy#busy=}
	want=$((SAMPLES * 1000000 / 499))
	[ "$busy" -ge $((want - 2)) ]
	[ "$busy" -le $((want * 110 / 100)) ]
	/usr/bin/python3 - "$f" "$WL_PID" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
pid = int(sys.argv[2])
meta = {(e["name"], e["tid"]): e["args"]["name"] for e in d["traceEvents"] if e["ph"] == "M"}
assert meta[("thread_name", pid)] == "python3.11", meta
assert "cpu_split.py" in meta[("process_name", pid)], meta
assert all(e["pid"] == pid for e in d["traceEvents"])
assert d["otherData"]["hz"] == "499"
PY
	run $CHECK_JS "$f"
	[ "$status" -eq 0 ]
	[[ "$output" != *"Tried to end"* ]]	# speedscope found the spans nested too
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/output"
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/output" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sixty = sum(v for k, v in d["frames"].items() if k.startswith("sixty "))
assert abs(100 * sixty / d["selfSum"] - 60) <= 5, d["frames"]
PY
}

@test "--idle: every format marks off-CPU time with [off-cpu], per thread" {
	start_workload idle_mix
	d=$BATS_TEST_TMPDIR
	record "$d/idle.speedscope.json" -d 2 -r 199 --idle
	# Five threads, each there for the whole run: each blocked thread's
	# weight is about the recording's length, all under [off-cpu].
	run $CHECK_JS --schema "$d/idle.speedscope.json"
	echo "$output"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/output"
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/output" "$SAMPLES" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = sorted(p["name"].rsplit(" (", 1)[0] for p in d["profiles"])
assert names == ["busy", "lock-waiter", "pipe-reader", "python3.11", "sleeper"], names
assert abs(d["total"] - int(sys.argv[2]) / 199) < 1e-6, d["total"]
for p in d["profiles"]:
    assert abs(p["selfSum"] - p["total"]) < 1e-6, p
    # The busy thread, when it waits for a CPU on a loaded machine, is
    # neither on the CPU nor off it (runnable): it may have less.
    assert (0.3 if p["name"].startswith("busy") else 1.5) <= p["total"] <= 2.6, p
    if not p["name"].startswith("busy"):
        # Blocked all along: all its time under [off-cpu], none its own.
        assert p["totals"]["[off-cpu]"] >= 0.99 * p["total"], p
        assert p["frames"]["[off-cpu]"] == 0, p
PY
	grep -q '"name":"\[off-cpu\]"' "$d/idle.speedscope.json"

	record "$d/idle.pb.gz" -d 2 -r 199 --idle
	run go tool pprof -top -cum "$d/idle.pb.gz"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^Type: wall$' <<<"$output"
	off=$(awk '$NF == "[off-cpu]" {sub("%", "", $5); print $5}' <<<"$output")
	near 85 "$off" 15	# four of the five threads are blocked, the fifth may wait for a CPU
	# The sleeper thread (by its label): all its time is under [off-cpu].
	run go tool pprof -top -tagfocus=thread=sleeper "$d/idle.pb.gz"
	echo "$output"
	sleeper=$(awk '$NF == "sleeper" {print $1}' <<<"$output")
	[ -n "$sleeper" ]
	[ "$(awk '$NF == "[off-cpu]" {print $4}' <<<"$output")" = "$sleeper" ]

	record "$d/idle.trace.json" -d 2 -r 199 --idle
	run $CHROME check "$d/idle.trace.json"
	echo "$output"
	[ "$status" -eq 0 ]
	read -r _ threads off <<<"$output"
	[ "$threads" = threads=5 ]
	near 85 "${off#*=}" 15
}

@test "-f picks the format whatever the file is called" {
	start_workload cpu_split
	d=$BATS_TEST_TMPDIR
	record "$d/a.out" -d 1 -f pprof
	gzip -t "$d/a.out"
	record "$d/b.out" -d 1 -f speedscope
	grep -q '"\$schema":"https://www.speedscope.app/file-format-schema.json"' "$d/b.out"
	record "$d/c.out" -d 1 -f chrome
	grep -q '"traceEvents":\[' "$d/c.out"
}
