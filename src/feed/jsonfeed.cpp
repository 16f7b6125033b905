// SPDX-License-Identifier: Apache-2.0
// jsonfeed.cpp: JSON Feed -> Feed. See jsonfeed.h.
// The document is parsed into nlohmann::json (nesting past ParseLimits::max_depth is dropped
// while parsing, so a hostile document cannot build a deep tree), then read field by field with
// the spec's names. Values of the wrong type are ignored and counted in one warning: a feed with
// a numeric title still shows its items. Keys starting with '_' are extensions (spec §"Extensions")
// and are never read.
#include "feed/jsonfeed.h"

#include "feed/collect.h"
#include "feed/dates.h"
#include "feed/strings.h"
#include "feed/text.h"
#include "feed/url.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace nk::feed_detail {
namespace {

using json = nlohmann::json;

constexpr std::string_view kVersionPrefix = "https://jsonfeed.org/version/";

std::size_t first_non_blank(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && str::is_space(s[i])) ++i;
    return i;
}

// "line L, column C" of the 0-based byte offset `at`, counted as an editor does.
std::string position(std::string_view s, std::size_t at) {
    at = std::min(at, s.size());
    const std::size_t line = 1 + static_cast<std::size_t>(std::count(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    const std::size_t nl = at == 0 ? std::string_view::npos : s.rfind('\n', at - 1);
    const std::size_t column = nl == std::string_view::npos ? at + 1 : at - nl;
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// JavaScript's JSON.parse accepts a lone surrogate escape ("\ud83d" cut from its pair) and
// nlohmann::json does not; feeds written by JavaScript carry them. Each becomes \ufffd, so one
// broken emoji costs a character, not the feed. Only run after a parse failed.
std::string replace_lone_surrogates(std::string_view s) {
    auto hex4 = [&](std::size_t i, unsigned& v) {
        if (i + 4 > s.size()) return false;
        v = 0;
        for (std::size_t k = i; k < i + 4; ++k) {
            const char c = s[k];
            const int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
            if (d < 0) return false;
            v = v * 16 + static_cast<unsigned>(d);
        }
        return true;
    };
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 >= s.size()) {
            out.push_back(s[i]);
            continue;
        }
        unsigned v = 0;
        if (s[i + 1] == 'u' && hex4(i + 2, v) && v >= 0xD800 && v <= 0xDFFF) {
            unsigned low = 0;
            const bool paired = v <= 0xDBFF && i + 7 < s.size() && s[i + 6] == '\\' && s[i + 7] == 'u' &&
                                hex4(i + 8, low) && low >= 0xDC00 && low <= 0xDFFF;
            if (paired) {
                out.append(s.substr(i, 12));
                i += 11;
            } else {
                out.append("\\ufffd");
                i += 5;
            }
            continue;
        }
        out.push_back(s[i]);
        out.push_back(s[i + 1]);  // the escaped character, so an escaped '\\' is not read twice
        ++i;
    }
    return out;
}

class Reader {
public:
    Reader(const ParseOptions& opt, Feed& feed) : opt_(opt), feed_(feed), items_(opt.limits.max_items) {}

    Result<Feed> run(const json& doc) {
        if (!doc.is_object())
            return Error{ErrorCode::NotAFeed, std::string("not a feed: JSON ") + (doc.is_array() ? "array" : "value") +
                                                  " where a JSON Feed has an object"};
        const std::string_view version = str(doc, "version", "version");
        const json* items = member(doc, "items");
        const bool has_items = items && items->is_array();
        if (version.starts_with(kVersionPrefix)) {
            const std::string_view v = version.substr(kVersionPrefix.size());
            if (v == "1") feed_.format = FeedFormat::Json10;
            else if (v == "1.1") feed_.format = FeedFormat::Json11;
            else {
                feed_.format = FeedFormat::Json11;
                warn("unknown JSON Feed version \"" + std::string(v.substr(0, 16)) + "\"; read as 1.1");
            }
        } else if (has_items) {
            // Only 1.1 has "authors" and "language": the closest guess at what the publisher meant.
            feed_.format = member(doc, "authors") || member(doc, "language") ? FeedFormat::Json11 : FeedFormat::Json10;
            warn(std::string("no JSON Feed version; read as ") + (feed_.format == FeedFormat::Json11 ? "1.1" : "1.0"));
        } else {
            return Error{ErrorCode::NotAFeed, "not a feed: JSON object without a JSON Feed version (\"" +
                                                  std::string(kVersionPrefix) + "1.1\") or items"};
        }

        // Relative URLs: against the URL the feed came from, else the one it says it lives at.
        base_ = std::string(opt_.base_url);
        if (base_.empty()) base_ = std::string(str::trim(str(doc, "feed_url", "feed_url")));
        if (base_.empty()) base_ = std::string(str::trim(str(doc, "home_page_url", "home_page_url")));

        feed_.title = plain(str(doc, "title", "title"), false);
        feed_.link = link(str(doc, "home_page_url", "home_page_url"));
        feed_.description = plain(str(doc, "description", "description"), true);
        feed_.language = std::string(str::trim(str(doc, "language", "language")));
        feed_.logo = link(str(doc, "icon", "icon"));
        if (feed_.logo.empty()) feed_.logo = link(str(doc, "favicon", "favicon"));
        feed_author_ = authors(doc, "");

        if (!has_items) {
            if (items) note_type("items");
        } else {
            std::size_t index = 0;
            for (const json& it : *items) {
                if (it.is_object()) item(it, "items[" + std::to_string(index) + "]");
                else note_type("items[" + std::to_string(index) + "]");
                ++index;
            }
        }
        feed_.items = items_.finish(feed_.warnings);
        if (type_errors_)
            warn("ignored " + std::to_string(type_errors_) + " value(s) of the wrong type (first: " + first_type_error_ + ")");
        if (mojibake_fields_)
            warn("repaired mojibake (UTF-8 read as windows-1252) in " + std::to_string(mojibake_fields_) + " field(s)");
        return std::move(feed_);
    }

private:
    const ParseOptions& opt_;
    Feed& feed_;
    ItemCollector items_;
    std::string base_, feed_author_;
    std::size_t type_errors_ = 0, mojibake_fields_ = 0;
    std::string first_type_error_;

    void warn(std::string w) { feed_.warnings.push_back(std::move(w)); }
    void note_type(std::string where) {
        if (type_errors_++ == 0) first_type_error_ = std::move(where);
    }

    static const json* member(const json& obj, const char* key) {
        auto it = obj.find(key);
        return it == obj.end() || it->is_null() ? nullptr : &*it;
    }

    // A string member (numbers too where the spec's readers accept them: ids), else "".
    std::string_view str(const json& obj, const char* key, std::string_view where) {
        const json* v = member(obj, key);
        if (!v) return {};
        if (v->is_string()) return v->get_ref<const std::string&>();
        note_type(std::string(where));
        return {};
    }

    std::string capped(std::string_view raw) {
        std::string s(text::utf8_prefix(raw, opt_.limits.max_field_bytes));
        if (text::repair_mojibake(s)) ++mojibake_fields_;
        return s;
    }

    // JSON Feed text is plain; "&amp;" from publishers who escape anyway is not meant to be read
    // (the rule Atom text gets too).
    std::string plain(std::string_view raw, bool line_breaks) {
        if (raw.empty()) return {};
        text::HtmlTextOptions o;
        o.input_is_utf8 = true;  // nlohmann::json checked it, and capped() cuts at code points
        o.keep_line_breaks = line_breaks;
        o.max_bytes = line_breaks ? opt_.limits.max_summary_bytes : opt_.limits.max_title_bytes;
        return text::clean_plain(text::decode_entities(capped(raw)), o);
    }

    std::string html(std::string_view raw) {
        if (raw.empty()) return {};
        text::HtmlTextOptions o;
        o.input_is_utf8 = true;
        o.max_bytes = opt_.limits.max_summary_bytes;
        return text::html_to_text(capped(raw), o);
    }

    std::string link(std::string_view raw) {
        std::string_view u = str::trim(raw);
        return u.empty() ? std::string() : url::resolve(base_, u);
    }

    // 1.1 "authors" (an array), else 1.0 "author" (an object); names joined, at most three.
    std::string authors(const json& obj, const std::string& where) {
        std::vector<std::string> names;
        auto person = [&](const json& p, const std::string& at) {
            if (!p.is_object()) return note_type(at);
            std::string name = author_name(plain(str(p, "name", at + ".name"), false));
            if (!name.empty() && names.size() < 3 && std::find(names.begin(), names.end(), name) == names.end())
                names.push_back(std::move(name));
        };
        if (const json* list = member(obj, "authors")) {
            if (!list->is_array()) note_type(where + "authors");
            else
                for (std::size_t i = 0; i < list->size(); ++i) person((*list)[i], where + "authors[" + std::to_string(i) + "]");
        }
        if (names.empty())
            if (const json* one = member(obj, "author")) person(*one, where + "author");
        std::string out;
        for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
        return out;
    }

    void item(const json& it, const std::string& at) {
        Item item;
        if (const json* id = member(it, "id")) {
            // The spec says string; 1.0 feeds written by hand use numbers, which mean the same.
            if (id->is_string()) item.id = std::string(str::trim(id->get_ref<const std::string&>()));
            else if (id->is_number_integer()) item.id = id->dump();
            else note_type(at + ".id");
        }
        item.link = link(str(it, "url", at + ".url"));
        if (item.link.empty()) item.link = link(str(it, "external_url", at + ".external_url"));
        const std::string_view published = str(it, "date_published", at + ".date_published");
        item.published = dates::parse(published);
        item.updated = dates::parse(str(it, "date_modified", at + ".date_modified"));
        if (!items_.wants(item.published ? item.published : item.updated)) {
            items_.skip();
            return;
        }
        item.title = plain(str(it, "title", at + ".title"), false);
        const std::string_view content_html = str(it, "content_html", at + ".content_html");
        for (std::string s : {plain(str(it, "summary", at + ".summary"), true), html(content_html),
                              plain(str(it, "content_text", at + ".content_text"), true)}) {
            if (!s.empty() && s != item.title) {
                item.summary = std::move(s);
                break;
            }
        }
        item.author = authors(it, at + ".");
        if (item.author.empty()) item.author = feed_author_;
        item.image = link(str(it, "image", at + ".image"));
        if (item.image.empty()) item.image = link(str(it, "banner_image", at + ".banner_image"));
        if (item.image.empty()) {
            if (const json* att = member(it, "attachments"); att && att->is_array()) {
                for (std::size_t i = 0; i < att->size() && item.image.empty(); ++i) {
                    const json& a = (*att)[i];
                    if (!a.is_object()) continue;
                    const std::string where = at + ".attachments[" + std::to_string(i) + "]";
                    if (str::istarts_with(str::trim(str(a, "mime_type", where + ".mime_type")), "image/"))
                        item.image = link(str(a, "url", where + ".url"));
                }
            }
        }
        if (item.image.empty() && !content_html.empty()) {
            std::string src = text::first_img_src(content_html);
            if (!src.empty()) item.image = link(src);
        }
        if (const json* tags = member(it, "tags"); tags && tags->is_array()) {
            for (const json& t : *tags) {
                if (!t.is_string() || item.categories.size() >= 32) continue;
                std::string c = plain(t.get_ref<const std::string&>(), false);
                if (!c.empty() && std::find(item.categories.begin(), item.categories.end(), c) == item.categories.end())
                    item.categories.push_back(std::move(c));
            }
        }
        if (item.image.starts_with("data:")) item.image.clear();
        items_.add(std::move(item), published);
    }
};

}  // namespace

