// SPDX-License-Identifier: Apache-2.0
#include "ui/fonts.h"

#include <fontconfig/fontconfig.h>
#include <imgui.h>
#include <imgui_freetype.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>

namespace nk::ui {

namespace {

constexpr int kMaxTexture = 2048;           // GL_MAX_TEXTURE_SIZE on the Pi 3 (vc4)
constexpr char32_t kFallbackMark = 0x25A1;  // □: unlike ImGui's default '?', it cannot pass for text
constexpr char32_t kInvalid = 0xFFFFFFFF;
constexpr int kRoles = static_cast<int>(FontRole::Count);
enum Chain { Regular, Bold };

Chain chain_of(int role) {
    const auto r = static_cast<FontRole>(role);
    return r == FontRole::Headline || r == FontRole::Clock ? Bold : Regular;
}

// In every atlas whatever the text: ImGui draws "…" when it cuts text, the display uses "·", and
// the fallback mark must exist to be used.
const std::bitset<0x10000>& base_set() {
    static const auto set = [] {
        std::bitset<0x10000> s;
        for (char32_t c = 0x20; c < 0x7F; ++c) s.set(c);
        for (char32_t c : {U'\u2026', U'\u00B7', kFallbackMark}) s.set(c);
        return s;
    }();
    return set;
}

// The code point starting at s[i], advancing i past it; kInvalid (having consumed one byte or a
// malformed sequence) for anything that is not well-formed UTF-8.
char32_t next_code_point(std::string_view s, size_t& i) {
    const auto lead = static_cast<unsigned char>(s[i++]);
    if (lead < 0x80) return lead;
    const int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    if (extra == 0 || lead > 0xF4) return kInvalid;
    char32_t cp = lead & (0x3Fu >> extra);
    for (int k = 0; k < extra; ++k) {
        if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return kInvalid;
        cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3Fu);
    }
    static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalid;
    return cp;
}

std::string code_point_name(char32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
    return buf;
}

std::string utf8(char32_t cp) {  // BMP only: what the atlas can hold
    if (cp < 0x80) return std::string(1, static_cast<char>(cp));
    if (cp < 0x800) return {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
    return {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
            static_cast<char>(0x80 | (cp & 0x3F))};
}

struct FcFontSetFree {
    void operator()(FcFontSet* s) const { FcFontSetDestroy(s); }
};

bool read_file(const std::string& path, std::vector<char>& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return true;
}

}  // namespace

struct FontSet::Faces {
    struct Face {
        std::string file;
        int index;               // face in a .ttc collection (Noto CJK), ImFontConfig::FontNo
        const FcCharSet* chars;  // borrowed from `sorted`
    };
    std::unique_ptr<FcFontSet, FcFontSetFree> sorted[2];
    std::vector<Face> chain[2];  // per Chain, in fontconfig's order: the first face having a code point draws it

    Faces() {
        for (Chain c : {Regular, Bold}) {
            sorted[c].reset(sort(c == Bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR));
            if (!sorted[c]) continue;
            for (int i = 0; i < sorted[c]->nfont; ++i) {
                const FcPattern* p = sorted[c]->fonts[i];
                FcChar8* file = nullptr;
                FcCharSet* chars = nullptr;
                int index = 0, weight = FC_WEIGHT_REGULAR, slant = FC_SLANT_ROMAN;
                FcBool scalable = FcFalse, color = FcFalse;
                if (FcPatternGetString(p, FC_FILE, 0, &file) != FcResultMatch ||
                    FcPatternGetCharSet(p, FC_CHARSET, 0, &chars) != FcResultMatch)
                    continue;
                FcPatternGetInteger(p, FC_INDEX, 0, &index);
                FcPatternGetInteger(p, FC_WEIGHT, 0, &weight);
                FcPatternGetInteger(p, FC_SLANT, 0, &slant);
                FcPatternGetBool(p, FC_SCALABLE, 0, &scalable);
                FcPatternGetBool(p, FC_COLOR, 0, &color);
                // Bitmap and colour (emoji) faces do not rasterize at arbitrary sizes in grey;
                // the trimmed sort still lists bold and oblique styles that add a few characters,
                // and a regular text run must not pick those up.
                if (!scalable || color || slant != FC_SLANT_ROMAN || (c == Regular && weight >= FC_WEIGHT_DEMIBOLD))
                    continue;
                chain[c].push_back({reinterpret_cast<const char*>(file), index, chars});
            }
        }
    }

