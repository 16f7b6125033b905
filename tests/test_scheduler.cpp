// SPDX-License-Identifier: Apache-2.0
// The polite-polling rules of scheduler.h, one rule per case with exact times, then a simulated
// month of fetches on a fake clock. All times are Unix seconds from kT0 = Monday 2024-01-01
// 00:00:00 UTC (date -u -d @1704067200); nothing here reads the real clock.
// Jitter offsets come from Scheduler::jitter/late_jitter, whose values are pinned in one case.
#include "core/scheduler.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

using nk::Config;
using nk::FeedConfig;
using nk::FetchOutcome;
using nk::PollingHints;
using nk::Scheduler;
using Kind = FetchOutcome::Kind;

constexpr int64_t kT0 = 1704067200;  // Monday 2024-01-01 00:00:00 UTC
constexpr int64_t kMin = 60;
constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;
constexpr int64_t kNone = std::numeric_limits<int64_t>::min();  // stands for nullopt in CHECKs

const std::string kA = "https://example.com/feed.xml";
const std::string kB = "https://news.example.org/rss";
const std::string kC = "http://a.example/atom";

FeedConfig feed(const std::string& url, std::optional<int> refresh = std::nullopt) {
    FeedConfig f;
    f.url = url;
    f.refresh_minutes = refresh;
    return f;
}

Config config(std::vector<FeedConfig> feeds) {
    Config c;
    c.feeds = std::move(feeds);
    return c;
}

FetchOutcome ok() { return {Kind::Ok, 200, std::nullopt}; }
FetchOutcome not_modified() { return {Kind::NotModified, 304, std::nullopt}; }
FetchOutcome network() { return {Kind::NetworkError, 0, std::nullopt}; }
FetchOutcome parse_error() { return {Kind::ParseError, 200, std::nullopt}; }
FetchOutcome http(int status, std::optional<int64_t> retry_after = std::nullopt) {
    return {Kind::HttpError, status, retry_after};
}

int64_t next_of(const Scheduler& s, const std::string& url) {
    const std::optional<int64_t> n = s.next_fetch(url);
    return n ? *n : kNone;
}

int64_t deadline(const Scheduler& s) {
    const std::optional<int64_t> d = s.next_deadline();
    return d ? *d : kNone;
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

// Takes `url` as the fetcher would (it must be due at `now`) and reports `outcome` at `now`.
void fetch(Scheduler& s, const std::string& url, const FetchOutcome& outcome, int64_t now,
           const PollingHints* hints = nullptr) {
    INFO(url << " at kT0+" << now - kT0);
    REQUIRE(next_of(s, url) <= now);
    const std::vector<std::string> due = s.take_due(now, 1000);
    REQUIRE(contains(due, url));
    s.on_result(url, outcome, hints, now);
    // Others taken along are handed back as 304s at the same moment, so they stay healthy.
    for (const std::string& other : due)
        if (other != url) s.on_result(other, not_modified(), nullptr, now);
}

// One feed, configured at kT0, so it is due at once.
Scheduler single(const std::string& url, std::optional<int> refresh = std::nullopt, int backoff_max = 240) {
    Config c = config({feed(url, refresh)});
    c.fetch.backoff_max_minutes = backoff_max;
    Scheduler s;
    s.configure(c, kT0);
    return s;
}

int64_t hours_of(int64_t t) { return (t % kDay) / kHour; }
int64_t weekday_of(int64_t t) { return (t / kDay + 4) % 7; }  // 1970-01-01 was a Thursday

PollingHints skip(std::vector<int> hours, std::vector<int> days = {}) {
    PollingHints h;
    h.skip_hours = std::move(hours);
    h.skip_days = std::move(days);
    return h;
}

}  // namespace

TEST_CASE("interval: per-feed refresh_minutes, else [fetch].interval_minutes, else 10 min", "[scheduler]") {
    SECTION("default 10 minutes") {
        Scheduler s = single(kA);
        CHECK(next_of(s, kA) == kT0);
        fetch(s, kA, ok(), kT0 + 5);
        CHECK(next_of(s, kA) == kT0 + 5 + 600 + Scheduler::jitter(kA, 600));
    }
    SECTION("[fetch].interval_minutes") {
        Config c = config({feed(kA)});
        c.fetch.interval_minutes = 20;
        Scheduler s;
        s.configure(c, kT0);
        fetch(s, kA, ok(), kT0);
        CHECK(next_of(s, kA) == kT0 + 1200 + Scheduler::jitter(kA, 1200));
    }
    SECTION("refresh_minutes wins over [fetch]") {
        Config c = config({feed(kA, 5)});
        c.fetch.interval_minutes = 20;
        Scheduler s;
        s.configure(c, kT0);
        fetch(s, kA, ok(), kT0);
        CHECK(next_of(s, kA) == kT0 + 300 + Scheduler::jitter(kA, 300));
    }
    SECTION("zero or negative minutes mean unset") {
        Config c = config({feed(kA, 0), feed(kB, -5)});
        c.fetch.interval_minutes = 0;
        Scheduler s;
        s.configure(c, kT0);
        REQUIRE(s.take_due(kT0, 10).size() == 2);
        s.on_result(kA, ok(), nullptr, kT0 + 10);
        s.on_result(kB, ok(), nullptr, kT0 + 10);
        CHECK(next_of(s, kA) == kT0 + 10 + 600 + Scheduler::jitter(kA, 600));
        CHECK(next_of(s, kB) == kT0 + 10 + 600 + Scheduler::jitter(kB, 600));
    }
}

