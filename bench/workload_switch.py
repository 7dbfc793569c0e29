"""Two threads hand a token back and forth through pipes: every hand-off is
a context switch. Prints READY, waits for SIGUSR1, then times ROUNDS round
trips and prints ELAPSED and the switch rate."""
import os
import signal
import sys
import threading
import time

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 50000
a_r, a_w = os.pipe()
b_r, b_w = os.pipe()


def echo():
    while True:
        if not os.read(a_r, 1):
            return
        os.write(b_w, b"x")


threading.Thread(target=echo, daemon=True).start()
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
print("READY %d" % os.getpid(), flush=True)
signal.sigwait({signal.SIGUSR1})
t0 = time.perf_counter()
for _ in range(ROUNDS):
    os.write(a_w, b"x")
    os.read(b_r, 1)
el = time.perf_counter() - t0
print("ELAPSED %.6f" % el, flush=True)
print("SWITCHES_PER_S %.0f" % (2 * ROUNDS / el), flush=True)
