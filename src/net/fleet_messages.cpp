// SPDX-License-Identifier: Apache-2.0
#include "net/fleet_messages.h"

#include "feed/strings.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <optional>

namespace nk::net {
namespace {

using json = nlohmann::json;

// A year past any sane "until"; beyond it the number is a mistake (milliseconds, say).
constexpr int64_t kLatest = int64_t{4102444800};  // 2100-01-01

Error bad(const std::string& why) { return Error{ErrorCode::InvalidInput, why}; }

// The object, or why not. Strict: keys not in `known` are errors (a typo must not pass silently).
std::optional<std::string> object_of(std::string_view payload, std::initializer_list<std::string_view> known, json& out) {
    out = json::parse(payload.begin(), payload.end(), nullptr, false);
    if (out.is_discarded()) return std::string("not JSON");
    if (!out.is_object()) return std::string("not a JSON object");
    for (const auto& [key, value] : out.items()) {
        (void)value;
        if (std::find(known.begin(), known.end(), key) == known.end()) return "unknown key \"" + key.substr(0, 64) + "\"";
    }
    return std::nullopt;
}

std::optional<std::string> text(const json& j, const char* key, std::size_t max, std::string& out, bool required = false) {
    if (!j.contains(key)) return required ? std::optional<std::string>(std::string("\"") + key + "\" is missing") : std::nullopt;
    if (!j[key].is_string()) return std::string("\"") + key + "\" must be a string";
    std::string s = j[key].get<std::string>();
    if (s.size() > max) return std::string("\"") + key + "\" is longer than " + std::to_string(max) + " bytes";
    if (required && str::trim(s).empty()) return std::string("\"") + key + "\" is empty";
    out = std::move(s);
    return std::nullopt;
}

std::optional<std::string> seconds(const json& j, const char* key, int64_t lo, int64_t hi, int64_t& out) {
    if (!j.contains(key)) return std::nullopt;
    if (!j[key].is_number_integer()) return std::string("\"") + key + "\" must be a whole number of seconds";
    const int64_t v = j[key].get<int64_t>();
    if (v < lo || v > hi) return std::string("\"") + key + "\" is out of range";
    out = v;
    return std::nullopt;
}

bool is_color(std::string_view c) {
    return c.size() == 7 && c[0] == '#' && std::all_of(c.begin() + 1, c.end(), [](char ch) {
               return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
           });
}

}  // namespace

Result<Alert> parse_alert_payload(std::string_view payload, std::string_view id) {
    json j;
    if (auto e = object_of(payload, {"text", "level", "until", "created"}, j)) return bad(*e);
    Alert a;
    a.id = std::string(id);
    if (auto e = text(j, "text", 4096, a.text, true)) return bad(*e);
    std::string level = "info";
    if (auto e = text(j, "level", 16, level)) return bad(*e);
    auto l = parse_alert_level(level);
    if (!l) return bad("\"level\" must be info, warning or emergency");
    a.level = *l;
    if (auto e = seconds(j, "until", 1, kLatest, a.expires)) return bad(*e);
    if (auto e = seconds(j, "created", 0, kLatest, a.created)) return bad(*e);
    return a;
}

Result<fleet::TimedAnnouncement> parse_announce_payload(std::string_view payload, std::string_view id) {
    json j;
    if (auto e = object_of(payload, {"title", "body", "link", "color", "dwell", "until"}, j)) return bad(*e);
    fleet::TimedAnnouncement t;
    Announcement& a = t.announcement;
    a.id = std::string(id);
    if (auto e = text(j, "title", 1024, a.title, true)) return bad(*e);
    if (auto e = text(j, "body", 8192, a.body)) return bad(*e);
    if (auto e = text(j, "link", 2048, a.link)) return bad(*e);
    if (!a.link.empty() && !str::istarts_with(a.link, "https://") && !str::istarts_with(a.link, "http://"))
        return bad("\"link\" must be an http(s) URL");
    if (auto e = text(j, "color", 7, a.color)) return bad(*e);
    if (!a.color.empty() && !is_color(a.color)) return bad("\"color\" must be like \"#1f618d\"");
    int64_t dwell = 0;
    if (auto e = seconds(j, "dwell", 1, 600, dwell)) return bad(*e);
    a.dwell_seconds = static_cast<double>(dwell);
    if (auto e = seconds(j, "until", 1, kLatest, t.expires)) return bad(*e);
    return t;
}

Result<fleet::Command> parse_command_payload(std::string_view payload) {
    json j;
    if (auto e = object_of(payload, {"verb", "request"}, j)) return bad(*e);
    std::string verb;
    if (auto e = text(j, "verb", 16, verb, true)) return bad(*e);
    auto v = fleet::parse_verb(verb);
    if (!v) return bad("\"verb\" must be next, previous, pause, resume, reload or screenshot");
    fleet::Command c;
    c.verb = *v;
    if (auto e = text(j, "request", 64, c.request)) return bad(*e);
    if (!c.request.empty() && !fleet::valid_id(c.request)) return bad("\"request\" must be 1 to 64 letters, digits, '-', '_' or '.'");
    if (c.verb == fleet::Command::Verb::Screenshot && c.request.empty()) return bad("a screenshot needs a \"request\" id for its reply topic");
    return c;
}

Result<fleet::ScreenState> parse_state_payload(std::string_view payload) {
    json j;
    if (auto e = object_of(payload, {"screen", "online", "version", "groups", "time", "started", "mode", "card", "paused", "feeds_ok",
                                     "feeds_failing", "last_error", "config_revision"},
                           j))
        return bad(*e);
    fleet::ScreenState s;
    if (auto e = text(j, "screen", 64, s.screen, true)) return bad(*e);
    if (!j.contains("online") || !j["online"].is_boolean()) return bad("\"online\" must be true or false");
    s.online = j["online"].get<bool>();
    if (auto e = text(j, "version", 64, s.version)) return bad(*e);
    if (j.contains("groups")) {
        if (!j["groups"].is_array() || j["groups"].size() > 64) return bad("\"groups\" must be a list of at most 64 names");
        for (const json& g : j["groups"]) {
            if (!g.is_string() || g.get<std::string>().size() > 64) return bad("\"groups\" must be a list of names");
            s.groups.push_back(g.get<std::string>());
        }
    }
    if (auto e = seconds(j, "time", 0, kLatest, s.time)) return bad(*e);
    if (auto e = seconds(j, "started", 0, kLatest, s.started)) return bad(*e);
    if (auto e = text(j, "mode", 16, s.mode)) return bad(*e);
    if (auto e = text(j, "card", 2048, s.card)) return bad(*e);
    if (j.contains("paused")) {
        if (!j["paused"].is_boolean()) return bad("\"paused\" must be true or false");
        s.paused = j["paused"].get<bool>();
    }
    int64_t ok = 0;
    if (auto e = seconds(j, "feeds_ok", 0, 100000, ok)) return bad(*e);
    s.feeds_ok = static_cast<int>(ok);
    if (j.contains("feeds_failing")) {
        if (!j["feeds_failing"].is_array() || j["feeds_failing"].size() > 1000) return bad("\"feeds_failing\" must be a list of names");
        for (const json& f : j["feeds_failing"]) {
            if (!f.is_string() || f.get<std::string>().size() > 1024) return bad("\"feeds_failing\" must be a list of names");
            s.feeds_failing.push_back(f.get<std::string>());
        }
    }
    if (auto e = text(j, "last_error", 4096, s.last_error)) return bad(*e);
    if (auto e = text(j, "config_revision", 64, s.config_revision)) return bad(*e);
    return s;
}

std::string alert_payload(const Alert& a) {
    json j{{"text", a.text}, {"level", std::string(alert_level_name(a.level))}};
    if (a.created) j["created"] = a.created;
    if (a.expires) j["until"] = a.expires;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string announce_payload(const fleet::TimedAnnouncement& t) {
    const Announcement& a = t.announcement;
    json j{{"title", a.title}};
    if (!a.body.empty()) j["body"] = a.body;
    if (!a.link.empty()) j["link"] = a.link;
    if (!a.color.empty()) j["color"] = a.color;
    if (a.dwell_seconds > 0) j["dwell"] = static_cast<int64_t>(a.dwell_seconds);
    if (t.expires) j["until"] = t.expires;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string command_payload(const fleet::Command& c) {
    json j{{"verb", std::string(fleet::verb_name(c.verb))}};
    if (!c.request.empty()) j["request"] = c.request;
    return j.dump();
}

std::string state_payload(const fleet::ScreenState& s) {
    json j{{"screen", s.screen},     {"online", s.online},   {"version", s.version},         {"groups", s.groups},
           {"time", s.time},         {"started", s.started}, {"mode", s.mode},               {"card", s.card},
           {"paused", s.paused},     {"feeds_ok", s.feeds_ok}, {"feeds_failing", s.feeds_failing},
           {"last_error", s.last_error}, {"config_revision", s.config_revision}};
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string error_payload(std::string_view screen, int64_t time, std::string_view topic, const std::vector<std::string>& errors) {
    json j{{"screen", std::string(screen)}, {"time", time}, {"topic", std::string(topic)}, {"errors", errors}};
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace nk::net
