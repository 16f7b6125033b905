// SPDX-License-Identifier: Apache-2.0
// calendar.cpp: see calendar.h. parse_calendar works in three steps:
//   1. scan: our own linear pass over the unfolded lines checks the structure (BEGIN/END, depth,
//      binary data) with line numbers, and cuts each VEVENT down to the dozen properties the agenda
//      uses (no DESCRIPTION, ATTACH, ATTENDEE or VALARM reaches libical), each VTIMEZONE kept whole;
//   2. zones: each VTIMEZONE is read by libical and kept if its rules are shaped like a zone's;
//   3. events: each VEVENT is parsed by libical on its own (memory stays that of one event) and
//      reduced to a CalendarEntry of plain values.
// calendar_agenda (4.) builds the file's icaltimezones for the call, resolves each TZID (the file,
// then libical's zone database, then Windows names), reads overrides first so that the recurring
// events they change skip the occurrences they replace, and expands recurrences with
// icalrecur_iterator, started near the window and clamped at its end.
#include "feed/calendar.h"

#include "feed/strings.h"
#include "feed/text.h"

#include <libical/ical.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace nk {
namespace {

// VCALENDAR > VEVENT > VALARM is three deep, VCALENDAR > VTIMEZONE > STANDARD too. Deeper nesting is
// not iCalendar and would only cost libical's recursive free.
constexpr std::size_t kMaxDepth = 8;
constexpr std::size_t kMaxZones = 64;                 // VTIMEZONE blocks read per file
constexpr std::size_t kMaxLookups = 64;               // distinct TZIDs looked up outside the file per agenda
constexpr std::size_t kMaxZoneBytes = 128u << 10;     // a VTIMEZONE with every rule since 1883 is ~10 KB
constexpr std::size_t kMaxZoneParts = 300;            // STANDARD/DAYLIGHT blocks in one VTIMEZONE
constexpr std::size_t kMaxTextValueBytes = 4096;      // SUMMARY/LOCATION/UID read before clean-up
constexpr std::size_t kMaxDisplayBytes = 512;         // summary and location as shown
constexpr std::size_t kMaxListValues = 1000;          // RDATE + EXDATE values per event
constexpr std::size_t kMaxWarnings = 24;
// Recurrence work that does not produce an occurrence in the window: steps before it (COUNT rules
// must be counted from DTSTART) and sub-daily rules whose BY parts skip most candidates.
constexpr int64_t kMaxScanPerSeries = 20000;
constexpr int64_t kMaxScanTotal = 300000;
// libical runs an unsatisfiable rule ("every 30 February") to its year 2582 before giving up; a few
// of those cost seconds, so after this many the file's remaining rules are not expanded.
constexpr int kMaxOddRules = 8;
constexpr int kMinYear = 1;
constexpr int kMaxYear = 2200;  // beyond, libical would expand every zone rule up to that year

// ---------------------------------------------------------------------------------------------
// Small helpers

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

std::string display_text(std::string_view raw) {
    text::HtmlTextOptions o;
    o.keep_line_breaks = false;
    o.max_bytes = kMaxDisplayBytes;
    return text::clean_plain(raw, o);
}

// Days since 1970-01-01 of a proleptic Gregorian date (the usual era-based formula).
int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// Wall-clock fields as if they were UTC: for arithmetic on local times, never as an instant.
int64_t wall_seconds(const icaltimetype& t) {
    return days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

icaltimetype wall_from_seconds(int64_t s, bool is_date, const icaltimezone* zone) {
    icaltimetype t = icaltime_from_timet_with_zone(static_cast<time_t>(s), is_date ? 1 : 0, nullptr);
    t.zone = zone;
    return t;
}

bool plausible(const icaltimetype& t) {
    if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t)) return false;
    if (t.year < kMinYear || t.year > kMaxYear || t.month < 1 || t.month > 12 || t.day < 1 ||
        t.day > icaltime_days_in_month(t.month, t.year))
        return false;
    if (t.is_date) return true;
    return t.hour >= 0 && t.hour <= 23 && t.minute >= 0 && t.minute <= 59 && t.second >= 0 && t.second <= 60;
}

struct IcalFree {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using Component = std::unique_ptr<icalcomponent, IcalFree>;

// libical wants a NUL-terminated string; the scan never lets a NUL through.
Component parse_component(const std::string& text) {
    icalerror_clear_errno();
    Component c(icalparser_parse_string(text.c_str()));
    icalerror_clear_errno();
    return c;
}

// One-time, process-wide libical settings: its errors must never abort or print (the defaults of
// a libical built with ICAL_ERRORS_ARE_FATAL do both).
void configure_libical() {
    static const bool done = [] {
        icalerror_set_errors_are_fatal(0);
        return true;
    }();
    (void)done;
}

class Warnings {
public:
    explicit Warnings(std::vector<std::string>& out) : out_(out) {}
    // `kind` collapses repeats: the first message of each kind is kept.
    void add(const std::string& kind, std::string message) {
        if (!kinds_.insert(kind).second) return;
        if (out_.size() + 1 < kMaxWarnings) out_.push_back(std::move(message));
        else if (out_.size() + 1 == kMaxWarnings) out_.push_back("more warnings left out");
    }

private:
    std::vector<std::string>& out_;
    std::unordered_set<std::string> kinds_;
};

std::string quoted(std::string_view s) {
    return "\"" + display_text(text::utf8_prefix(s, 80)) + "\"";
}

// ---------------------------------------------------------------------------------------------
// 1. Scan

// Unfolded lines ("CRLF + space or tab" continues the line before), with their first line number.
class LineReader {
public:
    explicit LineReader(std::string_view s) : s_(s) {}

    bool next(std::string& out, std::size_t& line_no) {
        std::string_view first;
        do {
            if (pos_ >= s_.size()) return false;
            first = physical();
        } while (str::trim(first).empty());
        line_no = number_;
        out.assign(first);
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) {
            std::string_view more = physical();
            out.append(more.substr(1));
        }
        return true;
    }

    std::size_t lines() const { return number_; }

private:
    std::string_view physical() {
        const std::size_t nl = s_.find('\n', pos_);
        const std::size_t end = nl == std::string_view::npos ? s_.size() : nl;
        std::string_view l = s_.substr(pos_, end - pos_);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        pos_ = nl == std::string_view::npos ? s_.size() : nl + 1;
        ++number_;
        return l;
    }

    std::string_view s_;
    std::size_t pos_ = 0;
    std::size_t number_ = 0;
};

struct EventBlock {
    std::size_t line = 0;            // of BEGIN:VEVENT
    std::size_t begin = 0, end = 0;  // in Scan::event_text
};

struct ZoneBlock {
    std::size_t line = 0;
    std::string text;
};

struct Scan {
    std::string name;
    std::string event_text;
    std::vector<EventBlock> events;
    std::vector<ZoneBlock> zones;
};