    // Faces for "DejaVu Sans", then sans-serif, best first; trimmed to those adding coverage.
    static FcFontSet* sort(int weight) {
        FcPattern* p = FcPatternCreate();
        FcPatternAddString(p, FC_FAMILY, reinterpret_cast<const FcChar8*>("DejaVu Sans"));
        FcPatternAddString(p, FC_FAMILY, reinterpret_cast<const FcChar8*>("sans-serif"));
        FcPatternAddInteger(p, FC_WEIGHT, weight);
        FcConfigSubstitute(nullptr, p, FcMatchPattern);
        FcDefaultSubstitute(p);
        FcResult result;
        FcFontSet* set = FcFontSort(nullptr, p, FcTrue, nullptr, &result);
        FcPatternDestroy(p);
        return set;
    }
};

FontSet::FontSet(std::function<void(const std::string&)> log) : log_(std::move(log)) {}
FontSet::~FontSet() = default;

bool FontSet::add_text(std::string_view s) {
    bool added = false;
    for (size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {  // printable ASCII is in the base set, controls are never drawn
            ++i;
            continue;
        }
        const char32_t cp = next_code_point(s, i);
        if (cp == kInvalid || cp <= 0x9F) continue;  // invalid, or a C1 control
        if (cp > 0xFFFF) {
            added |= astral_.insert(cp).second && !warned_.count(cp);
        } else if (!bmp_[cp]) {
            bmp_.set(cp);
            added |= !built_[cp] && !base_set()[cp];
        }
    }
    dirty_ |= added;
    return added;
}

void FontSet::reset_text() {
    bmp_.reset();
    astral_.clear();
}

bool FontSet::needs_rebuild() const { return dirty_; }

void FontSet::set_sizes(const FontSizes& sizes) {
    if (sizes == sizes_) return;
    sizes_ = sizes;
    dirty_ = true;
}

bool FontSet::rebuild(ImFontAtlas& atlas) {
    if (!faces_) faces_ = std::make_unique<Faces>();

    // Assign every wanted code point to the first face of each chain that has it. A face's ImGui
    // ranges hold exactly its code points, so a merged fallback face adds no glyph it is not needed for.
    struct Merge {
        const Faces::Face* face;
        std::vector<ImWchar> ranges;  // zero-terminated pairs
    };
    std::vector<Merge> merges[2];
    std::vector<char32_t> missing;
    const std::bitset<0x10000> wanted = bmp_ | base_set();
    for (Chain c : {Regular, Bold}) {
        const auto& chain = faces_->chain[c];
        std::vector<std::vector<ImWchar>> ranges(chain.size());
        for (char32_t cp = 0x20; cp <= 0xFFFF; ++cp) {
            if (!wanted[cp]) continue;
            const auto face = std::find_if(chain.begin(), chain.end(),
                                           [cp](const Faces::Face& f) { return FcCharSetHasChar(f.chars, cp); });
            if (face == chain.end()) {
                if (c == Regular && bmp_[cp]) missing.push_back(cp);
                continue;
            }
            auto& r = ranges[face - chain.begin()];
            if (!r.empty() && r.back() + 1u == cp) {
                r.back() = static_cast<ImWchar>(cp);
            } else {
                r.push_back(static_cast<ImWchar>(cp));
                r.push_back(static_cast<ImWchar>(cp));
            }
        }
        for (size_t i = 0; i < chain.size(); ++i) {
            if (ranges[i].empty()) continue;
            ranges[i].push_back(0);
            merges[c].push_back({&chain[i], std::move(ranges[i])});
        }
    }
    missing.insert(missing.end(), astral_.begin(), astral_.end());
    if (merges[Regular].empty() || merges[Bold].empty()) {
        if (!warned_no_font_) log_("font: fontconfig found no usable scalable font; no text can be drawn");
        warned_no_font_ = true;
        return false;
    }

    // Read each file once for all roles; the atlas only borrows the bytes and the ranges, so both
    // must outlive Build(), and the atlas must forget them before this function returns.
    std::map<std::string, std::vector<char>> files;
    for (const auto& chain_merges : merges)
        for (const Merge& m : chain_merges)
            if (!files.count(m.face->file) && !read_file(m.face->file, files[m.face->file])) {
                log_("font: cannot read " + m.face->file);
                return false;
            }

    atlas.FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();
    atlas.FontBuilderFlags = ImGuiFreeTypeBuilderFlags_LightHinting;
    atlas.Flags |= ImFontAtlasFlags_NoMouseCursors;  // the kiosk hides the cursor
    atlas.TexDesiredWidth = kMaxTexture;              // only the height is left to grow past the limit
    float scale = 1.0f;
    int first_height = 0;
    for (;;) {
        atlas.Clear();
        float px[kRoles];
        for (int role = 0; role < kRoles; ++role) {
            // ImGui asserts on size 0; and at 1 px the whole BMP fits, so shrinking always ends.
            px[role] = std::max(std::round(sizes_.px[role] * scale), 1.0f);
            fonts_[role] = nullptr;
            for (int other = 0; other < role; ++other)  // two roles alike share one font
                if (chain_of(other) == chain_of(role) && px[other] == px[role]) fonts_[role] = fonts_[other];
            if (fonts_[role]) continue;
            for (Merge& m : merges[chain_of(role)]) {
                ImFontConfig cfg;
                cfg.FontDataOwnedByAtlas = false;
                cfg.FontNo = m.face->index;
                cfg.MergeMode = fonts_[role] != nullptr;
                auto& bytes = files[m.face->file];
                fonts_[role] = atlas.AddFontFromMemoryTTF(bytes.data(), static_cast<int>(bytes.size()), px[role], &cfg,
                                                          m.ranges.data());
            }
            // Build's lookup table keeps a FallbackChar the font has; left alone it picks U+FFFD or '?'.
            fonts_[role]->FallbackChar = static_cast<ImWchar>(kFallbackMark);
        }
        if (!atlas.Build()) {
            log_("font: FreeType could not build the font atlas");
            std::fill(std::begin(fonts_), std::end(fonts_), nullptr);
            return false;
        }
        if (atlas.TexHeight <= kMaxTexture) break;
        if (!first_height) first_height = atlas.TexHeight;
        // Glyph area goes with size squared: jump near the fitting scale, then creep down.
        float surface = 0;
        for (const ImFont* f : atlas.Fonts) surface += static_cast<float>(f->MetricsTotalSurface);
        scale *= std::min(0.85f, std::sqrt(0.8f * kMaxTexture * kMaxTexture / surface));
    }
    atlas.ClearInputData();  // it points into `files` and `merges`, which go now

    scale_ = scale;
    if (first_height) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "font: the text needs a %dx%d font atlas, over the %d limit; font sizes scaled by %.2f",
                      kMaxTexture, first_height, kMaxTexture, static_cast<double>(scale));
        log_(buf);
    }
    const char32_t mark = fonts_[0]->FallbackChar;
    for (char32_t cp : missing)
        if (warned_.insert(cp).second)
            log_("font: no installed font has " + code_point_name(cp) + "; it is drawn as " + code_point_name(mark) +
                 " " + utf8(mark));
    missing_ = std::move(missing);
    built_ = wanted;
    dirty_ = false;
    return true;
}

ImFont* FontSet::font(FontRole role) const { return fonts_[static_cast<int>(role)]; }

bool FontSet::has_glyph(char32_t cp) const {
    return cp <= 0xFFFF && fonts_[0] && std::all_of(std::begin(fonts_), std::end(fonts_), [cp](const ImFont* f) {
               return f->FindGlyphNoFallback(static_cast<ImWchar>(cp)) != nullptr;
           });
}

std::vector<char32_t> FontSet::missing() const { return missing_; }

float FontSet::scale_applied() const { return scale_; }

}  // namespace nk::ui
