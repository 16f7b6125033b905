// SPDX-License-Identifier: Apache-2.0
// The real binary drawing on a private Xvfb: a feed and its image served on loopback, a
// screenshot read back and checked where the layout says things are: the headline is drawn,
// the image shows the image, the QR code decodes to the story's link, no glyph fell back, no
// GL error. At the three screen shapes and on the OpenGL 2 path.
#include "display_harness.h"
#include "http_server.h"
#include "ui/scene.h"

#include "helpers.h"

#include <catch2/catch.hpp>
#include <stb_image_write.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <cstring>
#include <string>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using nk::test::HttpServer;
using nk::test::Response;

namespace {

using nk::test::TempDir;

constexpr const char* kHeadline = "Minister’s “plan” — café owners in Жуковский cheer Ωmega bridge";
constexpr const char* kLink = "https://news.example.com/2026/11/26/minister-plan-bridge?id=42";
constexpr unsigned char kImageRgb[3] = {220, 30, 200};

std::string png_of_colour(int w, int h) {
    std::vector<unsigned char> px(static_cast<size_t>(w) * static_cast<size_t>(h) * 3);
    for (size_t i = 0; i < px.size(); i += 3)
        for (size_t c = 0; c < 3; ++c) px[i + c] = kImageRgb[c];
    std::string out;
    stbi_write_png_to_func([](void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<char*>(data), static_cast<size_t>(size)); },
                           &out, w, h, 3, px.data(), w * 3);
    return out;
}

std::string feed_xml(const std::string& image_url, const std::string& headline = kHeadline) {
    return std::string(R"(<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Gazette</title><link>https://news.example.com/</link>
<item><title>)") + headline + R"(</title><link>)" + "https://news.example.com/2026/11/26/minister-plan-bridge?id=42" +
           R"(</link><guid>story-42</guid>
<description>The council voted on Tuesday to build a new footbridge over the harbour, with works starting in spring and the opening planned for the summer after next.</description>
<enclosure url=")" + image_url + R"(" type="image/png" length="1"/>
<pubDate>)" + nk::test::http_date(static_cast<int64_t>(time(nullptr)) - 720) + R"(</pubDate></item>
</channel></rss>)";
}

struct Counts {
    double fraction_image = 0;   // pixels close to the image colour
    double fraction_bright = 0;  // pixels clearly brighter than the dark theme's background
};

Counts count_in(nk::test::Image& img, const nk::ui::Rect& r) {
    long image = 0, bright = 0, total = 0;
    for (int y = static_cast<int>(r.y) + 2; y < static_cast<int>(r.bottom()) - 2; ++y)
        for (int x = static_cast<int>(r.x) + 2; x < static_cast<int>(r.right()) - 2; ++x) {
            if (x < 0 || y < 0 || x >= img.w || y >= img.h) continue;
            const unsigned char* p = img.at(x, y);
            ++total;
            if (std::abs(p[0] - kImageRgb[0]) < 12 && std::abs(p[1] - kImageRgb[1]) < 12 && std::abs(p[2] - kImageRgb[2]) < 12) ++image;
            if (p[0] + p[1] + p[2] > 3 * 120) ++bright;
        }
    if (total == 0) return {};
    return {static_cast<double>(image) / static_cast<double>(total), static_cast<double>(bright) / static_cast<double>(total)};
}

// What a display test stands on: a private X server, a loopback server with the story's picture
// and a one-item feed, a temporary directory, and a config with that feed and the ticker on.
struct Stage {
    nk::test::Xvfb x;
    HttpServer server;
    TempDir dir;
    Stage(int w, int h, const std::string& headline = kHeadline) : x(w, h) {
        server.route("/img.png", Response::ok(png_of_colour(1200, 675), "image/png"));
        server.route("/feed.xml", Response::ok(feed_xml(server.url("/img.png"), headline)));
        std::ofstream(dir.path / "kiosk.toml") << "[[feed]]\nurl = \"" << server.url("/feed.xml") << "\"\n[display]\nticker = true\n";
    }
    std::string config() const { return (dir.path / "kiosk.toml").string(); }
    std::string cache() const { return (dir.path / "cache").string(); }
    // Under the sanitizer build: Mesa's driver is unloaded before exit, so LeakSanitizer cannot even name
    // the module of its one-time allocations. Leaks in our code are checked in-process ([kiosk], [fonts]).
    std::vector<std::string> env() const { return {"DISPLAY=" + x.display(), "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"}; }
};

