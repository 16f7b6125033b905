// SPDX-License-Identifier: Apache-2.0
#include "ui/text_fit.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

namespace nk::ui {

namespace {

struct Layout {
    FittedText text;
    bool cut_word = false;  // a word was split between code points: fits, but badly
};

float width_of(const ImFont* font, float size, std::string_view s) {
    return font->CalcTextSizeA(size, FLT_MAX, 0.0f, s.data(), s.data() + s.size()).x;
}

// The longest prefix of `s` that fits in `width`, on a code point boundary (CalcTextSizeA stops between code
// points). Never empty for non-empty `s`, so that layout always moves on even in an absurdly narrow box.
std::string_view fitting_prefix(const ImFont* font, float size, std::string_view s, float width) {
    const char* end = s.data();
    font->CalcTextSizeA(size, width, 0.0f, s.data(), s.data() + s.size(), &end);
    auto n = static_cast<std::size_t>(end - s.data());
    if (n == 0 && !s.empty())
        do ++n; while (n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80);
    return s.substr(0, n);
}

// Next word of `s`, skipping leading blanks; "" when only blanks are left.
std::string_view next_word(std::string_view& s) {
    constexpr std::string_view blanks = " \t\r";
    const auto b = std::min(s.find_first_not_of(blanks), s.size());
    const auto e = std::min(s.find_first_of(blanks, b), s.size());
    const std::string_view w = s.substr(b, e - b);
    s.remove_prefix(e);
    return w;
}

void add_ellipsis(const ImFont* font, float size, std::string& line, float width) {
    // Without the glyph ImGui would draw its fallback ('?'), which reads as an error on a wall display.
    const std::string_view ell = font->FindGlyphNoFallback(0x2026) ? "\xE2\x80\xA6" : "...";
    const float room = width - width_of(font, size, ell);
    // Drop whole words so the cut falls between words; cut inside a word only when it is the only one.
    while (!line.empty() && width_of(font, size, line) > room) {
        const auto space = line.rfind(' ');
        if (space == std::string::npos) {
            line.resize(fitting_prefix(font, size, line, room).size());
            break;
        }
        line.resize(space);
    }
    line += ell;
}

Layout layout(const ImFont* font, float size, std::string_view text, float width, int max_lines) {
    Layout out;
    auto& lines = out.text.lines;
    const std::size_t limit =
        max_lines > 0 ? static_cast<std::size_t>(max_lines) : std::numeric_limits<std::size_t>::max();
    std::string line;
    // A line is emitted only when the next word does not fit on it or its paragraph ends, so an emit past the limit
    // means that text is left over.
    const auto emit = [&] {
        if (lines.size() == limit) {
            out.text.truncated = true;
            return false;
        }
        lines.push_back(std::move(line));
        line.clear();
        return true;
    };
    while (!text.empty()) {
        const auto nl = std::min(text.find('\n'), text.size());
        std::string_view para = text.substr(0, nl);
        text.remove_prefix(std::min(nl + 1, text.size()));
        for (std::string_view word = next_word(para); !word.empty(); word = next_word(para)) {
            if (!line.empty()) {
                const auto keep = line.size();
                line.append(" ").append(word);
                if (width_of(font, size, line) <= width) continue;
                line.resize(keep);
                if (!emit()) break;
            }
            while (width_of(font, size, word) > width) {
                const auto head = fitting_prefix(font, size, word, width);
                out.cut_word = true;
                line = head;
                word.remove_prefix(head.size());
                if (!emit()) break;
            }
            if (out.text.truncated) break;
            line = word;
        }
        if (out.text.truncated || (!line.empty() && !emit())) break;
    }
    if (out.text.truncated) add_ellipsis(font, size, lines.back(), width);
    return out;
}

}  // namespace

FittedText fit_text(const ImFont* font, float size_px, std::string_view text, float width, int max_lines) {
    return layout(font, size_px, text, width, max_lines).text;
}

std::string fit_line(const ImFont* font, float size_px, std::string_view text, float width) {
    FittedText f = fit_text(font, size_px, text, width, 1);
    return f.lines.empty() ? std::string() : std::move(f.lines.front());
}

float fit_size(const ImFont* font, std::string_view text, float width, int max_lines, float min_px, float max_px) {
    for (float s = std::floor(max_px); s > min_px; s = std::min(s - 1.0f, std::floor(s * 0.94f))) {
        const Layout l = layout(font, s, text, width, max_lines);
        if (!l.text.truncated && !l.cut_word) return s;
    }
    return min_px;
}

}  // namespace nk::ui
