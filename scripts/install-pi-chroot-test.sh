#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# install-pi-chroot-test.sh: proves scripts/install-pi.sh on a fresh Debian bookworm root (debootstrap), the
# closest we get to a fresh Raspberry Pi OS without the hardware. A manual check, one command away; NOT part of
# CI or ./test.sh, because it downloads from the Debian archive.
#
#   sudo scripts/install-pi-chroot-test.sh [PACKAGE.deb]
#
# Without PACKAGE.deb it packages an existing build dir (build, or $NK_BUILD_DIR; configured and built, as
# ./test.sh leaves it) with `cpack -G DEB` (whose preinstall step brings that build up to date first).
# In a throwaway copy of a cached base root, one per scenario, with this tree in /root/nk (the files of
# `git ls-files -co --exclude-standard`: uncommitted ones too) and the package in /root, it runs the installer as an
# admin would and checks the result:
#   lite     Raspberry Pi OS Lite (no desktop; booting to multi-user.target with getty@tty1 enabled, as a fresh
#            image does) and /boot/firmware/cmdline.txt: `install-pi.sh --feed URL PACKAGE.deb` creates the user
#            newsroom-kiosk in its groups, writes kiosk.toml with the feed (check-config passes), enables
#            seatd.service, newsroom-kiosk.service and newsroom-kiosk-power.timer, disables getty@tty1, makes
#            graphical.target the default and adds consoleblank=0 to a one-line cmdline.txt; the installed units
#            pass `systemd-analyze verify` (with the real cage and seatd) and the hardening still scores <= 3.0 in
#            `systemd-analyze security --offline=true`; the unit's ExecStart (cage + kiosk) runs as the unit's
#            user on wlroots' headless backend with no pointer and writes a screenshot.
#            Then the root boots with systemd-nspawn, under its own systemd 252 as PID 1, and the enabled appliance
#            unit is checked as installed (hardening, Type=notify, NotifyAccess=all, WatchdogSec=30, User=,
#            cage -d -- newsroom-kiosk), with only a test drop-in for what a container lacks (StandardInput=null and
#            no TTY reset/hangup/deallocation instead of tty1; wlroots' headless backend, pixman, no input
#            devices), removed again after the boot: the unit starts at boot and becomes active/running within
#            60 s (READY=1 from the kiosk, cage's child); its StatusText is the kiosk's feeds summary; it stays up
#            45 s (longer than WatchdogSec) with NRestarts=0 and no "Watchdog timeout" (WATCHDOG=1 gets through
#            cage); the unresolvable feed is logged at priority warning ("<url>: failing: ..."); and with
#            NK_DEBUG_HANG_AFTER=5 the kiosk's loop hangs, the watchdog kills the unit and systemd starts it
#            again (NRestarts >= 1). The unit's journal, status and the container's console and whole journal
#            are kept in the results dir (lite-boot-*.log). Booting changes neither kiosk.toml nor cmdline.txt.
#            A second installer run changes nothing (no `  + ` command but systemd-sysusers); a third one with
#            another --feed on an edited kiosk.toml warns and keeps the file.
#   desktop  Raspberry Pi OS Desktop (labwc), user pi: `SUDO_USER=pi install-pi.sh --desktop PACKAGE.deb` appends
#            exactly one kiosk line to ~pi/.config/labwc/autostart (owned by pi), puts pi in video, render and
#            input, keeps the package's demo kiosk.toml and leaves the appliance unit off; a second run changes
#            nothing; a run with --feed rewrites the unedited package conffile with that feed.
# Every installer run is logged in a results dir (kept, printed at the end). Exit status 0 only when all passed;
# on the first failure it prints what is wrong and the tail of the relevant log.
#
# Needs: root; debootstrap and systemd-container (systemd-nspawn; both installed with apt-get when missing) and
# nsenter; network access to the Debian archive; about 1 GB free in /var/tmp. No systemd as the host's PID 1, no
# system bus and no systemd-machined needed: the container runs unregistered (--register=no --keep-unit), with a
# private network (only lo), one at a time per host (NK_CHROOT_CACHE.boot.lock), and is shut down (also on
# failure or Ctrl-C) before its root is deleted. Takes up to ~6.5 minutes the first time (debootstrap; 2.5
# minutes with a fast mirror) and 3 to 4 minutes after that: each scenario still downloads its ~70 MB of packages
# (cage, Mesa, fonts...) with apt-get, as on a Pi, and the boot step takes about 1.5 minutes (45 s past
# WatchdogSec, then the hang's ~40 s).
# Environment:
#   NK_CHROOT_CACHE     the cached base root (default /var/tmp/newsroom-kiosk-chroot/bookworm). Made once:
#                       debootstrap --variant=minbase, then systemd + systemd-sysv (Raspberry Pi OS has systemd)
#                       and a policy-rc.d that starts no service. A base without its stamp file
#                       (NK_CHROOT_CACHE.done) is made again; delete both to start over.
#   NK_MIRROR           the Debian mirror (default http://deb.debian.org/debian; bookworm and bookworm-updates)
#   NK_SECURITY_MIRROR  default http://deb.debian.org/debian-security; "none" leaves bookworm-security out
#   NK_BUILD_DIR        the build dir to package when no .deb is given (default: build, relative to the tree)
#
# What it cannot prove (no Pi here): no raspi-config (the installer's raspi-config steps, desktop auto-login and
# blanking, are skipped; it warns), no /proc/device-tree (it warns that this is no Pi), the host's architecture
# (amd64) instead of arm64. The booted lite root is a container: no DRM/KMS (wlroots' headless backend and Mesa's
# llvmpipe, not the Pi's GPU and a real HDMI output), no tty1 or any VT (StandardInput=tty-fail on
# TTYPath=/dev/tty1 and the TTY reset/hangup/deallocation are overridden, so the getty@tty1 hand-over and the
# console blanking are not exercised), no seatd session (seatd runs, but the headless backend opens no seat, so
# the DRM and input device hand-over through seatd is not exercised), no real input devices, no HDMI-CEC
# (newsroom-kiosk-power.service fails there when its timer fires; not checked), no network (the feed cannot
# resolve, so nothing is fetched), and the host's kernel. The desktop scenario boots nothing: its labwc session
# and newsroom-kiosk-user.service are only installed and written, not run.
set -eEuo pipefail

