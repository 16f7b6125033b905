// SPDX-License-Identifier: Apache-2.0
#include "core/announcements.h"

#include "feed/dates.h"

namespace nk {

LocalMinute local_minute(int year, int month, int day, int minute_of_day) {
    // The civil-date arithmetic of UTC is the arithmetic of any zone's wall clock.
    return dates::from_civil(year, month, day).value_or(0) / 60 + minute_of_day;
}

LocalMinute local_minute(const std::tm& local) {
    return local_minute(local.tm_year + 1900, local.tm_mon + 1, local.tm_mday, local.tm_hour * 60 + local.tm_min);
}

bool schedule_active(const Schedule& s, const std::tm& local) {
    const LocalMinute now = local_minute(local);
    if (s.from && now < *s.from) return false;
    if (s.until && now >= *s.until) return false;
    const int today = local.tm_wday >= 0 && local.tm_wday < 7 ? local.tm_wday : 0;
    const int yesterday = (today + 6) % 7;
    auto day_on = [&](int d) { return (s.days >> d) & 1u; };
    if (s.windows.empty()) return day_on(today);
    const int minute = local.tm_hour * 60 + local.tm_min;
    for (const auto& [from, to] : s.windows) {
        if (from < to) {
            if (minute >= from && minute < to && day_on(today)) return true;
        } else if (from == to) {
            if (day_on(today)) return true;
        } else {
            // "22:00-02:00": the hours after midnight belong to the day the window began.
            if (minute >= from && day_on(today)) return true;
            if (minute < to && day_on(yesterday)) return true;
        }
    }
    return false;
}

std::string_view alert_level_name(AlertLevel level) {
    switch (level) {
    case AlertLevel::Info: return "info";
    case AlertLevel::Warning: return "warning";
    case AlertLevel::Emergency: return "emergency";
    }
    return "info";
}

std::optional<AlertLevel> parse_alert_level(std::string_view name) {
    for (AlertLevel l : {AlertLevel::Info, AlertLevel::Warning, AlertLevel::Emergency})
        if (alert_level_name(l) == name) return l;
    return std::nullopt;
}

bool alert_active(const Alert& a, int64_t now, const std::tm& local) {
    if (a.expires != 0 && now >= a.expires) return false;
    return schedule_active(a.schedule, local);
}

}  // namespace nk
