// SPDX-License-Identifier: Apache-2.0
#include "app/kiosk.h"

#include "app/images.h"
#include "app/l10n.h"
#include "core/timefmt.h"

#include <stb_image.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <list>
#include <unordered_map>

namespace nk::app {
namespace {

constexpr double kDwellSteps = 1;          // dwell bar updates per second: a progress hint, not an animation
constexpr double kLongPress = 0.6;         // seconds
constexpr std::size_t kTickerItems = 40;
constexpr int64_t kStaleAfter = 15 * 60;   // a failing feed's badge says so after this long
constexpr std::size_t kTextureBudget = 48u << 20;  // bytes of image textures kept for reuse

// Seconds-resolution formats must be redrawn every second, the rest once a minute.
bool shows_seconds(const std::string& fmt) {
    for (std::size_t i = 0; i + 1 < fmt.size(); ++i)
        if (fmt[i] == '%') {
            char c = fmt[i + 1];
            if (c == 'S' || c == 'T' || c == 'r' || c == 's' || c == 'c' || c == 'X') return true;
            ++i;
        }
    return false;
}

float ease_in_out(double x) {
    x = std::clamp(x, 0.0, 1.0);
    return static_cast<float>(x < 0.5 ? 4 * x * x * x : 1 - std::pow(-2 * x + 2, 3) / 2);
}

// What the static layer shows, as three hashes: the whole screen's frame (size, fonts, theme,
// shift), the header band and the body band, so a clock tick redraws only the header.
struct StaticKey {
    uint64_t frame = 0, header = 0, body = 0;
    bool operator==(const StaticKey&) const = default;
};

struct Texture {
    ImTextureID id = nullptr;
    int w = 0, h = 0;
    double used = 0;
};

}  // namespace

struct Kiosk::Impl {
    App* app = nullptr;
    std::unique_ptr<ImageLoader> images;
    TextureApi* textures = nullptr;
    std::function<void(const std::string&)> log;
    std::unique_ptr<ui::TextEngine> text;
    std::unique_ptr<Localizer> words;    // the display's language: dates, ages, interface strings
    std::string words_key;
    ui::Labels labels;
    int64_t clock_at = -1;               // the wall second clock_text and date_text were made for
    std::unordered_map<int64_t, std::pair<int64_t, std::string>> ages;  // story time -> (wall, words)
    std::size_t waiting_feeds = SIZE_MAX;  // the feed count waiting_text was worded for
    std::string waiting_text;

    // plan() and draw() build a scene on every turn: ICU formats an age once per second at most.
    const std::string& age(int64_t then) {
        if (ages.size() > 256) ages.clear();
        auto& a = ages[then];
        if (a.first != wall || a.second.empty()) a = {wall, words->age(then, wall)};
        return a.second;
    }
    std::string clock_text, date_text;
    std::string all_day = "All day";

    // The owner's Markdown (announcement bodies, alerts) parsed once per text: plan() and draw()
    // build a scene on every turn.
    std::unordered_map<std::string, std::vector<ui::RichBlock>> rich;
    const std::vector<ui::RichBlock>& rich_of(const std::string& markdown) {
        auto it = rich.find(markdown);
        if (it != rich.end()) return it->second;
        if (rich.size() > 64) rich.clear();
        return rich.emplace(markdown, ui::rich_blocks(markdown)).first->second;
    }

    float width = 1280, height = 720;
    ui::Layout layout;
    int64_t wall = 0;
    double now = 0;

    bool status_toggle = false;
    DisplayConfig display;               // as last followed by update()
    uint64_t seen_generation = ~uint64_t{0};
    std::string text_lang = "en";        // the language text was laid out for
    std::string prepared_id;             // the next card whose text is prepared

    std::vector<ui::TickerItem> ticker, ticker_pending;
    double ticker_start = 0;

    std::unordered_map<std::string, Texture> texture_cache;
    Texture logo;
    std::string logo_path;
    std::size_t texture_bytes = 0;

    StaticKey drawn_static;              // what the static layer shows
    bool drawn_any = false;
    bool drawn_cards = false;            // the static layer shows the cards, where cards_cover says
    ui::Cover cards_cover;
    std::vector<ui::Rect> repainted;     // the last cards-only frame's painted rectangles
    std::string drawn_fade;              // the fade the static layer shows (ids and pictures); empty: none
    float drawn_transition = 0;          // how far into it
    std::string drawn_standing;          // or the card standing alone (id and picture); empty: none
    int64_t drawn_ticker_steps = -1;
    // New crawl items joined: the rows their text covers may differ from the last items', so the
    // next frame is drawn whole (a frame over the last one repaints only the rows of the new ones).
    bool ticker_changed = false;
    int64_t drawn_dwell_step = -1;
    ui::Rect drawn_band;                 // where the last draw painted the moving parts
    ui::Rect drawn_crawl;                // the rows the last draw's crawl covers

