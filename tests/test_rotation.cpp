// SPDX-License-Identifier: Apache-2.0
// Rotation: fair interleave across sources, rounds, never the same card twice in a row (also
// under thousands of random store changes), breaking news, history, and the card's badge. The
// clock is always passed in; nothing here is timed.
#include "core/rotation.h"
#include "core/store.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

using nk::Card;
using nk::Entry;
using nk::Rotation;
using nk::Store;

namespace {

constexpr int64_t T0 = 1'700'000'000;

nk::Item item(std::string id, std::string title, std::optional<int64_t> published, std::string summary = {}) {
    nk::Item it;
    it.id = std::move(id);
    it.title = std::move(title);
    it.published = published;
    it.summary = std::move(summary);
    return it;
}

nk::FeedConfig feed_config(std::string url, int max_items = 50, double weight = 1.0) {
    nk::FeedConfig fc;
    fc.url = std::move(url);
    fc.max_items = max_items;
    fc.weight = weight;
    return fc;
}

nk::Feed feed_of(std::vector<nk::Item> items) {
    nk::Feed f;
    f.items = std::move(items);
    return f;
}

// n items for a feed, newest first: "<tag>-0" is the newest. Titles are distinct across feeds.
nk::Feed items_for(const std::string& tag, int n, int64_t newest = T0 - 10) {
    nk::Feed f;
    f.title = "Feed " + tag;
    for (int i = 0; i < n; ++i)
        f.items.push_back(item(tag + "-" + std::to_string(i), "Headline " + std::to_string(i) + " from desk " + tag, newest - i * 60));
    return f;
}

using Key = std::pair<std::string, std::string>;  // feed URL, item id
Key key(const Card& c) { return {c.entry.feed_url, c.entry.item.id}; }

std::set<Key> eligible_keys(const Store& s, int64_t now) {
    std::set<Key> out;
    for (const auto& list : s.eligible(now))
        for (const Entry* e : list) out.insert({e->feed_url, e->item.id});
    return out;
}

std::vector<Card> take(Rotation& r, const Store& s, const nk::Config& c, int n, int64_t now = T0) {
    std::vector<Card> out;
    for (int i = 0; i < n; ++i) {
        auto card = r.next(s, c, now);
        REQUIRE(card);
        out.push_back(*card);
    }
    return out;
}

struct ThreeFeeds {
    nk::Config config;
    Store store;
    ThreeFeeds(int a, int b, int c) {
        config.feeds = {feed_config("http://a/"), feed_config("http://b/"), feed_config("http://c/")};
        store.configure(config);
        if (a) REQUIRE(store.update("http://a/", items_for("a", a), T0));
        if (b) REQUIRE(store.update("http://b/", items_for("b", b), T0));
        if (c) REQUIRE(store.update("http://c/", items_for("c", c), T0));
    }
};

}  // namespace

TEST_CASE("fair interleave: a busy feed does not crowd out the others", "[rotation]") {
    ThreeFeeds f(10, 3, 1);
    Rotation r;
    std::vector<Card> round = take(r, f.store, f.config, 14);

    std::set<std::string> first_three;
    for (int i = 0; i < 3; ++i) first_three.insert(round[i].entry.feed_url);
    CHECK(first_three.size() == 3);

    std::string sources;
    for (const Card& c : round) sources += c.entry.feed_url[7];
    CHECK(sources == "abcababaaaaaaa");

    // Every eligible item exactly once in the round, newest first within a source.
    std::set<Key> seen;
    for (const Card& c : round) CHECK(seen.insert(key(c)).second);
    CHECK(seen == eligible_keys(f.store, T0));
    int64_t last_a = INT64_MAX;
    for (const Card& c : round)
        if (c.entry.feed_url == "http://a/") {
            CHECK(c.entry.time < last_a);
            last_a = c.entry.time;
        }

    // The next round shows everything again, starting without repeating the last card.
    std::vector<Card> again = take(r, f.store, f.config, 14);
    CHECK(key(again[0]) != key(round.back()));
    std::set<Key> seen2;
    for (const Card& c : again) CHECK(seen2.insert(key(c)).second);
    CHECK(seen2 == seen);
}

