# make install / uninstall, the systemd unit (systemd-analyze verify and
# security), the man pages' lint, the default configuration, and the
# system calls pybpftop makes against the unit's SystemCallFilter.
load lib/common

# The highest `systemd-analyze security` exposure accepted for the unit
# (0 = locked down, 10 = unprotected; systemd calls up to 3.9 "OK"). The
# unit scores 2.5 with systemd 252: what is left is what the agent needs
# (root, CAP_BPF, CAP_SYS_PTRACE, CAP_SET[UG]ID, the network for push,
# perf_event_open and bpf in the call filter). A change that loosens it
# past this must say why, here and in docs/agent-install.md.
EXPOSURE_MAX=2.8

UNIT=lib/systemd/system/pybpftop-agent.service

setup() {
	STAGE=$BATS_TEST_TMPDIR/stage
}

teardown() {
	stop_workload
	assert_no_bpf_left
}

# install_into DIR: `make install` with DESTDIR=DIR, quietly.
install_into() {
	make -s -C "$REPO" install DESTDIR="$1" "${@:2}"
}

# What is under DIR, files with their modes: "MODE PATH" lines, sorted.
listing() {
	(cd "$1" && find . -type f -printf '%m %P\n' -o -type l -printf 'link %P\n' | sort)
}

@test "make install DESTDIR: exactly the binary, the man pages, the configuration and the unit, with their modes" {
	run install_into "$STAGE"
	echo "$output"
	[ "$status" -eq 0 ]
	run listing "$STAGE"
	echo "$output"
	[ "$output" = "600 etc/pybpftop/agent.conf
644 usr/local/$UNIT
644 usr/local/share/man/man1/pybpftop.1
644 usr/local/share/man/man8/pybpftop-agent.8
755 usr/local/bin/pybpftop" ]
	cmp "$REPO/pybpftop" "$STAGE/usr/local/bin/pybpftop"
	cmp "$REPO/etc/agent.conf" "$STAGE/etc/pybpftop/agent.conf"
	# The unit names the installed binary and configuration.
	grep -qx 'ExecStart=/usr/local/bin/pybpftop agent --config /etc/pybpftop/agent.conf' \
		"$STAGE/usr/local/$UNIT"
	# Another prefix goes into ExecStart too.
	run install_into "$BATS_TEST_TMPDIR/opt" PREFIX=/opt/pybpftop SYSCONFDIR=/etc/opt
	[ "$status" -eq 0 ]
	grep -qx 'ExecStart=/opt/pybpftop/bin/pybpftop agent --config /etc/opt/pybpftop/agent.conf' \
		"$BATS_TEST_TMPDIR/opt/opt/pybpftop/$UNIT"
	[ -x "$BATS_TEST_TMPDIR/opt/opt/pybpftop/bin/pybpftop" ]
}

@test "make install keeps a changed configuration; make uninstall removes the rest, and the configuration only when unchanged" {
	install_into "$STAGE"
	conf=$STAGE/etc/pybpftop/agent.conf
	printf '[agent]\nrate = 7\n' >"$conf"
	run install_into "$STAGE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"kept"*"agent.conf"* ]]
	[ "$(cat "$conf")" = "$(printf '[agent]\nrate = 7')" ]

	run make -s -C "$REPO" uninstall DESTDIR="$STAGE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"kept"*"agent.conf (changed from the default)"* ]]
	run listing "$STAGE"
	[ "$output" = "600 etc/pybpftop/agent.conf" ]

	# Unchanged, it goes, with its directory.
	rm "$conf"
	install_into "$STAGE"
	make -s -C "$REPO" uninstall DESTDIR="$STAGE"
	run listing "$STAGE"
	[ -z "$output" ]
	[ ! -e "$STAGE/etc/pybpftop" ]
}

@test "systemd-analyze verify passes on the installed unit" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	# verify checks that ExecStart's binary exists and that the
	# Documentation= man page opens, on this machine's paths: so the
	# install goes to a real prefix in the test's directory, and MANPATH
	# shows man the installed pages.
	prefix=$BATS_TEST_TMPDIR/prefix
	make -s -C "$REPO" install PREFIX="$prefix" SYSCONFDIR="$prefix/etc"
	unit=$prefix/$UNIT
	grep -q "^ExecStart=$prefix/bin/pybpftop " "$unit"
	run env MANPATH="$prefix/share/man" systemd-analyze verify "$unit"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# It can fail: without the man pages, Documentation= does not open.
	run env MANPATH="$BATS_TEST_TMPDIR/none" systemd-analyze verify "$unit"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"man pybpftop-agent(8)"* ]]
}

