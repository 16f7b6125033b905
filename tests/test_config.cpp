// SPDX-License-Identifier: Apache-2.0
// Config (TOML) and feed lists (OPML): defaults, every table, each kind of problem with its exact
// file:line:column and key, unknown-key suggestions, durations, and the example config in assets/
// parsed clean, so the documentation and the code cannot drift apart.
#include "core/config.h"
#include "helpers.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using nk::test::fixture;

namespace {

nk::ConfigParse parse(std::string_view text) { return nk::parse_config(text, "kiosk.toml"); }

std::vector<std::string> formatted(const nk::ConfigParse& p) {
    std::vector<std::string> out;
    for (const auto& i : p.issues) out.push_back(nk::format_issue(i));
    return out;
}

std::string all_issues(const nk::ConfigParse& p) {
    std::string s;
    for (const auto& line : formatted(p)) s += line + "\n";
    return s;
}

// Only the first N issues matter to some tests; this keeps their failures readable.
void require_issues(const nk::ConfigParse& p, const std::vector<std::string>& expected) {
    INFO(all_issues(p));
    REQUIRE(formatted(p) == expected);
}

}  // namespace

TEST_CASE("a file with only comments is the defaults with no issues, an empty one is refused", "[config]") {
    for (std::string_view text : {std::string_view("# nothing here\n# [fetch]\n"), std::string_view("# defaults\n")}) {
        nk::ConfigParse p = parse(text);
        INFO(all_issues(p));
        CHECK(p.issues.empty());
        CHECK_FALSE(p.has_errors());
        CHECK(p.config == nk::Config{});
    }
    // A truncated write or a failed copy must not read as "no feeds, all defaults".
    for (std::string_view text : {std::string_view(""), std::string_view("\n\n   \n")}) {
        nk::ConfigParse p = parse(text);
        REQUIRE(p.issues.size() == 1);
        CHECK(p.has_errors());
        CHECK(nk::format_issue(p.issues[0]).find("kiosk.toml: the file is empty") == 0);
    }
    nk::Config d;
    CHECK(d.fetch.interval_minutes == 10);
    CHECK(d.fetch.max_parallel == 6);
    CHECK(d.fetch.max_per_host == 2);
    CHECK(d.rotation.words_per_minute == 200);
    CHECK(d.display.mode == "cards");
    CHECK(d.feeds.empty());
    CHECK(d.opml.empty());
}

TEST_CASE("a config with no feeds and no opml is valid: the app shows the demo", "[config]") {
    nk::ConfigParse p = parse("[display]\ntheme = \"light\"\n\n[fetch]\nmax_parallel = 3\n");
    INFO(all_issues(p));
    CHECK(p.issues.empty());
    CHECK(p.config.feeds.empty());
    CHECK(p.config.opml.empty());
    CHECK(p.config.display.theme == "light");
    CHECK(p.config.fetch.max_parallel == 3);
    CHECK(nk::parse_config("feed = []\n", "k.toml").issues.empty());
}

TEST_CASE("every table and every key is read", "[config]") {
    nk::ConfigParse p = nk::parse_config(fixture("config-full.toml"), "config-full.toml");
    INFO(all_issues(p));
    REQUIRE(p.issues.empty());
    const nk::Config& c = p.config;
    CHECK(c.opml == "lists/subscriptions.opml");

    REQUIRE(c.feeds.size() == 2);
    const nk::FeedConfig& a = c.feeds[0];
    CHECK(a.url == "https://News.Example.com/world/rss.xml");  // scheme lowered, the rest as written
    CHECK(a.name == "Welt – Nachrichten");
    CHECK(a.color == "#a1b2c3");
    CHECK(a.refresh_minutes == 5);
    CHECK(a.max_items == 12);
    CHECK(a.max_age_seconds == 36 * 3600);
    CHECK(a.include == std::vector<std::string>{"election", "storm"});
    CHECK(a.exclude == std::vector<std::string>{"horoscope"});
    CHECK(a.encoding == "windows-1252");
    CHECK(a.weight == 2.5);
    CHECK_FALSE(a.enabled);
    const nk::FeedConfig& b = c.feeds[1];
    CHECK(b.url == "file:///srv/feeds/notices.xml");
    CHECK(b.color == "#00ff88");  // "#rgb" widened
    CHECK(b.max_age_seconds == 5400);
    CHECK(b.name.empty());
    CHECK_FALSE(b.refresh_minutes.has_value());
    CHECK(b.max_items == 20);
    CHECK(b.weight == 1.0);
    CHECK(b.enabled);

    const nk::FetchConfig& f = c.fetch;
    CHECK(f.interval_minutes == 20);
    CHECK(f.max_parallel == 12);
    CHECK(f.max_per_host == 4);
    CHECK(f.connect_timeout_seconds == 5);
    CHECK(f.timeout_seconds == 60);
    CHECK(f.low_speed_bytes_per_second == 0);
    CHECK(f.low_speed_seconds == 40);
    CHECK(f.max_body_bytes == 1048576);
    CHECK(f.max_redirects == 0);
    CHECK(f.backoff_max_minutes == 600);
    CHECK(f.ca_path == "/etc/ssl/certs");
    CHECK(f.proxy == "http://proxy.example.com:3128");
    CHECK(f.user_agent == "LobbyScreen/2.0");

    const nk::RotationConfig& r = c.rotation;
    CHECK(r.words_per_minute == 180.5);
    CHECK(r.min_dwell_seconds == 5);
    CHECK(r.max_dwell_seconds == 40);
    CHECK(r.weighted);
    CHECK(r.priority_keywords == std::vector<std::string>{"breaking", "evacuation"});
    CHECK(r.breaking_dwell_factor == 2);
    CHECK_FALSE(r.dedupe);

    CHECK(c.cache.dir == "/var/cache/kiosk");
    CHECK(c.cache.max_bytes == 100 << 20);

    const nk::DisplayConfig& d = c.display;
    CHECK(d.mode == "list");
    CHECK(d.ticker);
    CHECK(d.ticker_speed == 90.5);
    CHECK(d.theme == "light");
    CHECK(d.clock_format == "%I:%M %p");
    CHECK(d.date_format == "%d.%m.%Y");
    CHECK(d.timezone == "Europe/Berlin");
    CHECK(d.transition == "slide");
    CHECK(d.transition_ms == 0);
    CHECK(d.safe_area == 0.05);
    CHECK(d.pixel_shift);
    CHECK_FALSE(d.qr);
    CHECK(d.status_page);
    CHECK(d.monitor == "1");  // an index, kept as text like a name
    CHECK(d.title == "Lobby News");
    CHECK(d.logo == "/usr/share/kiosk/logo.png");
    CHECK(d.max_fps == 50);
    CHECK(d.transition_fps == 20);
    CHECK(d.ticker_fps == 45);
    CHECK(d.renderer == "gl2");

    // Reload compares the new config with the running one.
    CHECK(nk::parse_config(fixture("config-full.toml"), "x").config == c);
    CHECK_FALSE(nk::Config{} == c);
}

