// SPDX-License-Identifier: Apache-2.0
// fonts.h: the ImGui fonts of the display, rasterized by FreeType from faces fontconfig finds
// (DejaVu Sans first, then whatever fontconfig ranks next for sans-serif: Noto, Noto CJK...).
// The atlas holds only the code points of the text on screen, so every script stays affordable
// and the texture stays within 2048×2048 (the Pi 3's limit); it is rebuilt between frames when
// new characters arrive. A character no face has is drawn as a visible mark (U+25A1 □) and
// logged once. Only the BMP can be drawn: Debian's ImGui has a 16-bit ImWchar.
// Depends on ImGui (with its FreeType builder), fontconfig and the standard library.
// Main thread only; rebuild() never between ImGui::NewFrame and ImGui::Render (the atlas is locked).
#pragma once

#include <bitset>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

struct ImFont;
struct ImFontAtlas;

namespace nk::ui {

enum class FontRole { Small, Meta, Summary, Headline, Clock, Ticker, Count };  // Headline and Clock use a bold face

struct FontSizes {
    float px[static_cast<int>(FontRole::Count)] = {};
    bool operator==(const FontSizes&) const = default;
};

class FontSet {
public:
    // log: one line, no newline (used for warnings: missing glyphs, atlas too large, no font found).
    explicit FontSet(std::function<void(const std::string&)> log);
    ~FontSet();

    // Collects the code points of UTF-8 text that will be drawn (invalid bytes and control
    // characters are skipped). Cheap when nothing is new. True if it brought a code point the
    // atlas lacks (or an unlogged one it can never hold), i.e. made a rebuild necessary.
    bool add_text(std::string_view utf8);
    // Forgets the collected code points: the collection only grows otherwise, and months of
    // headlines would crowd the atlas. The atlas keeps its glyphs (no rebuild just to shrink);
    // the next rebuild, due when something new arrives, holds only what was added since.
    void reset_text();
    bool needs_rebuild() const;  // something new arrived, or sizes changed, since the last successful build
    void set_sizes(const FontSizes& sizes);  // derived from the screen by the caller; set before the first rebuild

    // Clears and rebuilds `atlas` with the FreeType builder: for each role's size, the collected
    // code points plus a base set (printable ASCII, …, ·, □). Builds the atlas, so the caller only
    // has to re-upload the font texture. The atlas keeps no font files (a CJK collection is 20 MB):
    // calling atlas.Build() again, or dropping its pixels before the upload, loses these fonts.
    // False if no usable font was found or FreeType failed (the atlas may then be empty).
    bool rebuild(ImFontAtlas& atlas);

    ImFont* font(FontRole role) const;      // valid from a successful rebuild until the next one (or atlas.Clear())
    bool has_glyph(char32_t cp) const;      // a real glyph in every built font, not the fallback mark
    std::vector<char32_t> missing() const;  // collected code points no installed face has, as of the last rebuild
    float scale_applied() const;            // 1.0 unless the sizes had to shrink to fit the 2048 limit

private:
    struct Faces;  // fontconfig's ranking, found once at the first rebuild

    std::function<void(const std::string&)> log_;
    std::unique_ptr<Faces> faces_;
    std::bitset<0x10000> bmp_;     // collected BMP code points
    std::bitset<0x10000> built_;   // the BMP code points the last build asked for (base set included)
    std::set<char32_t> astral_;    // collected code points above the BMP: never drawable
    std::set<char32_t> warned_;    // missing code points already logged
    std::vector<char32_t> missing_;
    FontSizes sizes_;
    ImFont* fonts_[static_cast<int>(FontRole::Count)] = {};
    float scale_ = 1.0f;
    bool dirty_ = true;
    bool warned_no_font_ = false;
};

}  // namespace nk::ui
