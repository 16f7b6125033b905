// SPDX-License-Identifier: Apache-2.0
#include "feed/parser.h"
#include "feed/strings.h"

#include "feed/collect.h"
#include "feed/dates.h"
#include "feed/encoding.h"
#include "feed/jsonfeed.h"
#include "feed/text.h"
#include "feed/url.h"
#include "feed/xml_prepare.h"

#include <tinyxml2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <deque>
#include <optional>

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
    std::string tail = str::lower(s.substr(s.size() > 40 ? s.size() - 40 : 0));
    for (std::string_view mark : {"\u2026", "...", "read more", "continue reading", "[&#8230;]", "more \u00bb"})
        if (tail.find(mark) != std::string::npos) return true;
    return false;
}

// WordPress ends the excerpts it makes with " [&hellip;]", which its feeds write as "[&#8230;]"
// (or as the character itself), in the description's markup.
bool marks_excerpt(std::string_view html) {
    for (size_t i = html.find('['); i != std::string_view::npos; i = html.find('[', i + 1)) {
        const std::string_view rest = html.substr(i + 1);
        if (rest.starts_with("&#8230;]") || rest.starts_with("&hellip;]") || rest.starts_with("\u2026]")) return true;
    }
    return false;
}

// Yoast SEO's RSS footer, "The post <title> appeared first on <site>." (in the site's language),
// which a great many WordPress feeds append to both the excerpt and the content: boilerplate, not
// the story. Dropped when it is the text's last paragraph, so an excerpt ends in its "[…]" again
// and is recognised as one.
void drop_feed_footer(std::string& s) {
    static constexpr std::pair<std::string_view, std::string_view> kFooters[] = {
        {"The post ", " appeared first on "},         {"Der Beitrag ", " erschien zuerst auf "},
        {"L\u2019article ", " est apparu en premier sur "}, {"L'article ", " est apparu en premier sur "},
        {"La entrada ", " se public\u00f3 primero en "}, {"Het bericht ", " verscheen eerst op "},
    };
    // Cheap before anything is searched: every summary passes here, some are megabytes. The footer
    // ends in its full stop and is one short paragraph, so only the text's last KB can hold it.
    constexpr size_t kLongestFooter = 1024;
    if (s.empty() || s.back() != '.') return;
    const size_t tail = std::min(s.size(), kLongestFooter);
    const void* found = ::memrchr(s.data() + s.size() - tail, '\n', tail);
    if (!found && s.size() > kLongestFooter) return;
    const size_t nl = found ? static_cast<size_t>(static_cast<const char*>(found) - s.data()) : std::string::npos;
    const size_t from = nl == std::string::npos ? 0 : nl + 1;
    const std::string_view last = std::string_view(s).substr(from);
    for (const auto& [head, middle] : kFooters) {
        if (!last.starts_with(head) || last.find(middle) == std::string_view::npos) continue;
        // The HTML pass never leaves a space beside a '\n', so nothing else needs trimming.
        s.resize(nl == std::string::npos ? 0 : nl);
        return;
    }
}

