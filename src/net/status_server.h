// SPDX-License-Identifier: Apache-2.0
// status_server.h: the optional status listener, so an admin can see from a desk (or a monitoring
// system) that a screen is alive: GET /healthz (200 "ok" while the main loop runs and some feed
// succeeded lately, else 503 and the reason), GET /status.json (every feed's state, the loop and
// frame counters) and GET /metrics (Prometheus text format 0.0.4). Nothing else: other methods get
// 405, other paths 404, malformed requests 400. Off unless `--health ADDR:PORT` or [health] listen
// is set; binds 127.0.0.1 unless told otherwise.
// Depends on core values, libmicrohttpd and nlohmann_json only: never on app/, ui/, ImGui or GLFW
// (tests/test_layering.cpp), so the engine's part of a snapshot is filled in app (health_snapshot()
// in app/engine.h).
// Threads: libmicrohttpd answers on its own thread (poll(), with limits on connections in all and
// per client address, and an idle timeout), so no number of slow or silent clients holds up a
// probe. The main thread hands it state with publish(), which only swaps a shared_ptr under a
// mutex: the render loop never waits for a client. start(), start_for(), publish_due(), publish()
// and the destructor (which stops the daemon and joins its thread) are for the owning (main)
// thread; port() and connections() for any thread.
#pragma once

#include "core/config.h"
#include "core/pipeline.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nk::net {

// The fleet connection ([fleet], app/fleet.h), for /status.json and /metrics.
struct FleetHealth {
    bool connected = false;
    std::string broker;                  // as configured (no credentials are ever in it)
    std::string screen;
    std::vector<std::string> groups;
    int64_t since = 0;                   // Unix seconds connected since; 0 while not connected
    std::string problem;                 // why it is not connected, else ""
    std::string last_error;              // the last message refused, with its reason, else ""
    std::string config_revision;         // of the remote layers applied; "" for none
};

// What the main loop knows, taken on the main thread and read on the server thread (immutable
// once published). The App's loop (app/app.h) fills it.
struct HealthSnapshot {
    std::vector<FeedMetrics> feeds;      // every configured feed, in config order
    int64_t wall_time = 0;               // Unix seconds when taken
    int64_t stale_after_seconds = 3600;  // [health] stale_after_minutes, from the running config
    std::string mode = "headless";       // "headless" or "display"
    int64_t started_at = 0;              // Unix seconds the loop started
    uint64_t loops = 0;                  // main loop iterations so far
    uint64_t frames = 0;                 // frames rendered so far (always 0 headless)
    std::optional<bool> screen_on;       // the power schedule's verdict; nullopt: no screen (headless)
    std::string config_problem;          // "" or why the config file is not the running config
    std::string cache_problem;           // "" or why the disk cache cannot be written
    std::optional<FleetHealth> fleet;    // nullopt: no [fleet] broker configured
};

struct HealthOptions {
    std::string listen;                  // "HOST:PORT" as parse_listen_address() reads it; port 0: any free port
    // One line, no newline. Called from start() and, rarely (limits reached, out of file
    // descriptors; each kind of message at most once a minute), the server thread.
    std::function<void(const std::string&)> log;
    // /healthz fails when publish() has not been called for this long: the loop is stuck.
    std::chrono::milliseconds max_silence{30000};
    // Connections open at once, from all clients together; lowered at start() when the process's
    // file descriptor limit leaves too little room for the rest of the kiosk. Why these defaults:
    // status_server.cpp.
    std::size_t max_clients = 512;
    // From one client address (0: no limit). Unset: 16 when listening beyond loopback, and none on a
    // loopback address, where every client is this machine and one address tells none apart
    // (there, a local agent that leaked connections would lock the local monitor out).
    std::optional<std::size_t> max_clients_per_ip;
    // A connection that sends nothing (or takes no answer) for this long is closed. Whole seconds:
    // libmicrohttpd counts no finer.
    std::chrono::seconds client_timeout{3};
    // Tests pin the clocks so that bodies with times in them are reproducible byte for byte;
    // empty: the real clocks. Called on the server thread and in publish().
    std::function<int64_t()> wall_clock;  // Unix seconds
    std::function<std::chrono::steady_clock::time_point()> steady_clock;
};

class HealthServer {
public:
    // Binds, logs "health: listening on http://HOST:PORT/" and starts the daemon. nullptr, after
    // logging one clear line, when the address is invalid or cannot be bound (in use, no
    // permission): the kiosk then runs on without the listener.
    static std::unique_ptr<HealthServer> start(HealthOptions options);
    // The listen address from the command line if given, else [health] listen of the running
    // config; nullptr (nothing logged) when both are empty.
    static std::unique_ptr<HealthServer> start_for(const std::string& command_line_listen, const Config& config,
                                                   std::function<void(const std::string&)> log);
    ~HealthServer();
    HealthServer(const HealthServer&) = delete;
    HealthServer& operator=(const HealthServer&) = delete;

    uint16_t port() const;               // the bound port (useful with port 0)
    // Connections the daemon holds now (any thread; libmicrohttpd reads its counter unlocked, so it
    // may be a moment old): tests see that a crowd is really in, not waiting in the backlog.
    std::size_t connections() const;

    // True when the last publish() is at least a second old (or there was none): building a
    // snapshot copies every feed's status, which a 60 fps loop need not do every frame.
    bool publish_due() const;
    void publish(HealthSnapshot snapshot);

private:
    struct Impl;
    explicit HealthServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The answers, as pure functions of what was published, so they can be checked without sockets.
struct HealthReply {
    int status = 200;
    std::string content_type;
    std::string body;
};
struct HealthView {
    const HealthSnapshot* snapshot = nullptr;  // null: nothing published yet
    double silence_seconds = 0;                // since the last publish()
    double max_silence_seconds = 30;
    int64_t wall_now = 0;                      // Unix seconds at the request
};
HealthReply health_reply(std::string_view path, const HealthView& view);  // /healthz, /status.json, /metrics; else 404

// A Prometheus label value: backslash, double quote and newline escaped.
std::string prometheus_label(std::string_view value);

}  // namespace nk::net
