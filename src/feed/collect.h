// SPDX-License-Identifier: Apache-2.0
// collect.h: what every format reader (XML and JSON Feed) does with an item once it has read it:
// the publication date falls back to the update date, an item with neither id nor link gets a
// stable hash id, and the item cap keeps the newest max_items by date (document order where
// dates are missing or equal), decided item by item so that a huge feed never holds more than
// max_items items. Also the author forms every format shares. Internal to src/feed.
// One collector per parse; any thread.
#pragma once

#include "feed/feed.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nk::feed_detail {

class ItemCollector {
public:
    explicit ItemCollector(std::size_t max_items) : max_(max_items) {}

    // Whether the next item would be kept if it had this date (its published date, else its
    // updated date). Readers ask before the costly part (text clean-up) so that items the cap
    // drops cost little; such an item is then passed to skip().
    bool wants(std::optional<int64_t> date) const;
    void skip() { ++seen_; }

    // `date_text` is the date as written; with the title (or, failing that, the summary) it makes
    // the hash id of an item that has neither id nor link, so that id survives edits to the text
    // and other items coming and going.
    void add(Item item, std::string_view date_text);

    // The items kept, in document order. Adds a warning when the cap dropped any.
    std::vector<Item> finish(std::vector<std::string>& warnings);

private:
    // Undated items count as the newest: the store shows them as first seen now, and a feed
    // that dates nothing keeps its first max_items in document order.
    struct Slot {
        Item item;
        int64_t key = 0;        // date, or INT64_MAX when undated
        std::size_t index = 0;  // document order
    };
    static bool better(const Slot& a, const Slot& b) { return a.key > b.key || (a.key == b.key && a.index < b.index); }

    std::size_t max_;
    std::size_t seen_ = 0;
    std::vector<Slot> kept_;  // document order; once full, a heap whose front is the item the cap would drop next
};

// "jane@example.com (Jane Doe)", "Jane Doe (mailto:jane@example.com)", "Jane Doe <jane@example.com>"
// and "mailto:jane@example.com" show as the name (or the bare address when there is no name):
// a lobby screen shows who wrote a story, not how to mail them. Input is display text.
std::string author_name(std::string_view s);

// Hash id for an item with neither id nor link (FNV-1a, hex): "nk:" followed by 16 digits.
std::string hash_id(std::string_view text, std::string_view date_text);

}  // namespace nk::feed_detail
