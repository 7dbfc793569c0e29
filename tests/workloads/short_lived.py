"""Burns CPU for a given time, then exits: the target exits mid-recording.

usage: short_lived.py [SECONDS] [--after-usr1]
With --after-usr1 the time starts at SIGUSR1 (the profiler has attached),
so that a slow attach cannot find the process gone already."""
import signal
import sys
import time
from _common import ready


def busy_until(t):
    while time.time() < t:
        pass


args = [a for a in sys.argv[1:] if a != "--after-usr1"]
go = []
signal.signal(signal.SIGUSR1, lambda *_: go.append(1))
ready()
while "--after-usr1" in sys.argv and not go:
    time.sleep(0.01)
busy_until(time.time() + float(args[0] if args else 1.0))
