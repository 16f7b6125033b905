// SPDX-License-Identifier: Apache-2.0
#include "ui/text.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace nk::ui {

namespace {

constexpr int kMaxTexture = 2048;  // GL_MAX_TEXTURE_SIZE on the Pi 3 (vc4)

// The block's pixels, composited glyph by glyph. While every glyph is monochrome the block is one
// tint times a coverage, so one float per pixel; premultiplied colour planes start only when a
// colour glyph (an emoji) arrives. A headline is a megapixel: four planes were 16 MB to clear.
struct Canvas {
    int w = 0, h = 0;
    float tint[3] = {0, 0, 0};
    size_t n = 0;
    // Coverage (alpha) in 0..1. calloc, not a zero-filled vector: a canvas is up to megabytes, and
    // a large block comes zeroed from the kernel, so the pages no glyph covers are never written
    // (a memset of the whole canvas was half the cost of rasterising a card's text).
    std::unique_ptr<float[], void (*)(float*)> a{nullptr, [](float* p) { std::free(p); }};
    std::vector<float> rgb;  // premultiplied r, g, b; empty while the block is monochrome
    Canvas(int width, int height, const float (&colour)[3])
        : w(width), h(height), tint{colour[0], colour[1], colour[2]}, n(static_cast<size_t>(width) * static_cast<size_t>(height)) {
        a.reset(static_cast<float*>(std::calloc(std::max<size_t>(n, 1), sizeof(float))));
        if (!a) throw std::bad_alloc();
    }
    bool colour() const { return !rgb.empty(); }
    size_t at(int x, int y) const { return static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x); }
    // A monochrome glyph's coverage c, in the block's tint.
    void cover(int x, int y, float c) {
        if (x < 0 || y < 0 || x >= w || y >= h || c <= 0) return;
        const size_t i = at(x, y);
        const float k = 1 - c;
        a[i] = c + a[i] * k;
        if (colour())
            for (int ch = 0; ch < 3; ++ch) rgb[i * 3 + static_cast<size_t>(ch)] = tint[ch] * c + rgb[i * 3 + static_cast<size_t>(ch)] * k;
    }
    // A colour glyph's premultiplied pixel.
    void over(int x, int y, float r, float g, float b, float alpha) {
        if (x < 0 || y < 0 || x >= w || y >= h || alpha <= 0) return;
        if (!colour()) {
            rgb.resize(n * 3);
            for (size_t i = 0; i < n; ++i)
                for (size_t ch = 0; ch < 3; ++ch) rgb[i * 3 + ch] = tint[ch] * a[i];
        }
        const size_t i = at(x, y);
        const float k = 1 - alpha;
        a[i] = alpha + a[i] * k;
        rgb[i * 3] = r + rgb[i * 3] * k;
        rgb[i * 3 + 1] = g + rgb[i * 3 + 1] * k;
        rgb[i * 3 + 2] = b + rgb[i * 3 + 2] * k;
    }
};

// Area-averaged scaling of a premultiplied BGRA bitmap (colour emoji come as 109 px strikes).
std::vector<float> scale_bgra(const FT_Bitmap& bm, float scale, int* out_w, int* out_h) {
    const int sw = static_cast<int>(bm.width), sh = static_cast<int>(bm.rows);
    const int dw = std::max(1, static_cast<int>(std::lround(static_cast<float>(sw) * scale)));
    const int dh = std::max(1, static_cast<int>(std::lround(static_cast<float>(sh) * scale)));
    std::vector<float> out(static_cast<size_t>(dw) * static_cast<size_t>(dh) * 4, 0.0f);
    for (int y = 0; y < dh; ++y) {
        const int y0 = y * sh / dh, y1 = std::max(y0 + 1, (y + 1) * sh / dh);
        for (int x = 0; x < dw; ++x) {
            const int x0 = x * sw / dw, x1 = std::max(x0 + 1, (x + 1) * sw / dw);
            float acc[4] = {0, 0, 0, 0};
            for (int sy = y0; sy < y1; ++sy) {
                const unsigned char* row = bm.buffer + static_cast<ptrdiff_t>(sy) * bm.pitch;
                for (int sx = x0; sx < x1; ++sx)
                    for (int c = 0; c < 4; ++c) acc[c] += static_cast<float>(row[sx * 4 + c]);
            }
            const float n = static_cast<float>((y1 - y0) * (x1 - x0)) * 255.0f;
            float* d = &out[(static_cast<size_t>(y) * static_cast<size_t>(dw) + static_cast<size_t>(x)) * 4];
            d[0] = acc[2] / n;  // BGRA to RGBA
            d[1] = acc[1] / n;
            d[2] = acc[0] / n;
            d[3] = acc[3] / n;
        }
    }
    *out_w = dw;
    *out_h = dh;
    return out;
}

