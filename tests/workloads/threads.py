"""N threads, each busy in its own function and named after it; SIGUSR1
starts one more thread (`late_thread_work`) after the profiler attached."""
import signal
import sys
import threading
import time
from _common import ready, set_thread_name

N = int(sys.argv[1]) if len(sys.argv) > 1 else 16

# One code object per thread, so each has a function of its own.
TEMPLATE = '''
def work_{i:02d}():
    set_thread_name("worker-{i:02d}")
    while True:
        x = 0
        for _ in range(1000):
            x += 1
'''
funcs = []
for i in range(N):
    ns = {"set_thread_name": set_thread_name}
    exec(compile(TEMPLATE.format(i=i), __file__, "exec"), ns)
    funcs.append(ns["work_%02d" % i])


def late_thread_work():
    set_thread_name("late-thread")
    while True:
        x = 0
        for _ in range(1000):
            x += 1


def start_late(signum, frame):
    threading.Thread(target=late_thread_work, name="late-thread", daemon=True).start()


signal.signal(signal.SIGUSR1, start_late)
for i, f in enumerate(funcs):
    threading.Thread(target=f, name="worker-%02d" % i, daemon=True).start()
ready()
while True:
    time.sleep(0.1)
