// SPDX-License-Identifier: Apache-2.0
#include "ui/scene.h"

#include "ui/qr.h"

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

float px_of(const Layout& L, Mode mode, FontRole r) { return font_sizes(L, mode)[r]; }
bool bold_role(FontRole r) { return r == FontRole::Headline || r == FontRole::Clock; }

// One line of text in a role's size, cut with "…" at max_w (<= 0: no limit).
const TextBlock& line(TextEngine& te, const Layout& L, Mode mode, FontRole role, std::string_view s, float max_w = 0,
                      ImU32 color = IM_COL32_WHITE) {
    TextStyle st{px_of(L, mode, role), bold_role(role), color};
    TextBox box;
    box.width = max_w;
    box.max_lines = 1;
    return te.block(s, st, box);
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

// A badge: the label on its colour, text dark or light by contrast. Drawn with its left edge at
// p.x, or its right edge there when `from_right`. Returns its width.
float badge(ImDrawList* dl, TextEngine& te, const Layout& L, Mode mode, ImVec2 p, std::string_view label, ImU32 color,
            float alpha, bool from_right = false, float max_w = 0) {
    const float unit = L.unit;
    const float pad = 14 * unit;
    const TextBlock& b = line(te, L, mode, FontRole::Meta, label, max_w > 0 ? std::max(1.0f, max_w - 2 * pad) : 0);
    const float w = b.width + 2 * pad;
    const float x = from_right ? p.x - w : p.x;
    dl->AddRectFilled({x, p.y}, {x + w, p.y + b.height + 8 * unit}, with_alpha(color, alpha), 6 * unit);
    ImU32 ink = luminance(color) > 0.55f ? IM_COL32(20, 20, 24, 255) : IM_COL32(255, 255, 255, 255);
    te.draw(dl, b, {x + pad, p.y + 4 * unit}, ink, alpha);
    return w;
}

// Fills `box` with the image cropped to the box's aspect (cover), or a placeholder in the source colour.
void image_box(ImDrawList* dl, const Scene& s, const Layout& L, TextEngine& te, const CardView& c, Rect box, float unit,
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
    const TextBlock& label = line(te, L, s.mode, FontRole::Headline, c.source, box.w * 0.8f);
    te.draw(dl, label, {box.x + (box.w - label.width) / 2, box.y + (box.h - label.height) / 2}, IM_COL32(255, 255, 255, 150),
            alpha);
}

Rect mirrored(const Rect& r, const Rect& within) { return {within.x + within.right() - r.right(), r.y, r.w, r.h}; }

// A card's part where it stands on screen: mirrored in the body for a right-to-left card, moved
// by the slide transition's dx.
Rect placed(Rect r, const Layout& L, bool rtl, float dx) {
    if (rtl) r = mirrored(r, L.body);
    r.x += dx;
    return r;
}

void draw_news_card(ImDrawList* dl, const Scene& s, const Layout& L, TextEngine& te, const CardView& c, float dx,
                    float alpha) {
    const float u = L.unit;
    const Mode mode = s.mode;
    // A right-to-left headline mirrors the card: picture and code on the right, text right-aligned,
    // badges from the right edge.
    const bool rtl = card_is_rtl(c);
    auto place = [&](Rect r) { return placed(r, L, rtl, dx); };
    const Rect img = place(L.image), txt = place(L.text);
    image_box(dl, s, L, te, c, img, u, alpha);

    float y = txt.y;
    const float dir = rtl ? -1.0f : 1.0f;
    float x = rtl ? txt.right() : txt.x;
    auto room = [&] { return rtl ? x - txt.x : txt.right() - x; };
    if (c.breaking) x += dir * (badge(dl, te, L, mode, {x, y}, s.labels.breaking, IM_COL32(200, 30, 30, 255), alpha, rtl) + 12 * u);
    const std::string label = c.stale ? c.source + "  ·  " + s.labels.not_updating : c.source;
    x += dir * (badge(dl, te, L, mode, {x, y}, label, c.stale ? mix(c.color, s.theme.text_dim, 0.6f) : c.color, alpha, rtl,
                      room() * 0.7f) + 18 * u);
    const TextBlock& age = line(te, L, mode, FontRole::Meta, c.age, std::max(1.0f, room()));
    te.draw(dl, age, {rtl ? x - age.width : x, y + 4 * u}, s.theme.text_dim, alpha);
    y += age.height + 8 * u + 28 * u;

    const TextStyle head_style{px_of(L, mode, FontRole::Headline), true, s.theme.text};
    TextBox head_box;
    head_box.width = txt.w;
    head_box.max_lines = 4;
    head_box.line_spacing = 1.12f;
    const TextBlock& head = te.block(c.headline, head_style, head_box);
    te.draw(dl, head, {rtl ? txt.right() - head.width : txt.x, y}, s.theme.text, alpha);
    y += head.height + 24 * u;

    // The summary takes the room left above the QR code (landscape keeps the code in the image column).
    const float summary_bottom = txt.bottom();
    float summary_w = txt.w;
    if (L.portrait && s.qr && !c.link.empty()) summary_w = txt.w - L.qr_side - 32 * u;
    const float spx = px_of(L, mode, FontRole::Summary);
    const float sline = std::round(spx * 1.35f);
    const int max_lines = static_cast<int>((summary_bottom - y) / sline);
    if (max_lines > 0 && !c.summary.empty() && summary_w > 0) {
        TextBox sum_box;
        sum_box.width = summary_w;
        sum_box.max_lines = max_lines;
        sum_box.line_spacing = 1.35f;
        const TextBlock& sum = te.block(c.summary, {spx, false, s.theme.text_dim}, sum_box);
        te.draw(dl, sum, {rtl ? txt.right() - sum.width : txt.x, y}, s.theme.text_dim, alpha);
    }

    if (s.qr && !c.link.empty()) {
        if (const QrMatrix* q = qr_for(c.link)) {
            const Rect qr = place(L.qr);
            float side = draw_qr(dl, *q, {qr.x, qr.y}, L.qr_side, with_alpha(s.theme.qr_dark, alpha),
                                 with_alpha(s.theme.qr_light, alpha));
            // The caption says what the code is for and where it leads (people trust a name they know).
            const std::string host = link_host(c.link);
            const float margin = (L.qr_side - side) / 2;
            if (L.portrait) {
                const TextBlock& cap = line(te, L, mode, FontRole::Small, s.labels.scan, L.qr_side);
                te.draw(dl, cap, {qr.x + (L.qr_side - cap.width) / 2, qr.y + L.qr_side - margin + 8 * u}, s.theme.text_dim, alpha);
            } else {
                // Beside the code, on the side away from the text column.
                const float gap = 20 * u;
                const float avail = rtl ? qr.x - gap - img.x : img.right() - (qr.right() + gap);
                const float cy = qr.y + margin + 8 * u;
                const TextBlock& cap = line(te, L, mode, FontRole::Meta, s.labels.scan, std::max(1.0f, avail));
                const TextBlock& h = line(te, L, mode, FontRole::Small, host, std::max(1.0f, avail));
                te.draw(dl, cap, {rtl ? qr.x - gap - cap.width : qr.right() + gap, cy}, s.theme.text, alpha);
                te.draw(dl, h, {rtl ? qr.x - gap - h.width : qr.right() + gap, cy + cap.height + 6 * u}, s.theme.text_dim, alpha);
            }
        }
    }
}

// --- the owner's voice ---------------------------------------------------------------------

// The owner's cards sit on a panel tinted with their colour, a bar of it on the side their text
// starts from: they read as the building speaking, not as one more story.
void owner_panel(ImDrawList* dl, const Scene& s, const Layout& L, ImU32 accent, bool rtl, float dx, float alpha) {
    const float u = L.unit;
    const Rect& b = L.body;
    const float bar = 14 * u;
    dl->AddRectFilled({b.x + dx, b.y}, {b.right() + dx, b.bottom()}, with_alpha(mix(s.theme.panel, accent, 0.10f), alpha), 18 * u);
    const float bx = (rtl ? b.right() - bar : b.x) + dx;
    dl->AddRectFilled({bx, b.y}, {bx + bar, b.bottom()}, with_alpha(accent, alpha), 18 * u,
                      rtl ? ImDrawFlags_RoundCornersRight : ImDrawFlags_RoundCornersLeft);
}

// Inside the panel, past the bar, in left-to-right terms (callers mirror it for right-to-left).
Rect owner_inner(const Layout& L) {
    const float u = L.unit, bar = 14 * u, pad = 48 * u;
    return {L.body.x + bar + pad, L.body.y + pad, std::max(1.0f, L.body.w - bar - 2 * pad), std::max(1.0f, L.body.h - 2 * pad)};
}

// Paragraphs and bullet items one under the other in `area`, as many lines as fit (the last one
// cut with "…"). Bullets are dots in `mark`; `rtl` puts boxes and dots on the right. A block that
// reaches below `narrow_y` is set `narrow_by` narrower (room for the code at the end side).
void draw_rich(ImDrawList* dl, TextEngine& te, const std::vector<RichBlock>& blocks, Rect area, float px, ImU32 ink,
               ImU32 mark, bool rtl, float alpha, float narrow_y = 1e30f, float narrow_by = 0) {
    const float spacing = 1.38f;
    const float lh = std::round(px * spacing);
    float y = area.y;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const RichBlock& b = blocks[i];
        const int lines = static_cast<int>((area.bottom() - y) / lh);
        if (lines < 1) break;
        const float indent = b.bullet ? std::round(px * 1.2f) : 0;
        TextBox box;
        box.width = std::max(1.0f, area.w - indent);
        box.max_lines = lines;
        box.line_spacing = spacing;
        box.rich = true;
        const TextBlock* full = &te.block(b.text, {px, false, ink}, box);
        if (narrow_by > 0 && y + full->height > narrow_y) {
            box.width = std::max(1.0f, box.width - narrow_by);
            full = &te.block(b.text, {px, false, ink}, box);
        }
        const TextBlock& tb = *full;
        te.draw(dl, tb, {rtl ? area.right() - indent - tb.width : area.x + indent, y}, ink, alpha);
        if (b.bullet)
            dl->AddCircleFilled({rtl ? area.right() - indent * 0.45f : area.x + indent * 0.45f, y + lh / 2}, px * 0.14f,
                                with_alpha(mark, alpha));
        if (tb.truncated) break;
        const bool tight = b.bullet && i + 1 < blocks.size() && blocks[i + 1].bullet;
        y += tb.height + std::round(px * (tight ? 0.2f : 0.55f));
    }
}

