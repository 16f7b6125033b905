// SPDX-License-Identifier: Apache-2.0
// A fleet of real kiosks (--headless) on a real mosquitto on 127.0.0.1, driven by the operator's
// `newsroom-kiosk fleet` verbs: a group's retained config reaches exactly that group's screens, an
// alert to all reaches every screen, a screen killed with -9 shows offline through its last will,
// a broker restart loses nothing, the last good layers carry a reboot without the broker, and a
// malformed, oversized or misaddressed message is refused with a logged reason. Once more over TLS,
// with a test CA made by openssl, passwords and the example ACL of platform/mosquitto.
// No timing thresholds: every wait is a bounded poll for a state.
#include "display_harness.h"
#include "helpers.h"
#include "http_server.h"
#include "mqtt_broker.h"
#include "net/fleet_client.h"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nk::test::eventually;
using nk::test::Kiosk;
using nk::test::MqttBroker;
using nk::test::TempDir;

namespace {

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary | std::ios::trunc) << text; }

std::string rss(const std::string& title, const std::string& story) {
    std::string s = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>" + title + "</title>";
    for (int i = 0; i < 4; ++i)
        s += "<item><title>" + story + " " + std::to_string(i) + "</title><link>https://example.com/" + story + std::to_string(i) +
             "</link></item>";
    return s + "</channel></rss>";
}

// Screens the operator's table shows online (its STATE column, after the 20-wide SCREEN column).
std::size_t online(const std::string& table) {
    std::size_t n = 0;
    std::istringstream rows(table);
    for (std::string row; std::getline(rows, row);)
        if (row.size() > 29 && row.compare(22, 7, "online ") == 0) ++n;
    return n;
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
    return n;
}

// One screen: its own folder (config, a local feed, cache, state, socket, output).
struct Screen {
    std::string name;
    fs::path dir;
    std::unique_ptr<Kiosk> kiosk;

    std::vector<std::string> mode{"--headless"};  // or a window: {"--windowed", "640x480"}

    Screen(const fs::path& base, std::string id, const std::vector<std::string>& groups, const std::string& fleet_extra,
           const std::vector<std::string>& env_extra = {}, std::vector<std::string> how = {"--headless"})
        : name(std::move(id)), dir(base / name), mode(std::move(how)) {
        fs::create_directories(dir / "out");
        write(dir / "desk.xml", rss("Desk", "Desk story"));
        std::string g;
        for (const std::string& x : groups) g += (g.empty() ? "\"" : ", \"") + x + "\"";
        write(dir / "kiosk.toml", "[rotation]\nmin_dwell_seconds = 1\nmax_dwell_seconds = 1\n"
                                  "[[feed]]\nurl = \"file://" + (dir / "desk.xml").string() + "\"\n"
                                  "[fleet]\nscreen = \"" + name + "\"\ngroups = [" + g + "]\n" + fleet_extra);
        start(env_extra);
    }

    void start(const std::vector<std::string>& env_extra = {}, const std::string& out = "out") {
        fs::create_directories(dir / out);
        std::vector<std::string> env{"TZ=UTC", "XDG_RUNTIME_DIR=" + (dir / "run").string(), "XDG_STATE_HOME=" + (dir / "state").string()};
        env.insert(env.end(), env_extra.begin(), env_extra.end());
        std::vector<std::string> args = mode;
        for (const std::string& a : {std::string("--config"), (dir / "kiosk.toml").string(), std::string("--cache-dir"), (dir / "cache").string()})
            args.push_back(a);
        kiosk = std::make_unique<Kiosk>(args, dir / out, env);
    }
};

std::string q(const std::string& s) { return "'" + s + "'"; }

// A raw publisher/subscriber in the test process, for what the operator's verbs would never send.
struct Raw {
    std::mutex mu;
    std::condition_variable cv;
    bool up = false;
    std::vector<nk::net::FleetMessage> got;
    std::unique_ptr<nk::net::FleetClient> client;

