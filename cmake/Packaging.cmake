# SPDX-License-Identifier: Apache-2.0
# The appliance's install layout and the Debian package: `cpack -G DEB` in a build dir (or the `package` target)
# writes newsroom-kiosk_<version>_<arch>.deb. scripts/package-test.sh installs, upgrades and purges it.
#
# This file has two roles:
#  - included by the root CMakeLists.txt: install rules and CPack settings;
#  - read by cpack as CPACK_PROJECT_CONFIG_FILE (no project() there): computes Depends from the built binary.
#
# Conventions (../shared/reference/platform-kiosk.md §4.5, K11):
#  - Fixed paths, never GNUInstallDirs guesses: the units run /usr/bin/newsroom-kiosk and the kiosk reads
#    /etc/newsroom-kiosk/kiosk.toml. Units, sysusers.d and helpers live under /usr/lib and /usr/libexec (merged /usr,
#    bookworm and trixie agree) and must never move between /lib and /usr/lib later (dpkg's aliasing hazard).
#  - conffiles and the maintainer scripts are written by hand in packaging/debian/: CPack does none of what debhelper
#    does. Unit files are not conffiles; admins override them with drop-ins in /etc/systemd/system/<unit>.d/.
#  - Depends: dpkg-shlibdeps on the real binary (exact sonames and minimum versions, libsystemd0 only when it is
#    linked), except GLFW: shlibs would say `libglfw3 (>= 3.3.8)`, which excludes the Wayland build that cage and
#    labwc need (K3), so GLFW is the alternative `libglfw3 | libglfw3-wayland`. Plus what is not visible in NEEDED:
#    libgl1 (GLFW's GLX path and ImGui's GL3 loader dlopen libGL.so.1), the fonts and the CA certificates.

