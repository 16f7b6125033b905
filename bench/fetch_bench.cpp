// SPDX-License-Identifier: Apache-2.0
// fetch_bench: the whole fetch path of the kiosk against many feeds on a slow server. It starts
// the loopback test server (tests/http_server.h) with N distinct RSS 2.0 feeds, each with an
// ETag, answering 304 to a matching If-None-Match, every answer held back L ms before its
// headers. It then drives the real nk::app::Engine (config file, scheduler, fetcher thread,
// parser, store, disk cache in a temporary directory) and measures two refreshes (DESIGN.md
// section 5: "N feeds refresh concurrently (bounded), never all in the same second; 304s cost
// no parse"):
//   1. cold: every feed fetched and parsed. Wall time, the server's peak of open connections,
//      and how the requests spread over real seconds at the server.
//   2. fetch_all_now (the `r` key): every feed asked again with its validators. Wall time, and
//      the share answered 304; the Engine parses only 2xx bodies, so 100% 304 means no parse.
// The Engine's clock is injected (moved by hand, so scheduling waits cost nothing); the real
// clock only measures.
//
//   fetch_bench [--feeds N=200] [--latency-ms L=150] [--items I=30] [--parallel P=6] [--per-host H=6]
//
// Exit status: 0 all checks passed, 2 a check failed (details printed), 1 setup error or timeout.
// Last line of output: the first refresh's wall time in seconds, a bare number (scripts read it).

#include "app/engine.h"
#include "http_server.h"

#include <stdlib.h>  // mkdtemp

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;
using nk::test::HttpServer;
using nk::test::Request;
using nk::test::Response;

namespace {

struct Options {
    int feeds = 200;
    int latency_ms = 150;
    int items = 30;
    int parallel = 6;
    int per_host = 6;
};

bool parse_int(std::string_view s, int lo, int hi, int& out) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return false;
    out = v;
    return true;
}

const char* kUsage =
    "usage: fetch_bench [--feeds N=200] [--latency-ms L=150] [--items I=30] [--parallel P=6] [--per-host H=6]\n"
    "  N in 1..5000, L in 0..10000, I in 1..500, P in 1..64, H in 1..16 (the config's own limits)\n";

bool parse_args(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "-h" || a == "--help") return false;
        if (i + 1 >= argc) {
            std::cerr << "fetch_bench: " << a << " needs a value\n";
            return false;
        }
        std::string_view v = argv[++i];
        bool ok = false;
        if (a == "--feeds") ok = parse_int(v, 1, 5000, o.feeds);
        else if (a == "--latency-ms") ok = parse_int(v, 0, 10000, o.latency_ms);
        else if (a == "--items") ok = parse_int(v, 1, 500, o.items);
        else if (a == "--parallel") ok = parse_int(v, 1, 64, o.parallel);
        else if (a == "--per-host") ok = parse_int(v, 1, 16, o.per_host);
        else {
            std::cerr << "fetch_bench: unknown option " << a << "\n";
            return false;
        }
        if (!ok) {
            std::cerr << "fetch_bench: bad value for " << a << ": " << v << "\n";
            return false;
        }
    }
    return true;
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// ---------------------------------------------------------------------------------------------
// Feeds: deterministic, shaped like a news CMS's RSS 2.0 (entity-escaped HTML descriptions,
// dc:creator, categories, guids, RFC 822 dates), about 1 KB per item.

