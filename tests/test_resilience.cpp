// SPDX-License-Identifier: Apache-2.0
// The last good state survives what careless administrators and bad disks do, tried with the
// built binary, real files and a loopback feed server: a config truncated to zero bytes, a broken
// config at boot, a full and a read-only cache filesystem (tmpfs mounts, so root only), and kill -9
// during cache writes. Waits are bounded polls for a state, never timing thresholds.
#include "app/cache.h"
#include "helpers.h"
#include "http_server.h"

#include <catch2/catch.hpp>

#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nk::test::eventually;
using nk::test::HttpServer;
using nk::test::Kiosk;
using nk::test::Response;
using nk::test::TempDir;

namespace {

std::string rss(const std::string& title, int items) {
    std::string s = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>" + title + "</title>";
    for (int i = 0; i < items; ++i)
        s += "<item><title>" + title + " story " + std::to_string(i) + "</title><link>http://example.com/" + title + "/" +
             std::to_string(i) + "</link></item>";
    return s + "</channel></rss>";
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary | std::ios::trunc) << text; }

// The running kiosk checks its config by modification time every two seconds: make each rewrite
// visibly newer, whatever the file system's timestamp resolution.
void rewrite(const fs::path& p, const std::string& text) {
    const auto before = fs::last_write_time(p);
    write(p, text);
    fs::last_write_time(p, before + std::chrono::seconds(10));
}

std::string config_for(const std::vector<std::string>& urls, const fs::path& cache, const std::string& extra = "") {
    std::string c = "[cache]\ndir = \"" + cache.string() + "\"\n" + extra + "\n";
    for (const auto& u : urls) c += "[[feed]]\nurl = \"" + u + "\"\n\n";
    return c;
}

// Every cache file by name, with its bytes.
std::map<std::string, std::string> cache_files(const fs::path& dir) {
    std::map<std::string, std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".json") out[e.path().filename().string()] = nk::test::read_file(e.path().string());
    return out;
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
    return n;
}

// A small tmpfs at `dir` for the length of a test; lazily unmounted at the end.
struct Tmpfs {
    fs::path dir;
    bool mounted = false;
    Tmpfs(const fs::path& d, const std::string& size) : dir(d) {
        fs::create_directories(dir);
        mounted = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size + ",mode=0700").c_str()) == 0;
    }
    bool remount(bool read_only) {
        return ::mount("tmpfs", dir.c_str(), "tmpfs", MS_REMOUNT | (read_only ? MS_RDONLY : 0), nullptr) == 0;
    }
    ~Tmpfs() {
        if (mounted) ::umount2(dir.c_str(), MNT_DETACH);
    }
};

}  // namespace

TEST_CASE("a config truncated to zero bytes changes nothing, and put back it costs no fetch", "[resilience]") {
    HttpServer server;
    server.route("/a.xml", Response::ok(rss("Alpha", 4), "application/rss+xml"));
    server.route("/b.xml", Response::ok(rss("Beta", 3), "application/rss+xml"));
    TempDir dir;
    const fs::path cfg = dir.path / "kiosk.toml", cache = dir.path / "cache";
    const std::string text =
        config_for({server.url("/a.xml"), server.url("/b.xml")}, cache, "[rotation]\nmin_dwell_seconds = 1\nmax_dwell_seconds = 1\n");
    write(cfg, text);
    Kiosk kiosk({"--headless", "--config", cfg.string()}, dir.path);
    REQUIRE(eventually([&] { return cache_files(cache).size() == 2 && kiosk.out().find(" story ") != std::string::npos; }));
    const auto files = cache_files(cache);
    const std::size_t hits = server.total_hits();

    // An editor that truncates before writing, a failed copy: refused with its reason.
    rewrite(cfg, "");
    REQUIRE(kiosk.wait_err("the file is empty"));
    REQUIRE(kiosk.wait_err("keeping the running config"));
    CHECK(cache_files(cache) == files);

    // Put back: applied, nothing changed, nothing fetched, nothing lost.
    rewrite(cfg, text);
    REQUIRE(kiosk.wait_err("applied (2 feeds): nothing changed"));
    CHECK(server.total_hits() == hits);
    CHECK(cache_files(cache) == files);
    const std::string out = kiosk.out();
    CHECK(out.find("Alpha story") != std::string::npos);
    CHECK(out.find("Beta story") != std::string::npos);
    CHECK(kiosk.stop() == 0);
}