void screenshot_case(int w, int h, std::vector<std::string> env, const char* backend, std::vector<std::string> extra = {},
                     bool ticker = false) {
    Stage st(std::max(w, 640), std::max(h, 480));
    nk::test::Xvfb& x = st.x;
    HttpServer& server = st.server;
    TempDir& dir = st.dir;
    INFO(x.error());
    REQUIRE(x.ok());
    std::string out = (dir.path / "shot.png").string();
    for (const std::string& e : st.env()) env.push_back(e);
    std::vector<std::string> argv{NK_KIOSK_BIN, "--cache-dir", st.cache(), "--screenshot", out, "--size",
                                  std::to_string(w) + "x" + std::to_string(h)};
    if (ticker) {
        argv.insert(argv.end(), {"--config", st.config()});
    } else {
        argv.insert(argv.end(), {"--feed", server.url("/feed.xml")});
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = nk::test::run_process(argv, env, 120);
    INFO("stderr:\n" << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find(std::string("backend ") + backend) != std::string::npos);
    CHECK(r.err.find("GL error") == std::string::npos);
    CHECK(r.err.find("font:") == std::string::npos);  // no glyph missing, nothing drawn as a fallback mark

    nk::test::Image img = nk::test::load_png(out);
    REQUIRE(img.ok());
    CHECK(img.w == w);
    CHECK(img.h == h);
    nk::ui::Layout L = nk::ui::compute_layout(static_cast<float>(w), static_cast<float>(h), nk::ui::Mode::Cards, ticker, 0.03f, true);
    Counts in_image = count_in(img, L.image);
    CHECK(in_image.fraction_image > 0.9);
    // The headline's first lines sit near the top of the text column: a fair share of its pixels are text.
    nk::ui::Rect head{L.text.x, L.text.y + 40 * L.unit, L.text.w, 200 * L.unit};
    Counts in_head = count_in(img, head);
    CHECK(in_head.fraction_bright > 0.04);
    CHECK(in_head.fraction_bright < 0.6);  // glyphs, not their texture's box (a format sampled with alpha 1)
    CHECK(in_head.fraction_image < 0.01);
    if (ticker) CHECK(count_in(img, L.ticker).fraction_bright > 0.02);  // the crawl's headline text
    auto qr = nk::test::zbar_decode(out);
    REQUIRE(qr.has_value());
    CHECK(*qr == kLink);
}

}  // namespace

TEST_CASE("screenshot at 1920x1080: headline, image, QR code, every glyph", "[display]") {
    screenshot_case(1920, 1080, {}, "opengl3");
}

TEST_CASE("screenshot at 1280x720", "[display]") { screenshot_case(1280, 720, {}, "opengl3"); }

TEST_CASE("screenshot in portrait, 1080x1920", "[display]") { screenshot_case(1080, 1920, {}, "opengl3"); }

TEST_CASE("screenshot on the OpenGL 2 path (a Pi 3's GL 2.1)", "[display]") {
    screenshot_case(1280, 720, {"MESA_GL_VERSION_OVERRIDE=2.1"}, "opengl2");
}

// Two seconds in, with the ticker moving, the screenshot is a frame as the loop draws it: only the
// strip redrawn over the kept back buffer, or over the static layer's texture. Both must still show
// the whole card.
TEST_CASE("partial redraws: the ticker over a preserved back buffer", "[display]") {
    screenshot_case(1280, 720, {"NK_REDRAW=preserved"}, "opengl3", {"--at", "2"}, true);
}

TEST_CASE("partial redraws: the ticker over the static layer in a texture, GL3 and GL2", "[display]") {
    screenshot_case(1280, 720, {"NK_REDRAW=layer"}, "opengl3", {"--at", "2"}, true);
    screenshot_case(1280, 720, {"NK_REDRAW=layer", "MESA_GL_VERSION_OVERRIDE=2.1"}, "opengl2", {"--at", "2"}, true);
}

