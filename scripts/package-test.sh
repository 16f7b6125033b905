#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Proves the Debian package on this machine: builds newsroom-kiosk_<version>_<arch>.deb with cpack from an existing
# build dir, checks its contents and control data, runs lintian on it (no error, no warning), then as root installs it (dpkg -i), runs the binary from it,
# reinstalls it, upgrades it to a bumped version (the same build packaged with `cpack -R <version>+pkgtest1`), and
# purges it, checking that nothing is left behind. Non-interactive; about 20 s.
#   scripts/package-test.sh [BUILD_DIR]        (default build: configured and built, as ./test.sh leaves it)
# Needs root or passwordless sudo (CI runs as root), lintian, and the package's Depends installed (scripts/setup.sh
# installs them).
# Refuses to run when newsroom-kiosk is installed or /etc/newsroom-kiosk exists: the purge would delete them.
# Leaves the system user created by the package, by design (packaging/debian/postrm explains why).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
pkg=newsroom-kiosk

fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
step() { echo "== package-test: $*"; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  sudo -n true 2>/dev/null || fail "needs root (or passwordless sudo) to install the package"
  SUDO=(sudo -n)
fi
[ -f "$build/CPackConfig.cmake" ] ||
  fail "$build/CPackConfig.cmake not found: configure and build first (cmake -S . -B $build && cmake --build $build)"

# Build first: when HEAD moved since the last build, this configures again and the version (CPackConfig.cmake) changes.
build_log=$(cmake --build "$build" --target newsroom-kiosk 2>&1) || { echo "$build_log"; fail "build failed"; }
cpack_var() { sed -n "s/^set($1 \"\\(.*\\)\")\$/\\1/p" "$build/CPackConfig.cmake"; }
version=$(cpack_var CPACK_PACKAGE_VERSION)
binary_version=$(cpack_var CPACK_NK_VERSION_FULL)   # what --version prints (cmake/Version.cmake)
arch=$(cpack_var CPACK_DEBIAN_PACKAGE_ARCHITECTURE)
upgrade_version="$version+pkgtest1"
[ -n "$version" ] || fail "no CPACK_PACKAGE_VERSION in $build/CPackConfig.cmake"
[ "$arch" = "$(dpkg --print-architecture)" ] ||
  fail "$build builds a '$arch' package; this machine installs '$(dpkg --print-architecture)' ones"

# What the package must contain, no more (tests, benchmarks and fuzzers are never installed).
expected_files=(
  /etc/newsroom-kiosk/kiosk.toml
  /usr/bin/newsroom-kiosk
  /usr/lib/systemd/system/newsroom-kiosk-power.service
  /usr/lib/systemd/system/newsroom-kiosk-power.timer
  /usr/lib/systemd/system/newsroom-kiosk.service
  /usr/lib/systemd/user/newsroom-kiosk-power-user.service
  /usr/lib/systemd/user/newsroom-kiosk-power-user.timer
  /usr/lib/systemd/user/newsroom-kiosk-user.service
  /usr/lib/sysusers.d/newsroom-kiosk.conf
  /usr/libexec/newsroom-kiosk/newsroom-kiosk-power
  /usr/share/doc/newsroom-kiosk/DEPLOY.md
  /usr/share/doc/newsroom-kiosk/changelog.gz
  /usr/share/doc/newsroom-kiosk/copyright
  /usr/share/doc/newsroom-kiosk/kiosk.example.toml
  /usr/share/man/man1/newsroom-kiosk.1.gz
  /usr/share/man/man5/newsroom-kiosk.toml.5.gz
  /usr/share/newsroom-kiosk/default-config.awk
  /usr/share/newsroom-kiosk/labwc/autostart
  /usr/share/locale/ar/LC_MESSAGES/newsroom-kiosk.mo
  /usr/share/locale/de/LC_MESSAGES/newsroom-kiosk.mo
  /usr/share/locale/es/LC_MESSAGES/newsroom-kiosk.mo
  /usr/share/locale/fr/LC_MESSAGES/newsroom-kiosk.mo
  /usr/share/locale/he/LC_MESSAGES/newsroom-kiosk.mo
  /usr/share/locale/ja/LC_MESSAGES/newsroom-kiosk.mo
)
left_behind=(/etc/newsroom-kiosk /var/lib/newsroom-kiosk /var/cache/newsroom-kiosk)

# ---- safety: never purge someone's real installation or config -------------------------------------------------------
status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
case "$status" in
  ""|*not-installed) ;;
  *) fail "$pkg is already on this machine ($status); this test would purge it and /etc/newsroom-kiosk." \
          "Remove it first: dpkg --purge $pkg" ;;
