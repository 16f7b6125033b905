// SPDX-License-Identifier: Apache-2.0
// test_encoding.cpp: feed bytes -> UTF-8 (src/core/encoding). One fixture per real-world quirk
// in tests/data/encoding-*.xml, plus unit tests for labels, sniffing order and repair.
#include "feed/encoding.h"
#include "feed/text.h"
#include "helpers.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

using nk::encoding::canonical_charset;
using nk::encoding::charset_from_content_type;
using nk::encoding::declared_encoding;
using nk::encoding::Decoded;
using nk::encoding::to_utf8;

namespace {

// Strict UTF-8 check (RFC 3629), written independently of the code under test.
bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        size_t len = 0;
        unsigned cp = 0;
        if (b < 0x80) {
            ++i;
            continue;
        } else if ((b & 0xE0) == 0xC0) {
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
        if (i + len > s.size()) return false;
        for (size_t k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3Fu);
        }
        const unsigned min = len == 2 ? 0x80u : len == 3 ? 0x800u : 0x10000u;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

bool contains(const std::string& hay, std::string_view needle) { return hay.find(needle) != std::string::npos; }

bool any_warning(const Decoded& d, std::string_view needle) {
    return std::any_of(d.warnings.begin(), d.warnings.end(), [&](const std::string& w) { return contains(w, needle); });
}

size_t count(const std::string& hay, std::string_view needle) {
    size_t n = 0;
    for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + needle.size())) ++n;
    return n;
}

// What every conversion must give whatever the input: valid UTF-8, no BOM, and a declaration
// (if any) that names UTF-8.
void check_output_contract(const Decoded& d) {
    CHECK(valid_utf8(d.utf8));
    CHECK(d.utf8.rfind("\xEF\xBB\xBF", 0) != 0);
    const std::string decl = declared_encoding(d.utf8);
    if (!decl.empty()) CHECK(decl == "UTF-8");
    CHECK(!d.charset.empty());
}

Decoded fixture(const std::string& name, std::string_view http = {}) {
    Decoded d = to_utf8(nk::test::fixture(name), http);
    INFO("fixture " << name << " read as " << d.charset);
    check_output_contract(d);
    return d;
}

const std::string kFFFD = "\xEF\xBF\xBD";

}  // namespace

// ---------------------------------------------------------------------------------------------
// Fixtures.

TEST_CASE("fixture: UTF-8 with BOM beats an ISO-8859-1 declaration", "[encoding]") {
    const Decoded d = fixture("encoding-utf8-bom.xml");
    CHECK(d.charset == "utf-8");
    CHECK(d.warnings.empty());
    CHECK(d.utf8.rfind("<?xml", 0) == 0);
    CHECK(contains(d.utf8, "Café crème für Zoë – naïve"));
    CHECK(contains(d.utf8, "encoding=\"UTF-8\""));
}

TEST_CASE("fixture: UTF-16LE with BOM", "[encoding]") {
    const Decoded d = fixture("encoding-utf16le-bom.xml");
    CHECK(d.charset == "utf-16le");
    CHECK(d.warnings.empty());
    CHECK(d.utf8.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0) == 0);
    CHECK(contains(d.utf8, "Ünïcödé wide feed – 日本語 ✓"));
    CHECK(contains(d.utf8, "Surrogate pair: \xF0\x9F\x98\x80"));
}

TEST_CASE("fixture: UTF-16BE without BOM, found by Appendix F and its declaration", "[encoding]") {
    const Decoded d = fixture("encoding-utf16be-nobom-declared.xml");
    CHECK(d.charset == "utf-16be");
    CHECK(d.warnings.empty());
    CHECK(d.utf8.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0) == 0);
    CHECK(contains(d.utf8, "Ελληνικά νέα χωρίς BOM"));
}

TEST_CASE("fixture: ISO-8859-1 declared with 0x80-0x9F bytes reads as windows-1252", "[encoding]") {
    const Decoded d = fixture("encoding-iso8859-1-declared-c1-quotes.xml");
    CHECK(d.charset == "windows-1252");
    CHECK(d.warnings.empty());
    CHECK(contains(d.utf8, "<title>“Quoted” – dash €5</title>"));
    CHECK(contains(d.utf8, "Größe naïve"));
    CHECK(contains(d.utf8, "encoding=\"UTF-8\""));
    CHECK(!contains(d.utf8, "ISO-8859-1\"?>"));
}

TEST_CASE("fixture: undeclared Latin-1 German feed reads as windows-1252 with a warning", "[encoding]") {
    const Decoded d = fixture("encoding-latin1-undeclared-german.xml");
    CHECK(d.charset == "windows-1252");
    CHECK(contains(d.utf8, "Müller gewinnt Straßenlauf in Köln"));
    CHECK(contains(d.utf8, "Schöne Grüße, Übermaß"));
    CHECK(!contains(d.utf8, kFFFD));
    CHECK(any_warning(d, "undeclared charset"));
}

