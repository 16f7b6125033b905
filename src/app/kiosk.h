// SPDX-License-Identifier: Apache-2.0
// kiosk.h: the wall display's view model, between the App (news and which card is shown, see
// core/show.h) and the screen. Turns the show into a ui::Scene in the display's language
// (l10n.h), animates transitions and the ticker, loads images, keeps the text engine (ui/text.h)
// and prepares the next card's text ahead, and — the point of it — says when a frame is needed at all
// and which part: the static layer (header, card) only when its visible content changes, the
// dynamic strip (ticker, dwell bar) at its own capped rate, and nothing in between (the
// platform sleeps until wake_at).
// The owner's voice is worded here too: announcement bodies (Markdown) and alert texts as rich
// text, agenda rows with "Now"/"Next" and times in the language's clock; an alert coming or going
// redraws the whole screen once, and an emergency stops the crawl (its screen stands still).
// Knows ImGui (draw lists, textures as ImTextureID) but not GLFW or GL: the platform uploads
// textures through the TextureApi it passes in.
// Main thread only; the wake callback is called from the fetch and image threads.
#pragma once

#include "app/app.h"
#include "ui/scene.h"

#include <imgui.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace nk::app {

// Textures in GPU memory (upload, upload_alpha, release: ui::TextureSink), made by the platform.
class TextureApi : public ui::TextureSink {
public:
    // A cheaper opaque fill than a quad, if the platform has one (see ui::FillFn).
    virtual ui::FillFn fill() const { return nullptr; }
};

enum class Key { Next, Previous, Pause, Reload, Status };

struct FramePlan {
    bool full = false;                   // the static layer changed: redraw it (within damage)
    std::optional<ui::Rect> damage;      // the part of the static layer that changed; none: all of it
    bool dynamic = false;                // only the ticker / dwell strip moved
    // Only the cards changed (a fade's step, an age, a picture that arrived): a platform that keeps
    // the last frame may draw them alone over it (draw(..., cards_only)) instead of a full frame.
    bool cards_only = false;
    // Only the crawl moved (dynamic, the dwell bar did not): a platform that keeps the last frame may
    // move the crawl's band itself (crawl_offset, crawl_band, draw_crawl, crawl_shown).
    bool crawl_only = false;
    double wake_at = 0;                  // steady seconds: when something will next need a frame or a pump
};

class Kiosk {
public:
    // `t` is steady-clock seconds (animation), `wall` Unix seconds (clock, ages). `wake` is called
    // from the image thread when a picture is ready; `log` from any thread.
    static std::unique_ptr<Kiosk> create(App& app, TextureApi& textures, std::function<void()> wake,
                                         std::function<void(const std::string&)> log, double t, int64_t wall);
    ~Kiosk();

    void set_size(float width, float height);
    // After App::advance: takes decoded images, follows config changes, prepares the glyphs of
    // what is shown and next. Cheap when nothing happened.
    void update(double t, int64_t wall);
    FramePlan plan(double t) const;
    // Text shaped and rasterised so far, and its texture memory (the exit statistics line).
    const ui::TextEngine::Stats& text_stats() const;
    // Draws the static layer into `static_dl` (when not null; only inside `damage` when given, over
    // pixels the platform cleared to background()) and the dynamic strip into `dynamic_dl`.
    // `over_last_frame`: no static layer, and the last frame's pixels are still there (a kept back
    // buffer), so the moving parts repaint only what moved. `cards_only` (a plan's, over a kept
    // frame, no damage): the static layer is the cards alone, painted over where the last ones were.
    void draw(double t, ImDrawList* static_dl, ImDrawList* dynamic_dl, const ui::Rect* damage = nullptr,
              bool over_last_frame = false, bool cards_only = false);
    ImU32 background() const;
    // Where the last draw() painted the moving parts (ui::draw_dynamic): what a frame that drew
    // only them must put on screen.
    ui::Rect dynamic_band() const;
    // What the last cards-only draw() painted of the static layer (ui::draw_cards_over).
    const std::vector<ui::Rect>& repainted() const;

    // The crawl, for a platform that moves its band on screen without drawing the rest: the px it
    // has scrolled at t (whole steps), and the rows its text covers (ui::crawl_rows) as the last
    // draw() drew them (h == 0: no crawl).
    int64_t crawl_offset(double t) const;
    ui::Rect crawl_band() const;
    // The crawl alone at `offset`, over the last frame, only columns [from, from + w) of its rows.
    void draw_crawl(double t, ImDrawList* dl, int64_t offset, float from, float w);
    // The platform put the crawl at t on screen itself: the frame plan() asked for is done.
    void crawl_shown(double t);

    // A fade between cards at t, as a platform that blends it itself needs it: how much of the old
    // cards has turned to background (gone, 0..1, first half) and how much of the new ones is in
    // (come, second half); when its last frame is due (end: draw(end, ...) draws the new cards
    // standing, exactly); and whether the kept frame shows the old cards standing (else it is no
    // start to blend from), and where. nullopt: no fade at t.
    struct Fade {
        float gone = 0, come = 0;
        double end = 0;
        std::vector<ui::Rect> leaving;  // where the kept frame has the old cards standing
        bool from_standing = false;
    };
    std::optional<Fade> fade_at(double t) const;
    // The platform put the static layer as at t on screen itself (a fade's step it blended): the
    // frame plan() asked for is done. The kept frame is as the last draw() left it.
    void static_shown(double t);

    void key(Key k, double t, int64_t wall);
    // A tap or click at x (px); held: seconds the press lasted (long press pauses).
    void tap(float x, double held, double t, int64_t wall);

    // True while the current card's image is still loading (screenshots wait for it, the rotation never does).
    bool image_pending() const;
    bool has_content() const;
    const Card* current_card() const;    // null before the first card (and in list mode)
    // What the screen shows at t, and how a card is worded for it (tests; nothing is drawn).
    ui::Scene scene(double t) const;
    ui::CardView view(const Card& card) const;
    bool status_page_shown() const;
    const Config& config() const;

private:
    struct Impl;
    explicit Kiosk(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace nk::app
