"""Allocation sites whose shares of bytes are known, for tests/alloc.bats.

usage: alloc_sites.py MODE [--iterations N] [--size CHARS] [--ratio-sizes]
                       [--tracemalloc FILE]

Every allocation is a str of SIZE characters, so both sites allocate blocks
of one size and the shares of bytes are the shares of calls. With
--ratio-sizes, site_a makes one str object 3 units big and site_b one of 1
unit (a unit is SIZE + str's header), so they fall in different pymalloc
size classes when SIZE is small:
  grow   site_a allocates 3 strings per iteration and site_b 1, all kept
         (75% / 25% of the bytes, and the heap grows).
  churn  the same, each string freed at once (steady churn).
  leak   leak_line keeps 1 string per iteration; churn_line allocates 4 and
         frees them at once.
  diff   waits for a second SIGUSR1 after the first phase (churn only), then
         leaks ITERATIONS strings at leak_line.

Prints READY, waits for SIGUSR1 (the profiler has attached), runs, prints
LOOPDONE N BYTES (iterations, and the size of one string object), then
waits to be killed, so that the profiler stops before the interpreter frees
everything at exit.
With --tracemalloc FILE, tracemalloc traces the run (25 frames); after
LOOPDONE it waits for one more SIGUSR1 (the profiler has stopped, so it
does not trace tracemalloc's own work), writes its statistics by line to
FILE as `file:line size count` lines (or to stdout after "TM " with
--tracemalloc -), and prints DONE.
"""
import os
import signal
import sys
import time
from _common import ready

go = []
signal.signal(signal.SIGUSR1, lambda *_: go.append(1))


def wait_go(n):
    while len(go) < n:
        time.sleep(0.01)


def site_a(keep, size):
    for _ in range(RATIO_A):
        keep.append("a" * size)     # SITE_A


def site_b(keep, size):
    keep.append("b" * size)         # SITE_B


RATIO_A = 3


def leak_line(keep, size):
    keep.append("l" * size)         # LEAK_LINE


def churn_line(size):
    for _ in range(4):
        s = "c" * size              # CHURN_LINE
        del s


def run(mode, n, size, ratio_sizes):
    keep_a, keep_b, leaked = [], [], []
    size_a = size
    if ratio_sizes:
        global RATIO_A
        RATIO_A = 1
        size_a = 3 * (size + sys.getsizeof("")) - sys.getsizeof("")
    for _ in range(n):
        if mode == "grow":
            site_a(keep_a, size_a)
            site_b(keep_b, size)
        elif mode == "churn":
            site_a([], size)
            site_b([], size)
        elif mode == "leak":
            leak_line(leaked, size)
            churn_line(size)
        elif mode == "diff":
            churn_line(size)
    if mode == "diff":
        print("PHASE1", flush=True)
        wait_go(2)
        for _ in range(n):
            leak_line(leaked, size)
    return keep_a, keep_b, leaked


def main():
    mode = sys.argv[1]
    ratio_sizes = "--ratio-sizes" in sys.argv
    argv = [a for a in sys.argv[2:] if a != "--ratio-sizes"]
    args = dict(zip(argv[0::2], argv[1::2]))
    n = int(args.get("--iterations", 20000))
    size = int(args.get("--size", 2000))
    trace = args.get("--tracemalloc")
    if trace:
        import tracemalloc
        tracemalloc.start(25)
    ready()
    wait_go(1)
    kept = run(mode, n, size, ratio_sizes)
    print("LOOPDONE %d %d" % (n, sys.getsizeof("a" * size)), flush=True)
    if trace:
        wait_go(3 if mode == "diff" else 2)
        snap = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(True, os.path.abspath(__file__))])
        f = sys.stdout if trace == "-" else open(trace, "w")
        for st in snap.statistics("lineno"):
            fr = st.traceback[0]
            f.write("%s%s:%d %d %d\n" % ("TM " if f is sys.stdout else "",
                                         fr.filename, fr.lineno, st.size, st.count))
        f.flush()
        print("DONE", flush=True)
    while True:
        time.sleep(1)
    return kept


if __name__ == "__main__":
    main()
