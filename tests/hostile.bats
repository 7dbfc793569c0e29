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

# --- ELF files the target controls (the ELF fuzzer's part) ---

@test "hostile: an executable claiming 4M sections (a sparse file) does not take pybpftop's memory and time" {
	# Debian's python3.11, its header saying "see section 0 for the count"
	# (e_shnum 0) and section 0 saying 4M, the file grown sparsely to hold
	# them: the kernel runs it as it is, libelf allocated 1.3 GB for it.
	exe=$HOSTILE_DIR/python3.11
	cp "$HOSTILE_PY" "$exe"
	python3 - "$exe" <<'PY'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(0x28); shoff, = struct.unpack("<Q", f.read(8))
    f.seek(0x3c); f.write(struct.pack("<H", 0))
    f.seek(shoff + 32); f.write(struct.pack("<Q", 4 << 20))
    f.truncate(shoff + (4 << 20) * 64)
PY
	chmod 755 "$exe"
	cat >"$HOSTILE_DIR/sleeper.py" <<'PY'
import os, sys, time
sys.stdout.write("READY %d\n" % os.getpid())
sys.stdout.flush()
time.sleep(60)
PY
	HOSTILE_PY=$exe start_hostile as_mallory "$HOSTILE_DIR/sleeper.py"
	run run_bounded 20 100 "$PYBPFTOP" record -p "$WL_PID" -d 1
	echo "$output"
	[[ "$output" == *"peak RSS"* ]]
	[[ "$output" != *"over the RSS budget"* ]]
	[[ "$output" == *"_PyRuntime"* ]]
	assert_no_control_bytes "$OUT"
}
