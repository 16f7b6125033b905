// SPDX-License-Identifier: Apache-2.0
// The text pipeline against the references it claims to follow, with the fonts installed here
// (fonts-dejavu-core, fonts-noto-core, fonts-noto-cjk, fonts-noto-color-emoji): glyph ids and
// clusters against HarfBuzz's own hb-shape for the same font file, visual order against ICU's
// bidi, line breaks against UAX #14 expectations for CJK (kinsoku), Thai (words, no spaces) and
// Latin (words, no hyphens), and the block cache's promise: nothing shaped or rasterised twice.
#include "ui/text.h"
#include "ui/text_layout.h"

#include "helpers.h"

#include <catch2/catch.hpp>
#include <unicode/ubidi.h>
#include <unicode/uscript.h>
#include <unicode/utf16.h>
#include <hb.h>
#include <fontconfig/fontconfig.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace nk::ui;

namespace {

// Textures kept in memory with their pixels: what the GPU would get.
struct MemoryTextures : TextureSink {
    struct Tex {
        int w = 0, h = 0, bpp = 0;
        std::vector<unsigned char> px;
    };
    std::map<intptr_t, Tex> live;
    intptr_t next = 1;
    ImTextureID upload(const unsigned char* rgba, int w, int h) override {
        live[next] = {w, h, 4, std::vector<unsigned char>(rgba, rgba + static_cast<size_t>(w) * static_cast<size_t>(h) * 4)};
        return reinterpret_cast<ImTextureID>(next++);
    }
    ImTextureID upload_alpha(const unsigned char* a, int w, int h) override {
        live[next] = {w, h, 1, std::vector<unsigned char>(a, a + static_cast<size_t>(w) * static_cast<size_t>(h))};
        return reinterpret_cast<ImTextureID>(next++);
    }
    int alpha_bytes_per_pixel() const override { return 1; }
    void release(ImTextureID id) override { live.erase(reinterpret_cast<intptr_t>(id)); }
};

struct Log {
    std::vector<std::string> lines;
    std::function<void(const std::string&)> sink() {
        return [this](const std::string& l) { lines.push_back(l); };
    }
};


std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// [gid=cluster|...] from hb-shape, cluster as a code point index.
std::vector<std::pair<uint32_t, uint32_t>> hb_shape(const Face& face, const std::string& text) {
    std::string out = nk::test::command_output("hb-shape --no-glyph-names --no-positions --language=en --face-index=" + std::to_string(face.index) +
                          " " + shell_quote(face.file) + " " + shell_quote(text));
    std::vector<std::pair<uint32_t, uint32_t>> g;
    std::regex item(R"((\d+)=(\d+))");
    for (std::sregex_iterator it(out.begin(), out.end(), item), end; it != end; ++it)
        g.emplace_back(static_cast<uint32_t>(std::stoul((*it)[1])), static_cast<uint32_t>(std::stoul((*it)[2])));
    return g;
}

// UTF-16 index to code point index.
uint32_t cp_index(const std::u16string& s, uint32_t u16) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < u16 && i < s.size(); ++n) i += U16_IS_LEAD(s[i]) ? 2 : 1;
    return n;
}

std::u16string line_text(const TextLayout& L, const LaidLine& l) { return L.text.substr(l.start, l.end - l.start); }

LayoutParams params(float px, float width = 0, int lines = 0, const std::string& lang = "en") {
    LayoutParams p;
    p.px = px;
    p.max_width = width;
    p.max_lines = lines;
    p.lang = lang;
    return p;
}

}  // namespace

