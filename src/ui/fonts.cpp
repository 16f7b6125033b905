// SPDX-License-Identifier: Apache-2.0
#include "ui/fonts.h"

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_SIZES_H
#include FT_TRUETYPE_TABLES_H
#include <hb-ot.h>
#include <hb.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nk::ui {

namespace {

FT_Library lib(void* p) { return static_cast<FT_Library>(p); }

std::string code_point_name(char32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
    return buf;
}

// Scripts DejaVu Sans draws well; everything else asks for the Noto face made for it.
bool latin_like(int script) {
    switch (script) {
    case USCRIPT_LATIN:
    case USCRIPT_GREEK:
    case USCRIPT_CYRILLIC:
    case USCRIPT_COMMON:
    case USCRIPT_INHERITED:
    case USCRIPT_UNKNOWN:
    case USCRIPT_INVALID_CODE: return true;
    default: return false;
    }
}

bool cjk(int script) {
    return script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA ||
           script == USCRIPT_BOPOMOFO || script == USCRIPT_HANGUL || script == USCRIPT_KATAKANA_OR_HIRAGANA;
}

// Noto CJK's regional variant: the same code point has a different glyph in Japan, China,
// Taiwan/Hong Kong and Korea, so the language decides (Japanese when nothing says otherwise is
// as arbitrary as any choice; the configured language overrides it).
std::string cjk_family(int script, const std::string& lang) {
    if (script == USCRIPT_HANGUL || lang.rfind("ko", 0) == 0) return "Noto Sans CJK KR";
    if (lang.rfind("zh", 0) == 0) {
        if (lang.find("TW") != std::string::npos || lang.find("HK") != std::string::npos ||
            lang.find("Hant") != std::string::npos)
            return "Noto Sans CJK TC";
        return "Noto Sans CJK SC";
    }
    return "Noto Sans CJK JP";
}

float cap_ratio(FT_Face ft) {
    const auto* os2 = static_cast<const TT_OS2*>(FT_Get_Sfnt_Table(ft, FT_SFNT_OS2));
    if (os2 && os2->version >= 2 && os2->sCapHeight > 0 && ft->units_per_EM > 0)
        return static_cast<float>(os2->sCapHeight) / static_cast<float>(ft->units_per_EM);
    return 0.7f;  // the usual Latin proportion, for fonts that do not say
}

}  // namespace

// A font file mapped read-only: the kernel shares its pages with every other process reading it
// and loads only the ones touched.
struct FontLibrary::Mapping {
    void* base = nullptr;
    std::size_t size = 0;
    hb_blob_t* blob = nullptr;
    ~Mapping() {
        if (blob) hb_blob_destroy(blob);
        if (base) munmap(base, size);
    }
};

// Candidate faces for one script and weight, best first, opened only when first used.
struct FontLibrary::Chain {
    struct Entry {
        std::string file, family;
        int index = 0;
        bool bold = false;
        const FcCharSet* chars = nullptr;  // borrowed from `set`
        FaceId opened = kNoFace;
        bool failed = false;
    };
    FcFontSet* set = nullptr;
    std::vector<Entry> entries;
    ~Chain() {
        if (set) FcFontSetDestroy(set);
    }
};

FontLibrary::FontLibrary(std::function<void(const std::string&)> log) : log_(std::move(log)) {
    FT_Library l = nullptr;
    if (FT_Init_FreeType(&l) != 0) log_("font: FreeType could not start; no text can be drawn");
    ft_lib_ = l;
}

FontLibrary::~FontLibrary() {
    for (auto& [k, f] : hb_fonts_) hb_font_destroy(f);
    for (auto& f : faces_) {
        if (f->hb) hb_face_destroy(f->hb);
        if (f->ft) FT_Done_Face(f->ft);  // its sizes go with it
    }
    for (void* cs : charsets_)
        if (cs) FcCharSetDestroy(static_cast<FcCharSet*>(cs));
    chains_.clear();
    maps_.clear();
    if (ft_lib_) FT_Done_FreeType(lib(ft_lib_));
}

void FontLibrary::set_language(const std::string& lang) {
    if (lang == lang_) return;
    lang_ = lang.empty() ? "en" : lang;
    // The CJK choice depends on it; opened faces stay (they are keyed by file).
    for (auto it = chains_.begin(); it != chains_.end();)
        it = cjk(it->first.first) ? chains_.erase(it) : std::next(it);
}

