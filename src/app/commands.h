// SPDX-License-Identifier: Apache-2.0
// commands.h: the command-line verbs of newsroom-kiosk that do one job and exit, each a function
// from arguments to an exit code, so app/cli.cpp stays a dispatcher and tests can run them
// in-process.
// Main thread only (they write to stdout/stderr).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nk::app {

// `newsroom-kiosk parse FILE [--content-type TYPE] [--base-url URL]`: the parsed feed as one
// JSON object on stdout. Exit 0 when a feed was recognised (also with warnings), 1 with a
// one-line error on stderr when nothing could be read, 2 on usage errors.
int parse_command(const std::vector<std::string_view>& args);

// `newsroom-kiosk check-config FILE`: every problem as file:line:column: key: message; exit 1
// when there is any (warnings included: an unknown key is a setting that silently does nothing).
int check_config_command(const std::vector<std::string_view>& args);

// `newsroom-kiosk power-state [--config FILE] [--time UNIX_SECONDS]`: "on" or "off" on stdout for
// the [power] schedule in [display] timezone, now (or at the given time). Exit 0 for on, 3 for
// off, 2 on usage errors. A config that cannot be read or has errors is reported on stderr and
// answers from what could be read (a broken schedule reads as always on): the screen is never
// switched off by mistake.
int power_state_command(const std::vector<std::string_view>& args);

// `newsroom-kiosk alert|next|previous|pause|resume|reload ...`: one request to the running kiosk
// through its control socket (app/control_command.cpp lists the forms). Exit 0 when the kiosk did
// it, 1 when it refused or none answered, 2 on usage errors.
int control_command(std::string_view verb, const std::vector<std::string_view>& args);

// `newsroom-kiosk fleet status|alert|clear|announce|push-config|command|screenshot ...`: the
// operator's verbs for a fleet of screens on an MQTT broker (app/fleet_command.cpp lists the forms).
// Exit 0 when the broker took it, 1 when it was refused or unreachable, 2 on usage errors.
int fleet_command(const std::vector<std::string_view>& args);

}  // namespace nk::app
