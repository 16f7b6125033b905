// SPDX-License-Identifier: Apache-2.0
#include "core/fleet.h"

#include "feed/strings.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>

namespace nk::fleet {
namespace {

std::vector<std::string_view> split_levels(std::string_view topic) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = topic.find('/', start);
        out.push_back(topic.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos) return out;
        start = slash + 1;
    }
}

std::string join(std::string_view a, std::string_view b) { return std::string(a) + "/" + std::string(b); }

// Cut at `width` code points (UTF-8), with "…" when cut, then padded to `width`.
std::string column(std::string_view s, std::size_t width) {
    std::string out;
    std::size_t points = 0, i = 0;
    auto point_end = [&](std::size_t at) {
        std::size_t e = at + 1;
        while (e < s.size() && (static_cast<unsigned char>(s[e]) & 0xC0) == 0x80) ++e;
        return e;
    };
    std::size_t total = 0;
    for (std::size_t j = 0; j < s.size(); j = point_end(j)) ++total;
    while (i < s.size() && points < width) {
        if (total > width && points + 1 == width) {
            out += "\xE2\x80\xA6";
            ++points;
            break;
        }
        const std::size_t e = point_end(i);
        std::string_view cp = s.substr(i, e - i);
        out += (cp == "\n" || cp == "\t") ? std::string_view(" ") : cp;
        ++points;
        i = e;
    }
    out.append(width > points ? width - points : 0, ' ');
    return out;
}

std::string ago(int64_t seconds) {
    if (seconds < 0) seconds = 0;
    if (seconds < 90) return std::to_string(seconds) + " s ago";
    if (seconds < 90 * 60) return std::to_string(seconds / 60) + " min ago";
    if (seconds < 36 * 3600) return std::to_string(seconds / 3600) + " h ago";
    return std::to_string(seconds / 86400) + " d ago";
}

}  // namespace

bool valid_id(std::string_view id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    });
}

std::optional<Target> parse_target(std::string_view text) {
    text = str::trim(text);
    if (text == "all") return Target{};
    for (auto [prefix, kind] : {std::pair{std::string_view("group:"), Target::Kind::Group}, std::pair{std::string_view("screen:"), Target::Kind::Screen}})
        if (text.starts_with(prefix) && valid_id(text.substr(prefix.size())))
            return Target{kind, std::string(text.substr(prefix.size()))};
    return std::nullopt;
}

std::string target_label(const Target& t) {
    switch (t.kind) {
    case Target::Kind::All: return "all";
    case Target::Kind::Group: return "group:" + t.name;
    case Target::Kind::Screen: return "screen:" + t.name;
    }
    return "all";
}

std::string target_path(const Target& t) {
    switch (t.kind) {
    case Target::Kind::All: return "all";
    case Target::Kind::Group: return "group/" + t.name;
    case Target::Kind::Screen: return "screen/" + t.name;
    }
    return "all";
}

std::string config_topic(std::string_view prefix, const Target& t) { return join(prefix, "config/" + target_path(t)); }
std::string alert_topic(std::string_view prefix, const Target& t, std::string_view id) {
    return join(prefix, "alert/" + target_path(t) + "/" + std::string(id));
}
std::string announce_topic(std::string_view prefix, const Target& t, std::string_view id) {
    return join(prefix, "announce/" + target_path(t) + "/" + std::string(id));
}
std::string command_topic(std::string_view prefix, const Target& t) { return join(prefix, "command/" + target_path(t)); }
std::string state_topic(std::string_view prefix, std::string_view screen) { return join(prefix, "state/" + std::string(screen)); }
std::string error_topic(std::string_view prefix, std::string_view screen) { return join(prefix, "error/" + std::string(screen)); }
std::string screenshot_topic(std::string_view prefix, std::string_view screen, std::string_view request) {
    return join(prefix, "screenshot/" + std::string(screen) + "/" + std::string(request));
}

std::vector<std::string> subscriptions(const Identity& id) {
    std::vector<Target> targets{Target{}};
    for (const std::string& g : id.groups) targets.push_back({Target::Kind::Group, g});
    targets.push_back({Target::Kind::Screen, id.screen});
    std::vector<std::string> out;
    for (const Target& t : targets) {
        out.push_back(config_topic(id.prefix, t));
        out.push_back(alert_topic(id.prefix, t, "+"));
        out.push_back(announce_topic(id.prefix, t, "+"));
        out.push_back(command_topic(id.prefix, t));
    }
    return out;
}