FaceId FontLibrary::open(const std::string& file, int index, const std::string& family, bool bold, bool color,
                         const void* charset) {
    if (auto it = by_file_.find({file, index}); it != by_file_.end()) return it->second;
    if (!ft_lib_) return kNoFace;
    Mapping* map = nullptr;
    if (auto it = maps_.find(file); it != maps_.end()) {
        map = it->second.get();
    } else {
        int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat st {};
        if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) {
            if (fd >= 0) ::close(fd);
            log_("font: cannot read " + file);
            by_file_[{file, index}] = kNoFace;
            return kNoFace;
        }
        auto m = std::make_unique<Mapping>();
        m->size = static_cast<std::size_t>(st.st_size);
        m->base = mmap(nullptr, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
        ::close(fd);
        if (m->base == MAP_FAILED) {
            m->base = nullptr;
            log_("font: cannot map " + file);
            by_file_[{file, index}] = kNoFace;
            return kNoFace;
        }
        m->blob = hb_blob_create(static_cast<const char*>(m->base), static_cast<unsigned>(m->size),
                                 HB_MEMORY_MODE_READONLY, nullptr, nullptr);
        map = m.get();
        maps_[file] = std::move(m);
    }
    FT_Face ft = nullptr;
    if (FT_New_Memory_Face(lib(ft_lib_), static_cast<const FT_Byte*>(map->base), static_cast<FT_Long>(map->size), index,
                           &ft) != 0) {
        log_("font: FreeType cannot open " + file);
        by_file_[{file, index}] = kNoFace;
        return kNoFace;
    }
    auto f = std::make_unique<Face>();
    f->file = file;
    f->index = index;
    f->family = family;
    f->bold = bold;
    f->color = color || FT_HAS_COLOR(ft);
    f->ft = ft;
    f->hb = hb_face_create(map->blob, static_cast<unsigned>(index));
    f->upem = static_cast<int>(hb_face_get_upem(f->hb));
    // Cap height to cap height (not the nominal em): how tall text looks is what the eye compares.
    if (!f->color && primary_cap_ > 0) f->scale = std::clamp(primary_cap_ / cap_ratio(ft), 0.85f, 1.2f);
    // fontconfig's cached coverage: asking FreeType instead would read the whole cmap of a CJK face.
    FcCharSet* cs = charset ? FcCharSetCopy(const_cast<FcCharSet*>(static_cast<const FcCharSet*>(charset))) : nullptr;
    faces_.push_back(std::move(f));
    charsets_.push_back(cs);
    const FaceId id = static_cast<FaceId>(faces_.size() - 1);
    by_file_[{file, index}] = id;
    return id;
}

