// SPDX-License-Identifier: Apache-2.0
// The screen power schedule: on/off at a local time, nightly windows that wrap past midnight and
// ones that do not, whole days off, and seconds_until_change() checked against a brute-force walk
// over a whole week. Also `newsroom-kiosk power-state`, run as the platform's screen switcher
// runs it: its answer, its exit status and the config's time zone.
#include "core/power.h"
#include "helpers.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <iterator>
#include <fstream>
#include <string>

namespace {

constexpr int kSun = 0, kMon = 1, kTue = 2, kFri = 5, kSat = 6;

std::tm at(int wday, int hour, int minute, int second = 0) {
    std::tm t{};
    t.tm_wday = wday;
    t.tm_hour = hour;
    t.tm_min = minute;
    t.tm_sec = second;
    return t;
}

// Second `w` of a week that starts on Sunday 00:00.
std::tm week_second(int64_t w) {
    w %= 7 * 86400;
    return at(static_cast<int>(w / 86400), static_cast<int>(w % 86400 / 3600), static_cast<int>(w % 3600 / 60),
              static_cast<int>(w % 60));
}

nk::PowerConfig nightly(int off_h, int off_m, int on_h, int on_m, uint8_t days_off = 0) {
    nk::PowerConfig p;
    p.off = off_h * 60 + off_m;
    p.on = on_h * 60 + on_m;
    p.days_off = days_off;
    return p;
}

constexpr uint8_t day(int d) { return static_cast<uint8_t>(1u << d); }

}  // namespace

TEST_CASE("no schedule: always on, and nothing to wait for", "[power]") {
    nk::PowerConfig none;
    CHECK_FALSE(nk::has_power_schedule(none));
    for (int d = 0; d < 7; ++d)
        for (int h = 0; h < 24; h += 5) {
            CHECK(nk::screen_on(none, at(d, h, 30)));
            CHECK(nk::seconds_until_change(none, at(d, h, 30)) == nk::kNoPowerChange);
        }
    // A window whose ends coincide is no window (the config refuses it, but a caller may build one).
    nk::PowerConfig same = nightly(7, 0, 7, 0);
    CHECK_FALSE(nk::has_power_schedule(same));
    CHECK(nk::screen_on(same, at(kMon, 7, 0)));
}

TEST_CASE("a nightly window across midnight: off at 22:30, on at 07:00", "[power]") {
    nk::PowerConfig p = nightly(22, 30, 7, 0);
    CHECK(nk::has_power_schedule(p));
    CHECK(nk::screen_on(p, at(kMon, 12, 0)));
    CHECK(nk::seconds_until_change(p, at(kMon, 12, 0)) == 10 * 3600 + 1800);
    CHECK(nk::screen_on(p, at(kMon, 22, 29, 59)));
    CHECK(nk::seconds_until_change(p, at(kMon, 22, 29, 59)) == 1);
    CHECK_FALSE(nk::screen_on(p, at(kMon, 22, 30)));
    CHECK(nk::seconds_until_change(p, at(kMon, 22, 30)) == 8 * 3600 + 1800);
    CHECK_FALSE(nk::screen_on(p, at(kTue, 0, 0)));
    CHECK(nk::seconds_until_change(p, at(kTue, 0, 0)) == 7 * 3600);
    CHECK_FALSE(nk::screen_on(p, at(kTue, 6, 59, 59)));
    CHECK(nk::seconds_until_change(p, at(kTue, 6, 59, 59)) == 1);
    CHECK(nk::screen_on(p, at(kTue, 7, 0)));
    // Saturday night into Sunday morning works the same (no days off here).
    CHECK_FALSE(nk::screen_on(p, at(kSat, 23, 0)));
    CHECK(nk::seconds_until_change(p, at(kSat, 23, 0)) == 8 * 3600);
}

TEST_CASE("a window inside one day: off at 01:00, on at 05:00", "[power]") {
    nk::PowerConfig p = nightly(1, 0, 5, 0);
    CHECK(nk::screen_on(p, at(kMon, 0, 59, 59)));
    CHECK_FALSE(nk::screen_on(p, at(kMon, 1, 0)));
    CHECK_FALSE(nk::screen_on(p, at(kMon, 4, 59, 59)));
    CHECK(nk::screen_on(p, at(kMon, 5, 0)));
    CHECK(nk::screen_on(p, at(kMon, 23, 0)));
    CHECK(nk::seconds_until_change(p, at(kMon, 23, 0)) == 2 * 3600);
    CHECK(nk::seconds_until_change(p, at(kMon, 1, 0)) == 4 * 3600);
    CHECK(nk::seconds_until_change(p, at(kMon, 5, 0)) == 20 * 3600);
}

