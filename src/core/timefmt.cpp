// SPDX-License-Identifier: Apache-2.0
#include "core/timefmt.h"

#include <ctime>

namespace nk {

std::tm local_tm(int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    localtime_r(&tt, &tm);
    return tm;
}

std::string format_time(const std::string& fmt, int64_t t, bool utc) {
    if (fmt.empty()) return {};
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (utc) gmtime_r(&tt, &tm);
    else localtime_r(&tt, &tm);
    char buf[128];
    std::size_t n = std::strftime(buf, sizeof buf, fmt.c_str(), &tm);
    std::string s(buf, n);
    while (!s.empty() && s.front() == ' ') s.erase(s.begin());
    for (std::size_t p; (p = s.find("  ")) != std::string::npos;) s.erase(p, 1);
    return s;
}

std::string iso_utc(int64_t t) { return format_time("%Y-%m-%dT%H:%M:%SZ", t, true); }

std::string relative_age(int64_t then, int64_t now) {
    int64_t d = now - then;
    if (d < 60) return "just now";
    if (d < 3600) return std::to_string(d / 60) + " min ago";
    if (d < 86400) return std::to_string(d / 3600) + " h ago";
    if (d < 2 * 86400) return "yesterday";
    // Past a week a count of days says less than the day itself (as on the wall).
    if (d < 7 * 86400) return std::to_string(d / 86400) + " days ago";
    return format_time("%Y-%m-%d", then);
}

}  // namespace nk
