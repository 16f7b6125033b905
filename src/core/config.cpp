#include "core/config.h"
#include "feed/dates.h"
#include "feed/strings.h"

#include "feed/xml_prepare.h"

#include <tinyxml2.h>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>
#include <utility>

namespace nk {
namespace {

using str::iequals;
using str::trim;
using str::is_space;

// A config is a few KiB; megabytes mean the wrong file was named, and toml++ would only spend
// memory finding that out. OPML lists from big readers run to a few hundred KiB.
constexpr std::size_t kMaxOpmlBytes = 16u << 20;

constexpr int64_t kMaxMinutes = 30 * 24 * 60;
constexpr int64_t kMaxAgeSeconds = int64_t{3650} * 86400;

// [SECTION] Text helpers

bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

bool has_control(std::string_view s) { return std::any_of(s.begin(), s.end(), is_control); }

// Length of the valid UTF-8 sequence at s[i], or 0 when the bytes there are not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char b = byte(i);
    if (b < 0x80) return 1;
    std::size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
    if (n == 0 || b > 0xF4 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
    unsigned char c = byte(i + 1);
    if (b == 0xE0 && c < 0xA0) return 0;  // overlong
    if (b == 0xED && c >= 0xA0) return 0;  // surrogate
    if (b == 0xF0 && c < 0x90) return 0;  // overlong
    if (b == 0xF4 && c >= 0x90) return 0;  // > U+10FFFF
    return n;
}

bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = utf8_sequence(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

// Text quoted back in a message: control and invalid bytes made visible as \xNN (a TOML key may
// hold a newline, an XML name any high byte), long values cut on a code point, so one bad line
// stays one line of valid UTF-8 output.
std::string shown(std::string_view s) {
    constexpr std::size_t kMax = 80;
    std::string out;
    std::size_t i = 0;
    while (i < s.size() && out.size() < kMax) {
        std::size_t n = utf8_sequence(s, i);
        if (n == 0 || is_control(s[i])) {
            static constexpr char kHex[] = "0123456789abcdef";
            auto b = static_cast<unsigned char>(s[i]);
            out += "\\x";
            out += kHex[b >> 4];
            out += kHex[b & 15];
            ++i;
            continue;
        }
        out.append(s.substr(i, n));
        i += n;
    }
    if (i < s.size()) out += "...";
    return out;
}

std::string number_text(double v) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// "7:05" or "22:30" -> minutes after midnight; nullopt for anything else ("24:00" included).
std::optional<int> minutes_of_day(std::string_view t) {
    std::size_t colon = t.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2 || t.size() != colon + 3) return std::nullopt;
    auto digits = [](std::string_view d) { return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; }); };
    std::string_view h = t.substr(0, colon), m = t.substr(colon + 1);
    if (!digits(h) || !digits(m)) return std::nullopt;
    int hour = 0, minute = 0;
    for (char c : h) hour = hour * 10 + (c - '0');
    for (char c : m) minute = minute * 10 + (c - '0');
    if (hour > 23 || minute > 59) return std::nullopt;
    return hour * 60 + minute;
}

// "sun".."sat" or the full names, any case -> std::tm::tm_wday (0 = Sunday).
std::optional<int> weekday(std::string_view name) {
    static constexpr std::string_view kDays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
    std::string n = str::lower(name);
    for (int d = 0; d < 7; ++d)
        if (n == kDays[d] || (n.size() == 3 && kDays[d].substr(0, 3) == n)) return d;
    return std::nullopt;
}

// [SECTION] Reporting and typed reads
// Every read names the dotted key and the place of the value; on any problem the target is left
// untouched, so the default (or the value set earlier) stays.

int position(toml::source_index i) { return i > static_cast<toml::source_index>(INT_MAX) ? INT_MAX : static_cast<int>(i); }

std::string_view type_name(const toml::node& n) {
    switch (n.type()) {
        case toml::node_type::none: return "nothing";
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a floating-point number";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
    }
    return "a value";
}

struct Entry {
    const toml::node& node;
    std::string key;  // dotted path for messages
};

std::string join(std::string_view path, std::string_view name) {
    return path.empty() ? shown(name) : std::string(path) + "." + shown(name);
}

struct Bounds {
    double lo;
    bool lo_open;  // lo itself not allowed ("greater than 0")
    double hi;
};

std::string url_problem(std::string_view u);

class Checker {
public:
    Checker(std::string file, std::vector<ConfigIssue>& issues) : file_(std::move(file)), issues_(issues) {}

    const std::string& file() const { return file_; }

    void add(const toml::source_region& where, std::string key, std::string message, bool warning) {
        ConfigIssue i;
        i.file = file_;
        i.line = position(where.begin.line);
        i.column = position(where.begin.column);
        i.key = std::move(key);
        i.message = std::move(message);
        i.warning = warning;
        issues_.push_back(std::move(i));
    }
    void error(const Entry& e, std::string message) { add(e.node.source(), e.key, std::move(message), false); }
    std::size_t errors() const {
        return static_cast<std::size_t>(std::count_if(issues_.begin(), issues_.end(), [](const ConfigIssue& i) { return !i.warning; }));
    }
    void wrong_type(const Entry& e, std::string_view expected) {
        error(e, "expected " + std::string(expected) + ", got " + std::string(type_name(e.node)));
    }

    bool integer(const Entry& e, int64_t lo, int64_t hi, int64_t& out) {
        const auto* v = e.node.as_integer();
        if (!v) {
            wrong_type(e, "an integer");
            return false;
        }
        int64_t x = v->get();
        if (x < lo || x > hi) {
            error(e, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + " (got " + std::to_string(x) + ")");
            return false;
        }
        out = x;
        return true;
    }

    template <class I>
    void integer_into(const Entry& e, int64_t lo, int64_t hi, I& out) {
        int64_t v = 0;
        if (integer(e, lo, hi, v)) out = static_cast<I>(v);
    }

    // Integers are numbers too: `words_per_minute = 200` must not need a ".0".
    void number(const Entry& e, Bounds b, double& out) {
        double x = 0;
        if (const auto* i = e.node.as_integer())
            x = static_cast<double>(i->get());
        else if (const auto* f = e.node.as_floating_point())
            x = f->get();
        else
            return wrong_type(e, "a number");
        if (!std::isfinite(x)) return error(e, "must be a finite number");
        if ((b.lo_open ? x > b.lo : x >= b.lo) && x <= b.hi) {
            out = x;
            return;
        }
        std::string range = b.lo_open ? "greater than " + number_text(b.lo) + " and at most " + number_text(b.hi)
                                      : "between " + number_text(b.lo) + " and " + number_text(b.hi);
        error(e, "must be " + range + " (got " + number_text(x) + ")");
    }

    void boolean(const Entry& e, bool& out) {
        if (const auto* v = e.node.as_boolean())
            out = v->get();
        else
            wrong_type(e, "true or false");
    }

    // Control characters are refused everywhere: a newline in user_agent or proxy would end up
    // in an HTTP header, and in display text it only ever means a quoting mistake.
    bool text(const Entry& e, std::string& out) {
        const auto* v = e.node.as_string();
        if (!v) {
            wrong_type(e, "a string");
            return false;
        }
        if (has_control(v->get())) {
            error(e, "must not contain control characters (line breaks, tabs)");
            return false;
        }
        out = v->get();
        return true;
    }

    void choice(const Entry& e, std::initializer_list<std::string_view> choices, std::string& out) {
        std::string s;
        if (!text(e, s)) return;
        for (std::string_view c : choices)
            if (iequals(trim(s), c)) {
                out = std::string(c);
                return;
            }
        std::string list;
        std::size_t k = 0;
        for (std::string_view c : choices) {
            if (k > 0) list += (k + 1 == choices.size()) ? " or " : ", ";
            list += "\"" + std::string(c) + "\"";
            ++k;
        }
        error(e, "must be " + list + " (got \"" + shown(s) + "\")");
    }

    // Each element is checked on its own ("feed[1].include[3]"), and good ones are kept.
    void keywords(const Entry& e, std::vector<std::string>& out) {
        const toml::array* arr = e.node.as_array();
        if (!arr) return wrong_type(e, "an array of strings, like [\"election\", \"storm\"]");
        std::vector<std::string> words;
        for (std::size_t i = 0; i < arr->size(); ++i) {
            Entry item{*arr->get(i), e.key + "[" + std::to_string(i + 1) + "]"};
            std::string w;
            if (!text(item, w)) continue;
            std::string_view t = trim(w);
            if (t.empty()) {
                error(item, "is empty; a keyword needs at least one letter");
                continue;
            }
            words.emplace_back(t);
        }
        out = std::move(words);
    }

