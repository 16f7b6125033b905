#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# fuzz.sh BUILD_DIR [SECONDS]: runs every libFuzzer target built in BUILD_DIR/fuzz, seeded from
# tests/data, in a scratch corpus (the repo is never written). fuzz_parser gets SECONDS (default
# 60), fuzz_jsonfeed a sixth of that, the four small targets an eighth (at least 5 s each): about
# 1.6 x SECONDS in all. Any crash, leak or input slower than 5 s fails.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/fuzz.sh BUILD_DIR [SECONDS]}
seconds=${2:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shopt -s nullglob
targets=("$build"/fuzz/fuzz_*)
[ ${#targets[@]} -gt 0 ] || { echo "fuzz.sh: no fuzz targets in $build/fuzz" >&2; exit 1; }
for t in "${targets[@]}"; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  time=$(( seconds / 8 > 5 ? seconds / 8 : 5 ))
  [ "$name" = fuzz_jsonfeed ] && time=$(( seconds / 6 > 5 ? seconds / 6 : 5 ))
  [ "$name" = fuzz_parser ] && time=$seconds
  mkdir -p "$work/$name"
  cp tests/data/* "$work/$name"/ 2>/dev/null || true
  dict=()
  [ -f "fuzz/$name.dict" ] && dict=(-dict="$PWD/fuzz/$name.dict")
  echo "fuzz: $name for ${time}s"
  (cd "$work" && ASAN_OPTIONS=detect_leaks=1 "$OLDPWD/$t" "$work/$name" "${dict[@]}" \
     -max_total_time="$time" -timeout=5 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
     >"$work/$name.log" 2>&1) || { tail -n 60 "$work/$name.log"; echo "fuzz: $name FAILED" >&2; exit 1; }
  grep -E '^(stat::number_of_executed_units|Done)' "$work/$name.log" | tr '\n' ' '; echo
done
echo "fuzz: no crash, leak or slow input"
