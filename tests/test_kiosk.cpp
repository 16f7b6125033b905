// SPDX-License-Identifier: Apache-2.0
// The display's logic without a window: ImGui with no backend (display size, the real font
// atlas, NewFrame/Render), the real Engine on the embedded demo content or a config file. What
// is checked is what makes the kiosk cheap and correct: layouts that fit every screen shape,
// frames only when something visible changed, the dynamic strip on its own clock, keys, modes.
#include "app/headless.h"
#include "app/kiosk.h"

#include "helpers.h"

#include <catch2/catch.hpp>
#include <imgui.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <unistd.h>

namespace fs = std::filesystem;
using nk::app::FramePlan;
using nk::app::Key;
using nk::app::Kiosk;
using nk::ui::Rect;

namespace {

using nk::test::TempDir;

// Textures in memory: the GPU's part, kept so tests can see what was uploaded and released.
struct MemoryTextures : nk::app::TextureApi {
    std::map<intptr_t, std::pair<int, int>> live;
    intptr_t next = 1;
    ImTextureID upload(const unsigned char*, int w, int h) override {
        live[next] = {w, h};
        return reinterpret_cast<ImTextureID>(next++);
    }
    void release(ImTextureID id) override { live.erase(reinterpret_cast<intptr_t>(id)); }
};

struct ImGuiScope {
    ImGuiScope() {
        ImGui::CreateContext();
        ImGui::GetIO().IniFilename = nullptr;
    }
    ~ImGuiScope() { ImGui::DestroyContext(); }
};

struct Fixture {
    ImGuiScope imgui;
    TempDir dir;
    MemoryTextures textures;
    nk::app::HeadlessPlatform platform;  // only its wake is used: the fixture is the loop
    std::unique_ptr<nk::app::App> app;
    std::unique_ptr<Kiosk> kiosk;
    double t = 1000;
    int64_t wall = 1'795'000'000;  // 2026-11-18, before the demo items' dates: ages stay "just now"
    std::vector<std::string> log;

    explicit Fixture(const std::string& config_text = "", float w = 1920, float h = 1080) {
        nk::app::AppOptions o;
        o.engine.cache_dir = dir.path / "cache";
        o.engine.log = [this](const std::string& s) { log.push_back(s); };
        if (!config_text.empty()) {
            o.engine.config_path = dir.path / "kiosk.toml";
            write_config(config_text);
        }
        auto a = nk::app::App::create(o, platform, wall);
        REQUIRE(a);
        app = std::move(a).value();
        kiosk = Kiosk::create(*app, textures, [this] { platform.wake(); }, o.engine.log, t, wall);
        ImGui::GetIO().DisplaySize = {w, h};
        kiosk->set_size(w, h);
    }
    void write_config(const std::string& text) {
        std::ofstream(dir.path / "kiosk.toml") << text;
    }
    // One loop turn as the App and the display platform do it; returns the plan it acted on.
    FramePlan turn() {
        app->advance(t, wall);
        kiosk->update(t, wall);
        if (!ImGui::GetIO().Fonts->IsBuilt()) {  // what a backend does; the kiosk draws no ImGui text
            unsigned char* px = nullptr;
            int w = 0, h = 0;
            ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&px, &w, &h);
        }
        FramePlan p = kiosk->plan(t);
        if (p.full || p.dynamic) {
            ImGui::NewFrame();
            // `kept`: as a platform that keeps the last frame (Mesa under X) draws it.
            const nk::ui::Rect* damage = kept && p.damage ? &*p.damage : nullptr;
            kiosk->draw(t, p.full ? ImGui::GetBackgroundDrawList() : nullptr, ImGui::GetForegroundDrawList(), damage, kept,
                        kept && p.cards_only);
            ImGui::Render();
            last_vertices = ImGui::GetDrawData()->TotalVtxCount;
        }
        return p;
    }
    // Turns until the current card's picture has arrived (it comes from the decoder thread), then one more.
    void settle() {
        for (int i = 0; i < 400 && kiosk->image_pending(); ++i) {
            usleep(10'000);
            turn();
        }
        REQUIRE_FALSE(kiosk->image_pending());
        turn();
    }
    void advance(double seconds) {
        t += seconds;
        wall += static_cast<int64_t>(seconds);
    }
    int last_vertices = 0;
    bool kept = false;
};

bool inside(const Rect& inner, const Rect& outer) {
    return inner.x >= outer.x - 0.5f && inner.y >= outer.y - 0.5f && inner.right() <= outer.right() + 0.5f &&
           inner.bottom() <= outer.bottom() + 0.5f;
}
bool overlap(const Rect& a, const Rect& b) {
    return a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom();
}

}  // namespace

