// SPDX-License-Identifier: Apache-2.0
// fuzz_dates: nk::dates::parse on arbitrary bytes. Besides the sanitizers, checks that any
// accepted date lies within what the validation allows, and that it survives a round trip
// through its own RFC 3339 and RFC 1123 spellings.
#include "feed/dates.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

// Civil years 1000..9999, hour 24 rolling into 10000-01-01, and offsets of up to ±18h.
constexpr int64_t kMin = -30610224000 - 18 * 3600;   // 1000-01-01T00:00:00+18:00
constexpr int64_t kMax = 253402300800 + 18 * 3600;   // 9999-12-31T24:00:00-18:00

struct Civil {
    int64_t y;
    unsigned m, d, hh, mm, ss;
};

// Howard Hinnant's civil_from_days, written separately from the code under test.
Civil to_civil(int64_t t) {
    int64_t days = t / 86400;
    int64_t rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
    const auto r = static_cast<unsigned>(rem);
    return {y, m, d, r / 3600, r / 60 % 60, r % 60};
}

void check_round_trip(int64_t t) {
    const Civil c = to_civil(t);
    if (c.y < 1000 || c.y > 9999) return;   // valid input whose UTC instant leaves the year range
    static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    const int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02uZ", static_cast<long long>(c.y), c.m,
                                c.d, c.hh, c.mm, c.ss);
    const std::optional<int64_t> iso = nk::dates::parse(std::string_view(buf, static_cast<size_t>(n)));
    if (!iso || *iso != t) std::abort();
    const int k = std::snprintf(buf, sizeof buf, "%02u %s %04lld %02u:%02u:%02u GMT", c.d, kMonths[c.m - 1],
                                static_cast<long long>(c.y), c.hh, c.mm, c.ss);
    const std::optional<int64_t> rfc = nk::dates::parse(std::string_view(buf, static_cast<size_t>(k)));
    if (!rfc || *rfc != t) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    const std::optional<int64_t> t = nk::dates::parse(s);
    if (!t) return 0;
    if (*t < kMin || *t > kMax) std::abort();
    check_round_trip(*t);
    return 0;
}
