// SPDX-License-Identifier: Apache-2.0
// version.h: which newsroom-kiosk this is. The release is project(VERSION) in CMakeLists.txt; a
// development build adds its commit (cmake/Version.cmake writes version.cpp from version.cpp.in
// at configure time, so a new commit recompiles that one file). Pure; any thread.
#pragma once

namespace nk {

// "0.2.0" for a release (or a build from a source tarball), "0.2.0+git.abc1234" for a development
// build: what --version, /status.json, /metrics (build_info) and the first log line say.
const char* version();

}  // namespace nk
