#!/bin/sh
# Seeds for build/fuzz_elf_symbols, made at build time into DIR (not
# committed: the real files are megabytes):
#   - tests/fuzz/elf_seed.c as a shared object (3.11-like), a static
#     executable whose _PyRuntime starts with 3.13's "xdebugpy" cookie,
#     that shared object stripped (.dynsym only), 32-bit and big-endian
#     relocatable objects;
#   - the host's libpython3.X, its static python3.X and a pyenv 3.13 or
#     later (debug offsets) where present, cut down to their dynamic
#     symbols and .PyRuntime (a few hundred KB each).
# Usage: make_elf_seeds.sh CLANG DIR
set -eu
clang=$1 dir=$2
src=$(dirname "$0")/elf_seed.c
small="-O1 -nostdlib -Wl,-z,noseparate-code -Wl,-z,max-page-size=64 -Wl,--build-id=none"
rm -rf "$dir"
mkdir -p "$dir"
$clang $small -shared -fPIC -o "$dir/seed-dyn-311.so" "$src"
$clang $small -static -fno-pic -DDEBUG_OFFSETS -DSEED_HEX=0x030d00f0 \
	-DSEED_VERSION='"3.13.0"' -o "$dir/seed-exec-313" "$src"
strip -o "$dir/seed-dyn-311-stripped.so" "$dir/seed-dyn-311.so"
$clang -O1 -m32 -c -o "$dir/seed-rel32.o" "$src"
$clang -O1 --target=s390x-linux-gnu -c -o "$dir/seed-rel-be.o" "$src"
for f in /usr/lib/*-linux-gnu/libpython3.[0-9]*[0-9].so.1.0 /usr/bin/python3.[0-9]*[0-9] \
	 "${PYENV_ROOT:-/root/.pyenv}"/versions/3.1[3-9].*/lib/libpython3.*[0-9].so.1.0; do
	[ -f "$f" ] && [ ! -L "$f" ] || continue
	out=$dir/real-$(basename "$f")
	objcopy -j .dynsym -j .dynstr -j .PyRuntime "$f" "$out" 2>/dev/null || rm -f "$out"
done