struct Rng {
    uint64_t s;
    uint64_t next() {  // splitmix64
        uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
    template <class T, std::size_t K>
    const T& pick(const T (&a)[K]) { return a[below(K)]; }
};

constexpr std::string_view kWords[] = {
    "council", "budget", "river", "district", "plan", "vote", "school", "teachers", "strike", "rail",
    "station", "delays", "housing", "market", "prices", "energy", "grid", "storm", "warning", "police",
    "inquiry", "minister", "hospital", "funding", "harbour", "festival", "museum", "exhibition", "league",
    "final", "coach", "injury", "season", "record", "heat", "drought", "farmers", "harvest", "bridge",
    "repairs", "airport", "expansion", "startup", "jobs", "factory", "closure", "union", "talks",
    "election", "candidate", "debate", "court", "ruling", "appeal", "library", "reopens", "park",
    "cyclists", "traffic", "tram", "tunnel", "water", "quality", "report", "survey", "residents",
    "protest", "mayor", "agreement", "treaty", "summit", "climate", "targets", "emissions", "solar",
    "wind", "turbines", "offshore", "fishing", "quota", "tourism", "visitors", "hotel", "theatre",
    "premiere", "orchestra", "concert", "gallery", "artist", "award", "scientists", "study", "vaccine",
    "trial", "university", "students", "fees", "rent", "tenants", "landlords", "bank", "rates",
    "inflation", "wages", "pensions", "tax", "reform", "software", "outage", "network", "data", "privacy",
};
constexpr std::string_view kPlaces[] = {
    "Northport", "Lindenfeld", "Brackwater", "Ashby", "Kelmouth", "Oberhain", "Saint-Rémy", "Valdoro",
    "Eastfield", "Marrow Bay", "Grünwald", "Torrevieja", "Hollins Cross", "Westmere", "Caerwyn",
};
constexpr std::string_view kAuthors[] = {
    "Anna Keller", "Tom Bright", "Priya Nair", "Lucas Moreau", "Sofia Russo", "Jonas Berg",
    "Emma Walsh", "Daniel Okafor", "Mei Tanaka", "Carlos Díaz", "Hannah Fischer", "Olivia Grant",
};
constexpr std::string_view kSections[] = {
    "Local", "Politics", "Business", "Transport", "Environment", "Culture", "Sport", "Health", "Science",
    "Education", "Technology", "Weather",
};

std::string words(Rng& r, std::size_t n, bool capitalise) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        if (i) s += ' ';
        std::string w(r.pick(kWords));
        if (i == 0 && capitalise) w[0] = static_cast<char>(w[0] - 'a' + 'A');
        s += w;
    }
    return s;
}

std::string sentence(Rng& r) {
    std::string s = words(r, 9 + r.below(10), true);
    if (r.below(3) == 0) s += ", said " + std::string(r.pick(kAuthors));
    if (r.below(4) == 0) s += " in " + std::string(r.pick(kPlaces));
    return s + (r.below(6) == 0 ? "&amp;hellip;" : ".");
}

constexpr int64_t kStart = 1'717'243'200;  // 2024-06-01 12:00:00 GMT: the Engine's injected clock

struct Feed {
    std::string path;   // "/feeds/0007.xml"
    std::string etag;   // quoted
    std::string last_modified;
    std::string body;
};

Feed make_feed(int index, int items) {
    Rng r{0x5eedull * 1000003u + static_cast<uint64_t>(index)};
    char num[16];
    std::snprintf(num, sizeof num, "%04d", index);
    Feed f;
    f.path = std::string("/feeds/") + num + ".xml";
    const std::string place(r.pick(kPlaces));
    const std::string site = "https://news" + std::to_string(index) + ".example.com";
    const int64_t built = kStart - static_cast<int64_t>(r.below(1800));
    f.last_modified = nk::test::http_date(built);

    std::string& b = f.body;
    b += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
         "xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n";
    b += "  <title>" + place + " Gazette " + num + "</title>\n";
    b += "  <link>" + site + "/</link>\n";
    b += "  <atom:link href=\"" + site + "/rss.xml\" rel=\"self\" type=\"application/rss+xml\"/>\n";
    b += "  <description>News, sport and culture from " + place + "</description>\n";
    b += "  <language>en-gb</language>\n";
    b += "  <lastBuildDate>" + f.last_modified + "</lastBuildDate>\n";
    b += "  <generator>ExampleCMS 4.2</generator>\n";
    const bool wordy = index % 2 == 1;  // with an image and a "Read more" link, longer summaries
    int64_t t = built;
    for (int i = 0; i < items; ++i) {
        t -= 300 + static_cast<int64_t>(r.below(5400));
        const std::string section(r.pick(kSections));
        // A number no other item has keeps titles distinct across feeds (the store dedupes).
        const std::string title = words(r, 6 + r.below(6), true) + " (" + std::to_string(index) + "." +
                                  std::to_string(i) + ")";
        std::string slug;
        for (char c : title)
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) slug += c;
            else if (c == ' ' && !slug.empty() && slug.back() != '-') slug += '-';
        const std::string link = site + "/" + section + "/2024/06/" + slug + "-" + std::to_string(i);
        b += "  <item>\n";
        b += "    <title>" + title + "</title>\n";
        b += "    <link>" + link + "?utm_source=rss&amp;utm_medium=feed</link>\n";
        b += "    <guid isPermaLink=\"false\">news" + std::to_string(index) + "-" + std::to_string(1000000 + i * 7919) +
             "</guid>\n";
        b += "    <pubDate>" + nk::test::http_date(t) + "</pubDate>\n";
        b += "    <dc:creator>" + std::string(r.pick(kAuthors)) + "</dc:creator>\n";
        b += "    <category>" + section + "</category>\n";
        b += "    <category>" + place + "</category>\n";
        b += "    <description>";
        if (wordy)
            b += "&lt;p&gt;&lt;img src=&quot;https://cdn.example.com/img/" + std::to_string(index) + "/" + std::to_string(i) +
                 "-640x360.jpg&quot; width=&quot;640&quot; height=&quot;360&quot; alt=&quot;&quot; /&gt;&lt;/p&gt;";
        const std::size_t paragraphs = 1 + r.below(2);
        for (std::size_t p = 0; p < paragraphs; ++p) {
            b += "&lt;p&gt;";
            const std::size_t n = 1 + r.below(wordy ? 3 : 2);
            for (std::size_t k = 0; k < n; ++k) {
                if (k) b += ' ';
                b += sentence(r);
            }
            b += "&lt;/p&gt;";
        }
        if (wordy) b += "&lt;p&gt;&lt;a href=&quot;" + link + "&quot;&gt;Read more&lt;/a&gt;&lt;/p&gt;";
        b += "</description>\n";
        b += "  </item>\n";
    }
    b += "</channel>\n</rss>\n";
    f.etag = "\"" + std::string(num) + "-" + std::to_string(r.next() % 1000000007u) + "\"";
    return f;
}