TEST_CASE("wrong types and out-of-range values are errors at the value, and the default stays", "[config]") {
    nk::ConfigParse p = parse(R"([fetch]
interval_minutes = 0
max_parallel = "six"
max_per_host = 17

[[feed]]
url = "https://a.example.com/rss"
color = "blue"
weight = 0
max_age = "forever"

[[feed]]
name = "no url"

[[feed]]
url = "ftp://files.example.com/feed.xml"

[display]
mode = "grid"
theme = "Light"
transition = "wipe"
safe_area = 0.5

[rotation]
words_per_minute = -3
min_dwell_seconds = 30
)");
    require_issues(p, {
        "kiosk.toml:2:20: fetch.interval_minutes: must be between 1 and 43200 (got 0)",
        "kiosk.toml:3:16: fetch.max_parallel: expected an integer, got a string",
        "kiosk.toml:4:16: fetch.max_per_host: must be between 1 and 16 (got 17)",
        "kiosk.toml:8:9: feed[1].color: expected a colour like \"#1e88e5\" or \"#18e\" (got \"blue\")",
        "kiosk.toml:9:10: feed[1].weight: must be greater than 0 and at most 1000 (got 0)",
        "kiosk.toml:10:11: feed[1].max_age: \"forever\" is not a duration; expected e.g. \"90m\", \"36h\", \"2d\", \"1w\" or a number of seconds",
        "kiosk.toml:12:1: feed[2].url: missing; every [[feed]] needs the address of its feed",
        "kiosk.toml:16:7: feed[3].url: scheme 'ftp' is not supported; expected http, https or file",
        "kiosk.toml:19:8: display.mode: must be \"cards\", \"list\" or \"ticker\" (got \"grid\")",
        "kiosk.toml:21:14: display.transition: must be \"fade\", \"slide\" or \"none\" (got \"wipe\")",
        "kiosk.toml:22:13: display.safe_area: must be between 0 and 0.25 (got 0.5)",
        "kiosk.toml:25:20: rotation.words_per_minute: must be greater than 0 and at most 10000 (got -3)",
        "kiosk.toml:26:21: rotation.min_dwell_seconds: min_dwell_seconds (30) is greater than max_dwell_seconds (25); both stay at "
        "their defaults (8, 25)",
    });
    CHECK(p.has_errors());
    const nk::Config& c = p.config;
    nk::Config d;
    CHECK(c.fetch == d.fetch);
    REQUIRE(c.feeds.size() == 1);  // the feed without a usable url is dropped; the other keeps its defaults
    CHECK(c.feeds[0].url == "https://a.example.com/rss");
    CHECK(c.feeds[0].color.empty());
    CHECK(c.feeds[0].weight == 1.0);
    CHECK_FALSE(c.feeds[0].max_age_seconds.has_value());
    CHECK(c.display.mode == "cards");
    CHECK(c.display.theme == "light");  // choices are read case-insensitively
    CHECK(c.display.transition == "fade");
    CHECK(c.display.safe_area == d.display.safe_area);
    CHECK(c.rotation == d.rotation);
}

TEST_CASE("feed urls: http, https and file only, each problem named", "[config]") {
    nk::ConfigParse p = parse(R"([[feed]]
url = "/srv/feeds/news.xml"
[[feed]]
url = "news.example.com/rss"
[[feed]]
url = ""
[[feed]]
url = "https:///rss"
[[feed]]
url = "file://srv/x.xml"
[[feed]]
url = "feed://news.example.com/rss"
[[feed]]
url = 42
[[feed]]
url = "http://a.example.com/my feed.xml"
[[feed]]
url = "  file://localhost/srv/feeds/a.xml  "
[[feed]]
url = "HTTP://b.example.com/?q=1"
)");
    require_issues(p, {
        "kiosk.toml:2:7: feed[1].url: is a path; write it as a file URL: \"file:///srv/feeds/news.xml\"",
        "kiosk.toml:4:7: feed[2].url: has no scheme; expected an http://, https:// or file:// address",
        "kiosk.toml:6:7: feed[3].url: is empty; expected an http://, https:// or file:// address",
        "kiosk.toml:8:7: feed[4].url: has no host",
        "kiosk.toml:10:7: feed[5].url: a file URL needs an absolute path, like \"file:///srv/feeds/news.xml\"",
        "kiosk.toml:12:7: feed[6].url: \"feed://\" is a browser shorthand; write \"https://\" (or \"http://\") instead",
        "kiosk.toml:14:7: feed[7].url: expected a string, got an integer",
        "kiosk.toml:16:7: feed[8].url: must not contain spaces (write them as %20)",
    });
    REQUIRE(p.config.feeds.size() == 2);
    CHECK(p.config.feeds[0].url == "file://localhost/srv/feeds/a.xml");
    CHECK(p.config.feeds[1].url == "http://b.example.com/?q=1");
}

TEST_CASE("feeds must be [[feed]] tables", "[config]") {
    require_issues(parse("[feed]\nurl = \"https://a.example.com/rss\"\n"),
                   {"kiosk.toml:1:1: feed: write feeds as [[feed]] (double brackets), one block per feed"});
    require_issues(parse("feed = [\"https://a.example.com/rss\", { url = \"https://b.example.com/rss\" }]\n"),
                   {"kiosk.toml:1:9: feed[1]: expected a table like { url = \"https://...\" }, got a string"});
    require_issues(parse("feed = 3\n"), {"kiosk.toml:1:8: feed: expected [[feed]] entries, got an integer"});
    require_issues(parse("fetch = 5\n"), {"kiosk.toml:1:9: fetch: expected a table ([fetch]), got an integer"});
    nk::ConfigParse inline_ok = parse("feed = [{ url = \"https://b.example.com/rss\", name = \"B\" }]\n");
    CHECK(inline_ok.issues.empty());
    REQUIRE(inline_ok.config.feeds.size() == 1);
    CHECK(inline_ok.config.feeds[0].name == "B");
}

