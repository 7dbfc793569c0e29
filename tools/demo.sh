#!/usr/bin/env bash
# make demo: profile a bundled Python workload for a few seconds, print the
# top functions and write a flame graph input, saying where.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${DEMO_OUT:-build/demo.folded}
py=/usr/bin/python3.11

if [ "$(id -u)" -ne 0 ]; then
	echo "make demo loads BPF programs: run it as root (sudo make demo)" >&2
	exit 1
fi
"$py" tests/workloads/cpu_split.py >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
sleep 0.5
echo "== pybpftop record -p $pid -d 3 (a workload spending 60/30/10% in sixty/thirty/ten)"
./pybpftop record -p "$pid" -d 3
./pybpftop record -p "$pid" -d 3 -o "$out"
echo
echo "Folded stacks (a flame graph's input) written to $out:"
echo "  load it in speedscope, or: flamegraph.pl $out > demo.svg (inferno works too)"