enum class Keep { drop, first, list, text };

// What the agenda reads from a VEVENT; everything else is dropped before libical sees it.
Keep event_property(std::string_view name) {
    if (name == "SUMMARY" || name == "LOCATION" || name == "UID") return Keep::text;
    if (name == "DTSTART" || name == "DTEND" || name == "DURATION" || name == "RRULE" || name == "RECURRENCE-ID" ||
        name == "STATUS")
        return Keep::first;
    if (name == "RDATE" || name == "EXDATE") return Keep::list;
    return Keep::drop;
}

std::string_view property_name(std::string_view line) {
    const std::size_t k = line.find_first_of(";:");
    return k == std::string_view::npos ? line : line.substr(0, k);
}

// The value after the first ':' that is not inside a quoted parameter value.
std::string_view property_value(std::string_view line) {
    bool quoted_param = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '"') quoted_param = !quoted_param;
        else if (line[i] == ':' && !quoted_param) return line.substr(i + 1);
    }
    return {};
}

std::string unescape_text(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) {
            const char c = v[++i];
            out.push_back(c == 'n' || c == 'N' ? ' ' : c);
        } else {
            out.push_back(v[i]);
        }
    }
    return out;
}

std::string line_error(std::size_t line, const std::string& what) {
    return "line " + std::to_string(line) + ": " + what;
}