TEST_CASE("ttl and sy:updatePeriod only lengthen the interval, up to 24 h", "[scheduler]") {
    struct Case {
        std::optional<int> ttl;
        std::optional<int64_t> period;
        int refresh;
        int64_t want;
    };
    const Case cases[] = {
        {5, std::nullopt, 10, 600},                // shorter ttl: ignored
        {30, std::nullopt, 10, 1800},              // longer ttl: honoured
        {std::nullopt, 7200, 10, 7200},            // sy:updatePeriod
        {60, 7200, 10, 7200},                      // the longer of the two
        {100000, std::nullopt, 10, kDay},          // silly ttl: capped
        {std::nullopt, 30 * kDay, 10, kDay},       // silly period: capped
        {60, std::nullopt, 2880, 2 * kDay},        // a configured 2 days is longer than any hint
        {0, std::nullopt, 10, 600},
        {-30, -100, 10, 600},
    };
    for (const Case& c : cases) {
        INFO("ttl " << c.ttl.value_or(-1) << " period " << c.period.value_or(-1) << " refresh " << c.refresh);
        Scheduler s = single(kA, c.refresh);
        PollingHints h;
        h.ttl_minutes = c.ttl;
        h.update_period_seconds = c.period;
        fetch(s, kA, ok(), kT0, &h);
        CHECK(next_of(s, kA) == kT0 + c.want + Scheduler::jitter(kA, c.want));
    }

    SECTION("304 and an Ok without hints keep them; an Ok with new hints replaces them") {
        Scheduler s = single(kA);
        PollingHints h;
        h.ttl_minutes = 60;
        fetch(s, kA, ok(), kT0, &h);
        int64_t t = next_of(s, kA);
        CHECK(t == kT0 + 3600 + Scheduler::jitter(kA, 3600));
        fetch(s, kA, not_modified(), t);
        CHECK(next_of(s, kA) == t + 3600 + Scheduler::jitter(kA, 3600));
        t = next_of(s, kA);
        fetch(s, kA, ok(), t, nullptr);
        CHECK(next_of(s, kA) == t + 3600 + Scheduler::jitter(kA, 3600));
        t = next_of(s, kA);
        const PollingHints none;
        fetch(s, kA, ok(), t, &none);
        CHECK(next_of(s, kA) == t + 600 + Scheduler::jitter(kA, 600));
    }
}

TEST_CASE("skipHours and skipDays move the next fetch to the first allowed hour (GMT)", "[scheduler]") {
    // Hourly feed, so an Ok at hh:30 asks for (hh+1):30 give or take the jitter (at most 60 s).
    const int64_t late = Scheduler::late_jitter(kA, 3600);
    auto after_ok = [&](int64_t at, const PollingHints& h) {
        Scheduler s = single(kA, 60);
        fetch(s, kA, ok(), at, &h);
        return next_of(s, kA);
    };
    const int64_t friday = kT0 + 4 * kDay;
    REQUIRE(weekday_of(friday) == 5);

    CHECK(after_ok(kT0 + 10 * kHour + 30 * kMin, skip({11, 12})) == kT0 + 13 * kHour + late);
    CHECK(after_ok(kT0 + 8 * kHour, skip({11, 12})) == kT0 + 9 * kHour + Scheduler::jitter(kA, 3600));
    // Across midnight.
    CHECK(after_ok(kT0 + 21 * kHour + 30 * kMin, skip({22, 23, 0, 1, 2, 3, 4, 5})) == kT0 + kDay + 6 * kHour + late);
    // Saturday and Sunday skipped: Friday 23:30 + 1 h lands on Saturday, so Monday 00:00.
    CHECK(after_ok(friday + 23 * kHour + 30 * kMin, skip({}, {0, 6})) == kT0 + 7 * kDay + late);
    // Saturday skipped, then hours 0 and 1 of Sunday.
    CHECK(after_ok(friday + 23 * kHour + 30 * kMin, skip({0, 1}, {6})) == friday + 2 * kDay + 2 * kHour + late);
    // Every hour skipped: the hint is ignored rather than stopping the feed.
    std::vector<int> all_hours;
    for (int hr = 0; hr < 24; ++hr) all_hours.push_back(hr);
    CHECK(after_ok(kT0 + 10 * kHour + 30 * kMin, skip(all_hours)) ==
          kT0 + 11 * kHour + 30 * kMin + Scheduler::jitter(kA, 3600));
    // Every day skipped: days ignored, hours still honoured.
    CHECK(after_ok(kT0 + 10 * kHour + 30 * kMin, skip({11}, {0, 1, 2, 3, 4, 5, 6})) == kT0 + 12 * kHour + late);
    // Out-of-range values are ignored.
    CHECK(after_ok(kT0 + 10 * kHour + 30 * kMin, skip({24, -1}, {7, -1})) ==
          kT0 + 11 * kHour + 30 * kMin + Scheduler::jitter(kA, 3600));

    SECTION("retries honour the hints of the last Ok too") {
        Scheduler s = single(kA, 60);
        const PollingHints h = skip({11});
        fetch(s, kA, ok(), kT0 + 8 * kHour, &h);
        fetch(s, kA, network(), kT0 + 10 * kHour + 59 * kMin + 30);  // 1 min later is 11:00:30
        CHECK(next_of(s, kA) == kT0 + 12 * kHour + late);
    }
}

TEST_CASE("jitter: a fixed per-feed offset within ±10% of the delay, at most ±60 s", "[scheduler]") {
    // FNV-1a 64 of the URL, finished with MurmurHash3's fmix64; computed outside with Python.
    // Pinned so a kiosk keeps its phase across versions and machines.
    CHECK(Scheduler::jitter(kA, 600) == -10);
    CHECK(Scheduler::jitter(kA, 60) == 0);
    CHECK(Scheduler::late_jitter(kA, 1800) == 44);
    CHECK(Scheduler::jitter(kB, 600) == 3);
    CHECK(Scheduler::jitter(kB, 60) == -3);
    CHECK(Scheduler::late_jitter(kB, 120) == 3);
    CHECK(Scheduler::jitter(kC, 600) == -40);
    CHECK(Scheduler::late_jitter(kC, 3600) == 56);
    CHECK(Scheduler::jitter(kA, 0) == 0);
    CHECK(Scheduler::late_jitter(kA, 5) == 0);

    std::set<int64_t> seen;
    int negative = 0, positive = 0;
    for (int i = 0; i < 500; ++i) {
        const std::string url = "https://site" + std::to_string(i % 17) + ".example/feed/" + std::to_string(i);
        for (int64_t d : {int64_t{60}, int64_t{300}, int64_t{600}, int64_t{3600}, kDay}) {
            const int64_t span = std::min<int64_t>(d / 10, 60);
            INFO(url << " delay " << d);
            CHECK(std::abs(Scheduler::jitter(url, d)) <= span);
            CHECK(Scheduler::late_jitter(url, d) >= 0);
            CHECK(Scheduler::late_jitter(url, d) <= span);
            CHECK(Scheduler::jitter(url, d) == Scheduler::jitter(url, d));
        }
        const int64_t j = Scheduler::jitter(url, 600);
        seen.insert(j);
        negative += j < 0;
        positive += j > 0;
    }
    CHECK(seen.size() >= 100);  // of the 121 possible offsets
    CHECK(negative > 200);
    CHECK(positive > 200);

    SECTION("100 feeds answered in the same second do not come back in the same second") {
        Config c;
        for (int i = 0; i < 100; ++i) c.feeds.push_back(feed("https://pub.example/" + std::to_string(i) + ".xml"));
        c.fetch.max_parallel = 100;
        Scheduler s;
        s.configure(c, kT0);
        const std::vector<std::string> due = s.take_due(kT0, 1000);
        REQUIRE(due.size() == 100);
        std::map<int64_t, int> per_second;
        for (const std::string& u : due) s.on_result(u, ok(), nullptr, kT0 + 30);
        for (const std::string& u : due) ++per_second[next_of(s, u)];
        int most = 0;
        for (const auto& [t, n] : per_second) {
            CHECK(t >= kT0 + 30 + 540);
            CHECK(t <= kT0 + 30 + 660);
            most = std::max(most, n);
        }
        CHECK(per_second.size() >= 50);
        CHECK(most <= 5);
    }
}

