// SPDX-License-Identifier: Apache-2.0
#include "ui/text_layout.h"

#include <hb.h>
#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/ubidi.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace nk::ui {

namespace {

constexpr char16_t kEllipsis = u'\u2026';
constexpr char16_t kLineBreak = u'\u2028';  // LINE SEPARATOR: rich text's '\n'

struct Item {
    uint32_t start = 0, len = 0;
    int level = 0;
    int script = USCRIPT_COMMON;
    FaceId face = kNoFace;
    uint8_t style = 0;
};

struct BidiFree {
    void operator()(UBiDi* b) const { ubidi_close(b); }
};
using Bidi = std::unique_ptr<UBiDi, BidiFree>;

char32_t at(const std::u16string& s, uint32_t i, uint32_t* next) {
    UChar32 c;
    int32_t k = static_cast<int32_t>(i);
    U16_NEXT(s.data(), k, static_cast<int32_t>(s.size()), c);
    *next = static_cast<uint32_t>(k);
    return static_cast<char32_t>(c);
}

// Characters that belong to the cluster before them: they must come from the same face.
bool continues_cluster(char32_t c) {
    const int8_t t = u_charType(static_cast<UChar32>(c));
    return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK || c == 0x200D ||
           (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF) || (c >= 0x1F3FB && c <= 0x1F3FF) ||
           (c >= 0xE0020 && c <= 0xE007F);
}

// Per UTF-16 unit: bidi level, resolved script, style, face; then split into items where any changes.
// `styles`: rich text's style bits per unit (null: none).
std::vector<Item> itemize(FontLibrary& fonts, const std::u16string& s, const UBiDiLevel* levels, bool bold_all,
                          const uint8_t* styles, int* missing) {
    const auto n = static_cast<uint32_t>(s.size());
    auto style_at = [&](uint32_t i) -> uint8_t { return styles ? styles[i] : 0; };
    std::vector<int> script(n, USCRIPT_COMMON);
    std::vector<FaceId> face(n, kNoFace);
    // Scripts: Common and Inherited characters (spaces, digits, punctuation, marks) take the
    // script around them, so a run of Arabic words stays one run.
    int last = USCRIPT_INVALID_CODE;
    for (uint32_t i = 0, next = 0; i < n; i = next) {
        char32_t c = at(s, i, &next);
        UErrorCode err = U_ZERO_ERROR;
        int sc = uscript_getScript(static_cast<UChar32>(c), &err);
        if (sc == USCRIPT_COMMON || sc == USCRIPT_INHERITED) sc = last;
        else last = sc;
        for (uint32_t k = i; k < next; ++k) script[k] = sc;
    }
    int first = USCRIPT_COMMON;
    for (uint32_t i = 0; i < n; ++i)
        if (script[i] != USCRIPT_INVALID_CODE) {
            first = script[i];
            break;
        }
    for (auto& sc : script)
        if (sc == USCRIPT_INVALID_CODE) sc = first;
    FaceId prev = kNoFace;
    int prev_script = USCRIPT_INVALID_CODE;
    for (uint32_t i = 0, next = 0; i < n; i = next) {
        char32_t c = at(s, i, &next);
        const bool bold = bold_all || (style_at(i) & kStyleBold);
        // A change of weight starts a new face choice: the bold run must not stick to the regular face.
        if (i > 0 && ((style_at(i - 1) ^ style_at(i)) & kStyleBold)) prev = kNoFace;
        FaceId f = kNoFace;
        if (prev != kNoFace && continues_cluster(c) && (fonts.has_char(prev, c) || c == 0x200D || (c >= 0xFE00 && c <= 0xFE0F))) {
            f = prev;
        } else {
            uint32_t after = 0;
            const bool emoji_vs = next < n && at(s, next, &after) == 0xFE0F && u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_EMOJI);
            if (emoji_vs) {
                // "❤️": text-default emoji asked for in colour; the face that has U+FE0F's sense is the emoji face.
                FaceId e = fonts.face_for(0x1F600, script[i], bold);
                if (e != kNoFace && fonts.face(e).color && fonts.has_char(e, c)) f = e;
            }
            // Spaces and punctuation stay in the run's face, but never in the emoji face: its space
            // is an emoji's width.
            const bool sticky = script[i] == prev_script && prev != kNoFace &&
                                !(fonts.face(prev).color && !u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_EXTENDED_PICTOGRAPHIC));
            if (f == kNoFace) f = fonts.face_for(c, script[i], bold, sticky ? prev : kNoFace);
            if (f == kNoFace) {
                if (u_charType(static_cast<UChar32>(c)) != U_FORMAT_CHAR && c != 0xFFFD && c != kLineBreak) {
                    fonts.warn_missing(c);
                    ++*missing;
                }
                f = prev != kNoFace ? prev : fonts.primary(bold);
            }
        }
        for (uint32_t k = i; k < next; ++k) face[k] = f;
        prev = f;
        prev_script = script[i];
    }
    std::vector<Item> items;
    for (uint32_t i = 0; i < n; ++i) {
        const int lv = levels ? levels[i] : 0;
        if (items.empty() || items.back().level != lv || items.back().script != script[i] || items.back().face != face[i] ||
            items.back().style != style_at(i))
            items.push_back({i, 0, lv, script[i], face[i], style_at(i)});
        ++items.back().len;
    }
    return items;
}