TEST_CASE("days off: the whole local day, joined to the nights around it", "[power]") {
    nk::PowerConfig p = nightly(22, 30, 7, 0, day(kSat) | day(kSun));
    CHECK(nk::screen_on(p, at(kFri, 12, 0)));
    CHECK(nk::seconds_until_change(p, at(kFri, 12, 0)) == 10 * 3600 + 1800);
    // Friday 22:30 goes dark until Monday 07:00.
    CHECK_FALSE(nk::screen_on(p, at(kFri, 22, 30)));
    CHECK(nk::seconds_until_change(p, at(kFri, 22, 30)) == 1 * 3600 + 1800 + 2 * 86400 + 7 * 3600);
    CHECK_FALSE(nk::screen_on(p, at(kSat, 12, 0)));
    CHECK(nk::seconds_until_change(p, at(kSat, 12, 0)) == 12 * 3600 + 86400 + 7 * 3600);
    CHECK_FALSE(nk::screen_on(p, at(kSun, 12, 0)));
    CHECK_FALSE(nk::screen_on(p, at(kMon, 6, 59, 59)));
    CHECK(nk::screen_on(p, at(kMon, 7, 0)));

    // Days off alone: on at midnight after.
    nk::PowerConfig sundays;
    sundays.days_off = day(kSun);
    CHECK(nk::has_power_schedule(sundays));
    CHECK(nk::screen_on(sundays, at(kSat, 23, 59, 59)));
    CHECK(nk::seconds_until_change(sundays, at(kSat, 23, 59, 59)) == 1);
    CHECK_FALSE(nk::screen_on(sundays, at(kSun, 10, 0)));
    CHECK(nk::seconds_until_change(sundays, at(kSun, 10, 0)) == 14 * 3600);
    CHECK(nk::seconds_until_change(sundays, at(kMon, 0, 0)) == 6 * 86400);

    // Every day off: never on, nothing to wait for.
    nk::PowerConfig closed;
    closed.days_off = 0x7f;
    CHECK_FALSE(nk::screen_on(closed, at(kTue, 12, 0)));
    CHECK(nk::seconds_until_change(closed, at(kTue, 12, 0)) == nk::kNoPowerChange);
}

TEST_CASE("odd std::tm values are clamped, not trusted", "[power]") {
    nk::PowerConfig p = nightly(22, 30, 7, 0);
    std::tm leap = at(kMon, 22, 29, 60);  // a leap second reads as :59
    CHECK(nk::screen_on(p, leap));
    CHECK(nk::seconds_until_change(p, leap) == 1);
    std::tm odd = at(8, 12, 0);  // a weekday past Saturday wraps
    CHECK(nk::screen_on(p, odd));
    odd.tm_wday = -1;
    CHECK(nk::screen_on(p, odd));
}

TEST_CASE("seconds_until_change agrees with screen_on over a whole week", "[power]") {
    const nk::PowerConfig configs[] = {
        nightly(22, 30, 7, 0),
        nightly(1, 0, 5, 0),
        nightly(22, 30, 7, 0, day(kSat) | day(kSun)),
        nightly(0, 0, 6, 15, day(kMon)),
        nightly(18, 0, 0, 0, day(kTue) | day(kFri)),
        nightly(23, 59, 0, 1),
        [] {
            nk::PowerConfig p;
            p.days_off = day(kSun) | day(kSat) | day(kTue);
            return p;
        }(),
    };
    for (std::size_t c = 0; c < std::size(configs); ++c) {
        const nk::PowerConfig& p = configs[c];
        // Every minute of the week, and 17 s past it, so both sides of each switch are seen; one
        // assertion per config, naming the first second that disagrees.
        std::string first_problem;
        for (int64_t w = 17; w < 7 * 86400 && first_problem.empty(); w += 60) {
            for (int64_t s : {w - 17, w}) {
                std::tm t = week_second(s);
                const bool now_on = nk::screen_on(p, t);
                const int64_t d = nk::seconds_until_change(p, t);
                bool good = d > 0 && d < 7 * 86400 && nk::screen_on(p, week_second(s + d - 1)) == now_on &&
                            nk::screen_on(p, week_second(s + d)) != now_on;
                // No earlier change was skipped: the state holds all the way (sampled every 10 min).
                for (int64_t k = 0; good && k < d; k += 600) good = nk::screen_on(p, week_second(s + k)) == now_on;
                if (!good) {
                    first_problem = "second of week " + std::to_string(s) + ": on " + std::to_string(now_on) + ", change in " +
                                    std::to_string(d);
                    break;
                }
            }
        }
        INFO("config " << c);
        CHECK(first_problem == "");
    }
}

