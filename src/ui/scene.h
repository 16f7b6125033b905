// SPDX-License-Identifier: Apache-2.0
// scene.h: what the wall shows, drawn with ImGui draw lists from a plain Scene the app fills in:
// header (title, clock, date), the card (source badge, headline, summary, image, age, QR code,
// dwell bar), the list and ticker-only modes, the ticker crawl and the status page; and the screen
// owner's voice: announcement cards (large title, Markdown body, no badge or age), agenda cards
// (a row per event, "Now" and "Next" tagged) and alerts (info: a banner above the bottom edge,
// warning: an amber band below the header, emergency: the whole screen, white on deep red). Every size
// comes from the screen (`Layout`), so 720p, 4K and portrait all look intended.
// The static part (everything but the ticker) and the ticker are drawn into separate lists, so
// the platform can redraw only the ticker's strip when nothing else moved. Every string is a
// prepared text block (text.h): a frame draws quads, it never shapes or rasterises text that was
// drawn before. A card whose headline is right-to-left is laid out mirrored.
// Main thread only, between ImGui::NewFrame and ImGui::Render (layout helpers: any time).
#pragma once

#include "core/markdown.h"
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
    ImU32 accent;                    // the owner's cards when they name no colour
    static Theme named(std::string_view name);   // "dark" (default) or "light"
};

// "#rrggbb" (or "#rgb"); `fallback` when it does not parse.
ImU32 parse_color(std::string_view hex, ImU32 fallback);

// A paragraph or bullet item of the owner's Markdown as rich text (text.h: bold and italic
// toggles, '\n' a line break): an announcement's body, an alert's text.
struct RichBlock {
    bool bullet = false;
    std::string text;
    bool operator==(const RichBlock&) const = default;
};
std::vector<RichBlock> rich_blocks(std::string_view markdown);
std::string rich_text(const std::vector<nk::TextSpan>& spans);  // controls in the spans' text dropped

enum class CardKind { News, Announcement, Agenda };

// One event on an agenda card, in the display's words.
struct AgendaRow {
    enum class Tag { None, Now, Next };
    Tag tag = Tag::None;
    std::string time;                // "14:00–15:00", "2:00 PM–3:00 PM", "All day"
    std::string title, location;     // location may be empty
    bool operator==(const AgendaRow&) const = default;
};

struct CardView {
    CardKind kind = CardKind::News;  // owner cards (announcement, agenda) have no source or age
    std::string id;                  // changes when the story changes
    std::string source, headline, summary, age, link;
    ImU32 color = 0;
    ImTextureID image = nullptr;     // null: a placeholder in the source colour
    int image_w = 0, image_h = 0;
    bool breaking = false;
    bool stale = false;              // its feed is failing: the badge says so
    bool has_picture = false;        // a picture is named (image is null while it loads)
    std::vector<RichBlock> body;     // announcements: the Markdown body
    std::vector<AgendaRow> agenda;   // agenda: what is on now and later today
};

enum class AlertLevel { Info, Warning, Emergency };

struct AlertView {
    AlertLevel level = AlertLevel::Info;
    std::string id;
    std::vector<RichBlock> text;
};

// Deep red under white: the emergency screen, which the platform clears to (see screen_background).
constexpr ImU32 kEmergencyBackground = IM_COL32(150, 0, 0, 255);

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

// Fills a rectangle with a colour more cheaply than an ImGui quad (opaque: the platform's scissored
// clear; translucent: a flat blended quad that samples no texture), queued in the draw list as a
// callback; null: a plain quad.
using FillFn = void (*)(ImDrawList* dl, const Rect& rect, ImU32 color);

// The interface's own words, translated by the app (gettext); English here.
struct Labels {
    std::string breaking = "BREAKING", not_updating = "not updating", scan = "Scan for the story", feeds = "Feeds",
                paused = "paused", waiting = "Waiting for news…";
    std::string now = "Now", next = "Next", nothing_today = "Nothing more on the calendar today", scan_more = "Scan for more";
};

struct Scene {
    float width = 0, height = 0;
    Labels labels;
    bool rtl = false;                // the interface's language reads right to left: the header is mirrored
    FillFn fill = nullptr;
    // The last frame's pixels are still on screen (a kept back buffer) and only the moving parts
    // are drawn: the crawl repaints only the rows its text covers, the rest of its strip stays.
    bool over_last_frame = false;
    // Over the last frame, only these columns of the crawl (whole pixels; w == 0: all of it): a
    // platform that composes the crawl itself asks GL for a few new columns at a time.
    float crawl_from = 0, crawl_w = 0;
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
    double ticker_offset = 0;        // px scrolled since the crawl began (whole steps)
    std::string banner;              // e.g. "offline since 09:14"; empty: none
    std::string notice;              // small and dim, e.g. "config error: see journal"; empty: none
    bool paused = false;
    bool status_page = false;
    std::vector<FeedStatusView> statuses;
    std::string waiting_message;     // shown when there is nothing to show yet
    std::vector<AlertView> alerts;   // showing now, the most urgent first
};

