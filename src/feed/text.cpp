// SPDX-License-Identifier: Apache-2.0
// text.cpp: feed text and HTML -> display text. See text.h for the contract.
//
// Everything here is one forward pass over its input (html_to_text at most two), with bounded
// look-ahead at each '<' and '&': no regex, no re-scanning, no erase-from-front, so hostile input
// ("<<<<...", "&&&&...", "<a <a <a ...") costs the same per byte as prose. The only allocations are
// the output strings. Nothing throws beyond std::bad_alloc from std::string.
#include "feed/text.h"

#include "feed/bytes16.h"
#include "feed/utf8.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <vector>

namespace nk::text {
namespace {

using feed_detail::encode_utf8;
using feed_detail::find_byte;
#if NK_BYTES16
using feed_detail::Bytes16;
using feed_detail::first_set16;
using feed_detail::load16;
#endif

constexpr char32_t kReplacement = 0xFFFD;
constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // "…"
// Names in the HTML5 table are at most 31 characters; a longer run after '&' is never a reference,
// so the scan for a name stops here and a hostile "&aaaa..." costs O(1) per '&'.
constexpr std::size_t kMaxEntityName = 32;

// ---------------------------------------------------------------------------------------------
// UTF-8

struct Utf8Char {
    char32_t cp;      // kReplacement when !valid
    std::size_t len;  // bytes consumed; for invalid input the maximal subpart (WHATWG), >= 1
    bool valid;
};

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Decodes the sequence at p (n >= 1 bytes available). An invalid sequence reports the length of
// its maximal subpart, so each one becomes exactly one U+FFFD as in the WHATWG decoder and every
// browser: the byte that broke the sequence is looked at again as a possible lead byte.
Utf8Char decode_utf8(const unsigned char* p, std::size_t n) {
    const unsigned char b0 = p[0];
    if (b0 < 0x80) return {b0, 1, true};
    if (b0 < 0xC2) return {kReplacement, 1, false};  // stray continuation, or overlong C0/C1
    if (b0 < 0xE0) {
        if (n < 2 || !is_continuation(p[1])) return {kReplacement, 1, false};
        return {(char32_t(b0 & 0x1F) << 6) | char32_t(p[1] & 0x3F), 2, true};
    }
    if (b0 < 0xF0) {
        // E0 would allow overlongs below A0; ED would encode surrogates from A0 up.
        const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
        const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;
        if (n < 2 || p[1] < lo || p[1] > hi) return {kReplacement, 1, false};
        if (n < 3 || !is_continuation(p[2])) return {kReplacement, 2, false};
        return {(char32_t(b0 & 0x0F) << 12) | (char32_t(p[1] & 0x3F) << 6) | char32_t(p[2] & 0x3F), 3,
                true};
    }
    if (b0 < 0xF5) {
        // F0 would allow overlongs below 90; F4 would pass U+10FFFF from 90 up.
        const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
        const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;
        if (n < 2 || p[1] < lo || p[1] > hi) return {kReplacement, 1, false};
        if (n < 3 || !is_continuation(p[2])) return {kReplacement, 2, false};
        if (n < 4 || !is_continuation(p[3])) return {kReplacement, 3, false};
        return {(char32_t(b0 & 0x07) << 18) | (char32_t(p[1] & 0x3F) << 12) |
                    (char32_t(p[2] & 0x3F) << 6) | char32_t(p[3] & 0x3F),
                4, true};
    }
    return {kReplacement, 1, false};
}

[[maybe_unused]] constexpr std::uint64_t byteswap64(std::uint64_t v) {  // only on big-endian hosts
    std::uint64_t r = 0;
    for (int k = 0; k < 8; ++k, v >>= 8) r = (r << 8) | (v & 0xFF);
    return r;
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// Length of the valid prefix of s. Eight ASCII bytes at a time, since feed text is mostly ASCII.
std::size_t valid_utf8_prefix(std::string_view s) {
    const unsigned char* p = bytes(s);
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        while (i + 8 <= n) {
            std::uint64_t word;
            std::memcpy(&word, p + i, 8);
            if (word & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= n) break;
        const unsigned char b = p[i];
        if (b < 0x80) {
            ++i;
            continue;
        }
        // The common shapes inline (accented Latin, Greek, Cyrillic; most three-byte scripts):
        // html_to_text runs this over every text it is given.
        if (b >= 0xC2 && b <= 0xDF && i + 1 < n && is_continuation(p[i + 1])) {
            i += 2;
            continue;
        }
        if (((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) && i + 2 < n && is_continuation(p[i + 1]) &&
            is_continuation(p[i + 2])) {
            i += 3;
            continue;
        }
        const Utf8Char c = decode_utf8(p + i, n - i);
        if (!c.valid) return i;
        i += c.len;
    }
    return n;
}

// ---------------------------------------------------------------------------------------------
// Character references

constexpr std::array<char16_t, 32> kWindows1252 = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 80..87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,  // 88..8F
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 90..97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,  // 98..9F
};

bool is_ascii_alpha(unsigned char c) { return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }
bool is_ascii_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_ascii_alnum(unsigned char c) { return is_ascii_alpha(c) || is_ascii_digit(c); }
int hex_value(unsigned char c) {
    if (is_ascii_digit(c)) return c - '0';
    const unsigned char l = static_cast<unsigned char>(c | 0x20);
    if (l >= 'a' && l <= 'f') return l - 'a' + 10;
    return -1;
}
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? char(c + ('a' - 'A')) : c; }

// SWAR helpers over 8 bytes at once; each sets bit 7 of exactly the bytes that match (no borrow
// between bytes, so the lowest set bit locates the first match).
constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
constexpr std::uint64_t kBit7 = 0x8080808080808080ULL;
constexpr std::uint64_t bytes_equal(std::uint64_t w, unsigned char c) {
    const std::uint64_t x = w ^ (kOnes * c);
    return ~(((x & kLow7) + kLow7) | x | kLow7);
}
constexpr std::uint64_t bytes_below_0x20(std::uint64_t w) {
    return ~((w & kLow7) + kOnes * 0x60) & ~w & kBit7;
}

struct Reference {
    enum Type : std::uint8_t { none, named, numeric } type = none;
    std::size_t end = 0;        // index just past the reference (and its ';' when present)
    bool semicolon = false;     // written complete, with ';'
    std::string_view value;     // named: UTF-8
    char32_t cp = 0;            // numeric
};

// The character reference starting at s[amp] == '&', or type none when the '&' is literal text.
// Named references need their ';' except for the legacy names, which are taken without one only
// when the next character is neither alphanumeric nor '=' (the HTML attribute rule, which keeps
// "?a=1&copy=2" and "&notit" intact). Numeric ones take all their digits, ';' optional, as browsers do.
Reference parse_reference(std::string_view s, std::size_t amp) {
    const unsigned char* p = bytes(s);
    const std::size_t n = s.size();
    Reference r;
    std::size_t k = amp + 1;
    if (k < n && p[k] == '#') {
        ++k;
        const bool hex = k < n && (p[k] | 0x20) == 'x';
        if (hex) ++k;
        const std::size_t digits = k;
        std::uint64_t value = 0;
        // Saturating at 0x110000 keeps a million digits linear and overflow-free; any value
        // past U+10FFFF means U+FFFD anyway.
        for (; k < n; ++k) {
            const int d = hex ? hex_value(p[k]) : (is_ascii_digit(p[k]) ? p[k] - '0' : -1);
            if (d < 0) break;
            value = std::min<std::uint64_t>(value * (hex ? 16 : 10) + std::uint64_t(d), 0x110000);
        }
        if (k == digits) return r;  // "&#", "&#x", "&#;": literal
        r.semicolon = k < n && p[k] == ';';
        if (r.semicolon) ++k;
        r.type = Reference::numeric;
        r.cp = numeric_reference(value);
        r.end = k;
        return r;
    }
    const std::size_t start = k;
    // The five XML entities are most of the references in feeds (escaped HTML is all &lt; and
    // &gt;), so they skip the table.
    if (n - k >= 3 && p[k + 2] == ';' && p[k + 1] == 't' && (p[k] == 'l' || p[k] == 'g')) {
        r.type = Reference::named;
        r.value = p[k] == 'l' ? "<" : ">";
        r.semicolon = true;
        r.end = k + 3;
        return r;
    }
    if (n - k >= 4 && p[k] == 'a' && p[k + 1] == 'm' && p[k + 2] == 'p' && p[k + 3] == ';') {
        r.type = Reference::named;
        r.value = "&";
        r.semicolon = true;
        r.end = k + 4;
        return r;
    }
    // Most names are short and end in ';' ("&rsquo;", "&eacute;"): the eight bytes after the '&'
    // hold the name and its ';', and the name is looked up as one word. A name found this way is
    // letters and digits up to that ';', so the byte loop below would find the same record; but a
    // NUL just before the ';' would make the word of a shorter name ("&amp\0;" reads as "&amp;"),
    // so the last byte must not be one.
    if (n - k >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p + k, 8);
        if constexpr (std::endian::native == std::endian::big) w = byteswap64(w);
        if (const std::uint64_t semi = bytes_equal(w, ';'); semi != 0) {
            const std::size_t len = static_cast<std::size_t>(std::countr_zero(semi)) / 8;  // 0 to 7
            const std::uint64_t name = w & ((std::uint64_t{1} << (8 * len)) - 1);
            const std::string_view v = len == 0 || p[k + len - 1] == 0 ? std::string_view{} : lookup_entity_word(name);
            if (!v.empty()) {
                r.type = Reference::named;
                r.value = v;
                r.semicolon = true;
                r.end = k + len + 1;
                return r;
            }
        }
    }
    while (k < n && k - start <= kMaxEntityName && is_ascii_alnum(p[k])) ++k;
    const std::size_t len = k - start;
    if (len == 0 || len > kMaxEntityName) return r;
    const std::string_view name = s.substr(start, len);
    if (k < n && p[k] == ';') {
        const std::string_view v = lookup_entity(name);
        if (v.empty()) return r;
        r.type = Reference::named;
        r.value = v;
        r.semicolon = true;
        r.end = k + 1;
        return r;
    }
    if (k < n && p[k] == '=') return r;
    const std::string_view v = lookup_legacy_entity(name);
    if (v.empty()) return r;
    r.type = Reference::named;
    r.value = v;
    r.end = k;
    return r;
}

// ---------------------------------------------------------------------------------------------
// Display text output

// Byte classes for the text scanner.
enum : std::uint8_t { kPlain, kSpace, kNewline, kLt, kAmp, kControl, kHigh };

constexpr std::array<std::uint8_t, 256> kClass = [] {
    std::array<std::uint8_t, 256> t{};
    for (std::size_t c = 0; c < 256; ++c) {
        if (c >= 0x80) t[c] = kHigh;
        else if (c < 0x20 || c == 0x7F) t[c] = kControl;
        else t[c] = kPlain;
    }
    t[' '] = t['\t'] = t['\f'] = t['\v'] = kSpace;
    t['\n'] = t['\r'] = kNewline;
    t['<'] = kLt;
    t['&'] = kAmp;
    return t;
}();

// Code points that are whitespace or nothing at all on a display, though not ASCII.
enum class Special : std::uint8_t { none, space, line, drop, c1 };
constexpr Special special(char32_t cp) {
    if (cp == 0xA0) return Special::space;                     // no-break space: a space on a card
    // C1 controls have no glyph, but in feeds they are windows-1252 text that went through a
    // Latin-1 decoder (PHP's utf8_encode on a Word paste): U+0092 is the apostrophe of "don’t".
    if (cp >= 0x80 && cp <= 0x9F) return Special::c1;
    if (cp == 0xAD || cp == 0xFEFF) return Special::drop;      // soft hyphen (ImGui would draw it), BOM
    if (cp == 0x2028 || cp == 0x2029) return Special::line;    // line / paragraph separator
    return Special::none;
}

// The vector step of scan_run for input known to be valid UTF-8 (html_to_text checks once, up
// front, unless the caller vouches for it): then only the characters special() acts on need a
// look (C2 80..C2 A0 and C2 AD: C1 controls, no-break space, soft hyphen; E2 80 A8/A9: line and
// paragraph separators; EF BB BF: the BOM), and letters and punctuation of any script are copied
// without a stop, sixteen bytes at a time where the compiler's vector extension is there
// (bytes16.h), else eight.
#if NK_BYTES16
constexpr std::size_t kBlock = 16;
constexpr std::size_t kLookAhead = 2;  // clear_prefix reads p[-1] to p[17]
// How many bytes from p need nothing (kBlock when none of them does). Of the three lead bytes,
// only the characters special() means stop: C2 with U+0080..U+00A0 or U+00AD, E2 80 A8/A9, and
// EF BB BF; typographic quotes, dashes, £ and © go straight through.
std::size_t clear_prefix(const unsigned char* p) {
    const Bytes16 v = load16(p), prev = load16(p - 1), b1 = load16(p + 1), b2 = load16(p + 2);
    return first_set16((v < 0x20) | (v == 0x7F) | (v == '<') | (v == '&') | ((v == ' ') & (prev == ' ')) |
                       ((v == 0xC2) & ((b1 <= 0xA0) | (b1 == 0xAD))) |
                       ((v == 0xE2) & (b1 == 0x80) & ((b2 == 0xA8) | (b2 == 0xA9))) |
                       ((v == 0xEF) & (b1 == 0xBB) & (b2 == 0xBF)));
}
#else
constexpr std::size_t kLookAhead = 0;
constexpr std::size_t kBlock = 8;
std::size_t clear_prefix(const unsigned char* p) {
    std::uint64_t w, prev;
    std::memcpy(&w, p, 8);
    std::memcpy(&prev, p - 1, 8);
    if constexpr (std::endian::native == std::endian::big) w = byteswap64(w), prev = byteswap64(prev);
    const std::uint64_t stop = bytes_below_0x20(w) | bytes_equal(w, 0x7F) | bytes_equal(w, '<') | bytes_equal(w, '&') |
                               bytes_equal(w, 0xC2) | bytes_equal(w, 0xE2) | bytes_equal(w, 0xEF) |
                               (bytes_equal(w, ' ') & bytes_equal(prev, ' '));
    return stop ? static_cast<std::size_t>(std::countr_zero(stop)) / 8 : 8;
}
#endif

// End of the run of text from p[i] that can be copied as it is: printable ASCII other than '<' and
// '&', valid UTF-8 that special() leaves alone, and single spaces between them (a run never starts
// or ends with a space, so whitespace collapsing still sees every gap). This loop is most of the
// cost of html_to_text on real feeds. Text not known to be valid goes eight bytes at a time and
// stops at every non-ASCII character to check it; valid text (KnownValid) goes by clear_prefix.
template <bool KnownValid>
std::size_t scan_run(const unsigned char* p, std::size_t i, std::size_t n) {
    std::size_t j = i;
    while (j < n) {
        if constexpr (KnownValid) {
            // A run never starts with a space; past its first byte p[j - 1] is part of it.
            if (j > i || (p[j] != ' ' && j > 0)) {
                std::size_t k = kBlock;
                while (j + kBlock + kLookAhead <= n && (k = clear_prefix(p + j)) == kBlock) j += kBlock;
                if (k != kBlock) j += k;
            }
        } else {
            // Bit 7 of byte 0 stands for "the byte before this word was a space" (or there is none).
            std::uint64_t space_before = (j == i || p[j - 1] == ' ') ? 0x80 : 0;
            while (j + 8 <= n) {
                std::uint64_t w;
                std::memcpy(&w, p + j, 8);
                if constexpr (std::endian::native == std::endian::big) w = byteswap64(w);
                const std::uint64_t spaces = bytes_equal(w, ' ');
                const std::uint64_t stop = bytes_below_0x20(w) | (w & kBit7) | bytes_equal(w, 0x7F) |
                                           bytes_equal(w, '<') | bytes_equal(w, '&') |
                                           (spaces & ((spaces << 8) | space_before));
                if (stop) {
                    j += static_cast<std::size_t>(std::countr_zero(stop)) / 8;
                    break;
                }
                space_before = spaces >> 56;
                j += 8;
            }
        }
        if (j >= n) break;
        const unsigned char c = p[j];
        if (c == ' ') {
            if (j == i || p[j - 1] == ' ') break;
            ++j;
        } else if (c < 0x80) {
            if (kClass[c] != kPlain) break;
            ++j;
        } else if (KnownValid && c < 0xC0) {
            ++j;  // the rest of a character whose first bytes a block above took
        } else if (!KnownValid && c >= 0xC3 && c <= 0xDF && j + 1 < n && is_continuation(p[j + 1])) {
            j += 2;  // Latin, Greek, Cyrillic, Hebrew, Arabic: never special()
        } else if (!KnownValid && ((c >= 0xE3 && c <= 0xEC) || c == 0xEE) && j + 2 < n && is_continuation(p[j + 1]) &&
                   is_continuation(p[j + 2])) {
            j += 3;  // CJK and most other scripts: never special(), never surrogates or overlong
        } else {
            const Utf8Char u = decode_utf8(p + j, n - j);
            if (!u.valid || special(u.cp) != Special::none) break;
            j += u.len;
        }
    }
    if (j > i) j -= static_cast<std::size_t>(p[j - 1] == ' ');
    return j;
}

// Collects display text: collapses whitespace (a pending separator is written only between two
// pieces of text, so the result is trimmed and never has blank lines or spaces next to '\n'), and
// stops early once there is more than the cut needs.
//
// It writes through a cursor of its own into `buffer`, from its start, growing it as needed and
// never shrinking it; written() is the text. Prose reaches it a run at a time, a couple of dozen
// bytes between tags and references on WordPress content, and there std::string::append and then
// memcpy's branches on the length were a sixth of the pass's mispredicted branches (cachegrind
// --branch-sim): a run of up to 32 bytes goes as two sixteen-byte copies instead (the buffer keeps
// kSlack bytes past room_ for what they write beyond it), and the pending separator is written
// without a branch on whether there is one.
class Sink {
public:
    // `markup_window`: once a '<' or '&' is written, the Sink goes on for at least this many bytes
    // past it before it stops (see html_to_text); 0 to stop at the limit regardless.
    Sink(std::string& buffer, std::size_t capacity, bool line_breaks, std::size_t limit, std::size_t markup_window)
        : buffer_(buffer), limit_(limit), stop_at_(limit), markup_window_(markup_window), line_breaks_(line_breaks) {
        if (buffer_.size() < capacity + kSlack) buffer_.resize(capacity + kSlack);
        buf_ = buffer_.data();
        room_ = buffer_.size() - kSlack;
    }

