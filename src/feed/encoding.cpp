// SPDX-License-Identifier: Apache-2.0
// encoding.cpp: feed bytes -> UTF-8. See encoding.h for the order of evidence.
// UTF-8 and windows-1252 (most feeds) are decoded by hand so they never pay for iconv;
// everything else goes through one iconv handle per call, owned by an RAII guard, so
// concurrent calls share nothing.
#include "feed/encoding.h"

#include "feed/bytes16.h"
#include "feed/utf8.h"

#include <iconv.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

namespace nk::encoding {
namespace {

using feed_detail::encode_utf8;

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// ---------------------------------------------------------------------------------------------
// Small ASCII helpers. Labels and declarations are ASCII by definition; locale-dependent
// <cctype> would make "I" lower to a dotless i under a Turkish locale.

constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

constexpr char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::string_view trim_space(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Servers and CMSs send charset="utf-8", 'utf-8' and " utf-8"; all mean the same label.
std::string normalize_label(std::string_view label) {
    auto junk = [](char c) { return is_space(c) || c == '"' || c == '\''; };
    while (!label.empty() && junk(label.front())) label.remove_prefix(1);
    while (!label.empty() && junk(label.back())) label.remove_suffix(1);
    std::string out(label);
    for (char& c : out) c = lower(c);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Labels. The WHATWG table is what browsers accept, so a feed that shows right in a browser
// shows right here. Deviations: UTF-32 is added (XML allows it, WHATWG does not), the GBK
// family decodes with GB18030 (its superset, as WHATWG's gbk decoder does), big5 with
// BIG5-HKSCS and shift_jis with CP932 (what Windows, and so most Japanese feeds, really
// write), iso-2022-jp with glibc's ISO-2022-JP-3 (accepts the half-width katakana escape
// ESC ( I that WHATWG's decoder accepts and glibc's ISO-2022-JP does not).
// "replacement" labels (iso-2022-kr, iso-2022-cn, hz-gb-2312) are left out on purpose: that
// rule guards browsers against script injection, which a kiosk does not run, so those fall
// through to iconv and get decoded when glibc knows them.

struct Encoding {
    std::string_view name;   // canonical, lower case
    const char* iconv_name;  // nullptr: decoded by hand
    std::string_view labels; // space separated, lower case
};

constexpr Encoding kEncodings[] = {
    {"utf-8", nullptr, "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8"},
    {"windows-1252", nullptr,
     "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 iso88591 "
     "iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252"},
    {"ibm866", "IBM866", "866 cp866 csibm866 ibm866"},
    {"iso-8859-2", "ISO-8859-2",
     "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2"},
    {"iso-8859-3", "ISO-8859-3",
     "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3"},
    {"iso-8859-4", "ISO-8859-4",
     "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4"},
    {"iso-8859-5", "ISO-8859-5",
     "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5 iso_8859-5:1988"},
    {"iso-8859-6", "ISO-8859-6",
     "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 iso-8859-6-e "
     "iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987"},
    {"iso-8859-7", "ISO-8859-7",
     "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7 iso88597 "
     "iso_8859-7 iso_8859-7:1987 sun_eu_greek"},
    {"iso-8859-8", "ISO-8859-8",
     "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8 iso88598 "
     "iso_8859-8 iso_8859-8:1988 visual"},
    {"iso-8859-8-i", "ISO-8859-8", "csiso88598i iso-8859-8-i logical"},
    {"iso-8859-10", "ISO-8859-10", "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6"},
    {"iso-8859-13", "ISO-8859-13", "iso-8859-13 iso8859-13 iso885913"},
    {"iso-8859-14", "ISO-8859-14", "iso-8859-14 iso8859-14 iso885914"},
    {"iso-8859-15", "ISO-8859-15", "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9"},
    {"iso-8859-16", "ISO-8859-16", "iso-8859-16"},
    {"koi8-r", "KOI8-R", "cskoi8r koi koi8 koi8-r koi8_r"},
    {"koi8-u", "KOI8-U", "koi8-ru koi8-u"},
    {"macintosh", "MACINTOSH", "csmacintosh mac macintosh x-mac-roman"},
    {"windows-874", "WINDOWS-874", "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874"},
    {"windows-1250", "WINDOWS-1250", "cp1250 windows-1250 x-cp1250"},
    {"windows-1251", "WINDOWS-1251", "cp1251 windows-1251 x-cp1251"},
    {"windows-1253", "WINDOWS-1253", "cp1253 windows-1253 x-cp1253"},
    {"windows-1254", "WINDOWS-1254",
     "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989 l5 latin5 "
     "windows-1254 x-cp1254"},
    {"windows-1255", "WINDOWS-1255", "cp1255 windows-1255 x-cp1255"},
    {"windows-1256", "WINDOWS-1256", "cp1256 windows-1256 x-cp1256"},
    {"windows-1257", "WINDOWS-1257", "cp1257 windows-1257 x-cp1257"},
    {"windows-1258", "WINDOWS-1258", "cp1258 windows-1258 x-cp1258"},
    {"x-mac-cyrillic", "MAC-UK", "x-mac-cyrillic x-mac-ukrainian"},
    {"gbk", "GB18030",
     "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk"},
    {"gb18030", "GB18030", "gb18030"},
    {"big5", "BIG5-HKSCS", "big5 big5-hkscs cn-big5 csbig5 x-x-big5"},
    {"euc-jp", "EUC-JP", "cseucpkdfmtjapanese euc-jp x-euc-jp"},
    {"iso-2022-jp", "ISO-2022-JP-3", "csiso2022jp iso-2022-jp"},
    {"shift_jis", "CP932", "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis"},
    {"euc-kr", "CP949",
     "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601 "
     "windows-949"},
    {"utf-16be", "UTF-16BE", "unicodefffe utf-16be"},
    {"utf-16le", "UTF-16LE", "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le"},
    // Not WHATWG; XML 1.0 Appendix F. A bare "utf-32" follows WHATWG's choice for "utf-16".
    {"utf-32be", "UTF-32BE", "utf-32be"},
    {"utf-32le", "UTF-32LE", "iso-10646-ucs-4 ucs-4 utf-32 utf-32le"},
    {"x-user-defined", nullptr, "x-user-defined"},
};

// Loose form for a second look-up: real feeds write "latin-1", "ISO8859_1", "utf_8", "cp-1252",
// which no table lists but every reader means the same way.
std::string loose(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s)
        if (c != '-' && c != '_' && c != '.' && c != ' ' && c != ':') out.push_back(c);
    return out;
}

template <class Match>
const Encoding* find_encoding(Match match) {
    for (const Encoding& e : kEncodings) {
        std::string_view rest = e.labels;
        while (!rest.empty()) {
            const size_t sp = rest.find(' ');
            if (match(rest.substr(0, sp))) return &e;
            if (sp == std::string_view::npos) break;
            rest.remove_prefix(sp + 1);
        }
    }
    return nullptr;
}

const iconv_t kBadHandle = reinterpret_cast<iconv_t>(static_cast<intptr_t>(-1));

class IconvHandle {
public:
    explicit IconvHandle(const char* from) : cd_(iconv_open("UTF-8", from)) {}
    ~IconvHandle() {
        if (cd_ != kBadHandle) iconv_close(cd_);
    }
    IconvHandle(const IconvHandle&) = delete;
    IconvHandle& operator=(const IconvHandle&) = delete;
    bool ok() const { return cd_ != kBadHandle; }
    iconv_t get() const { return cd_; }

private:
    iconv_t cd_;
};

// Labels reach iconv_open straight from feed bytes. glibc parses "//TRANSLIT"-style suffixes
// and would stop at an embedded NUL, so only plain charset-name characters are passed on.
bool plain_label(std::string_view s) {
    if (s.empty() || s.size() > 48) return false;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                        c == ':' || c == '(' || c == ')' || c == '+';
        if (!ok) return false;
    }
    return true;
}

struct Charset {
    std::string name;   // canonical, lower case
    std::string iconv;  // empty: decoded by hand
};

std::optional<Charset> resolve(std::string_view label) {
    const std::string l = normalize_label(label);
    if (l.empty()) return std::nullopt;
    const Encoding* e = find_encoding([&](std::string_view t) { return t == l; });
    if (!e) {
        const std::string ll = loose(l);
        e = find_encoding([&](std::string_view t) { return loose(t) == ll; });
    }
    if (e) return Charset{std::string(e->name), e->iconv_name ? e->iconv_name : ""};
    if (!plain_label(l) || !IconvHandle(l.c_str()).ok()) return std::nullopt;
    return Charset{l, l};
}

// Code unit width, for the names WHATWG knows and the glibc-only ones (ucs-2be, unicodelittle,
// ucs-4le ...): undecodable input must be skipped a whole unit at a time to stay aligned.
size_t unit_of(std::string_view name) {
    for (std::string_view p : {"utf-16", "utf16", "ucs-2", "ucs2", "unicodebig", "unicodelittle"})
        if (name.substr(0, p.size()) == p) return 2;
    for (std::string_view p : {"utf-32", "utf32", "ucs-4", "ucs4", "wchar_t"})
        if (name.substr(0, p.size()) == p) return 4;
    return 1;
}

bool is_wide(std::string_view name) { return unit_of(name) > 1; }

// ---------------------------------------------------------------------------------------------
// UTF-8.

// Skips ASCII 16 bytes at a time and lands on the first high byte without a byte loop: feed
// markup is mostly ASCII, and this is most of the cost of accepting a valid UTF-8 feed.
inline size_t skip_ascii(const unsigned char* p, size_t i, size_t n) {
    constexpr uint64_t kHigh = 0x8080808080808080ull;
    constexpr bool kLittle = std::endian::native == std::endian::little;
    while (i + 16 <= n) {
        uint64_t a, b;
        std::memcpy(&a, p + i, 8);
        std::memcpy(&b, p + i + 8, 8);
        if (((a | b) & kHigh) == 0) {
            i += 16;
            continue;
        }
        if constexpr (kLittle) {
            if ((a & kHigh) != 0) return i + static_cast<size_t>(std::countr_zero(a & kHigh) >> 3);
            return i + 8 + static_cast<size_t>(std::countr_zero(b & kHigh) >> 3);
        }
        break;
    }
    while (i < n && p[i] < 0x80) ++i;
    return i;
}

// ---------------------------------------------------------------------------------------------
// Validation, the common case: is the whole text valid UTF-8, and is there anything but ASCII?
// A byte walker is slow on text that mixes ASCII and accented letters (one unpredictable branch
// per letter, a tenth of the whole parse), and a table-driven state machine is no better (each
// step waits for the last). So sixteen bytes are checked at once, each against the three before
// it, with the compilers' vector extension (SSE2 on x86-64, NEON on arm64): a byte must be a
// continuation exactly when a lead byte 1, 2 or 3 back asks for one, no byte may be C0, C1 or
// F5-FF, and the second byte after E0, ED, F0 and F4 has a narrower range (no overlongs, no
// surrogates, nothing past U+10FFFF). That is RFC 3629's grammar, the same rule walk_utf8 applies.

struct FastCheck {
    bool valid = false;
    bool multibyte = false;  // any non-ASCII byte (in valid text: a multi-byte character)
    bool mojibake = true;    // a place where mojibake could start (C3 82-B4, then C2 C5 C6 CB or E2)
    bool places_listed = false;  // check_utf8 listed every such place (Decoded::mojibake_at)
};

// At most this many places where mojibake could start are listed per byte of text (and 64 more):
// real feeds have a handful in a whole document, and a document made of nothing else should not
// cost eight bytes of list for every three of text.
constexpr size_t kListedPlacesPerByte = 256;

#if NK_BYTES16
using feed_detail::any16;
using feed_detail::Bytes16;
using feed_detail::load16;

// For the 16 bytes at `cur`, given the three bytes before them: lanes that break the grammar,
// and lanes that end a place where mojibake could start (text::may_hold_mojibake's test, done
// here while the bytes are loaded anyway, so the parser can skip it for every field).
struct Block {
    Bytes16 errors, mojibake;
};
inline Block check_block(const unsigned char* cur, const unsigned char* p1, const unsigned char* p2, const unsigned char* p3) {
    const Bytes16 v = load16(cur), a = load16(p1), b = load16(p2), c = load16(p3);
    const auto is_cont = (v & 0xC0) == 0x80;
    const auto want_cont = (a >= 0xC0) | (b >= 0xE0) | (c >= 0xF0);
    const auto bad_byte = (v == 0xC0) | (v == 0xC1) | (v >= 0xF5);
    const auto bad_second = ((a == 0xE0) & (v < 0xA0)) | ((a == 0xED) & (v > 0x9F)) | ((a == 0xF0) & (v < 0x90)) |
                            ((a == 0xF4) & (v > 0x8F));
    const auto mojibake = (b == 0xC3) & (a >= 0x82) & (a <= 0xB4) &
                          ((v == 0xC2) | (v == 0xC5) | (v == 0xC6) | (v == 0xCB) | (v == 0xE2));
    return {reinterpret_cast<Bytes16>((is_cont ^ want_cont) | bad_byte | bad_second), reinterpret_cast<Bytes16>(mojibake)};
}

// `places`, when given, receives the offset of every place where mojibake could start, in order
// (the parser then asks it, not each field's bytes; see Decoded::mojibake_at).
FastCheck check_utf8(std::string_view in, std::vector<size_t>* places = nullptr) {
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    const size_t n = in.size();
    Bytes16 errors{}, high{}, mojibake{};
    const size_t max_places = n / kListedPlacesPerByte + 64;
    bool listed = places != nullptr;
    // `at` is the offset of the block's first lane; a lane marks the third byte of a place, so the
    // place starts two before it (never before the text: the bytes there would be zeros or ASCII).
    auto add = [&](const Block& b, size_t at = 0) {
        errors |= b.errors;
        mojibake |= b.mojibake;
        if (!listed || !any16(b.mojibake)) return;
        std::uint64_t half[2];
        std::memcpy(half, &b.mojibake, 16);
        for (size_t h = 0; h < 2; ++h)
            for (std::uint64_t m = half[h]; m != 0;) {
                const size_t k = static_cast<size_t>(std::countr_zero(m)) / 8;
                m &= ~(std::uint64_t{0xFF} << (8 * k));  // a set lane is all ones
                if (places->size() >= max_places) {
                    listed = false;
                    places->clear();
                    return;
                }
                places->push_back(at + h * 8 + k - 2);
            }
    };
    // The first and the last block go through a zero-padded copy: zeros before the text are "no
    // lead byte", and the zero right after it fails any character the text leaves unfinished
    // (the tail is under 16 bytes, so that position is always in the last block).
    unsigned char edge[3 + 16] = {};
    size_t i = 0;
    if (n >= 16) {
        std::memcpy(edge + 3, p, 16);
        add(check_block(edge + 3, edge + 2, edge + 1, edge), 0);
        high |= load16(p);
        for (i = 16; i + 16 <= n; i += 16) {
            // An ASCII block after ASCII can break no rule and start no mojibake: most of a feed's
            // markup is that, and two loads say so.
            uint64_t w0, w1;
            std::memcpy(&w0, p + i, 8);
            std::memcpy(&w1, p + i + 8, 8);
            if (((w0 | w1) & 0x8080808080808080ull) == 0 && ((p[i - 1] | p[i - 2] | p[i - 3]) & 0x80) == 0) continue;
            add(check_block(p + i, p + i - 1, p + i - 2, p + i - 3), i);
            high |= load16(p + i);
            // A Latin-1 document fails at its first accented letter: no need to read the rest.
            if ((i & 255) == 0 && any16(errors)) return {};
        }
        std::memcpy(edge, p + i - 3, 3);
    }
    std::memset(edge + 3, 0, 16);
    if (n > i) std::memcpy(edge + 3, p + i, n - i);
    add(check_block(edge + 3, edge + 2, edge + 1, edge), i);
    high |= load16(edge + 3);
    return {!any16(errors), any16(high & 0x80), any16(mojibake), listed};
}
#else
FastCheck check_utf8(std::string_view in, std::vector<size_t>* places = nullptr);  // below, from walk_utf8
#define NK_CHECK_WITH_WALKER 1
#endif


// ---------------------------------------------------------------------------------------------
// windows-1252. The row 0x80-0x9F is where it differs from ISO-8859-1 (curly quotes, dashes,
// euro) and is written out by hand; the five holes (0x81 0x8D 0x8F 0x90 0x9D) map to the C1
// controls of the same value, as WHATWG does, rather than to U+FFFD as glibc does. 0x00-0x7F
// and 0xA0-0xFF are the code points of the same value.

constexpr uint16_t kCp1252Row8[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 80-87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,  // 88-8F
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 90-97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,  // 98-9F
};

struct Utf8Char {
    char bytes[3] = {};
    uint8_t len = 0;
};
static_assert(sizeof(Utf8Char) == 4, "from_windows_1252 stores a whole Utf8Char at once");

constexpr std::array<Utf8Char, 256> make_cp1252_table() {
    std::array<Utf8Char, 256> t{};
    for (uint32_t b = 0; b < 256; ++b) {
        const uint32_t cp = (b >= 0x80 && b < 0xA0) ? kCp1252Row8[b - 0x80] : b;
        t[b].len = static_cast<uint8_t>(encode_utf8(cp, t[b].bytes));
    }
    return t;
}

constexpr std::array<Utf8Char, 256> kCp1252 = make_cp1252_table();

struct Utf8Scan {
    size_t invalid = 0;    // maximal invalid subparts (smart ones included)
    size_t smart = 0;      // of those, lone 0x80-0x9F bytes that are windows-1252 punctuation
    size_t multibyte = 0;  // valid sequences of 2-4 bytes
};

// A lone byte 0x91-0x97 (and the few other punctuation bytes of windows-1252's 0x80 row) can
// never be UTF-8, but it is what a Word paste leaves in a UTF-8 feed for ’ “ ” – — … ™: the
// sanitizer reads it as windows-1252 rather than losing the apostrophe of "don’t" to U+FFFD.
// Only between ASCII (or other such bytes): next to other high bytes it is more likely a broken
// sequence, which keeps WHATWG's U+FFFD, as do the row's letters, the euro and the holes.
constexpr bool is_smart_byte(unsigned char b) {
    switch (b) {
        case 0x82: case 0x84: case 0x85: case 0x8B: case 0x91: case 0x92: case 0x93:
        case 0x94: case 0x95: case 0x96: case 0x97: case 0x99: case 0x9B: return true;
        default: return false;
    }
}

enum class Walk { Count, Sanitize };

// One walker for counting and repairing, so the two can never disagree on what is invalid
// (check_utf8 above only says yes or no, and agrees with it: both follow RFC 3629). Repair
// follows WHATWG (and Unicode's "maximal subpart" practice): a lead byte plus the continuation
// bytes that were still acceptable become one U+FFFD, and the byte that broke the sequence is
// read again as the start of the next one.
template <Walk mode>
Utf8Scan walk_utf8(std::string_view in, std::string* out) {
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    const size_t n = in.size();
    Utf8Scan s;
    size_t i = 0;
    size_t copied = 0;
    size_t smart_end = 0;  // just past the last smart byte read as windows-1252
    while (i < n) {
        if (p[i] < 0x80) {
            i = skip_ascii(p, i, n);
            if (i >= n) break;
        }
        const unsigned char b = p[i];
        // The common valid 2- and 3-byte shapes first; anything else takes the careful path.
        if (b >= 0xC2 && b <= 0xDF && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
            ++s.multibyte;
            i += 2;
            continue;
        }
        if (b >= 0xE1 && b <= 0xEC && i + 2 < n && (p[i + 1] & 0xC0) == 0x80 && (p[i + 2] & 0xC0) == 0x80) {
            ++s.multibyte;
            i += 3;
            continue;
        }
        size_t need = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2;
            if (b == 0xE0) lo = 0xA0;       // overlong
            else if (b == 0xED) hi = 0x9F;  // surrogates
        } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3;
            if (b == 0xF0) lo = 0x90;       // overlong
            else if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
        }
        size_t j = i + 1;
        size_t got = 0;
        while (got < need && j < n && p[j] >= lo && p[j] <= hi) {
            lo = 0x80;
            hi = 0xBF;
            ++j;
            ++got;
        }
        if (need != 0 && got == need) {
            ++s.multibyte;
            i = j;
            continue;
        }
        ++s.invalid;
        const bool smart = j == i + 1 && is_smart_byte(b) && (i == 0 || p[i - 1] < 0x80 || smart_end == i) &&
                           (j == n || p[j] < 0x80 || is_smart_byte(p[j]));
        if (smart) smart_end = j;
        s.smart += smart;
        if constexpr (mode == Walk::Sanitize) {
            out->append(in.data() + copied, i - copied);
            if (smart) out->append(kCp1252[b].bytes, kCp1252[b].len);
            else out->append(kReplacement);
            copied = j;
        }
        i = j;
    }
    if constexpr (mode == Walk::Sanitize) out->append(in.data() + copied, n - copied);
    return s;
}