TEST_CASE("new feeds are spread: at most max_parallel first fetches share a second", "[scheduler]") {
    Config c;
    for (int i = 0; i < 100; ++i) c.feeds.push_back(feed("https://pub.example/" + std::to_string(i) + ".xml"));
    c.fetch.max_parallel = 6;
    Scheduler s;
    s.configure(c, kT0);
    REQUIRE(s.size() == 100);
    std::map<int64_t, int> per_second;
    for (int i = 0; i < 100; ++i) {
        CHECK(next_of(s, c.feeds[i].url) == kT0 + i / 6);
        ++per_second[next_of(s, c.feeds[i].url)];
    }
    CHECK(per_second.size() == 17);
    for (const auto& [t, n] : per_second) CHECK(n <= 6);
    const std::vector<std::string> first = s.take_due(kT0, 1000);
    CHECK(first == std::vector<std::string>(
                       {c.feeds[0].url, c.feeds[1].url, c.feeds[2].url, c.feeds[3].url, c.feeds[4].url, c.feeds[5].url}));

    SECTION("feeds added by a reload are spread from the reload on; the others keep their times") {
        for (const std::string& u : first) s.on_result(u, ok(), nullptr, kT0 + 2);
        const int64_t kept = next_of(s, c.feeds[0].url);
        for (int i = 0; i < 10; ++i) c.feeds.push_back(feed("https://late.example/" + std::to_string(i)));
        s.configure(c, kT0 + 1000);
        CHECK(s.size() == 110);
        CHECK(next_of(s, c.feeds[0].url) == kept);
        CHECK(next_of(s, c.feeds[50].url) == kT0 + 50 / 6);
        for (int i = 0; i < 10; ++i) CHECK(next_of(s, c.feeds[100 + i].url) == kT0 + 1000 + i / 6);
    }
    SECTION("max_parallel 0 counts as 1") {
        c.fetch.max_parallel = 0;
        Scheduler one;
        one.configure(c, kT0);
        for (int i = 0; i < 100; ++i) CHECK(next_of(one, c.feeds[i].url) == kT0 + i);
    }
}

TEST_CASE("take_due: earliest first, at most `limit`, never a feed in flight", "[scheduler]") {
    Config c = config({feed(kA), feed(kB), feed(kC, 5)});
    c.fetch.max_parallel = 1;
    Scheduler s;
    s.configure(c, kT0);
    CHECK(next_of(s, kA) == kT0);
    CHECK(next_of(s, kB) == kT0 + 1);
    CHECK(next_of(s, kC) == kT0 + 2);
    CHECK(s.take_due(kT0 + 1, 0).empty());
    CHECK(s.take_due(kT0 + 5, 2) == std::vector<std::string>{kA});  // one start a second with max_parallel 1
    CHECK(deadline(s) == kT0 + 6);
    s.on_result(kA, ok(), nullptr, kT0 + 5);
    c.fetch.max_parallel = 10;  // the rest is about `limit` and the order, not the rate
    s.configure(c, kT0 + 5);
    s.fetch_all_now(kT0 + 5);
    CHECK(s.take_due(kT0 + 10, 2) == std::vector<std::string>{kA, kB});
    CHECK(deadline(s) == kT0 + 5);
    CHECK(s.take_due(kT0 + 10, 2) == std::vector<std::string>{kC});
    CHECK(s.take_due(kT0 + 10, 2).empty());
    CHECK(deadline(s) == kNone);  // all in flight: nothing to wait for but results

    s.on_result(kA, ok(), nullptr, kT0 + 20);
    s.on_result(kB, network(), nullptr, kT0 + 20);
    s.on_result(kC, ok(), nullptr, kT0 + 20);
    CHECK(next_of(s, kA) == kT0 + 20 + 600 + Scheduler::jitter(kA, 600));
    CHECK(next_of(s, kB) == kT0 + 20 + 60 + Scheduler::jitter(kB, 60));
    CHECK(next_of(s, kC) == kT0 + 20 + 300 + Scheduler::jitter(kC, 300));
    CHECK(deadline(s) == next_of(s, kB));
    CHECK(s.take_due(next_of(s, kB) - 1, 10).empty());
    CHECK(s.take_due(kT0 + 10000, 10) == std::vector<std::string>{kB, kC, kA});

    SECTION("ties go in config order") {
        for (const std::string& u : {kA, kB, kC}) s.on_result(u, ok(), nullptr, kT0 + 10000);
        s.fetch_all_now(kT0 + 10001);
        CHECK(s.take_due(kT0 + 10001, 10) == std::vector<std::string>{kA, kB, kC});
    }
}

TEST_CASE("errors back off 1, 2, 4 … minutes, capped at backoff_max_minutes, success resets", "[scheduler]") {
    auto sequence = [](const FetchOutcome& outcome, int backoff_max, int n, std::optional<int> refresh) {
        Scheduler s = single(kA, refresh, backoff_max);
        std::vector<int64_t> waits;
        int64_t t = kT0;
        for (int i = 0; i < n; ++i) {
            fetch(s, kA, outcome, t);
            const int64_t next = next_of(s, kA);
            waits.push_back(next - t);
            t = next;
        }
        return waits;
    };
    auto with_jitter = [](std::vector<int64_t> base) {
        for (int64_t& b : base) b += Scheduler::jitter(kA, b);
        return base;
    };
    const std::vector<int64_t> doubling = {60, 120, 240, 480, 960, 1920, 3840, 7680, 14400, 14400};
    CHECK(sequence(network(), 240, 10, std::nullopt) == with_jitter(doubling));
    CHECK(sequence(network(), 30, 7, std::nullopt) == with_jitter({60, 120, 240, 480, 960, 1800, 1800}));
    const std::vector<int64_t> first3 = with_jitter({60, 120, 240});
    CHECK(sequence(http(500), 240, 3, std::nullopt) == first3);
    CHECK(sequence(http(502), 240, 3, std::nullopt) == first3);
    CHECK(sequence(http(503), 240, 3, std::nullopt) == first3);  // no Retry-After
    CHECK(sequence(http(400), 240, 3, std::nullopt) == first3);
    CHECK(sequence(parse_error(), 240, 3, std::nullopt) == first3);
    // The interval is neither floor nor cap: an hourly feed retries after a minute, and a
    // 5-minute feed waits 16 minutes after its fifth failure.
    CHECK(sequence(network(), 240, 1, 60) == with_jitter({60}));
    CHECK(sequence(network(), 240, 5, 5).back() == 960 + Scheduler::jitter(kA, 960));

    SECTION("a 200 or a 304 resets the count") {
        for (const FetchOutcome& good : {ok(), not_modified()}) {
            Scheduler s = single(kA);
            int64_t t = kT0;
            for (int i = 0; i < 3; ++i) {
                fetch(s, kA, network(), t);
                t = next_of(s, kA);
            }
            fetch(s, kA, good, t);
            CHECK(next_of(s, kA) == t + 600 + Scheduler::jitter(kA, 600));
            t = next_of(s, kA);
            fetch(s, kA, http(500), t);
            CHECK(next_of(s, kA) == t + 60 + Scheduler::jitter(kA, 60));
        }
    }
}