TEST_CASE("text: glyphs and clusters are HarfBuzz's own (hb-shape) for every script", "[text][shaping]") {
    Log log;
    FontLibrary fonts(log.sink());
    const char* samples[] = {
        "أعلنت الحكومة عن خطة جديدة",             // Arabic: joining forms, right to left
        "לא לשכוח את המטריה",                     // Hebrew: right to left, no joining
        "मुंबई में मानसून से पहले",                      // Devanagari: conjuncts, reordered vowel signs
        "กรุงเทพมหานครเปิดเส้นทาง",                 // Thai: stacked marks
        "東京の新しい図書館",                      // Japanese
        "Новый мост через Обь",                   // Cyrillic
        "👨‍👩‍👧🇩🇪🏆",                                  // emoji: a ZWJ family, a flag, beyond the BMP
    };
    for (const char* s : samples) {
        INFO(s);
        TextLayout L = layout_text(fonts, s, params(48));
        REQUIRE(L.lines.size() == 1);
        const auto& glyphs = L.lines[0].glyphs;
        REQUIRE_FALSE(glyphs.empty());
        std::set<FaceId> faces;
        for (const auto& g : glyphs) faces.insert(g.face);
        REQUIRE(faces.size() == 1);  // one script, one face: the whole string is one HarfBuzz run
        const Face& face = fonts.face(*faces.begin());
        INFO(face.file << " #" << face.index);
        std::vector<std::pair<uint32_t, uint32_t>> ours;
        for (const auto& g : glyphs) ours.emplace_back(g.gid, cp_index(L.text, g.cluster));
        CHECK(ours == hb_shape(face, s));
        for (const auto& g : glyphs) CHECK(g.gid != 0);  // no .notdef: every character has a face
    }
    CHECK(log.lines.empty());
}

TEST_CASE("text: each script gets the face made for it, bold from the bold face", "[text][fonts]") {
    Log log;
    FontLibrary fonts(log.sink());
    auto family = [&](const char* s, bool bold) {
        LayoutParams p = params(40);
        p.bold = bold;
        TextLayout L = layout_text(fonts, s, p);
        REQUIRE_FALSE(L.lines.empty());
        return fonts.face(L.lines[0].glyphs.at(0).face);
    };
    CHECK(family("Headline", false).family == "DejaVu Sans");
    CHECK(family("Headline", true).bold);
    CHECK(family("أعلنت", false).family == "Noto Sans Arabic");
    CHECK(family("עיריית", false).family == "Noto Sans Hebrew");
    CHECK(family("मुंबई", false).family == "Noto Sans Devanagari");
    CHECK(family("กรุงเทพ", false).family == "Noto Sans Thai");
    CHECK(family("東京", false).family.find("Noto Sans CJK") == 0);
    const Face& cjk_bold = family("東京", true);
    CHECK(cjk_bold.bold);
    CHECK(cjk_bold.file.find("Bold") != std::string::npos);
    CHECK(family("🏆", false).color);
    CHECK_FALSE(fonts.needs_embolden(fonts.primary(true), true));
}

TEST_CASE("text: visual order is ICU's bidi order, in both paragraph directions", "[text][bidi]") {
    Log log;
    FontLibrary fonts(log.sink());
    // Hebrew and Latin have no ligatures here, so every character is its own cluster.
    for (const char* s : {"Apple הודיעה על iPhone 16 היום", "היום Apple הודיעה על iPhone 16", "שלום (world) 123 עולם!"}) {
        INFO(s);
        TextLayout L = layout_text(fonts, s, params(32));
        REQUIRE(L.lines.size() == 1);
        std::vector<uint32_t> ours;
        for (const auto& g : L.lines[0].glyphs) ours.push_back(g.cluster);

        UErrorCode err = U_ZERO_ERROR;
        UBiDi* bidi = ubidi_open();
        ubidi_setPara(bidi, reinterpret_cast<const UChar*>(L.text.data()), static_cast<int32_t>(L.text.size()), UBIDI_DEFAULT_LTR,
                      nullptr, &err);
        REQUIRE(U_SUCCESS(err));
        std::vector<int32_t> map(L.text.size());
        ubidi_getVisualMap(bidi, map.data(), &err);
        CHECK(L.rtl == ((ubidi_getParaLevel(bidi) & 1) != 0));
        ubidi_close(bidi);
        std::vector<uint32_t> icu(map.begin(), map.end());
        CHECK(ours == icu);
    }
}