TEST_CASE("weighted interleave follows the weights", "[rotation]") {
    nk::Config c;
    c.feeds = {feed_config("http://heavy/", 300, 2.0), feed_config("http://light/", 300, 1.0)};
    Store s;
    s.configure(c);
    REQUIRE(s.update("http://heavy/", items_for("h", 300), T0));
    REQUIRE(s.update("http://light/", items_for("l", 300), T0));

    auto shares = [&](bool weighted) {
        c.rotation.weighted = weighted;
        Rotation r;
        std::map<std::string, int> n;
        std::vector<Card> cards = take(r, s, c, 300);
        for (const Card& card : cards) ++n[card.entry.feed_url];
        // Smooth: no run of the heavy feed longer than its weight.
        int run = 0, longest = 0;
        for (const Card& card : cards) {
            run = card.entry.feed_url == "http://heavy/" ? run + 1 : 0;
            longest = std::max(longest, run);
        }
        return std::make_pair(n, longest);
    };
    auto [weighted, longest] = shares(true);
    CHECK(weighted["http://heavy/"] >= 198);
    CHECK(weighted["http://heavy/"] <= 202);
    CHECK(weighted["http://light/"] + weighted["http://heavy/"] == 300);
    CHECK(longest <= 2);
    auto [plain, plain_longest] = shares(false);
    CHECK(plain["http://heavy/"] == 150);
    CHECK(plain_longest == 1);
}

TEST_CASE("never the same card twice in a row, unless it is the only one", "[rotation]") {
    SECTION("one item") {
        ThreeFeeds f(1, 0, 0);
        Rotation r;
        std::vector<Card> cards = take(r, f.store, f.config, 3);
        CHECK(key(cards[0]) == key(cards[1]));
        CHECK(key(cards[1]) == key(cards[2]));
    }
    SECTION("one feed across round boundaries") {
        ThreeFeeds f(3, 0, 0);
        Rotation r;
        std::vector<Card> cards = take(r, f.store, f.config, 30);
        for (size_t i = 1; i < cards.size(); ++i) CHECK(key(cards[i]) != key(cards[i - 1]));
    }
    SECTION("two items from two feeds") {
        ThreeFeeds f(1, 1, 0);
        Rotation r;
        std::vector<Card> cards = take(r, f.store, f.config, 20);
        for (size_t i = 1; i < cards.size(); ++i) CHECK(cards[i].entry.feed_url != cards[i - 1].entry.feed_url);
    }
}

TEST_CASE("nothing eligible: no card", "[rotation]") {
    nk::Config c;
    c.feeds = {feed_config("http://a/")};
    c.feeds[0].max_age_seconds = 3600;
    Store s;
    s.configure(c);
    Rotation r;
    CHECK_FALSE(r.next(s, c, T0));
    REQUIRE(s.update("http://a/", items_for("a", 2), T0));
    CHECK(r.next(s, c, T0));
    CHECK_FALSE(r.next(s, c, T0 + 86400));  // all aged out
}

TEST_CASE("new items join the current round, vanished ones are skipped", "[rotation]") {
    ThreeFeeds f(3, 3, 0);
    Rotation r;
    std::vector<Card> cards = take(r, f.store, f.config, 2);  // a-0, b-0
    CHECK(cards[0].entry.item.id == "a-0");
    CHECK(cards[1].entry.item.id == "b-0");

    nk::Feed a = items_for("a", 3);
    a.items.insert(a.items.begin(), item("a-new", "Fresh off the wire", T0 + 5));
    REQUIRE(f.store.update("http://a/", a, T0 + 10));
    nk::Feed b = items_for("b", 3);
    b.items.erase(b.items.begin() + 1);  // b-1 is gone
    REQUIRE(f.store.update("http://b/", b, T0 + 10));

    // The round goes on with the new item (newest first in its source) and without the vanished one.
    std::vector<Card> rest = take(r, f.store, f.config, 4, T0 + 20);
    std::vector<std::string> ids;
    for (const Card& c : rest) ids.push_back(c.entry.item.id);
    CHECK(ids == std::vector<std::string>{"a-new", "b-2", "a-1", "a-2"});
    // Everything was shown: a new round, and it does not open with the card just shown.
    Card next = *r.next(f.store, f.config, T0 + 30);
    CHECK(next.entry.item.id != "a-2");
    CHECK(next.entry.item.id != "b-1");
}

