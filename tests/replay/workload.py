# The walker replay test's workload: three threads block inside a known
# stack, and the interpreter itself says what that stack is.
#
# Each thread runs Thread.run -> worker -> Walker.method -> deep() recursing
# 20, 23 or 26 times -> outer -> outer.<locals>.closure -> a lambda -> a
# generator -> a coroutine -> a function with a non-ASCII name (a latin-1,
# a UCS-2 and a UCS-4 str), which blocks on a lock. next() and send() call
# back into Python from C, so 3.12+ puts shim frames in the chain.
#
# The main thread waits until the three block at that line, reads their
# stacks with sys._current_frames() (co_qualname on 3.11+, else co_name;
# co_filename; f_lineno), prints them as one JSON line, then "READY <pid>",
# and waits to be killed. tools/record-snapshots.sh runs it and
# tools/record_walk.c records it. Python 3.8+.
import _thread
import json
import os
import sys
import threading
import time

GATE = _thread.allocate_lock()	# held by main: the workers block on it
GATE.acquire()


def café():
    GATE.acquire()


def 日本語():
    GATE.acquire()


def 𠀋():	# U+2000B, outside the BMP
    GATE.acquire()


BLOCKERS = (café, 日本語, 𠀋)
BLOCK_CODES = [f.__code__ for f in BLOCKERS]


async def coro(leaf):
    leaf()


def gen(leaf):
    c = coro(leaf)
    c.send(None)
    yield


def outer(leaf):
    def closure():
        return (lambda: next(gen(leaf)))()
    return closure()


def deep(n, leaf):
    if n == 0:
        return outer(leaf)
    return deep(n - 1, leaf)


class Walker:
    def method(self, n, leaf):
        return deep(n, leaf)


def worker(i):
    Walker().method(20 + 3 * i, BLOCKERS[i])


def stack_of(frame):
    out = []
    while frame is not None:
        code = frame.f_code
        out.append({"name": getattr(code, "co_qualname", code.co_name),
                    "file": code.co_filename, "line": frame.f_lineno})
        frame = frame.f_back
    return out


def blocked(frame):
    return (frame is not None and frame.f_code in BLOCK_CODES
            and frame.f_lineno == frame.f_code.co_firstlineno + 1)


def main():
    threads = [threading.Thread(target=worker, args=(i,), name="replay-%d" % i, daemon=True)
               for i in range(3)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while True:
        frames = sys._current_frames()
        if all(blocked(frames.get(t.ident)) for t in threads):
            break
        if time.monotonic() > deadline:
            sys.exit("the workers did not block")
        time.sleep(0.01)
    truth = {
        "version": "%d.%d.%d" % sys.version_info[:3],
        "sys_version": sys.version,
        "executable": sys.executable,
        "pid": os.getpid(),
        "threads": [{"name": t.name, "ident": t.ident, "native_id": t.native_id,
                     "frames": stack_of(frames[t.ident])} for t in threads],
    }
    print(json.dumps(truth))
    print("READY", os.getpid(), flush=True)
    for t in threads:
        t.join()


main()
