// SPDX-License-Identifier: Apache-2.0
// helpers.h: small shared pieces for the Catch2 tests (fixture loading, running the binary).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

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

// Polls `pred` every 50 ms until it holds or `bound` passes; its last answer. A bounded wait for
// a state, never a timing threshold.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds bound = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return pred();
}

// A tiny HTTP/1.1 client for the kiosk's status listener (it always closes after answering).
struct Reply {
    int status = 0;  // 0: no answer (refused, closed early, or the wait ran out)
    std::string head, body;
    std::string header(const std::string& name) const;
};
int connect_to(uint16_t port);  // a connected socket to 127.0.0.1:port, or -1
// Reads to the end of the stream, within a generous bound.
Reply read_reply(int fd, std::chrono::seconds bound = std::chrono::seconds(30));
Reply raw(uint16_t port, const std::string& request);  // sends `request` as is
Reply get(uint16_t port, const std::string& path);

// The built binary in the background, stdout and stderr in files in `dir`, stopped like systemd
// stops it (or killed outright). `env` entries ("NAME=value") are added to the environment.
class Kiosk {
public:
    Kiosk(const std::vector<std::string>& args, const std::filesystem::path& dir, const std::vector<std::string>& env = {});
    ~Kiosk();
    Kiosk(const Kiosk&) = delete;
    Kiosk& operator=(const Kiosk&) = delete;

    std::string out() const;
    std::string err() const;
    // Waits (bounded) until stdout, or stderr, holds `text`; false if the kiosk exited first.
    bool wait_out(const std::string& text, std::chrono::milliseconds bound = std::chrono::seconds(30));
    bool wait_err(const std::string& text, std::chrono::milliseconds bound = std::chrono::seconds(30));
    // The port from "health: listening on http://127.0.0.1:PORT/", once it is logged; 0 if never.
    uint16_t port();
    // SIGTERM, then the exit status (bounded; SIGKILL after 60 s gives -1).
    int stop();
    // SIGKILL at once, as a power cut or the OOM killer would.
    void kill9();
    bool exited();

private:
    std::filesystem::path out_, err_;
    pid_t pid_ = -1;
    int status_ = -1;
};

// What a shell command prints on stdout (a tool the test compares with: xgettext, hb-shape).
std::string command_output(const std::string& cmd);

}  // namespace nk::test