TEST_CASE("a copy that reappears when its fresher duplicate ages out is shown in the round", "[rotation]") {
    nk::Config c;
    c.feeds = {feed_config("http://a/"), feed_config("http://b/"), feed_config("http://c/")};
    c.feeds[0].max_age_seconds = 3600;
    Store s;
    s.configure(c);
    REQUIRE(s.update("http://a/", feed_of({item("x", "Storm closes all schools today", T0 - 3000)}), T0));
    REQUIRE(s.update("http://b/",
                     feed_of({item("b-0", "Harbour news", T0 - 100), item("x2", "Storm closes all schools today", T0 - 3500),
                              item("b-1", "Market report", T0 - 5000)}),
                     T0));
    REQUIRE(s.update("http://c/", items_for("c", 6), T0));
    Rotation r;
    std::vector<std::string> ids;
    for (const Card& card : take(r, s, c, 5, T0)) ids.push_back(card.entry.item.id);
    CHECK(ids == std::vector<std::string>{"x", "b-0", "c-0", "b-1", "c-1"});

    // Nothing in the store changed, only the clock: a's copy is too old now and b's comes through.
    uint64_t gen = s.generation();
    std::set<std::string> rest;
    for (const Card& card : take(r, s, c, 5, T0 + 700)) rest.insert(card.entry.item.id);
    CHECK(s.generation() == gen);
    CHECK(rest == std::set<std::string>{"x2", "c-2", "c-3", "c-4", "c-5"});
}

TEST_CASE("a breaking item jumps the queue once, with a longer dwell", "[rotation]") {
    ThreeFeeds f(3, 3, 0);
    f.config.rotation.priority_keywords = {"breaking"};
    f.config.rotation.min_dwell_seconds = 8;
    f.config.rotation.max_dwell_seconds = 25;
    f.config.rotation.breaking_dwell_factor = 1.5;
    f.store.configure(f.config);
    Rotation r;
    take(r, f.store, f.config, 2);  // a-0, b-0

    nk::Feed b = items_for("b", 3);
    b.items.push_back(item("b-brk", "Breaking: harbour bridge closed", T0 - 30 * 60));  // older than the rest of b
    nk::Item long_one = item("b-long", "Breaking: full statement", T0 - 40 * 60);
    for (int i = 0; i < 400; ++i) long_one.summary += "word ";
    b.items.push_back(long_one);
    REQUIRE(f.store.update("http://b/", b, T0 + 10));

    // Both jump, the newer first, before the round-robin goes on.
    Card first = *r.next(f.store, f.config, T0 + 20);
    CHECK(first.entry.item.id == "b-brk");
    CHECK(first.entry.breaking);
    CHECK(first.dwell_seconds == Approx(8 * 1.5));
    Card second = *r.next(f.store, f.config, T0 + 20);
    CHECK(second.entry.item.id == "b-long");
    CHECK(second.dwell_seconds == Approx(25 * 1.5));  // clamped to max_dwell * factor

    // The rest of the round: the four remaining items, the breaking ones not again.
    std::vector<Card> rest = take(r, f.store, f.config, 4, T0 + 20);
    std::set<std::string> ids;
    for (const Card& c : rest) ids.insert(c.entry.item.id);
    CHECK(ids == std::set<std::string>{"a-1", "a-2", "b-1", "b-2"});
    for (const Card& c : rest) CHECK(c.dwell_seconds == Approx(8));

    // Next round: each item once more, the breaking ones in their place, not at the head.
    std::vector<Card> next_round = take(r, f.store, f.config, 8, T0 + 30);
    CHECK_FALSE(next_round[0].entry.breaking);
    std::map<std::string, int> count;
    for (const Card& c : next_round) ++count[c.entry.item.id];
    CHECK(count.size() == 8);
    CHECK(count["b-brk"] == 1);
}