Result<Scan> scan(std::string_view bytes, const CalendarLimits& limits, Warnings& warn) {
    if (bytes.size() >= 3 && std::memcmp(bytes.data(), "\xEF\xBB\xBF", 3) == 0) bytes.remove_prefix(3);
    Scan out;
    LineReader reader(bytes);
    std::string line;
    std::size_t no = 0;

    if (!reader.next(line, no)) return Error{ErrorCode::InvalidInput, "not an iCalendar file: it is empty"};
    if (const std::size_t nul = bytes.find('\0'); nul != std::string_view::npos) {
        const std::size_t at = static_cast<std::size_t>(std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(nul), '\n')) + 1;
        return Error{ErrorCode::InvalidInput, "not an iCalendar file: binary data (a NUL byte on line " + std::to_string(at) + ")"};
    }
    if (!str::iequals(str::trim(line), "BEGIN:VCALENDAR")) {
        return Error{ErrorCode::InvalidInput, "not an iCalendar file: no BEGIN:VCALENDAR (line " + std::to_string(no) +
                                                  " is " + quoted(line) + ")"};
    }

    struct Open {
        std::string name;
        std::size_t line;
    };
    std::vector<Open> stack;
    enum class In { none, event, zone, other } in = In::none;
    EventBlock event;
    ZoneBlock zone;
    bool zone_too_large = false;
    std::size_t list_values = 0;
    std::unordered_set<std::string> seen;  // single-valued properties of the current event

    do {
        const std::string name = upper(property_name(line));
        if (name == "BEGIN" || name == "END") {
            const std::string comp = upper(str::trim(property_value(line)));
            if (comp.empty()) return Error{ErrorCode::InvalidInput, line_error(no, name + " without a component name")};
            if (name == "BEGIN") {
                if (stack.empty() && comp != "VCALENDAR")
                    return Error{ErrorCode::InvalidInput, line_error(no, "BEGIN:" + comp + " outside BEGIN:VCALENDAR")};
                if (!stack.empty() && comp == "VCALENDAR")
                    return Error{ErrorCode::InvalidInput, line_error(no, "BEGIN:VCALENDAR inside BEGIN:" + stack.back().name +
                                                                             " (line " + std::to_string(stack.back().line) + ")")};
                stack.push_back({comp, no});
                if (stack.size() > kMaxDepth)
                    return Error{ErrorCode::InvalidInput, line_error(no, "components nested more than " +
                                                                             std::to_string(kMaxDepth) + " deep")};
                if (stack.size() == 2) {
                    if (comp == "VEVENT") {
                        in = In::event;
                        event = EventBlock{};
                        event.line = no;
                        event.begin = out.event_text.size();
                        out.event_text += "BEGIN:VEVENT\r\n";
                        seen.clear();
                        list_values = 0;
                    } else if (comp == "VTIMEZONE") {
                        in = In::zone;
                        zone = ZoneBlock{};
                        zone.line = no;
                        zone_too_large = false;
                    } else {
                        in = In::other;
                    }
                }
            } else {
                if (stack.empty()) return Error{ErrorCode::InvalidInput, line_error(no, "END:" + comp + " without a BEGIN")};
                if (stack.back().name != comp)
                    return Error{ErrorCode::InvalidInput,
                                 line_error(no, "END:" + comp + " but BEGIN:" + stack.back().name + " (line " +
                                                    std::to_string(stack.back().line) + ") is still open")};
            }
            if (in == In::zone && !zone_too_large && zone.text.size() + line.size() > kMaxZoneBytes) zone_too_large = true;
            if (in == In::zone && !zone_too_large) {
                zone.text += line;
                zone.text += "\r\n";
            }
            if (name == "END") {
                stack.pop_back();
                if (stack.size() == 1) {
                    if (in == In::event) {
                        out.event_text += "END:VEVENT\r\n";
                        event.end = out.event_text.size();
                        if (out.events.size() < limits.max_entries) {
                            out.events.push_back(event);
                        } else {
                            // Keep scanning: a cut-short file must still be refused as such.
                            out.event_text.resize(event.begin);
                            warn.add("max-entries", line_error(event.line, "more than " + std::to_string(limits.max_entries) +
                                                                                " events: the rest were left out"));
                        }
                    } else if (in == In::zone) {
                        if (zone_too_large)
                            warn.add("zone-size", line_error(zone.line, "a VTIMEZONE larger than " +
                                                                            std::to_string(kMaxZoneBytes >> 10) + " KB was left out"));
                        else if (out.zones.size() >= kMaxZones)
                            warn.add("zone-count", line_error(zone.line, "more than " + std::to_string(kMaxZones) +
                                                                             " VTIMEZONE blocks: the rest were left out"));
                        else
                            out.zones.push_back(std::move(zone));
                        zone = ZoneBlock{};
                    }
                    in = In::none;
                }
            }
            continue;
        }

        if (stack.empty()) continue;  // after END:VCALENDAR: trailing junk is common and harmless
        if (stack.size() == 1) {
            if (name == "X-WR-CALNAME" && out.name.empty())
                out.name = display_text(unescape_text(text::utf8_prefix(property_value(line), kMaxTextValueBytes)));
            continue;
        }
        if (in == In::zone) {
            if (!zone_too_large && zone.text.size() + line.size() > kMaxZoneBytes) zone_too_large = true;
            if (!zone_too_large) {
                zone.text += line;
                zone.text += "\r\n";
            }
            continue;
        }
        if (in != In::event || stack.size() != 2) continue;  // VALARM and friends, other components

        const Keep keep = event_property(name);
        if (keep == Keep::drop) continue;
        if (keep != Keep::list && !seen.insert(name).second) continue;  // the first one counts, as in libical
        std::string_view kept = line;
        if (keep == Keep::text && line.size() > kMaxTextValueBytes) {
            kept = text::utf8_prefix(kept, kMaxTextValueBytes);
            while (!kept.empty() && kept.back() == '\\') kept.remove_suffix(1);  // half an escape
        }
        if (keep == Keep::list) {
            const std::string_view v = property_value(line);
            const std::size_t values = static_cast<std::size_t>(std::count(v.begin(), v.end(), ',')) + 1;
            if (list_values + values > kMaxListValues) {
                warn.add("list-values", line_error(no, "more than " + std::to_string(kMaxListValues) +
                                                           " RDATE/EXDATE values in one event: the rest were left out"));
                continue;
            }
            list_values += values;
        }
        out.event_text.append(kept);
        out.event_text += "\r\n";
    } while (reader.next(line, no));

    if (!stack.empty()) {
        return Error{ErrorCode::InvalidInput,
                     line_error(reader.lines(), "BEGIN:" + stack.back().name + " (line " + std::to_string(stack.back().line) +
                                                    ") is never closed: the file is cut short")};
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// 2. Zones

// Common Windows zone names (Outlook and Exchange write them as TZID) and the IANA zone CLDR maps
// each to. Used only when the file has no VTIMEZONE for the name.
constexpr std::pair<std::string_view, std::string_view> kWindowsZones[] = {
    {"Dateline Standard Time", "Etc/GMT+12"},
    {"UTC-11", "Etc/GMT+11"},
    {"Hawaiian Standard Time", "Pacific/Honolulu"},
    {"Alaskan Standard Time", "America/Anchorage"},
    {"Pacific Standard Time", "America/Los_Angeles"},
    {"US Mountain Standard Time", "America/Phoenix"},
    {"Mountain Standard Time", "America/Denver"},
    {"Central America Standard Time", "America/Guatemala"},
    {"Central Standard Time", "America/Chicago"},
    {"Central Standard Time (Mexico)", "America/Mexico_City"},
    {"Canada Central Standard Time", "America/Regina"},
    {"SA Pacific Standard Time", "America/Bogota"},
    {"Eastern Standard Time", "America/New_York"},
    {"US Eastern Standard Time", "America/Indiana/Indianapolis"},
    {"Atlantic Standard Time", "America/Halifax"},
    {"SA Western Standard Time", "America/La_Paz"},
    {"Newfoundland Standard Time", "America/St_Johns"},
    {"E. South America Standard Time", "America/Sao_Paulo"},
    {"Argentina Standard Time", "America/Argentina/Buenos_Aires"},
    {"UTC", "UTC"},
    {"Coordinated Universal Time", "UTC"},
    {"GMT Standard Time", "Europe/London"},
    {"Greenwich Standard Time", "Atlantic/Reykjavik"},
    {"W. Europe Standard Time", "Europe/Berlin"},
    {"Central Europe Standard Time", "Europe/Budapest"},
    {"Romance Standard Time", "Europe/Paris"},
    {"Central European Standard Time", "Europe/Warsaw"},
    {"W. Central Africa Standard Time", "Africa/Lagos"},
    {"GTB Standard Time", "Europe/Bucharest"},
    {"E. Europe Standard Time", "Europe/Chisinau"},
    {"FLE Standard Time", "Europe/Kiev"},
    {"South Africa Standard Time", "Africa/Johannesburg"},
    {"Israel Standard Time", "Asia/Jerusalem"},
    {"Egypt Standard Time", "Africa/Cairo"},
    {"Turkey Standard Time", "Europe/Istanbul"},
    {"Russian Standard Time", "Europe/Moscow"},
    {"Arab Standard Time", "Asia/Riyadh"},
    {"Arabian Standard Time", "Asia/Dubai"},
    {"Iran Standard Time", "Asia/Tehran"},
    {"Pakistan Standard Time", "Asia/Karachi"},
    {"India Standard Time", "Asia/Kolkata"},
    {"Nepal Standard Time", "Asia/Kathmandu"},
    {"Bangladesh Standard Time", "Asia/Dhaka"},
    {"SE Asia Standard Time", "Asia/Bangkok"},
    {"China Standard Time", "Asia/Shanghai"},
    {"Singapore Standard Time", "Asia/Singapore"},
    {"Taipei Standard Time", "Asia/Taipei"},
    {"W. Australia Standard Time", "Australia/Perth"},
    {"Tokyo Standard Time", "Asia/Tokyo"},
    {"Korea Standard Time", "Asia/Seoul"},
    {"Cen. Australia Standard Time", "Australia/Adelaide"},
    {"AUS Central Standard Time", "Australia/Darwin"},
    {"E. Australia Standard Time", "Australia/Brisbane"},
    {"AUS Eastern Standard Time", "Australia/Sydney"},
    {"New Zealand Standard Time", "Pacific/Auckland"},
};

// libical's system lookup reads /usr/share/zoneinfo/<name>: only names shaped like IANA ones get there.
bool iana_shaped(std::string_view name) {
    if (name.empty() || name.size() > 64 || name.front() == '/' || name.back() == '/') return false;
    if (name.find("..") != std::string_view::npos || name.find("//") != std::string_view::npos) return false;
    for (char c : name) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
                        c == '_' || c == '-' || c == '+';
        if (!ok) return false;
    }
    return true;
}

// libical keeps every system zone it has loaded until exit, so the names a file can make it load are
// kept to the zone database proper: "posix/" and "right/" are copies of it under other names.
icaltimezone* system_zone(std::string_view name) {
    if (!iana_shaped(name) || str::istarts_with(name, "posix/") || str::istarts_with(name, "right/")) return nullptr;
    const std::string n(name);
    icaltimezone* z = icaltimezone_get_builtin_timezone(n.c_str());
    icalerror_clear_errno();
    return z;
}

struct ZoneFree {
    void operator()(icaltimezone* z) const { icaltimezone_free(z, 1); }
};

// A probe for rules that libical would loop on for centuries: the rule, moved to a DTSTART a few
// years before libical's last year (2582), must give two occurrences, no further apart than
// `max_gap_days`. Real rules pass at once; "30 February" fails after a few years of steps.
bool rule_is_tame(icalrecurrencetype rule, icaltimetype dtstart, int max_gap_days) {
    rule.count = 0;
    rule.until = icaltime_null_time();
    rule.interval = 1;
    icaltimetype probe = dtstart;
    probe.zone = nullptr;
    probe.year = 2576 + dtstart.year % 4;  // the same place in the leap-year cycle (2576 is a leap year)
    if (probe.month == 2 && probe.day == 29 && !icaltime_is_leap_year(probe.year)) probe.day = 28;
    icalrecur_iterator* it = icalrecur_iterator_new(rule, probe);
    if (!it) {
        icalerror_clear_errno();
        return false;
    }
    const icaltimetype a = icalrecur_iterator_next(it);
    const icaltimetype b = icaltime_is_null_time(a) ? a : icalrecur_iterator_next(it);
    icalrecur_iterator_free(it);
    icalerror_clear_errno();
    if (icaltime_is_null_time(a) || icaltime_is_null_time(b)) return false;
    return wall_seconds(b) - wall_seconds(a) <= int64_t{max_gap_days} * 86400;
}

