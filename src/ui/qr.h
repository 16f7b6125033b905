// SPDX-License-Identifier: Apache-2.0
// qr.h: QR codes that link a card to its story: encoding (libqrencode), drawing into an ImGui draw list with
// whole-pixel modules so the code stays sharp, a grey image for tests and screenshots, and how big a code must be
// to scan from a given distance. Depends on ImGui and libqrencode only.
// make_qr, qr_to_grey and qr_min_side_px are pure (any thread); draw_qr only on the thread that owns the ImGui context.
#pragma once

#include <imgui.h>

#include <optional>
#include <string_view>
#include <vector>

namespace nk::ui {

// Modules only, without the quiet zone; row-major, non-zero = dark.
struct QrMatrix {
    int size = 0;
    std::vector<unsigned char> dark;
    bool at(int x, int y) const;  // false outside the code, so callers can walk the quiet zone too
};

// Byte (8-bit) mode, error correction M. Text that is not ASCII goes in as UTF-8 marked with ECI 26, so that
// decoders do not guess its charset. nullopt if `text` is empty or too long (about 2331 bytes: version 40 at M).
std::optional<QrMatrix> make_qr(std::string_view text);

// Draws the code with a 4-module light quiet zone in the square of side `max_side` px at `pos`, centred, each module
// a whole number of pixels and the origin snapped to the pixel grid. Each horizontal run of dark modules is one rect.
// Returns the side drawn, a multiple of (size + 8); 0 (and nothing drawn) when max_side < size + 8 px.
float draw_qr(ImDrawList* dl, const QrMatrix& qr, ImVec2 pos, float max_side, ImU32 dark, ImU32 light);

// The code as an 8-bit grey image (0 dark, 255 light) with the quiet zone, `module_px` px per module,
// side_px x side_px. Empty with side_px = 0 if the matrix is empty or module_px < 1.
std::vector<unsigned char> qr_to_grey(const QrMatrix& qr, int module_px, int& side_px);

// The smallest side (quiet zone included, whole pixels per module) at which a phone reads the code from `metres`
// away, on a screen with `px_per_mm` pixels per millimetre. Rule: 2.5 mm per module per metre (see qr.cpp).
float qr_min_side_px(const QrMatrix& qr, float metres, float px_per_mm);

}  // namespace nk::ui