TEST_CASE("text: a right-to-left paragraph is detected from its first strong character", "[text][bidi]") {
    Log log;
    FontLibrary fonts(log.sink());
    CHECK(layout_text(fonts, "أعلنت Apple", params(30)).rtl);
    CHECK(layout_text(fonts, "«עיריית» תל אביב", params(30)).rtl);
    CHECK_FALSE(layout_text(fonts, "Apple أعلنت", params(30)).rtl);
    CHECK_FALSE(layout_text(fonts, "2026: 東京", params(30)).rtl);
    // Asked without shaping (how a card decides to mirror), the same answer.
    for (const char* s : {"أعلنت Apple", "«עיריית» תל אביב", "Apple أعلنت", "2026: 東京", "", "  ", "\u2067abc\u2069 שלום"})
        CHECK(paragraph_rtl(s) == layout_text(fonts, s, params(30)).rtl);
}

TEST_CASE("text: CJK lines never start with a closing mark (kinsoku)", "[text][linebreak]") {
    Log log;
    FontLibrary fonts(log.sink());
    const std::string ja = "東京の新しい図書館、開館初日に一万人が来場。市民からは「待っていた」との声。駅から徒歩五分、夜十時まで開く。";
    const std::u16string closers = u"、。，．」』）！？";
    int lines_seen = 0;
    for (int ems = 3; ems <= 14; ++ems) {
        TextLayout L = layout_text(fonts, ja, params(40, 40.0f * static_cast<float>(ems) + 1, 0, "ja"));
        std::u16string joined;
        for (const auto& l : L.lines) {
            std::u16string t = line_text(L, l);
            REQUIRE_FALSE(t.empty());
            INFO("width " << ems << " em, line " << lines_seen);
            CHECK(closers.find(t.front()) == std::u16string::npos);
            CHECK(t.back() != u'「');  // an opening bracket never ends a line
            CHECK(l.width <= 40.0f * static_cast<float>(ems) + 1.5f);
            joined += t;
            ++lines_seen;
        }
        CHECK(joined == L.text);  // nothing lost, nothing added (no hyphen, no space)
    }
    CHECK(lines_seen > 40);
}

TEST_CASE("text: Thai breaks only between words", "[text][linebreak]") {
    Log log;
    FontLibrary fonts(log.sink());
    // The words of the sentence as a Thai reader splits them (no spaces in the text itself).
    const std::vector<std::string> words = {"วันนี้", "อากาศ", "ดี", "มาก", "เรา", "จะ", "ไป", "เที่ยว", "ทะเล", "กับ", "ครอบครัว"};
    std::string text;
    std::set<uint32_t> boundaries{0};
    for (const auto& w : words) {
        text += w;
        boundaries.insert(static_cast<uint32_t>(normalize_text(text).size()));
    }
    // Boxes at least as wide as the widest word (a narrower one must cut a word, as for Latin).
    float widest = 0;
    for (const auto& w : words) widest = std::max(widest, layout_text(fonts, w, params(30)).width);
    int breaks = 0;
    for (float width : {widest + 1, widest + 20, widest + 45, widest * 2, widest * 3}) {
        TextLayout L = layout_text(fonts, text, params(30, width, 0, "th"));
        for (const auto& l : L.lines) {
            INFO("width " << width);
            CHECK(boundaries.count(l.start));
            CHECK(boundaries.count(l.end));
            breaks += l.start > 0;
        }
    }
    CHECK(breaks > 10);
}

TEST_CASE("text: Latin breaks at spaces, never hyphenates, and cuts only words wider than the line", "[text][linebreak]") {
    Log log;
    FontLibrary fonts(log.sink());
    const std::string text = "Twelve port cities signed a joint framework on Tuesday that pools money for sea walls, tidal gates "
                             "and early-warning systems.";
    for (float width : {200.f, 333.f, 480.f, 700.f}) {
        TextLayout L = layout_text(fonts, text, params(32, width));
        std::u16string joined;
        for (size_t i = 0; i < L.lines.size(); ++i) {
            const auto& l = L.lines[i];
            INFO("width " << width << " line " << i);
            CHECK(l.width <= width + 0.5f);
            std::u16string t = line_text(L, l);
            CHECK(t.front() != u' ');
            CHECK(t.back() != u' ');
            // Ends where a word ends: at the text's end, before a space, or after "early-".
            CHECK((l.end == L.text.size() || L.text[l.end] == u' ' || L.text[l.end - 1] == u'-'));
            joined += (i && L.text[l.start - 1] == u' ' ? u" " : u"") + t;
        }
        CHECK(joined == L.text);
    }
    // A word wider than the line is cut between graphemes rather than overflowing.
    TextLayout L = layout_text(fonts, "Donaudampfschifffahrtsgesellschaftskapitän", params(32, 150));
    CHECK(L.lines.size() > 2);
    for (const auto& l : L.lines) CHECK(l.width <= 150.5f);
}

