// SPDX-License-Identifier: Apache-2.0
// Parser behaviour beyond the per-quirk fixtures: the three real-world-shaped feeds in foreign
// encodings, namespaces by URI, format detection, limits, and the contract details of parse_feed.
#include "feed/parser.h"
#include "feed/text.h"
#include "helpers.h"

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

using nk::test::fixture;

namespace {

nk::Feed parse_ok(const std::string& bytes, nk::ParseOptions opt = {}) {
    auto r = nk::parse_feed(bytes, opt);
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r.ok());
    return std::move(r).value();
}

bool has_warning(const nk::Feed& f, std::string_view needle) {
    for (const auto& w : f.warnings)
        if (w.find(needle) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("German regional feed in Latin-1 with no declaration", "[parser][encoding][rw]") {
    nk::Feed f = parse_ok(fixture("rw-de-latin1-nodecl.xml"));
    CHECK(f.format == nk::FeedFormat::Rss20);
    CHECK(f.title == "Südkurier Lokal – Nachrichten aus der Region");
    CHECK(f.language == "de-DE");
    REQUIRE(f.items.size() == 3);
    CHECK(f.items[0].title == "Bürgerentscheid: Mehrheit für neue Fußgängerbrücke");
    CHECK(f.items[0].summary ==
          "Mit 58 % stimmten die Bürgerinnen und Bürger für den Bau. „Ein großer Tag für die Stadt“, sagte die Oberbürgermeisterin.");
    CHECK(f.items[0].author == "Jörg Häußler");
    CHECK(f.items[0].published == 1709574300);
    CHECK(f.items[0].id == "sk-2024-03-04-1187");
    CHECK(f.items[0].link == "https://suedkurier-lokal.example.de/konstanz/buergerentscheid-bruecke");
    CHECK(f.items[2].summary == "Zwölf Praxen unter einem Dach; Parkplätze gibt’s im Parkhaus am See.");
    CHECK(has_warning(f, "windows-1252"));
}

TEST_CASE("Atom feed in UTF-16LE with BOM", "[parser][encoding][rw]") {
    nk::Feed f = parse_ok(fixture("rw-utf16le-atom.xml"));
    CHECK(f.format == nk::FeedFormat::Atom10);
    CHECK(f.warnings.empty());
    CHECK(f.title == "Intranet – Ankündigungen / Announcements");
    REQUIRE(f.items.size() == 2);
    CHECK(f.items[0].title == "Kantine: Neues Menü ab Montag — New canteen menu");
    CHECK(f.items[0].author == "Zoë Ångström");
    CHECK(f.items[0].summary == "Täglich drei Gerichte, eines davon vegan. 🌱");
    CHECK(f.items[0].published == 1709623800);  // only <updated>: published falls back to it
    CHECK(f.items[0].updated == 1709623800);
    CHECK(f.items[1].title == "Συνάντηση ομάδας στις 10:00");
    CHECK(f.items[1].summary == "Raum 4.12 – bitte pünktlich.");
    CHECK(f.items[1].published == 1709540100);
}

TEST_CASE("Japanese feed in Shift_JIS", "[parser][encoding][rw]") {
    nk::Feed f = parse_ok(fixture("rw-ja-shiftjis.xml"));
    CHECK(f.warnings.empty());
    CHECK(f.title == "地域ニュース速報");
    REQUIRE(f.items.size() == 2);
    CHECK(f.items[0].title == "新宿駅に新しい改札口が開業");
    // Read as windows-31j, as browsers do: NEC circled digits and half-width katakana survive.
    CHECK(f.items[0].summary == "３月１６日から利用可能になります。ｶﾞｲﾄﾞは①～③をご覧ください。");
    CHECK(f.items[0].author == "山田 太郎");
    CHECK(f.items[0].published == 1709596800);
    CHECK(f.items[1].title == "横浜で桜の開花宣言、平年より５日早く");
}

TEST_CASE("elements are matched by namespace URI, whatever the prefix", "[parser][namespaces]") {
    std::string xml = R"(<rss version="2.0" xmlns:q="http://purl.org/dc/elements/1.1/" xmlns:z="http://www.w3.org/2005/Atom"
        xmlns:mm="http://search.yahoo.com/mrss/" xmlns:body="http://purl.org/rss/1.0/modules/content/"
        xmlns:dc="http://example.com/not-dublin-core/">
      <channel><title>NS</title>
        <item><title>One</title><q:creator>Ann</q:creator><z:updated>2024-01-02T03:04:05Z</z:updated>
          <mm:group><mm:thumbnail url="http://img.example/t.jpg"/></mm:group>
          <body:encoded>&lt;p&gt;Full text&lt;/p&gt;</body:encoded>
          <dc:creator>Not an author</dc:creator></item>
      </channel></rss>)";
    nk::Feed f = parse_ok(xml);
    REQUIRE(f.items.size() == 1);
    CHECK(f.items[0].author == "Ann");
    CHECK(f.items[0].updated == 1704164645);
    CHECK(f.items[0].published == 1704164645);
    CHECK(f.items[0].image == "http://img.example/t.jpg");
    CHECK(f.items[0].summary == "Full text");
}

TEST_CASE("undeclared conventional prefixes are still understood", "[parser][namespaces]") {
    nk::Feed f = parse_ok("<rss version=\"2.0\"><channel><title>T</title><item><title>A</title>"
                          "<dc:creator>Bo</dc:creator><dc:date>2024-01-02</dc:date></item></channel></rss>");
    CHECK(f.items[0].author == "Bo");
    CHECK(f.items[0].published == 1704153600);
}

TEST_CASE("format is found from the root element", "[parser][formats]") {
    CHECK(parse_ok("<rss version=\"0.92\"><channel><title>x</title></channel></rss>").format == nk::FeedFormat::Rss09x);
    CHECK(parse_ok("<rss><channel><title>x</title></channel></rss>").format == nk::FeedFormat::Rss20);
    CHECK(parse_ok("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">"
                   "<channel><title>x</title></channel></rdf:RDF>")
              .format == nk::FeedFormat::Rss10);
    CHECK(parse_ok("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
                   "xmlns=\"http://my.netscape.com/rdf/simple/0.9/\"><channel><title>x</title></channel></rdf:RDF>")
              .format == nk::FeedFormat::Rss09x);
    CHECK(parse_ok("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>x</title></feed>").format == nk::FeedFormat::Atom10);
    CHECK(parse_ok("<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><title>x</title></feed>").format == nk::FeedFormat::Atom03);

    auto html = nk::parse_feed("<html><head><title>Moved</title></head><body>x</body></html>");
    REQUIRE_FALSE(html.ok());
    CHECK(html.error().code == nk::ErrorCode::NotAFeed);
    CHECK(html.error().message.find("HTML") != std::string::npos);
    auto other = nk::parse_feed("<?xml version=\"1.0\"?><config><a/></config>");
    REQUIRE_FALSE(other.ok());
    CHECK(other.error().message.find("<config>") != std::string::npos);
}

TEST_CASE("errors say what was wrong", "[parser][errors]") {
    auto empty = nk::parse_feed("   \n ");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().code == nk::ErrorCode::InvalidInput);
    auto junk = nk::parse_feed(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
    REQUIRE_FALSE(junk.ok());
    CHECK(junk.error().code == nk::ErrorCode::InvalidInput);
    nk::ParseOptions small;
    small.limits.max_input_bytes = 10;
    auto big = nk::parse_feed("<rss><channel/></rss>", small);
    REQUIRE_FALSE(big.ok());
    CHECK(big.error().code == nk::ErrorCode::TooLarge);
}

TEST_CASE("limits bound items, nesting and text", "[parser][limits]") {
    std::string xml = "<rss><channel><title>Many</title>";
    for (int i = 0; i < 2000; ++i) xml += "<item><title>Item " + std::to_string(i) + "</title></item>";
    xml += "</channel></rss>";
    nk::ParseOptions opt;
    opt.limits.max_items = 100;
    nk::Feed f = parse_ok(xml, opt);
    CHECK(f.items.size() == 100);
    CHECK(f.items.back().title == "Item 99");
    CHECK(has_warning(f, "100 of 2000"));

    std::string deep = "<rss><channel><item><title>Deep</title><description>";
    for (int i = 0; i < 5000; ++i) deep += "<div>";
    deep += "bottom";
    for (int i = 0; i < 5000; ++i) deep += "</div>";
    deep += "</description></item></channel></rss>";
    f = parse_ok(deep);
    REQUIRE(f.items.size() == 1);
    CHECK(f.items[0].summary == "bottom");
    CHECK(has_warning(f, "flattened"));

    std::string longtext = "<rss><channel><item><title>" + std::string(10000, 'x') + "</title><description>";
    for (int i = 0; i < 20000; ++i) longtext += "word ";
    longtext += "</description></item></channel></rss>";
    f = parse_ok(longtext);
    CHECK(f.items[0].title.size() <= nk::ParseLimits{}.max_title_bytes);
    CHECK(f.items[0].summary.size() <= nk::ParseLimits{}.max_summary_bytes);
    CHECK(f.items[0].summary.ends_with("…"));
    CHECK(nk::text::is_valid_utf8(f.items[0].summary));
}

TEST_CASE("ids fall back to the link, then to a stable hash of title and date", "[parser][ids]") {
    auto one = [](const std::string& title, const std::string& date) {
        return parse_ok("<rss><channel><item><title>" + title + "</title><pubDate>" + date + "</pubDate></item></channel></rss>")
            .items.at(0)
            .id;
    };
    std::string a = one("Same", "Mon, 01 Jan 2024 10:00:00 GMT");
    CHECK(a == one("Same", "Mon, 01 Jan 2024 10:00:00 GMT"));
    CHECK(a != one("Same", "Tue, 02 Jan 2024 10:00:00 GMT"));
    CHECK(a != one("Other", "Mon, 01 Jan 2024 10:00:00 GMT"));
    CHECK(a.rfind("nk:", 0) == 0);
    nk::Feed f = parse_ok("<rss><channel><item><title>L</title><link>http://x.example/1</link></item></channel></rss>");
    CHECK(f.items[0].id == "http://x.example/1");
}

TEST_CASE("a truncated document keeps the whole items and drops the one cut off", "[parser][repair]") {
    std::string xml = "<rss><channel><title>T</title>"
                      "<item><title>First</title><link>http://x/1</link></item>"
                      "<item><title>Second</title><description>Complete</description></item>"
                      "<item><title>Thi";
    nk::Feed f = parse_ok(xml);
    REQUIRE(f.items.size() == 2);
    CHECK(f.items[1].title == "Second");
    CHECK(has_warning(f, "truncated"));

    // Cut inside the description of an item whose title arrived whole: the headline stays.
    f = parse_ok("<rss><channel><item><title>Whole title</title><description>Half a sen");
    REQUIRE(f.items.size() == 1);
    CHECK(f.items[0].title == "Whole title");
    CHECK(f.items[0].summary.empty());
}

TEST_CASE("polling hints are read for the scheduler", "[parser][hints]") {
    nk::Feed f = parse_ok(R"(<rss xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>H</title>
        <ttl>45</ttl><skipHours><hour>3</hour><hour>1</hour><hour>24</hour><hour>99</hour></skipHours>
        <skipDays><day>Sunday</day><day>saturday</day><day>Funday</day></skipDays>
        <sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency></channel></rss>)");
    CHECK(f.hints.ttl_minutes == 45);
    CHECK(f.hints.skip_hours == std::vector<int>{0, 1, 3});
    CHECK(f.hints.skip_days == std::vector<int>{0, 6});
    CHECK(f.hints.update_period_seconds == 1800);
}

TEST_CASE("a feed behind an HTML error notice is still found", "[parser][repair]") {
    nk::Feed f = parse_ok("<br />\n<b>Warning</b>: include(): failed in <b>/srv/x.php</b><br />\n"
                          "<rss version=\"2.0\"><channel><title>Behind</title><item><title>Kept</title></item></channel></rss>");
    CHECK(f.title == "Behind");
    CHECK(f.items.size() == 1);
    CHECK_FALSE(f.warnings.empty());
}

TEST_CASE("a feed's encoding setting beats a lying declaration but not a BOM", "[parser][encoding]") {
    // "Новости" in windows-1251 bytes, in a feed that claims UTF-8.
    std::string cp1251_title = "\xcd\xee\xe2\xee\xf1\xf2\xe8";
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss><channel><title>" + cp1251_title +
                      "</title><item><title>x</title></item></channel></rss>";
    nk::ParseOptions opt;
    opt.charset_override = "windows-1251";
    nk::Feed f = parse_ok(xml, opt);
    CHECK(f.title == "Новости");

    opt.charset_override = "no-such-charset";
    f = parse_ok(xml, opt);
    CHECK(has_warning(f, "encoding setting"));

    opt.charset_override = "windows-1251";
    f = parse_ok("\xEF\xBB\xBF<rss><channel><title>Caf\xC3\xA9</title><item><title>x</title></item></channel></rss>", opt);
    CHECK(f.title == "Café");
}

// tinyxml2 decodes references by itself only in what it parses as text, and after an unknown
// entity it leaves stale bytes behind. These documents hide a region from a scan that does not
// know tags (it looks like a comment or CDATA section), so only the parser's own decoding of
// what it reads keeps the text right. Found by fuzz_parser.
TEST_CASE("references are decoded right wherever a comment or CDATA marker hides them", "[parser][entities]") {
    const std::string item = "<item><title>a</title><guid>g&amp;&eacute;&#8217;&bogus;</guid></item>";
    const std::string want = "g&\xC3\xA9\xE2\x80\x99&bogus;";
    SECTION("\"<!--\" inside an attribute value") {
        nk::Feed f = parse_ok("<rss version=\"2.0\"><channel><title a=\"x<!--\">t</title>" + item +
                              "<!-- x --></channel></rss>");
        REQUIRE(f.items.size() == 1);
        CHECK(f.items[0].id == want);
    }
    SECTION("\"<!--\" inside a processing instruction") {
        nk::Feed f = parse_ok("<?pi <!--?><rss version=\"2.0\"><channel><title>t</title>" + item + "</channel></rss>");
        REQUIRE(f.items.size() == 1);
        CHECK(f.items[0].id == want);
    }
    SECTION("both, in a whole feed") {
        nk::Feed f = parse_ok(fixture("quirk-comment-marker-in-markup.xml"));
        CHECK(f.title == "Café & Bar");
        REQUIRE(f.items.size() == 1);
        CHECK(f.items[0].title == "Menu & prices – été 2024");
        CHECK(f.items[0].link == "https://cafe.example.com/menu?lang=fr&season=été");
        CHECK(f.items[0].id == "menu&été’&bogus;");
        CHECK(f.items[0].summary == "Crème brûlée & café.");
    }
    SECTION("a retry from the feed's root inside an unterminated CDATA section") {
        nk::Feed f = parse_ok("<html><![CDATA[ <rss version=\"2.0\"><channel><title>t</title>" + item + "</channel></rss>");
        CHECK(has_warning(f, "skipped 16 bytes of other markup"));
        REQUIRE(f.items.size() == 1);
        CHECK(f.items[0].id == want);
    }
    SECTION("fuzz_parser's minimised input (KOI8-R)") {
        nk::ParseOptions opt;
        opt.content_type = "text/xml; charset=koi8-r";
        opt.base_url = "http://example.com/feeds/main.xml";
        auto r = nk::parse_feed("<?<!--?><feed><entry><link href/><id>>\xC4" "c&</feed>", opt);
        REQUIRE(r.ok());
        REQUIRE(r->items.size() == 1);
        CHECK(r->items[0].id == ">\xD0\xB4" "c&");  // KOI8-R 0xC4 is "д"
    }
}

TEST_CASE("feeds parsed one after another on a thread come out as each does alone", "[parser][encoding]") {
    // parse_feed keeps the buffer of a decoded (non-UTF-8) document for the thread's next feed;
    // nothing of one feed may show in the next, whatever the order of encodings and sizes, and a
    // buffer too big to keep is let go.
    auto summary = [](const nk::Feed& f) {
        std::string s = f.title + "|" + f.description + "|" + f.language;
        for (const nk::Item& it : f.items) s += "|" + it.title + "|" + it.summary + "|" + it.author + "|" + it.link;
        for (const std::string& w : f.warnings) s += "|" + w;
        return s;
    };
    std::string big = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Gr\xF6\xDF"
                      "e</title><item><title>\xC4rger</title><description>";
    for (int k = 0; k < 150000; ++k) big += "\xE4\xF6\xFC\x93x\x94 ";  // more than 1 MB once decoded
    big += "</description></item></channel></rss>";
    nk::ParseOptions opt;
    opt.limits.max_input_bytes = 4u << 20;
    const std::string inputs[] = {fixture("rw-de-latin1-nodecl.xml"), fixture("rw-news-media.xml"),
                                  fixture("encoding-iso8859-1-declared-c1-quotes.xml"), big,
                                  fixture("encoding-latin1-undeclared-german.xml"), fixture("rw-ja-shiftjis.xml"),
                                  fixture("encoding-utf8-invalid-bytes.xml")};
    std::vector<std::string> alone;
    for (const std::string& in : inputs) {
        // Alone: on a fresh thread, which has kept nothing yet.
        std::string s;
        std::thread t([&] { s = summary(parse_ok(in, opt)); });
        t.join();
        alone.push_back(s);
    }
    for (int round = 0; round < 2; ++round)
        for (std::size_t i = 0; i < std::size(inputs); ++i) {
            INFO("round " << round << ", input " << i);
            CHECK(summary(parse_ok(inputs[i], opt)) == alone[i]);
        }
    for (std::size_t i = std::size(inputs); i-- > 0;) {
        INFO("backwards, input " << i);
        CHECK(summary(parse_ok(inputs[i], opt)) == alone[i]);
    }
}

// The walker reads an element's only text and attribute values from the bytes it gave tinyxml2
// rather than through Value() (Walker::only_text, value_of); each shape here must read exactly
// as tinyxml2 gives it.
TEST_CASE("an element's only text and attribute values read the same from the source bytes as through tinyxml2", "[parser][text]") {
    const std::string doc =
        "\xEF\xBB\xBF\n<!-- lead -->\n<rss version=\"2.0\"><channel><title>Plain</title>"
        // '>' and the other quote inside attribute values, before the text.
        "<item a='x>y\"' b=\"p>'q\"><title a='1>2' b=\"3>4\">Quoted &amp; attributes</title><guid>g1</guid>"
        // Whitespace and line breaks around a CDATA section, a ']' and "]]" inside it.
        "<description>\n \t<![CDATA[<p>a ] b ]] c]</p>]]>\n </description></item>"
        // CRLF and a lone CR: tinyxml2 normalises them, so these go through Value().
        "<item><title>one\r\ntwo\rthree</title><guid>g2</guid><description>x\r\n<![CDATA[y\r\nz]]></description></item>"
        // Text with a comment beside it is two nodes, and an empty CDATA section is still text.
        "<item><title>left<!-- c -->right</title><guid>g3</guid><description><![CDATA[]]></description></item>"
        // Namespaced names, and an element whose name appears in its own text.
        "<item><dc:creator xmlns:dc=\"http://purl.org/dc/elements/1.1/\">dc:creator</dc:creator><title>t4</title>"
        "<guid>g4</guid><description>&lt;p&gt;esc&amp;eacute; &lt;b&gt;bold&lt;/b&gt;&lt;/p&gt;</description></item>"
        "</channel></rss>";
    nk::Feed f = parse_ok(doc);
    CHECK(f.title == "Plain");
    REQUIRE(f.items.size() == 4);
    CHECK(f.items[0].title == "Quoted & attributes");
    CHECK(f.items[0].summary == "a ] b ]] c]");
    CHECK(f.items[1].title == "one two three");
    CHECK(f.items[1].summary == "x y z");
    CHECK(f.items[2].title == "leftright");
    CHECK(f.items[2].summary == "");
    CHECK(f.items[3].author == "dc:creator");
    CHECK(f.items[3].summary == "escé bold");
    CHECK(f.items[0].id == "g1");
    CHECK(f.items[3].id == "g4");

    // The same document after a repair parse (an unclosed element) reads the same text.
    std::string broken = doc;
    broken.replace(broken.find("<guid>g1</guid>"), 15, "<guid>g1</guid><br>");
    nk::Feed r = parse_ok(broken);
    REQUIRE(r.items.size() == 4);
    CHECK(r.items[0].summary == "a ] b ]] c]");
    CHECK(r.items[1].title == "one two three");
    CHECK(r.items[3].summary == "escé bold");

    // Attribute values are read from the source bytes the same way.
    nk::Feed a = parse_ok("<rss version=\"2.0\"><channel><title>T</title><item><title>a</title>"
                          "<guid isPermaLink = 'false'>http://example.org/g2</guid>"
                          "<enclosure type=\"image/jpeg\" url=\"http://example.org/a\r\nb.jpg\"/></item>"
                          "<item><title>b</title><guid isPermaLink=\"true\">http://example.org/g3</guid>"
                          "<enclosure type='image/jpeg' url='http://example.org/c&amp;d\">.jpg'/></item></channel></rss>");
    REQUIRE(a.items.size() == 2);
    CHECK(a.items[0].link == "");
    CHECK(a.items[0].image == "http://example.org/ab.jpg");
    CHECK(a.items[1].link == "http://example.org/g3");
    CHECK(a.items[1].image == "http://example.org/c&d\">.jpg");

    // A Latin-1 document is read from its decoded copy, which is what tinyxml2 was given.
    nk::Feed l = parse_ok("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss version=\"2.0\"><channel><item>"
                          "<title>Gr\xF6\xDF" "e</title><description> <![CDATA[<p>\xC4rger</p>]]> </description>"
                          "</item></channel></rss>");
    REQUIRE(l.items.size() == 1);
    CHECK(l.items[0].title == "Größe");
    CHECK(l.items[0].summary == "Ärger");
}
