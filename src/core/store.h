// SPDX-License-Identifier: Apache-2.0
// store.h: the items the kiosk can show, per feed, and each feed's status.
// Rules that keep a lobby screen alive: a failed, empty or garbage response never removes a feed's
// last good items and never touches other feeds; items are filtered (max age, keywords, max per
// feed) and deduplicated across feeds (same id, same canonical link, near-identical title);
// undated items get their first-seen time; future dates are clamped (an item's time is never later
// than when it was first seen, so a publisher's bad clock cannot keep pushing it to the top).
// An item needs a title or a summary to be shown: one without a title (a Mastodon post) gets a
// headline from the start of its summary; one with neither is counted, not held.
// Pure, with the clock passed in (`now`, Unix seconds); main thread only (not thread-safe).
#pragma once

#include "core/config.h"
#include "feed/feed.h"

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

struct FeedStatus {
    int64_t last_attempt = 0;              // 0: never
    int64_t last_success = 0;              // a 200 with a feed, or a 304
    int http_status = 0;                   // of the last attempt; 0 for network errors
    std::string error;                     // empty when the last attempt succeeded
    std::size_t item_count = 0;            // items held for this feed
    std::size_t hidden_count = 0;          // items of the last update with nothing to show (no title, no summary)
    int64_t next_fetch = 0;
    std::optional<int64_t> stale_since;    // first failure after the last success
    bool gone = false;                     // 410: polling stopped
    std::string title;                     // the feed's own title (for the badge when no name is set)
};

struct Entry {
    Item item;
    std::string feed_url;
    int64_t first_seen = 0;
    int64_t time = 0;                      // min(published, first_seen), else first_seen; never in the future
    bool breaking = false;                 // title or summary matches a priority keyword
    // The feed gave no title: item.title is the start of its summary (cut at a sentence or a word)
    // and item.summary the rest. Such headlines are not used to tell stories apart ("Good morning!").
    bool headline_from_summary = false;
};

// The longest headline made from a summary, in bytes: what four lines of headline type hold on a
// card at any screen size (about 85 Latin characters; measured on 1080p, where a 120-byte cut
// left the card to cut again and the words between the two cuts were shown nowhere).
inline constexpr std::size_t kDerivedHeadlineBytes = 80;

class Store {
public:
    // The enabled feeds, in config order. Feeds no longer configured are dropped with their items;
    // new ones start empty; those that stay keep their items and status (items that no longer pass
    // the feed's keyword filters or max_items are dropped: they come back with the next fetch).
    void configure(const Config& config);

    // A good response. Returns false and keeps the old items when `feed` holds no item with a title
    // or a summary, or the URL is not configured (the caller records the error). Otherwise the items are replaced: each keeps
    // its first_seen (matched by id, else canonical link), the newest version of an id wins, and
    // the newest max_items that pass the keyword filters are kept.
    bool update(std::string_view feed_url, const Feed& feed, int64_t now);

    // Items and status as loaded from the disk cache at startup (first_seen and time as saved).
    // An empty `entries` keeps what is held; an unknown URL is ignored.
    void restore(std::string_view feed_url, std::vector<Entry> entries, const FeedStatus& status);

    // For an unknown URL, a scratch status whose writes go nowhere.
    FeedStatus& status(std::string_view feed_url);
    const FeedStatus* find_status(std::string_view feed_url) const;
    const std::vector<Entry>& entries(std::string_view feed_url) const;
    std::vector<std::string> feed_urls() const;  // in config order
    std::size_t feed_count() const { return feeds_.size(); }

    // What may be shown now: filters and dedupe applied; per feed (config order), newest first.
    // Of duplicates, the one with the newest time is kept. The pointers are valid until the next
    // non-const call. Linear-ish in the number of held items, and cached between changes.
    std::vector<std::vector<const Entry*>> eligible(int64_t now) const;

    // Changes whenever anything that eligible() depends on changes (not with the clock).
    uint64_t generation() const { return generation_; }

private:
    struct FeedState {
        FeedConfig config;
        FeedStatus status;
        std::vector<Entry> entries;        // newest first, at most config.max_items, keyword filters passed
    };
    // eligible() runs for every card, but its inputs change only with the generation and when the
    // clock carries an item past its feed's max_age; so the dedupe keys are prepared once per
    // generation and the result is kept until the next such boundary.
    struct Candidate {
        uint32_t feed = 0, index = 0;      // feeds_[feed].entries[index]
        std::string id_key, link_key, title_key;  // empty: no such key
        uint32_t tokens_begin = 0, tokens_end = 0;  // into tokens_, rarest first; empty under 4 words
    };
    std::vector<FeedState> feeds_;
    RotationConfig rotation_;
    uint64_t generation_ = 0;
    FeedStatus scratch_status_;            // what status() hands out for an unknown URL
    mutable bool prepared_valid_ = false;
    mutable uint64_t prepared_generation_ = 0;
    mutable std::vector<Candidate> candidates_;  // every held entry, newest first
    mutable std::vector<uint32_t> tokens_;
    mutable const Store* cache_owner_ = nullptr;  // a copied Store must not hand out the original's pointers
    mutable bool cache_valid_ = false;
    mutable uint64_t cache_generation_ = 0;
    mutable int64_t cache_from_ = 0, cache_until_ = 0;  // the cached result holds for now in [from, until)
    mutable std::vector<std::vector<const Entry*>> cache_;
    FeedState* find(std::string_view url);
    const FeedState* find(std::string_view url) const;
    void prepare() const;
    std::size_t set_entries(FeedState& fs, std::vector<Entry> entries);  // returns how many had nothing to show
};

// True when `phrase` (a keyword, or several words) occurs in `text` as whole words, ignoring
// case: ASCII plus Latin-1, Latin Extended-A, Greek and Cyrillic letters. Any other non-ASCII
// byte is part of a word ("café" is one word); typographic quotes and dashes are not.
bool contains_words(std::string_view text, std::string_view phrase);

// A title reduced for comparison: lower-cased as contains_words does, punctuation dropped,
// whitespace collapsed to single spaces.
std::string normalize_title(std::string_view title);

}  // namespace nk
