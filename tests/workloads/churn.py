"""Threads whose stacks and locals change all the time: they recurse to a
varying depth and rebuild containers in a loop, so a dump reads memory
that moves under it (torn reads, freed objects)."""
import random
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
    rnd = random.Random(n)
    while True:
        churn_down(rnd.randrange(1, 40), rnd.randrange(1, 1000))


for n in range(3):
    threading.Thread(target=churner, args=(n,), daemon=True).start()
ready()
churner(3)
