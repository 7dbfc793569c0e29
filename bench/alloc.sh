#!/usr/bin/env bash
# The cost of allocation profiling: `pybpftop alloc` (sampled and --exact)
# against tracemalloc and memray, on bench/alloc_workload.py; writes its
# section of docs/performance.md (from its marker to the next one). Not a test.
#   sudo bench/alloc.sh [ROUNDS]
# Every comparison is made in one run, interleaved round by round, against a
# no-profiler baseline on the same interpreter, and medians are quoted:
# timings on shared VMs are noisy. The time is the workload's own `elapsed`
# line (the timed loop only, start-up and attach excluded).
# Environment:
#   BENCH_PY             host interpreter whose allocator is not inlined
#                        (default: pyenv's 3.12.1, else its newest 3.x)
#   BENCH_DEB_PY         Debian's interpreter (default /usr/bin/python3.11)
#   SID_DIR              the sid chroot (default /var/tmp/pybpftop-sid); made,
#                        and python3-memray added, by tools/sid-chroot.sh
#   BENCH_SKIP_PYBPFTOP=1  run everything but pybpftop (to test this script)
#   BENCH_ITERATIONS     the workload's --iterations (default: its own, 700000)
#   BENCH_GROW           --iterations of the growing-heap rows (default 200000)
#   BENCH_SMALL          --iterations of the --exact comparison (default 20000:
#                        each of its ~24 allocations per iteration traps twice)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/section.sh
. bench/section.sh
rounds=${1:-5}
out=docs/performance.md
marker='<!-- bench/alloc.sh -->'
skip=${BENCH_SKIP_PYBPFTOP:-0}
[ "$skip" = 1 ] || skip=0
sid=${SID_DIR:-/var/tmp/pybpftop-sid}
deb=${BENCH_DEB_PY:-/usr/bin/python3.11}
iters=${BENCH_ITERATIONS:-}
small=${BENCH_SMALL:-20000}
grow=${BENCH_GROW:-200000}
[ "$(id -u)" = 0 ] || { echo "bench/alloc.sh: run as root (chroot, BPF)" >&2; exit 1; }

if [ -z "${BENCH_PY:-}" ]; then
	proot=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
	BENCH_PY=$proot/versions/3.12.1/bin/python3.12
	if [ ! -x "$BENCH_PY" ]; then
		BENCH_PY=$(find "$proot"/versions -maxdepth 3 -path '*/bin/python3.[0-9]*' \
			! -name '*-config' -perm -u+x 2>/dev/null | sort -V | tail -n1)
	fi
fi
py=$BENCH_PY
[ -x "$py" ] || { echo "bench/alloc.sh: no host interpreter; set BENCH_PY" >&2; exit 1; }
[ -x "$deb" ] || { echo "bench/alloc.sh: $deb is missing; set BENCH_DEB_PY" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ "$skip" = 1 ] || [ -x ./pybpftop ] || make -s all

# Memray comes from sid (no PyPI here): the chroot's python3-memray is built
# for one python3.X, found from its extension module's name.
tools/sid-chroot.sh --add python3-memray "$sid" 2>"$tmp/sid.log" ||
	{ cat "$tmp/sid.log" >&2; exit 1; }