// What reaches the screen, not the back buffer: with the back buffer kept, a frame that moved only
// the crawl puts only its strip on screen (GLX_MESA_copy_sub_buffer under Mesa's software GL).
// Two grabs of the X server a second apart: the card is whole in both, the crawl has moved.
TEST_CASE("the window shows the whole card and a moving crawl when frames put only their strip on screen", "[display]") {
    Stage st(1280, 720);
    nk::test::Xvfb& x = st.x;
    INFO(x.error());
    REQUIRE(x.ok());
    nk::test::ProcessResult r;
    std::thread kiosk([&] {
        r = nk::test::run_process({NK_KIOSK_BIN, "--cache-dir", st.cache(), "--config", st.config(), "--windowed", "1280x720",
                                   "--duration", "8"},
                                  st.env(), 60);
    });
    // The card's picture is on screen once the feed and its image have come in (a second or two).
    nk::ui::Layout L = nk::ui::compute_layout(1280, 720, nk::ui::Mode::Cards, true, 0.03f, true);
    nk::test::Image first;
    for (int i = 0; i < 50; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        first = nk::test::grab_screen(x.display());
        if (first.ok() && count_in(first, L.image).fraction_image > 0.9) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    nk::test::Image second = nk::test::grab_screen(x.display());
    kiosk.join();
    INFO("stderr:\n" << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("GLX_MESA_copy_sub_buffer") != std::string::npos);
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    nk::ui::Rect head{L.text.x, L.text.y + 40 * L.unit, L.text.w, 200 * L.unit};
    for (nk::test::Image* img : {&first, &second}) {
        CHECK(count_in(*img, L.image).fraction_image > 0.9);
        CHECK(count_in(*img, head).fraction_bright > 0.04);
        CHECK(count_in(*img, L.ticker).fraction_bright > 0.02);
    }
    long moved = 0;
    for (int y = static_cast<int>(L.ticker.y) + 4; y < static_cast<int>(L.ticker.bottom()) - 4; ++y)
        for (int xx = 0; xx < first.w; ++xx) moved += std::memcmp(first.at(xx, y), second.at(xx, y), 3) != 0;
    CHECK(moved > 500);
}

// Under X with the back buffer kept, frames that move only the crawl do not go through GL: the band
// on screen is shifted and its new columns come from chunks GL drew ahead (platform/x11_shm.h).
// What reaches the screen must be what GL draws: every grab's crawl, in a run where cards fade every
// two seconds (GL frames between the CPU ones), is a window of the crawl GL drew in a run with
// NK_BLIT=gl, pixel for pixel.
namespace {
struct CrawlRun {
    nk::test::ProcessResult result;
    std::vector<std::vector<uint64_t>> bands;  // each grab's crawl rows, one hash per column
};

CrawlRun crawl_run(bool by_gl) {
    nk::test::Xvfb x(1280, 720);
    INFO(x.error());
    REQUIRE(x.ok());
    TempDir dir;
    std::ofstream(dir.path / "kiosk.toml") << "[rotation]\nmin_dwell_seconds = 2\nmax_dwell_seconds = 2\n"
                                              "[display]\nticker = true\ntransition = \"fade\"\ntransition_ms = 600\n";
    std::vector<std::string> env{"DISPLAY=" + x.display(), "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"};
    if (by_gl) env.push_back("NK_BLIT=gl");
    CrawlRun run;
    std::thread kiosk([&] {
        run.result = nk::test::run_process({NK_KIOSK_BIN, "--cache-dir", (dir.path / "cache").string(), "--config",
                                            (dir.path / "kiosk.toml").string(), "--windowed", "1280x720", "--duration", "9"},
                                           env, 60);
    });
    const nk::ui::Layout L = nk::ui::compute_layout(1280, 720, nk::ui::Mode::Cards, true, 0.03f, true);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(6500);
    while (std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(120));
        nk::test::Image img = nk::test::grab_screen(x.display());
        if (!img.ok()) continue;
        std::vector<uint64_t> cols(static_cast<size_t>(img.w));
        for (int xx = 0; xx < img.w; ++xx) {
            uint64_t h = 1469598103934665603ull;  // FNV-1a down the column
            for (int y = static_cast<int>(L.ticker.y) + 3; y < static_cast<int>(L.ticker.bottom()) - 3; ++y)
                for (int c = 0; c < 3; ++c) h = (h ^ img.at(xx, y)[c]) * 1099511628211ull;
            cols[static_cast<size_t>(xx)] = h;
        }
        run.bands.push_back(std::move(cols));
    }
    kiosk.join();
    return run;
}

// Whether `band` is `ref` moved left by some whole number of columns, over at least `overlap` columns.
bool shifted_copy(const std::vector<uint64_t>& band, const std::vector<uint64_t>& ref, int overlap) {
    const int w = static_cast<int>(band.size());
    for (int shift = -(w - overlap); shift <= w - overlap; ++shift) {
        bool same = true;
        for (int xx = std::max(0, -shift); same && xx < w && xx + shift < w; ++xx) same = band[xx] == ref[xx + shift];
        if (same) return true;
    }
    return false;
}
}  // namespace

