#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Quick start, part 1: install what is missing, build, and start the kiosk on its embedded demo
# content. Arguments are passed to newsroom-kiosk (e.g. ./run.sh parse some-feed.xml).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target newsroom-kiosk
exec build/newsroom-kiosk "$@"