TEST_CASE("fixture: windows-1251 Russian", "[encoding]") {
    const Decoded d = fixture("encoding-windows1251-russian.xml");
    CHECK(d.charset == "windows-1251");
    CHECK(d.warnings.empty());
    CHECK(contains(d.utf8, "Москва: новый мост открыт — «ура»"));
    CHECK(contains(d.utf8, "Ёлки, ёжики"));
}

TEST_CASE("fixture: Shift_JIS declared, with a windows-31j-only character", "[encoding]") {
    const Decoded d = fixture("encoding-shift-jis-japanese.xml");
    CHECK(d.charset == "shift_jis");
    CHECK(d.warnings.empty());
    CHECK(contains(d.utf8, "東京で新しい駅が開業①"));
    CHECK(contains(d.utf8, "ｶﾀｶﾅ半角"));
}

TEST_CASE("fixture: EUC-JP", "[encoding]") {
    const Decoded d = fixture("encoding-euc-jp.xml");
    CHECK(d.charset == "euc-jp");
    CHECK(d.warnings.empty());
    CHECK(contains(d.utf8, "大阪の天気は晴れ"));
}

TEST_CASE("fixture: GB2312 declared, GBK characters read through GB18030", "[encoding]") {
    const Decoded d = fixture("encoding-gb2312-chinese.xml");
    CHECK(d.charset == "gbk");
    CHECK(d.warnings.empty());
    CHECK(contains(d.utf8, "北京今日天气晴朗"));
    CHECK(contains(d.utf8, "朱镕基访问上海"));
}

TEST_CASE("fixture: KOI8-R", "[encoding]") {
    const Decoded d = fixture("encoding-koi8r.xml");
    CHECK(d.charset == "koi8-r");
    CHECK(d.warnings.empty());
    CHECK(contains(d.utf8, "Привет, мир! Съешь же ещё этих булок"));
}

TEST_CASE("fixture: UTF-8 declared but actually Latin-1", "[encoding]") {
    const Decoded d = fixture("encoding-utf8-declared-actually-latin1.xml");
    CHECK(d.charset == "windows-1252");
    CHECK(contains(d.utf8, "Déjà vu à Montréal"));
    CHECK(contains(d.utf8, "Ça coûte 5 €"));
    CHECK(any_warning(d, "read as windows-1252"));
}

TEST_CASE("fixture: UTF-8 with a few invalid bytes gets U+FFFD, not windows-1252", "[encoding]") {
    const Decoded d = fixture("encoding-utf8-invalid-bytes.xml");
    CHECK(d.charset == "utf-8");
    CHECK(contains(d.utf8, "Gültig " + kFFFD + " und " + kFFFD + "( und " + kFFFD + " Ende"));
    CHECK(count(d.utf8, kFFFD) == 3);
    CHECK(contains(d.utf8, "<title>Ärger</title>"));
    REQUIRE(d.warnings.size() == 1);
    CHECK(contains(d.warnings[0], "3 invalid UTF-8"));
}

TEST_CASE("fixture: declared charset that does not exist", "[encoding]") {
    const Decoded d = fixture("encoding-unknown-charset.xml");
    CHECK(d.charset == "utf-8");
    CHECK(contains(d.utf8, "Naïve café survives"));
    REQUIRE(d.warnings.size() == 1);
    CHECK(d.warnings[0] == "unknown charset \"x-no-such-charset\" in XML declaration; read as UTF-8");
    CHECK(contains(d.utf8, "encoding=\"UTF-8\""));
}

TEST_CASE("every encoding fixture, with any HTTP charset, gives valid UTF-8", "[encoding]") {
    const char* names[] = {
        "encoding-utf8-bom.xml",
        "encoding-utf16le-bom.xml",
        "encoding-utf16be-nobom-declared.xml",
        "encoding-iso8859-1-declared-c1-quotes.xml",
        "encoding-latin1-undeclared-german.xml",
        "encoding-windows1251-russian.xml",
        "encoding-shift-jis-japanese.xml",
        "encoding-euc-jp.xml",
        "encoding-gb2312-chinese.xml",
        "encoding-koi8r.xml",
        "encoding-utf8-declared-actually-latin1.xml",
        "encoding-utf8-invalid-bytes.xml",
        "encoding-unknown-charset.xml",
    };
    const char* http[] = {"", "utf-8", "iso-8859-1", "shift_jis", "utf-16", "nonsense"};
    for (const char* n : names)
        for (const char* h : http) {
            INFO(n << " with http charset \"" << h << "\"");
            fixture(n, h);
        }
}

// ---------------------------------------------------------------------------------------------
// Labels.

