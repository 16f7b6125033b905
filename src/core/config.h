// SPDX-License-Identifier: Apache-2.0
// config.h: the kiosk's settings, read from TOML (toml++) or from an OPML feed list.
// Every setting has a default, so an empty file is a valid config. Problems are reported as
// values with file, line, column and key; unknown keys are warnings that name the nearest known
// key. Pure: text in, values out (reading files is the caller's job); any thread.
// assets/kiosk.example.toml documents every key; tests/test_config.cpp keeps it in step with this.
#pragma once

#include "core/announcements.h"
#include "feed/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nk {

struct FeedConfig {
    std::string url;                      // http(s)://, or file:// (only for paths named in the config)
    std::string name;                     // shown on the source badge; default: the feed's own title
    std::string color;                    // "#rrggbb"; default: picked from a palette by position
    std::optional<int> refresh_minutes;   // default: [fetch].interval_minutes
    int max_items = 20;                   // newest kept from this feed
    std::optional<int64_t> max_age_seconds;  // "max_age" in the file: "36h", "2d", "90m" or seconds
    std::vector<std::string> include;     // keywords; when set, only items matching one are shown
    std::vector<std::string> exclude;     // keywords; items matching one are hidden
    std::string encoding;                 // charset override for publishers that lie
    double weight = 1.0;                  // share in the interleave (with [rotation].weighted)
    bool enabled = true;

    bool operator==(const FeedConfig&) const = default;
};

struct FetchConfig {
    int interval_minutes = 10;
    int max_parallel = 6;
    int max_per_host = 2;
    int connect_timeout_seconds = 10;
    int timeout_seconds = 30;
    int low_speed_bytes_per_second = 100;  // slower than this ...
    int low_speed_seconds = 20;            // ... for this long aborts the transfer
    int64_t max_body_bytes = 8 << 20;      // counted on decoded bytes
    int max_redirects = 5;
    int backoff_max_minutes = 240;
    std::string ca_path;                   // empty: the system store
    std::string proxy;                     // empty: the environment (http_proxy, ...)
    std::string user_agent;                // empty: "newsroom-kiosk/VERSION (+url)"

    bool operator==(const FetchConfig&) const = default;
};

struct RotationConfig {
    double words_per_minute = 200;         // reading speed for the dwell time
    double min_dwell_seconds = 8;
    double max_dwell_seconds = 25;
    bool weighted = false;                 // interleave by feed weight instead of plain round-robin
    std::vector<std::string> priority_keywords;  // a match is "breaking": shown next, once, longer
    double breaking_dwell_factor = 1.5;
    bool dedupe = true;

    bool operator==(const RotationConfig&) const = default;
};

struct CacheConfig {
    std::string dir;                       // empty: $CACHE_DIRECTORY, else $XDG_CACHE_HOME/newsroom-kiosk
    int64_t max_bytes = 32 << 20;
    // A feed that leaves the config keeps its cached items this long ("purge_after" in the file), so
    // that an edit undone within the day costs no fetch and loses nothing.
    int64_t purge_after_seconds = 86400;

    bool operator==(const CacheConfig&) const = default;
};

// Read by the display (issue 4); declared here so the file is validated as a whole.
struct DisplayConfig {
    std::string mode = "cards";            // cards | list | ticker
    bool ticker = false;
    double ticker_speed = 120;             // px/s
    std::string theme = "dark";            // dark | light
    std::string language;                  // BCP 47 ("de", "pt-BR", "ar-EG"); empty: the system locale's
    std::string clock_format;              // strftime format; empty: the language's own (CLDR)
    std::string clock_hours = "locale";    // locale | 12 | 24: for the language's own clock format
    std::string date_format;               // strftime format; empty: the language's own (CLDR)
    std::string timezone;                  // empty: the system's
    std::string transition = "fade";       // fade | slide | none
    int transition_ms = 600;
    double safe_area = 0.03;               // fraction of the screen kept clear for overscan
    bool pixel_shift = false;
    bool qr = true;
    bool status_page = false;
    std::string monitor;                   // index or name; empty: the primary
    std::string title = "newsroom-kiosk";
    std::string logo;                      // image path
    int max_fps = 60;                      // ceiling for every animation
    int transition_fps = 15;
    int ticker_fps = 60;
    std::string renderer = "auto";         // auto | gl3 | gl2

