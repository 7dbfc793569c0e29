#!/usr/bin/env bash
# pybpftop side by side with the profilers that run on this machine (issue
# 12): 3.15's own sampling profiler, Austin, and for reference the
# in-process tracers (cProfile, sys.settrace, sys.monitoring), on one
# CPU-bound workload with a known 60/30/10 split (bench/peers_workload.py).
# Writes its sections of docs/performance.md. Not a test.
#   sudo bench/peers.sh [ROUNDS] [TABLE...]     TABLE: 3.13 3.15 ft (default: all)
# Every table is made in one run, interleaved round by round (each round
# starts at another row) against a no-profiler baseline on the same
# interpreter, and medians are quoted: timings on shared VMs are noisy.
# Each round holds /tmp/pybpftop-live.lock, peers' runs too, so that no other
# live run shares the machine meanwhile.
# Environment:
#   SID_DIR        the sid chroot (default /var/tmp/pybpftop-sid)
#   BENCH_WORK     the workload's --rounds (default 40: about 4 s of CPU)
#   BENCH_DEPTH    the workload's --depth (default 30 frames)
#   BENCH_GATE     seconds between attach and the start of the timed part (2)
#   BENCH_KEEP     a directory to keep every profile in (TABLE.ROW.ROUND)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/section.sh
. bench/section.sh
rounds=${1:-5}
shift || true
tables=("$@")
[ ${#tables[@]} -gt 0 ] || tables=(3.13 3.15 ft)
sid=${SID_DIR:-/var/tmp/pybpftop-sid}
work=${BENCH_WORK:-40}
depth=${BENCH_DEPTH:-30}
gate=${BENCH_GATE:-2}
out=docs/performance.md
lock=/tmp/pybpftop-live.lock
[ "$(id -u)" = 0 ] || { echo "bench/peers.sh: run as root (chroot, BPF)" >&2; exit 1; }
fail() { echo "bench/peers.sh: $*" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
trap '[ ${#pids[@]} -eq 0 ] || kill -9 "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT
make -s all
tools/sid-chroot.sh "$sid" 2>/dev/null || fail "no sid chroot at $sid (tools/sid-chroot.sh)"
austin=$(tools/sid-austin.sh "$sid")
# The chroot sees $tmp/sid as /pybpftop: the workload, the parser, the
# profilers' output files.
mkdir "$tmp/sid"
cp bench/peers_workload.py bench/peers_shares.py "$tmp/sid/"
sidrun() { SID_BIND=$tmp/sid tools/sid-run.sh "$sid" "$@"; }

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# The CPU time (ns) of every thread of process $1 so far (sum_exec_runtime).
cpu_ns() {
	local s=0 t f
	for f in /proc/"$1"/task/*/schedstat; do
		read -r t _ <"$f" 2>/dev/null && s=$((s + t))
	done
	echo "$s"
}
# A command in the workload's mount namespace and root (the chroot), as
# tools/sid-run.sh runs it: a profiler started through a second sid-run would
# be in another mount namespace, where the target's /proc/PID/maps paths do
# not resolve. nsenter execs: the pid stays the profiler's.
in_target() { # pid command...
	local p=$1
	shift
	echo nsenter -t "$p" -m -r env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
}

# One timed run of row $2 of table $1 on interpreter $3 (a path in the
# chroot); appends to $tmp/r.$1.$2 the line
#   WALL CPU SPLIT60 SPLIT30 SPLIT10 PROF_WINDOW_S PROF_TOTAL_S S60 S30 S10 SAMPLES GATE
# the workload's own wall and CPU seconds and split of the timed part; the
# profiler's CPU seconds in the timed part (all its threads, from
# /proc/PID/task/*/schedstat at the start gate and at the end of the timed
# part) and over its whole life (bash's `times` of the wrapper that waited
# for it); the three shares, the samples and the start-gate samples in the
# profiler's own output.
# The workload is pinned to CPU 1 and the profiler to CPU 0.
timed_run() {
	local table=$1 row=$2 py=$3 wl wlpid prof='' fmt='' file='' ppid rc=0 c0=0 c1=0
	local -a wcmd=("$py") pcmd=()
	local args=(/pybpftop/peers_workload.py --rounds "$work" --depth "$depth")
	file=out.$row
	rm -f "$tmp/sid/$file"
	case $row in
	none | none2) ;;
	cprofile) wcmd+=(-m cProfile -o "/pybpftop/$file") fmt=pstats ;;
	settrace | monitoring) args+=(--tracer "$row") ;;
	pyb*) pcmd=(./pybpftop record -p PID -r "${row#pyb}" -f folded -o "$tmp/sid/$file") fmt=folded ;;
	austin*) pcmd=(IN_TARGET "$austin" -i "${row#austin}ms" -o "/pybpftop/$file" -p PID) fmt=austin ;;
	tachyon*) pcmd=(IN_TARGET python3.15 -m profiling.sampling attach -r "${row#tachyon}" --collapsed -o "/pybpftop/$file" PID) fmt=collapsed ;;
	*) fail "unknown row $row" ;;
	esac
	wl=$tmp/wl.$row
	: >"$wl"
	SID_BIND=$tmp/sid taskset -c 1 tools/sid-run.sh "$sid" "${wcmd[@]}" "${args[@]}" >>"$wl" 2>"$wl.err" 8>&- &
	wlpid=$!
	pids+=("$wlpid")
	until grep -q '^READY ' "$wl"; do
		kill -0 "$wlpid" 2>/dev/null || { cat "$wl" "$wl.err" >&2; fail "$table $row: the workload exited before READY"; }
		sleep 0.02
	done
	if [ ${#pcmd[@]} -gt 0 ]; then
		pcmd=("${pcmd[@]/#PID/$wlpid}")
		if [ "${pcmd[0]}" = IN_TARGET ]; then
			# shellcheck disable=SC2207 # in_target prints words without spaces
			pcmd=($(in_target "$wlpid") "${pcmd[@]:1}")
		fi
		rm -f "$tmp/prof.pid" "$tmp/prof.times"
		# The wrapper reports the pid it started and, once the profiler
		# exited, its children's CPU (bash's `times`, second line).
		# shellcheck disable=SC2016 # expanded by the inner bash
		taskset -c 0 bash -c '"$@" & echo $! >"$0.pid"; wait $!; rc=$?; times >"$0.times"; exit $rc' \
			"$tmp/prof" "${pcmd[@]}" >"$tmp/prof.out" 2>"$tmp/prof.err" 8>&- &
		prof=$!
		pids+=("$prof")
		until [ -s "$tmp/prof.pid" ]; do sleep 0.01; done
		ppid=$(cat "$tmp/prof.pid")
		# pybpftop says when it has attached; the others do not, and the
		# gate's samples in their output show that they had.
		if [ "${row#pyb}" != "$row" ]; then
			until grep -q 'sampling pid' "$tmp/prof.err"; do
				kill -0 "$ppid" 2>/dev/null || { cat "$tmp/prof.err" >&2; fail "$table $row: pybpftop exited before attaching"; }
				sleep 0.01
			done
		fi
	fi
	sleep "$gate"
	[ -z "$prof" ] || c0=$(cpu_ns "$ppid")
	kill -USR1 "$wlpid"
	until grep -q '^SPLIT ' "$wl"; do
		kill -0 "$wlpid" 2>/dev/null || { cat "$wl" "$wl.err" >&2; fail "$table $row: the workload died"; }
		sleep 0.02
	done
	[ -z "$prof" ] || c1=$(cpu_ns "$ppid")
	kill -USR1 "$wlpid"
	wait "$wlpid" || { cat "$wl" "$wl.err" >&2; fail "$table $row: the workload failed"; }
	local total=0 shares='- - - 0 0'
	if [ -n "$prof" ]; then
		wait "$prof" || rc=$?
		[ "$rc" = 0 ] || { cat "$tmp/prof.out" "$tmp/prof.err" >&2; fail "$table $row: the profiler exited with $rc"; }
		total=$(sed -n 2p "$tmp/prof.times" | awk '{
			for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); t += a[1] * 60 + a[2] }
			print t }')
	fi
	if [ -n "$fmt" ]; then
		[ -s "$tmp/sid/$file" ] || { cat "$tmp/prof.err" >&2; fail "$table $row: no profile written"; }
		shares=$(sidrun "$py" /pybpftop/peers_shares.py "$fmt" "/pybpftop/$file")
		# A wall-clock sampler attached before the gate opened has samples
		# of its sigwait; without any, it may have missed the start.
		case $row in austin* | tachyon*)
			[ "${shares##* }" != 0 ] || echo "bench/peers.sh: warning: $table $row round $round: no samples of the start gate; attached late?" >&2 ;;
		esac
	fi
	echo "$(sed -n 's/^ELAPSED //p' "$wl") $(sed -n 's/^CPU //p' "$wl") $(sed -n 's/^SPLIT //p' "$wl")" \
		"$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.4f", (b - a) / 1e9}')" "$total" "$shares" >>"$tmp/r.$table.$row"
	if [ -n "${BENCH_KEEP:-}" ] && [ -f "$tmp/sid/$file" ]; then
		mv "$tmp/sid/$file" "$BENCH_KEEP/$table.$row.$round"
	fi
	rm -f "$tmp/sid/$file"
	pids=()
}

