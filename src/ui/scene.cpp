// SPDX-License-Identifier: Apache-2.0
#include "ui/scene.h"

#include "ui/qr.h"
#include "ui/text_fit.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

namespace nk::ui {
namespace {

ImU32 with_alpha(ImU32 c, float a) {
    auto alpha = static_cast<float>((c >> IM_COL32_A_SHIFT) & 0xFF) * std::clamp(a, 0.0f, 1.0f);
    return (c & ~IM_COL32_A_MASK) | (static_cast<ImU32>(std::lround(alpha)) << IM_COL32_A_SHIFT);
}

// Mixes `c` into `base` (both opaque): a tint for placeholders and badges on either theme.
ImU32 mix(ImU32 base, ImU32 c, float t) {
    auto ch = [&](int shift) {
        float a = static_cast<float>((base >> shift) & 0xFF), b = static_cast<float>((c >> shift) & 0xFF);
        return static_cast<ImU32>(std::lround(a + (b - a) * t)) << shift;
    };
    return ch(IM_COL32_R_SHIFT) | ch(IM_COL32_G_SHIFT) | ch(IM_COL32_B_SHIFT) | IM_COL32_A_MASK;
}

float luminance(ImU32 c) {
    return (0.2126f * static_cast<float>((c >> IM_COL32_R_SHIFT) & 0xFF) +
            0.7152f * static_cast<float>((c >> IM_COL32_G_SHIFT) & 0xFF) +
            0.0722f * static_cast<float>((c >> IM_COL32_B_SHIFT) & 0xFF)) / 255.0f;
}

ImVec2 text_size(const ImFont* f, std::string_view s) {
    return f->CalcTextSizeA(f->FontSize, 1e9f, 0.0f, s.data(), s.data() + s.size());
}

void text(ImDrawList* dl, const ImFont* f, ImVec2 p, ImU32 col, std::string_view s) {
    dl->AddText(f, f->FontSize, p, col, s.data(), s.data() + s.size());
}

// Two cards can be on screen during a transition; encoding their links every frame would be waste.
const QrMatrix* qr_for(const std::string& link) {
    static std::map<std::string, std::optional<QrMatrix>> cache;
    auto it = cache.find(link);
    if (it == cache.end()) {
        if (cache.size() >= 4) cache.clear();
        it = cache.emplace(link, make_qr(link)).first;
    }
    return it->second ? &*it->second : nullptr;
}

// "news.example.com" from a link, for the QR caption.
std::string link_host(std::string_view link) {
    auto p = link.find("://");
    if (p == std::string_view::npos) return {};
    link.remove_prefix(p + 3);
    link = link.substr(0, link.find_first_of("/?#"));
    if (link.substr(0, 4) == "www.") link.remove_prefix(4);
    return std::string(link);
}

// A badge: the source name on its colour, text dark or light by contrast. Returns its width.
float badge(ImDrawList* dl, const FontSet& fonts, float unit, ImVec2 p, std::string_view label, ImU32 color,
            float alpha) {
    const ImFont* f = fonts.font(FontRole::Meta);
    ImVec2 ts = text_size(f, label);
    float pad = 14 * unit;
    ImVec2 q{p.x + ts.x + 2 * pad, p.y + ts.y + 8 * unit};
    dl->AddRectFilled(p, q, with_alpha(color, alpha), 6 * unit);
    ImU32 ink = luminance(color) > 0.55f ? IM_COL32(20, 20, 24, 255) : IM_COL32(255, 255, 255, 255);
    text(dl, f, {p.x + pad, p.y + 4 * unit}, with_alpha(ink, alpha), label);
    return q.x - p.x;
}

// Fills `box` with the image cropped to the box's aspect (cover), or a placeholder in the source colour.
void image_box(ImDrawList* dl, const Scene& s, const FontSet& fonts, const CardView& c, Rect box, float unit,
               float alpha) {
    ImVec2 a{box.x, box.y}, b{box.right(), box.bottom()};
    float rounding = 10 * unit;
    if (c.image && c.image_w > 0 && c.image_h > 0) {
        float box_aspect = box.w / box.h, img_aspect = static_cast<float>(c.image_w) / static_cast<float>(c.image_h);
        ImVec2 uv0{0, 0}, uv1{1, 1};
        if (img_aspect > box_aspect) {
            float keep = box_aspect / img_aspect;
            uv0.x = (1 - keep) / 2;
            uv1.x = 1 - uv0.x;
        } else {
            float keep = img_aspect / box_aspect;
            uv0.y = (1 - keep) / 2;
            uv1.y = 1 - uv0.y;
        }
        dl->AddImageRounded(c.image, a, b, uv0, uv1, with_alpha(IM_COL32_WHITE, alpha), rounding);
        return;
    }
    ImU32 top = mix(s.theme.panel, c.color, 0.55f), bottom = mix(s.theme.panel, c.color, 0.25f);
    dl->AddRectFilled(a, b, with_alpha(bottom, alpha), rounding);
    dl->AddRectFilledMultiColor({a.x, a.y + rounding}, {b.x, b.y - rounding}, with_alpha(top, alpha),
                                with_alpha(top, alpha), with_alpha(bottom, alpha), with_alpha(bottom, alpha));
    const ImFont* f = fonts.font(FontRole::Headline);
    std::string label = fit_line(f, f->FontSize, c.source, box.w * 0.8f);
    ImVec2 ts = text_size(f, label);
    text(dl, f, {box.x + (box.w - ts.x) / 2, box.y + (box.h - ts.y) / 2}, with_alpha(IM_COL32(255, 255, 255, 150), alpha),
         label);
}

void draw_card(ImDrawList* dl, const Scene& s, const Layout& L, const FontSet& fonts, const CardView& c, float dx,
               float alpha) {
    float u = L.unit;
    auto moved = [&](Rect r) { return Rect{r.x + dx, r.y, r.w, r.h}; };
    Rect img = moved(L.image), txt = moved(L.text);
    image_box(dl, s, fonts, c, img, u, alpha);

    float y = txt.y;
    float x = txt.x;
    std::string label = c.stale ? c.source + "  ·  not updating" : c.source;
    if (c.breaking) x += badge(dl, fonts, u, {x, y}, "BREAKING", IM_COL32(200, 30, 30, 255), alpha) + 12 * u;
    x += badge(dl, fonts, u, {x, y}, label, c.stale ? mix(c.color, s.theme.text_dim, 0.6f) : c.color, alpha) + 18 * u;
    const ImFont* meta = fonts.font(FontRole::Meta);
    text(dl, meta, {x, y + 4 * u}, with_alpha(s.theme.text_dim, alpha), fit_line(meta, meta->FontSize, c.age, txt.right() - x));
    y += meta->FontSize + 8 * u + 28 * u;

    const ImFont* hf = fonts.font(FontRole::Headline);
    float line_h = hf->FontSize * 1.12f;
    FittedText head = fit_text(hf, hf->FontSize, c.headline, txt.w, L.portrait ? 4 : 4);
    for (const auto& line : head.lines) {
        text(dl, hf, {txt.x, y}, with_alpha(s.theme.text, alpha), line);
        y += line_h;
    }
    y += 24 * u;

    // The summary takes the room left above the QR code (landscape keeps the code in the image column).
    const ImFont* sf = fonts.font(FontRole::Summary);
    float summary_bottom = txt.bottom();
    float summary_w = txt.w;
    if (L.portrait && s.qr && !c.link.empty()) summary_w = txt.w - L.qr_side - 32 * u;
    float sline = sf->FontSize * 1.35f;
    int max_lines = static_cast<int>((summary_bottom - y) / sline);
    if (max_lines > 0 && !c.summary.empty()) {
        FittedText sum = fit_text(sf, sf->FontSize, c.summary, summary_w, max_lines);
        for (const auto& line : sum.lines) {
            text(dl, sf, {txt.x, y}, with_alpha(s.theme.text_dim, alpha), line);
            y += sline;
        }
    }

    if (s.qr && !c.link.empty()) {
        if (const QrMatrix* q = qr_for(c.link)) {
            Rect qr = moved(L.qr);
            float side = draw_qr(dl, *q, {qr.x, qr.y}, L.qr_side, with_alpha(s.theme.qr_dark, alpha),
                                 with_alpha(s.theme.qr_light, alpha));
            // The caption says what the code is for and where it leads (people trust a name they know).
            const ImFont* small = fonts.font(FontRole::Small);
            std::string host = link_host(c.link);
            float margin = (L.qr_side - side) / 2;
            if (L.portrait) {
                std::string_view cap = "Scan for the story";
                ImVec2 ts = text_size(small, cap);
                text(dl, small, {qr.x + (L.qr_side - ts.x) / 2, qr.y + L.qr_side - margin + 8 * u}, with_alpha(s.theme.text_dim, alpha), cap);
            } else {
                float cx = qr.x + L.qr_side + 20 * u;
                float avail = L.image.right() + dx - cx;
                float cy = qr.y + margin + 8 * u;
                text(dl, meta, {cx, cy}, with_alpha(s.theme.text, alpha), fit_line(meta, meta->FontSize, "Scan for the story", avail));
                text(dl, small, {cx, cy + meta->FontSize * 1.4f}, with_alpha(s.theme.text_dim, alpha),
                     fit_line(small, small->FontSize, host, avail));
            }
        }
    }
}

void draw_header(ImDrawList* dl, const Scene& s, const Layout& L, const FontSet& fonts) {
    float u = L.unit;
    const Rect& h = L.header;
    const ImFont* clock = fonts.font(FontRole::Clock);
    const ImFont* meta = fonts.font(FontRole::Meta);
    ImVec2 cs = text_size(clock, s.clock);
    float cy = h.y + (h.h - cs.y) / 2;
    text(dl, clock, {h.right() - cs.x, cy}, s.theme.text, s.clock);
    ImVec2 ds = text_size(meta, s.date);
    float date_x = h.right() - cs.x - 28 * u - ds.x;
    text(dl, meta, {date_x, h.y + (h.h - ds.y) / 2}, s.theme.text_dim, s.date);

    float x = h.x;
    if (s.logo && s.logo_w > 0 && s.logo_h > 0) {
        float lh = h.h * 0.8f, lw = lh * static_cast<float>(s.logo_w) / static_cast<float>(s.logo_h);
        dl->AddImage(s.logo, {x, h.y + (h.h - lh) / 2}, {x + lw, h.y + (h.h + lh) / 2});
        x += lw + 24 * u;
    }
    const ImFont* title_font = fonts.font(FontRole::Headline);
    float title_px = std::min(title_font->FontSize, 44 * u);
    std::string title = fit_line(title_font, title_px, s.title, std::max(0.0f, date_x - x - 32 * u));
    ImVec2 ts = title_font->CalcTextSizeA(title_px, 1e9f, 0, title.data(), title.data() + title.size());
    dl->AddText(title_font, title_px, {x, h.y + (h.h - ts.y) / 2}, s.theme.text, title.data(), title.data() + title.size());
    x += ts.x + 32 * u;

    // Banner and pause mark sit between title and date, in amber so they read as "attention", not "alarm".
    auto pill = [&](std::string_view label) {
        ImVec2 ps = text_size(meta, label);
        if (x + ps.x + 28 * u > date_x - 16 * u) return;
        ImVec2 a{x, h.y + (h.h - ps.y) / 2 - 6 * u};
        dl->AddRectFilled(a, {a.x + ps.x + 28 * u, a.y + ps.y + 12 * u}, IM_COL32(230, 160, 40, 255), 20 * u);
        text(dl, meta, {a.x + 14 * u, a.y + 6 * u}, IM_COL32(25, 20, 10, 255), label);
        x += ps.x + 28 * u + 16 * u;
    };
    if (!s.banner.empty()) pill(s.banner);
    if (s.paused) pill("paused");
    // Trouble that needs a person but not the audience's attention: dim, and only if it fits.
    if (!s.notice.empty()) {
        ImVec2 ns = text_size(meta, s.notice);
        if (x + ns.x <= date_x - 16 * u) text(dl, meta, {x, h.y + (h.h - ns.y) / 2}, s.theme.text_dim, s.notice);
    }
    dl->AddLine({h.x, h.bottom()}, {h.right(), h.bottom()}, s.theme.rule, std::max(1.0f, 2 * u));
}

void draw_list_mode(ImDrawList* dl, const Scene& s, const Layout& L, const FontSet& fonts) {
    float u = L.unit;
    const ImFont* hf = fonts.font(FontRole::Headline);
    const ImFont* meta = fonts.font(FontRole::Meta);
    float row_h = meta->FontSize + hf->FontSize * 2.3f + 36 * u;
    float y = L.body.y;
    for (const auto& c : s.list) {
        if (y + row_h > L.body.bottom() + 1) break;
        dl->AddRectFilled({L.body.x, y}, {L.body.x + 8 * u, y + row_h - 24 * u}, c.color, 4 * u);
        float x = L.body.x + 28 * u;
        text(dl, meta, {x, y}, c.color, c.source);
        float sx = x + text_size(meta, c.source).x + 20 * u;
        text(dl, meta, {sx, y}, s.theme.text_dim, c.age);
        FittedText head = fit_text(hf, hf->FontSize, c.headline, L.body.right() - x, 2);
        float ly = y + meta->FontSize + 8 * u;
        for (const auto& line : head.lines) {
            text(dl, hf, {x, ly}, s.theme.text, line);
            ly += hf->FontSize * 1.1f;
        }
        y += row_h;
    }
}

void draw_status_page(ImDrawList* dl, const Scene& s, const Layout& L, const FontSet& fonts) {
    float u = L.unit;
    const Rect& b = L.body;
    dl->AddRectFilled({b.x, b.y}, {b.right(), b.bottom()}, with_alpha(s.theme.panel, 0.97f), 12 * u);
    const ImFont* hf = fonts.font(FontRole::Summary);
    const ImFont* meta = fonts.font(FontRole::Meta);
    const ImFont* small = fonts.font(FontRole::Small);
    float pad = 32 * u, y = b.y + pad;
    text(dl, hf, {b.x + pad, y}, s.theme.text, "Feeds");
    y += hf->FontSize * 1.6f;
    float row = meta->FontSize + small->FontSize + 22 * u;
    for (const auto& f : s.statuses) {
        if (y + row > b.bottom() - pad) break;
        ImU32 state_col = f.ok ? IM_COL32(60, 180, 90, 255) : IM_COL32(230, 160, 40, 255);
        dl->AddCircleFilled({b.x + pad + 10 * u, y + meta->FontSize / 2}, 9 * u, state_col);
        float x = b.x + pad + 34 * u;
        text(dl, meta, {x, y}, f.color, fit_line(meta, meta->FontSize, f.source, b.w * 0.35f));
        text(dl, meta, {b.x + b.w * 0.45f, y}, s.theme.text, f.state);
        text(dl, small, {x, y + meta->FontSize + 4 * u}, s.theme.text_dim,
             fit_line(small, small->FontSize, f.detail.empty() ? f.url : f.url + "  ·  " + f.detail, b.right() - pad - x));
        y += row;
    }
}

// Measured once per (font, items) pair: the crawl is redrawn many times a second, its text rarely changes.
struct TickerMetrics {
    const ImFont* font = nullptr;
    std::size_t key = 0;
    std::vector<float> source_w, headline_w;
    float separator_w = 0, loop = 0;
};

constexpr std::string_view kSeparator = "   •   ";

const TickerMetrics& ticker_metrics(const Scene& s, const FontSet& fonts) {
    static TickerMetrics m;
    const ImFont* f = fonts.font(FontRole::Ticker);
    std::size_t key = s.ticker_items.size();
    for (const auto& t : s.ticker_items)
        key = key * 1315423911u ^ std::hash<std::string>{}(t.source) ^ (std::hash<std::string>{}(t.headline) << 1);
    if (m.font == f && m.key == key) return m;
    m = TickerMetrics{f, key, {}, {}, text_size(f, kSeparator).x, 0};
    for (const auto& t : s.ticker_items) {
        m.source_w.push_back(text_size(f, t.source).x);
        m.headline_w.push_back(text_size(f, t.headline).x);
        m.loop += m.source_w.back() + f->FontSize * 0.6f + m.headline_w.back() + m.separator_w;
    }
    return m;
}

}  // namespace

Theme Theme::named(std::string_view name) {
    if (name == "light")
        return {IM_COL32(244, 242, 238, 255), IM_COL32(255, 255, 255, 255), IM_COL32(22, 24, 28, 255),
                IM_COL32(88, 92, 100, 255), IM_COL32(210, 206, 200, 255), IM_COL32(0, 0, 0, 255),
                IM_COL32(255, 255, 255, 255)};
    return {IM_COL32(14, 16, 20, 255), IM_COL32(28, 31, 38, 255), IM_COL32(242, 243, 245, 255),
            IM_COL32(160, 166, 176, 255), IM_COL32(52, 56, 66, 255), IM_COL32(0, 0, 0, 255),
            IM_COL32(255, 255, 255, 255)};
}

ImU32 parse_color(std::string_view hex, ImU32 fallback) {
    if (hex.empty() || hex[0] != '#') return fallback;
    hex.remove_prefix(1);
    auto nib = [](char ch) -> int {
        if (ch >= '0' && ch <= '9') return ch - '0';
        if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
        return -1;
    };
    int v[6];
    if (hex.size() == 3) {
        for (int i = 0; i < 3; ++i) v[2 * i] = v[2 * i + 1] = nib(hex[static_cast<size_t>(i)]);
    } else if (hex.size() == 6) {
        for (int i = 0; i < 6; ++i) v[i] = nib(hex[static_cast<size_t>(i)]);
    } else {
        return fallback;
    }
    for (int x : v)
        if (x < 0) return fallback;
    return IM_COL32(v[0] * 16 + v[1], v[2] * 16 + v[3], v[4] * 16 + v[5], 255);
}

Mode parse_mode(std::string_view s) {
    if (s == "list") return Mode::List;
    if (s == "ticker") return Mode::Ticker;
    return Mode::Cards;
}

Transition parse_transition(std::string_view s) {
    if (s == "none") return Transition::None;
    if (s == "slide") return Transition::Slide;
    return Transition::Fade;
}

Layout compute_layout(float width, float height, Mode mode, bool ticker, float safe_area, bool qr) {
    Layout L;
    L.unit = std::min(width, height) / 1080.0f;
    L.portrait = height > width * 1.05f;
    float u = L.unit;
    float mx = std::round(width * std::clamp(safe_area, 0.0f, 0.2f)), my = std::round(height * std::clamp(safe_area, 0.0f, 0.2f));
    L.safe = {mx, my, width - 2 * mx, height - 2 * my};
    L.header = {L.safe.x, L.safe.y, L.safe.w, 96 * u};
    bool has_ticker = ticker || mode == Mode::Ticker;
    float ticker_h = mode == Mode::Ticker ? 110 * u : 72 * u;
    if (has_ticker) L.ticker = {0, L.safe.bottom() - ticker_h, width, ticker_h};
    float top = L.header.bottom() + 40 * u;
    float bottom = (has_ticker ? L.ticker.y : L.safe.bottom()) - 32 * u;
    L.body = {L.safe.x, top, L.safe.w, std::max(0.0f, bottom - top)};
    // A code of about a quarter of the short side is ~17 cm on a 55" TV: readable by phones at 2 m.
    L.qr_side = qr ? std::round(std::min(width, height) * 0.24f) : 0;
    const Rect& b = L.body;
    if (L.portrait) {
        float ih = std::round(b.w * 9 / 16);
        L.image = {b.x, b.y, b.w, ih};
        L.text = {b.x, b.y + ih + 40 * u, b.w, b.h - ih - 40 * u};
        L.qr = {b.right() - L.qr_side, b.bottom() - L.qr_side - 44 * u, L.qr_side, L.qr_side};
    } else {
        float col = std::round(b.w * 0.5f);
        float ih = std::round(std::min(col * 9 / 16, b.h - (qr ? L.qr_side + 80 * u : 0)));
        L.image = {b.x, b.y, col, ih};
        L.text = {b.x + col + 56 * u, b.y, b.w - col - 56 * u, b.h};
        L.qr = {b.x, L.image.bottom() + 32 * u, L.qr_side, L.qr_side};
    }
    return L;
}

FontSizes font_sizes(const Layout& L, Mode mode) {
    float u = L.unit;
    FontSizes f;
    auto set = [&](FontRole r, float px) { f.px[static_cast<int>(r)] = std::round(px); };
    set(FontRole::Small, 24 * u);
    set(FontRole::Meta, 30 * u);
    set(FontRole::Summary, 38 * u);
    set(FontRole::Headline, mode == Mode::List ? 46 * u : 70 * u);
    set(FontRole::Clock, 56 * u);
    set(FontRole::Ticker, mode == Mode::Ticker ? 56 * u : 36 * u);
    return f;
}

void collect_text(const Scene& s, FontSet& fonts) {
    auto card = [&](const CardView& c) {
        for (const std::string* t : {&c.source, &c.headline, &c.summary, &c.age}) fonts.add_text(*t);
    };
    for (const std::string* t : {&s.title, &s.clock, &s.date, &s.banner, &s.notice, &s.waiting_message}) fonts.add_text(*t);
    fonts.add_text("BREAKING paused Scan for the story Feeds not updating •·…");
    if (s.card) card(*s.card);
    if (s.previous) card(*s.previous);
    for (const auto& c : s.list) card(c);
    for (const auto& t : s.ticker_items) {
        fonts.add_text(t.source);
        fonts.add_text(t.headline);
    }
    for (const auto& f : s.statuses)
        for (const std::string* t : {&f.source, &f.url, &f.state, &f.detail}) fonts.add_text(*t);
}

void draw_static(const Scene& s, const Layout& L, const FontSet& fonts, ImDrawList* dl, const Rect* damage) {
    ImVec2 shift = s.shift;
    int first_vtx = dl->VtxBuffer.Size;
    // Only what changed gets pixels; the platform has cleared `damage` to the background colour
    // (a clear is a memset, a full-screen quad is two million shaded fragments on a software GPU).
    Rect d = damage ? *damage : Rect{0, 0, s.width, s.height};
    dl->PushClipRect({d.x, d.y}, {d.right(), d.bottom()}, false);
    draw_header(dl, s, L, fonts);

    if (s.status_page) {
        draw_status_page(dl, s, L, fonts);
    } else if (s.mode == Mode::List && !s.list.empty()) {
        draw_list_mode(dl, s, L, fonts);
    } else if (s.mode == Mode::Cards && s.card) {
        dl->PushClipRect({L.safe.x, L.body.y}, {L.safe.right(), L.body.bottom() + 1}, true);
        float t = std::clamp(s.transition, 0.0f, 1.0f);
        if (s.previous && t < 1.0f) {
            if (s.transition_kind == Transition::Slide) {
                draw_card(dl, s, L, fonts, *s.previous, -t * L.safe.w, 1.0f);
                draw_card(dl, s, L, fonts, *s.card, (1 - t) * L.safe.w, 1.0f);
            } else if (s.transition_kind == Transition::Fade) {
                // Through the background, one card at a time: half the pixels of a cross-fade,
                // which is what a frame costs on a software-rendered or small GPU.
                if (t < 0.5f) draw_card(dl, s, L, fonts, *s.previous, 0, 1 - 2 * t);
                else draw_card(dl, s, L, fonts, *s.card, 0, 2 * t - 1);
            } else {
                draw_card(dl, s, L, fonts, *s.card, 0, 1);
            }
        } else {
            draw_card(dl, s, L, fonts, *s.card, 0, 1);
        }
        dl->PopClipRect();
    } else if (s.mode != Mode::Ticker || s.ticker_items.empty()) {
        const ImFont* f = fonts.font(FontRole::Summary);
        std::string msg = s.waiting_message.empty() ? "Waiting for news…" : s.waiting_message;
        FittedText lines = fit_text(f, f->FontSize, msg, L.body.w * 0.8f, 3);
        float y = L.body.y + L.body.h / 2 - f->FontSize * static_cast<float>(lines.lines.size()) / 2;
        for (const auto& line : lines.lines) {
            ImVec2 ts = text_size(f, line);
            text(dl, f, {L.body.x + (L.body.w - ts.x) / 2, y}, s.theme.text_dim, line);
            y += f->FontSize * 1.3f;
        }
    }
    // Burn-in shift moves everything by whole pixels (keeps text sharp) except the full-screen background.
    if (shift.x != 0 || shift.y != 0)
        for (int i = first_vtx; i < dl->VtxBuffer.Size; ++i) {
            dl->VtxBuffer[i].pos.x += std::round(shift.x);
            dl->VtxBuffer[i].pos.y += std::round(shift.y);
        }
    dl->PopClipRect();
}

Rect header_band(const Layout& L) { return {0, 0, L.safe.x * 2 + L.safe.w, std::round(L.header.bottom() + 8 * L.unit)}; }

Rect body_band(const Layout& L, float height) {
    Rect h = header_band(L);
    return {0, h.bottom(), h.w, height - h.bottom()};
}

float ticker_loop_width(const Scene& s, const FontSet& fonts) { return ticker_metrics(s, fonts).loop; }

void draw_dynamic(const Scene& s, const Layout& L, const FontSet& fonts, ImDrawList* dl) {
    if (s.mode == Mode::Cards && s.card && !s.status_page) {
        // The track is opaque, so this strip repaints itself fully when drawn alone.
        float bar_y = std::round(L.body.bottom() + 14 * L.unit);
        float thick = std::max(2.0f, std::round(5 * L.unit));
        dl->AddRectFilled({L.body.x, bar_y}, {L.body.right(), bar_y + thick}, s.theme.rule);
        dl->AddRectFilled({L.body.x, bar_y}, {L.body.x + std::round(L.body.w * std::clamp(s.dwell, 0.0f, 1.0f)), bar_y + thick},
                          s.card->color);
    }
    draw_ticker(s, L, fonts, dl);
}

void draw_ticker(const Scene& s, const Layout& L, const FontSet& fonts, ImDrawList* dl) {
    const Rect& r = L.ticker;
    if (r.h <= 0) return;
    dl->PushClipRect({r.x, r.y}, {r.right(), r.bottom()}, false);
    // The strip is repainted many times a second: a clear (a memset) instead of a shaded quad
    // when the platform offers one, which on a software GPU is most of the frame's cost.
    if (s.fill) s.fill(dl, {r.x, r.y, r.w, r.h}, s.theme.panel);
    else dl->AddRectFilled({r.x, r.y}, {r.right(), r.bottom()}, s.theme.panel);
    dl->AddLine({r.x, r.y}, {r.right(), r.y}, s.theme.rule, std::max(1.0f, 2 * L.unit));
    const TickerMetrics& m = ticker_metrics(s, fonts);
    if (s.ticker_items.empty() || m.loop <= 0) {
        dl->PopClipRect();
        return;
    }
    const ImFont* f = m.font;
    float y = std::round(r.y + (r.h - f->FontSize) / 2);
    // The crawl enters from the right edge; whole pixels for the text, the fraction added to the
    // vertices afterwards, so the motion is sub-pixel smooth (the atlas is sampled linearly).
    double pos = static_cast<double>(r.right()) - std::fmod(s.ticker_offset, static_cast<double>(m.loop));
    double whole = std::floor(pos);
    float frac = static_cast<float>(pos - whole);
    float x = static_cast<float>(whole);
    // Start one loop back so the left edge is covered as the loop wraps.
    if (x > r.x) x -= m.loop;
    int first_vtx = dl->VtxBuffer.Size;
    std::size_t n = s.ticker_items.size();
    for (std::size_t i = 0; x < r.right(); i = (i + 1) % n) {
        const TickerItem& t = s.ticker_items[i];
        float item_w = m.source_w[i] + f->FontSize * 0.6f + m.headline_w[i] + m.separator_w;
        if (x + item_w > r.x) {
            text(dl, f, {x, y}, t.color, t.source);
            float hx = x + m.source_w[i] + f->FontSize * 0.6f;
            text(dl, f, {hx, y}, s.theme.text, t.headline);
            text(dl, f, {hx + m.headline_w[i], y}, s.theme.text_dim, kSeparator);
        }
        x += item_w;
    }
    for (int i = first_vtx; i < dl->VtxBuffer.Size; ++i) dl->VtxBuffer[i].pos.x += frac;
    dl->PopClipRect();
}

}  // namespace nk::ui
