"""Code churn for the agent's frame-table reset: a steady function, then a
function of a new name each time, for ever (each sampled about once at
999 Hz, so that every few milliseconds brings a new name). steady_hot and the
churned functions burn 1 ms each; compiling takes the rest. CPython 3.8+."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ready  # noqa: E402


def steady_hot():
    # Its own loop, not _common.burn: it must be the leaf of its samples.
    end = time.thread_time() + 0.001
    while time.thread_time() < end:
        pass


SRC = ("def churned_function_with_a_rather_long_name_%d():\n"
       "    end = time.thread_time() + 0.001\n"
       "    while time.thread_time() < end:\n"
       "        pass\n")

ready()
i = 0
while True:
    scope = {"time": time}
    exec(compile(SRC % i, "<churn %d>" % i, "exec"), scope)
    scope["churned_function_with_a_rather_long_name_%d" % i]()
    steady_hot()
    i += 1
