// fetch_result.h: what one finished fetch does to the kiosk's state, in one place: the feed's
// items (kept on any failure), its status, its validators and its next poll. The Engine calls it
// for real transfers and tests call it for simulated ones, so both run the same rules.
// Pure (no curl types: the caller copies the HTTP facts in); main thread only, like Store.
#pragma once

#include "feed/feed.h"
#include "feed/result.h"
#include "core/scheduler.h"
#include "core/store.h"

#include <cstdint>
#include <optional>
#include <string>

namespace nk {

struct Validators {
    std::string etag, last_modified;  // exactly as received
};

struct FetchResult {
    bool ok = false;                  // 2xx with a body, or 304
    bool not_modified = false;
    int http_status = 0;              // 0: no HTTP response
    std::string error;                // transport or HTTP error text when !ok
    std::optional<int64_t> retry_after_seconds;
    std::string etag, last_modified;
    const Result<Feed>* parsed = nullptr;  // the parsed body of a 2xx, else null
};

// Applies `r` for the feed `url`; returns the feed's error text, "" when the fetch succeeded.
// Does nothing (returns "") for a URL the store no longer holds (removed while in flight).
std::string apply_fetch_result(Store& store, Scheduler& scheduler, Validators& validators, const std::string& url,
                               const FetchResult& r, int64_t now);

}  // namespace nk
