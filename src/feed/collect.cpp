// SPDX-License-Identifier: Apache-2.0
#include "feed/collect.h"

#include "feed/strings.h"

#include <algorithm>
#include <limits>

namespace nk::feed_detail {
namespace {

constexpr int64_t kUndated = std::numeric_limits<int64_t>::max();

uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ull) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

bool is_address(std::string_view s) {
    return str::istarts_with(s, "mailto:") || (s.find('@') != std::string_view::npos && s.find(' ') == std::string_view::npos);
}

std::string_view without_mailto(std::string_view s) { return str::istarts_with(s, "mailto:") ? s.substr(7) : s; }

}  // namespace

bool ItemCollector::wants(std::optional<int64_t> date) const {
    if (kept_.size() < max_) return true;  // (and at max_, kept_ is a heap)
    if (max_ == 0) return false;
    // A later item ties with an equal date and loses on document order, so only newer wins.
    return date.value_or(kUndated) > kept_.front().key;
}

void ItemCollector::add(Item item, std::string_view date_text) {
    const std::size_t index = seen_++;
    if (!item.published) item.published = item.updated;
    if (item.id.empty()) item.id = item.link;
    if (item.id.empty()) {
        std::string_view text = !item.title.empty() ? std::string_view(item.title) : std::string_view(item.summary);
        // An item with no text at all still needs an id of its own: whatever else it carries.
        std::string extra;
        if (text.empty()) text = extra = item.author + '\x1f' + item.image;
        item.id = hash_id(text, date_text);
    }
    Slot slot{std::move(item), 0, index};
    slot.key = slot.item.published.value_or(kUndated);
    if (kept_.size() < max_) {
        // Kept in document order until the cap is reached: most feeds never get there, and they
        // should not pay for a heap.
        kept_.push_back(std::move(slot));
        if (kept_.size() == max_) std::make_heap(kept_.begin(), kept_.end(), better);
        return;
    }
    if (max_ == 0 || !better(slot, kept_.front())) return;
    std::pop_heap(kept_.begin(), kept_.end(), better);
    kept_.back() = std::move(slot);
    std::push_heap(kept_.begin(), kept_.end(), better);
}

std::vector<Item> ItemCollector::finish(std::vector<std::string>& warnings) {
    if (kept_.size() == max_)  // a heap: back to document order
        std::sort(kept_.begin(), kept_.end(), [](const Slot& a, const Slot& b) { return a.index < b.index; });
    std::vector<Item> out;
    out.reserve(kept_.size());
    for (Slot& s : kept_) out.push_back(std::move(s.item));
    kept_.clear();
    if (seen_ > max_)
        warnings.push_back("kept the newest " + std::to_string(max_) + " of " + std::to_string(seen_) + " items (limit)");
    return out;
}

std::string author_name(std::string_view s) {
    std::string_view v = str::trim(s);
    if (auto open = v.find('('); open != std::string_view::npos && open > 0 && v.back() == ')') {
        std::string_view inside = str::trim(v.substr(open + 1, v.size() - open - 2));
        std::string_view outside = str::trim(v.substr(0, open));
        // Whichever half is not an address is the name: "x@y (Name)" and "Name (mailto:x@y)".
        if (is_address(inside) && !outside.empty() && !is_address(outside)) return std::string(outside);
        if (!inside.empty() && !is_address(inside)) return std::string(inside);
        if (!outside.empty()) return std::string(without_mailto(outside));
    }
    if (auto lt = v.find('<'); lt != std::string_view::npos && lt > 0 && v.back() == '>') {
        std::string_view name = str::trim(v.substr(0, lt));
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
        if (!name.empty()) return std::string(name);
    }
    return std::string(without_mailto(v));
}

std::string hash_id(std::string_view text, std::string_view date_text) {
    uint64_t h = fnv1a(text);
    h = fnv1a(std::string_view("\x1f", 1), h);
    h = fnv1a(date_text, h);
    static constexpr char digits[] = "0123456789abcdef";
    std::string s = "nk:" + std::string(16, '0');
    for (int i = 15; i >= 0; --i, h >>= 4) s[3 + static_cast<size_t>(i)] = digits[h & 15];
    return s;
}

}  // namespace nk::feed_detail
