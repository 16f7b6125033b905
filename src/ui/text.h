// SPDX-License-Identifier: Apache-2.0
// text.h: text as prepared textures. A block of text (a headline, a summary, a ticker item, a
// label) is laid out once (text_layout.h: ICU bidi and line breaking, HarfBuzz shaping),
// rasterised once by FreeType (colour emoji through FT_LOAD_COLOR) into a texture, and then drawn
// every frame as one textured quad through an ImGui draw list. Nothing is shaped or rasterised
// again while the same text is on screen; a fade only changes the quad's alpha, the ticker only
// moves its quads.
// Textures are uploaded through a TextureSink the platform provides (this module knows no GL).
// Monochrome blocks are one byte a pixel (coverage, tinted by the quad's colour); a block holding
// a colour glyph is RGBA with its ink colour baked in. Texture memory is bounded: past
// the budget the least recently drawn blocks are released, never one the current frame or the
// last full frame drew.
// Rich text (TextBox::rich): bold and italic runs and line breaks, marked as text_layout.h says
// (rich_text() writes them from Markdown spans); italic is the upright face slanted, as browsers
// do when a family has no italic.
// Depends on ImGui (draw lists), fonts.h and text_layout.h. Main thread only, blocks and draws
// between ImGui::NewFrame and ImGui::Render (uploads may happen then; the platform renders later).
#pragma once

#include "ui/fonts.h"
#include "ui/text_layout.h"

#include <imgui.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nk::ui {

// Textures in GPU memory, as the platform makes them.
class TextureSink {
public:
    virtual ~TextureSink() = default;
    virtual ImTextureID upload(const unsigned char* rgba, int width, int height) = 0;
    // Text: always drawn texel for texel on whole pixels, so the platform may sample it without
    // filtering (the same pixels, a quarter of the texture reads). The default is upload().
    virtual ImTextureID upload_text(const unsigned char* rgba, int width, int height) { return upload(rgba, width, height); }
    // Monochrome text, one byte a pixel: coverage, to be sampled as (1, 1, 1, coverage) so the
    // quad's colour tints it. The default expands to white RGBA for upload_text().
    virtual ImTextureID upload_alpha(const unsigned char* alpha, int width, int height);
    // What a pixel of upload_alpha() costs where it is kept (for the texture budget and counts).
    virtual int alpha_bytes_per_pixel() const { return 4; }
    virtual void release(ImTextureID texture) = 0;
};

struct TextStyle {
    float px = 16;
    bool bold = false;
    ImU32 color = IM_COL32_WHITE;  // baked into colour blocks only; monochrome ones take it at draw time
};

struct TextBox {
    float width = 0;               // <= 0: one line, as long as the text
    int max_lines = 1;             // <= 0: unlimited
    float line_spacing = 1.2f;     // line pitch in em
    Direction direction = Direction::Auto;
    bool rich = false;             // kBoldToggle, kItalicToggle, '\n' in the text (text_layout.h)
    bool center = false;           // each line centred in the block (else by the paragraph's direction)
};

// Size of the text in a box, laid out but not rasterised (no texture): for fitting text to a space.
// Not cached: it shapes on every call, so callers keep the answer.
struct TextMeasure {
    float width = 0, height = 0;
    int lines = 0;
    bool truncated = false;
};

struct TextBlock {
    struct Tile {
        ImTextureID texture = nullptr;
        float x = 0, y = 0, w = 0, h = 0;  // relative to the block's top left
    };
    float width = 0, height = 0;   // the layout box: widest line × lines at the line pitch
    float line_height = 0;
    int lines = 0;
    bool rtl = false;              // the paragraph's direction: align the box to the right
    bool truncated = false;
    bool color = false;            // colour glyphs: the ink colour is baked in
    ImU32 baked = 0;
    std::vector<Tile> tiles;       // one per 2048 px (a Pi 3's texture limit), usually one
    std::size_t bytes = 0;
    uint64_t used_frame = 0, used_static = 0;
};

class TextEngine {
public:
    struct Stats {
        uint64_t shaped = 0;       // layouts computed (each a shaping of the whole block)
        uint64_t rasterized = 0;   // blocks rasterised into textures
        uint64_t evicted = 0;
        std::size_t texture_bytes = 0, peak_texture_bytes = 0, blocks = 0;
    };

    TextEngine(TextureSink& textures, std::function<void(const std::string&)> log);
    ~TextEngine();  // releases every texture
    TextEngine(const TextEngine&) = delete;
    TextEngine& operator=(const TextEngine&) = delete;

    FontLibrary& fonts() { return *fonts_; }
    // BCP 47 ("de", "ja", "ar"): line breaking rules, CJK glyph variants, shaping language.
    void set_language(const std::string& lang);
    void set_budget(std::size_t bytes) { budget_ = bytes; }

    // A new frame; static_layer: it redraws the static layer (the blocks it draws become the ones
    // kept alive while only the strip moves).
    void begin_frame(bool static_layer);
    // After the frame's blocks were drawn: releases the least recently drawn over the budget.
    void end_frame();

    // The block for this text, style and box: laid out and rasterised on first use, then cached.
    const TextBlock& block(std::string_view text, const TextStyle& style, const TextBox& box);
    // The layout alone (widths for placing things), cached with the block.
    float width(std::string_view text, const TextStyle& style, const TextBox& box = {}) {
        return block(text, style, box).width;
    }
    TextMeasure measure(std::string_view text, const TextStyle& style, const TextBox& box);
    // Draws `b` with its box's top left at `pos` (whole pixels), tinted by `color` (monochrome
    // blocks; colour blocks keep their baked ink) at `alpha`.
    void draw(ImDrawList* dl, const TextBlock& b, ImVec2 pos, ImU32 color, float alpha = 1.0f) const;

    const Stats& stats() const { return stats_; }
    void release_all();

private:
    struct Key;
    TextBlock make(std::string_view text, const TextStyle& style, const TextBox& box);
    LayoutParams params(const TextStyle& style, const TextBox& box) const;

    TextureSink& textures_;
    std::function<void(const std::string&)> log_;
    std::unique_ptr<FontLibrary> fonts_;
    std::unordered_map<std::string, TextBlock> blocks_;
    std::size_t budget_ = 24u << 20;
    uint64_t frame_ = 1, static_frame_ = 1;
    bool in_static_ = false;
    uint64_t trimmed_at_ = 0;  // stats_.rasterized at the last malloc_trim
    Stats stats_;
    std::string lang_ = "en";
};

}  // namespace nk::ui
