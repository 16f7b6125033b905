// SPDX-License-Identifier: Apache-2.0
// The image pipeline end to end: pictures made here with stb_image_write, served by the real
// loopback server, fetched through a real Engine's fetcher, decoded and downscaled on the
// loader's worker, cached on disk in a temporary directory.
#include "app/cache.h"
#include "app/embedded.h"
#include "app/engine.h"
#include "app/images.h"
#include "http_server.h"

#include "helpers.h"

#include <catch2/catch.hpp>

#include <stb_image_write.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

namespace fs = std::filesystem;
using nk::app::DecodedImage;
using nk::app::ImageLoader;
using nk::app::ImageState;
using nk::test::HttpServer;
using nk::test::Response;

namespace {

using nk::test::TempDir;

void append(void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), std::size_t(size)); }

// Red grows left to right, green top to bottom: a downscale that keeps the picture keeps those.
std::vector<unsigned char> gradient(int w, int h) {
    std::vector<unsigned char> px(std::size_t(w) * std::size_t(h) * 4);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            unsigned char* p = &px[(std::size_t(y) * std::size_t(w) + std::size_t(x)) * 4];
            p[0] = static_cast<unsigned char>(x * 255 / std::max(1, w - 1));
            p[1] = static_cast<unsigned char>(y * 255 / std::max(1, h - 1));
            p[2] = 128;
            p[3] = 255;
        }
    return px;
}

std::string png(int w, int h) {
    std::string out;
    auto px = gradient(w, h);
    REQUIRE(stbi_write_png_to_func(append, &out, w, h, 4, px.data(), w * 4));
    return out;
}

// Left half red, right half blue.
std::string jpeg(int w, int h) {
    std::vector<unsigned char> px(std::size_t(w) * std::size_t(h) * 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            unsigned char* p = &px[(std::size_t(y) * std::size_t(w) + std::size_t(x)) * 3];
            bool left = x < w / 2;
            p[0] = left ? 220 : 30;
            p[1] = 30;
            p[2] = left ? 30 : 220;
        }
    std::string out;
    REQUIRE(stbi_write_jpg_to_func(append, &out, w, h, 3, px.data(), 95));
    return out;
}

std::array<int, 4> pixel(const DecodedImage& img, int x, int y) {
    const unsigned char* p = &img.rgba[(std::size_t(y) * std::size_t(img.width) + std::size_t(x)) * 4];
    return {p[0], p[1], p[2], p[3]};
}

bool near(std::array<int, 4> got, std::array<int, 4> want, int tolerance) {
    for (std::size_t i = 0; i < 4; ++i)
        if (std::abs(got[i] - want[i]) > tolerance) return false;
    return true;
}

std::size_t png_files(const fs::path& dir) {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(dir, ec)) n += f.path().extension() == ".png";
    return n;
}

// The bound only stops a broken build from hanging the suite; it is not a speed target.
template <class Pred>
bool poll(Pred pred) {
    for (int i = 0; i < 2000; ++i) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

// A real Engine (never pumped: its feed is never fetched) lends its fetcher to the loader.
struct Rig {
    TempDir dir;
    std::mutex mu;
    std::vector<std::string> lines;
    std::atomic<int> fetches{0};
    std::unique_ptr<nk::app::Engine> engine;
    std::unique_ptr<ImageLoader> loader;  // after engine: destroyed first
    std::map<std::string, DecodedImage> got;
    int64_t now = 1'800'000'000;

    Rig() {
        nk::app::EngineOptions o;
        o.feed_urls = {"http://127.0.0.1:9/unused.xml"};
        o.cache_dir = cache();
        o.log = [this](const std::string& line) { record(line); };
        auto r = nk::app::Engine::create(o, now);
        REQUIRE(r.ok());
        engine = std::move(r).value();
        lines.clear();  // the engine's own start-up lines ("config: ..."): only the loader's count here
    }

    fs::path cache() const { return dir.path / "cache"; }
    fs::path images() const { return cache() / "images"; }
    fs::path file_of(const std::string& url) const {
        return images() / fs::path(nk::app::DiskCache::file_name(url)).replace_extension(".png");
    }

    void record(const std::string& line) {
        std::lock_guard l(mu);
        lines.push_back(line);
    }

    nk::app::ImageLoaderOptions options() {
        nk::app::ImageLoaderOptions o;
        o.cache_dir = cache();
        o.max_dimension = 800;
        o.log = [this](const std::string& line) { record(line); };
        return o;
    }

    void start(nk::app::ImageLoaderOptions o) {
        loader = std::make_unique<ImageLoader>(std::move(o), [this](nk::net::FetchRequest req, auto done) {
            ++fetches;
            engine->fetch(std::move(req), std::move(done));
        });
    }

    // Requests url and polls until it is handed over (Ready) or fails.
    ImageState load(const std::string& url, bool owner = false) {
        got.erase(url);
        loader->request(url, now, owner);
        ImageState st = ImageState::Pending;
        poll([&] {
            for (DecodedImage& img : loader->take_ready()) got[img.url] = std::move(img);
            st = got.count(url) ? ImageState::Ready : loader->state(url);
            return st != ImageState::Pending;
        });
        return st;
    }

    std::size_t logged(std::string_view needle) {
        std::lock_guard l(mu);
        std::size_t n = 0;
        for (const auto& s : lines) n += s.find(needle) != std::string::npos;
        return n;
    }
};

}  // namespace