// Time zone rules are yearly (a month and a weekday or day); anything else is not a zone and could
// make libical's expansion run for centuries. Outlook starts its rules in 1601 and libical would
// expand every year since: the rule gives the same changes from 1900 on (it names a month and a
// weekday, not a year), so such a DTSTART is moved there, in `vtz` itself.
bool tame_zone(icalcomponent* vtz) {
    std::size_t parts = 0;
    for (icalcomponent* p = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); p;
         p = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
        const icalcomponent_kind k = icalcomponent_isa(p);
        if (k != ICAL_XSTANDARD_COMPONENT && k != ICAL_XDAYLIGHT_COMPONENT) continue;
        if (++parts > kMaxZoneParts) return false;
        icalproperty* dp = icalcomponent_get_first_property(p, ICAL_DTSTART_PROPERTY);
        if (!dp) return false;
        icaltimetype start = icalproperty_get_dtstart(dp);
        if (!plausible(start) || start.is_date) return false;
        for (icalproperty* r = icalcomponent_get_first_property(p, ICAL_RRULE_PROPERTY); r;
             r = icalcomponent_get_next_property(p, ICAL_RRULE_PROPERTY)) {
            const icalrecurrencetype rule = icalproperty_get_rrule(r);
            if (rule.freq != ICAL_YEARLY_RECURRENCE || rule.interval != 1) return false;
            if (rule.rscale && *rule.rscale) return false;
            if (!icaltime_is_null_time(rule.until) && !plausible(rule.until)) return false;
            if (!rule_is_tame(rule, start, 4 * 366 + 7)) return false;
            if (start.year < 1900 && rule.count == 0 &&
                (icaltime_is_null_time(rule.until) || rule.until.year >= 1900) &&
                !icalcomponent_get_first_property(p, ICAL_RDATE_PROPERTY)) {
                start.year = 1900;
                if (start.month == 2 && start.day == 29) start.day = 28;
                icalproperty_set_dtstart(dp, start);
            }
        }
    }
    return parts > 0;
}

std::string component_text(icalcomponent* c) {
    char* s = icalcomponent_as_ical_string_r(c);
    std::string out = s ? s : "";
    if (s) icalmemory_free_buffer(s);
    icalerror_clear_errno();
    return out;
}

// The file's VTIMEZONE blocks that libical reads and that are shaped like time zones.
std::vector<CalendarZone> read_zones(const std::vector<ZoneBlock>& blocks, Warnings& warn) {
    std::vector<CalendarZone> out;
    std::unordered_set<std::string> seen;
    for (const ZoneBlock& b : blocks) {
        Component c = parse_component(b.text);
        if (!c || icalcomponent_isa(c.get()) != ICAL_VTIMEZONE_COMPONENT) {
            warn.add("zone-unreadable", line_error(b.line, "a VTIMEZONE libical could not read was left out"));
            continue;
        }
        icalproperty* idp = icalcomponent_get_first_property(c.get(), ICAL_TZID_PROPERTY);
        const char* id = idp ? icalproperty_get_tzid(idp) : nullptr;
        if (!id || !*id) {
            warn.add("zone-no-tzid", line_error(b.line, "a VTIMEZONE without TZID was left out"));
            continue;
        }
        const std::string tzid(text::utf8_prefix(id, 256));
        if (!seen.insert(tzid).second) continue;  // the first definition counts
        if (!tame_zone(c.get())) {
            warn.add("zone-rule:" + tzid,
                     line_error(b.line, "VTIMEZONE " + quoted(tzid) + " has rules no time zone uses: left out"));
            continue;
        }
        out.push_back(CalendarZone{tzid, b.line, component_text(c.get())});
    }
    return out;
}

class Zones {
public:
    Zones(std::string_view display_zone, const std::vector<CalendarZone>& file_zones, Warnings* warn)
        : warn_(warn) {
        utc_ = icaltimezone_get_utc_timezone();
        local_ = utc_;
        local_name_ = "UTC";
        if (!display_zone.empty()) {
            if (icaltimezone* z = lookup(display_zone)) {
                local_ = z;
                local_name_ = std::string(display_zone);
            } else if (warn_) {
                warn_->add("local-zone", "unknown display time zone " + quoted(display_zone) + ": times are in UTC");
            }
        }
        for (const CalendarZone& fz : file_zones) {
            if (file_.size() >= kMaxZones || file_.count(fz.tzid)) continue;
            Component c = parse_component(fz.text);
            // Calendar is a plain value anyone may build: check again what parse_calendar checked.
            if (!c || icalcomponent_isa(c.get()) != ICAL_VTIMEZONE_COMPONENT || !tame_zone(c.get())) continue;
            std::unique_ptr<icaltimezone, ZoneFree> z(icaltimezone_new());
            if (!z || !icaltimezone_set_component(z.get(), c.get())) continue;
            c.release();  // the zone owns it now
            icalerror_clear_errno();
            file_.emplace(fz.tzid, std::move(z));
        }
    }

    icaltimezone* utc() const { return utc_; }
    icaltimezone* local() const { return local_; }

    // The zone a TZID names; unknown names are read in the display's zone, with one warning each.
    icaltimezone* resolve(const std::string& tzid) {
        if (auto f = file_.find(tzid); f != file_.end()) return f->second.get();
        if (auto c = cache_.find(tzid); c != cache_.end()) return c->second;
        // A real calendar names a handful of zones; a hostile one naming hundreds would make libical
        // load (and keep) each of them. Past the cap, a new name is read in the display zone.
        if (cache_.size() >= kMaxLookups) {
            if (warn_)
                warn_->add("tzid-count", "more than " + std::to_string(kMaxLookups) + " time zones named: " +
                                             quoted(tzid) + " and later ones read in " + local_name_);
            return local_;
        }
        icaltimezone* z = lookup(tzid);
        if (!z) {
            if (warn_) warn_->add("tzid:" + tzid, "unknown time zone " + quoted(tzid) + ": read in " + local_name_);
            z = local_;
        }
        if (cache_.size() < kMaxLookups) cache_.emplace(tzid, z);
        return z;
    }