// [SECTION] `newsroom-kiosk power-state`

namespace {

std::string shq(const std::string& s) { return "'" + s + "'"; }

struct TempConfig {
    std::filesystem::path path;
    explicit TempConfig(const std::string& text, const std::string& name = "kiosk.toml") {
        path = std::filesystem::temp_directory_path() / ("nk_power_" + std::to_string(::getpid()) + "_" + name);
        std::ofstream(path, std::ios::binary) << text;
    }
    ~TempConfig() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

// 2023-11-14 22:13:20 UTC, a Tuesday.
constexpr const char* kTuesdayLate = "1700000000";

}  // namespace

TEST_CASE("power-state answers on (exit 0) or off (exit 3) in the config's time zone", "[power][cli]") {
    // POSIX TZ strings, so the test needs no tzdata: UTC it is 22:13 (off), one hour east 23:13 (on).
    TempConfig utc("[display]\ntimezone = \"UTC0\"\n[power]\noff = \"22:00\"\non = \"23:00\"\n", "utc.toml");
    auto r = nk::test::run_kiosk("power-state --config " + shq(utc.path.string()) + " --time " + kTuesdayLate);
    CHECK(r.exit_code == 3);
    CHECK(r.out == "off\n");
    CHECK(r.err.empty());

    TempConfig east("[display]\ntimezone = \"XXX-1\"\n[power]\noff = \"22:00\"\non = \"23:00\"\n", "east.toml");
    r = nk::test::run_kiosk("power-state --config " + shq(east.path.string()) + " --time " + kTuesdayLate);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "on\n");

    // Tuesday off all day; with no --time the answer is for now, which is whatever it is: only the
    // agreement between the exit status and the word is checked.
    TempConfig tuesdays("[display]\ntimezone = \"UTC0\"\n[power]\ndays_off = [\"tue\"]\n", "tue.toml");
    r = nk::test::run_kiosk("power-state --config " + shq(tuesdays.path.string()) + " --time " + kTuesdayLate);
    CHECK(r.exit_code == 3);
    CHECK(r.out == "off\n");
    r = nk::test::run_kiosk("power-state --config " + shq(tuesdays.path.string()));
    CHECK(((r.exit_code == 0 && r.out == "on\n") || (r.exit_code == 3 && r.out == "off\n")));
}

TEST_CASE("power-state never answers off by mistake", "[power][cli]") {
    // No schedule at all.
    TempConfig plain("[display]\ntheme = \"light\"\n", "plain.toml");
    auto r = nk::test::run_kiosk("power-state --config " + shq(plain.path.string()) + " --time " + kTuesdayLate);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "on\n");

    // A broken schedule is reported and read as always on.
    TempConfig broken("[display]\ntimezone = \"UTC0\"\n[power]\noff = \"22:00\"\n", "broken.toml");
    r = nk::test::run_kiosk("power-state --config " + shq(broken.path.string()) + " --time " + kTuesdayLate);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "on\n");
    CHECK(r.err.find("power.off: set both off and on") != std::string::npos);

    // A config that cannot be read: on, with the reason.
    r = nk::test::run_kiosk("power-state --config /nonexistent/kiosk.toml --time " + std::string(kTuesdayLate));
    CHECK(r.exit_code == 0);
    CHECK(r.out == "on\n");
    CHECK(r.err.find("/nonexistent/kiosk.toml: cannot read") != std::string::npos);

    // A zone name the C library cannot find is said out loud (glibc would silently use UTC).
    TempConfig zone("[display]\ntimezone = \"Mars/Olympus_Mons\"\n", "zone.toml");
    r = nk::test::run_kiosk("power-state --config " + shq(zone.path.string()));
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("Mars/Olympus_Mons") != std::string::npos);

    // Usage errors are 2, which a switcher testing for 3 reads as "leave it on".
    CHECK(nk::test::run_kiosk("power-state --bogus").exit_code == 2);
    CHECK(nk::test::run_kiosk("power-state --time yesterday").exit_code == 2);
    CHECK(nk::test::run_kiosk("power-state --config").exit_code == 2);
}
