// SPDX-License-Identifier: Apache-2.0
// The Fetcher against the loopback HTTP server: real sockets, real curl, no mocks. Assertions are on
// outcomes and on order, never on how long something took; waits have generous deadlines that only
// stop a broken build from hanging.
#include <catch2/catch.hpp>

#include "http_server.h"
#include "net/fetcher.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

using nk::net::FetchRequest;
using nk::net::FetchResponse;
using nk::net::Fetcher;
using nk::net::FetcherOptions;
using nk::test::HttpServer;
using nk::test::Request;
using nk::test::Response;
using namespace std::chrono_literals;

namespace {

constexpr auto kDeadline = 120s;   // only for a hung build; never reached when things work

// Catch2 v2 is not thread-safe: callbacks only record, the test thread asserts.
class Collector {
public:
    Fetcher::Callback callback() {
        return [this](FetchResponse&& r) {
            {
                std::lock_guard<std::mutex> lock(mu_);
                got_.push_back(std::move(r));
            }
            cv_.notify_all();
        };
    }
    bool wait_for(std::size_t n) {
        std::unique_lock<std::mutex> lock(mu_);
        return cv_.wait_for(lock, kDeadline, [&] { return got_.size() >= n; });
    }
    std::vector<FetchResponse> all() {
        std::lock_guard<std::mutex> lock(mu_);
        return got_;
    }
    std::size_t size() {
        std::lock_guard<std::mutex> lock(mu_);
        return got_.size();
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<FetchResponse> got_;
};

template <class Pred>
bool eventually(Pred pred) {
    auto until = std::chrono::steady_clock::now() + kDeadline;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

FetcherOptions test_options() {
    FetcherOptions o;
    o.connect_timeout_seconds = 10;
    o.timeout_seconds = 30;
    o.low_speed_bytes_per_second = 1;
    o.low_speed_seconds = 30;
    o.max_redirects = 5;
    o.user_agent = "newsroom-kiosk/0.1.0 (test)";
    return o;
}

FetchRequest req(uint64_t id, std::string url, int64_t cap = 8 << 20) {
    FetchRequest r;
    r.id = id;
    r.url = std::move(url);
    r.max_body_bytes = cap;
    return r;
}

// Declaration order is destruction order in reverse: the fetcher goes first, then the collector
// its callback writes to, then the server.
struct Rig {
    HttpServer server;
    Collector got;
    Fetcher fetcher;
    explicit Rig(FetcherOptions o = test_options()) : fetcher(std::move(o), got.callback()) {}

    FetchResponse get(FetchRequest r) {
        std::size_t before = got.size();
        fetcher.submit(std::move(r));
        REQUIRE(got.wait_for(before + 1));
        return got.all().at(before);
    }
};

long peak_rss_kib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

const std::string kFeed = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>"
                          "<item><title>One</title></item></channel></rss>";

}  // namespace

TEST_CASE("a 200 brings the body and the headers that matter", "[fetcher]") {
    Rig rig;
    rig.server.route("/feed", Response::ok(kFeed, "application/rss+xml; charset=utf-8")
                                  .header("ETag", "\"abc-123\"")
                                  .header("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"));
    FetchResponse r = rig.get(req(42, rig.server.url("/feed")));
    CHECK(r.ok);
    CHECK(r.error.empty());
    CHECK(r.id == 42);
    CHECK(r.http_status == 200);
    CHECK_FALSE(r.not_modified);
    CHECK(r.body == kFeed);
    CHECK(r.content_type == "application/rss+xml; charset=utf-8");
    CHECK(r.etag == "\"abc-123\"");
    CHECK(r.last_modified == "Wed, 21 Oct 2015 07:28:00 GMT");
    CHECK_FALSE(r.retry_after_seconds.has_value());
    CHECK(r.url == rig.server.url("/feed"));
    CHECK(r.final_url == rig.server.url("/feed"));
    CHECK(r.seconds >= 0);

    auto seen = rig.server.requests("/feed");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method == "GET");
    CHECK_FALSE(seen[0].has_header("If-None-Match"));
    CHECK_FALSE(seen[0].has_header("If-Modified-Since"));
    CHECK(eventually([&] { return rig.fetcher.in_flight() == 0; }));
}

TEST_CASE("the User-Agent from the options is sent", "[fetcher]") {
    Rig rig;
    rig.server.route("/ua", Response::ok(kFeed));
    FetchResponse r = rig.get(req(1, rig.server.url("/ua")));
    CHECK(r.ok);
    auto seen = rig.server.requests("/ua");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].header("User-Agent") == "newsroom-kiosk/0.1.0 (test)");
}

