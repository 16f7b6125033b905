// SPDX-License-Identifier: Apache-2.0
#include "feed/parser.h"
#include "feed/strings.h"

#include "feed/dates.h"
#include "feed/encoding.h"
#include "feed/text.h"
#include "feed/url.h"
#include "feed/xml_prepare.h"

#include <tinyxml2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>

namespace nk {
namespace {

using str::iequals;
using str::trim;

using tinyxml2::XMLElement;
using tinyxml2::XMLNode;

// [SECTION] Namespaces
// tinyxml2 has none, so prefixes are resolved here against the xmlns declarations in scope:
// feeds declare `a10:` for Atom or `it:` for iTunes, and only the URI says what an element is.

enum class Ns : uint8_t { None, Atom, Atom03, Rss10, Rss090, Rdf, Dc, DcTerms, Content, Media, Itunes, Sy, Yt, Xhtml, Other };

Ns ns_from_uri(std::string_view uri) {
    while (!uri.empty() && (uri.back() == ' ' || uri.back() == '\n')) uri.remove_suffix(1);
    struct Known { std::string_view uri; Ns ns; };
    static constexpr std::array<Known, 19> known{{
        {"http://www.w3.org/2005/Atom", Ns::Atom},
        {"http://purl.org/atom/ns#", Ns::Atom03},
        {"http://purl.org/rss/1.0/", Ns::Rss10},
        {"http://my.netscape.com/rdf/simple/0.9/", Ns::Rss090},
        {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", Ns::Rdf},
        {"http://purl.org/dc/elements/1.1/", Ns::Dc},
        {"http://purl.org/dc/terms/", Ns::DcTerms},
        {"http://purl.org/rss/1.0/modules/content/", Ns::Content},
        {"http://search.yahoo.com/mrss/", Ns::Media},
        {"http://search.yahoo.com/mrss", Ns::Media},
        {"http://video.search.yahoo.com/mrss", Ns::Media},
        {"http://www.itunes.com/dtds/podcast-1.0.dtd", Ns::Itunes},
        {"https://www.itunes.com/dtds/podcast-1.0.dtd", Ns::Itunes},
        {"http://purl.org/rss/1.0/modules/syndication/", Ns::Sy},
        {"http://www.youtube.com/xml/schemas/2015", Ns::Yt},
        {"http://www.w3.org/1999/xhtml", Ns::Xhtml},
        {"http://backend.userland.com/rss2", Ns::None},
        {"http://backend.userland.com/rss", Ns::None},
        {"", Ns::None},
    }};
    for (const Known& k : known)
        if (iequals(uri, k.uri)) return k.ns;
    return Ns::Other;
}

// Prefixes used without a declaration are common enough (dc:creator pasted into a template)
// that refusing them would lose authors and dates; the conventional meaning is almost always right.
Ns ns_from_undeclared_prefix(std::string_view p) {
    if (p == "dc") return Ns::Dc;
    if (p == "dcterms") return Ns::DcTerms;
    if (p == "content") return Ns::Content;
    if (p == "media") return Ns::Media;
    if (p == "itunes") return Ns::Itunes;
    if (p == "sy") return Ns::Sy;
    if (p == "atom" || p == "a10") return Ns::Atom;
    if (p == "rdf") return Ns::Rdf;
    if (p == "yt") return Ns::Yt;
    return Ns::Other;
}

struct Name {
    Ns ns;
    std::string_view local;
    bool is(Ns n, std::string_view l) const { return ns == n && local == l; }
};

bool has_cut_marker(const XMLElement* e) { return e->FirstChildElement(xml::kCutMarker.data()) != nullptr; }

std::string_view attr(const XMLElement* e, const char* name) {
    const char* v = e->Attribute(name);
    return v ? std::string_view(v) : std::string_view{};
}

bool looks_like_image_url(std::string_view u) {
    auto q = u.find_first_of("?#");
    if (q != std::string_view::npos) u = u.substr(0, q);
    auto dot = u.rfind('.');
    if (dot == std::string_view::npos) return false;
    std::string_view ext = u.substr(dot + 1);
    for (std::string_view e : {"jpg", "jpeg", "png", "gif", "webp", "avif", "bmp"})
        if (iequals(ext, e)) return true;
    return false;
}

bool looks_like_excerpt(std::string_view s) {
    s = trim(s);
    std::string tail(s.substr(s.size() > 40 ? s.size() - 40 : 0));
    std::transform(tail.begin(), tail.end(), tail.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (std::string_view mark : {"\u2026", "...", "read more", "continue reading", "[&#8230;]", "more \u00bb"})
        if (tail.find(mark) != std::string::npos) return true;
    return false;
}

uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ull) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::string hex64(uint64_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = digits[v & 15];
    return s;
}

// [SECTION] Walker

enum class TextKind { Text, Html, Xhtml };

struct ImagePick {
    int rank = 100;  // lower is better: enclosure, media:content, media:thumbnail, itunes:image
    std::string url;
    void offer(int r, std::string_view u) {
        u = trim(u);
        if (r < rank && !u.empty() && !str::istarts_with(u, "data:")) {
            rank = r;
            url = std::string(u);
        }
    }
};

class Walker {
public:
    Walker(const ParseOptions& opt, Feed& feed) : opt_(opt), feed_(feed) {}

    Result<Feed> run(const XMLElement* root);

private:
    struct Scope {
        std::string_view prefix;
        Ns ns;
    };

    const ParseOptions& opt_;
    Feed& feed_;
    std::vector<Scope> scopes_;
    std::string feed_base_;
    size_t items_seen_ = 0;
    size_t cut_items_dropped_ = 0;

    void push_decls(const XMLElement* e) {
        for (const tinyxml2::XMLAttribute* a = e->FirstAttribute(); a; a = a->Next()) {
            std::string_view n = a->Name();
            if (!n.starts_with("xmlns")) continue;
            if (n.size() == 5) scopes_.push_back({"", ns_from_uri(a->Value())});
            else if (n[5] == ':') scopes_.push_back({n.substr(6), ns_from_uri(a->Value())});
        }
    }

    Name resolve(const XMLElement* e) const {
        std::string_view q = e->Name();
        std::string_view prefix, local = q;
        if (auto c = q.find(':'); c != std::string_view::npos) {
            prefix = q.substr(0, c);
            local = q.substr(c + 1);
        }
        for (size_t i = scopes_.size(); i-- > 0;)
            if (scopes_[i].prefix == prefix) return {scopes_[i].ns, local};
        return {prefix.empty() ? Ns::None : ns_from_undeclared_prefix(prefix), local};
    }

    template <class F>
    void each_child(const XMLElement* parent, F&& f) {
        for (const XMLElement* c = parent->FirstChildElement(); c; c = c->NextSiblingElement()) {
            size_t mark = scopes_.size();
            push_decls(c);
            f(c, resolve(c));
            scopes_.resize(mark);
        }
    }

    // [SECTION] Text of an element
    // Without child elements the text is what the publisher wrote (HTML source for descriptions);
    // with them (unescaped HTML, Atom xhtml) the subtree is written back out as markup.
    void append_markup(std::string& out, const XMLNode* n, int depth, size_t cap) const {
        for (const XMLNode* c = n->FirstChild(); c && out.size() < cap; c = c->NextSibling()) {
            if (const tinyxml2::XMLText* t = c->ToText()) {
                std::string_view v = t->Value();
                if (t->CData()) {
                    out.append(v);
                } else {
                    for (char ch : v) {
                        if (ch == '<') out += "&lt;";
                        else if (ch == '&') out += "&amp;";
                        else out += ch;
                    }
                }
            } else if (const XMLElement* e = c->ToElement()) {
                std::string_view name = e->Name();
                if (name == xml::kCutMarker || depth >= opt_.limits.max_depth) continue;
                if (auto colon = name.find(':'); colon != std::string_view::npos) name = name.substr(colon + 1);
                out.append("<").append(name);
                for (const tinyxml2::XMLAttribute* a = e->FirstAttribute(); a; a = a->Next()) {
                    std::string_view an = a->Name();
                    if (an.starts_with("xmlns")) continue;
                    out.append(" ").append(an).append("=\"");
                    for (char ch : std::string_view(a->Value())) {
                        if (ch == '"') out += "&quot;";
                        else if (ch == '&') out += "&amp;";
                        else out += ch;
                    }
                    out += '"';
                }
                out += '>';
                append_markup(out, e, depth + 1, cap);
                out.append("</").append(name).append(">");
            }
        }
    }

    std::string raw(const XMLElement* e) const {
        std::string out;
        const size_t cap = opt_.limits.max_field_bytes;
        if (e->FirstChildElement() == nullptr) {
            for (const XMLNode* c = e->FirstChild(); c; c = c->NextSibling())
                if (const tinyxml2::XMLText* t = c->ToText()) out.append(t->Value());
        } else {
            append_markup(out, e, 0, cap);
        }
        if (out.size() > cap) out.resize(text::utf8_prefix(out, cap).size());
        return out;
    }

    // Plain text with no markup expected (guid, link, dates, ttl).
    std::string plain(const XMLElement* e) const { return std::string(trim(raw(e))); }

    static TextKind atom_kind(const XMLElement* e) {
        std::string_view type = attr(e, "type");
        std::string_view mode = attr(e, "mode");  // Atom 0.3
        if (mode == "escaped") return TextKind::Html;
        if (type.empty() || type == "text" || type == "text/plain") return mode == "xml" ? TextKind::Xhtml : TextKind::Text;
        if (type == "xhtml" || type == "application/xhtml+xml") return TextKind::Xhtml;
        return TextKind::Html;  // "html", "text/html"
    }

    std::string display(const XMLElement* e, TextKind kind, bool line_breaks) const {
        text::HtmlTextOptions o;
        o.keep_line_breaks = line_breaks;
        o.max_bytes = line_breaks ? opt_.limits.max_summary_bytes : opt_.limits.max_title_bytes;
        if (kind == TextKind::Text && e->FirstChildElement() == nullptr) {
            // Atom text is literal, but "&amp;amp;" from double-escaping publishers is not meant to be read.
            return text::clean_plain(text::decode_entities(raw(e)), o);
        }
        if (kind == TextKind::Xhtml) {
            // The content is one xhtml:div wrapping the markup.
            const XMLElement* div = e->FirstChildElement();
            if (div && !div->NextSiblingElement()) {
                std::string html;
                append_markup(html, div, 0, opt_.limits.max_field_bytes);
                return text::html_to_text(html, o);
            }
        }
        return text::html_to_text(raw(e), o);
    }

    std::string rss_text(const XMLElement* e, bool line_breaks) const {
        // RSS says "plain text" for titles, yet publishers put entities and tags there; a
        // screen must show what a browser would.
        return display(e, TextKind::Html, line_breaks);
    }

    std::string base_of(const XMLElement* e, std::string_view parent_base) const {
        std::string_view b = attr(e, "xml:base");
        if (b.empty()) return std::string(parent_base);
        return url::resolve(parent_base, b);
    }

    static std::string author_name(std::string s) {
        // "jane@example.com (Jane Doe)" and "Jane Doe <jane@example.com>" both show the name.
        std::string_view v = trim(s);
        if (auto open = v.find('('); open != std::string_view::npos && v.back() == ')' && open > 0) {
            std::string_view name = trim(v.substr(open + 1, v.size() - open - 2));
            if (!name.empty()) return std::string(name);
        }
        if (auto lt = v.find('<'); lt != std::string_view::npos && lt > 0 && v.back() == '>') {
            std::string_view name = trim(v.substr(0, lt));
            if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
            if (!name.empty()) return std::string(name);
        }
        return std::string(v);
    }

    std::string clean_line(std::string_view s) const {
        text::HtmlTextOptions o;
        o.keep_line_breaks = false;
        o.max_bytes = opt_.limits.max_title_bytes;
        return text::html_to_text(s, o);
    }

    void add_category(Item& item, std::string_view raw_text) {
        std::string c = clean_line(raw_text);
        if (c.empty() || item.categories.size() >= 32) return;
        if (std::find(item.categories.begin(), item.categories.end(), c) == item.categories.end())
            item.categories.push_back(std::move(c));
    }

    // media:content / media:thumbnail / media:group, wherever they appear.
    void media(const XMLElement* e, Name n, ImagePick& img, const XMLElement*& description) {
        if (n.local == "group") {
            each_child(e, [&](const XMLElement* c, Name cn) {
                if (cn.ns == Ns::Media) media(c, cn, img, description);
            });
        } else if (n.local == "content") {
            std::string_view u = attr(e, "url");
            std::string_view medium = attr(e, "medium");
            std::string_view type = attr(e, "type");
            bool image = medium == "image" || str::istarts_with(type, "image/") ||
                         (medium.empty() && type.empty() && looks_like_image_url(u));
            if (image) img.offer(1, u);
            each_child(e, [&](const XMLElement* c, Name cn) {
                if (cn.ns == Ns::Media) media(c, cn, img, description);
            });
        } else if (n.local == "thumbnail") {
            img.offer(2, attr(e, "url"));
        } else if (n.local == "description" && !description) {
            description = e;
        }
    }

    bool take_item(const XMLElement* e) {
        ++items_seen_;
        if (feed_.items.size() >= opt_.limits.max_items) return false;
        if (has_cut_marker(e)) {
            // Cut off by truncation: keep it only when its headline arrived whole.
            const XMLElement* t = nullptr;
            each_child(e, [&](const XMLElement* c, Name n) {
                if (!t && (n.local == "title" || n.local == "link")) t = c;
            });
            if (!t || has_cut_marker(t)) {
                ++cut_items_dropped_;
                return false;
            }
        }
        return true;
    }

    // Last resort for a picture: the first <img> of the HTML, relative to that element's base.
    void image_from_html(ImagePick& img, std::initializer_list<const XMLElement*> elements, const std::string& base) const {
        if (!img.url.empty()) return;
        for (const XMLElement* c : elements) {
            if (!c) continue;
            std::string src = text::first_img_src(raw(c));
            if (!src.empty()) {
                img.offer(50, url::resolve(base_of(c, base), src));
                return;
            }
        }
    }

    void finish_item(Item& item, std::string_view date_text, const std::string& base, ImagePick& img) {
        if (!img.url.empty()) item.image = url::resolve(base, img.url);
        if (!item.link.empty()) item.link = url::resolve(base, item.link);
        if (!item.published) item.published = item.updated;
        if (item.id.empty()) item.id = item.link;
        if (item.id.empty()) {
            uint64_t h = fnv1a(item.title);
            h = fnv1a(std::string_view("\x1f", 1), h);
            h = fnv1a(date_text, h);
            item.id = "nk:" + hex64(h);
        }
        if (item.title.empty() && item.link.empty() && item.summary.empty()) return;
        feed_.items.push_back(std::move(item));
    }

    void rss_item(const XMLElement* e, Ns core) {
        Item item;
        std::string base = base_of(e, feed_base_);
        const XMLElement *description = nullptr, *content = nullptr, *media_desc = nullptr, *itunes_summary = nullptr,
                         *atom_summary = nullptr, *atom_content = nullptr;
        std::string date_text, guid, creator, itunes_author;
        bool guid_permalink = true;
        ImagePick img;
        if (std::string_view about = attr(e, "rdf:about"); !about.empty()) item.id = std::string(trim(about));
        each_child(e, [&](const XMLElement* c, Name n) {
            if (has_cut_marker(c)) return;
            if (n.ns == core || n.ns == Ns::None) {
                if (n.local == "title" && item.title.empty()) item.title = rss_text(c, false);
                else if (n.local == "link" && item.link.empty()) item.link = plain(c);
                else if (n.local == "guid" && guid.empty()) {
                    guid = plain(c);
                    guid_permalink = attr(c, "isPermaLink") != "false";
                } else if (n.local == "description" && !description) description = c;
                else if (n.local == "pubDate" && !item.published) {
                    date_text = plain(c);
                    item.published = dates::parse(date_text);
                } else if (n.local == "author" && item.author.empty()) item.author = author_name(clean_line(raw(c)));
                else if (n.local == "category") add_category(item, raw(c));
                else if (n.local == "enclosure") {
                    std::string_view u = attr(c, "url"), type = attr(c, "type");
                    if (str::istarts_with(type, "image/") || (type.empty() && looks_like_image_url(u))) img.offer(0, u);
                }
            } else if (n.ns == Ns::Dc || n.ns == Ns::DcTerms) {
                if ((n.local == "date" || n.local == "issued" || n.local == "created") && !item.published) {
                    date_text = plain(c);
                    item.published = dates::parse(date_text);
                } else if (n.local == "modified" && !item.updated) item.updated = dates::parse(plain(c));
                else if ((n.local == "creator" || n.local == "contributor") && creator.empty()) creator = author_name(clean_line(raw(c)));
                else if (n.local == "subject") add_category(item, raw(c));
                else if (n.local == "title" && item.title.empty()) item.title = rss_text(c, false);
                else if (n.local == "description" && !description) description = c;
            } else if (n.ns == Ns::Content && n.local == "encoded" && !content) {
                content = c;
            } else if (n.ns == Ns::Media) {
                media(c, n, img, media_desc);
            } else if (n.ns == Ns::Itunes) {
                if (n.local == "image") img.offer(3, attr(c, "href"));
                else if (n.local == "summary" && !itunes_summary) itunes_summary = c;
                else if (n.local == "author" && itunes_author.empty()) itunes_author = clean_line(raw(c));
            } else if (n.ns == Ns::Atom) {
                // RSS 2.0 with Atom elements mixed in (.NET's a10: prefix).
                if (n.local == "updated" && !item.updated) item.updated = dates::parse(plain(c));
                else if (n.local == "published" && !item.published) {
                    date_text = plain(c);
                    item.published = dates::parse(date_text);
                } else if (n.local == "link" && item.link.empty()) {
                    std::string_view rel = attr(c, "rel");
                    if (rel.empty() || rel == "alternate") item.link = std::string(trim(attr(c, "href")));
                } else if (n.local == "summary" && !atom_summary) atom_summary = c;
                else if (n.local == "content" && !atom_content) atom_content = c;
                else if (n.local == "author" && creator.empty()) {
                    each_child(c, [&](const XMLElement* a, Name an) {
                        if (an.local == "name" && creator.empty()) creator = clean_line(raw(a));
                    });
                }
            }
        });
        // A guid is a link only when it is one: "urn:uuid:..." or "tag:" ids are not.
        if (item.link.empty() && guid_permalink && (str::istarts_with(guid, "http://") || str::istarts_with(guid, "https://")))
            item.link = guid;
        if (!guid.empty()) item.id = guid;
        if (item.author.empty()) item.author = !creator.empty() ? creator : itunes_author;

        const std::array<const XMLElement*, 6> candidates{description, atom_summary, content, atom_content, media_desc, itunes_summary};
        auto text_of = [&](const XMLElement* c) {
            bool atom = c == atom_summary || c == atom_content;
            return atom ? display(c, atom_kind(c), true) : rss_text(c, true);
        };
        for (const XMLElement* c : candidates) {
            if (!c) continue;
            std::string s = text_of(c);
            if (!s.empty() && s != item.title) {
                item.summary = std::move(s);
                break;
            }
        }
        // WordPress-style excerpts ("… Read more", "[…]") cut the story short; the full content
        // reads better on a card, which cuts it at a word boundary anyway.
        if (looks_like_excerpt(item.summary)) {
            for (const XMLElement* c : {content, atom_content}) {
                if (!c) continue;
                std::string s = text_of(c);
                if (!s.empty() && s != item.title) {
                    item.summary = std::move(s);
                    break;
                }
            }
        }
        image_from_html(img, {description, content, atom_summary, atom_content}, base);
        finish_item(item, date_text, base, img);
    }

    void rss_channel_field(const XMLElement* c, Name n, Ns core) {
        if (n.ns == core || n.ns == Ns::None) {
            if (n.local == "title" && feed_.title.empty()) feed_.title = rss_text(c, false);
            else if (n.local == "link" && feed_.link.empty()) feed_.link = plain(c);
            else if (n.local == "description" && feed_.description.empty()) feed_.description = rss_text(c, true);
            else if (n.local == "language" && feed_.language.empty()) feed_.language = plain(c);
            else if (n.local == "image" && feed_.logo.empty()) {
                each_child(c, [&](const XMLElement* u, Name un) {
                    if (un.local == "url" && feed_.logo.empty()) feed_.logo = plain(u);
                });
            } else if (n.local == "ttl") {
                std::string v = plain(c);
                int minutes = 0;
                auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), minutes);
                if (ec == std::errc() && minutes > 0) feed_.hints.ttl_minutes = std::min(minutes, 7 * 24 * 60);
            } else if (n.local == "skipHours") {
                each_child(c, [&](const XMLElement* h, Name hn) {
                    if (hn.local != "hour") return;
                    std::string v = plain(h);
                    int hour = -1;
                    std::from_chars(v.data(), v.data() + v.size(), hour);
                    if (hour == 24) hour = 0;  // RSS 0.91 counted 1..24
                    if (hour >= 0 && hour <= 23) feed_.hints.skip_hours.push_back(hour);
                });
            } else if (n.local == "skipDays") {
                static constexpr std::array<std::string_view, 7> days{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
                each_child(c, [&](const XMLElement* d, Name dn) {
                    if (dn.local != "day") return;
                    std::string v = plain(d);
                    for (int i = 0; i < 7; ++i)
                        if (iequals(v, days[static_cast<size_t>(i)])) feed_.hints.skip_days.push_back(i);
                });
            }
        } else if (n.ns == Ns::Dc && n.local == "language" && feed_.language.empty()) {
            feed_.language = plain(c);
        } else if (n.ns == Ns::Dc && n.local == "title" && feed_.title.empty()) {
            feed_.title = rss_text(c, false);
        } else if (n.ns == Ns::Itunes && n.local == "image" && feed_.logo.empty()) {
            feed_.logo = std::string(trim(attr(c, "href")));
        } else if (n.ns == Ns::Sy) {
            sy_hint(c, n);
        } else if (n.ns == Ns::Atom && n.local == "link" && feed_.link.empty()) {
            std::string_view rel = attr(c, "rel");
            if (rel.empty() || rel == "alternate") feed_.link = std::string(trim(attr(c, "href")));
        }
    }

    std::string sy_period_;
    int64_t sy_frequency_ = 1;
    void sy_hint(const XMLElement* c, Name n) {
        if (n.local == "updatePeriod") sy_period_ = plain(c);
        else if (n.local == "updateFrequency") {
            std::string v = plain(c);
            int64_t f = 0;
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), f);
            if (ec == std::errc() && f > 0) sy_frequency_ = f;
        }
    }
    void finish_sy() {
        int64_t period = 0;
        if (iequals(sy_period_, "hourly")) period = 3600;
        else if (iequals(sy_period_, "daily")) period = 86400;
        else if (iequals(sy_period_, "weekly")) period = 7 * 86400;
        else if (iequals(sy_period_, "monthly")) period = 30 * 86400;
        else if (iequals(sy_period_, "yearly")) period = 365 * 86400;
        if (period) feed_.hints.update_period_seconds = std::max<int64_t>(60, period / sy_frequency_);
    }

