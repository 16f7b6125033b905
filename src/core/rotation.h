// SPDX-License-Identifier: Apache-2.0
// rotation.h: which story is on screen next. Fair order over what the store says may be shown
// (Store::eligible): round-robin across sources, newest first within one, every story once per
// round, breaking news first; plus a card's badge name, colour and reading time.
// Pure, with the clock passed in; main thread only (not thread-safe).
#pragma once

#include "core/config.h"
#include "core/store.h"
#include "feed/calendar.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace nk {

struct Card {
    // A story from a feed, or one of the screen owner's own cards (an announcement, today's
    // agenda). Owner cards reuse the entry: title in item.title, the Markdown body (or the agenda
    // lines) in item.summary, picture and link as a story's; they have no source badge or age.
    enum class Kind { News, Announcement, Agenda };
    Kind kind = Kind::News;
    Entry entry;                           // a copy: the store may change while the card is shown
    std::string source;                    // feed name from the config, else the feed's title, else its host; "" for owner cards
    std::string color;                     // "#rrggbb": the configured colour, else a palette colour by position
    double dwell_seconds = 0;
    // Agenda cards only: what is on from `agenda_at` to the end of the calendar's horizon, by
    // start (at most [[calendar]] max_events). An item with start <= agenda_at is on now; the
    // first one after that is next. Times are Unix seconds; local_start/local_end are the
    // display zone's wall clock. entry.item.title is the calendar's name on the card.
    std::vector<AgendaItem> agenda;
    int64_t agenda_at = 0;
};

// Fair order over the eligible items: round-robin across sources (smooth weighted round-robin
// when configured), newest first within a source; every item is shown before any repeats (a
// round; weights shape the order within it); never the same item twice in a row, unless it is
// the only eligible one; a breaking item jumps the queue once, and is shown longer whenever shown.
// Main thread only.
class Rotation {
public:
    // nullopt only when nothing is eligible. After previous(), steps forward through the history
    // first.
    std::optional<Card> next(const Store& store, const Config& config, int64_t now);
    std::optional<Card> previous();        // back through what was shown, up to 50 cards; nullopt at the oldest

private:
    // Lookups by string_view, so that asking "shown yet?" for every scanned item allocates nothing.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    using IdSet = std::unordered_set<std::string, Hash, std::equal_to<>>;
    using PerFeed = std::unordered_map<std::string, IdSet, Hash, std::equal_to<>>;  // feed URL -> item ids
    static bool contains(const PerFeed& set, const Entry& e);
    static void insert(PerFeed& set, const Entry& e);

    PerFeed shown_this_round_;
    PerFeed breaking_done_;
    std::vector<Card> history_;            // oldest first; history_.back() is the newest card taken
    std::size_t back_ = 0;                 // how far previous() has stepped back from the newest
    std::string last_source_;              // round-robin position by URL, so feed churn cannot shift it
    std::size_t last_source_index_ = static_cast<std::size_t>(-1);  // fallback when that feed is gone
    std::unordered_map<std::string, double, Hash, std::equal_to<>> credit_;  // smooth weighted round-robin
    // Per source, how many of its eligible items, from the newest, are known to be shown this
    // round; valid while the store's generation and that source's list stay the same. Saves
    // asking the shown set about the same items at every card (a round would be quadratic).
    const Store* lists_store_ = nullptr;
    uint64_t lists_generation_ = 0;
    std::vector<std::vector<const Entry*>> lists_;
    std::vector<std::size_t> shown_prefix_;
};

// Reading time of a card: words / words_per_minute, clamped to [min, max] dwell.
double dwell_seconds(const Item& item, const RotationConfig& rotation);

// The badge name of a feed: its configured name, else its own title, else its host.
std::string feed_source_name(const Store& store, const Config& config, std::string_view feed_url);
// The feed's colour ("#rrggbb"): configured, else a palette colour by its position in the config
// (`fallback_index` for a URL not in the config, e.g. an OPML-only feed).
std::string feed_color(const Config& config, std::string_view feed_url, std::size_t fallback_index);

}  // namespace nk