    explicit Raw(const MqttBroker& b, std::vector<std::string> subs = {}) {
        nk::net::FleetClientOptions o;
        o.broker = *nk::parse_broker(b.url());
        o.client_id = "test-raw";
        o.subscriptions = std::move(subs);
        o.on_state = [this](bool u, const std::string&) {
            std::lock_guard lock(mu);
            up = u;
            cv.notify_all();
        };
        o.on_message = [this](nk::net::FleetMessage&& m) {
            std::lock_guard lock(mu);
            got.push_back(std::move(m));
            cv.notify_all();
        };
        auto c = nk::net::FleetClient::start(std::move(o));
        REQUIRE(c);
        client = std::move(c).value();
        REQUIRE(eventually([&] { return client->connected(); }));
    }
    void publish(const std::string& topic, const std::string& payload, bool retain) {
        REQUIRE(client->publish(topic, payload, retain));
        REQUIRE(client->flush(std::chrono::seconds(30)));
    }
    bool received(const std::string& topic_part) {
        std::lock_guard lock(mu);
        for (const auto& m : got)
            if (m.topic.find(topic_part) != std::string::npos) return true;
        return false;
    }
};

}  // namespace

TEST_CASE("fleet: a group's config reaches exactly its screens, an alert to all reaches all, kill -9 shows offline", "[fleet][broker]") {
    TempDir base("nk_fleet");
    MqttBroker broker(base.path / "broker");
    nk::test::HttpServer http;
    http.route("/lobby.xml", nk::test::Response::ok(rss("Lobby desk", "Lobby story")));
    const std::string fleet = "broker = \"" + broker.url() + "\"\n";
    Screen a(base.path, "a", {"lobby"}, fleet), b(base.path, "b", {"kitchen", "lobby"}, fleet), c(base.path, "c", {"kitchen"}, fleet);
    for (Screen* s : {&a, &b, &c}) {
        INFO(s->name << ": " << s->kiosk->err());
        REQUIRE(s->kiosk->wait_err("fleet: connected to " + broker.url()));
        REQUIRE(s->kiosk->wait_out("Desk story"));
    }

    const fs::path layer = base.path / "lobby.toml";
    write(layer, "[[feed]]\nurl = \"" + http.url("/lobby.xml") + "\"\nname = \"Lobby desk\"\n");
    const std::string op = "--broker " + broker.url() + " ";
    nk::test::RunResult push = nk::test::run_kiosk("fleet push-config " + op + "--to group:lobby " + q(layer.string()));
    INFO(push.err);
    REQUIRE(push.exit_code == 0);
    CHECK(push.out.find("config layer published for group:lobby") != std::string::npos);
    for (Screen* s : {&a, &b}) {
        INFO(s->name << ": " << s->kiosk->err());
        CHECK(s->kiosk->wait_err("fleet: config layer group/lobby applied"));
        CHECK(s->kiosk->wait_out("Lobby story"));
    }
    // c is not in the group: its feeds are its own file's. (a and b have shown the group's feed,
    // so the broker has long delivered whatever it would deliver.)
    CHECK(c.kiosk->out().find("Lobby story") == std::string::npos);
    CHECK(c.kiosk->err().find("group/lobby") == std::string::npos);

    nk::test::RunResult alert = nk::test::run_kiosk("fleet alert " + op + "--to all 'Fire drill at noon' --level warning --for 30m");
    INFO(alert.err);
    REQUIRE(alert.exit_code == 0);
    for (Screen* s : {&a, &b, &c}) {
        INFO(s->name << ": " << s->kiosk->err());
        CHECK(s->kiosk->wait_out("[alert warning]  Fire drill at noon"));
    }

    // The operator's table: every screen online, then c dark once it dies without a word.
    auto status = [&] { return nk::test::run_kiosk("fleet status " + op + "--wait 1"); };
    REQUIRE(eventually([&] { return online(status().out) == 3; }));
    c.kiosk->kill9();
    std::string table;
    CHECK(eventually([&] {
        table = status().out;
        return table.find("c                     OFFLINE") != std::string::npos;
    }));
    INFO(table);
    CHECK(online(table) == 2);

    nk::test::RunResult clear = nk::test::run_kiosk("fleet clear " + op + "--to all");
    INFO(clear.err);
    CHECK(clear.exit_code == 0);
    CHECK(clear.out.find("cleared 1 alert") != std::string::npos);
    CHECK(a.kiosk->wait_out("[alert] cleared"));

    // A command goes to the verbs the control socket runs; nothing else is accepted.
    CHECK(nk::test::run_kiosk("fleet command " + op + "--to screen:a pause").exit_code == 0);
    CHECK(a.kiosk->wait_err("fleet: command pause"));
    CHECK(nk::test::run_kiosk("fleet command " + op + "--to screen:a reboot").exit_code == 2);
    // Headless has no screen to capture: the request gets an error reply, not silence.
    nk::test::RunResult shot = nk::test::run_kiosk("fleet screenshot " + op + "--to screen:a " + q((base.path / "a.png").string()));
    CHECK(shot.exit_code == 1);
    CHECK(shot.err.find("no screen to capture") != std::string::npos);
    CHECK(nk::test::run_kiosk("fleet command " + op + "--to screen:a resume").exit_code == 0);

    // An announcement for the group comes round at its share of the cards.
    nk::test::RunResult ann = nk::test::run_kiosk("fleet announce " + op + "--to group:lobby --title 'Welcome, ACME delegation' "
                                                  "--body 'Coffee in the atrium' --for 1h");
    INFO(ann.err);
    REQUIRE(ann.exit_code == 0);
    CHECK(b.kiosk->wait_out("[announcement]  Welcome, ACME delegation  ·  Coffee in the atrium"));

    // Clearing the group's layer gives the screens their own file's feeds back.
    REQUIRE(nk::test::run_kiosk("fleet push-config " + op + "--to group:lobby --clear").exit_code == 0);
    CHECK(b.kiosk->wait_err("fleet: config layer group/lobby removed"));
    const std::size_t desk = count(b.kiosk->out(), "Desk story");
    CHECK(eventually([&] { return count(b.kiosk->out(), "Desk story") > desk; }));
    for (Screen* s : {&a, &b}) CHECK(s->kiosk->stop() == 0);
}