    // An IANA name, a vendor-prefixed one or a Windows one; nullptr when none of them.
    static icaltimezone* lookup(std::string_view tzid) {
        std::string_view t = str::trim(tzid);
        if (str::iequals(t, "Z") || str::iequals(t, "GMT") || str::iequals(t, "UTC") || str::iequals(t, "Etc/UTC"))
            return icaltimezone_get_utc_timezone();
        if (icaltimezone* z = system_zone(t)) return z;
        // "/freeassociation.sourceforge.net/Europe/Berlin", "/mozilla.org/20050126_1/Europe/Berlin":
        // a vendor prefix before an IANA name.
        for (std::size_t k = t.find('/'); k != std::string_view::npos; k = t.find('/', k + 1)) {
            const std::string_view rest = t.substr(k + 1);
            if (rest.find('/') == std::string_view::npos) break;  // IANA names past "UTC" have an area
            if (icaltimezone* z = system_zone(rest)) return z;
        }
        for (const auto& [windows, iana] : kWindowsZones)
            if (str::iequals(t, windows)) return system_zone(iana);
        return nullptr;
    }

private:
    Warnings* warn_;
    icaltimezone* utc_ = nullptr;
    icaltimezone* local_ = nullptr;
    std::string local_name_;
    std::unordered_map<std::string, std::unique_ptr<icaltimezone, ZoneFree>> file_;
    std::unordered_map<std::string, icaltimezone*> cache_;
};

// ---------------------------------------------------------------------------------------------
// 3. Events, read once (parse_calendar)

std::optional<CalendarTime> calendar_time(icalproperty* p, const icaltimetype& t) {
    if (!plausible(t)) return std::nullopt;
    CalendarTime c;
    c.year = t.year;
    c.month = t.month;
    c.day = t.day;
    c.is_date = t.is_date != 0;
    if (!c.is_date) {
        c.hour = t.hour;
        c.minute = t.minute;
        c.second = std::min(t.second, 59);  // a leap second is the minute's last second here
        c.utc = icaltime_is_utc(t) != 0;
    }
    if (!c.is_date && !c.utc) {
        if (icalparameter* tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER))
            if (const char* id = icalparameter_get_tzid(tz)) c.tzid = std::string(text::utf8_prefix(id, 256));
    }
    return c;
}

std::string text_property(icalcomponent* c, icalproperty_kind kind) {
    icalproperty* p = icalcomponent_get_first_property(c, kind);
    if (!p) return {};
    const char* v = icalvalue_get_text(icalproperty_get_value(p));
    icalerror_clear_errno();
    return display_text(v ? v : "");
}

std::optional<CalendarEntry> read_entry(icalcomponent* c, std::size_t line, Warnings& warn) {
    for (icalproperty* e = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); e;
         e = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
        const char* what = icalproperty_get_xlicerror(e);
        warn.add("libical-error", line_error(line, "event: " + display_text(what ? what : "unreadable property")));
    }
    CalendarEntry out;
    out.line = line;
    const char* uid = icalcomponent_get_uid(c);
    out.uid = std::string(text::utf8_prefix(str::trim(uid ? uid : ""), kMaxTextValueBytes));
    out.summary = text_property(c, ICAL_SUMMARY_PROPERTY);
    out.location = text_property(c, ICAL_LOCATION_PROPERTY);
    const std::string label = out.summary.empty() ? "the event" : quoted(out.summary);
    if (icalproperty* st = icalcomponent_get_first_property(c, ICAL_STATUS_PROPERTY))
        out.cancelled = icalproperty_get_status(st) == ICAL_STATUS_CANCELLED;

    icalproperty* dsp = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    if (!dsp) {
        warn.add("no-dtstart", line_error(line, label + " has no DTSTART: left out"));
        return std::nullopt;
    }
    const std::optional<CalendarTime> start = calendar_time(dsp, icalproperty_get_dtstart(dsp));
    if (!start) {
        warn.add("bad-dtstart", line_error(line, label + " has a DTSTART that is not a date: left out"));
        return std::nullopt;
    }
    out.start = *start;
    if (icalproperty* dep = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY)) {
        out.end = calendar_time(dep, icalproperty_get_dtend(dep));
    } else if (icalproperty* dup = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY)) {
        const icaldurationtype d = icalproperty_get_duration(dup);
        const int64_t total = icaldurationtype_as_int(d);
        if (!d.is_neg && total > 0) out.duration = std::min<int64_t>(total, int64_t{3660} * 86400);
    }
    if (icalproperty* rp = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY))
        out.recurrence_id = calendar_time(rp, icalproperty_get_recurrenceid(rp));

    if (icalproperty* rp = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY)) {
        icalrecurrencetype rule = icalproperty_get_rrule(rp);
        if (rule.rscale && *rule.rscale) {
            warn.add("rscale", line_error(line, "recurrence of " + label +
                                                    " uses a non-Gregorian calendar (RSCALE): first occurrence only"));
        } else if (rule.freq == ICAL_NO_RECURRENCE || rule.interval < 1) {
            warn.add("bad-rule", line_error(line, "recurrence rule of " + label + " is not valid: first occurrence only"));
        } else {
            if (!icaltime_is_null_time(rule.until) && !plausible(rule.until)) rule.until = icaltime_null_time();
            char* s = icalrecurrencetype_as_string_r(&rule);
            if (s) {
                out.rrule = s;
                icalmemory_free_buffer(s);
            }
        }
    }
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_RDATE_PROPERTY)) {
        const icaldatetimeperiodtype v = icalproperty_get_rdate(p);
        const icaltimetype t = icaltime_is_null_time(v.time) ? v.period.start : v.time;
        if (std::optional<CalendarTime> ct = calendar_time(p, t)) out.rdates.push_back(std::move(*ct));
    }
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
        if (std::optional<CalendarTime> ct = calendar_time(p, icalproperty_get_exdate(p)))
            out.exdates.push_back(std::move(*ct));
    }
    icalerror_clear_errno();
    return out;
}

// ---------------------------------------------------------------------------------------------
// 4. The agenda (calendar_agenda)

LocalTime local_fields(int64_t t, icaltimezone* zone) {
    const icaltimetype w = icaltime_from_timet_with_zone(static_cast<time_t>(t), 0, zone);
    icalerror_clear_errno();
    LocalTime out;
    out.year = w.year;
    out.month = w.month;
    out.day = w.day;
    out.hour = w.hour;
    out.minute = w.minute;
    out.weekday = static_cast<int>((days_from_civil(w.year, w.month, w.day) % 7 + 11) % 7);  // 1970-01-01: Thursday
    return out;
}

