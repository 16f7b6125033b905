// SPDX-License-Identifier: Apache-2.0
// The agenda's calendar reader (src/feed/calendar): every tests/data/calendar-*.ics fixture, the
// exports of Outlook (Windows zone names), Google (UTC 'Z' times) and Nextcloud (VTIMEZONE), weekly
// series with EXDATE and a moved occurrence, time zones across DST changes, all-day events, and
// hostile input (10 000 recurrences, a 50 MB file) answered within limits and with clear words.
#include "feed/calendar.h"
#include "helpers.h"

#include <catch2/catch.hpp>

#include <ctime>
#include <string>
#include <thread>
#include <vector>

using nk::Agenda;
using nk::AgendaItem;
using nk::Calendar;

namespace {

int64_t utc(int y, int mo, int d, int h = 0, int mi = 0) {
    std::tm t{};
    t.tm_year = y - 1900;
    t.tm_mon = mo - 1;
    t.tm_mday = d;
    t.tm_hour = h;
    t.tm_min = mi;
    return static_cast<int64_t>(::timegm(&t));
}

Calendar parse_ok(const std::string& bytes) {
    nk::Result<Calendar> r = nk::parse_calendar(bytes);
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r.ok());
    return std::move(r).value();
}

Calendar fixture(const std::string& name) { return parse_ok(nk::test::fixture(name)); }

std::string two(int v) { return (v < 10 ? "0" : "") + std::to_string(v); }

// A card line as the agenda card could write it: the data must carry everything it needs.
std::string line(const AgendaItem& i) {
    std::string when = i.all_day ? std::string("all day")
                                 : two(i.local_start.hour) + ":" + two(i.local_start.minute) + "–" +
                                       two(i.local_end.hour) + ":" + two(i.local_end.minute);
    std::string out = when;
    if (!i.location.empty()) out += " · " + i.location;
    return out + " · " + i.summary;
}

std::vector<std::string> lines(const Agenda& a) {
    std::vector<std::string> out;
    for (const AgendaItem& i : a.items) out.push_back(line(i));
    return out;
}

// Today's agenda of the local day holding `t`.
Agenda day(const Calendar& cal, int64_t t, const std::string& zone) {
    const nk::DayWindow w = nk::calendar_day(t, zone);
    return nk::calendar_agenda(cal, w.from, w.to, zone);
}

using Lines = std::vector<std::string>;

std::string event(const std::string& uid, const std::string& body) {
    return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20250101T000000Z\r\n" + body + "END:VEVENT\r\n";
}

std::string wrap(const std::string& events) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + events + "END:VCALENDAR\r\n";
}

}  // namespace

TEST_CASE("calendar: a weekly series with an EXDATE and a moved occurrence, day by day across DST", "[calendar]") {
    const Calendar cal = fixture("calendar-weekly-exdate-moved.ics");
    CHECK(cal.name == "Board room");
    CHECK(cal.warnings.empty());
    const std::string berlin = "Europe/Berlin";

    // Tuesday 4 March (CET): the series as written.
    Agenda a = day(cal, utc(2025, 3, 4, 12), berlin);
    CHECK(lines(a) == Lines{"10:00–11:00 · Board room · Team sync"});
    REQUIRE(a.items.size() == 1);
    CHECK(a.items[0].start == utc(2025, 3, 4, 9));
    CHECK(a.items[0].end == utc(2025, 3, 4, 10));
    CHECK(a.items[0].local_start.weekday == 2);
    CHECK(a.warnings.empty());

    // 11 March: EXDATE. 18 March: moved to Wednesday 19 March, 14:00 in Hall B.
    CHECK(day(cal, utc(2025, 3, 11, 12), berlin).items.empty());
    CHECK(day(cal, utc(2025, 3, 18, 12), berlin).items.empty());
    a = day(cal, utc(2025, 3, 19, 12), berlin);
    CHECK(lines(a) == Lines{"14:00–15:00 · Hall B · Team sync (moved)"});
    REQUIRE(a.items.size() == 1);
    CHECK(a.items[0].uid == "team-sync@example.org#20250318T100000");

    // Tuesday 1 April, after Berlin moved to CEST on 30 March: still 10:00 on the wall, an hour earlier in UTC.
    a = day(cal, utc(2025, 4, 1, 12), berlin);
    CHECK(lines(a) == Lines{"10:00–11:00 · Board room · Team sync"});
    REQUIRE(a.items.size() == 1);
    CHECK(a.items[0].start == utc(2025, 4, 1, 8));

    // The same series on a screen in New York: 04:00 before the US change (9 March), 05:00 between the
    // two changes, 04:00 again once Berlin has moved too.
    CHECK(lines(day(cal, utc(2025, 3, 4, 12), "America/New_York")) == Lines{"04:00–05:00 · Board room · Team sync"});
    CHECK(lines(day(cal, utc(2025, 3, 25, 12), "America/New_York")) == Lines{"05:00–06:00 · Board room · Team sync"});
    CHECK(lines(day(cal, utc(2025, 4, 1, 12), "America/New_York")) == Lines{"04:00–05:00 · Board room · Team sync"});

    // A week's window holds the whole picture, sorted.
    a = nk::calendar_agenda(cal, utc(2025, 3, 1), utc(2025, 4, 2), berlin);
    std::vector<int64_t> starts;
    for (const AgendaItem& i : a.items) starts.push_back(i.start);
    CHECK(starts == std::vector<int64_t>{utc(2025, 3, 4, 9), utc(2025, 3, 19, 13), utc(2025, 3, 25, 9), utc(2025, 4, 1, 8)});
}

