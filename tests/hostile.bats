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

# --- One way to open a file on a target's behalf (proc/target_files.c):
# source files are opened in the target's root, as its user, regular files
# only, through a cache by (device, inode) under budgets.

# block_script DIR: DIR/block.py runs one code object per file name it is
# given, each compiled under that name with its call on line 2, nested so
# that all are on the stack at once, innermost last. At the bottom it
# sleeps ("sleep") or allocates 1 MiB blocks for a while ("alloc").
block_script() {
	cat >"$1/block.py" <<'PY'
import os, sys, time
def ready():
    sys.stdout.write("READY %d\n" % os.getpid())
    sys.stdout.flush()
    if mode == "alloc":
        keep = []
        for _ in range(3000):
            keep.append(bytearray(1 << 20))
            if len(keep) > 100:
                keep = keep[50:]
            time.sleep(0.005)
    time.sleep(60)
mode, names = sys.argv[1], sys.argv[2:]
fn = ready
for name in reversed(names):
    ns = {}
    exec(compile("def f(nxt):\n    nxt()\n", name, "exec"), ns)
    fn = (lambda f, n: lambda: f(n))(ns["f"], fn)
fn()
PY
}

# dump_no_secret [DUMP OPTION...]: dump the workload, in text and JSON,
# within 20 s and 200 MiB; the secret is printed by neither.
dump_no_secret() {
	run_bounded 20 200 "$PYBPFTOP" dump -p "$WL_PID" "$@"
	grep -q 'in f$' "$OUT"
	assert_no_secret "$OUT"
	run_bounded 20 200 "$PYBPFTOP" dump -p "$WL_PID" --json "$@"
	assert_no_secret "$OUT"
}

@test "hostile: co_filename naming a root-only file: dump does not print it" {
	block_script "$HOSTILE_DIR"
	start_hostile as_mallory "$HOSTILE_DIR/block.py" sleep "$SECRET"
	dump_no_secret
	grep -qF "File \"$SECRET\", line 2, in f" "$OUT" || grep -qF "\"file\":\"$SECRET\"" "$OUT" ||
		grep -qF "\"file\": \"$SECRET\"" "$OUT"
}

@test "hostile: a file readable by root only, named as the target's own source: not printed" {
	own=$HOSTILE_DIR/own.py
	printf 'first %s\nsecond %s\n' "$SECRET_TEXT" "$SECRET_TEXT" >"$own"
	chmod 600 "$own"
	block_script "$HOSTILE_DIR"
	start_hostile as_mallory "$HOSTILE_DIR/block.py" sleep "$own"
	dump_no_secret
	# Its own readable files are still quoted.
	printf 'def f(nxt):\n    nxt()  # QUOTED\n' >"$HOSTILE_DIR/mine.py"
	stop_workload
	start_hostile as_mallory "$HOSTILE_DIR/block.py" sleep "$own" "$HOSTILE_DIR/mine.py"
	run_bounded 20 200 "$PYBPFTOP" dump -p "$WL_PID"
	grep -qx '    nxt()  # QUOTED' "$OUT"
	assert_no_secret "$OUT"
}

@test "hostile: a jail whose /app/x.py is a symlink to a host file: dump and alloc do not print it" {
	make_jail
	block_script "$JAIL/app"
	ln -s "$SECRET" "$JAIL/app/x.py"
	start_hostile in_jail /app/block.py alloc /app/x.py
	dump_no_secret
	run_bounded 30 300 "$PYBPFTOP" alloc -p "$WL_PID" -d 2 -g traceback -n 0
	grep -qF 'File "/app/x.py", line 2, in f' "$OUT"
	assert_no_secret "$OUT"
	run_bounded 30 300 "$PYBPFTOP" alloc -p "$WL_PID" -d 2 --allocated -n 0
	assert_no_secret "$OUT"
}

@test "hostile: co_filename \"/../../..\$SECRET\" from a jail: not printed" {
	make_jail
	block_script "$JAIL/app"
	start_hostile in_jail /app/block.py sleep "/../../..$SECRET" "/proc/1/root$SECRET"
	dump_no_secret
}

