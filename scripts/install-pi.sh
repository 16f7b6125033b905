#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# install-pi.sh: turn a fresh Raspberry Pi OS bookworm (arm64, Lite or Desktop) into a news kiosk.
#
#   sudo scripts/install-pi.sh [OPTIONS] [newsroom-kiosk_VERSION_ARCH.deb]
#
# With a .deb it installs that package; without one it builds this source tree
# (scripts/setup.sh, cmake, cmake --install). Then:
#   - Lite (no desktop): cage + seatd on tty1 as the system service newsroom-kiosk.service,
#     user newsroom-kiosk (systemd-sysusers), graphical.target as default, getty@tty1 off,
#     consoleblank=0 in cmdline.txt, the display power timer newsroom-kiosk-power.timer.
#   - Desktop (labwc): the user units newsroom-kiosk-user.service and
#     newsroom-kiosk-power-user.timer for the auto-login user, started from
#     ~/.config/labwc/autostart; desktop auto-login on; blanking off.
#   - /etc/newsroom-kiosk/kiosk.toml from the example when it does not exist; an edited one is
#     never overwritten (with --feed, the package's unedited default is rewritten with the feeds).
# Idempotent: running it again changes nothing that is already in place. Non-interactive.
#
# Options:
#   --dry-run          print what would be done, change nothing (needs no root)
#   --lite | --desktop force the topology instead of detecting it
#   --user NAME        Desktop: the auto-login user (default: lightdm's autologin-user, else
#                      $SUDO_USER, else the first user with UID >= 1000)
#   --feed URL         a feed for a new kiosk.toml (repeatable; replaces the example feeds)
#   --no-build         without a .deb: keep an installed /usr/bin/newsroom-kiosk, do not build
#                      (also what happens when the script runs outside a source tree)
#   --minimal-fonts    skip fonts-noto-core, fonts-noto-cjk and fonts-noto-color-emoji (~110 MB,
#                      every script and emoji) on tiny images: Latin, Greek and Cyrillic only, from
#                      DejaVu; other scripts show as boxes, and the kiosk logs each character
#                      it had no font for
#   --reboot           reboot at the end (the kiosk starts at boot)
#   -h, --help         this text
set -euo pipefail

PROG=install-pi
DRY=0
MODE=
KIOSK_USER=
DEB=
BUILD=1
REBOOT=0
FONTS=all
FEEDS=()

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$SCRIPT_DIR/.." && pwd)

CONF_DIR=/etc/newsroom-kiosk
CONF=$CONF_DIR/kiosk.toml
SYSTEM_UNIT_DIR=/usr/lib/systemd/system
USER_UNIT_DIR=/usr/lib/systemd/user
SYSUSERS_DIR=/usr/lib/sysusers.d
LIBEXEC_DIR=/usr/libexec/newsroom-kiosk
SHARE_DIR=/usr/share/newsroom-kiosk
AUTOSTART_MARK="newsroom-kiosk-user.service"

log() { printf '%s: %s\n' "$PROG" "$*"; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
# The header comment, from its second line to the last before the code.
usage() { awk 'NR == 1 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }

# run CMD...: run a command that changes the system, or print it in a dry run.
run() {
    if [ "$DRY" -eq 1 ]; then
        printf '  would run: %s\n' "$*"
    else
        printf '  + %s\n' "$*"
        "$@"
    fi
}

have() { command -v "$1" >/dev/null 2>&1; }
pkg_installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]; }

# put_file SRC DEST MODE: install SRC as DEST unless DEST already has the same content.
put_file() {
    local src=$1 dest=$2 mode=$3
    if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
        return 0
    fi
    run install -D -m "$mode" "$src" "$dest"
}

# ---- arguments -----------------------------------------------------------------------------------
while [ $# -gt 0 ]; do
    case $1 in
        --dry-run) DRY=1 ;;
        --lite) MODE=lite ;;
        --desktop) MODE=desktop ;;
        --user) [ $# -ge 2 ] || die "--user needs a name"; KIOSK_USER=$2; shift ;;
        --user=*) KIOSK_USER=${1#--user=} ;;
        --feed) [ $# -ge 2 ] || die "--feed needs a URL"; FEEDS+=("$2"); shift ;;
        --feed=*) FEEDS+=("${1#--feed=}") ;;
        --no-build) BUILD=0 ;;
        --minimal-fonts) FONTS=minimal ;;
        --reboot) REBOOT=1 ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *)
            [ -z "$DEB" ] || die "only one .deb, please"
            DEB=$1 ;;
    esac
    shift
