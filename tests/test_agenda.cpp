// SPDX-License-Identifier: Apache-2.0
// Today's agenda: the card a calendar makes at a given moment (what is on now and next, in the
// display's zone, a weekly series and an event written in another zone), the pipeline fetching,
// keeping and backing off calendars like feeds, and the built binary showing an agenda from an
// .ics file on disk, with a cut-off file and a 50 MB one refused by name while the rest works.
#include "core/agenda.h"
#include "core/pipeline.h"
#include "helpers.h"

#include <catch2/catch.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nk::test::eventually;
using nk::test::Kiosk;
using nk::test::TempDir;

namespace {

// Monday 2026-12-07, 00:00 UTC; Berlin is UTC+1 in December.
constexpr int64_t kMonday = 1'796'601'600;

// A weekly review in Berlin time with one week moved and one skipped, a call written in New
// York time (09:00 there is 15:00 in Berlin), an all-day event and a cancelled one.
const char* kOffice = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nX-WR-CALNAME:Third floor\r\n"
                      "BEGIN:VEVENT\r\nUID:review\r\nDTSTAMP:20261101T000000Z\r\n"
                      "DTSTART;TZID=Europe/Berlin:20261102T140000\r\nDTEND;TZID=Europe/Berlin:20261102T150000\r\n"
                      "RRULE:FREQ=WEEKLY;BYDAY=MO\r\nEXDATE;TZID=Europe/Berlin:20261116T140000\r\n"
                      "SUMMARY:Quarterly review\r\nLOCATION:Board room\r\nEND:VEVENT\r\n"
                      "BEGIN:VEVENT\r\nUID:review\r\nDTSTAMP:20261101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261214T140000\r\n"
                      "DTSTART;TZID=Europe/Berlin:20261214T160000\r\nDTEND;TZID=Europe/Berlin:20261214T170000\r\n"
                      "SUMMARY:Quarterly review (moved)\r\nLOCATION:Board room\r\nEND:VEVENT\r\n"
                      "BEGIN:VEVENT\r\nUID:ny-call\r\nDTSTAMP:20261101T000000Z\r\n"
                      "DTSTART;TZID=America/New_York:20261207T090000\r\nDTEND;TZID=America/New_York:20261207T100000\r\n"
                      "SUMMARY:Call with New York\r\nLOCATION:Hall B\r\nEND:VEVENT\r\n"
                      "BEGIN:VEVENT\r\nUID:holiday\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20261208\r\n"
                      "DTEND;VALUE=DATE:20261209\r\nSUMMARY:Staff day\r\nEND:VEVENT\r\n"
                      "BEGIN:VEVENT\r\nUID:off\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20261207T170000\r\n"
                      "DTEND;TZID=Europe/Berlin:20261207T180000\r\nSTATUS:CANCELLED\r\nSUMMARY:Cancelled drinks\r\nEND:VEVENT\r\n"
                      "END:VCALENDAR\r\n";

std::vector<std::string> lines(const nk::Card& c) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < c.agenda.size(); ++i) out.push_back(nk::agenda_line(c, i));
    return out;
}

nk::CalendarConfig office_config() {
    nk::CalendarConfig c;
    c.url = "https://cal.example.com/office.ics";
    return c;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary | std::ios::trunc) << text; }

std::string ics_time(int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char b[32];
    std::strftime(b, sizeof b, "%Y%m%dT%H%M%SZ", &tm);
    return b;
}

}  // namespace

