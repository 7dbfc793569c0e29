#!/bin/bash
# tools/sid-chroot.sh [DIR]
#
# Create a minimal Debian sid chroot (default DIR=/var/tmp/pybpftop-sid)
# containing python3.13 and python3.14, plus python3.15 if sid has it and
# python3.14-dbg if its download is below SID_DBG_MAX_MB (default 100) MB.
# Run processes in it with tools/sid-run.sh (which mounts /proc only inside
# a private mount namespace).
#
# - Uses mmdebstrap (installed with apt-get if missing), suite sid, and the
#   same mirror as the host's first "URIs:" line in
#   /etc/apt/sources.list.d/debian.sources. The host's apt sources/config
#   are never modified; sid only ever appears inside the chroot.
# - Idempotent: if DIR already holds a completed chroot, exits 0 at once.
#   A half-made DIR (no completion marker / interpreters) is removed and
#   rebuilt. The chroot is built in DIR.tmp.XXXXXX and renamed into place,
#   so an interrupted run never leaves a half-chroot at DIR.
# - Leaves nothing mounted.
#
# Environment: SID_DBG_MAX_MB (default 100), SID_MIRROR (override the
# mirror URI parsed from the host sources; normally leave unset).
set -euo pipefail

SELF=$(readlink -f "$0")
MARKER=.pybpftop-sid-complete