TEST_CASE("calendar: a New York series read on a Berlin screen across both DST changes", "[calendar]") {
    const Calendar cal = fixture("calendar-newyork-dst.ics");
    const std::string berlin = "Europe/Berlin";
    CHECK(lines(day(cal, utc(2025, 3, 3, 12), berlin)) == Lines{"15:00–15:30 · NY stand-up"});
    CHECK(lines(day(cal, utc(2025, 3, 10, 12), berlin)) == Lines{"14:00–14:30 · NY stand-up"});
    CHECK(lines(day(cal, utc(2025, 3, 31, 12), berlin)) == Lines{"15:00–15:30 · NY stand-up"});
    CHECK(lines(day(cal, utc(2025, 4, 7, 12), berlin)) == Lines{"15:00–15:30 · NY stand-up"});
    CHECK(day(cal, utc(2025, 4, 14, 12), berlin).items.empty());  // COUNT=6 is spent

    // 01:00 EST to 04:00 EDT on the night the clocks jump: two hours, not three.
    const Agenda a = day(cal, utc(2025, 3, 9, 12), "America/New_York");
    CHECK(lines(a) == Lines{"01:00–04:00 · Overnight deploy"});
    REQUIRE(a.items.size() == 1);
    CHECK(a.items[0].start == utc(2025, 3, 9, 6));
    CHECK(a.items[0].end - a.items[0].start == 2 * 3600);
}

TEST_CASE("calendar: Google's export: UTC 'Z' times, a cancelled instance, all-day, folded text", "[calendar]") {
    const Calendar cal = fixture("calendar-google.ics");
    CHECK(cal.name == "Lobby , events");
    CHECK(cal.warnings.empty());
    const std::string berlin = "Europe/Berlin";

    Agenda a = day(cal, utc(2025, 3, 5, 12), berlin);  // the stand-up of the 5th is cancelled
    CHECK(lines(a) == Lines{"14:00–15:30 · Auditorium, 2nd floor · Quarterly review with the whole company and "
                            "guests from the regional offices"});
    REQUIRE(a.items.size() == 1);
    CHECK(a.items[0].start == utc(2025, 3, 5, 13));

    a = day(cal, utc(2025, 3, 6, 12), berlin);
    CHECK(lines(a) == Lines{"all day · Visitors from Lyon", "08:30–08:45 · Stand-up"});
    REQUIRE(a.items.size() == 2);
    CHECK(a.items[0].all_day);
    CHECK(a.items[0].start == utc(2025, 3, 5, 23));  // local midnight
    CHECK(a.items[0].end == utc(2025, 3, 6, 23));

    CHECK(lines(day(cal, utc(2025, 3, 7, 12), berlin)) == Lines{"08:30–08:45 · Stand-up"});  // UNTIL is inclusive
    CHECK(day(cal, utc(2025, 3, 10, 12), berlin).items.empty());
    CHECK(day(cal, utc(2025, 3, 8, 12), berlin).items.empty());  // weekdays only
}

