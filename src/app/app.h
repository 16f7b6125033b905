// SPDX-License-Identifier: Apache-2.0
// app.h: the kiosk as a running program: the engine (app/engine.h), the show (core/show.h) and
// the one loop that both --headless and the wall display run. The loop owns everything the two
// have in common: signals, --duration, the systemd watchdog and status line, the [power] screen
// schedule, the time zone, the health listener's snapshots, the debug hang hook and the loop
// counters. What differs (a window and frames, or lines on stdout) is behind Platform.
// Main thread only, except Platform::wake(), which any thread may call.
#pragma once

#include "app/engine.h"
#include "net/status_server.h"
#include "core/show.h"

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nk::app {

struct AppOptions {
    EngineOptions engine;                // its wake and log are set by the App
    std::string health;                  // --health ADDR:PORT (else [health] listen); "" = off
    double duration = 0;                 // --duration SECONDS; 0: until a signal or the platform is done
    std::filesystem::path control_socket;  // --socket PATH; empty: net::default_control_socket()
};

// What changes what is on screen: a key, a tap, the control socket, later the fleet broker.
enum class Command { Next, Previous, TogglePause, Pause, Resume, Reload };

class App;
class FleetAgent;

// Whatever shows the kiosk: a window (platform/display.h) or standard output (app/headless.h).
class Platform {
public:
    virtual ~Platform() = default;
    virtual std::string_view mode() const = 0;  // "display" or "headless", for /status.json and logs
    // Something arrived for the loop (a fetch, a picture): end wait() early. Any thread.
    virtual void wake() = 0;
    // Before the first turn: open the window, build what draws. False (after saying why in the
    // log) when the kiosk cannot run this way; the program then exits with 1.
    virtual bool open(App& app) = 0;
    // One turn's output, after the model moved on: a frame when one is due, or the lines that
    // changed. `screen_on` is the [power] schedule's verdict (always true without a screen).
    virtual void present(App& app, double t, int64_t wall, bool screen_on) = 0;
    // Steady seconds at which the platform next needs a turn of its own (an animation).
    virtual double next_turn(double t) const = 0;
    // Sleeps up to `seconds` (0: just handle pending input), returning early when woken.
    virtual void wait(double seconds) = 0;
    virtual bool finished() const { return false; }  // window closed, screenshot written
    virtual bool has_screen() const = 0;             // a screen the [power] schedule switches
    virtual bool shown() const = 0;                  // the first frame (or line) is out
    virtual uint64_t frames() const { return 0; }
    // A PNG of what is on screen (the fleet's screenshot command); Err when there is no screen.
    virtual Result<std::string> screenshot_png() {
        return Error{ErrorCode::Unsupported, "no screen to capture (" + std::string(mode()) + ")"};
    }
    // Feed state changes since the last turn (the engine has logged them already).
    virtual void status_changed(const std::vector<StatusChange>& changes) { (void)changes; }
    // After the loop: the closing statistics; returns the exit code.
    virtual int close(App& app) = 0;
};

class App {
public:
    // Reads the config, opens the disk cache and starts the fetcher (app/engine.h); the cached
    // content is there before the first turn. Err with the reason when the config is invalid.
    static Result<std::unique_ptr<App>> create(AppOptions options, Platform& platform, int64_t wall);
    ~App();
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    // The loop, until SIGINT/SIGTERM, the duration, or the platform is finished. The exit code.
    int run();

    // One turn of the model: the engine takes what arrived and starts what is due, the show
    // moves on. Returns the feeds' state changes. The loop's first step; tests drive it directly.
    std::vector<StatusChange> advance(double t, int64_t wall);
    void command(Command c, double t, int64_t wall);
    // A control request (a line of JSON, see net/control_socket.h) applied on the main thread;
    // the reply line. {"verb": "alert", "text", "level", "for" (seconds), "id"}, {"verb": "clear",
    // "id"}, {"verb": "next" | "previous" | "pause" | "resume" | "reload"}.
    std::string control(const std::string& request, double t, int64_t wall);

    // The fleet connection as of now (main thread), for the status page; nullopt without [fleet].
    std::optional<net::FleetHealth> fleet_health() const;
    Engine& engine() { return *engine_; }
    const Engine& engine() const { return *engine_; }
    Show& show() { return show_; }
    const Show& show() const { return show_; }
    // The alerts showing now, the most urgent first (as of the last advance()). An emergency
    // holds the show where it is until it ends.
    const std::vector<Alert>& alerts() const { return alerts_; }
    const Config& config() const { return engine_->pipeline().config(); }
    // One line for systemd's STATUS=: feeds ok and failing, stories held.
    std::string status_line() const;
    std::string_view mode() const { return platform_.mode(); }
    Result<std::string> screenshot_png() { return platform_.screenshot_png(); }

private:
    App(AppOptions options, Platform& platform);
    AppOptions opt_;
    Platform& platform_;
    std::unique_ptr<Engine> engine_;
    Show show_;
    std::vector<Alert> alerts_;
    // Control requests from the socket's thread, answered on the main thread.
    struct Pending;
    std::mutex control_mu_;
    std::vector<std::shared_ptr<Pending>> control_inbox_;
    void take_control_requests(double t, int64_t wall);
    std::string timezone_ = "\x01";      // as last applied; no config names this
    std::unique_ptr<FleetAgent> fleet_;  // while run() runs, when [fleet] names a broker
};

// Steady-clock and wall-clock seconds, as the loop passes them around.
double steady_now();
int64_t wall_now();

}  // namespace nk::app