    const Config& cfg() const { return app->config(); }

    // Language, time zone or hour cycle changed (or first call): new formatters, and text laid
    // out again for the language's line breaking and CJK glyph forms.
    void follow_language() {
        const DisplayConfig& d = cfg().display;
        std::string key = d.language + "\n" + d.timezone + "\n" + d.clock_hours;
        if (words && key == words_key) return;
        words_key = key;
        words = std::make_unique<Localizer>(d.language, d.timezone, d.clock_hours, log);
        text->set_language(words->language());
        text_lang = words->language();
        labels.breaking = words->tr("BREAKING");
        labels.not_updating = words->tr("not updating");
        labels.scan = words->tr("Scan for the story");
        labels.feeds = words->tr("Feeds");
        labels.paused = words->tr("paused");
        labels.waiting = words->tr("Waiting for news…");
        labels.now = words->tr("Now");
        labels.next = words->tr("Next");
        labels.nothing_today = words->tr("Nothing more on the calendar today");
        labels.scan_more = words->tr("Scan for more");
        all_day = words->tr("All day");
        clock_at = -1;
        ages.clear();
        waiting_feeds = SIZE_MAX;
    }
    const Store& store() const { return app->engine().pipeline().store(); }
    const Show& show() const { return app->show(); }
    ui::Mode mode() const { return ui::parse_mode(cfg().display.mode); }
    double transition_seconds() const { return cfg().display.transition_ms / 1000.0; }
    // Whole pixels the crawl moves a frame: its speed over the frame-rate cap, at least one. The
    // crawl moves by the same whole step every frame, so its text stays on the pixel grid: as sharp
    // as the card's, and sampled texel for texel (the cheap way on a software GPU).
    double ticker_step() const {
        const DisplayConfig& d = cfg().display;
        return std::max(1.0, std::round(d.ticker_speed / std::max(1, std::min(d.ticker_fps, d.max_fps))));
    }
    // Steps the crawl has moved since it started at t. A wake-up at a step's computed time counts
    // that step, rounding or not (else the loop would wake again at once for it).
    int64_t ticker_steps(double t) const {
        return static_cast<int64_t>(std::floor((t - ticker_start) * cfg().display.ticker_speed / ticker_step() + 1e-6));
    }

    // --- what is shown ---------------------------------------------------------------------

    // List mode shows as many rows as the layout fits; the show picks that many cards.
    void follow_mode() {
        app->show().set_page_size(mode() == ui::Mode::List ? list_rows() : 0);
        // The story's picture box is the largest a picture is drawn (an announcement's is smaller).
        if (images) images->fit(static_cast<int>(std::ceil(layout.image.w)), static_cast<int>(std::ceil(layout.image.h)));
    }

    std::size_t list_rows() const {
        ui::FontSizes fs = ui::font_sizes(layout, ui::Mode::List);
        float row = fs.px[static_cast<int>(ui::FontRole::Meta)] + fs.px[static_cast<int>(ui::FontRole::Headline)] * 2.3f +
                    36 * layout.unit;
        return static_cast<std::size_t>(std::clamp(layout.body.h / row, 1.0f, 12.0f));
    }

    // --- images -------------------------------------------------------------------------------

    void request_images() {
        // Only the owner's cards may name a picture on this machine's disk.
        auto want = [&](const Card& c) {
            const std::string& url = c.entry.item.image;
            if (!url.empty() && !texture_cache.count(url)) images->request(url, wall, c.kind == Card::Kind::Announcement);
        };
        for (const auto* c : {&show().current(), &show().ahead()})
            if (*c) want(**c);
        for (const Card& c : show().page()) want(c);
    }

    void take_images(double t) {
        for (DecodedImage& img : images->take_ready()) {
            if (texture_cache.count(img.url)) continue;
            ImTextureID id = textures->upload(img.rgba.data(), img.width, img.height);
            if (!id) continue;
            texture_cache[img.url] = {id, img.width, img.height, t};
            texture_bytes += static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height) * 4;
        }
        // Least recently used first, never one that is on screen or next.
        while (texture_bytes > kTextureBudget) {
            auto victim = texture_cache.end();
            for (auto it = texture_cache.begin(); it != texture_cache.end(); ++it) {
                if (on_screen(it->first)) continue;
                if (victim == texture_cache.end() || it->second.used < victim->second.used) victim = it;
            }
            if (victim == texture_cache.end()) break;
            textures->release(victim->second.id);
            texture_bytes -= static_cast<std::size_t>(victim->second.w) * static_cast<std::size_t>(victim->second.h) * 4;
            texture_cache.erase(victim);
        }
    }