# Does this pybpftop build profile interpreter $1? (its refusal, if not, in $why)
pyb_supports() {
	local py=$1 wl wlpid rc=0
	wl=$tmp/probe
	: >"$wl"
	SID_BIND=$tmp/sid tools/sid-run.sh "$sid" "$py" /pybpftop/peers_workload.py --rounds 1 >>"$wl" 2>&1 8>&- &
	wlpid=$!
	pids+=("$wlpid")
	until grep -q '^READY ' "$wl"; do sleep 0.02; done
	flock "$lock" ./pybpftop record -p "$wlpid" -d 0.2 -o "$tmp/probe.folded" >/dev/null 2>"$tmp/probe.err" || rc=$?
	kill -9 "$wlpid"; pids=()
	wait "$wlpid" 2>/dev/null || true
	why=$(grep -v '^pybpftop: wrote\|^pybpftop: sampling' "$tmp/probe.err" | head -n 2 | tr '\n' ' ')
	return "$rc"
}

# Runs table $1's rows $3... on interpreter $2, $rounds interleaved rounds,
# each round under the live lock.
run_table() {
	local table=$1 py=$2 i k n r line
	shift 2
	local -a rows=("$@")
	n=${#rows[@]}
	echo "table $table ($py): $rounds rounds of ${rows[*]}" >&2
	for i in $(seq "$rounds"); do
		round=$i
		exec 8>"$lock"
		flock 8
		for k in $(seq 0 $((n - 1))); do
			timed_run "$table" "${rows[$(((i + k) % n))]}" "$py"
		done
		flock -u 8
		exec 8>&-
		line=
		for r in "${rows[@]}"; do line+="$r $(awk '{print $2}' "$tmp/r.$table.$r" | tail -n1)  "; done
		echo "  round $i (target CPU s): $line" >&2
	done
}

# The table of rows $3... of table $1 against its baseline none.
col() { awk -v c="$1" '$c != "-" {print $c}' "$2" | median; }
# Max absolute deviation (pp) of shares in columns $1..$1+2 from 60/30/10.
err_col() { awk -v c="$1" '$c != "-" {m = 0; split("60 30 10", w); for (k = 0; k < 3; k++) {d = $(c + k) - w[k + 1]; if (d < 0) d = -d; if (d > m) m = d}; print m}' "$2" | median; }
declare -A label=(
	[none]="none" [none2]="none, again (the noise floor)"
	[pyb100]="pybpftop \`record -r 100\`" [pyb1000]="pybpftop \`record -r 1000\`"
	[austin10]="Austin \`-i 10ms\`" [austin1]="Austin \`-i 1ms\`"
	[tachyon100]="\`profiling.sampling attach -r 100\`" [tachyon1000]="\`profiling.sampling attach -r 1000\`"
	[cprofile]="\`-m cProfile\` (in-process)" [settrace]="\`sys.settrace\` line tracer (in-process)"
	[monitoring]="\`sys.monitoring\` LINE callback (in-process)")
# The median 60/30/10 error that sampling noise alone gives N samples of a
# true 60/30/10 split (a multinomial draw, simulated).
noise_err() {
	/usr/bin/python3.11 -c '
import random, sys
n = int(float(sys.argv[1]))
rng = random.Random(12)
errs = []
for _ in range(2001):
    c = [0, 0, 0]
    for _ in range(n):
        u = rng.random()
        c[0 if u < 0.6 else 1 if u < 0.9 else 2] += 1
    errs.append(max(abs(100.0 * c[k] / n - w) for k, w in enumerate((60, 30, 10))))
print("%.2f" % sorted(errs)[1000])' "$1"
}
declare -A med
table_md() {
	local table=$1 f r c0 w0
	shift
	f=$tmp/r.$table
	c0=$(col 2 "$f.none")
	w0=$(col 1 "$f.none")
	echo "| profiler | target CPU s | **CPU ratio** | wall s | wall ratio | profiler CPU, % of the run | profiler CPU, whole life s | 60/30/10 error, pp | samples | noise alone, pp |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for r in "$@"; do
		local c w pw pt e n share noise=—
		c=$(col 2 "$f.$r")
		w=$(col 1 "$f.$r")
		pw=$(awk '{print 100 * $6 / $1}' "$f.$r" | median)
		pt=$(col 7 "$f.$r")
		e=$(err_col 8 "$f.$r")
		n=$(col 11 "$f.$r")
		med[$table.$r.cpu]=$(awk -v a="$c" -v b="$c0" 'BEGIN {printf "%.3f", a / b}')
		med[$table.$r.prof]=$pw
		med[$table.$r.err]=$e
		case $r in
		none* | settrace | monitoring) pw=—; pt=—; e=—; n=— ;;
		cprofile) pw=—; pt=—; n="$n calls" ;;
		*) noise=$(noise_err "$n") ;;
		esac
		med[$table.$r.noise]=$noise
		share=$pw
		[ "$share" = — ] || share=$(printf '%.2f' "$pw")
		echo "| ${label[$r]} | $c | **${med[$table.$r.cpu]}** | $w | $(awk -v a="$w" -v b="$w0" 'BEGIN {printf "%.3f", a / b}') | $share | $pt | $e | $n | $noise |"
	done
	echo
	echo "The workload's own split of the timed part (its thread CPU clock around each call), median error from 60/30/10 over every run of the table: **$(cat "$f".* | err_col 3 /dev/stdin) pp**."
	echo
	echo "Each round's target CPU seconds:"
	echo
	for r in "$@"; do echo "- ${label[$r]}: \`$(awk '{printf "%s ", $2}' "$f.$r" | sed 's/ $//')\`"; done
}
# The verdict at one rate: pybpftop's row $2 against the peers' rows $3...
verdict() {
	local table=$1 p=$2 q
	shift 2
	for q in "$@"; do
		awk -v who="${label[$p]}" -v peer="${label[$q]}" \
			-v pc="${med[$table.$p.cpu]}" -v qc="${med[$table.$q.cpu]}" \
			-v pp="${med[$table.$p.prof]}" -v qp="${med[$table.$q.prof]}" \
			-v pe="${med[$table.$p.err]}" -v qe="${med[$table.$q.err]}" \
			-v pn="${med[$table.$p.noise]}" -v qn="${med[$table.$q.noise]}" \
			-v floor="${med[$table.none2.cpu]}" 'BEGIN {
			s = (pc < qc) ? "lower" : (pc == qc ? "the same" : "**higher**")
			c = (pp < qp) ? "lower" : "**higher**"
			e = (pe <= qe) ? "no larger" : "**larger**"
			met = (pc < qc && pp < qp && pe <= qe) ? "met" : "**not met**"
			printf "- %s against %s: target slowdown %s (%.3f vs %.3f), profiler CPU %s (%.2f%% vs %.2f%%), error %s (%s vs %s pp): %s.", who, peer, s, pc, qc, c, pp, qp, e, pe, qe, met
			d = pc - qc; if (d < 0) d = -d
			f = floor - 1; if (f < 0) f = -f
			if (d <= f) printf " The slowdowns differ by %.3f, less than the noise floor (none again: %.3f).", d, floor
			if (pe > qe && pe <= pn) printf " pybpftop'"'"'s error is no more than sampling noise alone gives its sample count (%s pp; %s pp for the peer'"'"'s).", pn, qn
			printf "\n"
		}'
	done
}

