// SPDX-License-Identifier: Apache-2.0
// timefmt.h: every time the kiosk puts into words: the clock and date line, a story's age, the
// "offline since" mark, ISO times in the status endpoints. One place, so that localising them
// (ICU, later) changes one file.
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

// "just now", "12 min ago", "3 h ago", "yesterday", "4 days ago".
std::string relative_age(int64_t then, int64_t now);

}  // namespace nk