    // The header logo is a local file named in the config: small, read once per change, here.
    void load_logo() {
        const std::string& path = cfg().display.logo;
        if (path == logo_path) return;
        logo_path = path;
        if (logo.id) textures->release(logo.id);
        logo = {};
        if (path.empty()) return;
        int w = 0, h = 0, n = 0;
        unsigned char* px = stbi_load(path.c_str(), &w, &h, &n, 4);
        if (!px) {
            log("logo " + path + ": cannot read it (" + (stbi_failure_reason() ? stbi_failure_reason() : "unknown") +
                "); showing the title only");
            return;
        }
        if (w > 2048 || h > 2048) log("logo " + path + ": " + std::to_string(w) + "x" + std::to_string(h) + " is larger than a GPU may take; use at most 2048 px");
        else logo = {textures->upload(px, w, h), w, h, 0};
        stbi_image_free(px);
    }

    bool on_screen(const std::string& url) const {
        for (const auto* c : {&show().current(), &show().leaving(), &show().ahead()})
            if (*c && (*c)->entry.item.image == url) return true;
        const std::vector<Card>& page = show().page();
        return std::any_of(page.begin(), page.end(), [&](const Card& c) { return c.entry.item.image == url; });
    }

    // --- the scene ----------------------------------------------------------------------------

    // An agenda card's rows as of now: events that ended are gone, those on now are "Now", the
    // next start (all that share it) is "Next". All-day events are on all day: no tag, just "All day".
    std::vector<ui::AgendaRow> agenda_rows(const Card& c) const {
        const int64_t at = std::max(c.agenda_at, wall);
        std::optional<int64_t> next_start;
        for (const AgendaItem& a : c.agenda)
            if (!a.all_day && a.start > at && (!next_start || a.start < *next_start)) next_start = a.start;
        std::vector<ui::AgendaRow> rows;
        for (const AgendaItem& a : c.agenda) {
            if (a.end <= at) continue;
            ui::AgendaRow r;
            if (!a.all_day) r.tag = a.start <= at ? ui::AgendaRow::Tag::Now
                                  : a.start == next_start ? ui::AgendaRow::Tag::Next
                                                          : ui::AgendaRow::Tag::None;
            // The language's own hour cycle ("14:00", "2:00 PM") from the same formatter as the clock.
            r.time = a.all_day ? all_day : words->time(a.start) + "–" + words->time(a.end);
            r.title = a.summary;
            r.location = a.location;
            rows.push_back(std::move(r));
        }
        return rows;
    }

    ui::CardView view(const Card& c) {
        ui::CardView v;
        v.id = c.entry.feed_url + "\n" + (c.entry.item.id.empty() ? c.entry.item.link : c.entry.item.id) + "\n" + c.entry.item.title;
        v.headline = c.entry.item.title;
        v.link = c.entry.item.link;
        v.has_picture = !c.entry.item.image.empty();
        if (c.kind != Card::Kind::News) {
            // The owner speaks: no source badge, no age; its colour, else the theme's accent.
            v.kind = c.kind == Card::Kind::Agenda ? ui::CardKind::Agenda : ui::CardKind::Announcement;
            v.color = ui::parse_color(c.color, ui::Theme::named(cfg().display.theme).accent);
            if (v.kind == ui::CardKind::Announcement) {
                v.summary = c.entry.item.summary;  // the Markdown source: the static key sees edits
                v.body = rich_of(c.entry.item.summary);
            } else {
                v.agenda = agenda_rows(c);
            }
            attach_image(v, c);
            return v;
        }
        v.source = c.source;
        v.summary = c.entry.item.summary;
        v.age = age(c.entry.time);
        v.color = ui::parse_color(c.color, IM_COL32(90, 100, 120, 255));
        v.breaking = c.entry.breaking;
        if (const FeedStatus* st = store().find_status(c.entry.feed_url))
            v.stale = st->stale_since && wall - *st->stale_since >= kStaleAfter;
        attach_image(v, c);
        return v;
    }

    void attach_image(ui::CardView& v, const Card& c) {
        if (auto it = texture_cache.find(c.entry.item.image); it != texture_cache.end()) {
            it->second.used = now;
            v.image = it->second.id;
            v.image_w = it->second.w;
            v.image_h = it->second.h;
        }
    }

    std::vector<ui::AlertView> alert_views() {
        std::vector<ui::AlertView> out;
        for (const Alert& a : app->alerts()) {
            ui::AlertView v;
            v.level = a.level == AlertLevel::Emergency ? ui::AlertLevel::Emergency
                      : a.level == AlertLevel::Warning ? ui::AlertLevel::Warning
                                                       : ui::AlertLevel::Info;
            v.id = a.id;
            v.text = rich_of(a.text);
            out.push_back(std::move(v));
        }
        return out;
    }