// The colour is not part of the key: a monochrome block is tinted when drawn, so one texture
// serves every colour. Only a block with colour glyphs has its ink colour baked in (see block()).
std::string key_of(std::string_view text, const TextStyle& s, const TextBox& b) {
    std::string k;
    k.reserve(text.size() + 48);
    auto num = [&](long v) {
        k.append(std::to_string(v));
        k.push_back('|');
    };
    num(std::lround(s.px * 64));
    num(s.bold);
    num(std::lround(b.width * 4));
    num(b.max_lines);
    num(std::lround(b.line_spacing * 100));
    num(static_cast<long>(b.direction));
    num(b.rich);
    num(b.center);
    k.append(text);
    return k;
}

}  // namespace

ImTextureID TextureSink::upload_alpha(const unsigned char* alpha, int width, int height) {
    std::vector<unsigned char> rgba(static_cast<size_t>(width) * static_cast<size_t>(height) * 4, 255);
    for (size_t i = 0, n = static_cast<size_t>(width) * static_cast<size_t>(height); i < n; ++i) rgba[i * 4 + 3] = alpha[i];
    return upload_text(rgba.data(), width, height);
}

TextEngine::TextEngine(TextureSink& textures, std::function<void(const std::string&)> log)
    : textures_(textures), log_(std::move(log)), fonts_(std::make_unique<FontLibrary>(log_)) {}

TextEngine::~TextEngine() { release_all(); }

void TextEngine::release_all() {
    for (auto& [k, b] : blocks_)
        for (auto& t : b.tiles)
            if (t.texture) textures_.release(t.texture);
    blocks_.clear();
    stats_.texture_bytes = 0;
    stats_.blocks = 0;
}

void TextEngine::set_language(const std::string& lang) {
    const std::string l = lang.empty() ? "en" : lang;
    if (l == lang_) return;
    lang_ = l;
    fonts_->set_language(l);
    release_all();  // line breaks and CJK glyph variants depend on it
}

void TextEngine::begin_frame(bool static_layer) {
    ++frame_;
    in_static_ = static_layer;
    if (static_layer) static_frame_ = frame_;
}

void TextEngine::end_frame() {
    while (stats_.texture_bytes > budget_) {
        auto victim = blocks_.end();
        for (auto it = blocks_.begin(); it != blocks_.end(); ++it) {
            const TextBlock& b = it->second;
            if (b.used_frame == frame_ || b.used_static == static_frame_) continue;
            if (victim == blocks_.end() || b.used_frame < victim->second.used_frame) victim = it;
        }
        if (victim == blocks_.end()) break;
        for (auto& t : victim->second.tiles)
            if (t.texture) textures_.release(t.texture);
        stats_.texture_bytes -= victim->second.bytes;
        ++stats_.evicted;
        blocks_.erase(victim);
    }
    stats_.blocks = blocks_.size();
    // A block's canvas is megabytes of floats for a moment. glibc raises its mmap threshold after
    // freeing one, so the next canvases come from the heap and their pages stay resident once freed:
    // hand them back after any frame that rasterised (rare: only when text changed), and the font
    // files' pages with them.
    if (stats_.rasterized != trimmed_at_) {
        trimmed_at_ = stats_.rasterized;
        malloc_trim(0);
        fonts_->release_pages();
    }
}

const TextBlock& TextEngine::block(std::string_view text, const TextStyle& style, const TextBox& box) {
    std::string key = key_of(text, style, box);
    auto it = blocks_.find(key);
    if (it != blocks_.end() && it->second.color && it->second.baked != style.color) {
        // Emoji in it: the text's colour is in the pixels, so another colour is another block.
        key += '#' + std::to_string(style.color);
        it = blocks_.find(key);
    }
    if (it == blocks_.end()) {
        TextBlock b = make(text, style, box);
        stats_.texture_bytes += b.bytes;
        stats_.peak_texture_bytes = std::max(stats_.peak_texture_bytes, stats_.texture_bytes);
        it = blocks_.emplace(std::move(key), std::move(b)).first;
        stats_.blocks = blocks_.size();
    }
    it->second.used_frame = frame_;
    if (in_static_) it->second.used_static = static_frame_;
    return it->second;
}

LayoutParams TextEngine::params(const TextStyle& style, const TextBox& box) const {
    LayoutParams lp;
    lp.px = style.px;
    lp.bold = style.bold;
    lp.max_width = box.width;
    lp.max_lines = box.width > 0 ? box.max_lines : 1;
    lp.direction = box.direction;
    lp.lang = lang_;
    lp.rich = box.rich;
    return lp;
}

TextMeasure TextEngine::measure(std::string_view text, const TextStyle& style, const TextBox& box) {
    TextLayout L = layout_text(*fonts_, text, params(style, box));
    ++stats_.shaped;
    TextMeasure m;
    m.lines = static_cast<int>(L.lines.size());
    m.width = std::ceil(L.width);
    m.height = std::round(style.px * box.line_spacing) * static_cast<float>(m.lines);
    m.truncated = L.truncated;
    return m;
}