TEST_CASE("crawl frames moved on the CPU put on screen the pixels GL draws", "[display]") {
    const CrawlRun gl = crawl_run(true);
    const CrawlRun cpu = crawl_run(false);
    INFO("GL run:\n" << gl.result.err << "\nCPU run:\n" << cpu.result.err);
    REQUIRE(gl.result.exit_code == 0);
    REQUIRE(cpu.result.exit_code == 0);
    CHECK(gl.result.err.find("MIT-SHM") == std::string::npos);
    CHECK(cpu.result.err.find("go on screen by MIT-SHM") != std::string::npos);
    CHECK(cpu.result.err.find(" fade steps on the CPU") != std::string::npos);
    CHECK(cpu.result.err.find(" 0 fade steps on the CPU") == std::string::npos);  // fades between crawl frames
    const auto crawl = cpu.result.err.find(" crawl-only on the CPU");
    REQUIRE(crawl != std::string::npos);
    const auto count_at = cpu.result.err.rfind("; ", crawl);
    CHECK(std::stoi(cpu.result.err.substr(count_at + 2, crawl - count_at - 2)) > 300);
    CHECK(cpu.result.err.find("GL error") == std::string::npos);
    REQUIRE(gl.bands.size() >= 20);
    REQUIRE(cpu.bands.size() >= 20);
    int matched = 0;
    for (const auto& band : cpu.bands) {
        bool found = false;
        for (std::size_t i = 0; i < gl.bands.size() && !found; ++i) found = shifted_copy(band, gl.bands[i], 700);
        matched += found;
    }
    CHECK(matched == static_cast<int>(cpu.bands.size()));
    // Not a trivial match: the crawl moves between grabs (text, not an empty strip).
    CHECK_FALSE(cpu.bands.front() == cpu.bands.back());
}