TEST_CASE("charset_from_content_type", "[encoding]") {
    CHECK(charset_from_content_type("text/xml; charset=\"ISO-8859-1\"") == "ISO-8859-1");
    CHECK(charset_from_content_type("application/rss+xml;CHARSET=utf-8") == "utf-8");
    CHECK(charset_from_content_type("application/rss+xml") == "");
    CHECK(charset_from_content_type("") == "");
    CHECK(charset_from_content_type("text/xml; charset=") == "");
    CHECK(charset_from_content_type("text/xml; charset") == "");
    CHECK(charset_from_content_type("text/xml;charset=windows-1251 ") == "windows-1251");
    CHECK(charset_from_content_type("text/xml; format=flowed; charset=koi8-r; q=1") == "koi8-r");
    CHECK(charset_from_content_type("text/xml; name=\"a;charset=x\"; charset=utf-8") == "utf-8");
    CHECK(charset_from_content_type("text/xml; Charset = 'Shift_JIS'") == "'Shift_JIS'");
    CHECK(canonical_charset(charset_from_content_type("text/xml; Charset = 'Shift_JIS'")) == "shift_jis");
}

TEST_CASE("declared_encoding", "[encoding]") {
    CHECK(declared_encoding("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss/>") == "ISO-8859-1");
    CHECK(declared_encoding("<?xml version='1.0' encoding='windows-1251' standalone='yes'?>") == "windows-1251");
    CHECK(declared_encoding("<?xml version = \"1.0\"\n  encoding = \"koi8-r\" ?>") == "koi8-r");
    CHECK(declared_encoding("\r\n  <?xml version=\"1.0\" encoding=\"utf-8\"?>") == "utf-8");
    CHECK(declared_encoding("<?xml version=\"1.0\"?><rss/>") == "");
    CHECK(declared_encoding("<?xml version=\"1.0\" standalone=\"yes\"?>") == "");
    CHECK(declared_encoding("<rss><?xml version=\"1.0\" encoding=\"koi8-r\"?>") == "");
    CHECK(declared_encoding("<?xml-stylesheet href=\"a.xsl\" encoding=\"koi8-r\"?>") == "");
    CHECK(declared_encoding("<?xml version=\"1.0\" encoding=\"koi8-r") == "");
    CHECK(declared_encoding("<?xml version=\"1.0\" encoding=koi8-r?>") == "");
    CHECK(declared_encoding("") == "");
    CHECK(declared_encoding("<?xml") == "");
}

TEST_CASE("canonical_charset follows WHATWG labels", "[encoding]") {
    for (const char* l : {"iso-8859-1", "ISO-8859-1", "latin1", "l1", "us-ascii", "ascii", "cp819",
                          "iso_8859-1:1987", "windows-1252", " \"Latin1\" ", "LATIN-1", "iso8859_1"})
        CHECK(canonical_charset(l) == "windows-1252");
    for (const char* l : {"utf-8", "UTF8", "unicode-1-1-utf-8", "'utf-8'", "utf_8"})
        CHECK(canonical_charset(l) == "utf-8");
    CHECK(canonical_charset("ISO-8859-9") == "windows-1254");
    CHECK(canonical_charset("latin5") == "windows-1254");
    CHECK(canonical_charset("iso-8859-11") == "windows-874");
    CHECK(canonical_charset("TIS-620") == "windows-874");
    for (const char* l : {"shift_jis", "SJIS", "ms_kanji", "x-sjis", "windows-31j", "Shift-JIS"})
        CHECK(canonical_charset(l) == "shift_jis");
    for (const char* l : {"gb2312", "GBK", "x-gbk", "chinese", "GB_2312-80"}) CHECK(canonical_charset(l) == "gbk");
    CHECK(canonical_charset("gb18030") == "gb18030");
    CHECK(canonical_charset("euc-kr") == "euc-kr");
    CHECK(canonical_charset("ks_c_5601-1987") == "euc-kr");
    CHECK(canonical_charset("big5") == "big5");
    CHECK(canonical_charset("EUC-JP") == "euc-jp");
    CHECK(canonical_charset("ISO-2022-JP") == "iso-2022-jp");
    CHECK(canonical_charset("koi8-r") == "koi8-r");
    CHECK(canonical_charset("KOI8-U") == "koi8-u");
    CHECK(canonical_charset("cp1251") == "windows-1251");
    CHECK(canonical_charset("iso-8859-2") == "iso-8859-2");
    CHECK(canonical_charset("ISO-8859-15") == "iso-8859-15");
    CHECK(canonical_charset("iso-8859-16") == "iso-8859-16");
    CHECK(canonical_charset("mac") == "macintosh");
    CHECK(canonical_charset("utf-16") == "utf-16le");
    CHECK(canonical_charset("UTF-16BE") == "utf-16be");
    CHECK(canonical_charset("utf-32be") == "utf-32be");
    // Not WHATWG, but glibc iconv knows it.
    CHECK(canonical_charset("IBM037") == "ibm037");
    CHECK(canonical_charset("CP437") == "cp437");
    // Nobody knows these.
    CHECK(canonical_charset("foo") == "");
    CHECK(canonical_charset("") == "");
    CHECK(canonical_charset("  ") == "");
    CHECK(canonical_charset("utf-8//TRANSLIT") == "");
    CHECK(canonical_charset("../../etc/passwd") == "");
    CHECK(canonical_charset(std::string_view("latin1\0x", 8)) == "");
}

