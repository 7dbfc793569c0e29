"""Free-threaded builds: N threads burning truly in parallel (no GIL).

  ft_parallel.py own [N]    each thread in a function of its own, ft_work_00 ..
  ft_parallel.py same [N]   every thread in the same function, ft_same, whose
                            time is on one known line (marked HOT): on 3.14t
                            each thread then specializes its own copy of the
                            bytecode (thread-local bytecode)

Prints "GIL 0" (sys._is_gil_enabled()) before READY, so that a test can
tell it really runs without a GIL."""
import sys
import threading
import time
from _common import ready, set_thread_name

MODE = sys.argv[1] if len(sys.argv) > 1 else "own"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 8

# One code object per thread, so each has a function of its own.
TEMPLATE = '''
def ft_work_{i:02d}():
    set_thread_name("ft-{i:02d}")
    while True:
        x = 0
        for _ in range(1000):
            x += 1
'''


def ft_same(i):
    set_thread_name("ft-same-%02d" % i)
    data = list(range(3000, 0, -1))
    while True:
        a = 1
        b = sorted(data)  # HOT
        c = a + len(b)


targets = []
if MODE == "own":
    for i in range(N):
        ns = {"set_thread_name": set_thread_name}
        exec(compile(TEMPLATE.format(i=i), __file__, "exec"), ns)
        targets.append((ns["ft_work_%02d" % i], ()))
else:
    targets = [(ft_same, (i,)) for i in range(N)]

gil = getattr(sys, "_is_gil_enabled", lambda: True)()
sys.stdout.write("GIL %d\n" % int(gil))
for i, (f, args) in enumerate(targets):
    threading.Thread(target=f, args=args, name="ft-%02d" % i, daemon=True).start()
time.sleep(0.5)	# every thread running (and, same, specialized) before READY
ready()
while True:
    time.sleep(0.1)