@test "systemd-analyze security: the unit's exposure is at most $EXPOSURE_MAX" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	install_into "$STAGE"
	run systemd-analyze security --offline=yes --no-pager "$STAGE/usr/local/$UNIT"
	echo "$output" | grep -E '✗|Overall'
	[ "$status" -eq 0 ]
	score=$(sed -n 's/.*Overall exposure level for pybpftop-agent.service: \([0-9.]*\).*/\1/p' <<<"$output")
	echo "exposure: $score (at most $EXPOSURE_MAX)"
	[ -n "$score" ]
	awk -v s="$score" -v max="$EXPOSURE_MAX" 'BEGIN { exit !(s <= max) }'
	# What the unit must not lose, whatever the score.
	for want in "✓ NoNewPrivileges=" "✓ ProtectSystem=" "✓ CapabilityBoundingSet=~CAP_SYS_ADMIN" \
		    "✓ CapabilityBoundingSet=~CAP_NET_ADMIN" "✓ RestrictAddressFamilies=~AF_PACKET"; do
		[[ "$output" == *"$want"* ]] || { echo "lost: $want"; return 1; }
	done
}

@test "the unit's capabilities: the measured set, the same in the bounding and the ambient set, each one explained" {
	unit=$REPO/etc/pybpftop-agent.service
	bounding=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
	ambient=$(sed -n 's/^AmbientCapabilities=//p' "$unit")
	echo "bounding: $bounding"
	[ "$bounding" = "$ambient" ]
	[ "$bounding" = "CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_SETUID CAP_SETGID CAP_CHECKPOINT_RESTORE" ]
	for cap in $bounding; do
		grep -q "^#.*$cap" "$unit" || { echo "$cap is not explained in the unit"; return 1; }
		grep -q "$cap" "$REPO/docs/agent-install.md" || { echo "$cap is not in docs/agent-install.md"; return 1; }
	done
}

@test "man pages: groff and mandoc find nothing to warn about, and man renders them" {
	for page in "$REPO"/docs/man/pybpftop.1 "$REPO"/docs/man/pybpftop-agent.8; do
		run groff -man -Tutf8 -ww -z "$page"
		echo "$page: $output"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		if command -v mandoc >/dev/null; then
			run mandoc -Tlint -Wstyle "$page"
			echo "$page: $output"
			[ "$status" -eq 0 ]
			[ -z "$output" ]
		fi
		run env MANPAGER=cat MANWIDTH=80 man -l "$page"
		[ "$status" -eq 0 ]
		[[ "$output" == *NAME*SYNOPSIS*DESCRIPTION*"SEE ALSO"* ]]
	done
	# Every command's every long option is in pybpftop(1); the agent's in
	# pybpftop-agent(8).
	for cmd in record top dump alloc report agent; do
		page=$REPO/docs/man/pybpftop.1
		[ "$cmd" = agent ] && page=$REPO/docs/man/pybpftop-agent.8
		"$PYBPFTOP" "$cmd" --help | grep -q '^Usage: '"$cmd"' ' || continue
		# The option lines ("  -d, --duration=SECONDS  ..."), not the examples.
		for opt in $("$PYBPFTOP" "$cmd" --help | sed -n 's/^ *\(-[a-zA-Z?], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' | sort -u); do
			case $opt in --help|--usage) continue ;; esac
			grep -q -- "$(sed 's/-/\\\\-/g' <<<"$opt")" "$page" ||
				{ echo "$cmd $opt is not in $(basename "$page")"; return 1; }
		done
	done
}

