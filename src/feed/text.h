// SPDX-License-Identifier: Apache-2.0
// text.h: turning the text and HTML that feeds carry into display text.
// HTML character references (all HTML5 named entities, decimal, hex, with the browser rules for
// invalid code points), HTML fragment -> plain text, whitespace, UTF-8 validity and cutting.
// Pure; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nk::text {

// The UTF-8 replacement for an HTML5 named entity given without '&' and ';' ("mdash" -> "—"),
// or "" when the name is unknown. Case-sensitive, as HTML is.
std::string_view lookup_entity(std::string_view name);

// lookup_entity for a name of one to seven characters given as a word: character k in bits 8k to
// 8k + 7, zero above the name (on little-endian machines, the name's bytes loaded as they lie).
// "" for an unknown name, and for a word that cannot be a name of that length.
std::string_view lookup_entity_word(std::uint64_t word);

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
// The same, appended to `out` (no string of its own).
void append_decoded(std::string& out, std::string_view s);

struct HtmlTextOptions {
    bool keep_line_breaks = true;   // block elements become '\n' (else a space)
    std::size_t max_bytes = 4096;   // output cut at a word boundary with "…"
    // Strip HTML that was escaped twice (see html_to_text). Off for Atom xhtml, where "&lt;p&gt;"
    // in the markup is the visible text "<p>" (RFC 4287 §3.1.1.3), never a tag.
    bool unescape_twice = true;
    // The caller guarantees valid UTF-8 input (the parser: its document was validated once when it
    // was decoded, and nothing it does to the text can break that). Skips a validating pass; with
    // invalid input and this set, the output could be invalid too. Leave false when unsure.
    bool input_is_utf8 = false;
};

// HTML fragment -> display text: tags stripped, script/style/iframe (and similar) bodies
// dropped, block elements become line breaks or spaces, entities decoded, text that was
// HTML-escaped twice stripped again, whitespace collapsed, result trimmed and valid UTF-8.
// Whether it was escaped twice is judged on the text up to the cut and at least a KB past its
// first '<' or '&', so a long text is not read to its end to keep max_bytes of it.
std::string html_to_text(std::string_view html, const HtmlTextOptions& options = {});

// html_to_text(decode_entities(escaped), options) without the decoded copy, for text escaped once
// (an XML text node) whose references all stand for characters other than '<' and '&': plain
// text with "&eacute;" and "&#8217;", as titles and old feeds carry. nullopt when `escaped` holds
// a '<', a bare '&' or a reference to '<' or '&' ("&lt;p&gt;", "&amp;eacute;"): decoding that
// makes markup, so the caller decodes first and calls html_to_text.
std::optional<std::string> html_to_text_of_escaped(std::string_view escaped, const HtmlTextOptions& options = {});

// Plain text -> display text: whitespace collapsed (newlines kept as single '\n' when
// keep_line_breaks), trimmed, valid UTF-8, cut like html_to_text. No tag or entity handling.
std::string clean_plain(std::string_view s, const HtmlTextOptions& options = {});

// The src of the first <img> in an HTML fragment, entities decoded; "" when there is none.
std::string first_img_src(std::string_view html);

// Repairs mojibake: UTF-8 text that was once decoded as windows-1252 (or Latin-1) and encoded
// again, so that "don’t" reads "donâ€™t" and "café" reads "cafÃ©" (also twice over). Only when
// the repaired text is valid UTF-8 and strictly more plausible: every suspicious sequence must
// turn into a character a feed would carry, and at least one of them must be unmistakable
// ("â€™", "Ã©", "Å‚" inside a word). Correct text in any language is left as it is. Returns
// whether s changed. Cheap when there is nothing to repair (one memchr for 0xC3).
bool repair_mojibake(std::string& s);

// False when repair_mojibake would certainly leave s as it is (no place where mojibake could
// start). A vector scan, under a byte of work per byte.
bool may_hold_mojibake(std::string_view s);

// Base64 (RFC 4648, standard or URL-safe alphabet) to bytes; whitespace is skipped and padding
// is optional. nullopt when anything else is found.
std::optional<std::string> decode_base64(std::string_view s);

// A headline for an item that has none, from its display text (what Mastodon and other
// microblog posts are): the first sentence when it fits in max_bytes, else the words that fit,
// followed by "…". `rest` is the text after the headline ("" when the headline is all of it),
// starting with "…" when the headline stopped inside a sentence, so nothing is lost or repeated.
struct Headline {
    std::string headline, rest;
};
Headline headline_from_text(std::string_view text, std::size_t max_bytes);

// True when s is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view s);

// s with every invalid UTF-8 sequence replaced by U+FFFD.
std::string sanitize_utf8(std::string_view s);

// The longest prefix of s of at most max_bytes that ends on a code point boundary.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

}  // namespace nk::text
