// SPDX-License-Identifier: Apache-2.0
// encoding.h: any feed's bytes -> UTF-8, before tinyxml2 (which reads UTF-8 only) sees them.
// Order: BOM, then the XML declaration, then the charset the caller passes (HTTP Content-Type),
// then UTF-8. Labels follow the WHATWG Encoding Standard as browsers do (ISO-8859-1, ASCII ->
// windows-1252; Shift_JIS -> windows-31j; GB2312 -> GB18030 ...); conversion by glibc iconv.
// Invalid sequences become U+FFFD; undeclared bytes that are not UTF-8 are read as windows-1252.
// Pure (iconv is used as a function); any thread.
#pragma once

#include "feed/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace nk::encoding {

struct Decoded {
    std::string utf8;                   // no BOM; valid UTF-8
    std::string charset;                // what the bytes were read as, e.g. "windows-1252"
    std::vector<std::string> warnings;  // e.g. "undeclared charset; bytes are not UTF-8, read as windows-1252"
    // False only when the text holds no place where mojibake could start (text::may_hold_mojibake
    // would say so): checked in the same pass as its validity (UTF-8) or its conversion (windows-1252).
    bool mojibake_possible = true;
    // Set by to_utf8_view when the text is the caller's bytes (valid UTF-8, not copied): the offset
    // in the returned text of every place where mojibake could start (C3 82..B4 followed by C2, C5,
    // C6, CB or E2, the bytes text::may_hold_mojibake looks for), in order, found by the UTF-8 check
    // while it had the bytes loaded. Then text::may_hold_mojibake(part of the text) is whether a
    // place starts in that part at least three bytes before its end, and a parser need not read each
    // field's bytes again to learn it. Otherwise (other charsets, a copy, or more places than is
    // worth listing) mojibake_at_complete is false and mojibake_at empty.
    std::vector<size_t> mojibake_at;
    bool mojibake_at_complete = false;
};

// "text/xml; charset=ISO-8859-1" -> "ISO-8859-1"; "" when there is no charset parameter.
std::string charset_from_content_type(std::string_view content_type);

// The encoding="..." of a leading XML declaration (ASCII-compatible bytes), or "".
std::string declared_encoding(std::string_view bytes);

// Lower-cased canonical name per WHATWG labels ("latin1" -> "windows-1252", "utf8" -> "utf-8"),
// or "" for a label nobody knows.
std::string canonical_charset(std::string_view label);

// Never fails on content: only an unknown declared charset is reported, as a warning, and the
// bytes are then read as UTF-8 (or windows-1252 when they are not valid UTF-8).
// `override_charset` (a feed's `encoding` setting, for publishers whose labels lie) beats the
// declaration and HTTP but not a BOM, and is taken as given: no label-correcting heuristics.
// An unknown override is reported as a warning and ignored.
Decoded to_utf8(std::string_view bytes, std::string_view http_charset = {}, std::string_view override_charset = {});

// The same text without copying what needs no change: when the bytes are valid UTF-8 already
// (most feeds) the result is a view of `bytes` and d.utf8 stays empty; otherwise it is a view
// of d.utf8. The XML declaration is left as written (to_utf8 rewrites it to say UTF-8), since
// the parser starts at the root element. d.charset and d.warnings as to_utf8 sets them.
// d.utf8 must be empty on entry; a capacity it brings is written into, so a caller that parses
// one document after another can keep the buffer and its mapped pages (see parse_feed).
std::string_view to_utf8_view(std::string_view bytes, Decoded& d, std::string_view http_charset = {},
                              std::string_view override_charset = {});

}  // namespace nk::encoding