so=$(find "$sid"/usr/lib/python3/dist-packages/memray -maxdepth 1 -name '_memray.cpython-3*.so' | head -n1)
abi=${so##*/_memray.cpython-3}
abi=${abi%%-*}
spy=python3.$abi
[ -x "$sid/usr/bin/$spy" ] || { echo "bench/alloc.sh: no $spy in $sid for memray ($so)" >&2; exit 1; }
# The chroot sees $tmp/sid as /pybpftop: the workload, and memray's output.
mkdir "$tmp/sid"
cp bench/alloc_workload.py "$tmp/sid/"
sidrun() { SID_BIND=$tmp/sid tools/sid-run.sh "$sid" "$@"; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
fail() { echo "bench/alloc.sh: $*" >&2; exit 1; }

# One timed run of configuration $1; prints the workload's elapsed seconds.
# The workload starts with --wait and is pinned to CPU 1 (pybpftop to CPU 0);
# once it is READY, pybpftop attaches (when the configuration has it), and
# after the same one-second wait in every configuration SIGUSR1 starts the
# loop. pybpftop ends by itself when the workload exits.
timed_run() {
	local cfg=$1 n=$2 wl wlpid pid rec='' rc=0 mem=''
	local -a cmd alloc=()
	local hw=(bench/alloc_workload.py --wait) sw=(/pybpftop/alloc_workload.py --wait)
	if [ -n "$iters" ]; then hw+=(--iterations "$iters"); sw+=(--iterations "$iters"); fi
	case $cfg in *_s) hw+=(--iterations "$small") ;; esac
	case $cfg in g_*) hw+=(--grow --iterations "$grow") ;; esac
	case $cfg in
	g_none) cmd=(taskset -c 1 "$deb" "${hw[@]}") ;;
	g_sampled) cmd=(taskset -c 1 "$deb" "${hw[@]}") alloc=(alloc) ;;
	g_sampled4k) cmd=(taskset -c 1 "$deb" "${hw[@]}") alloc=(alloc --sample-bytes 4K) ;;
	x_none_s) cmd=(taskset -c 1 "$py" "${hw[@]}") ;;
	x_exact_s) cmd=(taskset -c 1 "$py" "${hw[@]}") alloc=(alloc --exact) ;;
	x_sampled_s) cmd=(taskset -c 1 "$py" "${hw[@]}") alloc=(alloc) ;;
	x_tm25_s) cmd=(env PYTHONTRACEMALLOC=25 taskset -c 1 "$py" "${hw[@]}") ;;
	a_none | a_none2) cmd=(taskset -c 1 "$py" "${hw[@]}") ;;
	a_sampled) cmd=(taskset -c 1 "$py" "${hw[@]}") alloc=(alloc) ;;
	a_exact) cmd=(taskset -c 1 "$py" "${hw[@]}") alloc=(alloc --exact) ;;
	a_tm1) cmd=(env PYTHONTRACEMALLOC=1 taskset -c 1 "$py" "${hw[@]}") ;;
	a_tm25) cmd=(env PYTHONTRACEMALLOC=25 taskset -c 1 "$py" "${hw[@]}") ;;
	d_none) cmd=(taskset -c 1 "$deb" "${hw[@]}") ;;
	d_sampled) cmd=(taskset -c 1 "$deb" "${hw[@]}") alloc=(alloc) ;;
	s_none) cmd=(taskset -c 1 tools/sid-run.sh "$sid" "$spy" "${sw[@]}") ;;
	s_sampled) cmd=(taskset -c 1 tools/sid-run.sh "$sid" "$spy" "${sw[@]}") alloc=(alloc) ;;
	s_tm25) cmd=(taskset -c 1 tools/sid-run.sh "$sid" env PYTHONTRACEMALLOC=25 "$spy" "${sw[@]}") ;;
	s_memray | s_memray_py)
		mem=memray-$cfg-$n.bin
		cmd=(taskset -c 1 tools/sid-run.sh "$sid" "$spy" -m memray run -q -o "/pybpftop/$mem")
		[ "$cfg" = s_memray_py ] && cmd+=(--trace-python-allocators)
		cmd+=("${sw[@]}")
		;;
	*) fail "unknown configuration $cfg" ;;
	esac
	wl=$tmp/wl.$cfg
	SID_BIND=$tmp/sid "${cmd[@]}" >"$wl" 2>"$wl.err" &
	wlpid=$!
	until grep -qE '^READY [0-9]+$' "$wl"; do
		kill -0 "$wlpid" 2>/dev/null || { cat "$wl" "$wl.err" >&2; fail "$cfg: the workload exited before READY"; }
		sleep 0.05
	done
	# The pid the workload reports: the same as $wlpid, as every wrapper execs.
	pid=$(sed -nE 's/^READY ([0-9]+)$/\1/p' "$wl")
	[ "$pid" = "$wlpid" ] || fail "$cfg: READY $pid, but the background job is $wlpid"
	if [ ${#alloc[@]} -gt 0 ]; then
		taskset -c 0 ./pybpftop "${alloc[@]}" -p "$pid" -o "$tmp/out.folded" >"$tmp/pyb.out" 2>"$tmp/pyb.err" &
		rec=$!
	fi
	sleep 1
	kill -USR1 "$pid"
	wait "$wlpid" || { cat "$wl" "$wl.err" >&2; fail "$cfg: the workload failed"; }
	if [ -n "$rec" ]; then
		wait "$rec" || rc=$?
		[ "$rc" = 0 ] || { cat "$tmp/pyb.err" >&2; fail "$cfg: pybpftop ${alloc[*]} exited with $rc"; }
	fi
	[ -z "$mem" ] || rm -f "$tmp/sid/$mem"
	sed -n 's/^elapsed //p' "$wl" | grep . || { cat "$wl" "$wl.err" >&2; fail "$cfg: no elapsed line"; }
}

configs=(a_none a_sampled a_tm1 a_tm25 a_none2 d_none d_sampled
	s_none s_memray s_memray_py s_tm25 s_sampled x_none_s x_sampled_s x_exact_s x_tm25_s
	g_none g_sampled g_sampled4k)
run_cfgs=()
for c in "${configs[@]}"; do
	case $skip:$c in 1:*sampled* | 1:*exact) ;; *) run_cfgs+=("$c") ;; esac