TEST_CASE("a duplicate feed url is a warning and the later entry is ignored", "[config]") {
    nk::ConfigParse p = parse(R"([[feed]]
url = "https://a.example.com/rss"
name = "first"
[[feed]]
url = "HTTPS://A.EXAMPLE.COM/rss"
name = "second"
[[feed]]
url = "https://a.example.com/RSS"
name = "third: the path differs"
)");
    require_issues(p, {"kiosk.toml:5:7: feed[2].url: warning: same url as feed[1]; this entry is ignored"});
    CHECK_FALSE(p.has_errors());
    REQUIRE(p.config.feeds.size() == 2);
    CHECK(p.config.feeds[0].name == "first");
    CHECK(p.config.feeds[1].name == "third: the path differs");
}

TEST_CASE("colours, choices, monitor and control characters", "[config]") {
    nk::ConfigParse p = parse(R"([[feed]]
url = "https://a.example.com/rss"
color = "#12345"
[[feed]]
url = "https://b.example.com/rss"
color = " #ABC "
[fetch]
user_agent = "Kiosk\r\nX-Injected: 1"
proxy = 8080
[display]
theme = "DARK"
monitor = -1
max_fps = 0
[rotation]
dedupe = "yes"
breaking_dwell_factor = 0.5
)");
    require_issues(p, {
        "kiosk.toml:3:9: feed[1].color: expected a colour like \"#1e88e5\" or \"#18e\" (got \"#12345\")",
        "kiosk.toml:8:14: fetch.user_agent: must not contain control characters (line breaks, tabs)",
        "kiosk.toml:9:9: fetch.proxy: expected a string, got an integer",
        "kiosk.toml:12:11: display.monitor: must be between 0 and 64 (got -1)",
        "kiosk.toml:13:11: display.max_fps: must be between 1 and 240 (got 0)",
        "kiosk.toml:15:10: rotation.dedupe: expected true or false, got a string",
        "kiosk.toml:16:25: rotation.breaking_dwell_factor: must be between 1 and 10 (got 0.5)",
    });
    REQUIRE(p.config.feeds.size() == 2);
    CHECK(p.config.feeds[1].color == "#aabbcc");
    CHECK(p.config.fetch.user_agent.empty());
    CHECK(p.config.display.theme == "dark");
    CHECK(p.config.display.monitor.empty());
    CHECK(p.config.display.max_fps == 60);
    CHECK(p.config.rotation.dedupe);

    nk::ConfigParse names = parse("[display]\nmonitor = \"HDMI-A-1\"\n");
    CHECK(names.issues.empty());
    CHECK(names.config.display.monitor == "HDMI-A-1");
    require_issues(parse("[display]\nmonitor = true\n"), {"kiosk.toml:2:11: display.monitor: expected a monitor index or name, got a boolean"});
    require_issues(parse("[rotation]\nwords_per_minute = inf\n"), {"kiosk.toml:2:20: rotation.words_per_minute: must be a finite number"});
}

TEST_CASE("min_dwell_seconds above max_dwell_seconds resets both, reported at max when it was set", "[config]") {
    nk::ConfigParse p = parse("[rotation]\nmin_dwell_seconds = 20\nmax_dwell_seconds = 10\n");
    require_issues(p, {"kiosk.toml:3:21: rotation.max_dwell_seconds: min_dwell_seconds (20) is greater than max_dwell_seconds "
                       "(10); both stay at their defaults (8, 25)"});
    CHECK(p.config.rotation.min_dwell_seconds == 8);
    CHECK(p.config.rotation.max_dwell_seconds == 25);
    nk::ConfigParse equal = parse("[rotation]\nmin_dwell_seconds = 12\nmax_dwell_seconds = 12\n");
    CHECK(equal.issues.empty());
    CHECK(equal.config.rotation.max_dwell_seconds == 12);
}

TEST_CASE("keywords are arrays of strings, each element checked", "[config]") {
    nk::ConfigParse p = parse(R"([[feed]]
url = "https://a.example.com/rss"
include = ["election", 3, "  ", " storm "]
exclude = "sport"
[rotation]
priority_keywords = [["nested"]]
)");
    require_issues(p, {
        "kiosk.toml:3:24: feed[1].include[2]: expected a string, got an integer",
        "kiosk.toml:3:27: feed[1].include[3]: is empty; a keyword needs at least one letter",
        "kiosk.toml:4:11: feed[1].exclude: expected an array of strings, like [\"election\", \"storm\"], got a string",
        "kiosk.toml:6:22: rotation.priority_keywords[1]: expected a string, got an array",
    });
    REQUIRE(p.config.feeds.size() == 1);
    CHECK(p.config.feeds[0].include == std::vector<std::string>{"election", "storm"});
    CHECK(p.config.feeds[0].exclude.empty());
    CHECK(p.config.rotation.priority_keywords.empty());
}

TEST_CASE("durations: units, combinations, bare seconds, and what is refused", "[config]") {
    using nk::parse_duration_seconds;
    CHECK(parse_duration_seconds("90m") == 5400);
    CHECK(parse_duration_seconds("36h") == 129600);
    CHECK(parse_duration_seconds("2d") == 172800);
    CHECK(parse_duration_seconds("1w") == 604800);
    CHECK(parse_duration_seconds("45s") == 45);
    CHECK(parse_duration_seconds("1h30m") == 5400);
    CHECK(parse_duration_seconds("1h 30m") == 5400);
    CHECK(parse_duration_seconds(" 2 days ") == 172800);
    CHECK(parse_duration_seconds("3 Hours") == 10800);
    CHECK(parse_duration_seconds("1H") == 3600);
    CHECK(parse_duration_seconds("3600") == 3600);
    CHECK(parse_duration_seconds("0m") == 0);
    CHECK_FALSE(parse_duration_seconds(""));
    CHECK_FALSE(parse_duration_seconds("h"));
    CHECK_FALSE(parse_duration_seconds("1h30"));  // 30 what?
    CHECK_FALSE(parse_duration_seconds("1.5h"));
    CHECK_FALSE(parse_duration_seconds("-5m"));
    CHECK_FALSE(parse_duration_seconds("10y"));
    CHECK_FALSE(parse_duration_seconds("forever"));
    CHECK_FALSE(parse_duration_seconds("99999999999999999999s"));
    CHECK_FALSE(parse_duration_seconds("9007199254740992w"));

    nk::ConfigParse p = parse(R"([[feed]]
url = "https://a.example.com/rss"
max_age = 0
[[feed]]
url = "https://b.example.com/rss"
max_age = 1.5
[[feed]]
url = "https://c.example.com/rss"
max_age = "0m"
[[feed]]
url = "https://d.example.com/rss"
max_age = "3651d"
[[feed]]
url = "https://e.example.com/rss"
max_age = 7200
[[feed]]
url = "https://f.example.com/rss"
max_age = "1w"
)");
    require_issues(p, {
        "kiosk.toml:3:11: feed[1].max_age: must be between 1 second and 3650 days (got 0 seconds)",
        "kiosk.toml:6:11: feed[2].max_age: expected a duration like \"36h\" or \"2d\", or a number of seconds, got a floating-point number",
        "kiosk.toml:9:11: feed[3].max_age: must be between 1 second and 3650 days (got 0 seconds)",
        "kiosk.toml:12:11: feed[4].max_age: must be between 1 second and 3650 days (got 315446400 seconds)",
    });
    REQUIRE(p.config.feeds.size() == 6);
    for (int i = 0; i < 4; ++i) CHECK_FALSE(p.config.feeds[i].max_age_seconds.has_value());
    CHECK(p.config.feeds[4].max_age_seconds == 7200);
    CHECK(p.config.feeds[5].max_age_seconds == 604800);
}

