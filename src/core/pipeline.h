// pipeline.h: the kiosk's rules as one pure object: apply a config, say which feeds are due,
// apply a fetch result, keep the store and the rotation, say what must be saved.
// Pure C++ with the clock passed in (`now`, Unix seconds): no curl, threads or file I/O.
// Main thread only (not thread-safe).
#pragma once

#include "core/store.h"

#include <cstdint>
#include <optional>
#include <string>

namespace nk {

// What the kiosk logs and the status page shows when a feed changes state.
struct StatusChange {
    std::string feed_url;
    std::string source;
    bool ok = false;                     // recovered (true) or failing (false)
    std::string message;
};

// One feed's state and its counters since the process started, for the status page and the
// health listener (net/status_server.h). A copy: safe to hand to another thread.
struct FeedMetrics {
    std::string url;
    std::string name;                    // as on the badge (feed_source_name)
    FeedStatus status;                   // last attempt/success, HTTP status, error, items, stale_since, gone
    std::optional<int64_t> next_fetch;   // from the scheduler; nullopt when gone (410)
    uint64_t fetches = 0;                // responses applied, any outcome (304s and errors included)
    uint64_t errors = 0;                 // of those, the ones that left the feed in error
    uint64_t bytes = 0;                  // body bytes received, after decompression
};

}  // namespace nk
