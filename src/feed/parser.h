// SPDX-License-Identifier: Apache-2.0
// parser.h: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.0/1.1 bytes in, a Feed out.
// Pure (no I/O, no shared state written); any thread, and several threads at once. Each thread
// that parses a non-UTF-8 feed keeps one buffer of up to 1 MB for the next one (parser.cpp).
// The caller passes what HTTP said (Content-Type) and where the bytes came from (base URL).
// Pipeline: charset -> UTF-8; then JSON (first character '{' or '[', or a JSON Content-Type)
// goes to the JSON Feed reader (feed/jsonfeed.h), and XML through entity normalisation, a
// strict tinyxml2 parse, and on failure a repair pass and a second parse, then a namespace-aware
// walk by format. Text fields are repaired of mojibake where that is unmistakable. Every entry
// is reported; the item cap keeps the newest. Linear in input size.
#pragma once

#include "feed/feed.h"
#include "feed/result.h"

#include <cstddef>
#include <string_view>

namespace nk {

// Bounds that keep a hostile or runaway feed from costing a Pi more than it can spare.
struct ParseLimits {
    std::size_t max_input_bytes = 16u << 20;  // larger input is refused
    int max_depth = 64;                       // deeper elements are flattened (repair) or skipped
    std::size_t max_items = 500;              // the newest are kept (by date; document order where
                                              // dates are missing or equal), with a warning
    std::size_t max_field_bytes = 256u << 10; // raw text read per field before clean-up
    std::size_t max_title_bytes = 1024;       // display text, cut at a UTF-8 boundary
    std::size_t max_summary_bytes = 4096;
};

struct ParseOptions {
    std::string_view content_type;  // HTTP Content-Type value, may carry charset=
    std::string_view base_url;      // the feed's own URL, for relative links
    std::string_view charset_override;  // the feed's `encoding` setting: beats declaration and HTTP
    ParseLimits limits;
};

// Err(NotAFeed) when the root is neither rss, RDF nor feed (or JSON is not a JSON Feed);
// Err(InvalidInput) when nothing XML-like could be read, or for malformed JSON (with line and
// column); Err(TooLarge) over max_input_bytes. A recovered feed is Ok with warnings.
Result<Feed> parse_feed(std::string_view bytes, const ParseOptions& options = {});

}  // namespace nk
