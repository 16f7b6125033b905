// SPDX-License-Identifier: Apache-2.0
// fuzz_jsonfeed: JSON Feed through nk::parse_feed on arbitrary bytes, as a server labelling them
// application/feed+json (or not at all) would hand them over. The first byte picks the context
// and small limits (the item cap's newest-N choice, the nesting bound); the output contract is
// contract.h's. Seeded from tests/data (the jsonfeed-*.json fixtures) with fuzz_jsonfeed.dict.
#include "contract.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static constexpr std::string_view kTypes[] = {"application/feed+json", "", "application/json; charset=utf-8",
                                                  "text/plain"};
    if (size == 0) return 0;
    nk::ParseOptions opt;
    opt.content_type = kTypes[data[0] % 4];
    opt.base_url = (data[0] & 4) ? "https://example.com/feed.json" : "";
    opt.limits.max_items = (data[0] & 8) ? 3 : 50;
    opt.limits.max_depth = (data[0] & 16) ? 6 : 64;
    opt.limits.max_title_bytes = (data[0] & 32) ? 16 : 1024;
    std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    nk::fuzz::check_result(nk::parse_feed(bytes, opt), opt);
    return 0;
}
