#!/usr/bin/env bash
# pybpftop against an earlier pybpftop, in one run, interleaved: the BPF
# time per Python sample (from the kernel's run_time_ns) and the time of
# each output format's writer. For a change that should cost nothing (a
# restructuring); writes its section of docs/performance.md. Not a test.
#   sudo bench/ab.sh REV [ROUNDS]     (REV: a commit, built in a temporary clone)
set -euo pipefail
cd "$(dirname "$0")/.."
rev=$1
rounds=${2:-12}
out=docs/performance.md
marker='<!-- bench/ab.sh -->'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; sysctl -q kernel.bpf_stats_enabled=0' EXIT
# shellcheck source=bench/section.sh
. bench/section.sh
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

command -v valgrind >/dev/null || { echo "valgrind missing: apt-get install valgrind" >&2; exit 1; }
make -s all build/bench_formats
git clone -q . "$tmp/old" && git -C "$tmp/old" checkout -q "$rev"
make -s -C "$tmp/old" all build/bench_formats
old=$(git -C "$tmp/old" log -1 --format=%h)
new=$(git log -1 --format=%h)
bin() { [ "$1" = old ] && echo "$tmp/old" || echo .; }

# The BPF program's time per Python sample, 50 frames deep, 999 Hz, 3 s.
sysctl -q kernel.bpf_stats_enabled=1
/usr/bin/python3.11 bench/workload.py --forever --depth 50 --iterations 1000000 >"$tmp/wl" &
wl=$!
until grep -q READY "$tmp/wl"; do sleep 0.05; done
for i in $(seq "$rounds"); do
	for w in old new; do
		"$(bin $w)/pybpftop" record -p "$wl" -r 999 -d 3 -v -o "$tmp/out.folded" 2>&1 |
			sed -n 's/^BPF program: .* ns per run, \([0-9]*\) ns per Python sample/\1/p' >>"$tmp/bpf.$w"
	done
done
kill "$wl"
sysctl -q kernel.bpf_stats_enabled=0

# Each writer once per round, the two builds taking turns going first.
for i in $(seq "$rounds"); do
	order="old new"
	[ $((i % 2)) = 0 ] && order="new old"
	for w in $order; do
		"$(bin $w)/build/bench_formats" "$tmp" 1 2>/dev/null |
			while read -r f s _; do echo "$s" >>"$tmp/fmt.$w.$f"; done
	done
done

# The writers' instructions (callgrind, only inside write_FORMAT): the
# same for the same binary and input whatever else the machine does, so
# a few percent show where the timings above are noise.
for f in folded html speedscope pprof chrome; do
	for w in old new; do
		valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" --toggle-collect="write_$f" \
			"$(bin $w)/build/bench_formats" "$tmp" 1 "$f" >/dev/null 2>"$tmp/cg.log"
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/cg.log" >"$tmp/ins.$w.$f"
	done
done

# The BPF programs' instructions (llvm-objdump of the objects): the
# walker's cost by construction, where run_time_ns is noisy.
for w in old new; do
	llvm-objdump -d -j perf_event "$(bin $w)/build/sampler.bpf.o" | grep -cE '^ +[0-9a-f]+:' >"$tmp/bpfins.$w.sampler"
	llvm-objdump -d -j iter.s/task "$(bin $w)/build/threads.bpf.o" | grep -cE '^ +[0-9a-f]+:' >"$tmp/bpfins.$w.threads"
done

row() {	# what old-file new-file
	local o n
	o=$(median <"$2")
	n=$(median <"$3")
	awk -v w="$1" -v o="$o" -v n="$n" 'BEGIN {printf "| %s | %s | %s | **%.3f** |\n", w, o, n, n / o}'
}
{
	cat <<MD
$marker
## Against an earlier build: \`bench/ab.sh\`

Made by \`bench/ab.sh $rev $rounds\` on $(date -u +%Y-%m-%d) ($(nproc) CPUs, kernel $(uname -r)):
$old (old) against $new (new), built from the same tree, in one run, taking
turns; medians of $rounds runs each. The BPF row is the kernel's run time per
Python sample (50 frames, 999 Hz, 3 s, the program's cost on other processes
included in both); the writers write \`bench/formats.c\`'s profile.

| what | old | new | new / old |
|---|---|---|---|
$(row "BPF ns per Python sample" "$tmp/bpf.old" "$tmp/bpf.new")
$(row "BPF instructions, the CPU sampler" "$tmp/bpfins.old.sampler" "$tmp/bpfins.new.sampler")
$(row "BPF instructions, the thread iterator" "$tmp/bpfins.old.threads" "$tmp/bpfins.new.threads")
$(for f in folded html speedscope pprof chrome; do row "$f writer, s" "$tmp/fmt.old.$f" "$tmp/fmt.new.$f"; done)
$(for f in folded html speedscope pprof chrome; do row "$f writer, instructions" "$tmp/ins.old.$f" "$tmp/ins.new.$f"; done)

The timings move by up to 15% from one run to the next here; the
instruction counts (callgrind, inside \`write_FORMAT\` only) do not.
MD
} >"$tmp/section"
cat "$tmp/section"
write_section "$marker" "$tmp/section" "$out"
echo "wrote $out" >&2