hb_script_t hb_script_of(int script) {
    if (script == USCRIPT_COMMON || script == USCRIPT_INVALID_CODE || script == USCRIPT_INHERITED) return HB_SCRIPT_COMMON;
    const char* tag = uscript_getShortName(static_cast<UScriptCode>(script));
    return tag ? hb_script_from_string(tag, -1) : HB_SCRIPT_COMMON;
}

Bidi run_bidi(const std::u16string& s, UBiDiLevel para) {
    Bidi b(ubidi_open());
    UErrorCode err = U_ZERO_ERROR;
    ubidi_setPara(b.get(), reinterpret_cast<const UChar*>(s.data()), static_cast<int32_t>(s.size()), para, nullptr, &err);
    if (U_FAILURE(err)) return nullptr;
    return b;
}

}  // namespace

std::u16string normalize_text(std::string_view utf8, std::vector<uint8_t>* styles) {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
    std::u16string out;
    out.reserve(static_cast<size_t>(u.length()));
    if (styles) styles->clear();
    uint8_t style = 0;
    bool space = false;
    auto push = [&](char16_t c) {
        out.push_back(c);
        if (styles) styles->push_back(style);
    };
    auto drop_trailing_space = [&] {
        if (!out.empty() && out.back() == u' ') {
            out.pop_back();
            if (styles) styles->pop_back();
        }
    };
    for (int32_t i = 0; i < u.length();) {
        UChar32 c = u.char32At(i);
        i += U16_LENGTH(c);
        if (styles) {
            if (c == kBoldToggle || c == kItalicToggle) {
                style ^= c == kBoldToggle ? kStyleBold : kStyleItalic;
                continue;
            }
            if (c == '\n' || c == kLineBreak) {
                // A break is never a line's first thing, and spaces around it are no one's.
                drop_trailing_space();
                space = false;
                if (!out.empty()) push(kLineBreak);
                continue;
            }
        }
        // Feeds carry newlines, tabs and odd spaces inside titles; on a wall they are one space.
        const bool ws = u_isUWhiteSpace(c) || c == 0x09 || c == 0x0A || c == 0x0D;
        if (ws) {
            space = !out.empty() && out.back() != kLineBreak;
            continue;
        }
        if (u_charType(c) == U_CONTROL_CHAR) continue;
        if (space) push(u' ');
        space = false;
        if (c > 0xFFFF) {
            push(static_cast<char16_t>(U16_LEAD(c)));
            push(static_cast<char16_t>(U16_TRAIL(c)));
        } else {
            push(static_cast<char16_t>(c));
        }
    }
    while (!out.empty() && out.back() == kLineBreak) {
        out.pop_back();
        if (styles) styles->pop_back();
    }
    return out;
}

std::vector<ShapedGlyph> shape_run(FontLibrary& fonts, FaceId face, float px, const std::u16string& text, uint32_t start,
                                   uint32_t len, bool rtl, int script, const std::string& lang) {
    std::vector<ShapedGlyph> out;
    if (face == kNoFace || len == 0) return out;
    hb_buffer_t* buf = hb_buffer_create();
    hb_buffer_add_utf16(buf, reinterpret_cast<const uint16_t*>(text.data()), static_cast<int>(text.size()), start,
                        static_cast<int>(len));
    hb_buffer_set_direction(buf, rtl ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
    hb_buffer_set_script(buf, hb_script_of(script));
    hb_buffer_set_language(buf, hb_language_from_string(lang.empty() ? fonts.language().c_str() : lang.c_str(), -1));
    hb_buffer_guess_segment_properties(buf);
    hb_shape(fonts.hb_font(face, px), buf, nullptr, 0);
    unsigned n = 0;
    const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buf, &n);
    const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buf, &n);
    out.reserve(n);
    float pen = 0;
    for (unsigned i = 0; i < n; ++i) {
        ShapedGlyph g;
        g.face = face;
        g.gid = info[i].codepoint;
        g.cluster = info[i].cluster;
        g.x = pen + static_cast<float>(pos[i].x_offset) / 64.0f;
        g.y = -static_cast<float>(pos[i].y_offset) / 64.0f;
        g.advance = static_cast<float>(pos[i].x_advance) / 64.0f;
        pen += g.advance;
        out.push_back(g);
    }
    hb_buffer_destroy(buf);
    return out;
}