    void parse_rss(const XMLElement* root, Ns core) {
        // RSS 1.0 and 0.90 put items beside the channel, 2.0 inside it; accept both everywhere.
        auto visit = [&](const XMLElement* parent, auto& self) -> void {
            each_child(parent, [&](const XMLElement* c, Name n) {
                bool core_name = n.ns == core || n.ns == Ns::None;
                if (core_name && n.local == "item") {
                    if (take_item(c)) rss_item(c, core);
                } else if (core_name && n.local == "channel") {
                    feed_base_ = base_of(c, feed_base_);
                    self(c, self);
                } else if (parent != root || (core_name && n.local == "image")) {
                    rss_channel_field(c, n, core);
                }
            });
        };
        visit(root, visit);
    }

    // [SECTION] Atom

    std::string atom_link(const XMLElement* parent, const std::string& base, ImagePick* img) {
        std::string best;
        int best_rank = 9;
        each_child(parent, [&](const XMLElement* c, Name n) {
            if (!(n.ns == Ns::Atom || n.ns == Ns::Atom03 || n.ns == Ns::None) || n.local != "link") return;
            std::string_view rel = attr(c, "rel"), href = attr(c, "href"), type = attr(c, "type");
            if (rel == "enclosure" && img && str::istarts_with(type, "image/")) img->offer(0, url::resolve(base_of(c, base), href));
            int rank = rel == "alternate" ? (type.empty() || str::istarts_with(type, "text/html") ? 0 : 1) : rel.empty() ? 2 : 9;
            if (rank < best_rank && !trim(href).empty()) {
                best_rank = rank;
                best = url::resolve(base_of(c, base), href);
            }
        });
        return best;
    }

