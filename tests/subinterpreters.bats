# per-interpreter +dbg: tests/run.sh runs this file once for every CPython present.
# Subinterpreters (3.12+): two threads each burn CPU in its own function in
# its own subinterpreter (tests/workloads/subinterps.py), the main thread
# burns in a third in the main interpreter. Each function must be seen, with
# its share, under its own interpreter: "[interpreter N]" right under the
# thread, and none for the main interpreter. Versions without the modules
# skip, saying so.
load lib/common

setup() {
	need_root
	local check
	check=$($PY_CMD "$PY_WL/subinterps.py" --check 2>&1) ||
		skip "${check#NO-SUBINTERPRETERS }"
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

# Sets SUB_A and SUB_B, the interpreter ids of the two functions, from the
# workload's "INTERP sub_a=1 sub_b=2" line.
start_subinterps() {
	start_workload subinterps
	SUB_A=$(sed -n 's/^INTERP sub_a=\([0-9]*\) .*/\1/p' "$WL_OUT")
	SUB_B=$(sed -n 's/^INTERP .* sub_b=\([0-9]*\)$/\1/p' "$WL_OUT")
	[ -n "$SUB_A" ] && [ -n "$SUB_B" ] && [ "$SUB_A" != "$SUB_B" ]
	[ "$SUB_A" -ne 0 ] && [ "$SUB_B" -ne 0 ]
}

# check_folded FILE: each function under its own interpreter frame, right
# under its thread, with a reasonable share; main_burn under none.
check_folded() {
	/usr/bin/python3 - "$1" "$SUB_A" "$SUB_B" <<'PY'
import re, sys
path, a, b = sys.argv[1], sys.argv[2], sys.argv[3]
want = {"burn_in_sub_a": "[interpreter %s]" % a, "burn_in_sub_b": "[interpreter %s]" % b,
        "main_burn": None}
threads = {"burn_in_sub_a": "sub-a", "burn_in_sub_b": "sub-b", "main_burn": "main-burn"}
seen = {f: 0 for f in want}
total = 0
for line in open(path, encoding="utf-8"):
    stack, _, count = line.rstrip("\n").rpartition(" ")
    frames, n = stack.split(";"), int(count)
    total += n
    leaf = re.sub(r" \(.*\)$", "", frames[-1])
    interp = [f for f in frames if f.startswith("[interpreter ")]
    # Only ever right under the thread, and only one.
    assert all(f == frames[1] for f in interp) and len(interp) <= 1, line
    if leaf not in want:
        continue
    assert frames[0].startswith(threads[leaf] + " ("), ("thread", leaf, line)
    got = interp[0] if interp else None
    assert got == want[leaf], ("%s under %s, want %s" % (leaf, got, want[leaf]), line)
    seen[leaf] += n
shares = {f: 100.0 * c / max(total, 1) for f, c in seen.items()}
print("samples", total, "shares", {f: round(s, 1) for f, s in shares.items()})
assert total >= 200, total
# Three threads burning on their own GILs: a third each when they get a CPU
# each; 15% leaves room for a busy machine.
for f, s in shares.items():
    assert s >= 15, (f, s)
assert sum(shares.values()) >= 95, shares
PY
}

@test "$PY_LABEL: record: each function under its own interpreter, with its share" {
	start_subinterps
	run "$PYBPFTOP" record -p "$WL_PID" -d 4 -r 199 -o "$BATS_TEST_TMPDIR/out.folded"
	echo "$output"
	[ "$status" -eq 0 ]
	run check_folded "$BATS_TEST_TMPDIR/out.folded"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "$PY_LABEL: record --idle: the subinterpreters' threads under their interpreters too" {
	start_subinterps
	run "$PYBPFTOP" record -p "$WL_PID" -d 3 -r 99 --idle -o "$BATS_TEST_TMPDIR/out.folded"
	echo "$output"
	[ "$status" -eq 0 ]
	run check_folded "$BATS_TEST_TMPDIR/out.folded"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "$PY_LABEL: every format carries the interpreter frame" {
	start_subinterps
	local out=$BATS_TEST_TMPDIR/out
	local ext
	for ext in speedscope.json trace.json html pb.gz; do
		run "$PYBPFTOP" record -p "$WL_PID" -d 1.5 -r 99 -o "$out.$ext"
		echo "$output"
		[ "$status" -eq 0 ]
	done
	/usr/bin/python3 - "$out" "$SUB_A" "$SUB_B" <<'PY'
import gzip, json, sys
out, a, b = sys.argv[1:]
names = ["[interpreter %s]" % a, "[interpreter %s]" % b]
ss = json.load(open(out + ".speedscope.json"))
frames = [f["name"] for f in ss["shared"]["frames"]]
for n in names:
    i = frames.index(n)
    # Each sample's root frame, as a frame in the folded output.
    assert any(s and s[0] == i for p in ss["profiles"] for s in p["samples"]), n
tr = json.load(open(out + ".trace.json"))
spans = {e.get("name") for e in tr["traceEvents"] if e.get("ph") == "X"}
assert all(n in spans for n in names), sorted(spans)[:20]
html = open(out + ".html", encoding="utf-8").read()
assert all(n in html for n in names)
pb = gzip.open(out + ".pb.gz").read()
assert all(n.encode() in pb for n in names)
print("speedscope, chrome, html and pprof hold", names)
PY
}

@test "$PY_LABEL: dump shows each thread's interpreter and stack" {
	start_subinterps
	run "$PYBPFTOP" dump -p "$WL_PID"
	echo "$output"
	[ "$status" -eq 0 ]
	# The text: "Thread TID (state, interpreter N...): "name"", its
	# innermost frame last.
	local t
	t=$(awk '/^Thread /{ head = $0 } /in burn_in_sub_a$/{ print head }' <<<"$output")
	[[ "$t" == *", interpreter $SUB_A"*'"sub-a"' ]]
	t=$(awk '/^Thread /{ head = $0 } /in burn_in_sub_b$/{ print head }' <<<"$output")
	[[ "$t" == *", interpreter $SUB_B"*'"sub-b"' ]]
	t=$(awk '/^Thread /{ head = $0 } /in main_burn$/{ print head }' <<<"$output")
	[[ "$t" == *'"main-burn"' && "$t" != *"interpreter"* ]]
	"$PYBPFTOP" dump -p "$WL_PID" --json --locals >"$BATS_TEST_TMPDIR/dump.json"
	/usr/bin/python3 - "$SUB_A" "$SUB_B" "$BATS_TEST_TMPDIR/dump.json" <<'PY'
import json, sys
a, b = int(sys.argv[1]), int(sys.argv[2])
doc = json.load(open(sys.argv[3]))
threads = doc["processes"][0]["threads"]
want = {"sub-a": (a, "burn_in_sub_a"), "sub-b": (b, "burn_in_sub_b"), "main-burn": (0, "main_burn")}
for t in threads:
    if t["name"] in want:
        interp, func = want.pop(t["name"])
        assert t["interpreter"] == interp, t
        assert t["frames"][-1]["function"] == func, t["frames"][-1]
        # --locals reads the subinterpreter's frames as well: n, an int.
        assert [l["name"] for l in t["frames"][-1]["locals"]] == ["n"], t["frames"][-1]
        # n changes all the time: an int, or one freed while it was read.
        r = t["frames"][-1]["locals"][0]["repr"]
        assert r.isdigit() or r.startswith("<unreadable"), r
assert not want, ("threads not seen", want)
print("json: each thread with its interpreter, stack and locals")
PY
}

@test "$PY_LABEL: top shows the three functions and the interpreters' GILs" {
	start_subinterps
	run "$PYBPFTOP" top -p "$WL_PID" --batch -n 2 -i 1.5
	echo "$output"
	[ "$status" -eq 0 ]
	# The last refresh: each function has samples, the interpreter frames
	# are no function of their own.
	last=$(awk '/^pybpftop top/{ buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' <<<"$output")
	for f in burn_in_sub_a burn_in_sub_b main_burn; do
		grep -qE "^ +[1-9][0-9]?\.[0-9]% +[0-9.]+% .* $f \(" <<<"$last"
	done
	! grep -q '\[interpreter' <<<"$last"
	# Each subinterpreter has its own GIL: three in all; a free-threaded
	# build has none.
	if py_free_threaded; then
		grep -q ' - no GIL (free-threaded)$' <<<"$last"
	else
		grep -qE ' - GILs: 3(, held by [0-9? ]+)?, [0-3] free' <<<"$last"
	fi
}