bool paragraph_rtl(std::string_view utf8) {
    const std::u16string s = normalize_text(utf8);
    if (s.empty()) return false;
    Bidi bidi = run_bidi(s, UBIDI_DEFAULT_LTR);
    return bidi && (ubidi_getParaLevel(bidi.get()) & 1) != 0;
}

TextLayout layout_text(FontLibrary& fonts, std::string_view utf8, const LayoutParams& p) {
    TextLayout L;
    std::vector<uint8_t> styles;
    L.text = normalize_text(utf8, p.rich ? &styles : nullptr);
    const uint8_t* style_of = p.rich ? styles.data() : nullptr;
    L.ascent = fonts.ascender(p.px, p.bold);
    L.descent = fonts.descender(p.px, p.bold);
    const std::string lang = p.lang.empty() ? fonts.language() : p.lang;
    const std::u16string& s = L.text;
    const auto n = static_cast<uint32_t>(s.size());
    if (n == 0) return L;

    UBiDiLevel para = p.direction == Direction::Rtl ? 1 : p.direction == Direction::Ltr ? 0 : UBIDI_DEFAULT_LTR;
    Bidi bidi = run_bidi(s, para);
    const UBiDiLevel para_level = bidi ? ubidi_getParaLevel(bidi.get()) : 0;
    L.rtl = (para_level & 1) != 0;
    UErrorCode err = U_ZERO_ERROR;
    const UBiDiLevel* levels = bidi ? ubidi_getLevels(bidi.get(), &err) : nullptr;
    if (U_FAILURE(err)) levels = nullptr;

    // Widths for line breaking: the whole paragraph shaped once, each glyph's advance credited to
    // its cluster's first character. A break at a space leaves the words' shapes as they are.
    int missing = 0;
    std::vector<Item> items = itemize(fonts, s, levels, p.bold, style_of, &missing);
    L.missing = missing;
    std::vector<float> prefix(n + 1, 0);
    {
        std::vector<float> adv(n, 0);
        for (const Item& it : items)
            for (const ShapedGlyph& g : shape_run(fonts, it.face, p.px, s, it.start, it.len, it.level & 1, it.script, lang))
                adv[std::min<uint32_t>(g.cluster, n - 1)] += g.advance;
        for (uint32_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + adv[i];
    }
    auto trim = [&](uint32_t e, uint32_t b) {  // end of [b, e) without trailing spaces
        while (e > b && s[e - 1] == u' ') --e;
        return e;
    };
    auto width = [&](uint32_t b, uint32_t e) { return prefix[trim(e, b)] - prefix[b]; };
    const float max_w = p.max_width > 0 ? p.max_width : 1e30f;

    icu::UnicodeString us(false, reinterpret_cast<const UChar*>(s.data()), static_cast<int32_t>(n));
    err = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> lb(icu::BreakIterator::createLineInstance(icu::Locale(lang.c_str()), err));
    std::unique_ptr<icu::BreakIterator> gb;
    if (lb) lb->setText(us);
    // The last grapheme boundary after b at which [b, g) fits (at least one grapheme).
    auto grapheme_cut = [&](uint32_t b, uint32_t limit, float room) {
        if (!gb) {
            UErrorCode e2 = U_ZERO_ERROR;
            gb.reset(icu::BreakIterator::createCharacterInstance(icu::Locale(lang.c_str()), e2));
            if (gb) gb->setText(us);
        }
        uint32_t best = 0;
        for (int32_t g = gb ? gb->following(static_cast<int32_t>(b)) : static_cast<int32_t>(limit);
             g != icu::BreakIterator::DONE && static_cast<uint32_t>(g) <= limit; g = gb->next()) {
            if (best && prefix[static_cast<uint32_t>(g)] - prefix[b] > room) break;
            best = static_cast<uint32_t>(g);
            if (!gb) break;
        }
        return best ? best : limit;
    };

    struct Span {
        uint32_t b, e;
        bool ellipsis;
    };
    std::vector<Span> spans;
    uint32_t start = 0;
    while (start < n) {
        // A line break (rich text only) ends the line whatever room is left; one line of any length
        // (max_width <= 0) still shows only what comes before the first.
        uint32_t hard = start;
        while (hard < n && s[hard] != kLineBreak) ++hard;
        if (width(start, hard) <= max_w) {
            spans.push_back({start, hard, false});
            if (hard >= n || p.max_width <= 0) break;
            start = hard + 1;
            continue;
        }
        uint32_t fit = 0;
        if (lb)
            for (int32_t b = lb->following(static_cast<int32_t>(start)); b != icu::BreakIterator::DONE; b = lb->next()) {
                const auto ub = static_cast<uint32_t>(b);
                if (ub > hard || width(start, ub) > max_w) break;
                fit = ub;
            }
        if (!fit) fit = grapheme_cut(start, hard, max_w);
        spans.push_back({start, fit, false});
        start = fit;
        while (start < n && s[start] == u' ') ++start;
    }
    const bool cut_at_break = p.max_width <= 0 && !spans.empty() && spans.back().e < n;
    if ((p.max_lines > 0 && spans.size() > static_cast<size_t>(p.max_lines)) || cut_at_break) {
        L.truncated = true;
        if (p.max_lines > 0 && spans.size() > static_cast<size_t>(p.max_lines)) spans.resize(static_cast<size_t>(p.max_lines));
        Span& last = spans.back();
        const uint32_t last_hard = [&] {
            uint32_t h = last.b;
            while (h < n && s[h] != kLineBreak) ++h;
            return h;
        }();
        const float ell = [&] {
            std::u16string e(1, kEllipsis);
            const bool bold = p.bold || (style_of && last.b < n && (style_of[last.b] & kStyleBold));
            FaceId f = fonts.face_for(kEllipsis, USCRIPT_COMMON, bold);
            float w = 0;
            for (const auto& g : shape_run(fonts, f, p.px, e, 0, 1, false, USCRIPT_COMMON, lang)) w += g.advance;
            return w;
        }();
        uint32_t fit = 0;
        if (width(last.b, last_hard) + ell <= max_w) {
            fit = last_hard;  // the line ended at a break: all of it, then "…"
        } else {
            if (lb)
                for (int32_t b = lb->following(static_cast<int32_t>(last.b)); b != icu::BreakIterator::DONE; b = lb->next()) {
                    const auto ub = static_cast<uint32_t>(b);
                    if (ub > last_hard || width(last.b, ub) + ell > max_w) break;
                    fit = ub;
                }
            if (!fit) fit = grapheme_cut(last.b, last_hard, std::max(0.0f, max_w - ell));
        }
        last.e = fit;
        last.ellipsis = true;
    }

    // Each line on its own: its characters (and "…") through the bidi algorithm at the
    // paragraph's level, then every visual run split by script and face and shaped with the
    // whole line as context, placed left to right.
    for (const Span& sp : spans) {
        LaidLine line;
        line.start = sp.b;
        line.end = trim(sp.e, sp.b);
        line.ellipsis = sp.ellipsis;
        std::u16string t = s.substr(line.start, line.end - line.start);
        std::vector<uint8_t> lstyles;
        if (style_of) lstyles.assign(style_of + line.start, style_of + line.end);
        if (sp.ellipsis) {
            t.push_back(kEllipsis);
            if (style_of) lstyles.push_back(lstyles.empty() ? 0 : lstyles.back());
        }
        Bidi lbidi = run_bidi(t, para_level);
        UErrorCode e3 = U_ZERO_ERROR;
        const UBiDiLevel* llev = lbidi ? ubidi_getLevels(lbidi.get(), &e3) : nullptr;
        if (U_FAILURE(e3)) llev = nullptr;
        int ignore = 0;
        std::vector<Item> litems = itemize(fonts, t, llev, p.bold, style_of ? lstyles.data() : nullptr, &ignore);
        const int32_t runs = lbidi ? ubidi_countRuns(lbidi.get(), &e3) : 1;
        float pen = 0;
        for (int32_t r = 0; r < std::max(runs, 1); ++r) {
            int32_t rs = 0, rl = static_cast<int32_t>(t.size());
            UBiDiDirection dir = L.rtl ? UBIDI_RTL : UBIDI_LTR;
            if (lbidi && runs > 0) dir = ubidi_getVisualRun(lbidi.get(), r, &rs, &rl);
            const bool rtl = dir == UBIDI_RTL;
            std::vector<Item> in_run;
            for (const Item& it : litems) {
                const uint32_t b = std::max<uint32_t>(it.start, static_cast<uint32_t>(rs));
                const uint32_t e = std::min<uint32_t>(it.start + it.len, static_cast<uint32_t>(rs + rl));
                if (b < e) in_run.push_back({b, e - b, it.level, it.script, it.face, it.style});
            }
            if (rtl) std::reverse(in_run.begin(), in_run.end());
            for (const Item& it : in_run) {
                const float run_x = pen;
                for (ShapedGlyph g : shape_run(fonts, it.face, p.px, t, it.start, it.len, rtl, it.script, lang)) {
                    g.x += run_x;
                    g.cluster = g.cluster < line.end - line.start ? g.cluster + line.start : n;
                    g.style = it.style;
                    pen += g.advance;
                    line.glyphs.push_back(g);
                }
            }
        }
        line.width = pen;
        L.width = std::max(L.width, pen);
        L.lines.push_back(std::move(line));
    }
    return L;
}

}  // namespace nk::ui