// ---------------------------------------------------------------------------------------------
// Order of evidence: BOM, declaration, HTTP, default.

TEST_CASE("precedence: BOM beats declaration beats HTTP beats default", "[encoding]") {
    // "é" as UTF-8 is C3 A9, as windows-1251 it is "Г©", as koi8-r "ц╘".
    const std::string body = "<rss><title>caf\xC3\xA9</title></rss>";
    const std::string decl_1251 = "<?xml version=\"1.0\" encoding=\"windows-1251\"?>";

    SECTION("BOM beats declaration and HTTP") {
        const Decoded d = to_utf8("\xEF\xBB\xBF" + decl_1251 + body, "koi8-r");
        CHECK(d.charset == "utf-8");
        CHECK(contains(d.utf8, "café"));
    }
    SECTION("declaration beats HTTP") {
        const Decoded d = to_utf8(decl_1251 + body, "koi8-r");
        CHECK(d.charset == "windows-1251");
        CHECK(contains(d.utf8, "cafГ©"));
    }
    SECTION("HTTP beats default") {
        const Decoded d = to_utf8(body, "koi8-r");
        CHECK(d.charset == "koi8-r");
        CHECK(contains(d.utf8, "cafц╘"));
    }
    SECTION("default is UTF-8") {
        const Decoded d = to_utf8(body);
        CHECK(d.charset == "utf-8");
        CHECK(contains(d.utf8, "café"));
        CHECK(d.warnings.empty());
    }
    SECTION("a declaration without encoding leaves the choice to HTTP") {
        const Decoded d = to_utf8("<?xml version=\"1.0\"?>" + body, "koi8-r");
        CHECK(d.charset == "koi8-r");
    }
    SECTION("UTF-16 BOM beats a UTF-8 declaration") {
        const std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>\xE9</a>";
        std::string wide = "\xFE\xFF";
        for (char c : s) {
            wide.push_back('\0');
            wide.push_back(c == '\xE9' ? '\xE9' : c);
        }
        const Decoded d = to_utf8(wide, "iso-8859-1");
        CHECK(d.charset == "utf-16be");
        CHECK(d.utf8 == "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>é</a>");
    }
}

TEST_CASE("an unknown declared charset falls back to a known HTTP charset", "[encoding]") {
    const Decoded d = to_utf8("<?xml version=\"1.0\" encoding=\"bogus-9\"?><a>\xC1</a>", "windows-1251");
    CHECK(d.charset == "windows-1251");
    CHECK(contains(d.utf8, "<a>Б</a>"));
    REQUIRE(d.warnings.size() == 1);
    CHECK(contains(d.warnings[0], "unknown charset \"bogus-9\" in XML declaration; read as windows-1251"));
}

TEST_CASE("an unknown declared charset with non-UTF-8 bytes reads as windows-1252", "[encoding]") {
    const Decoded d = to_utf8("<?xml version=\"1.0\" encoding=\"bogus\"?><a>M\xFCller</a>");
    CHECK(d.charset == "windows-1252");
    CHECK(contains(d.utf8, "<a>Müller</a>"));
    CHECK(any_warning(d, "unknown charset \"bogus\""));
    CHECK(any_warning(d, "undeclared charset"));
}

TEST_CASE("an unknown HTTP charset is reported and ignored", "[encoding]") {
    const Decoded d = to_utf8("<a>caf\xC3\xA9</a>", "x-unheard-of");
    CHECK(d.charset == "utf-8");
    CHECK(d.utf8 == "<a>café</a>");
    CHECK(any_warning(d, "x-unheard-of"));
}

TEST_CASE("UTF-16/32 claims on ASCII-shaped bytes are ignored", "[encoding]") {
    SECTION("declaration") {
        const Decoded d = to_utf8("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>caf\xC3\xA9</a>");
        CHECK(d.charset == "utf-8");
        CHECK(contains(d.utf8, "<a>café</a>"));
        CHECK(contains(d.utf8, "encoding=\"UTF-8\""));
        CHECK(any_warning(d, "not UTF-16/32"));
    }
    SECTION("HTTP") {
        const Decoded d = to_utf8("<rss><a>caf\xC3\xA9</a></rss>", "utf-16");
        CHECK(d.charset == "utf-8");
        CHECK(contains(d.utf8, "<a>café</a>"));
        CHECK(any_warning(d, "not UTF-16/32"));
    }
}

