// SPDX-License-Identifier: Apache-2.0
// text_fit.h: laying headline and summary text into a fixed box: word wrap, a line limit with "…", and the largest
// font size at which a text fits. Measures with the ImFont's own metrics, so what it returns is what ImGui draws.
// Depends on ImGui only. Pure functions of a built ImFont: call them on the thread that owns the font atlas (main),
// never while the atlas is being rebuilt.
#pragma once

#include <imgui.h>

#include <string>
#include <string_view>
#include <vector>

namespace nk::ui {

struct FittedText {
    std::vector<std::string> lines;
    bool truncated = false;  // some text did not fit in max_lines
};

// Wraps UTF-8 `text` at spaces to lines no wider than `width` px at `font` scaled to `size_px`, at most `max_lines`
// (<= 0: unlimited). '\n' starts a new line; runs of spaces and tabs collapse to one space; empty lines are dropped.
// When text is left over, the last line is cut at a word boundary and ends with "…" (U+2026, or "..." if the font
// has no such glyph) and still fits. A word wider than a line is cut between code points.
FittedText fit_text(const ImFont* font, float size_px, std::string_view text, float width, int max_lines);

// The first line of fit_text: `text` on one line, cut with "…" if it does not fit.
std::string fit_line(const ImFont* font, float size_px, std::string_view text, float width);

// The largest whole-pixel size from max_px down (steps of ~6%) to min_px at which `text` fits in `max_lines` lines of
// `width` with no word cut; min_px if none does (the caller then truncates with fit_text). One layout per step:
// call it when the text or box changes, not every frame.
float fit_size(const ImFont* font, std::string_view text, float width, int max_lines, float min_px, float max_px);

}  // namespace nk::ui
