// SPDX-License-Identifier: Apache-2.0
// fonts.h: the faces the display draws text with, found by fontconfig and opened once per file.
// Each font file is memory-mapped once and shared by every size and weight drawn from it: one
// FreeType face (for rasterising, sizes as FT_Size objects) and one HarfBuzz face (for shaping)
// per face in the file, both reading the mapped bytes, never a copy. A CJK collection of 20 MB
// thus costs only the pages of the glyphs actually drawn.
// Fallback is by script, then by character: Latin, Greek and Cyrillic prefer DejaVu Sans; any
// other script prefers "Noto Sans <Script>" (Noto Sans CJK JP/SC/TC/KR for Han by language); then
// whatever fontconfig ranks next for sans-serif. Emoji presentation goes to the colour emoji face.
// Bold comes from the family's bold face when fontconfig has one, else FreeType emboldens.
// Fallback faces are scaled so that their cap height matches the primary face's, so a line
// mixing scripts reads at one size.
// Depends on FreeType, HarfBuzz, fontconfig and ICU (script properties); no ImGui, no GL.
// Main thread only (FreeType faces are not thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct FT_FaceRec_;
struct FT_SizeRec_;
struct hb_face_t;
struct hb_font_t;

namespace nk::ui {

enum class FontRole { Small, Meta, Summary, Headline, Clock, Ticker, Count };  // Headline and Clock are bold

struct FontSizes {
    float px[static_cast<int>(FontRole::Count)] = {};
    bool operator==(const FontSizes&) const = default;
    float operator[](FontRole r) const { return px[static_cast<int>(r)]; }
};

using FaceId = int;  // index into the library's faces; stable for the library's life
constexpr FaceId kNoFace = -1;

struct Face {
    std::string file;
    int index = 0;                 // face in a collection (.ttc)
    std::string family;
    bool bold = false;             // the face itself is bold (weight >= demibold)
    bool color = false;            // colour bitmaps (CBDT: Noto Color Emoji)
    float scale = 1.0f;            // size factor matching the primary face's cap height
    int upem = 1000;
    FT_FaceRec_* ft = nullptr;
    hb_face_t* hb = nullptr;
};

class FontLibrary {
public:
    // log: one line, no newline (missing fonts, unreadable files, characters no face has).
    explicit FontLibrary(std::function<void(const std::string&)> log);
    ~FontLibrary();
    FontLibrary(const FontLibrary&) = delete;
    FontLibrary& operator=(const FontLibrary&) = delete;

    // BCP 47 language ("ja", "zh-TW", "de"): picks the CJK variant for Han. Before any text.
    void set_language(const std::string& lang);
    const std::string& language() const { return lang_; }

    // The face for code point cp in a run of `script` (an ICU UScriptCode) at the given weight;
    // `prefer` (if it has cp) keeps a run in one face. kNoFace when no installed face has it.
    FaceId face_for(char32_t cp, int script, bool bold, FaceId prefer = kNoFace);
    // The face whose line metrics set the line box; kNoFace when fontconfig found no font at all.
    FaceId primary(bool bold);
    bool has_char(FaceId f, char32_t cp) const;
    const Face& face(FaceId f) const { return *faces_[static_cast<size_t>(f)]; }
    // Synthetic emboldening needed: bold asked for, but the face is regular.
    bool needs_embolden(FaceId f, bool bold) const { return bold && !face(f).bold && !face(f).color; }

    // A HarfBuzz font for the face at `px` (em size in pixels, before the face's own scale),
    // positions in 26.6 pixels; owned by the library.
    hb_font_t* hb_font(FaceId f, float px);
    // The FreeType face set to `px` (scaled as hb_font), or to its nearest bitmap strike for a
    // colour face (*strike_scale is then the factor from the strike to px, else 1).
    FT_FaceRec_* ft_sized(FaceId f, float px, float* strike_scale);

    // Ascender and descender (positive, px) of the primary face at px.
    float ascender(float px, bool bold);
    float descender(float px, bool bold);

    std::size_t mapped_bytes() const;  // address space of the mapped files (resident: only touched pages)
    // Unmaps the pages of the font files that text touched; they stay in the kernel's page cache and
    // come back (a minor fault, no disk read) when text is next shaped or rasterised. Each touch maps
    // 64 KB around it (the kernel's fault-around, which madvise cannot turn off), so the CJK files
    // alone held 7 MiB once a few dozen ideographs were drawn. For after text changed.
    void release_pages();
    int faces_opened() const { return static_cast<int>(faces_.size()); }
    void warn_missing(char32_t cp);    // logged once per code point

private:
    struct Mapping;
    struct Chain;
    FaceId open(const std::string& file, int index, const std::string& family, bool bold, bool color,
                const void* charset);
    FaceId emoji_face();
    Chain& chain_for(int script, bool bold);
    void ensure_chains();

    std::function<void(const std::string&)> log_;
    std::string lang_ = "en";
    void* ft_lib_ = nullptr;
    std::map<std::string, std::unique_ptr<Mapping>> maps_;
    std::vector<std::unique_ptr<Face>> faces_;
    std::vector<void*> charsets_;                 // FcCharSet* per face
    std::map<std::pair<std::string, int>, FaceId> by_file_;
    std::map<std::pair<int, int>, std::unique_ptr<Chain>> chains_;  // (script, bold)
    std::map<std::pair<FaceId, int>, hb_font_t*> hb_fonts_;          // (face, px*64)
    std::map<std::pair<FaceId, int>, FT_SizeRec_*> ft_sizes_;
    FaceId emoji_ = kNoFace;
    bool emoji_looked_up_ = false;
    std::vector<char32_t> warned_;
    float primary_cap_ = 0;
    bool warned_no_font_ = false;
};

}  // namespace nk::ui