TEST_CASE("unknown keys are warnings that suggest the nearest known key", "[config]") {
    nk::ConfigParse p = parse(R"(opml_url = "x.opml"
[fetch]
intervall_minutes = 5
Max-Parallel = 3
timeout = 20
[[feed]]
url = "https://a.example.com/rss"
title = "A"
colour = "#fff"
[display]
ticker_sped = 100
opml = "late.opml"
interval_minutes = 5
wallpaper = "x.png"
[weather]
city = "Berlin"
)");
    require_issues(p, {
        "kiosk.toml:1:1: opml_url: warning: unknown key 'opml_url'; did you mean 'opml'?",
        "kiosk.toml:3:1: fetch.intervall_minutes: warning: unknown key 'intervall_minutes'; did you mean 'interval_minutes'?",
        "kiosk.toml:4:1: fetch.Max-Parallel: warning: unknown key 'Max-Parallel'; did you mean 'max_parallel'?",
        "kiosk.toml:5:1: fetch.timeout: warning: unknown key 'timeout'; did you mean 'timeout_seconds'?",
        "kiosk.toml:8:1: feed[1].title: warning: unknown key 'title'; did you mean 'name'?",
        "kiosk.toml:9:1: feed[1].colour: warning: unknown key 'colour'; did you mean 'color'?",
        "kiosk.toml:11:1: display.ticker_sped: warning: unknown key 'ticker_sped'; did you mean 'ticker_speed'?",
        "kiosk.toml:12:1: display.opml: warning: unknown key 'opml'; 'opml' belongs at the top of the file, before the first [table]",
        "kiosk.toml:13:1: display.interval_minutes: warning: unknown key 'interval_minutes'; 'interval_minutes' belongs in [fetch]",
        "kiosk.toml:14:1: display.wallpaper: warning: unknown key 'wallpaper'",
        "kiosk.toml:15:2: weather: warning: unknown key 'weather'",
    });
    CHECK_FALSE(p.has_errors());
    // Unknown keys change nothing.
    CHECK(p.config.fetch == nk::FetchConfig{});
    CHECK(p.config.display == nk::DisplayConfig{});
    CHECK(p.config.health == nk::HealthConfig{});
    CHECK(p.config.power == nk::PowerConfig{});
    CHECK(p.config.announcement_options == nk::AnnouncementsConfig{});
    CHECK(p.config.announcements.empty());
    CHECK(p.config.alerts.empty());
    CHECK(p.config.opml.empty());
    REQUIRE(p.config.feeds.size() == 1);
    CHECK(p.config.feeds[0].name.empty());
}

TEST_CASE("feed keys outside a [[feed]] and far-off names", "[config]") {
    require_issues(parse("url = \"https://a.example.com/rss\"\n"),
                   {"kiosk.toml:1:1: url: warning: unknown key 'url'; 'url' belongs in a [[feed]] entry"});
    require_issues(parse("[[feeds]]\nurl = \"https://a.example.com/rss\"\n"),
                   {"kiosk.toml:1:3: feeds: warning: unknown key 'feeds'; did you mean 'feed'?"});
    // Short keys get one edit, no more: "mod" is near "mode", "zoom" is near nothing.
    require_issues(parse("[display]\nmod = \"list\"\nzoom = 2\n"),
                   {"kiosk.toml:2:1: display.mod: warning: unknown key 'mod'; did you mean 'mode'?",
                    "kiosk.toml:3:1: display.zoom: warning: unknown key 'zoom'"});
}

TEST_CASE("odd keys are quoted back on one line", "[config]") {
    nk::ConfigParse p = parse("[display]\n\"two\\nlines\" = 1\n\"" + std::string(100, 'k') + "\" = 2\n");
    require_issues(p, {"kiosk.toml:2:1: display.two\\x0alines: warning: unknown key 'two\\x0alines'",
                       "kiosk.toml:3:1: display." + std::string(80, 'k') + "...: warning: unknown key '" + std::string(80, 'k') + "...'"});
}

TEST_CASE("a TOML syntax error is one error at toml++'s line and column", "[config]") {
    nk::ConfigParse p = parse("[fetch]\ninterval_minutes = 10\nmax_parallel = = 3\n");
    REQUIRE(p.issues.size() == 1);
    const nk::ConfigIssue& i = p.issues[0];
    CHECK(i.file == "kiosk.toml");
    CHECK(i.line == 3);
    CHECK(i.column == 16);
    CHECK(i.key.empty());
    CHECK_FALSE(i.warning);
    CHECK_FALSE(i.message.empty());
    CHECK(nk::format_issue(i) == "kiosk.toml:3:16: " + i.message);
    CHECK(p.has_errors());
    CHECK(p.config == nk::Config{});

    nk::ConfigParse dup = parse("[display]\ntheme = \"dark\"\ntheme = \"light\"\n");
    REQUIRE(dup.issues.size() == 1);
    CHECK(dup.issues[0].line == 3);

    nk::ConfigParse bad_utf8 = parse("[display]\ntitle = \"caf\xE9\"\n");
    REQUIRE(bad_utf8.issues.size() == 1);
    CHECK(bad_utf8.issues[0].line == 2);
    CHECK(bad_utf8.has_errors());

    nk::ConfigParse unterminated = parse("[display]\ntitle = \"Lobby\n");
    REQUIRE(unterminated.issues.size() == 1);
    CHECK(unterminated.issues[0].line == 2);
}

TEST_CASE("issues come in file order, errors and warnings mixed", "[config]") {
    nk::ConfigParse p = parse(R"([fetch]
max_parallel = 0
[display]
zoom = 2
theme = "pink"
[cache]
max_bytes = 10
)");
    require_issues(p, {
        "kiosk.toml:2:16: fetch.max_parallel: must be between 1 and 64 (got 0)",
        "kiosk.toml:4:1: display.zoom: warning: unknown key 'zoom'",
        "kiosk.toml:5:9: display.theme: must be \"dark\" or \"light\" (got \"pink\")",
        "kiosk.toml:7:13: cache.max_bytes: must be between 1048576 and 1099511627776 (got 10)",
    });
}

