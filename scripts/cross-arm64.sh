#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Cross-build newsroom-kiosk for arm64 (Raspberry Pi OS / Debian bookworm 64-bit) on a Debian 12 amd64 machine,
# run the core unit tests under qemu-aarch64, and build the arm64 .deb. One command; see docs/ARM64.md.
#   scripts/cross-arm64.sh [BUILD_DIR]        (default build-arm64)
# Installs what is missing (uses sudo when not root): the arm64 architecture in dpkg, crossbuild-essential-arm64,
# the :arm64 -dev packages, qemu-user. Installing :arm64 packages can upgrade the amd64 twins of Multi-Arch: same
# packages to the same version (apt requires identical versions); nothing is ever removed (apt-get --no-remove).
# Environment: NK_CROSS_TEST_FILTER overrides the Catch2 test spec run under qemu.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-arm64}
jobs=$(nproc)
start=$SECONDS
say() { echo "== cross-arm64: $*"; }
die() { echo "cross-arm64: error: $*" >&2; exit 1; }
since() { echo "$((SECONDS - $1)) s"; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "not root and no sudo: run as root to install the cross toolchain"
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

# ---- 1. packages -----------------------------------------------------------------------------------------------------
t=$SECONDS
# The arm64 libraries and headers the build links (the amd64 list is in scripts/setup.sh). libsystemd-dev: the
# optional sd_notify support. pkgconf:arm64 provides /usr/bin/aarch64-linux-gnu-pkg-config.
arm64_pkgs=(
  libtinyxml2-dev libtomlplusplus-dev libcurl4-openssl-dev libmicrohttpd-dev zlib1g-dev
  libimgui-dev libglfw3-dev libgl-dev libstb-dev libfreetype-dev libfontconfig-dev libqrencode-dev
  libsystemd-dev libicu-dev libharfbuzz-dev libx11-dev libxext-dev pkgconf
)
# Architecture-independent or host tools: the cross compiler and binutils (aarch64-linux-gnu-objdump, which
# dpkg-shlibdeps uses for the .deb's Depends), qemu, and the header-only/host packages that serve both arches.
host_pkgs=(crossbuild-essential-arm64 qemu-user cmake dpkg-dev catch2 nlohmann-json3-dev fonts-dejavu-core
  gettext libharfbuzz-bin fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji)

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  say "adding the arm64 architecture to dpkg"
  "${SUDO[@]}" dpkg --add-architecture arm64
  need_update=1
fi
missing=()
for p in "${host_pkgs[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] || missing+=("$p")
done
for p in "${arm64_pkgs[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p:arm64" 2>/dev/null || true)" = installed ] || missing+=("$p:arm64")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  # The arm64 package lists are fetched once, after the architecture is added.
  if [ "${need_update:-0}" = 1 ] || ! ls /var/lib/apt/lists/*_binary-arm64_Packages* >/dev/null 2>&1; then
    "${SUDO[@]}" apt-get update </dev/null
  fi
  if ! "${SUDO[@]}" apt-get install -y --no-install-recommends --no-remove "${missing[@]}" </dev/null; then
    "${SUDO[@]}" apt-get update </dev/null
    "${SUDO[@]}" apt-get install -y --no-install-recommends --no-remove "${missing[@]}" </dev/null
  fi
  say "packages: $(since "$t")"
fi
command -v qemu-aarch64 >/dev/null || die "qemu-aarch64 not found after installing qemu-user"
command -v aarch64-linux-gnu-g++ >/dev/null || die "aarch64-linux-gnu-g++ not found after installing crossbuild-essential-arm64"

# ---- 2. configure and build ------------------------------------------------------------------------------------------
t=$SECONDS
say "configure $build (toolchain cmake/toolchains/aarch64-linux-gnu.cmake; tests on, bench and fuzz off)"
cmake -S . -B "$build" -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchains/aarch64-linux-gnu.cmake" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNK_BUILD_TESTS=ON -DNK_BUILD_BENCH=OFF -DNK_FUZZ=OFF >/dev/null
build=$(cd "$build" && pwd)   # absolute: the tests run from tests/
say "build"
cmake --build "$build" -j"$jobs"
readelf -h "$build/newsroom-kiosk" | grep -q 'Machine: *AArch64' || die "$build/newsroom-kiosk is not an arm64 binary"
say "configure + build: $(since "$t")"

# ---- 3. tests under qemu ---------------------------------------------------------------------------------------------
# qemu-aarch64 is called explicitly (binfmt_misc is often absent on build machines). Tests that run the kiosk itself
# get it through the emulator too (NK_KIOSK_BIN is a wrapper script in a cross build; root CMakeLists.txt).
# Not run here: [display] and [service], which draw with Mesa's llvmpipe on Xvfb: the GL code is the same on both
# architectures and llvmpipe under qemu is far too slow; they run natively in ./test.sh.
# The same emulator command as the toolchain file: no -L with multiarch libc6:arm64 (see there why).
if [ -e /lib/ld-linux-aarch64.so.1 ]; then qemu=(qemu-aarch64); else qemu=(qemu-aarch64 -L /usr/aarch64-linux-gnu); fi
filter=${NK_CROSS_TEST_FILTER:-'~[display]~[service]'}
t=$SECONDS
say "unit tests under qemu-aarch64: nk_tests '$filter'"
# The tests' working directory is tests/ (as in tests/CMakeLists.txt).
# -D 10: name the test cases that take over 10 s under emulation.
(cd tests && "${qemu[@]}" "$build/tests/nk_tests" "$filter" -D 10) || die "unit tests failed under qemu-aarch64"
say "smoke test of the arm64 binary under qemu-aarch64 (not through the tests' wrapper)"
out=$("${qemu[@]}" "$build/newsroom-kiosk" --version) || die "newsroom-kiosk --version failed under qemu"
echo "$out"
version=$(sed -n 's/^project(newsroom-kiosk VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ "$out" = "newsroom-kiosk $version" ] || die "--version printed '$out', expected 'newsroom-kiosk $version'"
out=$("${qemu[@]}" "$build/newsroom-kiosk" parse assets/demo/tech-desk.atom) || die "newsroom-kiosk parse failed under qemu"
grep -q '"format": *"atom1.0"' <<<"$out" || die "newsroom-kiosk parse of the demo Atom feed printed no atom1.0 feed"
"${qemu[@]}" "$build/newsroom-kiosk" check-config assets/kiosk.example.toml >/dev/null \
  || die "newsroom-kiosk check-config assets/kiosk.example.toml failed under qemu"
# The whole engine (fetch thread, cache, rotation) on the embedded demo content, headless, for 3 s.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/empty.toml"
out=$("${qemu[@]}" "$build/newsroom-kiosk" --headless --duration 3 --config "$tmp/empty.toml" --cache-dir "$tmp/cache" 2>&1) \
  || die "newsroom-kiosk --headless failed under qemu: $out"
grep -q 'Newsroom World' <<<"$out" || die "newsroom-kiosk --headless showed no demo card under qemu: $out"
say "tests: $(since "$t")"

# ---- 4. the arm64 .deb -----------------------------------------------------------------------------------------------
t=$SECONDS
say "cpack -G DEB"
(cd "$build" && cpack -G DEB) || die "cpack failed"
version_deb=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
deb="$build/newsroom-kiosk_${version_deb}_arm64.deb"
[ -f "$deb" ] || die "cpack did not write $deb"
[ "$(dpkg-deb -f "$deb" Architecture)" = arm64 ] || die "$deb: Architecture is not arm64"
say "package: $(since "$t")"
echo "Depends: $(dpkg-deb -f "$deb" Depends)"
# The same bar as the amd64 package (scripts/package-test.sh): no lintian error or warning.
if command -v lintian >/dev/null; then
  lintian --fail-on error,warning --display-level '>=warning' "$deb" || die "lintian reports errors or warnings on $deb"
  say "lintian: clean"
else
  say "lintian not installed: the arm64 package was not linted (scripts/setup.sh installs lintian)"
fi
say "done in $(since "$start")"
echo "$deb"