@test "hostile: alloc show of a snapshot naming a host file: no source lines as root, but in --source-root" {
	snap=$HOSTILE_DIR/snap.json
	cat >"$snap" <<JSON
{"format":"pybpftop-alloc-snapshot","version":1,"mode":"exact","sample_bytes":0,"pid":1,"command":"x","python":"3.11","duration_s":1,"time_unix_ns":1,"traced":{"current":64,"peak":64,"allocated":64,"allocations":1},"frames":[["$SECRET",2,"f"],["/../../..$SECRET",1,"g"]],"traces":[{"frames":[0,1],"partial":false,"live_size":64,"live_count":1,"alloc_size":64,"alloc_count":1}]}
JSON
	run_bounded 10 100 "$PYBPFTOP" alloc show "$snap" -g traceback
	grep -qF "File \"$SECRET\", line 2, in f" "$OUT"
	assert_no_secret "$OUT"
	grep -q 'source lines not shown.*--source-root' "$OUT"
	run_bounded 10 100 "$PYBPFTOP" alloc diff "$snap" "$snap" -g traceback
	assert_no_secret "$OUT"
	# In a root of the user's choice the same names are its files; a
	# symlink there to the host's file resolves in it too.
	src=$HOSTILE_DIR/src
	mkdir -p "$src$SECRET_DIR" "$src/elsewhere"
	printf 'planted one\nplanted two\n' >"$src$SECRET"
	ln -s "$SECRET" "$src/elsewhere/link.py"
	run_bounded 10 100 "$PYBPFTOP" alloc show "$snap" -g traceback --source-root "$src"
	grep -qx '    planted two' "$OUT"
	grep -qx '    planted one' "$OUT"
	assert_no_secret "$OUT"
	sed -i "s|\"$SECRET\",2|\"/elsewhere/link.py\",2|" "$snap"
	run_bounded 10 100 "$PYBPFTOP" alloc show "$snap" -g traceback --source-root "$src"
	grep -qx '    planted two' "$OUT"
	assert_no_secret "$OUT"
	run "$PYBPFTOP" alloc show "$snap" --source-root /no/such/dir
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot open --source-root /no/such/dir"* ]]
}

@test "hostile: a FIFO as a source file: dump ends within its time limit" {
	mkfifo "$HOSTILE_DIR/fifo.py"
	chmod 666 "$HOSTILE_DIR/fifo.py"
	block_script "$HOSTILE_DIR"
	start_hostile as_mallory "$HOSTILE_DIR/block.py" sleep "$HOSTILE_DIR/fifo.py"
	run_bounded 20 200 "$PYBPFTOP" dump -p "$WL_PID"
	grep -qF "File \"$HOSTILE_DIR/fifo.py\", line 2, in f" "$OUT"
}

