"""Code that keeps being compiled, run and dropped, so that code objects
die and new ones take their addresses: two families of functions, alpha_*
and omega_*, compiled afresh for every call from one template (same size,
same file), alpha_* given 3 times omega_*'s work. A profiler that names a
code object by its address after it died names some of alpha's samples
omega and the reverse, or not at all; the split must stay 75/25."""
import sys
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
    ns[name](n)


def main():
    work = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    ready()
    k = 0
    while True:
        k += 1
        run("alpha", k, 3 * work)
        run("omega", k, work)


main()