    void space() {
        if (pending_ == 0) pending_ = ' ';
    }
    // space() when `yes`, without a branch on it.
    void space_if(bool yes) { pending_ = static_cast<char>(pending_ | ((yes && pending_ == 0) ? ' ' : 0)); }
    void line() {
        if (!line_breaks_) return space();
        pending_ = '\n';
    }
    // `readable`: how many bytes from p may be read (at least n); from 32 on, a short text is
    // copied in whole blocks.
    void text(const char* p, std::size_t n, std::size_t readable = 0) {
        if (stopped_) return;
        if (room_ - size_ <= n) grow(n + 1);
        // The separator, if any and if there is text before it: stored either way, kept or not.
        buf_[size_] = pending_;
        size_ += static_cast<std::size_t>((pending_ != 0) & (size_ != 0));
        pending_ = 0;
        // When we may stop, nothing past limit + 1 bytes can matter: cut_to() looks no further.
        // Past a markup character the Sink holds exactly stop_at_ + 1 bytes when it stops, so that
        // the text the second-pass test reads does not depend on how the pass cut it into runs
        // (fuzz_text: doubling every space must change nothing).
        if (size_ + n > stop_at_) {
            stopped_ = true;
            if (size_ > stop_at_) return;
            n = std::min(n, stop_at_ - size_ + 1);
        }
        char* to = buf_ + size_;
        if (readable >= 32 && n <= 32) {
            std::memcpy(to, p, 16);
            std::memcpy(to + 16, p + 16, 16);
        } else {
            std::memcpy(to, p, n);
        }
        size_ += n;
    }
    void text(std::string_view s) { text(s.data(), s.size()); }
    // '<' and '&' that reach the output: the text may be HTML escaped twice (see html_to_text).
    void markup_char(char c) {
        if (stopped_) return;
        if (!saw_markup_) {
            first_markup_ = size_;
            saw_markup_ = true;
            stop_at_ = std::max(limit_, size_ + markup_window_);  // the window is 0 or kMarkupWindow
        }
        text(&c, 1);
    }
    bool full() const { return stopped_; }
    bool saw_markup() const { return saw_markup_; }
    // No '<' or '&' is in the output before this offset (markup_char is their only way in), so
    // the test for HTML escaped twice can start here. Meaningful once saw_markup().
    std::size_t first_markup() const { return first_markup_; }
    std::string_view written() const { return {buf_, size_}; }

private:
    static constexpr std::size_t kSlack = 32;

