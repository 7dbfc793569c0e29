#!/usr/bin/env bash
# The CPython interpreters to test against, one per line:
#   LABEL <tab> COMMAND <tab> WORKLOAD-DIR     for those present
#   -     <tab> LABEL   <tab> REASON           for those absent
# Usage: interpreters.sh host|sid|host-dbg|sid-dbg
repo=$(cd "$(dirname "$0")/../.." && pwd)
case "${1:-host}" in
host)
	if [ -x /usr/bin/python3.11 ]; then
		printf 'debian-3.11\t/usr/bin/python3.11\t%s\n' "$repo/tests/workloads"
	else
		printf -- '-\tdebian-3.11\t/usr/bin/python3.11 missing: run make deps\n'
	fi
	root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
	for minor in 8 9 10 11 12 13 14; do
		dir=$(ls -d "$root"/versions/3."$minor".[0-9]* 2>/dev/null | sort -V | tail -n 1)
		if [ -n "$dir" ] && [ -x "$dir/bin/python3.$minor" ]; then
			printf 'pyenv-%s\t%s\t%s\n' "${dir##*/}" "$dir/bin/python3.$minor" "$repo/tests/workloads"
		elif [ "$minor" -le 13 ]; then
			printf -- '-\tpyenv-3.%s\tnot installed under %s/versions\n' "$minor" "$root"
		fi
	done
	;;
sid)
	sid=${SID_CHROOT:-/var/tmp/pybpftop-sid}
	# 3.15 is not supported yet: cli.bats checks that it is refused clearly.
	for minor in 13 14; do
		if [ -x "$sid/usr/bin/python3.$minor" ]; then
			printf 'sid-3.%s\t%s\t%s\n' "$minor" "$repo/tools/sid-run.sh $sid python3.$minor" /pybpftop/workloads
		else
			printf -- '-\tsid-3.%s\tnot in the chroot %s (tools/sid-chroot.sh makes it)\n' "$minor" "$sid"
		fi
	done
	;;
host-dbg)
	# Debian's debug build: the allocator runs through its debug hooks.
	if [ -x /usr/bin/python3.11d ]; then
		printf 'debian-3.11-dbg\t/usr/bin/python3.11d\t%s\n' "$repo/tests/workloads"
	else
		printf -- '-\tdebian-3.11-dbg\t/usr/bin/python3.11d missing: run make deps (python3.11-dbg)\n'
	fi
	;;
sid-dbg)
	sid=${SID_CHROOT:-/var/tmp/pybpftop-sid}
	if [ -x "$sid/usr/bin/python3.14d" ]; then
		printf 'sid-3.14-dbg\t%s\t%s\n' "$repo/tools/sid-run.sh $sid python3.14d" /pybpftop/workloads
	else
		printf -- '-\tsid-3.14-dbg\tnot in the chroot %s (tools/sid-chroot.sh installs python3.14-dbg)\n' "$sid"
	fi
	;;
esac
