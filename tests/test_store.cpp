// SPDX-License-Identifier: Apache-2.0
// The store: what a good, empty or refused response does to a feed's items (and never to
// another feed's), first-seen times and clamped dates, item versions, the filters, dedupe across
// feeds, canonical links and dwell times. The clock is always passed in.
#include "core/rotation.h"
#include "feed/url.h"
#include "core/store.h"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using nk::Entry;
using nk::Store;

namespace {

constexpr int64_t T0 = 1'700'000'000;  // an arbitrary "now"

nk::Item item(std::string id, std::string title, std::optional<int64_t> published = std::nullopt,
              std::string summary = {}, std::string link = {}) {
    nk::Item it;
    it.id = std::move(id);
    it.title = std::move(title);
    it.published = published;
    it.summary = std::move(summary);
    it.link = std::move(link);
    return it;
}

nk::Feed feed(std::vector<nk::Item> items, std::string title = "A Feed") {
    nk::Feed f;
    f.title = std::move(title);
    f.items = std::move(items);
    return f;
}

nk::FeedConfig feed_config(std::string url, int max_items = 20) {
    nk::FeedConfig fc;
    fc.url = std::move(url);
    fc.max_items = max_items;
    return fc;
}

nk::Config config_of(std::vector<nk::FeedConfig> feeds) {
    nk::Config c;
    c.feeds = std::move(feeds);
    return c;
}

std::vector<std::string> ids(const std::vector<Entry>& entries) {
    std::vector<std::string> out;
    for (const Entry& e : entries) out.push_back(e.item.id);
    return out;
}

std::vector<std::string> ids(const std::vector<const Entry*>& entries) {
    std::vector<std::string> out;
    for (const Entry* e : entries) out.push_back(e->item.id);
    return out;
}

const Entry* find(const std::vector<Entry>& entries, std::string_view id) {
    for (const Entry& e : entries)
        if (e.item.id == id) return &e;
    return nullptr;
}

}  // namespace

TEST_CASE("an empty response keeps the old items and never touches another feed", "[store]") {
    Store s;
    s.configure(config_of({feed_config("http://a.example/rss"), feed_config("http://b.example/rss")}));
    REQUIRE(s.update("http://a.example/rss", feed({item("a1", "One", T0 - 10), item("a2", "Two", T0 - 20)}), T0));
    REQUIRE(s.update("http://b.example/rss", feed({item("b1", "Other", T0 - 5)}, "B Feed"), T0));
    CHECK(s.find_status("http://a.example/rss")->item_count == 2);
    CHECK(s.find_status("http://a.example/rss")->title == "A Feed");

    uint64_t gen = s.generation();
    CHECK_FALSE(s.update("http://a.example/rss", feed({}), T0 + 600));
    CHECK(s.generation() == gen);
    CHECK(ids(s.entries("http://a.example/rss")) == std::vector<std::string>{"a1", "a2"});
    CHECK(s.find_status("http://a.example/rss")->item_count == 2);

    // A good update of A leaves B exactly as it was.
    REQUIRE(s.update("http://a.example/rss", feed({item("a3", "Three", T0 + 100)}), T0 + 700));
    CHECK(ids(s.entries("http://a.example/rss")) == std::vector<std::string>{"a3"});
    CHECK(ids(s.entries("http://b.example/rss")) == std::vector<std::string>{"b1"});
    CHECK(s.find_status("http://b.example/rss")->title == "B Feed");
    CHECK(s.generation() != gen);
}

TEST_CASE("an unknown URL is ignored everywhere", "[store]") {
    Store s;
    s.configure(config_of({feed_config("http://a.example/rss")}));
    CHECK_FALSE(s.update("http://nope.example/rss", feed({item("x", "X", T0)}), T0));
    CHECK(s.entries("http://nope.example/rss").empty());
    CHECK(s.find_status("http://nope.example/rss") == nullptr);
    s.status("http://nope.example/rss").error = "written to nowhere";
    CHECK(s.status("http://nope.example/rss").error.empty());
    s.restore("http://nope.example/rss", {Entry{}}, nk::FeedStatus{});
    CHECK(s.feed_urls() == std::vector<std::string>{"http://a.example/rss"});
}