    void duration(const Entry& e, std::optional<int64_t>& out) {
        int64_t secs = 0;
        if (const auto* i = e.node.as_integer()) {
            secs = i->get();
        } else if (const auto* s = e.node.as_string()) {
            std::optional<int64_t> d = parse_duration_seconds(s->get());
            if (!d)
                return error(e, "\"" + shown(s->get()) +
                                    "\" is not a duration; expected e.g. \"90m\", \"36h\", \"2d\", \"1w\" or a number of seconds");
            secs = *d;
        } else {
            return wrong_type(e, "a duration like \"36h\" or \"2d\", or a number of seconds");
        }
        if (secs < 1 || secs > kMaxAgeSeconds)
            return error(e, "must be between 1 second and 3650 days (got " + std::to_string(secs) + " seconds)");
        out = secs;
    }

    // "#rgb" is stored as "#rrggbb" so the display reads one form only.
    void color(const Entry& e, std::string& out) {
        std::string s;
        if (!text(e, s)) return;
        std::string_view t = trim(s);
        auto hex = [](char c) { return (c >= '0' && c <= '9') || (str::lower(c) >= 'a' && str::lower(c) <= 'f'); };
        if ((t.size() == 4 || t.size() == 7) && t[0] == '#' && std::all_of(t.begin() + 1, t.end(), hex)) {
            std::string c = "#";
            for (char d : t.substr(1)) {
                c += str::lower(d);
                if (t.size() == 4) c += str::lower(d);
            }
            out = std::move(c);
            return;
        }
        error(e, "expected a colour like \"#1e88e5\" or \"#18e\" (got \"" + shown(s) + "\")");
    }

    void url(const Entry& e, std::string& out) {
        std::string s;
        if (!text(e, s)) return;
        std::string_view t = trim(s);
        std::string problem = url_problem(t);
        if (!problem.empty()) return error(e, std::move(problem));
        std::size_t sep = t.find("://");
        out = str::lower(t.substr(0, sep)) + std::string(t.substr(sep));
    }

    // "22:30" or "7:05" (a string), or a TOML local time such as 22:30:00; "" means none.
    // Minutes after midnight, so the schedule cannot name a second it will never act on.
    void time_of_day(const Entry& e, std::optional<int>& out) {
        constexpr std::string_view kExpected = "expected a time of day from \"00:00\" to \"23:59\", like \"22:30\"";
        if (const auto* t = e.node.as_time()) {
            const toml::time& v = t->get();
            if (v.second != 0 || v.nanosecond != 0) return error(e, std::string(kExpected) + "; seconds are not used");
            out = v.hour * 60 + v.minute;
            return;
        }
        std::string s;
        if (!e.node.is_string()) return wrong_type(e, "a time of day like \"22:30\"");
        if (!text(e, s)) return;
        std::string_view t = trim(s);
        if (t.empty()) {
            out.reset();
            return;
        }
        std::optional<int> m = minutes_of_day(t);
        if (!m) return error(e, std::string(kExpected) + " (got \"" + shown(s) + "\")");
        out = m;
    }

    // ["sat", "sun"]: three-letter or full English day names, any case; each element is checked
    // on its own ("power.days_off[2]") and the good ones are kept.
    void weekdays(const Entry& e, uint8_t& out) {
        const toml::array* arr = e.node.as_array();
        if (!arr) return wrong_type(e, "an array of day names, like [\"sat\", \"sun\"]");
        uint8_t mask = 0;
        for (std::size_t i = 0; i < arr->size(); ++i) {
            Entry item{*arr->get(i), e.key + "[" + std::to_string(i + 1) + "]"};
            std::string w;
            if (!text(item, w)) continue;
            std::optional<int> day = weekday(trim(w));
            if (!day) {
                error(item, "\"" + shown(w) + "\" is not a day; expected \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\" or \"sun\"");
                continue;
            }
            mask = static_cast<uint8_t>(mask | (1u << *day));
        }
        out = mask;
    }

    // A moment on the display's local calendar: a TOML local date (2026-12-24) or local date-time
    // (2026-12-24T18:00), or a string "2026-12-24" / "2026-12-24 18:00". A date alone means the
    // start of that day, or with `end_of_day` the end of it (so `until = 2026-12-24` includes the
    // 24th). An offset is refused: the display's own time zone applies.
    void local_moment(const Entry& e, bool end_of_day, std::optional<LocalMinute>& out) {
        constexpr std::string_view kExpected = "expected a local date like 2026-12-24 or a date and time like \"2026-12-24 18:00\"";
        auto day_value = [&](int y, int m, int d) -> std::optional<LocalMinute> {
            if (!dates::from_civil(y, m, d)) return std::nullopt;
            return local_minute(y, m, d, 0) + (end_of_day ? 1440 : 0);
        };
        if (const auto* d = e.node.as_date()) {
            auto v = day_value(d->get().year, d->get().month, d->get().day);
            if (!v) return error(e, std::string(kExpected));
            out = v;
            return;
        }
        if (const auto* dt = e.node.as_date_time()) {
            if (dt->get().offset) return error(e, "give the local time without an offset; the display's time zone applies");
            const toml::date& d = dt->get().date;
            const toml::time& tm = dt->get().time;
            if (!dates::from_civil(d.year, d.month, d.day)) return error(e, std::string(kExpected));
            out = local_minute(d.year, d.month, d.day, tm.hour * 60 + tm.minute);
            return;
        }
        std::string s;
        if (!e.node.is_string()) return wrong_type(e, "a date like 2026-12-24");
        if (!text(e, s)) return;
        std::string_view v = trim(s);
        auto num = [&](std::size_t at, std::size_t n) -> int {
            if (at + n > v.size()) return -1;
            int x = 0;
            for (std::size_t i = at; i < at + n; ++i) {
                if (v[i] < '0' || v[i] > '9') return -1;
                x = x * 10 + (v[i] - '0');
            }
            return x;
        };
        const int y = num(0, 4), mo = num(5, 2), d = num(8, 2);
        if (v.size() < 10 || y < 0 || mo < 0 || d < 0 || v[4] != '-' || v[7] != '-')
            return error(e, std::string(kExpected) + " (got \"" + shown(s) + "\")");
        if (v.size() == 10) {
            auto m = day_value(y, mo, d);
            if (!m) return error(e, std::string(kExpected) + " (got \"" + shown(s) + "\")");
            out = m;
            return;
        }
        std::optional<int> tod = (v[10] == ' ' || v[10] == 'T') ? minutes_of_day(trim(v.substr(11))) : std::nullopt;
        if (!tod || !dates::from_civil(y, mo, d)) return error(e, std::string(kExpected) + " (got \"" + shown(s) + "\")");
        out = local_minute(y, mo, d, *tod);
    }

    // "08:00-10:00" (an en dash works too), or an array of them.
    void time_windows(const Entry& e, std::vector<std::pair<int, int>>& out) {
        auto one = [&](const Entry& item, std::vector<std::pair<int, int>>& into) {
            std::string s;
            if (!text(item, s)) return;
            std::string_view v = trim(s);
            std::size_t dash = v.find('-');
            std::size_t len = 1;
            if (std::size_t en = v.find("\xE2\x80\x93"); en != std::string_view::npos && (dash == std::string_view::npos || en < dash)) {
                dash = en;
                len = 3;
            }
            std::optional<int> from = dash == std::string_view::npos ? std::nullopt : minutes_of_day(trim(v.substr(0, dash)));
            std::optional<int> to = dash == std::string_view::npos ? std::nullopt : minutes_of_day(trim(v.substr(dash + len)));
            if (!from || !to)
                return error(item, "expected a time window like \"08:00-10:00\" (got \"" + shown(s) + "\")");
            into.emplace_back(*from, *to);
        };
        std::vector<std::pair<int, int>> windows;
        if (const toml::array* arr = e.node.as_array()) {
            for (std::size_t i = 0; i < arr->size(); ++i) one(Entry{*arr->get(i), e.key + "[" + std::to_string(i + 1) + "]"}, windows);
        } else if (e.node.is_string()) {
            one(e, windows);
        } else {
            return wrong_type(e, "a time window like \"08:00-10:00\", or an array of them");
        }
        out = std::move(windows);
    }

