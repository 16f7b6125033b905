// SPDX-License-Identifier: Apache-2.0
// agenda.h: today's agenda card from a calendar ([[calendar]], feed/calendar.h): which of its
// occurrences the card lists at a given moment (what is on now, what comes next, up to the
// calendar's horizon), and how each reads as one line of text ("Now · 14:00–15:00 · Board room ·
// Quarterly review") for --headless, the log and the card's reading time. The display words the
// rows itself from the same values (localised), so this is the one place that decides what is on.
// Pure, clock and zone passed in; any thread (it shares nothing), called from the main thread.
#pragma once

#include "core/config.h"
#include "core/rotation.h"
#include "feed/calendar.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nk {

// "Now" (started, not ended), "Next" (the first one after now) or "Later".
enum class AgendaWhen { Now, Next, Later };
AgendaWhen agenda_when(const Card& card, std::size_t index);

// "Now · 14:00–15:00 · Board room · Quarterly review"; "All day · Company holiday". 24-hour
// clock; the location is left out when there is none.
std::string agenda_line(const Card& card, std::size_t index);

// The agenda card of `calendar` at `now` in `zone` (an IANA name; "" = UTC): the occurrences
// overlapping [now, now + horizon) (the horizon is the end of today when the config gives
// none), at most max_events of them; nullopt when there is nothing left to show today.
// `fallback_name` titles the card when neither the config nor the file names the calendar.
std::optional<Card> agenda_card(const CalendarConfig& config, const Calendar& calendar, int64_t now, std::string_view zone,
                                const RotationConfig& rotation, std::string_view fallback_name = "Today");

}  // namespace nk