    std::vector<ui::TickerItem> ticker_items() const {
        std::vector<ui::TickerItem> out;
        auto lists = store().eligible(wall);
        std::vector<std::string> urls = store().feed_urls();
        // Round-robin over the feeds, newest first, so one busy feed does not fill the crawl.
        for (std::size_t depth = 0; out.size() < kTickerItems; ++depth) {
            bool any = false;
            for (std::size_t f = 0; f < lists.size() && out.size() < kTickerItems; ++f) {
                if (depth >= lists[f].size()) continue;
                any = true;
                const Entry* e = lists[f][depth];
                out.push_back({feed_source_name(store(), cfg(), e->feed_url), e->item.title,
                               ui::parse_color(feed_color(cfg(), e->feed_url, f), IM_COL32(90, 100, 120, 255))});
            }
            if (!any) break;
        }
        return out;
    }

    std::string banner() const {
        std::vector<std::string> urls = store().feed_urls();
        if (urls.empty()) return {};
        int64_t since = INT64_MAX;
        for (const auto& u : urls) {
            const FeedStatus* st = store().find_status(u);
            if (!st || st->error.empty() || !st->stale_since) return {};
            since = std::min(since, *st->stale_since);
        }
        return fill(words->tr("offline since %s"), words->time(since));
    }

    std::vector<ui::FeedStatusView> statuses() const {
        std::vector<ui::FeedStatusView> out;
        std::vector<std::string> urls = store().feed_urls();
        for (std::size_t i = 0; i < urls.size(); ++i) {
            const FeedStatus* st = store().find_status(urls[i]);
            ui::FeedStatusView v;
            v.url = urls[i];
            v.source = feed_source_name(store(), cfg(), urls[i]);
            v.color = ui::parse_color(feed_color(cfg(), urls[i], i), IM_COL32(90, 100, 120, 255));
            if (!st || st->last_attempt == 0) {
                v.state = words->tr("waiting");
            } else if (st->gone) {
                v.state = words->tr("stopped (gone)");
                v.ok = false;
            } else if (!st->error.empty()) {
                v.state = words->tr("failing");
                v.ok = false;
            } else {
                v.state = words->tr("ok");
            }
            if (st) {
                std::string items = words->trn("%s item", "%s items", static_cast<int64_t>(st->item_count));
                if (st->hidden_count)
                    items += " " + fill(words->tr("(%s more with no text to show)"), words->number(static_cast<int64_t>(st->hidden_count)));
                std::string updated = st->last_success ? fill(words->tr("updated %s"), words->age(st->last_success, wall))
                                                       : words->tr("never updated");
                v.detail = st->error.empty() ? items + " · " + updated : st->error + " · " + updated;
            }
            out.push_back(std::move(v));
        }
        // The owner's other sources: calendars, then the fleet's broker, as rows of the same page.
        for (const Pipeline::CalendarMetrics& c : app->engine().pipeline().calendar_metrics(wall, /*count_events=*/false)) {
            ui::FeedStatusView v;
            v.url = c.url;
            v.source = c.name;
            v.color = IM_COL32(140, 150, 170, 255);
            v.ok = c.error.empty();
            v.state = !c.error.empty() ? words->tr("failing") : c.last_success ? words->tr("ok") : words->tr("waiting");
            const std::string updated = c.last_success ? fill(words->tr("updated %s"), words->age(c.last_success, wall))
                                                       : words->tr("never updated");
            v.detail = c.error.empty() ? updated : c.error + " · " + updated;
            out.push_back(std::move(v));
        }
        if (std::optional<net::FleetHealth> f = app->fleet_health()) {
            ui::FeedStatusView v;
            v.url = f->broker;
            v.source = fill(words->tr("fleet: %s"), f->screen);
            v.color = IM_COL32(140, 150, 170, 255);
            v.ok = f->connected;
            v.state = f->connected ? words->tr("ok") : words->tr("failing");
            std::string groups;
            for (const std::string& g : f->groups) groups += (groups.empty() ? "" : ", ") + g;
            v.detail = f->connected ? groups : f->problem + (groups.empty() ? "" : " · " + groups);
            if (!f->last_error.empty()) v.detail += " · " + f->last_error;
            out.push_back(std::move(v));
        }
        return out;
    }

    int64_t transition_step(double t) const {
        return static_cast<int64_t>(std::floor((t - show().transition_start()) * std::max(1, cfg().display.transition_fps)));
    }

