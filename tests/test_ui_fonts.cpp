// SPDX-License-Identifier: Apache-2.0
// FontSet against the fonts installed here (fonts-dejavu-core at least), with a real ImGui context
// and no rendering backend: the atlas is built and used in a frame, but never uploaded.
#include "ui/fonts.h"

#include <catch2/catch.hpp>
#include <fontconfig/fontconfig.h>
#include <imgui.h>

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

using nk::ui::FontRole;
using nk::ui::FontSet;
using nk::ui::FontSizes;

namespace {

constexpr FontRole kRoles[] = {FontRole::Small,    FontRole::Meta,  FontRole::Summary,
                               FontRole::Headline, FontRole::Clock, FontRole::Ticker};

struct Context {  // io.Fonts is the atlas under test
    Context() {
        ImGui::CreateContext();
        ImGui::GetIO().IniFilename = nullptr;
    }
    ~Context() { ImGui::DestroyContext(); }
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
    ImFontAtlas& atlas() { return *ImGui::GetIO().Fonts; }
};

struct Log {
    std::vector<std::string> lines;
    std::function<void(const std::string&)> sink() {
        return [this](const std::string& line) { lines.push_back(line); };
    }
    long count(std::string_view needle) const {
        return std::count_if(lines.begin(), lines.end(),
                             [&](const std::string& l) { return l.find(needle) != std::string::npos; });
    }
};

FontSizes sizes(float small, float meta, float summary, float headline, float clock, float ticker) {
    FontSizes s;
    const float px[] = {small, meta, summary, headline, clock, ticker};
    std::copy(std::begin(px), std::end(px), s.px);
    return s;
}

FontSizes hd() { return sizes(24, 30, 36, 62, 56, 36); }

// Draws `text` in every role's font in one frame: the atlas must be usable by ImGui as built.
void draw_frame(const FontSet& fonts, const char* text) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(1280, 720);
    io.DeltaTime = 1.0f / 60;
    ImGui::NewFrame();
    ImDrawList* dl = ImGui::GetForegroundDrawList();  // a window would stay hidden in its first frame
    for (FontRole r : kRoles) dl->AddText(fonts.font(r), fonts.font(r)->FontSize, ImVec2(0, 0), IM_COL32_WHITE, text);
    ImGui::Render();
    CHECK(ImGui::GetDrawData()->TotalVtxCount > 0);
}

bool some_font_covers(char32_t cp) {
    FcPattern* p = FcPatternCreate();
    FcCharSet* cs = FcCharSetCreate();
    FcCharSetAddChar(cs, cp);
    FcPatternAddCharSet(p, FC_CHARSET, cs);
    FcObjectSet* os = FcObjectSetBuild(FC_FILE, nullptr);
    FcFontSet* found = FcFontList(nullptr, p, os);
    const bool covered = found && found->nfont > 0;
    if (found) FcFontSetDestroy(found);
    FcObjectSetDestroy(os);
    FcCharSetDestroy(cs);
    FcPatternDestroy(p);
    return covered;
}

}  // namespace

TEST_CASE("fonts: typographic punctuation, accented Latin, Cyrillic and Greek get real glyphs", "[fonts]") {
    Context ctx;
    Log log;
    FontSet fonts(log.sink());
    fonts.set_sizes(hd());
    const char* headline = "Minister’s “plan” — café Жёлтый Ωmega";
    CHECK(fonts.add_text(headline));
    REQUIRE(fonts.needs_rebuild());
    REQUIRE(fonts.rebuild(ctx.atlas()));
    CHECK_FALSE(fonts.needs_rebuild());

    for (char32_t cp : std::u32string_view(U"Minister’s “plan” — café Жёлтый Ωmega")) {
        INFO("U+" << std::hex << static_cast<unsigned>(cp));
        CHECK(fonts.has_glyph(cp));
        CHECK(fonts.font(FontRole::Headline)->FindGlyphNoFallback(static_cast<ImWchar>(cp)) != nullptr);
    }
    CHECK(fonts.missing().empty());
    CHECK(log.lines.empty());
    CHECK(fonts.scale_applied() == 1.0f);
    CHECK(fonts.font(FontRole::Headline)->FontSize == 62.0f);
    CHECK(fonts.font(FontRole::Summary)->EllipsisChar == 0x2026);  // cut text ends in "…", not "..."
    draw_frame(fonts, headline);

    // What a backend does to upload it: the pixels are there, and no default font sneaks in.
    const int font_count = ctx.atlas().Fonts.Size;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    ctx.atlas().GetTexDataAsRGBA32(&pixels, &w, &h);
    CHECK(pixels != nullptr);
    CHECK(w == 2048);
    CHECK(h <= 2048);
    CHECK(ctx.atlas().Fonts.Size == font_count);
}

