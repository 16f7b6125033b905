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

}  // namespace

TEST_CASE("systemd: READY after the first frame, watchdog pings stop when the loop hangs", "[service][display]") {
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
    // A 0.4 s watchdog: pings every 0.2 s while the loop runs. The loop hangs 2 s in; the process is
    // killed at 6 s, so a healthy loop would have pinged ~30 times and a hung one stops at ~2 s.
    auto r = nk::test::run_process({NK_KIOSK_BIN, "--windowed", "640x480", "--cache-dir", dir + "/cache"},
                                   {"DISPLAY=" + x.display(), "NOTIFY_SOCKET=" + path, "WATCHDOG_USEC=400000",
                                    "NK_DEBUG_HANG_AFTER=2", "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"},
                                   6);
    double killed_at = realtime_now();
    INFO("stderr:\n" << r.err);
    CHECK(r.timed_out);  // hung: it had to be killed
    CHECK(r.err.find("the loop hangs now") != std::string::npos);

    std::vector<Message> got;
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
        got.push_back(m);
    }
    close(fd);
    fs::remove_all(dir);

    bool ready = false, status = false;
    int pings = 0;
    double last_ping = 0;
    for (const auto& m : got) {
        if (m.text.find("READY=1") != std::string::npos) ready = true;
        if (m.text.find("STATUS=") != std::string::npos) status = true;
        if (m.text.find("WATCHDOG=1") != std::string::npos) {
            ++pings;
            last_ping = std::max(last_ping, m.at);
        }
    }
    CHECK(ready);
    CHECK(status);
    CHECK(pings >= 2);  // fed while the loop ran
    // Silent for the last seconds before the kill: the hang stopped the pings, as it must.
    CHECK(killed_at - last_ping > 2.0);
}
