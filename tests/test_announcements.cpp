// SPDX-License-Identifier: Apache-2.0
// Announcements and alerts as values: schedules in local time, the [[announcement]] and [[alert]]
// entries of the config, drop-folder files with front matter, and the Markdown subset.
#include "core/announcements.h"
#include "core/config.h"
#include "core/markdown.h"
#include "helpers.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using nk::Schedule;
using nk::TextBlock;
using nk::TextSpan;

namespace {

// A local time as localtime_r would fill it (tm_wday computed by timegm, which is zone-free).
std::tm at(int year, int month, int day, int hour, int minute) {
    std::tm t{};
    t.tm_year = year - 1900;
    t.tm_mon = month - 1;
    t.tm_mday = day;
    t.tm_hour = hour;
    t.tm_min = minute;
    std::tm copy = t;
    const time_t secs = ::timegm(&copy);
    gmtime_r(&secs, &t);
    return t;
}

std::string all_issues(const std::vector<nk::ConfigIssue>& issues) {
    std::string s;
    for (const auto& i : issues) s += nk::format_issue(i) + "\n";
    return s;
}

}  // namespace

TEST_CASE("schedules: days, windows across midnight, and dates that include their whole day", "[announcements]") {
    Schedule always;
    CHECK(nk::schedule_active(always, at(2026, 12, 7, 3, 0)));

    Schedule mornings;  // Monday and Tuesday, 08:00-10:00
    mornings.days = (1u << 1) | (1u << 2);
    mornings.windows = {{8 * 60, 10 * 60}};
    CHECK(nk::schedule_active(mornings, at(2026, 12, 7, 8, 0)));   // Monday 08:00
    CHECK(nk::schedule_active(mornings, at(2026, 12, 7, 9, 59)));
    CHECK_FALSE(nk::schedule_active(mornings, at(2026, 12, 7, 10, 0)));
    CHECK_FALSE(nk::schedule_active(mornings, at(2026, 12, 7, 7, 59)));
    CHECK_FALSE(nk::schedule_active(mornings, at(2026, 12, 9, 9, 0)));  // Wednesday

    Schedule late;  // Friday 22:00-02:00: the small hours of Saturday belong to Friday's window
    late.days = 1u << 5;
    late.windows = {{22 * 60, 2 * 60}};
    CHECK(nk::schedule_active(late, at(2026, 12, 11, 23, 0)));   // Friday
    CHECK(nk::schedule_active(late, at(2026, 12, 12, 1, 30)));   // Saturday, after midnight
    CHECK_FALSE(nk::schedule_active(late, at(2026, 12, 12, 23, 0)));
    CHECK_FALSE(nk::schedule_active(late, at(2026, 12, 11, 1, 30)));  // Friday's small hours are Thursday's

    Schedule visit;  // 7 to 8 December, whole days
    visit.from = nk::local_minute(2026, 12, 7, 0);
    visit.until = nk::local_minute(2026, 12, 8, 0) + 1440;
    CHECK_FALSE(nk::schedule_active(visit, at(2026, 12, 6, 23, 59)));
    CHECK(nk::schedule_active(visit, at(2026, 12, 7, 0, 0)));
    CHECK(nk::schedule_active(visit, at(2026, 12, 8, 23, 59)));
    CHECK_FALSE(nk::schedule_active(visit, at(2026, 12, 9, 0, 0)));

    nk::Alert a;
    a.expires = 1000;
    CHECK(nk::alert_active(a, 999, at(2026, 12, 7, 12, 0)));
    CHECK_FALSE(nk::alert_active(a, 1000, at(2026, 12, 7, 12, 0)));
}