done
n=${#run_cfgs[@]}
echo "allocation profiling: $rounds rounds of ${run_cfgs[*]}" >&2
echo "  host: $py; Debian: $deb; sid: $spy in $sid" >&2
for i in $(seq "$rounds"); do
	line=
	for k in $(seq 0 $((n - 1))); do
		c=${run_cfgs[$(((i + k) % n))]}
		timed_run "$c" "$i" >>"$tmp/t$c"
	done
	for c in "${run_cfgs[@]}"; do line+="$c $(tail -n1 "$tmp/t$c")  "; done
	echo "  round $i: $line" >&2
done

declare -A med
for c in "${run_cfgs[@]}"; do med[$c]=$(median <"$tmp/t$c"); done
row() {	# configuration baseline text
	local c=$1 base=$2 what=$3
	if [ ! -f "$tmp/t$c" ]; then
		echo "| $what | skipped (BENCH_SKIP_PYBPFTOP=1) | | |"
		return
	fi
	echo "| $what | ${med[$c]} | **$(ratio "${med[$c]}" "${med[$base]}")** | $(tr '\n' ' ' <"$tmp/t$c" | sed 's/ $//') |"
}
version() { "$@" -c 'import platform; print(platform.python_version())'; }
pyv=$(version "$py")
debv=$(version "$deb")
sidv=$(version sidrun "$spy")
# shellcheck disable=SC2016 # a dpkg-query format
memv=$(chroot "$sid" dpkg-query -W -f='${Version}' python3-memray)
head='| configuration | median s | ratio to none | each round (s) |
|---|---|---|---|'
skipped=
[ "$skip" = 0 ] || skipped=" With \`BENCH_SKIP_PYBPFTOP=1\`: pybpftop's rows were not run."

section() {
	cat <<MD
$marker
## Allocation profiling: \`pybpftop alloc\`, tracemalloc and memray

Made by \`sudo bench/alloc.sh $rounds\` on $(date -u +%Y-%m-%d) ($(nproc) CPUs,
kernel $(uname -r)).$skipped The workload, \`bench/alloc_workload.py\` at
${iters:-its default 700,000} iterations, builds per iteration a dict of four keys, a list
of six short strings, a formatted string and, every fourth iteration, an
80-item list (past pymalloc's 512-byte limit, so from the system malloc); a
ring of 4,096 iterations' objects is kept, so the heap stays steady while
most objects are freed soon after they are made. The time is the workload's
own \`elapsed\` (the loop alone). Each profiler attaches or starts before the
loop (\`--wait\`, one second, SIGUSR1, the same in every row); the workload
runs on CPU 1, pybpftop on CPU 0. Every row of a table is compared with
\`none\` on the same interpreter in the same run, interleaved round by round
(each round starts at another row); medians of $rounds rounds.

### $pyv from \`$py\` (allocator not inlined)

$head
$(row a_none a_none none)
$(row a_none2 a_none "none, again (the noise floor)")
$(row a_sampled a_none "\`pybpftop alloc -p PID\` (sampled)")
$(row a_tm1 a_none "\`PYTHONTRACEMALLOC=1\`")
$(row a_tm25 a_none "\`PYTHONTRACEMALLOC=25\`")

### \`--exact\` against tracemalloc, $pyv, at $small iterations

\`--exact\` traps into the kernel twice per allocation (uprobe and
uretprobe), so it is measured on a shorter run of the same workload, with its
own baseline.

$head
$(row x_none_s x_none_s none)
$(row x_sampled_s x_none_s "\`pybpftop alloc -p PID\` (sampled)")
$(row x_exact_s x_none_s "\`pybpftop alloc -p PID --exact\`")
$(row x_tm25_s x_none_s "\`PYTHONTRACEMALLOC=25\`")

### Debian's $debv (\`$deb\`, pymalloc inlined)

$head
$(row d_none d_none none)
$(row d_sampled d_none "\`pybpftop alloc -p PID\` (sampled)")

### A growing heap: Debian's $debv, \`--grow\` at $grow iterations

Every iteration's objects are kept (about 1 KiB each), so every page the
loop touches is new: the sampled mode's page-fault path at its busiest.

$head
$(row g_none g_none none)
$(row g_sampled g_none "\`pybpftop alloc -p PID\` (sampled, one per 128 KiB)")
$(row g_sampled4k g_none "\`pybpftop alloc -p PID --sample-bytes 4K\` (every page)")

### sid's $spy $sidv in the chroot (\`tools/sid-run.sh\`), memray $memv

python3-memray in sid is built for $spy, so memray is measured there, with
the same workload; pybpftop attaches from the host.

$head
$(row s_none s_none none)
$(row s_memray s_none "\`memray run -o FILE\`")
$(row s_memray_py s_none "\`memray run --trace-python-allocators -o FILE\`")
$(row s_tm25 s_none "\`PYTHONTRACEMALLOC=25\`")
$(row s_sampled s_none "\`pybpftop alloc -p PID\` (sampled)")

Plain \`memray run\` records the system allocator's calls only (here mostly the
80-item lists); the objects pymalloc hands out are recorded only with
\`--trace-python-allocators\`, which is the row to compare with tracemalloc
and \`--exact\`. Each memray run writes a fresh output file, deleted after
the run. tracemalloc records every allocation with up to N frames.
MD
}

section >"$tmp/section"
write_section "$marker" "$tmp/section" "$out"
echo "wrote $out" >&2
