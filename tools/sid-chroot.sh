#!/bin/bash
# tools/sid-chroot.sh [DIR]
#
# Create a minimal Debian sid chroot (default DIR=/var/tmp/pybpftop-sid)
# containing python3.13 and python3.14, plus python3.15 if sid has it and
# each of python3.13-dbg, python3.14-dbg and python3.15-dbg whose download
# is below SID_DBG_MAX_MB (default 150) MB (3.15's is 101 MB in 3.15.2).
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
# Environment: SID_DBG_MAX_MB (default 150), SID_MIRROR (override the
# mirror URI parsed from the host sources; normally leave unset).
#
# tools/sid-chroot.sh --add PKG... [DIR]
#
# Install extra sid packages (e.g. python3-memray) into the chroot at DIR
# (default /var/tmp/pybpftop-sid; DIR is told from a package name by a "/"
# in it, so write a relative one as ./name). The chroot is first made as
# above if it is not complete. Idempotent: if every PKG is already
# installed, exits 0 at once without touching the network. Otherwise runs
# apt-get update (with Acquire::Check-Valid-Until "false", as the build
# does), apt-get install --no-install-recommends PKG..., apt-get clean, and
# drops the package lists again, inside a private mount namespace (fresh
# /proc, /dev, the host's /etc/resolv.conf bound in), so nothing stays
# mounted. Each added package's version is recorded in DIR's marker file.
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
    # The debug builds (python3.X-dbg: python3.Xd and the release build's
    # symbols), each only if its download is below SID_DBG_MAX_MB.
    max=${SID_DBG_MAX_MB:-150}
    for dbg in python3.13-dbg python3.14-dbg python3.15-dbg; do
        if ! has_pkg "$dbg"; then
            log "hook: $dbg not available; skipping"
            continue
        fi
        # Total bytes apt would download for it and its new deps.
        bytes=$(in_chroot apt-get install -qq --print-uris --no-install-recommends \
                    "$dbg" 2>/dev/null | awk '{s += $3} END {print s + 0}')
        mb=$(( bytes / 1000000 ))
        if (( bytes > 0 && mb < max )); then
            log "hook: $dbg download is ${mb} MB (< ${max} MB); installing"
            extra+=("$dbg")
        else
            log "hook: $dbg download is ${mb} MB (>= ${max} MB); NOT installing"
        fi
    done
    if (( ${#extra[@]} )); then
        in_chroot apt-get install -y -q --no-install-recommends "${extra[@]}"
    fi
    # Fixed mount points used by tools/sid-run.sh.
    mkdir -p "$root/pybpftop/workloads"
    exit 0
fi

# ---------------------------------------------------------------------------
# --add PKG... [DIR]: extra sid packages in an existing (or new) chroot.
# ---------------------------------------------------------------------------
if [[ ${1:-} == --add ]]; then
    shift
    DIR=/var/tmp/pybpftop-sid
    if (( $# )) && [[ ${!#} == */* ]]; then DIR=${!#}; set -- "${@:1:$#-1}"; fi
    (( $# )) || die "usage: $0 --add PKG... [DIR]"
    for p; do
        [[ $p =~ ^[a-z0-9][a-z0-9+.-]*(:[a-z0-9]+)?(=[A-Za-z0-9.+~:-]+)?$ ]] ||
            die "not a package name: '$p' (DIR goes last and must contain a /, e.g. ./name)"
    done
    [[ $DIR == /* ]] || DIR=$(pwd)/$DIR
    DIR=${DIR%/}
    [[ -n $DIR && $DIR != / ]] || die "refusing to use '/' as the chroot directory"
    [[ $(id -u) == 0 ]] || die "must run as root (try: sudo $0 --add $*)"
    "$SELF" "$DIR"    # makes the chroot if needed; exits 0 at once if complete
    missing() {        # the PKGs (version pins dropped) not installed in $DIR
        local p st
        # shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
        for p in "${@%%=*}"; do
            st=$(chroot "$DIR" dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
            [[ $st == installed ]] || echo "$p"
        done
    }
    todo=$(missing "$@")
    if [[ -z $todo ]]; then log "already installed in $DIR: $*"; exit 0; fi
    exec 9>"$DIR.lock"
    flock -n 9 || { log "another run holds $DIR.lock; waiting"; flock 9; }
    log "installing into $DIR: $*"
    # shellcheck disable=SC2016 # the script is expanded by the inner sh
    unshare --mount --propagation private -- /bin/sh -euc '
        dir=$1; shift
        mount -t proc -o nosuid,nodev,noexec proc "$dir/proc"
        mount --rbind /dev "$dir/dev"
        [ -r /etc/resolv.conf ] && [ -f "$dir/etc/resolv.conf" ] &&
            mount --bind /etc/resolv.conf "$dir/etc/resolv.conf"
        # No service may start in the chroot while packages are installed.
        rc="$dir/usr/sbin/policy-rc.d"
        made_rc=
        if [ ! -e "$rc" ]; then
            printf "#!/bin/sh\nexit 101\n" >"$rc"; chmod 755 "$rc"; made_rc=1
        fi
        trap "[ -z \"\$made_rc\" ] || rm -f \"\$rc\"" EXIT
        run_in() {
            env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
                HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
                chroot "$dir" "$@"
        }
        opt="-o Acquire::Check-Valid-Until=false -q"
        run_in apt-get $opt update
        run_in apt-get $opt install -y --no-install-recommends "$@"
        run_in apt-get clean
        find "$dir/var/lib/apt/lists" -maxdepth 1 -type f ! -name lock -delete
    ' sid-chroot-add "$DIR" "$@" || die "installing $* failed (see apt's output above)"
    todo=$(missing "$@")
    [[ -z $todo ]] || die "still not installed in $DIR: $todo"
    for p in "${@%%=*}"; do
        # shellcheck disable=SC2016 # a dpkg-query format
        v=$(chroot "$DIR" dpkg-query -W -f='${Version}' "$p")
        sed -i "/^added $p: /d" "$DIR/$MARKER"
        echo "added $p: $v ($(date -u +%FT%TZ))" >>"$DIR/$MARKER"
    done
    log "done; $DIR is now $(du -sh --one-file-system "$DIR" | cut -f1):"
    sed 's/^/    /' "$DIR/$MARKER" >&2
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
    for p in python3.13 python3.14 python3.15 python3.13-dbg python3.14-dbg python3.15-dbg; do echo "$p: $(vers "$p")"; done
} > "$TMP/$MARKER"
mv -T "$TMP" "$DIR"
TMP=
trap - EXIT
log "done in $((SECONDS - start))s; size $(du -sh --one-file-system "$DIR" | cut -f1): $DIR"
sed 's/^/    /' "$DIR/$MARKER" >&2
exit 0