TEST_CASE("validators go back exactly and a 304 comes back as not modified", "[fetcher]") {
    Rig rig;
    const std::string etag = "W/\"v1-abc:def/ghi\"";
    const std::string modified = "Tue, 15 Nov 1994 12:45:26 GMT";
    rig.server.route("/feed", nk::test::Handler([&](const Request& in) {
        if (in.header("If-None-Match") == etag) return Response::status_only(304).header("ETag", etag);
        return Response::ok(kFeed).header("ETag", etag).header("Last-Modified", modified);
    }));

    FetchResponse first = rig.get(req(1, rig.server.url("/feed")));
    REQUIRE(first.ok);
    CHECK(first.http_status == 200);
    CHECK(first.etag == etag);
    CHECK(first.last_modified == modified);

    FetchRequest again = req(2, rig.server.url("/feed"));
    again.etag = first.etag;
    again.last_modified = first.last_modified;
    FetchResponse second = rig.get(again);
    CHECK(second.ok);
    CHECK(second.not_modified);
    CHECK(second.http_status == 304);
    CHECK(second.body.empty());
    CHECK(second.etag == etag);   // a 304 refreshes the stored validators too
    CHECK(second.error.empty());

    auto seen = rig.server.requests("/feed");
    REQUIRE(seen.size() == 2);
    CHECK(seen[1].header("If-None-Match") == etag);
    CHECK(seen[1].header("If-Modified-Since") == modified);
}

TEST_CASE("a validator with a line break is not sent (no header injection)", "[fetcher]") {
    Rig rig;
    rig.server.route("/feed", Response::ok(kFeed));
    FetchRequest r = req(1, rig.server.url("/feed"));
    r.etag = "\"x\"\r\nX-Injected: yes";
    r.last_modified = "Tue, 15 Nov 1994 12:45:26 GMT\r\nX-Also: yes";
    CHECK(rig.get(r).ok);
    auto seen = rig.server.requests("/feed");
    REQUIRE(seen.size() == 1);
    CHECK_FALSE(seen[0].has_header("If-None-Match"));
    CHECK_FALSE(seen[0].has_header("If-Modified-Since"));
    CHECK_FALSE(seen[0].has_header("X-Injected"));
    CHECK_FALSE(seen[0].has_header("X-Also"));
}

TEST_CASE("a gzip body is decoded", "[fetcher]") {
    Rig rig;
    std::string big;
    for (int i = 0; i < 2000; ++i) big += "<item><title>Headline " + std::to_string(i) + "</title></item>\n";
    Response resp = Response::ok(big);
    resp.gzip = true;
    rig.server.route("/gz", resp);
    CHECK(nk::test::gzip(big).size() < big.size() / 4);   // the wire really carries compressed bytes

    FetchResponse r = rig.get(req(1, rig.server.url("/gz")));
    CHECK(r.ok);
    CHECK(r.body == big);
    auto seen = rig.server.requests("/gz");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].header("Accept-Encoding").find("gzip") != std::string::npos);
}

TEST_CASE("a chain of three redirects is followed and only the final response's headers count", "[fetcher]") {
    Rig rig;
    rig.server.route("/r1", Response::redirect("/r2", 301).header("ETag", "\"hop1\"").header("Retry-After", "99"));
    rig.server.route("/r2", Response::redirect(rig.server.url("/r3"), 302)
                                .header("Last-Modified", "Mon, 01 Jan 2001 00:00:00 GMT"));
    rig.server.route("/r3", Response::redirect("/final", 307));
    rig.server.route("/final", Response::ok(kFeed));

    FetchResponse r = rig.get(req(7, rig.server.url("/r1")));
    CHECK(r.ok);
    CHECK(r.http_status == 200);
    CHECK(r.body == kFeed);
    CHECK(r.url == rig.server.url("/r1"));
    CHECK(r.final_url == rig.server.url("/final"));
    CHECK(r.etag.empty());
    CHECK(r.last_modified.empty());
    CHECK_FALSE(r.retry_after_seconds.has_value());
    for (const char* p : {"/r1", "/r2", "/r3", "/final"}) CHECK(rig.server.hits(p) == 1);
}

TEST_CASE("a redirect loop stops at the redirect cap with a clear error", "[fetcher]") {
    FetcherOptions o = test_options();
    o.max_redirects = 3;
    Rig rig(o);
    rig.server.route("/loop", Response::redirect("/loop"));
    FetchResponse r = rig.get(req(1, rig.server.url("/loop")));
    CHECK_FALSE(r.ok);
    CHECK(r.error == "too many redirects (more than 3)");
    CHECK(rig.server.hits("/loop") == 4);
}