TEST_CASE("config: [[announcement]] and [[alert]] entries, with their mistakes named", "[announcements][config]") {
    nk::ConfigParse p = nk::parse_config(R"([announcements]
dir = "/srv/kiosk/announcements"
share = 3

[[announcement]]
id = "welcome"
title = "Welcome, ACME delegation"
body = """
Coffee in the **atrium**.
Wi-Fi: *Guest*"""
days = ["mon", "tue"]
time = ["08:00-10:00", "14:00–15:00"]
from = 2026-12-07
until = "2026-12-08 18:00"
link = "https://example.com/visit"

[[announcement]]
title = "Lunch menu"

[[alert]]
text = "Fire drill at 14:00"
level = "warning"
time = "13:30-14:30"
until = 2026-12-10
)",
                                         "kiosk.toml");
    INFO(all_issues(p.issues));
    REQUIRE(p.issues.empty());
    CHECK(p.config.announcement_options.dir == "/srv/kiosk/announcements");
    CHECK(p.config.announcement_options.share == 3);
    REQUIRE(p.config.announcements.size() == 2);
    const nk::Announcement& a = p.config.announcements[0];
    CHECK(a.id == "welcome");
    CHECK(a.body == "Coffee in the **atrium**.\nWi-Fi: *Guest*");
    CHECK(a.schedule.days == ((1u << 1) | (1u << 2)));
    CHECK(a.schedule.windows == std::vector<std::pair<int, int>>{{480, 600}, {840, 900}});
    CHECK(a.schedule.from == nk::local_minute(2026, 12, 7, 0));
    CHECK(a.schedule.until == nk::local_minute(2026, 12, 8, 18 * 60));
    CHECK(p.config.announcements[1].id == "announcement[2]");
    REQUIRE(p.config.alerts.size() == 1);
    CHECK(p.config.alerts[0].level == nk::AlertLevel::Warning);
    CHECK(p.config.alerts[0].schedule.until == nk::local_minute(2026, 12, 11, 0));  // the 10th included

    nk::ConfigParse bad = nk::parse_config(R"([[announcement]]
body = "no title"

[[announcement]]
title = "Late"
time = "25:00-26:00"

[[announcement]]
title = "Zoned"
from = 2026-12-07T08:00:00+01:00

[[alert]]
text = "x"
level = "panic"
)",
                                           "kiosk.toml");
    const std::string issues = all_issues(bad.issues);
    INFO(issues);
    CHECK(bad.config.announcements.empty());  // each broken entry is dropped, with its reason
    CHECK(bad.config.alerts.empty());
    CHECK(issues.find("kiosk.toml:1:1: announcement[1].title: missing") != std::string::npos);
    CHECK(issues.find("kiosk.toml:6:8: announcement[2].time: expected a time window like \"08:00-10:00\" (got \"25:00-26:00\")") !=
          std::string::npos);
    CHECK(issues.find("announcement[3].from: give the local time without an offset") != std::string::npos);
    CHECK(issues.find("alert[1].level: must be \"info\", \"warning\" or \"emergency\" (got \"panic\")") != std::string::npos);
}

TEST_CASE("drop-folder files: front matter and Markdown, alerts, and errors by file and line", "[announcements]") {
    auto f = nk::parse_drop_file("+++\ntitle = \"Welcome\"\ntime = \"08:00-10:00\"\n+++\nCoffee in the **atrium**.\n", "welcome.md");
    INFO(all_issues(f.issues));
    REQUIRE(f.announcement);
    CHECK(f.announcement->id == "welcome");
    CHECK(f.announcement->title == "Welcome");
    CHECK(f.announcement->body == "Coffee in the **atrium**.");
    CHECK(f.announcement->schedule.windows.size() == 1);

    // No front matter at all: the heading is the title, the file name the id.
    auto plain = nk::parse_drop_file("# Wi-Fi for guests\nNetwork: *Guest*\nPassword: welcome2026\n", "wifi.md");
    REQUIRE(plain.announcement);
    CHECK(plain.announcement->title == "Wi-Fi for guests");
    CHECK(plain.announcement->body == "Network: *Guest*\nPassword: welcome2026");

    auto alert = nk::parse_drop_file("---\nlevel = \"emergency\"\n---\nEvacuate via the east stairs\n", "/srv/a/evacuate.md");
    REQUIRE(alert.alert);
    CHECK_FALSE(alert.announcement);
    CHECK(alert.alert->level == nk::AlertLevel::Emergency);
    CHECK(alert.alert->text == "Evacuate via the east stairs");
    CHECK(alert.alert->id == "evacuate");

    auto broken = nk::parse_drop_file("+++\ntitle = \"Menu\"\ndays = [\"mon\", \"funday\"]\n+++\nSoup\n", "menu.md");
    CHECK(broken.has_errors());
    CHECK_FALSE(broken.announcement);
    CHECK(all_issues(broken.issues).find("menu.md:3:") != std::string::npos);  // the line in the file, not the block
    CHECK(all_issues(broken.issues).find("\"funday\" is not a day") != std::string::npos);

    auto unclosed = nk::parse_drop_file("+++\ntitle = \"x\"\nbody\n", "open.md");
    CHECK(unclosed.has_errors());
    CHECK(all_issues(unclosed.issues).find("open.md: the front matter opened on line 1 with \"+++\" is never closed") !=
          std::string::npos);

    auto syntax = nk::parse_drop_file("+++\ntitle = \"x\n+++\n", "syntax.md");
    CHECK(syntax.has_errors());
    CHECK(all_issues(syntax.issues).find("syntax.md:2:") != std::string::npos);

    std::string utf16 = "\xFF\xFE";
    for (char c : std::string("# Hi\n")) utf16 += std::string{c, '\0'};
    auto wide = nk::parse_drop_file(utf16, "wide.md");
    CHECK(wide.has_errors());
    CHECK(all_issues(wide.issues).find("UTF-16") != std::string::npos);
}

