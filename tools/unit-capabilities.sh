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
#
# Needs root. Under systemd (PID 1), each run is a transient unit
# (systemd-run) with the unit's properties. Without it (a container, a VM
# whose init is not systemd), the sandbox is approximated: setpriv for the
# capability bounding set and NoNewPrivileges, and a mount namespace for
# ProtectSystem=strict, ProtectHome=yes and PrivateTmp=yes; the syscall
# and address-family filters are then not applied (tests/install.bats
# checks the syscalls against the filter with strace instead). Attaches
# BPF: hold the live lock.
set -euo pipefail

bin=$(realpath "${1:-./pybpftop}")
shift || true
caps=("$@")
[ ${#caps[@]} -gt 0 ] || caps=(CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_SETUID CAP_SETGID
	CAP_CHECKPOINT_RESTORE CAP_DAC_READ_SEARCH)
repo=$(cd "$(dirname "$0")/.." && pwd)
unit=$repo/etc/pybpftop-agent.service
# In /run: the approximated PrivateTmp hides /tmp, ProtectHome /root.
tmp=$(mktemp -d /run/unit-caps.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
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

# The binary where ProtectSystem=strict and ProtectHome leave it readable.
cp "$bin" "$tmp/pybpftop"

# start_target VAR CMD...: a hot loop in a Python started by CMD; its pid
# in VAR (not through $(...): the trap must know it to kill it).
start_target() {
	local var=$1 out=$tmp/$1.out
	shift
	"$@" -c 'import os, sys
def hot_function():
    data = list(range(20000, 0, -1))
    while True:
        sorted(data)
sys.stdout.write("READY %d\n" % os.getpid()); sys.stdout.flush()
hot_function()' >"$out" 2>&1 &
	pids+=($!)
	for _ in $(seq 50); do
		if grep -q READY "$out"; then
			printf -v "$var" %s "$(sed -n 's/^READY //p' "$out")"
			return
		fi
		sleep 0.1
	done
	echo "target did not start: $*" >&2
	exit 1
}

start_target other_user setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3.11
pyenv=$(ls -d /root/.pyenv/versions/3.12*/bin/python3 2>/dev/null | head -1)
start_target root_target "${pyenv:-/usr/bin/python3.11}"

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
	local bounding=-all c
	for c in $set; do
		c=${c#CAP_}
		bounding+=,+${c,,}
	done
	# ProtectSystem=strict: / read-only (its other mounts too, roughly);
	# ProtectHome=yes: /home, /root, /run/user empty and unreadable;
	# PrivateTmp=yes: a tmpfs of our own on /tmp and /var/tmp.
	unshare --mount --propagation private sh -ec '
		mount -o remount,bind,ro /
		for d in /home /root /run/user; do
			[ -d $d ] && mount -t tmpfs -o ro,mode=000 tmpfs $d
		done
		mount -t tmpfs tmpfs /tmp
		mount -t tmpfs tmpfs /var/tmp
		exec setpriv --bounding-set="$0" --no-new-privs -- "$@"' "$bounding" "$@"
}

# run SET NAME CMD...: the command under the sandbox with SET; "ok" or
# its error's last line.
run() {
	local set=$1 name=$2 out
	shift 2
	if out=$(sandboxed "$set" timeout 60 "$@" 2>&1); then
		grep -q 'hot_function' <<<"$out" || { echo "FAILED: no hot_function in its output"; return; }
		echo ok
	else
		echo "FAILED: $(grep -v '^$' <<<"$out" | tail -1)"
	fi
}

check_all() {	# check_all SET LABEL
	local set=$1 label=$2 t
	for t in "nobody:$other_user" "root:$root_target"; do
		printf '%-32s record %-7s %s\n' "$label" "${t%%:*}" \
			"$(run "$set" record "$tmp/pybpftop" record -p "${t#*:}" -d 2 -f folded -o /dev/stdout)"
		printf '%-32s dump   %-7s %s\n' "$label" "${t%%:*}" \
			"$(run "$set" dump "$tmp/pybpftop" dump -p "${t#*:}")"
	done
}

echo "targets: $other_user (python3.11 as nobody), $root_target (${pyenv:-python3.11} as root)"
echo "sandbox ($backend): ${props[*]}"
check_all "${caps[*]}" "all"
for drop in "${caps[@]}"; do
	set=()
	for c in "${caps[@]}"; do [ "$c" = "$drop" ] || set+=("$c"); done
	check_all "${set[*]}" "without $drop"
done