std::string_view kind_name(Kind k) {
    switch (k) {
    case Kind::Config: return "config";
    case Kind::Alert: return "alert";
    case Kind::Announce: return "announce";
    case Kind::Command: return "command";
    }
    return "config";
}

std::size_t max_payload(Kind k) {
    switch (k) {
    case Kind::Config: return kMaxConfigBytes;
    case Kind::Alert:
    case Kind::Announce: return kMaxItemBytes;
    case Kind::Command: return kMaxCommandBytes;
    }
    return kMaxItemBytes;
}

std::string Addressed::source() const { return "fleet " + target_path(target); }

Result<Addressed> address(std::string_view topic, const Identity& id) {
    // The caller names the topic; the reason is enough here.
    auto refuse = [](const std::string& why) { return Error{ErrorCode::InvalidInput, why}; };
    if (topic.size() > 1024) return Error{ErrorCode::InvalidInput, "a topic of " + std::to_string(topic.size()) + " bytes: not one of ours"};
    std::vector<std::string_view> lv = split_levels(topic);
    if (lv.size() < 3 || lv[0] != id.prefix) return refuse("not under " + id.prefix + "/");
    Addressed a;
    std::size_t after = 0;  // levels the kind takes after the target
    if (lv[1] == "config") a.kind = Kind::Config;
    else if (lv[1] == "alert") a.kind = Kind::Alert, after = 1;
    else if (lv[1] == "announce") a.kind = Kind::Announce, after = 1;
    else if (lv[1] == "command") a.kind = Kind::Command;
    else return refuse("\"" + std::string(lv[1]) + "\" is not something a screen reads");
    std::size_t target_levels = 0;
    if (lv[2] == "all") {
        target_levels = 1;
    } else if (lv[2] == "group" || lv[2] == "screen") {
        target_levels = 2;
        if (lv.size() < 4 || !valid_id(lv[3])) return refuse("no valid " + std::string(lv[2]) + " id");
        a.target = {lv[2] == "group" ? Target::Kind::Group : Target::Kind::Screen, std::string(lv[3])};
    } else {
        return refuse("\"" + std::string(lv[2]) + "\" is not all, group/NAME or screen/ID");
    }
    if (lv.size() != 2 + target_levels + after) return refuse("wrong number of levels for " + std::string(kind_name(a.kind)));
    if (after) {
        if (!valid_id(lv.back())) return refuse("the id must be 1 to 64 letters, digits, '-', '_' or '.'");
        a.id = std::string(lv.back());
    }
    if (a.target.kind == Target::Kind::Screen && a.target.name != id.screen)
        return refuse("addressed to screen " + a.target.name + ", not to this screen (" + id.screen + ")");
    if (a.target.kind == Target::Kind::Group && std::find(id.groups.begin(), id.groups.end(), a.target.name) == id.groups.end())
        return refuse("addressed to group " + a.target.name + ", which this screen is not in");
    return a;
}

Result<bool> check_size(Kind k, std::size_t size) {
    if (size <= max_payload(k)) return true;
    const std::string kind(kind_name(k));
    return Error{ErrorCode::TooLarge, (kind.front() == 'a' ? "an " : "a ") + kind + " message of " + std::to_string(size) +
                                          " bytes (at most " + std::to_string(max_payload(k)) + ")"};
}

bool is_empty_layer(std::string_view text) {
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = str::trim(text.substr(0, nl));
        if (!line.empty() && line.front() != '#') return false;
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return true;
}