@test "hostile: 20 names of one 15 MB source file: dump stays within 64 MiB" {
	big=$HOSTILE_DIR/big.py
	{ printf 'def f(nxt):\n    nxt()  # BIG\n'; head -c $((15 << 20)) /dev/zero | tr '\0' '#'; } >"$big"
	chmod 644 "$big"
	names=()
	for i in $(seq 10); do
		ln "$big" "$HOSTILE_DIR/hard$i.py"
		ln -s "$big" "$HOSTILE_DIR/soft$i.py"
		names+=("$HOSTILE_DIR/hard$i.py" "$HOSTILE_DIR/soft$i.py")
	done
	block_script "$HOSTILE_DIR"
	start_hostile as_mallory "$HOSTILE_DIR/block.py" sleep "${names[@]}"
	run_bounded 20 64 "$PYBPFTOP" dump -p "$WL_PID" -v
	[ "$(grep -c '^    nxt()  # BIG$' "$OUT")" -eq 20 ]
	grep -q "source files: 2 read" "$OUT"	# block.py and big.py
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

# --- One way to write an output file (issue 11, item 3; SUDO_UID of item 7) ---

# sleeper_script: HOSTILE_DIR/sleeper.py, a target that only sleeps.
sleeper_script() {
	cat >"$HOSTILE_DIR/sleeper.py" <<'PY'
import os, sys, time
sys.stdout.write("READY %d\n" % os.getpid())
sys.stdout.flush()
time.sleep(60)
PY
}

# mallory_dir: DROP, a directory MALLORY owns, where she plants what she likes.
mallory_dir() {
	DROP=$HOSTILE_DIR/drop
	mkdir "$DROP"
	chown "$MALLORY:$(id -gn "$MALLORY")" "$DROP"
}

# run_refused SECONDS CMD...: CMD must fail by itself (not by the time or
# memory limit, 500 MiB) within SECONDS; its output is in OUT.
run_refused() {
	local rc=0
	run_bounded "$1" 500 "${@:2}" 2>"$HOSTILE_DIR/bounds" || rc=$?
	cat "$HOSTILE_DIR/bounds"
	[ "$rc" -ne 0 ] || { echo "$2 did not fail" >&2; return 1; }
	! grep -q -e 'did not end within' -e 'over the RSS budget' "$HOSTILE_DIR/bounds"
}

@test "hostile: links planted at -o, --snapshot and the numbered snapshots' names are replaced; the root's files they point to are untouched" {
	mallory_dir
	sleeper_script
	victim=$SECRET_DIR/victim
	printf 'precious\n' >"$victim"
	sum=$(sha256sum <"$victim")
	for name in x.folded a.html s.json s.1.json; do
		as_mallory ln -s "$victim" "$DROP/$name"
	done
	start_hostile as_mallory "$HOSTILE_DIR/sleeper.py"
	# --idle: the sleeping target is sampled, so the profile is not empty.
	run_bounded 30 500 "$PYBPFTOP" record -p "$WL_PID" -d 1 --idle -o "$DROP/x.folded"
	run_bounded 30 500 "$PYBPFTOP" alloc -p "$WL_PID" -d 1.6 --snapshot-every 0.5 \
		--snapshot "$DROP/s.json" -o "$DROP/a.html"
	[ "$(sha256sum <"$victim")" = "$sum" ] || { echo "the victim was written" >&2; return 1; }
	for name in x.folded a.html s.json s.1.json; do
		[ -f "$DROP/$name" ] && [ ! -L "$DROP/$name" ] || { ls -l "$DROP" >&2; return 1; }
	done
	grep -q 'sleeper' "$DROP/x.folded"
	grep -q '"format": *"pybpftop-alloc-snapshot"' "$DROP/s.1.json"
	# No temporary file is left behind.
	[ "$(find "$DROP" -name '.*.tmp' | wc -l)" -eq 0 ]
}

@test "hostile: -o and --snapshot to a copy of /dev/full: ENOSPC is reported and the device node is not deleted" {
	sleeper_script
	mknod "$HOSTILE_DIR/full" c 1 7
	chmod 666 "$HOSTILE_DIR/full"
	start_hostile as_mallory "$HOSTILE_DIR/sleeper.py"
	# html: a page even without a sample, so there is something to write.
	for cmd in "record -f html -o" "alloc --snapshot"; do
		# shellcheck disable=SC2086 # the command and its option
		run_refused 30 "$PYBPFTOP" $cmd "$HOSTILE_DIR/full" -p "$WL_PID" -d 1 || rc=$?
		[ -c "$HOSTILE_DIR/full" ] || { echo "$cmd deleted the device node" >&2; return 1; }
		[ "${rc:-0}" -eq 0 ]
		grep -q "cannot write $HOSTILE_DIR/full: No space left on device" "$OUT"
	done
}

@test "hostile: -o or --snapshot in a directory that does not exist fails at once, before any BPF is loaded" {
	sleeper_script
	start_hostile as_mallory "$HOSTILE_DIR/sleeper.py"
	# -v says when a target is inspected and when sampling starts: the
	# error must be the only line, so nothing was read, loaded or sampled.
	run_refused 2 "$PYBPFTOP" record -v -p "$WL_PID" -d 10 -o /no/such/dir/x.folded
	[ "$(cat "$OUT")" = 'pybpftop: -o /no/such/dir/x.folded: directory /no/such/dir: No such file or directory' ]
	run_refused 2 "$PYBPFTOP" alloc -v -p "$WL_PID" -d 10 --snapshot /no/such/dir/s.json
	[ "$(cat "$OUT")" = 'pybpftop: --snapshot /no/such/dir/s.json: directory /no/such/dir: No such file or directory' ]
}

@test "hostile: an empty or garbage SUDO_UID or SUDO_GID is refused, and run mode's command never runs as root" {
	ran=$HOSTILE_DIR/ran
	for ids in "SUDO_UID= SUDO_GID=65534" "SUDO_UID=garbage SUDO_GID=65534" \
		   "SUDO_UID=4294967295 SUDO_GID=65534" "SUDO_UID=65534 SUDO_GID=12x"; do
		rm -f "$ran"
		# shellcheck disable=SC2086 # the two assignments
		run_refused 20 env $ids RAN="$ran" "$PYBPFTOP" record -- "$HOSTILE_PY" -c \
			'import os; open(os.environ["RAN"], "w").write("uid %d\n" % os.getuid())' || rc=$?
		[ ! -e "$ran" ] || { echo "with $ids the command ran: $(cat "$ran")" >&2; return 1; }
		[ "${rc:-0}" -eq 0 ]
		grep -q "SUDO_[UG]ID='.*' is not a .* id" "$OUT"
	done
}

@test "hostile: under sudo, -o into a directory only root may write is refused before recording; a file written belongs to the invoking user" {
	sleeper_script
	mallory_dir
	mkdir "$HOSTILE_DIR/root-only"
	start_hostile as_mallory "$HOSTILE_DIR/sleeper.py"
	ids="SUDO_UID=$(id -u "$MALLORY") SUDO_GID=$(id -g "$MALLORY")"
	# shellcheck disable=SC2086
	run_refused 2 env $ids "$PYBPFTOP" record -p "$WL_PID" -d 10 -o "$HOSTILE_DIR/root-only/x.folded"
	grep -q "directory $HOSTILE_DIR/root-only: Permission denied (for uid $(id -u "$MALLORY"), who ran sudo)" "$OUT"
	[ ! -e "$HOSTILE_DIR/root-only/x.folded" ]
	# shellcheck disable=SC2086
	run_bounded 30 500 env $ids "$PYBPFTOP" record -p "$WL_PID" -d 1 -o "$DROP/x.folded"
	[ "$(stat -c %u:%g "$DROP/x.folded")" = "$(id -u "$MALLORY"):$(id -g "$MALLORY")" ]
}

# --- Text output escapes control characters (issue 11, item 6) ---
# A target names its file, function, locals, threads, process and command
# line with `\e]0;pwned\a\e[2J` (retitle, clear), U+009B (a C1 CSI), DEL
# and a newline. Every text output shows them escaped, and recognisable.

# write_evil_names DIR: DIR/evil_names.py, which writes its hot code to a
# file named after the escapes (in DIR, which MALLORY may write) and runs
# it in a thread, allocating as it goes.
write_evil_names() {
	chown "$MALLORY" "$1"
	cat >"$1/evil_names.py" <<'PY'
import ctypes, os, sys, threading, time

EVIL = "\x1b]0;pwned\x07\x1b[2J\x9b\x7f\n"
libc = ctypes.CDLL(None)

def set_comm(name):
    libc.prctl(15, ctypes.c_char_p(name), 0, 0, 0)	# PR_SET_NAME

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "evil" + EVIL + ".py")
comment = EVIL.replace("\n", "")
src = ("def spin():\n"
       "    evil = %r\n"
       "    keep, i = [], 0\n"
       "    while True:\n"
       "        i += 1\n"
       "        if i %% 256 == 0: keep.append(bytearray(4096))  # %s\n"
       "        x = sum(range(500))  # %s\n") % (EVIL, comment, comment)
with open(path, "w") as f:
    f.write(src)
ns = {}
exec(compile(src, path, "exec"), ns)
spin = ns["spin"]
code = spin.__code__
spin.__code__ = code.replace(co_name=EVIL, co_qualname="Q" + EVIL,
                             co_varnames=tuple(n + EVIL for n in code.co_varnames))

def worker():
    set_comm(b"T\x1b[2J\xc2\x9b\x7f\n")
    spin()

set_comm(b"P\x1b]0;pw\x07\xc2\x9b\x7f\n")
threading.Thread(target=worker, daemon=True).start()
sys.stdout.write("READY %d\n" % os.getpid())
sys.stdout.flush()
time.sleep(600)
PY
}

