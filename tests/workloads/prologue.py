"""Calls, in a loop, a function whose time is almost all its prologue.

cells_only() takes 250 arguments that a nested function (never run) refers
to: each is a cell, made by one MAKE_CELL before its first RESUME (3.11+:
_co_firsttraceable), and its body is a global load and a return. While the
cells are being made, CPython's frame is "incomplete": tracebacks,
sys._getframe() and sys._current_frames() do not show it, and the caller,
in its CALL, is the innermost frame. Before 3.11 the cells are made before
the frame runs, with the caller innermost as well. The cells are freed
after the frame is popped, in the caller too. So cells_only() is the
innermost frame only for its two-instruction body."""
import sys
from _common import ready

NEVER = False
N = 250
ARGS = tuple(range(N))
names = ", ".join("a%d" % i for i in range(N))
exec(
    "def cells_only(%s):\n"
    "    if NEVER:\n"
    "        def inner():\n"
    "            return (%s)\n"
    "    return 0\n" % (names, names),
    globals(),
)


def caller():
    args = ARGS
    f = cells_only
    while True:
        f(*args)


if __name__ == "__main__":
    code = cells_only.__code__
    assert len(code.co_cellvars) == N, code.co_cellvars
    ready()
    caller()
