// SPDX-License-Identifier: Apache-2.0
// pipeline.h: the kiosk's rules as one pure object. A config comes in (from a file today, from a
// broker later) through apply_config, which validates, diffs and reports; take_due says which
// transfers to start; apply_fetch takes what came back; the store and the rotation say what is
// on screen; take_saves says what must reach the disk. The I/O shell around it (app/engine)
// moves bytes between this object, the network, the disk and the screen, and decides nothing.
// Pure C++ with the clock passed in (`now`, Unix seconds): no curl, threads, files or logging;
// what would be logged comes out of take_log(). Main thread only (not thread-safe).
#pragma once

#include "core/announcements.h"
#include "core/config.h"
#include "core/rotation.h"
#include "core/scheduler.h"
#include "core/store.h"
#include "feed/calendar.h"
#include "feed/feed.h"
#include "feed/result.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

struct Validators {
    std::string etag, last_modified;     // exactly as received
};

// A feed as it is kept on disk between runs: its last good entries, its status and validators.
struct CachedFeed {
    std::string url;
    std::vector<Entry> entries;          // each entry's feed_url is `url`
    FeedStatus status;
    std::string etag, last_modified;     // any bytes, kept exactly
};

// A transfer the pipeline wants made.
struct FetchOrder {
    // FeedList: the OPML list the config names by URL; Calendar: a [[calendar]]'s .ics file.
    enum class Kind { Feed, FeedList, Calendar };
    Kind kind = Kind::Feed;
    std::string url;
    std::string etag, last_modified;     // for a conditional GET; empty: unconditional
    int64_t max_body_bytes = 8 << 20;
    bool allow_file = false;             // file:// only for paths the config names itself
    std::string charset;                 // the feed's `encoding` override, for parse_reply
};

// What came back, as plain values: the shell copies the HTTP facts in (no curl types here).
struct FetchReply {
    FetchOrder::Kind kind = FetchOrder::Kind::Feed;
    std::string url;                     // as ordered
    std::string final_url;               // after redirects; the base for relative links
    bool ok = false;                     // 2xx with a body, or 304
    bool not_modified = false;
    int http_status = 0;                 // 0: no HTTP response
    std::string error;                   // transport or HTTP error text when !ok
    std::optional<int64_t> retry_after_seconds;
    std::string etag, last_modified, content_type;
    std::string body;                    // a feed's body until parse_reply; a list's bytes
    std::size_t body_bytes = 0;          // counted before parse_reply drops the body
    std::optional<Result<Feed>> parsed;  // set by parse_reply for a feed's 2xx body
    std::optional<Result<Calendar>> calendar;  // set by parse_reply for a calendar's 2xx body (body kept to be saved)
};

// A calendar's last good .ics file as the disk keeps it, so a restart without network shows
// the same agenda.
struct CachedCalendar {
    std::string url;
    std::string bytes;
    std::string etag, last_modified;
    int64_t fetched = 0;                 // when it was last fetched (or confirmed by a 304)
};

// Parses a feed's 2xx body (with the order's charset override) and drops the bytes; does
// nothing for a feed list, a 304 or an error. Pure; any thread: the engine runs it on the fetch
// thread, so that parsing never holds up a frame.
void parse_reply(FetchReply& reply, std::string_view charset);

// Something the disk must be told.
struct SaveOrder {
    enum class Kind { Feed, FeedList, PurgeExcept, Alerts, Calendar };
    Kind kind = Kind::Feed;
    CachedFeed feed;                     // Feed: write this feed's record
    std::string bytes;                   // FeedList: the OPML list as last fetched, for offline starts
    std::vector<std::string> keep;       // PurgeExcept: delete every cached feed not listed here
    std::vector<Alert> alerts;           // Alerts: the sent alerts (not the config's) to keep over a restart
    CachedCalendar calendar;             // Calendar: its last good file
};

// What apply_config made of a config: refused (errors) or applied, and what changed.
struct ConfigReport {
    bool applied = false;
    std::vector<ConfigIssue> issues;     // as parse_config gave them, warnings included
    std::vector<std::string> added, removed, changed;  // feed URLs, in config order
    std::vector<std::string> tables;     // other settings that changed: "display", "rotation", ...
    std::vector<std::string> next_start; // settings that changed but apply at the next start
    std::string summary;                 // one line for the log
};