esac
for d in "${left_behind[@]}"; do
  [ ! -e "$d" ] || fail "$d exists without the package; this test's purge would delete it. Move it away first."
done

# ---- build the packages ----------------------------------------------------------------------------------------------
out="$build/package-test"
rm -rf "$out"
mkdir -p "$out"
step "cpack -G DEB in $build ($version, $arch; and $upgrade_version for the upgrade)"
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$out" >"$out/cpack.log" 2>&1 ||
  { cat "$out/cpack.log"; fail "cpack failed (see above)"; }
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$out/upgrade" -R "$upgrade_version" >"$out/cpack-upgrade.log" 2>&1 ||
  { cat "$out/cpack-upgrade.log"; fail "cpack -R $upgrade_version failed (see above)"; }
deb="$out/${pkg}_${version}_${arch}.deb"
deb_up="$out/upgrade/${pkg}_${upgrade_version}_${arch}.deb"
[ -f "$deb" ] || fail "cpack did not write $deb (it wrote: $(cd "$out" && ls ./*.deb 2>/dev/null))"
[ -f "$deb_up" ] || fail "cpack -R did not write $deb_up"

# ---- static checks of the .deb -------------------------------------------------------------------------------------
step "contents and control data of $(basename "$deb")"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = "$pkg" ] || fail "Package: '$(field Package)'"
[ "$(field Version)" = "$version" ] || fail "Version: '$(field Version)', expected '$version'"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: '$(field Architecture)', expected '$arch'"
[ "$(field Maintainer)" = "newsroom-kiosk developers <maintainers@newsroom-kiosk.org>" ] ||
  fail "Maintainer: '$(field Maintainer)'"
depends=$(field Depends)
echo "Depends: $depends"
[ "$(field Recommends)" = "cage, seatd, xwayland, fonts-noto-core, fonts-noto-cjk, fonts-noto-color-emoji, v4l-utils" ] ||
  fail "Recommends: '$(field Recommends)'"
[ -z "$(field Suggests)" ] || fail "Suggests: '$(field Suggests)'"
# The text pipeline's libraries come from dpkg-shlibdeps.
for d in "libglfw3 (>= 3.3.8) | libglfw3-wayland (>= 3.3.8)" libgl1 fonts-dejavu-core ca-certificates libicu72 libharfbuzz0b; do
  case ", $depends, " in *", $d"[,\ ]*) ;; *) fail "Depends lacks '$d'" ;; esac
done

# Files: exactly the expected ones.
actual=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print substr($6, 2)}' | sort)
expected=$(printf '%s\n' "${expected_files[@]}" | sort)
if [ "$actual" != "$expected" ]; then
  diff <(echo "$expected") <(echo "$actual") | sed 's/^</missing:   /; s/^>/unexpected:/' | grep -E '^(missing|unexpected)' >&2 || true
  fail "the package's files differ from the list in scripts/package-test.sh (above)"
fi
listing=$(dpkg-deb -c "$deb")
for f in /usr/bin/newsroom-kiosk /usr/libexec/newsroom-kiosk/newsroom-kiosk-power; do
  grep -q "^-rwxr-xr-x root/root .* \.$f\$" <<<"$listing" || fail "$f is not 0755 root:root in the package"
done

# Control files: strict permissions, the conffile list.
ctrl=$(dpkg-deb --ctrl-tarfile "$deb" | tar -tvf -)
for f in postinst prerm postrm; do
  grep -q "^-rwxr-xr-x root/root .* \./$f\$" <<<"$ctrl" || fail "control file $f is not 0755 root:root"
done
for f in control conffiles md5sums; do
  grep -q "^-rw-r--r-- root/root .* \./$f\$" <<<"$ctrl" || fail "control file $f is not 0644 root:root"
done
[ "$(dpkg-deb --info "$deb" conffiles)" = /etc/newsroom-kiosk/kiosk.toml ] ||
  fail "conffiles is not exactly /etc/newsroom-kiosk/kiosk.toml: $(dpkg-deb --info "$deb" conffiles)"

