// SPDX-License-Identifier: Apache-2.0
// scheduler.cpp: the politeness rules listed in scheduler.h. Times are Unix seconds; calendar
// arithmetic for skipHours/skipDays is done by hand in GMT, so no <ctime> and no time zone.
#include "core/scheduler.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace nk {
namespace {

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;
constexpr int64_t kDefaultInterval = 10 * kMinute;
constexpr int64_t kHintCap = kDay;         // a silly <ttl> must not freeze a feed
constexpr int64_t kRetryAfterCap = kDay;   // nor a silly Retry-After
constexpr int64_t kFirstBackoff = kMinute;
constexpr int64_t kNotFoundFloor = 30 * kMinute;   // a moved feed rarely comes back within minutes
constexpr int64_t kAuthFloor = kHour;              // retrying a refusal quickly gets a kiosk banned
constexpr int64_t kTooManyFloor = 15 * kMinute;    // 429 without saying how long
constexpr int64_t kMaxJitter = 60;
constexpr int kMaxFailures = 1000;                 // saturates; the backoff is capped long before

uint64_t hash_url(std::string_view url) {
    uint64_t h = 14695981039346656037ull;  // FNV-1a: stable across builds, unlike std::hash
    for (unsigned char c : url) {
        h ^= c;
        h *= 1099511628211ull;
    }
    // FNV's low bits follow the last bytes closely and URLs often differ only there.
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

int64_t jitter_span(int64_t delay) { return std::clamp<int64_t>(delay / 10, 0, kMaxJitter); }

int64_t signed_jitter(uint64_t hash, int64_t delay) {
    const int64_t j = jitter_span(delay);
    return static_cast<int64_t>(hash % static_cast<uint64_t>(2 * j + 1)) - j;
}

int64_t unsigned_jitter(uint64_t hash, int64_t delay) {
    return static_cast<int64_t>(hash % static_cast<uint64_t>(jitter_span(delay) + 1));
}

int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if (a % b != 0 && a < 0) --q;
    return q;
}

uint32_t mask_of(const std::vector<int>& values, int n) {
    uint32_t m = 0;
    for (int v : values)
        if (v >= 0 && v < n) m |= 1u << v;
    return m;
}

// The first allowed moment at or after t. Moved times start an hour plus the feed's late jitter,
// so feeds sharing a publisher's skipHours do not all wake at hh:00:00.
int64_t place(int64_t t, const PollingHints& hints, uint64_t hash) {
    uint32_t hours = mask_of(hints.skip_hours, 24);
    uint32_t days = mask_of(hints.skip_days, 7);
    if (hours == (1u << 24) - 1) hours = 0;
    if (days == (1u << 7) - 1) days = 0;
    if (hours == 0 && days == 0) return t;
    const int64_t asked = t;
    // Each step passes a skipped hour or day; with at least one allowed hour and day, a week
    // of steps always ends on one.
    for (int step = 0; step < 8 * 24; ++step) {
        const int64_t day = floor_div(t, kDay);
        const int64_t weekday = ((day + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
        if (days >> weekday & 1u) {
            t = (day + 1) * kDay;
            continue;
        }
        const int64_t hour = (t - day * kDay) / kHour;
        if (hours >> hour & 1u) {
            t = day * kDay + (hour + 1) * kHour;
            continue;
        }
        break;
    }
    return t == asked ? t : t + unsigned_jitter(hash, kHour);
}

int64_t backoff(int failures, int64_t cap) {
    if (failures - 1 >= 40) return cap;
    return std::min(kFirstBackoff << (failures - 1), cap);
}

int64_t minutes(std::optional<int> m, int64_t fallback) {
    return m && *m > 0 ? int64_t{*m} * kMinute : fallback;
}

}  // namespace

int64_t Scheduler::jitter(std::string_view url, int64_t delay) { return signed_jitter(hash_url(url), delay); }

int64_t Scheduler::late_jitter(std::string_view url, int64_t delay) {
    return unsigned_jitter(hash_url(url), delay);
}

Scheduler::State* Scheduler::find(const std::string& url) {
    for (State& s : feeds_)
        if (s.url == url) return &s;
    return nullptr;
}

const Scheduler::State* Scheduler::find(const std::string& url) const {
    for (const State& s : feeds_)
        if (s.url == url) return &s;
    return nullptr;
}

int64_t Scheduler::interval(const State& s) const {
    int64_t hint = 0;
    if (s.hints.ttl_minutes && *s.hints.ttl_minutes > 0) hint = int64_t{*s.hints.ttl_minutes} * kMinute;
    if (s.hints.update_period_seconds) hint = std::max(hint, *s.hints.update_period_seconds);
    return std::max(s.base, std::min(hint, kHintCap));
}

int64_t Scheduler::regular_next(const State& s, int64_t now) const {
    const int64_t d = interval(s);
    return place(now + d + signed_jitter(s.hash, d), s.hints, s.hash);
}

void Scheduler::configure(const Config& config, int64_t now) {
    backoff_max_ = std::max<int64_t>(config.fetch.backoff_max_minutes, 1) * kMinute;
    starts_per_second_ = std::max(config.fetch.max_parallel, 1);
    const int64_t fallback = minutes(config.fetch.interval_minutes, kDefaultInterval);

    std::unordered_map<std::string, std::size_t> old;
    old.reserve(feeds_.size());
    for (std::size_t i = 0; i < feeds_.size(); ++i) old.emplace(feeds_[i].url, i);

    std::vector<State> next;
    next.reserve(config.feeds.size());
    std::unordered_set<std::string_view> seen;
    int64_t fresh = 0;
    for (const FeedConfig& fc : config.feeds) {
        if (!fc.enabled || fc.url.empty() || !seen.insert(fc.url).second) continue;
        const int64_t base = minutes(fc.refresh_minutes, fallback);
        auto it = old.find(fc.url);
        if (it == old.end()) {
            State s;
            s.url = fc.url;
            s.hash = hash_url(fc.url);
            s.base = base;
            s.next = now + fresh++ / starts_per_second_;
            s.scheduled_at = now;
            next.push_back(std::move(s));
            continue;
        }
        State s = std::move(feeds_[it->second]);
        const bool changed = s.base != base;
        s.base = base;
        // A shorter interval should not wait out the longer one; a failing feed keeps its
        // backoff (and any wait the server asked for).
        if (changed && s.failures == 0 && !s.in_flight && !s.gone) {
            const int64_t sooner = regular_next(s, now);
            if (sooner < s.next) {
                s.next = sooner;
                s.scheduled_at = now;
            }
        }
        next.push_back(std::move(s));
    }
    feeds_ = std::move(next);
}

void Scheduler::restore(const std::string& url, int64_t next_fetch, int64_t now) {
    State* s = find(url);
    if (!s || s->in_flight || s->gone) return;
    const int64_t latest = now + std::max({interval(*s), backoff_max_, kDay});
    s->next = std::max(s->next, std::min(next_fetch, latest));
    s->scheduled_at = now;
}

std::vector<std::string> Scheduler::take_due(int64_t now, std::size_t limit) {
    std::vector<std::size_t> due;
    for (std::size_t i = 0; i < feeds_.size(); ++i) {
        State& s = feeds_[i];
        if (now < s.scheduled_at) {
            // A Pi has no RTC and NTP can step the clock back; keep the remaining wait.
            const int64_t back = s.scheduled_at - now;
            s.next -= back;
            if (s.hold_until != 0) s.hold_until -= back;
            s.scheduled_at = now;
        }
        if (!s.in_flight && !s.gone && s.next <= now) due.push_back(i);
    }
    // However many are due (a clock stepped forward by NTP, the `r` key), at most
    // starts_per_second_ new requests a second.
    if (now != budget_second_) {
        budget_second_ = now;
        budget_used_ = 0;
    }
    limit = std::min<std::size_t>(limit, static_cast<std::size_t>(std::max<int64_t>(starts_per_second_ - budget_used_, 0)));
    const std::size_t n = std::min(limit, due.size());
    budget_used_ += static_cast<int64_t>(n);
    std::partial_sort(due.begin(), due.begin() + static_cast<std::ptrdiff_t>(n), due.end(),
                      [this](std::size_t a, std::size_t b) {
                          return feeds_[a].next != feeds_[b].next ? feeds_[a].next < feeds_[b].next : a < b;
                      });
    std::vector<std::string> out;
    out.reserve(n);
    for (std::size_t k = 0; k < n; ++k) {
        feeds_[due[k]].in_flight = true;
        out.push_back(feeds_[due[k]].url);
    }
    return out;
}

void Scheduler::on_result(const std::string& url, const FetchOutcome& outcome, const PollingHints* hints,
                          int64_t now) {
    State* s = find(url);
    if (!s) return;  // removed while in flight
    s->in_flight = false;
    s->scheduled_at = now;
    s->hold_until = 0;

    using Kind = FetchOutcome::Kind;
    if (outcome.kind == Kind::Ok || outcome.kind == Kind::NotModified) {
        if (outcome.kind == Kind::Ok && hints) s->hints = *hints;
        s->failures = 0;
        s->next = regular_next(*s, now);
        return;
    }

    const int status = outcome.kind == Kind::HttpError ? outcome.http_status : 0;
    if (status == 410) {
        s->gone = true;
        return;
    }
    s->failures = std::min(s->failures + 1, kMaxFailures);

    int64_t floor = 0;
    bool server_wait = false;  // the server asked us to stay away; fetch_all_now keeps that
    if (status == 404) floor = kNotFoundFloor;
    if (status == 401 || status == 403) {
        floor = kAuthFloor;
        server_wait = true;
    }
    if (status == 429) {
        floor = kTooManyFloor;
        server_wait = true;
    }
    if (outcome.kind == Kind::HttpError && outcome.retry_after_seconds) {
        const int64_t asked = std::clamp<int64_t>(*outcome.retry_after_seconds, 0, kRetryAfterCap);
        floor = status == 429 ? asked : std::max(floor, asked);
        server_wait = true;
    }

    const int64_t b = backoff(s->failures, backoff_max_);
    const int64_t when = b >= floor ? now + b + signed_jitter(s->hash, b) : now + floor + unsigned_jitter(s->hash, floor);
    s->next = place(when, s->hints, s->hash);
    if (server_wait) s->hold_until = now + floor;
}

void Scheduler::fetch_all_now(int64_t now) {
    for (State& s : feeds_) {
        if (s.in_flight || s.gone || s.hold_until > now) continue;
        s.next = now;
        s.scheduled_at = now;
    }
}

std::optional<int64_t> Scheduler::next_deadline() const {
    std::optional<int64_t> best;
    for (const State& s : feeds_)
        if (!s.in_flight && !s.gone && (!best || s.next < *best)) best = s.next;
    // This second's starts are spent: the rest wait for the next one.
    if (best && *best <= budget_second_ && budget_used_ >= starts_per_second_) best = budget_second_ + 1;
    return best;
}

std::optional<int64_t> Scheduler::next_fetch(const std::string& url) const {
    const State* s = find(url);
    if (!s || s->gone) return std::nullopt;
    return s->next;
}

bool Scheduler::gone(const std::string& url) const {
    const State* s = find(url);
    return s && s->gone;
}

}  // namespace nk
