// SPDX-License-Identifier: Apache-2.0
#include "core/show.h"

#include "core/timefmt.h"

#include <algorithm>
#include <utility>

namespace nk {

void Show::set_page_size(std::size_t n) {
    if ((n > 0) != (page_size_ > 0)) {
        page_.clear();
        ahead_.reset();
    }
    page_size_ = n;
}

std::optional<Card> Show::take(Pipeline& pipeline, int64_t wall) {
    if (ahead_) return std::exchange(ahead_, std::nullopt);
    return pipeline.next_card(wall, local_tm(wall));
}

void Show::show(std::optional<Card> card, const Pipeline& pipeline, double t) {
    if (!card) return;
    const DisplayConfig& d = pipeline.config().display;
    transition_seconds_ = d.transition_ms / 1000.0;
    if (current_ && d.transition != "none" && transition_seconds_ > 0) {
        leaving_ = std::move(current_);
        transition_start_ = t;
    } else {
        leaving_.reset();
        transition_start_ = -1e9;
    }
    current_ = std::move(card);
    shown_at_ = t;
    frozen_elapsed_ = 0;
    ++changes_;
}

void Show::advance(Pipeline& pipeline, double t, int64_t wall) {
    if (page_size_ > 0) {
        page_.clear();
        for (std::size_t i = 0; i < page_size_; ++i) {
            auto c = take(pipeline, wall);
            if (!c) break;
            // The rotation came round to the start of the page: a shorter page, not a repeat.
            if (std::any_of(page_.begin(), page_.end(), [&](const Card& p) { return p.entry.item.title == c->entry.item.title; }))
                break;
            page_.push_back(std::move(*c));
        }
        shown_at_ = t;
        ++changes_;
        return;
    }
    show(take(pipeline, wall), pipeline, t);
    // One card ahead, so its picture is usually ready by the time it is shown.
    if (current_ && !ahead_) ahead_ = pipeline.next_card(wall, local_tm(wall));
}

bool Show::update(Pipeline& pipeline, double t, int64_t wall) {
    const uint64_t before = changes_;
    if (uint64_t gen = pipeline.store().generation(); gen != seen_generation_) {
        // A card picked before this change may be gone from the store; pick again.
        seen_generation_ = gen;
        ahead_.reset();
    }
    if (!has_content() || (!frozen() && elapsed(t) >= dwell())) advance(pipeline, t, wall);
    if (!ahead_ && current_ && page_size_ == 0) ahead_ = pipeline.next_card(wall, local_tm(wall));
    if (leaving_ && !in_transition(t)) leaving_.reset();
    return changes_ != before;
}

void Show::next(Pipeline& pipeline, double t, int64_t wall) { advance(pipeline, t, wall); }

void Show::previous(Pipeline& pipeline, double t, int64_t wall) {
    if (page_size_ > 0) return;
    // The rotation's newest cards are the one ahead and the one on screen: step back past both.
    auto same = [](const Card& a, const Card& b) { return a.entry.feed_url == b.entry.feed_url && a.entry.item.id == b.entry.item.id; };
    auto c = pipeline.previous_card();
    while (c && current_ && same(*c, *current_)) c = pipeline.previous_card();
    if (!c) return;
    ahead_.reset();
    show(std::move(c), pipeline, t);
    ahead_ = pipeline.next_card(wall, local_tm(wall));
}

void Show::freeze_change(bool was_frozen, double t) {
    if (!was_frozen && frozen()) frozen_elapsed_ = t - shown_at_;
    if (was_frozen && !frozen()) shown_at_ = t - frozen_elapsed_;
}

void Show::toggle_pause(double t) {
    const bool was = frozen();
    paused_ = !paused_;
    freeze_change(was, t);
}

void Show::set_hold(bool hold, double t) {
    const bool was = frozen();
    held_ = hold;
    freeze_change(was, t);
}

bool Show::in_transition(double t) const { return leaving_ && t - transition_start_ < transition_seconds_; }

double Show::dwell() const {
    if (page_size_ > 0) return std::max(12.0, 3.0 * static_cast<double>(page_.size()));
    return current_ ? current_->dwell_seconds : 0;
}

double Show::next_change() const {
    if (frozen() || !has_content()) return 1e300;
    return shown_at_ + dwell();
}

}  // namespace nk
