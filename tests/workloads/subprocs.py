"""A parent that starts Python children three ways: a `subprocess.run`
child started before READY (so before a profiler attached with -p), then,
a second after READY, a multiprocessing.Pool(4) and another exec'd child.
Each child burns CPU in its own known function; the parent prints the pids
that ran each one, which is the truth the test checks the profile against:
  CHILD_PIDS pid pid      (child_task, in subprocs_child.py: the exec'd children)
  POOL_PIDS pid ...       (pool_task: the pool's workers)"""
import multiprocessing
import os
import subprocess
import sys
import time
from _common import burn, ready

CHILD = "import sys; sys.path.insert(0, %r); from subprocs_child import child_task; child_task(%s)"


def pool_task(_):
    burn(0.4)
    return os.getpid()


def start_child(seconds):
    here = os.path.dirname(os.path.abspath(__file__))
    return subprocess.Popen([sys.executable, "-c", CHILD % (here, seconds)])


if __name__ == "__main__":
    early = start_child(3.0)
    time.sleep(0.5)         # the child is running Python when we say READY
    ready()
    time.sleep(1.0)         # the profiler attaches
    with multiprocessing.Pool(4) as pool:
        pool_pids = set(pool.map(pool_task, range(8), chunksize=1))
    late = start_child(1.0)
    late.wait()
    early.wait()
    print("CHILD_PIDS %d %d" % (early.pid, late.pid), flush=True)
    print("POOL_PIDS " + " ".join(str(p) for p in sorted(pool_pids)), flush=True)