TEST_CASE("fonts: the atlas holds only the code points asked for", "[fonts]") {
    Context ctx;
    Log log;
    FontSet fonts(log.sink());
    fonts.set_sizes(hd());
    CHECK_FALSE(fonts.add_text("Plain ASCII headline, 42 words"));  // the base set has all of it
    REQUIRE(fonts.rebuild(ctx.atlas()));
    CHECK_FALSE(fonts.has_glyph(U'Ж'));
    CHECK(fonts.font(FontRole::Summary)->FindGlyphNoFallback(static_cast<ImWchar>(U'Ж')) == nullptr);
    CHECK(fonts.font(FontRole::Summary)->Glyphs.Size < 110);  // printable ASCII, …, ·, □ and ImGui's tab

    CHECK(fonts.add_text("Ж"));
    CHECK(fonts.needs_rebuild());
    CHECK_FALSE(fonts.add_text("Ж"));
    REQUIRE(fonts.rebuild(ctx.atlas()));
    CHECK(fonts.has_glyph(U'Ж'));

    fonts.reset_text();  // the atlas still has Ж: no rebuild just to forget it, but the next one drops it
    CHECK_FALSE(fonts.needs_rebuild());
    CHECK_FALSE(fonts.add_text("Ж"));
    fonts.reset_text();
    CHECK(fonts.add_text("Ω"));
    REQUIRE(fonts.rebuild(ctx.atlas()));
    CHECK(fonts.has_glyph(U'Ω'));
    CHECK_FALSE(fonts.has_glyph(U'Ж'));
    CHECK(fonts.has_glyph(U'A'));
    CHECK(log.lines.empty());
}

TEST_CASE("fonts: a missing glyph is a visible mark, logged once", "[fonts]") {
    if (some_font_covers(0xE123)) {
        WARN("an installed font has private-use U+E123; skipped");
        return;
    }
    Context ctx;
    Log log;
    FontSet fonts(log.sink());
    fonts.set_sizes(hd());
    const char* text = "Smile \U0001F600 and \uE123";
    CHECK(fonts.add_text(text));
    REQUIRE(fonts.rebuild(ctx.atlas()));
    CHECK_FALSE(fonts.add_text(text));
    fonts.reset_text();
    CHECK_FALSE(fonts.add_text(text));  // already logged: nothing to rebuild for
    fonts.set_sizes(sizes(20, 26, 32, 54, 48, 32));
    REQUIRE(fonts.rebuild(ctx.atlas()));

    CHECK(fonts.missing() == std::vector<char32_t>{0xE123, 0x1F600});
    CHECK_FALSE(fonts.has_glyph(0xE123));
    CHECK_FALSE(fonts.has_glyph(0x1F600));
    CHECK(log.count("U+1F600") == 1);
    CHECK(log.count("U+E123") == 1);
    CHECK(log.lines.size() == 2);
    CHECK(log.count("font: no installed font has U+1F600; it is drawn as U+25A1 □") == 1);
    for (FontRole r : kRoles) {
        const ImFont* f = fonts.font(r);
        CHECK(f->FallbackChar == 0x25A1);
        CHECK(f->FindGlyphNoFallback(f->FallbackChar) != nullptr);
        CHECK(f->FindGlyph(0xE123) == f->FindGlyphNoFallback(0x25A1));
        CHECK(f->FindGlyph(0xE123)->Visible);
    }
    draw_frame(fonts, text);
}

TEST_CASE("fonts: CJK draws when a CJK face is installed", "[fonts]") {
    if (!some_font_covers(0x4E2D)) {
        WARN("no installed font covers U+4E2D (install fonts-noto-cjk); skipped");
        return;
    }
    Context ctx;
    Log log;
    FontSet fonts(log.sink());
    fonts.set_sizes(hd());
    fonts.add_text("中文新闻");
    REQUIRE(fonts.rebuild(ctx.atlas()));
    for (char32_t cp : std::u32string_view(U"中文新闻")) {
        INFO("U+" << std::hex << static_cast<unsigned>(cp));
        CHECK(fonts.has_glyph(cp));  // in every role, bold ones included
    }
    CHECK(fonts.missing().empty());
    CHECK(log.lines.empty());
    draw_frame(fonts, "中文新闻");
}

