// SPDX-License-Identifier: Apache-2.0
// engine.h: the I/O shell around the pipeline (core/pipeline.h). It reads the config file and
// watches it, owns the Fetcher (whose thread also parses what arrives), the inbox between that
// thread and this one, the disk cache and its writer thread, and answers the embedded demo's
// "demo:" URLs itself. Every decision (what is due, what a reply means, what to keep, what to
// show next) is the pipeline's; the engine only carries bytes between it and the world.
// Threads: everything here is for the main thread, except that the wake callback and fetch()'s
// `done` are invoked from the fetch thread, and the log callback also from the cache-writer
// thread (disk writes never block the main thread after startup).
#pragma once

#include "core/config.h"
#include "core/pipeline.h"
#include "feed/result.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nk::net {
struct FetchRequest;
struct FetchResponse;
}

namespace nk::app {

struct EngineOptions {
    std::filesystem::path config_path;   // empty: found by find_config_path(), else the demo
    // --feed URL (repeatable): just these feeds; the other settings are config_path's when it is
    // given, else the defaults.
    std::vector<std::string> feed_urls;
    std::filesystem::path cache_dir;     // empty: config, else default_cache_dir()
    std::filesystem::path state_dir;     // the last good config; empty: default_state_dir()
    // Config layers from elsewhere (the fleet broker's, as saved at the last run), laid over the
    // file in this order (core/config.h layered_config). Each was checked on its own already.
    std::vector<ConfigLayer> config_layers;
    std::function<void()> wake;          // called from the fetch thread when results arrive
    // One line, no newline; default: app/log.h's log_line. Also called from the cache-writer
    // thread, so it must be thread-safe.
    std::function<void(const std::string&)> log;
};

// --config, else $XDG_CONFIG_HOME/newsroom-kiosk/kiosk.toml (or ~/.config/...), else
// /etc/newsroom-kiosk/kiosk.toml; empty when none exists.
std::filesystem::path find_config_path();

// The embedded demo feeds ("demo:<file>") and its welcome, shown when no feed is configured.
std::vector<FeedConfig> demo_feeds();
std::vector<Announcement> demo_announcements();
std::vector<CalendarConfig> demo_calendars();  // a sample agenda: events every day, in local time

// The machine's time zone as an IANA name ($TZ, else the /etc/localtime link); "" when unknown.
std::string system_time_zone();

class Engine {
public:
    // Reads the config, opens (and locks) the disk cache, restores it, starts the fetcher. Never
    // fails for a bad config: it logs every problem and runs on the last good copy of the file
    // (kept in the state directory), else on the feeds the cache holds, else on the demo.
    static Result<std::unique_ptr<Engine>> create(EngineOptions options, int64_t now);
    ~Engine();

    // Hands finished fetches to the pipeline, reloads the config file when it changed, starts
    // due fetches, passes saves to the cache writer and log lines to the log. Cheap when nothing
    // happened.
    void pump(int64_t now);

    // The next time pump() has work to do on its own (a fetch due, a config check).
    int64_t next_deadline(int64_t now) const;

    // A config from elsewhere than the file (later: a broker), through the pipeline's one door.
    // The result's lines are logged at the next pump().
    ConfigReport apply_config(ConfigParse parsed, std::string_view source, int64_t now);

    // Replaces the layers laid over the config file (the fleet's all, group and screen layers) and
    // applies the file with them at once. Refused like any config with errors: the running one
    // stays. The file's later changes are read with these layers.
    ConfigReport set_config_layers(std::vector<ConfigLayer> layers, int64_t now);
    const std::vector<ConfigLayer>& config_layers() const;

    // Everything shown and reported is read from here; state changes go through the calls above.
    Pipeline& pipeline();
    const Pipeline& pipeline() const;

    // "config error: see journal" while the config file is invalid (and the kiosk runs on what
    // worked before), else "".
    const std::string& config_problem() const;
    // Why cache writes fail (disk full, read-only), else "". The stories stay in memory meanwhile.
    std::string cache_problem() const;

    void fetch_all_now(int64_t now);     // the `r` key
    const std::filesystem::path& config_path() const;
    // Where feeds are cached (images go in a folder there); empty when running without a disk cache.
    std::filesystem::path cache_dir() const;

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

}  // namespace nk::app