TEST_CASE("text: what does not fit ends in an ellipsis inside the box", "[text][linebreak]") {
    Log log;
    FontLibrary fonts(log.sink());
    for (const char* s : {"Harbour cities agree on a shared plan for rising seas and the tides of the next century",
                          "أعلنت الحكومة عن خطة جديدة لتوسيع شبكة المترو في المدينة حتى عام ٢٠٣٠"}) {
        TextLayout L = layout_text(fonts, s, params(40, 400, 2));
        REQUIRE(L.lines.size() == 2);
        CHECK(L.truncated);
        CHECK(L.lines[1].ellipsis);
        CHECK(L.lines[1].width <= 400.5f);
        const auto& g = L.lines[1].glyphs;
        // The ellipsis ends the line in reading order: rightmost in LTR, leftmost in RTL.
        CHECK((L.rtl ? g.front() : g.back()).cluster == L.text.size());
    }
    TextLayout whole = layout_text(fonts, "Short", params(40, 400, 2));
    CHECK_FALSE(whole.truncated);
}

TEST_CASE("text: CJK is set at the visual size of Latin", "[text][fonts]") {
    Log log;
    FontLibrary fonts(log.sink());
    // Ink heights of an ideograph and a capital at the same nominal size: the ideograph must not
    // come out smaller (ImGui's REAL_DIM sizing made it about 80%).
    auto ink = [&](const char* s) {
        TextLayout L = layout_text(fonts, s, params(100));
        const ShapedGlyph& g = L.lines.at(0).glyphs.at(0);
        float strike = 1;
        FT_FaceRec_* ft = fonts.ft_sized(g.face, 100, &strike);
        REQUIRE(ft);
        hb_glyph_extents_t e{};
        REQUIRE(hb_font_get_glyph_extents(fonts.hb_font(g.face, 100), g.gid, &e));
        return static_cast<float>(-e.height) / 64.0f;
    };
    const float cap = ink("H"), han = ink("国");
    CHECK(han >= cap);
    CHECK(han <= cap * 1.35f);
}

TEST_CASE("text: a bold CJK headline is as heavy as a bold Latin one", "[text][fonts]") {
    // Weight as a reader sees a headline: its grey, the ink per area of the line box, and the
    // thickness of its strokes (the median horizontal run of ink). Ideographs have thinner strokes
    // than DejaVu Sans Bold's (Noto Sans CJK Bold, the heaviest the default packages have: 9 px
    // against 13 at 72 px) but many more of them, so the line is darker, not lighter. A CJK
    // headline set in the regular face, or smaller, fails both.
    MemoryTextures textures;
    Log log;
    TextEngine te(textures, log.sink());
    te.set_language("ja");
    te.begin_frame(true);
    auto pixels = [&](const char* s) -> std::pair<const TextBlock&, const MemoryTextures::Tex&> {
        const TextBlock& b = te.block(s, {72, true, IM_COL32_WHITE}, {});
        REQUIRE(b.tiles.size() == 1);
        const auto& t = textures.live.at(reinterpret_cast<intptr_t>(b.tiles[0].texture));
        REQUIRE(t.bpp == 1);
        return {b, t};
    };
    auto grey = [&](const char* s) {
        auto [b, t] = pixels(s);
        double ink = 0;
        for (unsigned char c : t.px) ink += c / 255.0;
        return ink / (static_cast<double>(b.width) * static_cast<double>(b.line_height));
    };
    auto stem = [&](const char* s) {
        auto [b, t] = pixels(s);
        std::vector<int> runs;
        for (int y = 0; y < t.h; ++y)
            for (int x = 0, run = 0; x <= t.w; ++x) {
                if (x < t.w && t.px[static_cast<size_t>(y) * static_cast<size_t>(t.w) + static_cast<size_t>(x)] >= 128) ++run;
                else if (run) runs.push_back(std::exchange(run, 0));
            }
        REQUIRE(runs.size() > 20);
        std::nth_element(runs.begin(), runs.begin() + static_cast<std::ptrdiff_t>(runs.size() / 2), runs.end());
        return static_cast<double>(runs[runs.size() / 2]);
    };
    const double latin_grey = grey("Harbour cities agree on a plan");
    const double ja_grey = grey("東京の新しい図書館が来月開館"), zh_grey = grey("上海港口今年集装箱吞吐量再创新高");
    const double latin_stem = stem("HILL MINT"), han_stem = stem("日本国中"), kana_stem = stem("ナイト");
    INFO("grey: Latin " << latin_grey << ", Japanese " << ja_grey << ", Chinese " << zh_grey << "; stems: Latin " << latin_stem
                        << " px, Han " << han_stem << " px, katakana " << kana_stem << " px");
    CHECK(ja_grey >= latin_grey);
    CHECK(zh_grey >= latin_grey);
    CHECK(ja_grey <= latin_grey * 1.6);
    CHECK(han_stem >= latin_stem * 0.6);
    CHECK(kana_stem >= latin_stem * 0.6);
    te.end_frame();
}

