"""An allocation-bound benchmark workload for `pybpftop alloc` (bench/alloc.sh).

Each iteration builds a dict of a few keys, a list of short strings, a
formatted string and, every fourth iteration, a list of 80 items (over
512 bytes, so it goes past pymalloc to the system allocator). One entry in
RING is replaced per iteration, so the heap stays at a steady size while
most objects are freed soon after they are made: a mix of retained and
freed memory. Deterministic: the same iterations allocate the same objects.
Runs on Python 3.8 to 3.15. With `--wait` it prints READY and waits for
SIGUSR1 before timing, so that a profiler can attach first. Prints the
seconds the loop took, measured in the process, as `elapsed SECONDS`.
With `--grow` every iteration's objects are kept: the heap grows all the
time (about 1 KiB per iteration), so every page is new memory and the
sampled mode's page-fault path is at its busiest."""
import argparse
import os
import signal
import time

RING = 4096


def make(i):
    words = [str(i + k) for k in range(6)]
    rec = {"id": i, "name": "item-%d" % i, "words": words, "even": not i & 1}
    label = "{}:{}:{}".format(rec["name"], len(words), "/".join(words[:3]))
    return rec, label


def run(iterations, grow):
    ring = [None] * RING
    kept = []
    total = 0
    for i in range(iterations):
        rec, label = make(i)
        if i & 3 == 0:
            rec["block"] = [i] * 80
        if grow:
            kept.append((rec, label))
        else:
            ring[i % RING] = (rec, label)
        total += len(label)
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=700_000)
    ap.add_argument("--wait", action="store_true")
    ap.add_argument("--grow", action="store_true")
    a = ap.parse_args()
    if a.wait:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        print("READY %d" % os.getpid(), flush=True)
        signal.sigwait({signal.SIGUSR1})
    t0 = time.perf_counter()
    total = run(a.iterations, a.grow)
    elapsed = time.perf_counter() - t0
    print("checksum %d" % total)
    print("elapsed %.3f" % elapsed, flush=True)


if __name__ == "__main__":
    main()