TEST_CASE("a PNG and a JPEG come through the engine's fetcher, decoded and downscaled", "[images]") {
    HttpServer server;
    server.route("/big.png", Response::ok(png(1600, 900), "image/png"));
    server.route("/photo.jpg", Response::ok(jpeg(640, 480), "image/jpeg"));
    const std::string big = server.url("/big.png"), photo = server.url("/photo.jpg");
    Rig rig;
    rig.start(rig.options());

    rig.loader->request(big, rig.now);  // twice: one fetch
    REQUIRE(rig.load(big) == ImageState::Ready);
    CHECK(server.hits("/big.png") == 1);
    CHECK(server.requests("/big.png")[0].header("User-Agent").starts_with("newsroom-kiosk/"));
    const DecodedImage& b = rig.got[big];
    REQUIRE(b.width == 800);
    REQUIRE(b.height == 450);
    REQUIRE(b.rgba.size() == 800u * 450u * 4u);
    CHECK(near(pixel(b, 0, 0), {0, 0, 128, 255}, 3));
    CHECK(near(pixel(b, 799, 449), {255, 255, 128, 255}, 3));
    CHECK(near(pixel(b, 400, 225), {128, 128, 128, 255}, 3));
    CHECK(rig.loader->state(big) == ImageState::Unknown);  // handed over: nothing kept
    CHECK(fs::exists(rig.file_of(big)));

    REQUIRE(rig.load(photo) == ImageState::Ready);
    const DecodedImage& p = rig.got[photo];
    CHECK(p.width == 640);  // never upscaled
    CHECK(p.height == 480);
    CHECK(near(pixel(p, 100, 240), {220, 30, 30, 255}, 12));
    CHECK(near(pixel(p, 540, 240), {30, 30, 220, 255}, 12));
    CHECK(rig.logged("") == 0);
}

// A card's picture box of 300x100: a 16:9 picture comes at 300x169 (the smallest that covers the
// box, as the card crops it), the disk keeps it at max_dimension, and with the box gone (0) the
// same file is served at that size again: a larger screen later is not stuck with small pictures.
TEST_CASE("pictures come just large enough to cover the card's box, the disk keeps them larger", "[images]") {
    HttpServer server;
    server.route("/big.png", Response::ok(png(1600, 900), "image/png"));
    server.route("/small.png", Response::ok(png(200, 100), "image/png"));
    const std::string big = server.url("/big.png"), small = server.url("/small.png");
    Rig rig;
    rig.start(rig.options());
    rig.loader->fit(300, 100);
    REQUIRE(rig.load(big) == ImageState::Ready);
    CHECK(rig.got[big].width == 300);
    CHECK(rig.got[big].height == 169);
    CHECK(rig.got[big].rgba.size() == 300u * 169u * 4u);
    CHECK(near(pixel(rig.got[big], 150, 84), {128, 128, 128, 255}, 4));
    REQUIRE(rig.load(small) == ImageState::Ready);
    CHECK(rig.got[small].width == 200);  // smaller than the box: never upscaled
    CHECK(rig.got[small].height == 100);

    rig.loader->fit(0, 0);
    REQUIRE(rig.load(big) == ImageState::Ready);  // from the disk cache
    CHECK(server.hits("/big.png") == 1);
    CHECK(rig.got[big].width == 800);
    CHECK(rig.got[big].height == 450);
}

