// SPDX-License-Identifier: Apache-2.0
// QR codes must come back out of a real decoder (zbarimg) byte for byte, and draw_qr must stay sharp and cheap.
// Also proves the display harness (Xvfb, run_process, load_png, zbar_decode) that the screenshot tests build on.
#include "ui/qr.h"

#include "display_harness.h"

#include <catch2/catch.hpp>
#include <imgui.h>
#include <stb_image_write.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>

namespace {

namespace fs = std::filesystem;

std::string long_link() {
    std::string u = "https://news.example.org/world/2026/11/26/";
    for (int i = 0; u.size() < 300; ++i) u += "harbour-bridge-part-" + std::to_string(i) + "/";
    u.resize(290);
    return u + "?id=42&x=1";
}

const std::string kLinks[] = {
    "https://example.com/news/2026/11/26/story?id=42&utm=x",
    long_link(),
    "https://example.com/kultur/caf\xC3\xA9-am-hafen?id=7",
};

// Removes the file when the test ends, passed or not.
struct TempPng {
    std::string path;
    // Unique per process: ctest runs test cases in parallel.
    explicit TempPng(const std::string& name)
        : path((fs::temp_directory_path() / ("nk_qr_" + std::to_string(::getpid()) + "_" + name + ".png")).string()) {}
    TempPng(const TempPng&) = delete;
    TempPng& operator=(const TempPng&) = delete;
    ~TempPng() {
        std::error_code ec;
        fs::remove(path, ec);
    }
};

// 4 px per module: about what a phone photo of a wall screen resolves.
void write_qr_png(const nk::ui::QrMatrix& qr, const std::string& path) {
    int side = 0;
    const auto grey = nk::ui::qr_to_grey(qr, 4, side);
    REQUIRE(stbi_write_png(path.c_str(), side, side, 1, grey.data(), side) != 0);
}

// An ImGui context with no backend, in a frame: enough for draw lists.
struct ImGuiFrame {
    ImGuiContext* ctx = ImGui::CreateContext();
    ImGuiFrame() {
        ImGui::GetIO().IniFilename = nullptr;  // tests leave no imgui.ini behind
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // NewFrame asserts on an unbuilt atlas
        ImGui::GetIO().DisplaySize = ImVec2(1280, 720);
        ImGui::NewFrame();
    }
    ImGuiFrame(const ImGuiFrame&) = delete;
    ImGuiFrame& operator=(const ImGuiFrame&) = delete;
    ~ImGuiFrame() {
        ImGui::Render();
        ImGui::DestroyContext(ctx);
    }
};

}  // namespace

TEST_CASE("make_qr: real links decode back byte for byte with zbarimg", "[qr]") {
    std::vector<std::string> texts(std::begin(kLinks), std::end(kLinks));
    texts.push_back("Новости дня: 東京, café");  // decoders guess the charset of non-ASCII bytes unless told (ECI)
    for (const auto& link : texts) {
        INFO(link);
        const auto qr = nk::ui::make_qr(link);
        REQUIRE(qr);
        REQUIRE(qr->size >= 21);
        TempPng png("decode");
        write_qr_png(*qr, png.path);
        CHECK(nk::test::zbar_decode(png.path) == link);
    }
}

TEST_CASE("make_qr: nothing for empty or over-long text", "[qr]") {
    CHECK_FALSE(nk::ui::make_qr(""));
    CHECK(nk::ui::make_qr(std::string(2331, 'a')));
    CHECK_FALSE(nk::ui::make_qr(std::string(2332, 'a')));
}

TEST_CASE("qr_to_grey: quiet zone and module size", "[qr]") {
    const auto qr = nk::ui::make_qr(kLinks[0]);
    REQUIRE(qr);
    int side = 0;
    const auto img = nk::ui::qr_to_grey(*qr, 3, side);
    REQUIRE(side == (qr->size + 8) * 3);
    REQUIRE(img.size() == static_cast<std::size_t>(side) * side);
    const auto px = [&](int x, int y) { return img[static_cast<std::size_t>(y) * side + x]; };
    CHECK(px(11, 11) == 255);  // inside the 4-module (12 px) quiet zone
    CHECK(px(12, 12) == 0);    // the top-left finder pattern starts dark
    CHECK(px(side - 1, side - 1) == 255);
    CHECK(nk::ui::qr_to_grey(*qr, 0, side).empty());
    CHECK(side == 0);
}