TEST_CASE("404 waits at least 30 min, 401 and 403 at least 1 h, then the backoff takes over", "[scheduler]") {
    auto waits = [](int status, int n) {
        Scheduler s = single(kA);
        std::vector<int64_t> out;
        int64_t t = kT0;
        for (int i = 0; i < n; ++i) {
            fetch(s, kA, http(status), t);
            out.push_back(next_of(s, kA) - t);
            t = next_of(s, kA);
        }
        return out;
    };
    const int64_t f30 = 1800 + Scheduler::late_jitter(kA, 1800);
    const int64_t f60 = 3600 + Scheduler::late_jitter(kA, 3600);
    // Backoff 60..960 is below the floor; 1920 (6th) and 3840 (7th) are above it.
    CHECK(waits(404, 7) == std::vector<int64_t>{f30, f30, f30, f30, f30, 1920 + Scheduler::jitter(kA, 1920),
                                                3840 + Scheduler::jitter(kA, 3840)});
    const std::vector<int64_t> auth = {f60, f60, f60, f60, f60, f60, 3840 + Scheduler::jitter(kA, 3840)};
    CHECK(waits(403, 7) == auth);
    CHECK(waits(401, 7) == auth);
}

TEST_CASE("Retry-After is honoured up to 24 h, 429 without it waits 15 min", "[scheduler]") {
    auto wait_after = [](const FetchOutcome& outcome) {
        Scheduler s = single(kA);
        fetch(s, kA, outcome, kT0);
        return next_of(s, kA) - kT0;
    };
    CHECK(wait_after(http(429, 120)) == 120 + Scheduler::late_jitter(kA, 120));
    CHECK(wait_after(http(429, 30)) == 60 + Scheduler::jitter(kA, 60));  // the backoff is longer
    CHECK(wait_after(http(429)) == 900 + Scheduler::late_jitter(kA, 900));
    CHECK(wait_after(http(503, 600)) == 600 + Scheduler::late_jitter(kA, 600));
    CHECK(wait_after(http(503)) == 60 + Scheduler::jitter(kA, 60));
    CHECK(wait_after(http(429, 3 * kDay)) == kDay + Scheduler::late_jitter(kA, kDay));
    CHECK(wait_after(http(503, -5)) == 60 + Scheduler::jitter(kA, 60));  // a date in the past
    CHECK(wait_after(http(403, 10)) == 3600 + Scheduler::late_jitter(kA, 3600));
    CHECK(wait_after(http(500, 300)) == 300 + Scheduler::late_jitter(kA, 300));
    CHECK(wait_after({Kind::NetworkError, 0, 600}) == 60 + Scheduler::jitter(kA, 60));  // no HTTP, no header
}

TEST_CASE("410 Gone stops polling until the feed leaves the config and comes back", "[scheduler]") {
    Config c = config({feed(kA), feed(kB)});
    Scheduler s;
    s.configure(c, kT0);
    fetch(s, kA, http(410), kT0 + 5);
    CHECK(s.gone(kA));
    CHECK_FALSE(s.gone(kB));
    CHECK_FALSE(s.gone("https://unknown.example/"));
    CHECK(next_of(s, kA) == kNone);
    CHECK(deadline(s) == next_of(s, kB));
    s.fetch_all_now(kT0 + 100);
    CHECK(s.take_due(kT0 + 30 * kDay, 10) == std::vector<std::string>{kB});

    c.feeds[0].refresh_minutes = 30;  // a reload that keeps the URL keeps it gone
    s.configure(c, kT0 + kDay);
    CHECK(s.gone(kA));
    CHECK(s.size() == 2);

    s.on_result(kB, network(), nullptr, kT0 + kDay);
    fetch(s, kB, http(410), next_of(s, kB));
    CHECK(deadline(s) == kNone);  // nothing left to poll

    s.configure(config({feed(kB)}), kT0 + 2 * kDay);
    CHECK(s.size() == 1);
    CHECK_FALSE(s.gone(kA));
    s.configure(config({feed(kB), feed(kA)}), kT0 + 3 * kDay);
    CHECK_FALSE(s.gone(kA));
    CHECK(next_of(s, kA) == kT0 + 3 * kDay);
    CHECK(s.gone(kB));
}

TEST_CASE("fetch_all_now: everything due now but feeds in flight, gone, or told to wait", "[scheduler]") {
    const std::string d = "https://d.example/", e = "https://e.example/", f = "https://f.example/";
    Config c = config({feed(kA), feed(kB), feed(kC), feed(d), feed(e), feed(f)});
    c.fetch.max_parallel = 10;
    Scheduler s;
    s.configure(c, kT0);
    REQUIRE(s.take_due(kT0, 10).size() == 6);
    s.on_result(kA, ok(), nullptr, kT0 + 1);
    s.on_result(kB, network(), nullptr, kT0 + 1);
    s.on_result(d, http(410), nullptr, kT0 + 1);
    s.on_result(e, http(429, 3600), nullptr, kT0 + 1);
    s.on_result(f, http(403), nullptr, kT0 + 1);  // kC stays in flight
    const int64_t e_next = next_of(s, e), f_next = next_of(s, f);
    CHECK(e_next == kT0 + 1 + 3600 + Scheduler::late_jitter(e, 3600));

    s.fetch_all_now(kT0 + 30);
    CHECK(next_of(s, kA) == kT0 + 30);
    CHECK(next_of(s, kB) == kT0 + 30);
    CHECK(next_of(s, kC) == kT0);  // in flight since kT0
    CHECK(next_of(s, d) == kNone);
    CHECK(next_of(s, e) == e_next);
    CHECK(next_of(s, f) == f_next);
    CHECK(s.take_due(kT0 + 30, 10) == std::vector<std::string>{kA, kB});

    s.fetch_all_now(kT0 + 1 + 3600);  // the server's wait is over
    CHECK(next_of(s, e) == kT0 + 1 + 3600);
}

