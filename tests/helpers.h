// helpers.h: small shared pieces for the Catch2 tests (fixture loading, running the binary).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
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

// A fresh directory under $TMPDIR, removed with everything in it when the scope ends.
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& prefix = "nk_test") {
        std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "_XXXXXX")).string();
        const char* made = ::mkdtemp(tmpl.data());
        if (!made) throw std::runtime_error("cannot create a temporary directory from " + tmpl);
        path = made;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

// Runs the built newsroom-kiosk with a shell-quoted argument string.
RunResult run_kiosk(const std::string& args);

}  // namespace nk::test