TEST_CASE("agenda card: a weekly series and a New York call, as Berlin sees them through the day", "[agenda]") {
    auto cal = nk::parse_calendar(kOffice);
    REQUIRE(cal);
    const nk::RotationConfig rot;
    // 13:30 in Berlin: both are still to come; the call is at 15:00 Berlin time.
    auto c = nk::agenda_card(office_config(), cal.value(), kMonday + 12 * 3600 + 1800, "Europe/Berlin", rot);
    REQUIRE(c);
    CHECK(c->kind == nk::Card::Kind::Agenda);
    CHECK(c->entry.item.title == "Third floor");  // the file's own name, as none is configured
    CHECK(lines(*c) == std::vector<std::string>{"Next · 14:00–15:00 · Board room · Quarterly review",
                                                "Later · 15:00–16:00 · Hall B · Call with New York"});
    CHECK(c->entry.item.summary.find("Cancelled drinks") == std::string::npos);
    CHECK(c->dwell_seconds > 0);
    // 14:30: the review is on now; it updates as events end.
    c = nk::agenda_card(office_config(), cal.value(), kMonday + 13 * 3600 + 1800, "Europe/Berlin", rot);
    REQUIRE(c);
    CHECK(lines(*c) == std::vector<std::string>{"Now · 14:00–15:00 · Board room · Quarterly review",
                                                "Next · 15:00–16:00 · Hall B · Call with New York"});
    // 16:30: nothing left today, so no card (tomorrow's staff day is past the end of today).
    CHECK_FALSE(nk::agenda_card(office_config(), cal.value(), kMonday + 15 * 3600 + 1800, "Europe/Berlin", rot));
    // With a horizon, tomorrow's all-day event is in view.
    nk::CalendarConfig ahead = office_config();
    ahead.horizon_seconds = 24 * 3600;
    ahead.name = "Office";
    c = nk::agenda_card(ahead, cal.value(), kMonday + 15 * 3600 + 1800, "Europe/Berlin", rot);
    REQUIRE(c);
    CHECK(c->entry.item.title == "Office");
    CHECK(lines(*c) == std::vector<std::string>{"Next · All day · Staff day"});
    // The same day read in New York: the review is 08:00 there.
    c = nk::agenda_card(office_config(), cal.value(), kMonday + 12 * 3600, "America/New_York", rot);
    REQUIRE(c);
    CHECK(lines(*c).front() == "Next · 08:00–09:00 · Board room · Quarterly review");
    // A week later the review is moved to 16:00; the week after that it is skipped (EXDATE on the 16th was before).
    c = nk::agenda_card(office_config(), cal.value(), kMonday + 7 * 86400 + 8 * 3600, "Europe/Berlin", rot);
    REQUIRE(c);
    CHECK(lines(*c) == std::vector<std::string>{"Next · 16:00–17:00 · Board room · Quarterly review (moved)"});
    // max_events bounds the rows.
    nk::CalendarConfig one = office_config();
    one.max_events = 1;
    c = nk::agenda_card(one, cal.value(), kMonday + 12 * 3600 + 1800, "Europe/Berlin", rot);
    REQUIRE(c);
    CHECK(c->agenda.size() == 1);
}

TEST_CASE("pipeline: a calendar is fetched, kept, saved, backed off, and its card takes its turn", "[agenda][pipeline]") {
    nk::PipelineOptions po;
    po.system_zone = "Europe/Berlin";
    nk::Pipeline p(po);
    nk::ConfigParse cfg = nk::parse_config("[announcements]\nshare = 2\n[[calendar]]\nurl = \"https://cal.example.com/office.ics\"\n"
                                           "name = \"Board room\"\n[[feed]]\nurl = \"https://news.example.com/rss\"\n",
                                           "kiosk.toml");
    REQUIRE_FALSE(cfg.has_errors());
    int64_t now = kMonday + 12 * 3600;
    REQUIRE(p.apply_config(std::move(cfg), "kiosk.toml", now).applied);
    std::vector<nk::FetchOrder> due = p.take_due(now);
    auto cal_order = std::find_if(due.begin(), due.end(), [](const nk::FetchOrder& o) { return o.kind == nk::FetchOrder::Kind::Calendar; });
    REQUIRE(cal_order != due.end());
    CHECK(cal_order->url == "https://cal.example.com/office.ics");

    // A broken download: reported by name, retried after a minute, nothing shown.
    nk::FetchReply bad;
    bad.kind = nk::FetchOrder::Kind::Calendar;
    bad.url = cal_order->url;
    bad.ok = true;
    bad.http_status = 200;
    bad.body = std::string(kOffice).substr(0, 300);
    nk::parse_reply(bad, {});
    p.apply_fetch(std::move(bad), now);
    auto log = p.take_log();
    REQUIRE_FALSE(log.empty());
    CHECK(log.back().find("Board room (https://cal.example.com/office.ics): failing: ") == 0);
    CHECK(log.back().find("cut short") != std::string::npos);
    CHECK(p.take_due(now + 30).empty());
    due = p.take_due(now + 60);
    REQUIRE(due.size() == 1);

    // The good file: its card comes at the share, its bytes go to the disk with the validators.
    nk::FetchReply good;
    good.kind = nk::FetchOrder::Kind::Calendar;
    good.url = due[0].url;
    good.ok = true;
    good.http_status = 200;
    good.etag = "\"v1\"";
    good.body = kOffice;
    nk::parse_reply(good, {});
    now += 60;
    p.apply_fetch(std::move(good), now);
    auto saves = p.take_saves();
    auto save = std::find_if(saves.begin(), saves.end(), [](const nk::SaveOrder& s) { return s.kind == nk::SaveOrder::Kind::Calendar; });
    REQUIRE(save != saves.end());
    CHECK(save->calendar.etag == "\"v1\"");
    CHECK(save->calendar.bytes == kOffice);
    auto metrics = p.calendar_metrics(now);
    REQUIRE(metrics.size() == 1);
    CHECK(metrics[0].ok);
    CHECK(metrics[0].events == 2);
    // No stories yet: the agenda alone, never a blank screen.
    auto card = p.next_card(now);
    REQUIRE(card);
    CHECK(card->kind == nk::Card::Kind::Agenda);
    CHECK(card->entry.item.title == "Board room");
    // Due again after refresh_minutes, conditionally.
    CHECK(p.take_due(now + 14 * 60).empty());
    due = p.take_due(now + 15 * 60);
    REQUIRE(due.size() == 1);
    CHECK(due[0].etag == "\"v1\"");

    // A restart: the saved file is the agenda at once, and not fetched before it is due.
    nk::Pipeline q(po);
    q.apply_config(nk::parse_config("[[calendar]]\nurl = \"https://cal.example.com/office.ics\"\n", "kiosk.toml"), "kiosk.toml", now);
    q.restore_calendars({save->calendar}, now + 60);
    auto orders = q.take_due(now + 60);
    CHECK(std::none_of(orders.begin(), orders.end(), [](const nk::FetchOrder& o) { return o.kind == nk::FetchOrder::Kind::Calendar; }));
    auto restored = q.next_card(now + 60);
    REQUIRE(restored);
    CHECK(restored->kind == nk::Card::Kind::Agenda);
}