TEST_CASE("HTTP UTF-16 without BOM or declaration", "[encoding]") {
    // Starts with U+4E2D, not '<', so sniffing cannot tell; the HTTP label decides.
    const std::string bytes("\x2D\x4E<\0a\0>\0", 8);
    const Decoded d = to_utf8(bytes, "utf-16le");
    CHECK(d.charset == "utf-16le");
    CHECK(d.utf8 == "中<a>");
}

// ---------------------------------------------------------------------------------------------
// Sniffing BOMs and Appendix F.

namespace {
std::string widen(std::string_view ascii, size_t unit, bool big_endian) {
    std::string out;
    for (char c : ascii) {
        std::string u(unit, '\0');
        u[big_endian ? unit - 1 : 0] = c;
        out += u;
    }
    return out;
}
}  // namespace

TEST_CASE("BOMs and BOM-less UTF-16/32 are recognised", "[encoding]") {
    const std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-32\"?><a>x</a>";
    const std::string expect = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>x</a>";
    SECTION("UTF-32LE BOM") {
        const Decoded d = to_utf8(std::string("\xFF\xFE\0\0", 4) + widen(xml, 4, false));
        CHECK(d.charset == "utf-32le");
        CHECK(d.utf8 == expect);
    }
    SECTION("UTF-32BE BOM") {
        const Decoded d = to_utf8(std::string("\0\0\xFE\xFF", 4) + widen(xml, 4, true));
        CHECK(d.charset == "utf-32be");
        CHECK(d.utf8 == expect);
    }
    SECTION("UTF-32LE without BOM") {
        const Decoded d = to_utf8(widen(xml, 4, false));
        CHECK(d.charset == "utf-32le");
        CHECK(d.utf8 == expect);
    }
    SECTION("UTF-32BE without BOM") {
        const Decoded d = to_utf8(widen(xml, 4, true));
        CHECK(d.charset == "utf-32be");
        CHECK(d.utf8 == expect);
    }
    SECTION("UTF-16LE without BOM or declaration") {
        const Decoded d = to_utf8(widen("<rss>x</rss>", 2, false));
        CHECK(d.charset == "utf-16le");
        CHECK(d.utf8 == "<rss>x</rss>");
    }
    SECTION("UTF-16BE without BOM whose declaration contradicts it") {
        const Decoded d = to_utf8(widen("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>", 2, true));
        CHECK(d.charset == "utf-16be");
        CHECK(d.utf8 == "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>");
        CHECK(any_warning(d, "says \"ISO-8859-1\" but the bytes are utf-16be"));
    }
    SECTION("a UTF-8 BOM is dropped, twice if doubled") {
        const Decoded d = to_utf8("\xEF\xBB\xBF\xEF\xBB\xBF<a/>");
        CHECK(d.charset == "utf-8");
        CHECK(d.utf8 == "<a/>");
    }
    SECTION("empty input") {
        const Decoded d = to_utf8("");
        CHECK(d.utf8.empty());
        CHECK(d.charset == "utf-8");
        CHECK(d.warnings.empty());
    }
    SECTION("a BOM alone") {
        CHECK(to_utf8("\xFF\xFE").utf8.empty());
        CHECK(to_utf8("\xEF\xBB\xBF").utf8.empty());
    }
}

// ---------------------------------------------------------------------------------------------
// Repair.

TEST_CASE("invalid UTF-8: one U+FFFD per maximal invalid subpart (WHATWG)", "[encoding]") {
    const std::string R = kFFFD;
    auto fix = [](std::string_view s) { return to_utf8(s, "utf-8").utf8; };
    // The Unicode Standard's example (ch. 3, "U+FFFD Substitution of Maximal Subparts").
    CHECK(fix("a\xF1\x80\x80\xE1\x80\xC2" "b\x80" "c\x80\xBF" "d\xC3\xA9") ==
          "a" + R + R + R + "b" + R + "c" + R + R + "dé");
    CHECK(fix("\xC3\xA9\xC0\xAF") == "é" + R + R);                  // overlong
    CHECK(fix("\xC3\xA9\xED\xA0\x80") == "é" + R + R + R);          // surrogate
    CHECK(fix("\xC3\xA9\xF4\x90\x80\x80") == "é" + R + R + R + R);  // above U+10FFFF
    CHECK(fix("\xC3\xA9\xE2\x82") == "é" + R);                      // truncated at the end
    CHECK(fix("\xC3\xA9\xF0\x9F\x98") == "é" + R);
    CHECK(fix("\xC3\xA9\xFE\xFF") == "é" + R + R);
    CHECK(fix("\xE2\x82\xAC\x80") == "€" + R);
}

TEST_CASE("UTF-8 behind a BOM is repaired, never reread as windows-1252", "[encoding]") {
    const Decoded d = to_utf8("\xEF\xBB\xBF<a>M\xFCller</a>");
    CHECK(d.charset == "utf-8");
    CHECK(d.utf8 == "<a>M" + kFFFD + "ller</a>");
}