TEST_CASE("calendar: Outlook's export: Windows zone names, with and without their VTIMEZONE", "[calendar]") {
    const Calendar cal = fixture("calendar-outlook.ics");
    CHECK(cal.name == "Reception");
    CHECK(cal.warnings.empty());
    REQUIRE(cal.zones.size() == 1);
    CHECK(cal.zones[0].tzid == "W. Europe Standard Time");
    const std::string berlin = "Europe/Berlin";

    // "Pacific Standard Time" has no VTIMEZONE in the file: mapped to America/Los_Angeles (PDT since 9 March).
    Agenda a = day(cal, utc(2025, 3, 12, 12), berlin);
    CHECK(lines(a) == Lines{"09:30–10:30 · Lobby · ACME delegation", "17:00–18:00 · Call with Seattle"});
    CHECK(a.warnings.empty());

    CHECK(lines(day(cal, utc(2025, 3, 17, 12), berlin)) == Lines{"08:30–09:00 · Weekly planning"});
    CHECK(day(cal, utc(2025, 3, 24, 12), berlin).items.empty());  // EXDATE
    a = day(cal, utc(2025, 3, 31, 12), berlin);
    CHECK(lines(a) == Lines{"08:30–09:00 · Weekly planning"});
    REQUIRE(a.items.size() == 1);
    CHECK(a.items[0].start == utc(2025, 3, 31, 6, 30));  // CEST

    // A Windows name no table knows is read from the file's VTIMEZONE (rules since 1601, one hour off UTC
    // in winter): the zone comes from the file, not from a mapping.
    std::string custom = nk::test::fixture("calendar-outlook.ics");
    for (std::size_t at; (at = custom.find("W. Europe Standard Time")) != std::string::npos;)
        custom.replace(at, 23, "Kiosk Test Standard Time");
    const Calendar cal2 = parse_ok(custom);
    a = day(cal2, utc(2025, 3, 12, 12), berlin);
    CHECK(lines(a) == Lines{"09:30–10:30 · Lobby · ACME delegation", "17:00–18:00 · Call with Seattle"});
    CHECK(a.warnings.empty());
}

TEST_CASE("calendar: Nextcloud's export: VTIMEZONE, DURATION, last Friday of the month, a cancelled event", "[calendar]") {
    const Calendar cal = fixture("calendar-nextcloud.ics");
    CHECK(cal.name == "Meeting rooms");
    CHECK(cal.warnings.empty());
    const std::string berlin = "Europe/Berlin";
    CHECK(lines(day(cal, utc(2025, 3, 28, 12), berlin)) == Lines{"16:00–17:30 · Roof terrace · Friday drinks 🍻"});
    CHECK(day(cal, utc(2025, 3, 21, 12), berlin).items.empty());
    CHECK(lines(day(cal, utc(2025, 3, 20, 12), berlin)) == Lines{"11:00–12:00 · Fire drill"});  // the visit is cancelled
    CHECK(lines(day(cal, utc(2025, 4, 25, 12), berlin)) == Lines{"16:00–17:30 · Roof terrace · Friday drinks 🍻"});
}

TEST_CASE("calendar: all-day events span local days, also the 23-hour day of a DST change", "[calendar]") {
    const Calendar cal = fixture("calendar-all-day.ics");
    const std::string berlin = "Europe/Berlin";
    const nk::DayWindow dst = nk::calendar_day(utc(2025, 3, 30, 12), berlin);
    CHECK(dst.from == utc(2025, 3, 29, 23));
    CHECK(dst.to - dst.from == 23 * 3600);
    const nk::DayWindow back = nk::calendar_day(utc(2025, 10, 26, 12), berlin);
    CHECK(back.to - back.from == 25 * 3600);

    Agenda a = day(cal, utc(2025, 3, 30, 12), berlin);
    CHECK(lines(a) == Lines{"all day · Messe · Trade fair"});
    REQUIRE(a.items.size() == 1);
    CHECK(a.items[0].start == utc(2025, 3, 27, 23));  // 28 March, 00:00 CET
    CHECK(a.items[0].end == utc(2025, 3, 30, 22));    // 31 March, 00:00 CEST
    CHECK(day(cal, utc(2025, 3, 31, 12), berlin).items.empty());
    CHECK(lines(day(cal, utc(2025, 4, 2, 12), berlin)) == Lines{"all day · Ada's birthday"});  // yearly since 1990
    CHECK(lines(day(cal, utc(2025, 4, 18, 12), berlin)) == Lines{"all day · Company holiday"});
    // Where the clocks jump at midnight (Santiago, 8 September 2024) the day begins at 01:00, and so
    // does an all-day event on it.
    const nk::DayWindow gap = nk::calendar_day(utc(2024, 9, 8, 16), "America/Santiago");
    CHECK(gap.from == utc(2024, 9, 8, 4));
    CHECK(gap.to - gap.from == 23 * 3600);
    CHECK(nk::calendar_day(utc(2024, 9, 8, 2), "America/Santiago").to == gap.from);  // 7 September ends there
    const Calendar chile = parse_ok(wrap(event("cl", "DTSTART;VALUE=DATE:20240908\r\nSUMMARY:Día\r\n")));
    Agenda c = day(chile, utc(2024, 9, 8, 16), "America/Santiago");
    REQUIRE(c.items.size() == 1);
    CHECK(c.items[0].start == gap.from);
    CHECK(c.items[0].local_start.hour == 1);
    CHECK(day(chile, utc(2024, 9, 8, 2), "America/Santiago").items.empty());

    // An all-day event is the local day wherever the screen is.
    a = day(cal, utc(2025, 4, 18, 12), "Asia/Tokyo");
    REQUIRE(a.items.size() == 1);
    CHECK(a.items[0].start == utc(2025, 4, 17, 15));
}