// The code and, under it, what it is for.
void owner_qr(ImDrawList* dl, const Scene& s, const Layout& L, TextEngine& te, const QrMatrix& q, Rect r, float alpha) {
    const float side = draw_qr(dl, q, {r.x, r.y}, r.w, with_alpha(s.theme.qr_dark, alpha), with_alpha(s.theme.qr_light, alpha));
    const float margin = (r.w - side) / 2;
    const TextBlock& cap = line(te, L, s.mode, FontRole::Small, s.labels.scan_more, r.w);
    te.draw(dl, cap, {r.x + (r.w - cap.width) / 2, r.y + r.w - margin + 8 * L.unit}, s.theme.text_dim, alpha);
}

float owner_caption_h(const Layout& L, Mode mode) { return std::round(px_of(L, mode, FontRole::Small) * 1.3f) + 8 * L.unit; }

// An announcement: large title, the Markdown body in generous type, picture and code as a story's;
// no source badge, no age.
void draw_announcement(ImDrawList* dl, const Scene& s, const Layout& L, TextEngine& te, const CardView& c, float dx,
                       float alpha) {
    const float u = L.unit;
    const bool rtl = card_is_rtl(c);
    owner_panel(dl, s, L, c.color, rtl, dx, alpha);
    const Rect inner = owner_inner(L);
    auto place = [&](Rect r) { return placed(r, L, rtl, dx); };
    const QrMatrix* q = s.qr && !c.link.empty() ? qr_for(c.link) : nullptr;
    const float qs = q ? std::round(std::min(L.qr_side, inner.h * 0.45f)) : 0;
    const float cap_h = owner_caption_h(L, s.mode);
    Rect pic{}, qr{}, text = inner;
    if (L.portrait) {
        float y = inner.y;
        if (c.has_picture) {
            pic = {inner.x, y, inner.w, std::round(std::min(inner.w * 9 / 16, inner.h * 0.4f))};
            y = pic.bottom() + 40 * u;
        }
        text = {inner.x, y, inner.w, std::max(0.0f, inner.bottom() - y)};
        if (q) qr = {inner.right() - qs, inner.bottom() - qs - cap_h, qs, qs};
    } else if (c.has_picture) {
        const float col = std::round(inner.w * 0.40f);
        const float room = inner.h - (q ? qs + cap_h + 32 * u : 0);
        pic = {inner.x, inner.y, col, std::round(std::max(0.0f, std::min(col * 9 / 16, room)))};
        if (q) qr = {inner.x, pic.bottom() + 32 * u, qs, qs};
        text = {inner.x + col + 56 * u, inner.y, inner.w - col - 56 * u, inner.h};
    } else if (q) {
        qr = {inner.right() - qs, inner.bottom() - qs - cap_h, qs, qs};
        text = {inner.x, inner.y, inner.w - qs - 56 * u, inner.h};
    }
    if (pic.h > 0) image_box(dl, s, L, te, c, place(pic), u, alpha);
    text = place(text);

    TextBox head_box;
    head_box.width = text.w;
    head_box.max_lines = 3;
    head_box.line_spacing = 1.1f;
    const TextBlock& head = te.block(c.headline, {std::round(92 * u), true, s.theme.text}, head_box);
    te.draw(dl, head, {rtl ? text.right() - head.width : text.x, text.y}, s.theme.text, alpha);
    const float y = text.y + head.height + 36 * u;
    // In portrait the code sits in the text column's end corner: the text beside it is narrower.
    const bool beside = L.portrait && q;
    draw_rich(dl, te, c.body, {text.x, y, text.w, text.bottom() - y}, std::round(46 * u), s.theme.text, c.color, rtl, alpha,
              beside ? qr.y - 16 * u : 1e30f, beside ? qs + 40 * u : 0);
    if (q) owner_qr(dl, s, L, te, *q, place(qr), alpha);
}