TEST_CASE("layouts fit every screen shape", "[kiosk][layout]") {
    struct Shape { float w, h; };
    for (Shape s : {Shape{1280, 720}, Shape{1920, 1080}, Shape{3840, 2160}, Shape{1080, 1920}, Shape{800, 480}}) {
        for (bool ticker : {false, true}) {
            INFO(s.w << "x" << s.h << " ticker " << ticker);
            nk::ui::Layout L = nk::ui::compute_layout(s.w, s.h, nk::ui::Mode::Cards, ticker, 0.03f, true);
            Rect screen{0, 0, s.w, s.h};
            CHECK(inside(L.safe, screen));
            CHECK(inside(L.header, L.safe));
            CHECK(inside(L.body, L.safe));
            CHECK(inside(L.image, L.body));
            CHECK(inside(L.text, L.body));
            CHECK(inside(L.qr, L.body));
            CHECK_FALSE(overlap(L.image, L.text));
            CHECK_FALSE(overlap(L.image, L.qr));
            CHECK(L.body.y >= L.header.bottom());
            CHECK(L.portrait == (s.h > s.w));
            if (L.portrait) CHECK(L.image.bottom() <= L.text.y);
            else CHECK(L.image.right() <= L.text.x);
            CHECK((L.ticker.h > 0) == ticker);
            if (ticker) CHECK(L.body.bottom() <= L.ticker.y);
            // Scannable from two metres: the code is about a quarter of the short side.
            CHECK(L.qr_side >= 0.2f * std::min(s.w, s.h));
            nk::ui::FontSizes f = nk::ui::font_sizes(L, nk::ui::Mode::Cards);
            CHECK(f.px[static_cast<int>(nk::ui::FontRole::Headline)] >= 60 * L.unit - 1);
        }
    }
    // Sizes follow the screen: 4K doubles 1080p.
    auto u = [](float w, float h) { return nk::ui::compute_layout(w, h, nk::ui::Mode::Cards, false, 0.03f, true).unit; };
    CHECK(u(3840, 2160) == Approx(2 * u(1920, 1080)));
}

TEST_CASE("the demo draws at once and then sleeps until something visible changes", "[kiosk]") {
    Fixture f;
    FramePlan first = f.turn();
    CHECK(first.full);
    REQUIRE(f.kiosk->has_content());
    REQUIRE(f.kiosk->current_card());
    CHECK(f.last_vertices > 500);
    // The picture arrives from the decoder thread a moment later: one more full frame, then quiet.
    f.settle();

    // Nothing changed: no frame, and a wake-up in the future rather than a busy loop.
    FramePlan idle = f.kiosk->plan(f.t);
    CHECK_FALSE(idle.full);
    CHECK_FALSE(idle.dynamic);
    CHECK(idle.wake_at > f.t);

    // A second later only the dwell bar moves: a dynamic frame, not a full one.
    f.advance(1.01);
    FramePlan bar = f.turn();
    CHECK_FALSE(bar.full);
    CHECK(bar.dynamic);

    // After the dwell time the next card comes, with a transition drawn in full frames.
    std::string first_title = f.kiosk->current_card()->entry.item.title;
    double dwell = f.kiosk->current_card()->dwell_seconds;
    f.advance(dwell + 0.01);
    FramePlan next = f.turn();
    CHECK(next.full);
    // A new card repaints the whole screen: on Mesa a full clear is cheaper than a scissored one.
    CHECK_FALSE(next.damage);
    CHECK(f.kiosk->current_card()->entry.item.title != first_title);
    int full_frames = 0;
    for (int i = 0; i < 100; ++i) {
        f.t += 0.01;
        if (f.turn().full) ++full_frames;
    }
    // 1 s at 100 turns/s: the fade (0.6 s at 15 frames/s) gives about 9 full frames, not 100.
    CHECK(full_frames >= 6);
    CHECK(full_frames <= 12);
}

TEST_CASE("a clock tick redraws only the header band", "[kiosk]") {
    Fixture f;
    f.turn();
    f.settle();
    f.kiosk->key(Key::Pause, f.t, f.wall);  // no card change meanwhile
    f.turn();
    f.advance(static_cast<double>(60 - f.wall % 60));
    FramePlan tick = f.turn();
    CHECK(tick.full);
    REQUIRE(tick.damage);
    nk::ui::Layout L = nk::ui::compute_layout(1920, 1080, nk::ui::Mode::Cards, false, 0.03f, true);
    CHECK(tick.damage->h == nk::ui::header_band(L).h);
    CHECK(tick.damage->h < 200);
}