TEST_CASE("calendar: cancelled events and series are left out", "[calendar]") {
    const Calendar cal = fixture("calendar-cancelled.ics");
    CHECK(lines(day(cal, utc(2025, 3, 10, 12), "")) == Lines{"14:00–15:00 · Talk in Hall B"});
    CHECK(day(cal, utc(2025, 3, 5, 12), "").items.empty());
}

TEST_CASE("calendar: an unknown TZID and floating times are read in the display zone", "[calendar]") {
    const Calendar cal = fixture("calendar-unknown-tzid.ics");
    Agenda a = day(cal, utc(2025, 3, 10, 12), "Europe/Berlin");
    CHECK(lines(a) == Lines{"09:00–10:00 · Rover check-in", "12:00–13:00 · Floating lunch"});
    REQUIRE(a.warnings.size() == 1);
    CHECK_THAT(a.warnings[0], Catch::Contains("Mars/Olympus_Mons") && Catch::Contains("Europe/Berlin"));
    a = day(cal, utc(2025, 3, 10, 3), "Asia/Tokyo");
    CHECK(lines(a) == Lines{"09:00–10:00 · Rover check-in", "12:00–13:00 · Floating lunch"});
    REQUIRE(a.items.size() == 2);
    CHECK(a.items[1].start == utc(2025, 3, 10, 3));

    // Each new zone name may make libical load (and keep) a zone: past 64 names, the display zone.
    std::string named;
    for (int k = 0; k < 70; ++k)
        named += event("z" + std::to_string(k), "DTSTART;TZID=/vendor" + std::to_string(k) +
                                                    "/Europe/Berlin:20250310T100000\r\nSUMMARY:Zoned\r\n");
    a = nk::calendar_agenda(parse_ok(wrap(named)), utc(2025, 3, 10), utc(2025, 3, 11), "");
    REQUIRE(a.items.size() == 70);
    CHECK(a.items[63].start == utc(2025, 3, 10, 9));
    CHECK(a.items[64].start == utc(2025, 3, 10, 10));
    REQUIRE(a.warnings.size() == 1);
    CHECK_THAT(a.warnings[0], Catch::Contains("more than 64 time zones") && Catch::Contains("/vendor64/Europe/Berlin"));

    // An unknown display zone is UTC, said once.
    a = day(cal, utc(2025, 3, 10, 12), "Atlantis/Capital");
    CHECK(lines(a) == Lines{"09:00–10:00 · Rover check-in", "12:00–13:00 · Floating lunch"});
    CHECK_THAT(a.warnings.front(), Catch::Contains("Atlantis/Capital") && Catch::Contains("UTC"));
}

TEST_CASE("calendar: what is not an iCalendar file is refused with the line that shows it", "[calendar]") {
    nk::Result<Calendar> r = nk::parse_calendar(nk::test::fixture("calendar-not-ical.ics"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == nk::ErrorCode::InvalidInput);
    CHECK_THAT(r.error().message, Catch::StartsWith("not an iCalendar file") && Catch::Contains("line 1"));

    r = nk::parse_calendar(nk::test::fixture("calendar-truncated.ics"));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("cut short") && Catch::Contains("BEGIN:VEVENT (line 4)"));

    r = nk::parse_calendar(nk::test::fixture("calendar-mismatched-end.ics"));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::StartsWith("line 8") && Catch::Contains("END:VTODO") &&
                                      Catch::Contains("BEGIN:VEVENT (line 4)"));

    r = nk::parse_calendar("");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::StartsWith("not an iCalendar file"));
    r = nk::parse_calendar(std::string("BEGIN:VCALENDAR\r\n\0\0\0", 20));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("binary data") && Catch::Contains("line 2"));
}

