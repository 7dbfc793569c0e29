#!/usr/bin/env bash
# The agent over a long run (issue 13's soak): `pybpftop agent` beside
# process churn (short-lived Pythons, several a second), thread churn (a
# process that starts and ends threads all the time, each with a name of its
# own), code churn (tests/workloads/code_churn.py) and a few steady busy
# processes. Samples the agent's RSS and CPU every minute, and at the end
# reports the RSS slope, the totals and the samples lost; writes its section
# of docs/performance.md. A benchmark, not a test.
#   sudo bench/soak.sh [--minutes N] [--rate HZ] [--busy N] [--churn-per-s N] [--no-write]
# The live lock (/tmp/pybpftop-live.lock) is held only while the agent
# starts (its BPF load), not for the whole run: other live runs need it, and
# an always-on agent runs beside other profilers anyway. The workloads run at
# nice 10, so that other work on the machine keeps its share; the agent does
# not.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/section.sh
. bench/section.sh
minutes=30 rate=19 busy=3 churn=4 write=1 window=15
while [ $# -gt 0 ]; do
	case $1 in
	--minutes) minutes=$2; shift ;;
	--rate) rate=$2; shift ;;
	--busy) busy=$2; shift ;;
	--churn-per-s) churn=$2; shift ;;
	--no-write) write=0 ;;
	*) echo "usage: bench/soak.sh [--minutes N] [--rate HZ] [--busy N] [--churn-per-s N] [--no-write]" >&2; exit 2 ;;
	esac
	shift
done
out=docs/performance.md
marker='<!-- bench/soak.sh -->'
lock=/tmp/pybpftop-live.lock
py=/usr/bin/python3.11
py12=/root/.pyenv/versions/3.12.1/bin/python3.12
[ -x "$py12" ] || py12=$py
[ "$(id -u)" = 0 ] || { echo "bench/soak.sh: run as root (BPF)" >&2; exit 1; }
fail() { echo "bench/soak.sh: $*" >&2; exit 1; }

