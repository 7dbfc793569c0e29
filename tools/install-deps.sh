#!/usr/bin/env bash
# Install the Debian packages pybpftop needs, only those missing.
#   tools/install-deps.sh build   # to build and run pybpftop
#   tools/install-deps.sh test    # also what the tests need
set -euo pipefail

build=(make gcc clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool uthash-dev libncurses-dev libjansson-dev
       xxd python3.11)
test=(bats libclang-rt-14-dev tmux procps util-linux mmdebstrap)

want=("${build[@]}")
[ "${1:-build}" = test ] && want+=("${test[@]}")

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing Debian packages: ${missing[*]}" >&2
	echo "run 'sudo make deps' or: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}"
# A fresh machine has no package lists yet.
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