// Today's agenda: the calendar's name, then a row per event: a "Now" or "Next" tag, the time, the
// title and, dimmer, the place. Wide screens put them in columns; portrait stacks time over title.
void draw_agenda(ImDrawList* dl, const Scene& s, const Layout& L, TextEngine& te, const CardView& c, float dx, float alpha) {
    const float u = L.unit;
    const bool rtl = s.rtl || card_is_rtl(c);
    owner_panel(dl, s, L, c.color, rtl, dx, alpha);
    const Rect inner = owner_inner(L);
    auto place = [&](Rect r) { return placed(r, L, rtl, dx); };
    auto put = [&](const TextBlock& b, float x, float y, ImU32 ink) {  // b's box at (x, y) in left-to-right terms
        const Rect r = place({x, y, b.width, b.height});
        te.draw(dl, b, {r.x, r.y}, ink, alpha);
    };

    TextBox title_box;
    title_box.width = inner.w;
    title_box.max_lines = 2;
    title_box.line_spacing = 1.1f;
    const TextBlock& title = te.block(c.headline, {std::round(80 * u), true, s.theme.text}, title_box);
    put(title, inner.x, inner.y, s.theme.text);
    float y = inner.y + title.height + 28 * u;
    auto rule = [&](float at, float thick) {
        const Rect r = place({inner.x, at, inner.w, 0});
        dl->AddLine({r.x, at}, {r.right(), at}, with_alpha(s.theme.rule, alpha), std::max(1.0f, thick));
    };
    rule(y, 2 * u);
    y += 24 * u;

    const float tpx = std::round(48 * u), time_px = std::round(44 * u), mpx = std::round(34 * u);
    if (c.agenda.empty()) {
        const TextBlock& none = line(te, L, s.mode, FontRole::Summary, s.labels.nothing_today, inner.w);
        put(none, inner.x, y + 24 * u, s.theme.text_dim);
        return;
    }
    const TextBlock& now = te.block(s.labels.now, {mpx, true, s.theme.text}, {});
    const TextBlock& next = te.block(s.labels.next, {mpx, true, s.theme.text}, {});
    const float pill_pad = 18 * u;
    const float tag_w = std::max(now.width, next.width) + 2 * pill_pad;
    float time_w = 0;
    for (const AgendaRow& r : c.agenda) time_w = std::max(time_w, te.width(r.time, {time_px, r.tag == AgendaRow::Tag::Now, s.theme.text}));
    const bool wide = !L.portrait && tag_w + time_w + 400 * u < inner.w;
    const float gap = 32 * u, vpad = 20 * u;
    const float title_h = std::round(tpx * 1.2f), loc_h = std::round(mpx * 1.25f), time_h = std::round(time_px * 1.2f);
    const float row_h = wide ? vpad * 2 + title_h + loc_h : vpad * 2 + time_h + 8 * u + title_h + loc_h;
    const float text_x = wide ? inner.x + tag_w + gap + time_w + gap * 1.5f : inner.x;
    const float text_w = std::max(1.0f, inner.right() - text_x);

    for (std::size_t i = 0; i < c.agenda.size(); ++i) {
        const AgendaRow& r = c.agenda[i];
        if (y + row_h > inner.bottom() + 1) break;
        const bool is_now = r.tag == AgendaRow::Tag::Now;
        if (is_now) {
            const Rect band = place({inner.x - 20 * u, y, inner.w + 40 * u, row_h - 8 * u});
            dl->AddRectFilled({band.x, band.y}, {band.right(), band.bottom()}, with_alpha(mix(s.theme.panel, c.color, 0.28f), alpha), 12 * u);
        } else if (i > 0 && c.agenda[i - 1].tag != AgendaRow::Tag::Now) {
            rule(y - 4 * u, u);
        }
        float ty = y + vpad;  // the first line's top
        // The tag: "Now" filled in the card's colour, "Next" outlined.
        if (r.tag != AgendaRow::Tag::None) {
            const TextBlock& tb = is_now ? now : next;
            const float ph = tb.height + 12 * u;
            const float py = ty + ((wide ? title_h : time_h) - ph) / 2;
            const Rect pill = place({inner.x, py, tag_w, ph});
            if (is_now) {
                dl->AddRectFilled({pill.x, pill.y}, {pill.right(), pill.bottom()}, with_alpha(c.color, alpha), ph / 2);
                const ImU32 ink = luminance(c.color) > 0.55f ? IM_COL32(20, 20, 24, 255) : IM_COL32(255, 255, 255, 255);
                te.draw(dl, tb, {pill.x + (pill.w - tb.width) / 2, pill.y + 6 * u}, ink, alpha);
            } else {
                dl->AddRect({pill.x, pill.y}, {pill.right(), pill.bottom()}, with_alpha(s.theme.text_dim, alpha), ph / 2, 0,
                            std::max(1.5f, 3 * u));
                te.draw(dl, tb, {pill.x + (pill.w - tb.width) / 2, pill.y + 6 * u}, s.theme.text, alpha);
            }
        }
        const TextBlock& time = te.block(r.time, {time_px, is_now, s.theme.text}, {});
        const float time_x = r.tag == AgendaRow::Tag::None && !wide ? inner.x : inner.x + tag_w + gap;
        put(time, time_x, ty + (wide ? (title_h - time_h) / 2 : 0), s.theme.text);
        if (!wide) ty += time_h + 8 * u;
        TextBox tbox;
        tbox.width = text_w;
        const TextBlock& what = te.block(r.title, {tpx, true, s.theme.text}, tbox);
        put(what, text_x, ty, s.theme.text);
        if (!r.location.empty()) {
            const TextBlock& where = te.block(r.location, {mpx, false, s.theme.text_dim}, tbox);
            put(where, text_x, ty + title_h + 2 * u, s.theme.text_dim);
        }
        y += row_h;
    }
}

// --- alerts ----------------------------------------------------------------------------------

struct StripLook {
    ImU32 fill, ink;
    float px, pad;
};

StripLook strip_look(AlertLevel level, const Layout& L) {
    const float u = L.unit;
    if (level == AlertLevel::Warning) return {IM_COL32(255, 176, 0, 255), IM_COL32(20, 16, 8, 255), std::round(44 * u), 18 * u};
    return {IM_COL32(26, 96, 180, 255), IM_COL32(255, 255, 255, 255), std::round(40 * u), 16 * u};
}

// The alerts of one level as one piece of rich text: paragraphs on lines of their own, several
// alerts one after the other.
std::string strip_text(const Scene& s, AlertLevel level) {
    std::string out;
    for (const AlertView& a : s.alerts) {
        if (a.level != level) continue;
        if (!out.empty()) out += "   ·   ";
        for (std::size_t i = 0; i < a.text.size(); ++i) {
            if (i) out += '\n';
            if (a.text[i].bullet) out += "• ";
            out += a.text[i].text;
        }
    }
    return out;
}

float strip_icon(const StripLook& k) { return std::round(k.px * 1.1f); }

const TextBlock& strip_block(TextEngine& te, const Layout& L, AlertLevel level, const std::string& text) {
    const StripLook k = strip_look(level, L);
    TextBox box;
    box.width = std::max(1.0f, L.safe.w - 2 * k.pad - strip_icon(k) - 24 * L.unit);
    box.max_lines = L.portrait ? 3 : 2;  // a narrow screen wraps sooner; the band still stays a strip
    box.line_spacing = 1.25f;
    box.rich = true;
    return te.block(text, {k.px, false, k.ink}, box);
}

void warning_sign(ImDrawList* dl, ImVec2 c, float size, ImU32 fg, ImU32 bg) {
    dl->AddTriangleFilled({c.x, c.y - size * 0.5f}, {c.x + size * 0.56f, c.y + size * 0.46f}, {c.x - size * 0.56f, c.y + size * 0.46f}, fg);
    dl->AddRectFilled({c.x - size * 0.06f, c.y - size * 0.2f}, {c.x + size * 0.06f, c.y + size * 0.17f}, bg, size * 0.03f);
    dl->AddCircleFilled({c.x, c.y + size * 0.31f}, size * 0.07f, bg);
}