    ui::Scene scene(double t) {
        const DisplayConfig& d = cfg().display;
        ui::Scene s;
        s.width = width;
        s.height = height;
        s.fill = textures->fill();
        s.theme = ui::Theme::named(d.theme);
        s.mode = mode();
        s.safe_area = static_cast<float>(d.safe_area);
        if (d.pixel_shift) {
            // A slow orbit of a few pixels, one step every three minutes.
            int64_t step = wall / 180;
            float r = 3 * layout.unit;
            s.shift = {r * static_cast<float>(step % 3 - 1), r * static_cast<float>((step / 3) % 3 - 1)};
        }
        s.title = d.title;
        s.logo = logo.id;
        s.logo_w = logo.w;
        s.logo_h = logo.h;
        // A strftime format in the config is the operator's word; otherwise the language's own.
        // Formatted once per second at most: plan() builds a scene on every turn of the loop.
        if (wall != clock_at) {
            clock_at = wall;
            clock_text = d.clock_format.empty() ? words->clock(wall) : format_time(d.clock_format, wall);
            date_text = d.date_format.empty() ? words->date(wall) : format_time(d.date_format, wall);
        }
        s.clock = clock_text;
        s.date = date_text;
        s.labels = labels;
        s.rtl = words->right_to_left();
        s.qr = d.qr;
        s.transition_kind = ui::parse_transition(d.transition);
        const Show& sh = show();
        if (sh.current()) s.card = view(*sh.current());
        if (sh.in_transition(t)) {
            s.previous = view(*sh.leaving());
            double fps = std::max(1, d.transition_fps);
            double stepped = static_cast<double>(transition_step(t)) / fps;
            s.transition = ease_in_out(stepped / transition_seconds());
        }
        if (sh.current() && sh.dwell() > 0)
            s.dwell = static_cast<float>(std::floor(sh.elapsed(t) * kDwellSteps) / kDwellSteps / sh.dwell());
        for (const Card& c : sh.page()) s.list.push_back(view(c));
        s.ticker = d.ticker;
        s.ticker_items = ticker;
        s.ticker_offset = d.ticker_speed > 0 ? static_cast<double>(ticker_steps(t)) * ticker_step() : 0;
        s.banner = banner();
        // The engine keeps the details for the journal; the wall says where to look, in its language.
        if (!app->engine().config_problem().empty()) s.notice = words->tr("config error: see journal");
        if (!app->engine().cache_problem().empty())
            s.notice += std::string(s.notice.empty() ? "" : " · ") + words->tr("cannot save to disk: see journal");
        s.paused = sh.paused();
        s.status_page = d.status_page || status_toggle;
        if (s.status_page) s.statuses = statuses();
        // Worded when the number of feeds changes, not on every turn (ICU formats the number).
        if (const std::size_t n = store().feed_count(); n != waiting_feeds) {
            waiting_feeds = n;
            waiting_text = n == 0 ? words->tr("No feeds configured")
                                  : words->trn("Waiting for news from %s feed…", "Waiting for news from %s feeds…",
                                               static_cast<int64_t>(n));
        }
        s.waiting_message = waiting_text;
        s.alerts = alert_views();
        return s;
    }

    // What the cards show: a card standing, or a fade from one to another and how far it is. A
    // later frame of the same fade, or the first one of a fade from the standing card, draws only
    // the step (ui::draw_cards_over).
    static std::string shown(const std::optional<ui::CardView>& c) {
        return c ? c->id + '\x1f' + std::to_string(reinterpret_cast<uintptr_t>(c->image)) : std::string();
    }

    // `drawn_layout`: the scene's, with room for its alerts' strips (not `layout`, which has none).
    void draw_static_layer(const ui::Scene& s, const ui::Layout& drawn_layout, ImDrawList* dl, const ui::Rect* damage, bool cards_only) {
        const bool fading = s.previous && s.card && s.transition_kind == ui::Transition::Fade;
        const std::string fade = fading ? shown(s.previous) + '\x1e' + shown(s.card) : std::string();
        const std::string standing = !s.previous ? shown(s.card) : std::string();
        if (cards_only && drawn_cards) {
            float from = -1;
            if (fading && fade == drawn_fade) from = drawn_transition;
            else if (fading && !drawn_standing.empty() && drawn_standing == shown(s.previous)) from = 0;
            ui::Cover cards;
            repainted = ui::draw_cards_over(s, drawn_layout, *text, dl, cards_cover, cards, from);
            cards_cover = std::move(cards);
            // A step too small to draw leaves the screen where it was.
            drawn_transition = from >= 0 && repainted.empty() ? from : s.transition;
            drawn_fade = fade;
            drawn_standing = standing;
        } else {
            // A frame inside damage (the header) leaves the cards and their cover as they were.
            ui::Cover cards;
            ui::draw_static(s, drawn_layout, *text, dl, damage, damage ? nullptr : &cards);
            if (!damage) {
                drawn_cards = ui::shows_cards(s);
                drawn_fade = fade;
                drawn_standing = standing;
                drawn_transition = s.transition;
                cards_cover = std::move(cards);
                ticker_changed = false;
            }
            repainted.clear();
            drawn_any = true;
        }
        drawn_static = static_key(s, text_lang);
    }

