#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Quick start, part 2: install what is missing, build, and run the whole test suite:
#   1. the unit and integration tests (g++, warnings as errors under CI), then the .deb built from that build:
#      linted, installed, upgraded and purged (scripts/package-test.sh; needs root or passwordless sudo, else skipped);
#   2. the same tests built with clang under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. a short libFuzzer run of every target in fuzz/ (the parser for 60 s, about 100 s in all), seeded from tests/data.
# Environment: NK_FUZZ_SECONDS (parser fuzz time, default 60), NK_SKIP_FUZZ=1 to skip step 3.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
jobs=$(nproc)

echo "== build and test (g++)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== Debian package: build, install, upgrade, purge"
if [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; then
  scripts/package-test.sh build
else
  echo "== package test SKIPPED: dpkg -i needs root or passwordless sudo; run scripts/package-test.sh as root"
fi

echo "== build and test (clang, ASan + UBSan, fuzz targets)"
cmake -S . -B build-san -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DNK_SANITIZE=ON -DNK_FUZZ=ON -DNK_BUILD_BENCH=OFF >/dev/null
cmake --build build-san -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0 \
  ctest --test-dir build-san --output-on-failure -j"$jobs"

if [ "${NK_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzz"
  scripts/fuzz.sh build-san "${NK_FUZZ_SECONDS:-60}"
fi
echo "== all tests passed"