done
for f in "${FEEDS[@]}"; do
    case $f in
        http://*|https://*|file:///*) ;;
        *) die "--feed $f: must be an http://, https:// or file:/// URL" ;;
    esac
    case $f in
        *\"*|*\\*) die "--feed $f: quotes and backslashes are not allowed in a URL here" ;;
    esac
done
if [ -n "$DEB" ]; then
    [ -f "$DEB" ] || die "$DEB: no such file"
    DEB=$(cd "$(dirname "$DEB")" && pwd)/$(basename "$DEB")
fi

[ "$DRY" -eq 1 ] && log "dry run: nothing is changed"
if [ "$(id -u)" -ne 0 ]; then
    [ "$DRY" -eq 1 ] || die "run as root (sudo $0 $*)"
fi

# ---- the machine ---------------------------------------------------------------------------------
codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null | tr -d '"' || true)
arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
[ "$codename" = bookworm ] || warn "this is '${codename:-unknown}', not bookworm; carrying on"
[ "$arch" = arm64 ] || warn "architecture $arch: the supported Pi target is arm64; carrying on"

is_pi=0
if [ -r /proc/device-tree/model ] && grep -qa "Raspberry Pi" /proc/device-tree/model; then
    is_pi=1
fi

if [ -z "$MODE" ]; then
    if pkg_installed lightdm || pkg_installed labwc || have labwc; then
        MODE=desktop
    else
        MODE=lite
    fi
fi