TEST_CASE("opml takes a path or an http(s)/file URL", "[config]") {
    CHECK(parse("opml = \"feeds.opml\"\n").config.opml == "feeds.opml");
    CHECK(parse("opml = \"https://reader.example.com/export.opml\"\n").config.opml == "https://reader.example.com/export.opml");
    nk::ConfigParse p = parse("opml = \"ftp://reader.example.com/export.opml\"\n");
    require_issues(p, {"kiosk.toml:1:8: opml: scheme 'ftp' is not supported; expected http, https or file"});
    CHECK(p.config.opml.empty());
}

TEST_CASE("format_issue and the file name", "[config]") {
    nk::ConfigIssue i;
    i.file = "k.toml";
    i.line = 3;
    i.column = 5;
    i.key = "fetch.x";
    i.message = "m";
    CHECK(nk::format_issue(i) == "k.toml:3:5: fetch.x: m");
    i.warning = true;
    CHECK(nk::format_issue(i) == "k.toml:3:5: fetch.x: warning: m");
    i.line = 0;
    i.column = 0;
    CHECK(nk::format_issue(i) == "k.toml: fetch.x: warning: m");
    i.key.clear();
    i.warning = false;
    CHECK(nk::format_issue(i) == "k.toml: m");

    nk::ConfigParse unnamed = nk::parse_config("[fetch]\nmax_parallel = 0\n", "");
    REQUIRE(unnamed.issues.size() == 1);
    CHECK(nk::format_issue(unnamed.issues[0]) == "<config>:2:16: fetch.max_parallel: must be between 1 and 64 (got 0)");

    nk::ConfigParse huge = parse(std::string(5u << 20, '#'));
    require_issues(huge, {"kiosk.toml: is 5 MiB; a config is at most 4 MiB (is this the right file?)"});
}

TEST_CASE("a UTF-8 byte order mark is accepted", "[config]") {
    nk::ConfigParse p = parse("\xEF\xBB\xBF[fetch]\ninterval_minutes = 3\n");
    INFO(all_issues(p));
    CHECK(p.issues.empty());
    CHECK(p.config.fetch.interval_minutes == 3);
}

// [SECTION] [health] and [power]

TEST_CASE("health and power tables: defaults are off and always on, good values are read", "[config][health][power]") {
    nk::Config d;
    CHECK(d.health.listen.empty());
    CHECK(d.health.stale_after_minutes == 60);
    CHECK_FALSE(d.power.off.has_value());
    CHECK_FALSE(d.power.on.has_value());
    CHECK(d.power.days_off == 0);

    nk::ConfigParse p = parse(R"([health]
listen = "0.0.0.0:8089"
stale_after_minutes = 180

[power]
off = "22:30"
on = "7:05"
days_off = ["sat", "Sunday", "MON"]
)");
    INFO(all_issues(p));
    REQUIRE(p.issues.empty());
    CHECK(p.config.health.listen == "0.0.0.0:8089");
    CHECK(p.config.health.stale_after_minutes == 180);
    CHECK(p.config.power.off == 22 * 60 + 30);
    CHECK(p.config.power.on == 7 * 60 + 5);
    CHECK(p.config.power.days_off == ((1 << 6) | (1 << 0) | (1 << 1)));

    // A TOML local time works as well as a string; "" is no time at all.
    nk::ConfigParse t = parse("[power]\noff = 01:00:00\non = 05:30:00\n");
    INFO(all_issues(t));
    REQUIRE(t.issues.empty());
    CHECK(t.config.power.off == 60);
    CHECK(t.config.power.on == 330);
    nk::ConfigParse none = parse("[power]\noff = \"\"\non = \"\"\ndays_off = []\n[health]\nlisten = \"\"\n");
    CHECK(none.issues.empty());
    CHECK(none.config.power == nk::PowerConfig{});
    CHECK(none.config.health == nk::HealthConfig{});
    // Only days off, no nightly window, is a schedule too.
    nk::ConfigParse days = parse("[power]\ndays_off = [\"sun\"]\n");
    CHECK(days.issues.empty());
    CHECK(days.config.power.days_off == 1);
}

TEST_CASE("health and power tables: each mistake is named at its value", "[config][health][power]") {
    nk::ConfigParse p = parse(R"([health]
listen = "news-screen:8089"
stale_after_minutes = 0

[power]
off = "10pm"
on = "24:00"
days_off = ["sat", "sonday", 7]
)");
    require_issues(p, {
        "kiosk.toml:2:10: health.listen: \"news-screen:8089\" does not start with a numeric address; use e.g. \"127.0.0.1\", "
        "\"0.0.0.0\" (every interface) or \"localhost\", not a host name",
        "kiosk.toml:3:23: health.stale_after_minutes: must be between 1 and 43200 (got 0)",
        "kiosk.toml:6:7: power.off: expected a time of day from \"00:00\" to \"23:59\", like \"22:30\" (got \"10pm\")",
        "kiosk.toml:7:6: power.on: expected a time of day from \"00:00\" to \"23:59\", like \"22:30\" (got \"24:00\")",
        "kiosk.toml:8:20: power.days_off[2]: \"sonday\" is not a day; expected \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\" or \"sun\"",
        "kiosk.toml:8:30: power.days_off[3]: expected a string, got an integer",
    });
    CHECK(p.config.health == nk::HealthConfig{});
    CHECK(p.config.power.days_off == (1 << 6));  // the good day is kept
    CHECK_FALSE(p.config.power.off.has_value());

    // Both ends of the nightly window, or neither; and they must differ.
    require_issues(parse("[power]\noff = \"22:30\"\n"),
                   {"kiosk.toml:2:7: power.off: set both off and on, or neither (on is missing); the nightly schedule is ignored"});
    require_issues(parse("[power]\noff = \"\"\non = \"07:00\"\n"),
                   {"kiosk.toml:3:6: power.on: set both off and on, or neither (off is empty); the nightly schedule is ignored"});
    nk::ConfigParse same = parse("[power]\noff = \"07:00\"\non = \"7:00\"\ndays_off = [\"sun\"]\n");
    require_issues(same, {"kiosk.toml:3:6: power.on: off and on are both \"07:00\"; the nightly schedule is ignored (leave both "
                          "empty for always on)"});
    CHECK_FALSE(same.config.power.off.has_value());
    CHECK(same.config.power.days_off == 1);  // days_off still holds
    nk::ConfigParse seconds = parse("[power]\noff = 22:30:15\non = 07:00:00\n");
    REQUIRE(seconds.issues.size() == 2);
    CHECK(nk::format_issue(seconds.issues[0]) ==
          "kiosk.toml:2:7: power.off: expected a time of day from \"00:00\" to \"23:59\", like \"22:30\"; seconds are not used");

    // Every day off is allowed (a closed site) but almost always a slip: a warning.
    nk::ConfigParse all = parse("[power]\ndays_off = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]\n");
    require_issues(all, {"kiosk.toml:2:12: power.days_off: warning: every day is off: the screen never comes on"});
    CHECK(all.config.power.days_off == 0x7f);

    // Port 0 (any free port) is for tests on the command line; a monitor needs a fixed one.
    require_issues(parse("[health]\nlisten = \"127.0.0.1:0\"\n"),
                   {"kiosk.toml:2:10: health.listen: port 0 picks a random port; give a fixed one, like \"127.0.0.1:8089\""});
    // Keys in the wrong table or misspelt point at the right one.
    require_issues(parse("[display]\noff = \"22:00\"\n[health]\nport = 8089\n[power]\ndays = [\"sun\"]\n"),
                   {"kiosk.toml:2:1: display.off: warning: unknown key 'off'; 'off' belongs in [power]",
                    "kiosk.toml:4:1: health.port: warning: unknown key 'port'; did you mean 'listen'?",
                    "kiosk.toml:6:1: power.days: warning: unknown key 'days'; did you mean 'days_off'?"});
}

