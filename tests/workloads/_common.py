"""Helpers shared by the test workloads (runs on CPython 3.8 and later)."""
import ctypes
import os
import sys
import time


def set_thread_name(name):
    """Set the OS name of the calling thread (what /proc/.../comm shows)."""
    try:
        libc = ctypes.CDLL(None)
        libc.prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass


def ready():
    """Tell the test we are running: it waits for this line."""
    sys.stdout.write("READY %d\n" % os.getpid())
    sys.stdout.flush()


def burn(seconds):
    """Spin on this thread's CPU clock for `seconds` of CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass
