// SPDX-License-Identifier: Apache-2.0
// The `newsroom-kiosk parse` contract, checked by running the built binary as other tools do.
#include "helpers.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <ctime>

#include <unistd.h>

using nk::test::data_path;
using nk::test::run_kiosk;
using json = nlohmann::ordered_json;

namespace {

std::string shq(const std::string& s) { return "'" + s + "'"; }

std::vector<std::string> keys_of(const json& j) {
    std::vector<std::string> keys;
    for (auto& [k, v] : j.items()) keys.push_back(k);
    return keys;
}

std::string temp_file(const std::string& name, const std::string& content) {
    auto p = std::filesystem::temp_directory_path() / ("nk_cli_" + std::to_string(::getpid()) + "_" + name);
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
}

}  // namespace

TEST_CASE("parse prints the documented JSON object", "[cli]") {
    auto r = run_kiosk("parse " + shq(NK_SOURCE_DIR "/assets/demo/newsroom-world.xml"));
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    json j = json::parse(r.out);
    CHECK(keys_of(j) == std::vector<std::string>{"format", "title", "link", "warnings", "items"});
    CHECK(j["format"] == "rss2.0");
    CHECK(j["title"] == "Newsroom World");
    CHECK(j["link"] == "https://demo.newsroom-kiosk.invalid/world/");
    CHECK(j["warnings"].is_array());
    CHECK(j["warnings"].empty());
    REQUIRE(j["items"].size() == 4);
    for (auto& it : j["items"]) {
        CHECK(it.size() == 9);
        for (const char* k : {"id", "title", "link", "summary"}) CHECK(it[k].is_string());
        for (const char* k : {"published", "updated"}) CHECK((it[k].is_number_integer() || it[k].is_null()));
        for (const char* k : {"author", "image"}) CHECK((it[k].is_string() || it[k].is_null()));
        CHECK(it["categories"].is_array());
    }
    auto& first = j["items"][0];
    CHECK(first["title"] == "Harbour cities agree on a shared plan for rising seas");
    CHECK(first["published"] == 1795680600);  // date -u -d 'Thu, 26 Nov 2026 08:10:00 GMT' +%s
    CHECK(first["updated"].is_null());
    CHECK(first["author"] == "Amara Okafor");
    CHECK(first["image"] == "demo:harbour.png");  // embedded with the binary (assets/demo/images)
    CHECK(first["categories"] == json::array({"Climate"}));
    CHECK(first["summary"] ==
          "Twelve port cities signed a joint framework on Tuesday that pools money for sea walls, tidal gates and "
          "early-warning systems.\nThe mayors said the plan would be reviewed every two years.");
    CHECK(j["items"][1]["summary"].get<std::string>().find("pause — with") != std::string::npos);
}

TEST_CASE("parse reads the Latin-1 and Atom demo feeds without mojibake", "[cli]") {
    auto r = run_kiosk("parse " + shq(NK_SOURCE_DIR "/assets/demo/city-culture.xml"));
    REQUIRE(r.exit_code == 0);
    json j = json::parse(r.out);
    CHECK(j["title"] == "City & Culture");
    CHECK(j["items"][0]["title"] == "Münchner Straßenfest lockt 200.000 Besucher");
    CHECK(j["items"][0]["author"] == "Jürgen Weiß");
    CHECK(j["items"][1]["title"] == "Café-Konzerte: „Jazz am Nachmittag“ geht in die zweite Saison");
    CHECK(j["items"][0]["summary"] == "Drei Tage Musik, Essen und Theater – das größte Fest seit Jahren.");

    r = run_kiosk("parse " + shq(NK_SOURCE_DIR "/assets/demo/tech-desk.atom"));
    REQUIRE(r.exit_code == 0);
    j = json::parse(r.out);
    CHECK(j["format"] == "atom1.0");
    CHECK(j["link"] == "https://demo.newsroom-kiosk.invalid/tech/");
    CHECK(j["items"][0]["summary"] ==
          "Pupils build the sensors, calibrate them & publish the data — and the readings now feed regional forecasts.");
    CHECK(j["items"][0]["categories"] == json::array({"Hardware"}));
    CHECK(j["items"][1]["title"] == "Battery recycling plant recovers 95 % of lithium");
    CHECK(j["items"][1]["author"] == "Tech Desk");
    CHECK(j["items"][1]["published"] == j["items"][1]["updated"]);
    CHECK(j["items"][2]["title"] == "Ретро-компьютеры: a museum opens its machines to visitors");
    CHECK(j["items"][2]["summary"] == "Forty working computers from 1975–1995, all switched on and ready to type on.");
}

TEST_CASE("parse takes the HTTP context from --content-type and --base-url", "[cli]") {
    std::string latin1 = "<rss version=\"2.0\"><channel><title>Caf\xe9</title><item><title>\x93Quoted\x94</title>"
                         "<link>/story/1</link></item></channel></rss>";
    std::string f = temp_file("ct.xml", latin1);
    auto r = run_kiosk("parse " + shq(f) + " --content-type 'text/xml; charset=ISO-8859-1' --base-url https://news.example/feed.xml");
    REQUIRE(r.exit_code == 0);
    json j = json::parse(r.out);
    CHECK(j["title"] == "Café");
    CHECK(j["items"][0]["title"] == "“Quoted”");
    CHECK(j["items"][0]["link"] == "https://news.example/story/1");
    CHECK(j["warnings"].empty());
    std::filesystem::remove(f);
}

