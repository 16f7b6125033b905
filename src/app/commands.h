// commands.h: the command-line verbs of newsroom-kiosk, each a function from arguments to an
// exit code, so main.cpp stays a dispatcher and tests can run them in-process.
// Main thread only (they write to stdout/stderr).
#pragma once

#include <string_view>
#include <vector>

namespace nk::app {

// `newsroom-kiosk parse FILE [--content-type TYPE] [--base-url URL]`: the parsed feed as one
// JSON object on stdout. Exit 0 when a feed was recognised (also with warnings), 1 with a
// one-line error on stderr when nothing could be read, 2 on usage errors.
int parse_command(const std::vector<std::string_view>& args);

// Until the engine and display land: parse the embedded demo feeds and print one line per card.
int demo_command(const std::vector<std::string_view>& args);

}  // namespace nk::app