// A fade over the kept back buffer is blended on the CPU under X (platform/x11_shm.h), or with
// NK_BLIT=gl drawn in cards-only frames (only the tiles the cards cover, the background painted
// back where the old card was). What reaches the screen: once the new card stands, nothing of the
// old one is left (its long text's rows are background), and each time a card stands its body is
// the same pixels.
namespace {
void fade_case(const std::vector<std::string>& extra_env, const char* backend) {
    nk::test::Xvfb x(1280, 720);
    INFO(x.error());
    REQUIRE(x.ok());
    HttpServer server;
    TempDir dir;
    const unsigned char green[3] = {30, 200, 60};
    std::vector<unsigned char> px(320 * 180 * 3);
    for (size_t i = 0; i < px.size(); i += 3) std::memcpy(&px[i], green, 3);
    std::string green_png;
    stbi_write_png_to_func([](void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<char*>(data), static_cast<size_t>(size)); },
                           &green_png, 320, 180, 3, px.data(), 320 * 3);
    server.route("/a.png", Response::ok(png_of_colour(320, 180), "image/png"));
    server.route("/b.png", Response::ok(green_png, "image/png"));
    const std::string now = nk::test::http_date(static_cast<int64_t>(time(nullptr)) - 600);
    server.route("/feed.xml", Response::ok(
        "<rss version=\"2.0\"><channel><title>Two</title>"
        "<item><title>" + std::string(kHeadline) + " and a second clause that runs onto more lines</title><guid>a</guid>"
        "<link>https://news.example.com/a</link><pubDate>" + now + "</pubDate>"
        "<description>A long summary of the first story that fills the lower part of the text column with "
        "several lines of text, so that its rows are ink while it stands and must be background after it.</description>"
        "<enclosure url=\"" + server.url("/a.png") + "\" type=\"image/png\" length=\"1\"/></item>"
        "<item><title>Calm</title><guid>b</guid><link>https://news.example.com/b</link><pubDate>" + now + "</pubDate>"
        "<description>Quiet.</description><enclosure url=\"" + server.url("/b.png") + "\" type=\"image/png\" length=\"1\"/></item>"
        "</channel></rss>"));
    std::ofstream(dir.path / "kiosk.toml") << "[[feed]]\nurl = \"" << server.url("/feed.xml")
                                           << "\"\n[rotation]\nmin_dwell_seconds = 2\nmax_dwell_seconds = 2\n"
                                              "[display]\ntransition = \"fade\"\ntransition_ms = 600\n";
    std::vector<std::string> env{"DISPLAY=" + x.display(), "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    nk::test::ProcessResult r;
    std::thread kiosk([&] {
        r = nk::test::run_process({NK_KIOSK_BIN, "--cache-dir", (dir.path / "cache").string(), "--config",
                                   (dir.path / "kiosk.toml").string(), "--windowed", "1280x720", "--duration", "12"},
                                  env, 60);
    });
    nk::ui::Layout L = nk::ui::compute_layout(1280, 720, nk::ui::Mode::Cards, false, 0.03f, true);
    // Below the short card's two lines, where the long card's summary is.
    const nk::ui::Rect low{L.text.x, L.text.y + 250 * L.unit, L.text.w, 150 * L.unit};
    const nk::ui::Rect body{L.safe.x, L.body.y, L.safe.w, L.body.h};
    // Exact to a step of rounding: a picture still fading in is not standing.
    auto fraction = [](nk::test::Image& img, const nk::ui::Rect& rect, const unsigned char* rgb) {
        long hit = 0, total = 0;
        for (int y = static_cast<int>(rect.y) + 2; y < static_cast<int>(rect.bottom()) - 2; ++y)
            for (int xx = static_cast<int>(rect.x) + 2; xx < static_cast<int>(rect.right()) - 2; ++xx, ++total) {
                const unsigned char* p = img.at(xx, y);
                hit += std::abs(p[0] - rgb[0]) < 2 && std::abs(p[1] - rgb[1]) < 2 && std::abs(p[2] - rgb[2]) < 2;
            }
        return total ? static_cast<double>(hit) / static_cast<double>(total) : 0.0;
    };
    const ImU32 bg = nk::ui::Theme::named("dark").background;
    const unsigned char bg_rgb[3] = {static_cast<unsigned char>(bg & 0xFF), static_cast<unsigned char>((bg >> 8) & 0xFF),
                                     static_cast<unsigned char>((bg >> 16) & 0xFF)};
    int long_standing = 0, short_after_long = 0, between = 0;
    bool seen_long = false;
    std::vector<unsigned char> short_body;  // the body's pixels the first time the short card stood
    int short_differs = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(11);
    while (std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(60));
        nk::test::Image img = nk::test::grab_screen(x.display());
        if (!img.ok()) continue;
        if (fraction(img, L.image, kImageRgb) > 0.97) {
            ++long_standing;
            seen_long = true;
            CHECK(fraction(img, low, bg_rgb) < 0.98);  // the long card's summary is there
        } else if (seen_long && fraction(img, L.image, green) <= 0.97) {
            // Mid-fade: each row of the flat picture's box is one colour, between the background
            // and one of the pictures (a step blends all of it alike, nothing offset). Rows, not
            // the whole box: a step reaches the screen a band of rows at a time, and a grab may
            // fall between two bands.
            const nk::ui::Rect box{L.image.x + 4, L.image.y + 4, L.image.w - 8, L.image.h - 8};
            auto on_way = [&](const unsigned char* seen, const unsigned char* to) {
                for (int k = 0; k <= 256; ++k) {
                    bool near = true;
                    for (int c = 0; c < 3; ++c) near = near && std::abs((bg_rgb[c] * (256 - k) + to[c] * k) / 256 - seen[c]) <= 3;
                    if (near) return true;
                }
                return false;
            };
            int uneven = 0, off_way = 0;
            for (int y = static_cast<int>(box.y); y < static_cast<int>(box.bottom()); y += 7) {
                const unsigned char* first = img.at(static_cast<int>(box.x), y);
                for (int xx = static_cast<int>(box.x); xx < static_cast<int>(box.right()); ++xx)
                    if (std::memcmp(img.at(xx, y), first, 3) != 0) {
                        ++uneven;
                        break;
                    }
                off_way += !on_way(first, kImageRgb) && !on_way(first, green);
            }
            CHECK(uneven == 0);
            CHECK(off_way == 0);
            ++between;
        } else if (fraction(img, L.image, green) > 0.97 && seen_long) {
            ++short_after_long;
            CHECK(fraction(img, low, bg_rgb) == 1.0);  // and nothing of it is left
            std::vector<unsigned char> now_body;
            for (int y = static_cast<int>(body.y); y < static_cast<int>(body.bottom()); ++y)
                now_body.insert(now_body.end(), img.at(static_cast<int>(body.x), y), img.at(static_cast<int>(body.right()), y));
            if (short_body.empty()) short_body = now_body;
            else short_differs += now_body != short_body;
        }
    }
    kiosk.join();
    INFO("stderr:\n" << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("GL error") == std::string::npos);
    CHECK(r.err.find("GLX_MESA_copy_sub_buffer") != std::string::npos);
    // Blended on the CPU under X (platform/x11_shm.h), else drawn by GL over the kept frame.
    const bool by_gl = std::find(extra_env.begin(), extra_env.end(), "NK_BLIT=gl") != extra_env.end();
    CHECK(r.err.find(by_gl ? " 0 cards-only" : " 0 fade steps on the CPU") == std::string::npos);
    CHECK(r.err.find(by_gl ? " cards-only" : " fade steps on the CPU") != std::string::npos);
    CHECK(r.err.find(std::string("backend ") + backend) != std::string::npos);
    CHECK(long_standing > 0);
    CHECK(short_after_long > 0);
    CHECK(between > 0);
    CHECK(short_differs == 0);
}
}  // namespace