    void grow(std::size_t n) {
        buffer_.resize(std::max(buffer_.size() * 2, size_ + n + kSlack));
        buf_ = buffer_.data();
        room_ = buffer_.size() - kSlack;
    }

    std::string& buffer_;
    char* buf_ = nullptr;
    std::size_t size_ = 0;  // written so far
    std::size_t room_ = 0;  // size_ may grow to this; the buffer holds kSlack bytes more
    std::size_t limit_;
    std::size_t stop_at_;   // limit_, then from the first markup_char at least markup_window_ past it
    std::size_t markup_window_;
    bool line_breaks_;
    bool saw_markup_ = false;
    bool stopped_ = false;  // holds stop_at_ + 1 bytes (or more, see text()): the rest cannot matter
    std::size_t first_markup_ = 0;
    char pending_ = 0;      // the separator owed before the next text: 0, ' ' or '\n'
};

bool is_html_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

// Cuts s (valid UTF-8, collapsed whitespace) to max_bytes including the ellipsis. The cut goes at
// the last word boundary that fits, unless the word that straddles the limit is longer than the
// whole budget (a URL, a run of CJK without spaces): keeping only the words before it could leave
// almost nothing, so that word is cut at a code point instead.
void cut_to(std::string& s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return;
    auto trim_back = [&s] {
        while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.pop_back();
    };
    if (max_bytes < kEllipsis.size()) {  // no room for "…": a plain prefix is all that fits
        s.resize(utf8_prefix(s, max_bytes).size());
        trim_back();
        return;
    }
    const std::size_t budget = max_bytes - kEllipsis.size();
    std::size_t at;
    if (s[budget] == ' ' || s[budget] == '\n') {
        at = budget;
    } else {
        const std::size_t word_start = budget == 0 ? std::string::npos : s.find_last_of(" \n", budget - 1);
        // Only whether the word is longer than budget matters, so look no further than that.
        const std::size_t word_begin = word_start == std::string::npos ? 0 : word_start + 1;
        const std::string_view ahead = std::string_view(s).substr(0, std::min(s.size(), word_begin + budget + 1));
        std::size_t word_end = ahead.find_first_of(" \n", budget);
        if (word_end == std::string_view::npos) word_end = ahead.size();
        if (word_start == std::string::npos || word_end - word_begin > budget) {
            at = utf8_prefix(s, budget).size();
        } else {
            at = word_start;
        }
    }
    s.resize(at);
    trim_back();
    s.append(kEllipsis);
}

// ---------------------------------------------------------------------------------------------
// HTML

enum class Kind : std::uint8_t {
    unknown,  // not an HTML element name we know: inline in the first pass, text in the second
    inline_,  // leaves nothing (a, b, span, img ...)
    block,    // a line break, or a space without keep_line_breaks
    cell,     // td, th: a space
    pre,      // block, and newlines inside are kept
    drop,     // content is never meant to be read as text; nests
    raw_drop, // raw-text element (its content is not markup): skipped up to its end tag
    head,     // dropped until </head>, <body>, an element or text that cannot be in <head>
    body,
};

struct TagInfo {
    std::string_view name;
    Kind kind;
};

// Sorted, so a name is easy to find and cannot be there twice. "button" and "select" are
// dropped: their words ("Share", "Subscribe", option lists) are interface, not article.
// audio/video/canvas/object content is fallback text ("Your browser does not support...").
// math is dropped because linearised MathML is gibberish.
constexpr TagInfo kTags[] = {
    {"a", Kind::inline_},          {"abbr", Kind::inline_},       {"acronym", Kind::inline_},
    {"address", Kind::block},      {"applet", Kind::drop},        {"area", Kind::inline_},
    {"article", Kind::block},      {"aside", Kind::block},        {"audio", Kind::drop},
    {"b", Kind::inline_},          {"base", Kind::inline_},       {"basefont", Kind::inline_},
    {"bdi", Kind::inline_},        {"bdo", Kind::inline_},        {"big", Kind::inline_},
    {"blockquote", Kind::block},   {"body", Kind::body},          {"br", Kind::block},
    {"button", Kind::drop},        {"canvas", Kind::drop},        {"caption", Kind::block},
    {"center", Kind::block},       {"cite", Kind::inline_},       {"code", Kind::inline_},
    {"col", Kind::inline_},        {"colgroup", Kind::inline_},   {"data", Kind::inline_},
    {"datalist", Kind::drop},      {"dd", Kind::block},           {"del", Kind::inline_},
    {"details", Kind::block},      {"dfn", Kind::inline_},        {"dialog", Kind::block},
    {"dir", Kind::block},          {"div", Kind::block},          {"dl", Kind::block},
    {"dt", Kind::block},           {"em", Kind::inline_},         {"embed", Kind::inline_},
    {"fieldset", Kind::block},     {"figcaption", Kind::block},   {"figure", Kind::block},
    {"font", Kind::inline_},       {"footer", Kind::block},       {"form", Kind::block},
    {"frame", Kind::inline_},      {"frameset", Kind::drop},      {"h1", Kind::block},
    {"h2", Kind::block},           {"h3", Kind::block},           {"h4", Kind::block},
    {"h5", Kind::block},           {"h6", Kind::block},           {"head", Kind::head},
    {"header", Kind::block},       {"hgroup", Kind::block},       {"hr", Kind::block},
    {"html", Kind::block},         {"i", Kind::inline_},          {"iframe", Kind::raw_drop},
    {"img", Kind::inline_},        {"input", Kind::inline_},      {"ins", Kind::inline_},
    {"kbd", Kind::inline_},        {"label", Kind::inline_},      {"legend", Kind::block},
    {"li", Kind::block},           {"link", Kind::inline_},       {"main", Kind::block},
    {"map", Kind::inline_},        {"mark", Kind::inline_},       {"math", Kind::drop},
    {"menu", Kind::block},         {"meta", Kind::inline_},       {"meter", Kind::inline_},
    {"nav", Kind::block},          {"nobr", Kind::inline_},       {"noembed", Kind::raw_drop},
    {"noframes", Kind::raw_drop},  {"noscript", Kind::raw_drop},  {"object", Kind::drop},
    {"ol", Kind::block},           {"optgroup", Kind::inline_},   {"option", Kind::inline_},
    {"output", Kind::inline_},     {"p", Kind::block},            {"param", Kind::inline_},
    {"picture", Kind::inline_},    {"pre", Kind::pre},
    {"progress", Kind::inline_},   {"q", Kind::inline_},          {"rp", Kind::inline_},
    {"rt", Kind::inline_},         {"ruby", Kind::inline_},       {"s", Kind::inline_},
    {"samp", Kind::inline_},       {"script", Kind::raw_drop},    {"search", Kind::block},
    {"section", Kind::block},      {"select", Kind::drop},        {"small", Kind::inline_},
    {"source", Kind::inline_},     {"span", Kind::inline_},       {"strike", Kind::inline_},
    {"strong", Kind::inline_},     {"style", Kind::raw_drop},     {"sub", Kind::inline_},
    {"summary", Kind::block},      {"sup", Kind::inline_},        {"svg", Kind::drop},
    {"table", Kind::block},        {"tbody", Kind::inline_},      {"td", Kind::cell},
    {"template", Kind::drop},      {"textarea", Kind::raw_drop},  {"tfoot", Kind::inline_},
    {"th", Kind::cell},            {"thead", Kind::inline_},      {"time", Kind::inline_},
    {"title", Kind::raw_drop},     {"tr", Kind::block},           {"track", Kind::inline_},
    {"tt", Kind::inline_},         {"u", Kind::inline_},          {"ul", Kind::block},
    {"var", Kind::inline_},        {"video", Kind::drop},         {"wbr", Kind::inline_},
};

constexpr bool tags_sorted() {
    for (std::size_t i = 1; i < std::size(kTags); ++i)
        if (!(kTags[i - 1].name < kTags[i].name)) return false;
    return true;
}
static_assert(tags_sorted(), "kTags must stay sorted, which also keeps out duplicates (classify's perfect hash needs distinct names)");

constexpr std::size_t kMaxTagName = 10;  // "blockquote", "figcaption"

// A tag name as written, lower-cased into a fixed buffer (no allocation per tag).
struct TagName {
    char buf[kMaxTagName] = {};
    std::size_t len = 0;     // as written; > kMaxTagName means "too long to be one we know"
    std::size_t end = 0;     // index just past the name
    std::string_view view() const { return {buf, std::min(len, kMaxTagName)}; }
};

bool ends_tag_name(unsigned char c) { return is_html_space(c) || c == '/' || c == '>'; }

// The tokenizer's tag name: everything up to whitespace, '/' or '>', or at most max characters
// (callers that only want a known name must not walk "<aaaa..." to the end once per '<').
TagName read_tag_name(std::string_view s, std::size_t i, std::size_t max = std::string_view::npos) {
    TagName t;
    while (i < s.size() && t.len < max && !ends_tag_name(static_cast<unsigned char>(s[i]))) {
        if (t.len < kMaxTagName) t.buf[t.len] = ascii_lower(s[i]);
        ++t.len;
        ++i;
    }
    t.end = i;
    return t;
}

// Tag names packed into integers, first character most significant and zero-padded, so integer
// order is string order and the lookup (once per tag) compares numbers instead of calling memcmp.
struct PackedName {
    std::uint64_t head = 0;  // characters 0..7
    std::uint16_t tail = 0;  // characters 8..9
    constexpr bool operator==(const PackedName&) const = default;
    constexpr auto operator<=>(const PackedName&) const = default;
};
static_assert(kMaxTagName <= 10, "PackedName holds 10 characters");

constexpr PackedName pack(std::string_view name) {
    PackedName p;
    for (std::size_t k = 0; k < 8; ++k)
        p.head = (p.head << 8) | (k < name.size() ? static_cast<unsigned char>(name[k]) : 0u);
    for (std::size_t k = 8; k < 10; ++k)
        p.tail = static_cast<std::uint16_t>((p.tail << 8) | (k < name.size() ? static_cast<unsigned char>(name[k]) : 0u));
    return p;
}

struct PackedTag {
    PackedName name;
    Kind kind;
};

constexpr std::array<PackedTag, std::size(kTags)> kPackedTags = [] {
    std::array<PackedTag, std::size(kTags)> t{};
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = {pack(kTags[i].name), kTags[i].kind};
    return t;
}();

// classify() runs for every tag of every description, and a binary search over the names costs a
// mispredicted branch or more per step. A perfect hash instead: a multiplier (found at compile
// time) that sends every known name to its own slot of kSlots, then one comparison.
constexpr std::size_t kSlotBits = 11, kSlots = std::size_t{1} << kSlotBits;
constexpr std::size_t slot_of(const PackedName& p, std::uint64_t mul) {
    return static_cast<std::size_t>(((p.head ^ (std::uint64_t{p.tail} << 48)) * mul) >> (64 - kSlotBits));
}

constexpr std::uint64_t kSlotMultiplier = [] {
    for (std::uint64_t mul = 0x9E3779B97F4A7C15ull;; mul += 0x2545F4914F6CDD1Eull) {
        std::array<bool, kSlots> used{};
        bool clash = false;
        for (const PackedTag& t : kPackedTags) {
            const std::size_t s = slot_of(t.name, mul);
            clash = clash || used[s];
            used[s] = true;
        }
        if (!clash) return mul;
    }
}();

// Index + 1 into kPackedTags for each slot; 0 for none.
constexpr std::array<std::uint8_t, kSlots> kSlotTag = [] {
    std::array<std::uint8_t, kSlots> t{};
    for (std::size_t i = 0; i < kPackedTags.size(); ++i) t[slot_of(kPackedTags[i].name, kSlotMultiplier)] = static_cast<std::uint8_t>(i + 1);
    return t;
}();
static_assert(std::size(kTags) < 255, "kSlotTag holds indexes in a byte");

// pack(t.view()) without a test per character: the buffer is zero past the name, so it is read
// whole (compilers turn these shifts into one byte-swapped load).
PackedName pack(const TagName& t) {
    PackedName p;
    for (std::size_t k = 0; k < 8; ++k) p.head = (p.head << 8) | static_cast<unsigned char>(t.buf[k]);
    p.tail = static_cast<std::uint16_t>((static_cast<unsigned char>(t.buf[8]) << 8) | static_cast<unsigned char>(t.buf[9]));
    return p;
}

Kind classify(const TagName& t) {
    if (t.len == 0 || t.len > kMaxTagName) return Kind::unknown;
    const PackedName key = pack(t);
    const std::uint8_t i = kSlotTag[slot_of(key, kSlotMultiplier)];
    return i != 0 && kPackedTags[i - 1].name == key ? kPackedTags[i - 1].kind : Kind::unknown;
}

bool head_content(std::string_view name) {
    return name == "title" || name == "meta" || name == "link" || name == "style" || name == "script" ||
           name == "base" || name == "noscript" || name == "template" || name == "head";
}

bool starts_with_ci(std::string_view s, std::size_t i, std::string_view lower) {
    if (s.size() - i < lower.size()) return false;
    for (std::size_t k = 0; k < lower.size(); ++k)
        if (ascii_lower(s[i + k]) != lower[k]) return false;
    return true;
}

struct TagEnd {
    std::size_t end = std::string_view::npos;  // index just past '>', npos when the input ends first
    bool self_closing = false;
};

// Walks the attributes from i (just past the tag name) to the closing '>', as the HTML tokenizer
// does: quotes only count right after '=', so a '>' inside a quoted value does not end the tag and
// a stray quote elsewhere is just part of a name. on_attr(name, value, has_value) sees each one.
template <typename OnAttr>
TagEnd scan_attributes(std::string_view s, std::size_t i, OnAttr&& on_attr) {
    const std::size_t n = s.size();
    auto space_at = [&](std::size_t k) { return is_html_space(static_cast<unsigned char>(s[k])); };
    while (i < n) {
        const char c = s[i];
        if (space_at(i)) {
            ++i;
            continue;
        }
        if (c == '/') {
            if (i + 1 < n && s[i + 1] == '>') return {i + 2, true};
            ++i;
            continue;
        }
        if (c == '>') return {i + 1, false};
        const std::size_t name_start = i++;  // a leading '=' belongs to the name
        while (i < n && !space_at(i) && s[i] != '/' && s[i] != '>' && s[i] != '=') ++i;
        const std::string_view name = s.substr(name_start, i - name_start);
        while (i < n && space_at(i)) ++i;
        if (i >= n || s[i] != '=') {
            on_attr(name, std::string_view{}, false);
            continue;
        }
        ++i;
        while (i < n && space_at(i)) ++i;
        if (i >= n) break;
        const char q = s[i];
        if (q == '"' || q == '\'') {
            const std::size_t close = s.find(q, i + 1);
            if (close == std::string_view::npos) break;
            on_attr(name, s.substr(i + 1, close - i - 1), true);
            i = close + 1;
        } else if (q == '>') {
            on_attr(name, std::string_view{}, true);
        } else {
            const std::size_t value_start = i;
            while (i < n && !space_at(i) && s[i] != '>') ++i;
            on_attr(name, s.substr(value_start, i - value_start), true);
        }
    }
    return {};
}

TagEnd scan_attributes(std::string_view s, std::size_t i) {
    return scan_attributes(s, i, [](std::string_view, std::string_view, bool) {});
}

// Index of the '<' of the end tag "</name" (name lower-case) at or after i, followed by whitespace,
// '/', '>' or the end of input; npos when there is none.
std::size_t find_end_tag(std::string_view s, std::size_t i, std::string_view name) {
    while ((i = s.find("</", i)) != std::string_view::npos) {
        const std::size_t after = i + 2 + name.size();
        if (starts_with_ci(s, i + 2, name) &&
            (after >= s.size() || ends_tag_name(static_cast<unsigned char>(s[after]))))
            return i;
        i += 2;
    }
    return std::string_view::npos;
}

// In text that has already been through one pass, only things that really look like markup count:
// a known element name right after '<' or '</', then whitespace, '/' or '>'; a comment, CDATA or
// doctype opener. "a < b", "<3", "x<y" and "<foo>" stay text.
bool looks_like_markup(std::string_view s, std::size_t lt) {
    const std::size_t n = s.size();
    std::size_t i = lt + 1;
    if (i >= n) return false;
    if (s[i] == '!')
        return s.compare(i, 3, "!--") == 0 || s.compare(i, 8, "![CDATA[") == 0 || starts_with_ci(s, i, "!doctype");
    if (s[i] == '/') ++i;
    if (i >= n || !is_ascii_alpha(static_cast<unsigned char>(s[i]))) return false;
    const TagName t = read_tag_name(s, i, kMaxTagName + 1);
    return t.end < n && ends_tag_name(static_cast<unsigned char>(s[t.end])) && classify(t) != Kind::unknown;
}

enum class Mode : std::uint8_t {
    html,    // first pass over HTML: tokenized the way browsers do
    strict,  // second pass over once-decoded text: only things that look_like_markup are markup
    plain,   // clean_plain: no markup, no references
};

// A reference that decodes to text with no '<' or '&' in it (see html_to_text_of_escaped).
bool is_character(const Reference& r) {
    switch (r.type) {
    case Reference::none: return false;
    case Reference::numeric: return r.cp != '<' && r.cp != '&';
    case Reference::named: return r.value.find_first_of("<&") == std::string_view::npos;
    }
    return false;
}

// Whether the valid UTF-8 `v` of two or more bytes is one code point that special() leaves alone,
// the bytes read rather than decoded: most named references' values are that (&eacute;, &mdash;).
constexpr bool is_ordinary_character(std::string_view v) {
    const unsigned char b0 = static_cast<unsigned char>(v[0]);
    const std::size_t len = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
    if (len != v.size()) return false;
    const unsigned char b1 = static_cast<unsigned char>(v[1]);
    if (b0 == 0xC2) return b1 > 0xA0 && b1 != 0xAD;  // C1 controls, no-break space, soft hyphen
    if (b0 == 0xE2) return !(b1 == 0x80 && (v[2] == '\xA8' || v[2] == '\xA9'));  // line, paragraph separator
    if (b0 == 0xEF) return !(b1 == 0xBB && v[2] == '\xBF');  // BOM
    return true;
}

// is_ordinary_character says what decoding and special() say, checked when this file compiles for
// every code point of two bytes and for the three-byte rows of the lead bytes it treats apart
// (E2: U+2000..U+2FFF, EF: U+F000..U+FFFF); other lead bytes hold nothing special() acts on.
constexpr bool ordinary_agrees_with_special(char32_t from, char32_t to) {
    for (char32_t cp = from; cp < to; ++cp) {
        char buf[4] = {};
        const std::size_t len = encode_utf8(cp, buf);
        if (is_ordinary_character({buf, len}) != (special(cp) == Special::none)) return false;
    }
    return true;
}
static_assert(ordinary_agrees_with_special(0x80, 0x800) && ordinary_agrees_with_special(0x2000, 0x3000) &&
              ordinary_agrees_with_special(0xF000, 0x10000));

// One pass of HTML (or plain text) into a Sink.
class Pass {
public:
    Pass(std::string_view in, Sink& sink, Mode mode, bool valid_utf8)
        : in_(in), sink_(sink), mode_(mode), valid_utf8_(valid_utf8) {}