TEST_CASE("404 and 500 are reported with their status", "[fetcher]") {
    Rig rig;
    Response missing = Response::status_only(404);
    missing.body = "<html>gone</html>";
    rig.server.route("/missing", missing);
    rig.server.route("/broken", Response::status_only(500));

    FetchResponse a = rig.get(req(1, rig.server.url("/missing")));
    CHECK_FALSE(a.ok);
    CHECK(a.http_status == 404);
    CHECK(a.error == "HTTP 404 Not Found");

    FetchResponse b = rig.get(req(2, rig.server.url("/broken")));
    CHECK_FALSE(b.ok);
    CHECK(b.http_status == 500);
    CHECK(b.error == "HTTP 500 Internal Server Error");

    rig.server.route("/empty", Response::ok(""));
    FetchResponse c = rig.get(req(3, rig.server.url("/empty")));
    CHECK_FALSE(c.ok);
    CHECK(c.http_status == 200);
    CHECK(c.error == "HTTP 200 OK with an empty body");
}

TEST_CASE("Retry-After is read as seconds or as an HTTP-date", "[fetcher]") {
    Rig rig;
    rig.server.route("/busy", Response::status_only(429).header("Retry-After", "120"));
    FetchResponse a = rig.get(req(1, rig.server.url("/busy")));
    CHECK_FALSE(a.ok);
    CHECK(a.http_status == 429);
    CHECK(a.error == "HTTP 429 Too Many Requests");
    REQUIRE(a.retry_after_seconds.has_value());
    CHECK(*a.retry_after_seconds == 120);

    int64_t now = static_cast<int64_t>(std::time(nullptr));
    rig.server.route("/down", Response::status_only(503).header("Retry-After", nk::test::http_date(now + 300)));
    FetchResponse b = rig.get(req(2, rig.server.url("/down")));
    CHECK(b.http_status == 503);
    REQUIRE(b.retry_after_seconds.has_value());
    // The date has one-second resolution and the clock moves on while the request runs.
    CHECK(*b.retry_after_seconds <= 300);
    CHECK(*b.retry_after_seconds >= 240);

    rig.server.route("/past", Response::status_only(503).header("Retry-After", nk::test::http_date(now - 3600)));
    FetchResponse c = rig.get(req(3, rig.server.url("/past")));
    REQUIRE(c.retry_after_seconds.has_value());
    CHECK(*c.retry_after_seconds == 0);

    rig.server.route("/junk", Response::status_only(503).header("Retry-After", "soon"));
    CHECK_FALSE(rig.get(req(4, rig.server.url("/junk"))).retry_after_seconds.has_value());
}

TEST_CASE("a slow server times out without holding up a fast feed submitted after it", "[fetcher]") {
    FetcherOptions o = test_options();
    o.timeout_seconds = 1;
    Rig rig(o);
    Response slow = Response::ok(kFeed);
    slow.delay = 60s;   // cut short when the client hangs up or the server stops
    rig.server.route("/slow", slow);
    rig.server.route("/fast", Response::ok(kFeed));

    rig.fetcher.submit(req(1, rig.server.url("/slow")));
    REQUIRE(eventually([&] { return rig.server.hits("/slow") == 1; }));
    rig.fetcher.submit(req(2, rig.server.url("/fast")));
    REQUIRE(rig.got.wait_for(2));
    auto got = rig.got.all();
    REQUIRE(got.size() == 2);
    CHECK(got[0].id == 2);   // the fast feed's answer arrived before the slow one's timeout fired
    CHECK(got[0].ok);
    CHECK(got[1].id == 1);
    CHECK_FALSE(got[1].ok);
    CHECK(got[1].http_status == 0);
    CHECK(got[1].error == "timed out after 1 s");
}

TEST_CASE("a server that trickles below the low-speed limit is dropped", "[fetcher]") {
    FetcherOptions o = test_options();
    o.low_speed_bytes_per_second = 1000;
    o.low_speed_seconds = 1;
    Rig rig(o);
    Response drip = Response::ok(std::string(2000, 'x'));
    drip.drip_bytes = 10;
    drip.drip_interval = 200ms;
    rig.server.route("/drip", drip);
    FetchResponse r = rig.get(req(1, rig.server.url("/drip")));
    CHECK_FALSE(r.ok);
    CHECK(r.error == "too slow: under 1000 bytes/s for 1 s");
    CHECK(r.http_status == 200);
}

