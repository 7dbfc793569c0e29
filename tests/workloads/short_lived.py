"""Burns CPU for a given time, then exits: the target exits mid-recording."""
import sys
import time
from _common import ready


def busy_until(t):
    while time.time() < t:
        pass


ready()
busy_until(time.time() + float(sys.argv[1] if len(sys.argv) > 1 else 1.0))
