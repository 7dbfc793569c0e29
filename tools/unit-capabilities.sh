#!/usr/bin/env bash
# Which capabilities pybpftop needs under the systemd unit's sandbox: runs
# `record` and `dump` (and `agent`, once it exists) through systemd-run
# with the unit's hardening and a capability set, first the whole set, then
# with each capability taken out, against a Python run as another user
# (Debian's python3.11 as nobody) and one run as root (a pyenv
# interpreter under /root). Prints one line per run: what failed without
# which capability. The findings are in etc/pybpftop-agent.service and
# docs/agent-install.md.
#
#   flock /tmp/pybpftop-live.lock tools/unit-capabilities.sh [./pybpftop] [CAP...]
#   ONLY_ALL=1 tools/unit-capabilities.sh ...   # the whole set, no drops
#   AS_UID=61234 tools/unit-capabilities.sh ... # not as root (emulation only)
#
# Needs root. Under systemd (PID 1), each run is a transient unit
# (systemd-run) with the unit's properties. Without it (a container, a VM
# whose init is not systemd), the sandbox is approximated: setpriv for the
# capability bounding set and NoNewPrivileges, and a mount namespace for
# ProtectSystem=strict, ProtectHome=yes, PrivateTmp=yes and ProtectProc=;
# the syscall
# and address-family filters are then not applied (tests/install.bats
# checks the syscalls against the filter with strace instead). Attaches
# BPF: hold the live lock.
set -euo pipefail

bin=$(realpath "${1:-./pybpftop}")
shift || true
caps=("$@")
[ ${#caps[@]} -gt 0 ] || caps=(CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_SETUID CAP_SETGID
	CAP_CHECKPOINT_RESTORE)
repo=$(cd "$(dirname "$0")/.." && pwd)
unit=$repo/etc/pybpftop-agent.service
# In /run: the approximated PrivateTmp hides /tmp, ProtectHome /root.
tmp=$(mktemp -d /run/unit-caps.XXXXXX)
chmod 755 "$tmp"
pids=()
home=
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp" ${home:+"$home"}
}
trap cleanup EXIT

# The unit's sandbox, minus what systemd-run sets itself or what names
# the installed paths: every other line of [Service] with a '='.
props=()
while IFS= read -r line; do
	case $line in
	'#'*|''|'['*) continue ;;
	Type=*|ExecStart=*|ExecReload=*|Restart=*|RestartSec=*|KillSignal=*|TimeoutStopSec=*) continue ;;
	CapabilityBoundingSet=*|AmbientCapabilities=*) continue ;;
	Description=*|Documentation=*|After=*|Wants=*|WantedBy=*) continue ;;
	*=*) props+=(-p "$line") ;;
	esac
done <"$unit"

PROTECT_PROC=$(sed -n 's/^ProtectProc=//p' "$unit")
export PROTECT_PROC

# The binary where ProtectSystem=strict and ProtectHome leave it readable.
cp "$bin" "$tmp/pybpftop"
mkdir -m 700 "$tmp/spool"
: >"$tmp/agent.conf"
chmod 600 "$tmp/agent.conf"
if [ -n "${AS_UID:-}" ]; then
	chown "$AS_UID" "$tmp/spool" "$tmp/agent.conf"
fi

# The targets' script: a hot loop on a marked line, which dump must quote
# (so the file was read, as its user, through /proc/PID/root).
hot='import os, sys
def hot_function():
    data = list(range(20000, 0, -1))
    while True:
        sorted(data)  # HOT LINE
sys.stdout.write("READY %d\n" % os.getpid()); sys.stdout.flush()
hot_function()
'
# One copy readable by nobody, one in root's home (hidden by ProtectHome
# from our side, not from the target's), one seen by the sid chroot.
home=$(mktemp -d /root/unit-caps.XXXXXX)
printf '%s' "$hot" >"$tmp/hot.py"
printf '%s' "$hot" >"$home/hot.py"
chmod 644 "$tmp/hot.py"

# start_target NAME CMD...: a Python started by CMD; its pid in
# targets[NAME] (not through $(...): the trap must know it to kill it).
declare -A targets
start_target() {
	local name=$1 out=$tmp/$1.out
	shift
	"$@" >"$out" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do
		if grep -q READY "$out"; then
			targets[$name]=$(sed -n 's/^READY //p' "$out")
			return
		fi
		sleep 0.1
	done
	echo "target $name did not start: $*" >&2
	cat "$out" >&2
	exit 1
}

start_target nobody setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3.11 "$tmp/hot.py"
pyenv=$(ls -d /root/.pyenv/versions/3.12*/bin/python3 2>/dev/null | head -1)
start_target root "${pyenv:-/usr/bin/python3.11}" "$home/hot.py"
sid=/var/tmp/pybpftop-sid
if [ -x $sid/usr/bin/python3.13 ]; then
	SID_BIND=$tmp start_target sid "$repo/tools/sid-run.sh" $sid python3.13 /pybpftop/hot.py
fi

if [ "$(ps -p 1 -o comm=)" = systemd ]; then
	backend=systemd-run
else
	backend=setpriv
fi

