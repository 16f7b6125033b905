// SPDX-License-Identifier: Apache-2.0
// power.h: the screen power schedule of [power] — is the screen on at a given local time, and how
// long until that changes. The kiosk uses it to stop drawing (and sleep exactly until the next
// switch), `newsroom-kiosk power-state` to answer the platform's screen switcher, so the two
// cannot disagree.
// Rules: the screen is off on every weekday in days_off (the whole local day), and inside the
// nightly window [off, on) — which wraps past midnight when off > on ("22:30" to "07:00") and
// does not when off < on ("01:00" to "05:00"). Otherwise it is on; no schedule means always on.
// Pure: the local time is passed in (std::tm as localtime_r fills it; only tm_wday, tm_hour,
// tm_min, tm_sec are read), nothing reads a clock or the time zone; any thread.
#pragma once

#include "core/config.h"

#include <cstdint>
#include <ctime>

namespace nk {

// seconds_until_change() when the state never changes (no schedule, or every day off). Longer
// than any real answer (the schedule repeats weekly), and safe to add to a clock and sleep on.
constexpr int64_t kNoPowerChange = int64_t{8} * 86400;

// True when the config asks for the screen to be off at some time.
bool has_power_schedule(const PowerConfig& power);

bool screen_on(const PowerConfig& power, const std::tm& local_time);

// Seconds from `local` until screen_on() next returns something else (> 0), or kNoPowerChange.
// Counted in local wall-clock time: across a daylight-saving change the answer is off by the
// shift, so a caller re-checks screen_on() when it wakes rather than assuming the switch happened.
int64_t seconds_until_change(const PowerConfig& power, const std::tm& local);

}  // namespace nk
