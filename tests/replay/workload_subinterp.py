# The walker replay test's workload with subinterpreters (3.12+): two
# threads each park in a known stack inside a subinterpreter of their own,
# and a third parks in the main interpreter. The interpreters list is
# newest first, so the main interpreter's thread is found only by following
# PyInterpreterState.next past both subinterpreters, and each subinterpreter
# thread has a second thread state, in the main interpreter (the one that
# called into the subinterpreter), with the same thread id: the walker must
# take the one it runs in (_status.bound_gilstate). The third thread ran
# code in a subinterpreter of its own before it parked (back_in_main).
#
# Each thread reports its own stack from where it parks (a subinterpreter's
# frames are not in the main interpreter's sys._current_frames()), through
# a file; the main thread prints them as one JSON line, then "READY <pid>"
# (the format of workload.py, which tools/record-snapshots.sh runs the same
# way). 3.12: _xxsubinterpreters.run_string runs in the thread state the
# interpreter was created with, so each thread creates its own interpreter.
import json
import os
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def stack_of(frame):
    out = []
    while frame is not None:
        code = frame.f_code
        out.append({"name": getattr(code, "co_qualname", code.co_name),
                    "file": code.co_filename, "line": frame.f_lineno})
        frame = frame.f_back
    return out


def park(path):
    """Write this stack, as it will be while parked, then park."""
    frames = stack_of(sys._getframe())
    frames[0]["line"] = park.__code__.co_firstlineno + 8  # the sleep below
    with open(path + ".tmp", "w") as f:
        json.dump({"name": threading.current_thread().name, "ident": threading.get_ident(),
                   "native_id": threading.get_native_id(), "frames": frames}, f)
    os.rename(path + ".tmp", path)
    time.sleep(100000)


def deep(n, path):
    if n == 0:
        return park(path)
    return deep(n - 1, path)


def in_subinterpreter(mod, depth, path, ids):
    interp = mod.create()
    ids[threading.current_thread().name] = int(interp)
    script = ("import sys\nsys.path.insert(0, %r)\nimport workload_subinterp\n"
              "workload_subinterp.deep(%d, %r)\n" % (HERE, depth, path))
    if hasattr(mod, "exec"):
        mod.exec(interp, script)
    else:
        mod.run_string(interp, script)


def back_in_main(mod, depth, path):
    """Run something in a subinterpreter of its own, come back, park in
    the main interpreter. On 3.12 the subinterpreter keeps the thread
    state it was created with, with this thread's id, ahead of this
    thread's own in the scan: only the bound_gilstate bit tells them
    apart."""
    interp = mod.create()
    if hasattr(mod, "exec"):
        mod.exec(interp, "pass")
    else:
        mod.run_string(interp, "pass")
    deep(depth, path)


def main():
    try:
        import _interpreters as mod
    except ImportError:
        import _xxsubinterpreters as mod
    tmp = tempfile.mkdtemp(prefix="pybpftop-replay-")
    paths = [os.path.join(tmp, "t%d.json" % i) for i in range(3)]
    ids = {}
    threads = [threading.Thread(target=in_subinterpreter, args=(mod, 8 + 3 * i, paths[i], ids),
                                name="sub-%d" % i, daemon=True) for i in range(2)]
    threads.append(threading.Thread(target=back_in_main, args=(mod, 10, paths[2]), name="main-0",
                                    daemon=True))
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while not all(os.path.exists(p) for p in paths):
        if time.monotonic() > deadline:
            sys.exit("the workers did not park")
        time.sleep(0.01)
    time.sleep(0.2)  # from the file's rename to the sleep itself
    reports = []
    for p in paths:
        with open(p) as f:
            reports.append(json.load(f))
        os.unlink(p)
    os.rmdir(tmp)
    # A subinterpreter's threading names its thread "Thread-1": the name
    # the main interpreter gave it is the one to report.
    for t, r in zip(threads, reports):
        r["name"] = t.name
        r["interpreter"] = ids.get(t.name, 0)
    truth = {
        "version": "%d.%d.%d" % sys.version_info[:3],
        "sys_version": sys.version,
        "executable": sys.executable,
        "pid": os.getpid(),
        "threads": reports,
    }
    print(json.dumps(truth))
    print("READY", os.getpid(), flush=True)
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