TEST_CASE("configure keeps feeds that stay, drops removed ones and skips disabled ones", "[store]") {
    Store s;
    s.configure(config_of({feed_config("http://a/"), feed_config("http://b/"), feed_config("http://c/")}));
    REQUIRE(s.update("http://a/", feed({item("a1", "A one", T0)}), T0));
    REQUIRE(s.update("http://b/", feed({item("b1", "B one", T0)}), T0));
    s.status("http://a/").error = "timeout";
    s.status("http://a/").http_status = 503;

    uint64_t gen = s.generation();
    nk::FeedConfig disabled = feed_config("http://d/");
    disabled.enabled = false;
    s.configure(config_of({feed_config("http://c/"), disabled, feed_config("http://a/"), feed_config("http://e/")}));
    CHECK(s.generation() != gen);
    CHECK(s.feed_urls() == std::vector<std::string>{"http://c/", "http://a/", "http://e/"});
    CHECK(ids(s.entries("http://a/")) == std::vector<std::string>{"a1"});
    CHECK(s.find_status("http://a/")->error == "timeout");
    CHECK(s.find_status("http://a/")->http_status == 503);
    CHECK(s.find_status("http://b/") == nullptr);
    CHECK(s.entries("http://e/").empty());

    // A URL listed twice is one feed.
    s.configure(config_of({feed_config("http://a/"), feed_config("http://e/"), feed_config("http://a/", 1)}));
    CHECK(s.feed_urls() == std::vector<std::string>{"http://a/", "http://e/"});

    // Back again, b starts empty: its items went with it.
    s.configure(config_of({feed_config("http://a/"), feed_config("http://b/")}));
    CHECK(s.entries("http://b/").empty());
    CHECK(s.find_status("http://b/")->item_count == 0);
}

TEST_CASE("first_seen survives updates, matched by id, else by canonical link", "[store]") {
    Store s;
    s.configure(config_of({feed_config("http://a/")}));
    REQUIRE(s.update("http://a/",
                     feed({item("u1", "Undated", std::nullopt, "", "https://x.example/u1"),
                           item("guid-7", "Moves id", T0 - 50, "", "https://x.example/story?id=7")}),
                     T0));
    // The publisher regenerated its guids; the link, with tracking added, still says which story it is.
    REQUIRE(s.update("http://a/",
                     feed({item("u1", "Undated", std::nullopt, "", "https://x.example/u1"),
                           item("guid-7-new", "Moves id", T0 - 50, "", "https://X.example/story?id=7&utm_source=rss#top"),
                           item("n1", "New one", std::nullopt)}),
                     T0 + 600));
    const auto& es = s.entries("http://a/");
    REQUIRE(es.size() == 3);
    REQUIRE(find(es, "u1"));
    CHECK(find(es, "u1")->first_seen == T0);
    CHECK(find(es, "u1")->time == T0);  // undated: its first-seen time
    REQUIRE(find(es, "guid-7-new"));
    CHECK(find(es, "guid-7-new")->first_seen == T0);
    CHECK(find(es, "guid-7-new")->time == T0 - 50);
    REQUIRE(find(es, "n1"));
    CHECK(find(es, "n1")->first_seen == T0 + 600);
    CHECK(find(es, "n1")->time == T0 + 600);
    CHECK(ids(es).front() == "n1");  // newest first
}

TEST_CASE("dates in the future are clamped, and stay put while they are", "[store]") {
    Store s;
    s.configure(config_of({feed_config("http://a/")}));
    REQUIRE(s.update("http://a/", feed({item("f", "From the future", T0 + 3600), item("p", "Past", T0 - 60)}), T0));
    CHECK(find(s.entries("http://a/"), "f")->time == T0);
    CHECK(find(s.entries("http://a/"), "p")->time == T0 - 60);
    // Ten minutes on the date is still ahead; the item does not creep to the top at every fetch.
    REQUIRE(s.update("http://a/", feed({item("f", "From the future", T0 + 3600), item("p", "Past", T0 - 60)}), T0 + 600));
    CHECK(find(s.entries("http://a/"), "f")->time == T0);
    CHECK(find(s.entries("http://a/"), "f")->first_seen == T0);
    for (const auto& list : s.eligible(T0 + 600))
        for (const Entry* e : list) CHECK(e->time <= T0 + 600);
}