TEST_CASE("a cover is the tiles the triangles touch, cut to their clip, as few rectangles", "[kiosk][ui]") {
    ImGuiScope imgui;
    ImGui::GetIO().DisplaySize = {400, 300};
    unsigned char* px = nullptr;
    int w = 0, h = 0;
    ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&px, &w, &h);
    ImGui::NewFrame();
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    const int first = dl->IdxBuffer.Size;
    dl->AddRectFilled({20, 20}, {60, 50}, IM_COL32_WHITE);        // tiles 1..3 x 1..3
    dl->PushClipRect({200, 0}, {260, 300}, false);
    dl->AddRectFilled({100, 100}, {390, 120}, IM_COL32_WHITE);    // clipped to x 200..260: tiles 12..16 x 6..7
    dl->PopClipRect();
    nk::ui::Cover c;
    c.reset(400, 300);
    CHECK(c.empty());
    c.add(dl, first);
    REQUIRE_FALSE(c.empty());
    std::vector<Rect> r = c.rects({0, 0, 400, 300});
    REQUIRE(r.size() == 2);
    std::sort(r.begin(), r.end(), [](const Rect& a, const Rect& b) { return a.x < b.x; });
    CHECK((r[0].x == 16 && r[0].y == 16 && r[0].w == 48 && r[0].h == 48));
    CHECK((r[1].x == 192 && r[1].y == 96 && r[1].w == 80 && r[1].h == 32));
    // Cut to a clip; moved by an offset (the burn-in shift) before the tiles are taken.
    r = c.rects({30, 0, 400, 40});
    std::sort(r.begin(), r.end(), [](const Rect& a, const Rect& b) { return a.x < b.x; });
    REQUIRE(r.size() == 1);
    CHECK((r[0].x == 30 && r[0].y == 16 && r[0].w == 34 && r[0].h == 24));
    nk::ui::Cover moved;
    moved.reset(400, 300);
    moved.add(dl, first, {16, 0});
    r = moved.rects({0, 0, 60, 300});
    REQUIRE(r.size() == 1);
    CHECK((r[0].x == 32 && r[0].w == 28));
    nk::ui::Cover both = moved;
    both |= c;
    CHECK(both.rects({0, 0, 400, 300}).size() >= 2);
    ImGui::Render();
}

// Over a kept frame, a fade between two cards is drawn as cards-only frames: no full clear, no
// header, only the tiles the cards cover, and at the end the tiles of both cards (the old one's
// remains are painted back to the background).
TEST_CASE("a fade over the kept frame repaints only the cards' tiles", "[kiosk]") {
    Fixture f;
    f.kept = true;
    f.turn();
    f.settle();
    nk::ui::Layout L = nk::ui::compute_layout(1920, 1080, nk::ui::Mode::Cards, false, 0.03f, true);
    const Rect header = nk::ui::header_band(L);
    const Rect clip{L.safe.x, L.body.y, L.safe.w, L.body.h + 1};
    const std::string first_title = f.kiosk->current_card()->entry.item.title;
    f.advance(f.kiosk->current_card()->dwell_seconds + 0.01);
    int cards_only = 0, full = 0;
    double last_area = 0;
    for (int i = 0; i < 100; ++i) {
        f.t += 0.01;
        FramePlan p = f.turn();
        if (!p.full) continue;
        if (!p.cards_only) {
            ++full;
            continue;
        }
        ++cards_only;
        CHECK_FALSE(p.damage);
        const std::vector<Rect>& painted = f.kiosk->repainted();
        last_area = 0;
        for (const Rect& r : painted) {
            CHECK(inside(r, clip));
            CHECK_FALSE(overlap(r, header));
            last_area += static_cast<double>(r.w) * r.h;
        }
    }
    CHECK(f.kiosk->current_card()->entry.item.title != first_title);
    // The first frame of the change may be whole (the picture of the next card still decoding
    // changes nothing here: the demo's are ready); the fade's steps are cards-only.
    CHECK(cards_only >= 6);
    CHECK(full <= 1);
    // The last frame painted the new card and the old card's tiles: something, but less than the body.
    CHECK(last_area > 0.1 * L.body.w * L.body.h);
    CHECK(last_area < 1.0 * clip.w * clip.h);
}

// A platform that blends a fade itself (display.cpp's FadeBlit under X) is told the shares of each
// step, where the kept frame has the old card, and when the fade's exact last frame is due; once it
// says a step is on screen, the kiosk asks for nothing more at that moment.
TEST_CASE("a fade's steps are told as shares, for a platform that blends them itself", "[kiosk]") {
    Fixture f;
    f.kept = true;
    f.turn();
    f.settle();
    nk::ui::Layout L = nk::ui::compute_layout(1920, 1080, nk::ui::Mode::Cards, false, 0.03f, true);
    const Rect clip{L.safe.x, L.body.y, L.safe.w, L.body.h + 1};
    CHECK_FALSE(f.kiosk->fade_at(f.t));  // a card standing
    f.advance(f.kiosk->current_card()->dwell_seconds + 0.01);
    f.app->advance(f.t, f.wall);
    f.kiosk->update(f.t, f.wall);
    float gone = -1, come = -1;
    int steps = 0;
    double end = 0;
    for (int i = 0; i < 100; ++i, f.t += 0.01) {
        const std::optional<Kiosk::Fade> fade = f.kiosk->fade_at(f.t);
        if (!fade) continue;
        ++steps;
        CHECK(fade->gone >= gone);
        CHECK(fade->come >= come);
        CHECK((fade->come == 0 || fade->gone == 1));  // the old card is gone before the new one comes
        gone = fade->gone;
        come = fade->come;
        end = fade->end;
        // Nothing was drawn since the old card stood: the kept frame shows it, and where.
        CHECK(fade->from_standing);
        REQUIRE_FALSE(fade->leaving.empty());
        for (const Rect& r : fade->leaving) CHECK(inside(r, clip));
        FramePlan p = f.kiosk->plan(f.t);
        if (p.full) {
            CHECK(p.cards_only);
            f.kiosk->static_shown(f.t);
            CHECK_FALSE(f.kiosk->plan(f.t).full);
        }
    }
    CHECK(steps >= 30);
    CHECK(gone == 1);
    CHECK(come > 0.9f);
    CHECK_FALSE(f.kiosk->fade_at(end));  // the new card stands at the end
}