// ---------------------------------------------------------------------------------------------
// What the server saw, per refresh.

struct Arrival {
    Clock::time_point at;
    WallClock::time_point wall;
};

struct ServerLog {
    std::mutex mu;
    int round = 0;
    std::map<int, std::vector<Arrival>> arrivals;   // by round
    std::map<int, std::map<int, int>> statuses;     // round -> status -> count
    std::map<int, std::size_t> body_bytes;          // round -> uncompressed body bytes sent

    void record(int status, std::size_t bytes) {
        const Arrival a{Clock::now(), WallClock::now()};
        std::lock_guard l(mu);
        arrivals[round].push_back(a);
        ++statuses[round][status];
        body_bytes[round] += bytes;
    }
};

struct Spread {
    std::size_t requests = 0;
    std::size_t distinct_seconds = 0;   // calendar seconds of the real clock holding an arrival
    int max_per_second = 0;             // most arrivals in one calendar second
    int max_in_window = 0;              // most arrivals in any 1 s window (sliding)
    double span = 0;                    // first to last arrival, seconds
    double longest_gap = 0;             // between two arrivals: the fetcher had nothing to start
};

Spread spread_of(std::vector<Arrival> v) {
    Spread s;
    s.requests = v.size();
    if (v.empty()) return s;
    std::sort(v.begin(), v.end(), [](const Arrival& a, const Arrival& b) { return a.at < b.at; });
    std::map<int64_t, int> per;
    for (const Arrival& a : v)
        ++per[std::chrono::duration_cast<std::chrono::seconds>(a.wall.time_since_epoch()).count()];
    s.distinct_seconds = per.size();
    for (const auto& [sec, n] : per) s.max_per_second = std::max(s.max_per_second, n);
    std::size_t j = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        while (v[i].at - v[j].at >= std::chrono::seconds(1)) ++j;
        s.max_in_window = std::max(s.max_in_window, static_cast<int>(i - j + 1));
    }
    s.span = seconds(v.back().at - v.front().at);
    for (std::size_t i = 1; i < v.size(); ++i) s.longest_gap = std::max(s.longest_gap, seconds(v[i].at - v[i - 1].at));
    return s;
}

// ---------------------------------------------------------------------------------------------

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "nk_fetch_bench_XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

struct Waker {
    std::mutex mu;
    std::condition_variable cv;
    bool woken = false;
    std::vector<std::string> log;
};

struct Checks {
    int failed = 0;
    void check(bool ok, const std::string& what) {
        std::cout << "  [" << (ok ? "ok" : "FAIL") << "] " << what << "\n";
        if (!ok) ++failed;
    }
};

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string pct(std::size_t part, std::size_t whole) {
    return whole ? fixed(100.0 * static_cast<double>(part) / static_cast<double>(whole), 1) + "%" : "n/a";
}