    std::string atom_person(const XMLElement* e) {
        std::string name, email;
        each_child(e, [&](const XMLElement* c, Name n) {
            if (n.local == "name" && name.empty()) name = clean_line(raw(c));
            else if (n.local == "email" && email.empty()) email = plain(c);
        });
        if (name.empty() && e->FirstChildElement() == nullptr) name = author_name(clean_line(raw(e)));
        return name.empty() ? email : name;
    }

    void atom_entry(const XMLElement* e, Ns core) {
        Item item;
        std::string base = base_of(e, feed_base_);
        const XMLElement *summary = nullptr, *content = nullptr, *media_desc = nullptr;
        std::string date_text;
        ImagePick img;
        item.link = atom_link(e, base, &img);
        each_child(e, [&](const XMLElement* c, Name n) {
            if (has_cut_marker(c)) return;
            if (n.ns == core || n.ns == Ns::None) {
                if (n.local == "id" && item.id.empty()) item.id = plain(c);
                else if (n.local == "title" && item.title.empty()) item.title = display(c, atom_kind(c), false);
                else if (n.local == "summary" && !summary) summary = c;
                else if (n.local == "content" && !content) content = c;
                else if ((n.local == "published" || n.local == "issued" || n.local == "created") && !item.published) {
                    date_text = plain(c);
                    item.published = dates::parse(date_text);
                } else if ((n.local == "updated" || n.local == "modified") && !item.updated) {
                    if (date_text.empty()) date_text = plain(c);
                    item.updated = dates::parse(plain(c));
                } else if (n.local == "author" && item.author.empty()) item.author = atom_person(c);
                else if (n.local == "category") {
                    std::string_view label = attr(c, "label");
                    add_category(item, label.empty() ? attr(c, "term") : label);
                }
            } else if (n.ns == Ns::Media) {
                media(c, n, img, media_desc);
            } else if (n.ns == Ns::Dc) {
                if (n.local == "creator" && item.author.empty()) item.author = author_name(clean_line(raw(c)));
                else if (n.local == "subject") add_category(item, raw(c));
                else if (n.local == "date" && !item.published) {
                    date_text = plain(c);
                    item.published = dates::parse(date_text);
                }
            } else if (n.ns == Ns::Itunes && n.local == "image") {
                img.offer(3, attr(c, "href"));
            }
        });
        if (item.author.empty()) item.author = feed_author_;
        for (const XMLElement* c : {summary, content, media_desc}) {
            if (!c) continue;
            std::string s = display(c, c == media_desc ? TextKind::Text : atom_kind(c), true);
            if (!s.empty() && s != item.title) {
                item.summary = std::move(s);
                break;
            }
        }
        image_from_html(img, {content, summary}, base);
        finish_item(item, date_text, base, img);
    }