    void listen(const Entry& e, std::string& out) {
        std::string s;
        if (!text(e, s)) return;
        std::string_view t = trim(s);
        if (t.empty()) {
            out.clear();
            return;
        }
        auto a = parse_listen_address(t);
        if (!a) return error(e, a.error().message);
        // A monitor must know where to look; port 0 (any free port) is for tests on the command line.
        if (a->port == 0) return error(e, "port 0 picks a random port; give a fixed one, like \"127.0.0.1:8089\"");
        out = std::string(t);
    }

private:
    std::string file_;
    std::vector<ConfigIssue>& issues_;
};

// "" when u is an address the fetcher may use for a feed named in the config.
std::string url_problem(std::string_view u) {
    if (u.empty()) return "is empty; expected an http://, https:// or file:// address";
    if (u.find_first_of(" \t") != std::string_view::npos) return "must not contain spaces (write them as %20)";
    std::size_t sep = u.find("://");
    if (sep == std::string_view::npos || sep == 0) {
        if (u.front() == '/') return "is a path; write it as a file URL: \"file://" + shown(u) + "\"";
        return "has no scheme; expected an http://, https:// or file:// address";
    }
    std::string scheme = str::lower(u.substr(0, sep));
    std::string_view rest = u.substr(sep + 3);
    if (scheme == "http" || scheme == "https") {
        if (rest.substr(0, rest.find_first_of("/?#")).empty()) return "has no host";
        return {};
    }
    if (scheme == "file") {
        if (!rest.empty() && (rest.front() == '/' || str::istarts_with(rest, "localhost/"))) return {};
        return "a file URL needs an absolute path, like \"file:///srv/feeds/news.xml\"";
    }
    if (scheme == "feed") return "\"feed://\" is a browser shorthand; write \"https://\" (or \"http://\") instead";
    return "scheme '" + shown(scheme) + "' is not supported; expected http, https or file";
}

// Scheme and host are case-insensitive; the rest of a URL is not.
std::string url_identity(std::string_view u) {
    std::size_t sep = u.find("://");
    if (sep == std::string_view::npos) return std::string(u);
    std::size_t host_end = u.find_first_of("/?#", sep + 3);
    if (host_end == std::string_view::npos) host_end = u.size();
    return str::lower(u.substr(0, host_end)) + std::string(u.substr(host_end));
}

// [SECTION] Tables
// One list of fields per table: the same entries read the file, name the known keys for the
// unknown-key suggestions, and make config_keys(), so the three cannot disagree.

template <class S>
struct Field {
    std::string_view name;
    void (*read)(Checker&, const Entry&, S&);
};

std::string unknown_key_message(std::string_view table, std::string_view key);

template <class S, std::size_t N>
void read_table(Checker& c, const toml::table& t, std::string_view table, const std::string& path, const Field<S> (&fields)[N], S& out) {
    for (auto&& [k, v] : t) {
        std::string_view name = k.str();
        Entry e{v, join(path, name)};
        auto f = std::find_if(std::begin(fields), std::end(fields), [&](const Field<S>& x) { return x.name == name; });
        if (f != std::end(fields))
            f->read(c, e, out);
        else
            c.add(k.source(), e.key, unknown_key_message(table, name), true);
    }
}

template <class S, std::size_t N>
void read_section(Checker& c, const Entry& e, std::string_view table, const Field<S> (&fields)[N], S& out) {
    const toml::table* t = e.node.as_table();
    if (!t) return c.wrong_type(e, "a table ([" + std::string(table) + "])");
    read_table(c, *t, table, e.key, fields, out);
}

using C = Checker;
using E = Entry;

constexpr Field<FeedConfig> kFeedFields[] = {
    {"url", [](C& c, const E& e, FeedConfig& f) { c.url(e, f.url); }},
    {"name", [](C& c, const E& e, FeedConfig& f) { c.text(e, f.name); }},
    {"color", [](C& c, const E& e, FeedConfig& f) { c.color(e, f.color); }},
    {"refresh_minutes",
     [](C& c, const E& e, FeedConfig& f) {
         int64_t v = 0;
         if (c.integer(e, 1, kMaxMinutes, v)) f.refresh_minutes = static_cast<int>(v);
     }},
    {"max_items", [](C& c, const E& e, FeedConfig& f) { c.integer_into(e, 1, 500, f.max_items); }},
    {"max_age", [](C& c, const E& e, FeedConfig& f) { c.duration(e, f.max_age_seconds); }},
    {"include", [](C& c, const E& e, FeedConfig& f) { c.keywords(e, f.include); }},
    {"exclude", [](C& c, const E& e, FeedConfig& f) { c.keywords(e, f.exclude); }},
    {"encoding", [](C& c, const E& e, FeedConfig& f) { c.text(e, f.encoding); }},
    {"weight", [](C& c, const E& e, FeedConfig& f) { c.number(e, {0, true, 1000}, f.weight); }},
    {"enabled", [](C& c, const E& e, FeedConfig& f) { c.boolean(e, f.enabled); }},
};

constexpr Field<FetchConfig> kFetchFields[] = {
    {"interval_minutes", [](C& c, const E& e, FetchConfig& f) { c.integer_into(e, 1, kMaxMinutes, f.interval_minutes); }},
    {"max_parallel", [](C& c, const E& e, FetchConfig& f) { c.integer_into(e, 1, 64, f.max_parallel); }},
    {"max_per_host", [](C& c, const E& e, FetchConfig& f) { c.integer_into(e, 1, 16, f.max_per_host); }},
    {"connect_timeout_seconds", [](C& c, const E& e, FetchConfig& f) { c.integer_into(e, 1, 300, f.connect_timeout_seconds); }},
    {"timeout_seconds", [](C& c, const E& e, FetchConfig& f) { c.integer_into(e, 1, 3600, f.timeout_seconds); }},
    {"low_speed_bytes_per_second",
     [](C& c, const E& e, FetchConfig& f) { c.integer_into(e, 0, int64_t{1} << 30, f.low_speed_bytes_per_second); }},
    {"low_speed_seconds", [](C& c, const E& e, FetchConfig& f) { c.integer_into(e, 1, 3600, f.low_speed_seconds); }},
    {"max_body_bytes", [](C& c, const E& e, FetchConfig& f) { c.integer_into(e, 1024, int64_t{1} << 30, f.max_body_bytes); }},
    {"max_redirects", [](C& c, const E& e, FetchConfig& f) { c.integer_into(e, 0, 20, f.max_redirects); }},
    {"backoff_max_minutes", [](C& c, const E& e, FetchConfig& f) { c.integer_into(e, 1, kMaxMinutes, f.backoff_max_minutes); }},
    {"ca_path", [](C& c, const E& e, FetchConfig& f) { c.text(e, f.ca_path); }},
    {"proxy", [](C& c, const E& e, FetchConfig& f) { c.text(e, f.proxy); }},
    {"user_agent", [](C& c, const E& e, FetchConfig& f) { c.text(e, f.user_agent); }},
};

constexpr Field<RotationConfig> kRotationFields[] = {
    {"words_per_minute", [](C& c, const E& e, RotationConfig& r) { c.number(e, {0, true, 10000}, r.words_per_minute); }},
    {"min_dwell_seconds", [](C& c, const E& e, RotationConfig& r) { c.number(e, {0, true, 3600}, r.min_dwell_seconds); }},
    {"max_dwell_seconds", [](C& c, const E& e, RotationConfig& r) { c.number(e, {0, true, 3600}, r.max_dwell_seconds); }},
    {"weighted", [](C& c, const E& e, RotationConfig& r) { c.boolean(e, r.weighted); }},
    {"priority_keywords", [](C& c, const E& e, RotationConfig& r) { c.keywords(e, r.priority_keywords); }},
    {"breaking_dwell_factor", [](C& c, const E& e, RotationConfig& r) { c.number(e, {1, false, 10}, r.breaking_dwell_factor); }},
    {"dedupe", [](C& c, const E& e, RotationConfig& r) { c.boolean(e, r.dedupe); }},
};

constexpr Field<CacheConfig> kCacheFields[] = {
    {"dir", [](C& c, const E& e, CacheConfig& k) { c.text(e, k.dir); }},
    {"max_bytes", [](C& c, const E& e, CacheConfig& k) { c.integer_into(e, int64_t{1} << 20, int64_t{1} << 40, k.max_bytes); }},
    {"purge_after", [](C& c, const E& e, CacheConfig& k) {
         std::optional<int64_t> d;
         c.duration(e, d);
         if (d) k.purge_after_seconds = *d;
     }},
};

