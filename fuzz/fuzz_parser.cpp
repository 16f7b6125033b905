// SPDX-License-Identifier: Apache-2.0
// fuzz_parser: the whole parser pipeline (charset, entity normalisation, repair, walk) on
// arbitrary bytes. The first byte picks the HTTP context so that path is fuzzed too. Besides
// crashes and leaks it checks the output contract (contract.h): valid UTF-8 everywhere, limits
// respected.
#include "contract.h"

#include <cstdint>
#include <string_view>

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
    nk::fuzz::check_result(nk::parse_feed(bytes, opt), opt);
    return 0;
}
