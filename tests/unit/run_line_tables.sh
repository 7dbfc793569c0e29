#!/bin/sh
# Check user/python/line_table.c against every CPython interpreter on this machine.
# Usage: tests/unit/run_line_tables.sh PATH_TO_BUILT_test_line_table
# For each interpreter: generate a corpus from linetable_corpus_src.py with
# that interpreter's own co_lines()/findlinestarts, then run the test on it.
# Builds nothing; needs no root except for the optional sid chroot.
set -u

test_bin=${1:?usage: $0 path/to/test_line_table}
here=$(cd "$(dirname "$0")" && pwd)
gen=$here/gen_linetable_corpus.py
src=$here/linetable_corpus_src.py
sid=/var/tmp/pybpftop-sid

if command -v pyenv >/dev/null 2>&1; then
	pyenv_root=$(pyenv root)
else
	pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
n=0

# run LABEL CMD...: CMD runs the generator (source on stdin, corpus on stdout).
run() {
	label=$1
	shift
	n=$((n + 1))
	out=$tmp/corpus.$n
	if ! "$@" <"$src" >"$out" 2>"$tmp/err.$n"; then
		echo "FAIL $label: corpus generation failed:"
		sed 's/^/  /' "$tmp/err.$n"
		failed=1
		return
	fi
	"$test_bin" "$out" >"$tmp/res.$n"
	rc=$?
	# Its summary line counts the hand-written cases, reported once at the
	# start already: the mismatches line is the result here.
	grep -v '^line_table: [0-9]* checks passed' "$tmp/res.$n" |
		while IFS= read -r l; do echo "$l  [$label]"; done
	if [ $rc != 0 ]; then
		echo "FAIL $label"
		failed=1
	fi
}

# The hand-written cases once, on their own.
"$test_bin" || failed=1

if [ -x /usr/bin/python3.11 ]; then
	run /usr/bin/python3.11 /usr/bin/python3.11 "$gen" - -
else
	echo "SKIP /usr/bin/python3.11: not installed"
fi

for minor in 8 9 10 11 12 13 14 15; do
	found=0
	for py in "$pyenv_root/versions/3.$minor".*/bin/"python3.$minor"; do
		[ -x "$py" ] || continue
		found=1
		run "$py" "$py" "$gen" - -
	done
	[ $found = 1 ] || echo "SKIP pyenv python3.$minor: not installed"
done

for minor in 13 14 15; do
	label="chroot $sid python3.$minor"
	if [ ! -d "$sid" ] || [ ! -x "$sid/usr/bin/python3.$minor" ]; then
		echo "SKIP $label: not installed"
	elif [ "$(id -u)" != 0 ]; then
		echo "SKIP $label: chroot needs root"
	else
		# The generator comes in via -c and the source on stdin, so
		# nothing needs to be copied into the chroot.
		run "$label" chroot "$sid" "/usr/bin/python3.$minor" -c "$(cat "$gen")" - -
	fi
done

[ $failed = 0 ] && echo "line_table: all interpreters passed" || echo "line_table: FAILED"
exit $failed