constexpr Field<DisplayConfig> kDisplayFields[] = {
    {"mode", [](C& c, const E& e, DisplayConfig& d) { c.choice(e, {"cards", "list", "ticker"}, d.mode); }},
    {"ticker", [](C& c, const E& e, DisplayConfig& d) { c.boolean(e, d.ticker); }},
    {"ticker_speed", [](C& c, const E& e, DisplayConfig& d) { c.number(e, {0, true, 10000}, d.ticker_speed); }},
    {"theme", [](C& c, const E& e, DisplayConfig& d) { c.choice(e, {"dark", "light"}, d.theme); }},
    {"clock_format", [](C& c, const E& e, DisplayConfig& d) { c.text(e, d.clock_format); }},
    {"date_format", [](C& c, const E& e, DisplayConfig& d) { c.text(e, d.date_format); }},
    {"timezone", [](C& c, const E& e, DisplayConfig& d) { c.text(e, d.timezone); }},
    {"transition", [](C& c, const E& e, DisplayConfig& d) { c.choice(e, {"fade", "slide", "none"}, d.transition); }},
    {"transition_ms", [](C& c, const E& e, DisplayConfig& d) { c.integer_into(e, 0, 10000, d.transition_ms); }},
    {"safe_area", [](C& c, const E& e, DisplayConfig& d) { c.number(e, {0, false, 0.25}, d.safe_area); }},
    {"pixel_shift", [](C& c, const E& e, DisplayConfig& d) { c.boolean(e, d.pixel_shift); }},
    {"qr", [](C& c, const E& e, DisplayConfig& d) { c.boolean(e, d.qr); }},
    {"status_page", [](C& c, const E& e, DisplayConfig& d) { c.boolean(e, d.status_page); }},
    // An index is as natural as a name here, so both are taken.
    {"monitor",
     [](C& c, const E& e, DisplayConfig& d) {
         if (e.node.is_integer()) {
             int64_t v = 0;
             if (c.integer(e, 0, 64, v)) d.monitor = std::to_string(v);
         } else if (e.node.is_string()) {
             c.text(e, d.monitor);
         } else {
             c.wrong_type(e, "a monitor index or name");
         }
     }},
    {"title", [](C& c, const E& e, DisplayConfig& d) { c.text(e, d.title); }},
    {"logo", [](C& c, const E& e, DisplayConfig& d) { c.text(e, d.logo); }},
    {"max_fps", [](C& c, const E& e, DisplayConfig& d) { c.integer_into(e, 1, 240, d.max_fps); }},
    {"transition_fps", [](C& c, const E& e, DisplayConfig& d) { c.integer_into(e, 1, 240, d.transition_fps); }},
    {"ticker_fps", [](C& c, const E& e, DisplayConfig& d) { c.integer_into(e, 1, 240, d.ticker_fps); }},
    {"renderer", [](C& c, const E& e, DisplayConfig& d) { c.choice(e, {"auto", "gl3", "gl2"}, d.renderer); }},
};

constexpr Field<HealthConfig> kHealthFields[] = {
    {"listen", [](C& c, const E& e, HealthConfig& h) { c.listen(e, h.listen); }},
    {"stale_after_minutes", [](C& c, const E& e, HealthConfig& h) { c.integer_into(e, 1, kMaxMinutes, h.stale_after_minutes); }},
};

constexpr Field<PowerConfig> kPowerFields[] = {
    {"off", [](C& c, const E& e, PowerConfig& p) { c.time_of_day(e, p.off); }},
    {"on", [](C& c, const E& e, PowerConfig& p) { c.time_of_day(e, p.on); }},
    {"days_off", [](C& c, const E& e, PowerConfig& p) { c.weekdays(e, p.days_off); }},
};

// The keys a schedule is written with, shared by [[announcement]], [[alert]] and drop-folder files.
template <class S>
bool read_schedule_key(Checker& c, const Entry& e, std::string_view name, S& s) {
    if (name == "days") c.weekdays(e, s.schedule.days);
    else if (name == "time") c.time_windows(e, s.schedule.windows);
    else if (name == "from") c.local_moment(e, false, s.schedule.from);
    else if (name == "until") c.local_moment(e, true, s.schedule.until);
    else return false;
    return true;
}

constexpr Field<Announcement> kAnnouncementFields[] = {
    {"id", [](C& c, const E& e, Announcement& a) { c.text(e, a.id); }},
    {"title", [](C& c, const E& e, Announcement& a) { c.text(e, a.title); }},
    // Line breaks are the point of a body, so it is the one text that may hold them.
    {"body",
     [](C& c, const E& e, Announcement& a) {
         if (const auto* v = e.node.as_string()) a.body = v->get();
         else c.wrong_type(e, "a string (Markdown)");
     }},
    {"image", [](C& c, const E& e, Announcement& a) { c.text(e, a.image); }},
    {"link", [](C& c, const E& e, Announcement& a) { c.url(e, a.link); }},
    {"color", [](C& c, const E& e, Announcement& a) { c.color(e, a.color); }},
    {"dwell_seconds", [](C& c, const E& e, Announcement& a) { c.number(e, {0, true, 3600}, a.dwell_seconds); }},
    {"days", [](C& c, const E& e, Announcement& a) { read_schedule_key(c, e, "days", a); }},
    {"time", [](C& c, const E& e, Announcement& a) { read_schedule_key(c, e, "time", a); }},
    {"from", [](C& c, const E& e, Announcement& a) { read_schedule_key(c, e, "from", a); }},
    {"until", [](C& c, const E& e, Announcement& a) { read_schedule_key(c, e, "until", a); }},
};

constexpr Field<Alert> kAlertFields[] = {
    {"id", [](C& c, const E& e, Alert& a) { c.text(e, a.id); }},
    {"text", [](C& c, const E& e, Alert& a) { c.text(e, a.text); }},
    {"level",
     [](C& c, const E& e, Alert& a) {
         std::string s;
         c.choice(e, {"info", "warning", "emergency"}, s);
         if (auto l = parse_alert_level(s)) a.level = *l;
     }},
    {"days", [](C& c, const E& e, Alert& a) { read_schedule_key(c, e, "days", a); }},
    {"time", [](C& c, const E& e, Alert& a) { read_schedule_key(c, e, "time", a); }},
    {"from", [](C& c, const E& e, Alert& a) { read_schedule_key(c, e, "from", a); }},
    {"until", [](C& c, const E& e, Alert& a) { read_schedule_key(c, e, "until", a); }},
};

// A screen or group id goes into MQTT topics: no wildcards, no levels, nothing a shell mangles.
bool fleet_id(Checker& c, const Entry& e, std::string& out) {
    std::string s;
    if (!c.text(e, s)) return false;
    const bool ok = !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
    });
    if (!ok) {
        c.error(e, "\"" + shown(s) + "\" is not an id: use 1 to 64 letters, digits, '-', '_' or '.'");
        return false;
    }
    out = s;
    return true;
}

void fleet_broker(Checker& c, const Entry& e, std::string& out) {
    std::string s;
    if (!c.text(e, s)) return;
    std::string_view v = trim(s);
    if (v.empty()) {
        out.clear();
        return;
    }
    std::optional<BrokerAddress> a = parse_broker(v);
    if (!a) return c.error(e, "expected \"mqtts://host[:port]\" (or \"mqtt://\" to a broker on this machine), got \"" + shown(s) + "\"");
    if (!a->tls && !a->loopback)
        return c.error(e, "mqtt:// sends screens' settings and alerts in clear text; use mqtts:// (TLS) for a broker that is "
                          "not on this machine");
    out = std::string(v);
}