void info_sign(ImDrawList* dl, ImVec2 c, float size, ImU32 fg, ImU32 bg) {
    dl->AddCircleFilled(c, size * 0.5f, fg);
    dl->AddCircleFilled({c.x, c.y - size * 0.24f}, size * 0.07f, bg);
    dl->AddRectFilled({c.x - size * 0.06f, c.y - size * 0.1f}, {c.x + size * 0.06f, c.y + size * 0.3f}, bg, size * 0.03f);
}

void draw_strip(ImDrawList* dl, const Scene& s, const Layout& L, TextEngine& te, AlertLevel level, const Rect& r) {
    const std::string text = strip_text(s, level);
    if (r.h <= 0 || text.empty()) return;
    const StripLook k = strip_look(level, L);
    const float u = L.unit;
    dl->AddRectFilled({r.x, r.y}, {r.right(), r.bottom()}, k.fill, 12 * u);
    const TextBlock& b = strip_block(te, L, level, text);
    const bool rtl = b.rtl;
    const float icon = strip_icon(k), gap = 24 * u;
    const ImVec2 ic{rtl ? r.right() - k.pad - icon / 2 : r.x + k.pad + icon / 2, r.y + k.pad + b.line_height / 2};
    if (level == AlertLevel::Warning) warning_sign(dl, ic, icon, k.ink, k.fill);
    else info_sign(dl, ic, icon, k.ink, k.fill);
    te.draw(dl, b, {rtl ? r.right() - k.pad - icon - gap - b.width : r.x + k.pad + icon + gap, r.y + k.pad}, k.ink);
}

// The emergency takes the screen: a large sign, the text as large as fits, the clock small.
void draw_emergency(ImDrawList* dl, const Scene& s, const Layout& L, TextEngine& te) {
    const float u = L.unit;
    const ImU32 ink = IM_COL32(255, 255, 255, 255);
    const AlertView& a = s.alerts.front();
    const Rect& safe = L.safe;
    const TextBlock& clock = line(te, L, s.mode, FontRole::Meta, s.clock);
    te.draw(dl, clock, {s.rtl ? safe.x : safe.right() - clock.width, safe.y}, with_alpha(ink, 0.85f));

    const float sign = std::round(std::min(s.width, s.height) * 0.16f);
    warning_sign(dl, {s.width / 2, safe.y + 40 * u + sign / 2}, sign, ink, kEmergencyBackground);
    const Rect area{safe.x + 40 * u, safe.y + 40 * u + sign + 56 * u, safe.w - 80 * u, 0};
    const float bottom = safe.bottom() - 40 * u;
    const float avail = std::max(1.0f, bottom - area.y);

    std::vector<std::string> texts;
    for (const RichBlock& b : a.text) texts.push_back(b.bullet ? "• " + b.text : b.text);
    // The largest size at which all of it fits, measured once per text and screen (measuring shapes).
    static std::map<std::string, float> chosen;
    std::string key = std::to_string(area.w) + "x" + std::to_string(avail) + "\x1f" + te.fonts().language();
    for (const auto& t : texts) key += "\x1f" + t;
    auto box_for = [&](float px) {
        TextBox box;
        box.width = area.w;
        box.max_lines = std::max(1, static_cast<int>(avail / std::round(px * 1.15f)));
        box.line_spacing = 1.15f;
        box.rich = true;
        box.center = true;
        return box;
    };
    auto it = chosen.find(key);
    if (it == chosen.end()) {
        if (chosen.size() > 16) chosen.clear();
        float px = 0;
        for (float k : {150.0f, 124.0f, 104.0f, 88.0f, 74.0f, 62.0f, 52.0f, 44.0f}) {
            px = std::round(k * u);
            float h = 0;
            bool cut = false;
            for (const auto& t : texts) {
                TextMeasure m = te.measure(t, {px, false, ink}, box_for(px));
                h += m.height + std::round(px * 0.4f);
                cut = cut || m.truncated;
            }
            if (!cut && h <= avail + std::round(px * 0.4f)) break;
        }
        it = chosen.emplace(key, px).first;
    }
    const float px = it->second;
    std::vector<const TextBlock*> blocks;
    float total = 0;
    for (const auto& t : texts) {
        blocks.push_back(&te.block(t, {px, false, ink}, box_for(px)));
        total += blocks.back()->height;
    }
    total += std::round(px * 0.4f) * static_cast<float>(blocks.empty() ? 0 : blocks.size() - 1);
    float y = area.y + std::max(0.0f, (avail - total) / 2);
    for (const TextBlock* b : blocks) {
        if (y >= bottom) break;
        te.draw(dl, *b, {area.x + (area.w - b->width) / 2, y}, ink);
        y += b->height + std::round(px * 0.4f);
    }
}

void draw_card(ImDrawList* dl, const Scene& s, const Layout& L, TextEngine& te, const CardView& c, float dx, float alpha) {
    switch (c.kind) {
    case CardKind::Announcement: return draw_announcement(dl, s, L, te, c, dx, alpha);
    case CardKind::Agenda: return draw_agenda(dl, s, L, te, c, dx, alpha);
    case CardKind::News: return draw_news_card(dl, s, L, te, c, dx, alpha);
    }
}

void draw_header(ImDrawList* dl, const Scene& s, const Layout& L, TextEngine& te) {
    const float u = L.unit;
    const Rect& h = L.header;
    // Left to right: title (logo first), banner pills ... date, clock. A right-to-left interface
    // language reads it the other way: clock and date on the left, the title on the right.
    const bool rtl = s.rtl;
    auto at = [&](float x_ltr, float w) { return rtl ? h.x + h.right() - x_ltr - w : x_ltr; };
    const TextBlock& clock = line(te, L, s.mode, FontRole::Clock, s.clock);
    te.draw(dl, clock, {at(h.right() - clock.width, clock.width), h.y + (h.h - clock.height) / 2}, s.theme.text);
    const TextBlock& date = line(te, L, s.mode, FontRole::Meta, s.date, h.w * 0.4f);
    const float date_x = h.right() - clock.width - 28 * u - date.width;
    te.draw(dl, date, {at(date_x, date.width), h.y + (h.h - date.height) / 2}, s.theme.text_dim);

    float x = h.x;
    if (s.logo && s.logo_w > 0 && s.logo_h > 0) {
        float lh = h.h * 0.8f, lw = lh * static_cast<float>(s.logo_w) / static_cast<float>(s.logo_h);
        const float lx = at(x, lw);
        dl->AddImage(s.logo, {lx, h.y + (h.h - lh) / 2}, {lx + lw, h.y + (h.h + lh) / 2});
        x += lw + 24 * u;
    }
    const float title_px = std::min(px_of(L, s.mode, FontRole::Headline), std::round(44 * u));
    TextBox tbox;
    tbox.width = std::max(1.0f, date_x - x - 32 * u);
    const TextBlock& title = te.block(s.title, {title_px, true, s.theme.text}, tbox);
    te.draw(dl, title, {at(x, title.width), h.y + (h.h - title.height) / 2}, s.theme.text);
    x += title.width + 32 * u;

    // Banner and pause mark sit between title and date, in amber so they read as "attention", not "alarm".
    auto pill = [&](std::string_view label) {
        const TextBlock& b = line(te, L, s.mode, FontRole::Meta, label);
        const float w = b.width + 28 * u;
        if (x + w > date_x - 16 * u) return;
        ImVec2 a{at(x, w), h.y + (h.h - b.height) / 2 - 6 * u};
        dl->AddRectFilled(a, {a.x + w, a.y + b.height + 12 * u}, IM_COL32(230, 160, 40, 255), 20 * u);
        te.draw(dl, b, {a.x + 14 * u, a.y + 6 * u}, IM_COL32(25, 20, 10, 255));
        x += w + 16 * u;
    };
    if (!s.banner.empty()) pill(s.banner);
    if (s.paused) pill(s.labels.paused);
    // Trouble that needs a person but not the audience's attention: dim, and only if it fits.
    if (!s.notice.empty()) {
        const TextBlock& b = line(te, L, s.mode, FontRole::Meta, s.notice);
        if (x + b.width <= date_x - 16 * u) te.draw(dl, b, {at(x, b.width), h.y + (h.h - b.height) / 2}, s.theme.text_dim);
    }
    dl->AddLine({h.x, h.bottom()}, {h.right(), h.bottom()}, s.theme.rule, std::max(1.0f, 2 * u));
}

