// SPDX-License-Identifier: Apache-2.0
// jsonfeed.h: JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) into the same Feed model
// as RSS and Atom, read with nlohmann::json. Internal to src/feed: parse_feed() decides that a
// document is JSON (its first character, or an application/feed+json Content-Type) and calls
// this with the bytes already decoded to UTF-8. Pure; any thread.
#pragma once

#include "feed/parser.h"

#include <string>
#include <string_view>
#include <vector>

namespace nk::feed_detail {

// True when the document (UTF-8, BOM gone) is JSON rather than XML: its first non-blank
// character is '{' or '['. A feed served as application/feed+json or application/json that
// starts with '<' is read as XML: the server's label is wrong more often than the bytes.
bool looks_like_json(std::string_view utf8);

// Err(InvalidInput) for malformed JSON, naming line and column; Err(NotAFeed) for JSON that is
// not a JSON Feed (no version URL and no items). `warnings` are those of decoding so far.
Result<Feed> parse_json_feed(std::string_view utf8, const ParseOptions& options, std::vector<std::string> warnings);

}  // namespace nk::feed_detail
