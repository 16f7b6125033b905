// SPDX-License-Identifier: Apache-2.0
// The headless engine end to end: real config files, a real loopback HTTP server, the real
// fetcher thread and a real disk cache in a temporary directory. The clock passed to the engine
// is moved forward by hand so that scheduling is instant while HTTP stays real.
#include "app/commands.h"
#include "app/log.h"
#include "app/embedded.h"
#include "app/engine.h"
#include "core/scheduler.h"
#include "helpers.h"
#include "http_server.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

namespace fs = std::filesystem;
using nk::test::HttpServer;
using nk::test::Response;

namespace {

using nk::test::TempDir;

std::string rss(const std::string& title, const std::vector<std::string>& items) {
    std::string s = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>" + title + "</title>";
    int i = 0;
    for (const auto& it : items) {
        s += "<item><title>" + it + "</title><link>http://example.com/" + title + "/" + std::to_string(i) +
             "</link><pubDate>Mon, 04 Mar 2024 1" + std::to_string(i % 10) + ":00:00 GMT</pubDate></item>";
        ++i;
    }
    return s + "</channel></rss>";
}

void write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

// Config files are checked by modification time; make sure each rewrite is seen as new.
void rewrite(const fs::path& p, const std::string& text) {
    auto before = fs::exists(p) ? fs::last_write_time(p) : fs::file_time_type{};
    write(p, text);
    fs::last_write_time(p, before + std::chrono::seconds(5));
}

struct Harness {
    std::mutex mu;
    std::condition_variable cv;
    bool woken = false;
    std::vector<std::string> log;
    std::unique_ptr<nk::app::Engine> engine;
    int64_t now = 1'800'000'000;

    nk::app::EngineOptions options(const fs::path& config) {
        nk::app::EngineOptions o;
        o.config_path = config;
        o.wake = [this] {
            std::lock_guard l(mu);
            woken = true;
            cv.notify_one();
        };
        o.log = [this](const std::string& line) {
            std::lock_guard l(mu);
            log.push_back(line);
        };
        return o;
    }

    void start(const fs::path& config) {
        auto r = nk::app::Engine::create(options(config), now);
        INFO((r ? "" : r.error().message));
        REQUIRE(r.ok());
        engine = std::move(r).value();
    }

    // Pumps until pred holds; the bound only stops a broken build from hanging the suite.
    template <class Pred>
    bool pump_until(Pred pred, int max_rounds = 400) {
        for (int i = 0; i < max_rounds; ++i) {
            engine->pump(now);
            if (pred()) return true;
            std::unique_lock l(mu);
            cv.wait_for(l, std::chrono::milliseconds(25), [&] { return woken; });
            woken = false;
        }
        return false;
    }

    bool logged(std::string_view needle) {
        std::lock_guard l(mu);
        for (const auto& s : log)
            if (s.find(needle) != std::string::npos) return true;
        return false;
    }

    std::size_t items(const std::string& url) const { return engine->pipeline().store().entries(url).size(); }
};

std::string config_for(const std::vector<std::string>& urls, const fs::path& cache) {
    std::string c = "[cache]\ndir = \"" + cache.string() + "\"\n\n";
    for (const auto& u : urls) c += "[[feed]]\nurl = \"" + u + "\"\n\n";
    return c;
}

}  // namespace

