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