#ifdef NK_CHECK_WITH_WALKER
FastCheck check_utf8(std::string_view in, std::vector<size_t>*) {
    const Utf8Scan scan = walk_utf8<Walk::Count>(in, nullptr);
    return {scan.invalid == 0, scan.multibyte != 0, true, false};
}
#endif

// Two passes (size, then fill) so a 50 MB feed is one allocation and no reallocation. Both are
// free of data-dependent branches but one per sixteen bytes: in Latin-1 prose an accented letter
// comes every few words, and a branch on each (or on each eight-byte word) was mispredicted a
// quarter of the time, most of the conversion's cost (cachegrind --branch-sim).
// `mojibake` is set when the output may hold a place where mojibake starts (text::may_hold_mojibake
// would say so): in the output that is C3 82..B4 followed by C2, C5, C6, CB or E2, which only a
// byte C2..F4 followed by a byte 80..BF can give (every 0x80-0xBF byte of windows-1252 is written
// with one of those leads, and no other character with C3). So the parser needs no second look.
void from_windows_1252(std::string_view in, std::string& out, bool& mojibake) {
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    const size_t n = in.size();
    // Every high byte becomes two bytes or three (the 0x80-0x9F row): room for three each is an
    // upper bound counted a word at a time without a branch, and the output is cut to size at the end.
    constexpr uint64_t kHigh = 0x8080808080808080ull, kOnes = 0x0101010101010101ull;
    size_t high = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        high += static_cast<size_t>((((w & kHigh) >> 7) * kOnes) >> 56);  // bytes summed (no popcnt in x86-64 v1)
    }
    for (; i < n; ++i) high += p[i] >> 7;
    const size_t extra = 2 * high;

    // Written over `out` so that a buffer the caller keeps between documents is reused (see
    // to_utf8_view): its pages are already mapped.
    out.clear();
    out.resize(n + extra + 3);  // +3: room for the whole-Utf8Char stores below
    char* o = out.data();
    bool moj = false;
    // Sixteen bytes at a time; markup and URLs are long ASCII runs, copied as they are. A block with
    // a high byte stores one four-byte table entry per character (its bytes, then its length, which
    // the next store overwrites): no length-dependent copy to branch on.
    i = 0;
    for (; i + 16 <= n; i += 16) {
        uint64_t a, b;
        std::memcpy(&a, p + i, 8);
        std::memcpy(&b, p + i + 8, 8);
        if (((a | b) & kHigh) == 0) {
            std::memcpy(o, p + i, 16);
            o += 16;
            continue;
        }
#if NK_BYTES16
        if (i + 17 <= n) {
            const feed_detail::Bytes16 v = feed_detail::load16(p + i), next = feed_detail::load16(p + i + 1);
            moj |= feed_detail::any16((v >= 0xC2) & (v <= 0xF4) & (next >= 0x80) & (next <= 0xBF));
        } else {
            for (size_t k = i; k + 1 < n && k < i + 16; ++k)
                moj |= p[k] >= 0xC2 && p[k] <= 0xF4 && p[k + 1] >= 0x80 && p[k + 1] <= 0xBF;
        }
#else
        for (size_t k = i; k + 1 < n && k < i + 16; ++k)
            moj |= p[k] >= 0xC2 && p[k] <= 0xF4 && p[k + 1] >= 0x80 && p[k + 1] <= 0xBF;
#endif
        for (size_t k = i; k < i + 16; ++k) {
            const Utf8Char& c = kCp1252[p[k]];
            std::memcpy(o, &c, 4);
            o += c.len;
        }
    }
    for (; i < n; ++i) {
        const Utf8Char& c = kCp1252[p[i]];
        std::memcpy(o, &c, 4);
        o += c.len;
        moj |= p[i] >= 0xC2 && p[i] <= 0xF4 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0xBF;
    }
    out.resize(static_cast<size_t>(o - out.data()));
    mojibake = moj;
}