TEST_CASE("a failed image is Failed with one log line naming it, and retried only after a while", "[images]") {
    HttpServer server;
    // One pixel of body under a header that claims n x n: refused from the header alone, never
    // with a decoding error. stb's own header check refuses 30000x30000 (and then reports no
    // known type); 10000x10000 passes it and meets max_pixels.
    auto claiming = [](int n) {
        std::string s = png(1, 1);
        for (std::size_t at : {16u, 20u}) {
            s[at + 0] = 0;
            s[at + 1] = 0;
            s[at + 2] = static_cast<char>(n >> 8);
            s[at + 3] = static_cast<char>(n & 0xff);
        }
        return s;
    };
    server.route("/huge.png", Response::ok(claiming(30000), "image/png"));
    server.route("/large.png", Response::ok(claiming(10000), "image/png"));
    server.route("/garbage.jpg", Response::ok("this is not a picture at all", "image/jpeg"));
    server.route("/big.png", Response::ok(png(1600, 900), "image/png"));
    Rig rig;
    auto o = rig.options();
    o.max_download_bytes = 4096;
    rig.start(o);

    const std::vector<std::pair<std::string, std::string>> cases = {
        {server.url("/missing.png"), "HTTP 404"},
        {server.url("/garbage.jpg"), "not an image (stb: "},
        {server.url("/huge.png"), "not an image (stb: "},
        {server.url("/large.png"), "too many pixels (10000x10000)"},
        {server.url("/big.png"), "body over 4096 bytes"},
        {"file:///etc/hostname", "unsupported URL"},
        {"data:image/png;base64,iVBORw0KGgo=", "unsupported URL"},
        {"javascript:alert(1)", "unsupported URL"},
    };
    for (const auto& [url, reason] : cases) {
        INFO(url);
        CHECK(rig.load(url) == ImageState::Failed);
        CHECK(rig.logged("image " + url + ": " + reason) == 1);
        CHECK(rig.logged(url) == 1);
    }
    CHECK(rig.fetches == 5);

    const std::string missing = server.url("/missing.png");
    rig.now += 60;
    rig.loader->request(missing, rig.now);
    CHECK(rig.loader->state(missing) == ImageState::Failed);
    CHECK(rig.fetches == 5);
    rig.now += ImageLoader::kRetrySeconds;
    CHECK(rig.load(missing) == ImageState::Failed);
    CHECK(rig.fetches == 6);
    CHECK(server.hits("/missing.png") == 2);
    CHECK(rig.logged(missing) == 2);
}

TEST_CASE("demo pictures come from the binary without any HTTP and without the disk cache", "[images]") {
    Rig rig;
    rig.start(rig.options());
    REQUIRE(rig.load("demo:harbour.png") == ImageState::Ready);
    const DecodedImage& img = rig.got["demo:harbour.png"];
    CHECK(img.width > 0);
    CHECK(img.height > 0);
    CHECK(std::max(img.width, img.height) <= 800);
    CHECK(img.rgba.size() == std::size_t(img.width) * std::size_t(img.height) * 4);
    CHECK(rig.load("demo:no-such-picture.png") == ImageState::Failed);
    CHECK(rig.logged("demo:no-such-picture.png") == 1);
    CHECK(rig.fetches == 0);
    CHECK(png_files(rig.images()) == 0);
}

TEST_CASE("an owner's picture may be a file on this disk, a feed's never, and a file that is no picture is named", "[images]") {
    TempDir dir;
    auto demo = [] {
        for (const nk::assets::EmbeddedFile& f : nk::assets::embedded_files())
            if (f.name == "harbour.png") return std::string(f.bytes);
        return std::string();
    }();
    REQUIRE_FALSE(demo.empty());
    std::ofstream(dir.path / "welcome.png", std::ios::binary) << demo;
    std::ofstream(dir.path / "notes.png", std::ios::binary) << "this is a text file with a .png name";
    Rig rig;
    rig.start(rig.options());
    const std::string path = (dir.path / "welcome.png").string();
    CHECK(rig.load(path, true) == ImageState::Ready);
    CHECK(rig.load("file://" + (dir.path / "welcome.png").string(), true) == ImageState::Ready);
    // The same file named by a feed: refused, so no feed can put this machine's files on the wall.
    std::filesystem::copy_file(dir.path / "welcome.png", dir.path / "feed.png");
    CHECK(rig.load("file://" + (dir.path / "feed.png").string()) == ImageState::Failed);
    CHECK(rig.logged("unsupported URL (images come by http, https or demo:)") == 1);
    // Not a picture: failed with its path, and the rest goes on.
    CHECK(rig.load((dir.path / "notes.png").string(), true) == ImageState::Failed);
    CHECK(rig.logged("notes.png: ") >= 1);
    CHECK(rig.fetches == 0);
}

