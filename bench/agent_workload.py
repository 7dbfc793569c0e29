"""A busy target for bench/agent.sh: recurses DEPTH frames (a function of
its own at each level, so the agent has that many code objects to name),
then runs small chunks of pure-Python work forever, counting them. On
SIGUSR1 it prints "COUNT CHUNKS SECONDS CPU_SECONDS" (perf_counter and
process_time), so the bench reads the work done per second and per second
of its own CPU over a timed part. Chunks are ~0.1 ms, so
that a partial chunk at either end is lost in the count."""
import os
import signal
import sys
import time

depth = int(sys.argv[1]) if len(sys.argv) > 1 else 30
chunk = int(sys.argv[2]) if len(sys.argv) > 2 else 500
count = 0


def work(n):
    t = 0
    for i in range(n):
        t += (i * i) % 7
    return t


def report(_sig, _frame):
    sys.stdout.write("COUNT %d %.6f %.6f\n" % (count, time.perf_counter(), time.process_time()))
    sys.stdout.flush()


def spin():
    global count
    while True:
        work(chunk)
        count += 1


src = ["def level_1():\n    return spin()\n"]
for k in range(2, depth + 1):
    src.append("def level_%d():\n    return level_%d()\n" % (k, k - 1))
ns = {"spin": spin}
exec("".join(src), ns)
signal.signal(signal.SIGUSR1, report)
sys.setrecursionlimit(depth + 100)
print("READY %d" % os.getpid(), flush=True)
ns["level_%d" % depth]()