bool looks_like_json(std::string_view utf8) {
    const std::size_t i = first_non_blank(utf8);
    return i < utf8.size() && (utf8[i] == '{' || utf8[i] == '[');
}

Result<Feed> parse_json_feed(std::string_view utf8, const ParseOptions& options, std::vector<std::string> warnings) {
    const int max_depth = std::max(options.limits.max_depth, 4);
    // Deeper values are dropped as they are parsed; a JSON Feed's own structure is four deep.
    const json::parser_callback_t shallow = [max_depth](int depth, json::parse_event_t event, json&) {
        return !((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) && depth > max_depth);
    };
    json doc;
    std::string patched;
    for (int attempt = 0;; ++attempt) {
        const std::string_view input = attempt == 0 ? utf8 : std::string_view(patched);
        try {
            doc = json::parse(input.begin(), input.end(), shallow, true, true);
            if (attempt > 0) warnings.push_back("replaced unpaired surrogate escapes (\\ud800-\\udfff) with U+FFFD");
            break;
        } catch (const json::parse_error& e) {
            std::string what = e.what();
            if (attempt == 0 && what.find("surrogate") != std::string::npos) {
                patched = replace_lone_surrogates(utf8);
                continue;
            }
            // nlohmann says where in its own words; the reason is what follows "column N: ".
            std::string reason = what;
            if (const std::size_t col = what.find("column "); col != std::string::npos)
                if (const std::size_t colon = what.find(": ", col); colon != std::string::npos) reason = what.substr(colon + 2);
            const std::size_t at = e.byte == 0 ? 0 : static_cast<std::size_t>(e.byte) - 1;
            return Error{ErrorCode::InvalidInput, "malformed JSON at " + position(input, at) + ": " + text::sanitize_utf8(reason)};
        } catch (const json::exception& e) {
            return Error{ErrorCode::InvalidInput, std::string("malformed JSON: ") + text::sanitize_utf8(e.what())};
        }
    }
    Feed feed;
    feed.warnings = std::move(warnings);
    Reader r(options, feed);
    return r.run(doc);
}

}  // namespace nk::feed_detail