TEST_CASE("fonts: 4K sizes with many scripts shrink to fit a 2048x2048 atlas", "[fonts]") {
    Context ctx;
    Log log;
    FontSet fonts(log.sink());
    fonts.set_sizes(sizes(30, 40, 64, 160, 120, 72));
    std::string text;
    auto add_range = [&](char32_t first, char32_t last) {
        for (char32_t cp = first; cp <= last; ++cp) {  // UTF-8 by hand: the BMP needs at most 3 bytes
            if (cp < 0x800) {
                text += static_cast<char>(0xC0 | (cp >> 6));
            } else {
                text += static_cast<char>(0xE0 | (cp >> 12));
                text += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            }
            text += static_cast<char>(0x80 | (cp & 0x3F));
        }
    };
    add_range(0xA0, 0x17F);   // Latin-1 and Latin Extended-A
    add_range(0x370, 0x3FF);  // Greek
    add_range(0x400, 0x4FF);  // Cyrillic
    const bool cjk = some_font_covers(0x4E2D);
    if (cjk) add_range(0x4E00, 0x4E00 + 1999);
    CHECK(fonts.add_text(text));
    REQUIRE(fonts.rebuild(ctx.atlas()));

    const ImFontAtlas& atlas = ctx.atlas();
    CHECK(atlas.TexWidth <= 2048);
    CHECK(atlas.TexHeight <= 2048);
    CHECK(fonts.scale_applied() < 1.0f);
    CHECK(fonts.font(FontRole::Headline)->FontSize < 160.0f);
    CHECK(log.count("atlas") == 1);
    CHECK(fonts.has_glyph(U'Ж'));
    CHECK(fonts.has_glyph(U'Ω'));
    CHECK(fonts.has_glyph(U'Ł'));
    if (cjk) CHECK(fonts.has_glyph(U'中'));
    draw_frame(fonts, "Ωmega Жёлтый Łódź");
}

TEST_CASE("fonts: only different sizes make a rebuild necessary", "[fonts]") {
    Context ctx;
    Log log;
    FontSet fonts(log.sink());
    fonts.set_sizes(hd());
    REQUIRE(fonts.rebuild(ctx.atlas()));
    fonts.set_sizes(hd());
    CHECK_FALSE(fonts.needs_rebuild());
    FontSizes bigger = hd();
    bigger.px[static_cast<int>(FontRole::Clock)] += 2;
    fonts.set_sizes(bigger);
    CHECK(fonts.needs_rebuild());
    REQUIRE(fonts.rebuild(ctx.atlas()));
    CHECK(fonts.font(FontRole::Clock)->FontSize == 58.0f);
    CHECK(fonts.font(FontRole::Ticker) == fonts.font(FontRole::Summary));  // same face and size: one font
}

TEST_CASE("fonts: invalid UTF-8 and control characters collect nothing", "[fonts]") {
    Context ctx;
    Log log;
    FontSet fonts(log.sink());
    fonts.set_sizes(hd());
    CHECK_FALSE(fonts.add_text("\xFF\xFE"));          // never valid
    CHECK_FALSE(fonts.add_text("\xC0\xAF"));          // overlong '/'
    CHECK_FALSE(fonts.add_text("\xED\xA0\x80"));      // a surrogate
    CHECK_FALSE(fonts.add_text("\xF4\x90\x80\x80"));  // above U+10FFFF
    CHECK_FALSE(fonts.add_text("\xC2\x85\t\n"));      // C1 and C0 controls
    CHECK_FALSE(fonts.add_text("cut \xE2\x80"));      // truncated "—"
    CHECK(fonts.add_text("\xD0\xD0\x96"));            // a lone lead byte, then 'Ж'
    REQUIRE(fonts.rebuild(ctx.atlas()));
    CHECK(fonts.has_glyph(U'Ж'));
    CHECK(fonts.missing().empty());
    CHECK(log.lines.empty());
}
