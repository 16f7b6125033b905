// SPDX-License-Identifier: Apache-2.0
// dates.h: feed date strings to Unix seconds (UTC).
// RFC 822/1123/2822/850 (every zone form, missing seconds or weekday, two-digit years, odd
// spacing; zone names beyond the RFC's: ET/CT/MT/PT/AT, MET/MEST/CET/CEST/EET/EEST/WET/WEST,
// Etc/GMT±h, UTC±hh), RFC 3339 / ISO 8601 / W3CDTF (partial dates, fractions, basic format,
// two-digit years, ordinal 2003-335, truncated -03-12, compact 031231), asctime.
// An impossible date (31 Feb, hour 25, unknown zone) gives nullopt, never a wrong value; so does
// a form whose year only the reader's clock could supply (--12-31).
// Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nk::dates {

// Tries every supported form; leading/trailing whitespace is ignored.
std::optional<int64_t> parse(std::string_view s);

std::optional<int64_t> parse_rfc822(std::string_view s);
std::optional<int64_t> parse_iso8601(std::string_view s);
std::optional<int64_t> parse_asctime(std::string_view s);

// Validated civil time (proleptic Gregorian, UTC) to Unix seconds; nullopt when out of range.
// sec == 60 (leap second) is accepted and read as 59.
std::optional<int64_t> from_civil(int year, int month, int day, int hour = 0, int min = 0, int sec = 0);

}  // namespace nk::dates
