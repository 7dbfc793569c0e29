# Targets that attack the profiler (issue 11, docs/security.md): each test
# is an attack that worked once, run by an unprivileged user or from a
# jail, and checks that the secret stays unprinted, the victim file
# unchanged, the command within its time and memory, the output free of
# control bytes.
load lib/hostile

setup() {
	hostile_setup
}

teardown() {
	hostile_teardown
}

@test "hostile: the helpers themselves: a jailed sleeper runs as the user, and sees no host file" {
	make_jail
	cat >"$JAIL/app/probe.py" <<'PY'
import os, sys, time
sys.stdout.write("uid %d host-secret-visible %s\n" % (os.getuid(), os.path.exists(sys.argv[1])))
sys.stdout.write("READY %d\n" % os.getpid())
sys.stdout.flush()
time.sleep(60)
PY
	start_hostile in_jail /app/probe.py "$SECRET"
	cat "$WL_OUT"
	grep -qx "uid $(id -u "$MALLORY") host-secret-visible False" "$WL_OUT"
	[ "$(readlink /proc/"$WL_PID"/root)" = "$JAIL" ]
	run_bounded 10 50 sh -c "printf 'ok\n'"
	assert_no_control_bytes "$OUT"
	printf 'a\033]0;x\007b\n' >"$HOSTILE_DIR/esc"
	! assert_no_control_bytes "$HOSTILE_DIR/esc"
}

# --- Processes are (pid, start time) ---

@test "hostile: a process that takes the pid of a followed child that exited is not recorded under it" {
	cat >"$HOSTILE_DIR/parent.py" <<'PY'
import os, signal, sys, time
def victim_child():
    end = time.time() + 1
    while time.time() < end:
        pass
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
sys.stdout.write("READY %d\n" % os.getpid()); sys.stdout.flush()
signal.sigwait({signal.SIGUSR1})
pid = os.fork()
if pid == 0:
    victim_child()
    os._exit(0)
os.waitpid(pid, 0)
sys.stdout.write("CHILD %d\n" % pid); sys.stdout.flush()
time.sleep(4)
PY
	cat >"$HOSTILE_DIR/mallory.py" <<'PY'
import time
def mallory_burn():
    end = time.time() + 3
    while time.time() < end:
        pass
mallory_burn()
PY
	chmod 644 "$HOSTILE_DIR"/*.py
	start_hostile as_root "$HOSTILE_DIR/parent.py"
	"$PYBPFTOP" record -p "$WL_PID" --subprocesses -r 997 -o "$HOSTILE_DIR/out.folded" 2>"$HOSTILE_DIR/rec.log" &
	rec=$!
	wait_line "$HOSTILE_DIR/rec.log" "sampling pid" "$rec"
	kill -USR1 "$WL_PID"
	wait_line "$WL_OUT" "^CHILD " "$WL_PID"
	child=$(sed -n 's/^CHILD //p' "$WL_OUT")
	# The unprivileged user's process gets the child's pid: the next pid
	# handed out follows ns_last_pid (retried if another fork came first).
	got=
	for _ in $(seq 50); do
		echo $((child - 1)) >/proc/sys/kernel/ns_last_pid
		as_mallory "$HOSTILE_PY" "$HOSTILE_DIR/mallory.py" &
		got=$!
		[ "$got" = "$child" ] && break
		kill "$got" 2>/dev/null; wait "$got" 2>/dev/null || true
	done
	echo "child $child, mallory's process $got"
	[ "$got" = "$child" ]
	wait "$got"
	wait "$rec"
	cat "$HOSTILE_DIR/rec.log"
	[ "$($FOLDED has "$HOSTILE_DIR/out.folded" victim_child)" -gt 0 ]	# the child was followed
	[ "$($FOLDED has "$HOSTILE_DIR/out.folded" mallory_burn)" -eq 0 ]
}