TEST_CASE("text: a character no font has is logged once and drawn as a mark, not dropped", "[text][fonts]") {
    Log log;
    FontLibrary fonts(log.sink());
    TextLayout L = layout_text(fonts, "A\U000F0001B \U000F0001", params(30));
    CHECK(L.missing == 2);
    REQUIRE(L.lines.size() == 1);
    CHECK(L.lines[0].glyphs.size() == 5);  // A, mark, B, space, mark
    CHECK(std::count_if(log.lines.begin(), log.lines.end(),
                        [](const std::string& l) { return l.find("U+F0001") != std::string::npos; }) == 1);
}

TEST_CASE("text: a font file is mapped once for every size and weight", "[text][fonts]") {
    Log log;
    FontLibrary fonts(log.sink());
    for (float px : {20.f, 36.f, 70.f}) layout_text(fonts, "東京 Tokyo", params(px));
    const int faces = fonts.faces_opened();
    const std::size_t mapped = fonts.mapped_bytes();
    for (float px : {24.f, 48.f, 96.f, 13.f}) layout_text(fonts, "東京の図書館 Tokyo library", params(px));
    CHECK(fonts.faces_opened() == faces);
    CHECK(fonts.mapped_bytes() == mapped);
}

TEST_CASE("text: blocks are shaped and rasterised once, drawn as one quad, and bounded", "[text][cache]") {
    MemoryTextures textures;
    Log log;
    {
        TextEngine te(textures, log.sink());
        TextBox box;
        box.width = 1200;
        box.max_lines = 3;
        te.begin_frame(true);
        const TextBlock& a = te.block("Harbour cities agree on a plan", {48, true, IM_COL32_WHITE}, box);
        CHECK(a.tiles.size() == 1);
        CHECK_FALSE(a.color);
        CHECK(a.lines == 1);
        CHECK(textures.live.size() == 1);
        CHECK(textures.live.begin()->second.bpp == 1);  // monochrome: coverage only
        for (int frame = 0; frame < 50; ++frame) {
            te.begin_frame(frame % 10 == 0);
            te.block("Harbour cities agree on a plan", {48, true, IM_COL32_WHITE}, box);
            te.end_frame();
        }
        CHECK(te.stats().shaped == 1);
        CHECK(te.stats().rasterized == 1);

        // Emoji keep their colours: an RGBA block with non-grey pixels.
        const TextBlock& e = te.block("Final 🏆", {48, false, IM_COL32_WHITE}, {});
        CHECK(e.color);
        const auto& tex = textures.live.at(reinterpret_cast<intptr_t>(e.tiles.at(0).texture));
        REQUIRE(tex.bpp == 4);
        bool coloured = false;
        for (size_t i = 0; i + 3 < tex.px.size(); i += 4)
            coloured |= tex.px[i + 3] > 200 && (std::abs(tex.px[i] - tex.px[i + 2]) > 60);
        CHECK(coloured);

        // Over budget, blocks not drawn lately go; those of this frame and of the last static frame stay.
        te.set_budget(1);
        te.begin_frame(true);
        const TextBlock& keep = te.block("Kept on screen", {30, false, IM_COL32_WHITE}, {});
        ImTextureID kept = keep.tiles.at(0).texture;
        te.end_frame();
        te.begin_frame(false);
        te.end_frame();
        CHECK(textures.live.count(reinterpret_cast<intptr_t>(kept)) == 1);
        CHECK(te.stats().evicted >= 2);
        CHECK(te.stats().texture_bytes == keep.bytes);
    }
    CHECK(textures.live.empty());  // every texture released with the engine
}