log() { printf '[sid-chroot] %s\n' "$*" >&2; }
die() { printf '[sid-chroot] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# Internal: mmdebstrap customize hook. Runs on the host with $2 = the chroot
# root; mmdebstrap has /proc, /dev, /sys mounted in it and the sid package
# lists are still present (they are cleaned up after this hook).
# ---------------------------------------------------------------------------
if [[ ${1:-} == --customize-hook ]]; then
    root=$2
    unset APT_CONFIG
    export DEBIAN_FRONTEND=noninteractive
    in_chroot() { chroot "$root" "$@"; }
    has_pkg() {
        # A real (non-virtual) candidate exists in the chroot's sid lists.
        local cand
        cand=$(in_chroot apt-cache policy "$1" 2>/dev/null |
               awk '/Candidate:/ {print $2; exit}')
        [[ -n $cand && $cand != "(none)" ]]
    }
    extra=()
    if has_pkg python3.15; then
        log "hook: sid has python3.15 ($(in_chroot apt-cache policy python3.15 | awk '/Candidate:/{print $2}')); installing"
        extra+=(python3.15)
    else
        log "hook: python3.15 is not in sid on this mirror; skipping"
    fi
    if has_pkg python3.14-dbg; then
        # Total bytes apt would download for python3.14-dbg and its new deps.
        bytes=$(in_chroot apt-get install -qq --print-uris --no-install-recommends \
                    python3.14-dbg 2>/dev/null | awk '{s += $3} END {print s + 0}')
        mb=$(( bytes / 1000000 ))
        max=${SID_DBG_MAX_MB:-100}
        if (( bytes > 0 && mb < max )); then
            log "hook: python3.14-dbg download is ${mb} MB (< ${max} MB); installing"
            extra+=(python3.14-dbg)
        else
            log "hook: python3.14-dbg download is ${mb} MB (>= ${max} MB); NOT installing"
        fi
    else
        log "hook: python3.14-dbg not available; skipping"
    fi
    if (( ${#extra[@]} )); then
        in_chroot apt-get install -y -q --no-install-recommends "${extra[@]}"
    fi
    # Fixed mount points used by tools/sid-run.sh.
    mkdir -p "$root/pybpftop/workloads"
    exit 0
fi

# ---------------------------------------------------------------------------
DIR=${1:-/var/tmp/pybpftop-sid}
[[ $DIR == /* ]] || DIR=$(pwd)/$DIR
DIR=${DIR%/}
[[ -n $DIR && $DIR != / ]] || die "refusing to use '/' as the chroot directory"
[[ $(id -u) == 0 ]] || die "must run as root (mmdebstrap root mode; try: sudo $0 $*)"

has_interps() { [[ -x $1/usr/bin/python3.13 && -x $1/usr/bin/python3.14 ]]; }
is_complete() { [[ -f $1/$MARKER ]] && has_interps "$1"; }

# Fast path, before taking any lock.
if is_complete "$DIR"; then
    log "chroot already complete at $DIR:"
    sed 's/^/    /' "$DIR/$MARKER" >&2
    exit 0
fi

mkdir -p "$(dirname "$DIR")"
exec 9>"$DIR.lock"
flock -n 9 || { log "another run holds $DIR.lock; waiting"; flock 9; }
if is_complete "$DIR"; then log "chroot completed by a concurrent run: $DIR"; exit 0; fi

# Remove a directory without ever descending into something mounted below it.
safe_rm() {
    local d=$1 m
    [[ -e $d ]] || return 0
    # Unmount anything mounted under $d, deepest first.
    while read -r m; do
        log "unmounting leftover mount $m"
        umount -l "$m" || die "cannot unmount $m; unmount it by hand and rerun"
    done < <(awk -v p="$d/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo | sort -r)
    rm -rf --one-file-system -- "$d"
}

if [[ -e $DIR ]]; then
    log "removing incomplete previous chroot at $DIR"
    safe_rm "$DIR"
fi
for stale in "$DIR".tmp.*; do
    [[ -e $stale ]] || continue
    log "removing stale temp dir from an interrupted run: $stale"
    safe_rm "$stale"
done

# Mirror: first URIs: line of the host's deb822 sources (not hard-coded).
SOURCES=/etc/apt/sources.list.d/debian.sources
if [[ -z ${SID_MIRROR:-} ]]; then
    [[ -r $SOURCES ]] || die "cannot read $SOURCES; set SID_MIRROR=http://your.mirror/debian"
    SID_MIRROR=$(awk 'tolower($1) == "uris:" {print $2; exit}' "$SOURCES")
    [[ -n $SID_MIRROR ]] || die "no URIs: line in $SOURCES; set SID_MIRROR=http://your.mirror/debian"
fi
log "mirror: $SID_MIRROR (from ${SOURCES})"

if ! command -v mmdebstrap >/dev/null; then
    log "installing mmdebstrap on the host (apt-get install mmdebstrap)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdebstrap ||
        die "apt-get install mmdebstrap failed; run 'apt-get update' and retry"
fi

TMP=$(mktemp -d "$DIR.tmp.XXXXXX")
chmod 755 "$TMP"
cleanup() {
    if [[ -n ${TMP:-} && -e $TMP ]]; then log "cleaning up $TMP"; safe_rm "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

log "building sid chroot in $TMP (this takes a few minutes)"
start=$SECONDS
if ! mmdebstrap \
        --mode=root \
        --variant=apt \
        --aptopt='Acquire::Check-Valid-Until "false"' \
        --aptopt='APT::Install-Recommends "false"' \
        --include=python3.13,python3.14 \
        --customize-hook="\"$SELF\" --customize-hook \"\$1\"" \
        sid "$TMP" "deb $SID_MIRROR sid main"; then
    cat >&2 <<EOF
[sid-chroot] ERROR: mmdebstrap failed (see its output above). Likely fixes:
  - mirror unreachable: check 'curl -sI $SID_MIRROR/dists/sid/InRelease'
    or set SID_MIRROR=<working Debian mirror URI> and rerun;
  - signature errors: 'apt-get install debian-archive-keyring' (needs the
    key that signs current sid) on the host;
  - "Unable to locate package python3.1x": this mirror's sid lacks that
    interpreter; nothing to fix here except another mirror/snapshot;
  - disk full: free space under $(dirname "$DIR") (needs ~500 MB).
  Then simply rerun: $0 $DIR
EOF
    exit 1
fi

has_interps "$TMP" || die "mmdebstrap succeeded but python3.13/python3.14 are missing in $TMP"
vers() { chroot "$TMP" dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo absent; }
{
    echo "created: $(date -u +%FT%TZ) in $((SECONDS - start))s"
    echo "mirror: $SID_MIRROR suite: sid"
    for p in python3.13 python3.14 python3.15 python3.14-dbg; do echo "$p: $(vers "$p")"; done
} > "$TMP/$MARKER"
mv -T "$TMP" "$DIR"
TMP=
trap - EXIT
log "done in $((SECONDS - start))s; size $(du -sh --one-file-system "$DIR" | cut -f1): $DIR"
sed 's/^/    /' "$DIR/$MARKER" >&2
exit 0