// The first instant of a local date. Where midnight does not exist (America/Santiago starts DST at
// 00:00) libical reads it with the old offset, an hour before the date begins: step to the date.
int64_t start_of_local_day(icaltimetype date, icaltimezone* zone) {
    date.is_date = 0;
    date.hour = date.minute = date.second = 0;
    date.zone = zone;
    int64_t t = static_cast<int64_t>(icaltime_as_timet_with_zone(date, zone));
    const int64_t want = days_from_civil(date.year, date.month, date.day);
    for (int k = 0; k < 8; ++k) {  // DST gaps are an hour, some half an hour; never more than two
        const LocalTime l = local_fields(t, zone);
        if (days_from_civil(l.year, l.month, l.day) >= want) break;
        t += 1800;
    }
    return t;
}

struct Occurrence {
    int64_t start = 0, end = 0;
};

class Reader {
public:
    Reader(int64_t from, int64_t to, const CalendarLimits& limits, Zones& zones, Warnings& warn,
           std::vector<AgendaItem>& out)
        : from_(from), to_(to), limits_(limits), zones_(zones), warn_(warn), out_(out) {}

    void read(const Calendar& cal) {
        // Overrides and single events first: a recurring event must know which of its occurrences
        // were moved or cancelled before it is expanded.
        for (int pass = 0; pass < 2; ++pass) {
            for (const CalendarEntry& e : cal.entries) {
                const bool series = (!e.rrule.empty() || !e.rdates.empty()) && !e.recurrence_id;
                if (series == (pass == 1)) event(e);
            }
        }
    }

    bool cut() const { return cut_; }

    // Keeps memory bounded while occurrences stream in: only the earliest max_occurrences are shown.
    void prune(bool final) {
        const std::size_t keep = limits_.max_occurrences;
        if (out_.size() <= keep || (!final && out_.size() < 2 * keep + 64)) return;
        std::nth_element(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(keep), out_.end(), earlier);
        out_.resize(keep);
        cut_ = true;
    }

    static bool earlier(const AgendaItem& a, const AgendaItem& b) {
        if (a.start != b.start) return a.start < b.start;
        if (a.summary != b.summary) return a.summary < b.summary;
        if (a.end != b.end) return a.end < b.end;
        return a.uid < b.uid;
    }

private:
    struct Rid {
        int64_t instant = 0;
        bool is_date = false;
        int date_key = 0;  // yyyymmdd, for RECURRENCE-ID;VALUE=DATE
    };

    struct Base {
        std::string uid, summary, location;
        bool all_day = false;
        int days = 1;
        int64_t seconds = 3600;
    };

    static int date_key(const icaltimetype& t) { return t.year * 10000 + t.month * 100 + t.day; }

    // A time as written, with the zone it is read in: dates and floating times in the display's.
    icaltimetype wall(const CalendarTime& c) {
        icaltimetype t = icaltime_null_time();
        t.year = c.year;
        t.month = c.month;
        t.day = c.day;
        t.is_date = c.is_date ? 1 : 0;
        if (!c.is_date) {
            t.hour = c.hour;
            t.minute = c.minute;
            t.second = c.second;
        }
        if (c.is_date) t.zone = zones_.local();
        else if (c.utc) t.zone = zones_.utc();
        else if (!c.tzid.empty()) t.zone = zones_.resolve(c.tzid);
        else t.zone = zones_.local();
        return t;
    }

    // Unix seconds of a wall time (a date: its local midnight in the display's zone).
    std::optional<int64_t> instant(icaltimetype t) const {
        if (!plausible(t)) return std::nullopt;
        if (t.is_date) return start_of_local_day(t, zones_.local());
        const time_t v = icaltime_as_timet_with_zone(t, const_cast<icaltimezone*>(t.zone));
        icalerror_clear_errno();
        return static_cast<int64_t>(v);
    }

    static icaltimetype add_days(icaltimetype t, int days) {
        icaltime_adjust(&t, days, 0, 0, 0);
        return t;
    }

    void event(const CalendarEntry& e) {
        const icaltimetype start = wall(e.start);
        const std::optional<int64_t> start_at = instant(start);
        if (!start_at) return;
        const bool all_day = e.start.is_date;
        const std::string label = e.summary.empty() ? "event at line " + std::to_string(e.line) : quoted(e.summary);

        // The length every occurrence gets: whole days for all-day events (local midnights move
        // with DST), exact seconds otherwise.
        Base base{e.uid, e.summary, e.location, all_day, 1, 3600};
        if (e.end) {
            const icaltimetype end = wall(*e.end);
            if (all_day) {
                const int64_t d = days_from_civil(end.year, end.month, end.day) -
                                  days_from_civil(start.year, start.month, start.day);
                if (d > 0) base.days = static_cast<int>(std::min<int64_t>(d, 3660));
            } else if (const std::optional<int64_t> at = instant(end); at && *at > *start_at) {
                base.seconds = std::min<int64_t>(*at - *start_at, int64_t{3660} * 86400);
            }
        } else if (e.duration > 0) {
            if (all_day) base.days = static_cast<int>(std::clamp<int64_t>((e.duration + 86399) / 86400, 1, 3660));
            else base.seconds = e.duration;
        }

        if (e.recurrence_id) {
            const icaltimetype rid = wall(*e.recurrence_id);
            if (const std::optional<int64_t> at = instant(rid); at && !e.uid.empty()) {
                moved_[e.uid].push_back(Rid{*at, rid.is_date != 0, date_key(rid)});
                base.uid = e.uid + "#" + icaltime_as_ical_string(rid);
            }
            if (!e.cancelled) emit(base, start, *start_at);
            return;
        }
        if (e.cancelled) return;
        if (e.rrule.empty() && e.rdates.empty()) {
            emit(base, start, *start_at);
            return;
        }
        series(e, base, start, *start_at, label);
    }

    Occurrence span(const Base& base, const icaltimetype& wall_start, int64_t at) const {
        if (!base.all_day) return {at, at + base.seconds};
        const int64_t end = instant(add_days(wall_start, base.days)).value_or(at + int64_t{base.days} * 86400);
        return {at, end > at ? end : at + int64_t{base.days} * 86400};
    }

    // Returns whether the occurrence was in the window.
    bool emit(const Base& base, const icaltimetype& wall_start, int64_t at) {
        const Occurrence o = span(base, wall_start, at);
        if (!(o.start < to_ && o.end > from_)) return false;
        AgendaItem item;
        item.uid = base.uid;
        item.summary = base.summary;
        item.location = base.location;
        item.start = o.start;
        item.end = o.end;
        item.all_day = base.all_day;
        out_.push_back(std::move(item));
        prune(false);
        return true;
    }

    // Longest time an occurrence can last, to start looking that long before the window.
    static int64_t reach(const Base& base) {
        return base.all_day ? (int64_t{base.days} + 2) * 86400 : base.seconds + 86400;
    }