TEST_CASE("declared windows-1252 that is valid UTF-8 is read as UTF-8", "[encoding]") {
    const Decoded d = to_utf8("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>M\xC3\xBCller</a>");
    CHECK(d.charset == "utf-8");
    CHECK(contains(d.utf8, "<a>Müller</a>"));
    CHECK(any_warning(d, "valid UTF-8"));
    // Pure ASCII is the same either way, and says nothing.
    const Decoded ascii = to_utf8("<a>plain</a>", "iso-8859-1");
    CHECK(ascii.charset == "windows-1252");
    CHECK(ascii.warnings.empty());
}

TEST_CASE("windows-1252 maps every byte, holes to C1 controls", "[encoding]") {
    std::string all;
    for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
    const Decoded d = to_utf8(all, "windows-1252");
    CHECK(d.charset == "windows-1252");
    CHECK(valid_utf8(d.utf8));
    CHECK(!contains(d.utf8, kFFFD));
    auto one = [](unsigned char b) { return to_utf8(std::string(1, static_cast<char>(b)), "windows-1252").utf8; };
    CHECK(one(0x80) == "€");
    CHECK(one(0x81) == "\xC2\x81");
    CHECK(one(0x8D) == "\xC2\x8D");
    CHECK(one(0x8F) == "\xC2\x8F");
    CHECK(one(0x90) == "\xC2\x90");
    CHECK(one(0x9D) == "\xC2\x9D");
    CHECK(one(0x93) == "“");
    CHECK(one(0x94) == "”");
    CHECK(one(0x96) == "–");
    CHECK(one(0x97) == "—");
    CHECK(one(0x99) == "™");
    CHECK(one(0x9F) == "Ÿ");
    CHECK(one(0xA0) == "\xC2\xA0");
    CHECK(one(0xE9) == "é");
    CHECK(one(0xFF) == "ÿ");
    CHECK(one('A') == "A");
}

TEST_CASE("iconv decoders: replacement and resync", "[encoding]") {
    SECTION("an invalid Shift_JIS byte becomes U+FFFD and decoding resumes") {
        const Decoded d = to_utf8("<a>\x93\xFA\xA0\x96\x7B</a>", "shift_jis");  // 日, bad 0xA0, 本
        CHECK(d.charset == "shift_jis");
        CHECK(d.utf8 == "<a>日" + kFFFD + "本</a>");
        CHECK(any_warning(d, "1 invalid byte sequence(s) in shift_jis"));
    }
    SECTION("a truncated EUC-JP character at the end becomes U+FFFD") {
        const Decoded d = to_utf8("<a>\xC6\xFC\xCB", "euc-jp");
        CHECK(d.utf8 == "<a>日" + kFFFD);
    }
    SECTION("an odd trailing byte in UTF-16 becomes U+FFFD") {
        const Decoded d = to_utf8(std::string("\xFF\xFE<\0a\0>\0x", 9));
        CHECK(d.utf8 == "<a>" + kFFFD);
    }
    SECTION("a lone UTF-16 surrogate becomes U+FFFD and keeps the alignment") {
        const Decoded d = to_utf8(std::string("\xFF\xFE<\0\x00\xD8" "a\0>\0", 10));
        CHECK(d.utf8 == "<" + kFFFD + "a>");
    }
    SECTION("a UTF-32 code point above U+10FFFF becomes U+FFFD") {
        const Decoded d = to_utf8(std::string("\xFF\xFE\0\0<\0\0\0\0\0\x11\0>\0\0\0", 16));
        CHECK(valid_utf8(d.utf8));
        CHECK(d.utf8 == "<" + kFFFD + ">");
    }
}

TEST_CASE("other WHATWG encodings", "[encoding]") {
    CHECK(to_utf8("\xA4\xA4\xA4\xE5", "big5").utf8 == "中文");
    CHECK(to_utf8("\xC7\xD1\xB1\xB9", "euc-kr").utf8 == "한국");
    CHECK(to_utf8("\x8C\x63", "euc-kr").utf8 == "똠");  // UHC extension, needs CP949
    CHECK(to_utf8("\x81\x30\x81\x30", "gb18030").utf8 == "\xC2\x80");
    CHECK(to_utf8("\x1B$B\x46\x7C\x4B\x5C\x1B(B!", "iso-2022-jp").utf8 == "日本!");
    CHECK(to_utf8("\x1B(I\x31\x1B(B", "iso-2022-jp").utf8 == "ｱ");
    CHECK(to_utf8("\xA4", "iso-8859-15").utf8 == "€");
    CHECK(to_utf8("\xA4\xF0", "ISO-8859-9").utf8 == "¤ğ");  // via windows-1254
    CHECK(to_utf8("\xA1", "tis-620").utf8 == "ก");
    CHECK(to_utf8("\x8A", "macintosh").utf8 == "ä");
    CHECK(to_utf8("\xE0\xE9", "windows-1255").utf8 == "אי");
    CHECK(to_utf8("\xA4", "koi8-u").utf8 == "є");
    CHECK(to_utf8("\x80\xFF", "x-user-defined").utf8 == "\xEF\x9E\x80\xEF\x9F\xBF");
    CHECK(to_utf8("\xC1", "IBM037").utf8 == "A");  // glibc-only label
}

