// SPDX-License-Identifier: Apache-2.0
#include "feed/xml_prepare.h"

#include "feed/bytes16.h"
#include "feed/text.h"

#include <tinyxml2.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace nk::xml {
namespace {

size_t line_of(std::string_view s, size_t pos) {
    return 1 + static_cast<size_t>(std::count(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(std::min(pos, s.size())), '\n'));
}

size_t find(std::string_view s, std::string_view what, size_t from) {
    if (from >= s.size()) return std::string_view::npos;
    const void* p = ::memmem(s.data() + from, s.size() - from, what.data(), what.size());
    return p ? static_cast<size_t>(static_cast<const char*>(p) - s.data()) : std::string_view::npos;
}

// The end of a CDATA section or comment ("]]>", "-->"): memchr for its first character, which is
// rare in what they hold, is several times faster than glibc's memmem over a long WordPress body.
size_t find_closer(std::string_view s, std::string_view closer, size_t from) {
    while (from < s.size()) {
        const void* p = std::memchr(s.data() + from, closer[0], s.size() - from);
        if (!p) return std::string_view::npos;
        const size_t at = static_cast<size_t>(static_cast<const char*>(p) - s.data());
        if (s.compare(at, closer.size(), closer) == 0) return at;
        from = at + 1;
    }
    return std::string_view::npos;
}

bool is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_alnum(unsigned char c) { return is_alpha(c) || is_digit(c); }
bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
// tinyxml2's own name rules, so whatever repair() emits it accepts.
bool is_name_start(unsigned char c) { return is_alpha(c) || c == '_' || c == ':' || c >= 0x80; }
bool is_name_char(unsigned char c) { return is_name_start(c) || is_digit(c) || c == '-' || c == '.'; }

// After a reference to a character mojibake starts with: could the next character be one of the
// windows-1252 punctuation and symbols that follow it in mojibake (non-ASCII, or another
// reference)? "&eacute;t" cannot; "&Atilde;&copy;" and "&#195;©" can.
bool continuation_may_follow(std::string_view in, size_t at) {
    return at < in.size() && (in[at] == '&' || static_cast<unsigned char>(in[at]) >= 0x80);
}

// The next '&' at or after `from` that is not "&lt;", "&gt;" or "&amp;", or npos. Escaped HTML
// has one of those every few bytes and note_references has nothing to say about them; stopping at
// each (a search per gap, then a test of which of the three it is) made it a tenth of the parser's
// mispredicted branches on entity-heavy feeds (cachegrind --branch-sim), so sixteen bytes are
// classified at once and only the other references stop the scan.
size_t next_notable_amp(std::string_view s, size_t from) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    size_t i = from;
#if NK_BYTES16
    using feed_detail::Bytes16;
    using feed_detail::load16;
    // Is there any '&' in the next 64 bytes: one well-predicted branch for a run of markup or prose
    // without references, and for escaped HTML, which has one in nearly every 64 bytes.
    auto amp_in_64 = [&](size_t at) {
        return feed_detail::any16((load16(p + at) == '&') | (load16(p + at + 16) == '&') | (load16(p + at + 32) == '&') |
                                  (load16(p + at + 48) == '&'));
    };
    auto notable_in_16 = [&](size_t at) {
        const Bytes16 v = load16(p + at), v1 = load16(p + at + 1), v2 = load16(p + at + 2), v3 = load16(p + at + 3),
                      v4 = load16(p + at + 4);
        const auto lt_gt = ((v1 == 'l') | (v1 == 'g')) & (v2 == 't') & (v3 == ';');
        const auto amp = (v1 == 'a') & (v2 == 'm') & (v3 == 'p') & (v4 == ';');
        return feed_detail::first_set16((v == '&') & ~(lt_gt | amp));
    };
    for (; i + 64 + 4 <= n; i += 64) {
        if (!amp_in_64(i)) continue;
        for (size_t b = i; b < i + 64; b += 16)
            if (const size_t k = notable_in_16(b); k != 16) return b + k;
    }
    for (; i + 16 + 4 <= n; i += 16)
        if (const size_t k = notable_in_16(i); k != 16) return i + k;
#endif
    // The tail: every '&' (the caller tells the three apart itself).
    return feed_detail::find_byte(s, '&', i);
}

