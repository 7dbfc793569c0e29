#!/usr/bin/env bash
# How long each output format takes to write a big synthetic profile
# (bench/formats.c); writes its section of docs/performance.md. Not a test;
# needs no root.
#   bench/formats.sh [RUNS]
# The section runs from its marker line to the next "<!-- bench/" marker or
# the end of the file, and is replaced in place (added at the end the first
# time), so the other benchmarks' sections are kept whatever their order.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/section.sh
. bench/section.sh
runs=${1:-5}
out=docs/performance.md
marker='<!-- bench/formats.sh -->'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s build/bench_formats

/usr/bin/time -f '%M' -o "$tmp/rss" build/bench_formats "$tmp" "$runs" >"$tmp/res" 2>"$tmp/err"
shape=$(sed -n 's/^profile: \(.*\), built in .*/\1/p' "$tmp/err")
rss=$(($(cat "$tmp/rss") / 1024))

row() {	# name what
	local name=$1 what=$2 med min max bytes
	if grep -q "^$name unsupported$" "$tmp/res"; then
		echo "| $what | not written yet (the writer returns ENOTSUP) | | | |"
		return
	fi
	read -r _ med min max bytes < <(grep "^$name " "$tmp/res")
	awk -v w="$what" -v med="$med" -v min="$min" -v max="$max" -v b="$bytes" 'BEGIN {
		printf "| %s | **%s** | %s | %s | %.1f MB |\n", w, med, min, max, b / 1e6 }'
}

section() {
	cat <<MD
$marker
## Writing the output formats

Made by \`bench/formats.sh $runs\` on $(date -u +%Y-%m-%d) ($(nproc) CPUs,
kernel $(uname -r)). A synthetic profile (\`bench/formats.c\`): $shape,
in 8 threads; each stack 50 frames deep, sharing most of its frames with the
one before it, as a program's stacks do; names and paths the length of an
installed package's. Each format is written to a file $runs times; seconds,
median first. The chrome format also writes the timeline (one span per
function per run of samples).

| format | median s | fastest | slowest | file |
|---|---|---|---|---|
$(row folded "folded (\`out/folded.c\`)")
$(row html "html")
$(row speedscope "speedscope")
$(row pprof "pprof (gzip level 1)")
$(row chrome "chrome")

Goal: under 1 s per format. Peak RSS of the whole run, the profile
included: $rss MiB.

The folded text repeats every frame's name and path on every line, so it
is by far the largest file. Its writer makes each frame's text once per
frame id and sorts the stacks frame by frame; the first version, which
built every line a character at a time and sorted the lines as text,
took 19 s here. pprof is the smallest: each function, file and
location is written once and the samples refer to them by number.
MD
}

section >"$tmp/section"
write_section "$marker" "$tmp/section" "$out"
cat "$tmp/res" >&2
echo "wrote $out" >&2
