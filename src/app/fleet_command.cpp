// SPDX-License-Identifier: Apache-2.0
// `newsroom-kiosk fleet ...`: the operator's side of the fleet, on the same library the screens
// use (net/fleet_client.h, core/fleet.h). Broker settings come from [fleet] of --config (when
// given) and flags, the flags winning. Each verb connects, does one thing, waits until the broker
// has it, and exits: 0 done, 1 refused or unreachable, 2 usage.
#include "app/commands.h"

#include "app/fleet.h"
#include "app/files.h"
#include "core/config.h"
#include "core/fleet.h"
#include "net/fleet_client.h"
#include "net/fleet_messages.h"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace nk::app {
namespace {

int usage(const std::string& why) {
    std::cerr << "newsroom-kiosk: " << why << "\n"
              << "usage: newsroom-kiosk fleet status [--wait SECONDS]\n"
              << "       newsroom-kiosk fleet alert --to TARGET \"TEXT\" [--level info|warning|emergency] [--for 30m] [--id ID]\n"
              << "       newsroom-kiosk fleet clear --to TARGET [ID]\n"
              << "       newsroom-kiosk fleet announce --to TARGET --title \"TITLE\" [--body \"TEXT\"] [--for 2h] [--id ID]\n"
              << "       newsroom-kiosk fleet push-config --to TARGET FILE.toml | --clear\n"
              << "       newsroom-kiosk fleet command --to TARGET next|previous|pause|resume|reload\n"
              << "       newsroom-kiosk fleet screenshot --to screen:ID OUT.png\n"
              << "  TARGET: all, group:NAME or screen:ID. Broker: [fleet] of --config FILE, or --broker URL,\n"
              << "  --ca-file, --cert-file, --key-file, --username, --password-file, --prefix.\n";
    return 2;
}

// The connection, with what arrives collected for the verb to look at.
struct Session {
    std::mutex mu;
    std::condition_variable cv;
    bool up = false;
    bool failed = false;                 // an operator's verb does not retry: the first failure is the answer
    std::string why = "no answer from the broker";
    std::vector<net::FleetMessage> got;
    std::unique_ptr<net::FleetClient> client;

    bool wait_connected(std::chrono::seconds bound) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, bound, [&] { return up || failed; }) && up;
    }
};

std::string new_id(const char* what) {
    return std::string(what) + "-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(::getpid() % 10000);
}

}  // namespace