# Every shared library the binary needs comes from a package named in Depends; the binary is stripped.
x="$out/extract"
dpkg-deb -x "$deb" "$x"
sections=$(readelf -S "$x/usr/bin/newsroom-kiosk")
! grep -q '\.debug_info' <<<"$sections" || fail "/usr/bin/newsroom-kiosk is not stripped"
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
for so in $(objdump -p "$x/usr/bin/newsroom-kiosk" | awk '$1 == "NEEDED" {print $2}'); do
  # "pkg:arch[, pkg2:arch]: /path" lines; diversions are not owners.
  owners=$( (dpkg -S "*/$triplet/$so" 2>/dev/null || true) | grep -v '^diversion' | awk -F': ' '{print $1}' |
           tr ',' '\n' | sed 's/:.*//; s/ //g' | sort -u)
  [ -n "$owners" ] || fail "no installed package owns $so (NEEDED by the binary)"
  found=""
  for o in $owners; do
    case ", $depends, " in *[\ ,\|]"$o"[\ ,]*) found=$o ;; esac
  done
  [ -n "$found" ] || fail "$so (NEEDED) comes from '$(echo $owners)', which Depends does not name"
done

# Debian's own checks: no error and no warning. An override would live in the package
# (/usr/share/lintian/overrides/newsroom-kiosk) with its reason; there is none today.
step "lintian $(basename "$deb")"
command -v lintian >/dev/null || fail "lintian is not installed (scripts/setup.sh installs it)"
if ! lintian --fail-on error,warning --display-level '>=warning' "$deb" >"$out/lintian.log" 2>&1; then
  cat "$out/lintian.log" >&2
  fail "lintian reports errors or warnings on $(basename "$deb") (above)"
fi
grep -v '^running with root privileges is not recommended!$' "$out/lintian.log" || true   # (CI runs as root)
changelog_top=$(zcat "$x/usr/share/doc/$pkg/changelog.gz" | sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p')
case "$version" in
  "$changelog_top"|"$changelog_top"[~+]git*) ;;
  *) fail "the changelog's latest version is $changelog_top; the package is $version (packaging/changelog)" ;;
esac

# ---- install, reinstall, upgrade, purge ------------------------------------------------------------------------------
installed=0
cleanup() {
  local rc=$?
  if [ $rc -ne 0 ] && [ $installed = 1 ]; then
    echo "package-test: purging $pkg after the failure" >&2
    "${SUDO[@]}" dpkg --purge "$pkg" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

dpkg_do() {   # dpkg_do LOGNAME ARGS...: dpkg without a terminal (a conffile prompt fails instead of hanging)
  local log="$out/$1.log"; shift
  if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive dpkg "$@" </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    fail "dpkg $* failed (see above; missing Depends are installed by scripts/setup.sh)"
  fi
}

sysusers_conf=/usr/lib/sysusers.d/newsroom-kiosk.conf
check_installed() {   # check_installed VERSION
  local want=$1 got
  got=$(dpkg-query -W -f='${Status} ${Version}' "$pkg")
  [ "$got" = "install ok installed $want" ] || fail "dpkg says '$got', expected 'install ok installed $want'"
  for f in "${expected_files[@]}"; do
    [ -f "$f" ] || fail "$f is missing after installation"
  done
  [ -x /usr/libexec/newsroom-kiosk/newsroom-kiosk-power ] || fail "newsroom-kiosk-power is not executable"
  got=$(/usr/bin/newsroom-kiosk --version 2>&1) || fail "/usr/bin/newsroom-kiosk --version failed: $got"
  [ "$got" = "$pkg $binary_version" ] ||
    fail "/usr/bin/newsroom-kiosk --version printed '$got', expected '$pkg $binary_version'"
  # The shipped config is valid and names no feed: a fresh install shows the built-in demo, not failing examples.
  got=$(/usr/bin/newsroom-kiosk check-config /etc/newsroom-kiosk/kiosk.toml 2>&1) ||
    fail "the shipped /etc/newsroom-kiosk/kiosk.toml does not pass check-config: $got"
  case "$got" in
    *"ok (0 feeds)") ;;
    *) fail "the shipped /etc/newsroom-kiosk/kiosk.toml names feeds: $got" ;;
  esac
  # The user and its groups, as the sysusers.d file says (postinst runs systemd-sysusers).
  if command -v systemd-sysusers >/dev/null; then
    local user group
    while read -r kind user group _; do
      case "$kind" in
        u) getent passwd "$user" >/dev/null || fail "user $user (from $sysusers_conf) was not created" ;;
        m) case " $(id -nG "$user") " in *" $group "*) ;; *) fail "user $user is not in group $group" ;; esac ;;
      esac
    done < <(grep -Ev '^[[:space:]]*(#|$)' "$sysusers_conf")
  fi
}