TEST_CASE("the declaration is rewritten only when it names another charset", "[encoding]") {
    CHECK(to_utf8("<?xml version=\"1.0\" encoding='koi8-r'?><a/>").utf8 ==
          "<?xml version=\"1.0\" encoding='UTF-8'?><a/>");
    CHECK(to_utf8("<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>").utf8 ==
          "<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>");
    CHECK(to_utf8("<?xml version=\"1.0\"?><a/>").utf8 == "<?xml version=\"1.0\"?><a/>");
}

TEST_CASE("large inputs keep every byte", "[encoding]") {
    std::string s;
    for (int i = 0; i < 20000; ++i) s += "Gr\xFC\xDF" "e \x93x\x94 ";
    const Decoded d = to_utf8(s, "iso-8859-1");
    CHECK(d.utf8.size() == 20000 * std::string("Grüße “x” ").size());
    std::string u;
    for (int i = 0; i < 20000; ++i) u += "日本語のニュース ";
    u += "\xFF";
    const Decoded e = to_utf8(u, "utf-8");
    CHECK(e.utf8 == u.substr(0, u.size() - 1) + kFFFD);
}

TEST_CASE("labels quoted in warnings are printable ASCII", "[encoding]") {
    const Decoded d = to_utf8("<?xml version=\"1.0\" encoding=\"b\xFF\x01\"?><a/>");
    REQUIRE(d.warnings.size() == 2);  // and: not UTF-8, read as windows-1252
    CHECK(d.warnings[0] == "unknown charset \"b\\xff\\x01\" in XML declaration; read as UTF-8");
    const Decoded h = to_utf8("<a/>", std::string(100, 'z'));
    REQUIRE(h.warnings.size() == 1);
    CHECK(contains(h.warnings[0], std::string(64, 'z') + "...\""));
}

TEST_CASE("glibc-only wide labels keep their code-unit alignment", "[encoding]") {
    // UCS-2BE: a lone surrogate, 'a', '>'.
    const Decoded d = to_utf8(std::string("\xD8\x00\0a\0>", 6), "ucs-2be");
    CHECK(d.charset == "ucs-2be");
    CHECK(d.utf8 == kFFFD + "a>");
}

TEST_CASE("windows-1252 punctuation bytes in UTF-8 are read as windows-1252, not lost", "[encoding]") {
    // A Word paste into a UTF-8 template: valid UTF-8 around lone 0x92/0x93/0x94/0x96/0x85 bytes.
    const Decoded d = to_utf8("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>Caf\xC3\xA9: don\x92t \x93quote\x94 \x96 end\x85</a>");
    CHECK(d.charset == "utf-8");
    CHECK(contains(d.utf8, "<a>Café: don’t “quote” – end…</a>"));
    CHECK(any_warning(d, "windows-1252 punctuation"));
    CHECK_FALSE(any_warning(d, "U+FFFD"));
    // Next to other high bytes a lone 0x92 is a broken sequence, as WHATWG says.
    CHECK(to_utf8("<a>\xC3\xA9\x92x</a>", "utf-8").utf8 == "<a>é" + kFFFD + "x</a>");
    CHECK(to_utf8("<a>\xC3\xA9 x\x92\xC3</a>", "utf-8").utf8 == "<a>é x" + kFFFD + kFFFD + "</a>");
    // Undeclared bytes that are not UTF-8 are all windows-1252 anyway.
    CHECK(contains(to_utf8("<a>it\x92s</a>").utf8, "it’s"));
}

TEST_CASE("the fast validity check agrees with the careful walker", "[encoding]") {
    // Valid text in every length class and block position, then each broken shape at each offset
    // within a 16-byte block: to_utf8 must keep the valid ones byte for byte and repair the others.
    const std::vector<std::string> valid = {"a", "é", "€", "😀", "\u07FF", "\u0800", "\uFFFD", "\U0010FFFF", "\xED\x9F\xBF"};
    const std::vector<std::string> broken = {"\x80", "\xC0\xAF", "\xC2", "\xE0\x9F\x80", "\xED\xA0\x80", "\xF0\x8F\x80\x80",
                                             "\xF4\x90\x80\x80", "\xF5\x80", "\xE2\x82", "\xFF"};
    for (std::size_t pad = 0; pad < 20; ++pad) {
        const std::string lead(pad, 'x');
        for (const std::string& v : valid) {
            const std::string s = "<a>\xC3\xA9" + lead + v + lead + "</a>";
            INFO("valid, pad " << pad);
            CHECK(to_utf8(s, "utf-8").utf8 == s);
        }
        for (const std::string& b : broken) {
            const std::string s = "<a>\xC3\xA9" + lead + b + lead + "</a>";
            INFO("broken, pad " << pad);
            const Decoded d = to_utf8(s, "utf-8");
            CHECK(d.utf8 != s);
            CHECK(contains(d.utf8, kFFFD));
        }
    }
}