size_t find_from(std::string_view s, std::string_view what, size_t from) {
    if (from >= s.size()) return std::string_view::npos;
    const void* p = ::memmem(s.data() + from, s.size() - from, what.data(), what.size());
    return p ? static_cast<size_t>(static_cast<const char*>(p) - s.data()) : std::string_view::npos;
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
    // `mojibake`: whether the document may hold any (parse_feed checks once, cheaply), so that
    // fields need not be looked at one by one when it cannot.
    // `source`: the bytes tinyxml2 was given, which hold the root element from their first byte
    // (see only_text).
    // `places`: where mojibake could start in `decoded` (encoding::Decoded::mojibake_at), or null
    // when that was not listed.
    Walker(const ParseOptions& opt, Feed& feed, bool mojibake, std::string_view source, std::string_view decoded,
           const std::vector<size_t>* places)
        : opt_(opt), feed_(feed), items_(opt.limits.max_items), check_mojibake_(mojibake), source_(source),
          decoded_(decoded), mojibake_at_(places) {}

    Result<Feed> run(const XMLElement* root);

private:
    struct Scope {
        std::string_view prefix;
        Ns ns;
    };

    const ParseOptions& opt_;
    Feed& feed_;
    std::vector<Scope> scopes_;
    mutable std::deque<std::string> decoded_attrs_;  // see attr()
    std::string feed_base_;
    feed_detail::ItemCollector items_;
    size_t cut_items_dropped_ = 0;
    mutable size_t mojibake_fields_ = 0;
    bool check_mojibake_ = true;
    std::string_view source_;
    std::string_view decoded_;
    const std::vector<size_t>* mojibake_at_;
    // Where tinyxml2's copy of source_ starts, or 0 when its layout is not the one only_text
    // relies on (then every text is read through Value()).
    uintptr_t copy_start_ = 0;

    void locate_copy(const XMLElement* root) {
        const char* name = root->Name();
        const size_t n = std::strlen(name);
        if (source_.size() > n && source_[0] == '<' && source_.compare(1, n, name) == 0)
            copy_start_ = reinterpret_cast<uintptr_t>(name) - 1;
    }

    // The text of t, the only child node of e, read from source_ instead of through t->Value().
    // tinyxml2 9 normalises newlines in Value() with a loop that copies a byte at a time even
    // when there is no '\r' to change, and that loop was a quarter of our instructions on the
    // description-heavy feeds (callgrind, heavy rss2-news). tinyxml2 parses a copy of source_
    // at the same offsets, so e's name says where its start tag is in source_, and the text is
    // what tinyxml2 made of the bytes after it: up to the next '<', or the CDATA section
    // after whitespace. Whatever does not look exactly like that (a '\r' to normalise, a name
    // that is not where it should be) is read through Value(), so the result is the same.
    std::string_view only_text(const XMLElement* e, const tinyxml2::XMLText* t) const {
        // The same element is often asked for again at once (display, then raw_view, then raw).
        if (e == last_text_of_) return last_text_;
        const std::string_view v = source_text(e, t->CData());
        last_text_of_ = e;
        last_text_ = v.data() ? v : std::string_view(t->Value());
        return last_text_;
    }
    mutable const XMLElement* last_text_of_ = nullptr;
    mutable std::string_view last_text_;

    // Where `name` (a name in tinyxml2's copy) is in source_, just past it; 0 when it is not there.
    size_t past_name(const char* name) const {
        const uintptr_t at = reinterpret_cast<uintptr_t>(name);
        if (!copy_start_ || at <= copy_start_ || at - copy_start_ >= source_.size()) return 0;
        const size_t i = at - copy_start_, n = std::strlen(name);
        return source_.compare(i, n, name) == 0 ? i + n : 0;
    }

    static bool xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

    std::string_view source_text(const XMLElement* e, bool cdata) const {
        const char* name = e->Name();
        size_t i = past_name(name);
        if (i == 0 || source_[i - std::strlen(name) - 1] != '<') return {};
        const std::string_view s = source_;
        // The end of the start tag: attribute values may hold '>', never their own quote.
        for (; i < s.size() && s[i] != '>'; ++i) {
            if (s[i] == '"' || s[i] == '\'') {
                i = s.find(s[i], i + 1);
                if (i == std::string_view::npos) return {};
            }
        }
        if (i >= s.size()) return {};
        size_t begin = i + 1, end;
        if (!cdata) {
            end = s.find('<', begin);
        } else {
            while (begin < s.size() && xml_space(s[begin])) ++begin;
            constexpr std::string_view open = "<![CDATA[";
            if (s.compare(begin, open.size(), open) != 0) return {};
            begin += open.size();
            // memchr over HTML with hardly a ']' in it, not memmem: glibc's memmem made this search
            // cost as much as the rest of the walk on WordPress content (callgrind).
            for (end = begin; (end = s.find(']', end)) != std::string_view::npos; ++end)
                if (s.compare(end, 3, "]]>") == 0) break;
        }
        if (end == std::string_view::npos) return {};
        const std::string_view v = s.substr(begin, end - begin);
        if (std::memchr(v.data(), '\r', v.size())) return {};
        return v;
    }

    // An attribute's value as written (references not decoded), from source_ for the same reason
    // as only_text: name, '=', a quote, and the value up to the same quote, else Value().
    std::string_view value_of(const tinyxml2::XMLAttribute* a) const {
        if (size_t i = past_name(a->Name()); i != 0) {
            const std::string_view s = source_;
            while (i < s.size() && xml_space(s[i])) ++i;
            if (i < s.size() && s[i] == '=') ++i;
            else i = s.size();
            while (i < s.size() && xml_space(s[i])) ++i;
            if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
                if (const size_t end = s.find(s[i], i + 1); end != std::string_view::npos) {
                    const std::string_view v = s.substr(i + 1, end - i - 1);
                    if (!std::memchr(v.data(), '\r', v.size())) return v;
                }
            }
        }
        return a->Value();
    }

    std::string_view raw_attr(const XMLElement* e, const char* name) const {
        const tinyxml2::XMLAttribute* a = e->FindAttribute(name);
        return a ? value_of(a) : std::string_view{};
    }

    void push_decls(const XMLElement* e) {
        for (const tinyxml2::XMLAttribute* a = e->FirstAttribute(); a; a = a->Next()) {
            std::string_view n = a->Name();
            if (!n.starts_with("xmlns")) continue;
            if (n.size() == 5) scopes_.push_back({"", ns_from_uri(a->Value())});
            else if (n[5] == ':') scopes_.push_back({n.substr(6), ns_from_uri(a->Value())});
        }
    }

    // The document is parsed with tinyxml2's entity processing off and nothing decodes the tree
    // (xml_prepare.h says why), so text is decoded as it is read: attribute values here, text in
    // raw(). Most values have no reference and are returned in place; the others are decoded
    // into decoded_attrs_, which lives as long as the walk.
    std::string_view attr(const XMLElement* e, const char* name) const {
        std::string_view v = raw_attr(e, name);
        if (v.find('&') == std::string_view::npos) return v;
        return decoded_attrs_.emplace_back(text::decode_entities(v));
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
    // with them (unescaped HTML, Atom xhtml) the subtree is written back out as markup. Text and
    // attribute values there are still escaped as in the document (tinyxml2 does not decode
    // them), which is what markup needs; CDATA is written as it is, as before.
    void append_markup(std::string& out, const XMLNode* n, int depth, size_t cap) const {
        for (const XMLNode* c = n->FirstChild(); c && out.size() < cap; c = c->NextSibling()) {
            if (const tinyxml2::XMLText* t = c->ToText()) {
                out.append(t->Value());
            } else if (const XMLElement* e = c->ToElement()) {
                std::string_view name = e->Name();
                if (name == xml::kCutMarker || depth >= opt_.limits.max_depth) continue;
                if (auto colon = name.find(':'); colon != std::string_view::npos) name = name.substr(colon + 1);
                out.append("<").append(name);
                for (const tinyxml2::XMLAttribute* a = e->FirstAttribute(); a; a = a->Next()) {
                    std::string_view an = a->Name();
                    if (an.starts_with("xmlns")) continue;
                    out.append(" ").append(an).append("=\"");
                    // '...' in the document may hold a raw '"'; the rest is escaped already.
                    for (char ch : std::string_view(a->Value())) {
                        if (ch == '"') out += "&quot;";
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

    // Everything the walker hands to text:: is valid UTF-8 (so input_is_utf8 is set there): the
    // document was validated when it was decoded, tinyxml2 only normalises newlines, references
    // decode to valid UTF-8, and cuts fall on code points (the fuzz targets check the output).
    std::string raw(const XMLElement* e) const {
        std::string out;
        const size_t cap = opt_.limits.max_field_bytes;
        if (e->FirstChildElement() == nullptr) {
            const XMLNode* first = e->FirstChild();
            const bool only = first && !first->NextSibling();
            for (const XMLNode* c = first; c; c = c->NextSibling()) {
                const tinyxml2::XMLText* t = c->ToText();
                if (!t) continue;
                const std::string_view v = only ? only_text(e, t) : std::string_view(t->Value());
                if (t->CData()) out.append(v);
                else text::append_decoded(out, v);
            }
        } else {
            append_markup(out, e, 0, cap);
        }
        if (out.size() > cap) out.resize(text::utf8_prefix(out, cap).size());
        repair(out);
        return out;
    }

    // raw() without the copy where none is needed: a view into the document when e holds one
    // run of text with no reference to decode and nothing to repair (most fields, and most plain
    // descriptions), else a view of `storage`, which raw() fills.
    std::string_view raw_view(const XMLElement* e, std::string& storage) const {
        const XMLNode* c = e->FirstChild();
        if (!c) return {};
        if (const tinyxml2::XMLText* t = c->ToText(); t && !c->NextSibling()) {
            const std::string_view v = text::utf8_prefix(only_text(e, t), opt_.limits.max_field_bytes);
            if ((t->CData() || v.find('&') == std::string_view::npos) && (!check_mojibake_ || !may_hold_mojibake(v)))
                return v;
        }
        storage = raw(e);
        return storage;
    }

    // text::may_hold_mojibake(v), from the places the UTF-8 check listed when v is part of the
    // decoded document (most fields): reading every field's bytes for it was 6% of the parser's
    // instructions on the heavy corpus's big feed (callgrind), whose thousand such places make
    // every field suspect. Same answer: a place counts when all three of its bytes are in v.
    bool may_hold_mojibake(std::string_view v) const {
        const auto at = reinterpret_cast<uintptr_t>(v.data()), begin = reinterpret_cast<uintptr_t>(decoded_.data());
        if (!mojibake_at_ || v.empty() || v.size() > decoded_.size() || at < begin || at - begin > decoded_.size() - v.size())
            return text::may_hold_mojibake(v);
        const size_t from = at - begin, to = from + v.size();
        const auto it = std::lower_bound(mojibake_at_->begin(), mojibake_at_->end(), from);
        return it != mojibake_at_->end() && *it + 3 <= to;
    }

    // The raw text of the elements an item reads twice (a description for the summary, then for
    // its first <img>), so the copy and the mojibake check happen once. Entries never go stale:
    // the document outlives the walk. The returned view is good until the eighth call after.
    struct Memo {
        const XMLElement* e = nullptr;
        std::string storage;
        std::string_view text;
    };
    mutable std::array<Memo, 8> memo_;
    mutable size_t memo_next_ = 0;
    std::string_view raw_memo(const XMLElement* e) const {
        for (const Memo& m : memo_)
            if (m.e == e) return m.text;
        Memo& slot = memo_[memo_next_++ % memo_.size()];
        slot.e = e;
        slot.text = raw_view(e, slot.storage);
        return slot.text;
    }

    // Display text on one line (authors, categories, names).
    std::string line(const XMLElement* e) const {
        std::string storage;
        return clean_line(raw_view(e, storage));
    }

    // Every field's text passes here (through raw() or the xhtml path) before its clean-up.
    void repair(std::string& s) const {
        if (check_mojibake_ && text::repair_mojibake(s)) ++mojibake_fields_;
    }

    // Plain text with no markup expected (guid, link, dates, ttl).
    std::string plain(const XMLElement* e) const {
        std::string storage;
        return std::string(trim(raw_view(e, storage)));
    }

    TextKind atom_kind(const XMLElement* e) const {
        std::string_view type = attr(e, "type");
        std::string_view mode = attr(e, "mode");  // Atom 0.3
        if (mode == "escaped") return TextKind::Html;
        if (type.empty() || type == "text" || type == "text/plain") return mode == "xml" ? TextKind::Xhtml : TextKind::Text;
        if (type == "xhtml" || type == "application/xhtml+xml") return TextKind::Xhtml;
        return TextKind::Html;  // "html", "text/html"
    }

    std::string display(const XMLElement* e, TextKind kind, bool line_breaks) const {
        text::HtmlTextOptions o;
        o.input_is_utf8 = true;  // see raw()
        o.keep_line_breaks = line_breaks;
        o.max_bytes = line_breaks ? opt_.limits.max_summary_bytes : opt_.limits.max_title_bytes;
        if (attr(e, "mode") == "base64") return base64_text(e, o);
        if (kind == TextKind::Text && e->FirstChildElement() == nullptr) {
            // Atom text is literal, but "&amp;amp;" from double-escaping publishers is not meant to be read.
            return text::clean_plain(text::decode_entities(raw_memo(e)), o);
        }
        if (kind == TextKind::Xhtml) {
            // Markup, not escaped HTML: a "&lt;p&gt;" in it is the visible text "<p>" (RFC 4287
            // §3.1.1.3), so the double-escaping repair must not take it for a tag.
            o.unescape_twice = false;
            // The content is one xhtml:div wrapping the markup.
            const XMLElement* div = e->FirstChildElement();
            if (div && !div->NextSiblingElement()) {
                std::string html;
                append_markup(html, div, 0, opt_.limits.max_field_bytes);
                repair(html);
                return text::html_to_text(html, o);
            }
        }
        if (std::optional<std::string> t = text_without_copy(e, o)) return std::move(*t);
        return text::html_to_text(raw_memo(e), o);
    }

    // display()'s HTML path without decoding the text into a copy first, for an element whose
    // only text has references that all stand for characters (text::html_to_text_of_escaped):
    // on old Netscape feeds and in titles that copy was most of the field's cost. Only where
    // raw() would change nothing else: no mojibake to look for, no cut at max_field_bytes (a
    // reference's text is at most 1.2 times as long decoded, "&nGt;"), and no copy made already.
    // Such text holds no tag, so image_from_html skips it (plain_).
    std::optional<std::string> text_without_copy(const XMLElement* e, const text::HtmlTextOptions& o) const {
        if (check_mojibake_) return std::nullopt;
        for (const Memo& m : memo_)
            if (m.e == e) return std::nullopt;
        const XMLNode* c = e->FirstChild();
        const tinyxml2::XMLText* t = c ? c->ToText() : nullptr;
        if (!t || t->CData() || c->NextSibling()) return std::nullopt;
        const std::string_view v = only_text(e, t);
        if (v.size() > opt_.limits.max_field_bytes / 6 * 5 || v.find('&') == std::string_view::npos) return std::nullopt;
        std::optional<std::string> out = text::html_to_text_of_escaped(v, o);
        if (out) plain_[plain_next_++ % plain_.size()] = e;
        return out;
    }
    mutable std::array<const XMLElement*, 8> plain_{};
    mutable size_t plain_next_ = 0;

    // Atom 0.3 mode="base64": the bytes of the content's type (text, HTML), as UTF-8 like the rest
    // of the document. Other types (an image) have no text to show.
    std::string base64_text(const XMLElement* e, const text::HtmlTextOptions& o) const {
        std::optional<std::string> bytes = text::decode_base64(raw(e));
        if (!bytes) return {};
        std::string s = text::sanitize_utf8(*bytes);
        repair(s);
        std::string_view type = attr(e, "type");
        if (type.empty() || type == "text/plain" || type == "text") return text::clean_plain(s, o);
        if (type == "text/html" || type == "html" || type == "application/xhtml+xml" || type == "xhtml")
            return text::html_to_text(s, o);
        return {};
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

    std::string clean_line(std::string_view s) const {
        text::HtmlTextOptions o;
        o.input_is_utf8 = true;  // see raw()
        o.keep_line_breaks = false;
        o.max_bytes = opt_.limits.max_title_bytes;
        return text::html_to_text(s, o);
    }

    void add_category(Item& item, const XMLElement* e) {
        std::string storage;
        add_category(item, raw_view(e, storage));
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
            if (!c || std::find(plain_.begin(), plain_.end(), c) != plain_.end()) continue;
            std::string src = text::first_img_src(raw_memo(c));
            if (!src.empty()) {
                img.offer(50, url::resolve(base_of(c, base), src));
                return;
            }
        }
    }

    // Every entry is reported, whatever it lacks: an item with only an enclosure or an author is
    // still in the feed, and the store decides what it can show.
    void finish_item(Item& item, std::string_view date_text, const std::string& base, ImagePick& img) {
        if (!img.url.empty()) item.image = url::resolve(base, img.url);
        if (!item.link.empty()) item.link = url::resolve(base, item.link);
        items_.add(std::move(item), date_text);
    }

    // After the cheap part of an item (dates, ids, links): false when the item cap will drop it
    // anyway, so its text is never cleaned up. Counted as seen.
    bool still_wanted(const Item& item) {
        if (items_.wants(item.published ? item.published : item.updated)) return true;
        items_.skip();
        return false;
    }

    // The publication date by rank: an item may carry several (published, issued, created,
    // dc:date), and the lower rank wins whatever the order; one that does not parse is passed over.
    struct DatePick {
        int rank = 100;
        std::string text;  // as written: part of the hash id of an item without id or link
        void offer(Item& item, int r, std::string written) {
            if (r >= rank) return;
            std::optional<int64_t> d = dates::parse(written);
            if (!d) {
                if (text.empty()) text = std::move(written);
                return;
            }
            rank = r;
            item.published = d;
            text = std::move(written);
        }
    };

    void rss_item(const XMLElement* e, Ns core) {
        Item item;
        std::string base = base_of(e, feed_base_);
        const XMLElement *description = nullptr, *content = nullptr, *media_desc = nullptr, *itunes_summary = nullptr,
                         *atom_summary = nullptr, *atom_content = nullptr;
        std::string guid, creator, itunes_author;
        DatePick date;
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
                else if (n.local == "pubDate") date.offer(item, 0, plain(c));
                else if (n.local == "author" && item.author.empty()) item.author = feed_detail::author_name(line(c));
                else if (n.local == "category") add_category(item, c);
                else if (n.local == "enclosure") {
                    std::string_view u = attr(c, "url"), type = attr(c, "type");
                    if (str::istarts_with(type, "image/") || (type.empty() && looks_like_image_url(u))) img.offer(0, u);
                }
            } else if (n.ns == Ns::Dc || n.ns == Ns::DcTerms) {
                // dcterms:issued is the publication; dcterms:created may be long before it.
                if (n.local == "date" || n.local == "issued") date.offer(item, 1, plain(c));
                else if (n.local == "created") date.offer(item, 3, plain(c));
                else if (n.local == "modified" && !item.updated) item.updated = dates::parse(plain(c));
                else if ((n.local == "creator" || n.local == "contributor") && creator.empty()) creator = feed_detail::author_name(line(c));
                else if (n.local == "subject") add_category(item, c);
                else if (n.local == "title" && item.title.empty()) item.title = rss_text(c, false);
                else if (n.local == "description" && !description) description = c;
            } else if (n.ns == Ns::Content && n.local == "encoded" && !content) {
                content = c;
            } else if (n.ns == Ns::Media) {
                media(c, n, img, media_desc);
            } else if (n.ns == Ns::Itunes) {
                if (n.local == "image") img.offer(3, attr(c, "href"));
                else if (n.local == "summary" && !itunes_summary) itunes_summary = c;
                else if (n.local == "author" && itunes_author.empty()) itunes_author = line(c);
            } else if (n.ns == Ns::Atom) {
                // RSS 2.0 with Atom elements mixed in (.NET's a10: prefix).
                if (n.local == "updated" && !item.updated) item.updated = dates::parse(plain(c));
                else if (n.local == "published") date.offer(item, 2, plain(c));
                else if (n.local == "link" && item.link.empty()) {
                    std::string_view rel = attr(c, "rel");
                    if (rel.empty() || rel == "alternate") item.link = std::string(trim(attr(c, "href")));
                } else if (n.local == "summary" && !atom_summary) atom_summary = c;
                else if (n.local == "content" && !atom_content) atom_content = c;
                else if (n.local == "author" && creator.empty()) creator = atom_person(c);
            }
        });
        // A guid is a link only when it is one: "urn:uuid:..." or "tag:" ids are not.
        if (item.link.empty() && guid_permalink && (str::istarts_with(guid, "http://") || str::istarts_with(guid, "https://")))
            item.link = guid;
        if (!guid.empty()) item.id = guid;
        if (item.author.empty()) item.author = !creator.empty() ? creator : itunes_author;
        if (!still_wanted(item)) return;

        auto text_of = [&](const XMLElement* c) {
            bool atom = c == atom_summary || c == atom_content;
            std::string s = atom ? display(c, atom_kind(c), true) : rss_text(c, true);
            drop_feed_footer(s);
            return s;
        };
        // The summary is the text of the first of these that has any (other than the title).
        auto take_first = [&](std::initializer_list<const XMLElement*> elements) {
            for (const XMLElement* c : elements) {
                if (!c) continue;
                std::string s = text_of(c);
                if (!s.empty() && s != item.title) {
                    item.summary = std::move(s);
                    return true;
                }
            }
            return false;
        };
        // WordPress-style excerpts ("… Read more", "[…]") cut the story short; the full content
        // reads better on a card, which cuts it at a word boundary anyway.
        // Decision: a description whose markup carries WordPress's own excerpt mark is taken for an
        // excerpt without being turned into text first (the check below would read the same mark
        // at its end, after the Yoast footer is dropped). On a WordPress feed that conversion was
        // 5% of the parser's instructions, all of it thrown away. A hand-written excerpt has no
        // such mark and is still read and kept.
        const bool marked = description && (content || atom_content) && marks_excerpt(raw_memo(description));
        if (!marked || !take_first({content, atom_content})) {
            take_first({description, atom_summary, content, atom_content, media_desc, itunes_summary});
            if (looks_like_excerpt(item.summary)) take_first({content, atom_content});
        }
        image_from_html(img, {description, content, atom_summary, atom_content}, base);
        finish_item(item, date.text, base, img);
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
            if (n.local == "name" && name.empty()) name = line(c);
            else if (n.local == "email" && email.empty()) email = plain(c);
        });
        if (name.empty() && e->FirstChildElement() == nullptr) name = line(e);
        return feed_detail::author_name(name.empty() ? email : name);
    }

    void atom_entry(const XMLElement* e, Ns core) {
        Item item;
        std::string base = base_of(e, feed_base_);
        const XMLElement *summary = nullptr, *content = nullptr, *media_desc = nullptr;
        DatePick date;
        std::string updated_text, source_author;
        ImagePick img;
        item.link = atom_link(e, base, &img);
        each_child(e, [&](const XMLElement* c, Name n) {
            if (has_cut_marker(c)) return;
            if (n.ns == core || n.ns == Ns::None) {
                if (n.local == "id" && item.id.empty()) item.id = plain(c);
                else if (n.local == "title" && item.title.empty()) item.title = display(c, atom_kind(c), false);
                else if (n.local == "summary" && !summary) summary = c;
                else if (n.local == "content" && !content) content = c;
                // Atom 0.3's issued is the publication and created may be long before it.
                else if (n.local == "published" || n.local == "issued") date.offer(item, 0, plain(c));
                else if (n.local == "created") date.offer(item, 2, plain(c));
                else if ((n.local == "updated" || n.local == "modified") && !item.updated) {
                    updated_text = plain(c);
                    item.updated = dates::parse(updated_text);
                } else if (n.local == "author" && item.author.empty()) item.author = atom_person(c);
                else if (n.local == "source" && source_author.empty()) {
                    // An aggregated entry's own feed (RFC 4287 §4.2.11) names its author before ours does.
                    each_child(c, [&](const XMLElement* s, Name sn) {
                        if ((sn.ns == core || sn.ns == Ns::None) && sn.local == "author" && source_author.empty())
                            source_author = atom_person(s);
                    });
                }
                else if (n.local == "category") {
                    std::string_view label = attr(c, "label");
                    add_category(item, label.empty() ? attr(c, "term") : label);
                }
            } else if (n.ns == Ns::Media) {
                media(c, n, img, media_desc);
            } else if (n.ns == Ns::Dc) {
                if (n.local == "creator" && item.author.empty()) item.author = feed_detail::author_name(line(c));
                else if (n.local == "subject") add_category(item, c);
                else if (n.local == "date") date.offer(item, 1, plain(c));
            } else if (n.ns == Ns::Itunes && n.local == "image") {
                img.offer(3, attr(c, "href"));
            }
        });
        if (item.author.empty()) item.author = !source_author.empty() ? source_author : feed_author_;
        if (!still_wanted(item)) return;
        for (const XMLElement* c : {summary, content, media_desc}) {
            if (!c) continue;
            std::string s = display(c, c == media_desc ? TextKind::Text : atom_kind(c), true);
            if (!s.empty() && s != item.title) {
                item.summary = std::move(s);
                break;
            }
        }
        image_from_html(img, {content, summary}, base);
        finish_item(item, date.text.empty() ? updated_text : date.text, base, img);
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

// The namespace URI that `prefix` stands for on `root` ("" when undeclared), for messages.
std::string_view declared_uri(const XMLElement* root, std::string_view prefix) {
    for (const tinyxml2::XMLAttribute* a = root->FirstAttribute(); a; a = a->Next()) {
        std::string_view n = a->Name();
        if (prefix.empty() ? n == "xmlns" : (n.starts_with("xmlns:") && n.substr(6) == prefix)) return a->Value();
    }
    return {};
}

Result<Feed> Walker::run(const XMLElement* root) {
    locate_copy(root);
    push_decls(root);
    Name rn = resolve(root);
    feed_base_ = base_of(root, opt_.base_url);
    std::string_view root_name = root->Name();
    std::string_view root_prefix = root_name.substr(0, root_name.find(':') == std::string_view::npos ? 0 : root_name.find(':'));
    // A root in a namespace we do not know (a pre-1.0 Atom draft, RSS with a stray default
    // namespace) is read as the format its shape says: its namespace is taken as that format's own.
    auto adopt_root_namespace = [&](Ns as, std::string_view format) {
        feed_.warnings.push_back("root <" + std::string(root_name) + "> in unknown namespace \"" +
                                 std::string(declared_uri(root, root_prefix)) + "\"; read as " + std::string(format));
        scopes_.push_back({root_prefix, as});
    };
    auto has_child = [&](std::initializer_list<std::string_view> names) {
        for (const XMLElement* c = root->FirstChildElement(); c; c = c->NextSiblingElement()) {
            std::string_view n = c->Name();
            if (auto colon = n.find(':'); colon != std::string_view::npos) n = n.substr(colon + 1);
            for (std::string_view want : names)
                if (n == want) return true;
        }
        return false;
    };
    if (rn.local == "rss") {
        std::string_view v = raw_attr(root, "version");
        feed_.format = v.starts_with("0.9") ? FeedFormat::Rss09x : FeedFormat::Rss20;
        if (rn.ns != Ns::None) adopt_root_namespace(Ns::None, "RSS");
        parse_rss(root, Ns::None);
    } else if (rn.local == "RDF" && (rn.ns == Ns::Rdf || rn.ns == Ns::Other)) {
        // The default namespace tells RSS 1.0 from Netscape's RSS 0.90.
        Ns core = Ns::Rss10;
        Ns default_ns = Ns::None;
        for (const Scope& sc : scopes_)
            if (sc.prefix.empty()) default_ns = sc.ns;
        if (default_ns == Ns::Rss090) core = Ns::Rss090;
        feed_.format = core == Ns::Rss090 ? FeedFormat::Rss09x : FeedFormat::Rss10;
        if (default_ns == Ns::Other) {
            feed_.warnings.push_back("RSS 1.0 items in unknown namespace \"" + std::string(declared_uri(root, "")) +
                                     "\"; read as RSS 1.0");
            scopes_.push_back({"", core});
        }
        parse_rss(root, core);
    } else if (rn.local == "feed" && (rn.ns != Ns::Other || has_child({"entry", "title"}))) {
        bool v03 = rn.ns == Ns::Atom03 || ((rn.ns == Ns::None || rn.ns == Ns::Other) && raw_attr(root, "version") == "0.3");
        feed_.format = v03 ? FeedFormat::Atom03 : FeedFormat::Atom10;
        if (rn.ns == Ns::Other) adopt_root_namespace(v03 ? Ns::Atom03 : Ns::Atom, v03 ? "Atom 0.3" : "Atom");
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
    feed_.items = items_.finish(feed_.warnings);
    if (url::has_scheme(feed_.link)) {
        for (Item& it : feed_.items) {
            if (!it.link.empty() && !url::has_scheme(it.link)) it.link = url::resolve(feed_.link, it.link);
            if (!it.image.empty() && !url::has_scheme(it.image)) it.image = url::resolve(feed_.link, it.image);
        }
    }
    if (mojibake_fields_)
        feed_.warnings.push_back("repaired mojibake (UTF-8 read as windows-1252) in " + std::to_string(mojibake_fields_) +
                                 " field(s)");
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

// `decoded` and `places`: the whole decoded document and where mojibake could start in it (Walker).
Result<Feed> parse_document(std::string_view xml, size_t line_offset, const ParseOptions& options, Feed feed,
                            bool mojibake, std::string_view decoded, const std::vector<size_t>* places) {
    size_t r0 = root_start(xml);
    line_offset += count_lines(xml.substr(0, r0));
    xml = xml.substr(r0);
    // References are decoded by the walker as it reads (Walker::attr, Walker::raw), never by
    // tinyxml2 (see xml_prepare.h) and never for text nobody reads.
    tinyxml2::XMLDocument doc(false, tinyxml2::PRESERVE_WHITESPACE);
    std::string repaired;
    std::string_view parsed = xml;
    if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS || !doc.RootElement()) {
        std::string why = doc.Error() ? describe(doc, line_offset) : "no root element";
        size_t before = feed.warnings.size();
        repaired = xml::repair(xml, options.limits.max_depth, feed.warnings);
        if (repaired.empty()) return Error{ErrorCode::InvalidInput, "not XML: no element found (" + why + ")"};
        feed.warnings.insert(feed.warnings.begin() + static_cast<std::ptrdiff_t>(before), "malformed XML (" + why + "); repaired");
        doc.Clear();
        if (doc.Parse(repaired.data(), repaired.size()) != tinyxml2::XML_SUCCESS || !doc.RootElement())
            return Error{ErrorCode::InvalidInput, "unreadable XML even after repair: " + describe(doc, 0)};
        parsed = repaired;
    } else {
        // tinyxml2 accepts elements and text after the root; a feed reader should say so.
        size_t junk = 0;
        for (const XMLNode* n = doc.RootElement()->NextSibling(); n; n = n->NextSibling()) {
            if (n->ToElement() || (n->ToText() && !trim(n->Value()).empty())) ++junk;
        }
        if (junk) feed.warnings.push_back("ignored " + std::to_string(junk) + " nodes after the root element");
    }
    Walker w(options, feed, mojibake, parsed, decoded, places);
    return w.run(doc.RootElement());
}

// application/feed+json (JSON Feed's own type) and the generic JSON types servers send for it.
bool json_content_type(std::string_view content_type) {
    std::string_view media = trim(content_type.substr(0, content_type.find(';')));
    return iequals(media, "application/feed+json") || iequals(media, "application/json") || iequals(media, "text/json");
}

void sanitize_warnings(Result<Feed>& r) {
    // Warnings quote bytes from the document (a charset label, an entity name).
    if (r)
        for (std::string& warning : r.value().warnings) warning = text::sanitize_utf8(warning);
}

// The decoded document (Latin-1 and other non-UTF-8 feeds) goes into a buffer this thread keeps
// from one feed to the next. A fresh one each time was the largest allocation of the parse, and
// freeing it let malloc hand the top of the heap back to the kernel, so the next document's pages
// (tinyxml2's copy of it above all) were faulted in again (perf: page faults under
// tinyxml2::XMLDocument::Parse). Buffers over kKeepBytes are let go, so one huge feed does not
// pin its memory for good.
class ReusedBuffer {
public:
    explicit ReusedBuffer(std::string& b) : buffer_(b) {
        buffer_ = std::move(spare());
        buffer_.clear();
    }
    ~ReusedBuffer() {
        if (buffer_.capacity() <= kKeepBytes) spare() = std::move(buffer_);
    }
    ReusedBuffer(const ReusedBuffer&) = delete;
    ReusedBuffer& operator=(const ReusedBuffer&) = delete;

private:
    static constexpr size_t kKeepBytes = size_t{1} << 20;
    static std::string& spare() {
        thread_local std::string s;
        return s;
    }
    std::string& buffer_;
};

}  // namespace

Result<Feed> parse_feed(std::string_view bytes, const ParseOptions& options) {
    if (bytes.size() > options.limits.max_input_bytes)
        return Error{ErrorCode::TooLarge, "feed is " + std::to_string(bytes.size()) + " bytes, over the limit of " +
                                              std::to_string(options.limits.max_input_bytes)};
    if (trim(bytes).empty()) return Error{ErrorCode::InvalidInput, "empty document"};

    Feed feed;
    encoding::Decoded dec;
    const ReusedBuffer keep_buffer(dec.utf8);
    // A view of `bytes` when they are UTF-8 already: the document is not copied for nothing.
    const std::string_view text =
        encoding::to_utf8_view(bytes, dec, encoding::charset_from_content_type(options.content_type), options.charset_override);
    // JSON Feed is told by its first character; its content type alone does not make XML into JSON.
    if (feed_detail::looks_like_json(text) || (json_content_type(options.content_type) && !trim(text).starts_with("<"))) {
        Result<Feed> r = feed_detail::parse_json_feed(text, options, std::move(dec.warnings));
        sanitize_warnings(r);
        return r;
    }
    feed.warnings = std::move(dec.warnings);

    std::string_view xml = text;
    const bool referenced_leads = xml::note_references(xml, feed.warnings);
    // Mojibake repair runs only where it could find something: the decoder's check (done with
    // the UTF-8 validation), else one scan here, or a reference to a character mojibake starts with.
    const bool mojibake = referenced_leads || (dec.mojibake_possible && text::may_hold_mojibake(text));

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
    const std::vector<size_t>* places = dec.mojibake_at_complete ? &dec.mojibake_at : nullptr;
    Result<Feed> r = parse_document(xml, line_offset, options, std::move(feed), mojibake, text, places);
    if (!r && r.error().code == ErrorCode::NotAFeed) {
        // Markup before the feed's root (an HTML error page glued on top): try from the feed's root.
        size_t later = later_feed_root(xml);
        if (later != std::string_view::npos) {
            saved.warnings.push_back("skipped " + std::to_string(later) + " bytes of other markup before the feed");
            Result<Feed> again = parse_document(xml.substr(later), line_offset + count_lines(xml.substr(0, later)), options,
                                                std::move(saved), mojibake, text, places);
            if (again) r = std::move(again);
        }
    }
    sanitize_warnings(r);
    return r;
}

}  // namespace nk
