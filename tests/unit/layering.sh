#!/usr/bin/env bash
# The folders of user/ are the stages of the pipeline, and includes run one
# way: a file includes its own stage's headers and those of the stages it
# stands on, nothing later. The writers see the profile and its frame
# table only, never the readers of target memory or the session; they
# write through the one file writer (proc/output_file.h) and escape with
# the one escaping of target text (proc/text_escape.h, a function of a
# string, no reader).
# Prints each include that breaks the rule; exits 1 if there is one.
cd "$(dirname "$0")/../../user" || exit 2
declare -A allowed=(
	[proc]="proc/"
	[python]="python/ proc/"
	[probe]="probe/ python/ proc/"
	[profile]="profile/ probe/ python/ proc/"
	[alloc]="alloc/ profile/frame_table.h profile/profile.h proc/"
	[out]="out/ profile/frame_table.h profile/profile.h proc/output_file.h proc/text_escape.h"
	[agent]="agent/ out/ profile/ probe/ python/ proc/"
	[cmd]="cmd/ agent/ alloc/ out/ profile/ probe/ python/ proc/"
)
bad=0 n=0
for file in */*.[ch]; do
	stage=${file%%/*}
	[ -n "${allowed[$stage]:-}" ] || { echo "$file: $stage/ is not a stage this check knows"; bad=1; continue; }
	while read -r inc; do
		n=$((n + 1))
		ok=0
		for prefix in ${allowed[$stage]}; do
			[[ $inc == "$prefix"* ]] && ok=1
		done
		[ $ok = 1 ] || { echo "$file includes $inc: $stage/ may include only ${allowed[$stage]}"; bad=1; }
	done < <(sed -n 's/^#include "\([a-z_]*\/[a-z_]*\.h\)".*/\1/p' "$file")
done
[ $bad = 0 ] && echo "layering: $n includes across stages, all in order"
exit $bad