TEST_CASE("the engine fetches, rotates, survives errors and restarts offline from its cache", "[engine]") {
    TempDir dir;
    fs::path cfg = dir.path / "kiosk.toml";
    auto server = std::make_unique<HttpServer>();
    server->route("/a.xml", Response::ok(rss("Alpha", {"A one", "A two", "A three"})).header("ETag", "\"a-v1\""));
    server->route("/b.xml", Response::ok(rss("Beta", {"B one", "B two"})));
    const std::string a = server->url("/a.xml"), b = server->url("/b.xml");
    write(cfg, config_for({a, b}, dir.path / "cache"));

    Harness h;
    h.start(cfg);
    h.now += 120;  // past the startup spread: every feed is due
    REQUIRE(h.pump_until([&] { return h.items(a) == 3 && h.items(b) == 2; }));

    SECTION("cards interleave both sources and show every item once per round") {
        std::set<std::string> titles;
        std::vector<std::string> sources;
        for (int i = 0; i < 5; ++i) {
            auto card = h.engine->pipeline().next_card(h.now);
            REQUIRE(card);
            titles.insert(card->entry.item.title);
            sources.push_back(card->source);
        }
        CHECK(titles.size() == 5);
        CHECK(sources[0] != sources[1]);
        CHECK(h.engine->pipeline().source_name(a) == "Alpha");
    }

    SECTION("validators go back on the next fetch and a 304 changes nothing") {
        server->route("/a.xml", [](const nk::test::Request& r) {
            return r.header("If-None-Match") == "\"a-v1\"" ? Response::status_only(304) : Response::ok("<rss/>");
        });
        h.now += 3600;
        std::size_t before = server->hits("/a.xml");
        REQUIRE(h.pump_until([&] { return server->hits("/a.xml") > before && h.engine->pipeline().store().find_status(a)->http_status == 304; }));
        CHECK(server->requests("/a.xml").back().header("If-None-Match") == "\"a-v1\"");
        CHECK(h.items(a) == 3);
        CHECK(h.engine->pipeline().store().find_status(a)->error.empty());
    }

    SECTION("404, 500 and an HTML page keep the old items and are reported once; recovery is reported") {
        for (auto resp : {Response::status_only(404), Response::status_only(500),
                          Response::ok("<!DOCTYPE html><html><body>Login</body></html>", "text/html")}) {
            server->route("/b.xml", resp);
            h.engine->pipeline().take_status_changes();
            h.now += 6 * 3600;  // past any backoff
            // last_attempt is stamped when the response is applied, with this round's clock.
            REQUIRE(h.pump_until([&] {
                const nk::FeedStatus* st = h.engine->pipeline().store().find_status(b);
                return st->last_attempt == h.now && !st->error.empty();
            }));
            CHECK(h.items(b) == 2);
            CHECK(h.items(a) == 3);
            CHECK(h.engine->pipeline().store().find_status(b)->stale_since.has_value());
            auto changes = h.engine->pipeline().take_status_changes();
            REQUIRE(changes.size() == 1);
            CHECK_FALSE(changes[0].ok);
        }
        // One log line per change of state, a warning in the journal (the kiosk rides it out).
        std::vector<std::string> failing;
        {
            std::lock_guard l(h.mu);
            for (const auto& line : h.log)
                if (line.find("b.xml") != std::string::npos && line.find(": failing: ") != std::string::npos)
                    failing.push_back(line);
        }
        REQUIRE(failing.size() == 3);
        CHECK(failing[0].find("HTTP 404") != std::string::npos);
        for (const auto& line : failing) CHECK(nk::app::journal_priority(line) == 4);
        server->route("/b.xml", Response::ok(rss("Beta", {"B one", "B two", "B three"})));
        h.now += 6 * 3600;
        REQUIRE(h.pump_until([&] { return h.items(b) == 3; }));
        auto changes = h.engine->pipeline().take_status_changes();
        REQUIRE(changes.size() == 1);
        CHECK(changes[0].ok);
        CHECK(h.logged("b.xml): recovered"));
        CHECK(nk::app::journal_priority("Beta (http://127.0.0.1/b.xml): recovered") == 6);
        CHECK(nk::app::journal_priority("display: cannot create an OpenGL window") == 3);
        CHECK_FALSE(h.engine->pipeline().store().find_status(b)->stale_since.has_value());
    }

    SECTION("a restart with the network down rotates cached items at once") {
        h.engine.reset();
        server.reset();  // nothing listens on that port any more
        Harness again;
        again.start(cfg);
        auto card = again.engine->pipeline().next_card(again.now);  // before any pump: straight from the disk cache
        REQUIRE(card);
        CHECK(again.items(a) == 3);
        CHECK(again.items(b) == 2);
    }

    SECTION("a truncated cache file is skipped with a warning and the feed refetched") {
        h.engine.reset();
        for (const auto& f : fs::directory_iterator(dir.path / "cache")) {
            if (f.path().extension() != ".json") continue;
            auto size = fs::file_size(f.path());
            fs::resize_file(f.path(), size / 2);
        }
        Harness again;
        again.start(cfg);
        CHECK(again.logged("cache"));
        CHECK(again.items(a) == 0);
        again.now += 120;
        REQUIRE(again.pump_until([&] { return again.items(a) == 3 && again.items(b) == 2; }));
    }

    SECTION("config reload: a good file is applied, a bad one is logged and the old one stays") {
        server->route("/c.xml", Response::ok(rss("Gamma", {"C one"})));
        const std::string c = server->url("/c.xml");
        rewrite(cfg, config_for({a, b, c}, dir.path / "cache"));
        h.now += 5;
        REQUIRE(h.pump_until([&] { return h.engine->pipeline().config().feeds.size() == 3; }));
        h.now += 120;
        REQUIRE(h.pump_until([&] { return h.items(c) == 1; }));

        rewrite(cfg, "[fetch]\ninterval_minutes = \"often\"\n[[feed]]\nurl = \"" + a + "\"\n");
        h.now += 5;
        h.engine->pump(h.now);
        CHECK(h.engine->pipeline().config().feeds.size() == 3);
        CHECK(h.logged("kiosk.toml:2:"));
        CHECK(h.logged("keeping the running config"));

        rewrite(cfg, config_for({a}, dir.path / "cache"));
        h.now += 5;
        REQUIRE(h.pump_until([&] { return h.engine->pipeline().config().feeds.size() == 1; }));
        CHECK(h.items(b) == 0);  // removed from the config: gone from the store
    }
}