    void run() {
        const std::size_t n = in_.size();
        const bool markup = mode_ != Mode::plain;
        std::size_t i = 0;
        while (i < n && !sink_.full()) {
            if (markup && drop_depth_ > 0) {
                // Dropped content: only a tag can end it, so jump from '<' to '<'.
                i = in_.find('<', i);
                if (i == std::string_view::npos) break;
                i = on_lt(i);
                continue;
            }
            if (markup && in_head_) {
                // As in browsers, text ends <head> (whitespace does not): an unclosed <head> in a
                // description must not swallow the story.
                const unsigned char c = static_cast<unsigned char>(in_[i]);
                if (c == '<') {
                    i = on_lt(i);
                    continue;
                }
                if (is_html_space(c)) {
                    ++i;
                    continue;
                }
                in_head_ = false;
            }
            const char c = in_[i];
            if (markup && c == '<') i = on_lt(i);
            else if (markup && c == '&') i = on_amp(i);
            else i = step_text(in_, i);
        }
    }

private:
    bool suppressed() const { return drop_depth_ > 0 || in_head_; }

    // Source newlines are only spaces in HTML (authors hard-wrap their markup), except in <pre>.
    // In the second pass and in plain text they are the line breaks made before.
    void newline() {
        if (mode_ == Mode::html && pre_depth_ == 0) sink_.space();
        else sink_.line();
    }