TEST_CASE("the newest version of an item wins", "[store]") {
    Store s;
    s.configure(config_of({feed_config("http://a/")}));
    nk::Item v1 = item("story", "Council votes", T0 - 100, "First draft");
    v1.updated = T0 - 100;
    nk::Item v2 = v1;
    v2.title = "Council votes yes";
    v2.summary = "Corrected";
    v2.updated = T0 - 10;

    SECTION("in one response that lists the item twice") {
        REQUIRE(s.update("http://a/", feed({v1, item("other", "Other", T0 - 50), v2}), T0));
        const auto& es = s.entries("http://a/");
        REQUIRE(es.size() == 2);
        CHECK(find(es, "story")->item.title == "Council votes yes");
    }
    SECTION("across responses, and a lagging mirror does not bring the old one back") {
        REQUIRE(s.update("http://a/", feed({v1}), T0));
        REQUIRE(s.update("http://a/", feed({v2}), T0 + 600));
        CHECK(find(s.entries("http://a/"), "story")->item.summary == "Corrected");
        CHECK(find(s.entries("http://a/"), "story")->first_seen == T0);
        REQUIRE(s.update("http://a/", feed({v1}), T0 + 1200));
        CHECK(find(s.entries("http://a/"), "story")->item.summary == "Corrected");
    }
}

TEST_CASE("max_items keeps the newest of a feed", "[store]") {
    Store s;
    s.configure(config_of({feed_config("http://a/", 5), feed_config("http://b/", 20)}));
    std::vector<nk::Item> items;
    for (int i = 0; i < 30; ++i) items.push_back(item("i" + std::to_string(i), "Story number " + std::to_string(i), T0 - 1000 + i));
    REQUIRE(s.update("http://a/", feed(items), T0));
    CHECK(ids(s.entries("http://a/")) == std::vector<std::string>{"i29", "i28", "i27", "i26", "i25"});
    CHECK(s.find_status("http://a/")->item_count == 5);
    CHECK(ids(s.eligible(T0)[0]) == std::vector<std::string>{"i29", "i28", "i27", "i26", "i25"});

    // Lowering max_items on reload trims what is held.
    s.configure(config_of({feed_config("http://a/", 2)}));
    CHECK(ids(s.entries("http://a/")) == std::vector<std::string>{"i29", "i28"});
}

TEST_CASE("restore loads cached items with their first-seen times", "[store]") {
    Store s;
    s.configure(config_of({feed_config("http://a/")}));
    Entry old;
    old.item = item("c1", "Cached", std::nullopt);
    old.first_seen = T0 - 86400;
    old.time = T0 - 86400;
    Entry newer = old;
    newer.item = item("c2", "Cached newer", T0 - 3600);
    newer.first_seen = T0 - 3600;
    newer.time = T0 - 3600;
    nk::FeedStatus st;
    st.last_success = T0 - 3600;
    st.title = "Cached Feed";
    s.restore("http://a/", {old, newer}, st);
    const auto& es = s.entries("http://a/");
    CHECK(ids(es) == std::vector<std::string>{"c2", "c1"});
    CHECK(es[1].first_seen == T0 - 86400);
    CHECK(es[1].feed_url == "http://a/");
    CHECK(s.find_status("http://a/")->item_count == 2);
    CHECK(s.find_status("http://a/")->title == "Cached Feed");
    // The first fetch after the restart keeps the cached first_seen.
    REQUIRE(s.update("http://a/", feed({item("c1", "Cached", std::nullopt)}), T0));
    CHECK(s.entries("http://a/")[0].first_seen == T0 - 86400);
    CHECK(s.entries("http://a/")[0].time == T0 - 86400);
}

TEST_CASE("max_age hides old items, measured against the item's time", "[store]") {
    Store s;
    nk::FeedConfig a = feed_config("http://a/");
    a.max_age_seconds = 3600;
    s.configure(config_of({a, feed_config("http://b/")}));
    REQUIRE(s.update("http://a/", feed({item("fresh", "Fresh", T0 - 60), item("old", "Old", T0 - 7200)}), T0));
    REQUIRE(s.update("http://b/", feed({item("ancient", "Ancient", T0 - 86400 * 30)}), T0));
    auto e = s.eligible(T0);
    CHECK(ids(e[0]) == std::vector<std::string>{"fresh"});
    CHECK(ids(e[1]) == std::vector<std::string>{"ancient"});  // no max_age on b
    // An hour later the fresh one ages out too, and going back in time brings it back.
    CHECK(s.eligible(T0 - 60 + 3600)[0].size() == 1);
    CHECK(s.eligible(T0 - 60 + 3601)[0].empty());
    CHECK(s.eligible(T0)[0].size() == 1);
    CHECK(s.entries("http://a/").size() == 2);  // hidden, not dropped
}