TEST_CASE("listen addresses: IPv4, bracketed IPv6, localhost, a bare port", "[config][health]") {
    auto ok = [](std::string_view text, const std::string& host, uint16_t port) {
        auto a = nk::parse_listen_address(text);
        INFO(text);
        REQUIRE(a.ok());
        CHECK(a->host == host);
        CHECK(a->port == port);
    };
    ok("127.0.0.1:8089", "127.0.0.1", 8089);
    ok("0.0.0.0:80", "0.0.0.0", 80);
    ok(":8089", "127.0.0.1", 8089);
    ok("localhost:9100", "127.0.0.1", 9100);
    ok("LocalHost:9100", "127.0.0.1", 9100);
    ok(" 192.168.1.20:8089 ", "192.168.1.20", 8089);
    ok("[::1]:8089", "::1", 8089);
    ok("[::]:8089", "::", 8089);
    ok("[fe80::1:2:3:4]:1", "fe80::1:2:3:4", 1);
    ok("[2001:db8:0:0:0:0:0:1]:65535", "2001:db8:0:0:0:0:0:1", 65535);
    ok("[::ffff:192.0.2.1]:8089", "::ffff:192.0.2.1", 8089);
    ok("127.0.0.1:0", "127.0.0.1", 0);

    auto bad = [](std::string_view text, std::string_view why) {
        auto a = nk::parse_listen_address(text);
        INFO(text);
        REQUIRE_FALSE(a.ok());
        CHECK(a.error().message.find(why) != std::string::npos);
    };
    bad("", "is not an address");
    bad("8089", "is not an address");
    bad("127.0.0.1", "is not an address");
    bad("127.0.0.1:", "has no port");
    bad("127.0.0.1:http", "has no port");
    bad("127.0.0.1:65536", "above 65535");
    bad("127.0.0.1:123456", "has no port");
    bad("256.0.0.1:80", "not a host name");
    bad("127.0.0:80", "not a host name");
    bad("127.0.0.01:80", "not a host name");
    bad("127.0.0.1.5:80", "not a host name");
    bad("example.com:80", "not a host name");
    bad("::1:8089", "write it in brackets");
    bad("[::1:8089", "valid IPv6");
    bad("[]:8089", "valid IPv6");
    bad("[1::2::3]:80", "valid IPv6");
    bad("[12345::]:80", "valid IPv6");
    bad("[1:2:3:4:5:6:7:8:9]:80", "valid IPv6");
    bad("[fe80::1%eth0]:80", "valid IPv6");
}

// [SECTION] The example config

namespace {

struct ExampleKey {
    std::string section;  // "" top level, "feed" for [[feed]], else the table
    std::string key;
    std::string line;
};

// Every `key = value` line of the example, commented out or not, with the table it sits in (a
// commented-out "# [[announcement]]" starts a section too: such blocks document entries that a
// real config would not want active).
std::vector<ExampleKey> example_keys(const std::string& text) {
    std::vector<ExampleKey> out;
    std::regex header(R"(^\s*#?\s*\[\[?\s*([A-Za-z_]+)\s*\]\]?\s*$)");
    std::regex assignment(R"(^\s*#?\s*([A-Za-z_]+)\s*=)");
    std::istringstream in(text);
    std::string line, section;
    std::smatch m;
    while (std::getline(in, line)) {
        if (std::regex_match(line, m, header))
            section = m[1].str();
        else if (std::regex_search(line, m, assignment))
            out.push_back({section, m[1].str(), line});
    }
    return out;
}

}  // namespace

TEST_CASE("the example config parses with no issues, shows the real defaults and documents every key", "[config]") {
    const std::string path = std::string(NK_SOURCE_DIR) + "/assets/kiosk.example.toml";
    const std::string text = nk::test::read_file(path);
    nk::ConfigParse p = nk::parse_config(text, "assets/kiosk.example.toml");
    INFO(all_issues(p));
    REQUIRE(p.issues.empty());

    // Its tables state the defaults, so its comments cannot promise a default the code lacks.
    CHECK(p.config.fetch == nk::FetchConfig{});
    CHECK(p.config.rotation == nk::RotationConfig{});
    CHECK(p.config.cache == nk::CacheConfig{});
    CHECK(p.config.display == nk::DisplayConfig{});
    CHECK(p.config.health == nk::HealthConfig{});
    CHECK(p.config.power == nk::PowerConfig{});
    CHECK(p.config.announcement_options == nk::AnnouncementsConfig{});
    CHECK(p.config.announcements.empty());
    CHECK(p.config.alerts.empty());
    CHECK(p.config.opml.empty());
    REQUIRE(p.config.feeds.size() == 3);
    for (const nk::FeedConfig& f : p.config.feeds) {
        CHECK(f.url.find("example.") != std::string::npos);
        CHECK_FALSE(f.name.empty());
    }

    const std::vector<ExampleKey> found = example_keys(text);
    for (const std::string& dotted : nk::config_keys()) {
        auto dot = dotted.find('.');
        std::string section = dot == std::string::npos ? "" : dotted.substr(0, dot);
        std::string key = dot == std::string::npos ? dotted : dotted.substr(dot + 1);
        INFO(dotted);
        auto it = std::find_if(found.begin(), found.end(), [&](const ExampleKey& k) { return k.section == section && k.key == key; });
        REQUIRE(it != found.end());
        // The first mention carries its one-line explanation (the top-level opml one sits above it).
        if (!section.empty()) CHECK(std::regex_search(it->line, std::regex(R"(\s#\s+\S)")));
    }
    // And it documents nothing the code does not know.
    std::set<std::string> known(nk::config_keys().begin(), nk::config_keys().end());
    for (const ExampleKey& k : found) {
        std::string dotted = k.section.empty() ? k.key : k.section + "." + k.key;
        INFO(k.line);
        CHECK(known.count(dotted) == 1);
    }
}

