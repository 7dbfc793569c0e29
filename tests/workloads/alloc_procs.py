"""For alloc --subprocesses and exec handling. Each process allocates a
known number of bytes at a marked line, keeps them, and prints the truth
as "BYTES MARK N" (children print theirs too, to the same stdout).

  alloc_procs.py tree [--go]  a child exec'd before READY (it waits), then on
      SIGUSR1 (or at once with --go): the parent allocates at PARENT_LINE,
      tells the early child to allocate at EXEC_LINE, and forks two
      children that allocate at FORK_LINE; "LOOPDONE" when all are done,
      then it waits to be killed (or exits with --go)
  alloc_procs.py exec [S]     allocates at BEFORE_EXEC, then execs itself
      into `exec-after`, which allocates at AFTER_EXEC, holds it S seconds
      and exits"""
import os
import signal
import subprocess
import sys
import time
from _common import ready

CHILD = "import sys; sys.path.insert(0, %r); import alloc_procs; alloc_procs.exec_child()"


# A line of its own for each site's bytes.
SITES = {
    "PARENT_LINE": lambda n: [bytearray(16384) for _ in range(n)],   # PARENT_LINE
    "FORK_LINE": lambda n: [bytearray(16384) for _ in range(n)],     # FORK_LINE
    "EXEC_LINE": lambda n: [bytearray(16384) for _ in range(n)],     # EXEC_LINE
    "BEFORE_EXEC": lambda n: [bytearray(16384) for _ in range(n)],   # BEFORE_EXEC
    "AFTER_EXEC": lambda n: [bytearray(16384) for _ in range(n)],    # AFTER_EXEC
}


def fill(mb, mark):
    keep = SITES[mark](mb * 64)
    # One write: children print to the same pipe.
    sys.stdout.write("BYTES %s %d\n" % (mark, sum(len(b) for b in keep)))
    sys.stdout.flush()
    return keep


def wait_usr1():
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
    signal.sigwait([signal.SIGUSR1])


def exec_child():
    wait_usr1()
    keep = fill(8, "EXEC_LINE")
    time.sleep(0.3)
    return keep


def tree(go):
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
    here = os.path.dirname(os.path.abspath(__file__))
    early = subprocess.Popen([sys.executable, "-c", CHILD % here])
    if not go:
        ready()
        signal.sigwait([signal.SIGUSR1])
    keep = fill(16, "PARENT_LINE")
    early.send_signal(signal.SIGUSR1)
    kids = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            # Not `keep`: freeing the parent's list would copy its pages
            # (copy-on-write), and a copy is new memory too.
            mine = fill(8, "FORK_LINE")
            # Stacks are named by reading the process's code objects when
            # they are drained: live on until then.
            time.sleep(0.3)
            del mine
            os._exit(0)
        kids.append(pid)
    for pid in kids:
        os.waitpid(pid, 0)
    early.wait()
    print("LOOPDONE", flush=True)
    if not go:
        signal.pause()
    return keep


if __name__ == "__main__":
    if sys.argv[1] == "tree":
        tree("--go" in sys.argv)
    elif sys.argv[1] == "exec":
        keep = fill(16, "BEFORE_EXEC")
        # Stacks are named when drained, and an exec takes the code they
        # name with it: give the last ones time to be drained.
        time.sleep(0.2)
        os.execv(sys.executable, [sys.executable, os.path.abspath(__file__), "exec-after"] + sys.argv[2:])
    else:
        # Held for a while, for a report (-d) that sees it live.
        keep = fill(8, "AFTER_EXEC")
        time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 0)