constexpr Field<FleetConfig> kFleetFields[] = {
    {"broker", [](C& c, const E& e, FleetConfig& f) { fleet_broker(c, e, f.broker); }},
    {"screen",
     [](C& c, const E& e, FleetConfig& f) {
         // "" stands for the host name (resolved where the fleet client starts).
         if (const auto* s = e.node.as_string(); s && s->get().empty()) f.screen.clear();
         else fleet_id(c, e, f.screen);
     }},
    {"groups",
     [](C& c, const E& e, FleetConfig& f) {
         const toml::array* arr = e.node.as_array();
         if (!arr) return c.wrong_type(e, "an array of group names, like [\"lobby\"]");
         std::vector<std::string> groups;
         for (std::size_t i = 0; i < arr->size(); ++i) {
             std::string g;
             if (fleet_id(c, Entry{*arr->get(i), e.key + "[" + std::to_string(i + 1) + "]"}, g)) groups.push_back(g);
         }
         f.groups = std::move(groups);
     }},
    {"username", [](C& c, const E& e, FleetConfig& f) { c.text(e, f.username); }},
    {"password_file", [](C& c, const E& e, FleetConfig& f) { c.text(e, f.password_file); }},
    {"ca_file", [](C& c, const E& e, FleetConfig& f) { c.text(e, f.ca_file); }},
    {"cert_file", [](C& c, const E& e, FleetConfig& f) { c.text(e, f.cert_file); }},
    {"key_file", [](C& c, const E& e, FleetConfig& f) { c.text(e, f.key_file); }},
    {"topic_prefix",
     [](C& c, const E& e, FleetConfig& f) {
         std::string p;
         if (fleet_id(c, e, p)) f.topic_prefix = p;
     }},
};

constexpr Field<AnnouncementsConfig> kAnnouncementsFields[] = {
    {"dir", [](C& c, const E& e, AnnouncementsConfig& a) { c.text(e, a.dir); }},
    {"share", [](C& c, const E& e, AnnouncementsConfig& a) { c.integer_into(e, 2, 100, a.share); }},
};

// [[announcement]] or [[alert]] entries: each read on its own, a broken one dropped with its reason.
template <class S, std::size_t N>
void read_entries(Checker& c, const Entry& e, std::string_view table, const Field<S> (&fields)[N], const char* required,
                  std::vector<S>& out) {
    const toml::array* arr = e.node.as_array();
    if (!arr) {
        if (e.node.is_table())
            return c.error(e, "write them as [[" + std::string(table) + "]] (double brackets), one block each");
        return c.wrong_type(e, "[[" + std::string(table) + "]] entries");
    }
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const toml::node& n = *arr->get(i);
        const std::string path = std::string(table) + "[" + std::to_string(i + 1) + "]";
        const toml::table* t = n.as_table();
        if (!t) {
            c.add(n.source(), path, "expected a table, got " + std::string(type_name(n)), false);
            continue;
        }
        S s;
        const std::size_t before = c.errors();
        read_table(c, *t, table, path, fields, s);
        if (!t->get(required)) {
            c.add(t->source(), path + "." + required, "missing; every [[" + std::string(table) + "]] needs one", false);
            continue;
        }
        if (c.errors() != before) continue;
        if (s.id.empty()) s.id = path;
        out.push_back(std::move(s));
    }
}

void read_feeds(Checker& c, const Entry& e, Config& cfg) {
    const toml::array* arr = e.node.as_array();
    if (!arr) {
        if (e.node.is_table()) return c.error(e, "write feeds as [[feed]] (double brackets), one block per feed");
        return c.wrong_type(e, "[[feed]] entries");
    }
    std::map<std::string, std::size_t> seen;  // url identity -> 1-based entry number; thousands of feeds stay cheap
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const toml::node& n = *arr->get(i);
        std::string path = "feed[" + std::to_string(i + 1) + "]";
        const toml::table* t = n.as_table();
        if (!t) {
            c.add(n.source(), path, "expected a table like { url = \"https://...\" }, got " + std::string(type_name(n)), false);
            continue;
        }
        FeedConfig f;
        read_table(c, *t, "feed", path, kFeedFields, f);
        const toml::node* url = t->get("url");
        if (!url) {
            c.add(t->source(), path + ".url", "missing; every [[feed]] needs the address of its feed", false);
            continue;
        }
        if (f.url.empty()) continue;  // already reported; a feed with no usable address is dropped
        auto [first, added] = seen.emplace(url_identity(f.url), i + 1);
        if (!added) {
            c.add(url->source(), path + ".url", "same url as feed[" + std::to_string(first->second) + "]; this entry is ignored", true);
            continue;
        }
        cfg.feeds.push_back(std::move(f));
    }
}

// Both bounds are reset together: keeping either one alone could still leave min above max.
void check_dwell(Checker& c, const Entry& e, RotationConfig& r) {
    if (r.min_dwell_seconds <= r.max_dwell_seconds) return;
    const toml::table* t = e.node.as_table();
    const toml::node* max = t ? t->get("max_dwell_seconds") : nullptr;
    const toml::node* min = t ? t->get("min_dwell_seconds") : nullptr;
    const toml::node& at = max ? *max : min ? *min : e.node;
    RotationConfig d;
    c.add(at.source(), e.key + (max ? ".max_dwell_seconds" : ".min_dwell_seconds"),
          "min_dwell_seconds (" + number_text(r.min_dwell_seconds) + ") is greater than max_dwell_seconds (" +
              number_text(r.max_dwell_seconds) + "); both stay at their defaults (" + number_text(d.min_dwell_seconds) + ", " +
              number_text(d.max_dwell_seconds) + ")",
          false);
    r.min_dwell_seconds = d.min_dwell_seconds;
    r.max_dwell_seconds = d.max_dwell_seconds;
}

// The nightly window needs both ends: off alone would leave the screen dark for good, on alone
// ends nothing. Either way the window is dropped (the screen stays on), and days_off still holds.
void check_power(Checker& c, const Entry& e, PowerConfig& p) {
    const toml::table* t = e.node.as_table();
    auto at = [&](const char* key) -> const toml::node& {
        const toml::node* n = t ? t->get(key) : nullptr;
        return n ? *n : e.node;
    };
    auto time_text = [](int m) {
        std::string s = std::to_string(m / 60);
        if (s.size() < 2) s = "0" + s;
        return s + ":" + (m % 60 < 10 ? "0" : "") + std::to_string(m % 60);
    };
    if (p.off.has_value() != p.on.has_value()) {
        const char* given = p.off ? "off" : "on";
        const char* missing = p.off ? "on" : "off";
        c.add(at(given).source(), e.key + "." + given,
              std::string("set both off and on, or neither (") + missing + " is " + (t && t->get(missing) ? "empty" : "missing") +
                  "); the nightly schedule is ignored",
              false);
        p.off.reset();
        p.on.reset();
    } else if (p.off && *p.off == *p.on) {
        c.add(at("on").source(), e.key + ".on",
              "off and on are both \"" + time_text(*p.on) + "\"; the nightly schedule is ignored (leave both empty for always on)",
              false);
        p.off.reset();
        p.on.reset();
    }
    if (p.days_off == 0x7f)
        c.add(at("days_off").source(), e.key + ".days_off", "every day is off: the screen never comes on", true);
}

constexpr Field<Config> kTopFields[] = {
    // A path (relative to the config file, resolved by the caller) or a URL.
    {"opml",
     [](C& c, const E& e, Config& cfg) {
         std::string s;
         if (!c.text(e, s)) return;
         std::string_view t = trim(s);
         if (t.find("://") != std::string_view::npos) {
             std::string problem = url_problem(t);
             if (!problem.empty()) return c.error(e, std::move(problem));
         }
         cfg.opml = std::string(t);
     }},
    {"feed", [](C& c, const E& e, Config& cfg) { read_feeds(c, e, cfg); }},
    {"fetch", [](C& c, const E& e, Config& cfg) { read_section(c, e, "fetch", kFetchFields, cfg.fetch); }},
    {"rotation",
     [](C& c, const E& e, Config& cfg) {
         read_section(c, e, "rotation", kRotationFields, cfg.rotation);
         check_dwell(c, e, cfg.rotation);
     }},
    {"cache", [](C& c, const E& e, Config& cfg) { read_section(c, e, "cache", kCacheFields, cfg.cache); }},
    {"display", [](C& c, const E& e, Config& cfg) { read_section(c, e, "display", kDisplayFields, cfg.display); }},
    {"health", [](C& c, const E& e, Config& cfg) { read_section(c, e, "health", kHealthFields, cfg.health); }},
    {"power",
     [](C& c, const E& e, Config& cfg) {
         read_section(c, e, "power", kPowerFields, cfg.power);
         check_power(c, e, cfg.power);
     }},
    {"announcements",
     [](C& c, const E& e, Config& cfg) { read_section(c, e, "announcements", kAnnouncementsFields, cfg.announcement_options); }},
    {"announcement",
     [](C& c, const E& e, Config& cfg) { read_entries(c, e, "announcement", kAnnouncementFields, "title", cfg.announcements); }},
    {"alert", [](C& c, const E& e, Config& cfg) { read_entries(c, e, "alert", kAlertFields, "text", cfg.alerts); }},
    {"fleet",
     [](C& c, const E& e, Config& cfg) {
         read_section(c, e, "fleet", kFleetFields, cfg.fleet);
         if (cfg.fleet.cert_file.empty() != cfg.fleet.key_file.empty())
             c.error(e, "set both cert_file and key_file for a client certificate, or neither");
     }},
};