TEST_CASE("calendar: every fixture either reads or is refused with a message", "[calendar]") {
    for (const char* name : {"calendar-all-day.ics", "calendar-cancelled.ics", "calendar-google.ics",
                             "calendar-mismatched-end.ics", "calendar-newyork-dst.ics", "calendar-nextcloud.ics",
                             "calendar-not-ical.ics", "calendar-outlook.ics", "calendar-truncated.ics",
                             "calendar-unknown-tzid.ics", "calendar-weekly-exdate-moved.ics"}) {
        INFO(name);
        const nk::Result<Calendar> r = nk::parse_calendar(nk::test::fixture(name));
        if (r.ok()) {
            CHECK_FALSE(r->entries.empty());
            const Agenda a = nk::calendar_agenda(r.value(), utc(2025, 1, 1), utc(2026, 1, 1), "Europe/Berlin");
            CHECK_FALSE(a.items.empty());
            for (const AgendaItem& i : a.items) CHECK(i.end > i.start);
        } else {
            CHECK_FALSE(r.error().message.empty());
        }
    }
}

TEST_CASE("calendar: ten thousand recurrences cost what the window holds", "[calendar]") {
    // A daily series of 10 000 (COUNT), one of 10 000 days without COUNT, and one every 15 minutes.
    const std::string body = wrap(event("count", "DTSTART:20000101T070000Z\r\nDURATION:PT1H\r\n"
                                                 "RRULE:FREQ=DAILY;COUNT=10000\r\nSUMMARY:Counted\r\n") +
                                  event("until", "DTSTART;TZID=Europe/Berlin:19990101T090000\r\nDURATION:PT30M\r\n"
                                                 "RRULE:FREQ=DAILY;UNTIL=20260519T000000Z\r\nSUMMARY:Daily\r\n") +
                                  event("minutes", "DTSTART:20250301T000000Z\r\nDURATION:PT5M\r\n"
                                                   "RRULE:FREQ=MINUTELY;INTERVAL=15;COUNT=10000\r\nSUMMARY:Tick\r\n"));
    const Calendar cal = parse_ok(body);
    CHECK(cal.warnings.empty());
    Agenda a = nk::calendar_agenda(cal, utc(2025, 3, 10), utc(2025, 3, 11), "");
    std::size_t counted = 0, daily = 0, ticks = 0;
    for (const AgendaItem& i : a.items) {
        counted += i.summary == "Counted";
        daily += i.summary == "Daily";
        ticks += i.summary == "Tick";
    }
    CHECK(counted == 1);  // day 9 200 of 10 000
    CHECK(daily == 1);
    CHECK(ticks == 96);
    CHECK(a.warnings.empty());
    // Past the last of the 10 000 days, nothing, and nothing odd said.
    a = nk::calendar_agenda(cal, utc(2030, 3, 10), utc(2030, 3, 11), "");
    CHECK(a.items.empty());
    CHECK(a.warnings.empty());

    // 10 000 separate VEVENTs: overrides of one series, each moving one day's occurrence by an hour.
    std::string overrides = event("s", "DTSTART:20000101T080000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\nSUMMARY:Base\r\n");
    for (int k = 0; k < 10000; ++k) {
        const int64_t at = utc(2000, 1, 1, 8) + int64_t{k} * 86400;
        char rid[32], moved[32];
        const time_t t = static_cast<time_t>(at), m = static_cast<time_t>(at + 3600);
        std::strftime(rid, sizeof rid, "%Y%m%dT%H%M%SZ", std::gmtime(&t));
        std::strftime(moved, sizeof moved, "%Y%m%dT%H%M%SZ", std::gmtime(&m));
        overrides += event("s", std::string("RECURRENCE-ID:") + rid + "\r\nDTSTART:" + moved +
                                    "\r\nDURATION:PT1H\r\nSUMMARY:Moved\r\n");
    }
    const Calendar many = parse_ok(wrap(overrides));
    CHECK(many.entries.size() == 10001);
    a = nk::calendar_agenda(many, utc(2025, 5, 19), utc(2025, 5, 20), "");  // day 9 270
    CHECK(lines(a) == Lines{"09:00–10:00 · Moved"});
    a = nk::calendar_agenda(many, utc(2030, 5, 19), utc(2030, 5, 20), "");  // past the overrides
    CHECK(lines(a) == Lines{"08:00–09:00 · Base"});

    // 10 000 RDATE values: the first thousand are read and the file says why the rest are not.
    std::string rdates = "DTSTART:20250101T120000Z\r\nSUMMARY:Listed\r\n";
    for (int k = 0; k < 10000; ++k) rdates += "RDATE:" + std::to_string(20250102 + k % 27) + "T120000Z\r\n";
    const Calendar listed = parse_ok(wrap(event("r", rdates)));
    REQUIRE(listed.warnings.size() == 1);
    CHECK_THAT(listed.warnings[0], Catch::Contains("1000 RDATE/EXDATE values"));
    CHECK(lines(nk::calendar_agenda(listed, utc(2025, 1, 5), utc(2025, 1, 6), "")) == Lines{"12:00–13:00 · Listed"});

    // A series with more occurrences in the window than one card could hold is cut, and says so.
    a = nk::calendar_agenda(cal, utc(2025, 3, 1), utc(2025, 3, 31), "");
    CHECK(a.items.size() <= 2000);
    REQUIRE_FALSE(a.warnings.empty());
    CHECK_THAT(a.warnings[0], Catch::Contains("\"Tick\" stopped after 500"));
}