    void series(const CalendarEntry& e, const Base& base, const icaltimetype& start, int64_t start_at,
                const std::string& label) {
        // Occurrence starts (UTC) and their wall times, gathered before EXDATE and overrides apply.
        std::vector<std::pair<int64_t, icaltimetype>> found;
        found.emplace_back(start_at, start);  // DTSTART is always the first occurrence (RFC 5545)

        for (const CalendarTime& r : e.rdates) {
            if (base.all_day != r.is_date) continue;  // a timed RDATE on an all-day event: ignored
            const icaltimetype t = wall(r);
            if (const std::optional<int64_t> at = instant(t)) found.emplace_back(*at, t);
        }
        if (!e.rrule.empty()) {
            icalrecurrencetype rule = icalrecurrencetype_from_string(e.rrule.c_str());
            icalerror_clear_errno();
            // parse_calendar never stores RSCALE; a hand-built Calendar might: libical allocated it.
            if (rule.rscale) {
                icalmemory_free_buffer(rule.rscale);
                rule.rscale = nullptr;
            } else {
                expand(rule, base, start, start_at, label, found);
            }
        }

        std::set<int64_t> excluded;
        std::set<int> excluded_days;
        for (const CalendarTime& x : e.exdates) {
            const icaltimetype t = wall(x);
            if (t.is_date) excluded_days.insert(date_key(t));
            else if (const std::optional<int64_t> at = instant(t)) excluded.insert(*at);
        }
        const std::vector<Rid>* moved = nullptr;
        if (auto m = moved_.find(base.uid); m != moved_.end()) moved = &m->second;

        std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        int64_t last = INT64_MIN;
        std::size_t in_window = 0;
        for (const auto& occurrence : found) {
            const int64_t at = occurrence.first;  // not a structured binding: clang 14 cannot capture those
            const icaltimetype& when = occurrence.second;
            if (at == last) continue;
            last = at;
            const int key = date_key(when);
            if (excluded.count(at) || excluded_days.count(key)) continue;
            if (moved && std::any_of(moved->begin(), moved->end(), [&](const Rid& r) {
                    return r.is_date ? r.date_key == key : r.instant == at;
                }))
                continue;
            if (in_window >= limits_.max_per_series) {
                warn_.add("per-series", "recurrence of " + label + " stopped after " +
                                            std::to_string(limits_.max_per_series) + " occurrences in the window");
                break;
            }
            if (emit(base, when, at)) ++in_window;
        }
    }

    static int64_t unit_seconds(icalrecurrencetype_frequency f) {
        switch (f) {
        case ICAL_SECONDLY_RECURRENCE: return 1;
        case ICAL_MINUTELY_RECURRENCE: return 60;
        case ICAL_HOURLY_RECURRENCE: return 3600;
        default: return 86400;
        }
    }

    static int64_t period_seconds(icalrecurrencetype_frequency f, int64_t interval) {
        switch (f) {
        case ICAL_WEEKLY_RECURRENCE: return 7 * 86400 * interval;
        case ICAL_MONTHLY_RECURRENCE: return 28 * 86400 * interval;
        case ICAL_YEARLY_RECURRENCE: return 365 * 86400 * interval;
        default: return unit_seconds(f) * interval;
        }
    }

    static bool has_by_parts(const icalrecurrencetype& r) {
        return r.by_second[0] != ICAL_RECURRENCE_ARRAY_MAX || r.by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX ||
               r.by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX || r.by_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
               r.by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX || r.by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
               r.by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX || r.by_month[0] != ICAL_RECURRENCE_ARRAY_MAX ||
               r.by_set_pos[0] != ICAL_RECURRENCE_ARRAY_MAX;
    }

    void give_up(const std::string& kind, const std::string& message) { warn_.add(kind, message); }

    // Adds the RRULE's occurrences that can overlap the window to `found`.
    void expand(icalrecurrencetype rule, const Base& base, const icaltimetype& start, int64_t start_at,
                const std::string& label, std::vector<std::pair<int64_t, icaltimetype>>& found) {
        if (rule.freq == ICAL_NO_RECURRENCE || rule.interval < 1) return;
        const int64_t look_back = reach(base);
        if (start_at >= to_) return;  // the series starts after the window
        const icaltimezone* zone = start.zone;
        const icaltimetype dtstart = start;

        // The rule's own end, as an instant, to skip series that ended before the window unexpanded.
        if (!icaltime_is_null_time(rule.until)) {
            icaltimetype until = rule.until;
            if (!icaltime_is_utc(until)) until.zone = zone;
            if (!plausible(until)) rule.until = icaltime_null_time();
            else if (const std::optional<int64_t> u = instant(until); u && *u < from_ - look_back)
                return;
        }
        if (odd_rules_ >= kMaxOddRules) {
            give_up("odd-rules", "too many recurrence rules that never match: later ones were not expanded");
            return;
        }
        if (series_ >= limits_.max_series) {
            give_up("max-series", "only the first " + std::to_string(limits_.max_series) +
                                      " recurring events were expanded; later ones show their first occurrence");
            return;
        }
        ++series_;

        const bool sub_daily = rule.freq < ICAL_DAILY_RECURRENCE;
        const int64_t step = unit_seconds(rule.freq) * rule.interval;
        if (!sub_daily) {
            // A rule that matches nothing sends libical through every year up to 2582.
            const int max_gap = rule.freq == ICAL_YEARLY_RECURRENCE ? 4 * 366 + 7 : 400;
            if (!rule_is_tame(rule, dtstart, max_gap)) {
                ++odd_rules_;
                give_up("odd-rule:" + label, "recurrence rule of " + label + " never or seldom matches: first occurrence only");
                return;
            }
        }

        // A COUNT rule without BY parts up to WEEKLY gives exactly one occurrence per step of fixed
        // wall-clock length: its end is known, and its n-th occurrence can be reached without
        // counting the n before it. So 10 000 of them cost what the window holds.
        const bool regular = rule.count > 0 && !has_by_parts(rule) && rule.freq <= ICAL_WEEKLY_RECURRENCE;
        const int64_t wall_step = rule.freq == ICAL_WEEKLY_RECURRENCE ? int64_t{7} * 86400 * rule.interval : step;
        if (regular) {
            const int64_t cap = (INT64_MAX / 4) / wall_step;  // a COUNT of two billion must not overflow
            const int64_t span = (rule.count - 1 > cap ? cap : int64_t{rule.count - 1}) * wall_step;
            if (start_at + span + 3600 + look_back <= from_) return;  // 3600: a DST change on the way
        }

        // Where iteration starts: near the window when the rule allows it, else at DTSTART.
        const icaltimetype window_start = icaltime_from_timet_with_zone(static_cast<time_t>(from_ - look_back),
                                                                        base.all_day ? 1 : 0, const_cast<icaltimezone*>(zone));
        const bool later = icaltime_compare(window_start, dtstart) > 0;
        const bool jump = rule.count == 0 && later;
        icaltimetype first = dtstart;
        int64_t first_at = start_at;
        if (jump && sub_daily) {
            // libical's set_start loses the phase of sub-daily intervals; move DTSTART by whole steps.
            const int64_t gap = wall_seconds(window_start) - wall_seconds(dtstart);
            first = wall_from_seconds(wall_seconds(dtstart) + gap / step * step, false, zone);
        } else if (regular && later) {
            const int64_t skip = (wall_seconds(window_start) - wall_seconds(dtstart)) / wall_step;
            if (skip > 0 && skip < rule.count) {
                first = wall_from_seconds(wall_seconds(dtstart) + skip * wall_step, base.all_day, zone);
                rule.count -= static_cast<int>(skip);
                first_at = instant(first).value_or(start_at);
            }
        }
        // Steps libical may take without giving an occurrence, bounded before it starts: from the first
        // one (COUNT must be counted from DTSTART unless regular) one per period; near the window only
        // a sub-daily rule whose BY parts skip candidates takes many.
        int64_t estimate = 0;
        if (!jump) estimate = (to_ - first_at) / period_seconds(rule.freq, rule.interval) + 1;
        if (rule.count > 0 && !has_by_parts(rule)) estimate = std::min<int64_t>(estimate, rule.count);  // one per step
        else if (sub_daily && has_by_parts(rule)) estimate = (to_ - from_ + look_back) / step + 1;
        if (estimate > kMaxScanPerSeries || scan_ + estimate > kMaxScanTotal) {
            give_up("scan:" + label, "recurrence of " + label + " needs too many steps to reach the window: first occurrence only");
            return;
        }
        scan_ += estimate;

        // Clamp UNTIL at the window's end: libical checks it inside its own loops.
        const icaltimetype stop = icaltime_from_timet_with_zone(static_cast<time_t>(to_ + 86400), base.all_day ? 1 : 0,
                                                                const_cast<icaltimezone*>(zone));
        if (icaltime_is_null_time(rule.until) || icaltime_compare(rule.until, stop) > 0) rule.until = stop;
        if (base.all_day && !rule.until.is_date) {
            rule.until.is_date = 1;
            rule.until.hour = rule.until.minute = rule.until.second = 0;
        }

        icalrecur_iterator* it = icalrecur_iterator_new(rule, first);
        if (!it) {
            icalerror_clear_errno();
            give_up("bad-rule:" + label, "recurrence rule of " + label + " is not valid: first occurrence only");
            return;
        }
        if (jump && !sub_daily) {
            icaltimetype from_wall = window_start;
            from_wall.zone = zone;
            icalrecur_iterator_set_start(it, from_wall);
        }
        std::size_t taken = 0;
        for (;;) {
            icaltimetype t = icalrecur_iterator_next(it);
            if (icaltime_is_null_time(t)) break;
            if (++scan_ > kMaxScanTotal) {
                give_up("scan-total", "recurrence expansion stopped: the file has too many occurrences to look through");
                break;
            }
            t.zone = zone;
            const std::optional<int64_t> at = instant(t);
            if (!at || *at >= to_) break;
            if (*at + look_back <= from_) continue;
            found.emplace_back(*at, t);
            if (++taken > limits_.max_per_series + 1) break;  // the caller warns when it stops short
        }
        icalrecur_iterator_free(it);
        icalerror_clear_errno();
    }