std::vector<ConfigIssue> check_layer(std::string_view text, std::string_view name) {
    ConfigParse p = parse_config(text, name);
    std::vector<ConfigIssue> issues = std::move(p.issues);
    if (p.has_errors()) return issues;
    toml::table t;
    try {
        t = toml::parse(text);
    } catch (const std::exception&) {
        return issues;  // parse_config said it already
    }
    auto refuse = [&](const toml::node* n, const std::string& key, const std::string& why) {
        ConfigIssue i{std::string(name), 0, 0, key, why, false};
        if (n) {
            i.line = static_cast<int>(n->source().begin.line);
            i.column = static_cast<int>(n->source().begin.column);
        }
        issues.push_back(std::move(i));
    };
    for (const char* table : {"fleet", "cache", "health"})
        if (const toml::node* n = t.get(table))
            refuse(n, table, std::string("[") + table + "] belongs to the screen's own file, not to a fleet layer");
    const std::pair<const char*, const char*> local_keys[] = {
        {"announcements", "dir"}, {"display", "logo"}, {"fetch", "ca_path"}, {"fetch", "proxy"}};
    for (const auto& [table, key] : local_keys)
        if (const toml::table* tt = t[table].as_table())
            if (const toml::node* n = tt->get(key))
                refuse(n, std::string(table) + "." + key, "a path on the screen's disk (or its network) is set in its own file, not in a fleet layer");
    if (!p.config.opml.empty() && !str::istarts_with(p.config.opml, "https://") && !str::istarts_with(p.config.opml, "http://"))
        refuse(t.get("opml"), "opml", "a fleet layer may name a feed list by http(s) URL only");
    for (std::size_t i = 0; i < p.config.feeds.size(); ++i)
        if (str::istarts_with(p.config.feeds[i].url, "file:"))
            refuse(nullptr, "feed[" + std::to_string(i + 1) + "].url", "a fleet layer may not point a screen at its own files");
    return issues;
}

std::vector<ConfigLayer> compose_layers(const std::map<std::string, std::string>& by_path, const Identity& id) {
    std::vector<ConfigLayer> out;
    auto add = [&](const Target& t) {
        auto it = by_path.find(target_path(t));
        if (it != by_path.end() && !is_empty_layer(it->second)) out.push_back({"fleet " + it->first, it->second});
    };
    add(Target{});
    for (const std::string& g : id.groups) add({Target::Kind::Group, g});
    add({Target::Kind::Screen, id.screen});
    return out;
}

std::string layers_revision(const std::vector<ConfigLayer>& layers) {
    if (layers.empty()) return "";
    uint64_t h = 14695981039346656037ull;
    auto mix = [&](std::string_view s) {
        for (unsigned char c : s) {
            h ^= c;
            h *= 1099511628211ull;
        }
        h ^= 0xff;  // a separator no text contains, so ("ab","c") and ("a","bc") differ
        h *= 1099511628211ull;
    };
    for (const ConfigLayer& l : layers) {
        mix(l.name);
        mix(l.text);
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return std::string(buf, 12);
}

std::optional<Command::Verb> parse_verb(std::string_view verb) {
    using V = Command::Verb;
    for (V v : {V::Next, V::Previous, V::Pause, V::Resume, V::Reload, V::Screenshot})
        if (verb == verb_name(v)) return v;
    return std::nullopt;
}

std::string_view verb_name(Command::Verb v) {
    switch (v) {
    case Command::Verb::Next: return "next";
    case Command::Verb::Previous: return "previous";
    case Command::Verb::Pause: return "pause";
    case Command::Verb::Resume: return "resume";
    case Command::Verb::Reload: return "reload";
    case Command::Verb::Screenshot: return "screenshot";
    }
    return "next";
}

bool same_except_time(const ScreenState& a, const ScreenState& b) {
    ScreenState x = a;
    x.time = b.time;
    return x == b;
}

std::string status_table(const std::vector<ScreenState>& screens, int64_t now) {
    std::vector<const ScreenState*> sorted;
    for (const ScreenState& s : screens) sorted.push_back(&s);
    std::sort(sorted.begin(), sorted.end(), [](const ScreenState* a, const ScreenState* b) { return a->screen < b->screen; });
    std::string out = column("SCREEN", 20) + "  " + column("STATE", 7) + "  " + column("LAST SEEN", 11) + "  " + column("GROUPS", 16) +
                      "  " + column("ON SCREEN", 40) + "  FAILING\n";
    for (const ScreenState* s : sorted) {
        std::string groups;
        for (const std::string& g : s->groups) groups += (groups.empty() ? "" : ",") + g;
        std::string failing;
        for (const std::string& f : s->feeds_failing) failing += (failing.empty() ? "" : ", ") + f;
        if (failing.empty()) failing = "-";
        const std::string seen = s->online ? "now" : (s->time ? ago(now - s->time) : "-");
        std::string state = s->online ? (s->paused ? "paused" : "online") : "OFFLINE";
        out += column(s->screen, 20) + "  " + column(state, 7) + "  " + column(seen, 11) + "  " + column(groups.empty() ? "-" : groups, 16) +
               "  " + column(s->card.empty() ? "-" : s->card, 40) + "  " + failing + "\n";
    }
    return out;
}

}  // namespace nk::fleet