void draw_list_mode(ImDrawList* dl, const Scene& s, const Layout& L, TextEngine& te) {
    const float u = L.unit;
    const float hpx = px_of(L, s.mode, FontRole::Headline), mpx = px_of(L, s.mode, FontRole::Meta);
    const float row_h = mpx + hpx * 2.3f + 36 * u;
    float y = L.body.y;
    for (const auto& c : s.list) {
        if (y + row_h > L.body.bottom() + 1) break;
        const float x = L.body.x + 28 * u;
        TextBox box;
        box.width = L.body.right() - x;
        box.max_lines = 2;
        box.line_spacing = 1.1f;
        const TextBlock& head = te.block(c.headline, {hpx, true, s.theme.text}, box);
        const bool rtl = head.rtl;
        // The colour bar on the side the headline starts from.
        const float bar_x = rtl ? L.body.right() - 8 * u : L.body.x;
        dl->AddRectFilled({bar_x, y}, {bar_x + 8 * u, y + row_h - 24 * u}, c.color, 4 * u);
        const float left = rtl ? L.body.x : x, right = rtl ? L.body.right() - 28 * u : L.body.right();
        const TextBlock& src = line(te, L, s.mode, FontRole::Meta, c.source, (right - left) * 0.5f);
        const TextBlock& age = line(te, L, s.mode, FontRole::Meta, c.age, (right - left) * 0.4f);
        if (rtl) {
            te.draw(dl, src, {right - src.width, y}, c.color);
            te.draw(dl, age, {right - src.width - 20 * u - age.width, y}, s.theme.text_dim);
            te.draw(dl, head, {right - head.width, y + mpx + 8 * u}, s.theme.text);
        } else {
            te.draw(dl, src, {x, y}, c.color);
            te.draw(dl, age, {x + src.width + 20 * u, y}, s.theme.text_dim);
            te.draw(dl, head, {x, y + mpx + 8 * u}, s.theme.text);
        }
        y += row_h;
    }
}

void draw_status_page(ImDrawList* dl, const Scene& s, const Layout& L, TextEngine& te) {
    const float u = L.unit;
    const Rect& b = L.body;
    dl->AddRectFilled({b.x, b.y}, {b.right(), b.bottom()}, with_alpha(s.theme.panel, 0.97f), 12 * u);
    const float pad = 32 * u;
    float y = b.y + pad;
    const TextBlock& title = line(te, L, s.mode, FontRole::Summary, s.labels.feeds);
    te.draw(dl, title, {b.x + pad, y}, s.theme.text);
    y += title.height * 1.4f;
    const float mpx = px_of(L, s.mode, FontRole::Meta), spx = px_of(L, s.mode, FontRole::Small);
    const float row = mpx + spx + 22 * u;
    for (const auto& f : s.statuses) {
        if (y + row > b.bottom() - pad) break;
        ImU32 state_col = f.ok ? IM_COL32(60, 180, 90, 255) : IM_COL32(230, 160, 40, 255);
        dl->AddCircleFilled({b.x + pad + 10 * u, y + mpx / 2}, 9 * u, state_col);
        const float x = b.x + pad + 34 * u;
        te.draw(dl, line(te, L, s.mode, FontRole::Meta, f.source, b.w * 0.35f), {x, y}, f.color);
        te.draw(dl, line(te, L, s.mode, FontRole::Meta, f.state, b.w * 0.5f - pad), {b.x + b.w * 0.45f, y}, s.theme.text);
        te.draw(dl,
                line(te, L, s.mode, FontRole::Small, f.detail.empty() ? f.url : f.url + "  ·  " + f.detail,
                     b.right() - pad - x),
                {x, y + mpx + 4 * u}, s.theme.text_dim);
        y += row;
    }
}

// Measured once per (size, items): the crawl is redrawn many times a second, its text rarely changes.
struct TickerMetrics {
    float px = 0;
    std::size_t key = 0;
    std::vector<float> source_w, headline_w;
    std::vector<bool> rtl;
    float separator_w = 0, gap = 0, loop = 0;
    float ink_top = 0, ink_bottom = 0;  // rows any item's text covers, from the line's top
};

constexpr std::string_view kSeparator = "•";

const TickerMetrics& ticker_metrics(const Scene& s, const Layout& L, TextEngine& te) {
    static TickerMetrics m;
    const float px = px_of(L, s.mode, FontRole::Ticker);
    std::size_t key = s.ticker_items.size();
    for (const auto& t : s.ticker_items)
        key = key * 1315423911u ^ std::hash<std::string>{}(t.source) ^ (std::hash<std::string>{}(t.headline) << 1);
    if (m.px == px && m.key == key && !s.ticker_items.empty()) return m;
    m = TickerMetrics{px, key, {}, {}, {}, 0, std::round(px * 0.6f), 0};
    m.ink_top = 1e9f;
    m.ink_bottom = -1e9f;
    auto ink = [&](const TextBlock& b) {
        for (const auto& tile : b.tiles) {
            m.ink_top = std::min(m.ink_top, tile.y);
            m.ink_bottom = std::max(m.ink_bottom, tile.y + tile.h);
        }
    };
    const TextBlock& sep = te.block(kSeparator, {px, false, s.theme.text_dim}, {});
    ink(sep);
    m.separator_w = sep.width + 2 * std::round(px * 1.2f);
    for (const auto& t : s.ticker_items) {
        const TextBlock& src = te.block(t.source, {px, false, t.color}, {});
        ink(src);
        m.source_w.push_back(src.width);
        const TextBlock& h = te.block(t.headline, {px, false, s.theme.text}, {});
        ink(h);
        m.headline_w.push_back(h.width);
        m.rtl.push_back(h.rtl);
        m.loop += m.source_w.back() + m.gap + m.headline_w.back() + m.separator_w;
    }
    return m;
}

}  // namespace

Theme Theme::named(std::string_view name) {
    if (name == "light")
        return {IM_COL32(244, 242, 238, 255), IM_COL32(255, 255, 255, 255), IM_COL32(22, 24, 28, 255),
                IM_COL32(88, 92, 100, 255), IM_COL32(210, 206, 200, 255), IM_COL32(0, 0, 0, 255),
                IM_COL32(255, 255, 255, 255), IM_COL32(0, 98, 190, 255)};
    return {IM_COL32(14, 16, 20, 255), IM_COL32(28, 31, 38, 255), IM_COL32(242, 243, 245, 255),
            IM_COL32(160, 166, 176, 255), IM_COL32(52, 56, 66, 255), IM_COL32(0, 0, 0, 255),
            IM_COL32(255, 255, 255, 255), IM_COL32(58, 150, 255, 255)};
}

