"""The CPU-bound workload of bench/peers.sh: a fixed amount of work split
60/30/10 among three functions, behind a start gate.

sixty(), thirty() and ten() have the same body (the loop of workload.py)
and are called in turn with 6, 3 and 1 times CHUNK iterations, ROUNDS
times, at the bottom of a recursion DEPTH frames deep: the known split is
that of the iterations, 60/30/10, and the workload checks it by timing each
call with its own thread CPU clock (the SPLIT line).

It prints `READY PID` and waits for SIGUSR1 (the profilers attach
meanwhile), does the timed part, prints `ELAPSED` (wall seconds), `CPU`
(its process CPU seconds) and `SPLIT` (the three functions' shares of their
CPU time, in %), then waits for a second SIGUSR1 before it exits, so that
the profiler's CPU can be read at the end of the timed part, while it is
still attached. Runs on CPython 3.8 and later (`--tracer monitoring`: 3.12+).

--tracer installs an in-process tracer for the timed part, for reference:
`settrace` a minimal line tracer (what bdb and pdb rest on), `monitoring` a
sys.monitoring LINE callback that does nothing and never disables itself.
"""
import argparse
import os
import signal
import sys
import time


def sixty(n):
    total = 0
    for i in range(n):
        total += (i * i) % 7
    return total


def thirty(n):
    total = 0
    for i in range(n):
        total += (i * i) % 7
    return total


def ten(n):
    total = 0
    for i in range(n):
        total += (i * i) % 7
    return total


def split_work(rounds, chunk, spent):
    clock = time.thread_time
    for _ in range(rounds):
        for k, (f, n) in enumerate(((sixty, 6), (thirty, 3), (ten, 1))):
            t0 = clock()
            f(n * chunk)
            spent[k] += clock() - t0


def descend(depth, rounds, chunk, spent):
    if depth <= 1:
        return split_work(rounds, chunk, spent)
    return descend(depth - 1, rounds, chunk, spent)


def line_tracer(frame, event, arg):
    return line_tracer


def start_tracer(kind):
    if kind == "settrace":
        sys.settrace(line_tracer)
    elif kind == "monitoring":
        mon = sys.monitoring
        tool = mon.PROFILER_ID
        mon.use_tool_id(tool, "peers-bench")
        mon.register_callback(tool, mon.events.LINE, lambda code, line: None)
        mon.set_events(tool, mon.events.LINE)


def stop_tracer(kind):
    if kind == "settrace":
        sys.settrace(None)
    elif kind == "monitoring":
        sys.monitoring.set_events(sys.monitoring.PROFILER_ID, 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--depth", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--chunk", type=int, default=100_000)
    ap.add_argument("--tracer", choices=("none", "settrace", "monitoring"), default="none")
    a = ap.parse_args()
    sys.setrecursionlimit(a.depth + 1000)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    print("READY %d" % os.getpid(), flush=True)
    signal.sigwait({signal.SIGUSR1})
    spent = [0.0, 0.0, 0.0]
    start_tracer(a.tracer)
    w0, c0 = time.perf_counter(), time.process_time()
    descend(a.depth, a.rounds, a.chunk, spent)
    w1, c1 = time.perf_counter(), time.process_time()
    stop_tracer(a.tracer)
    total = sum(spent) or 1.0
    print("ELAPSED %.6f" % (w1 - w0))
    print("CPU %.6f" % (c1 - c0))
    print("SPLIT %s" % " ".join("%.2f" % (100 * s / total) for s in spent), flush=True)
    signal.sigwait({signal.SIGUSR1})


main()