    void separator_line() {
        if (!suppressed()) sink_.line();
    }
    void separator_space() {
        if (!suppressed()) sink_.space();
    }
    void literal(char c) {
        if (!suppressed()) sink_.markup_char(c);
    }

    void emit_special(Special sp, char32_t cp) {
        switch (sp) {
        case Special::space: sink_.space(); break;
        case Special::line: newline(); break;
        case Special::c1: {
            // The same mapping as a numeric reference's; its five holes stay C1 and are dropped.
            const char32_t mapped = numeric_reference(cp);
            if (mapped != cp) emit_code_point(mapped);
            break;
        }
        case Special::drop:
        case Special::none: break;
        }
    }

    // One code point that did not come from the text scanner (a character reference).
    void emit_code_point(char32_t cp) {
        if (cp < 0x80) {
            const char c = static_cast<char>(cp);
            switch (kClass[static_cast<unsigned char>(c)]) {
            case kPlain: sink_.text(&c, 1); break;
            case kSpace: sink_.space(); break;
            case kNewline: newline(); break;
            case kLt:
            case kAmp: sink_.markup_char(c); break;
            default: break;  // controls have no glyph
            }
            return;
        }
        const Special sp = special(cp);
        if (sp != Special::none) return emit_special(sp, cp);
        char buf[32] = {};
        sink_.text(buf, encode_utf8(cp, buf), sizeof buf);
    }

    // Text from s[i]: a run of ordinary characters (single spaces between words included, so prose
    // is appended a text node at a time), or one character that needs handling. '<' and '&' only
    // get here as literal text (plain mode, CDATA content).
    std::size_t step_text(std::string_view s, std::size_t i) {
        const unsigned char* p = bytes(s);
        const std::size_t n = s.size();
        // A space just before or after a run (a run never holds one at either end) is a separator,
        // taken here rather than in a step of its own: prose has one beside most of its tags and
        // references, and each step through run() cost a few mispredicted branches (cachegrind).
        const bool lead = p[i] == ' ';
        sink_.space_if(lead);
        i += lead;
        if (i >= n) return i;
        std::size_t j = valid_utf8_ ? scan_run<true>(p, i, n) : scan_run<false>(p, i, n);
        if (j > i) {
            sink_.text(s.data() + i, j - i, in_.size() - i);  // s is in_ or a prefix of it
            if (j < n) {
                const bool trail = p[j] == ' ';
                sink_.space_if(trail);
                j += trail;
            }
            return j;
        }
        if (lead) return i;  // run() reads what follows: in HTML a '<' or '&' there is markup
        const unsigned char c = p[i];
        switch (kClass[c]) {
        case kSpace: sink_.space(); return i + 1;
        case kNewline: newline(); return i + 1;
        case kLt:
        case kAmp: sink_.markup_char(static_cast<char>(c)); return i + 1;
        case kHigh: {
            const Utf8Char u = decode_utf8(p + i, n - i);
            if (!u.valid) sink_.text(kReplacementUtf8);
            else emit_special(special(u.cp), u.cp);
            return i + u.len;
        }
        default: return i + 1;  // C0 controls and DEL: nothing to show
        }
    }

    std::size_t on_amp(std::size_t i) {
        const Reference r = parse_reference(in_, i);
        switch (r.type) {
        case Reference::none: sink_.markup_char('&'); return i + 1;
        case Reference::numeric: emit_code_point(r.cp); return r.end;
        case Reference::named:
            if (r.value.size() == 1) {
                emit_code_point(static_cast<unsigned char>(r.value[0]));
            } else if (is_ordinary_character(r.value)) {
                sink_.text(r.value);  // one ordinary character (&mdash;, &eacute;): as it is
            } else {
                // Named values are valid UTF-8 of one or two code points.
                for (std::size_t k = 0; k < r.value.size();) {
                    const Utf8Char u = decode_utf8(bytes(r.value) + k, r.value.size() - k);
                    emit_code_point(u.cp);
                    k += u.len;
                }
            }
            return r.end;
        }
        return i + 1;
    }

    // Something that could not be finished before the input ended. In HTML the rest is part of it
    // and vanishes (browsers do the same with a truncated "<a href=..."). In the second pass it was
    // probably text after all, so the '<' is shown; and since a later '<' could only hit the same
    // end of input, all later ones are text too, which keeps the pass linear.
    std::size_t unterminated(std::size_t lt) {
        if (mode_ == Mode::html) return in_.size();
        no_more_markup_ = true;
        literal('<');
        return lt + 1;
    }

    std::size_t on_lt(std::size_t i) {
        const std::size_t n = in_.size();
        if (mode_ == Mode::strict && (no_more_markup_ || !looks_like_markup(in_, i))) {
            literal('<');
            return i + 1;
        }
        if (i + 1 >= n) {
            literal('<');
            return i + 1;
        }
        const unsigned char c1 = static_cast<unsigned char>(in_[i + 1]);
        if (is_ascii_alpha(c1)) return start_tag(i);
        if (c1 == '/') {
            if (i + 2 >= n) {
                literal('<');
                return i + 1;
            }
            if (is_ascii_alpha(static_cast<unsigned char>(in_[i + 2]))) return end_tag(i);
            if (in_[i + 2] == '>') return i + 3;  // "</>" is ignored
            return bogus_comment(i);
        }
        if (c1 == '!') {
            if (in_.compare(i + 2, 2, "--") == 0) return comment(i);
            if (in_.compare(i + 2, 7, "[CDATA[") == 0) return cdata(i);
            return bogus_comment(i);  // <!DOCTYPE ...> and the like
        }
        if (c1 == '?') return bogus_comment(i);  // <?xml ...?>
        literal('<');  // "a < b", "<3"
        return i + 1;
    }

    std::size_t bogus_comment(std::size_t lt) {
        const std::size_t gt = in_.find('>', lt + 2);
        return gt == std::string_view::npos ? unterminated(lt) : gt + 1;
    }

    std::size_t comment(std::size_t lt) {
        const std::size_t body = lt + 4;
        // "<!-->" and "<!--->" are complete (empty) comments in HTML.
        if (in_.compare(body, 1, ">") == 0) return body + 1;
        if (in_.compare(body, 2, "->") == 0) return body + 2;
        const std::size_t close = in_.find("-->", body);
        return close == std::string_view::npos ? unterminated(lt) : close + 3;
    }

    // CDATA content is literal text, never markup; if it holds escaped HTML (a feed wrapping its
    // HTML in CDATA twice), the second pass sees the '<' it leaves and strips that too.
    std::size_t cdata(std::size_t lt) {
        const std::size_t body = lt + 9;
        std::size_t close = in_.find("]]>", body);
        if (close == std::string_view::npos) {
            if (mode_ == Mode::strict) return unterminated(lt);
            close = in_.size();
        }
        if (!suppressed()) {
            const std::string_view content = in_.substr(0, close);
            for (std::size_t k = body; k < close && !sink_.full();) k = step_text(content, k);
        }
        return std::min(close + 3, in_.size());
    }

    std::size_t start_tag(std::size_t lt) {
        const TagName name = read_tag_name(in_, lt + 1);
        const TagEnd tag = scan_attributes(in_, name.end);
        if (tag.end == std::string_view::npos) return unterminated(lt);
        const Kind kind = classify(name);
        if (in_head_ && !head_content(name.view())) in_head_ = false;
        // XHTML-style "<iframe ... />" is common in feeds; honouring '/>' on every element (HTML
        // ignores it on non-void ones) loses less text than waiting for an end tag that never comes.
        const bool opens = !tag.self_closing;
        switch (kind) {
        case Kind::block: separator_line(); break;
        case Kind::cell: separator_space(); break;
        case Kind::pre:
            separator_line();
            if (opens) ++pre_depth_;
            break;
        case Kind::drop:
            separator_space();
            if (opens) ++drop_depth_;
            break;
        case Kind::raw_drop: {
            if (!opens) break;
            const std::size_t close = find_end_tag(in_, tag.end, name.view());
            if (close == std::string_view::npos) {
                // An unclosed <script> swallows the rest in browsers too.
                if (mode_ == Mode::html) return in_.size();
                return unterminated(lt);
            }
            const TagEnd end = scan_attributes(in_, close + 2 + name.len);
            if (end.end == std::string_view::npos) return unterminated(lt);
            return end.end;
        }
        case Kind::head:
            if (opens) in_head_ = true;
            break;
        case Kind::body: in_head_ = false; break;
        case Kind::inline_:
        case Kind::unknown: break;
        }
        return tag.end;
    }

