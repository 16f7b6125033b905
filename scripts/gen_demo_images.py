#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Draws the demo feeds' pictures (assets/demo/images/*.png) from simple shapes, so the
embedded demo content has images without shipping anyone's photos. Standard library only.
Run it again only to change the pictures; the PNGs are committed."""
import math
import os
import struct
import zlib

W, H = 480, 270


def png(path, pixel):
    rows = []
    for y in range(H):
        row = bytearray([0])  # filter: none
        for x in range(W):
            row += bytes(pixel(x, y))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", raw))
        f.write(chunk(b"IEND", b""))


def mix(a, b, t):
    t = max(0.0, min(1.0, t))
    return tuple(int(a[i] + (b[i] - a[i]) * t) for i in range(3))


def harbour(x, y):
    horizon = 170 + 6 * math.sin(x / 40)
    if y < horizon:
        sky = mix((250, 190, 120), (90, 140, 200), y / horizon)
        if (x - 360) ** 2 + (y - 90) ** 2 < 28 ** 2:
            return (255, 235, 180)
        for i, bx in enumerate((60, 120, 190, 250)):  # quay-side buildings
            top = 110 + (i * 23) % 40
            if bx <= x < bx + 46 and y > top:
                return mix((70, 80, 100), (40, 45, 60), (y - top) / 60)
        return sky
    wave = math.sin(x / 9 + y / 3) * 0.5 + 0.5
    return mix((30, 80, 130), (60, 120, 170), wave * (y - horizon) / 100)


def train(x, y):
    sky = mix((25, 30, 70), (90, 70, 130), y / H)
    if (x * 7919 + y * 104729) % 997 == 0 and y < 150:
        return (240, 240, 255)
    if 150 <= y < 200 and 40 <= x < 440:  # carriages
        if 162 <= y < 180 and (x - 40) % 70 < 50:
            return (255, 214, 120)  # lit windows
        return (150, 30, 40) if (x - 40) % 140 < 136 else (20, 20, 20)
    if 200 <= y < 206:
        return (120, 120, 130)
    if y >= 206:
        return (35, 35, 40)
    return sky


def weather(x, y):
    sky = mix((120, 180, 235), (210, 235, 250), y / H)
    if y > 210:
        return mix((90, 150, 70), (60, 110, 50), (y - 210) / 60)
    if 236 <= x < 244 and 90 <= y <= 210:  # mast
        return (90, 90, 95)
    if 200 <= x < 280 and 120 <= y < 150:  # screen box
        return (245, 245, 245) if (y - 120) % 6 < 4 else (200, 200, 205)
    if (x - 240) ** 2 + (y - 80) ** 2 < 14 ** 2:  # anemometer hub
        return (230, 70, 60)
    for cx, cy, r in ((100, 60, 30), (135, 55, 36), (170, 65, 26), (380, 90, 24), (405, 82, 30)):
        if (x - cx) ** 2 + (y - cy) ** 2 < r * r:
            return (252, 252, 255)
    return sky


def city(x, y):
    sky = mix((255, 200, 140), (230, 120, 120), y / 160)
    for i in range(9):
        bx = 15 + i * 52
        top = 60 + (i * 37) % 90
        if bx <= x < bx + 44 and y >= top:
            if (x - bx) % 11 < 6 and (y - top) % 16 < 9 and y < 240:
                return (255, 230, 160) if (i + (y - top) // 16) % 3 else (80, 70, 90)
            return mix((90, 70, 110), (50, 40, 70), (y - top) / 200)
    if y >= 240:
        return (60, 50, 70)
    # lanterns strung across the street for the festival
    line = 40 + 0.0009 * (x - 240) ** 2
    if abs(y - line) < 1.2:
        return (60, 40, 40)
    if abs(y - line - 8) < 5 and x % 40 < 8:
        return (240, 80, 60) if (x // 40) % 2 else (250, 200, 70)
    return sky


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets", "demo", "images")
    os.makedirs(out, exist_ok=True)
    for name, fn in (("harbour", harbour), ("night-train", train), ("weather-station", weather), ("street-festival", city)):
        png(os.path.join(out, name + ".png"), fn)
        print("wrote", name + ".png")