@test "the installed default configuration passes pybpftop agent --check, and an error in it is named by line" {
	install_into "$STAGE"
	conf=$STAGE/etc/pybpftop/agent.conf
	run "$PYBPFTOP" agent --config "$conf" --check
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "rate 19 Hz, window 15 s, spool /var/lib/pybpftop"* ]]
	printf '[agent]\nwindow = forever\n' >>"$conf"
	run "$PYBPFTOP" agent --config "$conf" --check
	echo "$output"
	[ "$status" -ne 0 ]
	n=$(wc -l <"$conf")
	[[ "$output" == *"$conf:$n: [agent] window: 'forever' is not a duration"* ]]
}

# The unit's SystemCallFilter, expanded as systemd reads it: the first
# line an allow list, then each line adds names, or removes them (~).
allowed_syscalls() {
	local line first=1 neg names
	expand() {	# expand NAME...: system calls, @groups expanded
		local n
		for n in "$@"; do
			if [[ $n == @* ]]; then
				# shellcheck disable=SC2046
				expand $(systemd-analyze syscall-filter --no-pager "$n" |
					 sed -n '2,$s/^ *\([@a-z0-9_-]*\).*/\1/p' | grep -v '^$')
			else
				echo "$n"
			fi
		done
	}
	declare -A set=()
	while IFS= read -r line; do
		neg=0
		names=${line#SystemCallFilter=}
		if [[ $names == "~"* ]]; then
			neg=1
			names=${names#\~}
		fi
		# shellcheck disable=SC2086
		for n in $(expand $names | sort -u); do
			if [ $neg = 1 ]; then unset "set[$n]"; else set[$n]=1; fi
		done
		first=0
	done < <(grep '^SystemCallFilter=' "$REPO/etc/pybpftop-agent.service")
	printf '%s\n' "${!set[@]}" | sort
}

@test "every system call of record, dump and agent is allowed by the unit's SystemCallFilter" {
	need_root
	command -v strace >/dev/null || skip "no strace"
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	allowed=$BATS_TEST_TMPDIR/allowed
	allowed_syscalls >"$allowed"
	# The expansion worked: a few it must hold, one it must not.
	for sc in read bpf perf_event_open process_vm_readv openat2 setfsuid setgroups pidfd_open; do
		grep -qx "$sc" "$allowed" || { echo "$sc not allowed"; return 1; }
	done
	for sc in init_module chown setuid setrlimit sched_setscheduler capset; do
		! grep -qx "$sc" "$allowed" || { echo "$sc allowed"; return 1; }
	done
	PY_CMD=/usr/bin/python3.11
	PY_WL=$REPO/tests/workloads
	start_workload hot_line
	log=$BATS_TEST_TMPDIR/strace
	spool=$BATS_TEST_TMPDIR/spool
	mkdir -m 700 "$spool"
	: >"$BATS_TEST_TMPDIR/agent.conf"
	chmod 600 "$BATS_TEST_TMPDIR/agent.conf"
	strace -f -qq -o "$log.record" "$PYBPFTOP" record -p "$WL_PID" -d 1 -o "$BATS_TEST_TMPDIR/out.pb.gz"
	strace -f -qq -o "$log.dump" "$PYBPFTOP" dump --locals -p "$WL_PID" >/dev/null
	strace -f -qq -o "$log.agent" "$PYBPFTOP" agent --config "$BATS_TEST_TMPDIR/agent.conf" \
		--spool "$spool" --window 1 -d 2.5 --rate 99 2>/dev/null
	ls "$spool"/*-"$WL_PID"-*.pb.gz
	used=$(cat "$log".* | sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p' | sort -u)
	echo "used: $(tr '\n' ' ' <<<"$used")"
	[ "$(wc -l <<<"$used")" -gt 20 ]
	missing=$(comm -23 <(echo "$used") "$allowed")
	echo "not allowed: $missing"
	[ -z "$missing" ]
}