namespace {
// Resident KiB of this process's mappings of `file` (/proc/self/smaps).
long resident_kib(const std::string& file) {
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool in = false;
    long kib = 0;
    while (std::getline(smaps, line)) {
        if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) && line.find(' ') != std::string::npos &&
            line.find(':') > line.find(' '))
            in = line.size() >= file.size() && line.compare(line.size() - file.size(), file.size(), file) == 0;
        else if (in && line.rfind("Rss:", 0) == 0)
            kib += std::stol(line.substr(4));
    }
    return kib;
}
}  // namespace

TEST_CASE("text: after text is rasterised the font files' pages are let go, and come back for the next", "[text][fonts]") {
    MemoryTextures textures;
    Log log;
    TextEngine te(textures, log.sink());
    te.set_language("ja");
    const std::string ja = "東京の新しい図書館が来月開館、蔵書は百万冊";
    te.begin_frame(true);
    const TextBlock& a = te.block(ja, {48, false, IM_COL32_WHITE}, {});
    REQUIRE(a.tiles.size() == 1);
    const TextLayout L = layout_text(te.fonts(), ja, params(48));
    REQUIRE_FALSE(L.lines.at(0).glyphs.empty());
    const std::string file = te.fonts().face(L.lines[0].glyphs[0].face).file;
    INFO(file);
    CHECK(resident_kib(file) > 0);  // the shaping and the outlines read it
    const auto first = textures.live.at(reinterpret_cast<intptr_t>(a.tiles[0].texture));
    te.end_frame();
    CHECK(resident_kib(file) == 0);

    // The same text in another block (another colour key is not enough: monochrome blocks are
    // tinted when drawn, so a different box): the same pixels, read from the file again.
    te.begin_frame(true);
    const TextBlock& b = te.block(ja, {48, false, IM_COL32_WHITE}, {.width = 4000});
    REQUIRE(b.tiles.size() == 1);
    CHECK(textures.live.at(reinterpret_cast<intptr_t>(b.tiles[0].texture)).px == first.px);
    te.end_frame();
    CHECK(te.stats().rasterized == 2);
}

TEST_CASE("text: bad input never breaks the layout", "[text]") {
    Log log;
    FontLibrary fonts(log.sink());
    for (std::string s : {std::string("\xff\xfe broken \xc3"), std::string("\t\n  \r"), std::string(""), std::string(500, 'x'),
                          std::string("\u202e reversed \u202c"), std::string("a\0b", 3)}) {
        TextLayout L = layout_text(fonts, s, params(20, 100, 3));
        CHECK(L.lines.size() <= 3);
        for (const auto& l : L.lines) CHECK(l.width <= 100.5f);
    }
}

TEST_CASE("text: with no font installed at all, one clear log line and no crash", "[text][fonts]") {
    // A fontconfig that knows no font directory: what a broken or stripped image looks like.
    nk::test::TempDir dir;
    const auto conf = dir.path / "fonts.conf";
    std::ofstream(conf) << "<?xml version=\"1.0\"?>\n<fontconfig><dir>" << (dir.path / "none").string() << "</dir><cachedir>"
                        << (dir.path / "cache").string() << "</cachedir></fontconfig>\n";
    FcConfig* empty = FcConfigCreate();
    REQUIRE(FcConfigParseAndLoad(empty, reinterpret_cast<const FcChar8*>(conf.c_str()), FcTrue));
    REQUIRE(FcConfigBuildFonts(empty));
    FcConfig* saved = FcConfigReference(nullptr);
    REQUIRE(FcConfigSetCurrent(empty));
    {
        Log log;
        FontLibrary fonts(log.sink());
        TextLayout L = layout_text(fonts, "Harbour cities agree", params(30, 200, 2));
        for (const auto& l : L.lines) CHECK(l.glyphs.empty());
        REQUIRE(log.lines.size() == 1);
        CHECK(log.lines[0].find("no usable scalable font") != std::string::npos);
    }
    FcConfigSetCurrent(saved);
    FcConfigDestroy(saved);  // our reference; the current one holds its own
    FcConfigDestroy(empty);
}