TEST_CASE("fleet: malformed, oversized and misaddressed messages are refused with a logged reason", "[fleet][broker]") {
    TempDir base("nk_fleet");
    MqttBroker broker(base.path / "broker");
    Raw raw(broker, {"newsroom-kiosk/error/a"});
    const std::string P = "newsroom-kiosk/";
    // Waiting for the screen when it connects: a retained command would run at every reconnect.
    raw.publish(P + "command/group/lobby", "{\"verb\":\"next\"}", true);
    // A too-wide subscription stands for a broker whose ACL lets other screens' topics through.
    Screen a(base.path, "a", {"lobby"}, "broker = \"" + broker.url() + "\"\n", {"NK_DEBUG_FLEET_WIDE=1"});
    REQUIRE(a.kiosk->wait_err("fleet: connected to"));
    REQUIRE(a.kiosk->wait_out("Desk story"));
    auto logged = [&](const std::string& text) {
        const bool ok = a.kiosk->wait_err(text);
        if (!ok) WARN(a.kiosk->err());
        return ok;
    };

    raw.publish(P + "config/screen/a", "[[feed]\nurl = ", true);
    CHECK(logged("fleet: refused newsroom-kiosk/config/screen/a: fleet screen/a:"));
    raw.publish(P + "config/all", "# " + std::string(300 << 10, 'x') + "\n", true);
    CHECK(logged("a config message of 307203 bytes (at most 262144)"));
    raw.publish(P + "config/screen/b", "[display]\nticker = true\n", true);
    CHECK(logged("addressed to screen b, not to this screen (a)"));
    raw.publish(P + "alert/group/kitchen/x", "{\"text\":\"not for a\"}", true);
    CHECK(logged("addressed to group kitchen, which this screen is not in"));
    raw.publish(P + "config/group/lobby", "[fleet]\nbroker = \"mqtts://elsewhere.example\"\n", true);
    CHECK(logged("[fleet] belongs to the screen's own file"));
    raw.publish(P + "alert/all/big", "{\"text\":\"" + std::string(20000, 'a') + "\"}", true);
    CHECK(logged("an alert message of 20011 bytes (at most 16384)"));
    raw.publish(P + "command/all", "{\"verb\":\"exec\",\"args\":\"rm -rf /\"}", false);
    CHECK(logged("unknown key \"args\""));
    CHECK(logged("refused newsroom-kiosk/command/group/lobby: a retained command is never run"));

    // Every refusal is also published back to the operator, and the running config stayed.
    CHECK(eventually([&] { return raw.received("newsroom-kiosk/error/a"); }));
    CHECK(a.kiosk->err().find("config layer") == std::string::npos);
    const std::size_t before = count(a.kiosk->out(), "Desk story");
    CHECK(eventually([&] { return count(a.kiosk->out(), "Desk story") > before + 2; }));
    CHECK(a.kiosk->stop() == 0);
}

