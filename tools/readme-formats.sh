#!/usr/bin/env bash
# Writes the output formats' table (pybpftop --list-formats, made from the
# writer table in user/out/writers.c) into README.md between its markers.
# tests/cli.bats checks that README.md and the binary agree.
#   tools/readme-formats.sh [PYBPFTOP]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-./pybpftop}
table=$("$bin" --list-formats)
awk -v table="$table" '
	/^<!-- formats: / { print; print table; skip = 1; next }
	/^<!-- \/formats -->/ { skip = 0 }
	!skip' README.md >README.md.new
mv README.md.new README.md
