// SPDX-License-Identifier: Apache-2.0
// The verbs that talk to a running kiosk through its control socket (net/control_socket.h):
// `newsroom-kiosk alert "text" [--level L] [--for DURATION] [--id ID]`, `alert --clear [ID]`,
// `next`, `previous`, `pause`, `resume`, `reload`. Each sends one request and prints what the
// kiosk answered; exit 0 when it did what was asked, 1 when it refused or no kiosk answered.
#include "app/commands.h"

#include "core/config.h"
#include "net/control_socket.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace nk::app {
namespace {

int usage(const std::string& why) {
    std::cerr << "newsroom-kiosk: " << why << "\n"
              << "usage: newsroom-kiosk alert \"TEXT\" [--level info|warning|emergency] [--for 30m] [--id ID] [--socket PATH]\n"
              << "       newsroom-kiosk alert --clear [ID] [--socket PATH]\n"
              << "       newsroom-kiosk next|previous|pause|resume|reload [--socket PATH]\n";
    return 2;
}

}  // namespace

int control_command(std::string_view verb, const std::vector<std::string_view>& args) {
    using json = nlohmann::json;
    json request{{"verb", std::string(verb)}};
    std::filesystem::path socket;
    bool clear = false;
    std::vector<std::string> words;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= args.size()) return std::nullopt;
            return std::string(args[++i]);
        };
        if (a == "--socket") {
            auto v = value();
            if (!v) return usage("--socket needs a path");
            socket = *v;
        } else if (verb == "alert" && a == "--clear") {
            clear = true;
        } else if (verb == "alert" && a == "--level") {
            auto v = value();
            if (!v || !parse_alert_level(*v)) return usage("--level needs info, warning or emergency");
            request["level"] = *v;
        } else if (verb == "alert" && a == "--for") {
            auto v = value();
            std::optional<int64_t> s = v ? parse_duration_seconds(*v) : std::nullopt;
            if (!s || *s < 1) return usage("--for needs a duration like 90s, 30m or 2h");
            request["for"] = *s;
        } else if (verb == "alert" && a == "--id") {
            auto v = value();
            if (!v) return usage("--id needs a name");
            request["id"] = *v;
        } else if (!a.empty() && a.front() == '-') {
            return usage("unknown option '" + std::string(a) + "'");
        } else {
            words.emplace_back(a);
        }
    }
    if (verb == "alert" && clear) {
        if (words.size() > 1) return usage("alert --clear takes at most one ID");
        request = json{{"verb", "clear"}, {"id", words.empty() ? std::string() : words[0]}};
    } else if (verb == "alert") {
        if (words.size() != 1) return usage("alert needs its text, in quotes");
        request["text"] = words[0];
    } else if (!words.empty()) {
        return usage(std::string(verb) + " takes no arguments");
    }
    if (socket.empty()) socket = net::default_control_socket();
    auto reply = net::send_request(socket, request.dump());
    if (!reply) {
        std::cerr << "newsroom-kiosk: " << reply.error().message << "\n";
        return 1;
    }
    json r = json::parse(reply.value(), nullptr, false);
    if (r.is_discarded() || !r.is_object()) {
        std::cerr << "newsroom-kiosk: the kiosk answered something unexpected: " << reply.value() << "\n";
        return 1;
    }
    if (!r.value("ok", false)) {
        std::cerr << "newsroom-kiosk: the kiosk refused: " << r.value("error", std::string("no reason given")) << "\n";
        return 1;
    }
    if (r.contains("id")) std::cout << "alert " << r["id"].get<std::string>() << "\n";
    else if (r.contains("cleared")) std::cout << "cleared " << r["cleared"].get<std::size_t>() << "\n";
    else std::cout << "ok\n";
    return 0;
}

}  // namespace nk::app