struct Fix {
    size_t count = 0;
    size_t first_pos = 0;
    std::string first_text;
    void note(size_t pos, std::string_view text) {
        if (count++ == 0) {
            first_pos = pos;
            first_text = text;
        }
    }
};

}  // namespace

bool note_references(std::string_view in, std::vector<std::string>& warnings) {
    const size_t n = in.size();
    Fix html_entities, bare_amps, unknown_entities;
    bool mojibake_lead = false;

    size_t pos = 0;
    size_t next_amp = 0, next_bang = 0;
    bool amp_valid = false, bang_valid = false;
    while (pos < n) {
        if (!amp_valid || next_amp < pos) {
            next_amp = std::min(next_notable_amp(in, pos), n);  // npos -> n
            amp_valid = true;
        }
        if (!bang_valid || next_bang < pos) {
            // '!' is rare in XML and '<' is everywhere, so look for the '!' of "<!" (a byte
            // search is several times faster than memmem with a two-byte needle). memchr, not
            // find_byte: the gaps are long (often the whole document after its DOCTYPE), where
            // libc's wide loads beat find_byte's sixteen bytes (heavy rss091 files: a third of
            // note_references' time).
            size_t from = pos;
            next_bang = n;
            while (from < n) {
                const size_t b = in.find('!', from);
                if (b == std::string_view::npos) break;
                if (b > pos && in[b - 1] == '<') {
                    next_bang = b - 1;
                    break;
                }
                from = b + 1;
            }
            bang_valid = true;
        }
        if (next_amp >= n && next_bang >= n) break;
        if (next_bang < next_amp) {
            // CDATA and comments are literal: their '&' belongs to the HTML inside, decoded later.
            size_t b = next_bang;
            if (in.substr(b, 9) == "<![CDATA[") {
                size_t e = find_closer(in, "]]>", b + 9);
                pos = e == std::string_view::npos ? n : e + 3;
            } else if (in.substr(b, 4) == "<!--") {
                size_t e = find_closer(in, "-->", b + 4);
                pos = e == std::string_view::npos ? n : e + 3;
            } else {
                pos = b + 2;
            }
            continue;
        }
        size_t a = next_amp;
        pos = a + 1;
        // &lt; &gt; &amp; are most of the references in escaped HTML, and need nothing.
        if (a + 4 <= n && in[a + 3] == ';' && in[a + 2] == 't' && (in[a + 1] == 'l' || in[a + 1] == 'g')) {
            pos = a + 4;
            continue;
        }
        if (a + 5 <= n && in.compare(a + 1, 4, "amp;") == 0) {
            pos = a + 5;
            continue;
        }
        if (a + 1 < n && in[a + 1] == '#') {
            size_t j = a + 2;
            bool hex = j < n && (in[j] == 'x' || in[j] == 'X');
            if (hex) ++j;
            uint64_t v = 0;
            size_t digits_start = j;
            while (j < n) {
                unsigned char c = static_cast<unsigned char>(in[j]);
                int d = is_digit(c) ? c - '0' : (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f') ? (c | 0x20) - 'a' + 10 : -1;
                if (d < 0) break;
                if (v <= 0x10FFFF) v = v * (hex ? 16 : 10) + static_cast<uint64_t>(d);  // saturate past the range
                ++j;
            }
            if (j == digits_start) {
                bare_amps.note(a, "");  // "&#" and "&#x" with no digits
                continue;
            }
            pos = j < n && in[j] == ';' ? j + 1 : j;  // decoded as it is read, by the browsers' rules
            mojibake_lead = mojibake_lead || (v >= 0xC2 && v <= 0xF4 && continuation_may_follow(in, pos));
            continue;
        }
        size_t j = a + 1;
        while (j < n && j - a <= 40 && is_alnum(static_cast<unsigned char>(in[j]))) ++j;
        if (j == a + 1 || !is_alpha(static_cast<unsigned char>(in[a + 1])) || j >= n || in[j] != ';') {
            bare_amps.note(a, "");
            continue;
        }
        std::string_view name = in.substr(a + 1, j - a - 1);
        if (name == "lt" || name == "gt" || name == "amp" || name == "quot" || name == "apos") {
            pos = j + 1;
            continue;
        }
        const std::string_view value = text::lookup_entity(name);
        if (value.empty()) unknown_entities.note(a, in.substr(a, j + 1 - a));
        else html_entities.note(a, in.substr(a, j + 1 - a));
        // U+00C2..U+00F4 is C3 82..C3 B4 in UTF-8 (&Acirc; to &ocirc;).
        pos = j + 1;
        mojibake_lead = mojibake_lead || (value.size() == 2 && static_cast<unsigned char>(value[0]) == 0xC3 &&
                                          static_cast<unsigned char>(value[1]) >= 0x82 &&
                                          static_cast<unsigned char>(value[1]) <= 0xB4 && continuation_may_follow(in, pos));
    }

    if (html_entities.count)
        warnings.push_back("decoded " + std::to_string(html_entities.count) +
                           " HTML entities that XML does not define (first " + html_entities.first_text +
                           " at line " + std::to_string(line_of(in, html_entities.first_pos)) + ")");
    if (bare_amps.count)
        warnings.push_back("kept " + std::to_string(bare_amps.count) + " bare '&' as text (first at line " +
                           std::to_string(line_of(in, bare_amps.first_pos)) + ")");
    if (unknown_entities.count)
        warnings.push_back("kept " + std::to_string(unknown_entities.count) + " unknown entities as text (first " +
                           unknown_entities.first_text + " at line " +
                           std::to_string(line_of(in, unknown_entities.first_pos)) + ")");
    return mojibake_lead;
}

namespace {

bool is_void_html(std::string_view name) {
    auto eq = [&](std::string_view v) {
        if (name.size() != v.size()) return false;
        for (size_t i = 0; i < v.size(); ++i)
            if ((name[i] | 0x20) != v[i]) return false;
        return true;
    };
    // Only names that no feed vocabulary uses for an element with content (RSS <link> has text).
    return eq("br") || eq("img") || eq("hr") || eq("wbr") || eq("source") || eq("input");
}

struct Attr {
    std::string_view name;
    std::string_view value;
};

}  // namespace

std::string repair(std::string_view in, int max_depth, std::vector<std::string>& warnings) {
    const size_t n = in.size();
    std::string out;
    out.reserve(n + 256);
    std::vector<std::string_view> stack;
    std::vector<Attr> attrs;
    bool root_seen = false;
    size_t leading_garbage = 0, junk_after_root = 0, stray_lt = 0, unmatched_close = 0, auto_closed = 0,
           flattened = 0, bad_attrs = 0;
    size_t first_unmatched = 0, first_stray = 0;
    bool truncated = false;

    auto at = [&](size_t k) -> unsigned char { return k < n ? static_cast<unsigned char>(in[k]) : 0; };
    size_t i = 0;
    while (i < n) {
        if (root_seen && stack.empty()) {
            for (size_t k = i; k < n; ++k)
                if (!is_space(at(k))) ++junk_after_root;
            break;
        }
        if (in[i] != '<') {
            const void* p = std::memchr(in.data() + i, '<', n - i);
            size_t j = p ? static_cast<size_t>(static_cast<const char*>(p) - in.data()) : n;
            if (stack.empty()) {
                for (size_t k = i; k < j; ++k)
                    if (!is_space(at(k))) ++leading_garbage;
            } else {
                // '>' is legal in text but "]]>" is not; escaping every '>' keeps it simple.
                for (size_t k = i; k < j; ++k) {
                    if (in[k] == '>') out += "&gt;";
                    else out += in[k];
                }
            }
            i = j;
            continue;
        }
        std::string_view rest = in.substr(i);
        if (rest.starts_with("<!--")) {
            size_t e = find(in, "-->", i + 4);
            if (e == std::string_view::npos) { truncated = !stack.empty(); break; }
            i = e + 3;
            continue;
        }
        if (rest.starts_with("<![CDATA[")) {
            size_t e = find(in, "]]>", i + 9);
            if (stack.empty()) {
                leading_garbage += (e == std::string_view::npos ? n : e + 3) - i;
                i = e == std::string_view::npos ? n : e + 3;
                continue;
            }
            if (e == std::string_view::npos) {
                out.append(rest).append("]]>");
                truncated = true;
                break;
            }
            out.append(in.substr(i, e + 3 - i));
            i = e + 3;
            continue;
        }
        if (rest.starts_with("<!")) {
            // DOCTYPE and friends; an internal subset [...] may hold '>'.
            size_t k = i + 2;
            int bracket = 0;
            while (k < n && !(in[k] == '>' && bracket <= 0)) {
                if (in[k] == '[') ++bracket;
                else if (in[k] == ']') --bracket;
                ++k;
            }
            i = k < n ? k + 1 : n;
            continue;
        }
        if (rest.starts_with("<?")) {
            size_t e = find(in, "?>", i + 2);
            i = e == std::string_view::npos ? n : e + 2;
            continue;
        }
        if (at(i + 1) == '/' && is_name_start(at(i + 2))) {
            size_t k = i + 2;
            while (k < n && is_name_char(at(k))) ++k;
            std::string_view name = in.substr(i + 2, k - i - 2);
            while (k < n && is_space(at(k))) ++k;
            if (k >= n) { truncated = true; break; }
            if (in[k] != '>') {
                if (!stack.empty()) out += "&lt;";
                if (stray_lt++ == 0) first_stray = i;
                ++i;
                continue;
            }
            i = k + 1;
            // Search the open elements from the top: a close tag that matches something below
            // closes what was left open above it (unclosed <p>, <li> in a description).
            size_t found = stack.size();
            for (size_t s = stack.size(); s-- > 0;) {
                if (stack[s] == name) { found = s; break; }
            }
            if (found == stack.size()) {
                if (unmatched_close++ == 0) first_unmatched = i;
                continue;
            }
            auto_closed += stack.size() - found - 1;
            while (stack.size() > found) {
                out.append("</").append(stack.back()).append(">");
                stack.pop_back();
            }
            continue;
        }
        if (is_name_start(at(i + 1))) {
            size_t k = i + 1;
            while (k < n && is_name_char(at(k))) ++k;
            std::string_view name = in.substr(i + 1, k - i - 1);
            attrs.clear();
            bool self_close = false, ok = false, eof = false;
            while (true) {
                while (k < n && is_space(at(k))) ++k;
                if (k >= n) { eof = true; break; }
                unsigned char c = at(k);
                if (c == '>') { ok = true; ++k; break; }
                if (c == '/' && at(k + 1) == '>') { ok = self_close = true; k += 2; break; }
                if (c == '<') break;
                if (!is_name_start(c)) {  // junk like a stray quote or '/': drop it
                    ++bad_attrs;
                    ++k;
                    continue;
                }
                size_t ns = k;
                while (k < n && is_name_char(at(k))) ++k;
                std::string_view an = in.substr(ns, k - ns);
                while (k < n && is_space(at(k))) ++k;
                std::string_view av = an;  // HTML boolean attribute: <input disabled>
                if (at(k) == '=') {
                    ++k;
                    while (k < n && is_space(at(k))) ++k;
                    unsigned char q = at(k);
                    if (q == '"' || q == '\'') {
                        // A quote never closed before the next '<' is broken; stopping there keeps
                        // each '<' scanned at most once, so repair stays linear.
                        size_t vs = k + 1, e = vs;
                        while (e < n && at(e) != q && at(e) != '<') ++e;
                        if (e >= n) { eof = true; break; }
                        if (at(e) != q) break;
                        av = in.substr(vs, e - vs);
                        k = e + 1;
                    } else {
                        size_t vs = k;
                        while (k < n && !is_space(at(k)) && at(k) != '>' && at(k) != '<') ++k;
                        av = in.substr(vs, k - vs);
                        if (at(k) != '>' && k < n && at(k) == '<') break;
                        ++bad_attrs;
                    }
                } else {
                    ++bad_attrs;
                }
                bool dup = std::any_of(attrs.begin(), attrs.end(), [&](const Attr& x) { return x.name == an; });
                if (dup) ++bad_attrs;
                else attrs.push_back({an, av});
            }
            if (eof) { truncated = true; break; }
            if (!ok) {
                if (!stack.empty()) out += "&lt;";
                if (stray_lt++ == 0) first_stray = i;
                ++i;
                continue;
            }
            i = k;
            if (root_seen && stack.empty()) break;
            if (static_cast<int>(stack.size()) >= max_depth) {
                ++flattened;  // the tag goes, its text stays
                continue;
            }
            out += '<';
            out += name;
            for (const Attr& x : attrs) {
                out += ' ';
                out += x.name;
                out += "=\"";
                for (char c : x.value) {
                    if (c == '<') out += "&lt;";
                    else if (c == '"') out += "&quot;";
                    else if (c == '\n' || c == '\r' || c == '\t') out += ' ';
                    else out += c;
                }
                out += '"';
            }
            root_seen = true;
            if (self_close || is_void_html(name)) {
                out += "/>";
                if (stack.empty()) break;  // a self-closed root: nothing more to read
            } else {
                out += '>';
                stack.push_back(name);
            }
            continue;
        }
        // '<' that starts no markup: "a < b", "<3", "<<"
        if (!stack.empty()) out += "&lt;";
        if (stray_lt++ == 0) first_stray = i;
        ++i;
    }
    if (!stack.empty()) truncated = true;
    while (!stack.empty()) {
        out.append("<").append(kCutMarker).append("/></").append(stack.back()).append(">");
        stack.pop_back();
    }

    if (leading_garbage) warnings.push_back("skipped " + std::to_string(leading_garbage) + " bytes before the root element");
    if (junk_after_root) warnings.push_back("ignored " + std::to_string(junk_after_root) + " bytes after the root element");
    if (stray_lt)
        warnings.push_back("escaped " + std::to_string(stray_lt) + " stray '<' (first at line " +
                           std::to_string(line_of(in, first_stray)) + ")");
    if (unmatched_close)
        warnings.push_back("dropped " + std::to_string(unmatched_close) + " unmatched close tags (first at line " +
                           std::to_string(line_of(in, first_unmatched)) + ")");
    if (auto_closed) warnings.push_back("closed " + std::to_string(auto_closed) + " unclosed elements");
    if (bad_attrs) warnings.push_back("repaired " + std::to_string(bad_attrs) + " malformed attributes");
    if (flattened)
        warnings.push_back("flattened " + std::to_string(flattened) + " elements nested deeper than " +
                           std::to_string(max_depth));
    if (truncated) warnings.push_back("document is truncated; incomplete elements dropped");
    if (!root_seen) return {};
    return out;
}

void decode_references(tinyxml2::XMLNode* root) {
    auto decoded = [](const char* v) -> std::optional<std::string> {
        if (!v || !std::strchr(v, '&')) return std::nullopt;
        return text::decode_entities(v);
    };
    tinyxml2::XMLNode* n = root;
    while (n) {
        if (tinyxml2::XMLText* t = n->ToText()) {
            if (!t->CData())
                if (auto v = decoded(t->Value())) t->SetValue(v->c_str());
        } else if (tinyxml2::XMLElement* e = n->ToElement()) {
            for (const tinyxml2::XMLAttribute* a = e->FirstAttribute(); a; a = a->Next())
                if (auto v = decoded(a->Value())) const_cast<tinyxml2::XMLAttribute*>(a)->SetAttribute(v->c_str());
        }
        // Document order without recursion: first child, else the next sibling of the nearest
        // ancestor (up to root) that has one.
        if (tinyxml2::XMLNode* c = n->FirstChild()) {
            n = c;
            continue;
        }
        while (n && n != root && !n->NextSibling()) n = n->Parent();
        n = (n && n != root) ? n->NextSibling() : nullptr;
    }
}

}  // namespace nk::xml