if(NOT DEFINED PROJECT_NAME AND DEFINED CPACK_GENERATOR)   # cpack 3.25 leaves CMAKE_ROLE empty here
  # ---- cpack time: the binary exists now. ----------------------------------------------------------------------------
  if(NOT CPACK_GENERATOR STREQUAL "DEB")
    return()
  endif()
  if(NOT EXISTS "${CPACK_NK_BINARY}")
    message(FATAL_ERROR "newsroom-kiosk: ${CPACK_NK_BINARY} does not exist; build before packaging "
                        "(cmake --build <dir>, or the `package` target which builds first)")
  endif()
  find_program(NK_DPKG_SHLIBDEPS dpkg-shlibdeps)
  if(NOT NK_DPKG_SHLIBDEPS)
    message(FATAL_ERROR "newsroom-kiosk: dpkg-shlibdeps not found (apt-get install dpkg-dev)")
  endif()
  # dpkg-shlibdeps wants a source package's debian/control in its working directory.
  if(CPACK_PACKAGE_DIRECTORY)
    set(_nk_dir "${CPACK_PACKAGE_DIRECTORY}/_CPack_Packages/nk-shlibdeps")
  else()
    set(_nk_dir "${CMAKE_CURRENT_BINARY_DIR}/_CPack_Packages/nk-shlibdeps")
  endif()
  file(MAKE_DIRECTORY "${_nk_dir}/debian")
  file(WRITE "${_nk_dir}/debian/control" "Source: newsroom-kiosk\n\nPackage: newsroom-kiosk\nArchitecture: any\n")
  # DEB_HOST_ARCH makes dpkg-shlibdeps read the target's libraries and use <triplet>-objdump when cross-compiling.
  set(_nk_excl)
  foreach(p IN LISTS CPACK_NK_SHLIBDEPS_EXCLUDE)
    list(APPEND _nk_excl "-x${p}")
  endforeach()
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env DEB_HOST_ARCH=${CPACK_DEBIAN_PACKAGE_ARCHITECTURE}
            ${NK_DPKG_SHLIBDEPS} -O ${_nk_excl} "${CPACK_NK_BINARY}"
    WORKING_DIRECTORY "${_nk_dir}"
    RESULT_VARIABLE _nk_rc OUTPUT_VARIABLE _nk_out ERROR_VARIABLE _nk_err OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _nk_rc EQUAL 0)
    message(FATAL_ERROR "newsroom-kiosk: dpkg-shlibdeps failed (${_nk_rc}):\n${_nk_err}")
  endif()
  if(_nk_err)
    # Noise: cpack strips its staged copy, and dpkg-shlibdeps expects a debian/<pkg> tree we do not have.
    string(REGEX REPLACE "[^\n]*binaries to analyze should already be (stripped|installed in)[^\n]*\n?" ""
           _nk_err "${_nk_err}")
    string(STRIP "${_nk_err}" _nk_err)
    if(_nk_err)
      message(STATUS "newsroom-kiosk: dpkg-shlibdeps said:\n${_nk_err}")
    endif()
  endif()
  string(REGEX MATCH "shlibs:Depends=([^\n]*)" _nk_match "${_nk_out}")
  if(NOT CMAKE_MATCH_1)
    message(FATAL_ERROR "newsroom-kiosk: no shlibs:Depends in dpkg-shlibdeps' output:\n${_nk_out}\n${_nk_err}")
  endif()
  # A package named both by hand and by dpkg-shlibdeps (libgl1 when the binary links libGL.so.1 rather than GLVND's
  # libOpenGL.so.0, as the arm64 build does without libopengl-dev:arm64) is kept once, with shlibdeps' version.
  string(REPLACE ", " ";" _nk_auto "${CMAKE_MATCH_1}")
  set(_nk_auto_names)
  foreach(d IN LISTS _nk_auto)
    string(REGEX MATCH "^[^ ]+" _nk_name "${d}")
    list(APPEND _nk_auto_names "${_nk_name}")
  endforeach()
  set(_nk_all)
  foreach(part BEFORE AUTO AFTER)
    if(part STREQUAL "AUTO")
      list(APPEND _nk_all ${_nk_auto})
      continue()
    endif()
    string(REPLACE ", " ";" _nk_manual "${CPACK_NK_DEPENDS_${part}}")
    foreach(d IN LISTS _nk_manual)
      string(REGEX MATCH "^[^ ]+" _nk_name "${d}")
      list(FIND _nk_auto_names "${_nk_name}" _nk_found)   # not IN_LIST: cpack runs this with OLD policies
      if(d MATCHES "\\|" OR _nk_found EQUAL -1)
        list(APPEND _nk_all "${d}")
      endif()
    endforeach()
  endforeach()
  string(REPLACE ";" ", " CPACK_DEBIAN_PACKAGE_DEPENDS "${_nk_all}")
  message(STATUS "newsroom-kiosk: Depends: ${CPACK_DEBIAN_PACKAGE_DEPENDS}")
  return()
endif()

# ---- configure time -------------------------------------------------------------------------------------------------

# Install rules. The platform files are written alongside (platform/, docs/DEPLOY.md). A missing one is an error when
# installing or packaging (file INSTALL cannot find ...), never at configure time, so the build itself does not need
# them.
set(_nk_plat ${PROJECT_SOURCE_DIR}/platform)
# The appliance (Pi OS Lite: cage on tty1) and its display power schedule.
install(FILES ${_nk_plat}/systemd/newsroom-kiosk.service
              ${_nk_plat}/systemd/newsroom-kiosk-power.service
              ${_nk_plat}/systemd/newsroom-kiosk-power.timer
        DESTINATION lib/systemd/system)
# The Desktop (labwc) variants: user units started from labwc's autostart (scripts/install-pi.sh).
install(FILES ${_nk_plat}/systemd/newsroom-kiosk-user.service
              ${_nk_plat}/systemd/newsroom-kiosk-power-user.service
              ${_nk_plat}/systemd/newsroom-kiosk-power-user.timer
        DESTINATION lib/systemd/user)
install(FILES ${_nk_plat}/sysusers.d/newsroom-kiosk.conf DESTINATION lib/sysusers.d)
install(PROGRAMS ${_nk_plat}/power/newsroom-kiosk-power DESTINATION libexec/newsroom-kiosk)
# scripts/install-pi.sh takes the autostart line from here when it runs without a source tree.
install(FILES ${_nk_plat}/labwc/autostart DESTINATION share/newsroom-kiosk/labwc)
install(FILES ${PROJECT_SOURCE_DIR}/docs/DEPLOY.md ${PROJECT_SOURCE_DIR}/assets/kiosk.example.toml
        DESTINATION share/doc/newsroom-kiosk)