TEST_CASE("with no config the engine shows the embedded demo without any network", "[engine][demo]") {
    TempDir dir;
    Harness h;
    nk::app::EngineOptions o = h.options({});
    o.cache_dir = dir.path / "cache";
    std::string old_xdg = std::getenv("XDG_CONFIG_HOME") ? std::getenv("XDG_CONFIG_HOME") : "";
    ::setenv("XDG_CONFIG_HOME", dir.path.c_str(), 1);
    auto r = nk::app::Engine::create(o, h.now);
    if (old_xdg.empty()) ::unsetenv("XDG_CONFIG_HOME");
    else ::setenv("XDG_CONFIG_HOME", old_xdg.c_str(), 1);
    if (fs::exists("/etc/newsroom-kiosk/kiosk.toml")) return;  // a machine with a real config
    REQUIRE(r.ok());
    h.engine = std::move(r).value();
    h.now += 60;
    REQUIRE(h.pump_until([&] { return h.engine->pipeline().next_card(h.now).has_value(); }));
    std::set<std::string> sources, welcome;
    for (int i = 0; i < 12; ++i) {
        const nk::Card c = *h.engine->pipeline().next_card(h.now);
        if (c.kind == nk::Card::Kind::News) {
            sources.insert(c.source);
            // Dated relative to the start, so a fresh install never reads "10 days ago".
            CHECK(h.now - c.entry.time < 2 * 86400);
        } else {
            welcome.insert(c.entry.item.title);
        }
    }
    CHECK(sources == std::set<std::string>{"Newsroom World", "Tech Desk", "City & Culture"});
    // The demo shows what the product is for: a welcome, and a sample agenda while the day has
    // events left (its last one ends at 20:00 local time).
    CHECK(welcome.count("Welcome to newsroom-kiosk") == 1);
    welcome.erase("Today in the building");
    CHECK(welcome.size() == 1);
}

TEST_CASE("an OPML list by URL brings its feeds, and survives a restart without network", "[engine][opml]") {
    TempDir dir;
    fs::path cfg = dir.path / "kiosk.toml";
    auto server = std::make_unique<HttpServer>();
    server->route("/x.xml", Response::ok(rss("Xray", {"X one", "X two"})));
    server->route("/y.xml", Response::ok(rss("Yankee", {"Y one"})));
    const std::string x = server->url("/x.xml"), y = server->url("/y.xml");
    server->route("/list.opml", Response::ok("<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>Feeds</title></head><body>"
                                             "<outline text=\"News\"><outline type=\"rss\" text=\"X\" xmlUrl=\"" + x + "\"/>"
                                             "<outline type=\"rss\" text=\"Y\" xmlUrl=\"" + y + "\"/></outline></body></opml>",
                                             "text/x-opml"));
    write(cfg, "opml = \"" + server->url("/list.opml") + "\"\n[cache]\ndir = \"" + (dir.path / "cache").string() + "\"\n");

    Harness h;
    h.start(cfg);
    CHECK(h.logged("until the OPML list arrives"));  // the demo fills the screen meanwhile
    REQUIRE(h.pump_until([&] { return h.engine->pipeline().config().feeds.size() == 2; }));
    h.now += 120;
    REQUIRE(h.pump_until([&] { return h.items(x) == 2 && h.items(y) == 1; }));
    CHECK(h.engine->pipeline().source_name(x) == "X");

    h.engine.reset();
    server.reset();
    Harness again;
    again.start(cfg);
    CHECK(again.engine->pipeline().config().feeds.size() == 2);
    CHECK(again.items(x) == 2);
    CHECK(again.engine->pipeline().next_card(again.now).has_value());
}

TEST_CASE("the demo pictures the demo feeds name are embedded in the binary", "[engine][demo]") {
    std::set<std::string> names;
    for (const auto& f : nk::assets::embedded_files()) {
        names.insert(std::string(f.name));
        if (f.name.ends_with(".png")) CHECK(f.bytes.substr(0, 8) == "\x89PNG\r\n\x1a\n");
    }
    for (const char* n : {"harbour.png", "night-train.png", "weather-station.png", "street-festival.png"}) CHECK(names.count(n) == 1);
}