// [SECTION] Unknown keys

struct Table {
    std::string_view name;   // "" for the top level
    std::string_view where;  // completes "'key' belongs ..."
    std::vector<std::string_view> keys;
};

template <class S, std::size_t N>
std::vector<std::string_view> names_of(const Field<S> (&fields)[N]) {
    std::vector<std::string_view> out;
    for (const Field<S>& f : fields) out.push_back(f.name);
    return out;
}

const std::vector<Table>& tables() {
    static const std::vector<Table> t = {
        {"", "at the top of the file, before the first [table]", names_of(kTopFields)},
        {"feed", "in a [[feed]] entry", names_of(kFeedFields)},
        {"fetch", "in [fetch]", names_of(kFetchFields)},
        {"rotation", "in [rotation]", names_of(kRotationFields)},
        {"cache", "in [cache]", names_of(kCacheFields)},
        {"display", "in [display]", names_of(kDisplayFields)},
        {"health", "in [health]", names_of(kHealthFields)},
        {"power", "in [power]", names_of(kPowerFields)},
        {"announcements", "in [announcements]", names_of(kAnnouncementsFields)},
        {"announcement", "in an [[announcement]] entry", names_of(kAnnouncementFields)},
        {"alert", "in an [[alert]] entry", names_of(kAlertFields)},
        {"fleet", "in [fleet]", names_of(kFleetFields)},
    };
    return t;
}

// Names people reach for that edit distance cannot connect to ours.
struct Alias {
    std::string_view table, from, to;
};
constexpr Alias kAliases[] = {
    {"feed", "title", "name"},          {"feed", "link", "url"},           {"feed", "href", "url"},
    {"feed", "xmlurl", "url"},          {"feed", "xml_url", "url"},        {"feed", "interval_minutes", "refresh_minutes"},
    {"feed", "charset", "encoding"},    {"feed", "keywords", "include"},   {"feed", "disabled", "enabled"},
    {"display", "fps", "max_fps"},      {"cache", "max_size", "max_bytes"}, {"fetch", "max_size", "max_body_bytes"},
    {"fetch", "useragent", "user_agent"},
    {"health", "address", "listen"},    {"health", "bind", "listen"},      {"health", "port", "listen"},
    {"power", "days", "days_off"},      {"power", "weekends", "days_off"}, {"power", "screen_off", "off"},
    {"power", "screen_on", "on"},
};

// Keys are compared the way people mistype them: case, '-' for '_'.
std::string normalized(std::string_view k) {
    std::string out = str::lower(k);
    for (char& c : out)
        if (c == '-' || c == ' ') c = '_';
    return out;
}

// Optimal string alignment distance: a swapped pair of letters counts as one edit.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

// Short keys tolerate one edit, long ones three: more would suggest unrelated keys.
std::size_t allowed_distance(std::size_t len) { return len <= 4 ? 1 : len <= 8 ? 2 : 3; }

std::string unknown_key_message(std::string_view table, std::string_view key) {
    std::string msg = "unknown key '" + shown(key) + "'";
    const std::vector<Table>& all = tables();
    auto here = std::find_if(all.begin(), all.end(), [&](const Table& t) { return t.name == table; });
    if (here == all.end()) return msg;
    std::string n = normalized(key);
    auto did_you_mean = [&](std::string_view k) { return msg + "; did you mean '" + std::string(k) + "'?"; };

    std::string_view best;
    std::size_t best_d = SIZE_MAX;
    for (std::string_view k : here->keys) {
        std::size_t gap = n.size() > k.size() ? n.size() - k.size() : k.size() - n.size();
        if (gap > 3) continue;  // also keeps a huge key from costing a huge table
        std::size_t d = edit_distance(n, k);
        if (d < best_d) {
            best = k;
            best_d = d;
        }
    }
    if (!best.empty() && best_d <= allowed_distance(n.size()) && best_d < n.size()) return did_you_mean(best);

    for (const Alias& a : kAliases)
        if (a.table == table && a.from == n) return did_you_mean(a.to);

    // "refresh" for "refresh_minutes", "max_age_seconds" for "max_age".
    std::string_view prefix_match;
    int prefix_matches = 0;
    for (std::string_view k : here->keys) {
        bool longer = k.size() > n.size() && k.substr(0, n.size()) == n && k[n.size()] == '_';
        bool shorter = n.size() > k.size() && std::string_view(n).substr(0, k.size()) == k && n[k.size()] == '_';
        if (longer || shorter) {
            prefix_match = k;
            ++prefix_matches;
        }
    }
    if (prefix_matches == 1) return did_you_mean(prefix_match);

    // The classic TOML slip: a key written after a [table] header belongs to that table.
    for (const Table& t : all)
        if (t.name != table && std::find(t.keys.begin(), t.keys.end(), n) != t.keys.end())
            return msg + "; '" + n + "' belongs " + std::string(t.where);
    return msg;
}

// [SECTION] OPML

const char* attribute_icase(const tinyxml2::XMLElement* e, std::string_view name) {
    for (const tinyxml2::XMLAttribute* a = e->FirstAttribute(); a; a = a->Next())
        if (iequals(a->Name(), name)) return a->Value();
    return nullptr;
}

// Lists saved by old tools in Latin-1 without saying so are the usual source of bad bytes;
// reading each stray byte as Latin-1 keeps their names readable. Whitespace runs collapse.
std::string display_name(std::string_view s) {
    std::string out;
    bool space = false;
    for (std::size_t i = 0; i < s.size();) {
        if (is_control(s[i]) || s[i] == ' ') {
            space = !out.empty();
            ++i;
            continue;
        }
        if (space) {
            out += ' ';
            space = false;
        }
        std::size_t n = utf8_sequence(s, i);
        if (n > 0) {
            out.append(s.substr(i, n));
            i += n;
        } else {
            auto b = static_cast<unsigned char>(s[i++]);
            out += static_cast<char>(0xC0 | (b >> 6));
            out += static_cast<char>(0x80 | (b & 0x3F));
        }
    }
    return out;
}

std::optional<std::string> opml_feed_url(std::string_view raw) {
    std::string_view u = trim(raw);
    std::string s;
    if (str::istarts_with(u, "feed://"))
        s = "http://" + std::string(u.substr(7));
    else if (str::istarts_with(u, "feed:"))
        s = std::string(u.substr(5));  // "feed:https://..."
    else
        s = std::string(u);
    if (!valid_utf8(s) || has_control(s) || s.find(' ') != std::string::npos) return std::nullopt;
    std::size_t sep = s.find("://");
    if (sep == std::string::npos) return std::nullopt;
    std::string scheme = str::lower(std::string_view(s).substr(0, sep));
    if (scheme != "http" && scheme != "https") return std::nullopt;
    if (!url_problem(s).empty()) return std::nullopt;
    return scheme + s.substr(sep);
}

}  // namespace

// [SECTION] Public API

std::string format_issue(const ConfigIssue& issue) {
    std::string s = issue.file;
    if (issue.line > 0) {
        s += ":" + std::to_string(issue.line);
        if (issue.column > 0) s += ":" + std::to_string(issue.column);
    }
    s += ": ";
    if (!issue.key.empty()) s += issue.key + ": ";
    if (issue.warning) s += "warning: ";
    s += issue.message;
    return s;
}

bool ConfigParse::has_errors() const {
    return std::any_of(issues.begin(), issues.end(), [](const ConfigIssue& i) { return !i.warning; });
}

