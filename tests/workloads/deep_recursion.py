"""A recursion DEPTH frames deep whose leaf burns CPU."""
import sys
from _common import ready

DEPTH = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
sys.setrecursionlimit(DEPTH + 1000)


def leaf():
    ready()
    while True:
        pass


def recurse(n):
    if n == 0:
        leaf()
    recurse(n - 1)  # RECURSIVE CALL


recurse(DEPTH - 1)