TEST_CASE("parse reads stdin when FILE is -", "[cli]") {
    auto r = run_kiosk("parse - < " + shq(NK_SOURCE_DIR "/assets/demo/tech-desk.atom"));
    REQUIRE(r.exit_code == 0);
    CHECK(json::parse(r.out)["title"] == "Tech Desk");
}

TEST_CASE("parse exits 0 with warnings for a recovered feed", "[cli]") {
    std::string f = temp_file("broken.xml", "junk<rss><channel><title>A & B &mdash; C</title><item><title>One</title></item>");
    auto r = run_kiosk("parse " + shq(f));
    CHECK(r.exit_code == 0);
    json j = json::parse(r.out);
    CHECK(j["title"] == "A & B — C");
    CHECK(j["items"].size() == 1);
    CHECK(j["warnings"].size() >= 2);
    std::filesystem::remove(f);
}

TEST_CASE("parse exits 1 with a one-line error when nothing can be read", "[cli]") {
    auto one_line = [](const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; };
    std::string html = temp_file("page.html", "<!DOCTYPE html><html><body><p>Hello</p></body></html>");
    auto r = run_kiosk("parse " + shq(html));
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(one_line(r.err));
    CHECK(r.err.find("page.html") != std::string::npos);
    CHECK(r.err.find("HTML page") != std::string::npos);

    std::string empty = temp_file("empty.xml", "");
    r = run_kiosk("parse " + shq(empty));
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.err));

    std::string binary = temp_file("binary.bin", std::string("\x00\x01\x02\xff\xfe junk", 11));
    r = run_kiosk("parse " + shq(binary));
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.err));

    r = run_kiosk("parse /nonexistent/feed.xml");
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.err));
    CHECK(r.err.find("/nonexistent/feed.xml") != std::string::npos);
    for (auto& f : {html, empty, binary}) std::filesystem::remove(f);
}

TEST_CASE("parse exits 2 on usage errors", "[cli]") {
    CHECK(run_kiosk("parse").exit_code == 2);
    CHECK(run_kiosk("parse --bogus x.xml").exit_code == 2);
    CHECK(run_kiosk("parse a.xml b.xml").exit_code == 2);
    CHECK(run_kiosk("parse a.xml --content-type").exit_code == 2);
    CHECK(run_kiosk("--no-such-flag").exit_code == 2);
}

TEST_CASE("the kiosk with no config shows the embedded demo content headless", "[cli][demo]") {
    auto dir = std::filesystem::temp_directory_path() / ("nk_cli_demo_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    // No config anywhere it looks (XDG_CONFIG_HOME points at an empty directory).
    ::setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
    auto r = run_kiosk("--headless --duration 4 --cache-dir " + shq((dir / "cache").string()));
    ::unsetenv("XDG_CONFIG_HOME");
    if (std::filesystem::exists("/etc/newsroom-kiosk/kiosk.toml")) return;  // a machine with a real config
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("embedded demo") != std::string::npos);
    bool demo_card = false;
    for (const char* t : {"Harbour cities agree", "Open-source weather stations", "Münchner Straßenfest",
                          "Night trains", "Battery recycling", "Café-Konzerte"})
        demo_card = demo_card || r.out.find(t) != std::string::npos;
    CHECK(demo_card);
    CHECK(r.out.find("stopped") != std::string::npos);
    std::filesystem::remove_all(dir);
    auto v = run_kiosk("--version");
    CHECK(v.exit_code == 0);
    CHECK(v.out.rfind("newsroom-kiosk ", 0) == 0);
}

TEST_CASE("headless ages: days for a week, then the date, never hundreds of days", "[cli]") {
    const auto now = static_cast<int64_t>(::time(nullptr));
    auto rfc = [](int64_t t) {
        char b[64];
        const std::time_t tt = static_cast<std::time_t>(t);
        std::tm tm{};
        gmtime_r(&tt, &tm);
        std::strftime(b, sizeof b, "%a, %d %b %Y %H:%M:%S +0000", &tm);
        return std::string(b);
    };
    const int64_t old = now - 400 * 86400;
    const std::string feed = temp_file("ages.xml",
        "<rss version=\"2.0\"><channel><title>Town Hall</title>"
        "<item><title>Market moves to the square</title><link>https://example.org/a</link><pubDate>" + rfc(now - 3 * 86400 - 600) +
        "</pubDate></item><item><title>Archive: roof repaired</title><link>https://example.org/b</link><pubDate>" + rfc(old) +
        "</pubDate></item></channel></rss>");
    const std::string config = temp_file("ages.toml", "[[feed]]\nurl = \"file://" + feed +
                                                      "\"\nmax_age = \"1000d\"\n[rotation]\nmin_dwell_seconds = 2\nmax_dwell_seconds = 2\n");
    const std::string cache = temp_file("ages-cache", "");
    std::filesystem::remove(cache);
    auto r = run_kiosk("--headless --duration 6 --config " + shq(config) + " --cache-dir " + shq(cache));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("3 days ago  ·  Market moves to the square") != std::string::npos);
    char day[16];
    const std::time_t tt = static_cast<std::time_t>(old);
    std::tm tm{};
    localtime_r(&tt, &tm);
    std::strftime(day, sizeof day, "%Y-%m-%d", &tm);
    CHECK(r.out.find(std::string(day) + "  ·  Archive: roof repaired") != std::string::npos);
    CHECK(r.out.find("days ago  ·  Archive") == std::string::npos);
    for (const auto& f : {feed, config, cache}) std::filesystem::remove_all(f);
}

