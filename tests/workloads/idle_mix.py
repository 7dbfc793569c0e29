"""Threads that spend the whole run off the CPU, each blocked in its own
known function, plus one busy thread: the truth for --idle is that each of
the five threads (main included) gets a fifth of the wall-clock samples.
They block before READY, so the profiler attaches to threads that are
already asleep and never wake."""
import os
import threading
import time
from _common import burn, ready, set_thread_name

held = threading.Lock()
held.acquire()      # never released: lock_waiter blocks on it for good
read_end, write_end = os.pipe()     # nobody ever writes
started = threading.Barrier(5)


def sleeper():
    set_thread_name("sleeper")
    started.wait()
    while True:
        time.sleep(3600)


def lock_waiter():
    set_thread_name("lock-waiter")
    started.wait()
    held.acquire()


def pipe_reader():
    set_thread_name("pipe-reader")
    started.wait()
    os.read(read_end, 1)


def busy():
    set_thread_name("busy")
    started.wait()
    while True:
        burn(1.0)


def main_waits():
    started.wait()
    ready()
    while True:
        time.sleep(3600)


for f in (sleeper, lock_waiter, pipe_reader, busy):
    threading.Thread(target=f, name=f.__name__, daemon=True).start()
main_waits()