    std::string feed_author_;

    void parse_atom(const XMLElement* root, Ns core) {
        feed_.link = atom_link(root, feed_base_, nullptr);
        if (std::string_view lang = attr(root, "xml:lang"); !lang.empty()) feed_.language = std::string(trim(lang));
        each_child(root, [&](const XMLElement* c, Name n) {
            if (!(n.ns == core || n.ns == Ns::None)) {
                if (n.ns == Ns::Itunes && n.local == "image" && feed_.logo.empty()) feed_.logo = std::string(trim(attr(c, "href")));
                return;
            }
            if (n.local == "title" && feed_.title.empty()) feed_.title = display(c, atom_kind(c), false);
            else if ((n.local == "subtitle" || n.local == "tagline") && feed_.description.empty())
                feed_.description = display(c, atom_kind(c), true);
            else if (n.local == "logo") feed_.logo = plain(c);
            else if (n.local == "icon" && feed_.logo.empty()) feed_.logo = plain(c);
            else if (n.local == "author" && feed_author_.empty()) feed_author_ = atom_person(c);
        });
        each_child(root, [&](const XMLElement* c, Name n) {
            if ((n.ns == core || n.ns == Ns::None) && n.local == "entry" && take_item(c)) atom_entry(c, core);
        });
    }
};

