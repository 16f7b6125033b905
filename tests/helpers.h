// helpers.h: small shared pieces for the Catch2 tests (fixture loading, running the binary).
#pragma once

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace nk::test {

inline std::string data_path(const std::string& name) { return std::string(NK_TEST_DATA_DIR) + "/" + name; }

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open fixture " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline std::string fixture(const std::string& name) { return read_file(data_path(name)); }

struct RunResult {
    int exit_code = -1;
    std::string out;   // stdout
    std::string err;   // stderr
};

// Runs the built newsroom-kiosk with a shell-quoted argument string.
RunResult run_kiosk(const std::string& args);

}  // namespace nk::test
