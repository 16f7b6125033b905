// SPDX-License-Identifier: Apache-2.0
// calendar.h: an iCalendar (.ics) file in, the occurrences of a time window out, for the agenda card.
// Two pure steps, so the file is read once (on the fetch thread) and the agenda recomputed as often
// as the card needs (every minute, as events end) without reading the bytes again:
//   parse_calendar: bytes -> Calendar, the VEVENTs and VTIMEZONEs as plain values, or an Error that
//                   says what the bytes are not ("not an iCalendar file", "cut short") and on which line;
//   calendar_agenda: Calendar + window + display zone -> the occurrences overlapping the window, sorted,
//                   with RRULE/RDATE expanded, EXDATE honoured, RECURRENCE-ID overrides (moved or
//                   cancelled instances) applied and STATUS:CANCELLED left out.
// libical (<libical/ical.h>, only in calendar.cpp) reads the components, expands recurrences and knows
// the time zones; this module decides what a lobby screen needs and bounds what hostile input costs:
// the bytes are checked and cut down before libical sees them, and recurrences are expanded only near
// the window, so 10 000 recurrences cost what the window holds, not what the file says.
// TZIDs resolve to the file's VTIMEZONE, else libical's zone database (icaltimezone_get_builtin_timezone,
// IANA names, vendor prefixes like "/mozilla.org/.../Europe/Berlin" stripped), else Outlook's Windows
// names ("W. Europe Standard Time"). Floating times, all-day dates and unknown TZIDs (with a warning)
// are read in the display zone. Outlook, Google and Nextcloud exports read the same way.
// No clock is read: "now", the window and the display zone are parameters.
// Depends on the standard library, libical and the rest of src/feed only.
//
// Threads: any thread; calls share nothing. libical 3 (Debian's, built with pthreads) keeps its error
// number and string ring per thread and locks its zone cache; every icaltimezone built from a file's
// VTIMEZONE belongs to one call.
#pragma once

#include "feed/result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nk {

// A date or time as the file writes it; resolved to an instant only against a display zone.
struct CalendarTime {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    bool is_date = false;  // VALUE=DATE: an all-day date
    bool utc = false;      // written with 'Z'
    std::string tzid;      // TZID parameter; "" and !utc: floating (the display's clock)
};

// One VEVENT, reduced to what the agenda uses.
struct CalendarEntry {
    std::size_t line = 0;                      // of its BEGIN:VEVENT, for messages
    std::string uid;
    std::string summary;                       // display text: UTF-8, whitespace collapsed, no control characters
    std::string location;                      // same rules; may be empty
    bool cancelled = false;                    // STATUS:CANCELLED
    CalendarTime start;                        // DTSTART
    std::optional<CalendarTime> end;           // DTEND
    int64_t duration = -1;                     // DURATION in seconds when there is no DTEND; -1: none
    std::string rrule;                         // RRULE as libical writes it back; "" for none
    std::vector<CalendarTime> rdates, exdates; // RDATE (a PERIOD's start) and EXDATE values
    std::optional<CalendarTime> recurrence_id; // set on an override of one occurrence of the UID's series
};

// A VTIMEZONE block, already checked (yearly rules only, Outlook's 1601 starts moved to 1900).
struct CalendarZone {
    std::string tzid;
    std::size_t line = 0;
    std::string text;  // BEGIN:VTIMEZONE ... END:VTIMEZONE
};

struct CalendarLimits {
    // parse_calendar
    std::size_t max_input_bytes = 16u << 20;  // larger input is refused before any parsing (TooLarge);
                                              // the fetcher caps downloads earlier
    std::size_t max_entries = 50000;          // VEVENTs kept (≈ 20 MB); later ones dropped with a warning
    // calendar_agenda
    std::size_t max_occurrences = 2000;       // occurrences kept in the window, earliest first (warning when cut)
    std::size_t max_per_series = 500;         // occurrences of one recurring event in the window (warning)
    std::size_t max_series = 1000;            // recurring events expanded per call; later ones show DTSTART only
};

struct Calendar {
    std::string name;                    // X-WR-CALNAME if present (display text)
    std::vector<CalendarEntry> entries;  // in file order
    std::vector<CalendarZone> zones;
    std::vector<std::string> warnings;   // what was left out and why, each kind once, at most a few dozen
};

// Reads `bytes` (UTF-8 iCalendar; a BOM is skipped). Errors: TooLarge over max_input_bytes, with both
// sizes; InvalidInput for what is not iCalendar ("not an iCalendar file: ..."), binary data, and broken
// structure (an END that closes nothing or the wrong thing, a component never closed as in a truncated
// download: "... is never closed: the file is cut short"), each with its line. A bad event inside a good
// file is left out with a warning; the others stay.
Result<Calendar> parse_calendar(std::string_view bytes, const CalendarLimits& limits = {});

// Wall-clock fields in the display zone, for the card line ("14:00–15:00").
struct LocalTime {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0;
    int weekday = 0;  // 0 = Sunday, as std::tm::tm_wday
};

struct AgendaItem {
    std::string uid;           // UID; an overridden occurrence is "UID#RECURRENCE-ID"
    std::string summary;       // SUMMARY (display text)
    std::string location;      // LOCATION (display text); may be empty
    int64_t start = 0;         // Unix seconds; end > start (DTEND or DURATION; without them start + 1 h,
    int64_t end = 0;           // or + 1 day for all-day events)
    bool all_day = false;      // [local midnight, local midnight days later) in the display zone
    LocalTime local_start;     // start and end in the display zone
    LocalTime local_end;
};

struct Agenda {
    std::vector<AgendaItem> items;      // every occurrence overlapping [from, to), by start, then summary
    std::vector<std::string> warnings;  // unknown TZIDs, expansion cut short, ... each kind once
};

// The occurrences of `calendar` overlapping [from, to) (Unix seconds). `display_zone` is an IANA name
// ("Europe/Berlin"); "" or an unknown name means UTC (the latter with a warning).
Agenda calendar_agenda(const Calendar& calendar, int64_t from, int64_t to, std::string_view display_zone,
                       const CalendarLimits& limits = {});

// [local midnight, next local midnight) of the day holding `t` in `display_zone` (23 or 25 hours long on
// DST days): the window of "today's agenda". "" or an unknown name: UTC.
struct DayWindow {
    int64_t from = 0, to = 0;
};
DayWindow calendar_day(int64_t t, std::string_view display_zone);

// `t` as wall-clock fields in `display_zone` ("" or unknown: UTC).
LocalTime calendar_local_time(int64_t t, std::string_view display_zone);

}  // namespace nk
