// SPDX-License-Identifier: Apache-2.0
#include "feed/dates.h"
#include "feed/strings.h"

#include <array>

namespace nk::dates {
namespace {

using str::iequals;
using str::trim;
using str::is_space;

// Real feeds are hand-rolled by every CMS under the sun, so each reader below is lenient about
// spacing and spelling but strict about meaning: when a field cannot be read with certainty the
// whole date is rejected, because an undated item is handled upstream and a wrong date is not.

constexpr int kMaxOffsetMinutes = 18 * 60;   // the widest offset ISO 8601 / xs:dateTime allow
constexpr int64_t kSecondsPerDay = 86400;

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
struct Num {
    int len = 0;     // digits in the run; callers decide by length, so a long run is never truncated
    int value = 0;   // meaningful only when len <= 9 (no overflow)
};

class Cursor {
public:
    explicit constexpr Cursor(std::string_view s) noexcept : s_(s) {}

    bool at_end() const noexcept { return i_ >= s_.size(); }
    // '\0' past the end lets callers test the next characters without bounds checks.
    char peek(size_t k = 0) const noexcept { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
    void advance() noexcept { ++i_; }
    size_t pos() const noexcept { return i_; }
    void seek(size_t p) noexcept { i_ = p; }

    bool eat(char c) noexcept {
        if (at_end() || s_[i_] != c) return false;
        ++i_;
        return true;
    }
    void skip_space() noexcept {
        while (!at_end() && is_space(s_[i_])) ++i_;
    }
    // RFC 822 writers put commas almost anywhere ("15 Jan, 2024", "2024, 10:30"), so between its
    // fields a comma counts as space.
    void skip_seps() noexcept {
        while (!at_end() && (is_space(s_[i_]) || s_[i_] == ',')) ++i_;
    }
    Num number() noexcept {
        Num n;
        while (!at_end() && is_digit(s_[i_])) {
            if (n.len < 9) n.value = n.value * 10 + (s_[i_] - '0');
            ++n.len;
            ++i_;
        }
        return n;
    }
    std::string_view word() noexcept {
        const size_t start = i_;
        while (!at_end() && is_alpha(s_[i_])) ++i_;
        return s_.substr(start, i_ - start);
    }

private:
    std::string_view s_;
    size_t i_ = 0;
};

constexpr std::array<std::string_view, 12> kMonths = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december",
};
constexpr std::array<std::string_view, 7> kWeekdays = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
};

// Only the three-letter form, the full name and "Sept": any looser match (every prefix, say)
// would start reading typos and stray words as months, which is how wrong dates get in.
int month_of(std::string_view w) noexcept {
    for (size_t i = 0; i < kMonths.size(); ++i) {
        if (w.size() == 3 ? iequals(w, kMonths[i].substr(0, 3)) : iequals(w, kMonths[i]))
            return static_cast<int>(i) + 1;
    }
    return iequals(w, "sept") ? 9 : 0;
}

bool is_weekday(std::string_view w) noexcept {
    for (std::string_view d : kWeekdays) {
        if (w.size() == 3 ? iequals(w, d.substr(0, 3)) : iequals(w, d)) return true;
    }
    return iequals(w, "tues") || iequals(w, "thur") || iequals(w, "thurs");
}

struct NamedZone {
    std::string_view name;
    int minutes;
};

// RFC 822's own names, then the abbreviations feeds actually use. Ambiguous ones take their most
// common reading in feeds (CST = US Central, IST = India, BST = British Summer). North American
// names without S/D ("ET", "PT"; publishers write them to dodge the daylight question) take the
// standard-time offset, as feedparser does: an hour off in summer, never a day off. MET/MEST are
// the older names of CET/CEST.
constexpr std::array<NamedZone, 42> kZones = {{
    {"ut", 0},          {"utc", 0},         {"gmt", 0},        {"est", -5 * 60},  {"edt", -4 * 60},
    {"cst", -6 * 60},   {"cdt", -5 * 60},   {"mst", -7 * 60},  {"mdt", -6 * 60},  {"pst", -8 * 60},
    {"pdt", -7 * 60},   {"cet", 60},        {"cest", 2 * 60},  {"bst", 60},       {"eet", 2 * 60},
    {"eest", 3 * 60},   {"jst", 9 * 60},    {"kst", 9 * 60},   {"aest", 10 * 60}, {"aedt", 11 * 60},
    {"ist", 5 * 60 + 30}, {"msk", 3 * 60},  {"hkt", 8 * 60},   {"sgt", 8 * 60},   {"nzst", 12 * 60},
    {"nzdt", 13 * 60},  {"wet", 0},         {"west", 60},      {"akst", -9 * 60}, {"akdt", -8 * 60},
    {"hst", -10 * 60},  {"at", -4 * 60},    {"ast", -4 * 60},  {"adt", -3 * 60},  {"et", -5 * 60},
    {"ct", -6 * 60},    {"mt", -7 * 60},    {"pt", -8 * 60},   {"met", 60},       {"mest", 2 * 60},
    {"uct", 0},         {"zulu", 0},
}};

// Minutes east of UTC, or nullopt for a name we do not know: guessing would give a wrong date.
std::optional<int> zone_minutes(std::string_view w) noexcept {
    if (w.size() == 1) {
        // Military letters as the military uses them (A = +1). RFC 822's table had the signs
        // reversed (RFC 1123 §5.2.14), and RFC 2822 suggests treating them all as +0000 since
        // senders copied either table; we take the real-world meaning, as the issue asks.
        const char c = str::lower(w[0]);
        if (c >= 'a' && c <= 'i') return (c - 'a' + 1) * 60;
        if (c >= 'k' && c <= 'm') return (c - 'a') * 60;   // J is unused, so K is +10
        if (c >= 'n' && c <= 'y') return -(c - 'n' + 1) * 60;
        if (c == 'z') return 0;
        return std::nullopt;
    }
    for (const NamedZone& z : kZones)
        if (iequals(w, z.name)) return z.minutes;
    return std::nullopt;
}

// "+hhmm", "+hh:mm", "+hh"; after "GMT"/"UTC" also "+h", as in "GMT+1".
std::optional<int> read_numeric_offset(Cursor& c, bool allow_one_digit_hour) noexcept {
    const char sign = c.peek();
    if (sign != '+' && sign != '-') return std::nullopt;
    c.advance();
    const Num n = c.number();
    int hh = 0;
    int mm = 0;
    if (n.len == 4) {
        hh = n.value / 100;
        mm = n.value % 100;
    } else if (n.len == 2 || (n.len == 1 && allow_one_digit_hour)) {
        hh = n.value;
        if (c.eat(':')) {
            const Num m = c.number();
            if (m.len != 2) return std::nullopt;
            mm = m.value;
        }
    } else {
        return std::nullopt;
    }
    if (mm > 59 || hh * 60 + mm > kMaxOffsetMinutes) return std::nullopt;
    const int seconds = (hh * 60 + mm) * 60;
    return sign == '-' ? -seconds : seconds;
}

constexpr bool starts_zone(char c) noexcept { return c == '+' || c == '-' || is_alpha(c); }

// The tz database's "Etc/GMT", "Etc/UTC" and "Etc/GMT+5", which some CMSes print where a zone
// belongs. Etc/ names keep POSIX's sign: Etc/GMT+5 is five hours *behind* UTC.
std::optional<int> read_etc_zone(Cursor& c) noexcept {
    if (!c.eat('/')) return std::nullopt;
    const std::string_view w = c.word();
    if (!(iequals(w, "gmt") || iequals(w, "utc") || iequals(w, "uct") || iequals(w, "ut") || iequals(w, "zulu") ||
          iequals(w, "greenwich") || iequals(w, "universal")))
        return std::nullopt;
    const char sign = c.peek();
    if (sign != '+' && sign != '-') return 0;
    c.advance();
    const Num h = c.number();
    if (h.len < 1 || h.len > 2 || h.value > 14) return std::nullopt;
    return (sign == '+' ? -1 : 1) * h.value * 3600;
}

// Seconds east of UTC for a numeric offset or a zone name at the cursor. ISO 8601 has no
// military letters, so there a lone letter other than Z is garbage, not a zone.
std::optional<int> read_zone(Cursor& c, bool military = true) noexcept {
    if (c.peek() == '+' || c.peek() == '-') return read_numeric_offset(c, false);
    const std::string_view w = c.word();
    if (iequals(w, "etc") && c.peek() == '/') return read_etc_zone(c);
    if (!military && w.size() == 1 && str::lower(w[0]) != 'z') return std::nullopt;
    const std::optional<int> minutes = zone_minutes(w);
    if (!minutes) return std::nullopt;
    // "GMT+0100" (JavaScript's Date.toString, some Java formatters) and "UTC+05" mean UTC+1 and
    // UTC+5, not POSIX's inverse.
    if ((c.peek() == '+' || c.peek() == '-') && (iequals(w, "gmt") || iequals(w, "utc") || iequals(w, "ut")))
        return read_numeric_offset(c, true);
    return *minutes * 60;
}

// RFC 2822 lets comments nest and quote with backslashes; an unclosed one is garbage.
bool skip_comment(Cursor& c) noexcept {
    int depth = 0;
    while (!c.at_end()) {
        const char ch = c.peek();
        c.advance();
        if (ch == '\\') {
            if (c.at_end()) return false;
            c.advance();
        } else if (ch == '(') {
            ++depth;
        } else if (ch == ')') {
            if (--depth == 0) return true;
        }
    }
    return false;
}

// Only whitespace and parenthesised comments may follow a complete date: anything else means we
// misread the string, and a misread date is worse than none.
bool finish(Cursor& c) noexcept {
    for (;;) {
        c.skip_space();
        if (c.at_end()) return true;
        if (c.peek() != '(' || !skip_comment(c)) return false;
    }
}

struct Clock {
    int hour = 0;
    int min = 0;
    int sec = 0;
    int64_t extra = 0;          // whole seconds contributed by a decimal fraction
    bool frac_nonzero = false;  // "24:00:00.5" must be refused even though it adds 0 whole seconds
};

// The fraction belongs to the smallest unit written ("10.5" is half past ten in ISO 8601). Past
// nine digits nothing changes the whole-second result, so the rest is only scanned.
void read_fraction(Cursor& c, int unit_seconds, Clock& t) noexcept {
    int64_t num = 0;
    int64_t den = 1;
    while (is_digit(c.peek())) {
        const int d = c.peek() - '0';
        if (den < 1'000'000'000) {
            num = num * 10 + d;
            den *= 10;
        }
        if (d != 0) t.frac_nonzero = true;
        c.advance();
    }
    t.extra = num * unit_seconds / den;
}

// "h:mm", "hh:mm:ss", "hh:mm:ss.fff" as RFC 822 and asctime write it.
bool read_clock(Cursor& c, Clock& t) noexcept {
    const Num h = c.number();
    if (h.len < 1 || h.len > 2 || !c.eat(':')) return false;
    const Num m = c.number();
    if (m.len != 2) return false;
    t.hour = h.value;
    t.min = m.value;
    if (c.eat(':')) {
        const Num s = c.number();
        if (s.len != 2) return false;
        t.sec = s.value;
        if (c.peek() == '.' && is_digit(c.peek(1))) {
            c.advance();
            read_fraction(c, 1, t);
        }
    }
    return true;
}

// Extended "hh:mm[:ss]" or basic "hh[mm[ss]]", each with an optional '.' or ',' fraction.
bool read_iso_clock(Cursor& c, Clock& t) noexcept {
    const Num a = c.number();
    int unit = 1;
    if ((a.len == 1 || a.len == 2) && c.peek() == ':') {
        c.advance();
        const Num m = c.number();
        if (m.len != 2) return false;
        t.hour = a.value;
        t.min = m.value;
        unit = 60;
        if (c.eat(':')) {
            const Num s = c.number();
            if (s.len != 2) return false;
            t.sec = s.value;
            unit = 1;
        }
    } else if (a.len == 2) {
        t.hour = a.value;
        unit = 3600;
    } else if (a.len == 4) {
        t.hour = a.value / 100;
        t.min = a.value % 100;
        unit = 60;
    } else if (a.len == 6) {
        t.hour = a.value / 10000;
        t.min = a.value / 100 % 100;
        t.sec = a.value % 100;
        unit = 1;
    } else {
        return false;
    }
    if ((c.peek() == '.' || c.peek() == ',') && is_digit(c.peek(1))) {
        c.advance();
        read_fraction(c, unit, t);
    }
    return true;
}

// "10:30 PM": not in any RFC, but common enough in hand-written feeds that refusing it would drop
// real items. Without this, "PM" would be read as an unknown zone and refused anyway.
bool read_meridiem(Cursor& c, Clock& t) noexcept {
    const size_t save = c.pos();
    c.skip_space();
    const std::string_view w = c.word();
    const bool am = iequals(w, "am");
    const bool pm = iequals(w, "pm");
    if (!am && !pm) {
        c.seek(save);
        return true;
    }
    if (t.hour < 1 || t.hour > 12) return false;
    if (am && t.hour == 12) t.hour = 0;
    if (pm && t.hour != 12) t.hour += 12;
    return true;
}

std::optional<int64_t> to_epoch(int year, int month, int day, const Clock& t, int offset_seconds) noexcept {
    int hour = t.hour;
    int64_t shift = 0;
    if (hour == 24) {
        // ISO 8601's end-of-day: only the exact instant, never 24:30.
        if (t.min != 0 || t.sec != 0 || t.frac_nonzero) return std::nullopt;
        hour = 0;
        shift = kSecondsPerDay;
    }
    const std::optional<int64_t> base = from_civil(year, month, day, hour, t.min, t.sec);
    if (!base) return std::nullopt;
    return *base + shift + t.extra - offset_seconds;
}

// Two-digit years pivot at 50 (RFC 2822 §4.3). ISO 8601 reads them in the current century; a pure
// function has no clock, and the pivot gives the same reading until 2050.
constexpr int two_digit_year(int yy) noexcept { return yy < 50 ? 2000 + yy : 1900 + yy; }

// Three-digit years come from code that printed tm_year (years since 1900) unchanged.
std::optional<int> rfc822_year(const Num& y) noexcept {
    switch (y.len) {
        case 2: return two_digit_year(y.value);
        case 3: return 1900 + y.value;
        case 4: return y.value;
        default: return std::nullopt;
    }
}

// Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar, branch-light,
// and free of timegm's dependence on TZ and the C library.
constexpr int64_t days_from_civil(int64_t y, int m, int d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

constexpr bool is_leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr int days_in_month(int y, int m) noexcept {
    constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[static_cast<size_t>(m - 1)];
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);

// Day `ordinal` (1-based) of `year` as month and day; false past the year's last day.
bool from_ordinal(int year, int ordinal, int& month, int& day) noexcept {
    if (year < 1000 || year > 9999 || ordinal < 1 || ordinal > (is_leap(year) ? 366 : 365)) return false;
    month = 1;
    while (ordinal > days_in_month(year, month)) ordinal -= days_in_month(year, month++);
    day = ordinal;
    return true;
}

// Where a date's first digit run decides the form: "2024-", "2024", "20240115", "031231",
// "2003335", "03-12-31", "-03-12". RFC 850's "06-Nov-94" has a letter after its dash.
bool looks_iso(std::string_view s) noexcept {
    if (s.size() >= 2 && s[0] == '-' && is_digit(s[1])) return true;
    size_t n = 0;
    while (n < s.size() && is_digit(s[n])) ++n;
    if (n >= 6 && n <= 8) return true;
    if (n == 2) return n + 1 < s.size() && s[n] == '-' && is_digit(s[n + 1]);
    return n == 4 && (n == s.size() || s[n] == '-');
}

}  // namespace

std::optional<int64_t> from_civil(int year, int month, int day, int hour, int min, int sec) {
    if (year < 1000 || year > 9999 || month < 1 || month > 12) return std::nullopt;
    if (day < 1 || day > days_in_month(year, month)) return std::nullopt;
    if (hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 60) return std::nullopt;
    // Unix time has no leap seconds; 59 keeps the order of events within the feed.
    if (sec == 60) sec = 59;
    return days_from_civil(year, month, day) * kSecondsPerDay + hour * 3600 + min * 60 + sec;
}

std::optional<int64_t> parse_rfc822(std::string_view s) {
    Cursor c(s);
    c.skip_seps();

    // The weekday is skipped unread: feeds get it wrong often, and the date itself is what counts.
    int month = 0;
    if (is_alpha(c.peek())) {
        std::string_view w = c.word();
        if (is_weekday(w)) {
            c.eat('.');
            c.skip_seps();
            w = c.word();
        }
        if (!w.empty()) {
            month = month_of(w);
            if (month == 0) return std::nullopt;
        }
    }

    int day = 0;
    if (month != 0) {
        // Month first, "Jan 15 2024" / "January 15, 2024": JavaScript's Date.toString and a few
        // CMSes. A year is still required before the time, which keeps asctime out of this path.
        c.eat('.');
        c.skip_seps();
        const Num d = c.number();
        if (d.len < 1 || d.len > 2) return std::nullopt;
        day = d.value;
        c.skip_seps();
    } else {
        const Num d = c.number();
        if (d.len < 1 || d.len > 2) return std::nullopt;
        day = d.value;
        const bool dashed = c.eat('-');   // RFC 850: "06-Nov-94"
        if (!dashed) c.skip_seps();
        month = month_of(c.word());
        if (month == 0) return std::nullopt;
        c.eat('.');
        if (dashed) {
            if (!c.eat('-')) return std::nullopt;
        } else {
            c.skip_seps();
        }
    }

    const std::optional<int> year = rfc822_year(c.number());
    // A clock where the year should be ("Nov 6 08:49:37 1994") is asctime, not a two-digit year.
    if (!year || c.peek() == ':') return std::nullopt;
    c.skip_seps();

    Clock t;
    if (is_digit(c.peek())) {
        if (!read_clock(c, t) || !read_meridiem(c, t)) return std::nullopt;
        c.skip_seps();
    }

    int offset = 0;
    if (starts_zone(c.peek())) {
        const bool numeric = c.peek() == '+' || c.peek() == '-';
        const std::optional<int> z = read_zone(c);
        if (!z) return std::nullopt;
        offset = *z;
        // The standard spelling is "-0500 (EST)", but "-0500 EST" is common too. Accept the name
        // only when it agrees with the number; if they disagree we cannot know which is right.
        c.skip_space();
        if (numeric && is_alpha(c.peek())) {
            const std::optional<int> named = read_zone(c);
            if (!named || *named != offset) return std::nullopt;
        }
    }
    if (!finish(c)) return std::nullopt;
    return to_epoch(*year, month, day, t, offset);
}

std::optional<int64_t> parse_iso8601(std::string_view s) {
    Cursor c(s);
    c.skip_space();

    int year = 0;
    int month = 1;
    int day = 1;
    bool full_date = false;
    // ISO 8601:1988's truncated form "-YY-MM" / "-YYMM" (a year of the current century, and a
    // month). The other truncated forms ("--MM-DD", "---DD", "-DDD") leave the year to the reader's
    // clock, which a pure function does not have: those give no date rather than a guessed one.
    if (c.eat('-')) {
        const Num y = c.number();
        if (y.len == 4) {  // "-YYMM"
            year = two_digit_year(y.value / 100);
            month = y.value % 100;
        } else if (y.len == 2 && c.eat('-')) {
            const Num m = c.number();
            if (m.len != 2) return std::nullopt;
            year = two_digit_year(y.value);
            month = m.value;
        } else {
            return std::nullopt;
        }
        if (!finish(c)) return std::nullopt;
        return to_epoch(year, month, 1, Clock{}, 0);
    }
    const Num first = c.number();
    switch (first.len) {
    case 8:  // YYYYMMDD
        year = first.value / 10000;
        month = first.value / 100 % 100;
        day = first.value % 100;
        full_date = true;
        break;
    case 7:  // YYYYDDD, ordinal
        year = first.value / 1000;
        if (!from_ordinal(year, first.value % 1000, month, day)) return std::nullopt;
        full_date = true;
        break;
    case 6:  // YYMMDD: old ISO 8601 and many a hand-rolled template ("031231")
        year = two_digit_year(first.value / 10000);
        month = first.value / 100 % 100;
        day = first.value % 100;
        full_date = true;
        break;
    case 4:
    case 2: {
        year = first.len == 4 ? first.value : two_digit_year(first.value);
        if (first.len == 2 && c.peek() != '-') return std::nullopt;  // "24" alone is no year
        // One-digit month and day ("2024-1-5") are not ISO, but the dashes leave no ambiguity;
        // neither does a zero-padded three-digit month before a day ("2024-001-15", feedparser's
        // YYYY-0MM-DD). Three digits with no day after them are an ordinal date ("2003-335").
        if (c.eat('-')) {
            const Num m = c.number();
            if (m.len == 3 && c.peek() != '-') {
                if (!from_ordinal(year, m.value, month, day)) return std::nullopt;
                full_date = true;
            } else {
                if (m.len < 1 || m.len > 3 || (m.len == 3 && m.value >= 100)) return std::nullopt;
                month = m.value;
                if (c.eat('-')) {
                    const Num d = c.number();
                    if (d.len < 1 || d.len > 2) return std::nullopt;
                    day = d.value;
                    full_date = true;
                } else if (first.len == 2) {
                    return std::nullopt;  // "24-01" could be anything
                }
            }
        }
        break;
    }
    default:
        // Five digits (YYDDD) would read every "12345" id as a date; longer years never occur.
        return std::nullopt;
    }

    Clock t;
    int offset = 0;
    if (full_date) {
        if (c.peek() == 'T' || c.peek() == 't') {
            c.advance();
            if (!read_iso_clock(c, t)) return std::nullopt;
        } else {
            // RFC 3339 §5.6 allows a space for the T; SQL dumps and Python's str() produce it.
            const size_t save = c.pos();
            c.skip_space();
            if (is_digit(c.peek())) {
                if (!read_iso_clock(c, t)) return std::nullopt;
            } else {
                c.seek(save);
            }
        }
        // A zone on a bare date ("2024-01-15Z", "2024-01-15-05:00") is valid xs:date.
        c.skip_space();
        if (starts_zone(c.peek())) {
            const std::optional<int> z = read_zone(c, false);
            if (!z) return std::nullopt;
            offset = *z;
        }
    }
    if (!finish(c)) return std::nullopt;
    return to_epoch(year, month, day, t, offset);
}

std::optional<int64_t> parse_asctime(std::string_view s) {
    Cursor c(s);
    c.skip_space();
    std::string_view w = c.word();
    if (is_weekday(w)) {
        c.eat('.');
        c.skip_seps();
        w = c.word();
    }
    const int month = month_of(w);
    if (month == 0) return std::nullopt;
    c.eat('.');
    c.skip_space();
    const Num d = c.number();   // asctime pads the day with a space: "Nov  6"
    if (d.len < 1 || d.len > 2) return std::nullopt;
    c.skip_space();

    Clock t;
    if (!read_clock(c, t)) return std::nullopt;
    c.skip_space();

    // date(1) prints the zone before the year ("10:30:00 UTC 2024"); some loggers put it after.
    std::optional<int> offset;
    if (starts_zone(c.peek())) {
        offset = read_zone(c);
        if (!offset) return std::nullopt;
        c.skip_space();
    }
    const Num y = c.number();
    if (y.len != 4) return std::nullopt;
    if (!offset) {
        c.skip_space();
        if (starts_zone(c.peek())) {
            offset = read_zone(c);
            if (!offset) return std::nullopt;
        }
    }
    if (!finish(c)) return std::nullopt;
    return to_epoch(y.value, month, d.value, t, offset.value_or(0));
}

std::optional<int64_t> parse(std::string_view s) {
    s = trim(s);
    if (s.empty()) return std::nullopt;
    if (looks_iso(s)) return parse_iso8601(s);
    if (const std::optional<int64_t> r = parse_rfc822(s)) return r;
    if (is_digit(s.front())) return std::nullopt;   // asctime always starts with a name
    return parse_asctime(s);
}

}  // namespace nk::dates
