// SPDX-License-Identifier: Apache-2.0
// show.h: what is on screen now and for how long. Takes cards from the pipeline's rotation when
// the current one's dwell time is over, keeps one card ahead (so its picture can load before it
// is shown), keeps the card being replaced for the length of a transition, and handles next,
// previous and pause. In list mode it shows a page of cards instead of one. The headless printer
// and the wall display both run on it, so a card stays up for the same time in both.
// Pure: two clocks passed in, `t` (steady seconds, for dwell and transitions) and `wall` (Unix
// seconds, for the rotation). Main thread only.
#pragma once

#include "core/pipeline.h"
#include "core/rotation.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace nk {

class Show {
public:
    // 0: one card at a time (cards and ticker modes); n: a page of up to n cards (list mode).
    // Switching between the two starts afresh.
    void set_page_size(std::size_t n);

    // Moves on when the dwell time is over or nothing is shown yet, and picks again ahead when the
    // store changed. True when what is shown changed.
    bool update(Pipeline& pipeline, double t, int64_t wall);

    void next(Pipeline& pipeline, double t, int64_t wall);
    void previous(Pipeline& pipeline, double t, int64_t wall);  // back through the rotation's history
    void toggle_pause(double t);                 // the card keeps the time it had left
    // While an emergency alert has the screen, the show stands still (hold); when it is cleared,
    // the rotation goes on exactly where it was, the card with the time it had left.
    void set_hold(bool hold, double t);
    bool held() const { return held_; }

    const std::optional<Card>& current() const { return current_; }
    const std::optional<Card>& ahead() const { return ahead_; }
    const std::vector<Card>& page() const { return page_; }
    bool has_content() const { return page_size_ ? !page_.empty() : current_.has_value(); }
    // The card being replaced while a transition runs ([display] transition, transition_ms).
    const std::optional<Card>& leaving() const { return leaving_; }
    double transition_start() const { return transition_start_; }
    bool in_transition(double t) const;

    bool paused() const { return paused_; }     // by the user (the pause key, a long press)
    double shown_at() const { return shown_at_; }
    double elapsed(double t) const { return frozen() ? frozen_elapsed_ : t - shown_at_; }
    double dwell() const;                        // of what is shown; 0 when nothing is
    // When the dwell runs out; a far future while paused or empty (update() then polls).
    double next_change() const;
    // Counts every change of what is shown, so a reader can tell a new card from the same one.
    uint64_t changes() const { return changes_; }

private:
    bool frozen() const { return paused_ || held_; }
    void freeze_change(bool was_frozen, double t);
    std::optional<Card> take(Pipeline& pipeline, int64_t wall);
    void show(std::optional<Card> card, const Pipeline& pipeline, double t);
    void advance(Pipeline& pipeline, double t, int64_t wall);

    std::size_t page_size_ = 0;
    std::optional<Card> current_, ahead_, leaving_;
    std::vector<Card> page_;
    double shown_at_ = 0;
    double transition_start_ = -1e9;
    double transition_seconds_ = 0;
    bool paused_ = false, held_ = false;
    double frozen_elapsed_ = 0;                  // while paused or held: the dwell time already used
    uint64_t seen_generation_ = ~uint64_t{0};
    uint64_t changes_ = 0;
};

}  // namespace nk
