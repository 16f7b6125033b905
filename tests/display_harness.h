// SPDX-License-Identifier: Apache-2.0
// display_harness.h: what screenshot tests of the real binary need: a private X server per test, running a
// process with captured output and a timeout, and reading back PNGs and the QR codes in them.
// Test code only (POSIX, Linux). Use from the test's own thread: children are tied to the thread that started them
// (PR_SET_PDEATHSIG), so a crashed test leaves no Xvfb behind.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace nk::test {

// Xvfb on a display number the server picks itself (-displayfd), so tests can run in parallel.
// The constructor returns once the server accepts clients; the destructor stops and reaps it.
class Xvfb {
public:
    Xvfb(int width, int height);
    ~Xvfb();
    Xvfb(const Xvfb&) = delete;
    Xvfb& operator=(const Xvfb&) = delete;

    bool ok() const { return pid_ > 0; }
    std::string display() const { return display_; }  // ":N"
    std::string error() const { return error_; }       // why !ok(), with Xvfb's own output

private:
    void stop();

    pid_t pid_ = -1;
    std::string display_;
    std::string error_;
};

// Not RunResult: helpers.h has one for run_kiosk, and two definitions of one name in nk::test break the ODR.
struct ProcessResult {
    int exit_code = -1;  // -1 if killed by a signal (a timeout included); 127 if it could not be started
    std::string out;
    std::string err;
    bool timed_out = false;
};

// Runs argv (argv[0] looked up in PATH) with stdin on /dev/null, stdout and stderr captured, the environment plus
// `extra_env` ("K=V", replacing a K already set). After `timeout_s` seconds it kills the process and its children.
ProcessResult run_process(std::vector<std::string> argv, std::vector<std::string> extra_env, int timeout_s);

struct Image {
    int w = 0, h = 0;
    std::vector<unsigned char> rgb;  // w * h * 3, top row first

    bool ok() const { return w > 0 && h > 0; }
    unsigned char* at(int x, int y) { return &rgb[(static_cast<std::size_t>(y) * w + x) * 3]; }
};

// Any PNG as 8-bit RGB (alpha dropped); !ok() if it cannot be read.
Image load_png(const std::string& path);

// What the X server shows on `display` (":N") now: the root window's pixels, so what reached the
// screen rather than what the program left in its back buffer. !ok() if the server cannot be read.
Image grab_screen(const std::string& display);

// The first QR or barcode zbarimg finds in the image (its first line), nullopt if none.
std::optional<std::string> zbar_decode(const std::string& png_path);

}  // namespace nk::test