Result<Feed> Walker::run(const XMLElement* root) {
    push_decls(root);
    Name rn = resolve(root);
    feed_base_ = base_of(root, opt_.base_url);
    if (rn.local == "rss") {
        std::string_view v = attr(root, "version");
        feed_.format = v.starts_with("0.9") ? FeedFormat::Rss09x : FeedFormat::Rss20;
        parse_rss(root, Ns::None);
    } else if (rn.local == "RDF" && (rn.ns == Ns::Rdf || rn.ns == Ns::Other)) {
        // The default namespace tells RSS 1.0 from Netscape's RSS 0.90.
        Ns core = Ns::Rss10;
        for (const Scope& s : scopes_)
            if (s.prefix.empty() && s.ns == Ns::Rss090) core = Ns::Rss090;
        feed_.format = core == Ns::Rss090 ? FeedFormat::Rss09x : FeedFormat::Rss10;
        parse_rss(root, core);
    } else if (rn.local == "feed" && rn.ns != Ns::Other) {
        bool v03 = rn.ns == Ns::Atom03 || (rn.ns == Ns::None && attr(root, "version") == "0.3");
        feed_.format = v03 ? FeedFormat::Atom03 : FeedFormat::Atom10;
        parse_atom(root, v03 ? Ns::Atom03 : Ns::Atom);
    } else {
        std::string what = iequals(rn.local, "html") ? "an HTML page" : "XML";
        return Error{ErrorCode::NotAFeed, "not a feed: " + what + " with root element <" + std::string(root->Name()) + ">"};
    }
    finish_sy();
    auto& h = feed_.hints;
    for (auto* v : {&h.skip_hours, &h.skip_days}) {
        std::sort(v->begin(), v->end());
        v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    // Relative links need a base; with no URL given, the site link is where the HTML lives.
    if (!feed_.link.empty()) feed_.link = url::resolve(feed_base_, feed_.link);
    if (!feed_.logo.empty()) feed_.logo = url::resolve(feed_base_.empty() ? feed_.link : feed_base_, feed_.logo);
    if (url::has_scheme(feed_.link)) {
        for (Item& it : feed_.items) {
            if (!it.link.empty() && !url::has_scheme(it.link)) it.link = url::resolve(feed_.link, it.link);
            if (!it.image.empty() && !url::has_scheme(it.image)) it.image = url::resolve(feed_.link, it.image);
        }
    }
    if (items_seen_ > opt_.limits.max_items)
        feed_.warnings.push_back("kept the first " + std::to_string(opt_.limits.max_items) + " of " +
                                 std::to_string(items_seen_) + " items (limit)");
    if (cut_items_dropped_) feed_.warnings.push_back("dropped " + std::to_string(cut_items_dropped_) + " item cut off by truncation");
    return std::move(feed_);
}

std::string describe(const tinyxml2::XMLDocument& doc, size_t line_offset) {
    std::string s = doc.ErrorName();
    if (s.starts_with("XML_ERROR_")) s = s.substr(10);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return c == '_' ? ' ' : static_cast<char>(std::tolower(c)); });
    return s + " at line " + std::to_string(static_cast<size_t>(doc.ErrorLineNum()) + line_offset);
}

