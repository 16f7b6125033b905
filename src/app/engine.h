// engine.h: the kiosk without a window. Owns config, store, rotation, scheduler and disk cache on
// the main thread; the Fetcher's thread parses finished transfers and hands them over through an
// inbox. The display (issue 4) and `--headless` drive the same Engine: call pump() whenever woken
// or at next_deadline(); read cards and statuses from it.
// Everything here is main-thread only, except that the wake callback and fetch()'s `done` are
// invoked from the fetch thread and the log callback also from the cache-writer thread (disk
// writes never block the main thread after startup).
#pragma once

#include "core/config.h"
#include "core/fetch_result.h"
#include "core/pipeline.h"
#include "feed/feed.h"
#include "feed/result.h"
#include "core/rotation.h"
#include "core/store.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nk::net {
struct FetchRequest;
struct FetchResponse;
struct HealthSnapshot;
}

namespace nk::app {

using nk::FeedMetrics;
using nk::StatusChange;

struct EngineOptions {
    std::filesystem::path config_path;   // empty: found by find_config_path(), else the demo
    std::vector<std::string> feed_urls;  // --feed URL (repeatable): just these, other settings default
    std::filesystem::path cache_dir;     // empty: config, else default_cache_dir()
    std::function<void()> wake;          // called from the fetch thread when results arrive
    // One line, no newline; default stderr. Also called from the cache-writer thread, so it
    // must be thread-safe.
    std::function<void(const std::string&)> log;
};

// The HTTP facts of a finished transfer, for apply_fetch_result (also used by simulations).
FetchResult to_result(const net::FetchResponse& response, const std::optional<Result<Feed>>& parsed);

// --config, else $XDG_CONFIG_HOME/newsroom-kiosk/kiosk.toml (or ~/.config/...), else
// /etc/newsroom-kiosk/kiosk.toml; empty when none exists.
std::filesystem::path find_config_path();

class Engine {
public:
    static Result<std::unique_ptr<Engine>> create(EngineOptions options, int64_t now);
    ~Engine();

    // Takes finished fetches from the inbox, applies them, starts due fetches, reloads the
    // config when its file changed. Cheap when nothing happened.
    void pump(int64_t now);

    // The next time pump() has work to do on its own (a fetch due, a config check).
    int64_t next_deadline(int64_t now) const;

    std::optional<Card> next_card(int64_t now);
    std::optional<Card> previous_card();

    // Every configured feed, in config order. Counters survive config reloads for the feeds that
    // stay; a feed removed from the config takes its counters with it.
    std::vector<FeedMetrics> feed_metrics() const;

    // Feed state changes since the last call (error, recovery), oldest first.
    std::vector<StatusChange> take_status_changes();

    const Store& store() const;
    const Config& config() const;
    std::string source_name(const std::string& feed_url) const;
    const std::filesystem::path& config_path() const;
    // Where feeds are cached (images go in a folder there); empty when running without a disk cache.
    std::filesystem::path cache_dir() const;
    void fetch_all_now(int64_t now);     // the `r` key

    // A transfer that is not a feed (images), through the same Fetcher: its limits, host caps,
    // proxy and User-Agent. The request's id is replaced; `done` runs on the fetch thread, so it
    // must be quick and thread-safe. A request still queued or running when the Engine is
    // destroyed gets no call at all: never wait for `done` without a bound.
    void fetch(net::FetchRequest request, std::function<void(net::FetchResponse&&)> done);

private:
    struct Impl;
    explicit Engine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Main thread: the engine's part of what the status listener (net/status_server.h) shows: the
// feeds, the time and the staleness limit. Here, not in net, because net does not know the Engine.
net::HealthSnapshot health_snapshot(const Engine& engine, int64_t wall_now);

}  // namespace nk::app