TEST_CASE("the ticker moves on its own capped clock, the rest stays still", "[kiosk]") {
    Fixture f("[display]\nticker = true\nticker_fps = 50\n");
    f.turn();
    f.settle();
    FramePlan p = f.kiosk->plan(f.t);
    CHECK_FALSE(p.full);
    CHECK(p.wake_at <= f.t + 1.0 / 50 + 1e-6);
    f.t += 0.021;
    FramePlan moved = f.turn();
    CHECK(moved.dynamic);
    CHECK_FALSE(moved.full);
    // A dynamic-only frame draws the strip, far fewer vertices than the whole screen.
    CHECK(f.last_vertices > 0);
}

// 100 px/s under a 50 frames/s cap: two whole pixels a frame, every frame, never a fraction (the
// text stays on the pixel grid), and a frame only when the crawl has moved a step.
// In a right-to-left interface the crawl still moves one way (the items are each set in their own
// direction; only their order on the strip differs): a reader's eye never has to change course.
TEST_CASE("the crawl moves the same way in a right-to-left interface", "[kiosk][l10n]") {
    for (const char* lang : {"en", "he", "ar"}) {
        INFO(lang);
        Fixture f(std::string("[display]\nticker = true\nlanguage = \"") + lang + "\"\n");
        f.turn();
        f.settle();
        const double start = f.kiosk->scene(f.t).ticker_offset;
        for (int i = 0; i < 30; ++i) {
            f.t += 1.0 / 30;
            f.turn();
        }
        CHECK(f.kiosk->scene(f.t).ticker_offset > start);  // the strip moves right to left
    }
}

TEST_CASE("the crawl moves in equal whole-pixel steps, one a frame", "[kiosk]") {
    Fixture f("[display]\nticker = true\nticker_fps = 50\nticker_speed = 100\n");
    f.turn();
    f.settle();
    double last = f.kiosk->scene(f.t).ticker_offset;
    int frames = 0;
    for (int i = 0; i < 200; ++i) {
        FramePlan p = f.kiosk->plan(f.t);
        REQUIRE(p.wake_at > f.t);
        CHECK(p.wake_at <= f.t + 0.02 + 1e-9);
        f.t = p.wake_at;
        FramePlan moved = f.turn();
        const double offset = f.kiosk->scene(f.t).ticker_offset;
        CHECK(offset == std::floor(offset));
        if (moved.dynamic && offset != last) {
            CHECK(offset - last == 2);
            ++frames;
        }
        last = offset;
    }
    CHECK(frames >= 190);
}

// A platform that moves the crawl's band itself (display.cpp's CrawlBlit under X) is told which
// frames moved only the crawl, where its rows are and how far it has scrolled, and asks for a few of
// its columns drawn alone.
TEST_CASE("a crawl-only frame says where the crawl is, and its columns are drawn alone", "[kiosk]") {
    Fixture f("[display]\nticker = true\nticker_fps = 50\nticker_speed = 100\n");
    f.kept = true;
    f.turn();
    f.settle();
    const nk::ui::Layout L = nk::ui::compute_layout(1920, 1080, nk::ui::Mode::Cards, true, 0.03f, true);
    int crawl_only = 0, dwell = 0;
    for (int i = 0; i < 150; ++i) {
        f.t = f.kiosk->plan(f.t).wake_at;
        FramePlan p = f.kiosk->plan(f.t);
        CHECK(f.kiosk->crawl_offset(f.t) == static_cast<int64_t>(f.kiosk->scene(f.t).ticker_offset));
        if (p.crawl_only) {
            CHECK(p.dynamic);
            CHECK_FALSE(p.full);
            ++crawl_only;
            // Moved by the platform, not drawn: the frame is done, nothing more is asked for now.
            f.kiosk->crawl_shown(f.t);
            CHECK_FALSE(f.kiosk->plan(f.t).dynamic);
        } else if (p.dynamic) {
            ++dwell;  // the dwell bar's second: drawn as usual
            f.turn();
        }
    }
    CHECK(crawl_only >= 140);
    CHECK(dwell >= 1);
    const Rect band = f.kiosk->crawl_band();
    REQUIRE(band.h > 0);
    CHECK(band.h < L.ticker.h);
    CHECK(inside(band, L.ticker));
    CHECK(band.y == std::floor(band.y));
    CHECK(band.h == std::floor(band.h));

    ImGui::NewFrame();
    f.kiosk->draw_crawl(f.t, ImGui::GetForegroundDrawList(), f.kiosk->crawl_offset(f.t) + 300, 1000, 300);
    ImGui::Render();
    const ImDrawData* d = ImGui::GetDrawData();
    int textured = 0;
    for (int l = 0; l < d->CmdListsCount; ++l)
        for (const ImDrawCmd& c : d->CmdLists[l]->CmdBuffer) {
            if (c.UserCallback || c.ElemCount == 0) continue;
            CHECK(c.ClipRect.x >= 1000);
            CHECK(c.ClipRect.z <= 1300);
            CHECK(c.ClipRect.y >= band.y);
            CHECK(c.ClipRect.w <= band.bottom());
            textured += c.TextureId != ImGui::GetIO().Fonts->TexID;
        }
    CHECK(textured > 0);  // the text blocks that cross those columns
}

