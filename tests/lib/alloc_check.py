"""Checks on pybpftop alloc snapshots (docs/alloc-snapshot.md) for the bats
tests. Lines are found by the marker comment they carry in the workload
(tests/workloads/alloc_sites.py, or $ALLOC_WORKLOAD), files by their base name, so that a
workload seen through a chroot's path still matches.

  alloc_check.py shares SNAP live|allocated MARK...   percent of bytes per marked line
  alloc_check.py bytes SNAP live|allocated MARK       bytes of one marked line
  alloc_check.py tracemalloc SNAP TMFILE MIN          our allocated bytes / tracemalloc's,
                                                      per line of TMFILE above MIN bytes
"""
import json
import os
import sys

# The workload whose marked lines are looked up: alloc_sites.py, or the one
# ALLOC_WORKLOAD names (a file in tests/workloads).
WORKLOAD = os.path.join(os.path.dirname(__file__), "..", "workloads",
                        os.environ.get("ALLOC_WORKLOAD", "alloc_sites.py"))


def marked_line(mark):
    with open(WORKLOAD) as f:
        for n, text in enumerate(f, 1):
            if text.rstrip().endswith("# " + mark):
                return n
    raise SystemExit("no line marked %s in %s" % (mark, WORKLOAD))


def by_line(path, view):
    """bytes per (file base name, line) of the innermost frame"""
    with open(path) as f:
        snap = json.load(f)
    assert snap["format"] == "pybpftop-alloc-snapshot" and snap["version"] == 1
    out = {}
    for t in snap["traces"]:
        if not t["frames"]:
            continue
        file, line, _ = snap["frames"][t["frames"][0]]
        key = (os.path.basename(file), line)
        out[key] = out.get(key, 0) + t["live_size" if view == "live" else "alloc_size"]
    return out


def main():
    cmd, snap = sys.argv[1], sys.argv[2]
    base = os.path.basename(WORKLOAD)
    if cmd in ("shares", "bytes"):
        lines = by_line(snap, sys.argv[3])
        got = [lines.get((base, marked_line(m)), 0) for m in sys.argv[4:]]
        if cmd == "bytes":
            print(got[0])
            return
        total = sum(got)
        assert total > 0, "no bytes on the marked lines: %s" % lines
        print(" ".join("%.2f" % (100.0 * g / total) for g in got), "total=%d" % total)
    elif cmd == "tracemalloc":
        lines = by_line(snap, "allocated")
        minimum = int(sys.argv[4])
        n = 0
        with open(sys.argv[3]) as f:
            for text in f:
                where, size, _count = text.split()
                file, line = where.rsplit(":", 1)
                if int(size) < minimum:
                    continue
                ours = lines.get((os.path.basename(file), int(line)), 0)
                print("%s:%s tracemalloc=%s pybpftop=%d ratio=%.3f"
                      % (os.path.basename(file), line, size, ours, ours / int(size)))
                n += 1
        assert n > 0, "no line of tracemalloc's above %d bytes" % minimum
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