    std::size_t end_tag(std::size_t lt) {
        const TagName name = read_tag_name(in_, lt + 2);
        const TagEnd tag = scan_attributes(in_, name.end);
        if (tag.end == std::string_view::npos) return unterminated(lt);
        switch (classify(name)) {
        case Kind::block: separator_line(); break;
        case Kind::cell: separator_space(); break;
        case Kind::pre:
            separator_line();
            if (pre_depth_ > 0) --pre_depth_;
            break;
        case Kind::drop:
            if (drop_depth_ > 0) --drop_depth_;
            separator_space();
            break;
        case Kind::head: in_head_ = false; break;
        case Kind::raw_drop:
        case Kind::body:
        case Kind::inline_:
        case Kind::unknown: break;
        }
        return tag.end;
    }

    std::string_view in_;
    Sink& sink_;
    Mode mode_;
    bool valid_utf8_;  // the whole input is valid UTF-8: scan_run<true>
    std::size_t drop_depth_ = 0;
    std::size_t pre_depth_ = 0;
    bool in_head_ = false;
    bool no_more_markup_ = false;
};

// After one pass, does the text still carry markup or references, i.e. was it escaped twice?
// Looks for a real-looking tag (looks_like_markup) or a complete reference with its ';' that
// would decode ("&amp;", "&#8217;"): "AT&T", "&foo;" and "a < b" do not count. Only '<' and '&'
// at or after `from` are looked at; the caller knows there are none before it.
bool escaped_twice(std::string_view s, std::size_t from) {
    const unsigned char* p = bytes(s);
    const std::size_t n = s.size();
    for (std::size_t i = from; i < n; ++i) {
        // Skip eight bytes at a time to the next '<' or '&' (string_view::find_first_of would call
        // memchr on the set for every byte).
        while (i + 8 <= n) {
            std::uint64_t w;
            std::memcpy(&w, p + i, 8);
            if constexpr (std::endian::native == std::endian::big) w = byteswap64(w);
            const std::uint64_t hit = bytes_equal(w, '<') | bytes_equal(w, '&');
            if (hit) {
                i += static_cast<std::size_t>(std::countr_zero(hit)) / 8;
                break;
            }
            i += 8;
        }
        if (i >= n) break;
        if (s[i] == '<') {
            if (looks_like_markup(s, i)) return true;
        } else if (s[i] == '&') {
            const Reference r = parse_reference(s, i);
            if (r.type != Reference::none && r.semicolon) return true;
        }
    }
    return false;
}

std::size_t initial_capacity(std::size_t input, std::size_t max_bytes) {
    return std::min(input, max_bytes) + 8;
}

// The first pass's output, kept by each thread between calls. It is sized for the whole input,
// and the text it ends up holding is often much shorter (tags and attributes vanish): when it was
// the result itself, every item's summary kept that memory reserved, and the first parse of a big
// feed faulted it all in (heavy single-big.xml: 31,300 page faults against tinyxml2's 20,100).
// The result is copied out at its own size instead (27,600 faults; parse_bench's first-parse row
// 1.60 to 1.45). Past kScratchKept the buffer is given back after use, so a thread does not keep
// one huge summary's memory.
constexpr std::size_t kScratchKept = 256u << 10;

class Scratch {
public:
    Scratch() : kept_(kept()), s_(kept_.in_use ? own_ : kept_.s) {
        if (&s_ == &kept_.s) kept_.in_use = true;
    }
    ~Scratch() {
        if (&s_ != &kept_.s) return;
        if (s_.size() > kScratchKept) std::string().swap(s_);
        kept_.in_use = false;
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    std::string& get() { return s_; }

private:
    struct Kept {
        std::string s;
        bool in_use = false;  // a nested user (none today) gets a string of its own
    };
    static Kept& kept() {
        thread_local Kept k;
        return k;
    }
    Kept& kept_;
    std::string own_;
    std::string& s_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

char32_t numeric_reference(uint64_t value) {
    if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return kReplacement;
    if (value >= 0x80 && value <= 0x9F) return kWindows1252[value - 0x80];
    return static_cast<char32_t>(value);
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacement;
    char buf[4];
    out.append(buf, encode_utf8(cp, buf));
}

std::string decode_entities(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    append_decoded(out, s);
    return out;
}

void append_decoded(std::string& out, std::string_view s) {
    if (s.empty()) return;  // (an empty view may hold no pointer at all, which memcpy must not see)
    // Written in place rather than appended piece by piece: escaped HTML has a reference every
    // few bytes, and most references shrink. Room for all of s first; the rare named reference
    // whose text is longer than itself ("&nGt;") makes more.
    std::size_t o = out.size();
    out.resize(o + s.size());
    std::size_t i = 0;
    auto put = [&](const char* p, std::size_t len) {
        if (out.size() - o < len + (s.size() - i)) out.resize(o + len + (s.size() - i) + 16);
        std::memcpy(out.data() + o, p, len);
        o += len;
    };
    // The text between references, sixteen bytes at a time where the input goes on that far: in
    // escaped HTML the gaps are a few bytes each, and memcpy's branches on the length were the most
    // mispredicted in the parser (cachegrind --branch-sim). Bytes copied past the gap are written
    // over by what follows: out has room for all of s from o on (references never grow but in put()).
    auto copy_gap = [&](std::size_t len) {
        if (i + ((len + 15) & ~std::size_t{15}) <= s.size()) {
            for (std::size_t k = 0; k < len; k += 16) std::memcpy(out.data() + o + k, s.data() + i + k, 16);
        } else {
            std::memcpy(out.data() + o, s.data() + i, len);
        }
        o += len;
    };
    for (std::size_t amp = find_byte(s, '&', 0); amp != std::string_view::npos; amp = find_byte(s, '&', i)) {
        copy_gap(amp - i);  // never more than was reserved for it
        i = amp;
        // &lt; and &gt; are most of escaped HTML: written here, without a Reference.
        if (s.size() - amp >= 4 && s[amp + 3] == ';' && s[amp + 2] == 't' && (s[amp + 1] == 'l' || s[amp + 1] == 'g')) {
            out[o++] = s[amp + 1] == 'l' ? '<' : '>';
            i = amp + 4;
            continue;
        }
        const Reference r = parse_reference(s, amp);
        if (r.type == Reference::none) {
            out[o++] = '&';
            i = amp + 1;
            continue;
        }
        i = r.end;
        if (r.type == Reference::named) {
            put(r.value.data(), r.value.size());
        } else {
            char buf[4];
            put(buf, encode_utf8(r.cp, buf));  // (numeric_reference never yields surrogates or values past U+10FFFF)
        }
    }
    copy_gap(s.size() - i);
    out.resize(o);
}

// Double escaping: many feeds escape their HTML once more than the format asks for, so after the
// XML parser and one HTML pass the text still reads "<p>Hello</p>" or "Tom &amp; Jerry". One more
// pass runs when the first one's output still looks like markup (escaped_twice: a known tag, or a
// complete reference such as "&amp;" or "&#8217;"), never more than that, and it only takes what
// looks_like_markup accepts as tags, so "a < b" and "<3" survive.
// Decision: this means html_to_text("Tom &amp;amp; Jerry") is "Tom & Jerry" while
// decode_entities gives "Tom &amp; Jerry". A raw "&amp;" on a lobby screen is always a publisher's
// bug, whereas text that is about HTML references and wants "&amp;" shown literally is vanishingly
// rare in news, and a third level of escaping ("&amp;amp;amp;") is left as it comes out of two.
// Decision: the evidence is looked for in what the first pass writes up to the cut, and at least
// kMarkupWindow bytes past the first '<' or '&' it writes, not in the whole text. Escaping twice is
// a publisher's mistake made for a whole field, so it shows from the field's first tag; and the
// pass need not turn 50 KB of WordPress post into text to keep 4 KB of it (it used to, as soon as
// the post had "&amp;" in it, as most do: a fifth of the parser's time on such feeds).
constexpr std::size_t kMarkupWindow = 1024;

std::string html_to_text(std::string_view html, const HtmlTextOptions& options) {
    Scratch scratch;
    // The first pass stops once it holds more than max_bytes (and the window, once it wrote a '<'
    // or '&'): with no second pass, the cut of that prefix is the cut of the whole.
    const std::size_t window = options.unescape_twice ? kMarkupWindow : 0;
    const bool valid = options.input_is_utf8 || is_valid_utf8(html);  // lets the scanner skip letters of every script
    Sink sink(scratch.get(), initial_capacity(html.size(), options.max_bytes), options.keep_line_breaks,
              options.max_bytes, window);
    Pass(html, sink, Mode::html, valid).run();
    std::string_view first = sink.written();
    if (options.unescape_twice && sink.saw_markup() && escaped_twice(first, sink.first_markup())) {
        if (sink.full()) {
            // The second pass shrinks the text, so it needs all of the first pass's.
            Sink whole(scratch.get(), initial_capacity(html.size(), options.max_bytes), options.keep_line_breaks,
                       std::numeric_limits<std::size_t>::max() / 2, 0);
            Pass(html, whole, Mode::html, valid).run();
            first = whole.written();
        }
        std::string second;
        Sink sink2(second, initial_capacity(first.size(), options.max_bytes), options.keep_line_breaks,
                   options.max_bytes, 0);
        Pass(first, sink2, Mode::strict, true).run();  // the first pass wrote valid UTF-8
        second.resize(sink2.written().size());
        cut_to(second, options.max_bytes);
        return second;
    }
    std::string out(first);
    cut_to(out, options.max_bytes);
    return out;
}

// When every reference is a character and there is no '<', decoding first makes no markup, so the
// HTML pass reads the escaped text exactly as it would read the decoded one: it decodes the same
// references at the same places (parse_reference, as append_decoded), and neither '<' nor '&'
// reaches its output, so no second pass runs on either. Escaped HTML ("&lt;p&gt;") fails at its
// first reference, which costs next to nothing.
std::optional<std::string> html_to_text_of_escaped(std::string_view escaped, const HtmlTextOptions& options) {
    for (std::size_t amp = find_byte(escaped, '&', 0); amp != std::string_view::npos;) {
        const Reference r = parse_reference(escaped, amp);
        if (!is_character(r)) return std::nullopt;
        amp = find_byte(escaped, '&', r.end);
    }
    if (escaped.find('<') != std::string_view::npos) return std::nullopt;
    return html_to_text(escaped, options);
}

std::string clean_plain(std::string_view s, const HtmlTextOptions& options) {
    Scratch scratch;
    Sink sink(scratch.get(), initial_capacity(s.size(), options.max_bytes), options.keep_line_breaks,
              options.max_bytes, 0);
    Pass(s, sink, Mode::plain, options.input_is_utf8 || is_valid_utf8(s)).run();
    std::string out(sink.written());
    cut_to(out, options.max_bytes);
    return out;
}

namespace {

bool equals_ci(std::string_view a, std::string_view lower) {
    return a.size() == lower.size() && starts_with_ci(a, 0, lower);
}

std::string_view trim_html_space(std::string_view s) {
    while (!s.empty() && is_html_space(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && is_html_space(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// width="1", "0", "1px": the size of a tracking pixel.
bool at_most_one_pixel(std::string_view v) {
    v = trim_html_space(v);
    std::size_t k = 0;
    std::uint64_t value = 0;
    while (k < v.size() && is_ascii_digit(static_cast<unsigned char>(v[k])) && value <= 1)
        value = value * 10 + std::uint64_t(v[k++] - '0');
    return k > 0 && value <= 1;
}

// A usable image URL from an attribute value, or "".
std::string image_url(std::string_view raw) {
    std::string url = decode_entities(raw);
    const std::string_view t = trim_html_space(url);
    if (t.empty() || starts_with_ci(t, 0, "data:")) return {};
    return std::string(t);
}

}  // namespace

// The first <img> (or <image>, which HTML reads as <img>) with a usable URL. Lazy-loading markup
// often puts a data: placeholder in src and the real URL in data-src, so data-src stands in when
// src is missing or unusable. Script and style bodies are skipped (an "<img" in a JS string is not
// an image); noscript is not, because its <img> is usually the real one.
std::string first_img_src(std::string_view html) {
    const std::size_t n = html.size();
    std::size_t i = 0;
    while ((i = html.find('<', i)) != std::string_view::npos) {
        if (i + 1 >= n) break;
        const unsigned char c1 = static_cast<unsigned char>(html[i + 1]);
        if (c1 == '!' && html.compare(i + 2, 2, "--") == 0) {
            const std::size_t close = html.find("-->", i + 4);
            if (close == std::string_view::npos) break;
            i = close + 3;
            continue;
        }
        if (c1 == '!' || c1 == '?' || (c1 == '/' && i + 2 < n && !is_ascii_alpha(static_cast<unsigned char>(html[i + 2])))) {
            const std::size_t gt = html.find('>', i + 2);
            if (gt == std::string_view::npos) break;
            i = gt + 1;
            continue;
        }
        const bool end_tag = c1 == '/';
        const std::size_t name_at = i + (end_tag ? 2 : 1);
        if (name_at >= n || !is_ascii_alpha(static_cast<unsigned char>(html[name_at]))) {
            ++i;
            continue;
        }
        const TagName name = read_tag_name(html, name_at);
        const bool img = !end_tag && (name.view() == "img" || name.view() == "image") && name.len <= kMaxTagName;
        std::string_view src, data_src, width, height;
        bool has_src = false, has_data_src = false, has_width = false, has_height = false;
        const TagEnd tag = scan_attributes(html, name.end, [&](std::string_view a, std::string_view v, bool) {
            if (!img) return;
            // The first of a repeated attribute wins, as in HTML.
            auto take = [&](std::string_view want, bool& seen, std::string_view& value) {
                if (seen || !equals_ci(a, want)) return false;
                seen = true;
                value = v;
                return true;
            };
            take("src", has_src, src) || take("data-src", has_data_src, data_src) ||
                take("width", has_width, width) || take("height", has_height, height);
        });
        if (tag.end == std::string_view::npos) break;
        i = tag.end;
        if (img) {
            if (has_width && has_height && at_most_one_pixel(width) && at_most_one_pixel(height)) continue;
            std::string url = image_url(src);
            if (url.empty()) url = image_url(data_src);
            if (!url.empty()) return url;
            continue;
        }
        if (!end_tag && !tag.self_closing) {
            const std::string_view v = name.view();
            if (name.len <= kMaxTagName && (v == "script" || v == "style" || v == "textarea" || v == "title" ||
                                            v == "iframe" || v == "noembed" || v == "noframes")) {
                const std::size_t close = find_end_tag(html, i, v);
                if (close == std::string_view::npos) break;
                i = close + 2;
            }
        }
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Mojibake

namespace {

// The windows-1252 byte a code point came from, or -1. Below U+0100 that is the code point itself:
// mojibake made by a true Latin-1 decoder holds C1 controls (U+0080..U+009F) where a
// windows-1252 decoder put “smart” punctuation, and both are undone here.
int cp1252_byte(char32_t cp) {
    if (cp < 0x100) return static_cast<int>(cp);
    for (std::size_t i = 0; i < kWindows1252.size(); ++i)
        if (kWindows1252[i] == cp) return static_cast<int>(0x80 + i);
    return -1;
}

enum class Script : std::uint8_t { none, latin, symbol, other };

// What a repaired character may be: the letters and punctuation feeds carry. Anything else (IPA,
// Syriac, combining marks, private use, C1 controls) means the "mojibake" was correct text after
// all: "MENÜ“" would come out as Syriac, "GÜÇ”" as a pinyin letter.
Script script_of(char32_t cp) {
    if ((cp >= 0xA0 && cp <= 0x17F) || (cp >= 0x218 && cp <= 0x21B) || cp == 0x1A0 || cp == 0x1A1 || cp == 0x1AF ||
        cp == 0x1B0 || (cp >= 0x1E00 && cp <= 0x1EFF))
        return Script::latin;  // Latin-1, Extended-A, Romanian comma letters, Vietnamese
    if ((cp >= 0x2010 && cp <= 0x205E) || (cp >= 0x20A0 && cp <= 0x20C0) || (cp >= 0x2100 && cp <= 0x215F) ||
        (cp >= 0x2190 && cp <= 0x21FF) || (cp >= 0x2300 && cp <= 0x23FF) || (cp >= 0x25A0 && cp <= 0x27BF) ||
        (cp >= 0x2B00 && cp <= 0x2BFF) || (cp >= 0x1F000 && cp <= 0x1FAFF))
        return Script::symbol;  // punctuation, currency, ™, arrows, shapes, dingbats, emoji
    if ((cp >= 0x386 && cp <= 0x3CE) || (cp >= 0x400 && cp <= 0x45F) || cp == 0x490 || cp == 0x491 ||
        (cp >= 0x5D0 && cp <= 0x5EA) || (cp >= 0x621 && cp <= 0x64A) || (cp >= 0x900 && cp <= 0x97F) ||
        (cp >= 0xE01 && cp <= 0xE5B) || (cp >= 0x3000 && cp <= 0x30FF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xFF01 && cp <= 0xFF5E))
        return Script::other;  // Greek, Cyrillic, Hebrew, Arabic, Devanagari, Thai, CJK, Hangul
    return Script::none;
}

bool is_letter_after(char32_t cp) {
    return (cp < 0x80 && is_ascii_alpha(static_cast<unsigned char>(cp))) || (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

// Every mojibake lead character (U+00C2..U+00F4) is written C3 82..C3 B4 in UTF-8, and every
// character windows-1252 writes as 0x80..0xBF starts with C2 (U+0080..U+00BF), C5 (Œ œ Š š Ÿ Ž ž),
// C6 (ƒ), CB (ˆ ˜) or E2 (punctuation, €, ™). So a repair can only start where those three bytes
// meet; accented text has a C3 every few words, and this finds the few places worth a look
// sixteen bytes at a time (one memchr per C3 cost more than the rest of the repair).
bool candidate_at(const unsigned char* p, std::size_t i) {
    const unsigned char b1 = p[i + 1], b2 = p[i + 2];
    return p[i] == 0xC3 && b1 >= 0x82 && b1 <= 0xB4 && (b2 == 0xC2 || b2 == 0xC5 || b2 == 0xC6 || b2 == 0xCB || b2 == 0xE2);
}

// The first such place at or after `from`, or npos.
std::size_t next_candidate(const unsigned char* p, std::size_t n, std::size_t from) {
    std::size_t i = from;
#if NK_BYTES16
    for (; i + 18 <= n; i += 16) {
        const Bytes16 a = load16(p + i), b = load16(p + i + 1), c = load16(p + i + 2);
        const std::size_t k = first_set16((a == 0xC3) & (b >= 0x82) & (b <= 0xB4) &
                                          ((c == 0xC2) | (c == 0xC5) | (c == 0xC6) | (c == 0xCB) | (c == 0xE2)));
        if (k != 16) return i + k;
    }
#endif
    for (; i + 2 < n; ++i)
        if (candidate_at(p, i)) return i;
    return std::string_view::npos;
}

// One repair pass; false (s untouched) unless the rule in text.h holds. It jumps from one
// candidate place to the next and decodes only the few characters there: correct text of any
// length costs next to nothing.
bool repair_once(std::string& s) {
    const unsigned char* p = bytes(s);
    const std::size_t n = s.size();
    struct Fix {
        std::size_t begin, end;  // s[begin, end) becomes cp
        char32_t cp;
    };
    std::vector<Fix> fixes;
    std::size_t strong = 0, others = 0, other_ok = 0;
    for (std::size_t i = next_candidate(p, n, 0); i != std::string_view::npos; i = next_candidate(p, n, i)) {
        const unsigned char b1 = p[i + 1];
        const char32_t lead = 0xC0 + (b1 & 0x3F);
        const std::size_t need = lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : 3;
        unsigned char seq[4] = {static_cast<unsigned char>(lead), 0, 0, 0};
        std::size_t j = i + 2;
        bool all = true;
        for (std::size_t m = 1; all && m <= need; ++m) {
            const Utf8Char u = j < n ? decode_utf8(p + j, n - j) : Utf8Char{0, 1, false};
            const int b = u.valid ? cp1252_byte(u.cp) : -1;
            all = b >= 0x80 && b <= 0xBF;
            if (all) {
                seq[m] = static_cast<unsigned char>(b);
                j += u.len;
            }
        }
        const Utf8Char r = all ? decode_utf8(seq, need + 1) : Utf8Char{0, 1, false};
        if (!r.valid || r.len != need + 1) {
            i += 2;
            continue;
        }
        const Script sc = script_of(r.cp);
        if (sc == Script::none) return false;  // correct text that merely looks odd: leave all of it
        const char32_t after = j < n ? decode_utf8(p + j, n - j).cp : U' ';
        if (sc == Script::other) {
            // Mojibake of Greek, Cyrillic or CJK comes in runs ("æ—¥æœ¬"); one such character
            // glued to an ASCII word ("café…”") is French punctuation, not Japanese.
            const bool after_fix = !fixes.empty() && fixes.back().end == i;
            const bool glued = !after_fix && i > 0 && p[i - 1] < 0x80 && is_ascii_alnum(p[i - 1]);
            ++others;
            if (!glued) ++other_ok;
        } else if (need >= 2 || seq[1] >= 0xA1 || (lead == 0xC2 && seq[1] >= 0xA0) || is_letter_after(after)) {
            // "â€™", "Ã©", "Â£", "Å‚o": never what anyone writes. A letter followed by “smart”
            // punctuation at the end of a word ("IRMÃ”") is weak evidence, repaired only along
            // with strong evidence elsewhere in the same text.
            ++strong;
        }
        fixes.push_back({i, j, r.cp});
        i = j;
    }
    if (other_ok >= 2) strong += others;
    if (fixes.empty() || strong == 0) return false;
    std::string out;
    out.reserve(n);
    std::size_t copied = 0;
    for (const Fix& f : fixes) {
        out.append(s, copied, f.begin - copied);
        append_utf8(out, f.cp);
        copied = f.end;
    }
    out.append(s, copied, std::string::npos);
    s = std::move(out);
    return true;
}

}  // namespace

bool may_hold_mojibake(std::string_view s) { return next_candidate(bytes(s), s.size(), 0) != std::string_view::npos; }

bool repair_mojibake(std::string& s) {
    if (!may_hold_mojibake(s)) return false;
    bool changed = false;
    // Text that went through the wrong decoder twice ("Ã¢â‚¬â„¢") takes two passes; a third is
    // the most anyone has been seen to need.
    for (int pass = 0; pass < 3 && repair_once(s); ++pass) changed = true;
    return changed;
}

std::optional<std::string> decode_base64(std::string_view s) {
    std::string out;
    out.reserve(s.size() / 4 * 3 + 3);
    std::uint32_t acc = 0;
    int bits = 0;
    bool padding = false;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '+' || c == '-') v = 62;
        else if (c == '/' || c == '_') v = 63;
        else if (c == '=') {
            padding = true;
            continue;
        } else if (is_html_space(c)) continue;
        else return std::nullopt;
        if (padding) return std::nullopt;  // data after '='
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    if (bits >= 6) return std::nullopt;  // a lone trailing character carries no whole byte
    return out;
}

// ---------------------------------------------------------------------------------------------
// Headlines for items that have none

namespace {

// Abbreviations whose period does not end a sentence ("Dr. Smith", "e.g. this"), lower case.
bool is_abbreviation(std::string_view word) {
    static constexpr std::string_view kAbbr[] = {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "vs", "etc",
                                                 "e.g", "i.e", "inc", "ltd", "no", "fig", "approx", "ca", "cf",
                                                 "gen", "gov", "sen", "rep", "mt", "ave", "u.s", "u.k", "z.b", "bzw"};
    std::string lower;
    for (char c : word) lower.push_back(ascii_lower(c));
    for (std::string_view a : kAbbr)
        if (lower == a) return true;
    return word.size() == 1 && is_ascii_alpha(static_cast<unsigned char>(word[0]));  // an initial: "J. Smith"
}

// Index just past the end of the sentence that starts at `from`, or npos when the paragraph ends
// first. A sentence ends at '.', '!', '?' or '…' (runs of them, then closing quotes) followed by
// a space, and at the full-width stops of CJK text, which need no space.
std::size_t sentence_end(std::string_view t, std::size_t from) {
    const std::size_t n = t.size();
    for (std::size_t i = from; i < n; ++i) {
        const char c = t[i];
        if (c == '\n') return std::string_view::npos;
        if (t.compare(i, 3, "\xE3\x80\x82") == 0 || t.compare(i, 3, "\xEF\xBC\x81") == 0 ||
            t.compare(i, 3, "\xEF\xBC\x9F") == 0)
            return i + 3;  // 。！？
        const bool ellipsis = t.compare(i, 3, "\xE2\x80\xA6") == 0;
        if (c != '.' && c != '!' && c != '?' && !ellipsis) continue;
        std::size_t j = i + (ellipsis ? 3 : 1);
        while (j < n && (t[j] == '.' || t[j] == '!' || t[j] == '?')) ++j;
        while (j < n && (t[j] == '"' || t[j] == '\'' || t[j] == ')' || t.compare(j, 3, "\xE2\x80\x9D") == 0 ||
                         t.compare(j, 3, "\xE2\x80\x99") == 0 || t.compare(j, 2, "\xC2\xBB") == 0))
            j += static_cast<unsigned char>(t[j]) < 0x80 ? 1 : (static_cast<unsigned char>(t[j]) == 0xC2 ? 2 : 3);
        if (j < n && t[j] != ' ' && t[j] != '\n') {
            i = j - 1;  // "3.5", "example.com", "?!x": not a sentence end
            continue;
        }
        if (c == '.' && j == i + 1) {
            std::size_t w = i;
            while (w > from && t[w - 1] != ' ' && t[w - 1] != '\n') --w;
            if (is_abbreviation(t.substr(w, i - w))) continue;
        }
        return j;
    }
    return std::string_view::npos;
}

// A word that is no part of a sentence: a #hashtag, an @mention, or emoji and symbols only.
bool is_decoration_word(std::string_view w) {
    if (w.empty() || w[0] == '#' || w[0] == '@') return true;
    for (std::size_t k = 0; k < w.size();) {
        const Utf8Char u = decode_utf8(bytes(w) + k, w.size() - k);
        const char32_t cp = u.cp;
        const bool symbol = (cp < 0x80 && !is_ascii_alnum(static_cast<unsigned char>(cp))) ||
                            (cp >= 0x2000 && cp <= 0x2BFF) || cp == 0xFE0F || cp >= 0x1F000;
        if (!symbol) return false;
        k += u.len;
    }
    return true;
}

bool is_decoration(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        std::size_t j = i;
        while (j < s.size() && s[j] != ' ') ++j;
        if (!is_decoration_word(s.substr(i, j - i))) return false;
        i = j;
    }
    return true;
}

std::string_view trim_text(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

}  // namespace

Headline headline_from_text(std::string_view text, std::size_t max_bytes) {
    text = trim_text(text);
    Headline h;
    if (text.empty()) return h;
    const std::size_t para = std::min(text.find('\n'), text.size());
    // Whole sentences while they fit; a very short opener ("Big news!") takes the next one along.
    constexpr std::size_t kShortOpener = 16;
    std::size_t end = 0;
    for (;;) {
        const std::size_t e = sentence_end(text, end);
        const std::size_t stop = e == std::string_view::npos ? para : e;
        if (stop > max_bytes || stop > para) break;
        end = stop;
        if (stop == para || end >= kShortOpener) break;
    }
    // A tail of emoji, hashtags or mentions ("… open day! 🎉", "… tonight. #ferry") belongs with
    // its sentence: alone under the headline it would look like a stray.
    if (end > 0 && end < para && para <= max_bytes && is_decoration(trim_text(text.substr(end, para - end)))) end = para;
    if (end > 0) {
        h.headline = std::string(trim_text(text.substr(0, end)));
        // News headlines carry no full stop; "?", "!" and "…" say something and stay.
        if (h.headline.size() >= 2 && h.headline.back() == '.' && h.headline[h.headline.size() - 2] != '.')
            h.headline.pop_back();
        h.rest = std::string(trim_text(text.substr(end)));
        return h;
    }
    // No sentence fits: the words that do, and the rest continues after an ellipsis.
    const std::size_t budget = max_bytes > kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
    // (Only reached when the first paragraph is longer than max_bytes, so the space found is in it.)
    std::size_t cut = budget > 0 ? text.find_last_of(' ', budget) : std::string_view::npos;
    if (cut == std::string_view::npos || cut == 0) cut = utf8_prefix(text, budget).size();  // one long word
    h.headline = std::string(trim_text(text.substr(0, cut)));
    while (!h.headline.empty() && std::strchr(",;:-", h.headline.back())) h.headline.pop_back();
    h.headline.append(kEllipsis);
    const std::string_view rest = trim_text(text.substr(cut));
    if (!rest.empty()) h.rest = std::string(kEllipsis) + std::string(rest);
    return h;
}

bool is_valid_utf8(std::string_view s) { return valid_utf8_prefix(s) == s.size(); }

std::string sanitize_utf8(std::string_view s) {
    std::size_t i = valid_utf8_prefix(s);
    if (i == s.size()) return std::string(s);
    std::string out;
    out.reserve(s.size() + 16);
    out.append(s.data(), i);
    const unsigned char* p = bytes(s);
    while (i < s.size()) {
        const Utf8Char u = decode_utf8(p + i, s.size() - i);
        if (u.valid) out.append(s.data() + i, u.len);
        else out.append(kReplacementUtf8);
        i += u.len;
        // Back on the fast path for the valid stretch that usually follows.
        const std::size_t run = valid_utf8_prefix(s.substr(i));
        out.append(s.data() + i, run);
        i += run;
    }
    return out;
}

std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    // s[max_bytes] is the first byte left out; if it continues a sequence, that sequence starts at
    // most 3 bytes back. Further back than that the bytes are not UTF-8 and any cut is as good.
    std::size_t k = max_bytes;
    while (k > 0 && max_bytes - k < 3 && is_continuation(static_cast<unsigned char>(s[k]))) --k;
    if (is_continuation(static_cast<unsigned char>(s[k]))) k = max_bytes;
    return s.substr(0, k);
}

}  // namespace nk::text
