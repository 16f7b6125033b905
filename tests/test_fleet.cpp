// SPDX-License-Identifier: Apache-2.0
// The fleet's rules without a broker: topic names and what a topic means for a screen, size
// limits, what a remote config layer may set, the order layers compose in, the JSON payloads
// (strict reading, round trips) and the operator's status table.
#include "core/fleet.h"
#include "core/pipeline.h"
#include "helpers.h"
#include "net/fleet_messages.h"

#include <catch2/catch.hpp>

#include <string>

using namespace nk;

namespace {

fleet::Identity lobby1() {
    fleet::Identity id;
    id.prefix = "nk";
    id.screen = "lobby-1";
    id.groups = {"lobby", "building-a"};
    return id;
}

bool any_issue_has(const std::vector<ConfigIssue>& issues, const std::string& text) {
    for (const ConfigIssue& i : issues)
        if (!i.warning && format_issue(i).find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("fleet targets: all, group:NAME, screen:ID and nothing else", "[fleet]") {
    CHECK(fleet::parse_target("all") == fleet::Target{});
    auto g = fleet::parse_target("group:lobby");
    REQUIRE(g);
    CHECK(fleet::target_path(*g) == "group/lobby");
    CHECK(fleet::target_label(*g) == "group:lobby");
    CHECK(fleet::parse_target("screen:hall-2")->kind == fleet::Target::Kind::Screen);
    CHECK_FALSE(fleet::parse_target("group:"));
    CHECK_FALSE(fleet::parse_target("group:a/b"));   // a topic level
    CHECK_FALSE(fleet::parse_target("screen:+"));    // a wildcard
    CHECK_FALSE(fleet::parse_target("everyone"));
}

TEST_CASE("a screen subscribes to its own, its groups' and the all-screens topics only", "[fleet]") {
    const auto subs = fleet::subscriptions(lobby1());
    CHECK(subs.size() == 16);  // 4 targets x config, alert, announce, command
    CHECK(std::find(subs.begin(), subs.end(), "nk/config/all") != subs.end());
    CHECK(std::find(subs.begin(), subs.end(), "nk/alert/group/lobby/+") != subs.end());
    CHECK(std::find(subs.begin(), subs.end(), "nk/command/screen/lobby-1") != subs.end());
    for (const std::string& s : subs) CHECK(s.find('#') == std::string::npos);
}

TEST_CASE("address: what a topic is for this screen, and why another's is refused", "[fleet]") {
    const auto id = lobby1();
    auto c = fleet::address("nk/config/group/lobby", id);
    REQUIRE(c);
    CHECK(c->kind == fleet::Kind::Config);
    CHECK(c->source() == "fleet group/lobby");
    auto a = fleet::address("nk/alert/all/fire-1", id);
    REQUIRE(a);
    CHECK(a->kind == fleet::Kind::Alert);
    CHECK(a->id == "fire-1");
    CHECK(fleet::address("nk/command/screen/lobby-1", id));

    auto other = fleet::address("nk/config/screen/lobby-2", id);
    REQUIRE_FALSE(other);
    CHECK(other.error().message.find("not to this screen") != std::string::npos);
    auto group = fleet::address("nk/alert/group/kitchen/x", id);
    REQUIRE_FALSE(group);
    CHECK(group.error().message.find("not in") != std::string::npos);
    CHECK_FALSE(fleet::address("other/config/all", id));
    CHECK_FALSE(fleet::address("nk/state/lobby-1", id));        // screens write state, they do not read it
    CHECK_FALSE(fleet::address("nk/alert/all", id));            // an alert needs its id
    CHECK_FALSE(fleet::address("nk/config/all/extra", id));
    CHECK_FALSE(fleet::address("nk/alert/all/a b", id));
    CHECK_FALSE(fleet::address("nk/config/group", id));
    CHECK_FALSE(fleet::address("", id));
}

TEST_CASE("payload limits per kind", "[fleet]") {
    CHECK(fleet::check_size(fleet::Kind::Config, fleet::kMaxConfigBytes));
    auto big = fleet::check_size(fleet::Kind::Config, fleet::kMaxConfigBytes + 1);
    REQUIRE_FALSE(big);
    CHECK(big.error().code == ErrorCode::TooLarge);
    CHECK_FALSE(fleet::check_size(fleet::Kind::Alert, 17 << 10));
    CHECK_FALSE(fleet::check_size(fleet::Kind::Command, 2000));
}

TEST_CASE("check_layer: the config rules, and nothing that belongs to the machine", "[fleet]") {
    CHECK(fleet::check_layer("[[feed]]\nurl = \"https://example.com/rss\"\n[display]\nticker = true\n", "fleet all").empty());
    CHECK(any_issue_has(fleet::check_layer("[fetch]\ninterval_minutes = 0\n", "fleet all"), "interval_minutes"));
    CHECK(any_issue_has(fleet::check_layer("[[feed]\nurl=", "fleet all"), "fleet all"));  // TOML syntax
    CHECK(any_issue_has(fleet::check_layer("[fleet]\nbroker = \"mqtts://evil.example\"\n", "fleet all"), "[fleet] belongs"));
    CHECK(any_issue_has(fleet::check_layer("[cache]\ndir = \"/etc\"\n", "x"), "[cache] belongs"));
    CHECK(any_issue_has(fleet::check_layer("[health]\nlisten = \"0.0.0.0:80\"\n", "x"), "[health]"));
    CHECK(any_issue_has(fleet::check_layer("[announcements]\ndir = \"/etc\"\n", "x"), "announcements.dir"));
    CHECK(any_issue_has(fleet::check_layer("[[feed]]\nurl = \"file:///etc/shadow\"\n", "x"), "own files"));
    CHECK(any_issue_has(fleet::check_layer("opml = \"/etc/feeds.opml\"\n", "x"), "opml"));
    CHECK(fleet::is_empty_layer(""));
    CHECK(fleet::is_empty_layer("# cleared\n\n  # nothing\n"));
    CHECK_FALSE(fleet::is_empty_layer("[display]\n"));
}

TEST_CASE("compose_layers: all, then groups in the screen's order, then the screen", "[fleet]") {
    std::map<std::string, std::string> by_path{{"screen/lobby-1", "s"},  {"group/building-a", "b"}, {"group/lobby", "l"},
                                               {"all", "a"},             {"group/kitchen", "k"},    {"screen/other", "o"},
                                               {"group/empty", "# none"}};
    auto layers = fleet::compose_layers(by_path, lobby1());
    REQUIRE(layers.size() == 4);
    CHECK(layers[0].name == "fleet all");
    CHECK(layers[1].name == "fleet group/lobby");
    CHECK(layers[2].name == "fleet group/building-a");
    CHECK(layers[3].name == "fleet screen/lobby-1");
    const std::string rev = fleet::layers_revision(layers);
    CHECK(rev.size() == 12);
    layers[0].text = "a2";
    CHECK(fleet::layers_revision(layers) != rev);
    CHECK(fleet::layers_revision({}).empty());
}

TEST_CASE("alert payloads: strict reading, a round trip", "[fleet]") {
    auto a = net::parse_alert_payload(R"({"text":"Evacuate via the east stairs","level":"emergency","until":2000000000})", "fire");
    REQUIRE(a);
    CHECK(a->id == "fire");
    CHECK(a->level == AlertLevel::Emergency);
    CHECK(a->expires == 2000000000);
    auto back = net::parse_alert_payload(net::alert_payload(a.value()), "fire");
    REQUIRE(back);
    CHECK(back->text == a->text);
    CHECK(back->expires == a->expires);

    CHECK_FALSE(net::parse_alert_payload("", "x"));
    CHECK_FALSE(net::parse_alert_payload("[1]", "x"));
    CHECK_FALSE(net::parse_alert_payload(R"({"text":""})", "x"));
    CHECK_FALSE(net::parse_alert_payload(R"({"text":"a","level":"panic"})", "x"));
    CHECK_FALSE(net::parse_alert_payload(R"({"text":"a","until":"tomorrow"})", "x"));
    CHECK_FALSE(net::parse_alert_payload(R"({"text":"a","until":99999999999999})", "x"));
    auto typo = net::parse_alert_payload(R"({"text":"a","levle":"info"})", "x");
    REQUIRE_FALSE(typo);
    CHECK(typo.error().message.find("levle") != std::string::npos);
    CHECK_FALSE(net::parse_alert_payload("{\"text\":\"\xff\"}", "x"));  // not UTF-8
}

TEST_CASE("announcement and command payloads", "[fleet]") {
    auto an = net::parse_announce_payload(R"({"title":"Welcome, ACME","body":"Coffee in the **atrium**","until":2000000000,"color":"#1f618d"})", "w");
    REQUIRE(an);
    CHECK(an->announcement.title == "Welcome, ACME");
    CHECK(an->expires == 2000000000);
    CHECK(net::parse_announce_payload(net::announce_payload(an.value()), "w"));
    CHECK_FALSE(net::parse_announce_payload(R"({"title":"x","link":"file:///etc/passwd"})", "w"));
    CHECK_FALSE(net::parse_announce_payload(R"({"title":"x","color":"red"})", "w"));

    auto c = net::parse_command_payload(R"({"verb":"next"})");
    REQUIRE(c);
    CHECK(c->verb == fleet::Command::Verb::Next);
    CHECK_FALSE(net::parse_command_payload(R"({"verb":"exec","args":"rm -rf /"})"));
    CHECK_FALSE(net::parse_command_payload(R"({"verb":"shutdown"})"));
    CHECK_FALSE(net::parse_command_payload(R"({"verb":"screenshot"})"));  // no request id for the reply
    CHECK_FALSE(net::parse_command_payload(R"({"verb":"screenshot","request":"../x"})"));
    CHECK(net::parse_command_payload(net::command_payload({fleet::Command::Verb::Screenshot, "r1"})));
}

TEST_CASE("state payloads round-trip, and the status table shows who is dark", "[fleet]") {
    fleet::ScreenState s;
    s.screen = "lobby-1";
    s.online = true;
    s.version = "0.1.0";
    s.groups = {"lobby"};
    s.time = 1000;
    s.card = "Newsroom World \xC2\xB7 Harbour reopens";
    s.feeds_ok = 2;
    s.feeds_failing = {"Tech Desk"};
    s.config_revision = "abcdef012345";
    auto back = net::parse_state_payload(net::state_payload(s));
    REQUIRE(back);
    CHECK(back.value() == s);
    CHECK_FALSE(net::parse_state_payload(R"({"screen":"x"})"));  // online is required

    fleet::ScreenState dark;
    dark.screen = "hall-2";
    dark.online = false;
    dark.time = 1000 - 600;
    fleet::ScreenState later = s;
    later.time = 1060;
    CHECK(fleet::same_except_time(s, later));
    later.card = "other";
    CHECK_FALSE(fleet::same_except_time(s, later));

    const std::string table = fleet::status_table({s, dark}, 1000);
    INFO(table);
    CHECK(table.find("hall-2") < table.find("lobby-1"));  // sorted by id
    CHECK(table.find("OFFLINE") != std::string::npos);
    CHECK(table.find("10 min ago") != std::string::npos);
    CHECK(table.find("Tech Desk") != std::string::npos);
}

TEST_CASE("the fleet fixtures (the fuzz seeds) read as what they show", "[fleet]") {
    auto a = net::parse_alert_payload(nk::test::fixture("fleet-alert.json"), "fire-1");
    REQUIRE(a);
    CHECK(a->level == AlertLevel::Emergency);
    auto an = net::parse_announce_payload(nk::test::fixture("fleet-announce.json"), "welcome");
    REQUIRE(an);
    CHECK(an->announcement.dwell_seconds == 12);
    auto c = net::parse_command_payload(nk::test::fixture("fleet-command.json"));
    REQUIRE(c);
    CHECK(c->request == "shot-1");
    auto s = net::parse_state_payload(nk::test::fixture("fleet-state.json"));
    REQUIRE(s);
    CHECK(s->feeds_failing == std::vector<std::string>{"Tech Desk"});
    auto t = fleet::address(nk::test::fixture("fleet-topic.txt"), lobby1());
    CHECK_FALSE(t);  // prefix "newsroom-kiosk", not lobby1()'s "nk"
    fleet::Identity def = lobby1();
    def.prefix = "newsroom-kiosk";
    CHECK(fleet::address(nk::test::fixture("fleet-topic.txt"), def));
}

TEST_CASE("a changed [fleet] is reported to apply at the next start", "[fleet]") {
    Pipeline p;
    REQUIRE(p.apply_config(parse_config("[fleet]\nbroker = \"mqtt://127.0.0.1\"\nscreen = \"a\"\n", "k.toml"), "k.toml", 1000).applied);
    ConfigReport r = p.apply_config(parse_config("[fleet]\nbroker = \"mqtt://127.0.0.1\"\nscreen = \"b\"\n", "k.toml"), "k.toml", 1010);
    REQUIRE(r.applied);
    CHECK(std::find(r.next_start.begin(), r.next_start.end(), "fleet") != r.next_start.end());
    CHECK(r.summary.find("fleet apply at the next start") != std::string::npos);
}