PROG=install-pi-chroot-test
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${NK_CHROOT_CACHE:-/var/tmp/newsroom-kiosk-chroot/bookworm}
MIRROR=${NK_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${NK_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
BUILD_DIR=${NK_BUILD_DIR:-build}
SUITE=bookworm
CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
FEED=https://news.test/rss.xml
OTHER_FEED=https://other.test/x.xml
CMDLINE='console=serial0,115200 console=tty1 root=PARTUUID=abcd-02 rootfstype=ext4 fsck.repair=yes rootwait quiet'
MAX_EXPOSURE=3.0

SCENARIO=setup
ROOT=             # the chroot of the current scenario
ROOTS=()          # every scenario copy made: the EXIT trap unmounts and deletes them
BASE_PARTIAL=     # the base while it is being made: the EXIT trap unmounts (and deletes) it on failure
NSPAWN_PID=       # systemd-nspawn of the boot step, while it runs: the EXIT trap shuts the container down
CT_PID=           # the booted container's systemd (its PID 1), as the host sees it
RESULTS=
T0=$SECONDS

say() { printf '%s: %s\n' "$PROG" "$*"; }
# fail MESSAGE [LOG]: what is wrong, then the end of the log that shows it.
fail() {
    printf '%s: %s: FAIL: %s\n' "$PROG" "$SCENARIO" "$1" >&2
    if [ $# -ge 2 ] && [ -f "$2" ]; then
        printf -- '---- last lines of %s:\n' "$2" >&2
        tail -n 40 "$2" >&2
        printf -- '----\n' >&2
    fi
    [ -z "$RESULTS" ] || printf '%s: logs in %s\n' "$PROG" "$RESULTS" >&2
    exit 1
}
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }

# ---- mounts and cleanup ---------------------------------------------------------------------------------------------
# mounts_under DIR: the mount points at or below DIR, deepest first.
mounts_under() {
    awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}
unmount_all() {   # unmount_all DIR: everything mounted below DIR; umount -l only when a plain umount fails
    local m
    for m in $(mounts_under "$1"); do
        umount "$m" 2>/dev/null || umount -l "$m" || true
    done
    [ -z "$(mounts_under "$1")" ]
}
# remove_root DIR: unmount, then delete; never deletes while anything is still mounted there.
remove_root() {
    local d=$1
    [ -d "$d" ] || return 0
    if ! unmount_all "$d"; then
        printf '%s: cannot unmount %s; NOT deleting %s (unmount it, then rm -rf --one-file-system it)\n' \
            "$PROG" "$(mounts_under "$d" | tr '\n' ' ')" "$d" >&2
        return 1
    fi
    rm -rf --one-file-system "$d"
}
alive() {   # alive PID: the process exists and is no zombie
    local st
    st=$(sed -n 's/^State:[[:space:]]*\([A-Za-z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
# wait_gone SECONDS PID: 0 once PID has ended, 1 if it still runs after SECONDS.
wait_gone() {
    local end=$((SECONDS + $1))
    while alive "$2"; do
        [ "$SECONDS" -lt "$end" ] || return 1
        sleep 0.5
    done
}
# stop_container: shuts the booted root down, if one runs. SIGTERM to systemd-nspawn halts the container (its
# systemd stops every unit: the kiosk's TimeoutStopSec is 15 s); a second SIGTERM after 60 s terminates it at once,
# and SIGKILL to nspawn and the container's PID 1 (which takes its whole PID namespace along) after 10 s more.
stop_container() {
    local pid=$NSPAWN_PID ct=$CT_PID
    [ -n "$pid" ] || return 0
    if alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_gone 60 "$pid"; then
            say "systemd-nspawn (PID $pid) still runs 60 s after SIGTERM: SIGTERM again (immediate termination)"
            kill -TERM "$pid" 2>/dev/null || true
            if ! wait_gone 10 "$pid"; then
                say "systemd-nspawn (PID $pid) still runs: SIGKILL"
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    wait "$pid" 2>/dev/null || true
    NSPAWN_PID=
    # Without nspawn, the container's PID 1 would live on: it must be gone too (checked by name, as its PID may
    # have been reused once it is).
    if [ -n "$ct" ] && alive "$ct" && [ "$(cat "/proc/$ct/comm" 2>/dev/null)" = systemd ]; then
        say "the container's systemd (PID $ct) outlived systemd-nspawn: SIGKILL"
        kill -KILL "$ct" 2>/dev/null || true
        wait_gone 10 "$ct" || { say "the container's systemd (PID $ct) does not go away"; return 1; }
    fi
    CT_PID=
}
cleanup() {
    local rc=$? d
    trap '' INT TERM
    stop_container || rc=1
    for d in "${ROOTS[@]}"; do
        remove_root "$d" || rc=1
    done
    if [ -n "$BASE_PARTIAL" ]; then
        # An unfinished base (no stamp) is made again next time: unmount it and free the space now.
        remove_root "$BASE_PARTIAL" || rc=1
    fi
    exit "$rc"
}
trap cleanup EXIT
# A command that fails where no check expected it: say where (set -E makes this apply inside functions too).
trap 'printf "%s: %s: FAIL: unexpected error (status %s) at line %s: %s\n" "$PROG" "$SCENARIO" "$?" "$LINENO" \
    "$BASH_COMMAND" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

mount_binds() {   # mount_binds ROOT: /proc /dev /sys of the host (plain binds, not recursive)
    local d
    for d in proc dev sys; do
        mkdir -p "$1/$d"
        mount --bind "/$d" "$1/$d"
    done
}
copy_resolv_conf() {   # the host's resolver, as a file (a symlink would point into the chroot)
    rm -f "$1/etc/resolv.conf"
    cp -L /etc/resolv.conf "$1/etc/resolv.conf"
}
# in_root CMD...: CMD in the current scenario's chroot, with a clean environment (no SUDO_USER of this shell).
in_root() {
    chroot "$ROOT" /usr/bin/env -i PATH="$CHROOT_PATH" HOME=/root LANG=C.UTF-8 TERM=dumb "$@"
}

# ---- arguments and preconditions ------------------------------------------------------------------------------------
DEB=
while [ $# -gt 0 ]; do
    case $1 in
        -h|--help) usage; exit 0 ;;
        -*) fail "unknown option $1 (see --help)" ;;
        *) [ -z "$DEB" ] || fail "only one .deb, please"; DEB=$1 ;;
    esac
    shift
done
[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot, mount): sudo $0 $*"
case $CACHE in
    /*) ;;
    *) fail "NK_CHROOT_CACHE must be an absolute path: $CACHE" ;;
esac
case $CACHE in
    *[[:space:]]*) fail "NK_CHROOT_CACHE must not contain white space: $CACHE" ;;
esac
CACHE=${CACHE%/}
[ -n "$CACHE" ] || fail "NK_CHROOT_CACHE cannot be /"
for t in chroot mount umount dpkg dpkg-deb git; do
    command -v "$t" >/dev/null 2>&1 || fail "$t not found"
done
HOST_ARCH=$(dpkg --print-architecture)
if [ -n "$DEB" ]; then
    [ -f "$DEB" ] || fail "$DEB: no such file"
    DEB=$(cd "$(dirname "$DEB")" && pwd)/$(basename "$DEB")
    deb_arch=$(dpkg-deb -f "$DEB" Architecture 2>/dev/null) || fail "$DEB is not a Debian package"
    [ "$deb_arch" = "$HOST_ARCH" ] ||
        fail "$DEB is a '$deb_arch' package; this machine (and so its chroot) installs '$HOST_ARCH' ones"
fi
RESULTS=$(mktemp -d "${TMPDIR:-/tmp}/$PROG.XXXXXX")
chmod 0755 "$RESULTS"
say "results and logs: $RESULTS"

# ---- the package ----------------------------------------------------------------------------------------------------
if [ -z "$DEB" ]; then
    case $BUILD_DIR in /*) build=$BUILD_DIR ;; *) build=$SRC/$BUILD_DIR ;; esac
    [ -f "$build/CPackConfig.cmake" ] ||
        fail "$build/CPackConfig.cmake not found: configure and build first (./test.sh), or give a .deb"
    command -v cpack >/dev/null 2>&1 || fail "cpack not found (cmake); or give a .deb"
    cpack_var() { sed -n "s/^set($1 \"\\(.*\\)\")\$/\\1/p" "$build/CPackConfig.cmake"; }
    name=$(cpack_var CPACK_PACKAGE_NAME)
    version=$(cpack_var CPACK_PACKAGE_VERSION)
    deb_arch=$(cpack_var CPACK_DEBIAN_PACKAGE_ARCHITECTURE)
    [ -n "$name" ] || fail "no CPACK_PACKAGE_NAME in $build/CPackConfig.cmake"
    [ -n "$version" ] || fail "no CPACK_PACKAGE_VERSION in $build/CPackConfig.cmake"
    [ "$deb_arch" = "$HOST_ARCH" ] ||
        fail "$build builds a '$deb_arch' package; this machine (and so its chroot) installs '$HOST_ARCH' ones"
    say "packaging $build with cpack ($name $version, $deb_arch)"
    mkdir -p "$RESULTS/deb"
    (cd "$build" && cpack -G DEB -B "$RESULTS/deb") >"$RESULTS/cpack.log" 2>&1 ||
        fail "cpack -G DEB failed in $build" "$RESULTS/cpack.log"
    DEB=$RESULTS/deb/${name}_${version}_${deb_arch}.deb
    [ -f "$DEB" ] || fail "cpack did not write $DEB" "$RESULTS/cpack.log"
    rm -rf "$RESULTS/deb/_CPack_Packages"
fi
DEB_NAME=$(basename "$DEB")
say "package: $DEB"

# ---- the source tree: what git tracks plus untracked files that are not ignored ------------------------------------
git -c safe.directory="$SRC" -C "$SRC" ls-files -z -co --exclude-standard >"$RESULTS/tree.list0" ||
    fail "git ls-files failed in $SRC (this must run from a git checkout)"
# Tracked files deleted in the work tree are listed too: copy what exists.
while IFS= read -r -d '' f; do
    if [ -e "$SRC/$f" ] || [ -L "$SRC/$f" ]; then printf '%s\0' "$f"; fi
done <"$RESULTS/tree.list0" >"$RESULTS/tree.copy0"
[ -s "$RESULTS/tree.copy0" ] || fail "git ls-files listed no file in $SRC"
for f in scripts/install-pi.sh packaging/default-config.awk; do
    grep -qzx "$f" "$RESULTS/tree.copy0" || fail "$f is not among the files git ls-files lists in $SRC"
done

# ---- the cached base root -------------------------------------------------------------------------------------------
ensure_base() {
    local stamp=$CACHE.done log=$RESULTS/base.log
    mkdir -p "$(dirname "$CACHE")"
    exec {lock}>"$CACHE.lock"
    if ! flock -n "$lock"; then
        say "waiting for another run that holds $CACHE.lock"
        flock "$lock"
    fi
    if [ -f "$stamp" ] && [ -d "$CACHE" ]; then
        say "base root: $CACHE (cached: $(head -n 1 "$stamp"))"
        exec {lock}>&-
        return 0
    fi
    BASE_PARTIAL=$CACHE
    rm -f "$stamp"
    if [ -e "$CACHE" ]; then
        say "base root: $CACHE has no stamp (unfinished): making it again"
        remove_root "$CACHE" || fail "cannot remove the unfinished base $CACHE"
    fi
    if ! command -v debootstrap >/dev/null 2>&1; then
        say "installing debootstrap (apt-get)"
        { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap ||
            { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap; }
        } </dev/null >"$RESULTS/debootstrap-install.log" 2>&1 ||
            fail "apt-get install debootstrap failed" "$RESULTS/debootstrap-install.log"
    fi
    say "base root: debootstrap --variant=minbase $SUITE $CACHE $MIRROR (a few minutes; log: $log)"
    debootstrap --variant=minbase "$SUITE" "$CACHE" "$MIRROR" </dev/null >"$log" 2>&1 ||
        fail "debootstrap failed" "$log"
    # As on Raspberry Pi OS: bookworm, bookworm-updates and bookworm-security.
    {
        printf 'deb %s %s main\n' "$MIRROR" "$SUITE"
        printf 'deb %s %s-updates main\n' "$MIRROR" "$SUITE"
        [ "$SECURITY_MIRROR" = none ] || printf 'deb %s %s-security main\n' "$SECURITY_MIRROR" "$SUITE"
    } >"$CACHE/etc/apt/sources.list"
    # A chroot is no booted system: the packages' maintainer scripts must start nothing.
    printf '#!/bin/sh\n# %s: no service is started in this chroot\nexit 101\n' "$PROG" >"$CACHE/usr/sbin/policy-rc.d"
    chmod 0755 "$CACHE/usr/sbin/policy-rc.d"
    copy_resolv_conf "$CACHE"
    mount_binds "$CACHE"
    say "base root: apt-get install systemd systemd-sysv"
    ROOT=$CACHE
    {
        in_root apt-get update &&
        in_root env DEBIAN_FRONTEND=noninteractive apt-get -y upgrade &&
        in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends systemd systemd-sysv &&
        in_root apt-get clean
    } </dev/null >>"$log" 2>&1 || fail "apt-get in the base root failed" "$log"
    ROOT=
    unmount_all "$CACHE" || fail "cannot unmount $(mounts_under "$CACHE" | tr '\n' ' ')"
    printf '%s %s %s\n' "$(date -u +%FT%TZ)" "$SUITE" "$MIRROR" >"$stamp"
    BASE_PARTIAL=
    exec {lock}>&-
    say "base root: ready ($((SECONDS - T0)) s so far)"
}

# new_root NAME: a fresh copy of the base with the tree in /root/nk and the package in /root, then the bind mounts.
new_root() {
    SCENARIO=$1
    [ -z "$(mounts_under "$CACHE")" ] || fail "something is mounted in the base $CACHE: refusing to copy it"
    ROOT=$(mktemp -d "/var/tmp/newsroom-kiosk-chroot-test.$1.XXXXXX")
    ROOTS+=("$ROOT")
    say "$1: copying the base to $ROOT"
    cp -a "$CACHE/." "$ROOT/"
    chmod 0755 "$ROOT"
    rm -rf "$ROOT/root/nk" "$ROOT"/root/*.deb
    mkdir -p "$ROOT/root/nk"
    tar -C "$SRC" --null -T "$RESULTS/tree.copy0" -cf - | tar -C "$ROOT/root/nk" -xf - ||
        fail "copying the source tree to $ROOT/root/nk failed"
    cp "$DEB" "$ROOT/root/$DEB_NAME"
    copy_resolv_conf "$ROOT"
    mount_binds "$ROOT"
}
# done_root: unmount and delete the current scenario's copy (the EXIT trap does it too on failure).
done_root() {
    remove_root "$ROOT" || fail "cannot clean up $ROOT"
    ROOT=
}

# ---- helpers for the checks -----------------------------------------------------------------------------------------
LOG=
# install_pi LOGNAME [VAR=VALUE...] -- ARGS...: scripts/install-pi.sh ARGS in the chroot, output in LOGNAME.log;
# sets RC and LOG.
install_pi() {
    local name=$1 envs=()
    shift
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    LOG=$RESULTS/$SCENARIO-$name.log
    say "$SCENARIO: ${envs[*]}${envs[*]:+ }scripts/install-pi.sh $* (log: $LOG)"
    if in_root env -C /root/nk "${envs[@]}" scripts/install-pi.sh "$@" </dev/null >"$LOG" 2>&1; then
        RC=0
    else
        RC=$?
    fi
}
expect_rc0() { [ "$RC" -eq 0 ] || fail "install-pi.sh ($1) exited with status $RC" "$LOG"; }
# expect_no_changes WHAT: the run printed no `  + COMMAND` line except `  + systemd-sysusers ...`.
expect_no_changes() {
    local changes
    changes=$(grep '^  + ' "$LOG" | grep -v '^  + systemd-sysusers ' || true)
    [ -z "$changes" ] || fail "the $1 run is not idempotent; it ran: $(printf '%s\n' "$changes" | paste -sd ';')" "$LOG"
}
# check_config_says WANT: `newsroom-kiosk check-config` of kiosk.toml ends with ": WANT".
check_config_says() {
    local out last log=$RESULTS/$SCENARIO-check-config.log
    out=$(in_root newsroom-kiosk check-config /etc/newsroom-kiosk/kiosk.toml 2>&1) ||
        { printf '%s\n' "$out" >"$log"; fail "check-config of kiosk.toml failed: $out" "$log"; }
    last=$(printf '%s\n' "$out" | tail -n 1)
    case $last in
        *": $1") ;;
        *) fail "check-config of kiosk.toml says '$last', expected '... $1'" "$LOG" ;;
    esac
}
expect_groups() {   # expect_groups USER GROUP...
    local user=$1 have g
    shift
    have=" $(in_root id -nG "$user" 2>/dev/null) " || fail "user $user does not exist" "$LOG"
    for g in "$@"; do
        case $have in *" $g "*) ;; *) fail "user $user is not in group $g (its groups:$have)" "$LOG" ;; esac
    done
}
is_enabled() { in_root systemctl is-enabled "$1" 2>/dev/null || true; }
expect_enabled() {
    local s
    s=$(is_enabled "$1")
    [ "$s" = enabled ] || fail "systemctl is-enabled $1 says '${s:-nothing}', expected 'enabled'" "$LOG"
}
expect_not_enabled() {
    if in_root systemctl is-enabled --quiet "$1" 2>/dev/null; then
        fail "$1 is enabled ($(is_enabled "$1")); it must not be" "$LOG"
    fi
}
snapshot() { cp "$ROOT/$1" "$RESULTS/$SCENARIO-$2"; }   # snapshot PATH_IN_ROOT NAME
expect_same() {   # expect_same PATH_IN_ROOT NAME WHAT
    cmp -s "$RESULTS/$SCENARIO-$2" "$ROOT/$1" ||
        fail "$3 changed /$1: $(diff "$RESULTS/$SCENARIO-$2" "$ROOT/$1" | head -n 6 | tr '\n' ' ')" "$LOG"
}

# ---- booting the installed root (systemd-nspawn) --------------------------------------------------------------------
UNIT=newsroom-kiosk.service
DROPINS=etc/systemd/system/$UNIT.d   # in the root
U_ACTIVE='' U_SUB='' U_RESTARTS='' U_STATUS=''   # unit_show
SYSTEM_STATE=''                              # system_up
HANG_SEEN=0                                  # hang_seen

ensure_nspawn() {   # systemd-nspawn (systemd-container, installed with apt-get when missing), nsenter, pgrep
    local log=$RESULTS/systemd-container-install.log t
    if ! command -v systemd-nspawn >/dev/null 2>&1; then
        say "installing systemd-container (apt-get)"
        { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends systemd-container ||
            { apt-get update &&
              DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends systemd-container; }
        } </dev/null >"$log" 2>&1 || fail "apt-get install systemd-container failed" "$log"
    fi
    for t in systemd-nspawn nsenter pgrep; do
        command -v "$t" >/dev/null 2>&1 || fail "$t not found"
    done
}
# boot_root: boots $ROOT in the background with systemd-nspawn, the container's console in
# $SCENARIO-boot-console.log; sets NSPAWN_PID, and CT_PID once nspawn's child is the container's systemd. Nothing may
# be mounted in $ROOT (nspawn mounts its own /proc, /dev and /sys). Needs no system bus, no systemd-machined and no
# systemd as the host's PID 1: --register=no --keep-unit. --private-network: only lo (the feed does not resolve,
# and no abstract socket, X11's included, is shared with the host); /etc and the journal stay the root's own.
boot_root() {
    local log=$RESULTS/$SCENARIO-boot-console.log end pid st=0
    [ -z "$(mounts_under "$ROOT")" ] || fail "still mounted in $ROOT: $(mounts_under "$ROOT" | tr '\n' ' ')"
    systemd-nspawn -D "$ROOT" -b --register=no --keep-unit --console=passive --private-network \
        --resolv-conf=off --timezone=off --link-journal=no --setenv=SYSTEMD_COLORS=0 </dev/null >"$log" 2>&1 &
    NSPAWN_PID=$!
    end=$((SECONDS + 30))
    while [ -z "$CT_PID" ]; do
        if ! alive "$NSPAWN_PID"; then
            wait "$NSPAWN_PID" || st=$?
            NSPAWN_PID=
            fail "systemd-nspawn exited (status $st) before the container's systemd ran" "$log"
        fi
        for pid in $(pgrep -P "$NSPAWN_PID" || true); do
            if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd ]; then CT_PID=$pid; fi
        done
        if [ -z "$CT_PID" ]; then
            [ "$SECONDS" -lt "$end" ] || fail "no systemd under systemd-nspawn (PID $NSPAWN_PID) after 30 s" "$log"
            sleep 0.5
        fi
    done
}
# in_ct CMD...: CMD in the booted container (all its namespaces: its systemctl talks to its systemd), clean environment.
in_ct() {
    nsenter -t "$CT_PID" -a /usr/bin/env -i PATH="$CHROOT_PATH" LANG=C.UTF-8 TERM=dumb SYSTEMD_COLORS=0 "$@"
}
# poll SECONDS CMD...: CMD once a second until it succeeds (0) or SECONDS have passed (1).
poll() {
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        [ "$SECONDS" -lt "$end" ] || return 1
        sleep 1
    done
}
system_up() {   # the container's systemd has finished booting ("running" or "degraded"); SYSTEM_STATE says how far
    alive "$NSPAWN_PID" || fail "systemd-nspawn exited while the container booted" "$RESULTS/$SCENARIO-boot-console.log"
    SYSTEM_STATE=$(in_ct systemctl is-system-running 2>/dev/null) || true
    case $SYSTEM_STATE in running|degraded) true ;; *) false ;; esac
}
# unit_show: the unit's ActiveState, SubState, NRestarts and StatusText into U_ACTIVE, U_SUB, U_RESTARTS, U_STATUS.
unit_show() {
    local out
    out=$(in_ct systemctl show -p ActiveState -p SubState -p NRestarts -p StatusText "$UNIT" 2>/dev/null) || return 1
    U_ACTIVE=$(printf '%s\n' "$out" | sed -n 's/^ActiveState=//p')
    U_SUB=$(printf '%s\n' "$out" | sed -n 's/^SubState=//p')
    U_RESTARTS=$(printf '%s\n' "$out" | sed -n 's/^NRestarts=//p')
    U_STATUS=$(printf '%s\n' "$out" | sed -n 's/^StatusText=//p')
}
unit_state() { printf '%s/%s, NRestarts=%s, StatusText "%s"' "$U_ACTIVE" "$U_SUB" "$U_RESTARTS" "$U_STATUS"; }
unit_running() { unit_show && [ "$U_ACTIVE" = active ] && [ "$U_SUB" = running ]; }
unit_restarted() { unit_running && [ "${U_RESTARTS:-0}" -ge 1 ]; }
unit_feeds_status() { unit_show && case $U_STATUS in *feeds*) true ;; *) false ;; esac; }
feed_failure_logged() {   # the unit's journal at priority warning or higher has the feed failure
    local w
    w=$(in_ct journalctl -u "$UNIT" -p warning -o cat --no-pager 2>&1) || return 1
    printf '%s\n' "$w" >"$RESULTS/$SCENARIO-boot-warnings.log"
    case $w in *': failing: '*) true ;; *) false ;; esac
}
# hang_seen CURSOR: after CURSOR the unit's journal has "the loop hangs now", then "Watchdog timeout", then
# "Scheduled restart job"; HANG_SEEN is how many of the three, in that order.
hang_seen() {
    local j
    j=$(in_ct journalctl -u "$UNIT" -o cat --no-pager --after-cursor "$1" 2>/dev/null) || return 1
    HANG_SEEN=$(printf '%s\n' "$j" | awk '
        !h && /the loop hangs now/ { h = 1; next }
        h && !w && /Watchdog timeout/ { w = 1; next }
        w && !r && /Scheduled restart job/ { r = 1 }
        END { print r ? 3 : w ? 2 : h ? 1 : 0 }')
    [ "$HANG_SEEN" -eq 3 ]
}
failed_units() {   # the container's failed units, on one line
    in_ct systemctl list-units --state=failed --plain --no-legend --no-pager 2>/dev/null |
        awk '{ for (i = 1; i <= NF; i++) if ($i ~ /[.][a-z]+$/) { print $i; break } }' | paste -sd ' ' || true
}
save_unit_logs() {   # the unit's journal and status, and the whole boot's journal, into the results
    in_ct journalctl -u "$UNIT" --no-pager -o short-precise >"$RESULTS/$SCENARIO-boot-journal.log" 2>&1 || true
    in_ct systemctl status "$UNIT" --no-pager -l >"$RESULTS/$SCENARIO-boot-status.log" 2>&1 || true
    in_ct journalctl -b --no-pager -o short-precise >"$RESULTS/$SCENARIO-boot-journal-all.log" 2>&1 || true
}
boot_fail() {   # boot_fail MESSAGE: fail with the end of the unit's journal, or of the console once nspawn is gone
    if ! alive "$NSPAWN_PID"; then
        fail "$1; the container is gone (systemd-nspawn exited)" "$RESULTS/$SCENARIO-boot-console.log"
    fi
    save_unit_logs
    fail "$1" "$RESULTS/$SCENARIO-boot-journal.log"
}

# boot_check: boots the scenario's root (bind mounts off) and checks the appliance unit under the root's own
# systemd, as installed and enabled: its hardening, Type=notify, NotifyAccess=all, WatchdogSec=30, User=,
# cage -d -- newsroom-kiosk. Only what a container lacks is replaced, by a drop-in written before the boot and removed
# after it: tty1 (StandardInput=null, no TTY reset/hangup/deallocation), DRM and input devices (wlroots' headless
# backend with pixman, no libinput devices). The bind mounts are back afterwards.
boot_check() {
    local had_dropins=false t_boot t_up t_hang cursor why failed boot_lock
    # One boot at a time on this host: with --keep-unit, nspawn puts every container in the same cgroup ("payload",
    # below the one this script runs in).
    exec {boot_lock}>"$CACHE.boot.lock"
    if ! flock -n "$boot_lock"; then
        say "$SCENARIO: waiting for another run's boot step ($CACHE.boot.lock)"
        flock "$boot_lock"
    fi
    unmount_all "$ROOT" || fail "cannot unmount $(mounts_under "$ROOT" | tr '\n' ' ') before booting $ROOT"
    [ ! -d "$ROOT/$DROPINS" ] || had_dropins=true
    mkdir -p "$ROOT/$DROPINS"
    printf '%s\n' "# $PROG: what a container lacks (tty1, DRM, input devices); removed after the boot" '[Service]' \
        StandardInput=null TTYReset=no TTYVHangup=no TTYVTDisallocate=no \
        'Environment=WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1' \
        >"$ROOT/$DROPINS/zz-chroot-test.conf"
    say "$SCENARIO: booting the root with systemd-nspawn (console: $RESULTS/$SCENARIO-boot-console.log)"
    t_boot=$SECONDS
    boot_root
    # Up means "running", or "degraded" (a unit failed: listed, not fatal). Still "starting" after 90 s is left
    # to the first check to explain: a Type=notify unit that gets no READY=1 holds the boot up for TimeoutStartSec.
    if ! poll 90 system_up; then
        [ "$SYSTEM_STATE" = starting ] ||
            boot_fail "the container did not come up: systemctl is-system-running says '$SYSTEM_STATE' after 90 s"
        say "$SCENARIO: note: the container is still 'starting' after 90 s; jobs: $(in_ct systemctl list-jobs \
            --no-legend --no-pager 2>&1 | awk '{ print $2, $3, $4 }' | paste -sd ';')"
    elif [ "$SYSTEM_STATE" = degraded ]; then
        say "$SCENARIO: note: the container booted 'degraded'; failed units: $(failed_units)"
    fi
    # 1. Enabled, it starts at boot; Type=notify: active only once READY=1 came from the kiosk, cage's child.
    poll 60 unit_running || boot_fail "$UNIT is not active/running 60 s after the boot ($(unit_state)); \
Type=notify: it becomes active when READY=1 from the kiosk, cage's child, is accepted (NotifyAccess=all)"
    t_up=$SECONDS
    say "$SCENARIO: booted ($SYSTEM_STATE); $UNIT active/running $((t_up - t_boot)) s after systemd-nspawn started"
    # 2. STATUS= from the kiosk, through cage too: the feeds summary.
    poll 30 unit_feeds_status || boot_fail "StatusText of $UNIT is \"$U_STATUS\" 30 s after it became active; \
expected the kiosk's feeds summary (STATUS= from cage's child, NotifyAccess=all)"
    # 4. The failing feed (it does not resolve) is logged at warning: the kiosk's <4> prefix reached journald.
    poll 60 feed_failure_logged || boot_fail "no ': failing: ' in the unit's journal at priority warning or higher \
(journalctl -u $UNIT -p warning; the feed $FEED cannot resolve; see $RESULTS/$SCENARIO-boot-warnings.log)"
    # 3. It stays up longer than WatchdogSec=30: the kiosk's WATCHDOG=1 pings arrive through cage.
    while [ "$SECONDS" -lt $((t_up + 45)) ]; do sleep 1; done
    unit_show || boot_fail "systemctl show $UNIT failed in the container"
    save_unit_logs
    if grep -q 'Watchdog timeout' "$RESULTS/$SCENARIO-boot-journal.log"; then
        boot_fail "the watchdog killed $UNIT within 45 s of it becoming active ($(unit_state)): WATCHDOG=1 from the \
kiosk, cage's child, did not arrive"
    fi
    if [ "$U_ACTIVE/$U_SUB" != active/running ] || [ "$U_RESTARTS" != 0 ]; then
        boot_fail "$UNIT did not stay up for 45 s after it became active (WatchdogSec=30): $(unit_state)"
    fi
    say "$SCENARIO: $UNIT stayed up $((SECONDS - t_up)) s with no restart (WatchdogSec=30): $(unit_state)"
    # 5. A hung loop stops the pings: the watchdog kills the unit and systemd starts it again.
    cursor=$(in_ct journalctl -n 0 --show-cursor --no-pager 2>/dev/null | sed -n 's/^-- cursor: //p') || true
    [ -n "$cursor" ] || boot_fail "journalctl -n 0 --show-cursor printed no cursor in the container"
    printf '%s\n' "# $PROG: the kiosk's loop hangs 5 s after it starts; removed after the check" '[Service]' \
        'Environment=NK_DEBUG_HANG_AFTER=5' >"$ROOT/$DROPINS/zz-chroot-hang.conf"
    in_ct systemctl daemon-reload || boot_fail "systemctl daemon-reload failed in the container"
    in_ct systemctl restart "$UNIT" >"$RESULTS/$SCENARIO-boot-restart.log" 2>&1 ||
        boot_fail "systemctl restart $UNIT with NK_DEBUG_HANG_AFTER=5 failed: \
$(cat "$RESULTS/$SCENARIO-boot-restart.log")"
    t_hang=$SECONDS
    if ! poll 60 hang_seen "$cursor"; then
        case $HANG_SEEN in
            1) why="the loop hung, but no 'Watchdog timeout' followed (WatchdogSec=30)" ;;
            2) why="the watchdog fired, but no 'Scheduled restart job' followed (Restart=always)" ;;
            *) why="no 'the loop hangs now' (NK_DEBUG_HANG_AFTER=5)" ;;
        esac
        boot_fail "60 s after restarting $UNIT with NK_DEBUG_HANG_AFTER=5: $why"
    fi
    poll 60 unit_restarted ||
        boot_fail "after the watchdog timeout $UNIT is not active/running again with NRestarts >= 1: $(unit_state)"
    say "$SCENARIO: the hung kiosk was killed by the watchdog and is running again $((SECONDS - t_hang)) s after \
it was started with NK_DEBUG_HANG_AFTER=5 ($(unit_state))"
    rm -f "$ROOT/$DROPINS/zz-chroot-hang.conf"
    in_ct systemctl daemon-reload || boot_fail "systemctl daemon-reload failed in the container"
    save_unit_logs
    in_ct systemctl --failed --no-pager >"$RESULTS/$SCENARIO-boot-failed-units.log" 2>&1 || true
    failed=$(failed_units)
    # Not checked: newsroom-kiosk-power.service fails here when its timer fires (no /dev/cec*, no display to switch).
    [ -z "$failed" ] || say "$SCENARIO: note: failed units in the container (not checked): $failed"
    stop_container || fail "cannot stop the container (systemd-nspawn of $ROOT)"
    say "$SCENARIO: the container is shut down; the boot step took $((SECONDS - t_boot)) s"
    rm -f "$ROOT/$DROPINS/zz-chroot-test.conf"
    if ! $had_dropins; then
        rmdir "$ROOT/$DROPINS" || fail "/$DROPINS has files that neither the package nor this test put there"
    fi
    [ -z "$(mounts_under "$ROOT")" ] ||
        fail "still mounted in $ROOT after the boot: $(mounts_under "$ROOT" | tr '\n' ' ')"
    mount_binds "$ROOT"
    exec {boot_lock}>&-
}

CONF=etc/newsroom-kiosk/kiosk.toml

# ---- scenario lite --------------------------------------------------------------------------------------------------
scenario_lite() {
    local cmdline=boot/firmware/cmdline.txt line lines n sysusers groups u exposure log
    new_root lite
    mkdir -p "$ROOT/boot/firmware"
    printf '%s\n' "$CMDLINE" >"$ROOT/$cmdline"
    # Raspberry Pi OS Lite boots to the console: the installer must switch the default to graphical.target.
    in_root systemctl set-default multi-user.target >/dev/null 2>&1 ||
        fail "systemctl set-default multi-user.target failed in the chroot"
    [ "$(is_enabled getty@tty1.service)" = enabled ] ||
        say "lite: note: getty@tty1.service is not enabled in the base, so disabling it is not exercised"

    install_pi first -- --feed "$FEED" "/root/$DEB_NAME"
    expect_rc0 "first run"
    # The user and its groups: the sysusers.d file is the truth.
    sysusers=$ROOT/usr/lib/sysusers.d/newsroom-kiosk.conf
    [ -f "$sysusers" ] || fail "/usr/lib/sysusers.d/newsroom-kiosk.conf is missing" "$LOG"
    u=$(awk '$1 == "u" { print $2; exit }' "$sysusers")
    [ "$u" = newsroom-kiosk ] || fail "the sysusers.d file creates user '$u', expected newsroom-kiosk"
    in_root getent passwd "$u" >/dev/null || fail "user $u does not exist" "$LOG"
    mapfile -t groups < <(awk -v u="$u" '$1 == "m" && $2 == u { print $3 }' "$sysusers")
    [ ${#groups[@]} -gt 0 ] || fail "the sysusers.d file puts $u in no group"
    expect_groups "$u" video render input "${groups[@]}"
    # The config.
    [ -f "$ROOT/$CONF" ] || fail "/$CONF is missing" "$LOG"
    grep -qxF "url = \"$FEED\"" "$ROOT/$CONF" || fail "/$CONF has no line 'url = \"$FEED\"'" "$LOG"
    check_config_says "ok (1 feeds)"
    # The services.
    for u in seatd.service newsroom-kiosk.service newsroom-kiosk-power.timer; do
        expect_enabled "$u"
    done
    expect_not_enabled getty@tty1.service
    line=$(in_root systemctl get-default 2>&1 || true)
    [ "$line" = graphical.target ] || fail "systemctl get-default says '$line', expected graphical.target" "$LOG"
    # cmdline.txt: still one line, consoleblank=0 once, nothing else changed.
    lines=$(awk 'END { print NR }' "$ROOT/$cmdline")
    [ "$lines" -eq 1 ] || fail "/$cmdline has $lines lines, expected 1: $(cat "$ROOT/$cmdline")" "$LOG"
    n=$(tr -s '[:space:]' '\n' <"$ROOT/$cmdline" | grep -cx 'consoleblank=0' || true)
    [ "$n" -eq 1 ] || fail "/$cmdline has consoleblank=0 $n times, expected once: $(cat "$ROOT/$cmdline")" "$LOG"
    line=$(tr -s '[:space:]' '\n' <"$ROOT/$cmdline" | grep -vx 'consoleblank=0' | grep -v '^$' | paste -sd ' ')
    [ "$line" = "$CMDLINE" ] || fail "/$cmdline lost or changed parameters: $(cat "$ROOT/$cmdline")" "$LOG"
    # The installed units, with the real cage and seatd in place.
    log=$RESULTS/lite-systemd-analyze-verify.log
    in_root systemd-analyze verify /usr/lib/systemd/system/newsroom-kiosk.service \
        /usr/lib/systemd/system/newsroom-kiosk-power.service /usr/lib/systemd/system/newsroom-kiosk-power.timer \
        >"$log" 2>&1 || fail "systemd-analyze verify of the installed units failed" "$log"
    # It exits 0 on mere warnings: none may be about the kiosk's units.
    ! grep -q 'newsroom-kiosk' "$log" || fail "systemd-analyze verify warns about the installed units" "$log"
    log=$RESULTS/lite-systemd-analyze-security.log
    in_root systemd-analyze security --offline=true /usr/lib/systemd/system/newsroom-kiosk.service >"$log" 2>&1 ||
        fail "systemd-analyze security --offline=true newsroom-kiosk.service failed" "$log"
    exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9]*\.[0-9]\).*/\1/p' "$log" | tail -n 1)
    [ -n "$exposure" ] || fail "no 'Overall exposure level' in the systemd-analyze security output" "$log"
    awk -v x="$exposure" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(x + 0 <= max + 0) }' ||
        fail "newsroom-kiosk.service scores $exposure in systemd-analyze security; at most $MAX_EXPOSURE expected" "$log"
    say "lite: first run ok (newsroom-kiosk.service exposure $exposure)"

    # The appliance's stack as far as it runs without a screen: the unit's own ExecStart (cage and
    # the kiosk), as the unit's user, on wlroots' headless backend with no input devices, so with no
    # pointer (a kiosk without a mouse), and Mesa's software GL. The kiosk must draw and write a
    # screenshot. This caught cage refusing to start without xwayland, and GLFW's Wayland build
    # crashing in ImGui's cursor setup when the seat has no pointer.
    local exec_start shot=/tmp/nk-smoke/shot.png kuser
    kuser=$(awk '$1 == "u" { print $2; exit }' "$sysusers")
    exec_start=$(sed -n 's/^ExecStart=//p' "$ROOT/usr/lib/systemd/system/newsroom-kiosk.service")
    [ -n "$exec_start" ] || fail "no ExecStart= in newsroom-kiosk.service"
    in_root sh -c "mkdir -p /tmp/nk-smoke/run /tmp/nk-smoke/cache && chmod 700 /tmp/nk-smoke/run &&
                   chown -R $kuser: /tmp/nk-smoke" || fail "cannot prepare /tmp/nk-smoke in the chroot"
    log=$RESULTS/lite-cage.log
    # shellcheck disable=SC2086  # ExecStart is a command line: split it as systemd does (no quotes in it).
    in_root runuser -u "$kuser" -- env XDG_RUNTIME_DIR=/tmp/nk-smoke/run XDG_CACHE_HOME=/tmp/nk-smoke/cache \
        HOME=/tmp/nk-smoke/cache WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
        timeout 120 $exec_start --screenshot "$shot" --at 2 >"$log" 2>&1 ||
        fail "'$exec_start' under cage's headless backend failed (status $?)" "$log"
    grep -q '^display: GL .*backend opengl' "$log" || fail "the kiosk under cage logged no GL backend line" "$log"
    grep -q "^screenshot: wrote $shot" "$log" || fail "the kiosk under cage wrote no screenshot" "$log"
    [ -s "$ROOT$shot" ] || fail "$shot is missing or empty" "$log"
    cp "$ROOT$shot" "$RESULTS/lite-cage.png"
    say "lite: the unit's cage + kiosk ran headless without a pointer and drew (screenshot: $RESULTS/lite-cage.png)"

    # The unit under the root's own systemd, booted with systemd-nspawn. Booting changes neither file.
    snapshot "$CONF" kiosk.toml.1
    snapshot "$cmdline" cmdline.txt.1
    boot_check
    expect_same "$CONF" kiosk.toml.1 "booting the root"
    expect_same "$cmdline" cmdline.txt.1 "booting the root"

    # Again, same arguments: nothing changes (after that boot, too).
    install_pi second -- --feed "$FEED" "/root/$DEB_NAME"
    expect_rc0 "second run"
    expect_no_changes second
    expect_same "$CONF" kiosk.toml.1 "the second run"
    expect_same "$cmdline" cmdline.txt.1 "the second run"

    # An edited config is never overwritten: another --feed is ignored, with a warning (also when
    # the edit mentions that URL, commented out).
    printf '# edited by %s\n# url = "%s"\n' "$PROG" "$OTHER_FEED" >>"$ROOT/$CONF"
    snapshot "$CONF" kiosk.toml.2
    install_pi third -- --feed "$OTHER_FEED" "/root/$DEB_NAME"
    expect_rc0 "third run, edited kiosk.toml"
    grep -q 'warning: --feed ignored' "$LOG" || fail "the third run did not warn that --feed is ignored" "$LOG"
    expect_same "$CONF" kiosk.toml.2 "the third run (--feed $OTHER_FEED on an edited kiosk.toml)"
    done_root
    say "lite: ok"
}