size_t count_lines(std::string_view s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

size_t find_from(std::string_view s, std::string_view what, size_t from) {
    if (from >= s.size()) return std::string_view::npos;
    const void* p = ::memmem(s.data() + from, s.size() - from, what.data(), what.size());
    return p ? static_cast<size_t>(static_cast<const char*>(p) - s.data()) : std::string_view::npos;
}

// Where the root element starts, past the XML declaration, processing instructions, comments
// and DOCTYPE. tinyxml2 needs none of the prolog and rejects valid ones (a stylesheet PI after
// a comment), so parsing starts at the root. Returns the first unexpected byte otherwise.
size_t root_start(std::string_view x) {
    size_t i = 0;
    while (i < x.size()) {
        unsigned char c = static_cast<unsigned char>(x[i]);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { ++i; continue; }
        if (x.substr(i, 3) == "\xEF\xBB\xBF") { i += 3; continue; }  // a stray BOM after garbage
        if (c != '<') return i;
        std::string_view rest = x.substr(i);
        size_t e;
        if (rest.starts_with("<?")) e = find_from(x, "?>", i + 2), e = e == std::string_view::npos ? e : e + 2;
        else if (rest.starts_with("<!--")) e = find_from(x, "-->", i + 4), e = e == std::string_view::npos ? e : e + 3;
        else if (rest.starts_with("<!DOCTYPE") || rest.starts_with("<!doctype")) {
            int depth = 0;
            e = i + 2;
            while (e < x.size() && !(x[e] == '>' && depth <= 0)) depth += x[e] == '[' ? 1 : x[e] == ']' ? -1 : 0, ++e;
            e = e < x.size() ? e + 1 : std::string_view::npos;
        } else return i;
        if (e == std::string_view::npos) return i;
        i = e;
    }
    return i;
}

bool is_feed_root(std::string_view x) {
    for (std::string_view tag : {"<rss", "<feed", "<rdf:RDF", "<RDF"})
        if (x.starts_with(tag) && x.size() > tag.size() && std::strchr(" \t\r\n>", x[tag.size()])) return true;
    return false;
}

// The feed's own root when something else came first (a PHP notice in HTML before the feed).
size_t later_feed_root(std::string_view x) {
    size_t best = std::string_view::npos;
    for (std::string_view tag : {"<?xml ", "<rss", "<feed", "<rdf:RDF", "<RDF"}) {
        size_t p = find_from(x, tag, 1);
        while (p != std::string_view::npos && tag[1] != '?' && p + tag.size() < x.size() &&
               !std::strchr(" \t\r\n>", x[p + tag.size()]))
            p = find_from(x, tag, p + 1);
        if (p < best) best = p;
    }
    return best;
}

Result<Feed> parse_document(std::string_view xml, size_t line_offset, const ParseOptions& options, Feed feed) {
    size_t r0 = root_start(xml);
    line_offset += count_lines(xml.substr(0, r0));
    xml = xml.substr(r0);
    tinyxml2::XMLDocument doc(false, tinyxml2::PRESERVE_WHITESPACE);  // references: decode_references below
    std::string repaired;
    if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS || !doc.RootElement()) {
        std::string why = doc.Error() ? describe(doc, line_offset) : "no root element";
        size_t before = feed.warnings.size();
        repaired = xml::repair(xml, options.limits.max_depth, feed.warnings);
        if (repaired.empty()) return Error{ErrorCode::InvalidInput, "not XML: no element found (" + why + ")"};
        feed.warnings.insert(feed.warnings.begin() + static_cast<std::ptrdiff_t>(before), "malformed XML (" + why + "); repaired");
        doc.Clear();
        if (doc.Parse(repaired.data(), repaired.size()) != tinyxml2::XML_SUCCESS || !doc.RootElement())
            return Error{ErrorCode::InvalidInput, "unreadable XML even after repair: " + describe(doc, 0)};
    } else {
        // tinyxml2 accepts elements and text after the root; a feed reader should say so.
        size_t junk = 0;
        for (const XMLNode* n = doc.RootElement()->NextSibling(); n; n = n->NextSibling()) {
            if (n->ToElement() || (n->ToText() && !trim(n->Value()).empty())) ++junk;
        }
        if (junk) feed.warnings.push_back("ignored " + std::to_string(junk) + " nodes after the root element");
    }
    xml::decode_references(&doc);
    Walker w(options, feed);
    return w.run(doc.RootElement());
}

}  // namespace

