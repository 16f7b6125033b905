// SPDX-License-Identifier: Apache-2.0
// log.h: the kiosk's one log. Lines go to stderr; under systemd (JOURNAL_STREAM set) each gets the
// journal's priority prefix, read from the wording every message follows, so that
// `journalctl -p warning` shows what needs a person and nothing else.
// Any thread (lines from the fetch, cache-writer and image threads never interleave).
#pragma once

#include <string>
#include <string_view>

namespace nk::app {

// The journal priority of one of the kiosk's log lines, from its wording: 3 (err) for what stops
// a part from working ("error", "cannot", "refused"), 4 (warning) for what the kiosk rides out (a
// feed "failing", "warning"), 6 (info) for the rest ("recovered", frame counts).
int journal_priority(std::string_view line);

// One line (no newline) to stderr, with "<N>" in front under the journal.
void log_line(const std::string& line);

}  // namespace nk::app
