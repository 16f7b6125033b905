// SPDX-License-Identifier: Apache-2.0
// cli.h: the command line. Verbs that do one job and exit (parse, check-config, power-state,
// --help, --version) run here; everything else becomes the options of a run, which main turns
// into an App and a Platform.
// Main thread only (writes to stdout and stderr).
#pragma once

#include "app/app.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nk::app {

// The wall display's own options (platform/display.h reads them).
struct DisplayOptions {
    int window_w = 0, window_h = 0;      // --windowed WxH / --size WxH; 0: full screen
    std::string screenshot;              // --screenshot FILE.png: render, write, exit
    double screenshot_at = 0;            // --at SECONDS after the content (and its picture) is there
    bool always_render = false;          // --always-render: a frame every vsync (the naive baseline)
};

struct RunArgs {
    AppOptions app;
    bool headless = false;               // --headless
    DisplayOptions display;
};

// Runs a verb, or says what is wrong with the arguments (exit 2), and returns the exit code;
// nullopt when the arguments describe a run, filled into `run`.
std::optional<int> command_line(const std::vector<std::string_view>& args, RunArgs& run);

}  // namespace nk::app