std::string rich_text(const std::vector<nk::TextSpan>& spans) {
    std::string out;
    bool bold = false, italic = false;
    for (const nk::TextSpan& sp : spans) {
        if (sp.text == "\n") {
            out += '\n';
            continue;
        }
        if (sp.bold != bold) out += kBoldToggle;
        if (sp.italic != italic) out += kItalicToggle;
        bold = sp.bold;
        italic = sp.italic;
        // The span's own controls would read as markup: the owner's text never switches styles by itself.
        for (char ch : sp.text)
            if (static_cast<unsigned char>(ch) >= 0x20 || ch == '\t') out += ch;
    }
    // Closed at the end, so that texts put one after the other (alerts in one strip) start plain.
    if (bold) out += kBoldToggle;
    if (italic) out += kItalicToggle;
    return out;
}

std::vector<RichBlock> rich_blocks(std::string_view markdown) {
    std::vector<RichBlock> out;
    for (const nk::TextBlock& b : nk::parse_markdown(markdown))
        out.push_back({b.kind == nk::TextBlock::Kind::Bullet, rich_text(b.spans)});
    return out;
}

bool emergency(const Scene& s) { return !s.alerts.empty() && s.alerts.front().level == AlertLevel::Emergency; }

bool shows_cards(const Scene& s) { return s.mode == Mode::Cards && s.card && !s.status_page && !emergency(s); }

ImU32 screen_background(const Scene& s) { return emergency(s) ? kEmergencyBackground : s.theme.background; }

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

