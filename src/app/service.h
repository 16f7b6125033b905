// SPDX-License-Identifier: Apache-2.0
// service.h: systemd's notify protocol for a Type=notify unit, and nothing when there is no
// systemd (or the kiosk was built without libsystemd): READY=1 once the first frame is up,
// WATCHDOG=1 only from a loop turn that really ran (so a hung loop gets the kiosk restarted), and
// STATUS= when the one-line summary changes.
// Main thread only (the loop that it vouches for).
#pragma once

#include <string>

namespace nk::app {

class Service {
public:
    Service();
    void ready();                        // once; later calls do nothing
    void status(const std::string& text);  // sent only when it changed
    void alive(double t);                // steady seconds; pings at most every half interval
    // How long the loop may sleep and still ping in time (1 s when there is no watchdog).
    double max_sleep() const { return interval_ > 0 ? interval_ / 2 : 1.0; }

private:
    static void notify(const std::string& state);
    double interval_ = 0, last_ping_ = -1e9;
    bool ready_ = false;
    std::string status_;
};

}  // namespace nk::app