struct PipelineOptions {
    // Shown when the config lists no feeds (and no list has brought any yet), so that an empty
    // feed list never means an empty screen: the embedded demo feeds.
    std::vector<FeedConfig> fallback_feeds;
    // Shown with the fallback feeds, and only then: the demo's welcome and sample agenda.
    std::vector<Announcement> fallback_announcements;
    std::vector<CalendarConfig> fallback_calendars;
    // The machine's time zone (an IANA name, found by the shell), for agendas while [display]
    // timezone is empty; "" = UTC.
    std::string system_zone;
    // Whether this pipeline owns the disk cache's feed set: then feeds that leave the config
    // leave the cache too. Off for ad-hoc runs (--feed), which share the cache directory.
    bool manage_cache = true;
    // URLs the shell answers itself (the embedded demo): never saved to disk.
    std::string local_scheme = "demo:";
};

class Pipeline {
public:
    explicit Pipeline(PipelineOptions options = {});

    // The one door for a config, from any source: `source` names it in messages ("kiosk.toml").
    // A parse with errors is refused (the running config stays) and reported; a good one is
    // applied: feeds that stay keep their items, status and timing, new ones are due within
    // seconds, removed ones leave the screen but are kept aside for [cache] purge_after (a day),
    // so that putting one back brings its items back with no fetch; only then do their cache
    // files go (when manage_cache).
    ConfigReport apply_config(ConfigParse parsed, std::string_view source, int64_t now);

    // Startup, after the first apply_config: the saved copy of a feed list fetched by URL, then
    // the cached feeds, so that the first card comes from the disk before any network. Cached
    // feeds the config does not list are kept aside as if just removed.
    void restore_feed_list(std::string_view bytes, int64_t now);
    void restore(std::vector<CachedFeed> cached, int64_t now);
    // Startup: the calendars' last good files; those the config does not list are ignored.
    void restore_calendars(std::vector<CachedCalendar> cached, int64_t now);

    // Transfers to start now, each marked in flight until its reply. The fetcher bounds how many
    // run at once, so every due feed is handed out.
    std::vector<FetchOrder> take_due(int64_t now);
    // A finished transfer, after parse_reply. A feed no longer configured is ignored.
    void apply_fetch(FetchReply reply, int64_t now);
    // Fetch everything now (the `r` key): still politely, see Scheduler::fetch_all_now.
    void fetch_all_now(int64_t now);
    // The next time take_due has anything (a feed or a feed list is due, a removed feed's time to
    // be purged has come); `now + 1 h` when nothing is.
    int64_t next_deadline(int64_t now) const;

    // The next card: a story, or at every [announcements] share-th card one of the owner's
    // cards: an active announcement or a calendar's agenda with something left today
    // (round-robin, never the same one twice in a row, and never two owner cards in a row while
    // there are stories). `local` is `now` in the display's time zone.
    std::optional<Card> next_card(int64_t now, const std::tm& local);
    std::optional<Card> next_card(int64_t now);  // in the process's time zone (core/timefmt.h local_tm)
    std::optional<Card> previous_card();

    // The owner's voice from sources other than the config ("folder", later "fleet"): each
    // call replaces that source's list. The config's own entries come in with apply_config.
    void set_announcements(const std::string& source, std::vector<Announcement> list);
    void set_alerts(const std::string& source, std::vector<Alert> list);
    // An alert sent to the running kiosk (the control socket, later the broker): kept over a
    // restart until it expires. An empty id gets one. Returns the id.
    std::string send_alert(Alert alert, int64_t now);
    // Clears sent alerts: the one with `id`, or all of them when `id` is empty. How many went.
    std::size_t clear_alerts(const std::string& id);
    // Startup: the sent alerts kept by the last run; expired ones are dropped.
    void restore_alerts(std::vector<Alert> alerts, int64_t now);
    // Active alerts, the most urgent first (emergency, warning, info; newest first within one).
    std::vector<Alert> active_alerts(int64_t now, const std::tm& local) const;

