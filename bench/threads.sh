#!/usr/bin/env bash
# The thread-snapshot benchmarks (dump, top, --idle); writes its section of
# docs/performance.md (from its marker to the next one). Not a test.
#   sudo bench/threads.sh [ROUNDS]
# Every comparison is made in one run, interleaved round by round, and
# medians are quoted: timings on shared VMs are noisy.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-9}
py=${BENCH_PY:-/usr/bin/python3.11}
out=docs/performance.md
marker='<!-- bench/threads.sh -->'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x ./pybpftop ] || make -s all

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f", a / b}'; }
start() {	# output-file command...: start a workload, wait for READY, set $wl
	local f=$1
	shift
	"$@" >"$f" &
	wl=$!
	until grep -q READY "$f"; do sleep 0.05; done
}

# 1. dump of 100 threads x 50 frames.
start "$tmp/wt" "$py" bench/workload_threads.py 100 50
for i in $(seq $((rounds + 2))); do
	t0=$(date +%s.%N)
	./pybpftop dump -p "$wl" -v >"$tmp/dump.txt" 2>"$tmp/dump.err"
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f\n", (b - a) * 1000}' >>"$tmp/dump_total"
	sed -n 's/.*load and attach \([0-9.]*\) ms, \([0-9]*\) passes over \([0-9]*\) threads \([0-9.]*\) ms, output \([0-9.]*\) ms/\1 \2 \3 \4 \5/p' \
		"$tmp/dump.err" >>"$tmp/dump_parts"
done
kill "$wl"
threads=$(grep -c '^Thread ' "$tmp/dump.txt")
frames=$(grep -c '^  File "' "$tmp/dump.txt")
d_total=$(median <"$tmp/dump_total")
d_load=$(awk '{print $1}' "$tmp/dump_parts" | median)
d_pass=$(awk '{print $4}' "$tmp/dump_parts" | median)
d_npass=$(awk '{print $2}' "$tmp/dump_parts" | median)
d_out=$(awk '{print $5}' "$tmp/dump_parts" | median)

# 2. The slowdown of a CPU-bound workload under top and record at 99 Hz.
# The workload is pinned to CPU 1 and pybpftop to CPU 0.
cpu_run() {	# none|top|record
	local prof=
	start "$tmp/wl" taskset -c 1 "$py" bench/workload.py --wait --depth 50 --iterations 60000000
	case $1 in
	top) taskset -c 0 ./pybpftop top -p "$wl" --batch -i 1 >/dev/null 2>&1 & prof=$! ;;
	record) taskset -c 0 ./pybpftop record -p "$wl" -o "$tmp/out.folded" 2>/dev/null & prof=$! ;;
	esac
	sleep 1
	kill -USR1 "$wl"
	wait "$wl"
	[ -n "$prof" ] && { wait "$prof" || true; }
	sed -n 's/^ELAPSED //p' "$tmp/wl"
}
cfg=(none top record none2)
for i in $(seq "$rounds"); do
	for k in 0 1 2 3; do
		c=${cfg[$(((i + k) % 4))]}
		cpu_run "${c%2}" >>"$tmp/c_$c"
	done
	echo "  cpu round $i: $(tail -qn1 "$tmp"/c_none "$tmp"/c_top "$tmp"/c_record "$tmp"/c_none2 | tr '\n' ' ')" >&2
done
c0=$(median <"$tmp/c_none")
ctop=$(median <"$tmp/c_top")
crec=$(median <"$tmp/c_record")
cctl=$(median <"$tmp/c_none2")