int fleet_command(const std::vector<std::string_view>& args) {
    if (args.empty()) return usage("fleet needs a verb");
    const std::string verb(args[0]);
    FleetConfig fc;
    std::string config_file, to, level = "info", id, title, body;
    std::optional<int64_t> for_seconds;
    int wait_seconds = -1;
    bool clear = false;
    std::vector<std::string> words;
    std::map<std::string, std::string*> flags{{"--broker", &fc.broker},       {"--ca-file", &fc.ca_file},     {"--cert-file", &fc.cert_file},
                                             {"--key-file", &fc.key_file},   {"--username", &fc.username},   {"--password-file", &fc.password_file},
                                             {"--prefix", &fc.topic_prefix}, {"--to", &to},                  {"--level", &level},
                                             {"--id", &id},                  {"--title", &title},            {"--body", &body}};
    std::map<std::string, std::string> given;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string a(args[i]);
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= args.size()) return std::nullopt;
            return std::string(args[++i]);
        };
        if (a == "--config") {
            auto v = value();
            if (!v) return usage("--config needs a file");
            config_file = *v;
        } else if (flags.count(a)) {
            auto v = value();
            if (!v) return usage(a + " needs a value");
            given[a] = *v;
        } else if (a == "--for") {
            auto v = value();
            for_seconds = v ? parse_duration_seconds(*v) : std::nullopt;
            if (!for_seconds || *for_seconds < 1) return usage("--for needs a duration like 90s, 30m or 2h");
        } else if (a == "--wait") {
            auto v = value();
            int s = 0;
            if (!v || std::from_chars(v->data(), v->data() + v->size(), s).ec != std::errc() || s < 0 || s > 3600)
                return usage("--wait needs a number of seconds");
            wait_seconds = s;
        } else if (a == "--clear") {
            clear = true;
        } else if (!a.empty() && a.front() == '-' && a != "-") {
            return usage("unknown option '" + a + "'");
        } else {
            words.push_back(a);
        }
    }
    if (!config_file.empty()) {
        auto text = read_file(config_file, kMaxConfigFileBytes);
        if (!text) {
            std::cerr << "newsroom-kiosk: " << text.error().message << "\n";
            return 1;
        }
        ConfigParse p = parse_config(text.value(), config_file);
        if (p.has_errors()) {
            for (const ConfigIssue& i : p.issues) std::cerr << format_issue(i) << "\n";
            return 1;
        }
        fc = p.config.fleet;
    }
    for (const auto& [flag, v] : given) *flags[flag] = v;
    if (fc.broker.empty()) return usage("no broker: give --broker mqtts://HOST or --config with a [fleet] broker");
    if (!fleet::valid_id(fc.topic_prefix)) return usage("--prefix must be an id (letters, digits, '-', '_', '.')");
    std::optional<fleet::Target> target;
    if (!to.empty()) {
        target = fleet::parse_target(to);
        if (!target) return usage("--to must be all, group:NAME or screen:ID (got \"" + to + "\")");
    }
    const std::string& P = fc.topic_prefix;
    const int64_t now = static_cast<int64_t>(std::time(nullptr));

    // What each verb publishes, checked before any connection is made.
    std::vector<std::string> subscriptions;
    std::string request;
    if (verb == "status") {
        subscriptions.push_back(fleet::state_topic(P, "+"));
    } else if (verb == "alert") {
        if (!target) return usage("alert needs --to");
        if (words.size() != 1) return usage("alert needs its text, in quotes");
        if (!parse_alert_level(level)) return usage("--level needs info, warning or emergency");
        if (!id.empty() && !fleet::valid_id(id)) return usage("--id must be 1 to 64 letters, digits, '-', '_' or '.'");
    } else if (verb == "announce") {
        if (!target) return usage("announce needs --to");
        if (title.empty()) return usage("announce needs --title");
        if (!id.empty() && !fleet::valid_id(id)) return usage("--id must be 1 to 64 letters, digits, '-', '_' or '.'");
    } else if (verb == "clear") {
        if (!target) return usage("clear needs --to");
        if (words.size() > 1) return usage("clear takes at most one alert ID");
        if (words.empty()) subscriptions.push_back(fleet::alert_topic(P, *target, "+"));
        else if (!fleet::valid_id(words[0])) return usage("not an alert id: " + words[0]);
    } else if (verb == "push-config") {
        if (!target) return usage("push-config needs --to");
        if (words.size() != (clear ? 0u : 1u)) return usage("push-config needs one TOML file (or --clear)");
    } else if (verb == "command") {
        if (!target) return usage("command needs --to");
        if (words.size() != 1) return usage("command needs one verb");
        auto v = fleet::parse_verb(words[0]);
        if (!v || *v == fleet::Command::Verb::Screenshot) return usage("command is next, previous, pause, resume or reload");
    } else if (verb == "screenshot") {
        if (!target || target->kind != fleet::Target::Kind::Screen) return usage("screenshot needs --to screen:ID");
        if (words.size() != 1) return usage("screenshot needs the PNG file to write");
        request = new_id("shot");
        subscriptions.push_back(fleet::screenshot_topic(P, target->name, request));
    } else {
        return usage("unknown fleet verb '" + verb + "'");
    }

    std::string layer_text;
    if (verb == "push-config") {
        if (clear) {
            layer_text = "# no layer (newsroom-kiosk fleet push-config --clear)\n";
        } else {
            auto text = read_file(words[0], fleet::kMaxConfigBytes);
            if (!text) {
                std::cerr << "newsroom-kiosk: " << text.error().message << "\n";
                return 1;
            }
            layer_text = std::move(text.value());
            // The same rules the screens apply: a layer they would refuse is not sent.
            std::vector<ConfigIssue> issues = fleet::check_layer(layer_text, words[0]);
            bool bad = false;
            for (const ConfigIssue& i : issues) {
                std::cerr << format_issue(i) << "\n";
                bad = bad || !i.warning;
            }
            if (bad) {
                std::cerr << "newsroom-kiosk: not sent: the screens would refuse this layer\n";
                return 1;
            }
            if (fleet::is_empty_layer(layer_text)) return usage(words[0] + " sets nothing; use --clear to remove a layer");
        }
    }

    auto opts = fleet_client_options(fc);
    if (!opts) {
        std::cerr << "newsroom-kiosk: " << opts.error().message << "\n";
        return 1;
    }
    Session s;
    net::FleetClientOptions& o = opts.value();
    o.client_id = "newsroom-kiosk-operator-" + std::to_string(::getpid()) + "-" + std::to_string(now);
    o.subscriptions = subscriptions;
    o.max_backoff_seconds = 2;
    o.on_state = [&s](bool up, const std::string& why) {
        {
            std::lock_guard lock(s.mu);
            s.up = up;
            if (!up) {
                s.why = why;
                s.failed = true;
            }
        }
        s.cv.notify_all();
    };
    o.on_message = [&s](net::FleetMessage&& m) {
        {
            std::lock_guard lock(s.mu);
            s.got.push_back(std::move(m));
        }
        s.cv.notify_all();
    };
    auto client = net::FleetClient::start(std::move(o));
    if (!client) {
        std::cerr << "newsroom-kiosk: " << client.error().message << "\n";
        return 1;
    }
    s.client = std::move(client).value();
    if (!s.wait_connected(std::chrono::seconds(15))) {
        std::lock_guard lock(s.mu);
        std::cerr << "newsroom-kiosk: cannot reach the broker " << fc.broker << ": " << s.why << "\n";
        return 1;
    }
    auto sent = [&](const std::string& what) {
        if (!s.client->flush(std::chrono::seconds(10))) {
            std::cerr << "newsroom-kiosk: the broker did not acknowledge " << what << "\n";
            return 1;
        }
        std::cout << what << "\n";
        return 0;
    };
    // Retained messages arrive right after the subscription; a moment's settle collects them.
    auto settle = [&](int default_seconds) {
        std::this_thread::sleep_for(std::chrono::seconds(wait_seconds >= 0 ? wait_seconds : default_seconds));
        std::lock_guard lock(s.mu);
        return s.got;
    };

    if (verb == "status") {
        // The newest state per screen: the retained one, or a change published meanwhile.
        std::map<std::string, std::string> latest;
        for (const net::FleetMessage& m : settle(2)) latest[m.topic] = m.payload;
        std::vector<fleet::ScreenState> screens;
        for (const auto& [topic, payload] : latest) {
            if (payload.empty()) continue;
            auto st = net::parse_state_payload(payload);
            if (!st) std::cerr << "newsroom-kiosk: " << topic << ": " << st.error().message << "\n";
            else screens.push_back(std::move(st.value()));
        }
        std::cout << fleet::status_table(screens, static_cast<int64_t>(std::time(nullptr)));
        return 0;
    }
    if (verb == "alert") {
        Alert a;
        a.text = words[0];
        a.level = *parse_alert_level(level);
        a.created = now;
        a.expires = now + for_seconds.value_or(3600);  // as the control socket: an alert nobody clears still ends
        if (id.empty()) id = new_id("alert");
        s.client->publish(fleet::alert_topic(P, *target, id), net::alert_payload(a), true);
        return sent("alert " + id + " sent to " + fleet::target_label(*target));
    }
    if (verb == "announce") {
        if (id.empty()) id = new_id("announce");
        Announcement an;
        an.title = title;
        an.body = body;
        fleet::TimedAnnouncement ta{an, for_seconds ? now + *for_seconds : 0};
        s.client->publish(fleet::announce_topic(P, *target, id), net::announce_payload(ta), true);
        return sent("announcement " + id + " sent to " + fleet::target_label(*target));
    }
    if (verb == "clear") {
        std::set<std::string> topics;
        if (!words.empty()) topics.insert(fleet::alert_topic(P, *target, words[0]));
        else
            for (const net::FleetMessage& m : settle(1))
                if (!m.payload.empty() && m.retained) topics.insert(m.topic);
        for (const std::string& t : topics) s.client->publish(t, "", true);
        return sent("cleared " + std::to_string(topics.size()) + (topics.size() == 1 ? " alert" : " alerts") + " for " +
                    fleet::target_label(*target));
    }
    if (verb == "push-config") {
        s.client->publish(fleet::config_topic(P, *target), layer_text, true);
        return sent(std::string(clear ? "config layer cleared" : "config layer published") + " for " + fleet::target_label(*target));
    }
    if (verb == "command") {
        fleet::Command c{*fleet::parse_verb(words[0]), ""};
        s.client->publish(fleet::command_topic(P, *target), net::command_payload(c), false);
        return sent(words[0] + " sent to " + fleet::target_label(*target));
    }
    // screenshot: ask, then wait for the reply on the request's own topic.
    fleet::Command c{fleet::Command::Verb::Screenshot, request};
    s.client->publish(fleet::command_topic(P, *target), net::command_payload(c), false);
    std::unique_lock lock(s.mu);
    if (!s.cv.wait_for(lock, std::chrono::seconds(wait_seconds >= 0 ? wait_seconds : 20), [&] { return !s.got.empty(); })) {
        std::cerr << "newsroom-kiosk: no screenshot from " << target->name << " (offline, or an older version?)\n";
        return 1;
    }
    const std::string png = s.got.front().payload;
    lock.unlock();
    if (!png.starts_with("\x89PNG")) {
        std::cerr << "newsroom-kiosk: " << target->name << " answered: " << png.substr(0, 300) << "\n";
        return 1;
    }
    if (auto w = write_atomic(words[0], png, Durability::NoFsync); !w) {
        std::cerr << "newsroom-kiosk: " << w.error().message << "\n";
        return 1;
    }
    std::cout << "wrote " << words[0] << " (" << png.size() << " bytes)\n";
    return 0;
}

}  // namespace nk::app
