// SPDX-License-Identifier: Apache-2.0
// contract.h: the output contract of nk::parse_feed, checked by every fuzz target that parses a
// whole feed (fuzz_parser, fuzz_jsonfeed): valid UTF-8 everywhere, limits respected, ids present.
// Aborts naming the broken clause: CI keeps only the log, not the crashing input.
#pragma once

#include "feed/parser.h"
#include "feed/text.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace nk::fuzz {

[[noreturn]] inline void fail(const char* what, int line) {
    std::fprintf(stderr, "contract.h:%d: contract broken: %s\n", line, what);
    std::abort();
}
#define NK_CHECK(ok) ((ok) ? (void)0 : ::nk::fuzz::fail(#ok, __LINE__))

inline void check_text(const std::string& s, size_t max_bytes) {
    NK_CHECK(nk::text::is_valid_utf8(s));
    NK_CHECK(s.size() <= max_bytes);
}

inline void check_result(const nk::Result<nk::Feed>& r, const nk::ParseOptions& opt) {
    if (!r) {
        NK_CHECK(!r.error().message.empty());
        NK_CHECK(nk::text::is_valid_utf8(r.error().message));
        return;
    }
    const nk::Feed& f = r.value();
    NK_CHECK(f.items.size() <= opt.limits.max_items);
    check_text(f.title, opt.limits.max_title_bytes);
    check_text(f.description, opt.limits.max_summary_bytes);
    NK_CHECK(nk::text::is_valid_utf8(f.link));
    NK_CHECK(nk::text::is_valid_utf8(f.logo));
    for (const std::string& w : f.warnings) NK_CHECK(nk::text::is_valid_utf8(w));
    for (const nk::Item& it : f.items) {
        check_text(it.title, opt.limits.max_title_bytes);
        check_text(it.summary, opt.limits.max_summary_bytes);
        NK_CHECK(nk::text::is_valid_utf8(it.link));
        NK_CHECK(nk::text::is_valid_utf8(it.id));
        NK_CHECK(nk::text::is_valid_utf8(it.author));
        NK_CHECK(nk::text::is_valid_utf8(it.image));
        for (const std::string& c : it.categories) NK_CHECK(nk::text::is_valid_utf8(c));
        NK_CHECK(!it.id.empty());
        NK_CHECK(it.published.has_value() || !it.updated.has_value());  // published falls back to updated
    }
}

}  // namespace nk::fuzz