# 3. --idle on a workload that switches context as fast as it can: two
# threads handing a token through pipes, both pinned to CPU 1.
switch_run() {	# none|record|idle|idle999
	local prof=
	start "$tmp/ws" taskset -c 1 "$py" bench/workload_switch.py 400000
	case $1 in
	record) taskset -c 0 ./pybpftop record -p "$wl" -o "$tmp/out.folded" 2>/dev/null & prof=$! ;;
	idle) taskset -c 0 ./pybpftop record -p "$wl" --idle -o "$tmp/out.folded" 2>/dev/null & prof=$! ;;
	idle999) taskset -c 0 ./pybpftop record -p "$wl" --idle -r 999 -o "$tmp/out.folded" 2>/dev/null & prof=$! ;;
	esac
	sleep 1
	kill -USR1 "$wl"
	wait "$wl"
	[ -n "$prof" ] && { wait "$prof" || true; }
	echo "$(sed -n 's/^ELAPSED //p' "$tmp/ws") $(sed -n 's/^SWITCHES_PER_S //p' "$tmp/ws")"
}
scfg=(none record idle idle999 none2)
for i in $(seq "$rounds"); do
	for k in 0 1 2 3 4; do
		c=${scfg[$(((i + k) % 5))]}
		switch_run "${c%2}" >>"$tmp/s_$c"
	done
	echo "  switch round $i: $(tail -qn1 "$tmp"/s_none "$tmp"/s_record "$tmp"/s_idle "$tmp"/s_idle999 | awk '{print $1}' | tr '\n' ' ')" >&2
done
col() { awk -v c="$1" '{print $c}' "$2" | median; }
s0=$(col 1 "$tmp/s_none")
srate=$(col 2 "$tmp/s_none")
srec=$(col 1 "$tmp/s_record")
sidle=$(col 1 "$tmp/s_idle")
sidle999=$(col 1 "$tmp/s_idle999")
sctl=$(col 1 "$tmp/s_none2")

{
	# Every other bench/ script's section is kept; this one is replaced.
	[ -f "$out" ] && awk -v m="$marker" '$0 == m {skip = 1; next} skip && /^<!-- bench\// {skip = 0} !skip' "$out"
	cat <<MD
$marker
## Thread snapshots: dump, top and --idle

Made by \`sudo bench/threads.sh $rounds\` on $(date -u +%Y-%m-%d) ($(nproc) CPUs,
kernel $(uname -r), $("$py" -c 'import platform; print(platform.python_version())')
from $py).

### One \`dump\` of $threads threads, $frames frames in all

Median of $((rounds + 2)) runs of \`pybpftop dump -p PID\` (text, no locals):

| part | ms |
|---|---|
| whole command, start to exit | $d_total |
| loading the BPF object and attaching the iterator | $d_load |
| the snapshot passes ($d_npass passes of every thread; a second pass checks the first) | $d_pass |
| symbolising, source lines and printing | $d_out |

Goal: under 50 ms for one dump.

### Slowdown of a CPU-bound workload (50 frames deep) under \`top\` at 99 Hz

| profiler | median s | ratio to none |
|---|---|---|
| none | $c0 | 1.0000 |
| none, again (the noise floor) | $cctl | $(ratio "$cctl" "$c0") |
| \`top --batch -i 1\`, 99 Hz | $ctop | $(ratio "$ctop" "$c0") |
| \`record\`, 99 Hz | $crec | $(ratio "$crec" "$c0") |

\`top\` also takes a snapshot of every thread once per refresh, for its
running/idle thread counts.

### \`--idle\` on a workload that switches context $srate times a second

Two threads hand a token back and forth through pipes (400,000 round trips),
both pinned to one CPU; the median switch rate without a profiler was
**$srate per second**, $(awk -v r="$srate" 'BEGIN {printf "%.1f", r / 20000}') times the 20,000 asked for.

| profiler | median s | ratio to none |
|---|---|---|
| none | $s0 | 1.0000 |
| none, again (the noise floor) | $sctl | $(ratio "$sctl" "$s0") |
| \`record\`, 99 Hz | $srec | $(ratio "$srec" "$s0") |
| \`record --idle\`, 99 Hz | $sidle | $(ratio "$sidle" "$s0") |
| \`record --idle\`, 999 Hz | $sidle999 | $(ratio "$sidle999" "$s0") |

\`--idle\` does no work per context switch: it walks the sleeping threads
once per sampling period, from a task iterator that user space runs, so its
cost grows with threads x rate, not with the switch rate.
MD
} >"$tmp/perf.md"
mv "$tmp/perf.md" "$out"
echo "wrote $out" >&2