TEST_CASE("after a fade drawn over the kept frame, nothing of the old card is left on screen", "[display]") {
    fade_case({}, "opengl3");
}

TEST_CASE("after a fade drawn by GL over the kept frame, nothing of the old card is left on screen", "[display]") {
    fade_case({"NK_BLIT=gl"}, "opengl3");
}

// The OpenGL 2 backend (a Pi 3's GL 2.1) draws the fade's translucent fills through the same
// fixed-function quad, with its own matrices and texture state around it.
TEST_CASE("after a fade drawn over the kept frame on the OpenGL 2 path, nothing of the old card is left", "[display]") {
    fade_case({"MESA_GL_VERSION_OVERRIDE=2.1"}, "opengl2");
}

namespace {

// A right-to-left headline: the card is mirrored (picture and code on the other side, text
// right-aligned), every character has a face, and the crawl runs as usual.
void rtl_case(int w, int h, const std::string& headline) {
    Stage st(w, h, headline);
    INFO(st.x.error());
    REQUIRE(st.x.ok());
    const std::string out = (st.dir.path / "shot.png").string();
    auto r = nk::test::run_process({NK_KIOSK_BIN, "--cache-dir", st.cache(), "--config", st.config(), "--screenshot", out,
                                    "--size", std::to_string(w) + "x" + std::to_string(h)},
                                   st.env(), 120);
    INFO("stderr:\n" << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("font:") == std::string::npos);
    CHECK(r.err.find("GL error") == std::string::npos);
    nk::test::Image img = nk::test::load_png(out);
    REQUIRE(img.ok());
    nk::ui::Layout L = nk::ui::compute_layout(static_cast<float>(w), static_cast<float>(h), nk::ui::Mode::Cards, true, 0.03f, true);
    auto mirror = [&](nk::ui::Rect rect) {
        rect.x = L.body.x + L.body.right() - rect.right();
        return rect;
    };
    CHECK(count_in(img, mirror(L.image)).fraction_image > 0.9);
    if (std::abs(mirror(L.image).x - L.image.x) > 1)  // in portrait the picture spans the body either way
        CHECK(count_in(img, L.image).fraction_image < 0.01);
    // The code's white square is on the other side too.
    CHECK(count_in(img, mirror(L.qr)).fraction_bright > 0.3);
    CHECK(count_in(img, L.qr).fraction_bright < 0.1);
    nk::ui::Rect head = mirror({L.text.x, L.text.y + 40 * L.unit, L.text.w, 200 * L.unit});
    CHECK(count_in(img, head).fraction_bright > 0.04);
    // Right-aligned: the right end of the text column has ink, its far left less.
    nk::ui::Rect head_right{head.right() - 200, head.y, 200, head.h}, head_left{head.x, head.y, 60, head.h};
    CHECK(count_in(img, head_right).fraction_bright > count_in(img, head_left).fraction_bright);
    CHECK(count_in(img, L.ticker).fraction_bright > 0.02);
    auto qr = nk::test::zbar_decode(out);
    REQUIRE(qr.has_value());
    CHECK(*qr == kLink);
}

}  // namespace