TEST_CASE("include and exclude keywords: title and summary, any case, whole words", "[store]") {
    Store s;
    nk::FeedConfig inc = feed_config("http://inc/");
    inc.include = {"art", "Climate Change"};
    nk::FeedConfig exc = feed_config("http://exc/");
    exc.exclude = {"sport"};
    nk::FeedConfig both = feed_config("http://both/");
    both.include = {"election"};
    both.exclude = {"opinion"};
    s.configure(config_of({inc, exc, both}));

    REQUIRE(s.update("http://inc/",
                     feed({item("1", "Start of the season", T0 - 1),             // "art" inside "start"
                           item("2", "Modern ART fair opens", T0 - 2),           // whole word, any case
                           item("3", "Museum news", T0 - 3, "A new wing for art."),  // in the summary
                           item("4", "Leaders on climate change", T0 - 4),       // a phrase
                           item("5", "Climate changes everything", T0 - 5),      // not the phrase
                           item("6", "Artists gather", T0 - 6)}),
                     T0));
    CHECK(ids(s.eligible(T0)[0]) == std::vector<std::string>{"2", "3", "4"});

    REQUIRE(s.update("http://exc/",
                     feed({item("1", "Sport: the final", T0 - 1), item("2", "Sports desk closes", T0 - 2),
                           item("3", "Weather", T0 - 3, "No SPORT today")}),
                     T0));
    CHECK(ids(s.eligible(T0)[1]) == std::vector<std::string>{"2"});

    REQUIRE(s.update("http://both/",
                     feed({item("1", "Election results", T0 - 1), item("2", "Opinion: the election", T0 - 2),
                           item("3", "Weather", T0 - 3)}),
                     T0));
    CHECK(ids(s.eligible(T0)[2]) == std::vector<std::string>{"1"});  // exclude wins over include
}

TEST_CASE("an include filter still fills max_items from matching items", "[store]") {
    Store s;
    nk::FeedConfig fc = feed_config("http://a/", 3);
    fc.include = {"rail"};
    s.configure(config_of({fc}));
    std::vector<nk::Item> items;
    for (int i = 0; i < 20; ++i)
        items.push_back(item(std::to_string(i), i % 4 == 0 ? "Rail strike day " + std::to_string(i) : "Other " + std::to_string(i), T0 - i));
    REQUIRE(s.update("http://a/", feed(items), T0));
    CHECK(ids(s.eligible(T0)[0]) == std::vector<std::string>{"0", "4", "8"});
}

TEST_CASE("contains_words matches whole words, case-insensitively, beyond ASCII", "[store]") {
    using nk::contains_words;
    CHECK(contains_words("Art fair", "art"));
    CHECK(contains_words("The (art) of it", "ART"));
    CHECK_FALSE(contains_words("Start here", "art"));
    CHECK_FALSE(contains_words("Artwork", "art"));
    CHECK(contains_words("Biden’s visit", "biden"));
    CHECK(contains_words("covid-19 cases", "COVID-19"));
    CHECK(contains_words("Le café est ouvert", "café"));
    CHECK(contains_words("LE CAFÉ EST OUVERT", "café"));
    CHECK_FALSE(contains_words("Le café est ouvert", "caf"));
    CHECK_FALSE(contains_words("naïve", "na"));
    CHECK(contains_words("Ελληνικά ΝΕΑ σήμερα", "νέα") == false);  // accents differ: not the same word
    CHECK(contains_words("ΕΚΛΟΓΕΣ στην Αθήνα", "εκλογες"));
    CHECK(contains_words("Москва: новости дня", "МОСКВА"));
    CHECK(contains_words("ŁÓDŹ dziś", "łódź"));
    CHECK(contains_words("climate\nchange", "climate change"));
    CHECK_FALSE(contains_words("anything", ""));
    CHECK_FALSE(contains_words("", "word"));
}