namespace {
// splitmix64: the same pseudo-random strings on every machine.
struct SplitMix {
    std::uint64_t state;
    std::uint64_t operator()() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
};
}  // namespace

TEST_CASE("windows-1252: the block converter agrees with a byte table, and says where mojibake may start", "[encoding]") {
    // The converter works sixteen bytes at a time and says whether its output holds a place where
    // mojibake could start, so the parser need not look again: both are checked here against the
    // plain rules (one byte at a time through to_utf8 of that byte; text::may_hold_mojibake on the
    // output) over random mixes of ASCII, Latin-1 letters and the 0x80-0x9F row, at every length.
    SplitMix next{0x9E3779B97F4A7C15ull};
    std::string table[256];
    for (int b = 0; b < 256; ++b) table[b] = to_utf8(std::string(1, static_cast<char>(b)), "windows-1252").utf8;
    for (int round = 0; round < 4000; ++round) {
        const std::size_t len = round % 70;
        std::string in;
        for (std::size_t k = 0; k < len; ++k) {
            const std::uint64_t r = next();
            // Mostly ASCII with runs of high bytes, so blocks of every kind and pairs at block edges occur.
            const unsigned char b = (r & 3) != 0 ? static_cast<unsigned char>('a' + (r >> 8) % 26)
                                                 : static_cast<unsigned char>(0x80 + (r >> 8) % 128);
            in.push_back(static_cast<char>(b));
        }
        std::string want;
        for (const char c : in) want += table[static_cast<unsigned char>(c)];
        Decoded d;
        const std::string_view out = nk::encoding::to_utf8_view(in, d, "windows-1252");
        INFO("round " << round);
        // Valid UTF-8 input is read as UTF-8 whatever the label says; only the others count here.
        if (d.charset != "windows-1252") continue;
        CHECK(out == want);
        CHECK(d.mojibake_possible == nk::text::may_hold_mojibake(out));
    }
}

TEST_CASE("UTF-8: the check lists every place where mojibake could start, and only those", "[encoding]") {
    // The parser asks this list instead of reading each field again (Decoded::mojibake_at), so it
    // must hold exactly the places text::may_hold_mojibake finds: random mixes of ASCII, mojibake
    // ("â€™", "Ã©"), real accented letters and places cut at the end, at every length, so places fall
    // on both sides of every sixteen-byte edge; behind an extra BOM, whose bytes shift the offsets.
    SplitMix next{0x2545F4914F6CDD1Dull};
    const std::string_view pieces[] = {"a", "b c", "\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2", "\xC3\x83\xC2\xA9", "\xC3\xA9",
                                       "\xC3\xA2", "\xE2\x82\xAC", "\xC3\x85\xC5\x93", "<p>"};
    for (int round = 0; round < 3000; ++round) {
        std::string in = round % 3 == 0 ? "\xEF\xBB\xBF\xEF\xBB\xBF" : "";
        const std::size_t len = round % 90;
        while (in.size() < len) in += pieces[next() % std::size(pieces)];
        Decoded d;
        const std::string_view out = nk::encoding::to_utf8_view(in, d);
        INFO("round " << round << ": " << in);
        REQUIRE(d.charset == "utf-8");
        REQUIRE(d.mojibake_at_complete);
        std::vector<std::size_t> want;
        for (std::size_t i = 0; i + 3 <= out.size(); ++i)
            if (nk::text::may_hold_mojibake(out.substr(i, 3))) want.push_back(i);
        CHECK(d.mojibake_at == want);
    }
    SECTION("a document of nothing but such places lists none, and says so") {
        std::string in;
        for (int k = 0; k < 4000; ++k) in += "\xC3\xA2\xE2\x82\xAC";
        Decoded d;
        nk::encoding::to_utf8_view(in, d);
        CHECK_FALSE(d.mojibake_at_complete);
        CHECK(d.mojibake_at.empty());
        CHECK(d.mojibake_possible);
    }
    SECTION("other charsets and the copying to_utf8 list none") {
        Decoded d;
        nk::encoding::to_utf8_view("<a>caf\xE9 \xC3\xA2\xE2\x82\xAC</a>", d, "windows-1252");
        CHECK_FALSE(d.mojibake_at_complete);
        CHECK(d.mojibake_at.empty());
        const Decoded c = to_utf8("<a>\xC3\xA2\xE2\x82\xAC</a>");
        CHECK_FALSE(c.mojibake_at_complete);
        CHECK(c.mojibake_at.empty());
    }
}
