// SPDX-License-Identifier: Apache-2.0
#include "core/rotation.h"

#include "feed/strings.h"
#include "feed/url.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace nk {
namespace {

// [SECTION] Rotation helpers

// Readable behind white text, and far enough apart to tell sources by colour alone.
constexpr std::array<std::string_view, 8> kPalette{"#b03a2e", "#1f618d", "#1e8449", "#9c640c",
                                                   "#6c3483", "#117a65", "#a0306e", "#5d6d7e"};

std::string_view item_key(const Entry& e) {
    if (!e.item.id.empty()) return e.item.id;
    if (!e.item.link.empty()) return e.item.link;
    return e.item.title;
}

bool same_item(const Entry& a, const Entry& b) { return a.feed_url == b.feed_url && item_key(a) == item_key(b); }

// What "the card just shown" is compared with, so that the same story from another feed does
// not follow itself even when dedupe is off or has just swapped which copy is eligible.
struct LastShown {
    const Entry* entry = nullptr;
    std::string link, title;
    explicit LastShown(const Entry* e) : entry(e) {
        if (!e) return;
        link = url::canonical_link(e->item.link);
        if (!e->headline_from_summary) title = normalize_title(e->item.title);
    }
    bool same_story(const Entry& e) const {
        if (!entry) return false;
        if (same_item(e, *entry)) return true;
        if (!e.item.id.empty() && e.item.id == entry->item.id && e.item.id.find(':') != std::string::npos) return true;
        if (!link.empty() && !e.item.link.empty() && url::canonical_link(e.item.link) == link) return true;
        return !title.empty() && !e.headline_from_summary && normalize_title(e.item.title) == title;
    }
};

std::size_t count_words(std::string_view s) {
    std::size_t n = 0;
    bool in_word = false;
    for (char c : s) {
        bool space = str::is_space(c);
        if (!space && !in_word) ++n;
        in_word = !space;
    }
    return n;
}

}  // namespace

double dwell_seconds(const Item& item, const RotationConfig& rotation) {
    double lo = rotation.min_dwell_seconds;
    double hi = std::max(rotation.max_dwell_seconds, lo);
    if (!(rotation.words_per_minute > 0)) return hi;
    auto words = static_cast<double>(count_words(item.title) + count_words(item.summary));
    return std::clamp(words / rotation.words_per_minute * 60.0, lo, hi);
}

// [SECTION] Rotation

bool Rotation::contains(const PerFeed& set, const Entry& e) {
    auto f = set.find(std::string_view(e.feed_url));
    return f != set.end() && f->second.find(item_key(e)) != f->second.end();
}

void Rotation::insert(PerFeed& set, const Entry& e) {
    auto f = set.find(std::string_view(e.feed_url));
    if (f == set.end()) f = set.emplace(e.feed_url, IdSet{}).first;
    f->second.emplace(item_key(e));
}

