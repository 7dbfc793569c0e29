#!/usr/bin/env bash
# pybpftop's overhead benchmark; writes docs/performance.md. Not a test.
#   sudo bench/run.sh [ROUNDS]
# Timings on shared VMs are noisy: every comparison is made in one run,
# interleaved round by round, and medians are quoted.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-11}
py=${BENCH_PY:-/usr/bin/python3.11}
out=docs/performance.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; sysctl -q kernel.bpf_stats_enabled=0' EXIT
[ -x ./pybpftop ] || make -s all

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# One timed run of the workload; $1 = rate in Hz, or 0 for no profiler;
# $2 = an environment setting for pybpftop. The workload is pinned to CPU 1
# and pybpftop to CPU 0, so that neither migrates in the middle of a run.
timed_run() {
	local hz=$1 pid rec=
	taskset -c 1 "$py" bench/workload.py --wait --depth 50 --iterations 60000000 >"$tmp/wl" &
	pid=$!
	until grep -q READY "$tmp/wl"; do sleep 0.05; done
	if [ "$hz" != 0 ]; then
		# "other" profiles a sleeping process instead: the events fire on the
		# workload's CPU and the program filters it out.
		target=$pid
		[ "${3:-}" = other ] && target=$sleeper
		env ${2:-} taskset -c 0 ./pybpftop record -p "$target" -r "$hz" -o "$tmp/out.folded" 2>/dev/null &
		rec=$!
	fi
	sleep 1	# attached before the work starts; the same wait without
	kill -USR1 "$pid"
	wait "$pid"
	# pybpftop ends by itself when the workload exits.
	if [ -n "$rec" ]; then
		[ "${3:-}" = other ] && kill -INT "$rec"
		wait "$rec" || true
	fi
	sed -n 's/^ELAPSED //p' "$tmp/wl"
}

# Five set-ups; "none" twice, as a control of what noise alone gives.
# Each round starts at another set-up, so none always runs first.
# "other": the events and the program at 999 Hz, aimed at another process,
# to tell the cost of the timer interrupts from the cost of the walk.
"$py" -c 'import time; time.sleep(3600)' &
sleeper=$!
configs=("none 0 -" "99 99 -" "999 999 -" "wake 999 PYBPFTOP_RB_WAKEUP=1" "none2 0 -" "other 999 - other")
echo "slowdown: $rounds rounds of {none, 99 Hz, 999 Hz, 999 Hz with wakeups, none again, 999 Hz on another process}" >&2
for i in $(seq "$rounds"); do
	for k in 0 1 2 3 4 5; do
		read -r name hz envs mode <<<"${configs[$(((i + k) % 6))]}"
		[ "$envs" = - ] && envs=
		timed_run "$hz" "$envs" "${mode:-}" >>"$tmp/t$name"
	done
	echo "  round $i: $(tail -qn1 "$tmp/tnone" "$tmp/t99" "$tmp/t999" "$tmp/twake" "$tmp/tnone2" "$tmp/tother" | tr '\n' ' ')" >&2
done
kill "$sleeper"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f", a / b}'; }
m0=$(median <"$tmp/tnone")
m99=$(median <"$tmp/t99")
m999=$(median <"$tmp/t999")
mwake=$(median <"$tmp/twake")
mctl=$(median <"$tmp/tnone2")
mother=$(median <"$tmp/tother")
rother=$(ratio "$mother" "$m0")
rwalk=$(ratio "$m999" "$mother")
r99=$(ratio "$m99" "$m0")
r999=$(ratio "$m999" "$m0")
rwake=$(ratio "$mwake" "$m0")
rctl=$(ratio "$mctl" "$m0")

# BPF time per sample at several depths, from the kernel's own statistics.
# The program also runs, and returns at once, for every other process on
# every CPU: that cost is measured on its own (a sleeping target, so every
# run is filtered out) and taken off, so what remains is per Python sample.
sysctl -q kernel.bpf_stats_enabled=1
bpf_stats() {	# pid hz -> "runs ns samples"
	./pybpftop record -p "$1" -r "$2" -d 4 -v -o "$tmp/out.folded" 2>"$tmp/v" || true
	runs_ns=$(sed -n 's/^BPF program: \([0-9]*\) runs, \([0-9]*\) ns per run.*/\1 \2/p' "$tmp/v")
	samples=$(awk '$1 == "all" {print $2}' "$tmp/v")
	echo "$runs_ns ${samples:-0}"
}
"$py" -c 'import time; time.sleep(3600)' &
idle=$!
for i in 1 2 3; do
	bpf_stats "$idle" 999 | awk '{print $2}' >>"$tmp/filtered"
done
kill "$idle"
filtered=$(median <"$tmp/filtered")
declare -A cost
for depth in 5 50 500; do
	"$py" bench/workload.py --forever --depth "$depth" --iterations 1000000 >"$tmp/wl$depth" &
	eval "pid$depth=$!"
done
for depth in 5 50 500; do
	until grep -q READY "$tmp/wl$depth"; do sleep 0.05; done
	kill -STOP "$(eval echo \$pid$depth)"