TEST_CASE("markdown: paragraphs, bullets, headings, emphasis and breaks, and the rest stays text", "[announcements][markdown]") {
    using K = TextBlock::Kind;
    auto b = nk::parse_markdown("Coffee in the **atrium**.\nWi-Fi: *Guest*\n\n- first\n- second _item_\n\n# Today\nplain");
    REQUIRE(b.size() == 5);
    CHECK(b[0].kind == K::Paragraph);
    CHECK(b[0].spans == std::vector<TextSpan>{{"Coffee in the ", false, false}, {"atrium", true, false}, {".", false, false},
                                              {"\n", false, false}, {"Wi-Fi: ", false, false}, {"Guest", false, true}});
    CHECK(b[1].kind == K::Bullet);
    CHECK(b[1].spans == std::vector<TextSpan>{{"first", false, false}});
    CHECK(b[2].spans == std::vector<TextSpan>{{"second ", false, false}, {"item", false, true}});
    CHECK(b[3].spans == std::vector<TextSpan>{{"Today", true, false}});
    CHECK(b[4].spans == std::vector<TextSpan>{{"plain", false, false}});

    // Unmatched and intraword markers are text; escapes are literal.
    CHECK(nk::markdown_plain_text("2 * 3 = 6, snake_case_name, **unclosed, \\*star\\*") == "2 * 3 = 6, snake_case_name, **unclosed, *star*");
    CHECK(nk::markdown_plain_text("- a\n- b") == "\xE2\x80\xA2 a\n\xE2\x80\xA2 b");
    CHECK(nk::parse_markdown("").empty());
    CHECK(nk::parse_markdown("\n\n  \n").empty());
    // Hostile input stays linear (a timeout guards the suite, not a timing threshold).
    std::string many(200000, '*');
    CHECK(nk::markdown_plain_text(many).size() == many.size());
}

TEST_CASE("the drop-folder fixtures (also fuzz seeds) read as what they say", "[announcements]") {
    auto w = nk::parse_drop_file(nk::test::fixture("announce-welcome.md"), "announce-welcome.md");
    INFO(all_issues(w.issues));
    REQUIRE(w.announcement);
    CHECK(w.announcement->title == "Welcome, ACME delegation");
    CHECK(w.announcement->link == "https://example.com/visit");
    CHECK(nk::markdown_plain_text(w.announcement->body) ==
          "Coffee in the atrium, lunch at 12:30.\n\xE2\x80\xA2 Wi-Fi: Guest\n\xE2\x80\xA2 Password: welcome2026");
    auto a = nk::parse_drop_file(nk::test::fixture("announce-alert.md"), "announce-alert.md");
    REQUIRE(a.alert);
    CHECK(a.alert->level == nk::AlertLevel::Warning);
    CHECK(a.alert->text == "Fire drill at 14:00: meet at the **east** car park");
}