TEST_CASE("fleet: a broker restart loses nothing, and a reboot without the broker shows the fleet's content", "[fleet][broker]") {
    TempDir base("nk_fleet");
    MqttBroker broker(base.path / "broker");
    nk::test::HttpServer http;
    http.route("/lobby.xml", nk::test::Response::ok(rss("Lobby desk", "Lobby story")));
    Screen a(base.path, "a", {"lobby"}, "broker = \"" + broker.url() + "\"\n");
    REQUIRE(a.kiosk->wait_err("fleet: connected to"));
    const fs::path layer = base.path / "lobby.toml";
    write(layer, "[[feed]]\nurl = \"" + http.url("/lobby.xml") + "\"\n");
    const std::string op = "--broker " + broker.url() + " ";
    REQUIRE(nk::test::run_kiosk("fleet push-config " + op + "--to group:lobby " + q(layer.string())).exit_code == 0);
    REQUIRE(nk::test::run_kiosk("fleet alert " + op + "--to screen:a 'Before the restart' --for 2h").exit_code == 0);
    REQUIRE(a.kiosk->wait_out("Lobby story"));
    REQUIRE(a.kiosk->wait_out("[alert info]  Before the restart"));

    broker.stop();
    REQUIRE(a.kiosk->wait_err("fleet: not connected to"));
    // The screen carries on meanwhile.
    const std::size_t shown = count(a.kiosk->out(), "Lobby story");
    CHECK(eventually([&] { return count(a.kiosk->out(), "Lobby story") > shown + 2; }));
    broker.start();
    INFO(a.kiosk->err());
    REQUIRE(eventually([&] { return count(a.kiosk->err(), "fleet: connected to") >= 2; }, std::chrono::seconds(120)));
    REQUIRE(nk::test::run_kiosk("fleet alert " + op + "--to all 'After the restart'").exit_code == 0);
    CHECK(a.kiosk->wait_out("After the restart"));
    // The retained layer and alert came back from the broker's store: neither was dropped.
    CHECK(a.kiosk->err().find("config layer group/lobby removed") == std::string::npos);
    CHECK(a.kiosk->err().find("cleared") == std::string::npos);
    CHECK(count(a.kiosk->err(), "config layer group/lobby applied") == 1);
    CHECK(a.kiosk->stop() == 0);

    // A reboot with the broker away: the last good layers from the state directory.
    broker.stop();
    a.start({}, "out2");
    INFO(a.kiosk->err());
    CHECK(a.kiosk->wait_out("Lobby story"));
    CHECK(a.kiosk->out().find("Desk story") == std::string::npos);
    CHECK(a.kiosk->wait_err("fleet: not connected to"));
    CHECK(a.kiosk->stop() == 0);
}