TEST_CASE("previous steps back through history and next steps forward again", "[rotation]") {
    ThreeFeeds f(10, 10, 10);
    Rotation r;
    CHECK_FALSE(r.previous());
    std::vector<Card> shown = take(r, f.store, f.config, 5);
    CHECK_FALSE(key(shown[3]) == key(shown[4]));

    REQUIRE(r.previous());
    CHECK(key(*r.previous()) == key(shown[2]));  // two steps back
    CHECK(key(*r.next(f.store, f.config, T0)) == key(shown[3]));
    CHECK(key(*r.next(f.store, f.config, T0)) == key(shown[4]));
    Card fresh = *r.next(f.store, f.config, T0);
    for (const Card& c : shown) CHECK(key(fresh) != key(c));

    // Fifty cards of history at most.
    take(r, f.store, f.config, 60);
    int back = 0;
    while (r.previous()) ++back;
    CHECK(back == 49);
    CHECK_FALSE(r.previous());
}

TEST_CASE("the card's badge: configured name and colour, else the feed's title, else its host", "[rotation]") {
    nk::Config c;
    nk::FeedConfig off = feed_config("http://off/");
    off.enabled = false;
    nk::FeedConfig named = feed_config("https://named.example/rss");
    named.name = "The Daily";
    named.color = "#123456";
    nk::FeedConfig titled = feed_config("https://titled.example/rss");
    nk::FeedConfig bare = feed_config("https://www.Bare.example:8080/feed.xml");
    c.feeds = {off, named, titled, bare};
    Store s;
    s.configure(c);
    REQUIRE(s.update("https://named.example/rss", items_for("n", 1), T0));
    REQUIRE(s.update("https://titled.example/rss", items_for("t", 1), T0));
    nk::Feed untitled = items_for("b", 1);
    untitled.title.clear();
    REQUIRE(s.update("https://www.Bare.example:8080/feed.xml", untitled, T0));

    Rotation r;
    std::map<std::string, Card> by_url;
    for (const Card& card : take(r, s, c, 3)) by_url.emplace(card.entry.feed_url, card);
    REQUIRE(by_url.size() == 3);
    CHECK(by_url["https://named.example/rss"].source == "The Daily");
    CHECK(by_url["https://named.example/rss"].color == "#123456");
    CHECK(by_url["https://titled.example/rss"].source == "Feed t");
    CHECK(by_url["https://www.Bare.example:8080/feed.xml"].source == "bare.example");
    std::string c2 = by_url["https://titled.example/rss"].color, c3 = by_url["https://www.Bare.example:8080/feed.xml"].color;
    for (const std::string& col : {c2, c3}) {
        REQUIRE(col.size() == 7);
        CHECK(col[0] == '#');
    }
    CHECK(c2 != c3);

    // Colours follow the position in the file, so disabling a feed does not recolour the others.
    c.feeds[0].enabled = true;
    s.configure(c);
    Rotation r2;
    for (const Card& card : take(r2, s, c, 3))
        if (card.entry.feed_url == "https://titled.example/rss") CHECK(card.color == c2);
}