Layout compute_layout(float width, float height, Mode mode, bool ticker, float safe_area, bool qr, float top_band,
                      float bottom_band) {
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
    if (top_band > 0) {
        L.warning = {L.safe.x, L.header.bottom() + 24 * u, L.safe.w, std::round(top_band)};
        top = L.warning.bottom() + 32 * u;
    }
    if (bottom_band > 0) {
        const float floor = has_ticker ? L.ticker.y - 16 * u : L.safe.bottom();
        L.info = {L.safe.x, std::round(floor - bottom_band), L.safe.w, std::round(bottom_band)};
        bottom = L.info.y - 36 * u;  // the dwell bar sits between the card and the banner
    }
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

Layout scene_layout(const Scene& s, TextEngine& te) {
    Layout base = compute_layout(s.width, s.height, s.mode, s.ticker, s.safe_area, s.qr);
    if (s.alerts.empty() || emergency(s)) return base;
    float band[2] = {0, 0};
    const AlertLevel levels[2] = {AlertLevel::Warning, AlertLevel::Info};
    for (int i = 0; i < 2; ++i) {
        const std::string text = strip_text(s, levels[i]);
        if (text.empty()) continue;
        const StripLook k = strip_look(levels[i], base);
        const TextBlock& b = strip_block(te, base, levels[i], text);
        band[i] = std::max(b.height, strip_icon(k)) + 2 * k.pad;
    }
    return compute_layout(s.width, s.height, s.mode, s.ticker, s.safe_area, s.qr, band[0], band[1]);
}

bool prepare_card(const Scene& s, const Layout& L, TextEngine& te, const CardView& c) {
    // The shared draw data (circle tessellation) is set up by the first NewFrame.
    if (!ImGui::GetCurrentContext() || ImGui::GetFrameCount() == 0) return false;
    // The card drawn into a list nobody renders: the same calls, so exactly the blocks it will need.
    ImDrawList scratch(ImGui::GetDrawListSharedData());
    scratch._ResetForNewFrame();
    scratch.PushClipRectFullScreen();
    scratch.PushTextureID(nullptr);
    draw_card(&scratch, s, L, te, c, 0, 1);
    return true;
}

// Asked of the text, not of a block: a block in another size or colour than the one drawn would be
// a texture made for nothing.
bool card_is_rtl(const CardView& c) { return paragraph_rtl(c.headline); }

Rect cards_clip(const Layout& L) { return {L.safe.x, L.body.y, L.safe.w, L.body.h + 1}; }

namespace {

// The card (or the two of a transition) in the body.
void draw_cards(ImDrawList* dl, const Scene& s, const Layout& L, TextEngine& te) {
    const Rect c = cards_clip(L);
    dl->PushClipRect({c.x, c.y}, {c.right(), c.bottom()}, true);
    float t = std::clamp(s.transition, 0.0f, 1.0f);
    if (s.previous && t < 1.0f) {
        if (s.transition_kind == Transition::Slide) {
            draw_card(dl, s, L, te, *s.previous, -t * L.safe.w, 1.0f);
            draw_card(dl, s, L, te, *s.card, (1 - t) * L.safe.w, 1.0f);
        } else if (s.transition_kind == Transition::Fade) {
            // Through the background, one card at a time: half the pixels of a cross-fade,
            // which is what a frame costs on a software-rendered or small GPU.
            if (t < 0.5f) draw_card(dl, s, L, te, *s.previous, 0, 1 - 2 * t);
            else draw_card(dl, s, L, te, *s.card, 0, 2 * t - 1);
        } else {
            draw_card(dl, s, L, te, *s.card, 0, 1);
        }
    } else {
        draw_card(dl, s, L, te, *s.card, 0, 1);
    }
    dl->PopClipRect();
}

// A rectangle of one colour: the platform's fill when it has one (a clear, or a flat quad that
// samples no texture), else an ImGui quad.
void fill_rect(ImDrawList* dl, const Scene& s, const Rect& r, ImU32 color) {
    if (s.fill) s.fill(dl, r, color);
    else dl->AddRectFilled({r.x, r.y}, {r.right(), r.bottom()}, color);
}

// Burn-in shift moves everything by whole pixels (keeps text sharp) except the full-screen background.
ImVec2 shift_of(const Scene& s) { return {std::round(s.shift.x), std::round(s.shift.y)}; }
void shift_since(const Scene& s, ImDrawList* dl, int first_vtx) {
    const ImVec2 d = shift_of(s);
    if (d.x == 0 && d.y == 0) return;
    for (int i = first_vtx; i < dl->VtxBuffer.Size; ++i) {
        dl->VtxBuffer[i].pos.x += d.x;
        dl->VtxBuffer[i].pos.y += d.y;
    }
}
}  // namespace

void Cover::reset(float width, float height) {
    cols_ = std::max(0, static_cast<int>(std::ceil(width / kTile)));
    rows_ = std::max(0, static_cast<int>(std::ceil(height / kTile)));
    on_.assign(static_cast<size_t>(cols_) * static_cast<size_t>(rows_), 0);
}

void Cover::add(const ImDrawList* dl, int first_idx, ImVec2 offset) {
    for (const ImDrawCmd& cmd : dl->CmdBuffer) {
        if (cmd.UserCallback || cmd.ElemCount == 0) continue;
        const int begin = std::max(first_idx, static_cast<int>(cmd.IdxOffset));
        const int end = static_cast<int>(cmd.IdxOffset + cmd.ElemCount);
        // Both ends are primitive boundaries, so whole triangles.
        for (int i = begin; i + 2 < end && i + 2 < dl->IdxBuffer.Size; i += 3) {
            float x0 = 1e30f, y0 = 1e30f, x1 = -1e30f, y1 = -1e30f;
            for (int k = 0; k < 3; ++k) {
                const ImVec2 p = dl->VtxBuffer[static_cast<int>(cmd.VtxOffset) + dl->IdxBuffer[i + k]].pos;
                x0 = std::min(x0, p.x + offset.x), y0 = std::min(y0, p.y + offset.y);
                x1 = std::max(x1, p.x + offset.x), y1 = std::max(y1, p.y + offset.y);
            }
            // What the rasteriser can touch: the triangle's box inside the command's clip.
            x0 = std::max(x0, cmd.ClipRect.x), y0 = std::max(y0, cmd.ClipRect.y);
            x1 = std::min(x1, cmd.ClipRect.z), y1 = std::min(y1, cmd.ClipRect.w);
            if (x1 <= x0 || y1 <= y0) continue;
            const int c0 = std::clamp(static_cast<int>(std::floor(x0)) / kTile, 0, cols_ - 1);
            const int c1 = std::clamp(static_cast<int>(std::ceil(x1) - 1) / kTile, 0, cols_ - 1);
            const int r0 = std::clamp(static_cast<int>(std::floor(y0)) / kTile, 0, rows_ - 1);
            const int r1 = std::clamp(static_cast<int>(std::ceil(y1) - 1) / kTile, 0, rows_ - 1);
            for (int r = r0; r <= r1; ++r)
                std::fill_n(on_.begin() + static_cast<std::ptrdiff_t>(r) * cols_ + c0, c1 - c0 + 1, uint8_t{1});
        }
    }
}

Cover& Cover::operator|=(const Cover& other) {
    if (other.cols_ != cols_ || other.rows_ != rows_) {
        // Another screen size: everything either covered is covered.
        if (empty()) return *this = other;
        if (other.empty()) return *this;
        std::fill(on_.begin(), on_.end(), uint8_t{1});
        return *this;
    }
    for (size_t i = 0; i < on_.size(); ++i) on_[i] |= other.on_[i];
    return *this;
}

bool Cover::empty() const { return std::find(on_.begin(), on_.end(), uint8_t{1}) == on_.end(); }

std::vector<Rect> Cover::rects(const Rect& clip) const {
    // Runs of covered tiles row by row; a run equal to one in the row above extends that rectangle.
    struct Run {
        int c0, c1, r0, r1;
    };
    std::vector<Run> done, open, next;
    for (int r = 0; r < rows_; ++r) {
        next.clear();
        for (int c = 0; c < cols_;) {
            if (!on_[static_cast<size_t>(r) * static_cast<size_t>(cols_) + static_cast<size_t>(c)]) {
                ++c;
                continue;
            }
            int e = c;
            while (e < cols_ && on_[static_cast<size_t>(r) * static_cast<size_t>(cols_) + static_cast<size_t>(e)]) ++e;
            auto above = std::find_if(open.begin(), open.end(), [&](const Run& o) { return o.c0 == c && o.c1 == e; });
            if (above != open.end()) {
                next.push_back({c, e, above->r0, r});
                open.erase(above);
            } else {
                next.push_back({c, e, r, r});
            }
            c = e;
        }
        done.insert(done.end(), open.begin(), open.end());
        open.swap(next);
    }
    done.insert(done.end(), open.begin(), open.end());
    std::vector<Rect> out;
    for (const Run& run : done) {
        const float x0 = std::max(clip.x, static_cast<float>(run.c0 * kTile));
        const float y0 = std::max(clip.y, static_cast<float>(run.r0 * kTile));
        const float x1 = std::min(clip.right(), static_cast<float>(run.c1 * kTile));
        const float y1 = std::min(clip.bottom(), static_cast<float>((run.r1 + 1) * kTile));
        if (x1 > x0 && y1 > y0) out.push_back({x0, y0, x1 - x0, y1 - y0});
    }
    return out;
}

void draw_static(const Scene& s, const Layout& L, TextEngine& te, ImDrawList* dl, const Rect* damage, Cover* cards) {
    if (cards) cards->reset(s.width, s.height);
    int first_vtx = dl->VtxBuffer.Size;
    // Only what changed gets pixels; the platform has cleared `damage` to the background colour
    // (a clear is a memset, a full-screen quad is two million shaded fragments on a software GPU).
    Rect d = damage ? *damage : Rect{0, 0, s.width, s.height};
    dl->PushClipRect({d.x, d.y}, {d.right(), d.bottom()}, false);
    if (emergency(s)) {
        draw_emergency(dl, s, L, te);
        dl->PopClipRect();
        return;
    }
    draw_header(dl, s, L, te);
    draw_strip(dl, s, L, te, AlertLevel::Warning, L.warning);
    draw_strip(dl, s, L, te, AlertLevel::Info, L.info);

    if (s.status_page) {
        draw_status_page(dl, s, L, te);
    } else if (s.mode == Mode::List && !s.list.empty()) {
        draw_list_mode(dl, s, L, te);
    } else if (s.mode == Mode::Cards && s.card) {
        const int cards_idx = dl->IdxBuffer.Size;
        draw_cards(dl, s, L, te);
        if (cards) cards->add(dl, cards_idx, shift_of(s));
    } else if (s.mode != Mode::Ticker || s.ticker_items.empty()) {
        const std::string& msg = s.waiting_message.empty() ? s.labels.waiting : s.waiting_message;
        TextBox box;
        box.width = L.body.w * 0.8f;
        box.max_lines = 3;
        box.line_spacing = 1.3f;
        const TextBlock& b = te.block(msg, {px_of(L, s.mode, FontRole::Summary), false, s.theme.text_dim}, box);
        te.draw(dl, b, {L.body.x + (L.body.w - b.width) / 2, L.body.y + (L.body.h - b.height) / 2}, s.theme.text_dim);
    }
    shift_since(s, dl, first_vtx);
    dl->PopClipRect();
}

std::vector<Rect> draw_cards_over(const Scene& s, const Layout& L, TextEngine& te, ImDrawList* dl, const Cover& last,
                                  Cover& cards, float from) {
    cards.reset(s.width, s.height);
    const Rect clip = cards_clip(L);
    const ImU32 bg = screen_background(s);
    const float t = std::clamp(s.transition, 0.0f, 1.0f);
    const bool step = s.previous && s.transition_kind == Transition::Fade && from >= 0 && from < t && t < 1;
    // A fade's step over the last one: the screen is already `from` of the way through, so this
    // frame only has to go the rest of the way to `t`. Leaving (t < 0.5): a background-coloured
    // quad of the right alpha over where the old card is, which turns its remaining share into
    // background exactly, at the cost of a flat quad instead of a picture and text. Arriving: the
    // new card over itself with the alpha that lifts its share from the last step's to this one's
    // (exact where its parts do not overlap; the transition's last frame is drawn exactly).
    if (step) {
        auto gone = [](float x) { return std::min(1.0f, 2 * x); };       // the old card's share turned to background
        auto come = [](float x) { return std::max(0.0f, 2 * x - 1); };   // the new card's share
        std::vector<Rect> painted;
        // A step the eye cannot see (the eased fade's first, a 1 % change) is not worth a frame's pixels.
        if (t < 0.5f && gone(t) - gone(from) < 0.02f) {
            cards = last;
            return painted;
        }
        if (gone(from) < 1) {
            const float a = (gone(t) - gone(from)) / (1 - gone(from));
            painted = last.rects(clip);
            for (const Rect& r : painted) fill_rect(dl, s, r, with_alpha(bg, a));
        }
        if (t < 0.5f) {
            cards = last;
            return painted;
        }
        const int first_vtx = dl->VtxBuffer.Size, first_idx = dl->IdxBuffer.Size;
        dl->PushClipRect({clip.x, clip.y}, {clip.right(), clip.bottom()}, true);
        draw_card(dl, s, L, te, *s.card, 0, (come(t) - come(from)) / (1 - come(from)));
        dl->PopClipRect();
        cards.add(dl, first_idx, shift_of(s));
        shift_since(s, dl, first_vtx);
        if (from >= 0.5f) cards |= last;  // the same card: what it covered, it still covers
        for (const Rect& r : cards.rects(clip)) painted.push_back(r);
        return painted;
    }
    // The cards go into the second channel first, so their cover is known before the background
    // is painted under them in the first.
    dl->ChannelsSplit(2);
    dl->ChannelsSetCurrent(1);
    const int first_vtx = dl->VtxBuffer.Size, first_idx = dl->IdxBuffer.Size;
    draw_cards(dl, s, L, te);
    cards.add(dl, first_idx, shift_of(s));
    shift_since(s, dl, first_vtx);
    Cover both = last;
    both |= cards;
    std::vector<Rect> painted = both.rects(clip);
    dl->ChannelsSetCurrent(0);
    for (const Rect& r : painted) fill_rect(dl, s, r, bg);
    dl->ChannelsMerge();
    return painted;
}

Rect header_band(const Layout& L) { return {0, 0, L.safe.x * 2 + L.safe.w, std::round(L.header.bottom() + 8 * L.unit)}; }

Rect body_band(const Layout& L, float height) {
    Rect h = header_band(L);
    return {0, h.bottom(), h.w, height - h.bottom()};
}

float ticker_loop_width(const Scene& s, const Layout& L, TextEngine& te) { return ticker_metrics(s, L, te).loop; }

namespace {
// The dwell bar's track, under the card.
Rect dwell_track(const Layout& L) {
    const float bar_y = std::round(L.body.bottom() + 14 * L.unit);
    return {L.body.x, bar_y, L.body.w, std::max(2.0f, std::round(5 * L.unit))};
}
}  // namespace

Rect united(const Rect& a, const Rect& b) {
    if (a.w <= 0 || a.h <= 0) return b;
    if (b.w <= 0 || b.h <= 0) return a;
    const float x = std::min(a.x, b.x), y = std::min(a.y, b.y);
    return {x, y, std::max(a.right(), b.right()) - x, std::max(a.bottom(), b.bottom()) - y};
}

Rect draw_dynamic(const Scene& s, const Layout& L, TextEngine& te, ImDrawList* dl) {
    if (emergency(s)) return {};
    Rect painted;
    if (shows_cards(s)) {
        // The track is opaque, so this strip repaints itself fully when drawn alone.
        painted = dwell_track(L);
        const float bar_y = painted.y, thick = painted.h;
        dl->AddRectFilled({L.body.x, bar_y}, {L.body.right(), bar_y + thick}, s.theme.rule);
        dl->AddRectFilled({L.body.x, bar_y}, {L.body.x + std::round(L.body.w * std::clamp(s.dwell, 0.0f, 1.0f)), bar_y + thick},
                          s.card->color);
    }
    painted = united(painted, draw_ticker(s, L, te, dl));
    if (painted.w <= 0 || painted.h <= 0) return {};
    // Full width, whole pixels, a pixel of margin for the ticker's rule line and the bar's rounding.
    const float top = std::max(0.0f, std::floor(painted.y) - 1);
    return {0, top, L.safe.x * 2 + L.safe.w, std::ceil(painted.bottom()) + 1 - top};
}

namespace {
// The crawl's line: its metrics (null: nothing to crawl) and the top of its line box.
struct CrawlLine {
    const TickerMetrics* m = nullptr;
    float y = 0;
};

CrawlLine crawl_line(const Scene& s, const Layout& L, TextEngine& te) {
    const Rect& r = L.ticker;
    if (r.h <= 0 || s.ticker_items.empty()) return {};
    const TickerMetrics& m = ticker_metrics(s, L, te);
    if (m.loop <= 0) return {};
    return {&m, std::round(r.y + (r.h - std::round(m.px * 1.2f)) / 2)};
}

// Below the strip's rule line, whole pixels.
Rect ink_rows(const Layout& L, const CrawlLine& c) {
    const Rect& r = L.ticker;
    if (!c.m || c.m->ink_bottom <= c.m->ink_top) return {};
    const float top = std::ceil(std::max(r.y + std::max(1.0f, 2 * L.unit), std::floor(c.y + c.m->ink_top) - 1));
    const float bottom = std::floor(std::min(r.bottom(), std::ceil(c.y + c.m->ink_bottom) + 1));
    return bottom > top ? Rect{r.x, top, r.w, bottom - top} : Rect{};
}
}  // namespace

Rect crawl_rows(const Scene& s, const Layout& L, TextEngine& te) { return ink_rows(L, crawl_line(s, L, te)); }

Rect draw_ticker(const Scene& s, const Layout& L, TextEngine& te, ImDrawList* dl) {
    const Rect& r = L.ticker;
    if (r.h <= 0) return {};
    const CrawlLine line = crawl_line(s, L, te);
    const TickerMetrics* tm = line.m;
    const float y = line.y;
    // Over the last frame only the rows the crawl's text covers are painted: the strip's
    // background and rule line above and below them do not move.
    Rect paint = r;
    if (s.over_last_frame) {
        if (const Rect ink = ink_rows(L, line); ink.h > 0) paint = ink;
        if (s.crawl_w > 0) {
            const float from = std::max(paint.x, s.crawl_from), to = std::min(paint.right(), s.crawl_from + s.crawl_w);
            if (to <= from) return {};
            paint.x = from;
            paint.w = to - from;
        }
    }
    dl->PushClipRect({paint.x, paint.y}, {paint.right(), paint.bottom()}, false);
    // The strip is repainted many times a second: a clear (a memset) instead of a shaded quad
    // when the platform offers one, which on a software GPU is most of the frame's cost.
    fill_rect(dl, s, paint, s.theme.panel);
    dl->AddLine({r.x, r.y}, {r.right(), r.y}, s.theme.rule, std::max(1.0f, 2 * L.unit));
    if (!tm) {
        dl->PopClipRect();
        return paint;
    }
    const TickerMetrics& m = *tm;
    const float px = m.px;
    // The crawl always moves right to left; each item is set in its own direction (a Hebrew
    // headline reads right to left inside its block, its source on its right). The offset moves in
    // whole steps (the kiosk's), the blocks sit on whole pixels: text texels land on screen pixels.
    double pos = static_cast<double>(r.right()) - std::fmod(s.ticker_offset, static_cast<double>(m.loop));
    float x = static_cast<float>(std::floor(pos));
    if (x > r.x) x -= m.loop;  // one loop back, so the left edge is covered as the loop wraps
    std::size_t n = s.ticker_items.size();
    for (std::size_t i = 0; x < paint.right(); i = (i + 1) % n) {
        const TickerItem& t = s.ticker_items[i];
        const float item_w = m.source_w[i] + m.gap + m.headline_w[i] + m.separator_w;
        if (x + item_w > paint.x) {
            const TextBlock& src = te.block(t.source, {px, false, t.color}, {});
            const TextBlock& head = te.block(t.headline, {px, false, s.theme.text}, {});
            if (m.rtl[i]) {
                te.draw(dl, head, {x, y}, s.theme.text);
                te.draw(dl, src, {x + m.headline_w[i] + m.gap, y}, t.color);
            } else {
                te.draw(dl, src, {x, y}, t.color);
                te.draw(dl, head, {x + m.source_w[i] + m.gap, y}, s.theme.text);
            }
            const TextBlock& sep = te.block(kSeparator, {px, false, s.theme.text_dim}, {});
            te.draw(dl, sep, {x + item_w - m.separator_w / 2 - sep.width / 2, y}, s.theme.text_dim);
        }
        x += item_w;
    }
    dl->PopClipRect();
    return paint;
}

}  // namespace nk::ui