    static StaticKey static_key(const ui::Scene& s, const std::string& lang) {
        auto hash = [](const std::string& k) { return std::hash<std::string>{}(k); };
        std::string k;
        auto add = [&](std::string_view v) { k.append(v); k.push_back('\x1f'); };
        // Numbers and pointers by their bytes: plan() builds this key on every turn of the loop.
        auto num = [&](auto v) {
            char b[sizeof v];
            std::memcpy(b, &v, sizeof v);
            add({b, sizeof v});
        };
        auto card = [&](const ui::CardView& c) {
            add(c.id); add(c.age); add(c.source);
            num(c.image);
            add(c.stale ? "s" : "-");
            num(c.kind);
            if (c.kind == ui::CardKind::Announcement) add(c.summary);  // an edited body, same title
            for (const auto& r : c.agenda) {      // rows end and turn from "Next" to "Now"
                num(r.tag); add(r.time); add(r.title); add(r.location);
            }
        };
        StaticKey key;
        num(s.width); num(s.height); add(lang);
        num(s.shift.x); num(s.shift.y);
        num(s.theme.background); num(s.mode);
        // An alert coming or going moves the body (its strips take room) or takes the whole screen.
        for (const auto& a : s.alerts) {
            num(a.level); add(a.id);
            for (const auto& b : a.text) add(b.text);
        }
        key.frame = hash(k);
        k.clear();
        add(s.clock); add(s.date); add(s.banner); add(s.notice); add(s.paused ? "p" : "-"); add(s.title); add(s.rtl ? "r" : "l");
        num(s.logo);
        key.header = hash(k);
        k.clear();
        if (s.card) card(*s.card);
        if (s.previous) { card(*s.previous); num(s.transition); }
        for (const auto& c : s.list) card(c);
        add(s.status_page ? "S" : "-");
        for (const auto& f : s.statuses) { add(f.source); add(f.state); add(f.detail); }
        add(s.waiting_message);
        add(s.qr ? "q" : "-");
        key.body = hash(k);
        return key;
    }
};

