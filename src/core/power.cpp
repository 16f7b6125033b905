// SPDX-License-Identifier: Apache-2.0
#include "core/power.h"

#include <algorithm>
#include <array>

namespace nk {
namespace {

constexpr int64_t kDay = 86400;

// The state at second `sod` of a day that is weekday `wday`: the whole rule in one place, so
// screen_on() and the search for the next change cannot drift apart.
bool on_at(const PowerConfig& p, int wday, int64_t sod) {
    if (p.days_off & (1u << wday)) return false;
    if (!p.off || !p.on || *p.off == *p.on) return true;
    const int64_t off = int64_t{*p.off} * 60, on = int64_t{*p.on} * 60;
    bool in_window = off < on ? (sod >= off && sod < on) : (sod >= off || sod < on);
    return !in_window;
}

// A std::tm from a caller may be denormal (tm_sec 60 for a leap second, or garbage): clamp
// rather than index out of range.
int wday_of(const std::tm& t) { return ((t.tm_wday % 7) + 7) % 7; }
int64_t sod_of(const std::tm& t) {
    int64_t h = std::clamp(t.tm_hour, 0, 23), m = std::clamp(t.tm_min, 0, 59), s = std::clamp(t.tm_sec, 0, 59);
    return h * 3600 + m * 60 + s;
}

}  // namespace

bool has_power_schedule(const PowerConfig& p) { return p.days_off != 0 || (p.off && p.on && *p.off != *p.on); }

bool screen_on(const PowerConfig& p, const std::tm& local) { return on_at(p, wday_of(local), sod_of(local)); }

int64_t seconds_until_change(const PowerConfig& p, const std::tm& local) {
    if (!has_power_schedule(p)) return kNoPowerChange;
    const int wday = wday_of(local);
    const int64_t sod = sod_of(local);
    const bool now_on = on_at(p, wday, sod);
    // The state only changes at midnight, at `off` and at `on`; the schedule repeats weekly, so
    // eight days of those instants, in order, hold the next change if there is one.
    std::array<int64_t, 3> marks = {0, p.off ? int64_t{*p.off} * 60 : 0, p.on ? int64_t{*p.on} * 60 : 0};
    std::sort(marks.begin(), marks.end());
    for (int d = 0; d <= 8; ++d)
        for (int64_t m : marks) {
            int64_t ahead = int64_t{d} * kDay + m - sod;
            if (ahead <= 0) continue;
            if (on_at(p, (wday + d) % 7, m) != now_on) return ahead;
        }
    return kNoPowerChange;  // every day off: never on
}

}  // namespace nk