TEST_CASE("fleet over TLS: a test CA, passwords and the example ACL", "[fleet][broker][tls]") {
    TempDir base("nk_fleet");
    // The ACL as shipped, with the group lines an administrator adds for screen a only.
    std::string acl = nk::test::read_file(std::string(NK_SOURCE_DIR) + "/platform/mosquitto/newsroom-kiosk.acl");
    acl += "\nuser a\ntopic read newsroom-kiosk/config/group/lobby\ntopic read newsroom-kiosk/alert/group/lobby/+\n"
           "topic read newsroom-kiosk/announce/group/lobby/+\ntopic read newsroom-kiosk/command/group/lobby\n";
    MqttBroker broker(base.path / "broker", {true, {{"a", "secret-a"}, {"b", "secret-b"}, {"operator", "secret-op"}}, acl});
    nk::test::HttpServer http;
    http.route("/lobby.xml", nk::test::Response::ok(rss("Lobby desk", "Lobby story")));
    auto password_file = [&](const std::string& who, const std::string& pw) {
        const fs::path p = base.path / (who + ".pw");
        write(p, pw + "\n");
        fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
        return p.string();
    };
    auto fleet_for = [&](const std::string& who, const std::string& pw) {
        return "broker = \"" + broker.url() + "\"\nca_file = \"" + broker.ca_file().string() + "\"\nusername = \"" + who +
               "\"\npassword_file = \"" + password_file(who, pw) + "\"\n";
    };
    // b claims the lobby group in its own config, but the ACL does not give it the group's topics.
    Screen a(base.path, "a", {"lobby"}, fleet_for("a", "secret-a")), b(base.path, "b", {"lobby"}, fleet_for("b", "secret-b"));
    for (Screen* s : {&a, &b}) {
        INFO(s->kiosk->err() << broker.log());
        REQUIRE(s->kiosk->wait_err("fleet: connected to " + broker.url()));
        REQUIRE(s->kiosk->wait_out("Desk story"));
    }
    const std::string op = "--broker " + broker.url() + " --ca-file " + q(broker.ca_file().string()) +
                           " --username operator --password-file " + q(password_file("operator", "secret-op")) + " ";
    const fs::path layer = base.path / "lobby.toml";
    write(layer, "[[feed]]\nurl = \"" + http.url("/lobby.xml") + "\"\n");
    nk::test::RunResult push = nk::test::run_kiosk("fleet push-config " + op + "--to group:lobby " + q(layer.string()));
    INFO(push.err);
    REQUIRE(push.exit_code == 0);
    CHECK(a.kiosk->wait_out("Lobby story"));
    REQUIRE(nk::test::run_kiosk("fleet alert " + op + "--to all 'Evacuate via the east stairs' --level emergency").exit_code == 0);
    for (Screen* s : {&a, &b}) CHECK(s->kiosk->wait_out("[alert emergency]  Evacuate via the east stairs"));
    CHECK(b.kiosk->out().find("Lobby story") == std::string::npos);
    std::string table;
    CHECK(eventually([&] {
        table = nk::test::run_kiosk("fleet status " + op + "--wait 1").out;
        return online(table) == 2;
    }));
    // The CA is required: an operator that trusts nothing else cannot be fooled, nor connect.
    nk::test::RunResult untrusted = nk::test::run_kiosk("fleet status --broker " + broker.url() + " --username operator --password-file " +
                                                        q(password_file("operator", "secret-op")));
    CHECK(untrusted.exit_code == 1);
    // A wrong password is refused by the broker; the password itself is never in any log.
    nk::test::RunResult wrong = nk::test::run_kiosk("fleet status --broker " + broker.url() + " --ca-file " + q(broker.ca_file().string()) +
                                                    " --username operator --password-file " + q(password_file("wrong", "not-it")));
    CHECK(wrong.exit_code == 1);
    for (Screen* s : {&a, &b}) {
        CHECK(s->kiosk->err().find("secret-") == std::string::npos);
        CHECK(s->kiosk->stop() == 0);
    }
    CHECK(broker.log().find("secret-") == std::string::npos);
}

TEST_CASE("fleet: a screen with a display answers a screenshot request with its PNG", "[fleet][broker][display]") {
    TempDir base("nk_fleet");
    MqttBroker broker(base.path / "broker");
    nk::test::Xvfb x(640, 480);
    REQUIRE(x.ok());
    // As in test_display: Mesa's driver keeps allocations to the end, which LeakSanitizer would call leaks.
    Screen a(base.path, "a", {}, "broker = \"" + broker.url() + "\"\n",
             {"DISPLAY=" + x.display(), "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"}, {"--windowed", "640x480"});
    INFO(a.kiosk->err());
    REQUIRE(a.kiosk->wait_err("fleet: connected to"));
    const fs::path png = base.path / "a.png";
    nk::test::RunResult shot;
    // The first frame may still be on its way: ask until the screen has one to give.
    CHECK(eventually([&] {
        shot = nk::test::run_kiosk("fleet screenshot --broker " + broker.url() + " --to screen:a " + q(png.string()));
        return shot.exit_code == 0;
    }));
    INFO(shot.err);
    CHECK(shot.out.find("wrote") != std::string::npos);
    nk::test::Image img = nk::test::load_png(png.string());
    REQUIRE(img.ok());
    CHECK(img.w == 640);
    CHECK(img.h == 480);
    // Something is drawn: not every pixel the same colour.
    bool varied = false;
    for (std::size_t i = 3; i < img.rgb.size() && !varied; i += 3) varied = img.rgb[i] != img.rgb[0];
    CHECK(varied);
    const int rc = a.kiosk->stop();
    INFO(a.kiosk->err());
    CHECK(rc == 0);
}
