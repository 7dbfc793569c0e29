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