TEST_CASE("check-config lists every problem with its place and exits non-zero", "[cli][config]") {
    std::string bad = temp_file("bad.toml",
                                "[fetch]\n"
                                "interval_minutes = 0\n"
                                "intervall_minutes = 5\n"
                                "[[feed]]\n"
                                "url = \"ftp://example.com/feed\"\n");
    auto r = run_kiosk("check-config " + shq(bad));
    CHECK(r.exit_code == 1);
    CHECK(r.out.find(bad + ":2:") != std::string::npos);
    CHECK(r.out.find("fetch.interval_minutes") != std::string::npos);
    CHECK(r.out.find(bad + ":3:") != std::string::npos);
    CHECK(r.out.find("did you mean") != std::string::npos);
    CHECK(r.out.find("feed[1].url") != std::string::npos);

    auto ok = run_kiosk("check-config " + shq(NK_SOURCE_DIR "/assets/kiosk.example.toml"));
    CHECK(ok.exit_code == 0);
    CHECK(ok.out.find(": ok (") != std::string::npos);
    CHECK(run_kiosk("check-config").exit_code == 2);
    CHECK(run_kiosk("check-config /nonexistent.toml").exit_code == 1);
    std::filesystem::remove(bad);
}

TEST_CASE("check-config refuses what is not a config file, and says what it is instead", "[cli][config]") {
    nk::test::TempDir dir;
    auto check = [](const std::string& path) { return run_kiosk("check-config " + shq(path)); };
    auto said = [](const nk::test::RunResult& r, const std::string& what) {
        INFO(r.out << r.err);
        CHECK(r.exit_code == 1);
        CHECK((r.out + r.err).find(what) != std::string::npos);
    };
    said(check(dir.path.string()), "is a directory, not a file");
    said(check("/dev/zero"), "is not a regular file");
    {
        // 50 MB: refused after reading the limit plus one byte, not read whole.
        std::ofstream big(dir.path / "big.toml", std::ios::binary);
        big.seekp(50 << 20);
        big.put('\n');
    }
    said(check((dir.path / "big.toml").string()), "larger than 4194304 bytes");
    std::ofstream(dir.path / "empty.toml").close();
    said(check((dir.path / "empty.toml").string()), "the file is empty");
    const std::string text = "[[feed]]\nurl = \"https://example.com/rss\"\n";
    std::string utf16le = "\xFF\xFE", utf16be;
    for (char c : text) utf16le += std::string{c, '\0'}, utf16be += std::string{'\0', c};
    std::ofstream(dir.path / "le.toml", std::ios::binary) << utf16le;
    std::ofstream(dir.path / "be.toml", std::ios::binary) << utf16be;
    said(check((dir.path / "le.toml").string()), "the file is UTF-16 (little-endian, with a byte-order mark)");
    said(check((dir.path / "be.toml").string()), "the file is UTF-16 (big-endian)");
}

TEST_CASE("parse prints a JSON Feed with the same keys, format json1.0 or json1.1", "[cli][jsonfeed]") {
    auto r = run_kiosk("parse " + shq(data_path("jsonfeed-1.1-attachments.json")));
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    json j = json::parse(r.out);
    CHECK(keys_of(j) == std::vector<std::string>{"format", "title", "link", "warnings", "items"});
    CHECK(j["format"] == "json1.1");
    REQUIRE(j["items"].size() == 4);
    for (auto& it : j["items"]) CHECK(it.size() == 9);
    CHECK(j["items"][1]["image"] == "https://cdn.radio.harbour.example/ep41-cover.png");
    CHECK(j["items"][2]["title"] == "");  // a post without a title stays without one in `parse`

    r = run_kiosk("parse " + shq(data_path("jsonfeed-1.0-author-object.json")));
    REQUIRE(r.exit_code == 0);
    CHECK(json::parse(r.out)["format"] == "json1.0");

    // Malformed JSON: one line naming file, line and column.
    r = run_kiosk("parse " + shq(data_path("jsonfeed-malformed-trailing-comma.json")));
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(r.err.find("jsonfeed-malformed-trailing-comma.json: malformed JSON at line 5, column 32") != std::string::npos);
    CHECK(r.err.find('\n') == r.err.size() - 1);
}