done
for i in 1 2 3 4 5; do
	for depth in 5 50 500; do
		p=$(eval echo \$pid$depth)
		kill -CONT "$p"
		read -r runs ns samples < <(bpf_stats "$p" 999)
		kill -STOP "$p"
		awk -v r="$runs" -v n="$ns" -v s="$samples" -v f="$filtered" \
			'BEGIN {if (s > 0) printf "%.0f\n", (r * n - (r - s) * f) / s}' >>"$tmp/c$depth"
	done
done
for depth in 5 50 500; do
	kill -9 "$(eval echo \$pid$depth)"
	cost[$depth]=$(median <"$tmp/c$depth")
done

# record's own CPU and memory at 99 Hz over 60 s, start-up included.
"$py" bench/workload.py --forever --depth 50 --iterations 1000000 >"$tmp/wl" &
pid=$!
until grep -q READY "$tmp/wl"; do sleep 0.05; done
/usr/bin/time -f '%e %U %S %M' -o "$tmp/start" ./pybpftop record -p "$pid" -d 0.01 -o "$tmp/out.folded" 2>/dev/null
/usr/bin/time -f '%e %U %S %M' -o "$tmp/agent" ./pybpftop record -p "$pid" -d 60 -o "$tmp/out.folded" 2>/dev/null
kill "$pid"
read -r el us sy rss <"$tmp/agent"
read -r _ sus ssy _ <"$tmp/start"
share=$(awk -v e="$el" -v u="$us" -v s="$sy" 'BEGIN {printf "%.2f", 100 * (u + s) / e}')

# The other bench/ scripts own the sections from their markers on.
keep=$(awk '/^<!-- bench\// {on = 1} on' "$out" 2>/dev/null || true)
cat >"$out" <<MD
# Performance

Made by \`sudo bench/run.sh $rounds\` on $(date -u +%Y-%m-%d) ($(nproc) CPUs,
kernel $(uname -r), $("$py" -c 'import platform; print(platform.python_version())')
from $py). Timings on this shared VM are noisy, so each comparison is made in
one run, interleaved round by round, and medians are quoted.

## Slowdown of a CPU-bound workload (50 frames deep)

| profiler | median seconds | ratio to none |
|---|---|---|
| none | $m0 | 1.0000 |
| none, again (the noise floor) | $mctl | $rctl |
| \`record\` at 99 Hz | $m99 | $r99 |
| \`record\` at 999 Hz | $m999 | $r999 |
| \`record\` at 999 Hz, a ring-buffer wakeup per sample | $mwake | $rwake |
| \`record\` at 999 Hz of *another* (sleeping) process | $mother | $rother |

Goals: no slowdown measurable at 99 Hz (ratio ≤ 1.01), ≤ 1.02 at 999 Hz.
Rounds: $rounds; all times (s): none \`$(tr '\n' ' ' <"$tmp/tnone")\`,
none again \`$(tr '\n' ' ' <"$tmp/tnone2")\`,
99 Hz \`$(tr '\n' ' ' <"$tmp/t99")\`, 999 Hz \`$(tr '\n' ' ' <"$tmp/t999")\`,
999 Hz with wakeups \`$(tr '\n' ' ' <"$tmp/twake")\`,
999 Hz on another process \`$(tr '\n' ' ' <"$tmp/tother")\`.

The last row keeps the cpu-clock events and the program running on the
workload's CPU at 999 Hz but profiles another process, so each run returns
after the tgid lookup: what it costs is the price of the timer interrupts
themselves in this VM, which any sampling profiler at that rate pays; the
difference between it and the 999 Hz row is what walking the stacks adds:
999 Hz on this workload / 999 Hz on another process = **$rwalk**.

The default sends samples with \`BPF_RB_NO_WAKEUP\` and user space drains the
ring buffer every 100 ms; the wakeup row is the same profiler with a wakeup per
sample (\`PYBPFTOP_RB_WAKEUP=1\`), whose cost lands in the kernel's irq_work
and the agent's wakeups, not in the BPF program's run time.

## BPF time per sample

From the kernel's \`run_time_ns\` (with \`kernel.bpf_stats_enabled=1\`), 999 Hz,
4 s per run, the three depths interleaved, median of 5 runs each. The
program also runs for every other process on every CPU and returns after one
map lookup; that cost, **$filtered ns** per run, was measured on its own
(a sleeping target) and taken off, so the figures are per Python sample:
the thread-state lookup, the walk and the ring-buffer copy.

| stack depth | ns per sample |
|---|---|
| 5 | ${cost[5]} |
| 50 | ${cost[50]} |
| 500 | ${cost[500]} |

Goal: ≤ 3 µs (3000 ns) for a 50-frame stack.

## \`record\`'s own CPU and memory (user space; for \`pybpftop agent\` see \`bench/agent.sh\` below)

\`record -d 60\` at 99 Hz on the 50-frame workload: $us s user + $sy s system
in $el s, **$share %** of one core, start-up included (start-up alone, a
\`-d 0.01\` run: $sus s user + $ssy s system, most of it parsing the kernel's
BTF); peak RSS **$((rss / 1024)) MiB**.
Goal: ≤ 0.5 % of one core at 99 Hz.
MD
[ -n "$keep" ] && printf '\n%s\n' "$keep" >>"$out"
echo "wrote $out" >&2