TEST_CASE("screenshot of a right-to-left card with mixed text and emoji, mirrored", "[display]") {
    rtl_case(1920, 1080, "أعلنت Apple عن iPhone 16 في مؤتمر صحفي اليوم 📱");
}

TEST_CASE("screenshot of a right-to-left card in portrait, 1080x1920, mirrored", "[display]") {
    rtl_case(1080, 1920, "עיריית תל אביב פותחת שלושה גנים ציבוריים חדשים 🌳");
}

// While the [power] schedule says the screen is off, the loop keeps running (watchdog, health) but
// draws nothing at all.
TEST_CASE("screen off by the power schedule: no frames, the loop goes on", "[display][power]") {
    nk::test::Xvfb x(640, 480);
    INFO(x.error());
    REQUIRE(x.ok());
    TempDir dir;
    std::ofstream(dir.path / "kiosk.toml")
        << "[power]\ndays_off = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]\n";
    auto r = nk::test::run_process({NK_KIOSK_BIN, "--windowed", "640x480", "--duration", "3", "--config",
                                    (dir.path / "kiosk.toml").string(), "--cache-dir", (dir.path / "cache").string()},
                                   {"DISPLAY=" + x.display(), "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"}, 60);
    INFO("stderr:\n" << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("screen off by the [power] schedule") != std::string::npos);
    CHECK(r.err.find("display: 0 frames") != std::string::npos);
}