// WHATWG x-user-defined: high bytes to the private-use block U+F780-U+F7FF.
std::string from_x_user_defined(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (char ch : in) {
        const auto b = static_cast<unsigned char>(ch);
        char buf[3];
        const size_t len = encode_utf8(b < 0x80 ? b : 0xF780u + (b - 0x80u), buf);
        out.append(buf, len);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// iconv. One call converts as far as it can; each stop is handled and the call resumed, so the
// whole input is one pass. `unit` is how far to step past an undecodable spot: one byte resyncs
// a byte-oriented multibyte encoding, but UTF-16/32 must keep their code-unit alignment.

bool from_iconv(std::string_view in, const char* from, size_t unit, std::string& out, size_t& replaced) {
    IconvHandle cd(from);
    if (!cd.ok()) return false;
    out.assign(in.size() + in.size() / 2 + 16, '\0');
    size_t used = 0;
    auto reserve = [&](size_t need) {
        if (out.size() - used < need) out.resize(out.size() * 2 + need);
    };
    auto emit_replacement = [&] {
        reserve(kReplacement.size());
        std::memcpy(out.data() + used, kReplacement.data(), kReplacement.size());
        used += kReplacement.size();
        ++replaced;
    };

    // glibc's prototype takes char** for input it never writes.
    char* inp = const_cast<char*>(in.data());
    size_t inleft = in.size();
    bool flushing = false;  // input consumed; ask a stateful decoder to emit what it holds
    for (;;) {
        char* outp = out.data() + used;
        size_t outleft = out.size() - used;
        const size_t r = flushing ? iconv(cd.get(), nullptr, nullptr, &outp, &outleft)
                                  : iconv(cd.get(), &inp, &inleft, &outp, &outleft);
        const int err = errno;
        used = static_cast<size_t>(outp - out.data());
        if (r != static_cast<size_t>(-1)) {
            if (flushing) break;
            flushing = true;
            continue;
        }
        if (err == E2BIG) {
            out.resize(out.size() * 2);
            continue;
        }
        if (flushing) break;  // nothing left to resync
        if (err == EINVAL) {  // input ends inside a character
            emit_replacement();
            inleft = 0;
            flushing = true;
            continue;
        }
        // EILSEQ, or anything unexpected: replace and step past, so the loop always advances.
        emit_replacement();
        const size_t skip = inleft < unit ? inleft : unit;
        inp += skip;
        inleft -= skip;
    }
    out.resize(used);
    return true;
}

// ---------------------------------------------------------------------------------------------
// Sniffing.

struct Sniff {
    std::string_view name;  // "" when nothing was found
    size_t bom = 0;         // bytes to drop
    size_t unit = 1;        // code unit size of the sniffed encoding
    size_t ascii_at = 0;    // which byte of a code unit carries the ASCII value
};

Sniff sniff_bom(std::string_view b) {
    auto u = [&](size_t i) { return i < b.size() ? static_cast<unsigned char>(b[i]) : 0x100u; };
    // FF FE 00 00 is UTF-32LE, not UTF-16LE then U+0000: XML cannot contain U+0000.
    if (u(0) == 0xFF && u(1) == 0xFE && u(2) == 0 && u(3) == 0) return {"utf-32le", 4, 4, 0};
    if (u(0) == 0 && u(1) == 0 && u(2) == 0xFE && u(3) == 0xFF) return {"utf-32be", 4, 4, 3};
    if (u(0) == 0xEF && u(1) == 0xBB && u(2) == 0xBF) return {"utf-8", 3, 1, 0};
    if (u(0) == 0xFF && u(1) == 0xFE) return {"utf-16le", 2, 2, 0};
    if (u(0) == 0xFE && u(1) == 0xFF) return {"utf-16be", 2, 2, 1};
    return {};
}

// XML 1.0 Appendix F without a BOM: a document starts with '<' (or white space), so its first
// code unit shows the width and byte order. Generalised from "<?" to any '<'/space followed by
// ASCII, so a declaration-less UTF-16 feed is found too.
Sniff sniff_wide(std::string_view b) {
    if (b.size() < 4) return {};
    auto u = [&](size_t i) { return static_cast<unsigned char>(b[i]); };
    auto start = [](unsigned c) { return c == '<' || c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    if (u(0) == 0 && u(1) == 0 && u(2) == 0 && start(u(3))) return {"utf-32be", 0, 4, 3};
    if (start(u(0)) && u(1) == 0 && u(2) == 0 && u(3) == 0) return {"utf-32le", 0, 4, 0};
    if (u(0) == 0 && start(u(1)) && u(2) == 0 && u(3) != 0 && u(3) < 0x80) return {"utf-16be", 0, 2, 1};
    if (start(u(0)) && u(1) == 0 && u(2) != 0 && u(2) < 0x80 && u(3) == 0) return {"utf-16le", 0, 2, 0};
    return {};
}

// The ASCII the first code units spell, enough to read a declaration in UTF-16/32.
std::string ascii_prefix(std::string_view b, const Sniff& s) {
    std::string out;
    for (size_t i = s.bom; i + s.unit <= b.size() && out.size() < 1024; i += s.unit) {
        const auto c = static_cast<unsigned char>(b[i + s.ascii_at]);
        if (c == 0 || c >= 0x80) break;
        for (size_t k = 0; k < s.unit; ++k)
            if (k != s.ascii_at && b[i + k] != 0) return out;
        out.push_back(static_cast<char>(c));
    }
    return out;
}

// Where the value of encoding="..." sits in a leading XML declaration. Leading white space is
// tolerated (PHP templates often emit a newline first); the scan is bounded so a huge
// unterminated declaration costs nothing.
struct Span {
    size_t pos = 0;
    size_t len = 0;
    bool found = false;
};

Span find_declared_encoding(std::string_view b) {
    size_t i = 0;
    while (i < b.size() && is_space(b[i])) ++i;
    if (b.substr(i, 5) != "<?xml") return {};
    i += 5;
    if (i >= b.size() || !is_space(b[i])) return {};  // "<?xml-stylesheet" is not a declaration
    const size_t end = b.size() < i + 1024 ? b.size() : i + 1024;
    for (;;) {
        while (i < end && is_space(b[i])) ++i;
        const size_t name_at = i;
        while (i < end && ((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= 'A' && b[i] <= 'Z') || b[i] == '_'))
            ++i;
        if (i == name_at) return {};
        const std::string_view name = b.substr(name_at, i - name_at);
        while (i < end && is_space(b[i])) ++i;
        if (i >= end || b[i] != '=') return {};
        ++i;
        while (i < end && is_space(b[i])) ++i;
        if (i >= end || (b[i] != '"' && b[i] != '\'')) return {};
        const char quote = b[i++];
        const size_t close = b.find(quote, i);
        if (close == std::string_view::npos || close >= end) return {};
        if (iequals(name, "encoding")) return {i, close - i, true};
        i = close + 1;
    }
}

bool ascii_compatible_start(std::string_view b) {
    return b.size() >= 2 && (b[0] == '<' || is_space(b[0])) && b[1] != 0;
}

// ---------------------------------------------------------------------------------------------
// Choosing and decoding.

// Warnings end up in logs and JSON, and a label comes straight from the feed or the server:
// keep it printable ASCII (so valid UTF-8) and short.
std::string quoted(std::string_view label) {
    constexpr size_t kMax = 64;
    constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (size_t i = 0; i < label.size() && i < kMax; ++i) {
        const auto c = static_cast<unsigned char>(label[i]);
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            out.push_back(static_cast<char>(c));
        } else {
            out += "\\x";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
    }
    if (label.size() > kMax) out += "...";
    out.push_back('"');
    return out;
}

enum class Source { Bom, Override, Sniffed, Declaration, Http, Default };

struct Choice {
    Charset cs;
    Source src = Source::Default;
    size_t skip = 0;  // BOM length
    size_t unit = 1;
};

Choice choose(std::string_view bytes, std::string_view http_charset, std::string_view override_charset,
              std::vector<std::string>& warnings) {
    if (const Sniff s = sniff_bom(bytes); !s.name.empty())
        return {*resolve(s.name), Source::Bom, s.bom, s.unit};

    if (const std::string_view o = trim_space(override_charset); !o.empty()) {
        if (auto cs = resolve(o)) {
            const size_t unit = unit_of(cs->name);
            return {std::move(*cs), Source::Override, 0, unit};
        }
        warnings.push_back("unknown charset " + quoted(o) + " in the feed's encoding setting; ignored");
    }

    if (const Sniff s = sniff_wide(bytes); !s.name.empty()) {
        // The bytes' shape beats whatever the declaration claims; a contradiction is reported.
        const std::string decl = declared_encoding(ascii_prefix(bytes, s));
        if (!decl.empty()) {
            const auto cs = resolve(decl);
            if (!cs || unit_of(cs->name) != s.unit)
                warnings.push_back("XML declaration says " + quoted(decl) + " but the bytes are " +
                                   std::string(s.name) + "; read as " + std::string(s.name));
        }
        return {*resolve(s.name), Source::Sniffed, 0, s.unit};
    }

    std::string unknown;  // an unknown declared label, reported once the fallback is known
    const std::string decl = declared_encoding(bytes);
    if (!decl.empty()) {
        if (auto cs = resolve(decl); !cs) {
            unknown = "unknown charset " + quoted(decl) + " in XML declaration";
        } else if (is_wide(cs->name)) {
            // We read the declaration as ASCII, so the bytes cannot be UTF-16/32.
            warnings.push_back("XML declaration says " + quoted(decl) + " but the bytes are not UTF-16/32; ignored");
        } else {
            return {std::move(*cs), Source::Declaration, 0, 1};
        }
    }

    if (!trim_space(http_charset).empty()) {
        const std::string label(trim_space(http_charset));
        if (auto cs = resolve(label); !cs) {
            warnings.push_back("unknown charset " + quoted(label) + " in HTTP Content-Type; ignored");
        } else if (is_wide(cs->name) && ascii_compatible_start(bytes)) {
            warnings.push_back("HTTP charset " + quoted(label) + " but the bytes are not UTF-16/32; ignored");
        } else {
            if (!unknown.empty()) warnings.push_back(unknown + "; read as " + cs->name + " (HTTP charset)");
            const size_t unit = unit_of(cs->name);
            return {std::move(*cs), Source::Http, 0, unit};
        }
    }

    if (!unknown.empty()) warnings.push_back(unknown + "; read as UTF-8");
    return {Charset{"utf-8", ""}, Source::Default, 0, 1};
}

const char* where(Source src) { return src == Source::Declaration ? "in XML declaration" : "by HTTP charset"; }

// Text that needs no change is either copied into d.utf8 or, when `borrow` is given, left where it
// is: *borrow is set to it and d.utf8 stays empty.
void keep(std::string_view body, Decoded& d, std::string_view* borrow) {
    if (borrow) *borrow = body;
    else d.utf8.assign(body);
    d.charset = "utf-8";
}

void decode_utf8(std::string_view body, Source src, Decoded& d, std::string_view* borrow) {
    if (const FastCheck f = check_utf8(body, borrow ? &d.mojibake_at : nullptr); f.valid) {
        d.mojibake_possible = f.mojibake;
        d.mojibake_at_complete = f.places_listed;
        return keep(body, d, borrow);
    }
    d.mojibake_at.clear();
    const Utf8Scan scan = walk_utf8<Walk::Count>(body, nullptr);
    // Undeclared bytes that are not UTF-8 are nearly always a legacy Western feed; a declared
    // UTF-8 feed with not one valid multi-byte sequence is the same feed with a wrong label.
    // A BOM is deliberate, so it only ever gets repaired.
    const bool declared = src == Source::Declaration || src == Source::Http;
    if (src == Source::Default || (declared && scan.multibyte == 0)) {
        from_windows_1252(body, d.utf8, d.mojibake_possible);
        d.charset = "windows-1252";
        if (src == Source::Default)
            d.warnings.push_back("undeclared charset; bytes are not UTF-8, read as windows-1252");
        else
            d.warnings.push_back(std::string("UTF-8 declared ") + where(src) +
                                 " but bytes are not UTF-8 (no multi-byte sequence); read as windows-1252");
        return;
    }
    d.utf8.clear();
    d.utf8.reserve(body.size() + 2 * scan.invalid);
    walk_utf8<Walk::Sanitize>(body, &d.utf8);
    d.charset = "utf-8";
    if (scan.smart != 0)
        d.warnings.push_back(std::to_string(scan.smart) + " stray windows-1252 punctuation byte(s) in UTF-8 read as windows-1252");
    if (scan.invalid != scan.smart)
        d.warnings.push_back(std::to_string(scan.invalid - scan.smart) + " invalid UTF-8 sequence(s) replaced with U+FFFD");
}

void decode(std::string_view body, const Choice& c, Decoded& d, std::string_view* borrow) {
    const std::string& name = c.cs.name;
    if (name == "utf-8") return decode_utf8(body, c.src, d, borrow);
    if (name == "windows-1252") {
        // Servers that default to ISO-8859-1 and CMS templates that hard-code it label UTF-8
        // feeds as Latin-1. Real Latin-1 text that is also valid UTF-8 with a multi-byte
        // sequence in it is vanishingly rare, so that shape wins over the label. Real Latin-1
        // fails the check at its first accented letter, so it costs next to nothing.
        if (c.src == Source::Declaration || c.src == Source::Http) {
            if (const FastCheck f = check_utf8(body, borrow ? &d.mojibake_at : nullptr); f.valid && f.multibyte) {
                keep(body, d, borrow);
                d.mojibake_possible = f.mojibake;
                d.mojibake_at_complete = f.places_listed;
                d.warnings.push_back(std::string("windows-1252 declared ") + where(c.src) +
                                     " but bytes are valid UTF-8; read as UTF-8");
                return;
            }
        }
        d.mojibake_at.clear();
        from_windows_1252(body, d.utf8, d.mojibake_possible);
        d.charset = name;
        return;
    }
    if (name == "x-user-defined") {
        d.utf8 = from_x_user_defined(body);
        d.charset = name;
        return;
    }
    size_t replaced = 0;
    if (!from_iconv(body, c.cs.iconv.c_str(), c.unit, d.utf8, replaced)) {
        // Known label, but this system's iconv lacks the module (minimal containers do).
        d.warnings.push_back("iconv cannot convert from " + name + "; read as UTF-8");
        return decode_utf8(body, Source::Default, d, nullptr);
    }
    d.charset = name;
    // Some glibc decoders (UCS-4, UTF-7) can produce code points UTF-8 does not allow; the
    // output contract is valid UTF-8 whatever the converter did.
    if (const Utf8Scan s = walk_utf8<Walk::Count>(d.utf8, nullptr); s.invalid != 0) {
        std::string fixed;
        walk_utf8<Walk::Sanitize>(d.utf8, &fixed);
        d.utf8 = std::move(fixed);
        replaced += s.invalid;
    }
    if (replaced != 0)
        d.warnings.push_back(std::to_string(replaced) + " invalid byte sequence(s) in " + name +
                             " replaced with U+FFFD");
}

// The output is UTF-8, so a declaration that names another charset would now be a lie.
void rewrite_declaration(std::string& s) {
    const Span sp = find_declared_encoding(s);
    if (sp.found && !iequals(std::string_view(s).substr(sp.pos, sp.len), "utf-8")) s.replace(sp.pos, sp.len, "UTF-8");
}

}  // namespace

std::string charset_from_content_type(std::string_view ct) {
    size_t i = ct.find(';');
    if (i == std::string_view::npos) return "";
    while (i < ct.size()) {
        ++i;  // past ';'
        const size_t name_at = i;
        while (i < ct.size() && ct[i] != '=' && ct[i] != ';') ++i;
        const std::string_view name = trim_space(ct.substr(name_at, i - name_at));
        if (i >= ct.size() || ct[i] == ';') continue;
        ++i;  // past '='
        while (i < ct.size() && is_space(ct[i])) ++i;
        std::string value;
        if (i < ct.size() && ct[i] == '"') {
            // RFC 9110 quoted-string: a backslash escapes the next character.
            for (++i; i < ct.size() && ct[i] != '"'; ++i) {
                if (ct[i] == '\\' && i + 1 < ct.size()) ++i;
                value.push_back(ct[i]);
            }
            while (i < ct.size() && ct[i] != ';') ++i;
        } else {
            const size_t v_at = i;
            while (i < ct.size() && ct[i] != ';') ++i;
            value = std::string(trim_space(ct.substr(v_at, i - v_at)));
        }
        if (iequals(name, "charset")) return std::string(trim_space(value));
    }
    return "";
}

std::string declared_encoding(std::string_view bytes) {
    const Span sp = find_declared_encoding(bytes);
    if (!sp.found) return "";
    return std::string(trim_space(bytes.substr(sp.pos, sp.len)));
}

std::string canonical_charset(std::string_view label) {
    auto cs = resolve(label);
    return cs ? std::move(cs->name) : std::string();
}

Decoded to_utf8(std::string_view bytes, std::string_view http_charset, std::string_view override_charset) {
    Decoded d;
    const std::string_view text = to_utf8_view(bytes, d, http_charset, override_charset);
    if (d.utf8.empty()) d.utf8.assign(text);
    else d.utf8.erase(0, d.utf8.size() - text.size());  // text is what follows any extra BOM
    rewrite_declaration(d.utf8);
    d.mojibake_at.clear();  // offsets into the text before its declaration was rewritten
    d.mojibake_at_complete = false;
    return d;
}

std::string_view to_utf8_view(std::string_view bytes, Decoded& d, std::string_view http_charset,
                              std::string_view override_charset) {
    const Choice c = choose(bytes, http_charset, override_charset, d.warnings);
    std::string_view borrowed;
    decode(bytes.substr(c.skip), c, d, &borrowed);
    std::string_view text = d.utf8.empty() ? borrowed : std::string_view(d.utf8);
    // A second BOM after the first (concatenated files, double-encoding editors) would reach
    // tinyxml2 as text before the root element.
    size_t boms = 0;
    while (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3), boms += 3;
    if (!d.mojibake_at_complete) d.mojibake_at.clear();
    // Offsets into `text`: no place starts inside a BOM (EF BB BF, never C3).
    for (size_t& at : d.mojibake_at) at -= boms;
    return text;
}

}  // namespace nk::encoding