version() { sidrun "$1" -c 'import platform, sys; print(platform.python_version() + ("t" if not getattr(sys, "_is_gil_enabled", lambda: True)() else ""))'; }
marker_head='<!-- bench/peers.sh -->'
head_md() {
	cat <<MD
$marker_head
## Side by side with the other profilers: \`bench/peers.sh\`

\`sudo bench/peers.sh ROUNDS [TABLE...]\` runs one CPU-bound workload,
\`bench/peers_workload.py\`, under each profiler that runs on this machine.
The workload runs a fixed amount of work: $work rounds of
\`sixty(600000)\`, \`thirty(300000)\`, \`ten(100000)\`. The three functions have
the same loop, so the split of the work is 60/30/10. They run at the bottom
of a $depth-frame recursion. The workload prints READY and waits for SIGUSR1.
Meanwhile the profiler attaches (pybpftop says when it has; the others get
the same ${gate} s, and their samples of the gate's \`sigwait\` show they were
attached in time). Then it runs the timed part, reports its own wall and CPU
seconds, and waits again until the profiler's CPU has been read. The
workload is pinned to CPU 1 and the profiler to CPU 0. The workload, Austin
and 3.15's profiler run in the sid chroot, and pybpftop runs on the host.

- **target CPU s / CPU ratio**: the workload's process CPU time for the timed
  part, and its ratio to \`none\`. This is the slowdown this section judges by.
  This kernel has no IRQ time accounting, so the BPF program's time, spent in
  the target's context, counts here. The machine is shared, and other
  sessions built CPython and ran tests during these runs. A run's wall time
  then depends on who else had CPU 1, so the **wall ratio** is given as well,
  but it is noisy. The none-again row shows how much noise alone moves the
  ratios.
- **profiler CPU, % of the run**: the profiler's CPU time (every thread,
  \`/proc/PID/task/*/schedstat\`) from the start gate to the end of the timed
  part, as a share of that part's wall time. **Whole life** is all its CPU,
  start-up and the writing of its output included (bash's \`times\` of the
  wrapper that waited for it).
- **60/30/10 error**: the largest absolute difference, in percentage points,
  between 60/30/10 and the three functions' shares in the profiler's own
  output. A share is the weight of the stacks that hold the function over the
  weight of the stacks that hold any of the three: pybpftop's \`-f folded\`,
  3.15's \`--collapsed\` and Austin's own output (each sample weighted by its
  time, as Austin's tools weight it). cProfile's shares are its \`tottime\`.
  At 100 Hz a run gives about 100 samples per CPU second. Sampling noise alone
  (binomial) then puts about 2-3 points on the 60 share. **Noise alone** is
  the median error of a simulated draw of that many samples from an exact
  60/30/10 split: a profiler that counts right still shows that much.
  The workload's own split (below each table) is the floor.

Rates: pybpftop's \`-r HZ\` samples each CPU HZ times per second of CPU
time (the target's on-CPU time). Austin's \`-i\` and 3.15's \`-r\` sample at
wall-clock intervals (Austin and 3.15's profiler default to wall mode). On
this CPU-bound target the two amount to the same rate.

Medians over the rounds, each table in one run, interleaved. Each round
starts at another row and holds \`/tmp/pybpftop-live.lock\`, so that no other
live profiling test runs meanwhile; builds and other tests did.

Reading the tables:
- A difference in CPU ratio smaller than the none-again row's distance from
  1 is not a measured difference. On this VM even the target's CPU time moves
  by 5-15% from one run to the next: the builds on the other CPU share its
  caches and memory bandwidth, and the host's other guests share its cores.
- cProfile hooks calls and returns, and this workload makes few calls (120
  in the timed part), so cProfile costs it little. The line tracers pay on
  every line, and show what tracing costs.
- pybpftop's own CPU leaves out its BPF program. The program runs in the
  target's context, so its time is in the target's CPU ratio. bench/run.sh's
  "BPF time per sample" measures it: about 10 µs per 50-frame sample, which
  is about 1% of the target at 1 kHz, below this section's noise floor. Austin
  and 3.15's profiler read the target's memory from their own process
  (process_vm_readv), so their whole cost is in their own CPU column.
- pybpftop samples the target's CPU time; Austin and 3.15's profiler sample
  wall-clock time. On a loaded machine the target's wall time is longer than
  its CPU time, so at the same rate the wall-clock samplers take more samples
  of the same work, and have less sampling noise. The noise-alone column gives
  what each sample count allows.
- The verdicts below each table apply the goal literally to the medians, and
  also say where the difference is within the noise.
MD
}

# --- the tables ---------------------------------------------------------
for t in "${tables[@]}"; do
	case $t in
	3.13 | 3.15 | ft) ;;
	*) fail "unknown table $t (3.13, 3.15, ft)" ;;
	esac
done
sections=()
for t in "${tables[@]}"; do
	marker="<!-- bench/peers.sh $t -->"
	why=
	case $t in
	3.13 | 3.15)
		py=python$t
		[ -x "$sid/usr/bin/$py" ] || fail "no $py in $sid"
		peers=(austin10 austin1)
		[ "$t" = 3.15 ] && peers=(tachyon100 tachyon1000)
		pyb=(pyb100 pyb1000)
		pyb_supports "$py" || pyb=()
		rows=(none none2 "${pyb[@]}" "${peers[@]}" cprofile settrace monitoring)
		load0=$(cut -d' ' -f1-3 /proc/loadavg)
		run_table "$t" "$py" "${rows[@]}"
		pv=$(version "$py")
		{
			echo "$marker"
			if [ "$t" = 3.13 ]; then
				echo "### 3.13: pybpftop and Austin $(cat "$sid/opt/austin/VERSION")"
				echo
				echo "sid's python3.13 $pv. Austin is sid's \`austin\` $(cat "$sid/opt/austin/VERSION"), unpacked by \`tools/sid-austin.sh\`: the package does not install through apt, because its dependencies do not install in sid. Austin runs as \`austin -i 10ms|1ms -o FILE -p PID\` in the target's mount namespace."
			else
				echo "### 3.15: pybpftop and 3.15's own sampling profiler"
				echo
				echo "sid's python3.15 $pv. Its profiler runs as \`python3.15 -m profiling.sampling attach -r 100|1000 --collapsed -o FILE PID\` in the target's mount namespace, with the defaults: wall mode, main thread."
			fi
			echo "Made by \`sudo bench/peers.sh $rounds $t\` on $(date -u +%Y-%m-%d) ($(nproc) CPUs, kernel $(uname -r)), pybpftop $(git log -1 --format=%h), load average (1, 5, 15 min) before the table: $load0, after: $(cut -d' ' -f1-3 /proc/loadavg)."
			echo
			table_md "$t" "${rows[@]}"
			echo
			if [ ${#pyb[@]} -eq 0 ]; then
				echo "**pybpftop's rows were not run: this build does not profile $py** ($why)."
			else
				echo "The goal, at each rate: lower target slowdown and lower profiler CPU than each peer, with an error no larger:"
				echo
				verdict "$t" pyb100 "${peers[0]}"
				verdict "$t" pyb1000 "${peers[1]}"
			fi
		} >"$tmp/section.$t"
		;;
	ft)
		py='' ftm=''
		for m in 14 13; do
			if [ -x "$sid/opt/pybpftop-ft/3.${m}t/bin/python3.${m}t" ]; then
				py=/opt/pybpftop-ft/3.${m}t/bin/python3.${m}t ftm=$m
				break
			fi
		done
		{
			echo "$marker"
			echo "### Free-threaded: pybpftop alone"
			echo
			[ "$ftm" = 14 ] || echo "3.14t: **not run: no 3.14t build** (the mirror served no 3.14 source for tools/build-freethreaded.sh)."
			if [ -z "$py" ]; then
				echo "Not run: no free-threaded build in $sid/opt/pybpftop-ft (tools/build-freethreaded.sh makes them)."
			elif ! pyb_supports "$py"; then
				echo "$py: **not run: this pybpftop build does not profile it** ($why)."
			else
				rows=(none none2 pyb100 pyb1000)
				load0=$(cut -d' ' -f1-3 /proc/loadavg)
		run_table "$t" "$py" "${rows[@]}"
				echo "$py ($(version "$py")), built by \`tools/build-freethreaded.sh\` ($(head -n 1 "$sid${py%/bin/*}/BUILT")). No peer profiles it here, so pybpftop is measured against no profiler only."
				echo "Made by \`sudo bench/peers.sh $rounds ft\` on $(date -u +%Y-%m-%d), pybpftop $(git log -1 --format=%h), load average (1, 5, 15 min) before the table: $load0, after: $(cut -d' ' -f1-3 /proc/loadavg)."
				echo
				table_md "$t" "${rows[@]}"
			fi
		} >"$tmp/section.$t"
		;;
	esac
	sections+=("$t")
done

head_md >"$tmp/head"
write_section "$marker_head" "$tmp/head" "$out"
for t in 3.13 3.15 ft; do
	marker="<!-- bench/peers.sh $t -->"
	if [ -f "$tmp/section.$t" ]; then
		write_section "$marker" "$tmp/section.$t" "$out"
	elif ! grep -qxF "$marker" "$out"; then
		printf '%s\n### %s\n\nNot run yet.\n' "$marker" "$t" >"$tmp/section.$t"
		write_section "$marker" "$tmp/section.$t" "$out"
	fi
done
for t in "${sections[@]}"; do cat "$tmp/section.$t"; echo; done
echo "wrote $out" >&2
