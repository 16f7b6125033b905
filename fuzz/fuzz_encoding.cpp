// SPDX-License-Identifier: Apache-2.0
// fuzz_encoding.cpp: libFuzzer target for src/feed/encoding. The first byte picks the HTTP
// charset a server might send; the rest are the feed bytes. Whatever comes in, to_utf8 must give
// valid UTF-8 with no leading BOM, and the label helpers must not crash.
#include "feed/encoding.h"
#include "feed/text.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

// Deliberately independent of the code under test: strict RFC 3629.
bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            ++i;
            continue;
        }
        size_t len = 0;
        uint32_t cp = 0;
        if ((b & 0xE0) == 0xC0) {
            len = 2;
            cp = b & 0x1Fu;
        } else if ((b & 0xF0) == 0xE0) {
            len = 3;
            cp = b & 0x0Fu;
        } else if ((b & 0xF8) == 0xF0) {
            len = 4;
            cp = b & 0x07u;
        } else {
            return false;
        }
        if (s.size() - i < len) return false;
        for (size_t k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3Fu);
        }
        const uint32_t min = len == 2 ? 0x80u : len == 3 ? 0x800u : 0x10000u;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

// A spread of decoder kinds: none, the two hand-written ones, single-byte, multibyte and
// stateful iconv decoders, wide ones, glibc-only ones and a label nobody knows.
constexpr std::string_view kHttpCharsets[] = {
    "",       "utf-8",       "iso-8859-1", "windows-1251", "shift_jis",      "euc-jp", "gb2312",
    "big5",   "euc-kr",      "utf-16",     "utf-16be",     "utf-32",         "koi8-r", "iso-2022-jp",
    "ucs-4",  "utf-7",       "ibm037",     "bogus",        "x-user-defined", "gb18030",
};

// to_utf8 may replace the declaration's label (even an empty one) by "UTF-8"; nothing else may
// differ from the copy-free variant's text.
bool same_but_label(std::string_view view, std::string_view copy) {
    if (view == copy) return true;
    for (size_t at = copy.find("UTF-8"); at != std::string_view::npos && at < 1200; at = copy.find("UTF-8", at + 1)) {
        const std::string_view tail = copy.substr(at + 5);
        if (view.substr(0, at) == copy.substr(0, at) && view.size() >= at + tail.size() &&
            view.substr(view.size() - tail.size()) == tail)
            return true;
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view http = kHttpCharsets[data[0] % std::size(kHttpCharsets)];
    const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

    const nk::encoding::Decoded d = nk::encoding::to_utf8(bytes, http);
    if (!valid_utf8(d.utf8)) std::abort();
    if (d.utf8.size() >= 3 && d.utf8.compare(0, 3, "\xEF\xBB\xBF") == 0) std::abort();
    if (d.charset.empty()) std::abort();
    for (const std::string& w : d.warnings)
        if (!valid_utf8(w)) std::abort();  // warnings quote feed bytes and end up in logs/JSON

    // The parser's copy-free variant: valid UTF-8 too, and the same text but for the declaration
    // (which only to_utf8 rewrites) and the fast check's mojibake hint, which may only say "none"
    // when the text really has no place where mojibake could start.
    nk::encoding::Decoded v;
    const std::string_view text = nk::encoding::to_utf8_view(bytes, v, http);
    if (!valid_utf8(text)) std::abort();
    if (!same_but_label(text, d.utf8)) std::abort();
    if (v.charset != d.charset || v.warnings != d.warnings) std::abort();
    if (!v.mojibake_possible && nk::text::may_hold_mojibake(text)) std::abort();
    // The listed places (what the parser asks instead of each field's bytes) are exactly the places
    // text::may_hold_mojibake would find, in order: each a three-byte part it says yes to, and no
    // part between two of them (or before the first, after the last) holding one.
    if (v.mojibake_at_complete) {
        size_t from = 0;
        for (const size_t at : v.mojibake_at) {
            if (at < from || at + 3 > text.size()) std::abort();
            if (!nk::text::may_hold_mojibake(text.substr(at, 3))) std::abort();
            if (nk::text::may_hold_mojibake(text.substr(from, at + 2 - from))) std::abort();
            from = at + 1;
        }
        if (nk::text::may_hold_mojibake(text.substr(std::min(from, text.size())))) std::abort();
    } else if (!v.mojibake_at.empty()) {
        std::abort();
    }

    // The helpers take untrusted bytes too (headers, declarations).
    (void)nk::encoding::charset_from_content_type(bytes);
    (void)nk::encoding::declared_encoding(bytes);
    (void)nk::encoding::canonical_charset(bytes.substr(0, 64));
    return 0;
}