TEST_CASE("draw_qr: whole-pixel modules, one rect per dark run, centred in the box", "[qr]") {
    const auto qr = nk::ui::make_qr(kLinks[0]);
    REQUIRE(qr);
    int dark = 0, runs = 0;
    for (int y = 0; y < qr->size; ++y)
        for (int x = 0; x < qr->size; ++x) {
            dark += qr->at(x, y);
            runs += qr->at(x, y) && !qr->at(x - 1, y);
        }
    const int n = qr->size + 8;

    ImGuiFrame frame;
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    const int before = dl->VtxBuffer.Size;
    const ImVec2 pos(100.3f, 50.6f);
    const float box = 301.0f;
    const float side = nk::ui::draw_qr(dl, *qr, pos, box, IM_COL32_BLACK, IM_COL32_WHITE);
    const int vertices = dl->VtxBuffer.Size - before;

    CHECK(side <= box);
    CHECK(side > box - static_cast<float>(n));  // the largest whole module size that fits
    CHECK(std::fmod(side, static_cast<float>(n)) == 0.0f);
    CHECK(vertices == 4 * (runs + 1));  // the light square, then one rect per run
    CHECK(vertices < 3 * dark);         // 4 per module unmerged
    float min_x = 1e9f, min_y = 1e9f, max_x = -1e9f, max_y = -1e9f;
    for (int i = before; i < dl->VtxBuffer.Size; ++i) {
        const ImVec2 p = dl->VtxBuffer[i].pos;
        REQUIRE(p.x == std::floor(p.x));  // on the pixel grid: no blurred module edges
        REQUIRE(p.y == std::floor(p.y));
        min_x = std::min(min_x, p.x), min_y = std::min(min_y, p.y);
        max_x = std::max(max_x, p.x), max_y = std::max(max_y, p.y);
    }
    CHECK(max_x - min_x == side);
    CHECK(std::abs((min_x - pos.x) - (pos.x + box - max_x)) <= 1.0f);  // centred, give or take the snap
    CHECK(std::abs((min_y - pos.y) - (pos.y + box - max_y)) <= 1.0f);

    CHECK(nk::ui::draw_qr(dl, *qr, pos, static_cast<float>(n - 1), IM_COL32_BLACK, IM_COL32_WHITE) == 0.0f);
    CHECK(dl->VtxBuffer.Size - before == vertices);
}

TEST_CASE("qr_min_side_px: 2.5 mm per module per metre, whole pixels", "[qr]") {
    const auto qr = nk::ui::make_qr(kLinks[0]);
    REQUIRE(qr);
    const float n = static_cast<float>(qr->size + 8);
    const float px_per_mm = 1920.0f / 952.0f;  // a 43" 1080p screen
    const float at_2m = nk::ui::qr_min_side_px(*qr, 2.0f, px_per_mm);
    CHECK(std::fmod(at_2m, n) == 0.0f);
    CHECK(at_2m >= 2.5f * 2.0f * px_per_mm * n);
    // A typical link lands near the "side = distance / 10" rule of thumb.
    const float mm = at_2m / px_per_mm;
    CHECK(mm > 2000.0f / 12);
    CHECK(mm < 2000.0f / 8);
    CHECK(nk::ui::qr_min_side_px(*qr, 4.0f, px_per_mm) > at_2m);
    CHECK(nk::ui::qr_min_side_px(*nk::ui::make_qr(kLinks[1]), 2.0f, px_per_mm) > at_2m);  // denser code
}

TEST_CASE("Xvfb: its own display per instance, ready when constructed", "[harness]") {
    nk::test::Xvfb x(640, 480);
    INFO(x.error());
    REQUIRE(x.ok());
    REQUIRE(x.display().size() > 1);
    REQUIRE(x.display()[0] == ':');
    CHECK(fs::exists("/tmp/.X11-unix/X" + x.display().substr(1)));  // the socket clients connect to

    nk::test::Xvfb y(320, 240);
    REQUIRE(y.ok());
    CHECK(y.display() != x.display());

    const auto r = nk::test::run_process({"/usr/bin/env"}, {"DISPLAY=" + x.display()}, 10);
    CHECK(r.exit_code == 0);
    CHECK(("\n" + r.out).find("\nDISPLAY=" + x.display() + "\n") != std::string::npos);
}

TEST_CASE("Xvfb: a clean error when the server is missing", "[harness]") {
    const std::string path = std::getenv("PATH");
    ::setenv("PATH", "/nonexistent", 1);
    nk::test::Xvfb x(64, 64);
    ::setenv("PATH", path.c_str(), 1);
    CHECK_FALSE(x.ok());
    CHECK(x.error().find("Xvfb") != std::string::npos);
}

TEST_CASE("run_process: output, exit code, timeout, missing program", "[harness]") {
    // 1 MB to each pipe, stdout first: reading one pipe to its end before the other would deadlock.
    const auto big = nk::test::run_process(
        {"sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' a; head -c 1000000 /dev/zero | tr '\\0' b >&2; exit 3"}, {},
        30);
    CHECK(big.exit_code == 3);
    CHECK_FALSE(big.timed_out);
    CHECK(big.out == std::string(1000000, 'a'));
    CHECK(big.err == std::string(1000000, 'b'));

    const auto start = std::chrono::steady_clock::now();
    const auto slow = nk::test::run_process({"sleep", "30"}, {}, 1);
    CHECK(slow.timed_out);
    CHECK(slow.exit_code == -1);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));

    const auto missing = nk::test::run_process({"nk-no-such-program"}, {}, 5);
    CHECK(missing.exit_code == 127);
    CHECK(missing.err.find("nk-no-such-program") != std::string::npos);
}

TEST_CASE("load_png and zbar_decode read back a QR code PNG", "[harness]") {
    const auto qr = nk::ui::make_qr(kLinks[0]);
    REQUIRE(qr);
    TempPng png("harness");
    write_qr_png(*qr, png.path);

    nk::test::Image img = nk::test::load_png(png.path);
    REQUIRE(img.ok());
    CHECK(img.w == (qr->size + 8) * 4);
    CHECK(img.h == img.w);
    CHECK(img.at(0, 0)[0] == 255);
    CHECK(img.at(16, 16)[1] == 0);  // first module of the finder pattern
    CHECK(nk::test::zbar_decode(png.path) == kLinks[0]);

    TempPng blank("blank");
    const std::vector<unsigned char> white(64 * 64, 255);
    REQUIRE(stbi_write_png(blank.path.c_str(), 64, 64, 1, white.data(), 64) != 0);
    CHECK_FALSE(nk::test::zbar_decode(blank.path));
    CHECK_FALSE(nk::test::load_png(png.path + ".missing").ok());
}
