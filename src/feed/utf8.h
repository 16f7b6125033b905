// SPDX-License-Identifier: Apache-2.0
// utf8.h: the UTF-8 encoder the decoders and text scanners of src/feed share (constexpr, so
// tables such as windows-1252's are built at compile time). Internal; pure; any thread.
#pragma once

#include <cstddef>

namespace nk::feed_detail {

// UTF-8 of cp into buf (room for 4 bytes); returns the length. cp must be a Unicode scalar
// value (no surrogates, at most U+10FFFF): callers map anything else to U+FFFD first.
constexpr std::size_t encode_utf8(char32_t cp, char* buf) {
    if (cp < 0x80) {
        buf[0] = static_cast<char>(cp);
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = static_cast<char>(0xC0 | (cp >> 6));
        buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = static_cast<char>(0xE0 | (cp >> 12));
        buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
        return 3;
    }
    buf[0] = static_cast<char>(0xF0 | (cp >> 18));
    buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
    return 4;
}

}  // namespace nk::feed_detail
