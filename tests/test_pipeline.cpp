// SPDX-License-Identifier: Apache-2.0
// The pipeline and the show, tested directly: no threads, no sockets, no files. A config goes in
// through apply_config, fetch replies are built as a shell would build them (parse_reply on real
// feed bytes), and what comes out (orders, saves, log lines, status changes, cards) is checked.
#include "core/pipeline.h"
#include "core/show.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using nk::ConfigParse;
using nk::ConfigReport;
using nk::FetchOrder;
using nk::FetchReply;
using nk::Pipeline;
using nk::SaveOrder;

namespace {

constexpr int64_t T0 = 1'800'000'000;

ConfigParse config(const std::string& toml) { return nk::parse_config(toml, "kiosk.toml"); }

std::string feeds_toml(const std::vector<std::string>& urls, const std::string& extra = "") {
    std::string s = extra;
    for (const auto& u : urls) s += "\n[[feed]]\nurl = \"" + u + "\"\n";
    return s;
}

std::string rss(const std::string& title, int items) {
    std::string s = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>" + title + "</title>";
    for (int i = 0; i < items; ++i)
        s += "<item><title>" + title + " story " + std::to_string(i) + " about things</title><link>https://" + title +
             ".example/" + std::to_string(i) + "</link><guid>" + title + "-" + std::to_string(i) + "</guid></item>";
    return s + "</channel></rss>";
}

// A 200 with a body, parsed as the engine's fetch thread parses it.
FetchReply ok(const FetchOrder& o, const std::string& body, const std::string& etag = "") {
    FetchReply r;
    r.kind = o.kind;
    r.url = o.url;
    r.ok = true;
    r.http_status = 200;
    r.etag = etag;
    r.body = body;
    nk::parse_reply(r, o.charset);
    return r;
}

FetchReply failed(const FetchOrder& o, int status, const std::string& error) {
    FetchReply r;
    r.kind = o.kind;
    r.url = o.url;
    r.http_status = status;
    r.error = error;
    nk::parse_reply(r, o.charset);
    return r;
}

const FetchOrder* order_for(const std::vector<FetchOrder>& v, const std::string& url) {
    for (const FetchOrder& o : v)
        if (o.url == url) return &o;
    return nullptr;
}

std::vector<SaveOrder> saves_of(Pipeline& p, SaveOrder::Kind kind) {
    std::vector<SaveOrder> out;
    for (SaveOrder& s : p.take_saves())
        if (s.kind == kind) out.push_back(std::move(s));
    return out;
}

bool logged(const std::vector<std::string>& log, const std::string& needle) {
    return std::any_of(log.begin(), log.end(), [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

}  // namespace

TEST_CASE("pipeline: a config goes in through one door, which reports what changed", "[pipeline]") {
    Pipeline p;
    ConfigReport first = p.apply_config(config(feeds_toml({"https://a.example/rss", "https://b.example/rss"})), "kiosk.toml", T0);
    CHECK(first.applied);
    CHECK(first.added == std::vector<std::string>{"https://a.example/rss", "https://b.example/rss"});
    CHECK(first.summary == "config: kiosk.toml (2 feeds)");
    CHECK(p.config().feeds.size() == 2);

    ConfigReport second = p.apply_config(
        config(feeds_toml({"https://b.example/rss", "https://c.example/rss"}, "[display]\ntheme = \"light\"\n[fetch]\ntimeout_seconds = 9\n")),
        "kiosk.toml", T0 + 10);
    CHECK(second.applied);
    CHECK(second.added == std::vector<std::string>{"https://c.example/rss"});
    CHECK(second.removed == std::vector<std::string>{"https://a.example/rss"});
    CHECK(second.changed.empty());
    CHECK(second.tables == std::vector<std::string>{"fetch", "display"});
    CHECK(second.next_start == std::vector<std::string>{"fetch.timeout_seconds"});
    CHECK(second.summary ==
          "config reload: kiosk.toml applied (2 feeds): 1 added, 1 removed, [fetch, display] changed; fetch.timeout_seconds apply at "
          "the next start");
    // A removed feed leaves the screen at once, and the disk only after [cache] purge_after.
    CHECK_FALSE(p.store().find_status("https://a.example/rss"));
    CHECK(saves_of(p, SaveOrder::Kind::PurgeExcept).empty());
    CHECK(logged(p.take_log(), "config reload: kiosk.toml applied"));
}

TEST_CASE("pipeline: a removed feed is kept aside for a day, put back, it returns with no fetch", "[pipeline]") {
    Pipeline p;
    p.apply_config(config(feeds_toml({"https://a.example/rss", "https://b.example/rss"})), "kiosk.toml", T0);
    auto due = p.take_due(T0);
    REQUIRE(due.size() == 2);
    p.apply_fetch(ok(due[0], rss("alpha", 3), "\"a1\""), T0 + 1);
    p.apply_fetch(ok(due[1], rss("beta", 2)), T0 + 1);
    p.take_saves();

    // An edit drops a; it is undone minutes later: a's items, validators and timing come back.
    p.apply_config(config(feeds_toml({"https://b.example/rss"})), "kiosk.toml", T0 + 100);
    CHECK_FALSE(p.store().find_status("https://a.example/rss"));
    p.apply_config(config(feeds_toml({"https://a.example/rss", "https://b.example/rss"})), "kiosk.toml", T0 + 300);
    CHECK(p.store().entries("https://a.example/rss").size() == 3);
    CHECK(p.take_due(T0 + 300).empty());  // not due again before its saved next fetch
    CHECK(p.take_saves().empty());        // nothing was purged
    const int64_t a_next = *p.next_fetch("https://a.example/rss");
    auto again = p.take_due(a_next);
    REQUIRE(order_for(again, "https://a.example/rss"));
    CHECK(order_for(again, "https://a.example/rss")->etag == "\"a1\"");

    // Dropped again and left out: purged from the disk once the day is over, not before.
    p.apply_config(config(feeds_toml({"https://b.example/rss"})), "kiosk.toml", T0 + 4000);
    CHECK(p.next_deadline(T0 + 4000) <= T0 + 4000 + 86400);
    p.take_due(T0 + 4000 + 86399);
    CHECK(saves_of(p, SaveOrder::Kind::PurgeExcept).empty());
    p.take_due(T0 + 4000 + 86400);
    auto purges = saves_of(p, SaveOrder::Kind::PurgeExcept);
    REQUIRE(purges.size() == 1);
    CHECK(purges[0].keep == std::vector<std::string>{"https://b.example/rss"});

    // purge_after is a setting; cached feeds the config does not list at start wait for it too.
    Pipeline q;
    q.apply_config(config(feeds_toml({"https://b.example/rss"}, "[cache]\npurge_after = \"2h\"\n")), "kiosk.toml", T0);
    nk::CachedFeed old;
    old.url = "https://old.example/rss";
    q.restore({old}, T0);
    q.take_due(T0 + 7199);
    CHECK(saves_of(q, SaveOrder::Kind::PurgeExcept).empty());
    q.take_due(T0 + 7200);
    CHECK(saves_of(q, SaveOrder::Kind::PurgeExcept).size() == 1);
}

TEST_CASE("pipeline: a config with errors is refused and the running one stays", "[pipeline]") {
    Pipeline p;
    REQUIRE(p.apply_config(config(feeds_toml({"https://a.example/rss"})), "kiosk.toml", T0).applied);
    p.take_log();
    p.take_saves();
    const nk::Config before = p.config();
    ConfigReport bad = p.apply_config(config("[fetch]\ninterval_minutes = 0\n" + feeds_toml({"https://z.example/rss"})), "kiosk.toml", T0 + 5);
    CHECK_FALSE(bad.applied);
    REQUIRE_FALSE(bad.issues.empty());
    CHECK(bad.issues.front().key == "fetch.interval_minutes");
    CHECK(p.config() == before);
    CHECK(p.take_saves().empty());  // nothing purged for a refused config
    const auto log = p.take_log();
    CHECK(logged(log, "kiosk.toml:2:20: fetch.interval_minutes: must be between 1 and 43200 (got 0)"));
    CHECK(logged(log, "invalid config, see above; keeping the running config"));
}

TEST_CASE("pipeline: due feeds become orders with validators and the encoding override", "[pipeline]") {
    Pipeline p;
    p.apply_config(config("[[feed]]\nurl = \"https://a.example/rss\"\nencoding = \"windows-1252\"\n"
                          "[[feed]]\nurl = \"file:///srv/local.xml\"\n"),
                   "kiosk.toml", T0);
    // New feeds are spread over the first seconds; within ten seconds both are due.
    std::vector<FetchOrder> orders;
    for (int64_t t = T0; t < T0 + 10; ++t)
        for (FetchOrder& o : p.take_due(t)) orders.push_back(std::move(o));
    REQUIRE(orders.size() == 2);
    const FetchOrder* a = order_for(orders, "https://a.example/rss");
    const FetchOrder* f = order_for(orders, "file:///srv/local.xml");
    REQUIRE(a);
    REQUIRE(f);
    CHECK(a->charset == "windows-1252");
    CHECK_FALSE(a->allow_file);
    CHECK(f->allow_file);
    CHECK(a->etag.empty());
    CHECK(p.take_due(T0 + 20).empty());  // in flight: never ordered twice

    p.apply_fetch(ok(*a, rss("alpha", 3), "\"v1\""), T0 + 21);
    CHECK(p.store().entries("https://a.example/rss").size() == 3);
    const int64_t next = *p.next_fetch("https://a.example/rss");
    CHECK(next > T0 + 21 + 500);  // the default interval (10 min), with jitter
    std::vector<FetchOrder> again = p.take_due(next);
    REQUIRE(order_for(again, "https://a.example/rss"));
    CHECK(order_for(again, "https://a.example/rss")->etag == "\"v1\"");
}

TEST_CASE("pipeline: a failure keeps the items, is reported once, and is saved", "[pipeline]") {
    Pipeline p;
    p.apply_config(config(feeds_toml({"https://a.example/rss", "https://b.example/rss"})), "kiosk.toml", T0);
    int64_t t = T0 + 10;
    auto orders = p.take_due(t);
    REQUIRE(orders.size() == 2);
    p.apply_fetch(ok(orders[0], rss("alpha", 4)), t);
    p.apply_fetch(ok(orders[1], rss("beta", 2)), t);
    p.take_saves();
    p.take_log();

    // a fails, twice in a row with the same error: one status change, one log line.
    for (int round = 0; round < 2; ++round) {
        t = *p.next_fetch("https://a.example/rss");
        auto due = p.take_due(t);
        const FetchOrder* a = order_for(due, "https://a.example/rss");
        REQUIRE(a);
        p.apply_fetch(failed(*a, 503, "HTTP 503 Service Unavailable"), t);
        CHECK(p.store().entries("https://a.example/rss").size() == 4);
        CHECK(p.store().entries("https://b.example/rss").size() == 2);
    }
    // A first success is not a change of state; the failure is, once.
    auto changes = p.take_status_changes();
    REQUIRE(changes.size() == 1);
    CHECK_FALSE(changes.back().ok);
    CHECK(changes.back().message == "HTTP 503 Service Unavailable");
    const auto log = p.take_log();
    CHECK(std::count_if(log.begin(), log.end(), [](const std::string& l) { return l.find("failing: HTTP 503") != std::string::npos; }) == 1);
    const nk::FeedStatus* st = p.store().find_status("https://a.example/rss");
    REQUIRE(st);
    CHECK(st->stale_since);
    // Every applied reply is saved, the failure too (its status and next poll must survive a restart).
    auto saves = saves_of(p, SaveOrder::Kind::Feed);
    REQUIRE(saves.size() == 2);
    CHECK(saves.back().feed.entries.size() == 4);
    CHECK(saves.back().feed.status.error == "HTTP 503 Service Unavailable");
    auto m = p.feed_metrics();
    REQUIRE(m.size() == 2);
    CHECK(m[0].fetches == 3);
    CHECK(m[0].errors == 2);
}

TEST_CASE("pipeline: an OPML list by URL is fetched, its feeds join, and its bytes are saved", "[pipeline][opml]") {
    Pipeline p;
    p.apply_config(config("opml = \"https://lists.example/feeds.opml\"\n"), "kiosk.toml", T0);
    CHECK(p.config().feeds.empty());  // no fallback feeds given to this pipeline
    auto orders = p.take_due(T0);
    REQUIRE(orders.size() == 1);
    CHECK(orders[0].kind == FetchOrder::Kind::FeedList);
    const std::string opml = "<opml version=\"2.0\"><body><outline text=\"X\" xmlUrl=\"https://x.example/rss\"/>"
                             "<outline text=\"Y\" xmlUrl=\"https://y.example/rss\"/></body></opml>";
    FetchReply r = ok(orders[0], opml);
    CHECK(r.body == opml);  // a list's bytes stay for the pipeline to read
    p.apply_fetch(std::move(r), T0 + 1);
    CHECK(p.config().feeds.size() == 2);
    CHECK(p.source_name("https://x.example/rss") == "X");
    auto lists = saves_of(p, SaveOrder::Kind::FeedList);
    REQUIRE(lists.size() == 1);
    CHECK(lists[0].bytes == opml);
    CHECK(p.next_deadline(T0 + 1) <= T0 + 10);  // the new feeds are due within seconds

    // A restart without network: the saved copy brings the feeds back before any fetch.
    Pipeline again;
    again.apply_config(config("opml = \"https://lists.example/feeds.opml\"\n"), "kiosk.toml", T0 + 100);
    again.restore_feed_list(opml, T0 + 100);
    CHECK(again.config().feeds.size() == 2);
}

TEST_CASE("pipeline: no feeds means the fallback feeds, and a restored cache is shown at once", "[pipeline]") {
    nk::PipelineOptions o;
    nk::FeedConfig demo;
    demo.url = "demo:one.xml";
    o.fallback_feeds = {demo};
    Pipeline p(o);
    p.apply_config(config("# no feeds\n"), "kiosk.toml", T0);
    CHECK(p.config().feeds.size() == 1);
    CHECK(logged(p.take_log(), "no feeds configured: showing the embedded demo content"));
    // Local (demo:) feeds are never written to disk.
    auto due = p.take_due(T0);
    REQUIRE(due.size() == 1);
    p.apply_fetch(ok(due[0], rss("demo", 2)), T0);
    CHECK(saves_of(p, SaveOrder::Kind::Feed).empty());

    Pipeline q;
    q.apply_config(config(feeds_toml({"https://a.example/rss"})), "kiosk.toml", T0);
    nk::CachedFeed cached;
    cached.url = "https://a.example/rss";
    nk::Entry e;
    e.item.id = "a-1";
    e.item.title = "Cached story";
    e.first_seen = e.time = T0 - 100;
    cached.entries = {e};
    cached.status.last_success = T0 - 100;
    cached.status.next_fetch = T0 + 300;
    cached.etag = "\"old\"";
    nk::CachedFeed stranger = cached;
    stranger.url = "https://gone.example/rss";
    q.restore({cached, stranger}, T0);
    auto card = q.next_card(T0);
    REQUIRE(card);
    CHECK(card->entry.item.title == "Cached story");
    CHECK_FALSE(q.store().find_status("https://gone.example/rss"));
    CHECK(q.take_due(T0 + 10).empty());  // not due before the saved next fetch
    auto due_q = q.take_due(T0 + 400);
    REQUIRE(due_q.size() == 1);
    CHECK(due_q[0].etag == "\"old\"");
}

TEST_CASE("show: dwell, look-ahead, pause, next and previous", "[show]") {
    Pipeline p;
    p.apply_config(config(feeds_toml({"https://a.example/rss"}, "[rotation]\nmin_dwell_seconds = 10\nmax_dwell_seconds = 10\n"
                                                                 "[display]\ntransition = \"fade\"\ntransition_ms = 500\n")),
                   "kiosk.toml", T0);
    nk::Show show;
    double t = 100;
    CHECK_FALSE(show.update(p, t, T0));  // nothing to show yet
    CHECK_FALSE(show.has_content());
    auto due = p.take_due(T0);
    p.apply_fetch(ok(due[0], rss("alpha", 3)), T0);
    CHECK(show.update(p, t, T0));
    REQUIRE(show.current());
    REQUIRE(show.ahead());
    const std::string first = show.current()->entry.item.id;
    CHECK(show.ahead()->entry.item.id != first);
    CHECK(show.next_change() == Approx(t + 10));
    CHECK_FALSE(show.leaving());  // nothing to fade from

    CHECK_FALSE(show.update(p, t + 9.9, T0));
    CHECK(show.update(p, t + 10, T0));
    const std::string second = show.current()->entry.item.id;
    CHECK(second != first);
    CHECK(show.in_transition(t + 10.2));
    CHECK(show.leaving()->entry.item.id == first);
    show.update(p, t + 10.6, T0);
    CHECK_FALSE(show.leaving());

    show.toggle_pause(t + 12);
    CHECK(show.paused());
    CHECK_FALSE(show.update(p, t + 100, T0));  // paused: the card stays
    CHECK(show.elapsed(t + 100) == Approx(2));
    show.toggle_pause(t + 100);
    CHECK(show.next_change() == Approx(t + 108));  // it keeps the time it had left

    show.previous(p, t + 101, T0);
    CHECK(show.current()->entry.item.id == first);
    show.next(p, t + 102, T0);
    CHECK(show.current()->entry.item.id == second);

    const uint64_t changes = show.changes();
    show.set_page_size(2);  // list mode: a page instead of a card
    show.update(p, t + 103, T0);
    CHECK(show.page().size() == 2);
    CHECK(show.changes() == changes + 1);
    CHECK(show.dwell() == Approx(12));
}