# What Debian policy asks of every package (lintian checks it in scripts/package-test.sh): the copyright file (DEP-5,
# packaging/copyright), the changelog (a native package's: changelog.gz, Debian format, packaging/changelog) and the
# man pages, compressed with gzip -9n (-n: no name or time stamp, so the same sources give the same package).
find_program(NK_GZIP gzip REQUIRED)
set(_nk_gz_dir ${PROJECT_BINARY_DIR}/packaging/gz)
file(MAKE_DIRECTORY ${_nk_gz_dir})
foreach(pair "packaging/changelog:changelog.gz" "docs/newsroom-kiosk.1:newsroom-kiosk.1.gz"
             "docs/newsroom-kiosk.toml.5:newsroom-kiosk.toml.5.gz")
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 _nk_src)
  list(GET pair 1 _nk_gz)
  execute_process(COMMAND ${NK_GZIP} -9nc ${PROJECT_SOURCE_DIR}/${_nk_src} OUTPUT_FILE ${_nk_gz_dir}/${_nk_gz}
                  RESULT_VARIABLE _nk_rc)
  if(NOT _nk_rc EQUAL 0)
    message(FATAL_ERROR "newsroom-kiosk: gzip -9n ${_nk_src} failed (${_nk_rc})")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${_nk_src})
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright ${_nk_gz_dir}/changelog.gz DESTINATION share/doc/newsroom-kiosk)
install(FILES ${_nk_gz_dir}/newsroom-kiosk.1.gz DESTINATION share/man/man1)
install(FILES ${_nk_gz_dir}/newsroom-kiosk.toml.5.gz DESTINATION share/man/man5)
# The config: a conffile (packaging/debian/conffiles), always in /etc whatever the prefix (the kiosk looks there). It
# is the documented example with its example.com feeds commented out, so a fresh install shows the built-in demo
# instead of three failing feeds; scripts/install-pi.sh --feed rewrites it the same way while it is unedited.
find_program(NK_AWK NAMES awk mawk gawk REQUIRED)
set(_nk_conf_awk ${PROJECT_SOURCE_DIR}/packaging/default-config.awk)
set(_nk_conf_example ${PROJECT_SOURCE_DIR}/assets/kiosk.example.toml)
set(_nk_conf ${PROJECT_BINARY_DIR}/packaging/kiosk.toml)
file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/packaging)
execute_process(COMMAND ${NK_AWK} -v "origin=as installed by the newsroom-kiosk package" -f ${_nk_conf_awk}
                        ${_nk_conf_example}
                OUTPUT_FILE ${_nk_conf} RESULT_VARIABLE _nk_rc)
if(NOT _nk_rc EQUAL 0)
  message(FATAL_ERROR "newsroom-kiosk: ${_nk_conf_awk} failed on ${_nk_conf_example} (${_nk_rc})")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_nk_conf_awk} ${_nk_conf_example})
install(FILES ${_nk_conf} DESTINATION /etc/newsroom-kiosk)
install(FILES ${_nk_conf_awk} DESTINATION share/newsroom-kiosk)

# The package's architecture is the compiler's target (amd64 natively, arm64 with the aarch64 toolchain file), never
# CPack's default `dpkg --print-architecture`, which is the build machine's.
set(_nk_triplet "${CMAKE_CXX_LIBRARY_ARCHITECTURE}")
if(NOT _nk_triplet)
  set(_nk_triplet "${CMAKE_LIBRARY_ARCHITECTURE}")