TEST_CASE("a body over the cap is rejected, one at the cap is kept", "[fetcher]") {
    Rig rig;
    const int64_t cap = 1 << 20;
    rig.server.route("/big", Response::ok(std::string(2 << 20, 'a')));
    rig.server.route("/exact", Response::ok(std::string(static_cast<size_t>(cap), 'b')));

    FetchResponse big = rig.get(req(1, rig.server.url("/big"), cap));
    CHECK_FALSE(big.ok);
    CHECK(big.http_status == 200);
    CHECK(big.error == "body over 1048576 bytes");
    CHECK(big.body.empty());

    FetchResponse exact = rig.get(req(2, rig.server.url("/exact"), cap));
    CHECK(exact.ok);
    CHECK(exact.body.size() == static_cast<size_t>(cap));
}

TEST_CASE("a gzip bomb stops at the cap on decoded bytes, with little memory", "[fetcher]") {
    Rig rig;
    const std::size_t inflated = 50u << 20;
    std::string bomb = nk::test::gzip_zeros(inflated);
    REQUIRE(bomb.size() < 200u * 1024);   // 50 MB of zeros is about 50 KB on the wire
    Response resp;
    resp.body = bomb;
    resp.headers = {{"Content-Type", "application/rss+xml"}, {"Content-Encoding", "gzip"}};
    rig.server.route("/bomb", resp);

    long before = peak_rss_kib();
    FetchResponse r = rig.get(req(1, rig.server.url("/bomb"), 1 << 20));
    long grew_kib = peak_rss_kib() - before;
    CHECK_FALSE(r.ok);
    CHECK(r.error == "body over 1048576 bytes");
    CHECK(r.body.empty());
    // Decoding it all would take 50 MB; stopping at the cap takes a few.
    CHECK(grew_kib < 30 * 1024);
}

TEST_CASE("a server that hangs up mid-body is an error", "[fetcher]") {
    Rig rig;
    Response cut = Response::ok(std::string(5000, 'z'));
    cut.close_after = 100;
    rig.server.route("/cut", cut);
    FetchResponse r = rig.get(req(1, rig.server.url("/cut")));
    CHECK_FALSE(r.ok);
    CHECK(r.http_status == 200);
    CHECK(r.error == "connection closed mid-body after 100 bytes");
}

TEST_CASE("connection refused is an error with no HTTP status", "[fetcher]") {
    nk::test::RefusingPort closed;
    Collector got;
    Fetcher fetcher(test_options(), got.callback());
    std::string host = "127.0.0.1:" + std::to_string(closed.port());
    fetcher.submit(req(9, "http://" + host + "/feed"));
    REQUIRE(got.wait_for(1));
    FetchResponse r = got.all().at(0);
    CHECK_FALSE(r.ok);
    CHECK(r.http_status == 0);
    CHECK(r.id == 9);
    CHECK(r.error == "could not connect to " + host);
}

TEST_CASE("100 feeds on one host never take more than max_per_host connections", "[fetcher]") {
    HttpServer server;
    for (int i = 0; i < 100; ++i) {
        Response r = Response::ok("feed " + std::to_string(i));
        r.delay = 20ms;   // so that transfers overlap and a broken limit would show
        server.route("/f/" + std::to_string(i), r);
    }
    auto run = [&](int max_parallel, int max_per_host, std::size_t& fetcher_peak) {
        FetcherOptions o = test_options();
        o.max_parallel = max_parallel;
        o.max_per_host = max_per_host;
        Collector got;
        Fetcher fetcher(o, got.callback());
        for (uint64_t i = 0; i < 100; ++i) fetcher.submit(req(i, server.url("/f/" + std::to_string(i))));
        CHECK(fetcher.in_flight() > 0);
        REQUIRE(got.wait_for(100));
        REQUIRE(eventually([&] { return fetcher.in_flight() == 0; }));
        fetcher_peak = fetcher.peak_connections();
        std::vector<int> seen(100, 0);
        for (const auto& r : got.all()) {
            CHECK(r.ok);
            REQUIRE(r.id < 100);
            CHECK(r.body == "feed " + std::to_string(r.id));
            ++seen[r.id];
        }
        for (int n : seen) CHECK(n == 1);
    };

    std::size_t peak = 0;
    run(6, 2, peak);
    CHECK(server.total_hits() == 100);
    CHECK(server.peak_connections() <= 2);
    CHECK(server.peak_connections() == 2);   // the limit is reached, so the bound above means something
    CHECK(peak <= 2);
    CHECK(peak == 2);

    server.reset_stats();
    run(6, 10, peak);
    CHECK(server.total_hits() == 100);
    CHECK(server.peak_connections() <= 6);
    CHECK(server.peak_connections() > 2);   // raising the per-host limit does raise concurrency
    CHECK(peak <= 6);
    CHECK(peak > 2);
}