TEST_CASE("priority keywords mark items as breaking", "[store]") {
    Store s;
    nk::Config c = config_of({feed_config("http://a/")});
    c.rotation.priority_keywords = {"breaking", "earthquake"};
    s.configure(c);
    REQUIRE(s.update("http://a/",
                     feed({item("1", "BREAKING: bridge closed", T0 - 1), item("2", "Calm day", T0 - 2, "Earthquake drill at noon"),
                           item("3", "Earthquakes explained", T0 - 3)}),
                     T0));
    const auto& es = s.entries("http://a/");
    CHECK(find(es, "1")->breaking);
    CHECK(find(es, "2")->breaking);
    CHECK_FALSE(find(es, "3")->breaking);
    // A reload with other priority words re-marks what is held.
    c.rotation.priority_keywords = {"bridge"};
    s.configure(c);
    CHECK(find(s.entries("http://a/"), "1")->breaking);
    CHECK_FALSE(find(s.entries("http://a/"), "2")->breaking);
}

TEST_CASE("dedupe across feeds keeps the freshest copy of a story", "[store]") {
    Store s;
    nk::Config c = config_of({feed_config("http://a/"), feed_config("http://b/"), feed_config("http://c/")});
    s.configure(c);

    SECTION("same id (a URI) in two feeds") {
        REQUIRE(s.update("http://a/", feed({item("tag:wire.example,2024:123", "Wire story", T0 - 100)}), T0));
        REQUIRE(s.update("http://b/", feed({item("tag:wire.example,2024:123", "Wire story (updated)", T0 - 10)}), T0));
        auto e = s.eligible(T0);
        CHECK(e[0].empty());
        CHECK(ids(e[1]) == std::vector<std::string>{"tag:wire.example,2024:123"});
    }
    SECTION("a bare number is only unique within its publisher") {
        REQUIRE(s.update("http://a/", feed({item("42", "Town hall opens", T0 - 100)}), T0));
        REQUIRE(s.update("http://b/", feed({item("42", "Harbour repairs finished", T0 - 10)}), T0));
        auto e = s.eligible(T0);
        CHECK(e[0].size() == 1);
        CHECK(e[1].size() == 1);
    }
    SECTION("same canonical link, tracking parameters aside") {
        REQUIRE(s.update("http://a/", feed({item("a1", "Mayor resigns", T0 - 10, "", "https://news.example/mayor?utm_source=rss&utm_medium=feed")}), T0));
        REQUIRE(s.update("http://b/", feed({item("b1", "City leader steps down", T0 - 100, "", "https://NEWS.example:443/mayor/#comments")}), T0));
        auto e = s.eligible(T0);
        CHECK(ids(e[0]) == std::vector<std::string>{"a1"});
        CHECK(e[1].empty());
    }
    SECTION("near-identical titles, keeping the newest") {
        REQUIRE(s.update("http://a/", feed({item("a1", "Storm closes schools across the region", T0 - 300, "", "https://a.example/1")}), T0));
        REQUIRE(s.update("http://b/", feed({item("b1", "Storm Closes Schools Across The Region!", T0 - 30, "", "https://b.example/9")}), T0));
        REQUIRE(s.update("http://c/", feed({item("c1", "“Storm closes schools” – across the region", T0 - 200, "", "https://c.example/x")}), T0));
        auto e = s.eligible(T0);
        CHECK(e[0].empty());
        CHECK(ids(e[1]) == std::vector<std::string>{"b1"});
        CHECK(e[2].empty());
    }
    SECTION("a long title with one extra word is still the same story") {
        REQUIRE(s.update("http://a/",
                         feed({item("a1", "Government announces new funding for rural bus routes and cycle paths in the north", T0 - 20, "", "https://a.example/1")}),
                         T0));
        REQUIRE(s.update("http://b/",
                         feed({item("b1", "Government announces new funding for rural bus routes and cycle paths in north", T0 - 40, "", "https://b.example/1")}),
                         T0));
        auto e = s.eligible(T0);
        CHECK(ids(e[0]) == std::vector<std::string>{"a1"});
        CHECK(e[1].empty());
    }
    SECTION("short titles that differ are different stories") {
        REQUIRE(s.update("http://a/", feed({item("a1", "Council approves budget", T0 - 20, "", "https://a.example/1")}), T0));
        REQUIRE(s.update("http://b/", feed({item("b1", "Council rejects budget", T0 - 40, "", "https://b.example/1")}), T0));
        auto e = s.eligible(T0);
        CHECK(e[0].size() == 1);
        CHECK(e[1].size() == 1);
    }
    SECTION("within one feed too, and not at all when dedupe is off") {
        REQUIRE(s.update("http://a/",
                         feed({item("a1", "Road closed", T0 - 20, "", "https://a.example/1"),
                               item("a2", "Road closed", T0 - 40, "", "https://a.example/2")}),
                         T0));
        CHECK(ids(s.eligible(T0)[0]) == std::vector<std::string>{"a1"});
        c.rotation.dedupe = false;
        s.configure(c);
        CHECK(s.eligible(T0)[0].size() == 2);
    }
    SECTION("www. is kept: a different host is a different page") {
        REQUIRE(s.update("http://a/", feed({item("a1", "Page one", T0 - 20, "", "https://www.example.com/p")}), T0));
        REQUIRE(s.update("http://b/", feed({item("b1", "Page two", T0 - 40, "", "https://example.com/p")}), T0));
        auto e = s.eligible(T0);
        CHECK(e[0].size() == 1);
        CHECK(e[1].size() == 1);
    }
}

