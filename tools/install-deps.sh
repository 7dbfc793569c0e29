#!/usr/bin/env bash
# Install the Debian packages pybpftop needs, only those missing.
#   tools/install-deps.sh build   # to build and run pybpftop
#   tools/install-deps.sh test    # also what the tests need, and the
#                                 # npm packages (tests/js, tests/js-formats)
set -euo pipefail

build=(make gcc clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool uthash-dev libncurses-dev libjansson-dev
       libcurl4-openssl-dev libmicrohttpd-dev libinih-dev xxd python3.11)
test=(bats time libclang-rt-14-dev tmux procps util-linux mmdebstrap chromium golang-go nodejs python3.11-dbg
      protobuf-compiler prometheus mandoc strace)

want=("${build[@]}")
if [ "${1:-build}" = test ]; then
	want+=("${test[@]}")
	# Debian's nodejs comes without npm; NodeSource's includes it (and
	# conflicts with Debian's npm package).
	command -v npm >/dev/null || want+=(npm)
fi

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

# The tests' npm packages, at the versions their lock files name, when
# missing or out of date: Playwright (tests/js, driving Chromium for
# tests/html.bats) and speedscope's importer with ajv (tests/js-formats).
if [ "${1:-build}" = test ]; then
	for dir in tests/js tests/js-formats; do
		js=$(cd "$(dirname "$0")/../$dir" && pwd)
		if [ ! -e "$js/node_modules/.package-lock.json" ] ||
		   [ "$js/package-lock.json" -nt "$js/node_modules/.package-lock.json" ]; then
			echo "installing $dir's npm packages"
			npm ci --prefix "$js" --no-audit --no-fund --loglevel=error
		fi
	done
fi