TEST_CASE("a refused connection backs off 1, 2, 4 minutes while another feed keeps succeeding", "[engine]") {
    TempDir dir;
    fs::path cfg = dir.path / "kiosk.toml";
    HttpServer server;
    server.route("/a.xml", Response::ok(rss("Alpha", {"A one", "A two"})));
    const std::string good = server.url("/a.xml");
    // A port with nothing behind it: bound, then closed, so connecting is refused at once.
    std::string dead;
    {
        HttpServer gone;
        dead = gone.url("/feed.xml");
    }
    write(cfg, config_for({good, dead}, dir.path / "cache") + "[[feed]]\nurl = \"" + good + "?often\"\nrefresh_minutes = 1\n");

    Harness h;
    h.start(cfg);
    auto fetches = [&](const std::string& url) {
        for (const nk::FeedMetrics& m : h.engine->pipeline().feed_metrics())
            if (m.url == url) return m.fetches;
        return uint64_t{0};
    };
    h.now += 10;
    REQUIRE(h.pump_until([&] { return fetches(dead) == 1 && fetches(good + "?often") == 1; }));
    CHECK(h.engine->pipeline().store().find_status(dead)->error.find("could not connect") != std::string::npos);
    for (int k = 1; k <= 4; ++k) {
        const int64_t wait = int64_t{60} << (k - 1);
        const int64_t next = *h.engine->pipeline().next_fetch(dead);
        const int64_t failed_at = h.engine->pipeline().store().find_status(dead)->last_attempt;
        CHECK(next - failed_at == wait + nk::Scheduler::jitter(dead, wait));
        // Meanwhile the other feed is fetched, and succeeds, every minute: the dead one stays put.
        for (int64_t t = *h.engine->pipeline().next_fetch(good + "?often"); t < next;
             t = *h.engine->pipeline().next_fetch(good + "?often")) {
            const uint64_t before = fetches(good + "?often");
            h.now = t;
            REQUIRE(h.pump_until([&] { return fetches(good + "?often") > before; }));
            CHECK(h.engine->pipeline().store().find_status(good + "?often")->error.empty());
            REQUIRE(*h.engine->pipeline().next_fetch(dead) == next);
        }
        h.now = next;
        REQUIRE(h.pump_until([&] { return fetches(dead) == static_cast<uint64_t>(k) + 1; }));
    }
}

TEST_CASE("fleet layers lie over the config file, also after the file changes", "[engine][fleet]") {
    TempDir dir;
    HttpServer server;
    server.route("/a.xml", Response::ok(rss("A", {"a1"})));
    server.route("/b.xml", Response::ok(rss("B", {"b1"})));
    const fs::path config = dir.path / "kiosk.toml";
    write(config, config_for({server.url("/a.xml")}, dir.path / "cache") + "[rotation]\nmax_dwell_seconds = 12\n");
    Harness h;
    h.start(config);
    const nk::Config& running = h.engine->pipeline().config();
    REQUIRE(running.feeds.size() == 1);

    nk::ConfigReport r = h.engine->set_config_layers({{"fleet group/lobby", "[[feed]]\nurl = \"" + server.url("/b.xml") + "\"\n"}}, h.now);
    REQUIRE(r.applied);
    REQUIRE(running.feeds.size() == 1);
    CHECK(running.feeds[0].url == server.url("/b.xml"));  // the layer's feed list replaced the file's
    CHECK(running.rotation.max_dwell_seconds == 12);      // what the layer leaves alone is the file's
    CHECK(h.pump_until([&] { return h.items(server.url("/b.xml")) == 1; }));

    // An edit of the file is read with the layers over it.
    rewrite(config, config_for({server.url("/a.xml")}, dir.path / "cache") + "[rotation]\nmax_dwell_seconds = 20\n");
    h.now += 10;
    CHECK(h.pump_until([&] { return running.rotation.max_dwell_seconds == 20; }));
    REQUIRE(running.feeds.size() == 1);
    CHECK(running.feeds[0].url == server.url("/b.xml"));

    // No layers: the file alone again.
    REQUIRE(h.engine->set_config_layers({}, h.now).applied);
    REQUIRE(running.feeds.size() == 1);
    CHECK(running.feeds[0].url == server.url("/a.xml"));

    // A broken file: new layers go over its last good copy, and the header still says it is broken.
    rewrite(config, "[fetch]\ninterval_minutes = 0\n");
    h.now += 10;
    CHECK(h.pump_until([&] { return !h.engine->config_problem().empty(); }));
    REQUIRE(h.engine->set_config_layers({{"fleet all", "[rotation]\nmax_dwell_seconds = 30\n"}}, h.now).applied);
    CHECK(running.rotation.max_dwell_seconds == 30);
    REQUIRE(running.feeds.size() == 1);
    CHECK(running.feeds[0].url == server.url("/a.xml"));  // from the last good copy
    CHECK_FALSE(h.engine->config_problem().empty());
}
