# SPDX-License-Identifier: Apache-2.0
# Cross-compile for Debian/Raspberry Pi OS bookworm arm64 with Debian multiarch (no sysroot).
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
# Needs: dpkg --add-architecture arm64; crossbuild-essential-arm64, pkgconf:arm64 and the :arm64 -dev
# packages; qemu-user to run the tests. scripts/cross-arm64.sh installs all of it. See docs/ARM64.md.
#
# No CMAKE_SYSROOT: multiarch keeps arm64 libraries in /usr/lib/aarch64-linux-gnu and arch-specific headers in
# /usr/include/aarch64-linux-gnu, and Debian's cross gcc already searches both.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER   aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)   # find_library()/find_package() -> /usr/lib/aarch64-linux-gnu
# pkgconf:arm64 provides this wrapper; it searches only the arm64 .pc directories.
set(PKG_CONFIG_EXECUTABLE /usr/bin/aarch64-linux-gnu-pkg-config CACHE FILEPATH "pkg-config for arm64")
# Build tools (pkg-config, the embed generator) are the host's; libraries and headers are found the multiarch way.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# Run target binaries (the tests, and catch_discover_tests at build time) through qemu user-mode emulation.
# Called explicitly: binfmt_misc is often not mounted on build machines and in containers.
# The loader: with multiarch libc6:arm64 installed (it is whenever the :arm64 -dev packages are), run the binaries
# with the host's /lib/ld-linux-aarch64.so.1 and no -L. `-L /usr/aarch64-linux-gnu` would take the cross toolchain's
# ld.so (libc6-arm64-cross, 2.36-8cross1) but the multiarch libc.so.6 (2.36-9+deb12uN, found through
# /etc/ld.so.cache): a mismatched pair, and every pthread_create then spins forever [seen here, qemu 7.2].
# -L is used only without multiarch libc, where the cross toolchain's libraries are the only arm64 ones.
find_program(QEMU_AARCH64 qemu-aarch64)
if(QEMU_AARCH64)
  if(EXISTS /lib/ld-linux-aarch64.so.1)
    set(CMAKE_CROSSCOMPILING_EMULATOR "${QEMU_AARCH64}")
  else()
    set(CMAKE_CROSSCOMPILING_EMULATOR "${QEMU_AARCH64};-L;/usr/aarch64-linux-gnu")
  endif()
endif()
