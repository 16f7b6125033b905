// SPDX-License-Identifier: Apache-2.0
// newsroom-kiosk: the entry point. Thin on purpose: the command line (app/cli.h) either runs a
// verb or describes a run; a run is an App (app/app.h) on a Platform: the window
// (platform/display.h) or standard output (app/headless.h).
#include "app/app.h"
#include "app/cli.h"
#include "app/headless.h"
#include "app/l10n.h"
#include "app/log.h"
#include "core/version.h"
#include "platform/display.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
    nk::app::prepare_localisation();
    nk::app::RunArgs run;
    if (auto done = nk::app::command_line({argv + 1, argv + argc}, run)) return *done;
    // The first line of every run names the build: in the journal, which commit a kiosk in the field runs.
    nk::app::log_line(std::string("newsroom-kiosk ") + nk::version() + " starting");
    std::unique_ptr<nk::app::Platform> platform;
    if (run.headless) platform = std::make_unique<nk::app::HeadlessPlatform>();
    else platform = nk::platform::make_display(run.display);
    auto app = nk::app::App::create(run.app, *platform, nk::app::wall_now());
    if (!app) {
        nk::app::log_line("newsroom-kiosk: " + app.error().message);
        return 1;
    }
    return app.value()->run();
}
