// SPDX-License-Identifier: Apache-2.0
#include "app/service.h"

#if NK_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace nk::app {
namespace {

// WATCHDOG_USEC in seconds, or 0. sd_watchdog_enabled() would also insist that WATCHDOG_PID be
// this process, but under the appliance unit the main process is cage, which runs the kiosk as
// its child and never pings: NotifyAccess=all lets the kiosk ping for it. So a watchdog meant
// for this process or for its parent counts; one for any other process does not.
double watchdog_interval() {
    const char* usec = std::getenv("WATCHDOG_USEC");
    if (!usec || !std::getenv("NOTIFY_SOCKET")) return 0;
    char* end = nullptr;
    errno = 0;
    const unsigned long long us = std::strtoull(usec, &end, 10);
    if (errno || end == usec || *end || us == 0) return 0;
    if (const char* pid = std::getenv("WATCHDOG_PID")) {
        const long long p = std::strtoll(pid, &end, 10);
        if (*end || (p != getpid() && p != getppid())) return 0;
    }
    return static_cast<double>(us) / 1e6;
}

}  // namespace

Service::Service() {
#if NK_HAVE_SYSTEMD
    interval_ = watchdog_interval();
#else
    (void)watchdog_interval;
#endif
}

void Service::ready() {
    if (ready_) return;
    ready_ = true;
    notify("READY=1");
}

void Service::status(const std::string& text) {
    if (text == status_) return;
    status_ = text;
    notify("STATUS=" + text);
}

// The man page asks for a ping every half interval; more often costs a syscall and nothing else.
void Service::alive(double t) {
    if (interval_ <= 0 || t - last_ping_ < interval_ / 2) return;
    last_ping_ = t;
    notify("WATCHDOG=1");
}

void Service::notify(const std::string& state) {
#if NK_HAVE_SYSTEMD
    sd_notify(0, state.c_str());
#else
    (void)state;
#endif
}

}  // namespace nk::app
