// SPDX-License-Identifier: Apache-2.0
// text.h: turning the text and HTML that feeds carry into display text.
// HTML character references (all HTML5 named entities, decimal, hex, with the browser rules for
// invalid code points), HTML fragment -> plain text, whitespace, UTF-8 validity and cutting.
// Pure; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace nk::text {

// The UTF-8 replacement for an HTML5 named entity given without '&' and ';' ("mdash" -> "—"),
// or "" when the name is unknown. Case-sensitive, as HTML is.
std::string_view lookup_entity(std::string_view name);

// Like lookup_entity, but only for the 106 legacy names HTML also accepts without ';' ("amp",
// "eacute", "copy", ...); "" for every other name.
std::string_view lookup_legacy_entity(std::string_view name);

// The code point a numeric character reference stands for, with the HTML rules: 0x80..0x9F map
// through windows-1252, 0, surrogates and > 0x10FFFF become U+FFFD.
char32_t numeric_reference(uint64_t value);

// Appends the UTF-8 encoding of cp (invalid code points as U+FFFD).
void append_utf8(std::string& out, char32_t cp);

// Decodes every character reference in s; a bare or unknown '&...' stays as written.
std::string decode_entities(std::string_view s);

struct HtmlTextOptions {
    bool keep_line_breaks = true;   // block elements become '\n' (else a space)
    std::size_t max_bytes = 4096;   // output cut at a word boundary with "…"
};

// HTML fragment -> display text: tags stripped, script/style/iframe (and similar) bodies
// dropped, block elements become line breaks or spaces, entities decoded, text that was
// HTML-escaped twice stripped again, whitespace collapsed, result trimmed and valid UTF-8.
std::string html_to_text(std::string_view html, const HtmlTextOptions& options = {});

// Plain text -> display text: whitespace collapsed (newlines kept as single '\n' when
// keep_line_breaks), trimmed, valid UTF-8, cut like html_to_text. No tag or entity handling.
std::string clean_plain(std::string_view s, const HtmlTextOptions& options = {});

// The src of the first <img> in an HTML fragment, entities decoded; "" when there is none.
std::string first_img_src(std::string_view html);

// True when s is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view s);

// s with every invalid UTF-8 sequence replaced by U+FFFD.
std::string sanitize_utf8(std::string_view s);

// The longest prefix of s of at most max_bytes that ends on a code point boundary.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

}  // namespace nk::text