    int64_t from_, to_;
    const CalendarLimits& limits_;
    Zones& zones_;
    Warnings& warn_;
    std::vector<AgendaItem>& out_;
    std::unordered_map<std::string, std::vector<Rid>> moved_;
    bool cut_ = false;
    std::size_t series_ = 0;
    int odd_rules_ = 0;
    int64_t scan_ = 0;
};

icaltimezone* display_zone_or_utc(std::string_view name) {
    icaltimezone* z = name.empty() ? nullptr : Zones::lookup(name);
    return z ? z : icaltimezone_get_utc_timezone();
}

}  // namespace

Result<Calendar> parse_calendar(std::string_view bytes, const CalendarLimits& limits) {
    if (bytes.size() > limits.max_input_bytes) {
        return Error{ErrorCode::TooLarge, "calendar is " + std::to_string(bytes.size()) + " bytes, over the limit of " +
                                              std::to_string(limits.max_input_bytes) + ": not read"};
    }
    configure_libical();
    Calendar cal;
    Warnings warn(cal.warnings);
    Result<Scan> s = scan(bytes, limits, warn);
    if (!s) return s.error();
    cal.name = std::move(s->name);
    cal.zones = read_zones(s->zones, warn);

    std::string buf;
    cal.entries.reserve(s->events.size());
    for (const EventBlock& b : s->events) {
        buf.assign(s->event_text, b.begin, b.end - b.begin);
        Component c = parse_component(buf);
        if (!c || icalcomponent_isa(c.get()) != ICAL_VEVENT_COMPONENT) {
            warn.add("unreadable", line_error(b.line, "an event libical could not read was left out"));
            continue;
        }
        if (std::optional<CalendarEntry> e = read_entry(c.get(), b.line, warn)) cal.entries.push_back(std::move(*e));
    }
    icalerror_clear_errno();
    return cal;
}

Agenda calendar_agenda(const Calendar& calendar, int64_t from, int64_t to, std::string_view display_zone,
                       const CalendarLimits& limits) {
    configure_libical();
    Agenda agenda;
    if (to <= from) return agenda;
    Warnings warn(agenda.warnings);
    Zones zones(display_zone, calendar.zones, &warn);
    Reader reader(from, to, limits, zones, warn, agenda.items);
    reader.read(calendar);
    reader.prune(true);
    std::sort(agenda.items.begin(), agenda.items.end(), Reader::earlier);
    if (reader.cut()) warn.add("cut", "cut at " + std::to_string(limits.max_occurrences) + " occurrences");
    for (AgendaItem& i : agenda.items) {
        i.local_start = local_fields(i.start, zones.local());
        i.local_end = local_fields(i.end, zones.local());
    }
    icalerror_clear_errno();
    return agenda;
}

DayWindow calendar_day(int64_t t, std::string_view display_zone) {
    configure_libical();
    icaltimezone* zone = display_zone_or_utc(display_zone);
    icaltimetype today = icaltime_from_timet_with_zone(static_cast<time_t>(t), 1, zone);
    DayWindow out;
    out.from = start_of_local_day(today, zone);
    icaltime_adjust(&today, 1, 0, 0, 0);
    out.to = start_of_local_day(today, zone);
    if (out.from > t || out.to <= t) {
        // A guard, not a path seen: whatever libical makes of a zone's midnight, the window holds t.
        const int64_t utc_midnight = t - (t % 86400 + 86400) % 86400;
        out = {utc_midnight, utc_midnight + 86400};
    }
    icalerror_clear_errno();
    return out;
}

LocalTime calendar_local_time(int64_t t, std::string_view display_zone) {
    configure_libical();
    return local_fields(t, display_zone_or_utc(display_zone));
}

}  // namespace nk
