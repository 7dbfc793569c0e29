#!/usr/bin/env bash
# Install the Debian packages pybpftop needs, only those missing.
#   tools/install-deps.sh build   # to build and run pybpftop
#   tools/install-deps.sh test    # also what the tests need
set -euo pipefail

build=(make gcc clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool uthash-dev libncurses-dev libjansson-dev
       python3.11)
test=(bats libclang-rt-14-dev tmux procps util-linux mmdebstrap golang-go nodejs)

want=("${build[@]}")
[ "${1:-build}" = test ] && want+=("${test[@]}")
# npm: Debian's package, unless the nodejs installed brings its own (NodeSource's does).
[ "${1:-build}" = test ] && ! command -v npm >/dev/null && want+=(npm)

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing Debian packages: ${missing[*]}" >&2
		echo "run 'sudo make deps' or: sudo apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
	echo "installing: ${missing[*]}"
	# A fresh machine has no package lists yet.
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The format tests' node side (speedscope's importer, ajv), pinned by
# tests/js-formats/package-lock.json.
js=$(cd "$(dirname "$0")/../tests/js-formats" && pwd)
if [ "${1:-build}" = test ] && [ ! -d "$js/node_modules" ]; then
	echo "installing: tests/js-formats (npm ci)"
	npm ci --prefix "$js" --no-audit --no-fund --loglevel=error
fi