endif()
set(_nk_deb_arch "")
find_program(NK_DPKG_ARCHITECTURE dpkg-architecture)
if(_nk_triplet AND NK_DPKG_ARCHITECTURE)
  execute_process(COMMAND ${NK_DPKG_ARCHITECTURE} -t ${_nk_triplet} -qDEB_HOST_ARCH
                  OUTPUT_VARIABLE _nk_deb_arch ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
endif()
if(NOT _nk_deb_arch)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    set(_nk_deb_arch amd64)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(_nk_deb_arch arm64)
  endif()
endif()
set(NK_DEB_ARCHITECTURE "${_nk_deb_arch}" CACHE STRING
    "Debian architecture of the .deb (default: from the compiler's target triplet)")
if(NOT NK_DEB_ARCHITECTURE)
  message(WARNING "newsroom-kiosk: no Debian architecture for target '${_nk_triplet}' "
                  "(${CMAKE_SYSTEM_PROCESSOR}); set -DNK_DEB_ARCHITECTURE=... to build a .deb")
endif()

set(_nk_maintainer "newsroom-kiosk developers <maintainers@newsroom-kiosk.org>")
set(NK_PACKAGE_MAINTAINER "${_nk_maintainer}" CACHE STRING "Maintainer field of the .deb")
if(NK_PACKAGE_MAINTAINER STREQUAL "newsroom-kiosk maintainers <newsroom-kiosk@example.invalid>")
  # The placeholder of 0.1.0, still in the cache of build directories configured then.
  set(NK_PACKAGE_MAINTAINER "${_nk_maintainer}" CACHE STRING "Maintainer field of the .deb" FORCE)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME newsroom-kiosk)
set(CPACK_PACKAGE_VENDOR "newsroom-kiosk")
# cmake/Version.cmake: 0.2.0 for a release, 0.2.0~git<UTC commit time>.<commit> on the way to it. `cpack -R <version>`
# overrides it (package-test.sh's upgrade).
set(CPACK_PACKAGE_VERSION "${NK_DEB_VERSION}")
set(CPACK_NK_VERSION_FULL "${NK_VERSION_FULL}")   # what the binary's --version says (scripts/package-test.sh)
set(CPACK_PACKAGE_CONTACT "${NK_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "RSS/Atom news display for lobby TVs and Raspberry Pis")
set(CPACK_PACKAGE_DESCRIPTION
"newsroom-kiosk polls RSS and Atom feeds, keeps the last good content on
disk and rotates full-screen headline cards (headline, summary, image,
source, age, QR code) with an optional ticker and clock, drawn with
Dear ImGui on GLFW/OpenGL.

The package ships a systemd service for a cage kiosk on tty1 (Raspberry
Pi OS Lite), a user service for labwc (Raspberry Pi OS Desktop), a
display power schedule, the system user (sysusers.d) and
/etc/newsroom-kiosk/kiosk.toml. Nothing is enabled or started on
installation; see /usr/share/doc/newsroom-kiosk/DEPLOY.md.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)          # 25 MB with debug info -> a few MB on the Pi's SD card
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # newsroom-kiosk_<version>_<arch>.deb (no -<release> unless set)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "${NK_DEB_ARCHITECTURE}")
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)   # done by hand at cpack time (above), to keep the GLFW alternative
set(CPACK_NK_BINARY "${PROJECT_BINARY_DIR}/newsroom-kiosk")   # src/CMakeLists.txt: RUNTIME_OUTPUT_DIRECTORY
set(CPACK_NK_SHLIBDEPS_EXCLUDE libglfw3 libglfw3-wayland)
set(CPACK_NK_DEPENDS_BEFORE "libglfw3 (>= 3.3.8) | libglfw3-wayland (>= 3.3.8), libgl1")
set(CPACK_NK_DEPENDS_AFTER "fonts-dejavu-core, ca-certificates")
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${CPACK_NK_DEPENDS_BEFORE}, ${CPACK_NK_DEPENDS_AFTER}")   # completed at cpack time
# v4l-utils has cec-ctl, which platform/power/newsroom-kiosk-power uses (cec-utils has only libcec's cec-client).
# cage 0.1.4 exits at start ("Cannot create XWayland server") without xwayland, which it does not depend on.
# Every script and emoji by default (apt installs Recommends); `apt-get install --no-install-recommends`
# or install-pi.sh --minimal-fonts leaves the ~110 MB of Noto out on tiny images. libicu72 and libharfbuzz0b
# come into Depends through dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "cage, seatd, xwayland, fonts-noto-core, fonts-noto-cjk, fonts-noto-color-emoji, v4l-utils")
set(_nk_deb ${PROJECT_SOURCE_DIR}/packaging/debian)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${_nk_deb}/conffiles ${_nk_deb}/postinst ${_nk_deb}/prerm ${_nk_deb}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)   # scripts 0755, conffiles 0644, whatever the checkout says
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_CURRENT_LIST_FILE})
include(CPack)
