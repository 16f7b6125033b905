// SPDX-License-Identifier: Apache-2.0
// timefmt.h: times in the C locale: ISO times in the status endpoints, the clock and ages of
// --headless and the logs, and the display's clock when the config gives a strftime format. The
// display's words in its own language (CLDR dates, clocks and ages through ICU) are app/l10n.h:
// core stays free of ICU, and these stay the fixed, parseable forms the tools read.
// Pure apart from reading the process's time zone (TZ); any thread, but the time zone is set by
// the main thread only (tzset is not thread-safe).
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

namespace nk {

// The local time (the process's TZ) of a Unix time, as localtime_r fills it.
std::tm local_tm(int64_t t);

// strftime of a Unix time in local time (the process's TZ), or UTC. The space "%e" pads a
// single-digit day with is dropped: on a wall it reads as a layout mistake. "" for fmt gives "".
std::string format_time(const std::string& fmt, int64_t t, bool utc = false);

// "2024-03-04T10:00:00Z"
std::string iso_utc(int64_t t);

// "just now", "12 min ago", "3 h ago", "yesterday", "4 days ago"; from a week on the local date
// ("2025-11-02"), never "400 days ago".
std::string relative_age(int64_t then, int64_t now);

}  // namespace nk
