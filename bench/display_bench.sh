#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# display_bench.sh: what the wall display costs, side by side with Chromium showing the same kind
# of page, measured by the browser anchor's own script (../shared/bench/browser-anchor/measure.sh:
# Xvfb 1920x1080, 10 s warm-up, 60 s window, CPU of the process tree, RSS and PSS).
#
#   bench/display_bench.sh            # ticker off: kiosk vs fade.html; ticker on: kiosk vs ticker.html
#   RUNS=3 bench/display_bench.sh     # more runs (medians); default 1
#   bench/display_bench.sh rss        # peak RSS with 20 feeds and images, from a loopback server
#   bench/display_bench.sh scripts    # peak RSS and PSS, Latin-only (the demo) against every script on screen
#                                     # (tests/data/scripts-world.xml: Arabic, Hebrew, Hindi, Thai, CJK, emoji)
#
# The kiosk runs windowed at 1920x1080 on its embedded demo content (3 feeds, pictures, QR codes),
# with a config for the ticker run. Needs: chromium xvfb xauth python3, and a built build/newsroom-kiosk.
# Last line: "kiosk/chromium CPU ratio, ticker off: X; ticker on: Y; PSS ratio: Z" (lower is better).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MEASURE=${MEASURE:-$ROOT/../shared/bench/browser-anchor/measure.sh}
KIOSK_BIN=${KIOSK_BIN:-$ROOT/build/newsroom-kiosk}
export RUNS=${RUNS:-1}
[[ -x $KIOSK_BIN ]] || { echo "display_bench: build $KIOSK_BIN first" >&2; exit 1; }
WORK=$(mktemp -d /tmp/nk-display-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [[ ${1:-} == rss ]]; then
    # 20 feeds of 20 items, each item with its own 1200x675 JPEG-sized PNG, served on loopback.
    python3 - "$WORK/www" <<'EOF'
import os, sys, zlib, struct, time
root = sys.argv[1]; os.makedirs(root + "/img")
def png(w, h, seed):
    # A gradient that differs per picture, so no two decode to the same texture.
    rows = b"".join(b"\0" + bytes(v for x in range(w) for v in ((x + seed * 31) % 256, (y + seed * 17) % 256, (seed * 53) % 256))
                    for y in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b"")
now = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())
for f in range(20):
    items = []
    for i in range(20):
        n = f * 20 + i
        with open(f"{root}/img/{n}.png", "wb") as out: out.write(png(600, 338, n))
        items.append(f"<item><title>Feed {f} story {i}: a headline long enough to wrap onto a second line on the card</title>"
                     f"<link>https://example.com/{f}/{i}</link><guid>{f}-{i}</guid><pubDate>{now}</pubDate>"
                     f"<description>Summary of story {i} from feed {f}, two sentences of text. It says what happened and why it matters.</description>"
                     f"<enclosure url=\"http://127.0.0.1:PORT/img/{n}.png\" type=\"image/png\" length=\"1\"/></item>")
    with open(f"{root}/feed{f}.xml", "w") as out:
        out.write(f"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {f}</title>{''.join(items)}</channel></rss>")
EOF
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    sed -i "s/PORT/$port/g" "$WORK"/www/feed*.xml
    (cd "$WORK/www" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
    server=$!
    trap 'kill $server 2>/dev/null; rm -rf "$WORK"' EXIT
    { echo "[display]"; echo "ticker = true"; echo "[rotation]"; echo "min_dwell_seconds = 2"; echo "max_dwell_seconds = 2"
      for f in $(seq 0 19); do echo "[[feed]]"; echo "url = \"http://127.0.0.1:$port/feed$f.xml\""; done; } > "$WORK/kiosk.toml"
    sleep 0.5
    # Two minutes: every feed fetched, ~60 cards shown with their pictures decoded and uploaded.
    xvfb-run -a -s "-screen 0 1920x1080x24" "$KIOSK_BIN" --windowed 1920x1080 --config "$WORK/kiosk.toml" \
        --cache-dir "$WORK/cache" --duration 120 2> "$WORK/log" || true
    grep -E "^display: .*frames" "$WORK/log" >&2
    rss=$(grep -oE "peak RSS [0-9.]+ MiB" "$WORK/log" | grep -oE "[0-9.]+")
    echo "peak RSS with 20 feeds and images: $rss MiB"
    exit 0
fi

if [[ ${1:-} == scripts ]]; then
    # Same screen, same ticker, same run length; only the text differs. Fonts: Noto, Noto CJK, colour emoji.
    printf '[display]\nticker = true\n' > "$WORK/latin.toml"
    printf '[[feed]]\nurl = "file://%s/tests/data/scripts-world.xml"\nname = "Wire of the World"\n[display]\nticker = true\n' \
        "$ROOT" > "$WORK/scripts.toml"
    for kind in latin scripts; do
        xvfb-run -a -s "-screen 0 1920x1080x24" "$KIOSK_BIN" --windowed 1920x1080 --config "$WORK/$kind.toml" \
            --cache-dir "$WORK/c-$kind" --duration "${SECONDS_RUN:-60}" 2> "$WORK/$kind.log" || true
        grep -E "^display: .*frames" "$WORK/$kind.log" >&2
        grep -oE "peak RSS [0-9.]+ MiB" "$WORK/$kind.log" | grep -oE "[0-9.]+" > "$WORK/$kind.rss" || echo 0 > "$WORK/$kind.rss"
    done
    rss_latin=$(cat "$WORK/latin.rss"); rss_scripts=$(cat "$WORK/scripts.rss")
    out=$(KIOSK="$KIOSK_BIN --windowed 1920x1080 --cache-dir $WORK/c3 --config $WORK/scripts.toml" "$MEASURE" ticker kiosk)
    echo "$out"
    pss=$(awk '$1 == "kiosk" {k=$4} $1 == "ticker" {c=$4} END {printf "%.2f", k / c}' <<<"$out")
    echo "peak RSS Latin-only: $rss_latin MiB; every script: $rss_scripts MiB (+$(awk "BEGIN {print $rss_scripts - $rss_latin}") MiB, target <= 20); PSS every script / Chromium ticker: $pss (target <= 0.25)"
    exit 0
fi

echo "[display]" > "$WORK/ticker.toml"
echo "ticker = true" >> "$WORK/ticker.toml"
out_fade=$(KIOSK="$KIOSK_BIN --windowed 1920x1080 --cache-dir $WORK/c1" "$MEASURE" fade kiosk)
out_ticker=$(KIOSK="$KIOSK_BIN --windowed 1920x1080 --cache-dir $WORK/c2 --config $WORK/ticker.toml" "$MEASURE" ticker kiosk)
echo "ticker off:"; echo "$out_fade"
echo "ticker on:"; echo "$out_ticker"
python3 - "$out_fade" "$out_ticker" <<'EOF'
import sys
def rows(text):
    r = {}
    for line in text.splitlines():
        p = line.split()
        if len(p) >= 4 and not line.startswith("#"):
            try: r[p[0]] = [float(x) for x in p[1:4]]
            except ValueError: pass
    return r
a, b = rows(sys.argv[1]), rows(sys.argv[2])
off = a["kiosk"][0] / a["fade"][0]
on = b["kiosk"][0] / b["ticker"][0]
pss = max(a["kiosk"][2], b["kiosk"][2]) / min(a["fade"][2], b["ticker"][2])
print(f"kiosk/chromium CPU ratio, ticker off: {off:.2f} (target <= 0.25); ticker on: {on:.2f} (target <= 0.35); PSS ratio: {pss:.2f} (target <= 0.25)")
EOF