TEST_CASE("configure keeps the state of URLs that stay and forgets the rest", "[scheduler]") {
    Config c = config({feed(kA), feed(kB)});
    Scheduler s;
    s.configure(c, kT0);
    fetch(s, kA, network(), kT0);
    fetch(s, kA, network(), next_of(s, kA));  // two failures: 60, then 120
    const int64_t a_next = next_of(s, kA), b_next = next_of(s, kB);

    s.configure(config({feed(kB), feed(kA), feed(kC)}), kT0 + 500);
    CHECK(s.size() == 3);
    CHECK(next_of(s, kA) == a_next);
    CHECK(next_of(s, kB) == b_next);
    CHECK(next_of(s, kC) == kT0 + 500);
    fetch(s, kA, network(), a_next + 1000);  // the third failure in a row
    CHECK(next_of(s, kA) == a_next + 1000 + 240 + Scheduler::jitter(kA, 240));

    SECTION("removed feeds are forgotten, and their late results ignored") {
        s.configure(config({feed(kA), feed(kC)}), kT0 + 2000);
        CHECK(s.size() == 2);
        CHECK(next_of(s, kB) == kNone);
        s.on_result(kB, ok(), nullptr, kT0 + 2001);
        CHECK(s.size() == 2);
        CHECK(next_of(s, kB) == kNone);
    }
    SECTION("a feed in flight stays in flight") {
        REQUIRE(s.take_due(kT0 + 5000, 10).size() == 3);
        s.configure(config({feed(kC), feed(kB), feed(kA)}), kT0 + 5001);
        CHECK(s.take_due(kT0 + 5002, 10).empty());
        s.on_result(kC, ok(), nullptr, kT0 + 5003);
        CHECK(next_of(s, kC) == kT0 + 5003 + 600 + Scheduler::jitter(kC, 600));
        CHECK(s.take_due(kT0 + 90000, 10) == std::vector<std::string>{kC});  // kA and kB are still out
    }
    SECTION("disabled, empty and repeated URLs are not scheduled twice") {
        Config d = config({feed(kA), feed(kB), feed(kA, 5), feed(""), feed(kC)});
        d.feeds[1].enabled = false;
        s.configure(d, kT0 + 3000);
        CHECK(s.size() == 2);
        CHECK(next_of(s, kB) == kNone);
        CHECK(s.take_due(kT0 + 90000, 10) == std::vector<std::string>{kA, kC});
    }
    SECTION("a new backoff_max applies to later failures") {
        Config d = config({feed(kA)});
        d.fetch.backoff_max_minutes = 3;
        s.configure(d, kT0 + 3000);
        const int64_t t = next_of(s, kA) + 10;
        fetch(s, kA, network(), t);  // the fourth failure would wait 480 s
        CHECK(next_of(s, kA) == t + 180 + Scheduler::jitter(kA, 180));
    }
}

TEST_CASE("a changed interval applies at the next scheduling, a shorter one cuts the wait", "[scheduler]") {
    SECTION("shorter: due no later than now + the new interval") {
        Scheduler s = single(kA, 60);
        fetch(s, kA, ok(), kT0);
        CHECK(next_of(s, kA) == kT0 + 3600 + Scheduler::jitter(kA, 3600));
        s.configure(config({feed(kA, 10)}), kT0 + 600);
        CHECK(next_of(s, kA) == kT0 + 600 + 600 + Scheduler::jitter(kA, 600));
    }
    SECTION("shorter, but already due sooner: unchanged") {
        Scheduler s = single(kA, 10);
        fetch(s, kA, ok(), kT0);
        s.configure(config({feed(kA, 5)}), kT0 + 500);
        CHECK(next_of(s, kA) == kT0 + 600 + Scheduler::jitter(kA, 600));
    }
    SECTION("longer: the current wait stands, the next one is longer") {
        Scheduler s = single(kA, 10);
        fetch(s, kA, ok(), kT0);
        const int64_t t = next_of(s, kA);
        s.configure(config({feed(kA, 60)}), kT0 + 100);
        CHECK(next_of(s, kA) == t);
        fetch(s, kA, ok(), t);
        CHECK(next_of(s, kA) == t + 3600 + Scheduler::jitter(kA, 3600));
    }
    SECTION("a failing feed keeps its wait") {
        Scheduler s = single(kA, 60);
        fetch(s, kA, http(403), kT0);
        const int64_t t = next_of(s, kA);
        s.configure(config({feed(kA, 5)}), kT0 + 100);
        CHECK(next_of(s, kA) == t);
    }
    SECTION("the shorter interval still honours skipHours") {
        Scheduler s = single(kA, 180);
        const PollingHints h = skip({11});
        fetch(s, kA, ok(), kT0 + 10 * kHour, &h);
        CHECK(next_of(s, kA) == kT0 + 13 * kHour + Scheduler::jitter(kA, 3 * kHour));
        s.configure(config({feed(kA, 10)}), kT0 + 10 * kHour + 55 * kMin);  // 11:05 is skipped
        CHECK(next_of(s, kA) == kT0 + 12 * kHour + Scheduler::late_jitter(kA, 3600));
    }
}

TEST_CASE("next_deadline: the earliest next fetch among feeds not in flight and not gone", "[scheduler]") {
    Scheduler s;
    CHECK(deadline(s) == kNone);
    s.configure(config({}), kT0);
    CHECK(deadline(s) == kNone);
    Config c = config({feed(kA), feed(kB), feed(kC)});
    c.fetch.max_parallel = 1;
    s.configure(c, kT0);
    CHECK(deadline(s) == kT0);
    REQUIRE(s.take_due(kT0, 1) == std::vector<std::string>{kA});
    CHECK(deadline(s) == kT0 + 1);
    s.on_result(kA, network(), nullptr, kT0 + 1);
    c.fetch.max_parallel = 2;
    s.configure(c, kT0 + 1);
    REQUIRE(s.take_due(kT0 + 2, 2) == std::vector<std::string>{kB, kC});
    CHECK(deadline(s) == kT0 + 1 + 60 + Scheduler::jitter(kA, 60));
    s.on_result(kB, http(410), nullptr, kT0 + 3);
    s.on_result(kC, ok(), nullptr, kT0 + 3);
    CHECK(deadline(s) == kT0 + 1 + 60 + Scheduler::jitter(kA, 60));
}

