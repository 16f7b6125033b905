// SPDX-License-Identifier: Apache-2.0
// scheduler.h: when each feed is fetched next, politely.
// Per-feed interval (default 10 min); a feed's <ttl> may only lengthen it; skipHours/skipDays
// honoured; deterministic per-feed jitter so feeds never all go in the same second; exponential
// backoff with a cap on errors; Retry-After on 429/503; long waits after 401/403; 410 stops.
// Pure, clock passed in; main thread only.
//
// The rules, in seconds. J(d) = min(d / 10, 60) is the jitter span of a delay d; jitter(url, d)
// is a fixed per-feed offset in [-J, +J] and late_jitter(url, d) one in [0, J], both from a hash
// of the URL, so a feed keeps its phase across restarts and two feeds rarely share one.
//   interval   refresh_minutes, else [fetch].interval_minutes, else 600. The feed's <ttl> and
//              sy:updatePeriod only lengthen it, and only up to 24 h (a silly ttl must not
//              freeze a feed).
//   200, 304   failures reset; next = now + interval + jitter(interval).
//   errors     the k-th failure in a row (network, HTTP, parse) waits 60 * 2^(k-1), capped at
//              [fetch].backoff_max_minutes, + jitter. The interval is neither floor nor cap:
//              the first retries come sooner than a regular poll, later ones much later.
//   floors     404: 30 min; 401/403: 1 h; 429 without Retry-After: 15 min; Retry-After on any
//              HTTP error: honoured, up to 24 h. A floor that beats the backoff gets late_jitter,
//              so it is never cut short.
//   410        gone: never due again, not even by fetch_all_now, until the feed leaves the
//              config and comes back (a config reload that keeps the URL keeps it gone).
//   skip       a time in a skipHours hour or skipDays day (GMT) moves to the start of the next
//              allowed hour + late_jitter(3600). All 24 hours (or all 7 days) skipped: that hint
//              is ignored, so a feed never stops forever. Applies to retries too.
//   new feeds  the k-th new feed of a configure() call is due at now + k / max_parallel, so at
//              most max_parallel first fetches share a second.
//   own        every failure (no connection, DNS, TLS, timeout, HTTP error, unparseable
//              body) counts towards the feed's own backoff, and only the feed's own success
//              resets it: another feed's success says nothing about a dead host.
//   rate       at most max_parallel feeds are taken per second in all, whatever is due: a
//              clock stepped forward by NTP (a Pi has no RTC) or the `r` key cannot start a
//              burst of requests.
#pragma once

#include "core/config.h"
#include "feed/feed.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nk {

struct FetchOutcome {
    enum class Kind { Ok, NotModified, HttpError, NetworkError, ParseError };
    Kind kind = Kind::Ok;
    int http_status = 0;
    std::optional<int64_t> retry_after_seconds;  // from a Retry-After header, already relative
};

class Scheduler {
public:
    // Keeps the timing and failure state of feeds whose URL stays; new feeds are due soon
    // (spread over a few seconds), removed and disabled ones are forgotten, a URL listed twice
    // is scheduled once. A healthy feed whose interval changed is due no later than
    // now + its new interval.
    void configure(const Config& config, int64_t now);

    // At startup, after configure(): the next fetch saved before the last exit, so a kiosk
    // that restarts (or crash-loops) does not refetch everything at once. Never moves a feed
    // later than now + max(interval, backoff cap, 24 h), nor earlier than configure() put it.
    void restore(const std::string& url, int64_t next_fetch, int64_t now);

    // Feeds due at `now`, earliest first (config order on ties), marked in flight until
    // on_result. At most `limit` at once, and at most max_parallel in any one second of `now`
    // (next_deadline then points at the next second). If the clock went backwards since a feed was
    // scheduled, its remaining wait is kept rather than the absolute time.
    std::vector<std::string> take_due(int64_t now, std::size_t limit);

    // Records what a fetch returned and schedules the next one. `hints` only for Ok responses
    // (nullptr keeps the previous ones; a 304 keeps them too). Unknown URLs are ignored.
    void on_result(const std::string& url, const FetchOutcome& outcome, const PollingHints* hints, int64_t now);

    // Fetch everything now (the `r` key), still one per feed at a time. Not gone feeds, and not
    // feeds the server told to wait (Retry-After, 429, 401/403) until that wait is over.
    void fetch_all_now(int64_t now);

    // The earliest next fetch among feeds not in flight and not gone; nullopt when none.
    std::optional<int64_t> next_deadline() const;
    // nullopt for unknown and gone feeds; for a feed in flight, the time it became due.
    std::optional<int64_t> next_fetch(const std::string& url) const;
    bool gone(const std::string& url) const;
    // Feeds tracked: the configured, enabled, distinct URLs (gone ones included).
    std::size_t size() const { return feeds_.size(); }

    // The per-feed offsets of the jitter scheme above (public so the scheme can be checked).
    static int64_t jitter(std::string_view url, int64_t delay);       // in [-J(delay), +J(delay)]
    static int64_t late_jitter(std::string_view url, int64_t delay);  // in [0, J(delay)]

private:
    struct State {
        std::string url;
        uint64_t hash = 0;            // of the URL, for the jitter
        int64_t base = 600;           // configured interval, before hints
        int64_t next = 0;
        int64_t scheduled_at = 0;     // `now` when `next` was set, to notice the clock going back
        int64_t hold_until = 0;       // a wait the server asked for; fetch_all_now keeps it
        int failures = 0;             // in a row
        bool in_flight = false;
        bool gone = false;
        PollingHints hints;
    };
    State* find(const std::string& url);
    const State* find(const std::string& url) const;
    int64_t interval(const State& s) const;
    int64_t regular_next(const State& s, int64_t now) const;

    std::vector<State> feeds_;
    int64_t backoff_max_ = 4 * 3600;
    int64_t starts_per_second_ = 6;
    int64_t budget_second_ = INT64_MIN;  // the second take_due last handed out feeds in
    int64_t budget_used_ = 0;             // how many it handed out then
};

}  // namespace nk