TEST_CASE("calendar: a 50 MB file is refused before parsing, a large one within limits is read", "[calendar]") {
    const std::string one = event("big", "DTSTART:20250310T090000Z\r\nDURATION:PT1H\r\nSUMMARY:Big\r\n");
    std::string big = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n";
    big.reserve(50u << 20);
    while (big.size() < (50u << 20)) big += one;
    big += "END:VCALENDAR\r\n";
    nk::Result<Calendar> r = nk::parse_calendar(big);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == nk::ErrorCode::TooLarge);
    CHECK_THAT(r.error().message, Catch::Contains(std::to_string(big.size()) + " bytes") &&
                                      Catch::Contains("limit of 16777216"));

    // 15 MB, nearly all of it a DESCRIPTION the agenda does not read: accepted, and the event is there.
    std::string desc = "DESCRIPTION:";
    while (desc.size() < (15u << 20)) desc += "lorem ipsum dolor sit amet, consectetur adipiscing elit \r\n ";
    const Calendar cal = parse_ok(wrap(event("d", "DTSTART:20250310T090000Z\r\n" + desc + "x\r\nSUMMARY:Long\r\n")));
    CHECK(lines(nk::calendar_agenda(cal, utc(2025, 3, 10), utc(2025, 3, 11), "")) == Lines{"09:00–10:00 · Long"});

    // More events than max_entries: the first ones are kept, the rest named in a warning.
    nk::CalendarLimits small;
    small.max_entries = 100;
    std::string hundreds;
    for (int k = 0; k < 300; ++k) hundreds += one;
    r = nk::parse_calendar(wrap(hundreds), small);
    REQUIRE(r.ok());
    CHECK(r->entries.size() == 100);
    REQUIRE(r->warnings.size() == 1);
    CHECK_THAT(r->warnings[0], Catch::Contains("more than 100 events"));
}

TEST_CASE("calendar: agendas computed on two threads at once agree", "[calendar]") {
    const Calendar cal = fixture("calendar-outlook.ics");
    const Agenda expect = nk::calendar_agenda(cal, utc(2025, 1, 1), utc(2025, 7, 1), "Europe/Berlin");
    REQUIRE(expect.items.size() > 20);
    bool same[2] = {true, true};
    auto work = [&](int k) {
        for (int n = 0; n < 50; ++n) {
            const Agenda a = nk::calendar_agenda(cal, utc(2025, 1, 1), utc(2025, 7, 1), "Europe/Berlin");
            same[k] = same[k] && lines(a) == lines(expect);
            const nk::Result<Calendar> again = nk::parse_calendar(nk::test::fixture("calendar-nextcloud.ics"));
            same[k] = same[k] && again.ok();
        }
    };
    std::thread t0(work, 0), t1(work, 1);
    t0.join();
    t1.join();
    CHECK(same[0]);
    CHECK(same[1]);
}
