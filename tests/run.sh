#!/usr/bin/env bash
# Runs bats files and ends with the line "N passed, N failed, N skipped".
# A file whose first line is "# per-interpreter" runs once for each CPython
# that tests/lib/interpreters.sh lists (INTERPRETERS=host|sid, default host),
# with PY_LABEL, PY_CMD and PY_WL set; absent interpreters count as skipped.
# "# per-interpreter +dbg" adds the debug builds (interpreters.sh host-dbg).
set -u
here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0 skipped=0

run_bats() {	# label file
	local label=$1 file=$2 line
	while IFS= read -r line; do
		case "$line" in
		"not ok "*) failed=$((failed + 1)); echo "FAIL [$label] ${line#not ok }" ;;
		"ok "*"# skip"*) skipped=$((skipped + 1)); echo "skip [$label] ${line#ok }" ;;
		"ok "*) passed=$((passed + 1)); echo "ok   [$label] ${line#ok }" ;;
		"1.."*) ;;
		*) echo "     $line" ;;
		esac
	done < <(bats --tap "$file" 2>&1)
}

for file in "$@"; do
	name=$(basename "$file" .bats)
	if head -n 1 "$file" | grep -q '^# per-interpreter'; then
		sets=${INTERPRETERS:-host}
		# "# per-interpreter +dbg": the debug builds too.
		head -n 1 "$file" | grep -q '+dbg' && sets="$sets $sets-dbg"
		# The list comes from pybpftop's registry: when the helper
		# fails (no pybpftop), that is a failure, not zero interpreters.
		if ! list=$(for set in $sets; do "$here/lib/interpreters.sh" "$set" || exit 1; done); then
			failed=$((failed + 1))
			echo "FAIL [$name] tests/lib/interpreters.sh $sets failed: no interpreters to run it with"
			continue
		fi
		while IFS=$'\t' read -r label cmd wl; do
			if [ "$label" = - ]; then
				skipped=$((skipped + 1))
				echo "skip [$cmd] $name: $wl"
				continue
			fi
			PY_LABEL=$label PY_CMD=$cmd PY_WL=$wl run_bats "$label" "$file"
		done <<<"$list"
	else
		run_bats "$name" "$file"
	fi
done

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ $((passed + failed)) -gt 0 ]