std::optional<Card> Rotation::next(const Store& store, const Config& config, int64_t now) {
    if (back_ > 0) {
        --back_;
        return history_[history_.size() - 1 - back_];
    }
    const std::vector<std::vector<const Entry*>> lists = store.eligible(now);
    const std::vector<std::string> urls = store.feed_urls();
    std::size_t total = 0;
    for (const auto& l : lists) total += l.size();
    if (total == 0) return std::nullopt;

    // The pointers of the previous call are compared only when the generation says they are
    // still valid.
    bool same_generation = lists_store_ == &store && lists_generation_ == store.generation() && lists_.size() == lists.size();
    shown_prefix_.resize(lists.size());
    for (std::size_t f = 0; f < lists.size(); ++f)
        if (!same_generation || lists_[f] != lists[f]) shown_prefix_[f] = 0;
    lists_ = lists;
    lists_store_ = &store;
    lists_generation_ = store.generation();
    if (!same_generation) {
        // Forget items that left the store: when news arrives faster than cards are shown a
        // round never ends, and these sets would otherwise grow for as long as the kiosk runs.
        PerFeed keep_shown, keep_breaking;
        for (const auto& l : lists)
            for (const Entry* e : l) {
                if (contains(shown_this_round_, *e)) insert(keep_shown, *e);
                if (contains(breaking_done_, *e)) insert(keep_breaking, *e);
            }
        shown_this_round_ = std::move(keep_shown);
        breaking_done_ = std::move(keep_breaking);
    }

    const LastShown last(history_.empty() ? nullptr : &history_.back().entry);
    const Entry* pick = nullptr;
    std::size_t pick_feed = 0;

    // Breaking news first, the newest of it, once.
    for (std::size_t f = 0; f < lists.size(); ++f)
        for (const Entry* e : lists[f])
            if (e->breaking && (!pick || e->time > pick->time) && !contains(breaking_done_, *e) && !last.same_story(*e)) {
                pick = e;
                pick_feed = f;
            }

    if (!pick) {
        // Per source, the newest item not yet shown this round.
        std::vector<const Entry*> firsts(lists.size(), nullptr);
        auto find_firsts = [&] {
            bool any = false;
            for (std::size_t f = 0; f < lists.size(); ++f) {
                firsts[f] = nullptr;
                if (lists[f].empty()) continue;
                auto shown = shown_this_round_.find(std::string_view(urls[f]));
                auto is_shown = [&](const Entry* e) {
                    return shown != shown_this_round_.end() && shown->second.find(item_key(*e)) != shown->second.end();
                };
                std::size_t& prefix = shown_prefix_[f];
                while (prefix < lists[f].size() && is_shown(lists[f][prefix])) ++prefix;
                for (std::size_t i = prefix; i < lists[f].size(); ++i) {
                    const Entry* e = lists[f][i];
                    if (is_shown(e) || last.same_story(*e)) continue;
                    firsts[f] = e;
                    any = true;
                    break;
                }
            }
            return any;
        };
        if (!find_firsts()) {
            // A new round. Credits restart so that weights shape each round alike.
            shown_this_round_.clear();
            std::fill(shown_prefix_.begin(), shown_prefix_.end(), 0);
            credit_.clear();
            PerFeed still_breaking;
            for (const auto& l : lists)
                for (const Entry* e : l)
                    if (e->breaking && contains(breaking_done_, *e)) insert(still_breaking, *e);
            breaking_done_ = std::move(still_breaking);
            find_firsts();
        }
        std::size_t chosen = lists.size();
        if (config.rotation.weighted) {
            std::unordered_map<std::string_view, double> weights;
            for (const FeedConfig& fc : config.feeds) weights.emplace(fc.url, fc.weight);
            double sum = 0;
            double best = 0;
            for (std::size_t f = 0; f < lists.size(); ++f) {
                if (!firsts[f]) continue;
                auto w = weights.find(urls[f]);
                double weight = w == weights.end() ? 1.0 : w->second;
                if (!(weight > 0) || !std::isfinite(weight)) weight = 0;
                auto c = credit_.find(std::string_view(urls[f]));
                if (c == credit_.end()) c = credit_.emplace(urls[f], 0.0).first;
                c->second += weight;
                sum += weight;
                if (chosen == lists.size() || c->second > best) {
                    chosen = f;
                    best = c->second;
                }
            }
            if (chosen < lists.size()) credit_.find(std::string_view(urls[chosen]))->second -= sum;
        } else {
            std::size_t start = 0;
            auto it = std::find(urls.begin(), urls.end(), last_source_);
            if (it != urls.end()) start = static_cast<std::size_t>(it - urls.begin()) + 1;
            else if (last_source_index_ != static_cast<std::size_t>(-1)) start = last_source_index_;
            for (std::size_t k = 0; k < lists.size() && chosen == lists.size(); ++k) {
                std::size_t f = (start + k) % lists.size();
                if (firsts[f]) chosen = f;
            }
        }
        if (chosen < lists.size()) {
            pick = firsts[chosen];
            pick_feed = chosen;
        } else {
            // Everything eligible is the card just shown: anything but that very item, else it again.
            for (std::size_t f = 0; f < lists.size() && !pick; ++f)
                for (const Entry* e : lists[f])
                    if (!last.entry || !same_item(*e, *last.entry)) {
                        pick = e;
                        pick_feed = f;
                        break;
                    }
            for (std::size_t f = 0; f < lists.size() && !pick; ++f)
                if (!lists[f].empty()) {
                    pick = lists[f].front();
                    pick_feed = f;
                }
        }
        last_source_ = urls[pick_feed];
        last_source_index_ = pick_feed;
    }

    insert(shown_this_round_, *pick);
    if (pick->breaking) insert(breaking_done_, *pick);

    Card card;
    card.entry = *pick;
    card.source = feed_source_name(store, config, pick->feed_url);
    card.color = feed_color(config, pick->feed_url, pick_feed);
    card.dwell_seconds = dwell_seconds(pick->item, config.rotation);
    if (pick->breaking) card.dwell_seconds *= std::max(1.0, config.rotation.breaking_dwell_factor);

    history_.push_back(card);
    if (history_.size() > 50) history_.erase(history_.begin());
    back_ = 0;
    return card;
}

std::optional<Card> Rotation::previous() {
    if (back_ + 1 >= history_.size()) return std::nullopt;
    ++back_;
    return history_[history_.size() - 1 - back_];
}

std::string feed_source_name(const Store& store, const Config& config, std::string_view feed_url) {
    for (const FeedConfig& f : config.feeds)
        if (f.url == feed_url && !f.name.empty()) return f.name;
    if (const FeedStatus* st = store.find_status(feed_url); st && !st->title.empty()) return st->title;
    return url::display_host(feed_url);
}

std::string feed_color(const Config& config, std::string_view feed_url, std::size_t fallback_index) {
    for (std::size_t i = 0; i < config.feeds.size(); ++i)
        if (config.feeds[i].url == feed_url) {
            if (!config.feeds[i].color.empty()) return config.feeds[i].color;
            // By position in the file, so disabling one feed does not recolour the rest.
            return std::string(kPalette[i % kPalette.size()]);
        }
    return std::string(kPalette[fallback_index % kPalette.size()]);
}

}  // namespace nk
