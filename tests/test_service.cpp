// SPDX-License-Identifier: Apache-2.0
// The systemd notify protocol, spoken to a socket the test owns (as systemd would own it): READY=1
// after the first frame, WATCHDOG=1 while the loop runs, and silence once the loop hangs (the
// NK_DEBUG_HANG_AFTER hook), which is what makes systemd restart a stuck kiosk.
#include "display_harness.h"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Message {
    std::string text;
    double at = 0;  // kernel receive time, seconds (CLOCK_REALTIME)
};

double realtime_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Runs the kiosk against a notify socket of the test's own, as systemd would run it, and returns
// what it sent. The kiosk is this process's child, as it is cage's under the appliance unit.
struct Notified {
    std::vector<Message> messages;
    nk::test::ProcessResult run;
    double killed_at = 0;
};

Notified run_notified(const std::vector<std::string>& env, int timeout_s) {
    Notified out;
    std::string dir = (fs::temp_directory_path() / ("nk_notify_" + std::to_string(getpid()))).string();
    fs::create_directories(dir);
    std::string path = dir + "/notify";
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    int on = 1;
    REQUIRE(setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &on, sizeof on) == 0);

    nk::test::Xvfb x(640, 480);
    INFO(x.error());
    REQUIRE(x.ok());
    // Its own runtime and state directories: a kiosk of another test (or a person's) must not
    // answer on the same control socket or share the last good config.
    fs::create_directories(dir + "/run");
    std::vector<std::string> all = {"DISPLAY=" + x.display(), "NOTIFY_SOCKET=" + path,
                                    "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1", "XDG_RUNTIME_DIR=" + dir + "/run",
                                    "XDG_STATE_HOME=" + dir + "/state", "RUNTIME_DIRECTORY="};
    all.insert(all.end(), env.begin(), env.end());
    out.run = nk::test::run_process({NK_KIOSK_BIN, "--windowed", "640x480", "--cache-dir", dir + "/cache"}, all,
                                    timeout_s);
    out.killed_at = realtime_now();
    for (;;) {
        char buf[512];
        char control[CMSG_SPACE(sizeof(timeval))];
        iovec iov{buf, sizeof buf};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
        if (n < 0) break;
        Message m{std::string(buf, static_cast<size_t>(n)), 0};
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMP) {
                timeval tv{};
                std::memcpy(&tv, CMSG_DATA(c), sizeof tv);
                m.at = static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
            }
        out.messages.push_back(m);
    }
    close(fd);
    fs::remove_all(dir);
    return out;
}

bool has_message(const Notified& n, std::string_view what) {
    for (const auto& m : n.messages)
        if (m.text.find(what) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("systemd: READY after the first frame, watchdog pings stop when the loop hangs", "[service][display]") {
    // A 0.4 s watchdog: pings every 0.2 s while the loop runs. The loop hangs 2 s in; the process is
    // killed at 6 s, so a healthy loop would have pinged ~30 times and a hung one stops at ~2 s.
    // WATCHDOG_PID is the kiosk's parent, as under the appliance unit, where the main process is
    // cage (sd_watchdog_enabled() alone would say "not for you" and the kiosk would never ping).
    Notified n = run_notified({"WATCHDOG_USEC=400000", "WATCHDOG_PID=" + std::to_string(getpid()),
                               "NK_DEBUG_HANG_AFTER=2"},
                              6);
    INFO("stderr:\n" << n.run.err);
    CHECK(n.run.timed_out);  // hung: it had to be killed
    CHECK(n.run.err.find("the loop hangs now") != std::string::npos);

    int pings = 0;
    double last_ping = 0;
    for (const auto& m : n.messages) {
        if (m.text.find("WATCHDOG=1") != std::string::npos) {
            ++pings;
            last_ping = std::max(last_ping, m.at);
        }
    }
    CHECK(has_message(n, "READY=1"));
    CHECK(has_message(n, "STATUS="));
    CHECK(pings >= 2);  // fed while the loop ran
    // Silent for the last seconds before the kill: the hang stopped the pings, as it must.
    CHECK(n.killed_at - last_ping > 2.0);
}

TEST_CASE("systemd: a watchdog meant for another process is left alone", "[service][display]") {
    // WATCHDOG_PID names neither the kiosk nor its parent (PID 1 is never the test's parent here):
    // that watchdog belongs to someone else, so the kiosk reports ready but never pings.
    REQUIRE(getpid() != 1);
    Notified n = run_notified({"WATCHDOG_USEC=400000", "WATCHDOG_PID=1"}, 3);
    INFO("stderr:\n" << n.run.err);
    CHECK(has_message(n, "READY=1"));
    CHECK_FALSE(has_message(n, "WATCHDOG=1"));
}