tmp=$(mktemp -d /tmp/soak.XXXXXX)
pids=()
agent=
cleanup() {
	[ -z "$agent" ] || kill -9 "$agent" 2>/dev/null || true
	# Each churn loop is its own process group (setsid): its children too.
	for p in "${pids[@]}"; do kill -9 -- "-$p" "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
make -s all

# Thread churn: threads that live 20-80 ms, about 25 started a second,
# each named after a counter (thread_name labels that never repeat).
cat >"$tmp/thread_churn.py" <<'PY'
import ctypes, os, sys, threading, time
libc = ctypes.CDLL(None)
def life(k):
    libc.prctl(15, ("tc-%d" % k).encode()[:15], 0, 0, 0)
    end = time.thread_time() + 0.02 + (k % 4) * 0.02
    while time.thread_time() < end:
        pass
print("READY %d" % os.getpid(), flush=True)
k = 0
while True:
    k += 1
    threading.Thread(target=life, args=(k,), daemon=True).start()
    time.sleep(0.04)
PY

spawn() { # a command in its own process group, at nice 10
	setsid nice -n 10 "$@" >/dev/null 2>&1 &
	pids+=("$!")
	disown "$!"
}
for _ in $(seq "$busy"); do
	spawn "$py" bench/workload.py --forever --depth 30 --iterations 200000
done
spawn "$py12" "$tmp/thread_churn.py"
spawn "$py" tests/workloads/code_churn.py 100000
spawn "$py12" tests/workloads/churn.py
# Process churn: $churn short-lived Pythons a second, each burning ~100 ms
# of CPU in a function of its own name 20 frames deep.
# shellcheck disable=SC2016 # expanded by the inner bash
spawn bash -c 'i=0; while :; do i=$((i + 1)); echo "$i" >"$2"; "$0" -c "
import time
exec(\"def burst_%d(d):\\n    if d: return burst_%d(d - 1)\\n    e = time.thread_time() + 0.1\\n    while time.thread_time() < e: pass\\n\" % ($i, $i))
burst_$i(20)" & sleep "$1"; done' "$py" "$(awk -v c="$churn" 'BEGIN {printf "%.3f", 1 / c}')" "$tmp/churn.n"

# The agent: its start (BPF load) under the live lock, the rest not.
exec 8>"$lock"
flock 8
./pybpftop agent --spool "$tmp/spool" --window "$window" --rate "$rate" -v \
	>"$tmp/agent.out" 2>"$tmp/agent.log" 8>&- &
agent=$!
until grep -q 'msg=\("started"\|started\)\( \|$\)' "$tmp/agent.log"; do
	kill -0 "$agent" 2>/dev/null || { cat "$tmp/agent.log" >&2; fail "the agent exited before it started"; }
	sleep 0.05
done
flock -u 8
exec 8>&-
t0=$(date +%s.%N)
tck=$(getconf CLK_TCK)
map_bytes=$(sed -n 's/.*msg=\("started"\|started\) .*bpf_map_bytes="\?\([0-9]*\)"\?.*/\2/p' "$tmp/agent.log")
echo "bench/soak.sh: agent $agent started (bpf_map_bytes=$map_bytes); $minutes min" >&2

# Every minute: minute, agent CPU ticks (utime+stime), VmRSS KiB, VmHWM KiB,
# spool bytes, spool files, processes seen so far.
sample() {
	local m=$1 ticks rss hwm sb sf seen
	ticks=$(awk '{print $14 + $15}' "/proc/$agent/stat")
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$agent/status")
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$agent/status")
	# The spool's writer renames its temporary files meanwhile: du and
	# find may miss one, and say so.
	sb=$(du -sb "$tmp/spool" 2>/dev/null | cut -f1 || true)
	sf=$(find "$tmp/spool" -type f -name '[0-9]*' 2>/dev/null | wc -l || true)
	seen=$(grep -c 'msg=\("profiling"\|profiling\)\( \|$\)' "$tmp/agent.log" || true)
	echo "$m $ticks $rss $hwm $sb $sf $seen" >>"$tmp/samples"
	echo "  minute $m: cpu ticks $ticks, rss $rss KiB (peak $hwm), spool $sb bytes in $sf files, $seen processes seen" >&2
}
sample 0
for m in $(seq "$minutes"); do
	# Sleep to the minute's mark from the start, not 60 s after the sample.
	sleep "$(awk -v t0="$t0" -v m="$m" -v now="$(date +%s.%N)" 'BEGIN {d = t0 + 60 * m - now; print (d > 0) ? d : 0}')"
	kill -0 "$agent" 2>/dev/null || { tail -n 20 "$tmp/agent.log" >&2; fail "the agent died at minute $m"; }
	sample "$m"
done
t1=$(date +%s.%N)
kill -TERM "$agent"
wait "$agent" || fail "the agent exited with $?"
agent=
for p in "${pids[@]}"; do kill -9 -- "-$p" "$p" 2>/dev/null || true; done
pids=()

# The least-squares slope of RSS over the minutes after the warm-up (a
# fifth of the run, at least 2 minutes).
warm=$(( minutes / 5 > 2 ? minutes / 5 : 2 ))
slope=$(awk -v w="$warm" '$1 >= w {n++; sx += $1; sy += $3; sxx += $1 * $1; sxy += $1 * $3}
	END {d = n * sxx - sx * sx; if (n < 2 || d == 0) print "-"; else printf "%.1f", (n * sxy - sx * sy) / d}' "$tmp/samples")
read -r _ tk0 rss0 _ <<<"$(head -n1 "$tmp/samples")"
read -r _ tkN rssN hwmN sbN sfN seenN <<<"$(tail -n1 "$tmp/samples")"
rssw=$(awk -v w="$warm" '$1 == w {print $3}' "$tmp/samples")
cpu=$(awk -v a="$tk0" -v b="$tkN" -v t="$tck" -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" \
	'BEGIN {printf "%.3f", 100 * (b - a) / t / s}')
percpu=$(awk 'NR > 1 {d = $2 - p; printf "%s%.2f", (NR > 2 ? " " : ""), 100 * d / t / 60} {p = $2}' t="$tck" "$tmp/samples")
rsslist=$(awk '{printf "%s%d", (NR > 1 ? " " : ""), $3 / 1024 + 0.5}' "$tmp/samples")
counters=$(grep -E '^ +all ' "$tmp/agent.log" | tail -n1)
read -r _ s_samples s_sent s_trunc s_rerr s_nothr s_nofr s_lost _ <<<"$counters"
ev_lost=$(sed -n 's/^Process events lost: \([0-9]*\).*/\1/p' "$tmp/agent.log")
symb=$(grep '^Symbolizer:' "$tmp/agent.log" | tail -n1 | sed 's/^Symbolizer: //')
exits=$(grep -c 'msg=\("exited"\|exited\)\( \|$\)' "$tmp/agent.log" || true)
windows=$(grep -c 'msg=\("window"\|window\)\( \|$\)' "$tmp/agent.log" || true)
wsamples=$(sed -n 's/.*msg=\("window"\|window\) .* samples="\?\([0-9]*\)"\?.*/\2/p' "$tmp/agent.log" | awk '{s += $1} END {print s + 0}')
errs=$(grep -c 'level=error\|level=warn' "$tmp/agent.log" || true)
resets=$(grep -c 'msg="names forgotten' "$tmp/agent.log" || true)
spawned=$(cat "$tmp/churn.n" 2>/dev/null || echo 0)

{
	cat <<MD
$marker
## The agent over $minutes minutes: \`bench/soak.sh\`

Made by \`bench/soak.sh --minutes $minutes --rate $rate\` on $(date -u +%Y-%m-%d) ($(nproc) CPUs, kernel $(uname -r)).
\`pybpftop agent --rate $rate --window $window --spool DIR -v\` ran beside: $busy steady busy
processes (\`bench/workload.py\`, 30 frames, $py), a process that starts a
thread every 40 ms, each living 20-80 ms under a name of its own (3.12), code
churn (\`tests/workloads/code_churn.py\`: a function compiled, run and dropped
every call), stack churn (\`tests/workloads/churn.py\`, 4 threads), and about
$churn short-lived Pythons a second (each a function of its own name 20 frames
deep, burning 100 ms of CPU; $spawned started in all). The workloads ran at nice 10.
The agent sees every Python on the host: other sessions' tests ran beside it
(the live lock was held for its start only), and it profiled them too.

| what | value |
|---|---|
| RSS at start / after ${warm} min / at the end | $((rss0 / 1024)) / $((rssw / 1024)) / $((rssN / 1024)) MiB |
| RSS slope after minute $warm (least squares) | **$slope KiB/min** |
| peak RSS (VmHWM) | $((hwmN / 1024)) MiB |
| agent CPU over the run (utime + stime) | **$cpu %** of one core |
| BPF map memory (\`bpf_map_bytes\` at start) | $((map_bytes / 1024)) KiB |
| processes profiled (\`profiling\` lines) / exits seen | $seenN / $exits |
| windows written / samples in them | $windows / $wsamples |
| spool at the end | $((sbN / 1024)) KiB in $sfN files |
| BPF samples / sent / lost (ring buffer full) | $s_samples / $s_sent / **$s_lost** |
| truncated / read errors / no thread / no frames | $s_trunc / $s_rerr / $s_nothr / $s_nofr |
| process events lost | $ev_lost |
| warnings and errors logged | $errs |
| frame table resets (\`names forgotten\`, code churn) | $resets |

Symbolizer at the end: $symb.

RSS each minute (MiB): $rsslist.

Agent CPU each minute (% of one core): $percpu.
MD
} >"$tmp/section"
cat "$tmp/section"
cp "$tmp/samples" "${SOAK_KEEP:-/tmp}/soak.samples" 2>/dev/null || true
cp "$tmp/agent.log" "${SOAK_KEEP:-/tmp}/soak.agent.log" 2>/dev/null || true
if [ "$write" = 1 ]; then
	write_section "$marker" "$tmp/section" "$out"
	echo "wrote $out" >&2
fi
