"""A function whose time is spent on one known line (marked HOT)."""
from _common import ready

DATA = list(range(20000, 0, -1))


def hot_line_function():
    while True:
        a = 1
        b = sorted(DATA)  # HOT
        c = a + len(b)


ready()
hot_line_function()