desktop_user() {
    local u=
    if [ -r /etc/lightdm/lightdm.conf ]; then
        u=$(sed -n 's/^[[:space:]]*autologin-user[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/lightdm/lightdm.conf | tail -n 1)
    fi
    if [ -z "$u" ] && [ -n "${SUDO_USER:-}" ] && [ "${SUDO_USER}" != root ]; then
        u=$SUDO_USER
    fi
    if [ -z "$u" ]; then
        u=$(getent passwd | awk -F: '$3 >= 1000 && $3 < 60000 { print $1; exit }')
    fi
    printf '%s\n' "$u"
}

if [ "$MODE" = desktop ]; then
    [ -n "$KIOSK_USER" ] || KIOSK_USER=$(desktop_user)
    [ -n "$KIOSK_USER" ] || die "Desktop: no auto-login user found; name one with --user NAME"
    getent passwd "$KIOSK_USER" >/dev/null || die "Desktop: user $KIOSK_USER does not exist"
    KIOSK_HOME=$(getent passwd "$KIOSK_USER" | cut -d: -f6)
    log "Raspberry Pi OS Desktop: the kiosk runs in $KIOSK_USER's labwc session (topology A)"
else
    log "Raspberry Pi OS Lite: the kiosk runs in cage on tty1 as user newsroom-kiosk (topology B)"
fi
[ "$is_pi" -eq 1 ] || warn "this does not look like a Raspberry Pi (no 'Raspberry Pi' in /proc/device-tree/model)"

# ---- 1. packages ---------------------------------------------------------------------------------
log "1. packages"
export DEBIAN_FRONTEND=noninteractive
packages=(libglfw3-wayland fonts-dejavu-core ca-certificates v4l-utils)
# Every script on the wall by default (Arabic, Hebrew, Devanagari, Thai..., CJK, colour emoji).
if [ "$FONTS" != minimal ]; then
    packages+=(fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji)
fi
# cec-ctl (HDMI-CEC) is in v4l-utils; cec-utils only has libcec's cec-client, which breaks under KMS.
if [ "$MODE" = lite ]; then
    # Debian's cage 0.1.4 refuses to start without the Xwayland binary, yet does not depend on it.
    packages+=(cage seatd xwayland)
fi
log "   wanted: ${packages[*]}"
missing=()
for p in "${packages[@]}"; do
    pkg_installed "$p" || missing+=("$p")
done
deb_needed=0
if [ -n "$DEB" ]; then
    deb_version=$(dpkg-deb -f "$DEB" Version 2>/dev/null) || die "$DEB: not a Debian package"
    [ "$(dpkg-query -W -f='${db:Status-Status} ${Version}' newsroom-kiosk 2>/dev/null || true)" = "installed $deb_version" ] ||
        deb_needed=1
fi
if [ ${#missing[@]} -gt 0 ] || [ "$deb_needed" -eq 1 ]; then
    run apt-get update
fi
if [ ${#missing[@]} -gt 0 ]; then
    run apt-get install -y --no-install-recommends "${missing[@]}"
else
    log "   all present: ${packages[*]}"
fi

# ---- 2. the kiosk itself -------------------------------------------------------------------------
log "2. newsroom-kiosk"
from_tree=0
if [ -n "$DEB" ] && [ "$deb_needed" -eq 0 ]; then
    log "   $(basename "$DEB"): version $deb_version is installed"
elif [ -n "$DEB" ]; then
    run apt-get install -y --no-install-recommends "$DEB"
elif [ -x /usr/bin/newsroom-kiosk ] && { [ "$BUILD" -eq 0 ] || ! grep -qs 'project(newsroom-kiosk' "$SRC/CMakeLists.txt"; }; then
    # --no-build, or this script was run from the installed package (no source tree beside it).
    log "   keeping the installed /usr/bin/newsroom-kiosk"
    if grep -qs 'project(newsroom-kiosk' "$SRC/CMakeLists.txt"; then from_tree=1; fi
else
    if ! grep -qs 'project(newsroom-kiosk' "$SRC/CMakeLists.txt"; then
        die "no .deb given and $SRC is not a newsroom-kiosk source tree"
    fi
    from_tree=1
    build=$SRC/build-pi
    # About 0.8 GB of RAM per compiler job: a Pi 3 (1 GB) builds with one.
    mem_mb=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo 2>/dev/null || echo 1024)
    jobs=$(( mem_mb / 800 ))
    [ "$jobs" -ge 1 ] || jobs=1
    [ "$jobs" -le "$(nproc)" ] || jobs=$(nproc)
    run "$SRC/scripts/setup.sh"
    run cmake -S "$SRC" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
        -DNK_BUILD_TESTS=OFF -DNK_BUILD_BENCH=OFF
    run cmake --build "$build" -j"$jobs"
    run cmake --install "$build"
    # Until the build installs it by itself, put the binary in place.
    if [ "$DRY" -eq 1 ] || [ ! -x /usr/bin/newsroom-kiosk ] || ! cmp -s "$build/newsroom-kiosk" /usr/bin/newsroom-kiosk; then
        if [ "$DRY" -eq 1 ] || [ -x "$build/newsroom-kiosk" ]; then
            run install -D -m 0755 "$build/newsroom-kiosk" /usr/bin/newsroom-kiosk
        fi
    fi
fi

# The platform files: the package installs them; from a source tree they come from platform/.
# A file the package or `cmake --install` already put in place is only replaced when it differs.
platform_file() {  # platform_file TREE_PATH DEST MODE
    local src=$SRC/$1 dest=$2 mode=$3
    if [ "$from_tree" -eq 1 ] && [ -f "$src" ]; then
        put_file "$src" "$dest" "$mode"
    elif [ ! -e "$dest" ]; then
        if [ -f "$src" ]; then
            warn "$dest is missing from the package; installing it from $1"
            put_file "$src" "$dest" "$mode"
        elif [ "$DRY" -eq 0 ]; then
            die "$dest is missing and there is no $src to install it from"
        fi
    fi
}
platform_file platform/sysusers.d/newsroom-kiosk.conf "$SYSUSERS_DIR/newsroom-kiosk.conf" 0644
platform_file platform/systemd/newsroom-kiosk.service "$SYSTEM_UNIT_DIR/newsroom-kiosk.service" 0644
platform_file platform/systemd/newsroom-kiosk-power.service "$SYSTEM_UNIT_DIR/newsroom-kiosk-power.service" 0644
platform_file platform/systemd/newsroom-kiosk-power.timer "$SYSTEM_UNIT_DIR/newsroom-kiosk-power.timer" 0644
platform_file platform/systemd/newsroom-kiosk-user.service "$USER_UNIT_DIR/newsroom-kiosk-user.service" 0644
platform_file platform/systemd/newsroom-kiosk-power-user.service "$USER_UNIT_DIR/newsroom-kiosk-power-user.service" 0644
platform_file platform/systemd/newsroom-kiosk-power-user.timer "$USER_UNIT_DIR/newsroom-kiosk-power-user.timer" 0644
platform_file platform/power/newsroom-kiosk-power "$LIBEXEC_DIR/newsroom-kiosk-power" 0755
platform_file platform/labwc/autostart "$SHARE_DIR/labwc/autostart" 0644
# Not in a chroot or an image being prepared: there the units are read at the first boot anyway.
if [ -d /run/systemd/system ]; then
    run systemctl daemon-reload
fi

# ---- 3. user -------------------------------------------------------------------------------------
log "3. user"
run systemd-sysusers "$SYSUSERS_DIR/newsroom-kiosk.conf"
if [ "$MODE" = desktop ]; then
    for g in video render input; do
        getent group "$g" >/dev/null || continue
        if ! id -nG "$KIOSK_USER" | tr ' ' '\n' | grep -qx "$g"; then
            run usermod -a -G "$g" "$KIOSK_USER"
        fi
    done
fi

# ---- 4. config -----------------------------------------------------------------------------------
log "4. config $CONF"
config_awk=
for a in "$SRC/packaging/default-config.awk" "$SHARE_DIR/default-config.awk"; do
    if [ -f "$a" ]; then config_awk=$a; break; fi
done
example=
for e in "$SRC/assets/kiosk.example.toml" "$SHARE_DIR/kiosk.example.toml" \
         /usr/share/doc/newsroom-kiosk/kiosk.example.toml /usr/share/doc/newsroom-kiosk/examples/kiosk.example.toml; do
    if [ -f "$e" ]; then example=$e; break; fi
done

# new_config EXAMPLE: the example with its sample [[feed]] entries commented out (the kiosk then
# shows its built-in demo feeds) or replaced by the --feed URLs; the same transformation makes
# the package's conffile.
new_config() {
    awk -v origin="written by scripts/install-pi.sh on $(date +%F)" \
        -v feeds="$(printf '%s\n' "${FEEDS[@]}")" -f "$config_awk" "$1"
}

# conf_is_pristine: the config is the package's conffile as shipped (the admin never edited it),
# so --feed may replace it without losing anyone's work.
conf_is_pristine() {
    local want have_sum
    want=$(dpkg-query -W -f='${Conffiles}\n' newsroom-kiosk 2>/dev/null | awk -v f="$CONF" '$1 == f { print $2 }')
    [ -n "$want" ] || return 1
    have_sum=$(md5sum < "$CONF" | cut -d' ' -f1)
    [ "$want" = "$have_sum" ]
}

conf_has_feeds() {   # every --feed URL is already an active (not commented-out) url = "..." line
    local f
    for f in "${FEEDS[@]}"; do
        awk -v want="$f" '
            { line = $0; sub(/^[ \t]+/, "", line) }
            line ~ /^url[ \t]*=[ \t]*"/ {
                v = line; sub(/^url[ \t]*=[ \t]*"/, "", v); sub(/".*$/, "", v)
                if (v == want) found = 1
            }
            END { exit !found }' "$CONF" || return 1
    done
}

write_conf=1
if [ -e "$CONF" ]; then
    write_conf=0
    if [ ${#FEEDS[@]} -gt 0 ] && conf_is_pristine; then
        log "   is the package's unedited default: writing it with the --feed URLs"
        write_conf=1
    elif [ ${#FEEDS[@]} -gt 0 ] && conf_has_feeds; then
        log "   exists and already has the --feed URLs"
    elif [ ${#FEEDS[@]} -gt 0 ]; then
        warn "--feed ignored: $CONF exists and was edited (add the feeds there)"
    else
        log "   exists, left as it is"
    fi
fi
if [ "$write_conf" -eq 1 ] && { [ -z "$example" ] || [ -z "$config_awk" ]; }; then
    [ "$DRY" -eq 1 ] || die "no kiosk.example.toml and default-config.awk found to write $CONF from"
    log "   would write $CONF from the example"
elif [ "$write_conf" -eq 1 ]; then
    if [ "$DRY" -eq 1 ]; then
        log "   would write $CONF from $example, with these feeds:"
        new_config "$example" | grep -E '^(\[\[feed\]\]|url[[:space:]]*=)' | sed 's/^/     | /' ||
            log "     (none: the kiosk shows its built-in demo feeds)"
    else
        tmp=$(mktemp)
        new_config "$example" > "$tmp"
        run install -D -m 0644 "$tmp" "$CONF"
        rm -f "$tmp"
    fi
fi
if [ "$DRY" -eq 0 ] && [ -x /usr/bin/newsroom-kiosk ] && [ -f "$CONF" ]; then
    if ! /usr/bin/newsroom-kiosk check-config "$CONF"; then
        warn "$CONF has errors (above); the kiosk starts anyway and logs them"
    fi
fi

# ---- 5. services ---------------------------------------------------------------------------------
log "5. services"
if [ "$MODE" = lite ]; then
    for u in seatd.service newsroom-kiosk.service newsroom-kiosk-power.timer; do
        if systemctl is-enabled --quiet "$u" 2>/dev/null; then
            log "   $u is enabled"
        else
            run systemctl enable "$u"
        fi
    done
    if [ "$(systemctl get-default 2>/dev/null || true)" != graphical.target ]; then
        run systemctl set-default graphical.target
    fi
    # tty1 belongs to cage now (the unit also Conflicts= with getty@tty1).
    if systemctl is-enabled --quiet getty@tty1.service 2>/dev/null; then
        run systemctl disable getty@tty1.service
    fi
else
    # Nothing may fight over the screen: the appliance units stay off on a desktop.
    for u in newsroom-kiosk.service newsroom-kiosk-power.timer; do
        if systemctl is-enabled --quiet "$u" 2>/dev/null; then
            run systemctl disable "$u"
        fi
    done
    if have raspi-config; then
        run raspi-config nonint do_boot_behaviour B4       # desktop, auto-login
        if [ -r /etc/lightdm/lightdm.conf ] && ! grep -q 'LXDE-pi-labwc' /etc/lightdm/lightdm.conf && have labwc; then
            run raspi-config nonint do_wayland W3          # labwc
        fi
    else
        warn "no raspi-config: make sure $KIOSK_USER logs in automatically into a labwc session"
    fi
    autostart=$KIOSK_HOME/.config/labwc/autostart
    line=$(grep -v '^#' "$SRC/platform/labwc/autostart" 2>/dev/null | grep "$AUTOSTART_MARK" ||
           grep -v '^#' "$SHARE_DIR/labwc/autostart" 2>/dev/null | grep "$AUTOSTART_MARK" || true)
    [ -n "$line" ] || [ "$DRY" -eq 1 ] || die "cannot find the labwc autostart line (platform/labwc/autostart)"
    if [ -f "$autostart" ] && grep -v '^[[:space:]]*#' "$autostart" | grep -q "$AUTOSTART_MARK"; then
        log "   $autostart already starts the kiosk"
    elif [ "$DRY" -eq 1 ]; then
        log "   would append to $autostart: $line"
    else
        run runuser -u "$KIOSK_USER" -- mkdir -p "$KIOSK_HOME/.config/labwc"
        created=0
        [ -e "$autostart" ] || created=1
        printf '  + append the kiosk line to %s\n' "$autostart"
        # A last line without its newline would swallow ours (and break the shell that runs it).
        if [ -s "$autostart" ] && [ -n "$(tail -c 1 "$autostart")" ]; then
            printf '\n' >> "$autostart"
        fi
        printf '# newsroom-kiosk (scripts/install-pi.sh)\n%s\n' "$line" >> "$autostart"
        [ "$created" -eq 0 ] || chown "$KIOSK_USER:$(id -gn "$KIOSK_USER")" "$autostart"
    fi
fi

# ---- 6. blanking ---------------------------------------------------------------------------------
log "6. screen blanking off"
if have raspi-config; then
    if [ "$MODE" = desktop ]; then
        run env SUDO_USER="$KIOSK_USER" raspi-config nonint do_blanking 1
    else
        run raspi-config nonint do_blanking 1
    fi
else
    log "   no raspi-config"
fi
if [ "$MODE" = desktop ]; then
    autostart=$KIOSK_HOME/.config/labwc/autostart
    if [ -f "$autostart" ] && grep -q 'swayidle.*wlopm' "$autostart"; then
        run sed -i '/swayidle.*wlopm/d' "$autostart"
    fi
else
    cmdline=
    for c in /boot/firmware/cmdline.txt /boot/cmdline.txt; do
        if [ -f "$c" ]; then cmdline=$c; break; fi
    done
    if [ -z "$cmdline" ]; then
        log "   no cmdline.txt (not a Pi boot partition): consoleblank not set"
    elif grep -qE '(^|[[:space:]])consoleblank=0([[:space:]]|$)' "$cmdline"; then
        log "   $cmdline already has consoleblank=0"
    elif grep -qE '(^|[[:space:]])consoleblank=' "$cmdline"; then
        run sed -i -E '1s/(^|[[:space:]])consoleblank=[0-9]+/\1consoleblank=0/' "$cmdline"
    else
        run sed -i '1s/[[:space:]]*$/ consoleblank=0/' "$cmdline"
    fi
fi

# ---- done ----------------------------------------------------------------------------------------
log "done."
if [ "$MODE" = lite ]; then
    log "   The kiosk starts on tty1 at boot. Logs: journalctl -u newsroom-kiosk -f"
else
    log "   The kiosk starts when $KIOSK_USER's desktop session starts."
    log "   Logs (as $KIOSK_USER): journalctl --user -u newsroom-kiosk-user -f"
fi
log "   Feeds: edit $CONF (checked with: newsroom-kiosk check-config $CONF)."
if [ "$REBOOT" -eq 1 ]; then
    run systemctl reboot
else
    log "   Reboot to start it: sudo reboot"
fi
