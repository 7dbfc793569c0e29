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