    bool operator==(const DisplayConfig&) const = default;
};

// The optional HTTP status listener (net/status_server.h): /healthz, /status.json, /metrics.
struct HealthConfig {
    std::string listen;                    // "HOST:PORT" (see parse_listen_address); "" = off
    int stale_after_minutes = 60;          // /healthz fails when no feed has succeeded for this long

    bool operator==(const HealthConfig&) const = default;
};

// When the screen is off, in the display's local time ([display].timezone). Read through
// core/power.h by the kiosk and by `newsroom-kiosk power-state`, which the platform's screen
// switcher calls, so both follow one schedule.
struct PowerConfig {
    std::optional<int> off;                // minutes after local midnight the screen goes off ...
    std::optional<int> on;                 // ... and comes back on; both set or neither
    uint8_t days_off = 0;                  // bit N: off all day on weekday N (std::tm::tm_wday, 0 = Sunday)

    bool operator==(const PowerConfig&) const = default;
};

// [announcements]: where staff drop announcement files, and how often they come round.
struct AnnouncementsConfig {
    std::string dir;                       // a folder of announcement files (Markdown with front matter); "" = none
    int share = 4;                         // one card in `share` (2..100) is the owner's (an announcement or the agenda)

    bool operator==(const AnnouncementsConfig&) const = default;
};

// [[calendar]]: an iCalendar (.ics) file whose events make today's agenda card.
struct CalendarConfig {
    std::string id;                        // names it in the log: "calendar[N]"
    std::string url;                       // http(s):// or file:// (a path in the file is read as file://)
    std::string name;                      // the card's title; "" = the calendar's own name, else "Today"
    int refresh_minutes = 15;              // how often it is fetched (conditional GET)
    int64_t horizon_seconds = 0;           // how far ahead the card looks; 0 = to the end of today
    int max_events = 6;                    // rows on the card
    bool enabled = true;

    bool operator==(const CalendarConfig&) const = default;
};

// [fleet]: many screens configured and alerted from one place through an MQTT broker
// (net/fleet_client.h). Off while broker is empty.
struct FleetConfig {
    std::string broker;                    // "mqtts://host[:8883]", or "mqtt://" to a broker on this machine only
    std::string screen;                    // this screen's id; "" = the host name
    std::vector<std::string> groups;       // the groups it belongs to ("lobby", "building-a")
    std::string username;                  // "" = none
    std::string password_file;             // a file whose first line is the password (never the password itself)
    std::string ca_file;                   // the CA to trust for mqtts://; "" = the system store
    std::string cert_file, key_file;       // a client certificate instead of (or with) a password
    std::string topic_prefix = "newsroom-kiosk";

    bool operator==(const FleetConfig&) const = default;
};

struct Config {
    std::vector<FeedConfig> feeds;
    std::string opml;                      // path or URL of an OPML feed list, merged into feeds
    FetchConfig fetch;
    RotationConfig rotation;
    CacheConfig cache;
    DisplayConfig display;
    HealthConfig health;
    PowerConfig power;
    AnnouncementsConfig announcement_options;
    std::vector<Announcement> announcements;  // [[announcement]]
    std::vector<Alert> alerts;                // [[alert]]
    std::vector<CalendarConfig> calendars;    // [[calendar]]
    FleetConfig fleet;

    bool operator==(const Config&) const = default;
};

// A config (or a local OPML list) larger than this is a mistake (a log file, a device), and is
// refused before it is read whole.
inline constexpr int64_t kMaxConfigFileBytes = 4 << 20;

struct ConfigIssue {
    std::string file;
    int line = 0;       // 1-based; 0 when the problem has no place (e.g. a file too large to read)
    int column = 0;
    std::string key;    // dotted path, e.g. "feed[2].url" or "fetch.timeout_seconds"; indexes count
                        // from 1, as people count entries in a file; "" for a TOML syntax error
    std::string message;
    bool warning = false;
};

// "file:line:column: key: message" (with "warning: " before the message for warnings);
// "file: key: message" when the line is 0, and no "key: " when the key is empty.
std::string format_issue(const ConfigIssue& issue);