TEST_CASE("a broken config at boot runs on the last good copy, else the cache's feeds, with cards at once", "[resilience]") {
    TempDir dir;
    const fs::path cfg = dir.path / "kiosk.toml", cache = dir.path / "cache", state = dir.path / "state";
    const std::vector<std::string> env = {"XDG_STATE_HOME=" + state.string()};
    const fs::path last_good = state / "newsroom-kiosk" / "last-good-config.toml";
    std::string a, b;
    {
        HttpServer server;
        server.route("/a.xml", Response::ok(rss("Alpha", 4), "application/rss+xml"));
        server.route("/b.xml", Response::ok(rss("Beta", 3), "application/rss+xml"));
        a = server.url("/a.xml");
        b = server.url("/b.xml");
        write(cfg, config_for({a, b}, cache, "[rotation]\nmin_dwell_seconds = 1\nmax_dwell_seconds = 1\n"));
        Kiosk warm({"--headless", "--config", cfg.string()}, dir.path, env);
        REQUIRE(eventually([&] { return cache_files(cache).size() == 2; }));
        CHECK(warm.stop() == 0);
        CHECK(nk::test::read_file(last_good.string()) == nk::test::read_file(cfg.string()));
    }  // the feed server is gone: nothing below can come from the network

    write(cfg, "[[feed]\nurl = \"" + a + "\"\n");  // a typo
    {
        Kiosk k({"--headless", "--config", cfg.string()}, dir.path, env);
        REQUIRE(k.wait_out(" story "));
        const std::string err = k.err();
        CHECK(err.find("kiosk.toml:1:") != std::string::npos);  // the problem, with its place
        CHECK(err.find("running on its last good copy") != std::string::npos);
        CHECK_FALSE(k.exited());
        // The last good copy's settings too: one-second cards, so both feeds come round.
        REQUIRE(k.wait_out("Alpha story"));
        REQUIRE(k.wait_out("Beta story"));
        CHECK(k.stop() == 0);
    }

    // No last good copy (a state directory lost or never written): the feeds the cache holds. The
    // broken file cannot say where its cache is, so it is where the defaults or the command line say.
    fs::remove(last_good);
    {
        Kiosk k({"--headless", "--config", cfg.string(), "--cache-dir", cache.string()}, dir.path, env);
        REQUIRE(k.wait_out(" story "));
        CHECK(k.err().find("there is no last good copy; running on the 2 feeds found in the cache") != std::string::npos);
        CHECK(k.stop() == 0);
    }
    // Neither: the demo, never a black screen.
    fs::remove_all(cache);
    {
        Kiosk k({"--headless", "--config", cfg.string(), "--cache-dir", cache.string()}, dir.path, env);
        REQUIRE(k.wait_out("Newsroom World"));
        CHECK(k.stop() == 0);
    }
}

