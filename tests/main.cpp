// SPDX-License-Identifier: Apache-2.0
// The test runner. Every test process gets a state directory of its own: the kiosk keeps its
// last good config there (app/engine.h), and one test's config must never be another's fallback,
// nor anything be written to the home directory of whoever runs the suite.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "helpers.h"

#include <cstdlib>

int main(int argc, char* argv[]) {
    nk::test::TempDir state("nk_state");
    ::unsetenv("STATE_DIRECTORY");
    ::setenv("XDG_STATE_HOME", state.path.c_str(), 1);
    return Catch::Session().run(argc, argv);
}
