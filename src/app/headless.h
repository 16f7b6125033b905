// SPDX-License-Identifier: Apache-2.0
// headless.h: the kiosk with no window (`--headless`): the same App and loop as the display, and
// one line on stdout per card as it rotates and per feed state change, so that the whole pipeline
// can be run, scripted and tested without a screen.
// Main thread only, except wake(), which any thread may call.
#pragma once

#include "app/app.h"

#include <condition_variable>
#include <mutex>
#include <string>

namespace nk::app {

class HeadlessPlatform : public Platform {
public:
    std::string_view mode() const override { return "headless"; }
    void wake() override;
    bool open(App& app) override;
    void present(App& app, double t, int64_t wall, bool screen_on) override;
    double next_turn(double t) const override;
    void wait(double seconds) override;
    bool has_screen() const override { return false; }
    bool shown() const override { return shown_; }
    void status_changed(const std::vector<StatusChange>& changes) override;
    int close(App& app) override;

private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool woken_ = false;
    bool shown_ = false;
    bool said_empty_ = false;
    bool has_content_ = false;
    uint64_t printed_ = 0;               // Show::changes() when the last card was printed
    std::string alert_shown_;            // the alert last printed ("" = none)
};

}  // namespace nk::app