step "dpkg -i $(basename "$deb")"
installed=1
dpkg_do install -i "$deb"
check_installed "$version"
"${SUDO[@]}" dpkg -V "$pkg" >"$out/verify.log" 2>&1 && [ ! -s "$out/verify.log" ] ||
  { cat "$out/verify.log" >&2; fail "dpkg -V $pkg: installed files differ from the package"; }
links=$(find /etc/systemd -name 'newsroom-kiosk*' 2>/dev/null || true)
[ -z "$links" ] || fail "installing enabled units by itself (enabling is the deployment's job): $links"

# What a deployment adds: an edited config, an extra file next to it, state, cache, enabled units.
step "simulate a deployment: edit the conffile, add state and cache, enable the units"
"${SUDO[@]}" sh -c 'echo "# local edit (package-test)" >> /etc/newsroom-kiosk/kiosk.toml
  echo "<opml/>" > /etc/newsroom-kiosk/feeds.opml
  mkdir -p /var/lib/newsroom-kiosk /var/cache/newsroom-kiosk/feeds
  echo state > /var/lib/newsroom-kiosk/state && echo cache > /var/cache/newsroom-kiosk/feeds/x'
enabled=0
if command -v systemctl >/dev/null; then
  # As scripts/install-pi.sh does on Lite, plus the documented global enable of the Desktop unit.
  { "${SUDO[@]}" systemctl enable newsroom-kiosk.service newsroom-kiosk-power.timer &&
    "${SUDO[@]}" systemctl --global enable newsroom-kiosk-user.service; } >"$out/enable.log" 2>&1 &&
    enabled=1 || echo "package-test: note: systemctl enable did not work here ($(head -1 "$out/enable.log")); links not tested"
  if [ $enabled = 1 ]; then
    [ -n "$(find /etc/systemd/system -lname '*newsroom-kiosk*')" ] || fail "systemctl enable created no links"
    [ -n "$(find /etc/systemd/user -lname '*newsroom-kiosk*')" ] || fail "systemctl --global enable created no links"
  fi
fi
edited=$(tail -1 /etc/newsroom-kiosk/kiosk.toml)

check_deployment_kept() {   # after a reinstall or an upgrade
  [ "$(tail -1 /etc/newsroom-kiosk/kiosk.toml)" = "$edited" ] || fail "the local edit of kiosk.toml was lost"
  [ -f /etc/newsroom-kiosk/feeds.opml ] || fail "/etc/newsroom-kiosk/feeds.opml was lost"
  [ -f /var/lib/newsroom-kiosk/state ] || fail "/var/lib/newsroom-kiosk was touched"
  if [ $enabled = 1 ]; then
    [ -n "$(find /etc/systemd/system /etc/systemd/user -lname '*newsroom-kiosk*')" ] || fail "the enabled units' links were lost"
  fi
}

step "dpkg -i $(basename "$deb") again (reinstall of the same version)"
dpkg_do reinstall -i "$deb"
check_installed "$version"
check_deployment_kept

step "dpkg -i $(basename "$deb_up") (upgrade)"
dpkg_do upgrade -i "$deb_up"
check_installed "$upgrade_version"
check_deployment_kept

step "dpkg --purge $pkg"
dpkg_do purge --purge "$pkg"
installed=0
status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
case "$status" in ""|*not-installed) ;; *) fail "dpkg still knows $pkg after the purge: $status" ;; esac
listed=$(dpkg -L "$pkg" 2>/dev/null || true)
[ -z "$listed" ] || fail "dpkg -L $pkg still lists files after the purge"
for f in "${expected_files[@]}" "${left_behind[@]}" /usr/libexec/newsroom-kiosk /usr/share/doc/newsroom-kiosk \
         /usr/share/newsroom-kiosk; do
  [ ! -e "$f" ] || fail "$f is left after the purge"
done
leftover=$(find /etc/systemd /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-user-helper-enabled \
                -name '*newsroom-kiosk*' 2>/dev/null || true)
[ -z "$leftover" ] || fail "left after the purge: $leftover"
user=$(awk '$1 == "u" {print $2; exit}' "$x/usr/lib/sysusers.d/newsroom-kiosk.conf")
if [ -n "$user" ] && getent passwd "$user" >/dev/null; then
  echo "package-test: note: the system user '$user' stays after the purge, by design (packaging/debian/postrm)"
fi
echo "package test passed"