# sandboxed SET CMD...: CMD under the unit's sandbox with the capabilities SET.
sandboxed() {
	local set=$1
	shift
	if [ $backend = systemd-run ]; then
		systemd-run --quiet --wait --pipe --collect "${props[@]}" \
			-p CapabilityBoundingSet="$set" -p AmbientCapabilities="$set" "$@"
		return
	fi
	local bounding=-all c caps= as_user=()
	for c in $set; do
		c=${c#CAP_}
		bounding+=,+${c,,}
		caps+=${caps:+,}+${c,,}
	done
	# AS_UID=N: as a user that is not root, the capabilities ambient (as
	# User= or DynamicUser= with AmbientCapabilities= would run it).
	if [ -n "${AS_UID:-}" ]; then
		as_user=(--reuid="$AS_UID" --regid="$AS_UID" --clear-groups --inh-caps="$caps"
			 --ambient-caps="$caps")
	fi
	# ProtectSystem=strict: / read-only (its other mounts too, roughly);
	# ProtectHome=yes: /home, /root, /run/user empty and unreadable;
	# PrivateTmp=yes: a tmpfs of our own on /tmp and /var/tmp.
	# StateDirectory=: the spool stays writable (a mount of its own, made
	# before / goes read-only).
	unshare --mount --propagation private sh -ec '
		mount --bind "$1" "$1"
		shift
		mount -o remount,bind,ro /
		for d in /home /root /run/user; do
			[ -d $d ] && mount -t tmpfs -o ro,mode=000 tmpfs $d
		done
		mount -t tmpfs tmpfs /tmp
		mount -t tmpfs tmpfs /var/tmp
		# ProtectProc=: a /proc of our own with hidepid=.
		if [ -n "$PROTECT_PROC" ]; then
			mount -t proc -o hidepid="$PROTECT_PROC" proc /proc
		fi
		exec setpriv --bounding-set="$0" --no-new-privs "$@"' "$bounding" "$tmp/spool" \
		"${as_user[@]}" -- "$@"
}

# run SET NAME CMD...: the command under the sandbox with SET; "ok" or
# its error's last line.
run() {
	local set=$1 name=$2 out
	shift 2
	if out=$(sandboxed "$set" timeout 60 "$@" 2>&1); then
		grep -q 'hot_function' <<<"$out" || { echo "FAILED: no hot_function in its output"; return; }
		if [ "$name" = dump ] && ! grep -q 'HOT LINE' <<<"$out"; then
			echo "FAILED: the source line is not quoted"
			return
		fi
		echo ok
	else
		echo "FAILED: $(grep -v '^$' <<<"$out" | tail -1)"
	fi
}

# agent_run SET: the agent for 5 s, 2 s windows, spooling into a fresh
# directory; then, for each target, "NAME ok" if a window of it names
# hot_function (go tool pprof -raw), or what went wrong.
agent_run() {
	local set=$1 spool=$tmp/spool out t f
	rm -f "$spool"/*
	if ! out=$(sandboxed "$set" timeout 60 "$tmp/pybpftop" agent --config "$tmp/agent.conf" \
		--spool "$spool" --window 2 -d 5 --rate 99 2>&1); then
		out="FAILED: $(grep -v "^$" <<<"$out" | tail -1 || true)"
		for t in "${!targets[@]}"; do echo "$t $out"; done
		return
	fi
	for t in "${!targets[@]}"; do
		f=$(ls "$spool"/*-"${targets[$t]}"-*process_cpu.pb.gz 2>/dev/null | tail -1 || true)
		if [ -z "$f" ]; then
			echo "$t FAILED: no window of pid ${targets[$t]}: $(grep -- "${targets[$t]}" <<<"$out" | tail -1)"
		elif go tool pprof -raw "$f" 2>/dev/null | grep -q hot_function; then
			echo "$t ok"
		else
			echo "$t FAILED: no hot_function in its window"
		fi
	done
}

check_all() {	# check_all SET LABEL
	local set=$1 label=$2 t line
	for t in "${!targets[@]}"; do
		printf '%-32s record %-7s %s\n' "$label" "$t" \
			"$(run "$set" record "$tmp/pybpftop" record -p "${targets[$t]}" -d 2 -f folded -o /dev/stdout)"
		printf '%-32s dump   %-7s %s\n' "$label" "$t" \
			"$(run "$set" dump "$tmp/pybpftop" dump -p "${targets[$t]}")"
	done
	if "$tmp/pybpftop" agent --help >/dev/null 2>&1; then
		agent_run "$set" | while read -r t line; do
			printf '%-32s agent  %-7s %s\n' "$label" "$t" "$line"
		done
	fi
}

echo "targets: nobody=${targets[nobody]} (python3.11 as nobody), root=${targets[root]} (${pyenv:-python3.11} as root, its script in $home), sid=${targets[sid]:-none} (python3.13 in the sid chroot)"
echo "sandbox ($backend): ${props[*]}"
check_all "${caps[*]}" "all"
# ONLY_ALL=1: the whole set only (a change of the sandbox, not of the set).
[ -z "${ONLY_ALL:-}" ] || exit 0
for drop in "${caps[@]}"; do
	set=()
	for c in "${caps[@]}"; do [ "$c" = "$drop" ] || set+=("$c"); done
	check_all "${set[*]}" "without $drop"
done