# The escapes, as every text output shows them (and the command line's
# argument, whose newline /proc's reader makes a space).
ESC_Q='Q\x1b]0;pwned\x07\x1b[2J\u009b\x7f\n'
ESC_FILE='evil\x1b]0;pwned\x07\x1b[2J\u009b\x7f\n.py'
ESC_ARG='\x1b]0;pwned\x07\x1b[2J\u009b\x7f ARG'
EVIL_ARG=$'\e]0;pwned\a\e[2J\xc2\x9b\x7f\nARG'

# shown FILE TEXT...: each TEXT is in FILE, as it is.
shown() {
	local file=$1
	shift
	for text; do
		grep -q -F -- "$text" "$file" || { echo "not shown: $text" >&2; return 1; }
	done
}

# evil_names_outputs: every text output of pybpftop on the evil target
# (WL_PID), each free of control bytes and showing the names escaped.
evil_names_outputs() {
	run_bounded 30 200 "$PYBPFTOP" dump -p "$WL_PID" --locals
	assert_no_control_bytes "$OUT"
	shown "$OUT" "$ESC_Q" "$ESC_FILE" "$ESC_ARG" 'Thread' '"T\x1b[2J\u009b\x7f"' '"P\x1b]0;pw\x07\u009b\x7f"' \
		'# \x1b]0;pwned\x07\x1b[2J\u009b\x7f' \
		"evil\\x1b]0;pwned\\x07\\x1b[2J\\u009b\\x7f\\n = '\\x1b]0;pwned\\x07\\x1b[2J\\x9b\\x7f\\n'"

	# JSON keeps the real names, and is as safe to print.
	run_bounded 30 200 "$PYBPFTOP" dump -p "$WL_PID" --json
	assert_no_control_bytes "$OUT"
	/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
(proc,) = json.loads(text[text.index("{"):])["processes"]
evil = "\x1b]0;pwned\x07\x1b[2J\x9b\x7f\n"
funcs = [f["function"] for t in proc["threads"] for f in t["frames"]]
assert "Q" + evil in funcs, funcs
assert proc["command"].endswith(evil.replace("\n", " ") + "ARG"), proc["command"]
PY

	# record: the summary on stdout, the messages on stderr, -v too.
	run_bounded 30 200 "$PYBPFTOP" record -p "$WL_PID" -d 2 -v
	assert_no_control_bytes "$OUT"
	shown "$OUT" "  $ESC_Q (" "/$ESC_FILE:1)"

	run_bounded 30 200 "$PYBPFTOP" record -p "$WL_PID" -d 2 -o "$HOSTILE_DIR/evil.folded"
	assert_no_control_bytes "$OUT" "$HOSTILE_DIR/evil.folded"
	# ';' separates frames: the names' are ':'.
	shown "$HOSTILE_DIR/evil.folded" "T\\x1b[2J\\u009b\\x7f (" ";${ESC_Q//;/:} (" "/${ESC_FILE//;/:}:7)"
	# One stack a line: the newline in the names broke none.
	[ "$(grep -c -v -E ' [0-9]+$' "$HOSTILE_DIR/evil.folded")" -eq 0 ]

	run_bounded 30 200 "$PYBPFTOP" alloc -p "$WL_PID" -d 3
	assert_no_control_bytes "$OUT"
	shown "$OUT" "/$ESC_FILE:6: size=" "    $ESC_Q: if i % 256 == 0"

	run_bounded 30 200 "$PYBPFTOP" top -p "$WL_PID" --batch -n 1 -i 1.5
	assert_no_control_bytes "$OUT"
	shown "$OUT" "$ESC_ARG" "  $ESC_Q (" "/$ESC_FILE:1)"
}