Kiosk::Kiosk(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Kiosk::~Kiosk() {
    if (!impl_) return;
    for (auto& [url, tex] : impl_->texture_cache) impl_->textures->release(tex.id);
    if (impl_->logo.id) impl_->textures->release(impl_->logo.id);
    // The loader's pending fetches go through the engine's fetcher, which outlives it.
    impl_->images.reset();
}

std::unique_ptr<Kiosk> Kiosk::create(App& app, TextureApi& textures, std::function<void()> wake,
                                     std::function<void(const std::string&)> log, double t, int64_t wall) {
    auto impl = std::make_unique<Impl>();
    Impl& m = *impl;
    m.app = &app;
    m.log = log ? std::move(log) : [](const std::string& s) { std::cerr << s << std::endl; };
    m.textures = &textures;
    m.wall = wall;
    m.now = t;
    ImageLoaderOptions io;
    io.cache_dir = app.engine().cache_dir();
    io.wake = std::move(wake);
    io.log = m.log;
    Engine* eng = &app.engine();
    m.images = std::make_unique<ImageLoader>(io, [eng](net::FetchRequest r, std::function<void(net::FetchResponse&&)> done) {
        eng->fetch(std::move(r), std::move(done));
    });
    m.text = std::make_unique<ui::TextEngine>(textures, m.log);
    m.follow_language();
    m.display = m.cfg().display;
    m.ticker_start = t;
    m.layout = ui::compute_layout(m.width, m.height, m.mode(), m.display.ticker, static_cast<float>(m.display.safe_area),
                                  m.display.qr);
    m.follow_mode();
    return std::unique_ptr<Kiosk>(new Kiosk(std::move(impl)));
}

void Kiosk::set_size(float width, float height) {
    Impl& m = *impl_;
    if (width <= 0 || height <= 0) return;
    m.width = width;
    m.height = height;
    const DisplayConfig& d = m.cfg().display;
    m.layout = ui::compute_layout(width, height, m.mode(), d.ticker, static_cast<float>(d.safe_area), d.qr);
    m.follow_mode();
}

void Kiosk::update(double t, int64_t wall) {
    Impl& m = *impl_;
    m.now = t;
    m.wall = wall;
    const DisplayConfig& d = m.cfg().display;
    if (!(m.display == d)) {
        m.display = d;
        m.follow_language();
        set_size(m.width, m.height);
        // A switch to or from list mode empties the show; fill it now rather than a turn later.
        if (!m.show().has_content()) m.app->show().update(m.app->engine().pipeline(), t, wall);
    }
    m.take_images(t);
    m.load_logo();
    m.request_images();

    uint64_t gen = m.store().generation();
    if (gen != m.seen_generation) {
        m.seen_generation = gen;
        m.ticker_pending = m.ticker_items();
    }
    // New crawl text joins when the loop comes round, so the crawl never jumps.
    if (!m.ticker_pending.empty() || m.ticker.empty()) {
        double loop_px = 0;
        if (!m.ticker.empty()) {
            ui::Scene s = m.scene(t);
            s.ticker_items = m.ticker;
            loop_px = ui::ticker_loop_width(s, m.layout, *m.text);
        }
        double scrolled = (t - m.ticker_start) * d.ticker_speed;
        if (m.ticker.empty() || loop_px <= 0 || scrolled >= loop_px) {
            if (!m.ticker_pending.empty() || m.ticker.empty()) {
                m.ticker = std::move(m.ticker_pending);
                m.ticker_pending.clear();
                m.ticker_changed = true;
                m.ticker_start = t - (loop_px > 0 ? std::fmod(scrolled, loop_px) / std::max(1.0, d.ticker_speed) : 0);
                if (loop_px <= 0) m.ticker_start = t;
            }
        }
    }
    // The next card's text is shaped and rasterised now, between frames, not in its first frame.
    if (const std::optional<Card>& next = m.show().ahead(); next && m.mode() == ui::Mode::Cards) {
        ui::CardView v = m.view(*next);
        if (v.id != m.prepared_id) {
            ui::Scene s = m.scene(t);
            if (ui::prepare_card(s, ui::scene_layout(s, *m.text), *m.text, v)) m.prepared_id = v.id;
        }
    }
}

FramePlan Kiosk::plan(double t) const {
    Impl& m = const_cast<Impl&>(*impl_);  // scene() touches texture LRU stamps only
    const DisplayConfig& d = m.cfg().display;
    FramePlan p;
    ui::Scene s = m.scene(t);
    StaticKey key = Impl::static_key(s, m.text_lang);
    p.full = !m.drawn_any || !(key == m.drawn_static) || m.ticker_changed;
    if (p.full && m.drawn_any && !m.ticker_changed && key.frame == m.drawn_static.frame) {
        bool header = key.header != m.drawn_static.header, body = key.body != m.drawn_static.body;
        // Only the header is worth a partial redraw: Mesa clears a scissored area with a quad, so
        // clearing the body band costs more than clearing the whole screen (a fast path) and
        // redrawing the small header with it.
        if (header && !body) p.damage = ui::header_band(m.layout);
        // The cards alone: painted back to the background where the last ones were, then drawn.
        // Not a slide, which moves the whole body every frame.
        p.cards_only = body && !header && m.drawn_cards && ui::shows_cards(s) &&
                       !(s.previous && s.transition < 1 && s.transition_kind == ui::Transition::Slide);
    }

    // An emergency has the whole screen and stands still: no crawl under it.
    bool ticker_on = m.layout.ticker.h > 0 && !m.ticker.empty() && d.ticker_speed > 0 && !ui::emergency(s);
    const int64_t ticker_steps = ticker_on ? m.ticker_steps(t) : -1;
    const Show& sh = m.show();
    int64_t dwell_step = sh.current() ? static_cast<int64_t>(std::floor(sh.elapsed(t) * kDwellSteps)) : -1;
    const bool crawled = ticker_on && ticker_steps != m.drawn_ticker_steps;
    p.dynamic = p.full || crawled || dwell_step != m.drawn_dwell_step;
    p.crawl_only = !p.full && crawled && dwell_step == m.drawn_dwell_step;

    double wake = t + 60;
    auto soon = [&](double at) { wake = std::min(wake, std::max(at, t)); };
    // The clock text (and card ages) change on the next second or minute boundary of the wall clock.
    int64_t period = shows_seconds(d.clock_format) || shows_seconds(d.date_format) ? 1 : 60;
    soon(t + static_cast<double>(period - m.wall % period));
    soon(sh.next_change());
    if (sh.in_transition(t))
        soon(sh.transition_start() + static_cast<double>(m.transition_step(t) + 1) / std::max(1, std::min(d.transition_fps, d.max_fps)));
    if (ticker_on) soon(m.ticker_start + static_cast<double>(ticker_steps + 1) * m.ticker_step() / d.ticker_speed);
    if (sh.current() && !sh.paused() && !sh.held()) soon(sh.shown_at() + static_cast<double>(dwell_step + 1) / kDwellSteps);
    p.wake_at = wake;
    return p;
}

const ui::TextEngine::Stats& Kiosk::text_stats() const { return impl_->text->stats(); }

ui::Rect Kiosk::dynamic_band() const { return impl_->drawn_band; }

const std::vector<ui::Rect>& Kiosk::repainted() const { return impl_->repainted; }

int64_t Kiosk::crawl_offset(double t) const {
    const Impl& m = *impl_;
    return m.cfg().display.ticker_speed > 0 ? static_cast<int64_t>(static_cast<double>(m.ticker_steps(t)) * m.ticker_step()) : 0;
}

ui::Rect Kiosk::crawl_band() const { return impl_->drawn_crawl; }

void Kiosk::draw_crawl(double t, ImDrawList* dl, int64_t offset, float from, float w) {
    Impl& m = *impl_;
    ui::Scene s = m.scene(t);
    s.over_last_frame = true;
    s.ticker_offset = static_cast<double>(offset);
    s.crawl_from = from;
    s.crawl_w = w;
    m.text->begin_frame(false);
    ui::draw_ticker(s, ui::scene_layout(s, *m.text), *m.text, dl);
    m.text->end_frame();
}

void Kiosk::crawl_shown(double t) { impl_->drawn_ticker_steps = impl_->ticker_steps(t); }

std::optional<Kiosk::Fade> Kiosk::fade_at(double t) const {
    Impl& m = const_cast<Impl&>(*impl_);  // scene() touches texture LRU stamps only
    ui::Scene s = m.scene(t);
    if (!ui::shows_cards(s) || !s.previous || s.transition_kind != ui::Transition::Fade || s.transition >= 1) return std::nullopt;
    const float x = std::clamp(s.transition, 0.0f, 1.0f);
    Fade f;
    f.gone = std::min(1.0f, 2 * x);  // as ui::draw_cards_over steps it
    f.come = std::max(0.0f, 2 * x - 1);
    // Just past the transition: the new card standing (the show moves on only after its dwell).
    f.end = m.show().transition_start() + m.transition_seconds() + 1e-3;
    if (m.show().in_transition(f.end)) return std::nullopt;
    f.from_standing = m.drawn_cards && !m.drawn_standing.empty() && m.drawn_standing == Impl::shown(s.previous);
    if (f.from_standing) f.leaving = m.cards_cover.rects(ui::cards_clip(ui::scene_layout(s, *m.text)));
    return f;
}

void Kiosk::static_shown(double t) {
    Impl& m = *impl_;
    m.drawn_static = Impl::static_key(m.scene(t), m.text_lang);
}

ImU32 Kiosk::background() const {
    const std::vector<Alert>& a = impl_->app->alerts();
    if (!a.empty() && a.front().level == AlertLevel::Emergency) return ui::kEmergencyBackground;
    return ui::Theme::named(impl_->cfg().display.theme).background;
}

void Kiosk::draw(double t, ImDrawList* static_dl, ImDrawList* dynamic_dl, const ui::Rect* damage, bool over_last_frame,
                 bool cards_only) {
    Impl& m = *impl_;
    ui::Scene s = m.scene(t);
    s.over_last_frame = over_last_frame && !static_dl;
    m.text->begin_frame(static_dl != nullptr);
    const ui::Layout layout = ui::scene_layout(s, *m.text);  // with room for the alerts' strips
    if (static_dl) m.draw_static_layer(s, layout, static_dl, damage, cards_only);
    if (dynamic_dl) {
        m.drawn_band = ui::draw_dynamic(s, layout, *m.text, dynamic_dl);
        m.drawn_crawl = ui::emergency(s) ? ui::Rect{} : ui::crawl_rows(s, layout, *m.text);
        m.drawn_ticker_steps = m.cfg().display.ticker_speed > 0 ? m.ticker_steps(t) : -1;
        const Show& sh = m.show();
        m.drawn_dwell_step = sh.current() ? static_cast<int64_t>(std::floor(sh.elapsed(t) * kDwellSteps)) : -1;
    }
    m.text->end_frame();
}

void Kiosk::key(Key k, double t, int64_t wall) {
    Impl& m = *impl_;
    m.wall = wall;
    switch (k) {
    case Key::Next: m.app->command(Command::Next, t, wall); break;
    case Key::Previous: m.app->command(Command::Previous, t, wall); break;
    case Key::Pause: m.app->command(Command::TogglePause, t, wall); break;
    case Key::Reload: m.app->command(Command::Reload, t, wall); break;
    case Key::Status: m.status_toggle = !m.status_toggle; break;
    }
}

void Kiosk::tap(float x, double held, double t, int64_t wall) {
    if (held >= kLongPress) return key(Key::Pause, t, wall);
    key(x >= impl_->width / 2 ? Key::Next : Key::Previous, t, wall);
}

bool Kiosk::image_pending() const {
    const Impl& m = *impl_;
    auto pending = [&](const std::optional<Card>& c) {
        return c && !c->entry.item.image.empty() && !m.texture_cache.count(c->entry.item.image) &&
               m.images->state(c->entry.item.image) != ImageState::Failed;
    };
    return pending(m.show().current());
}

ui::Scene Kiosk::scene(double t) const { return const_cast<Impl&>(*impl_).scene(t); }
ui::CardView Kiosk::view(const Card& card) const { return const_cast<Impl&>(*impl_).view(card); }

const Card* Kiosk::current_card() const {
    const std::optional<Card>& c = impl_->show().current();
    return c ? &*c : nullptr;
}
bool Kiosk::status_page_shown() const { return impl_->cfg().display.status_page || impl_->status_toggle; }
bool Kiosk::has_content() const { return impl_->show().has_content(); }
const Config& Kiosk::config() const { return impl_->cfg(); }

}  // namespace nk::app