    // Outputs since the last call, oldest first.
    std::vector<SaveOrder> take_saves();
    std::vector<StatusChange> take_status_changes();
    std::vector<std::string> take_log();

    const Store& store() const { return store_; }
    const Config& config() const { return config_; }    // as running: feed lists merged, fallback applied
    std::string source_name(const std::string& feed_url) const;
    // When a feed is polled next; nullopt for unknown and gone feeds (Scheduler::next_fetch).
    std::optional<int64_t> next_fetch(const std::string& feed_url) const { return scheduler_.next_fetch(feed_url); }
    // Every configured feed, in config order. Counters survive config changes for the feeds that
    // stay; a feed removed from the config takes its counters with it.
    std::vector<FeedMetrics> feed_metrics() const;

    // Each configured calendar: its state and, at `now`, how many events its card would list
    // (`count_events` false leaves `events` 0 and skips expanding the calendars: for callers that
    // run often, such as the status page of every frame).
    struct CalendarMetrics {
        std::string url, name;
        bool ok = false;                 // a good file is held (its last fetch may have failed since)
        std::string error;               // the last fetch's problem; "" when it worked
        int64_t last_success = 0, next_fetch = 0;
        std::size_t events = 0;          // in the card's window now
    };
    std::vector<CalendarMetrics> calendar_metrics(int64_t now, bool count_events = true) const;

private:
    struct CalendarState {
        CalendarConfig config;
        std::optional<Calendar> calendar;  // the last good file, parsed
        Validators validators;
        int64_t next_fetch = 0, last_success = 0;
        int failures = 0;
        bool in_flight = false;
        std::string error;
        std::string warnings;            // the last file's warnings, as logged (said once per change)
    };
    void configure_calendars(const std::vector<CalendarConfig>& list, int64_t now);
    void apply_calendar(FetchReply& r, int64_t now);
    std::string display_zone() const;

    struct Counters {
        uint64_t fetches = 0, errors = 0, bytes = 0;
    };
    bool compose(int64_t now);           // true when it has just fallen back to the fallback feeds
    void apply_feed(const FetchReply& r, int64_t now);
    void apply_feed_list(const FetchReply& r, int64_t now);
    void report(const std::string& url, const std::string& error);
    void save(const std::string& url);
    CachedFeed cached(const std::string& url) const;  // what the disk keeps of a feed now
    void purge();
    void park_leaving(const Config& next, int64_t now);  // feeds about to leave the store
    void unpark(int64_t now);                            // parked feeds the config lists again
    void expire_parked(int64_t now);
    std::string who(const std::string& url) const;

    Card owner_card(const Announcement& a, const std::string& source) const;
    void save_alerts();

    PipelineOptions opt_;
    Config base_;                        // the last config applied (local lists merged by the shell)
    Config config_;                      // base_ + the remote list's feeds, with the fallback
    Store store_;
    Rotation rotation_;
    Scheduler scheduler_;
    std::map<std::string, Validators> validators_;
    std::map<std::string, std::string> last_error_;  // what was last reported per feed ("" = ok)
    std::map<std::string, Counters> counters_;
    std::map<std::string, CalendarState> calendars_;  // by URL, the enabled ones of the running config
    bool fallback_ = false;              // config_ holds the fallback feeds
    bool configured_ = false;            // a config has been applied

    struct Parked {
        CachedFeed feed;
        int64_t since = 0;                 // when it left the config
    };
    std::map<std::string, Parked> parked_;  // removed feeds within their grace period

    std::vector<FeedConfig> list_feeds_; // from the OPML list named by URL
    Validators list_validators_;
    int64_t next_list_fetch_ = 0;
    bool list_in_flight_ = false;

    // The owner's voice: announcements and alerts by source ("config", "folder", "sent", ...).
    std::map<std::string, std::vector<Announcement>> announcements_;
    std::map<std::string, std::vector<Alert>> alerts_;
    int news_since_owner_ = 0;          // stories shown since the last owner card
    std::string last_owner_;            // source + "/" + id of the last owner card
    uint64_t next_alert_id_ = 1;

    std::vector<SaveOrder> saves_;
    std::vector<StatusChange> changes_;
    std::vector<std::string> log_;
};

}  // namespace nk