# ---- scenario desktop -----------------------------------------------------------------------------------------------
scenario_desktop() {
    local autostart=home/pi/.config/labwc/autostart n owner d want line
    new_root desktop
    in_root useradd -m pi >"$RESULTS/desktop-useradd.log" 2>&1 || fail "useradd -m pi failed" "$RESULTS/desktop-useradd.log"
    # The user's own autostart, its last line without a newline (as editors on the desktop leave it).
    in_root runuser -u pi -- sh -c 'mkdir -p ~/.config/labwc && printf "swaybg -c \"#000000\" &" > ~/.config/labwc/autostart' \
        >"$RESULTS/desktop-autostart.log" 2>&1 || fail "could not write pi's autostart" "$RESULTS/desktop-autostart.log"

    install_pi first SUDO_USER=pi -- --desktop "/root/$DEB_NAME"
    expect_rc0 "first run"
    [ -f "$ROOT/$autostart" ] || fail "/$autostart was not written" "$LOG"
    for d in home/pi/.config home/pi/.config/labwc "$autostart"; do
        owner=$(in_root stat -c %U "/$d")
        [ "$owner" = pi ] || fail "/$d is owned by $owner, not pi" "$LOG"
    done
    n=$(grep -c 'newsroom-kiosk-user\.service' "$ROOT/$autostart" || true)
    [ "$n" -eq 1 ] || fail "/$autostart has $n lines with newsroom-kiosk-user.service, expected 1" "$LOG"
    # ... and it is the package's line (the non-comment line of platform/labwc/autostart).
    want=$(grep -v '^#' "$ROOT/usr/share/newsroom-kiosk/labwc/autostart" | grep 'newsroom-kiosk-user\.service' || true)
    line=$(grep 'newsroom-kiosk-user\.service' "$ROOT/$autostart")
    [ -n "$want" ] || fail "/usr/share/newsroom-kiosk/labwc/autostart has no newsroom-kiosk-user.service line" "$LOG"
    [ "$line" = "$want" ] ||
        fail "the line in /$autostart is not the one of /usr/share/newsroom-kiosk/labwc/autostart: $line" "$LOG"
    [ "$(head -n 1 "$ROOT/$autostart")" = 'swaybg -c "#000000" &' ] ||
        fail "pi's own first autostart line was changed: $(head -n 1 "$ROOT/$autostart")" "$LOG"
    in_root sh -n "/$autostart" >"$RESULTS/desktop-autostart-syntax.log" 2>&1 ||
        fail "/$autostart is no longer valid sh" "$RESULTS/desktop-autostart-syntax.log"
    expect_groups pi video render input
    check_config_says "ok (0 feeds)"
    expect_not_enabled newsroom-kiosk.service
    expect_not_enabled newsroom-kiosk-power.timer
    say "desktop: first run ok"

    snapshot "$CONF" kiosk.toml.1
    snapshot "$autostart" autostart.1
    install_pi second SUDO_USER=pi -- --desktop "/root/$DEB_NAME"
    expect_rc0 "second run"
    expect_no_changes second
    n=$(grep -c 'newsroom-kiosk-user\.service' "$ROOT/$autostart" || true)
    [ "$n" -eq 1 ] || fail "after the second run /$autostart has $n lines with newsroom-kiosk-user.service" "$LOG"
    expect_same "$autostart" autostart.1 "the second run"
    expect_same "$CONF" kiosk.toml.1 "the second run"

    # The package's unedited conffile is replaced by a config with the --feed URL.
    install_pi feed SUDO_USER=pi -- --desktop --feed "$FEED" "/root/$DEB_NAME"
    expect_rc0 "run with --feed"
    grep -qxF "url = \"$FEED\"" "$ROOT/$CONF" ||
        fail "--feed on the unedited package conffile did not write 'url = \"$FEED\"' to /$CONF" "$LOG"
    check_config_says "ok (1 feeds)"
    n=$(grep -c 'newsroom-kiosk-user\.service' "$ROOT/$autostart" || true)
    [ "$n" -eq 1 ] || fail "after the --feed run /$autostart has $n lines with newsroom-kiosk-user.service" "$LOG"
    done_root
    say "desktop: ok"
}

ensure_base
ensure_nspawn
scenario_lite
scenario_desktop
SCENARIO=all
say "logs: $RESULTS ($((SECONDS - T0)) s in all)"
say "passed"
