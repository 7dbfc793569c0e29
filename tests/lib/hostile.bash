# Helpers for tests/hostile.bats: targets that attack the profiler.
# A hostile target runs as an unprivileged user (MALLORY), or in a jail: a
# chroot under its own mount namespace, the nearest thing to a container
# here. Its interpreter is Debian's /usr/bin/python3.11: the one a user of
# the host can run, and non-PIE, so that every process has _PyRuntime at
# the same address.
load lib/common

HOSTILE_PY=/usr/bin/python3.11
MALLORY=nobody

# hostile_setup: a directory the unprivileged user may read (HOSTILE_DIR,
# bats's own is root's only), and a secret it may not: SECRET, a file
# under a root-only directory, holding SECRET_TEXT.
hostile_setup() {
	need_root
	HOSTILE_DIR=$(mktemp -d /tmp/pybpftop-hostile.XXXXXX)
	chmod 755 "$HOSTILE_DIR"
	SECRET_DIR=$(mktemp -d /tmp/pybpftop-secret.XXXXXX)
	chmod 700 "$SECRET_DIR"
	SECRET=$SECRET_DIR/secret
	SECRET_TEXT="SECRET-$(cat /proc/sys/kernel/random/uuid)"
	printf 'line one %s\nline two %s\n' "$SECRET_TEXT" "$SECRET_TEXT" >"$SECRET"
	chmod 600 "$SECRET"
}

hostile_teardown() {
	stop_workload
	# A jail's mounts live in its own namespace and go with its last
	# process; the directories are ours to remove.
	[ -n "${HOSTILE_DIR:-}" ] && rm -rf "$HOSTILE_DIR"
	[ -n "${SECRET_DIR:-}" ] && rm -rf "$SECRET_DIR"
	assert_no_bpf_left
}

# as_mallory CMD...: run CMD as the unprivileged user, no groups.
as_mallory() {
	setpriv --reuid="$MALLORY" --regid="$(id -g "$MALLORY")" --clear-groups -- "$@"
}

# as_root CMD...: the victim's side, as ourselves.
as_root() {
	"$@"
}

# make_jail: JAIL, an empty root under HOSTILE_DIR that in_jail fills with
# the host's /usr (read-only) in a private mount namespace. Files the test
# plants go under "$JAIL/...".
make_jail() {
	JAIL=$HOSTILE_DIR/jail
	mkdir -p "$JAIL"/usr "$JAIL"/tmp "$JAIL"/app
	chmod 1777 "$JAIL"/tmp
	ln -sfn usr/bin "$JAIL"/bin
	ln -sfn usr/lib "$JAIL"/lib
	ln -sfn usr/lib64 "$JAIL"/lib64
}

# in_jail CMD...: run CMD chrooted in JAIL, as MALLORY, in a mount
# namespace of its own with /usr bound read-only.
in_jail() {
	unshare --mount --propagation private -- sh -c '
		jail=$0 user=$1 && shift &&
		mount --bind /usr "$jail/usr" && mount -o remount,bind,ro "$jail/usr" &&
		exec chroot --userspec="$user" "$jail" "$@"' "$JAIL" "$MALLORY:$(id -gn "$MALLORY")" "$@"
}

# start_hostile RUNNER SCRIPT [ARG...]: run the Python SCRIPT (a path the
# runner can see) with HOSTILE_PY under RUNNER (as_mallory, in_jail or
# as_root), and
# wait for its READY line (WL_PID, WL_JOB, WL_OUT as start_workload sets).
start_hostile() {
	local runner=$1
	shift
	WL_OUT=$HOSTILE_DIR/workload.out
	"$runner" "$HOSTILE_PY" "$@" >"$WL_OUT" 2>&1 &
	WL_JOB=$!
	wait_ready "$*"
}

# run_bounded SECONDS RSS_MIB CMD...: run CMD with a time limit and check
# its peak RSS; its output goes to $OUT (stdout and stderr). Fails if CMD
# was killed by the limit, or went over RSS_MIB.
run_bounded() {
	local limit=$1 rss=$2 peak rc=0
	shift 2
	OUT=$HOSTILE_DIR/out.txt
	timeout -k 5 "$limit" /usr/bin/time -f '%M' -o "$HOSTILE_DIR/rss" "$@" >"$OUT" 2>&1 || rc=$?
	cat "$OUT"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "$* did not end within ${limit}s" >&2
		return 1
	fi
	peak=$(tail -n 1 "$HOSTILE_DIR/rss")
	echo "peak RSS: $((peak / 1024)) MiB (budget $rss MiB)"
	[ "$peak" -le $((rss * 1024)) ] || { echo "over the RSS budget" >&2; return 1; }
	return "$rc"
}

# assert_no_secret FILE...: SECRET_TEXT appears in none of them.
assert_no_secret() {
	! grep -l -F "$SECRET_TEXT" "$@" || { echo "the secret was printed" >&2; return 1; }
}

# assert_no_control_bytes FILE...: no C0 byte but tab and newline, no DEL,
# no C1 (U+0080-U+009F as UTF-8, or a raw byte 0x80-0x9F standing alone).
assert_no_control_bytes() {
	if LC_ALL=C grep -n -P '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$@" | cat -v | head >&2 &&
	   LC_ALL=C grep -q -P '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$@"; then
		echo "a control byte reached the output" >&2
		return 1
	fi
}
