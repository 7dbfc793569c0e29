#!/usr/bin/env python3
"""Checks `pybpftop dump` output against what the workload dump_me.py
printed about itself from the inside.

  dump_check.py stack REPORT DUMP PID   the thread PID's traceback in DUMP
                                        equals REPORT's format_stack()
  dump_check.py locals REPORT DUMP PID  each local REPORT lists is shown in
                                        DUMP's innermost frame with that repr
"""
import json
import re
import sys

FILE = re.compile(r'^  File "(?P<file>.*)", line (?P<line>\d+), in (?P<name>.*)$')


def report(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("{"):
                return json.loads(line)
    sys.exit("no report line in " + path)


def frames(lines):
    """(file, line, name, source) per frame of traceback-style lines."""
    out = []
    for i, line in enumerate(lines):
        m = FILE.match(line)
        if not m:
            continue
        src = lines[i + 1].strip() if i + 1 < len(lines) and lines[i + 1].startswith("    ") \
            and not FILE.match(lines[i + 1]) else ""
        # traceback prints co_name, dump co_qualname (3.11+): compare the last part.
        out.append((m["file"], int(m["line"]), m["name"].rsplit(".", 1)[-1], src))
    return out


def thread_block(dump, pid):
    lines = dump.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("Thread %s " % pid)), None)
    if start is None:
        sys.exit("no thread %s in the dump" % pid)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("Thread ")), len(lines))
    return lines[start:end]


def main():
    cmd, rep, dump_path, pid = sys.argv[1:5]
    want = report(rep)
    with open(dump_path, encoding="utf-8") as f:
        block = thread_block(f.read(), pid)
    if cmd == "stack":
        expected = frames("".join(want["stack"]).splitlines())
        got = frames([l for l in block if not l.startswith("      ")])
        if got != expected:
            print("expected:", *expected, "got:", *got, sep="\n")
            sys.exit(1)
        print("%d frames match" % len(got))
    elif cmd == "locals":
        shown = {}
        inner = max(i for i, l in enumerate(block) if FILE.match(l))
        for line in block[inner + 2:]:
            m = re.match(r"^      (\w+)(?: \((?:cell|free)\))? = (.*)$", line)
            if m:
                shown[m[1]] = m[2]
        bad = [(k, v, shown.get(k)) for k, v in want["locals"].items() if shown.get(k) != v]
        for k, v, g in bad:
            print("%s: want %s, got %s" % (k, v, g))
        if bad:
            sys.exit(1)
        print("%d locals match" % len(want["locals"]))
    else:
        sys.exit("unknown command " + cmd)


main()
