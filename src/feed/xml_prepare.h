// SPDX-License-Identifier: Apache-2.0
// xml_prepare.h: makes real-world feed bytes (already UTF-8) digestible for tinyxml2 9.
// tinyxml2 knows only the five XML entities and mangles the rest (`&mdash;` comes out wrong,
// `&#0;` cuts the text), so every character reference is normalised first. When the strict
// parse still fails, repair() re-tokenises the document into well-formed XML: garbage before
// the root and junk after it dropped, stray '<' and bare '&' escaped, tags closed, duplicate or
// unquoted attributes fixed, deep nesting flattened, a truncated document closed.
// Both passes are single scans, linear in input size. Pure; any thread.
// tinyxml2 itself never decodes a reference: documents are parsed with processEntities off and
// decode_references() does it on the tree, because tinyxml2's own decoding skips an unknown
// entity's '&' without copying it and leaves stale bytes behind (invalid UTF-8, wrong text)
// wherever normalize_references could not reach: "<!--" inside an attribute value, or a retry
// that starts inside what the first look took for a CDATA section.
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

// Rewrites references so that only &lt; &gt; &amp; &quot; &apos; and numeric references that
// tinyxml2 decodes correctly remain: HTML named entities become their UTF-8 text, numeric
// references outside XML's rules are mapped as browsers do, a bare or unknown '&' becomes &amp;.
// CDATA sections and comments are left alone. Returns `in` itself when nothing needed changing,
// else a view of `storage`. Appends one warning per kind of fix, with the first line.
std::string_view normalize_references(std::string_view in, std::string& storage,
                                      std::vector<std::string>& warnings);

// For a tree parsed with processEntities = false: decodes the references in every text node
// (CDATA stays literal) and attribute value below `root`, with the HTML rules of
// text::decode_entities (the five XML entities, every HTML name, numeric references as browsers
// map them). Iterative, linear in the tree's size.
void decode_references(tinyxml2::XMLNode* root);

// Well-formed XML with one root element built from whatever `in` holds, or "" when no element
// start was found. Appends one warning per kind of fix.
std::string repair(std::string_view in, int max_depth, std::vector<std::string>& warnings);

}  // namespace nk::xml
