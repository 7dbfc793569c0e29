"""What subprocs.py's exec'd children run: a module of its own, so that
the parent never has a `child_task` code object of its own."""
from _common import burn


def child_task(seconds):
    burn(seconds)