TEST_CASE("the kiosk shows today's agenda from an .ics file, and a broken or huge one is named", "[agenda][owner]") {
    TempDir dir;
    const int64_t now = std::time(nullptr);
    // In UTC ('Z') times, so the lines do not depend on the machine's zone; the horizon keeps
    // "later today" true at any hour.
    write(dir.path / "rooms.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
                                  "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" +
                                      ics_time(now - 600) + "\r\nDTEND:" + ics_time(now + 3000) +
                                      "\r\nSUMMARY:Quarterly review\r\nLOCATION:Board room\r\nEND:VEVENT\r\n"
                                      "BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" +
                                      ics_time(now + 7200) + "\r\nDTEND:" + ics_time(now + 9000) +
                                      "\r\nSUMMARY:Talk in Hall B\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    write(dir.path / "cut.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Half");
    {
        std::ofstream big(dir.path / "big.ics", std::ios::binary);
        big << "BEGIN:VCALENDAR\r\n";
        big.seekp(50 << 20);
        big << "END:VCALENDAR\r\n";
    }
    write(dir.path / "kiosk.toml", "[rotation]\nmin_dwell_seconds = 1\nmax_dwell_seconds = 1\n[announcements]\nshare = 2\n"
                                   "[[calendar]]\nurl = \"" + (dir.path / "rooms.ics").string() + "\"\nname = \"Rooms\"\nhorizon = \"6h\"\n"
                                   "[[calendar]]\nurl = \"" + (dir.path / "cut.ics").string() + "\"\n"
                                   "[[calendar]]\nurl = \"" + (dir.path / "big.ics").string() + "\"\n"
                                   "[[feed]]\nurl = \"file://" + (dir.path / "feed.xml").string() + "\"\n");
    write(dir.path / "feed.xml", "<rss version=\"2.0\"><channel><title>Desk</title><item><title>Desk story</title></item></channel></rss>");
    const std::vector<std::string> env = {"TZ=UTC", "XDG_RUNTIME_DIR=" + (dir.path / "run").string(),
                                          "XDG_STATE_HOME=" + (dir.path / "state").string()};
    {
        Kiosk k({"--headless", "--config", (dir.path / "kiosk.toml").string(), "--cache-dir", (dir.path / "cache").string()}, dir.path, env);
        REQUIRE(k.wait_out("[agenda]  Rooms"));
        REQUIRE(k.wait_out("[agenda]    Next"));
        const std::string out = k.out();
        CHECK(out.find("[agenda]    Now · ") != std::string::npos);
        CHECK(out.find(" · Board room · Quarterly review") != std::string::npos);
        CHECK(out.find("[agenda]    Next · ") != std::string::npos);
        CHECK(out.find(" · Talk in Hall B") != std::string::npos);
        REQUIRE(k.wait_err("cut.ics: failing: "));
        CHECK(k.err().find("the file is cut short") != std::string::npos);
        REQUIRE(k.wait_err("big.ics: failing: "));
        CHECK(k.err().find("big.ics: failing: body over 8388608 bytes") != std::string::npos);
        CHECK(k.wait_out("Desk story"));  // the news goes on
        CHECK(k.stop() == 0);
    }
    // Offline start with the file gone: the cached copy is the agenda.
    fs::remove(dir.path / "rooms.ics");
    Kiosk k({"--headless", "--config", (dir.path / "kiosk.toml").string(), "--cache-dir", (dir.path / "cache").string()}, dir.path, env);
    REQUIRE(k.wait_out("[agenda]  Rooms"));
    CHECK(k.stop() == 0);
}
