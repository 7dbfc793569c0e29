"""Stops at a known point, blocked on a pipe read, with known locals.

Before blocking, it prints (as JSON, after the READY line):
  "stack": traceback.format_stack() taken on the very line that blocks, so
           the innermost frame's line is the one the dump must show;
  "locals": repr() of each local of `wait_here`, in co_varnames order
           (the custom object as <TypeName object at 0x...>, as dump shows it).
A second thread blocks in `helper_thread` so that there is more than one."""
import json
import os
import sys
import threading
import traceback
from _common import ready, set_thread_name


class Custom:
    pass


def helper_thread(fd):
    set_thread_name("helper")
    os.read(fd, 1)


PLAIN = (int, float, str, bytes, tuple, list, dict, set, frozenset, bool, type(None))


def describe(variables):
    """repr() of each, as dump shows it: built-in values in full, other
    objects as <TypeName object at 0x...> (dump runs no __repr__)."""
    return {name: (repr(value) if type(value) in PLAIN else
                   "<%s object at %#x>" % (type(value).__name__, id(value)))
            for name, value in variables.items()}


def wait_here(fd, depth):
    small = 42
    negative = -7
    zero = 0
    big = 2 ** 200 + 1
    neg_big = -(3 ** 100)
    flt = 3.25
    tenth = 0.1
    text = "héllo ☃ wörld"
    raw = b"\x00ab\xff'"
    nested = {"a": [1, 2, {"b": (3,)}], "c": None, "d": (True, False)}
    items = [1, "two", 3.0, [4], ()]
    pair = (1, "x")
    obj = Custom()
    frozen = frozenset({5})
    captured = "in a cell"      # a cell variable: the lambda closes over it
    reader = lambda: captured  # noqa: E731
    report = {"locals": describe(locals())}
    report["stack"] = traceback.format_stack(); print(json.dumps(report)); sys.stdout.flush(); os.read(fd, 1)  # BLOCK


def descend(fd, n):
    if n == 0:
        wait_here(fd, 3)
    else:
        descend(fd, n - 1)


def main():
    r, _w = os.pipe()
    threading.Thread(target=helper_thread, args=(r,), daemon=True).start()
    ready()
    descend(r, 3)


main()
