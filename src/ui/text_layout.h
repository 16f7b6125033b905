// SPDX-License-Identifier: Apache-2.0
// text_layout.h: a paragraph of UTF-8 text laid out the way browsers do it, from Debian libraries:
// ICU for the bidirectional algorithm (UAX #9) and line breaking (UAX #14, with dictionaries for
// Thai, Lao, Khmer and Burmese), HarfBuzz for shaping each run (one script, one direction, one
// face) with its own font. The result is glyph ids with positions, line by line in visual order,
// so any code point (emoji and the rest beyond the BMP) is drawable.
// Lines break only where UAX #14 allows it and never hyphenate; a word wider than the box is cut
// between grapheme clusters; text beyond max_lines ends in "…".
// Rich text (LayoutParams::rich): the owner's Markdown arrives as plain characters plus three
// controls that no displayed text carries (normalisation drops controls): kBoldToggle and
// kItalicToggle switch the style of what follows, '\n' is a line break. Each styled run is shaped
// with its own face (bold from the family, italic slanted when rasterised), so every script and
// either direction works as in plain text.
// Depends on ICU, HarfBuzz and fonts.h. Main thread only (the FontLibrary is). Pure apart from the
// FontLibrary's lazily opened faces: call it when the text or the box changes, not every frame.
#pragma once

#include "ui/fonts.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nk::ui {

// Style bits of a glyph (rich text), and the controls that switch them in the input.
constexpr uint8_t kStyleBold = 1, kStyleItalic = 2;
constexpr char kBoldToggle = '\x02', kItalicToggle = '\x1d';  // as IRC writes them

struct ShapedGlyph {
    FaceId face = kNoFace;
    uint8_t style = 0;     // kStyleBold | kStyleItalic: rich text's own; LayoutParams::bold applies to all
    uint32_t gid = 0;
    uint32_t cluster = 0;  // UTF-16 index of the cluster's first character in TextLayout::text ("…": text.size())
    float x = 0, y = 0;    // pen position plus HarfBuzz's offset, px from the line's left end and baseline (y down)
    float advance = 0;
};

struct LaidLine {
    std::vector<ShapedGlyph> glyphs;  // left to right
    float width = 0;
    uint32_t start = 0, end = 0;      // UTF-16 range of TextLayout::text on this line (trailing spaces excluded)
    bool ellipsis = false;            // ends in "…": the text went on
};

enum class Direction { Auto, Ltr, Rtl };

struct LayoutParams {
    float px = 16;                    // em size
    bool bold = false;
    float max_width = 0;              // <= 0: one line of any length
    int max_lines = 0;                // <= 0: as many as the text needs
    Direction direction = Direction::Auto;  // Auto: the first strong character's (UAX #9 P2-P3), else LTR
    std::string lang;                 // BCP 47, for line breaking and shaping; empty: the library's
    bool rich = false;                // kBoldToggle, kItalicToggle and '\n' mean style and line breaks
};

struct TextLayout {
    std::u16string text;              // the input, whitespace collapsed, controls dropped
    std::vector<LaidLine> lines;
    bool rtl = false;                 // the paragraph's direction
    bool truncated = false;
    float width = 0;                  // widest line
    float ascent = 0, descent = 0;    // of the primary face at px
    int missing = 0;                  // characters no installed face has (drawn as the face's .notdef)
};

TextLayout layout_text(FontLibrary& fonts, std::string_view utf8, const LayoutParams& params);

// The paragraph direction layout_text gives the text with Direction::Auto, without shaping it.
bool paragraph_rtl(std::string_view utf8);

// One run shaped by HarfBuzz: `len` UTF-16 units of `text` from `start` (the rest is context for
// joining), in one face and direction. Exposed so tests can compare it with hb-shape.
std::vector<ShapedGlyph> shape_run(FontLibrary& fonts, FaceId face, float px, const std::u16string& text, uint32_t start,
                                   uint32_t len, bool rtl, int script, const std::string& lang);

// UTF-8 to the UTF-16 layout_text works in, whitespace collapsed the same way (for tests and callers
// that index clusters). With `styles` (rich text): the style bits of each UTF-16 unit go there, the
// toggles are dropped and '\n' becomes U+2028 (a line break; spaces around it and at the ends dropped).
std::u16string normalize_text(std::string_view utf8, std::vector<uint8_t>* styles = nullptr);

}  // namespace nk::ui