namespace {

// A byte-order mark or the NUL pattern of UTF-16/32 text: the encoding's name, else "".
std::string_view foreign_encoding(std::string_view s) {
    auto starts = [&](std::string_view p) { return s.substr(0, p.size()) == p; };
    if (starts(std::string_view("\xFF\xFE\0\0", 4))) return "UTF-32 (little-endian, with a byte-order mark)";
    if (starts(std::string_view("\0\0\xFE\xFF", 4))) return "UTF-32 (big-endian, with a byte-order mark)";
    if (starts("\xFF\xFE")) return "UTF-16 (little-endian, with a byte-order mark)";
    if (starts("\xFE\xFF")) return "UTF-16 (big-endian, with a byte-order mark)";
    if (s.size() >= 4 && s[0] != 0 && s[1] == 0 && s[2] == 0 && s[3] == 0) return "UTF-32 (little-endian)";
    if (s.size() >= 4 && s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] != 0) return "UTF-32 (big-endian)";
    if (s.size() >= 2 && s[0] != 0 && s[1] == 0) return "UTF-16 (little-endian)";
    if (s.size() >= 2 && s[0] == 0 && s[1] != 0) return "UTF-16 (big-endian)";
    return {};
}

}  // namespace

void add_feeds(std::vector<FeedConfig>& to, const std::vector<FeedConfig>& more) {
    for (const FeedConfig& f : more)
        if (std::none_of(to.begin(), to.end(), [&](const FeedConfig& e) { return e.url == f.url; })) to.push_back(f);
}

ConfigParse parse_config(std::string_view toml_text, std::string_view file_name) {
    ConfigParse out;
    Checker c(file_name.empty() ? std::string("<config>") : std::string(file_name), out.issues);
    if (toml_text.size() > kMaxConfigFileBytes) {
        c.add({}, "", "is " + std::to_string(toml_text.size() >> 20) + " MiB; a config is at most 4 MiB (is this the right file?)", false);
        return out;
    }
    if (std::string_view enc = foreign_encoding(toml_text); !enc.empty()) {
        c.add({}, "", "the file is " + std::string(enc) + "; a config must be UTF-8 (save it again as UTF-8)", false);
        return out;
    }
    // An editor that truncates before writing, a failed copy, a tool caught mid-write: an empty
    // file is far more often an accident than a wish for no settings at all.
    if (std::all_of(toml_text.begin(), toml_text.end(), [](char ch) { return str::is_space(ch); })) {
        c.add({}, "", "the file is empty; an empty config is refused (write `# defaults` to mean \"all defaults\")", false);
        return out;
    }
    toml::table root;
    try {
        root = toml::parse(toml_text);
    } catch (const toml::parse_error& err) {
        c.add(err.source(), "", std::string(err.description()), false);
        return out;
    } catch (const std::exception& err) {  // bad_alloc and the like: still a value, never a throw
        c.add({}, "", std::string("cannot read: ") + err.what(), false);
        return out;
    }
    read_table(c, root, "", std::string(), kTopFields, out.config);
    // toml++ keeps keys sorted, not in file order; people read the report top to bottom.
    std::stable_sort(out.issues.begin(), out.issues.end(), [](const ConfigIssue& a, const ConfigIssue& b) {
        auto rank = [](const ConfigIssue& i) { return std::make_pair(i.line == 0 ? INT_MAX : i.line, i.column); };
        return rank(a) < rank(b);
    });
    return out;
}

namespace {

void merge_table(toml::table& into, const toml::table& layer) {
    for (auto&& [key, value] : layer) {
        toml::node* have = into.get(key.str());
        if (have && have->is_table() && value.is_table()) {
            merge_table(*have->as_table(), *value.as_table());
            continue;
        }
        // A named copy: clang before 16 cannot capture a structured binding in a lambda.
        const toml::key& k = key;
        value.visit([&](const auto& v) { into.insert_or_assign(k, v); });
    }
}

}  // namespace

ConfigParse layered_config(std::string_view base_text, std::string_view base_name, const std::vector<ConfigLayer>& layers) {
    ConfigParse out;
    toml::table merged;
    try {
        if (!str::trim(base_text).empty()) merged = toml::parse(base_text);
        for (const ConfigLayer& l : layers) merge_table(merged, toml::parse(l.text));
    } catch (const std::exception& err) {
        // Every piece was checked on its own before it came here; say so if one was not.
        Checker c(std::string(base_name), out.issues);
        c.add({}, "", std::string("cannot merge the layers: ") + err.what(), false);
        return out;
    }
    std::ostringstream text;
    text << toml::toml_formatter{merged};
    std::string s = text.str();
    if (str::trim(s).empty()) s = "# defaults\n";
    return parse_config(s, base_name);
}

bool DropFile::has_errors() const {
    return std::any_of(issues.begin(), issues.end(), [](const ConfigIssue& i) { return !i.warning; });
}

DropFile parse_drop_file(std::string_view text, std::string_view file_name) {
    DropFile out;
    Checker c(file_name.empty() ? std::string("<announcement>") : std::string(file_name), out.issues);
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    if (std::string_view enc = foreign_encoding(text); !enc.empty()) {
        c.add({}, "", "the file is " + std::string(enc) + "; save it as UTF-8", false);
        return out;
    }
    // The front matter: between a first line of "+++" (or "---") and the next such line.
    std::string_view front, body = text;
    auto line_end = [&](std::string_view s, std::size_t from) { std::size_t e = s.find('\n', from); return e == std::string_view::npos ? s.size() : e; };
    const std::size_t first_end = line_end(text, 0);
    const std::string_view first = trim(text.substr(0, first_end));
    if (first == "+++" || first == "---") {
        std::size_t pos = std::min(first_end + 1, text.size());
        bool closed = false;
        while (pos < text.size()) {
            const std::size_t e = line_end(text, pos);
            if (trim(text.substr(pos, e - pos)) == first) {
                front = text.substr(first_end + 1, pos - first_end - 1);
                body = text.substr(std::min(e + 1, text.size()));
                closed = true;
                break;
            }
            pos = e + 1;
        }
        if (!closed) {
            c.add({}, "", "the front matter opened on line 1 with \"" + std::string(first) + "\" is never closed", false);
            return out;
        }
    }
    toml::table t;
    if (!front.empty()) {
        try {
            t = toml::parse(front);
        } catch (const toml::parse_error& err) {
            c.add(err.source(), "", std::string(err.description()), false);
        } catch (const std::exception& err) {
            c.add({}, "", std::string("cannot read: ") + err.what(), false);
        }
    }
    std::string stem(file_name);
    if (auto slash = stem.find_last_of('/'); slash != std::string::npos) stem.erase(0, slash + 1);
    if (auto dot = stem.rfind('.'); dot != std::string::npos && dot > 0) stem.erase(dot);
    std::string body_text(trim(body));
    if (!out.has_errors()) {
        if (t.get("level")) {
            Alert a;
            read_table(c, t, "alert", "", kAlertFields, a);
            if (a.text.empty()) a.text = body_text;
            if (a.text.empty()) c.add({}, "text", "an alert needs its text, as `text = \"...\"` or as the body", false);
            if (a.id.empty()) a.id = stem;
            out.alert = std::move(a);
        } else {
            Announcement a;
            read_table(c, t, "announcement", "", kAnnouncementFields, a);
            if (a.title.empty() && body_text.starts_with("# ")) {
                const std::size_t e = body_text.find('\n');
                a.title = std::string(trim(std::string_view(body_text).substr(2, e == std::string::npos ? std::string::npos : e - 2)));
                body_text = e == std::string::npos ? std::string() : std::string(trim(std::string_view(body_text).substr(e + 1)));
            }
            if (a.title.empty()) a.title = stem;
            if (a.body.empty()) a.body = std::move(body_text);
            if (a.id.empty()) a.id = stem;
            out.announcement = std::move(a);
        }
    }
    // Places in the front matter count from the file's first line.
    for (ConfigIssue& i : out.issues)
        if (i.line > 0) i.line += 1;
    if (out.has_errors()) {
        out.announcement.reset();
        out.alert.reset();
    }
    return out;
}

