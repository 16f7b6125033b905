// SPDX-License-Identifier: Apache-2.0
// scene.h: what the wall shows, drawn with ImGui draw lists from a plain Scene the app fills in:
// header (title, clock, date), the card (source badge, headline, summary, image, age, QR code,
// dwell bar), the list and ticker-only modes, the ticker crawl and the status page. Every size
// comes from the screen (`Layout`), so 720p, 4K and portrait all look intended.
// The static part (everything but the ticker) and the ticker are drawn into separate lists, so
// the platform can redraw only the ticker's strip when nothing else moved. Every string is a
// prepared text block (text.h): a frame draws quads, it never shapes or rasterises text that was
// drawn before. A card whose headline is right-to-left is laid out mirrored.
// Main thread only, between ImGui::NewFrame and ImGui::Render (layout helpers: any time).
#pragma once

#include "ui/fonts.h"
#include "ui/text.h"

#include <imgui.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nk::ui {

struct Theme {
    ImU32 background, panel, text, text_dim, rule, qr_dark, qr_light;
    static Theme named(std::string_view name);   // "dark" (default) or "light"
};

// "#rrggbb" (or "#rgb"); `fallback` when it does not parse.
ImU32 parse_color(std::string_view hex, ImU32 fallback);

struct CardView {
    std::string id;                  // changes when the story changes
    std::string source, headline, summary, age, link;
    ImU32 color = 0;
    ImTextureID image = nullptr;     // null: a placeholder in the source colour
    int image_w = 0, image_h = 0;
    bool breaking = false;
    bool stale = false;              // its feed is failing: the badge says so
};

struct TickerItem {
    std::string source, headline;
    ImU32 color = 0;
};

struct FeedStatusView {
    std::string source, url, state, detail;  // state: "ok", "failing", "stopped", "waiting"
    ImU32 color = 0;
    bool ok = true;
};

enum class Mode { Cards, List, Ticker };
enum class Transition { None, Fade, Slide };

Mode parse_mode(std::string_view s);              // unknown: Cards
Transition parse_transition(std::string_view s);  // unknown: Fade

struct Rect;

// Fills a rectangle with an opaque colour more cheaply than a quad (the platform's scissored clear,
// queued in the draw list as a callback); null: a plain quad.
using FillFn = void (*)(ImDrawList* dl, const Rect& rect, ImU32 color);

// The interface's own words, translated by the app (gettext); English here.
struct Labels {
    std::string breaking = "BREAKING", not_updating = "not updating", scan = "Scan for the story", feeds = "Feeds",
                paused = "paused", waiting = "Waiting for news…";
};

struct Scene {
    float width = 0, height = 0;
    Labels labels;
    bool rtl = false;                // the interface's language reads right to left: the header is mirrored
    FillFn fill = nullptr;
    Theme theme = Theme::named("dark");
    Mode mode = Mode::Cards;
    float safe_area = 0.03f;         // fraction of each side kept clear for overscan
    ImVec2 shift{0, 0};              // anti burn-in pixel shift, a few px
    std::string title;
    ImTextureID logo = nullptr;
    int logo_w = 0, logo_h = 0;
    std::string clock, date;
    std::optional<CardView> card, previous;  // previous: the one leaving during a transition
    float transition = 1.0f;         // 0..1, eased by the caller
    Transition transition_kind = Transition::Fade;
    float dwell = 0;                 // 0..1 of the current card's time, quantised by the caller
    bool qr = true;
    std::vector<CardView> list;      // list mode: the next few stories
    bool ticker = false;
    std::vector<TickerItem> ticker_items;
    double ticker_offset = 0;        // px scrolled since the crawl began (sub-pixel)
    std::string banner;              // e.g. "offline since 09:14"; empty: none
    std::string notice;              // small and dim, e.g. "config error: see journal"; empty: none
    bool paused = false;
    bool status_page = false;
    std::vector<FeedStatusView> statuses;
    std::string waiting_message;     // shown when there is nothing to show yet
};

struct Rect {
    float x = 0, y = 0, w = 0, h = 0;
    float right() const { return x + w; }
    float bottom() const { return y + h; }
};

struct Layout {
    float unit = 1;                  // 1 at 1080 px on the short side
    bool portrait = false;
    Rect safe, header, body, ticker;  // ticker.h == 0 when there is none
    Rect image, text, qr;            // inside the card (body)
    float qr_side = 0;
};

Layout compute_layout(float width, float height, Mode mode, bool ticker, float safe_area, bool qr);
FontSizes font_sizes(const Layout& layout, Mode mode);

// Lays out and rasterises the text of a card that is about to be shown (the next one), so the
// first frame of its transition draws prepared blocks. Needs a current ImGui context; draws nothing.
// False when it could not (no ImGui frame yet).
bool prepare_card(const Scene& scene, const Layout& layout, TextEngine& text, const CardView& card);

// Whether a card is laid out mirrored: its headline's paragraph direction is right-to-left.
bool card_is_rtl(const CardView& card, const Layout& layout, TextEngine& text);

// Everything but the ticker crawl, over a screen already cleared to theme.background; only inside
// `damage` when given (the rest of the last frame is kept).
void draw_static(const Scene& scene, const Layout& layout, TextEngine& text, ImDrawList* dl, const Rect* damage = nullptr);

// The two parts of the static layer that change on their own: the header (clock, date, banner)
// and the body below it (cards, list, status page). Full width, together the whole screen.
Rect header_band(const Layout& layout);
Rect body_band(const Layout& layout, float height);
// The parts that move between static frames: the dwell bar and the ticker strip. Each paints
// its own opaque background, so they can be redrawn alone over the last static frame.
void draw_dynamic(const Scene& scene, const Layout& layout, TextEngine& text, ImDrawList* dl);
// The ticker strip: its background and the visible part of the crawl only.
void draw_ticker(const Scene& scene, const Layout& layout, TextEngine& text, ImDrawList* dl);

// Width of one loop of the crawl (all items with separators), for wrapping the offset. Prepares
// every item's blocks: the crawl then only moves them.
float ticker_loop_width(const Scene& scene, const Layout& layout, TextEngine& text);

}  // namespace nk::ui