TEST_CASE("the disk cache serves a restart with the network gone, replaces a corrupt file and stays bounded", "[images]") {
    auto server = std::make_unique<HttpServer>();
    server->route("/big.png", Response::ok(png(1600, 900), "image/png"));
    const std::string big = server->url("/big.png");
    Rig rig;
    rig.start(rig.options());
    REQUIRE(rig.load(big) == ImageState::Ready);
    REQUIRE(fs::exists(rig.file_of(big)));
    rig.loader.reset();
    rig.got.clear();
    rig.fetches = 0;

    SECTION("a second loader on the same directory needs no network") {
        server.reset();
        rig.start(rig.options());
        REQUIRE(rig.load(big) == ImageState::Ready);
        CHECK(rig.got[big].width == 800);
        CHECK(rig.got[big].height == 450);
        CHECK(near(pixel(rig.got[big], 400, 225), {128, 128, 128, 255}, 3));
        CHECK(rig.fetches == 0);
    }

    SECTION("a corrupt cache file is deleted and the image fetched again") {
        std::ofstream(rig.file_of(big), std::ios::binary | std::ios::trunc) << "\x89PNG garbage";
        rig.start(rig.options());
        REQUIRE(rig.load(big) == ImageState::Ready);
        CHECK(rig.got[big].width == 800);
        CHECK(server->hits("/big.png") == 2);
        CHECK(rig.logged("deleted; fetching again") == 1);
        CHECK(png_files(rig.images()) == 1);
    }

    SECTION("eviction keeps the most recently used files within disk_max_files") {
        auto o = rig.options();
        o.disk_max_files = 3;
        rig.start(o);
        std::vector<std::string> urls;
        for (int i = 0; i < 5; ++i) {
            std::string path = "/p" + std::to_string(i) + ".png";
            server->route(path, Response::ok(png(40 + i, 30), "image/png"));
            urls.push_back(server->url(path));
            REQUIRE(rig.load(urls.back()) == ImageState::Ready);
            CHECK(png_files(rig.images()) <= 3);
        }
        CHECK(png_files(rig.images()) == 3);
        CHECK(fs::exists(rig.file_of(urls[4])));
        CHECK_FALSE(fs::exists(rig.file_of(big)));
        CHECK_FALSE(fs::exists(rig.file_of(urls[0])));
        int before = rig.fetches;
        REQUIRE(rig.load(urls[4]) == ImageState::Ready);  // from disk
        CHECK(rig.fetches == before);
        REQUIRE(rig.load(urls[0]) == ImageState::Ready);  // evicted: fetched again
        CHECK(rig.fetches == before + 1);
        CHECK(png_files(rig.images()) == 3);
    }
}

TEST_CASE("destroying the loader while its fetch is in flight is clean", "[images]") {
    HttpServer server;
    Response slow = Response::ok(png(64, 64), "image/png");
    slow.delay = std::chrono::milliseconds(200);
    server.route("/slow.png", slow);
    Rig rig;
    std::atomic<bool> answered{false};
    rig.loader = std::make_unique<ImageLoader>(rig.options(), [&](nk::net::FetchRequest req, auto done) {
        rig.engine->fetch(std::move(req), [&answered, done = std::move(done)](nk::net::FetchResponse&& r) {
            done(std::move(r));
            answered = true;
        });
    });
    rig.loader->request(server.url("/slow.png"), rig.now);
    // take_ready() starts the fetch once the worker has missed the disk cache.
    REQUIRE(poll([&] { rig.loader->take_ready(); return server.hits("/slow.png") == 1; }));
    rig.loader.reset();
    CHECK(poll([&] { return answered.load(); }));  // the callback found the loader gone
    CHECK(png_files(rig.images()) == 0);

    SECTION("and so is destroying the engine with an image fetch still queued") {
        rig.start(rig.options());
        rig.loader->request(server.url("/slow.png?again"), rig.now);
        REQUIRE(poll([&] { rig.loader->take_ready(); return server.hits("/slow.png") == 2; }));
        rig.loader.reset();
        rig.engine.reset();
    }
}