void print_spread(const Spread& s) {
    std::cout << "  requests arrived   " << s.requests << " over " << fixed(s.span, 2) << " s, in "
              << s.distinct_seconds << " distinct real seconds\n"
              << "  busiest second     " << s.max_per_second << " requests (calendar second), " << s.max_in_window
              << " (any sliding 1 s window)\n"
              << "  longest gap        " << fixed(s.longest_gap * 1000, 0)
              << " ms between two arrivals (about the latency when the fetcher runs in waves)\n";
}

int run(const Options& o) {
    TempDir dir;  // declared first: removed last, after the engine and the server are gone
    const fs::path cache_dir = dir.path / "cache";
    const fs::path config = dir.path / "kiosk.toml";

    // --- the server ---
    const auto t_gen = Clock::now();
    std::vector<Feed> feeds;
    feeds.reserve(static_cast<std::size_t>(o.feeds));
    for (int i = 0; i < o.feeds; ++i) feeds.push_back(make_feed(i, o.items));
    std::vector<std::size_t> sizes;
    std::size_t total_bytes = 0;
    for (const Feed& f : feeds) {
        sizes.push_back(f.body.size());
        total_bytes += f.body.size();
    }
    std::sort(sizes.begin(), sizes.end());
    const double gen_s = seconds(Clock::now() - t_gen);

    auto server = std::make_unique<HttpServer>();
    ServerLog slog;
    const std::chrono::milliseconds delay(o.latency_ms);
    for (const Feed& f : feeds) {
        server->route(f.path, [&f, &slog, delay](const Request& req) {
            if (req.header("If-None-Match") == f.etag) {
                Response r = Response::status_only(304);
                r.header("ETag", f.etag).header("Last-Modified", f.last_modified);
                r.delay = delay;
                slog.record(304, 0);
                return r;
            }
            Response r = Response::ok(f.body, "application/rss+xml; charset=UTF-8");
            r.header("ETag", f.etag).header("Last-Modified", f.last_modified).header("Cache-Control", "max-age=300");
            r.gzip = req.header("Accept-Encoding").find("gzip") != std::string::npos;
            r.delay = delay;
            slog.record(200, f.body.size());
            return r;
        });
    }

    std::string toml = "[fetch]\nmax_parallel = " + std::to_string(o.parallel) +
                       "\nmax_per_host = " + std::to_string(o.per_host) +
                       "\n\n[cache]\ndir = '" + cache_dir.string() + "'\nmax_bytes = 1073741824\n\n";
    for (const Feed& f : feeds) toml += "[[feed]]\nurl = \"" + server->url(f.path) + "\"\n\n";
    {
        std::ofstream out(config, std::ios::binary);
        out << toml;
        if (!out) {
            std::cerr << "fetch_bench: cannot write " << config << "\n";
            return 1;
        }
    }

    const int bound = std::min(o.parallel, o.per_host);  // one host: the tighter limit rules
    const int64_t waves = (o.feeds + bound - 1) / bound;
    const double ideal = static_cast<double>(waves) * o.latency_ms / 1000.0;
    std::cout << "fetch_bench: " << o.feeds << " feeds x " << o.items << " items on 127.0.0.1:" << server->port()
              << ", " << o.latency_ms << " ms before headers; [fetch] max_parallel = " << o.parallel
              << ", max_per_host = " << o.per_host << "\n"
              << "  feed sizes         min " << sizes.front() / 1024 << " KB, median " << sizes[sizes.size() / 2] / 1024
              << " KB, max " << sizes.back() / 1024 << " KB; " << fixed(static_cast<double>(total_bytes) / 1e6, 1)
              << " MB in all (generated in " << fixed(gen_s, 2) << " s; gzip when asked)\n"
              << "  floor              " << waves << " waves of " << bound << " x " << o.latency_ms << " ms = "
              << fixed(ideal, 2) << " s (latency alone, at the connection bound)\n";

    // --- the engine ---
    Waker w;
    nk::app::EngineOptions eo;
    eo.config_path = config;
    eo.wake = [&w] {
        std::lock_guard l(w.mu);
        w.woken = true;
        w.cv.notify_one();
    };
    eo.log = [&w](const std::string& line) {
        std::lock_guard l(w.mu);
        w.log.push_back(line);
    };
    int64_t now = kStart;
    const auto t_create = Clock::now();
    auto created = nk::app::Engine::create(std::move(eo), now);
    if (!created) {
        std::cerr << "fetch_bench: engine: " << created.error().message << "\n";
        for (const auto& l : w.log) std::cerr << "  " << l << "\n";
        return 1;
    }
    std::unique_ptr<nk::app::Engine> engine = std::move(created).value();
    const double create_s = seconds(Clock::now() - t_create);

    double pump_s = 0;  // main-thread time inside pump(): applying results, cache writes
    double pump_max = 0;  // the longest single pump(): what a display would stall for
    std::size_t pumps = 0;
    const auto limit = std::chrono::seconds(60) + 4 * std::chrono::milliseconds(static_cast<int64_t>(ideal * 1000));
    auto pump_until = [&](auto pred) {
        const auto deadline = Clock::now() + limit;
        while (true) {
            const auto t0 = Clock::now();
            engine->pump(now);
            const double took = seconds(Clock::now() - t0);
            pump_s += took;
            pump_max = std::max(pump_max, took);
            ++pumps;
            if (pred()) return true;
            if (Clock::now() > deadline) return false;
            std::unique_lock l(w.mu);
            w.cv.wait_for(l, std::chrono::milliseconds(100), [&] { return w.woken; });
            w.woken = false;
        }
    };
    const nk::Store& store = engine->pipeline().store();
    const std::vector<std::string> urls = store.feed_urls();
    if (urls.size() != feeds.size()) {
        std::cerr << "fetch_bench: the engine has " << urls.size() << " feeds, expected " << feeds.size() << "\n";
        return 1;
    }
    const std::size_t expect_items = static_cast<std::size_t>(std::min(o.items, engine->pipeline().config().feeds[0].max_items));
    Checks checks;

    // --- refresh 1: cold ---
    const int64_t spread = (o.feeds + o.parallel - 1) / o.parallel;  // the scheduler's startup spread
    now += spread + 60;
    slog.round = 1;  // set before any request can arrive: the fetcher has nothing queued yet
    server->reset_stats();
    pumps = 0;
    pump_s = 0;
    pump_max = 0;
    const auto t1 = Clock::now();
    const bool done1 = pump_until([&] {
        for (const std::string& u : urls)
            if (store.entries(u).empty()) return false;
        return true;
    });
    const double wall1 = seconds(Clock::now() - t1);
    const int peak1 = server->peak_connections();
    const double pump1 = pump_s, pump1_max = pump_max;
    const std::size_t pumps1 = pumps;
    std::size_t full = 0, ok200 = 0, errors = 0;
    for (const std::string& u : urls) {
        full += store.entries(u).size() == expect_items;
        const nk::FeedStatus* st = store.find_status(u);
        ok200 += st && st->http_status == 200;
        errors += st && !st->error.empty();
    }
    Spread sp1;
    std::map<int, int> st1;
    std::size_t bytes1 = 0;
    {
        std::lock_guard l(slog.mu);
        slog.round = 2;  // nothing is in flight now; anything late is not counted as refresh 1
        sp1 = spread_of(slog.arrivals[1]);
        st1 = slog.statuses[1];
        bytes1 = slog.body_bytes[1];
    }

    std::cout << "\nrefresh 1 (cold: every feed fetched and parsed)\n"
              << "  engine created in  " << fixed(create_s * 1000, 1) << " ms (empty cache)\n"
              << "  wall time          " << fixed(wall1, 3) << " s  (floor " << fixed(ideal, 2) << " s, "
              << fixed(ideal > 0 ? 100 * ideal / wall1 : 0, 0) << "% of it)"
              << (done1 ? "" : "  -- TIMED OUT") << "\n"
              << "  peak connections   " << peak1 << " at the server (bound " << bound << ")\n";
    print_spread(sp1);
    std::cout << "  responses          " << st1[200] << " x 200 (" << fixed(static_cast<double>(bytes1) / 1e6, 1)
              << " MB before gzip), " << st1[304] << " x 304\n"
              << "  feeds complete     " << full << "/" << urls.size() << " with " << expect_items
              << " items (max_items), " << ok200 << " with status 200, " << errors << " with an error\n"
              << "  main thread        " << fixed(pump1 * 1000, 0) << " ms in " << pumps1
              << " pump() calls (apply, store, cache writes), longest " << fixed(pump1_max * 1000, 0) << " ms\n";
    checks.check(done1, "every feed has items");
    checks.check(full == urls.size() && ok200 == urls.size() && errors == 0, "every feed: 200, all items, no error");
    checks.check(sp1.requests == urls.size(), "one request per feed (" + std::to_string(sp1.requests) + ")");
    checks.check(peak1 <= bound, "peak connections within the bound");
    checks.check(o.feeds < 2 || bound < 2 || peak1 >= 2, "fetches ran concurrently (peak >= 2)");
    checks.check(o.feeds < 2 || sp1.distinct_seconds >= 2, "not all first requests in the same real second");

    // --- refresh 2: fetch_all_now with validators ---
    now += 2 * 3600;  // past every interval (10 min + jitter)
    server->reset_stats();
    pumps = 0;
    pump_s = 0;
    pump_max = 0;
    const auto t2 = Clock::now();
    engine->fetch_all_now(now);
    const int64_t now2 = now;
    const bool done2 = pump_until([&] {
        for (const std::string& u : urls) {
            const nk::FeedStatus* st = store.find_status(u);
            if (!st || st->last_attempt != now2) return false;
        }
        return true;
    });
    const double wall2 = seconds(Clock::now() - t2);
    const int peak2 = server->peak_connections();
    const double pump2 = pump_s;
    std::size_t s304 = 0, kept = 0, errors2 = 0;
    for (const std::string& u : urls) {
        const nk::FeedStatus* st = store.find_status(u);
        s304 += st && st->http_status == 304;
        errors2 += st && !st->error.empty();
        kept += store.entries(u).size() == expect_items;
    }
    Spread sp2;
    std::map<int, int> st2;
    std::size_t bytes2 = 0;
    {
        std::lock_guard l(slog.mu);
        slog.round = 3;
        sp2 = spread_of(slog.arrivals[2]);
        st2 = slog.statuses[2];
        bytes2 = slog.body_bytes[2];
    }
    const std::size_t sent304 = static_cast<std::size_t>(st2[304]);

    std::cout << "\nrefresh 2 (fetch_all_now: every feed asked again with If-None-Match)\n"
              << "  wall time          " << fixed(wall2, 3) << " s  (floor " << fixed(ideal, 2) << " s)"
              << (done2 ? "" : "  -- TIMED OUT") << "\n"
              << "  peak connections   " << peak2 << " at the server (bound " << bound << ")\n";
    print_spread(sp2);
    std::cout << "  answered 304       " << sent304 << " of " << sp2.requests << " requests = " << pct(sent304, sp2.requests)
              << " (server side); " << st2[200] << " x 200, " << bytes2 << " body bytes sent\n"
              << "  FeedStatus         " << s304 << "/" << urls.size() << " feeds with http_status 304, " << kept
              << " still hold their " << expect_items << " items, " << errors2 << " with an error\n"
              << "  main thread        " << fixed(pump2 * 1000, 0) << " ms in " << pumps << " pump() calls, longest "
              << fixed(pump_max * 1000, 0) << " ms\n";
    checks.check(done2, "every feed attempted again");
    checks.check(sp2.requests == urls.size(), "one request per feed (" + std::to_string(sp2.requests) + ")");
    checks.check(sp2.requests > 0 && sent304 == sp2.requests,
                 "100% answered 304, so no body reached the parser (the Engine parses only 2xx bodies)");
    checks.check(s304 == urls.size() && kept == urls.size() && errors2 == 0,
                 "every feed: status 304, items kept, no error");
    checks.check(peak2 <= bound, "peak connections within the bound");

    {
        std::lock_guard l(w.mu);
        std::size_t shown = 0;
        for (const std::string& line : w.log) {
            if (line.starts_with("config: ")) continue;
            if (shown++ == 0) std::cout << "\nengine log (other than the config line):\n";
            if (shown <= 10) std::cout << "  " << line << "\n";
        }
        if (shown > 10) std::cout << "  ... " << shown - 10 << " more\n";
    }

    engine.reset();  // joins the fetch thread before the server and the temp dir go
    server.reset();

    std::cout << "\n" << (checks.failed ? std::to_string(checks.failed) + " check(s) FAILED" : "all checks passed")
              << "\nfirst refresh wall time (s):\n"
              << fixed(wall1, 3) << "\n";
    return checks.failed ? 2 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse_args(argc, argv, o)) {
        std::cerr << kUsage;
        return 1;
    }
    try {
        return run(o);
    } catch (const std::exception& e) {
        std::cerr << "fetch_bench: " << e.what() << "\n";
        return 1;
    }
}
