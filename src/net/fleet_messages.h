// SPDX-License-Identifier: Apache-2.0
// fleet_messages.h: the JSON payloads of the fleet's topics (core/fleet.h names the topics), read
// into core values and written from them. Reading is strict: an object with the known keys of the
// right types, text within bounds, ids that are ids, anything else an error that says which key
// is wrong. These bytes come from a broker many people can write to: they are fuzzed
// (fuzz/fuzz_fleet.cpp). nlohmann_json only; pure; any thread.
//
//   alert     {"text": "Evacuate via the east stairs", "level": "info|warning|emergency",
//              "until": UNIX_SECONDS (optional; none: until cleared), "created": UNIX_SECONDS}
//   announce  {"title": "...", "body": "Markdown", "link": "https://...", "color": "#rrggbb",
//              "dwell": SECONDS, "until": UNIX_SECONDS}
//   command   {"verb": "next|previous|pause|resume|reload|screenshot", "request": "ID"}
//   state     core/fleet.h ScreenState as an object (keys as its fields)
//   error     {"screen": ID, "time": UNIX_SECONDS, "topic": "...", "errors": ["..."]}
#pragma once

#include "core/fleet.h"
#include "feed/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nk::net {

// `id` comes from the topic. Err(InvalidInput) with the reason.
Result<Alert> parse_alert_payload(std::string_view payload, std::string_view id);
Result<fleet::TimedAnnouncement> parse_announce_payload(std::string_view payload, std::string_view id);
Result<fleet::Command> parse_command_payload(std::string_view payload);
Result<fleet::ScreenState> parse_state_payload(std::string_view payload);

std::string alert_payload(const Alert& a);   // text, level, created, until (when a.expires)
std::string announce_payload(const fleet::TimedAnnouncement& t);
std::string command_payload(const fleet::Command& c);
std::string state_payload(const fleet::ScreenState& s);
std::string error_payload(std::string_view screen, int64_t time, std::string_view topic, const std::vector<std::string>& errors);

}  // namespace nk::net
