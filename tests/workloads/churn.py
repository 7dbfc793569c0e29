"""Threads whose stacks and locals change all the time: they recurse to a
varying depth and rebuild containers in a loop, so a dump reads memory
that moves under it (torn reads, freed objects)."""
import threading
from _common import ready, set_thread_name


def churn_leaf(seed):
    data = {}
    items = []
    for i in range(200):
        data[str(i * seed)] = [i] * (i % 7)
        items.append((i, "x" * (i % 50)))
        if i % 50 == 0:
            data = {}
            items = items[-3:]
    return len(data)


def churn_down(depth, seed):
    if depth == 0:
        return churn_leaf(seed)
    return churn_down(depth - 1, seed)


def churner(n):
    set_thread_name("churn-%d" % n)
    k = n
    while True:     # no library calls here: the test knows every function
        k += 1
        churn_down(k * 7 % 39 + 1, k % 1000 + 1)


for n in range(3):
    threading.Thread(target=churner, args=(n,), daemon=True).start()
ready()
churner(3)
