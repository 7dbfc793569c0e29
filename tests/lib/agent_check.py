#!/usr/bin/env python3
"""Checks the agent's spool for the tests, with tests/lib/pprof_read.py.

  agent_check.py process SPOOL PID FUNC [LABEL=VALUE...]
      the windows of PID: at least 2 files, each with the labels given and
      pid, host, python_version; FUNC the leaf of >= 80% of all samples;
      prints "files=N samples=N share=P start_ticks=T..."
  agent_check.py owners SPOOL PID
      "START_TICKS FUNC,FUNC" for each process that had PID: the leaf
      functions with >= 5% of its samples
  agent_check.py last-end SPOOL PID
      the end of PID's last window, unix seconds (start + duration)
  agent_check.py shares SPOOL PID SINCE NAME PREFIX
      over PID's windows starting at SINCE (unix seconds) or later:
      "files=N samples=N name=P prefix=P unknown=P", the shares (%) of the
      leaf samples in function NAME, in functions starting with PREFIX,
      and in [unknown]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pprof_read import read  # noqa: E402


def files_of(spool, pid):
    out = []
    for name in sorted(os.listdir(spool)):
        parts = name.split("-")
        if name.endswith(".pb.gz") and len(parts) >= 4 and parts[1] == str(pid):
            out.append((int(parts[0]), int(parts[2]), os.path.join(spool, name)))
    return out


def main():
    cmd, spool, pid = sys.argv[1], sys.argv[2], sys.argv[3]
    files = files_of(spool, pid)
    if cmd == "process":
        func, want = sys.argv[4], dict(a.split("=", 1) for a in sys.argv[5:])
        assert len(files) >= 2, "pid %s: %d windows" % (pid, len(files))
        total = hot = 0
        for _, ticks, path in files:
            p = read(path)
            labels = p["labels"]
            assert labels.get("pid") == pid, (path, labels)
            for k in ("host", "python_version", "service_name"):
                assert labels.get(k), (path, k, labels)
            for k, v in want.items():
                assert labels.get(k) == v, (path, k, labels.get(k), v)
            total += p["total"]
            hot += p["leaf"].get(func, 0)
        share = 100.0 * hot / max(total, 1)
        print("files=%d samples=%d share=%.1f labels=%s" % (len(files), total, share, labels))
        assert total >= 20 and share >= 80, (total, share)
    elif cmd == "owners":
        by = {}
        for _, ticks, path in files:
            p = read(path)
            for f, n in p["leaf"].items():
                by.setdefault(ticks, {}).setdefault(f, 0)
                by[ticks][f] += n
        for ticks, leaf in sorted(by.items()):
            total = sum(leaf.values())
            print(ticks, ",".join(sorted(f for f, n in leaf.items() if n >= 0.05 * total)))
    elif cmd == "shares":
        since, name, prefix = float(sys.argv[4]), sys.argv[5], sys.argv[6]
        n = total = hot = churned = unknown = 0
        for _, _, path in files:
            p = read(path)
            if p["time_nanos"] / 1e9 < since:
                continue
            n += 1
            total += p["total"]
            for f, c in p["leaf"].items():
                hot += c if f == name else 0
                churned += c if f.startswith(prefix) else 0
                unknown += c if f == "[unknown]" else 0
        t = max(total, 1)
        print("files=%d samples=%d name=%.1f prefix=%.1f unknown=%.1f" %
              (n, total, 100.0 * hot / t, 100.0 * churned / t, 100.0 * unknown / t))
    elif cmd == "last-end":
        p = max((read(path) for _, _, path in files), key=lambda p: p["time_nanos"])
        print("%.3f" % ((p["time_nanos"] + p["duration_nanos"]) / 1e9))


main()
