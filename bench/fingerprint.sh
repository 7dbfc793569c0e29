#!/usr/bin/env bash
# What the code-object fingerprint costs the walker (issue 11): the BPF
# time per Python sample at 5, 50 and 500 frames, a build without the
# fingerprint against this one, in one run, interleaved, medians. Writes
# its section of docs/performance.md. Not a test.
#   sudo bench/fingerprint.sh REV [ROUNDS]   (REV: the build before it)
set -euo pipefail
cd "$(dirname "$0")/.."
rev=$1
rounds=${2:-7}
out=docs/performance.md
marker='<!-- bench/fingerprint.sh -->'
tmp=$(mktemp -d)
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null; rm -rf "$tmp"; sysctl -q kernel.bpf_stats_enabled=0' EXIT
# shellcheck source=bench/section.sh
. bench/section.sh
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

make -s all
git clone -q . "$tmp/old" && git -C "$tmp/old" checkout -q "$rev"
make -s -C "$tmp/old" all
old=$(git -C "$tmp/old" log -1 --format=%h)
new=$(git log -1 --format=%h)
bin() { [ "$1" = old ] && echo "$tmp/old" || echo .; }

sysctl -q kernel.bpf_stats_enabled=1
# DEPTH: one function recursing; DEPTHd: a function of its own per frame.
configs="5 50 500 5d 50d 500d"
for c in $configs; do
	flag=
	[ "${c%d}" != "$c" ] && flag=--distinct
	/usr/bin/python3.11 bench/workload.py --forever $flag --depth "${c%d}" --iterations 1000000 >"$tmp/wl$c" &
	pids+=($!)
	echo $! >"$tmp/pid$c"
done
for c in $configs; do
	until grep -q READY "$tmp/wl$c"; do sleep 0.05; done
done
# One workload runs at a time (the others stopped), so that each has a
# CPU and its samples are its own.
for c in $configs; do kill -STOP "$(cat "$tmp/pid$c")"; done
for i in $(seq "$rounds"); do
	order="old new"
	[ $((i % 2)) = 0 ] && order="new old"
	for depth in $configs; do
		p=$(cat "$tmp/pid$depth")
		kill -CONT "$p"
		for w in $order; do
			# The whole run (its first second before code is trusted), and
			# the steady state: the program's own run time from 2 to 4 s.
			"$(bin $w)/pybpftop" record -p "$p" -r 999 -d 5 -v -o "$tmp/out.folded" >"$tmp/rec" 2>&1 &
			rec=$!
			sleep 2
			prog=$(bpftool prog show | grep sample_cpu | tail -n 1 | cut -d: -f1)
			read -r t0 n0 < <(bpftool prog show id "$prog" | sed -n 's/.*run_time_ns \([0-9]*\) run_cnt \([0-9]*\).*/\1 \2/p')
			sleep 2
			read -r t1 n1 < <(bpftool prog show id "$prog" | sed -n 's/.*run_time_ns \([0-9]*\) run_cnt \([0-9]*\).*/\1 \2/p')
			wait "$rec"
			echo $(((t1 - t0) / (n1 - n0))) >>"$tmp/steady.$w.$depth"
			sed -n 's/^BPF program: .* ns per run, \([0-9]*\) ns per Python sample/\1/p' "$tmp/rec" >>"$tmp/bpf.$w.$depth"
		done
		kill -STOP "$p"
	done
	echo "  round $i: $(for d in $configs; do echo -n "$d: $(tail -n1 "$tmp/bpf.old.$d") / $(tail -n1 "$tmp/bpf.new.$d")  "; done)" >&2
done

row() {	# config
	local o n so sn what=recursing
	o=$(median <"$tmp/bpf.old.$1")
	n=$(median <"$tmp/bpf.new.$1")
	so=$(median <"$tmp/steady.old.$1")
	sn=$(median <"$tmp/steady.new.$1")
	[ "${1%d}" != "$1" ] && what="one function each"
	awk -v d="${1%d}" -v w="$what" -v o="$o" -v n="$n" -v so="$so" -v sn="$sn" 'BEGIN {printf "| %s | %s | %.2f | %.2f | %+.2f | **%.3f** | %.2f | %.2f | **%.3f** |\n", d, w, o / 1000, n / 1000, (n - o) / 1000, n / o, so / 1000, sn / 1000, sn / so}'
}
{
	cat <<MD
$marker
## What the code-object fingerprint costs: \`bench/fingerprint.sh\`

Made by \`bench/fingerprint.sh $rev $rounds\` on $(date -u +%Y-%m-%d) ($(nproc) CPUs, kernel $(uname -r)):
$old (before, no fingerprint) against $new (each frame carries its code
object's fingerprint, read in the kernel at sample time), in one run, taking
turns; medians of $rounds runs of 5 s at 999 Hz per depth. "Whole run" is
the kernel's run time per Python sample over the run (the program's cost on
other processes included in both), in µs; its first second is before any
code object is trusted, so every frame's object is read. "Steady" is the
program's run time per run (Python samples and the other CPU's filtered
ones alike) from 2 to 4 s, once the code objects are trusted: what an
always-on profiler pays.

| stack depth | frames | whole run: before | after | added | after / before | steady: before | after | after / before |
|---|---|---|---|---|---|---|---|---|
$(for c in $configs; do row "$c"; done)

"Recursing" is bench/workload.py's stack, one function calling itself, as
in the other sections; the walker reads a code object once per run of frames
that share it. "One function each" (\`--distinct\`) is the worst case: a code
object read per frame. The steady columns are 2 s windows of the kernel's
own statistics on a shared VM: the recursing rows, where the trusted path
reads nothing more than before, show how far they move by noise alone.
MD
} >"$tmp/section"
cat "$tmp/section"
write_section "$marker" "$tmp/section" "$out"
echo "wrote $out" >&2