TEST_CASE("never twice in a row through 10,000 random store changes", "[rotation]") {
    std::mt19937 rng(20240305);
    auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    const std::vector<std::string> pool{"http://f0/", "http://f1/", "http://f2/", "http://f3/", "http://f4/", "http://f5/"};
    const std::vector<std::string> words{"harbour", "council", "storm", "budget", "rail", "school", "museum", "bridge", "breaking"};

    nk::Config c;
    Store s;
    Rotation r;
    int64_t now = T0;
    std::optional<Card> last;
    int cards = 0, contested = 0, repeats = 0, configures = 0;
    for (int step = 0; step < 10'000; ++step) {
        int op = pick(100);
        if (op < 45) {
            std::optional<Card> card = r.next(s, c, now);
            std::set<Key> eligible = eligible_keys(s, now);
            if (!card) {
                CHECK(eligible.empty());
                continue;
            }
            ++cards;
            INFO("step " << step << ": " << card->entry.feed_url << " " << card->entry.item.id);
            CHECK(eligible.count(key(*card)) == 1);
            if (eligible.size() >= 2) ++contested;
            if (last && key(*last) == key(*card)) {
                ++repeats;
                CHECK(eligible.size() == 1);
            }
            CHECK(!card->source.empty());
            CHECK(card->dwell_seconds >= c.rotation.min_dwell_seconds);
            last = card;
        } else if (op < 80) {
            const std::string& url = pool[pick(static_cast<int>(pool.size()))];
            nk::Feed f;
            f.title = "Title of " + url;
            int n = chance(10) ? 0 : pick(9);
            for (int i = 0; i < n; ++i) {
                // One random draw per statement: the sequence must not depend on the compiler's
                // order of evaluating arguments.
                int id = pick(12);
                // Some titles and links collide across feeds, so dedupe keeps changing which copy is eligible.
                std::string title = words[pick(static_cast<int>(words.size()))];
                title += " " + words[pick(static_cast<int>(words.size()))] + " story " + std::to_string(id);
                std::optional<int64_t> published;
                if (!chance(20)) published = now - pick(7200) + 600;  // some in the future
                nk::Item it = item(url + "#" + std::to_string(id), title, published);
                if (chance(30)) it.link = "https://wire.example/" + std::to_string(id) + "?utm_source=" + url;
                f.items.push_back(it);
            }
            const std::vector<std::string> urls = s.feed_urls();
            bool known = std::find(urls.begin(), urls.end(), url) != urls.end();
            CHECK(s.update(url, f, now) == (n > 0 && known));
        } else if (op < 88) {
            ++configures;
            c.feeds.clear();
            for (const std::string& url : pool)
                if (chance(60)) {
                    int max_items = 1 + pick(8);
                    nk::FeedConfig fc = feed_config(url, max_items, 0.5 + pick(4));
                    if (chance(20)) fc.max_age_seconds = 1800 + pick(7200);
                    if (chance(10)) fc.exclude = {words[pick(static_cast<int>(words.size()))]};
                    c.feeds.push_back(fc);
                }
            std::shuffle(c.feeds.begin(), c.feeds.end(), rng);
            c.rotation.weighted = chance(50);
            c.rotation.dedupe = chance(80);
            c.rotation.priority_keywords = chance(50) ? std::vector<std::string>{"breaking"} : std::vector<std::string>{};
            s.configure(c);
        } else {
            now += pick(900);
        }
    }
    CHECK(cards > 2000);
    CHECK(configures > 100);
    CHECK(contested > 2000);  // most cards had a choice, so the rule was really tested
    CHECK(repeats > 0);       // and the one exception was met too
}

TEST_CASE("20 feeds of 200 items: eligible and a whole round without blow-up", "[rotation]") {
    const std::vector<std::string> vocab{"city", "council", "river", "school", "market", "train", "storm", "budget",
                                         "health", "museum", "police", "festival", "harbour", "airport", "election", "bridge"};
    nk::Config c;
    Store s;
    for (int f = 0; f < 20; ++f) c.feeds.push_back(feed_config("http://feed" + std::to_string(f) + "/", 200));
    s.configure(c);
    std::mt19937 rng(7);
    for (int f = 0; f < 20; ++f) {
        nk::Feed feed;
        for (int i = 0; i < 200; ++i) {
            std::string title = "Desk " + std::to_string(f) + " item " + std::to_string(i);
            for (int w = 0; w < 6; ++w) title += " " + vocab[rng() % vocab.size()];
            nk::Item it = item("f" + std::to_string(f) + "-" + std::to_string(i), title, T0 - static_cast<int64_t>(rng() % 86400));
            it.link = "https://news.example/" + std::to_string(f) + "/" + std::to_string(i) + "?utm_source=rss";
            for (int w = 0; w < 60; ++w) it.summary += vocab[rng() % vocab.size()] + " ";
            feed.items.push_back(std::move(it));
        }
        REQUIRE(s.update(c.feeds[static_cast<size_t>(f)].url, feed, T0));
    }
    std::set<Key> all = eligible_keys(s, T0);
    CHECK(all.size() == 4000);

    Rotation r;
    std::set<Key> seen;
    std::optional<Key> prev;
    for (int i = 0; i < 4000; ++i) {
        auto card = r.next(s, c, T0 + i);
        REQUIRE(card);
        CHECK(seen.insert(key(*card)).second);
        if (prev) CHECK(*prev != key(*card));
        prev = key(*card);
    }
    CHECK(seen == all);
}