Result<Feed> parse_feed(std::string_view bytes, const ParseOptions& options) {
    if (bytes.size() > options.limits.max_input_bytes)
        return Error{ErrorCode::TooLarge, "feed is " + std::to_string(bytes.size()) + " bytes, over the limit of " +
                                              std::to_string(options.limits.max_input_bytes)};
    if (trim(bytes).empty()) return Error{ErrorCode::InvalidInput, "empty document"};

    Feed feed;
    encoding::Decoded dec = encoding::to_utf8(bytes, encoding::charset_from_content_type(options.content_type), options.charset_override);
    feed.warnings = std::move(dec.warnings);

    std::string normalized_storage;
    std::string_view xml = xml::normalize_references(dec.utf8, normalized_storage, feed.warnings);

    // Garbage before the declaration (PHP notices, blank lines from an include): start at it.
    size_t lead = 0;
    while (lead < xml.size() && std::strchr(" \t\r\n", xml[lead])) ++lead;
    size_t decl = find_from(xml, "<?xml ", 0);
    size_t line_offset = 0;
    if (decl != std::string_view::npos && decl > lead && decl < 65536 && !is_feed_root(xml.substr(lead + root_start(xml.substr(lead))))) {
        feed.warnings.push_back("skipped " + std::to_string(decl - lead) + " bytes before <?xml");
        line_offset = count_lines(xml.substr(0, decl));
        xml = xml.substr(decl);
    }
    Feed saved = feed;
    Result<Feed> r = parse_document(xml, line_offset, options, std::move(feed));
    if (!r && r.error().code == ErrorCode::NotAFeed) {
        // Markup before the feed's root (an HTML error page glued on top): try from the feed's root.
        size_t later = later_feed_root(xml);
        if (later != std::string_view::npos) {
            saved.warnings.push_back("skipped " + std::to_string(later) + " bytes of other markup before the feed");
            Result<Feed> again = parse_document(xml.substr(later), line_offset + count_lines(xml.substr(0, later)), options, std::move(saved));
            if (again) r = std::move(again);
        }
    }
    // Warnings quote bytes from the document (a charset label, an entity name).
    if (r)
        for (std::string& warning : r.value().warnings) warning = text::sanitize_utf8(warning);
    return r;
}

}  // namespace nk
