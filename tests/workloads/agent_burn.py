"""Burns CPU in a function named by argv[1] (made at run time, so that each
process of a test has its own), for argv[2] seconds if given, else until
killed. Runs on CPython 3.8 and later."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ready  # noqa: E402

name = sys.argv[1]
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else None
# The function burns by itself, so that it is the leaf of its samples.
src = ("def %s(s):\n"
       "    end = time.thread_time() + s\n"
       "    while time.thread_time() < end:\n"
       "        pass\n") % name
code = compile(src, os.path.abspath(__file__), "exec")
scope = {"time": time}
exec(code, scope)
fn = scope[name]

ready()
if seconds is None:
    while True:
        fn(0.05)
else:
    fn(seconds)
