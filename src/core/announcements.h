// SPDX-License-Identifier: Apache-2.0
// announcements.h: the screen owner's own voice as values. An Announcement is a card of the
// owner's (a welcome, the Wi-Fi password) shown at a share of the rotation inside its schedule;
// an Alert interrupts the rotation (info: a banner, warning: a band that stays, emergency: the
// whole screen) until it expires or is cleared. Both come from several places (the config, a drop
// folder, the control socket, later the fleet broker), each a named source whose list replaces
// that source's previous one.
// Schedules are read in the display's local time, passed in as a std::tm (as localtime_r fills
// it): nothing here reads a clock or the time zone. Pure; any thread.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nk {

// A moment on the local calendar (no zone): minutes since 1970-01-01 00:00 local. Comparing two
// of these compares wall-clock times in the display's zone, whatever its offset that day.
using LocalMinute = int64_t;

LocalMinute local_minute(int year, int month, int day, int minute_of_day);
LocalMinute local_minute(const std::tm& local);

struct Schedule {
    uint8_t days = 0x7f;                      // bit N: shown on weekday N (std::tm::tm_wday, 0 = Sunday)
    // Times of day [from, to) in minutes after midnight; to <= from runs past midnight
    // ("22:00-02:00"). Empty: all day.
    std::vector<std::pair<int, int>> windows;
    std::optional<LocalMinute> from;          // not before this local date-time
    std::optional<LocalMinute> until;         // not at or after this local date-time

    bool operator==(const Schedule&) const = default;
};

// Whether `s` allows `local` (only tm_year, tm_mon, tm_mday, tm_wday, tm_hour, tm_min are read).
bool schedule_active(const Schedule& s, const std::tm& local);

struct Announcement {
    std::string id;                           // unique within its source
    std::string title;
    std::string body;                         // Markdown subset (core/markdown.h)
    std::string image;                        // path or URL; "" for none
    std::string link;                         // shown as a QR code; "" for none
    std::string color;                        // "#rrggbb"; "" for the theme's accent
    Schedule schedule;
    double dwell_seconds = 0;                 // 0: by reading time, as news cards are

    bool operator==(const Announcement&) const = default;
};

enum class AlertLevel { Info, Warning, Emergency };

std::string_view alert_level_name(AlertLevel level);  // "info", "warning", "emergency"
std::optional<AlertLevel> parse_alert_level(std::string_view name);

struct Alert {
    std::string id;                           // unique within its source
    std::string text;
    AlertLevel level = AlertLevel::Info;
    int64_t created = 0;                      // Unix seconds
    int64_t expires = 0;                      // Unix seconds; 0: only the schedule (or clearing) ends it
    Schedule schedule;                        // for alerts from the config and the drop folder

    bool operator==(const Alert&) const = default;
};

// Whether `a` is showing at `now` (Unix seconds) and `local` (the same moment, local time).
bool alert_active(const Alert& a, int64_t now, const std::tm& local);

}  // namespace nk
