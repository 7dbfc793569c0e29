#!/usr/bin/env python3
"""Checks a Chrome trace-event file (pybpftop -f chrome) for the tests.

  chrome_trace.py check FILE F1 F2 ...

Checks that the file is one JSON object with "traceEvents"; that every
thread with spans has a thread_name and its process a process_name; that
each thread's events come in non-decreasing ts order with durations >= 0;
that its "X" spans nest (each one inside the span open around it, or after
it); then prints, over all threads:

  busy=MICROSECONDS threads=N F1=SHARE F2=SHARE ... [off-cpu]=SHARE

where busy is the time covered by root spans and SHARE the % of it that
spans named Fi cover (a function's time counted once when it recurses).
"""
import json
import sys


def fail(msg):
    sys.exit("chrome_trace: " + msg)


def check(path, names):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        fail("no traceEvents array")
    procs, threads, spans = set(), set(), {}
    for e in doc["traceEvents"]:
        ph = e.get("ph")
        key = (e.get("pid"), e.get("tid"))
        if ph == "M":
            if e.get("name") == "process_name" and e["args"]["name"]:
                procs.add(key[0])
            elif e.get("name") == "thread_name" and e["args"]["name"]:
                threads.add(key)
        elif ph == "X":
            if not isinstance(e.get("ts"), (int, float)) or e.get("dur", -1) < 0 or not e.get("name"):
                fail("bad X event %r" % e)
            spans.setdefault(key, []).append(e)
        else:
            fail("unexpected event phase %r" % ph)

    busy = 0
    covered = {n: 0 for n in names + ["[off-cpu]"]}
    for key, evs in spans.items():
        if key not in threads:
            fail("thread %r has no thread_name" % (key,))
        if key[0] not in procs:
            fail("process %r has no process_name" % key[0])
        stack = []     # (end, name) of the spans open around the current one
        last = None
        for e in evs:
            ts, end = e["ts"], e["ts"] + e["dur"]
            if last is not None and ts < last:
                fail("thread %r goes back in time at ts=%r" % (key, ts))
            last = ts
            while stack and stack[-1][0] <= ts:
                stack.pop()
            if stack and end > stack[-1][0]:
                fail("thread %r: %s [%r, %r] overlaps its parent %s ending at %r"
                     % (key, e["name"], ts, end, stack[-1][1], stack[-1][0]))
            if not stack:
                busy += e["dur"]
            name = e["name"]
            # Count a function once per nest (recursion).
            if name in covered and all(n != name for _, n in stack):
                covered[name] += e["dur"]
            stack.append((end, name))
    out = ["busy=%d" % busy, "threads=%d" % len(spans)]
    for n in names + ["[off-cpu]"]:
        out.append("%s=%.2f" % (n, 100.0 * covered[n] / busy if busy else 0))
    print(" ".join(out))


def main():
    if len(sys.argv) < 3 or sys.argv[1] != "check":
        sys.exit(__doc__)
    check(sys.argv[2], sys.argv[3:])


main()
