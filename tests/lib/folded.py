#!/usr/bin/env python3
"""Reads folded stacks (thread (tid);frame;...;frame COUNT) for the tests.

  folded.py check FILE                  every line well formed; prints samples
  folded.py leaf-shares FILE F1 F2 ...  % of samples whose leaf is Fi, among them
  folded.py depth FILE LEAF FUNC N LINE fraction of LEAF samples holding exactly
                                        N frames of FUNC, N-1 of them at LINE
  folded.py threads FILE                "thread-name function" for each leaf
  folded.py hot-line FILE FUNC          the line of FUNC with the most own samples
  folded.py has FILE FUNC               samples with FUNC anywhere in the stack
  folded.py pids FILE FUNC              the pids of the process frames over FUNC
  folded.py pid-samples FILE FUNC       pid=samples for each of those pids
  folded.py shares FILE F1 F2 ...       % of all samples with Fi anywhere in the
                                        stack, and % of those under [off-cpu]
  folded.py families FILE P1 P2 ...     % of samples whose leaf's name starts
                                        with Pi, among them; and % of all
                                        samples with an [unknown] frame
"""
import re
import sys

FRAME = re.compile(r"^(?P<func>.*) \((?P<file>.*):(?P<line>-?\d+)\)$")


PROCS = []   # the process frame of each stack, or None


def parse(path):
    stacks = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                sys.exit("%s:%d: malformed line: %r" % (path, n, line))
            parts = stack.split(";")
            # With several processes a `name (pid)` frame comes first.
            proc = None
            if len(parts) > 1 and re.match(r"^[^;]* \(\d+\)$", parts[1]) and not FRAME.match(parts[1]):
                proc, parts = parts[0], parts[1:]
            thread = parts[0]
            if not re.match(r"^.* \(\d+\)$", thread):
                sys.exit("%s:%d: bad thread frame %r" % (path, n, thread))
            frames = []
            for p in parts[1:]:
                m = FRAME.match(p)
                if m:
                    frames.append((m["func"], m["file"], int(m["line"])))
                elif p.startswith("["):
                    frames.append((p, "", 0))
                else:
                    sys.exit("%s:%d: bad frame %r" % (path, n, p))
            stacks.append((thread, frames, int(count)))
            PROCS.append(proc)
    return stacks


def main():
    cmd, path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    stacks = parse(path)
    if cmd == "check":
        print(sum(c for _, _, c in stacks))
    elif cmd == "leaf-shares":
        counts = {f: 0 for f in args}
        for _, frames, c in stacks:
            if frames and frames[-1][0] in counts:
                counts[frames[-1][0]] += c
        total = sum(counts.values()) or 1
        print(" ".join("%s=%.1f" % (f, 100.0 * counts[f] / total) for f in args),
              "n=%d" % total)
    elif cmd == "depth":
        leaf, func, n, line = args[0], args[1], int(args[2]), int(args[3])
        good = total = 0
        for _, frames, c in stacks:
            if not frames or frames[-1][0] != leaf:
                continue
            total += c
            rec = [f for f in frames if f[0] == func]
            at_line = sum(1 for f in rec if f[2] == line)
            if len(rec) == n and at_line == n - 1:
                good += c
        print("%d %d" % (good, total))
    elif cmd == "threads":
        seen = set()
        for thread, frames, _ in stacks:
            if frames:
                seen.add("%s %s" % (thread.rsplit(" (", 1)[0], frames[-1][0]))
        print("\n".join(sorted(seen)))
    elif cmd == "hot-line":
        lines = {}
        for _, frames, c in stacks:
            if frames and frames[-1][0] == args[0]:
                lines[frames[-1][2]] = lines.get(frames[-1][2], 0) + c
        best = max(lines, key=lines.get) if lines else -1
        print("%d %d %d" % (best, lines.get(best, 0), sum(lines.values())))
    elif cmd == "has":
        print(sum(c for _, frames, c in stacks if any(f[0] == args[0] for f in frames)))
    elif cmd == "pids":
        pids = set()
        for (_, frames, _), proc in zip(stacks, PROCS):
            if proc and any(f[0] == args[0] for f in frames):
                pids.add(int(proc.rsplit("(", 1)[1].rstrip(")")))
        print(" ".join(str(p) for p in sorted(pids)))
    elif cmd == "pid-samples":
        counts = {}
        for (_, frames, c), proc in zip(stacks, PROCS):
            if proc and any(f[0] == args[0] for f in frames):
                pid = int(proc.rsplit("(", 1)[1].rstrip(")"))
                counts[pid] = counts.get(pid, 0) + c
        print(" ".join("%d=%d" % kv for kv in sorted(counts.items())))
    elif cmd == "shares":
        total = sum(c for _, _, c in stacks) or 1
        out = []
        for f in args:
            has = [(frames, c) for _, frames, c in stacks if any(x[0] == f for x in frames)]
            n = sum(c for _, c in has)
            off = sum(c for frames, c in has if frames[0][0] == "[off-cpu]")
            out.append("%s=%.1f/%.1f" % (f, 100.0 * n / total, 100.0 * off / (n or 1)))
        print(" ".join(out), "n=%d" % total)
    elif cmd == "families":
        counts = {p: 0 for p in args}
        total = unknown = 0
        for _, frames, c in stacks:
            total += c
            unknown += c if any(f[0] == "[unknown]" for f in frames) else 0
            for p in args:
                if frames and frames[-1][0].startswith(p):
                    counts[p] += c
        n = sum(counts.values()) or 1
        print(" ".join("%s=%.1f" % (p, 100.0 * counts[p] / n) for p in args),
              "n=%d unknown=%.2f" % (n, 100.0 * unknown / (total or 1)))
    else:
        sys.exit("unknown command " + cmd)


main()
