#!/usr/bin/env bash
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
#            user on wlroots' headless backend with no pointer and writes a screenshot. A second run changes nothing (no `  + ` command but
#            systemd-sysusers); a third one with another --feed on an edited kiosk.toml warns and keeps the file.
#   desktop  Raspberry Pi OS Desktop (labwc), user pi: `SUDO_USER=pi install-pi.sh --desktop PACKAGE.deb` appends
#            exactly one kiosk line to ~pi/.config/labwc/autostart (owned by pi), puts pi in video, render and
#            input, keeps the package's demo kiosk.toml and leaves the appliance unit off; a second run changes
#            nothing; a run with --feed rewrites the unedited package conffile with that feed.
# Every installer run is logged in a results dir (kept, printed at the end). Exit status 0 only when all passed;
# on the first failure it prints what is wrong and the tail of the relevant log.
#
# Needs: root; debootstrap (installed with apt-get when missing); network access to the Debian archive; about
# 1 GB free in /var/tmp. Takes up to ~5 minutes the first time (debootstrap; 2.5 minutes with a fast mirror) and
# about 2 minutes after that: each scenario still downloads its ~70 MB of packages (cage, Mesa, fonts...) with
# apt-get, as on a Pi.
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
# (amd64) instead of arm64, and no booted systemd: nothing is started, so neither cage, seatd, the kiosk on tty1
# nor the labwc session is exercised, only what is installed, written and enabled.
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
cleanup() {
    local rc=$? d
    trap '' INT TERM
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

    # Again, same arguments: nothing changes.
    snapshot "$CONF" kiosk.toml.1
    snapshot "$cmdline" cmdline.txt.1
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
scenario_lite
scenario_desktop
SCENARIO=all
say "logs: $RESULTS ($((SECONDS - T0)) s in all)"
say "passed"