// Rich text (announcements, alerts): the owner's **bold** and *italic* are runs in their own
// style, in any script and either direction, and a Markdown line break ends a line.
TEST_CASE("text: rich text has bold and italic runs and line breaks, in every script", "[text][rich]") {
    Log log;
    FontLibrary fonts(log.sink());
    auto rich = [](float width = 0) {
        LayoutParams p = params(32, width);
        p.rich = true;
        return p;
    };
    const std::string b(1, kBoldToggle), i(1, kItalicToggle);
    TextLayout L = layout_text(fonts, "Coffee in the " + b + "atrium" + b + ", Wi-Fi " + i + "Guest" + i + "\nsecond line", rich(2000));
    REQUIRE(L.lines.size() == 2);
    CHECK(L.text.find(u'\x02') == std::u16string::npos);
    CHECK(L.text.find(u'\x1d') == std::u16string::npos);
    std::set<uint8_t> styles;
    for (const auto& g : L.lines[0].glyphs) styles.insert(g.style);
    CHECK(styles == std::set<uint8_t>{0, kStyleBold, kStyleItalic});
    // The bold run is set in the family's bold face, the rest in the regular one.
    for (const auto& g : L.lines[0].glyphs) CHECK(fonts.face(g.face).bold == ((g.style & kStyleBold) != 0));
    CHECK(line_text(L, L.lines[1]) == u"second line");

    // One line of any length (no box) shows what comes before the first break, then "…".
    TextLayout one = layout_text(fonts, "first\nsecond", rich());
    REQUIRE(one.lines.size() == 1);
    CHECK(one.truncated);
    CHECK(one.lines[0].ellipsis);

    // Right to left, with a bold word: the paragraph stays right to left, the bold run in a bold face.
    for (const std::string& s : {"שלום " + b + "עולם" + b + " היום", "أعلنت " + b + "الشركة" + b + " اليوم"}) {
        INFO(s);
        TextLayout r = layout_text(fonts, s, rich(2000));
        REQUIRE(r.lines.size() == 1);
        CHECK(r.rtl);
        CHECK(r.missing == 0);
        bool bold_seen = false;
        for (const auto& g : r.lines[0].glyphs) bold_seen = bold_seen || (g.style & kStyleBold);
        CHECK(bold_seen);
    }
    // Without `rich`, the same controls are dropped as any control is, and newlines are spaces.
    TextLayout plain = layout_text(fonts, "a " + b + "b" + b + "\nc", params(32, 2000));
    REQUIRE(plain.lines.size() == 1);
    CHECK(plain.text == u"a b c");
    CHECK(log.lines.empty());
}

TEST_CASE("text: italic and bold runs rasterise into one block, measured without a texture", "[text][rich]") {
    Log log;
    MemoryTextures tex;
    TextEngine te(tex, log.sink());
    TextBox box;
    box.width = 1200;
    box.max_lines = 4;
    box.rich = true;
    const std::string text = std::string("Plain, ") + kBoldToggle + "bold" + kBoldToggle + ", " + kItalicToggle + "italic" +
                             kItalicToggle + "\nand a second line";
    TextMeasure m = te.measure(text, {40, false, IM_COL32_WHITE}, box);
    CHECK(m.lines == 2);
    CHECK(tex.live.empty());  // measuring makes no texture
    const TextBlock& blk = te.block(text, {40, false, IM_COL32_WHITE}, box);
    CHECK(blk.lines == 2);
    CHECK(blk.width == m.width);
    CHECK(tex.live.size() == 1);
    // Not the same block as the text read plainly.
    box.rich = false;
    CHECK(te.block(text, {40, false, IM_COL32_WHITE}, box).lines == 1);
}
