#!/usr/bin/env bash
# make demo: profile a bundled Python workload for a few seconds, print the
# top functions and write a flame graph (and its folded input), saying where.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${DEMO_OUT:-build/demo}
py=/usr/bin/python3.11

if [ "$(id -u)" -ne 0 ]; then
	echo "make demo loads BPF programs: run it as root (sudo make demo)" >&2
	exit 1
fi
# Under sudo pybpftop writes its files as the user who ran sudo, who may
# not write build/ if `sudo make` made it: the demo's files are root's,
# as everything else in build/ is then.
unset SUDO_UID SUDO_GID
"$py" tests/workloads/cpu_split.py >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
sleep 0.5
echo "== pybpftop record -p $pid -d 3 (a workload spending 60/30/10% in sixty/thirty/ten)"
./pybpftop record -p "$pid" -d 3
./pybpftop record -p "$pid" -d 3 -o "$out.html"
./pybpftop record -p "$pid" -d 1 -o "$out.folded"
echo
echo "Flame graph written to $PWD/$out.html: open it in a browser (click to zoom, search by regex)."
echo "Folded stacks written to $out.folded: flamegraph.pl, inferno and speedscope read them."