TEST_CASE("the per-host limit is per origin: a slow port does not hold up another port of the host", "[fetcher]") {
    HttpServer slow, fast;  // both on 127.0.0.1, on two ports
    Response r = Response::ok("slow");
    r.delay = 1500ms;
    slow.route("/a", r);
    slow.route("/b", r);
    fast.route("/c", Response::ok("fast"));
    FetcherOptions o = test_options();
    o.max_parallel = 6;
    o.max_per_host = 1;
    Collector got;
    Fetcher fetcher(o, got.callback());
    fetcher.submit(req(1, slow.url("/a")));
    fetcher.submit(req(2, slow.url("/b")));  // waits for /a: same origin
    fetcher.submit(req(3, fast.url("/c")));  // another origin: starts at once
    REQUIRE(got.wait_for(3));
    const std::vector<FetchResponse> all = got.all();
    CHECK(all[0].id == 3);  // done while the first slow transfer still waits for its answer
    CHECK(all[1].id == 1);
    CHECK(all[2].id == 2);
    CHECK(slow.peak_connections() == 1);
}

TEST_CASE("file:// is refused unless the request allows it, and never reached by a redirect", "[fetcher]") {
    namespace fs = std::filesystem;
    fs::path path = fs::temp_directory_path() / ("nk_fetcher_" + std::to_string(::getpid()) + ".xml");
    { std::ofstream(path, std::ios::binary) << kFeed; }
    std::string url = "file://" + path.string();
    Rig rig;

    FetchResponse refused = rig.get(req(1, url));
    CHECK_FALSE(refused.ok);
    CHECK(refused.http_status == 0);
    CHECK(refused.body.empty());
    CHECK(refused.error == "protocol not allowed: file (only http and https)");

    FetchRequest allowed = req(2, url);
    allowed.allow_file = true;
    FetchResponse read = rig.get(allowed);
    CHECK(read.ok);
    CHECK(read.body == kFeed);

    rig.server.route("/to-file", Response::redirect(url));
    FetchRequest via = req(3, rig.server.url("/to-file"));
    via.allow_file = true;
    FetchResponse redirected = rig.get(via);
    CHECK_FALSE(redirected.ok);
    CHECK(redirected.body.empty());
    CHECK(redirected.error.find("protocol not allowed") == 0);
    fs::remove(path);
}

TEST_CASE("the callback may submit the next request", "[fetcher]") {
    HttpServer server;
    server.route("/a", Response::ok("a"));
    Collector got;
    std::unique_ptr<Fetcher> fetcher;
    auto record = got.callback();
    fetcher = std::make_unique<Fetcher>(test_options(), [&](FetchResponse&& r) {
        if (r.id < 3) fetcher->submit(req(r.id + 1, server.url("/a")));
        record(std::move(r));
    });
    fetcher->submit(req(1, server.url("/a")));
    REQUIRE(got.wait_for(3));
    auto all = got.all();
    CHECK(all[0].id == 1);
    CHECK(all[1].id == 2);
    CHECK(all[2].id == 3);
    for (const auto& r : all) CHECK(r.ok);
    fetcher.reset();
    CHECK(server.hits("/a") == 3);
}

TEST_CASE("destroying the fetcher with transfers in flight aborts them, joins, and calls nothing back", "[fetcher]") {
    HttpServer server;
    Response hang = Response::ok(kFeed);
    hang.delay = 60s;
    server.route("/hang", hang);
    Collector got;
    {
        FetcherOptions o = test_options();
        o.max_parallel = 2;
        Fetcher fetcher(o, got.callback());
        for (uint64_t i = 0; i < 5; ++i) fetcher.submit(req(i, server.url("/hang")));
        REQUIRE(eventually([&] { return server.hits("/hang") == 2; }));
        CHECK(fetcher.in_flight() == 5);
    }
    // The destructor returned before the server answered anything: it did not wait the transfers out.
    CHECK(server.responses_completed() == 0);
    CHECK(got.size() == 0);
    // Both sockets were closed by the fetcher, not left to the server's shutdown.
    CHECK(eventually([&] { return server.client_hangups() == 2; }));
    CHECK(server.hits("/hang") == 2);   // the three queued requests were dropped, never started
    CHECK(got.size() == 0);
}
