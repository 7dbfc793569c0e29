#!/bin/bash
# tools/sid-run.sh DIR CMD [ARGS...]
#
# Run CMD inside the sid chroot DIR (made by tools/sid-chroot.sh), e.g.
#   tools/sid-run.sh /var/tmp/pybpftop-sid python3.14 -c 'print(1)'
#   tools/sid-run.sh /var/tmp/pybpftop-sid python3.14 /pybpftop/workloads/foo.py
#
# Mounts (all made inside a private mount namespace created with
# `unshare --mount --propagation private`, so they vanish when CMD exits
# and nothing is ever left mounted on the host):
#   /proc                 fresh procfs
#   /dev                  bind of the host /dev
#   /pybpftop/workloads   bind of this repo's tests/workloads (default), or
#   /pybpftop             bind of $SID_BIND if SID_BIND=host_dir is set
#
# PID namespace: deliberately NOT unshared (no --pid). CMD stays in the host
# pid namespace, so a host-side profiler sees its real pid. Every step below
# is an exec (this script -> unshare -> sh -> chroot -> CMD), so when this
# script is started in the background, $! is CMD's pid:
#   tools/sid-run.sh DIR python3.14 w.py & pid=$!   # attach profiler to $pid
# Paths in /proc/$pid/maps are chroot-relative; a host profiler must open
# them via /proc/$pid/root/<path> (e.g. /proc/$pid/root/usr/bin/python3.14).
set -euo pipefail

die() { printf '[sid-run] ERROR: %s\n' "$*" >&2; exit 1; }

(( $# >= 2 )) || die "usage: $0 DIR CMD [ARGS...]   (env SID_BIND=host_dir binds it at /pybpftop)"
[[ $(id -u) == 0 ]] || die "must run as root (needs chroot and mount namespaces)"
DIR=$(readlink -f "$1"); shift
[[ -d $DIR/proc && -d $DIR/usr/bin ]] || die "$DIR is not a chroot; create it with tools/sid-chroot.sh $DIR"

REPO=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
if [[ -n ${SID_BIND:-} ]]; then
    BIND_SRC=$(readlink -f "$SID_BIND"); BIND_DST=/pybpftop
    [[ -d $BIND_SRC ]] || die "SID_BIND=$SID_BIND is not a directory"
else
    BIND_SRC=$REPO/tests/workloads; BIND_DST=/pybpftop/workloads
fi

# The inner shell runs as root in the new mount namespace; it mounts, then
# execs chroot, which execs CMD (same pid throughout).
exec unshare --mount --propagation private -- /bin/sh -euc '
    dir=$1 src=$2 dst=$3; shift 3
    mount -t proc -o nosuid,nodev,noexec proc "$dir/proc"
    mount --rbind /dev "$dir/dev"
    if [ -d "$src" ]; then
        mkdir -p "$dir$dst"
        mount --bind "$src" "$dir$dst"
    fi
    exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
        chroot "$dir" "$@"
' sid-run "$DIR" "$BIND_SRC" "$BIND_DST" "$@"