namespace {

struct OwnerShot {
    nk::test::Image img;
    std::string path, err;
};

// The binary on a config of the owner's (no network), one screenshot; state and socket in the temp dir.
OwnerShot owner_screenshot(const TempDir& dir, const std::string& config, int w, int h) {
    nk::test::Xvfb x(w, h);
    INFO(x.error());
    REQUIRE(x.ok());
    std::ofstream(dir.path / "empty.xml") << "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Empty</title></channel></rss>";
    std::ofstream(dir.path / "kiosk.toml") << config << "\n[[feed]]\nurl = \"file://" << (dir.path / "empty.xml").string() << "\"\n";
    OwnerShot s;
    s.path = (dir.path / "shot.png").string();
    auto r = nk::test::run_process({NK_KIOSK_BIN, "--cache-dir", (dir.path / "cache").string(), "--config",
                                    (dir.path / "kiosk.toml").string(), "--socket", (dir.path / "control.sock").string(),
                                    "--screenshot", s.path, "--size", std::to_string(w) + "x" + std::to_string(h)},
                                   {"DISPLAY=" + x.display(), "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1",
                                    "XDG_STATE_HOME=" + (dir.path / "state").string(), "XDG_RUNTIME_DIR=" + dir.path.string()},
                                   120);
    INFO("stderr:\n" << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("font:") == std::string::npos);
    CHECK(r.err.find("GL error") == std::string::npos);
    s.err = r.err;
    s.img = nk::test::load_png(s.path);
    REQUIRE(s.img.ok());
    return s;
}

double fraction_near(nk::test::Image& img, const nk::ui::Rect& r, int cr, int cg, int cb, int tolerance = 16) {
    long hit = 0, total = 0;
    for (int y = static_cast<int>(r.y); y < static_cast<int>(r.bottom()); ++y)
        for (int x = static_cast<int>(r.x); x < static_cast<int>(r.right()); ++x) {
            if (x < 0 || y < 0 || x >= img.w || y >= img.h) continue;
            const unsigned char* p = img.at(x, y);
            ++total;
            hit += std::abs(p[0] - cr) < tolerance && std::abs(p[1] - cg) < tolerance && std::abs(p[2] - cb) < tolerance;
        }
    return total ? static_cast<double>(hit) / static_cast<double>(total) : 0;
}

}  // namespace

// An emergency from the config has the whole screen: deep red under large white text, no card,
// no crawl, in both screen shapes.
TEST_CASE("screenshot of an emergency alert: the screen is the alert's colour, its text white", "[display][owner]") {
    for (auto [w, h] : {std::pair{1280, 720}, std::pair{720, 1280}}) {
        INFO(w << "x" << h);
        TempDir dir;
        OwnerShot s = owner_screenshot(dir,
                                       "[display]\nticker = true\n[[alert]]\nid = \"evac\"\nlevel = \"emergency\"\n"
                                       "text = \"**Evacuate the building now.** Use the stairs, not the lifts.\"\n",
                                       w, h);
        const nk::ui::Rect all{0, 0, static_cast<float>(w), static_cast<float>(h)};
        const ImU32 red = nk::ui::kEmergencyBackground;
        const int r = (red >> IM_COL32_R_SHIFT) & 0xFF, g = (red >> IM_COL32_G_SHIFT) & 0xFF, b = (red >> IM_COL32_B_SHIFT) & 0xFF;
        CHECK(fraction_near(s.img, all, r, g, b) > 0.6);
        const double white = fraction_near(s.img, all, 255, 255, 255, 24);
        CHECK(white > 0.03);  // the sign and the text: large
        CHECK(white < 0.4);
        // Where the crawl would be, red too: the ticker is not drawn over the emergency.
        nk::ui::Layout L = nk::ui::compute_layout(static_cast<float>(w), static_cast<float>(h), nk::ui::Mode::Cards, true, 0.03f, true);
        CHECK(fraction_near(s.img, L.ticker, r, g, b) > 0.9);
    }
}

// An announcement: its own look (the accent bar in its colour at the start edge of the panel), its
// link as a code that phones read.
TEST_CASE("screenshot of an announcement card: its colour, its Markdown, its code", "[display][owner]") {
    TempDir dir;
    OwnerShot s = owner_screenshot(dir,
                                   "[[announcement]]\ntitle = \"Welcome, ACME delegation\"\n"
                                   "body = \"Coffee in the **atrium**.\\n\\n- Wi-Fi: *Guest*\\n- Host: Maria\"\n"
                                   "link = \"https://example.com/visit\"\ncolor = \"#00aa66\"\n",
                                   1920, 1080);
    nk::ui::Layout L = nk::ui::compute_layout(1920, 1080, nk::ui::Mode::Cards, false, 0.03f, true);
    const nk::ui::Rect bar{L.body.x + 2, L.body.y + 30, 8, L.body.h - 60};
    CHECK(fraction_near(s.img, bar, 0x00, 0xaa, 0x66) > 0.9);
    auto qr = nk::test::zbar_decode(s.path);
    REQUIRE(qr.has_value());
    CHECK(*qr == "https://example.com/visit");
}
