// SPDX-License-Identifier: Apache-2.0
// The screen owner's voice, with the built binary: announcements from the config at their share
// and only inside their windows, a drop folder picked up within seconds (a broken file named),
// and alerts sent with the verbs through the control socket (interrupting, surviving a restart,
// cleared). The kiosk runs with TZ=UTC so that the test can place windows around "now".
#include "helpers.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nk::test::eventually;
using nk::test::Kiosk;
using nk::test::TempDir;

namespace {

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary | std::ios::trunc) << text; }

std::string hhmm(int minute_of_day) {
    minute_of_day = ((minute_of_day % 1440) + 1440) % 1440;
    char b[8];
    std::snprintf(b, sizeof b, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
    return b;
}

int utc_minute_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return tm.tm_hour * 60 + tm.tm_min;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
    return n;
}

// A feed of its own on disk, so that no network is involved.
std::string local_feed(const fs::path& dir) {
    std::string s = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Desk</title>";
    for (int i = 0; i < 6; ++i)
        s += "<item><title>Desk story " + std::to_string(i) + "</title><link>https://example.com/" + std::to_string(i) + "</link></item>";
    write(dir / "feed.xml", s + "</channel></rss>");
    return "file://" + (dir / "feed.xml").string();
}

std::vector<std::string> env_for(const fs::path& dir) {
    return {"TZ=UTC", "XDG_RUNTIME_DIR=" + (dir / "run").string(), "XDG_STATE_HOME=" + (dir / "state").string()};
}

}  // namespace

TEST_CASE("announcements come at their share of the cards, and only inside their windows", "[owner]") {
    TempDir dir;
    const int now = utc_minute_now();
    // "Now" is well inside the first window and far outside the second, whatever the time of day.
    const std::string open = hhmm(now - 120) + "-" + hhmm(now + 120), shut = hhmm(now + 300) + "-" + hhmm(now + 360);
    write(dir.path / "kiosk.toml", "[rotation]\nmin_dwell_seconds = 1\nmax_dwell_seconds = 1\n"
                                   "[announcements]\nshare = 3\n"
                                   "[[announcement]]\ntitle = \"Welcome, ACME delegation\"\nbody = \"Coffee in the **atrium**\"\ntime = \"" +
                                       open + "\"\n"
                                              "[[announcement]]\ntitle = \"Talk in Hall B\"\ntime = \"" +
                                       shut + "\"\n[[feed]]\nurl = \"" + local_feed(dir.path) + "\"\n");
    Kiosk k({"--headless", "--config", (dir.path / "kiosk.toml").string(), "--cache-dir", (dir.path / "cache").string()}, dir.path,
            env_for(dir.path));
    auto card_lines = [&] {
        std::vector<std::string> out;
        for (const std::string& l : lines_of(k.out()))
            if (l.find("Desk story") != std::string::npos || l.find("[announcement]") != std::string::npos) out.push_back(l);
        return out;
    };
    REQUIRE(eventually([&] { return card_lines().size() >= 14; }));
    CHECK(k.stop() == 0);
    const std::vector<std::string> cards = card_lines();
    REQUIRE(cards.size() >= 12);
    // Once the stories are in, every third card is the announcement: two stories, then it.
    std::size_t first_story = 0;
    while (first_story < cards.size() && cards[first_story].find("Desk story") == std::string::npos) ++first_story;
    int owner = 0, stories = 0, run = 0;
    for (std::size_t i = first_story; i < cards.size(); ++i) {
        INFO(cards[i]);
        const bool is_owner = cards[i].find("[announcement]") != std::string::npos;
        CHECK(cards[i].find("Talk in Hall B") == std::string::npos);  // outside its window: never
        if (is_owner) {
            CHECK(cards[i].find("Welcome, ACME delegation  ·  Coffee in the atrium") != std::string::npos);
            CHECK(run == 2);  // never two owner cards in a row, never more than share - 1 stories between
            run = 0;
            ++owner;
        } else {
            ++run;
            ++stories;
        }
    }
    CHECK(owner >= 3);
    CHECK(stories >= 2 * owner);
}