TEST_CASE("a dead host backs off 1, 2, 4 … minutes while other feeds succeed", "[scheduler]") {
    // kA's host refuses connections; kB answers every time. Only kA's own success resets kA.
    Config c = config({feed(kA), feed(kB, 1)});
    c.fetch.max_parallel = 10;
    Scheduler s;
    s.configure(c, kT0);
    REQUIRE(s.take_due(kT0, 10).size() == 2);
    s.on_result(kB, ok(), nullptr, kT0 + 1);
    int64_t t = kT0 + 1;
    s.on_result(kA, network(), nullptr, t);
    for (int k = 1; k <= 9; ++k) {
        const int64_t wait = std::min<int64_t>(int64_t{60} << (k - 1), 240 * 60);
        const int64_t a_next = t + wait + Scheduler::jitter(kA, wait);
        CHECK(next_of(s, kA) == a_next);
        // kB keeps succeeding every minute until kA is due again; kA stays where it was.
        for (int64_t b = next_of(s, kB); b < a_next; b = next_of(s, kB)) {
            REQUIRE(s.take_due(b, 10) == std::vector<std::string>{kB});
            s.on_result(kB, ok(), nullptr, b);
            REQUIRE(next_of(s, kA) == a_next);
        }
        t = a_next;
        REQUIRE(contains(s.take_due(t, 10), kA));
        if (s.next_fetch(kB) && next_of(s, kB) <= t) s.on_result(kB, ok(), nullptr, t);
        s.on_result(kA, network(), nullptr, t);
    }
    // Its own success brings it back to its interval.
    REQUIRE(contains(s.take_due(next_of(s, kA), 10), kA));
    s.on_result(kA, ok(), nullptr, t + 20000);
    CHECK(next_of(s, kA) == t + 20000 + 600 + Scheduler::jitter(kA, 600));
}

TEST_CASE("at most max_parallel feeds start in any second: a clock jump or the r key makes no burst", "[scheduler]") {
    Config c;
    for (int i = 0; i < 40; ++i) c.feeds.push_back(feed("https://pub.example/" + std::to_string(i) + ".xml"));
    c.fetch.max_parallel = 4;
    Scheduler s;
    s.configure(c, kT0);
    std::size_t taken = 0;
    for (int64_t t = kT0; taken < 40; ++t) {
        std::vector<std::string> due = s.take_due(t, 1000);
        CHECK(due.size() <= 4);
        taken += due.size();
        for (const std::string& u : due) s.on_result(u, ok(), nullptr, t);
    }
    // NTP steps the clock a year forward: everything is overdue at once.
    const int64_t jump = kT0 + 365 * kDay;
    CHECK(s.take_due(jump, 1000).size() == 4);
    CHECK(s.take_due(jump, 1000).empty());  // the same second: spent
    CHECK(deadline(s) == jump + 1);
    CHECK(s.take_due(jump + 1, 1000).size() == 4);
    // The r key: the same bound.
    s.fetch_all_now(jump + 2);
    CHECK(s.take_due(jump + 2, 1000).size() == 4);
    CHECK(s.take_due(jump + 3, 1000).size() == 4);
}

TEST_CASE("a clock stepped backwards keeps the remaining wait", "[scheduler]") {
    Scheduler s = single(kA);
    fetch(s, kA, ok(), kT0);
    const int64_t wait = next_of(s, kA) - kT0;
    const int64_t back = kT0 - 365 * kDay;  // NTP corrects a Pi that booted with a year-ahead clock
    CHECK(s.take_due(back, 10).empty());
    CHECK(next_of(s, kA) == back + wait);
    CHECK(s.take_due(back + wait, 10) == std::vector<std::string>{kA});
}

TEST_CASE("restore: a restarted kiosk waits for the saved next fetch, within bounds", "[scheduler]") {
    Config c = config({feed(kA), feed(kB), feed(kC)});
    c.fetch.max_parallel = 1;
    Scheduler s;
    s.configure(c, kT0);
    s.restore(kA, kT0 + 300, kT0);
    s.restore(kB, kT0 - 5000, kT0);       // overdue: the startup spread stands
    s.restore(kC, kT0 + 3650 * kDay, kT0);  // nonsense: at most a day
    s.restore("https://unknown.example/", kT0 + 300, kT0);
    CHECK(next_of(s, kA) == kT0 + 300);
    CHECK(next_of(s, kB) == kT0 + 1);
    CHECK(next_of(s, kC) == kT0 + kDay);
    CHECK(s.size() == 3);
}

// ---------------------------------------------------------------------------------------------
// A month of polling: 50 feeds to start, fetches that take 1..30 s on 6 slots, random outcomes,
// a 12-hour Wi-Fi outage, config reloads every 2..4 days that add, remove, re-add, disable and
// retime feeds, and a manual refresh twice. Each feed carries the latest moment the rules allow
// for its next fetch (`poll_by`); every fetch is checked against it and against the earliest.

