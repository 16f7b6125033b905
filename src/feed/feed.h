// SPDX-License-Identifier: Apache-2.0
// feed.h: the parsed feed as plain value structs, the parser's only output.
// Text fields are display-ready UTF-8 (tags stripped, entities decoded, whitespace collapsed);
// URLs are absolute where a base was known; dates are Unix seconds (UTC).
// No behaviour here beyond naming formats; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nk {

enum class FeedFormat { Rss20, Rss10, Rss09x, Atom10, Atom03, Json10, Json11 };

// The names used by `newsroom-kiosk parse` ("rss2.0", "rss1.0", "rss0.9x", "atom1.0", "atom0.3",
// "json1.0", "json1.1").
std::string_view format_name(FeedFormat f);

// What the publisher says about how often to poll; the scheduler honours these later.
struct PollingHints {
    std::optional<int> ttl_minutes;               // RSS <ttl>
    std::vector<int> skip_hours;                  // RSS <skipHours>, 0..23 (GMT), sorted, unique
    std::vector<int> skip_days;                   // RSS <skipDays>, 0 = Sunday .. 6, sorted, unique
    std::optional<int64_t> update_period_seconds; // sy:updatePeriod / sy:updateFrequency
};

struct Item {
    std::string id;
    std::string title;
    std::string link;
    std::string summary;                // paragraphs separated by '\n'
    std::optional<int64_t> published;   // falls back to `updated` when the item has no publication date
    std::optional<int64_t> updated;
    std::string author;                 // empty: none
    std::string image;                  // empty: none
    std::vector<std::string> categories;
};

struct Feed {
    FeedFormat format = FeedFormat::Rss20;
    std::string title;
    std::string link;
    std::string description;
    std::string language;
    std::string logo;
    PollingHints hints;
    std::vector<Item> items;            // document order; every entry, whatever it lacks (a title-less
                                        // post, an item with only an enclosure): the store decides
                                        // what it can show
    std::vector<std::string> warnings;  // what was repaired or dropped, one line each
};

}  // namespace nk
