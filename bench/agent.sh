#!/usr/bin/env bash
# What `pybpftop agent` costs (issue 13's benchmark): at 19, 99 and 999 Hz
# with 1, 8 and 32 busy Python processes, the targets' slowdown (their work
# done per second against a no-agent baseline), the agent's own CPU, its
# peak and end RSS, the BPF program's ns per run and per Python sample, and
# the BPF map memory; then the agent with no Python process to profile.
# Writes its section of docs/performance.md. Not a test.
#   sudo bench/agent.sh [--quick] [--rounds N] [--window S] [--seconds S]
#                       [--rates "19 99 999"] [--procs "1 8 32"] [--lock-once] [--no-write]
# Windows are the agent's default 15 s, and each row's timed part is one
# window long (--seconds defaults to --window) and holds one flush, so the
# flushing counts as much as it does in a real run. The default, 5 rounds,
# takes about 21 minutes, --quick (2 rounds) about 9, waits for the live
# lock not counted.
# Method, as bench/peers.sh: the targets (bench/agent_workload.py, 30
# frames, a function of its own at each level) are pinned to CPU 1, the
# agent to CPU 0, so the slowdown is what sampling costs the targets (the
# timer interrupts and the BPF walk, on their CPU), and the agent's own CPU
# is counted apart. For each process count, one set of targets serves every
# row of a round; the rows (no agent, each rate; for 8 processes a second
# no-agent row, the noise floor) take turns going first from round to
# round; each round (about 3 minutes by default) holds the live lock, or
# with --lock-once the whole run does (for runs of 10 minutes or less: a
# busy lock is then waited for once). The slowdown of a
# row is the median over rounds of its work rate divided by the same
# round's no-agent rate.
# The agent profiles every CPython on the host: the figures include any
# other Python that ran meanwhile (the agent's "processes" at start says
# how many it found; the table gives the median).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/section.sh
. bench/section.sh
rounds=5 window=15 seconds='' rates="19 99 999" procs="1 8 32" write=1 quick=0 gate=2 idle_s=30 once=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 rounds=2 idle_s=15 ;;
	--rounds) rounds=$2; shift ;;
	--window) window=$2; shift ;;
	--seconds) seconds=$2; shift ;;
	--rates) rates=$2; shift ;;
	--procs) procs=$2; shift ;;
	--no-write) write=0 ;;
	--lock-once) once=1 ;;
	*) echo "usage: bench/agent.sh [--quick] [--rounds N] [--window S] [--seconds S] [--rates LIST] [--procs LIST] [--lock-once] [--no-write]" >&2; exit 2 ;;
	esac
	shift
done
seconds=${seconds:-$window}
py=${BENCH_PY:-/usr/bin/python3.11}
depth=${BENCH_DEPTH:-30}
out=docs/performance.md
marker='<!-- bench/agent.sh -->'
lock=/tmp/pybpftop-live.lock
[ "$(id -u)" = 0 ] || { echo "bench/agent.sh: run as root (BPF)" >&2; exit 1; }
fail() { echo "bench/agent.sh: $*" >&2; exit 1; }
stats0=$(sysctl -n kernel.bpf_stats_enabled)

