"""A CPU-bound benchmark workload: recurse to DEPTH frames, then run a fixed
amount of pure-Python work. With `--wait` it prints READY and waits for
SIGUSR1 before timing, so that a profiler can attach first. Prints the
seconds the work took. With `--distinct` each frame is a function of its
own (a code object per frame), not one function recursing."""
import argparse
import os
import signal
import sys
import time


def work(n):
    total = 0
    for i in range(n):
        total += (i * i) % 7
    return total


def descend(depth, n):
    if depth <= 1:
        return work(n)
    return descend(depth - 1, n)


def distinct_descend(depth):
    """descend() with a function of its own at each level: level_K calls
    level_K-1, down to work()."""
    src = ["def level_1(n):\n    return work(n)\n"]
    for k in range(2, depth + 1):
        src.append("def level_%d(n):\n    return level_%d(n)\n" % (k, k - 1))
    ns = {"work": work}
    exec("".join(src), ns)
    top = ns["level_%d" % depth]
    return lambda _depth, n: top(n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--depth", type=int, default=50)
    ap.add_argument("--iterations", type=int, default=20_000_000)
    ap.add_argument("--wait", action="store_true")
    ap.add_argument("--forever", action="store_true")
    ap.add_argument("--distinct", action="store_true")
    a = ap.parse_args()
    sys.setrecursionlimit(a.depth + 1000)
    global descend
    if a.distinct:
        descend = distinct_descend(a.depth)
    if a.wait or a.forever:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        print("READY %d" % os.getpid(), flush=True)
    if a.forever:
        while True:
            descend(a.depth, a.iterations)
    if a.wait:
        signal.sigwait({signal.SIGUSR1})
    t0 = time.perf_counter()
    descend(a.depth, a.iterations)
    print("ELAPSED %.6f" % (time.perf_counter() - t0), flush=True)


main()