TEST_CASE("config_keys lists every table's keys once", "[config]") {
    const auto& keys = nk::config_keys();
    std::set<std::string> unique(keys.begin(), keys.end());
    CHECK(unique.size() == keys.size());
    CHECK(keys.front() == "opml");
    CHECK(unique.count("feed.url") == 1);
    CHECK(unique.count("feed.max_age") == 1);
    CHECK(unique.count("fetch.interval_minutes") == 1);
    CHECK(unique.count("rotation.priority_keywords") == 1);
    CHECK(unique.count("cache.max_bytes") == 1);
    CHECK(unique.count("display.max_fps") == 1);
    CHECK(unique.count("fetch") == 0);
    CHECK(unique.count("health.listen") == 1);
    CHECK(unique.count("power.days_off") == 1);
    CHECK(unique.count("announcement.title") == 1);
    CHECK(unique.count("alert.level") == 1);
    CHECK(unique.count("fleet.broker") == 1);
    CHECK(unique.count("display.language") == 1);
    CHECK(unique.count("calendar.horizon") == 1);
    CHECK(keys.size() == 1 + 11 + 13 + 7 + 3 + 22 + 2 + 3 + 2 + 11 + 7 + 6 + 9);
}

// [SECTION] OPML

TEST_CASE("OPML: nested folders flattened, folders and broken outlines skipped", "[config][opml]") {
    auto r = nk::parse_opml(fixture("opml-nested-folders.opml"));
    REQUIRE(r.ok());
    const auto& feeds = r.value();
    REQUIRE(feeds.size() == 5);
    CHECK(feeds[0].url == "https://news.example.com/world/rss.xml");
    CHECK(feeds[0].name == "World Desk");
    CHECK(feeds[1].url == "https://regional.example.de/feed?cat=1&lang=de");  // &amp; decoded
    CHECK(feeds[1].name == "Stadt & Land");                                     // no title: text
    CHECK(feeds[2].url == "http://lokal.example.de/rss");                       // xmlurl in lower case
    CHECK(feeds[2].name == "Ohne Titel");                                       // empty title: text
    CHECK(feeds[3].url == "http://tech.example.org/feed.atom");                 // XMLURL, feed://
    CHECK(feeds[3].name == "Tech Desk");                                        // whitespace collapsed
    CHECK(feeds[4].url == "https://top.example.net/index.xml");                 // trimmed
    CHECK(feeds[4].name == "Top level");
    for (const auto& f : feeds) {
        CHECK(f.enabled);
        CHECK(f.max_items == 20);
    }
}

TEST_CASE("OPML: no head, upper-case root, Latin-1 names, no feeds at all", "[config][opml]") {
    auto no_head = nk::parse_opml(fixture("opml-no-head.opml"));
    REQUIRE(no_head.ok());
    REQUIRE(no_head->size() == 1);
    CHECK(no_head->at(0).url == "https://only.example.com/rss");
    CHECK(no_head->at(0).name == "Only feed");

    auto upper = nk::parse_opml("\xEF\xBB\xBF<OPML><BODY><OUTLINE TEXT=\"X\" XMLURL=\"https://x.example.com/\"/></BODY></OPML>");
    REQUIRE(upper.ok());
    REQUIRE(upper->size() == 1);
    CHECK(upper->at(0).name == "X");

    auto latin1 = nk::parse_opml(fixture("opml-latin1.opml"));
    REQUIRE(latin1.ok());
    REQUIRE(latin1->size() == 1);
    CHECK(latin1->at(0).name == "Café München");

    auto empty_list = nk::parse_opml("<opml version=\"2.0\"><head/><body><outline text=\"Folder\"/></body></opml>");
    REQUIRE(empty_list.ok());
    CHECK(empty_list->empty());
}

TEST_CASE("OPML: HTML entities and bare ampersands in attributes", "[config][opml]") {
    // tinyxml2 alone would keep "&eacute;" and, after the "&amp;" before it, garble the rest.
    auto r = nk::parse_opml("<opml><body><outline title=\"Caf&eacute; &amp; &eacute;cole\" "
                            "xmlUrl=\"https://x.example.com/rss?a=1&amp;b=2&c\"/></body></opml>");
    REQUIRE(r.ok());
    REQUIRE(r->size() == 1);
    CHECK(r->at(0).name == "Café & école");
    CHECK(r->at(0).url == "https://x.example.com/rss?a=1&b=2&c");
}

TEST_CASE("OPML: not OPML, not XML, empty", "[config][opml]") {
    auto rss = nk::parse_opml("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title></channel></rss>");
    REQUIRE_FALSE(rss.ok());
    CHECK(rss.error().code == nk::ErrorCode::InvalidInput);
    CHECK(rss.error().message ==
          "not an OPML feed list: the root element is <rss>, not <opml>; this is a feed itself, so give it a [[feed]] entry instead");

    auto html = nk::parse_opml("<html><body><p>Sign in</p></body></html>");
    REQUIRE_FALSE(html.ok());
    CHECK(html.error().message == "not an OPML feed list: the root element is <html>, not <opml>");

    // Found by fuzz_config: XML names may hold any high byte, and messages must stay UTF-8.
    auto odd = nk::parse_opml("<mp\xB3ol version=\"2\"/>");
    REQUIRE_FALSE(odd.ok());
    CHECK(odd.error().message == "not an OPML feed list: the root element is <mp\\xb3ol>, not <opml>");

    auto broken = nk::parse_opml("<opml>\n<body>\n<outline xmlUrl=\"https://a.example.com/\">\n</body></opml>");
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().code == nk::ErrorCode::InvalidInput);
    CHECK(broken.error().message.rfind("OPML feed list is not well-formed XML (line ", 0) == 0);

    for (std::string_view nothing : {std::string_view(""), std::string_view(" \n\t"), std::string_view("\xEF\xBB\xBF")}) {
        auto r = nk::parse_opml(nothing);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message == "OPML feed list is empty");
    }

    auto big = nk::parse_opml(std::string(17u << 20, ' '));
    REQUIRE_FALSE(big.ok());
    CHECK(big.error().code == nk::ErrorCode::TooLarge);
}