TEST_CASE("a copied store points into its own items", "[store]") {
    Store s;
    s.configure(config_of({feed_config("http://a/")}));
    REQUIRE(s.update("http://a/", feed({item("1", "One", T0 - 5), item("2", "Two", T0 - 9)}), T0));
    auto original = s.eligible(T0);
    Store copy = s;
    auto e = copy.eligible(T0);
    REQUIRE(e[0].size() == 2);
    CHECK(e[0][0] == &copy.entries("http://a/")[0]);
    CHECK(original[0][0] == &s.entries("http://a/")[0]);
}

TEST_CASE("canonical links", "[store]") {
    using nk::url::canonical_link;
    CHECK(nk::url::canonical_link("HTTPS://News.Example.COM/World/Story?id=5") == "https://news.example.com/World/Story?id=5");
    CHECK(nk::url::canonical_link("http://example.com:80/a/") == "http://example.com/a");
    CHECK(nk::url::canonical_link("https://example.com:443/") == "https://example.com");
    CHECK(nk::url::canonical_link("https://example.com:8443/a") == "https://example.com:8443/a");
    CHECK(nk::url::canonical_link("http://example.com:443/a") == "http://example.com:443/a");
    CHECK(nk::url::canonical_link("https://example.com/a#section-2") == "https://example.com/a");
    CHECK(nk::url::canonical_link("https://example.com/a?utm_source=x&id=3&UTM_Medium=y&fbclid=abc&page=2&gclid=1") ==
          "https://example.com/a?id=3&page=2");
    CHECK(nk::url::canonical_link("https://example.com/a?mc_cid=1&mc_eid=2&igshid=3&ref=rss&ref_src=twsrc&cmpid=4&ocid=5") ==
          "https://example.com/a");
    CHECK(nk::url::canonical_link("https://example.com/a?b=2&a=1") == "https://example.com/a?b=2&a=1");  // order kept
    CHECK(nk::url::canonical_link("https://example.com/a?referrer=me") == "https://example.com/a?referrer=me");
    CHECK(nk::url::canonical_link("https://www.example.com/a") == "https://www.example.com/a");
    CHECK(nk::url::canonical_link("https://user@Example.com:443/a") == "https://user@example.com/a");
    CHECK(nk::url::canonical_link("http://[::1]:80/x") == "http://[::1]/x");
    CHECK(nk::url::canonical_link("http://[::1]/x") == "http://[::1]/x");
    CHECK(nk::url::canonical_link("  https://example.com/a/  ") == "https://example.com/a");
    CHECK(nk::url::canonical_link("") == "");
}

TEST_CASE("normalised titles", "[store]") {
    CHECK(nk::normalize_title("  Storm: Schools CLOSED!  ") == "storm schools closed");
    CHECK(nk::normalize_title("“Quoted” — and   spaced…") == "quoted and spaced");
    CHECK(nk::normalize_title("Ça va, Zoë?") == "ça va zoë");
    CHECK(nk::normalize_title("...") == "");
}

TEST_CASE("dwell time follows reading time, clamped", "[store]") {
    nk::RotationConfig r;
    r.words_per_minute = 120;  // two words a second
    r.min_dwell_seconds = 5;
    r.max_dwell_seconds = 20;
    auto words = [](int n) {
        std::string s;
        for (int i = 0; i < n; ++i) s += "word ";
        return s;
    };
    nk::Item it;
    it.title = words(4);
    it.summary = words(16);
    CHECK(nk::dwell_seconds(it, r) == Approx(10.0));
    it.summary.clear();
    CHECK(nk::dwell_seconds(it, r) == Approx(5.0));   // 2 s of reading: the minimum
    it.summary = words(200) + "\n" + words(100);
    CHECK(nk::dwell_seconds(it, r) == Approx(20.0));  // the maximum
    it = nk::Item{};
    CHECK(nk::dwell_seconds(it, r) == Approx(5.0));
    r.words_per_minute = 0;  // a broken setting still gives a sane dwell
    CHECK(nk::dwell_seconds(it, r) == Approx(20.0));
}

