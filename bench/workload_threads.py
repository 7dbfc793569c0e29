"""THREADS threads, each blocked DEPTH frames deep (for timing `dump`)."""
import os
import sys
import threading

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 100
DEPTH = int(sys.argv[2]) if len(sys.argv) > 2 else 50
stop = threading.Event()
started = threading.Barrier(THREADS + 1)


def descend(depth, a=1, b="two", c=3.0):
    if depth <= 1:
        started.wait()
        stop.wait()
    else:
        descend(depth - 1, a, b, c)


for _ in range(THREADS):
    threading.Thread(target=descend, args=(DEPTH - 3,), daemon=True).start()
started.wait()
print("READY %d" % os.getpid(), flush=True)
stop.wait()