// What the screen is cleared to under the static layer: the theme's background, or the emergency's.
ImU32 screen_background(const Scene& scene);
bool emergency(const Scene& scene);
// The body shows a card (card mode, a card to show, no status page, no emergency): the dwell bar
// runs under it, and a frame where only it changed can be drawn over the last (draw_cards_over).
bool shows_cards(const Scene& scene);

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
    Rect warning, info;              // alert strips (h == 0: none): below the header, above the bottom
};

// top_band, bottom_band: heights of the warning band and the info banner (0: none); the body
// gives them the room, so an alert never covers a card's text or code.
Layout compute_layout(float width, float height, Mode mode, bool ticker, float safe_area, bool qr, float top_band = 0,
                      float bottom_band = 0);
// The scene's layout, with room for its alerts' strips (their text measured, a line or two).
Layout scene_layout(const Scene& scene, TextEngine& text);
FontSizes font_sizes(const Layout& layout, Mode mode);

// Lays out and rasterises the text of a card that is about to be shown (the next one), so the
// first frame of its transition draws prepared blocks. Needs a current ImGui context; draws nothing.
// False when it could not (no ImGui frame yet).
bool prepare_card(const Scene& scene, const Layout& layout, TextEngine& text, const CardView& card);

// Whether a card is laid out mirrored: its headline's paragraph direction is right-to-left.
bool card_is_rtl(const CardView& card);

// Where a frame's cards drew, in tiles of kTile px: what a later frame drawn over that one must
// paint back to the background to take them away (a fade's steps, an age that changed). Made from
// the triangles a draw list gained, cut to each command's clip rectangle.
class Cover {
public:
    static constexpr int kTile = 16;
    void reset(float width, float height);
    // The triangles of `dl`'s current channel from index `first_idx` on, moved by `offset` (the
    // burn-in shift, applied to the vertices after the cover is taken).
    void add(const ImDrawList* dl, int first_idx, ImVec2 offset = {0, 0});
    Cover& operator|=(const Cover& other);
    bool empty() const;
    // The covered tiles as few rectangles (runs of tiles in a row; equal runs in adjacent rows
    // stacked), cut to `clip`.
    std::vector<Rect> rects(const Rect& clip) const;

private:
    int cols_ = 0, rows_ = 0;
    std::vector<uint8_t> on_;
};

// Everything but the ticker crawl, over a screen already cleared to screen_background(); only inside
// `damage` when given (the rest of the last frame is kept). An emergency alert is all it draws then.
// `cards`, when given, gets where the cards drew (an empty cover when the frame drew none).
void draw_static(const Scene& scene, const Layout& layout, TextEngine& text, ImDrawList* dl, const Rect* damage = nullptr,
                 Cover* cards = nullptr);
// A frame where only the cards changed (a fade's step, an age, a picture that arrived), drawn over
// the last frame: the tiles the last frame's cards covered (`last`) and those this frame's cover
// are painted back to the background, and the cards drawn again over them, with the same pixels
// a whole frame would have. `from` (>= 0): the last frame was this same fade at that point, so
// only the step from there is drawn (see scene.cpp). `cards` gets this frame's cover. Returns the
// rectangles painted: all the frame has to put on screen. Only for the card mode (no status page,
// no emergency).
std::vector<Rect> draw_cards_over(const Scene& scene, const Layout& layout, TextEngine& text, ImDrawList* dl,
                                  const Cover& last, Cover& cards, float from = -1);

// The two parts of the static layer that change on their own: the header (clock, date, banner)
// and the body below it (cards, list, status page). Full width, together the whole screen.
Rect header_band(const Layout& layout);
Rect body_band(const Layout& layout, float height);
// Where cards are drawn (the body, a pixel lower for the dwell bar's rounding): all a transition
// between cards changes.
Rect cards_clip(const Layout& layout);
// The smallest rectangle holding both; an empty one (w or h <= 0) adds nothing.
Rect united(const Rect& a, const Rect& b);
// The parts that move between static frames: the dwell bar and the ticker strip. Each paints
// its own opaque background, so they can be redrawn alone over the last static frame. Nothing
// during an emergency (its screen stands still).
// Returns where it painted (full width, whole pixels; h == 0: nothing): all a frame that moved
// only them has to put on screen.
Rect draw_dynamic(const Scene& scene, const Layout& layout, TextEngine& text, ImDrawList* dl);
// The ticker strip: its background and the visible part of the crawl only (over the last frame,
// Scene::over_last_frame, only the rows its text covers). Returns the area it painted.
Rect draw_ticker(const Scene& scene, const Layout& layout, TextEngine& text, ImDrawList* dl);

// The rows of the ticker strip the crawl's text covers (a pixel of margin, the strip's full width,
// whole pixels): all a frame over the last one repaints for the crawl. h == 0: no crawl.
Rect crawl_rows(const Scene& scene, const Layout& layout, TextEngine& text);

// Width of one loop of the crawl (all items with separators), for wrapping the offset. Prepares
// every item's blocks: the crawl then only moves them.
float ticker_loop_width(const Scene& scene, const Layout& layout, TextEngine& text);

}  // namespace nk::ui
