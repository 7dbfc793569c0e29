# shellcheck shell=bash
# Sourced by the bench scripts: write_section MARKER SECTION-FILE OUT
# replaces the section of OUT (docs/performance.md) that starts at the
# line MARKER and runs to the next `<!-- bench/` marker, with SECTION-FILE's
# text; other scripts' sections stay as they are. OUT gets it appended when
# it has no such section yet.
write_section() {
	local marker=$1 section=$2 out=$3 tmp
	tmp=$(mktemp)
	if [ -f "$out" ] && grep -qxF "$marker" "$out"; then
		awk -v m="$marker" -v f="$section" '
			$0 == m { while ((getline l < f) > 0) print l; skip = 1; next }
			skip && /^<!-- bench\// { skip = 0; print "" }
			!skip' "$out" >"$tmp"
	else
		{ [ -f "$out" ] && cat "$out" && echo; cat "$section"; } >"$tmp"
	fi
	mv "$tmp" "$out"
}
