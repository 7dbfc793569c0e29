"""Code that keeps being compiled, run and dropped, so that code objects
die and new ones take their addresses: two families of functions, alpha_*
and omega_*, compiled afresh for every call from one template (same size,
same file), alpha_* given 3 times omega_*'s work. A profiler that names a
code object by its address after it died names some of alpha's samples
omega and the reverse, or after another of its family: each call prints
"RAN NAME SECONDS", so that no name may hold more samples than it ran
for, and the split must stay 75/25."""
import sys
import time
from _common import ready

TEMPLATE = """def {name}(n):
    t = 0
    for i in range(n):
        t += i * i % 7
    return t
"""


def run(family, k, n):
    name = "%s_%06d" % (family, k)
    ns = {}
    exec(compile(TEMPLATE.format(name=name), "<churn>", "exec"), ns)
    # No cycle through the globals: the function and its code object die
    # when the call returns, and the next one takes the same address.
    f = ns.pop(name)
    t0 = time.perf_counter()
    f(n)
    del f
    sys.stdout.write("RAN %s %.6f\n" % (name, time.perf_counter() - t0))
    sys.stdout.flush()


def main():
    work = int(sys.argv[1]) if len(sys.argv) > 1 else 300000
    ready()
    k = 0
    while True:
        k += 1
        run("alpha", k, 3 * work)
        run("omega", k, work)


main()