namespace {

// Tens of thousands of fetches: Catch's bookkeeping (and INFO's string building) is paid only
// when a check fails, which keeps the month well under a second.
#define SIM_CHECK(cond, where)   \
    do {                         \
        if (!(cond)) {           \
            INFO(where);         \
            CHECK(cond);         \
        }                        \
    } while (false)

struct Rng {
    uint64_t state;
    uint64_t next() {  // splitmix64: the same stream with every standard library
        uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    int64_t range(int64_t lo, int64_t hi) {
        return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
    }
    bool chance(int per_mille) { return range(0, 999) < per_mille; }
    template <class T>
    T& pick(std::vector<T>& v) { return v[static_cast<std::size_t>(range(0, static_cast<int64_t>(v.size()) - 1))]; }
};

struct Publisher {  // fixed per URL, like a real server
    PollingHints hints;
    int64_t gone_from = std::numeric_limits<int64_t>::max();
};

struct Track {
    int64_t added = 0;
    std::optional<int64_t> last_start;
    int64_t poll_by = 0;     // the latest the next fetch may start (before waiting for a slot)
    bool in_flight = false;
    bool last_ok = true;
    bool hints_known = false;  // an Ok has been seen, so the scheduler holds the publisher's hints
    bool forced = false;       // fetch_all_now since the last fetch
    int64_t base_min = 0;      // configured interval, least since the last fetch ended
};

int64_t span(int64_t d) { return std::min<int64_t>(d / 10, 60); }

int64_t capped_hint(const PollingHints& h) {
    int64_t hint = h.ttl_minutes ? int64_t{*h.ttl_minutes} * 60 : 0;
    if (h.update_period_seconds) hint = std::max(hint, *h.update_period_seconds);
    return std::min(hint, kDay);
}

bool covers_all(const std::vector<int>& v, std::size_t n) { return v.size() == n; }

// The longest a skip hint can push a time: the skipped days plus the skipped hours, + jitter.
int64_t skip_push(const PollingHints& h) {
    int64_t push = 0;
    if (!covers_all(h.skip_days, 7)) push += static_cast<int64_t>(h.skip_days.size()) * kDay;
    if (!covers_all(h.skip_hours, 24)) push += static_cast<int64_t>(h.skip_hours.size()) * kHour;
    return push + 60;
}

bool allowed(int64_t t, const PollingHints& h) {
    const bool day_skipped = !covers_all(h.skip_days, 7) &&
        std::count(h.skip_days.begin(), h.skip_days.end(), static_cast<int>(weekday_of(t))) > 0;
    const bool hour_skipped = !covers_all(h.skip_hours, 24) &&
        std::count(h.skip_hours.begin(), h.skip_hours.end(), static_cast<int>(hours_of(t))) > 0;
    return !day_skipped && !hour_skipped;
}

// The latest a regular poll may come, `from` a success (or a reload or a recovery).
int64_t regular_by(int64_t from, int64_t base, const PollingHints& known) {
    const int64_t eff = std::max(base, capped_hint(known));
    return from + eff + span(eff) + skip_push(known);
}

}  // namespace

TEST_CASE("A simulated month with the fake clock", "[scheduler][sim]") {
    constexpr std::size_t kSlots = 6;
    constexpr int64_t kMaxDuration = 30;
    constexpr int64_t kQueueSlack = 600;  // a fetch may wait this long for a free slot
    constexpr int64_t kBackoffMax = 240 * 60;
    constexpr int64_t kMaxRetryAfter = 7200;
    const int64_t end = kT0 + 30 * kDay;
    const int64_t outage_from = kT0 + 5 * kDay + 3 * kHour, outage_to = outage_from + 12 * kHour;

    Rng rng{20240101};
    std::map<std::string, Publisher> publishers;
    int serial = 0;
    auto new_feed = [&] {
        FeedConfig f;
        f.url = "https://pub" + std::to_string(serial % 7) + ".example/feed/" + std::to_string(serial) + ".xml";
        ++serial;
        if (!rng.chance(150)) f.refresh_minutes = static_cast<int>(rng.range(5, 60));
        Publisher p;
        if (rng.chance(150)) p.hints.ttl_minutes = 60;
        if (rng.chance(50)) p.hints.ttl_minutes = 100000;
        if (rng.chance(100)) p.hints.update_period_seconds = 7200;
        if (rng.chance(150))
            p.hints.skip_hours = rng.chance(500) ? std::vector<int>{1, 2, 3, 4, 5} : std::vector<int>{0, 1, 22, 23};
        if (rng.chance(100)) p.hints.skip_days = rng.chance(500) ? std::vector<int>{0, 6} : std::vector<int>{0};
        if (rng.chance(80)) p.gone_from = kT0 + rng.range(0, 30 * kDay);
        publishers[f.url] = p;
        return f;
    };

    Config cfg;
    cfg.fetch.max_parallel = static_cast<int>(kSlots);
    for (int i = 0; i < 50; ++i) cfg.feeds.push_back(new_feed());

    std::map<std::string, int64_t> bases;  // configured interval per URL; the first enabled entry wins
    auto base_of = [&](const std::string& url) {
        auto it = bases.find(url);
        if (it == bases.end()) FAIL("not configured: " << url);
        return it->second;
    };
    auto configured = [&] {
        std::set<std::string> urls;
        for (const FeedConfig& f : cfg.feeds)
            if (f.enabled) urls.insert(f.url);
        return urls;
    };

    Scheduler s;
    std::map<std::string, Track> tracks;
    std::set<std::string> gone;
    struct Flight {
        int64_t done;
        std::string url;
    };
    std::vector<Flight> flights;
    std::vector<std::string> removed;
    std::map<std::string, int> outcomes;
    std::map<int64_t, int> startup_starts;
    long polls = 0, iterations = 0;
    const PollingHints no_hints;
    auto known = [&](const std::string& url, const Track& t) -> const PollingHints& {
        return t.hints_known ? publishers[url].hints : no_hints;
    };

    auto reconfigure = [&](int64_t now) {
        s.configure(cfg, now);
        bases.clear();
        for (const FeedConfig& f : cfg.feeds)
            if (f.enabled) bases.emplace(f.url, int64_t{f.refresh_minutes.value_or(cfg.fetch.interval_minutes)} * 60);
        const std::set<std::string> urls = configured();
        REQUIRE(s.size() == urls.size());
        for (auto it = tracks.begin(); it != tracks.end();) {
            if (urls.count(it->first) == 0) {
                gone.erase(it->first);
                it = tracks.erase(it);
            } else {
                ++it;
            }
        }
        std::map<int64_t, int> fresh_per_second;
        for (const std::string& u : urls) {
            const int64_t base = base_of(u);
            auto [it, added] = tracks.try_emplace(u);
            Track& t = it->second;
            if (added) {
                t.added = now;
                t.poll_by = now;
                t.base_min = base;
                ++fresh_per_second[next_of(s, u)];
                CHECK(next_of(s, u) >= now);
                continue;
            }
            t.base_min = std::min(t.base_min, base);
            // A healthy feed whose interval changed is due within the new one.
            if (t.last_ok && !t.in_flight) t.poll_by = std::min(t.poll_by, regular_by(now, base, known(u, t)));
            if (t.hints_known && !gone.count(u)) CHECK(allowed(next_of(s, u), publishers[u].hints));
        }
        for (const auto& [sec, n] : fresh_per_second) CHECK(n <= static_cast<int>(kSlots));
    };

    int64_t now = kT0;
    reconfigure(now);
    int64_t next_reload = now + rng.range(2 * kDay, 4 * kDay);
    std::vector<int64_t> manual = {kT0 + 10 * kDay + 1234, kT0 + 20 * kDay + 4321};

    while (now < end) {
        ++iterations;
        // Results that arrived by now.
        for (std::size_t i = 0; i < flights.size();) {
            if (flights[i].done > now) {
                ++i;
                continue;
            }
            const std::string url = flights[i].url;
            flights.erase(flights.begin() + static_cast<std::ptrdiff_t>(i));
            const Publisher& pub = publishers[url];
            // 85% ok, 5% 304, 5% network, 2% 500, 1% 429, 1.5% parse error, 0.5% 403; 410 once
            // gone; nothing but network errors during the outage.
            const int roll = static_cast<int>(rng.range(0, 999));
            FetchOutcome out = ok();
            std::string name = "ok";
            if (now >= outage_from && now < outage_to) out = network(), name = "network";
            else if (now >= pub.gone_from) out = http(410), name = "410";
            else if (roll < 850) out = ok(), name = "ok";
            else if (roll < 900) out = not_modified(), name = "304";
            else if (roll < 950) out = network(), name = "network";
            else if (roll < 970) out = http(500), name = "500";
            else if (roll < 980) out = http(429, rng.range(60, kMaxRetryAfter)), name = "429";
            else if (roll < 995) out = parse_error(), name = "parse";
            else out = http(403), name = "403";
            ++outcomes[name];
            s.on_result(url, out, out.kind == Kind::Ok ? &pub.hints : nullptr, now);
            auto tr = tracks.find(url);
            if (tr == tracks.end()) {  // removed while in flight: the result is ignored
                SIM_CHECK(next_of(s, url) == kNone, url);
                continue;
            }
            Track& t = tr->second;
            t.in_flight = false;
            if (out.http_status == 410) {
                SIM_CHECK(s.gone(url), url);
                gone.insert(url);
                continue;
            }
            const bool good = out.kind == Kind::Ok || out.kind == Kind::NotModified;
            t.hints_known = t.hints_known || out.kind == Kind::Ok;
            const int64_t base = base_of(url);
            const int64_t next = next_of(s, url);
#define WHERE url << " " << name << " at kT0+" << now - kT0 << " next +" << next - now
            SIM_CHECK(next > now, WHERE);
            if (t.hints_known) SIM_CHECK(allowed(next, pub.hints), WHERE);
            t.last_ok = good;
            t.base_min = base;
            if (good) {
                SIM_CHECK(next >= now + base - span(base), WHERE);
                t.poll_by = regular_by(now, base, known(url, t));
            } else {
                t.poll_by = now + std::max(kBackoffMax, kMaxRetryAfter) + 60 + skip_push(known(url, t));
            }
            SIM_CHECK(next <= t.poll_by, WHERE << " poll_by +" << t.poll_by - now);
#undef WHERE
        }

        if (now >= next_reload) {
            // Remove 1..3 (in flight or not), add or re-add 1..3 (never one still in flight),
            // retime 2..4, sometimes toggle one and sometimes list a URL twice.
            auto in_flight = [&](const std::string& u) {
                return std::any_of(flights.begin(), flights.end(), [&](const Flight& f) { return f.url == u; });
            };
            for (int64_t k = rng.range(1, 3); k > 0 && cfg.feeds.size() > 10; --k) {
                const std::string url = rng.pick(cfg.feeds).url;
                cfg.feeds.erase(std::remove_if(cfg.feeds.begin(), cfg.feeds.end(),
                                               [&](const FeedConfig& f) { return f.url == url; }),
                                cfg.feeds.end());
                removed.push_back(url);
            }
            for (int64_t k = rng.range(1, 3); k > 0; --k) {
                if (!removed.empty() && rng.chance(500) && !in_flight(removed.back())) {
                    cfg.feeds.push_back(feed(removed.back(), static_cast<int>(rng.range(5, 60))));
                    removed.pop_back();
                } else {
                    cfg.feeds.push_back(new_feed());
                }
            }
            for (int64_t k = rng.range(2, 4); k > 0; --k) rng.pick(cfg.feeds).refresh_minutes = static_cast<int>(rng.range(5, 60));
            if (rng.chance(300)) {
                FeedConfig& f = rng.pick(cfg.feeds);
                if (f.enabled || !in_flight(f.url)) f.enabled = !f.enabled;
            }
            if (rng.chance(200)) {
                FeedConfig dup = cfg.feeds.front();
                dup.refresh_minutes = 1;  // ignored: the first entry wins
                cfg.feeds.push_back(dup);
            }
            reconfigure(now);
            next_reload = now + rng.range(2 * kDay, 4 * kDay);
        }

        if (!manual.empty() && now >= manual.front()) {
            s.fetch_all_now(now);
            for (auto& [u, t] : tracks) t.forced = true;
            manual.erase(manual.begin());
        }

        for (const std::string& url : s.take_due(now, kSlots - flights.size())) {
#define WHERE url << " started at kT0+" << now - kT0
            SIM_CHECK(gone.count(url) == 0, WHERE);
            Track& t = tracks.at(url);
            SIM_CHECK(now <= t.poll_by + kQueueSlack, WHERE << " poll_by kT0+" << t.poll_by - kT0);
            if (!t.last_start) {
                if (t.added == kT0) ++startup_starts[now];
            } else if (!t.forced && t.last_ok) {
                // Never sooner than the interval (less jitter) after a success.
                SIM_CHECK(now - *t.last_start >= t.base_min - span(t.base_min), WHERE << " last kT0+" << *t.last_start - kT0);
            }
            t.last_start = now;
            t.forced = false;
            t.in_flight = true;
            flights.push_back({now + rng.range(1, kMaxDuration), url});
            ++polls;
#undef WHERE
        }

        // Never stalls: something is due later, or every slot is busy, or nothing is left to poll.
        const std::optional<int64_t> dl = s.next_deadline();
        SIM_CHECK((!dl || *dl > now || flights.size() == kSlots), "kT0+" << now - kT0);
        SIM_CHECK((dl || !flights.empty() || gone.size() == tracks.size()), "kT0+" << now - kT0);
        int64_t t = std::min(end, next_reload);
        if (dl && *dl > now) t = std::min(t, *dl);
        for (const Flight& f : flights) t = std::min(t, f.done);
        if (!manual.empty()) t = std::min(t, manual.front());
        if (t <= now) FAIL("the loop stalled at kT0+" << now - kT0);
        now = t;
    }

    // Nobody was left behind at the end either.
    for (const auto& [url, t] : tracks) {
        INFO(url);
        if (!gone.count(url) && !t.in_flight) CHECK(end <= t.poll_by + kQueueSlack);
    }
    REQUIRE(startup_starts.size() >= 50 / kSlots);
    for (const auto& [sec, n] : startup_starts) CHECK(n <= static_cast<int>(kSlots));
    CHECK(s.size() == configured().size());
    CHECK(polls > 30000);
    CHECK(iterations < 4 * polls);
    for (const char* kind : {"ok", "304", "network", "500", "429", "parse", "403", "410"}) CHECK(outcomes[kind] > 0);
    CHECK(gone.size() < tracks.size());
}