TextBlock TextEngine::make(std::string_view text, const TextStyle& style, const TextBox& box) {
    TextBlock out;
    TextLayout L = layout_text(*fonts_, text, params(style, box));
    ++stats_.shaped;
    out.rtl = L.rtl;
    out.truncated = L.truncated;
    out.lines = static_cast<int>(L.lines.size());
    out.line_height = std::round(style.px * box.line_spacing);
    out.width = std::ceil(L.width);
    out.height = out.line_height * static_cast<float>(out.lines);
    if (L.lines.empty() || out.width <= 0) return out;

    // Room around the line boxes for ink that leaves them: marks above Devanagari and Thai,
    // descenders, emoji, synthetic bold.
    const int pad_x = static_cast<int>(std::ceil(style.px * 0.2f)) + 1;
    const int pad_y = static_cast<int>(std::ceil(style.px * 0.35f)) + 1;
    const int cw = static_cast<int>(out.width) + 2 * pad_x;
    const int ch = static_cast<int>(out.height) + 2 * pad_y;
    const float tint[3] = {static_cast<float>((style.color >> IM_COL32_R_SHIFT) & 0xFF) / 255.0f,
                           static_cast<float>((style.color >> IM_COL32_G_SHIFT) & 0xFF) / 255.0f,
                           static_cast<float>((style.color >> IM_COL32_B_SHIFT) & 0xFF) / 255.0f};
    Canvas canvas(cw, ch, tint);
    // The baseline sits where the primary face's ascent puts it, centred in the line pitch.
    const float leading = (out.line_height - (L.ascent + L.descent)) / 2;
    for (size_t li = 0; li < L.lines.size(); ++li) {
        const LaidLine& line = L.lines[li];
        const float x0 = static_cast<float>(pad_x) +
                         (box.center ? std::round((out.width - line.width) / 2) : L.rtl ? out.width - line.width : 0);
        const float base = static_cast<float>(pad_y) + out.line_height * static_cast<float>(li) + leading + L.ascent;
        for (const ShapedGlyph& g : line.glyphs) {
            float strike = 1;
            FT_Face ft = fonts_->ft_sized(g.face, style.px, &strike);
            if (!ft) continue;
            const Face& face = fonts_->face(g.face);
            const float gx = x0 + g.x, gy = base + g.y;
            if (face.color) {
                if (FT_Load_Glyph(ft, g.gid, FT_LOAD_COLOR) != 0) continue;
                if (ft->glyph->format != FT_GLYPH_FORMAT_BITMAP && FT_Render_Glyph(ft->glyph, FT_RENDER_MODE_NORMAL) != 0) continue;
                const FT_Bitmap& bm = ft->glyph->bitmap;
                if (bm.pixel_mode != FT_PIXEL_MODE_BGRA) continue;
                int w = 0, h = 0;
                std::vector<float> rgba = scale_bgra(bm, strike, &w, &h);
                const int left = static_cast<int>(std::lround(gx + static_cast<float>(ft->glyph->bitmap_left) * strike));
                const int top = static_cast<int>(std::lround(gy - static_cast<float>(ft->glyph->bitmap_top) * strike));
                for (int y = 0; y < h; ++y)
                    for (int x = 0; x < w; ++x) {
                        const float* p = &rgba[(static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x)) * 4];
                        canvas.over(left + x, top + y, p[0], p[1], p[2], p[3]);
                    }
                out.color = true;
                continue;
            }
            if (FT_Load_Glyph(ft, g.gid, FT_LOAD_NO_BITMAP | FT_LOAD_TARGET_LIGHT) != 0) continue;
            if (ft->glyph->format != FT_GLYPH_FORMAT_OUTLINE) continue;
            if (fonts_->needs_embolden(g.face, style.bold || (g.style & kStyleBold)))
                FT_Outline_Embolden(&ft->glyph->outline, static_cast<FT_Pos>(std::lround(style.px * 64 / 24)));
            if (g.style & kStyleItalic) {
                // Slanted about the baseline by 12°, FreeType's own oblique (FT_GlyphSlot_Oblique).
                FT_Matrix shear{0x10000, 0x0366A, 0, 0x10000};
                FT_Outline_Transform(&ft->glyph->outline, &shear);
            }
            // Positions from HarfBuzz are fractional: move the outline by the fraction, so spacing
            // stays even instead of snapping every glyph to whole pixels.
            const float fx = std::floor(gx), fy = std::floor(gy);
            FT_Outline_Translate(&ft->glyph->outline, static_cast<FT_Pos>(std::lround((gx - fx) * 64)),
                                 -static_cast<FT_Pos>(std::lround((gy - fy) * 64)));
            if (FT_Render_Glyph(ft->glyph, FT_RENDER_MODE_NORMAL) != 0) continue;
            const FT_Bitmap& bm = ft->glyph->bitmap;
            if (bm.pixel_mode != FT_PIXEL_MODE_GRAY) continue;
            const int left = static_cast<int>(fx) + ft->glyph->bitmap_left;
            const int top = static_cast<int>(fy) - ft->glyph->bitmap_top;
            for (unsigned y = 0; y < bm.rows; ++y) {
                const unsigned char* row = bm.buffer + static_cast<ptrdiff_t>(y) * bm.pitch;
                for (unsigned x = 0; x < bm.width; ++x)
                    canvas.cover(left + static_cast<int>(x), top + static_cast<int>(y), static_cast<float>(row[x]) / 255.0f);
            }
        }
    }
    ++stats_.rasterized;
    out.color = canvas.colour();  // a colour glyph wholly outside the canvas left it monochrome

    // Only the ink goes to the GPU (plus a clear pixel for the linear filter): the padding and
    // the empty rows of the line boxes would be memory, and pixels shaded on every frame.
    int x0 = cw, y0 = ch, x1 = 0, y1 = 0;
    for (int y = 0; y < ch; ++y)
        for (int x = 0; x < cw; ++x)
            if (canvas.a[canvas.at(x, y)] > 0.5f / 255) {
                x0 = std::min(x0, x);
                x1 = std::max(x1, x + 1);
                y0 = std::min(y0, y);
                y1 = std::max(y1, y + 1);
            }
    if (x0 >= x1) return out;  // nothing visible (spaces only)
    x0 = std::max(0, x0 - 1);
    y0 = std::max(0, y0 - 1);
    x1 = std::min(cw, x1 + 1);
    y1 = std::min(ch, y1 + 1);

    // Into tiles the GPU takes: monochrome as coverage (tinted when drawn), colour as RGBA.
    out.baked = style.color;
    for (int ty = y0; ty < y1; ty += kMaxTexture)
        for (int tx = x0; tx < x1; tx += kMaxTexture) {
            const int w = std::min(kMaxTexture, x1 - tx), h = std::min(kMaxTexture, y1 - ty);
            const int bpp = out.color ? 4 : 1;
            std::vector<unsigned char> pix(static_cast<size_t>(w) * static_cast<size_t>(h) * static_cast<size_t>(bpp));
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < w; ++x) {
                    const size_t i = canvas.at(tx + x, ty + y);
                    unsigned char* d = &pix[(static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x)) * static_cast<size_t>(bpp)];
                    const float a = std::clamp(canvas.a[i], 0.0f, 1.0f);
                    if (out.color) {
                        for (size_t c = 0; c < 3; ++c)
                            d[c] = static_cast<unsigned char>(std::lround(a > 0 ? std::clamp(canvas.rgb[i * 3 + c] / a, 0.0f, 1.0f) * 255 : 0));
                        d[3] = static_cast<unsigned char>(std::lround(a * 255));
                    } else {
                        d[0] = static_cast<unsigned char>(std::lround(a * 255));
                    }
                }
            ImTextureID id = out.color ? textures_.upload_text(pix.data(), w, h) : textures_.upload_alpha(pix.data(), w, h);
            if (!id) {
                log_("text: the GPU refused a " + std::to_string(w) + "x" + std::to_string(h) + " text texture");
                continue;
            }
            out.tiles.push_back({id, static_cast<float>(tx - pad_x), static_cast<float>(ty - pad_y), static_cast<float>(w),
                                 static_cast<float>(h)});
            const int kept_bpp = out.color ? 4 : textures_.alpha_bytes_per_pixel();
            out.bytes += static_cast<size_t>(w) * static_cast<size_t>(h) * static_cast<size_t>(kept_bpp);
        }
    return out;
}

void TextEngine::draw(ImDrawList* dl, const TextBlock& b, ImVec2 pos, ImU32 color, float alpha) const {
    if (!dl) return;
    const float a = std::clamp(alpha, 0.0f, 1.0f) * static_cast<float>((color >> IM_COL32_A_SHIFT) & 0xFF) / 255.0f;
    if (a <= 0) return;
    ImU32 tint = b.color ? IM_COL32_WHITE : color;
    tint = (tint & ~IM_COL32_A_MASK) | (static_cast<ImU32>(std::lround(a * 255)) << IM_COL32_A_SHIFT);
    const float x = std::round(pos.x), y = std::round(pos.y);
    for (const auto& t : b.tiles)
        dl->AddImage(t.texture, {x + t.x, y + t.y}, {x + t.x + t.w, y + t.y + t.h}, {0, 0}, {1, 1}, tint);
}

}  // namespace nk::ui
