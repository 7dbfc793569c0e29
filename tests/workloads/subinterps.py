"""Two threads running code in two subinterpreters, each burning CPU in
its own function (subinterp_work.py), and the main thread burning in a
third, main_burn(), in the main interpreter.

3.14+: concurrent.interpreters, Interpreter.call_in_thread(); 3.13:
_interpreters.exec(); 3.12: _xxsubinterpreters.run_string(). On 3.12 a
subinterpreter runs in the thread state it was created with (run_string
swaps to the interpreter's first thread state), so each thread creates its
own interpreter there; it does the same on 3.13 to keep one shape.

Prints "INTERP sub_a=ID sub_b=ID" (PyInterpreterState.id of each), then
"READY PID". With --check it only says which API it would use ("API
concurrent.interpreters"...). Without any: "NO-SUBINTERPRETERS <why>" and
exit status 3 (3.8-3.11 have _xxsubinterpreters, as a test module with
one GIL for all: not what this is about)."""
import os
import sys
import threading
import time
from _common import ready, set_thread_name

HERE = os.path.dirname(os.path.abspath(__file__))
SETUP = "import sys; sys.path.insert(0, %r)\n" % HERE


def main_burn():
    n = 0
    while True:
        n += 1  # MAIN


def low_level_module():
    for name in ("_interpreters", "_xxsubinterpreters"):
        try:
            return __import__(name)
        except ImportError:
            pass
    return None


def no_subinterpreters():
    print("NO-SUBINTERPRETERS Python %d.%d: subinterpreters with their own GIL need "
          "3.12+ (_xxsubinterpreters 3.12, _interpreters 3.13, concurrent.interpreters "
          "3.14)" % sys.version_info[:2])
    sys.exit(3)


def start_low_level(mod, func, thread_name, ids):
    """Create an interpreter in a new thread and run func in it there."""
    created = threading.Event()

    def run():
        set_thread_name(thread_name)
        interp = mod.create()
        ids[func] = int(interp)
        created.set()
        script = SETUP + "import subinterp_work\nsubinterp_work.%s()\n" % func
        if hasattr(mod, "exec"):
            mod.exec(interp, script)
        else:
            mod.run_string(interp, script)

    threading.Thread(target=run, name=thread_name, daemon=True).start()
    created.wait(10)


def main():
    ids = {}
    try:
        from concurrent import interpreters
    except ImportError:
        interpreters = None
    if "--check" in sys.argv:
        mod = low_level_module() if sys.version_info >= (3, 12) else None
        if interpreters is None and mod is None:
            no_subinterpreters()
        print("API %s" % ("concurrent.interpreters" if interpreters else mod.__name__))
        return
    if interpreters is not None:
        sys.path.insert(0, HERE)
        import subinterp_work
        for func, name in (("burn_in_sub_a", "sub-a"), ("burn_in_sub_b", "sub-b")):
            interp = interpreters.create()
            interp.exec(SETUP)
            ids[func] = interp.id
            t = interp.call_in_thread(getattr(subinterp_work, func))
            # The OS thread's name, from here: ctypes is not for isolated
            # subinterpreters.
            for _ in range(100):
                if t.native_id:
                    break
                time.sleep(0.01)
            try:
                with open("/proc/self/task/%d/comm" % t.native_id, "w") as f:
                    f.write(name)
            except OSError:
                pass
    else:
        mod = low_level_module() if sys.version_info >= (3, 12) else None
        if mod is None:
            no_subinterpreters()
        start_low_level(mod, "burn_in_sub_a", "sub-a", ids)
        start_low_level(mod, "burn_in_sub_b", "sub-b", ids)
    set_thread_name("main-burn")
    print("INTERP sub_a=%d sub_b=%d" % (ids["burn_in_sub_a"], ids["burn_in_sub_b"]))
    ready()
    main_burn()


main()