std::optional<int64_t> parse_duration_seconds(std::string_view text) {
    std::string_view s = trim(text);
    if (s.empty()) return std::nullopt;
    constexpr int64_t kLimit = int64_t{1} << 53;  // far beyond any sane duration, far from overflow
    int64_t total = 0;
    std::size_t i = 0;
    bool first = true;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        std::size_t start = i;
        int64_t n = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            n = n * 10 + (s[i] - '0');
            if (n > kLimit) return std::nullopt;
            ++i;
        }
        if (i == start) return std::nullopt;
        while (i < s.size() && s[i] == ' ') ++i;
        std::size_t unit_start = i;
        while (i < s.size() && str::lower(s[i]) >= 'a' && str::lower(s[i]) <= 'z') ++i;
        std::string unit = str::lower(s.substr(unit_start, i - unit_start));
        int64_t scale = 0;
        if (unit.empty())
            scale = (first && i == s.size()) ? 1 : 0;  // a bare number only on its own: "1h30" is ambiguous
        else if (unit == "s" || unit == "sec" || unit == "secs" || unit == "second" || unit == "seconds")
            scale = 1;
        else if (unit == "m" || unit == "min" || unit == "mins" || unit == "minute" || unit == "minutes")
            scale = 60;
        else if (unit == "h" || unit == "hr" || unit == "hrs" || unit == "hour" || unit == "hours")
            scale = 3600;
        else if (unit == "d" || unit == "day" || unit == "days")
            scale = 86400;
        else if (unit == "w" || unit == "week" || unit == "weeks")
            scale = 604800;
        if (scale == 0) return std::nullopt;
        if (n > kLimit / scale) return std::nullopt;
        total += n * scale;
        if (total > kLimit) return std::nullopt;
        first = false;
    }
    return total;
}

namespace {

// Four decimal parts 0-255, no leading zeros (inet_pton refuses them, and "010" reads as octal
// to some tools).
bool ipv4_literal(std::string_view s) {
    int parts = 0;
    std::size_t i = 0;
    while (true) {
        std::size_t start = i;
        int v = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) v = v * 10 + (s[i++] - '0');
        std::size_t n = i - start;
        if (n == 0 || v > 255 || (n > 1 && s[start] == '0')) return false;
        if (++parts == 4) return i == s.size();
        if (i >= s.size() || s[i] != '.') return false;
        ++i;
    }
}

// RFC 4291 text forms: up to 8 groups of 1-4 hex digits, one "::" at most, an IPv4 tail allowed.
bool ipv6_literal(std::string_view s) {
    auto groups = [](std::string_view part, bool last, int& count) {
        if (part.empty()) return true;
        std::size_t i = 0;
        while (true) {
            std::size_t end = part.find(':', i);
            std::string_view g = part.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
            if (last && end == std::string_view::npos && g.find('.') != std::string_view::npos) {
                if (!ipv4_literal(g)) return false;
                count += 2;
                return true;
            }
            auto hex = [](char c) { return (c >= '0' && c <= '9') || (str::lower(c) >= 'a' && str::lower(c) <= 'f'); };
            if (g.empty() || g.size() > 4 || !std::all_of(g.begin(), g.end(), hex)) return false;
            ++count;
            if (end == std::string_view::npos) return true;
            i = end + 1;
        }
    };
    std::size_t gap = s.find("::");
    int count = 0;
    if (gap == std::string_view::npos) return groups(s, true, count) && count == 8;
    if (s.find("::", gap + 1) != std::string_view::npos) return false;
    return groups(s.substr(0, gap), false, count) && groups(s.substr(gap + 2), true, count) && count <= 7;
}

}  // namespace

std::optional<BrokerAddress> parse_broker(std::string_view url) {
    BrokerAddress a;
    std::string_view rest;
    if (str::istarts_with(url, "mqtts://")) {
        a.tls = true;
        rest = url.substr(8);
    } else if (str::istarts_with(url, "mqtt://")) {
        rest = url.substr(7);
    } else {
        return std::nullopt;
    }
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    std::string_view host = rest, port;
    if (rest.starts_with("[")) {
        const std::size_t close = rest.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = rest.substr(1, close - 1);
        std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port = after.substr(1);
        }
    } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (host.empty() || host.find_first_of("/?#@ ") != std::string_view::npos) return std::nullopt;
    a.port = a.tls ? 8883 : 1883;
    if (!port.empty()) {
        unsigned p = 0;
        auto r = std::from_chars(port.data(), port.data() + port.size(), p);
        if (r.ec != std::errc() || r.ptr != port.data() + port.size() || p == 0 || p > 65535) return std::nullopt;
        a.port = static_cast<uint16_t>(p);
    }
    a.host = std::string(host);
    a.loopback = str::iequals(host, "localhost") || host == "::1" || host.starts_with("127.");
    return a;
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
    std::string_view t = trim(text);
    auto bad = [&](std::string why) -> Result<ListenAddress> {
        return Error{ErrorCode::InvalidInput, "\"" + shown(t) + "\" " + why};
    };
    std::size_t colon = t.rfind(':');
    if (t.empty() || colon == std::string_view::npos)
        return bad("is not an address; expected HOST:PORT, like \"127.0.0.1:8089\", \"0.0.0.0:8089\" or \":8089\"");
    std::string_view host = t.substr(0, colon), port = t.substr(colon + 1);
    ListenAddress a;
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return bad("has no port number after the last ':'");
    int p = 0;
    for (char c : port) p = p * 10 + (c - '0');
    if (p > 65535) return bad("has a port above 65535");
    a.port = static_cast<uint16_t>(p);
    if (host.empty() || iequals(host, "localhost")) {
        a.host = "127.0.0.1";
    } else if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']' || !ipv6_literal(host.substr(1, host.size() - 2)))
            return bad("has no valid IPv6 address between the brackets");
        a.host = std::string(host.substr(1, host.size() - 2));
    } else if (ipv4_literal(host)) {
        a.host = std::string(host);
    } else if (host.find(':') != std::string_view::npos) {
        return bad("looks like an IPv6 address; write it in brackets, like \"[::1]:8089\"");
    } else {
        return bad("does not start with a numeric address; use e.g. \"127.0.0.1\", \"0.0.0.0\" (every interface) or "
                   "\"localhost\", not a host name");
    }
    return a;
}

const std::vector<std::string>& config_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> out;
        for (const Table& t : tables())
            for (std::string_view k : t.keys) {
                if (t.name.empty() && k != "opml") continue;  // the tables themselves, not keys
                out.push_back(t.name.empty() ? std::string(k) : std::string(t.name) + "." + std::string(k));
            }
        return out;
    }();
    return keys;
}

Result<std::vector<FeedConfig>> parse_opml(std::string_view bytes) {
    if (bytes.size() > kMaxOpmlBytes) return Error{ErrorCode::TooLarge, "OPML feed list is larger than 16 MiB"};
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    if (trim(bytes).empty()) return Error{ErrorCode::InvalidInput, "OPML feed list is empty"};

    tinyxml2::XMLDocument doc(false);  // tinyxml2 mangles text after an unknown entity: see xml_prepare.h
    if (doc.Parse(bytes.data(), bytes.size()) != tinyxml2::XML_SUCCESS)
        return Error{ErrorCode::InvalidInput, "OPML feed list is not well-formed XML (line " + std::to_string(doc.ErrorLineNum()) +
                                                  ": " + std::string(doc.ErrorName()) + ")"};
    xml::decode_references(&doc);
    const tinyxml2::XMLElement* root = doc.RootElement();
    if (!root) return Error{ErrorCode::InvalidInput, "OPML feed list has no root element"};
    if (!iequals(root->Name(), "opml")) {
        std::string msg = "not an OPML feed list: the root element is <" + shown(root->Name()) + ">, not <opml>";
        if (iequals(root->Name(), "rss") || iequals(root->Name(), "feed") || iequals(root->Name(), "rdf:RDF"))
            msg += "; this is a feed itself, so give it a [[feed]] entry instead";
        return Error{ErrorCode::InvalidInput, msg};
    }

    // Readers export folders as nested outlines (and some put feeds outside <body>), so every
    // element is visited, in document order, without recursion: depth is the file's choice.
    std::vector<FeedConfig> feeds;
    std::set<std::string> seen;
    const tinyxml2::XMLElement* e = root->FirstChildElement();
    while (e) {
        if (iequals(e->Name(), "outline")) {
            const char* raw = attribute_icase(e, "xmlUrl");
            std::optional<std::string> url = raw ? opml_feed_url(raw) : std::nullopt;
            if (url && seen.insert(url_identity(*url)).second) {
                FeedConfig f;
                f.url = std::move(*url);
                const char* title = attribute_icase(e, "title");
                f.name = display_name(title ? title : "");
                if (f.name.empty()) {
                    const char* label = attribute_icase(e, "text");
                    f.name = display_name(label ? label : "");
                }
                feeds.push_back(std::move(f));
            }
        }
        if (const tinyxml2::XMLElement* child = e->FirstChildElement()) {
            e = child;
            continue;
        }
        while (e != root && !e->NextSiblingElement()) e = e->Parent()->ToElement();
        e = (e == root) ? nullptr : e->NextSiblingElement();
    }
    return feeds;
}

}  // namespace nk