TEST_CASE("an item without a title gets its headline from its summary", "[store][headline]") {
    Store s;
    s.configure(config_of({feed_config("https://social.example/@council.rss")}));
    REQUIRE(s.update("https://social.example/@council.rss",
                     feed({item("1", "", T0 - 60,
                                "The 17:40 ferry is cancelled this evening because of the wind. The 19:10 sails as planned."),
                           item("2", "", T0 - 120, "Lunch is served"),
                           item("3", "A real title", T0 - 180, "Its summary.")}),
                     T0));
    const auto& e = s.entries("https://social.example/@council.rss");
    REQUIRE(e.size() == 3);
    CHECK(e[0].item.title == "The 17:40 ferry is cancelled this evening because of the wind");
    CHECK(e[0].item.summary == "The 19:10 sails as planned.");
    CHECK(e[0].headline_from_summary);
    CHECK(e[1].item.title == "Lunch is served");
    CHECK(e[1].item.summary.empty());
    CHECK(e[2].item.title == "A real title");
    CHECK(e[2].item.summary == "Its summary.");
    CHECK_FALSE(e[2].headline_from_summary);
    for (const Entry& x : e) CHECK(x.item.title.size() <= nk::kDerivedHeadlineBytes);
    // Keyword filters see the same words as before the split.
    nk::FeedConfig only_ferry = feed_config("https://social.example/@council.rss");
    only_ferry.include = {"sails"};
    s.configure(config_of({only_ferry}));
    CHECK(ids(s.entries("https://social.example/@council.rss")) == std::vector<std::string>{"1"});
}

TEST_CASE("items with nothing to show are counted, not held", "[store][headline]") {
    Store s;
    const std::string url = "https://podcast.example/feed";
    s.configure(config_of({feed_config(url)}));
    nk::Item enclosure_only = item("e", "", T0 - 10);
    enclosure_only.image = "https://podcast.example/cover.jpg";
    REQUIRE(s.update(url, feed({item("1", "Episode 1", T0 - 60), enclosure_only, item("x", "", T0 - 5)}), T0));
    CHECK(ids(s.entries(url)) == std::vector<std::string>{"1"});
    CHECK(s.find_status(url)->item_count == 1);
    CHECK(s.find_status(url)->hidden_count == 2);
    // A response with nothing to show is no better than an empty one: the old items stay.
    CHECK_FALSE(s.update(url, feed({enclosure_only}), T0 + 600));
    CHECK(ids(s.entries(url)) == std::vector<std::string>{"1"});
    // Reconfiguring does not forget the count.
    s.configure(config_of({feed_config(url)}));
    CHECK(s.find_status(url)->hidden_count == 2);
}

TEST_CASE("headlines made from summaries do not make different posts one story", "[store][headline]") {
    Store s;
    s.configure(config_of({feed_config("https://a.example/feed"), feed_config("https://b.example/feed")}));
    // Two different posts that open the same way, and two titled stories that are the same story.
    REQUIRE(s.update("https://a.example/feed",
                     feed({item("https://a.example/1", "", T0 - 60, "Good morning from the harbour! The market opens at nine today."),
                           item("https://a.example/2", "Bridge closed for repairs", T0 - 50)}),
                     T0));
    REQUIRE(s.update("https://b.example/feed",
                     feed({item("https://b.example/1", "", T0 - 40, "Good morning from the harbour! Rain is expected after lunch."),
                           item("https://b.example/2", "Bridge closed for repairs", T0 - 30)}),
                     T0));
    REQUIRE(s.entries("https://a.example/feed")[1].item.title == "Good morning from the harbour!");
    REQUIRE(s.entries("https://b.example/feed")[1].item.title == "Good morning from the harbour!");
    const auto lists = s.eligible(T0);
    REQUIRE(lists.size() == 2);
    std::size_t total = lists[0].size() + lists[1].size();
    CHECK(total == 3);  // both posts, one copy of the bridge story
}
