// SPDX-License-Identifier: Apache-2.0
// display.h: the only code that touches GLFW and OpenGL. Opens the window (full screen on the
// chosen monitor, or windowed), picks the ImGui GL backend the driver can run (GL3, else GL2),
// uploads textures, draws the frames the Kiosk (app/kiosk.h) asks for: the static layer only
// when it changed and otherwise only the dynamic strip over a preserved back buffer or a layer
// in a texture; and renders screenshots to PNG. The loop that drives it is the App's
// (app/app.h): this is one of its two platforms.
// Main thread only (GLFW requires it), except Platform::wake().
#pragma once

#include "app/app.h"
#include "app/cli.h"

#include <memory>

namespace nk::platform {

using app::DisplayOptions;

// The window is opened by Platform::open, so that nothing but the App's loop starts it.
std::unique_ptr<app::Platform> make_display(DisplayOptions options);

}  // namespace nk::platform
