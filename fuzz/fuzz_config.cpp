// SPDX-License-Identifier: Apache-2.0
// fuzz_config: a config file and an OPML feed list are both bytes someone else may have written
// (an OPML list is often fetched over the network). The same bytes go to parse_config and
// parse_opml. Besides crashes and leaks it checks the output contract: every issue has a message
// and a sane place, errors never hide behind an empty result, strings are valid UTF-8, and what
// was accepted obeys the documented ranges.
#include "core/config.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

// Written out here rather than taken from core/text, so the target builds from config.cpp alone
// and checks config.cpp's own UTF-8 handling against an independent reading.
bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        uint32_t cp = n == 1 ? b : n == 2 ? (b & 0x1Fu) : n == 3 ? (b & 0x0Fu) : (b & 0x07u);
        for (std::size_t k = 1; k < n; ++k) {
            auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3Fu);
        }
        static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n;
    }
    return true;
}

void check_utf8(const std::string& s) { check(valid_utf8(s)); }

bool http_or_file(const std::string& url) {
    return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0 || url.rfind("file://", 0) == 0;
}

void check_config(std::string_view bytes) {
    nk::ConfigParse p = nk::parse_config(bytes, "fuzz.toml");
    for (const nk::ConfigIssue& i : p.issues) {
        check(!i.message.empty());
        check(i.file == "fuzz.toml");
        check(i.line >= 0 && i.column >= 0);
        check_utf8(i.key);
        check_utf8(nk::format_issue(i));
    }
    const nk::Config& c = p.config;
    for (const nk::FeedConfig& f : c.feeds) {
        check(http_or_file(f.url));
        check_utf8(f.name);
        check(f.color.empty() || f.color.size() == 7);
        check(!f.refresh_minutes || *f.refresh_minutes >= 1);
        check(f.max_items >= 1 && f.max_items <= 500);
        check(!f.max_age_seconds || *f.max_age_seconds >= 1);
        check(f.weight > 0);
        for (const std::string& k : f.include) check(!k.empty());
        for (const std::string& k : f.exclude) check(!k.empty());
    }
    check(c.fetch.interval_minutes >= 1);
    check(c.fetch.max_parallel >= 1 && c.fetch.max_parallel <= 64);
    check(c.fetch.max_per_host >= 1 && c.fetch.max_per_host <= 16);
    check(c.rotation.words_per_minute > 0);
    check(c.rotation.min_dwell_seconds <= c.rotation.max_dwell_seconds);
    check(c.display.mode == "cards" || c.display.mode == "list" || c.display.mode == "ticker");
    check(c.display.theme == "dark" || c.display.theme == "light");
    check(c.display.transition == "fade" || c.display.transition == "slide" || c.display.transition == "none");
    check_utf8(c.display.title);
}

void check_opml(std::string_view bytes) {
    nk::Result<std::vector<nk::FeedConfig>> r = nk::parse_opml(bytes);
    if (!r) {
        check(!r.error().message.empty());
        check_utf8(r.error().message);
        return;
    }
    for (const nk::FeedConfig& f : r.value()) {
        check(f.url.rfind("http://", 0) == 0 || f.url.rfind("https://", 0) == 0);  // never file:// from a list
        check_utf8(f.url);
        check_utf8(f.name);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    check_config(bytes);
    check_opml(bytes);
    // parse_duration_seconds is reached only through max_age strings above; feed it directly
    // too, since a CLI flag may hand it user text.
    if (size < 64) {
        std::optional<int64_t> d = nk::parse_duration_seconds(bytes);
        check(!d || *d >= 0);
    }
    return 0;
}