@test "hostile: terminal escapes in an unprivileged process's names are escaped in dump, record, alloc and top" {
	mkdir "$HOSTILE_DIR/w"
	write_evil_names "$HOSTILE_DIR/w"
	start_hostile as_mallory "$HOSTILE_DIR/w/evil_names.py" "$EVIL_ARG"
	evil_names_outputs
}

@test "hostile: terminal escapes in a jailed process's names are escaped in dump, record, alloc and top" {
	make_jail
	write_evil_names "$JAIL/app"
	start_hostile in_jail /app/evil_names.py "$EVIL_ARG"
	evil_names_outputs
}

# The full screen, under tmux (as tests/top.bats drives it), through
# script(1), which keeps every byte top wrote to the terminal.
@test "hostile: terminal escapes in a process's names do not reach top's full screen" {
	command -v tmux >/dev/null || skip "tmux missing"
	mkdir "$HOSTILE_DIR/w"
	write_evil_names "$HOSTILE_DIR/w"
	start_hostile as_mallory "$HOSTILE_DIR/w/evil_names.py" "$EVIL_ARG"
	TMUX_SESSION=pybpftop-hostile-$$
	tmux -L "$TMUX_SESSION" new-session -d -s "$TMUX_SESSION" -x 220 -y 30 \
		"script -q -f -c '$PYBPFTOP -p $WL_PID -i 0.5' $HOSTILE_DIR/pane.raw"
	screen() { tmux -L "$TMUX_SESSION" capture-pane -p -t "$TMUX_SESSION"; }
	for _ in $(seq 50); do
		screen | grep -q -F "  $ESC_Q (" && break
		sleep 0.2
	done
	sleep 1	# a few refreshes
	screen
	title=$(tmux -L "$TMUX_SESSION" display -p -t "$TMUX_SESSION" '#{pane_title}')
	tmux -L "$TMUX_SESSION" send-keys -t "$TMUX_SESSION" q
	sleep 0.5
	tmux -L "$TMUX_SESSION" kill-server 2>/dev/null || true
	echo "pane title: $title"
	[ "$title" != pwned ]
	# What top wrote: curses' own sequences, none of the target's.
	[ "$(LC_ALL=C grep -c -a -P '\x1b\]0;|\xc2[\x80-\x9f]|\x7f|\x07' "$HOSTILE_DIR/pane.raw")" -eq 0 ]
	grep -q -a -F "$ESC_Q (" "$HOSTILE_DIR/pane.raw"
}