TEST_CASE("a full and a read-only cache: the kiosk rotates from memory and writes again when it can", "[resilience][root]") {
    if (::geteuid() != 0) {
        WARN("not root: cannot mount a small tmpfs; skipped (CI runs as root)");
        return;
    }
    HttpServer server;
    server.route("/a.xml", Response::ok(rss("Alpha", 6), "application/rss+xml"));
    server.route("/b.xml", Response::ok(rss("Beta", 5), "application/rss+xml"));
    TempDir dir;
    Tmpfs disk(dir.path / "cache", "256k");
    if (!disk.mounted) {
        WARN("mount -t tmpfs failed (no CAP_SYS_ADMIN here?); skipped");
        return;
    }
    const fs::path cfg = dir.path / "kiosk.toml";
    write(cfg, config_for({server.url("/a.xml"), server.url("/b.xml")}, disk.dir, "[rotation]\nmin_dwell_seconds = 1\nmax_dwell_seconds = 1\n"));

    // Full: fill the file system to the last byte before the kiosk starts.
    {
        std::ofstream filler(disk.dir / "filler", std::ios::binary);
        const std::string block(4096, 'x');
        while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
        }
    }
    {
        Kiosk k({"--headless", "--config", cfg.string(), "--health", "127.0.0.1:0"}, dir.path);
        const uint16_t port = k.port();
        REQUIRE(port != 0);
        REQUIRE(k.wait_err("No space left on device"));
        REQUIRE(k.wait_out("Alpha story"));
        REQUIRE(k.wait_out("Beta story"));  // rotating from memory
        const auto status = nk::test::get(port, "/status.json");
        CHECK(status.body.find("\"cache\": {\n    \"ok\": false") != std::string::npos);
        CHECK(cache_files(disk.dir).empty());
        CHECK(count(k.err(), "No space left on device") == 1);  // once per state change, not per write

        fs::remove(disk.dir / "filler");
        REQUIRE(k.wait_err("cache: writing again"));
        REQUIRE(eventually([&] { return cache_files(disk.dir).size() == 2; }));
        CHECK(eventually([&] { return nk::test::get(port, "/status.json").body.find("\"cache\": {\n    \"ok\": true") != std::string::npos; }));
        CHECK(k.stop() == 0);
    }
    const auto written = cache_files(disk.dir);

    // Read-only (an overlay root gone wrong, a card the kernel remounted): the cached stories are
    // read and shown at once; a new feed's are held in memory until the disk takes them again.
    REQUIRE(disk.remount(true));
    const std::string b2 = server.url("/b.xml") + "?v=2";
    rewrite(cfg, config_for({server.url("/a.xml"), b2}, disk.dir, "[rotation]\nmin_dwell_seconds = 1\nmax_dwell_seconds = 1\n"));
    {
        Kiosk k({"--headless", "--config", cfg.string()}, dir.path);
        REQUIRE(k.wait_out("Alpha story"));
        CHECK(k.err().find("reading it without a lock") != std::string::npos);
        REQUIRE(k.wait_err("Read-only file system"));
        REQUIRE(k.wait_out("Beta story"));
        CHECK(cache_files(disk.dir) == written);  // nothing half-written, nothing lost
        REQUIRE(disk.remount(false));
        REQUIRE(k.wait_err("cache: writing again"));
        CHECK(eventually([&] { return cache_files(disk.dir).count(nk::app::DiskCache::file_name(b2)) == 1; }));
        CHECK(k.stop() == 0);
    }
}

TEST_CASE("kill -9 during cache writes never leaves a corrupt cache file", "[resilience][kill]") {
    HttpServer server;
    constexpr int kFeeds = 24;
    for (int i = 0; i < kFeeds; ++i)
        server.route("/f" + std::to_string(i) + ".xml", Response::ok(rss("Feed" + std::to_string(i), 20), "application/rss+xml"));
    TempDir dir;
    const fs::path cfg = dir.path / "kiosk.toml", cache = dir.path / "cache";
    std::mt19937 rng(20261207);
    constexpr int kKills = 20;
    int corrupt = 0, interrupted = 0, saw_files = 0;
    for (int run = 0; run < kKills; ++run) {
        // New feed URLs each run, so every start fetches and writes; the old ones are purged a
        // second later: more writes (and deletes) to be killed in the middle of.
        std::vector<std::string> urls;
        for (int i = 0; i < kFeeds; ++i) urls.push_back(server.url("/f" + std::to_string(i) + ".xml") + "?run=" + std::to_string(run));
        write(cfg, config_for(urls, cache, "purge_after = 1\n[fetch]\nmax_parallel = 12\n"));
        {
            Kiosk k({"--headless", "--config", cfg.string()}, dir.path);
            std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 1500)(rng)));
            k.kill9();
        }
        auto opened = nk::app::DiskCache::open(cache, 32 << 20);
        REQUIRE(opened);
        std::vector<std::string> warnings;
        const auto records = opened.value().load_all(&warnings);
        for (const std::string& w : warnings) {
            // A temp file is a write the kill cut short: the old file stands, as it should.
            if (w.find("temp file left by an interrupted write") != std::string::npos) {
                ++interrupted;
                continue;
            }
            ++corrupt;
            WARN("after kill " << run << ": " << w);
        }
        saw_files += !records.empty();
    }
    WARN("kill -9: " << kKills << " kills, " << interrupted << " of them in the middle of a write (temp file left), "
                     << corrupt << " corrupt files; " << saw_files << " runs left cached feeds behind");
    CHECK(corrupt == 0);
    CHECK(saw_files > kKills / 2);  // the kills did land while there was something to lose
}
