// SPDX-License-Identifier: Apache-2.0
// fuzz_parser: the whole parser pipeline (charset, entity normalisation, repair, walk) on
// arbitrary bytes. The first byte picks the HTTP context so that path is fuzzed too. Besides
// crashes and leaks it checks the output contract: valid UTF-8 everywhere, limits respected.
#include "feed/parser.h"
#include "feed/text.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

// Names the broken contract: CI keeps only the log, not the crashing input.
void fail(const char* what, int line) {
    std::fprintf(stderr, "fuzz_parser.cpp:%d: contract broken: %s\n", line, what);
    std::abort();
}
#define check(ok) ((ok) ? (void)0 : fail(#ok, __LINE__))

void check_text(const std::string& s, size_t max_bytes) {
    check(nk::text::is_valid_utf8(s));
    check(s.size() <= max_bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static constexpr std::string_view kTypes[] = {
        "", "application/rss+xml", "text/xml; charset=ISO-8859-1", "application/atom+xml; charset=utf-8",
        "text/xml; charset=shift_jis", "text/html; charset=utf-16", "text/xml; charset=bogus", "text/xml; charset=koi8-r"};
    if (size == 0) return 0;
    nk::ParseOptions opt;
    opt.content_type = kTypes[data[0] % 8];
    opt.base_url = (data[0] & 8) ? "http://example.com/feeds/main.xml" : "";
    opt.limits.max_items = 50;
    std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    nk::Result<nk::Feed> r = nk::parse_feed(bytes, opt);
    if (!r) {
        check(!r.error().message.empty());
        return 0;
    }
    const nk::Feed& f = r.value();
    check(f.items.size() <= opt.limits.max_items);
    check_text(f.title, opt.limits.max_title_bytes);
    for (const std::string& w : f.warnings) check(nk::text::is_valid_utf8(w));
    for (const nk::Item& it : f.items) {
        check_text(it.title, opt.limits.max_title_bytes);
        check_text(it.summary, opt.limits.max_summary_bytes);
        check(nk::text::is_valid_utf8(it.link));
        check(nk::text::is_valid_utf8(it.id));
        check(nk::text::is_valid_utf8(it.author));
        check(!it.id.empty());
        check(it.published.has_value() || !it.updated.has_value());  // published falls back to updated
    }
    return 0;
}