FontLibrary::Chain& FontLibrary::chain_for(int script, bool bold) {
    if (latin_like(script)) script = USCRIPT_LATIN;
    auto key = std::make_pair(script, bold ? 1 : 0);
    if (auto it = chains_.find(key); it != chains_.end()) return *it->second;
    auto chain = std::make_unique<Chain>();
    FcPattern* p = FcPatternCreate();
    std::string first;
    if (script == USCRIPT_LATIN) {
        first = "DejaVu Sans";
    } else if (cjk(script)) {
        first = cjk_family(script, lang_);
    } else if (const char* name = uscript_getName(static_cast<UScriptCode>(script))) {
        first = std::string("Noto Sans ") + name;
        std::replace(first.begin(), first.end(), '_', ' ');
    }
    if (!first.empty()) FcPatternAddString(p, FC_FAMILY, reinterpret_cast<const FcChar8*>(first.c_str()));
    FcPatternAddString(p, FC_FAMILY, reinterpret_cast<const FcChar8*>("DejaVu Sans"));
    FcPatternAddString(p, FC_FAMILY, reinterpret_cast<const FcChar8*>("sans-serif"));
    FcPatternAddInteger(p, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
    FcConfigSubstitute(nullptr, p, FcMatchPattern);
    FcDefaultSubstitute(p);
    FcResult result;
    chain->set = FcFontSort(nullptr, p, FcTrue, nullptr, &result);
    FcPatternDestroy(p);
    if (chain->set) {
        for (int i = 0; i < chain->set->nfont; ++i) {
            const FcPattern* fp = chain->set->fonts[i];
            FcChar8* file = nullptr;
            FcChar8* family = nullptr;
            FcCharSet* chars = nullptr;
            int index = 0, weight = FC_WEIGHT_REGULAR, slant = FC_SLANT_ROMAN;
            FcBool scalable = FcFalse, color = FcFalse;
            if (FcPatternGetString(fp, FC_FILE, 0, &file) != FcResultMatch ||
                FcPatternGetCharSet(fp, FC_CHARSET, 0, &chars) != FcResultMatch)
                continue;
            FcPatternGetString(fp, FC_FAMILY, 0, &family);
            FcPatternGetInteger(fp, FC_INDEX, 0, &index);
            FcPatternGetInteger(fp, FC_WEIGHT, 0, &weight);
            FcPatternGetInteger(fp, FC_SLANT, 0, &slant);
            FcPatternGetBool(fp, FC_SCALABLE, 0, &scalable);
            FcPatternGetBool(fp, FC_COLOR, 0, &color);
            // Colour faces are the emoji face's business; oblique and (for regular text) bold
            // styles add a few characters to the trimmed sort and must not pick them up.
            if (!scalable || color || slant != FC_SLANT_ROMAN || (!bold && weight >= FC_WEIGHT_DEMIBOLD)) continue;
            Chain::Entry e;
            e.file = reinterpret_cast<const char*>(file);
            e.family = family ? reinterpret_cast<const char*>(family) : "";
            e.index = index;
            e.bold = weight >= FC_WEIGHT_DEMIBOLD;
            e.chars = chars;
            chain->entries.push_back(std::move(e));
        }
    }
    return *chains_.emplace(key, std::move(chain)).first->second;
}

void FontLibrary::ensure_chains() {
    if (primary_cap_ > 0) return;
    Chain& latin = chain_for(USCRIPT_LATIN, false);
    for (auto& e : latin.entries) {
        e.opened = open(e.file, e.index, e.family, e.bold, false, e.chars);
        if (e.opened == kNoFace) continue;
        primary_cap_ = cap_ratio(face(e.opened).ft);
        return;
    }
    primary_cap_ = 0.7f;
    if (!warned_no_font_) log_("font: fontconfig found no usable scalable font; no text can be drawn");
    warned_no_font_ = true;
}

FaceId FontLibrary::primary(bool bold) {
    ensure_chains();
    Chain& c = chain_for(USCRIPT_LATIN, bold);
    for (auto& e : c.entries) {
        if (e.failed) continue;
        if (e.opened == kNoFace) e.opened = open(e.file, e.index, e.family, e.bold, false, e.chars);
        if (e.opened != kNoFace) return e.opened;
        e.failed = true;
    }
    return kNoFace;
}

bool FontLibrary::has_char(FaceId f, char32_t cp) const {
    if (f < 0 || static_cast<size_t>(f) >= faces_.size()) return false;
    const auto* cs = static_cast<const FcCharSet*>(charsets_[static_cast<size_t>(f)]);
    if (cs) return FcCharSetHasChar(cs, cp);
    return FT_Get_Char_Index(faces_[static_cast<size_t>(f)]->ft, cp) != 0;
}

FaceId FontLibrary::face_for(char32_t cp, int script, bool bold, FaceId prefer) {
    ensure_chains();
    if (u_hasBinaryProperty(static_cast<UChar32>(cp), UCHAR_EMOJI_PRESENTATION)) {
        FaceId e = emoji_face();
        if (e != kNoFace && has_char(e, cp)) return e;
    }
    if (prefer != kNoFace && has_char(prefer, cp)) return prefer;
    for (int s : {script, static_cast<int>(USCRIPT_LATIN)}) {
        Chain& c = chain_for(s, bold);
        for (auto& e : c.entries) {
            if (e.failed || !FcCharSetHasChar(e.chars, cp)) continue;
            if (e.opened == kNoFace) e.opened = open(e.file, e.index, e.family, e.bold, false, e.chars);
            if (e.opened != kNoFace) return e.opened;
            e.failed = true;
        }
    }
    // Text presentation by default, but no text face has it (U+263A with no symbol font installed).
    FaceId e = emoji_face();
    if (e != kNoFace && has_char(e, cp)) return e;
    return kNoFace;
}

FaceId FontLibrary::emoji_face() {
    if (emoji_looked_up_) return emoji_;
    emoji_looked_up_ = true;
    FcPattern* p = FcPatternCreate();
    FcPatternAddString(p, FC_FAMILY, reinterpret_cast<const FcChar8*>("Noto Color Emoji"));
    FcPatternAddString(p, FC_FAMILY, reinterpret_cast<const FcChar8*>("emoji"));
    FcPatternAddBool(p, FC_COLOR, FcTrue);
    FcConfigSubstitute(nullptr, p, FcMatchPattern);
    FcDefaultSubstitute(p);
    FcResult r;
    if (FcPattern* m = FcFontMatch(nullptr, p, &r)) {
        FcChar8* file = nullptr;
        FcCharSet* chars = nullptr;
        FcBool color = FcFalse;
        int index = 0;
        FcPatternGetBool(m, FC_COLOR, 0, &color);
        FcPatternGetInteger(m, FC_INDEX, 0, &index);
        FcPatternGetCharSet(m, FC_CHARSET, 0, &chars);
        if (color && FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch)
            emoji_ = open(reinterpret_cast<const char*>(file), index, "emoji", false, true, chars);
        FcPatternDestroy(m);
    }
    FcPatternDestroy(p);
    return emoji_;
}

void FontLibrary::warn_missing(char32_t cp) {
    if (warned_no_font_) return;  // "no usable font at all" was said once; a line per character adds nothing
    if (std::find(warned_.begin(), warned_.end(), cp) != warned_.end()) return;
    warned_.push_back(cp);
    log_("font: no installed font has " + code_point_name(cp) + "; it is drawn as U+25A1 \u25A1");
}

hb_font_t* FontLibrary::hb_font(FaceId f, float px) {
    const int key = static_cast<int>(std::lround(px * 64));
    auto it = hb_fonts_.find({f, key});
    if (it != hb_fonts_.end()) return it->second;
    hb_font_t* font = hb_font_create(face(f).hb);
    const int scale = static_cast<int>(std::lround(px * face(f).scale * 64));
    hb_font_set_scale(font, scale, scale);
    hb_fonts_[{f, key}] = font;
    return font;
}

FT_FaceRec_* FontLibrary::ft_sized(FaceId f, float px, float* strike_scale) {
    const int key = static_cast<int>(std::lround(px * 64));
    FT_Face ft = face(f).ft;
    const float want = px * face(f).scale;
    auto it = ft_sizes_.find({f, key});
    if (it == ft_sizes_.end()) {
        FT_Size size = nullptr;
        if (FT_New_Size(ft, &size) != 0) return nullptr;
        FT_Activate_Size(size);
        if (!FT_IS_SCALABLE(ft) && ft->num_fixed_sizes > 0) {
            // A bitmap strike (colour emoji come at 109 px only): the smallest at least as large, else the largest.
            int best = 0;
            for (int i = 0; i < ft->num_fixed_sizes; ++i) {
                const float ppem = static_cast<float>(ft->available_sizes[i].y_ppem) / 64.0f;
                const float best_ppem = static_cast<float>(ft->available_sizes[best].y_ppem) / 64.0f;
                if ((ppem >= want && (best_ppem < want || ppem < best_ppem)) || (best_ppem < want && ppem > best_ppem)) best = i;
            }
            FT_Select_Size(ft, best);
        } else {
            FT_Set_Char_Size(ft, 0, static_cast<FT_F26Dot6>(std::lround(want * 64)), 72, 72);
        }
        it = ft_sizes_.emplace(std::make_pair(f, key), size).first;
    }
    FT_Activate_Size(it->second);
    if (strike_scale) {
        *strike_scale = 1.0f;
        if (!FT_IS_SCALABLE(ft) && ft->size->metrics.y_ppem > 0) *strike_scale = want / static_cast<float>(ft->size->metrics.y_ppem);
    }
    return ft;
}

float FontLibrary::ascender(float px, bool bold) {
    FaceId p = primary(bold);
    if (p == kNoFace) return px * 0.93f;
    hb_font_extents_t e{};
    hb_font_get_h_extents(hb_font(p, px), &e);
    return static_cast<float>(e.ascender) / 64.0f;
}

float FontLibrary::descender(float px, bool bold) {
    FaceId p = primary(bold);
    if (p == kNoFace) return px * 0.24f;
    hb_font_extents_t e{};
    hb_font_get_h_extents(hb_font(p, px), &e);
    return static_cast<float>(-e.descender) / 64.0f;
}

void FontLibrary::release_pages() {
    for (const auto& [k, m] : maps_) madvise(m->base, m->size, MADV_DONTNEED);
}

std::size_t FontLibrary::mapped_bytes() const {
    std::size_t n = 0;
    for (const auto& [k, m] : maps_) n += m->size;
    return n;
}

}  // namespace nk::ui