// [SECTION] Fleet

TEST_CASE("[fleet]: brokers, ids and credentials are checked where they are written", "[config][fleet]") {
    nk::ConfigParse ok = parse("[fleet]\nbroker = \"mqtts://mqtt.example.com\"\nscreen = \"lobby-1\"\n"
                               "groups = [\"lobby\", \"building.a\"]\nusername = \"kiosk\"\npassword_file = \"/etc/pw\"\n");
    INFO(all_issues(ok));
    REQUIRE_FALSE(ok.has_errors());
    CHECK(ok.config.fleet.broker == "mqtts://mqtt.example.com");
    CHECK(ok.config.fleet.groups == std::vector<std::string>{"lobby", "building.a"});
    CHECK(ok.config.fleet.topic_prefix == "newsroom-kiosk");

    // Clear text leaves the machine: refused. To loopback it is fine (tests, a broker beside the kiosk).
    nk::ConfigParse clear = parse("[fleet]\nbroker = \"mqtt://mqtt.example.com\"\n");
    REQUIRE(clear.has_errors());
    CHECK(all_issues(clear).find("use mqtts:// (TLS)") != std::string::npos);
    CHECK_FALSE(parse("[fleet]\nbroker = \"mqtt://127.0.0.1:1883\"\n").has_errors());
    CHECK_FALSE(parse("[fleet]\nbroker = \"mqtt://localhost\"\n").has_errors());

    CHECK(parse("[fleet]\nbroker = \"https://mqtt.example.com\"\n").has_errors());
    CHECK(parse("[fleet]\nbroker = \"mqtts://mqtt.example.com:0\"\n").has_errors());
    nk::ConfigParse bad_id = parse("[fleet]\nscreen = \"lobby/1\"\ngroups = [\"ok\", \"#\"]\n");
    CHECK(bad_id.issues.size() == 2);  // a '/' or '#' would address other screens' topics
    nk::ConfigParse half = parse("[fleet]\ncert_file = \"/etc/kiosk.crt\"\n");
    CHECK(all_issues(half).find("set both cert_file and key_file") != std::string::npos);
}

TEST_CASE("parse_broker: schemes, default ports, IPv6, loopback", "[config][fleet]") {
    auto a = nk::parse_broker("mqtts://mqtt.example.com");
    REQUIRE(a);
    CHECK(a->tls);
    CHECK(a->port == 8883);
    CHECK_FALSE(a->loopback);
    auto b = nk::parse_broker("mqtt://127.0.0.1:18830/");
    REQUIRE(b);
    CHECK(b->host == "127.0.0.1");
    CHECK(b->port == 18830);
    CHECK(b->loopback);
    auto c = nk::parse_broker("mqtt://[::1]:1884");
    REQUIRE(c);
    CHECK(c->host == "::1");
    CHECK(c->loopback);
    CHECK(nk::parse_broker("mqtt://[::1")== std::nullopt);
    CHECK(nk::parse_broker("mqtt://user@host") == std::nullopt);
    CHECK(nk::parse_broker("mqtt://host:99999") == std::nullopt);
    CHECK(nk::parse_broker("tcp://host") == std::nullopt);
}

TEST_CASE("layered_config: later layers replace keys, feed lists whole, tables merge", "[config][fleet]") {
    const std::string base = "[[feed]]\nurl = \"https://local.example/rss\"\n[rotation]\nmax_dwell_seconds = 12\n"
                              "[display]\nticker = true\n";
    std::vector<nk::ConfigLayer> layers{
        {"fleet all", "[rotation]\nmax_dwell_seconds = 20\n"},
        {"fleet group/lobby", "[[feed]]\nurl = \"https://group.example/rss\"\n[[feed]]\nurl = \"https://two.example/rss\"\n"},
    };
    nk::ConfigParse p = nk::layered_config(base, "kiosk.toml", layers);
    INFO(all_issues(p));
    REQUIRE_FALSE(p.has_errors());
    REQUIRE(p.config.feeds.size() == 2);  // the group's list replaced the local one
    CHECK(p.config.feeds[0].url == "https://group.example/rss");
    CHECK(p.config.rotation.max_dwell_seconds == 20);  // the later layer's key
    CHECK(p.config.display.ticker);      // a key no layer touched stays the local one

    // No local file at all: the layers alone.
    nk::ConfigParse only = nk::layered_config("", "fleet", {layers[1]});
    REQUIRE_FALSE(only.has_errors());
    CHECK(only.config.feeds.size() == 2);
    // No layers and no file: the defaults, not "the file is empty".
    CHECK_FALSE(nk::layered_config("", "fleet", {}).has_errors());
}

// [SECTION] Calendars

TEST_CASE("[[calendar]]: a URL or a path, a horizon, rows, and what is wrong with one", "[config][calendar]") {
    nk::ConfigParse p = parse("[[calendar]]\nurl = \"https://cal.example.com/room.ics\"\nname = \"Board room\"\nhorizon = \"8h\"\n"
                              "[[calendar]]\nurl = \"/srv/kiosk/rooms.ics\"\nmax_events = 3\n");
    INFO(all_issues(p));
    REQUIRE_FALSE(p.has_errors());
    REQUIRE(p.config.calendars.size() == 2);
    CHECK(p.config.calendars[0].name == "Board room");
    CHECK(p.config.calendars[0].horizon_seconds == 8 * 3600);
    CHECK(p.config.calendars[0].refresh_minutes == 15);
    CHECK(p.config.calendars[1].url == "file:///srv/kiosk/rooms.ics");
    CHECK(p.config.calendars[1].id == "calendar[2]");
    CHECK(p.config.calendars[1].max_events == 3);
    // What calendar apps hand out for a subscription.
    nk::ConfigParse webcal = parse("[[calendar]]\nurl = \"webcal://p01-calendars.example.com/published/2/abc\"\n");
    REQUIRE_FALSE(webcal.has_errors());
    CHECK(webcal.config.calendars.at(0).url == "https://p01-calendars.example.com/published/2/abc");

    nk::ConfigParse bad = parse("[[calendar]]\nname = \"No address\"\n[[calendar]]\nurl = \"ftp://x.example/c.ics\"\nmax_events = 40\n"
                                "[[calendar]]\nics = \"https://x.example/c.ics\"\n");
    const std::string all = all_issues(bad);
    CHECK(all.find("calendar[1].url: missing") != std::string::npos);
    CHECK(all.find("calendar[2].url") != std::string::npos);
    CHECK(all.find("calendar[2].max_events") != std::string::npos);
    CHECK(all.find("did you mean 'url'") != std::string::npos);
    CHECK(bad.config.calendars.empty());
}