tmp=$(mktemp -d /tmp/agentbench.XXXXXX)
targets=()
agent=
cleanup() {
	[ -z "$agent" ] || kill -9 "$agent" 2>/dev/null || true
	[ ${#targets[@]} -eq 0 ] || kill -9 "${targets[@]}" 2>/dev/null || true
	sysctl -q kernel.bpf_stats_enabled="$stats0"
	rm -rf "$tmp"
}
trap cleanup EXIT
make -s all
sysctl -q kernel.bpf_stats_enabled=1

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# The CPU time (ns) of every thread of process $1 so far.
cpu_ns() {
	local s=0 t f
	for f in /proc/"$1"/task/*/schedstat; do
		read -r t _ <"$f" 2>/dev/null && s=$((s + t))
	done
	echo "$s"
}
# run_time_ns and run_cnt of BPF program $1.
prog_stats() {
	[ -n "$1" ] || { echo "0 0"; return; }
	{ bpftool prog show id "$1" || true; } | sed -n 's/.* run_time_ns \([0-9]*\) run_cnt \([0-9]*\).*/\1 \2/p'
}
sampler_ids() { { bpftool prog show name sample_cpu 2>/dev/null || true; } | sed -n 's/^\([0-9]*\): perf_event .*/\1/p' | sort -n; }
status_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# $1 busy targets on CPU 1, each printing to $tmp/t.K.
start_targets() {
	local n=$1 k
	targets=()
	for k in $(seq "$n"); do
		taskset -c 1 "$py" bench/agent_workload.py "$depth" >"$tmp/t.$k" 2>&1 &
		targets+=("$!")
	done
	for k in $(seq "$n"); do
		until grep -q '^READY ' "$tmp/t.$k"; do
			kill -0 "${targets[$((k - 1))]}" 2>/dev/null || { cat "$tmp/t.$k" >&2; fail "target $k died"; }
			sleep 0.02
		done
	done
}
stop_targets() {
	kill -9 "${targets[@]}" 2>/dev/null || true
	wait "${targets[@]}" 2>/dev/null || true
	targets=()
}
# The targets' work between the last two COUNT lines of each: the sum of
# their chunks per second, and their chunks per second of their own CPU
# (all chunks over all CPU seconds). The second does not move when some
# other process takes a share of CPU 1: this machine is shared.
work_rate() {
	local n=$1 k
	for k in $(seq "$n"); do
		grep '^COUNT ' "$tmp/t.$k" | tail -n 2 | awk 'NR == 1 {c = $2; t = $3; u = $4} NR == 2 {printf "%.6f %d %.6f\n", ($2 - c) / ($3 - t), $2 - c, $4 - u}'
	done | awk '{s += $1; c += $2; u += $3} END {printf "%.4f %.4f", s, (u > 0) ? c / u : 0}'
}
# Asks every target for its count, and waits until each has answered.
mark() {
	local n=$1 want=$2 k
	kill -USR1 "${targets[@]}"
	for k in $(seq "$n"); do
		until [ "$(grep -c '^COUNT ' "$tmp/t.$k")" -ge "$want" ]; do sleep 0.01; done
	done
}

# One timed part with $2 targets running, row $1 (none, none2 or a rate);
# appends to $tmp/r.$2.$1:
#   RATE CPU_RATE AGENT_CPU_PCT RSS_KIB HWM_KIB NS_PER_RUN RUNS NS_PER_SAMPLE MAP_BYTES PROCS_AT_START
marks=0
timed_run() {
	local row=$1 n=$2 id='' before c0=0 c1=0 s0='0 0' s1='0 0' t0 t1 rss=- hwm=- line
	if [ "${row#none}" = "$row" ]; then
		before=$(sampler_ids)
		taskset -c 0 ./pybpftop agent --spool "$tmp/spool" --window "$window" --rate "$row" -v \
			>"$tmp/agent.out" 2>"$tmp/agent.log" &
		agent=$!
		until grep -q 'msg=\("started"\|started\)\( \|$\)' "$tmp/agent.log"; do
			kill -0 "$agent" 2>/dev/null || { cat "$tmp/agent.log" >&2; fail "the agent exited before it started"; }
			sleep 0.02
		done
		# bpftool fails when a program goes while it lists them (other
		# sessions' agents come and go): a few tries, then no BPF figures.
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			id=$(comm -13 <(echo "$before") <(sampler_ids) | head -n1)
			[ -z "$id" ] || break
			sleep 0.1
		done
		[ -n "$id" ] || echo "bench/agent.sh: warning: the agent's sample_cpu program not found: no BPF figures for this row" >&2
	fi
	sleep "$gate"
	marks=$((marks + 1))
	mark "$n" "$marks"
	t0=$(date +%s.%N)
	if [ -n "$agent" ]; then c0=$(cpu_ns "$agent"); s0=$(prog_stats "$id"); fi
	sleep "$seconds"
	marks=$((marks + 1))
	mark "$n" "$marks"
	t1=$(date +%s.%N)
	if [ -n "$agent" ]; then
		c1=$(cpu_ns "$agent")
		s1=$(prog_stats "$id")
		rss=$(status_kib "$agent" VmRSS)
		hwm=$(status_kib "$agent" VmHWM)
		kill -TERM "$agent"
		wait "$agent" || fail "the agent exited with $?"
		agent=
	fi
	line="$(work_rate "$n")"
	if [ "${row#none}" = "$row" ]; then
		local pcpu nspr runs nsps maps found
		pcpu=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.3f", 100 * (b - a) / 1e9 / (t1 - t0)}')
		read -r nspr runs <<<"$(awk -v a="$s0" -v b="$s1" 'BEGIN {split(a, x); split(b, y); r = y[2] - x[2];
			if (r > 0) printf "%.0f %d", (y[1] - x[1]) / r, r; else print "- 0"}')"
		nsps=$(sed -n 's/^BPF program: .* ns per run, \([0-9]*\) ns per Python sample/\1/p' "$tmp/agent.log")
		maps=$(sed -n 's/.*msg=\("started"\|started\) .*bpf_map_bytes="\?\([0-9]*\)"\?.*/\2/p' "$tmp/agent.log")
		found=$(sed -n 's/.*msg=\("started"\|started\) .* processes="\?\([0-9]*\)"\?.*/\2/p' "$tmp/agent.log")
		line+=" $pcpu $rss $hwm $nspr $runs ${nsps:--} ${maps:--} ${found:--}"
		grep -E '^ +all ' "$tmp/agent.log" | awk -v r="$row" -v n="$n" '{print n, r, $0}' >>"$tmp/counters"
		rm -rf "$tmp/spool"
	fi
	echo "$line" >>"$tmp/r.$n.$row"
}

# The live lock for a round, or with --lock-once for the run.
mine() { { [ "$1" = run ] && [ "$once" = 1 ]; } || { [ "$1" = round ] && [ "$once" = 0 ]; }; }
lock() { if mine "$1"; then exec 8>"$lock"; flock 8; fi; }
unlock() { if mine "$1"; then flock -u 8; exec 8>&-; fi; }
lock run
start=$(date +%s)
for i in $(seq "$rounds"); do
	lock round
	for n in $procs; do
		# shellcheck disable=SC2206 # a list of words
		rows=(none $rates)
		[ "$n" != 8 ] || rows+=(none2)
		start_targets "$n"
		marks=0
		for k in $(seq 0 $((${#rows[@]} - 1))); do
			timed_run "${rows[$(((i + k) % ${#rows[@]}))]}" "$n"
		done
		stop_targets
		line=
		for r in "${rows[@]}"; do line+="$r $(tail -n1 "$tmp/r.$n.$r" | cut -d' ' -f1-3)  "; done
		echo "round $i, $n procs (work/s, work/CPU s, agent CPU %): $line" >&2
	done
	unlock round
done

# The agent with no target of its own: every CPython on the host that it
# finds is profiled all the same (their number is in the table).
lock round
taskset -c 0 ./pybpftop agent --spool "$tmp/spool" --rate 19 -v >"$tmp/agent.out" 2>"$tmp/idle.log" &
agent=$!
until grep -q 'msg=\("started"\|started\)\( \|$\)' "$tmp/idle.log"; do
	kill -0 "$agent" 2>/dev/null || { cat "$tmp/idle.log" >&2; fail "the agent exited before it started"; }
	sleep 0.02
done
sleep "$gate"
c0=$(cpu_ns "$agent")
w0=$(awk '/^voluntary_ctxt_switches:/ {v = $2} /^nonvoluntary_ctxt_switches:/ {n = $2} END {print v + n}' "/proc/$agent/status")
t0=$(date +%s.%N)
sleep "$idle_s"
c1=$(cpu_ns "$agent")
w1=$(awk '/^voluntary_ctxt_switches:/ {v = $2} /^nonvoluntary_ctxt_switches:/ {n = $2} END {print v + n}' "/proc/$agent/status")
t1=$(date +%s.%N)
idle_rss=$(status_kib "$agent" VmRSS)
kill -TERM "$agent"
wait "$agent" || true
agent=
unlock round
unlock run
idle_found=$(sed -n 's/.*msg=\("started"\|started\) .* processes="\?\([0-9]*\)"\?.*/\2/p' "$tmp/idle.log")
idle_seen=$(grep -c 'msg=\("profiling"\|profiling\)\( \|$\)' "$tmp/idle.log" || true)
idle_pct=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.3f", 100 * (b - a) / 1e9 / (t1 - t0)}')
idle_wake=$(awk -v a="$w0" -v b="$w1" -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.1f", (b - a) / (t1 - t0)}')
idle_us=$(awk -v a="$c0" -v b="$c1" -v w0="$w0" -v w1="$w1" 'BEGIN {if (w1 > w0) printf "%.0f", (b - a) / 1e3 / (w1 - w0); else print "-"}')
elapsed=$(( $(date +%s) - start ))

# The median of column $2 of $tmp/r.$1.*.
col() { awk -v c="$2" '$c != "-" {print $c}' "$1" | median; }
# The median over rounds of row $2's rate over the same round's none.
# ratio N ROW [COLUMN]: the median over rounds of ROW's work rate (column
# 1, per second; 2, per CPU second) over the same round's none.
ratio() { paste -d' ' <(cut -d' ' -f"${3:-1}" "$tmp/r.$1.$2") <(cut -d' ' -f"${3:-1}" "$tmp/r.$1.none") | awk '$2 > 0 {printf "%.4f\n", $1 / $2}' | median; }
slow() { awk -v r="$1" 'BEGIN {printf "%+.1f %%", 100 * (1 - r)}'; }
declare -A res
{
	cat <<MD
$marker
## The agent's cost: \`bench/agent.sh\`

Made by \`bench/agent.sh$([ "$quick" = 1 ] && echo " --quick")$([ "$quick" = 0 ] && [ "$rounds" != 5 ] && echo " --rounds $rounds")\` on $(date -u +%Y-%m-%d) ($(nproc) CPUs, kernel $(uname -r), $rounds rounds of $seconds s per row, $((elapsed / 60)) min in all).
\`pybpftop agent --rate HZ --window $window --spool DIR\` against N busy targets
(\`bench/agent_workload.py\`, $depth frames, a function of its own at each
level, \`$py\`), all pinned to CPU 1; the agent on CPU 0. **Slowdown** is the
targets' work per second (summed over them) against the no-agent rate of the
same round, median over the rounds; **per CPU s** is the same for their work per
second of their own CPU (\`process_time\`), which other processes sharing CPU 1
do not move: the sampling's cost lands in the targets' time (the timer
interrupt and the BPF program run in their context). A negative figure is
noise. **Agent CPU** is
its utime + stime (every thread's \`schedstat\`) over the timed part, as a
share of one core; RSS is \`VmRSS\` at the end of the timed part and
\`VmHWM\`. **BPF ns per run** is \`run_time_ns / run_cnt\` of the agent's
\`sample_cpu\` program (\`bpftool prog show\`, \`kernel.bpf_stats_enabled=1\`)
over the timed part: it runs on every sample of every CPU, also those that
are not Python's (CPU 0's). **ns per Python sample** is the agent's \`-v\`
figure over its whole life: run time over the samples sent.

| targets | rate | slowdown, per CPU s | slowdown, per s | agent CPU, % of a core | RSS, MiB (peak) | BPF ns per run | BPF ns per Python sample | BPF map memory | Pythons at start |
|---|---|---|---|---|---|---|---|---|---|
MD
	for n in $procs; do
		for r in $rates; do
			f=$tmp/r.$n.$r
			q=$(ratio "$n" "$r" 2)
			qw=$(ratio "$n" "$r" 1)
			cpu=$(col "$f" 3)
			rss=$(col "$f" 4)
			hwm=$(awk '$5 != "-" {print $5}' "$f" | sort -g | tail -n1)
			res[$n.$r.slow]=$q res[$n.$r.cpu]=$cpu res[$n.$r.rss]=$rss res[$n.$r.hwm]=$hwm
			printf '| %s | %s Hz | %s | %s | %s | %.1f (%.1f) | %s | %s | %s KiB | %s |\n' "$n" "$r" \
				"$(slow "$q")" "$(slow "$qw")" "$cpu" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" "$(awk -v k="$hwm" 'BEGIN {print k / 1024}')" \
				"$(col "$f" 6)" "$(col "$f" 8)" "$(col "$f" 9 | awk '{printf "%d", $1 / 1024}')" "$(col "$f" 10)"
		done
	done
	if [[ " $procs " == *" 8 "* ]]; then
		q=$(ratio 8 none2 2)
		qw=$(ratio 8 none2 1)
		echo
		echo "The noise floor: a second no-agent row with 8 targets gave $(slow "$q") per CPU s, $(slow "$qw") per s (its rate over the first's, median)."
	fi
	cat <<MD

With no target of its own ($idle_s s at 19 Hz, $idle_found Pythons of other
sessions found at start, $idle_seen profiled over the run): **$idle_pct %** of a
core, $idle_wake wake-ups a second (voluntary and involuntary context
switches), ${idle_us} µs of CPU per wake-up, RSS $((idle_rss / 1024)) MiB.

MD
	if [[ " $procs " == *" 8 "* ]]; then
		echo "### The issue's budgets, 8 busy targets"
		echo
		echo "| rate | slowdown ≤ 1 % (per CPU s) | agent CPU ≤ 0.5 % of a core | RSS ≤ 40 MiB |"
		echo "|---|---|---|---|"
		for r in $rates; do
			awk -v r="$r" -v q="${res[8.$r.slow]}" -v c="${res[8.$r.cpu]}" -v m="${res[8.$r.hwm]}" 'BEGIN {
				printf "| %s Hz | %s (%+.1f %%) | %s (%.3f %%) | %s (peak %.1f MiB) |\n", r,
					(1 - q <= 0.01) ? "met" : "**not met**", 100 * (1 - q),
					(c <= 0.5) ? "met" : "**not met**", c,
					(m / 1024 <= 40) ? "met" : "**not met**", m / 1024 }'
		done
		echo
		echo "A slowdown within the noise floor above counts as none."
	fi
	cat <<MD

The OpenTelemetry eBPF profiler states "1% CPU and 250MB memory are our
upper limits in testing" ([README](https://github.com/open-telemetry/opentelemetry-ebpf-profiler#readme),
also on [pkg.go.dev](https://pkg.go.dev/go.opentelemetry.io/ebpf-profiler)), and
samples at 20 Hz by default (\`defaultArgSamplesPerSecond = 20\` in
[cli_flags.go](https://github.com/open-telemetry/opentelemetry-ebpf-profiler/blob/main/cli_flags.go)).
It does not say whether its 1 % is of one core or of the host; the agent's
figures above are shares of one core (this host has $(nproc)).
MD
} >"$tmp/section"
cat "$tmp/section"
cp "$tmp"/r.* "$tmp/counters" "${BENCH_KEEP:-/tmp}/" 2>/dev/null || true
if [ "$write" = 1 ]; then
	write_section "$marker" "$tmp/section" "$out"
	echo "wrote $out" >&2
fi
