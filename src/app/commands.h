// commands.h: the command-line verbs of newsroom-kiosk, each a function from arguments to an
// exit code, so main.cpp stays a dispatcher and tests can run them in-process.
// Main thread only (they write to stdout/stderr).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nk::app {

// `newsroom-kiosk parse FILE [--content-type TYPE] [--base-url URL]`: the parsed feed as one
// JSON object on stdout. Exit 0 when a feed was recognised (also with warnings), 1 with a
// one-line error on stderr when nothing could be read, 2 on usage errors.
int parse_command(const std::vector<std::string_view>& args);

struct HeadlessArgs {
    std::string cache_dir;                 // --cache-dir DIR (else config, else the XDG default)
    std::string config_path;               // --config FILE
    std::vector<std::string> feed_urls;    // --feed URL (repeatable)
    int64_t duration_seconds = 0;          // --duration SECONDS; 0: until SIGINT/SIGTERM
    std::string health;                    // --health ADDR:PORT (else [health] listen); "" = off
};

// `newsroom-kiosk --headless`: the whole pipeline with no window; one line per card as it
// rotates and one per feed status change. Stops on SIGINT/SIGTERM or after the duration.
int headless_command(const HeadlessArgs& args);

// `newsroom-kiosk check-config FILE`: every problem as file:line:column: key: message; exit 1
// when there is any (warnings included: an unknown key is a setting that silently does nothing).
int check_config_command(const std::vector<std::string_view>& args);

// `newsroom-kiosk power-state [--config FILE] [--time UNIX_SECONDS]`: "on" or "off" on stdout for
// the [power] schedule in [display] timezone, now (or at the given time). Exit 0 for on, 3 for
// off, 2 on usage errors. A config that cannot be read or has errors is reported on stderr and
// answers from what could be read (a broken schedule reads as always on): the screen is never
// switched off by mistake.
int power_state_command(const std::vector<std::string_view>& args);

// "just now", "12 min ago", "3 h ago", "yesterday", "4 days ago".
std::string relative_age(int64_t then, int64_t now);

// The journal priority of one of the kiosk's log lines, from its wording: 3 (err) for what stops
// a part from working ("error", "cannot", "refused"), 4 (warning) for what the kiosk rides out (a
// feed "failing", "warning"), 6 (info) for the rest ("recovered", frame counts).
int journal_priority(std::string_view line);

// strftime of a Unix time in local time (the process's TZ), or UTC. The space "%e" pads a
// single-digit day with is dropped: on a wall it reads as a layout mistake. "" for fmt gives "".
std::string format_time(const std::string& fmt, int64_t t, bool utc = false);

}  // namespace nk::app