# --- top's stack table has a budget (issue 11, "Budgets instead of hopes") ---
# A target whose every sample is a new stack: a random walk through 16
# functions, down to 4,000 frames and back. At 999 Hz for 15 s that is
# 14,000 stacks of 8 KB on average: top's peak RSS was 153 MiB without a
# budget; with its 32 MiB (user/cmd/top.c) it is 68 MiB.
@test "hostile: endless distinct stacks do not grow top's memory past its stack budget" {
	mkdir "$HOSTILE_DIR/w"
	cat >"$HOSTILE_DIR/w/random_stacks.py" <<'PY'
import os, random, sys
sys.setrecursionlimit(10000)
N = 16
FS = []
for k in range(N):
    exec("def f%d(d):\n"
         "    if d == 0:\n"
         "        return sum(range(300))\n"
         "    return FS[random.randrange(N)](d - 1)\n" % k)
    FS.append(globals()["f%d" % k])
sys.stdout.write("READY %d\n" % os.getpid())
sys.stdout.flush()
while True:
    FS[0](4000)
PY
	start_hostile as_mallory "$HOSTILE_DIR/w/random_stacks.py"
	run_bounded 60 90 "$PYBPFTOP" top -p "$WL_PID" --batch -n 1 -i 15 -r 999
	grep -E '^Samples: [0-9]+ taken, [0-9]+ lost, [0-9]+ rare stacks evicted - ' "$OUT"
}

# --- Budgets of the symbolizer (profile/symbolizer.h) ---

@test "hostile: 100 functions with 1 MiB line tables each: record stays within 100 MiB" {
	cat >"$HOSTILE_DIR/tables.py" <<'PY'
import os, sys
def make(k):
    src = "def big_%d(n):\n    t = 0\n    for i in range(n):\n        t += i\n    return t\n" % k
    ns = {}
    exec(compile(src, "<tables>", "exec"), ns)
    f = ns["big_%d" % k]
    # A line table of 1 MiB (its entries' contents do not matter here:
    # what is read is its size), each one its own bytes object.
    f.__code__ = f.__code__.replace(co_linetable=bytes([0x80 | (k % 8)]) * ((1 << 20) - 64))
    return f
funcs = [make(k) for k in range(100)]
sys.stdout.write("READY %d\n" % os.getpid()); sys.stdout.flush()
while True:
    for f in funcs:
        f(20000)
PY
	chmod 644 "$HOSTILE_DIR/tables.py"
	start_hostile as_mallory "$HOSTILE_DIR/tables.py"
	run_bounded 40 100 "$PYBPFTOP" record -p "$WL_PID" -d 8 -r 997 -v -o "$HOSTILE_DIR/out.folded"
	grep '^Symbolizer' "$OUT"
	# Every function was sampled and named, the budget notwithstanding.
	[ "$(grep -o 'big_[0-9]*' "$HOSTILE_DIR/out.folded" | sort -u | wc -l)" -ge 90 ]
	assert_no_control_bytes "$OUT"
}