// A frame drawn over the last one repaints only the rows the crawl's text covers; when other items
// join the crawl, their text may cover other rows, so the frame they appear in is drawn whole.
TEST_CASE("the frame where new items join the crawl is drawn whole", "[kiosk]") {
    TempDir feeds;
    std::ofstream(feeds.path / "feed.xml")
        << "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>"
           "<item><title>Ångström gauge reads Ýmir's ÉÇÂ heights</title><link>https://example.com/1</link></item>"
           "<item><title>Second story of the new wire</title><link>https://example.com/2</link></item></channel></rss>";
    Fixture f("[display]\nticker = true\n");
    f.turn();
    f.settle();
    auto headlines = [&] {
        std::string all;
        for (const auto& item : f.kiosk->scene(f.t).ticker_items) all += item.headline + "|";
        return all;
    };
    const std::string demo = headlines();
    REQUIRE_FALSE(demo.empty());
    f.write_config("[display]\nticker = true\n[[feed]]\nurl = \"file://" + (feeds.path / "feed.xml").string() + "\"\n");
    bool joined = false;
    for (int i = 0; i < 4000 && !joined; ++i) {
        f.t += 0.25;
        if (i % 4 == 3) ++f.wall;
        usleep(1000);  // the fetch thread reads the file
        const std::string before = headlines();
        FramePlan p = f.turn();
        if (headlines() != before && !before.empty()) {
            joined = true;
            CHECK(p.full);
            CHECK_FALSE(p.damage);
            CHECK(headlines().find("Ångström") != std::string::npos);
        }
    }
    CHECK(joined);
    f.advance(0.05);
    FramePlan next = f.turn();
    CHECK_FALSE(next.full);  // and after it, the crawl moves alone again
    CHECK(next.dynamic);
}

TEST_CASE("keys: next, pause, status page", "[kiosk]") {
    Fixture f;
    f.turn();
    std::string a = f.kiosk->current_card()->entry.item.title;
    f.kiosk->key(Key::Next, f.t, f.wall);
    f.turn();
    CHECK(f.kiosk->current_card()->entry.item.title != a);

    std::string b = f.kiosk->current_card()->entry.item.title;
    f.kiosk->key(Key::Pause, f.t, f.wall);
    f.advance(300);
    f.turn();
    CHECK(f.kiosk->current_card()->entry.item.title == b);  // paused: no rotation
    f.kiosk->key(Key::Pause, f.t, f.wall);
    f.advance(60);
    f.turn();
    CHECK(f.kiosk->current_card()->entry.item.title != b);

    CHECK_FALSE(f.kiosk->status_page_shown());
    f.kiosk->key(Key::Status, f.t, f.wall);
    CHECK(f.kiosk->status_page_shown());
    CHECK(f.turn().full);

    // Tap: right half next, long press pauses.
    std::string c = f.kiosk->current_card()->entry.item.title;
    f.kiosk->tap(1800, 0.1, f.t, f.wall);
    CHECK(f.kiosk->current_card()->entry.item.title != c);
}

TEST_CASE("mode switches on config reload: cards, list, ticker", "[kiosk]") {
    Fixture f("[display]\nmode = \"cards\"\n");
    f.turn();
    CHECK(f.kiosk->current_card());
    f.write_config("[display]\nmode = \"list\"\n");
    f.advance(3);
    FramePlan p = f.turn();
    CHECK(p.full);
    CHECK(f.kiosk->config().display.mode == "list");
    CHECK(f.last_vertices > 100);  // rows of bars and text blocks (one quad each)
    f.write_config("[display]\nmode = \"ticker\"\n");
    f.advance(3);
    f.turn();
    CHECK(f.kiosk->config().display.mode == "ticker");
    f.t += 0.05;
    CHECK(f.turn().dynamic);  // the crawl moves in ticker mode without `ticker = true`
}