TEST_CASE("a file dropped into the folder shows within seconds, and a broken one is named", "[owner]") {
    TempDir dir;
    fs::create_directories(dir.path / "drop");
    write(dir.path / "kiosk.toml", "[rotation]\nmin_dwell_seconds = 1\nmax_dwell_seconds = 1\n"
                                   "[announcements]\ndir = \"drop\"\nshare = 2\n[[feed]]\nurl = \"" +
                                       local_feed(dir.path) + "\"\n");
    Kiosk k({"--headless", "--config", (dir.path / "kiosk.toml").string(), "--cache-dir", (dir.path / "cache").string()}, dir.path,
            env_for(dir.path));
    REQUIRE(k.wait_out("Desk story"));
    write(dir.path / "drop" / "wifi.md", "# Wi-Fi for guests\nNetwork: *Guest*\n");
    write(dir.path / "drop" / "menu.md", "+++\ntitle = \"Menu\"\ndays = [\"mon\", \"funday\"]\n+++\nSoup\n");
    write(dir.path / "drop" / ".wifi.md.swp", "editor junk");
    REQUIRE(k.wait_out("[announcement]  Wi-Fi for guests  ·  Network: Guest", std::chrono::seconds(15)));
    REQUIRE(k.wait_err("menu.md:3:"));
    CHECK(k.err().find("\"funday\" is not a day") != std::string::npos);
    CHECK(k.err().find("menu.md skipped; the other files stay") != std::string::npos);
    CHECK(k.out().find("Menu") == std::string::npos);
    // Removed again: gone from the rotation.
    fs::remove(dir.path / "drop" / "wifi.md");
    REQUIRE(k.wait_err("0 announcements"));
    CHECK(k.stop() == 0);
}

TEST_CASE("an alert sent with the verb interrupts, survives a restart, and clears", "[owner]") {
    TempDir dir;
    write(dir.path / "kiosk.toml", "[rotation]\nmin_dwell_seconds = 1\nmax_dwell_seconds = 1\n[[feed]]\nurl = \"" +
                                       local_feed(dir.path) + "\"\n");
    const fs::path socket = dir.path / "control.sock";
    const std::vector<std::string> args = {"--headless", "--config", (dir.path / "kiosk.toml").string(), "--cache-dir",
                                           (dir.path / "cache").string(), "--socket", socket.string()};
    const std::string to = " --socket '" + socket.string() + "'";
    {
        Kiosk k(args, dir.path, env_for(dir.path));
        REQUIRE(k.wait_out("Desk story"));
        REQUIRE(k.wait_err("control: listening on " + socket.string()));
        const auto start = std::chrono::steady_clock::now();
        auto sent = nk::test::run_kiosk("alert 'Evacuate via the east stairs' --level emergency --for 10m --id evac" + to);
        INFO(sent.err);
        REQUIRE(sent.exit_code == 0);
        CHECK(sent.out == "alert evac\n");
        // The reply comes from the kiosk's own loop, after it applied the alert.
        REQUIRE(k.wait_out("[alert emergency]  Evacuate via the east stairs"));
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        WARN("alert sent to on screen (headless output): " << took << " s");
        // An emergency holds the rotation: no card changes while it is up.
        const std::size_t cards = count(k.out(), "Desk story");
        std::this_thread::sleep_for(std::chrono::milliseconds(2500));
        CHECK(count(k.out(), "Desk story") == cards);

        auto bad = nk::test::run_kiosk("alert 'x' --level panic" + to);
        CHECK(bad.exit_code == 2);
        CHECK(k.stop() == 0);
    }
    {
        Kiosk k(args, dir.path, env_for(dir.path));
        // Kept over the restart (state directory), up again before any card.
        REQUIRE(k.wait_out("[alert emergency]  Evacuate via the east stairs"));
        auto cleared = nk::test::run_kiosk("alert --clear evac" + to);
        INFO(cleared.err);
        CHECK(cleared.exit_code == 0);
        CHECK(cleared.out == "cleared 1\n");
        REQUIRE(k.wait_out("[alert] cleared"));
        REQUIRE(eventually([&] { return count(k.out(), "Desk story") >= 2; }));  // the rotation goes on
        CHECK(k.stop() == 0);
    }
    auto none = nk::test::run_kiosk("next" + to);
    CHECK(none.exit_code == 1);
    CHECK(none.err.find("no newsroom-kiosk is listening on") != std::string::npos);
}
