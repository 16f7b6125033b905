// display.h: the only code that touches GLFW and OpenGL. Opens the window (full screen on the
// chosen monitor, or windowed), picks the ImGui GL backend the driver can run (GL3, else GL2),
// uploads textures, and runs the loop that sleeps until the Kiosk says a frame is due; draws the
// static layer only when it changed and otherwise only the dynamic strip over a preserved back
// buffer. Also renders screenshots to PNG.
// Main thread only (GLFW requires it).
#pragma once

#include "app/kiosk.h"

#include <string>

namespace nk::platform {

struct DisplayArgs {
    app::KioskOptions kiosk;
    int window_w = 0, window_h = 0;      // --windowed WxH / --size WxH; 0: full screen
    std::string screenshot;              // --screenshot FILE.png: render, write, exit
    double screenshot_at = 0;            // --at SECONDS after the first frame
    bool always_render = false;          // --always-render: a frame every vsync (the naive baseline)
    double duration = 0;                 // --duration SECONDS: exit after this long (tests, benchmarks)
    std::string health;                  // --health ADDR:PORT (else [health] listen); empty: off
};

// Exit code: 0 on a normal quit, 1 when no window could be opened or the screenshot failed.
int run_display(DisplayArgs args);

}  // namespace nk::platform