TEST_CASE("images of the demo cards become textures, the rotation never waits for them", "[kiosk]") {
    Fixture f;
    f.turn();
    for (int i = 0; i < 400 && f.kiosk->image_pending(); ++i) {
        usleep(10'000);
        f.turn();
    }
    CHECK_FALSE(f.kiosk->image_pending());
    CHECK_FALSE(f.textures.live.empty());
    for (auto& [id, size] : f.textures.live) CHECK(std::max(size.first, size.second) <= 1024);
}

TEST_CASE("frames that only move the ticker or the dwell bar shape and rasterise no text", "[kiosk][text]") {
    Fixture f("[display]\nticker = true\n");
    f.settle();
    for (int i = 0; i < 5; ++i) {  // the first frames prepare the crawl's items and the card
        f.t += 1.0 / 60;
        f.turn();
    }
    const auto before = f.kiosk->text_stats();
    CHECK(before.shaped > 5);
    CHECK(before.rasterized == before.shaped);
    int dynamic = 0;
    for (int i = 0; i < 120; ++i) {
        f.t += 1.0 / 60;  // two seconds of crawl; the wall clock stands still, so the card's text does too
        FramePlan p = f.turn();
        dynamic += p.dynamic && !p.full;
    }
    CHECK(dynamic > 60);
    CHECK(f.kiosk->text_stats().shaped == before.shaped);
    CHECK(f.kiosk->text_stats().rasterized == before.rasterized);
    CHECK(f.kiosk->text_stats().texture_bytes > 0);
    CHECK(f.kiosk->text_stats().texture_bytes <= 24u << 20);
}

TEST_CASE("the display's language: German words and ages on the card", "[kiosk][l10n]") {
    Fixture f("[display]\nlanguage = \"de\"\ntimezone = \"UTC\"\nclock_hours = \"12\"\n");
    f.turn();
    REQUIRE(f.kiosk->current_card());
    CHECK(f.log.end() == std::find_if(f.log.begin(), f.log.end(), [](const std::string& l) { return l.find("language") != std::string::npos; }));
    f.write_config("[display]\nlanguage = \"xx-nonsense\"\n");
    f.advance(3);
    f.turn();
    CHECK(std::any_of(f.log.begin(), f.log.end(), [](const std::string& l) { return l.find("xx-nonsense") != std::string::npos; }));
    CHECK(f.kiosk->has_content());  // an unknown language falls back to English, the wall keeps showing news
}

TEST_CASE("the wall's notice of a broken config is in the wall's language", "[kiosk][l10n]") {
    Fixture f("[display]\nlanguage = \"de\"\n");
    f.turn();
    CHECK(f.kiosk->scene(f.t).notice.empty());
    f.write_config("[display]\nlanguage = \"de\"\nticker = maybe\n");
    f.advance(3);
    f.turn();
    CHECK(f.kiosk->scene(f.t).notice == "Konfigurationsfehler: siehe Journal");
    CHECK(f.kiosk->has_content());
}

TEST_CASE("the next card's text is prepared before its transition starts", "[kiosk][text]") {
    Fixture f;
    f.settle();
    const nk::Card* first = f.kiosk->current_card();
    REQUIRE(first);
    const std::string first_title = first->entry.item.title;
    // Through the dwell on the steady clock (the wall clock stands still, so the clock and the ages
    // keep their words) up to the turn where the next card comes in.
    bool changed = false;
    for (int i = 0; i < 2000 && !changed; ++i) {
        f.t += 1.0 / 30;
        f.turn();
        changed = f.kiosk->current_card() && f.kiosk->current_card()->entry.item.title != first_title;
    }
    REQUIRE(changed);
    // That turn prepared the card after it; the fade itself shapes and rasterises nothing.
    const auto at_change = f.kiosk->text_stats();
    int full = 0;
    for (int i = 0; i < 60; ++i) {
        f.t += 1.0 / 30;
        full += f.turn().full;
    }
    CHECK(full >= 5);  // the fade's frames were drawn
    CHECK(f.kiosk->text_stats().shaped == at_change.shaped);
    CHECK(f.kiosk->text_stats().rasterized == at_change.rasterized);
}

// --- the owner's voice: announcements, the agenda, alerts ------------------------------------

namespace {

// A feed with nothing in it, on disk: the owner's cards are then all there is to show.
std::string empty_feed(const fs::path& dir) {
    std::ofstream(dir / "empty.xml") << "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Empty</title></channel></rss>";
    return "file://" + (dir / "empty.xml").string();
}

std::string control(Fixture& f, const std::string& json) { return f.app->control(json, f.t, f.wall); }

}  // namespace

TEST_CASE("an announcement card has no source badge or age, and its Markdown body is rich text", "[kiosk][owner]") {
    TempDir feeds;
    Fixture f("[announcements]\nshare = 2\n[[announcement]]\nid = \"welcome\"\ntitle = \"Welcome, ACME delegation\"\n"
              "body = \"Coffee in the **atrium**.\\n\\n- Wi-Fi: *Guest*\\n- Host: Maria\"\ncolor = \"#00aa66\"\n"
              "[[feed]]\nurl = \"" + empty_feed(feeds.path) + "\"\n");
    f.turn();
    const nk::Card* card = f.kiosk->current_card();
    REQUIRE(card);
    REQUIRE(card->kind == nk::Card::Kind::Announcement);
    nk::ui::CardView v = f.kiosk->view(*card);
    CHECK(v.kind == nk::ui::CardKind::Announcement);
    CHECK(v.headline == "Welcome, ACME delegation");
    CHECK(v.source.empty());
    CHECK(v.age.empty());
    CHECK_FALSE(v.breaking);
    CHECK(v.color == IM_COL32(0, 0xaa, 0x66, 255));
    REQUIRE(v.body.size() == 3);
    CHECK_FALSE(v.body[0].bullet);
    CHECK(v.body[0].text == std::string("Coffee in the ") + nk::ui::kBoldToggle + "atrium" + nk::ui::kBoldToggle + ".");
    CHECK(v.body[1].bullet);
    CHECK(v.body[1].text == std::string("Wi-Fi: ") + nk::ui::kItalicToggle + "Guest" + nk::ui::kItalicToggle);
    CHECK(v.body[2].bullet);
    CHECK(f.last_vertices > 100);  // drawn: panel, title, body blocks, bullets
    // The scene carries it as the card, with no badge text anywhere on it.
    nk::ui::Scene s = f.kiosk->scene(f.t);
    REQUIRE(s.card);
    CHECK(s.card->kind == nk::ui::CardKind::Announcement);
    CHECK(s.card->source.empty());
}

TEST_CASE("an agenda card lists today's events with Now and Next in the display's clock", "[kiosk][owner]") {
    Fixture f("[display]\ntimezone = \"UTC\"\nclock_hours = \"24\"\n");
    f.turn();
    nk::Card c;
    c.kind = nk::Card::Kind::Agenda;
    c.entry.feed_url = "calendar:rooms";
    c.entry.item.title = "Meeting rooms";
    const int64_t day = f.wall - f.wall % 86400;  // midnight UTC
    c.agenda_at = day + 14 * 3600 + 20 * 60;      // 14:20
    auto item = [&](const char* what, const char* where, int64_t from, int64_t to, bool all_day = false) {
        nk::AgendaItem a;
        a.summary = what;
        a.location = where;
        a.start = from;
        a.end = to;
        a.all_day = all_day;
        c.agenda.push_back(a);
    };
    item("Open house", "", day, day + 86400, true);
    item("Quarterly review", "Board room", day + 14 * 3600, day + 15 * 3600);
    item("Talk", "Hall B", day + 15 * 3600 + 1800, day + 16 * 3600);
    item("Dinner", "Café", day + 19 * 3600, day + 21 * 3600);
    f.wall = c.agenda_at;  // the view words the rows as of the kiosk's last turn
    f.turn();
    nk::ui::CardView v = f.kiosk->view(c);
    CHECK(v.kind == nk::ui::CardKind::Agenda);
    CHECK(v.headline == "Meeting rooms");
    CHECK(v.source.empty());
    CHECK(v.age.empty());
    using Tag = nk::ui::AgendaRow::Tag;
    REQUIRE(v.agenda.size() == 4);
    CHECK(v.agenda[0].tag == Tag::None);
    CHECK(v.agenda[0].time == "All day");
    CHECK(v.agenda[1].tag == Tag::Now);
    CHECK(v.agenda[1].time == "14:00–15:00");
    CHECK(v.agenda[1].title == "Quarterly review");
    CHECK(v.agenda[1].location == "Board room");
    CHECK(v.agenda[2].tag == Tag::Next);
    CHECK(v.agenda[2].time == "15:30–16:00");
    CHECK(v.agenda[3].tag == Tag::None);

    // Later in the day the review is over: it leaves the card, the talk is on now, dinner is next.
    f.wall = day + 15 * 3600 + 1900;
    f.turn();
    v = f.kiosk->view(c);
    REQUIRE(v.agenda.size() == 3);
    CHECK(v.agenda[1].title == "Talk");
    CHECK(v.agenda[1].tag == Tag::Now);
    CHECK(v.agenda[2].tag == Tag::Next);
}

TEST_CASE("an agenda in a 12-hour locale and in German uses that clock and those words", "[kiosk][owner][l10n]") {
    nk::Card c;
    c.kind = nk::Card::Kind::Agenda;
    const int64_t day = 1'795'000'000 - 1'795'000'000 % 86400;
    nk::AgendaItem a;
    a.summary = "Besprechung";
    a.start = day + 14 * 3600;
    a.end = day + 15 * 3600;
    c.agenda = {a, a};
    c.agenda[1].all_day = true;
    c.agenda[1].end = day + 86400;
    c.agenda_at = day + 14 * 3600 + 60;
    {
        Fixture f("[display]\nlanguage = \"de\"\ntimezone = \"UTC\"\n");
        f.turn();
        f.wall = c.agenda_at;
        f.turn();
        nk::ui::CardView v = f.kiosk->view(c);
        REQUIRE(v.agenda.size() == 2);
        CHECK(v.agenda[0].time == "14:00–15:00");
        CHECK(v.agenda[1].time == "Ganztägig");
        CHECK(f.kiosk->scene(f.t).labels.now == "Jetzt");
    }
    Fixture g("[display]\nlanguage = \"en-US\"\ntimezone = \"UTC\"\nclock_hours = \"12\"\n");
    g.turn();
    g.wall = c.agenda_at;
    g.turn();
    nk::ui::CardView v = g.kiosk->view(c);
    REQUIRE(v.agenda.size() == 2);
    CHECK(v.agenda[0].time.find("2:00") == 0);
    CHECK(v.agenda[0].time.find("PM") != std::string::npos);
}

TEST_CASE("alerts: info and warning take strips beside the card, an emergency the screen until cleared", "[kiosk][owner]") {
    Fixture f("[display]\nticker = true\n");
    f.settle();
    const nk::Card* before = f.kiosk->current_card();
    REQUIRE(before);
    const std::string card_title = before->entry.item.title;
    const ImU32 theme_bg = f.kiosk->background();

    // A warning: a full redraw, the band below the header, the body moved down for it.
    CHECK(control(f, R"({"verb": "alert", "text": "Fire drill at **14:00**", "level": "warning", "for": 600, "id": "drill"})")
              .find("\"ok\":true") != std::string::npos);
    FramePlan warned = f.turn();
    CHECK(warned.full);
    CHECK_FALSE(warned.damage);
    nk::ui::Scene s = f.kiosk->scene(f.t);
    REQUIRE(s.alerts.size() == 1);
    CHECK(s.alerts[0].level == nk::ui::AlertLevel::Warning);
    CHECK(s.alerts[0].text.at(0).text == std::string("Fire drill at ") + nk::ui::kBoldToggle + "14:00" + nk::ui::kBoldToggle);
    MemoryTextures tex;
    nk::ui::TextEngine te(tex, nullptr);
    nk::ui::Layout with_band = nk::ui::scene_layout(s, te);
    nk::ui::Layout plain = nk::ui::compute_layout(1920, 1080, nk::ui::Mode::Cards, true, 0.03f, true);
    CHECK(with_band.warning.h > 0);
    CHECK(with_band.info.h == 0);
    CHECK(with_band.warning.y >= with_band.header.bottom());
    CHECK(with_band.body.y > with_band.warning.bottom());
    CHECK(with_band.body.y > plain.body.y);
    // Idle with the band up: nothing to draw until something changes.
    FramePlan idle = f.kiosk->plan(f.t);
    CHECK_FALSE(idle.full);
    CHECK(idle.wake_at > f.t);

    // An info alert as well: a banner above the bottom edge, the card's bottom moved up for it.
    control(f, R"({"verb": "alert", "text": "Café closes at 15:00", "level": "info", "for": 600, "id": "cafe"})");
    CHECK(f.turn().full);
    nk::ui::Layout both = nk::ui::scene_layout(f.kiosk->scene(f.t), te);
    CHECK(both.info.h > 0);
    CHECK(both.body.bottom() < both.info.y);
    CHECK(both.info.bottom() <= both.ticker.y);

    // An emergency: the whole screen in its colour, the rotation held, the crawl still.
    control(f, R"({"verb": "alert", "text": "**Evacuate** the building now", "level": "emergency", "for": 600, "id": "evac"})");
    FramePlan emergency = f.turn();
    CHECK(emergency.full);
    CHECK(f.kiosk->background() == nk::ui::kEmergencyBackground);
    CHECK(nk::ui::emergency(f.kiosk->scene(f.t)));
    const int64_t held_for = 600;
    for (int i = 0; i < 20; ++i) {
        f.advance(static_cast<double>(held_for) / 40);
        f.turn();
    }
    REQUIRE(f.kiosk->current_card());
    CHECK(f.kiosk->current_card()->entry.item.title == card_title);
    // No crawl or dwell frames under it: the screen stands still between clock minutes.
    f.turn();
    for (int i = 0; i < 10; ++i) {
        f.t += 0.05;
        FramePlan p = f.turn();
        CHECK_FALSE(p.dynamic);
        CHECK_FALSE(p.full);
    }
    CHECK(f.kiosk->plan(f.t).wake_at > f.t);

    // Cleared: the same card comes back, the theme's background, the strips of the others gone too.
    control(f, R"({"verb": "clear"})");
    CHECK(f.turn().full);
    CHECK(f.kiosk->background() == theme_bg);
    CHECK(f.kiosk->scene(f.t).alerts.empty());
    REQUIRE(f.kiosk->current_card());
    CHECK(f.kiosk->current_card()->entry.item.title == card_title);
}
