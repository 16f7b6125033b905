// SPDX-License-Identifier: Apache-2.0
// xml_prepare.h: what real-world feed bytes (already UTF-8) need around tinyxml2 9.
// Documents are parsed with tinyxml2's entity processing off, and tinyxml2 then leaves every
// '&' as written, whatever follows it; the reader decodes as it reads (the feed parser each value
// with the HTML rules of text::decode_entities, the OPML reader with decode_references() on the
// tree). tinyxml2's own decoding is never used: it mangles what XML does not define (`&mdash;`),
// cuts text at `&#0;`, and after an unknown entity leaves stale bytes behind. note_references()
// reports, as warnings, the references a strict XML parser would refuse. When the strict parse
// fails, repair() re-tokenises the document into well-formed XML: garbage before the root and
// junk after it dropped, stray '<' escaped, tags closed, duplicate or unquoted attributes fixed,
// deep nesting flattened, a truncated document closed.
// Both passes are single scans, linear in input size. Pure; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tinyxml2 {
class XMLNode;
}

namespace nk::xml {

// Child element repair() puts inside every element it had to close at end of input, so the
// parser can tell a complete item (or title) from one cut off by truncation.
inline constexpr std::string_view kCutMarker = "nk-cut";

// One warning per kind of reference XML itself does not allow (HTML named entities, unknown
// names, a bare '&'), with the first of each and its line. CDATA sections and comments are
// skipped: their '&' belongs to the HTML inside. Nothing is copied or changed. Returns whether a
// reference stands for one of U+00C2..U+00F4, the characters mojibake starts with ("&#195;"),
// so the caller knows that decoded text may need text::repair_mojibake even where the bytes
// alone showed no sign of it.
bool note_references(std::string_view in, std::vector<std::string>& warnings);

// For a tree parsed with processEntities = false: decodes the references in every text node
// (CDATA stays literal) and attribute value below `root`, with the HTML rules of
// text::decode_entities (the five XML entities, every HTML name, numeric references as browsers
// map them). Iterative, linear in the tree's size.
void decode_references(tinyxml2::XMLNode* root);

// Well-formed XML with one root element built from whatever `in` holds, or "" when no element
// start was found. Appends one warning per kind of fix.
std::string repair(std::string_view in, int max_depth, std::vector<std::string>& warnings);

}  // namespace nk::xml
