#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian package that building, running and testing newsroom-kiosk needs.
# Idempotent: when everything is present it only asks dpkg and returns in well under a second.
# Non-interactive (CI has no terminal); uses sudo only when not already root.
set -euo pipefail

packages=(
  # toolchain (ccache: the two from-scratch builds of ./test.sh reuse earlier compiles)
  build-essential cmake pkg-config git ccache
  # src/core: XML and the TOML config; src/feed/calendar: iCalendar files for the agenda card
  libtinyxml2-dev libtomlplusplus-dev libical-dev
  # src/net: HTTP (feeds), and the status listener's HTTP server
  libcurl4-openssl-dev ca-certificates libmicrohttpd-dev
  # tests: gzip in the loopback HTTP server
  zlib1g-dev
  # src/app, src/net: JSON output of `parse` and of the status endpoint
  nlohmann-json3-dev
  # src/ui, platform/: the display (ImGui with its GLFW/GL/FreeType backends, fonts, QR codes, images)
  libimgui-dev libglfw3-dev libgl-dev libstb-dev libfreetype-dev libfontconfig-dev fonts-dejavu-core
  libqrencode-dev
  # src/ui text pipeline: ICU (bidi UAX #9, line breaking UAX #14 with the Thai/Lao/Khmer/Burmese
  # dictionaries, CLDR dates and relative times), HarfBuzz (shaping); gettext's msgfmt compiles po/
  # into .mo catalogues at build time
  libicu-dev libharfbuzz-dev gettext
  # every script on screen by default: Noto (Arabic, Hebrew, Devanagari, Thai...), Noto CJK, colour emoji
  fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
  # text tests: hb-shape, HarfBuzz's own shaper, is the reference the kiosk's glyph runs are checked against
  libharfbuzz-bin
  # platform/: sd_notify for the systemd service (READY, WATCHDOG)
  libsystemd-dev
  # display tests: a virtual X server with Mesa's software GL, and a QR decoder to read the screen back
  xvfb xauth libgl1-mesa-dri zbar-tools
  # platform/x11_shm.cpp (its types; Xlib and Xext are opened at run time) and display tests
  # (Xlib, to read what the X server shows, not what the kiosk left in its back buffer)
  libx11-dev libxext-dev
  # platform tests: lint of the shipped shell scripts (systemd-analyze comes with systemd)
  shellcheck
  # the man pages' test renders them with groff; scripts/package-test.sh runs lintian on the .deb
  groff-base lintian
  # src/net: the fleet client (MQTT); tests start a real broker, with TLS from a test CA made by openssl
  libmosquitto-dev mosquitto openssl
  # tests and fuzzing (clang + compiler-rt for libFuzzer, ASan, UBSan)
  catch2 clang libclang-rt-14-dev llvm
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: not root and no sudo; install as root: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# apt-get update only when the lists are absent or the install fails on stale lists.
if ! "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}" </dev/null; then
  "${SUDO[@]}" apt-get update </dev/null
  "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
fi