struct ConfigParse {
    Config config;                         // defaults where the file was silent or wrong
    std::vector<ConfigIssue> issues;       // in file order
    bool has_errors() const;
};

// Appends the feeds of `more` whose URL `to` does not list yet (a config's own entry wins over a
// list's entry for the same feed).
void add_feeds(std::vector<FeedConfig>& to, const std::vector<FeedConfig>& more);

// A wrong value is an error and leaves that setting at its default; a [[feed]] whose url is
// missing or unusable is dropped, and so is a later feed with the same url (a warning).
// An empty file, or one with no feeds and no opml, is valid: the app then shows the demo.
ConfigParse parse_config(std::string_view toml_text, std::string_view file_name);

// A config in layers: the local file first, then fragments from elsewhere (the fleet's all,
// group and screen layers), each a TOML text valid on its own (check it with parse_config
// first: a refused layer is left out by the caller). Tables merge key by key; a key a later layer
// sets replaces the earlier value whole (an array of [[feed]] entries is one value: a layer that
// lists feeds replaces the feed list). The result is parsed as one config named `name`.
struct ConfigLayer {
    std::string name;                      // in messages, e.g. "fleet group/lobby"
    std::string text;
};
ConfigParse layered_config(std::string_view base_text, std::string_view base_name, const std::vector<ConfigLayer>& layers);

// An announcement file of the drop folder: an optional front-matter block of TOML between
// "+++" (or "---") lines, then the Markdown body. With `level` in the front matter it is an
// alert (its text: `text`, else the body); else an announcement (its title: `title`, else the
// body's first line when it is a "# heading", else the file name without extension). The same
// keys as [[announcement]] and [[alert]]; problems carry the file name and line.
struct DropFile {
    std::optional<Announcement> announcement;
    std::optional<Alert> alert;
    std::vector<ConfigIssue> issues;
    bool has_errors() const;
};
DropFile parse_drop_file(std::string_view text, std::string_view file_name);

// "90m", "36h", "2d", "1w", "1h 30m", "45s" or a bare number of seconds ("3600"); nullopt for
// anything else, including overflow. 0 is returned as 0: callers decide whether it is allowed.
std::optional<int64_t> parse_duration_seconds(std::string_view text);

// "mqtts://host[:port]" (8883 by default) or "mqtt://host[:port]" (1883); IPv6 in brackets.
struct BrokerAddress {
    std::string host;                      // as written, without brackets
    uint16_t port = 0;
    bool tls = false;                      // mqtts://
    bool loopback = false;                 // localhost, 127.0.0.0/8 or ::1: clear text is allowed there
};
std::optional<BrokerAddress> parse_broker(std::string_view url);

struct ListenAddress {
    std::string host;                      // a numeric IPv4 or IPv6 address (no brackets)
    uint16_t port = 0;                     // 0: any free port (tests; the config refuses it)

    bool operator==(const ListenAddress&) const = default;
};

// "127.0.0.1:8089", "0.0.0.0:8089" (every interface), "[::1]:8089", "localhost:8089", or ":8089"
// which means 127.0.0.1: a status page is local unless someone decides otherwise. Host names
// other than localhost are refused (binding must not depend on DNS). Err(InvalidInput) with a
// message that completes "--health: ..." or "health.listen: ...".
Result<ListenAddress> parse_listen_address(std::string_view text);

// Every key parse_config knows, dotted as in the file with "feed." for [[feed]] entries:
// "opml", "feed.url", ..., "fetch.interval_minutes", ..., "display.max_fps", "health.listen",
// ..., "power.days_off", grouped by table.
// The tests use it to check that assets/kiosk.example.toml documents every one.
const std::vector<std::string>& config_keys();

// OPML 1.0/2.0 (as exported by feed readers): every outline with an xmlUrl, nested folders
// flattened, title/text as the name. Only http(s) URLs are taken ("feed://" is read as http://):
// a list fetched from elsewhere must not point the kiosk at local files. Repeated URLs are kept
// once. Names are valid UTF-8 (stray Latin-1 bytes are read as Latin-1). Err(InvalidInput)
// when the bytes are not well-formed XML or the root is not <opml>; Err(TooLarge) over 16 MiB.
Result<std::vector<FeedConfig>> parse_opml(std::string_view bytes);

}  // namespace nk
