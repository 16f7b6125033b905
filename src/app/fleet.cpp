// SPDX-License-Identifier: Apache-2.0
#include "app/fleet.h"

#include "core/version.h"

#include "app/app.h"
#include "app/files.h"
#include "app/log.h"
#include "net/fleet_messages.h"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

namespace nk::app {
namespace fs = std::filesystem;
namespace {

constexpr const char* kLayersDir = "fleet-layers";
// A broker that floods a screen must not grow its memory: past this many unread messages, the
// rest of the burst is dropped (and counted in the log).
constexpr std::size_t kMaxInbox = 1000;
constexpr int64_t kStateEverySeconds = 60;

// "group/lobby" -> "group-lobby.toml": ids hold no '/', so the names cannot collide or escape.
std::string layer_file(const std::string& path) {
    std::string f = path;
    std::replace(f.begin(), f.end(), '/', '-');
    return f + ".toml";
}

std::vector<std::string> layer_paths(const fleet::Identity& id) {
    std::vector<std::string> out{"all"};
    for (const std::string& g : id.groups) out.push_back("group/" + g);
    out.push_back("screen/" + id.screen);
    return out;
}

std::vector<std::string> formatted(const std::vector<ConfigIssue>& issues) {
    std::vector<std::string> out;
    for (const ConfigIssue& i : issues)
        if (!i.warning) out.push_back(format_issue(i));
    return out;
}

bool has_errors(const std::vector<ConfigIssue>& issues) {
    return std::any_of(issues.begin(), issues.end(), [](const ConfigIssue& i) { return !i.warning; });
}

}  // namespace

struct FleetAgent::Inbox {
    std::mutex mu;
    std::vector<net::FleetMessage> messages;
    std::size_t dropped = 0;
    std::vector<std::pair<bool, std::string>> states;  // connection changes, in order
    std::function<void()> wake;
};

Result<fleet::Identity> fleet_identity(const FleetConfig& config) {
    fleet::Identity id;
    id.prefix = config.topic_prefix;
    id.groups = config.groups;
    id.screen = config.screen;
    if (id.screen.empty()) {
        char host[HOST_NAME_MAX + 1] = {};
        if (gethostname(host, sizeof host - 1) != 0 || !*host) return Error{ErrorCode::InvalidInput, "fleet: no screen id and no host name; set [fleet] screen"};
        id.screen = host;
        if (const auto dot = id.screen.find('.'); dot != std::string::npos) id.screen.resize(dot);  // the short name
    }
    if (!fleet::valid_id(id.screen))
        return Error{ErrorCode::InvalidInput, "fleet: the host name \"" + id.screen + "\" cannot be a screen id; set [fleet] screen"};
    return id;
}

Result<net::FleetClientOptions> fleet_client_options(const FleetConfig& config) {
    auto broker = parse_broker(config.broker);
    if (!broker) return Error{ErrorCode::InvalidInput, "fleet: broker \"" + config.broker + "\" is not mqtts://host[:port]"};
    if (!broker->tls && !broker->loopback)
        return Error{ErrorCode::InvalidInput, "fleet: mqtt:// (clear text) is only for a broker on this machine; use mqtts://"};
    net::FleetClientOptions o;
    o.broker = *broker;
    o.username = config.username;
    o.password_file = config.password_file;
    o.ca_file = config.ca_file;
    o.cert_file = config.cert_file;
    o.key_file = config.key_file;
    return o;
}

std::vector<ConfigLayer> saved_fleet_layers(const fs::path& state_dir, const fleet::Identity& id,
                                            const std::function<void(const std::string&)>& log) {
    std::map<std::string, std::string> by_path;
    if (state_dir.empty()) return {};
    for (const std::string& path : layer_paths(id)) {
        const fs::path file = state_dir / kLayersDir / layer_file(path);
        std::error_code ec;
        if (!fs::exists(file, ec)) continue;
        auto text = read_file(file, fleet::kMaxConfigBytes);
        if (!text) {
            log("fleet: " + text.error().message + "; that layer is left out");
            continue;
        }
        if (has_errors(fleet::check_layer(text.value(), file.string()))) {
            log("fleet: the saved layer " + file.string() + " is not valid any more; it is left out");
            continue;
        }
        by_path[path] = std::move(text.value());
    }
    return fleet::compose_layers(by_path, id);
}

std::unique_ptr<FleetAgent> FleetAgent::start(const Config& config, const fs::path& state_dir, std::function<void()> wake,
                                              int64_t started) {
    if (config.fleet.broker.empty()) return nullptr;
    auto id = fleet_identity(config.fleet);
    if (!id) {
        log_line(id.error().message + "; running without the fleet");
        return nullptr;
    }
    auto opts = fleet_client_options(config.fleet);
    if (!opts) {
        log_line(opts.error().message + "; running without the fleet");
        return nullptr;
    }
    std::unique_ptr<FleetAgent> a(new FleetAgent());
    a->id_ = id.value();
    a->config_ = config.fleet;
    a->state_dir_ = state_dir;
    a->started_ = started;
    a->inbox_ = std::make_shared<Inbox>();
    a->inbox_->wake = std::move(wake);
    // The layers this run started with (Engine had them from saved_fleet_layers), so that a new
    // layer composes with the ones the broker does not send again.
    for (const std::string& path : layer_paths(a->id_)) {
        auto text = state_dir.empty() ? Result<std::string>(Error{}) : read_file(state_dir / kLayersDir / layer_file(path), fleet::kMaxConfigBytes);
        if (text && !has_errors(fleet::check_layer(text.value(), path))) a->layers_[path] = std::move(text.value());
    }

    net::FleetClientOptions& o = opts.value();
    o.client_id = "newsroom-kiosk-" + a->id_.screen;
    o.subscriptions = fleet::subscriptions(a->id_);
    // NK_DEBUG_FLEET_WIDE=1: listen to every screen's and group's topics, as a broker with a too
    // wide ACL would deliver them, so that tests can see the screen refuse what is not its own.
    if (const char* wide = std::getenv("NK_DEBUG_FLEET_WIDE"); wide && *wide == '1')
        for (const char* kind : {"config", "alert", "announce", "command"}) o.subscriptions.push_back(a->id_.prefix + "/" + kind + "/#");
    fleet::ScreenState gone;
    gone.screen = a->id_.screen;
    gone.groups = a->id_.groups;
    gone.version = version();
    gone.started = started;
    o.will = net::FleetClientOptions::Will{fleet::state_topic(a->id_.prefix, a->id_.screen), net::state_payload(gone), true};
    std::shared_ptr<Inbox> inbox = a->inbox_;
    o.on_message = [inbox](net::FleetMessage&& m) {
        {
            std::lock_guard lock(inbox->mu);
            if (inbox->messages.size() >= kMaxInbox) {
                ++inbox->dropped;
                return;
            }
            inbox->messages.push_back(std::move(m));
        }
        inbox->wake();
    };
    o.on_state = [inbox](bool up, const std::string& why) {
        {
            std::lock_guard lock(inbox->mu);
            inbox->states.emplace_back(up, why);
        }
        inbox->wake();
    };
    auto client = net::FleetClient::start(std::move(o));
    if (!client) {
        log_line("fleet: " + client.error().message + "; running without the fleet");
        return nullptr;
    }
    a->client_ = std::move(client).value();
    a->connection_problem_ = "connecting";
    log_line("fleet: screen " + a->id_.screen + " connecting to " + config.fleet.broker);
    return a;
}

FleetAgent::~FleetAgent() {
    // A clean stop sends no will: the client publishes this instead, with the time it went dark.
    if (client_ && published_) {
        fleet::ScreenState s = *published_;
        s.online = false;
        s.time = wall_now();
        client_->set_final_message(fleet::state_topic(id_.prefix, id_.screen), net::state_payload(s));
    }
}

net::FleetHealth FleetAgent::health() const {
    net::FleetHealth h;
    h.connected = connected_;
    h.broker = config_.broker;
    h.screen = id_.screen;
    h.groups = id_.groups;
    h.since = connected_ ? connected_since_ : 0;
    h.problem = connection_problem_;
    h.last_error = last_error_;
    h.config_revision = fleet::layers_revision(fleet::compose_layers(layers_, id_));
    return h;
}

void FleetAgent::refuse(const std::string& topic, const std::vector<std::string>& errors, int64_t wall) {
    for (const std::string& e : errors) log_line("fleet: refused " + topic + ": " + e);
    last_error_ = topic + ": " + (errors.empty() ? std::string("refused") : errors.front());
    if (client_) client_->publish(fleet::error_topic(id_.prefix, id_.screen), net::error_payload(id_.screen, wall, topic, errors), false);
}

void FleetAgent::pump(App& app, double t, int64_t wall) {
    std::vector<net::FleetMessage> messages;
    std::vector<std::pair<bool, std::string>> states;
    std::size_t dropped = 0;
    {
        std::lock_guard lock(inbox_->mu);
        messages.swap(inbox_->messages);
        states.swap(inbox_->states);
        std::swap(dropped, inbox_->dropped);
    }
    bool just_connected = false;
    for (auto& [up, why] : states) {
        if (up) {
            log_line("fleet: connected to " + config_.broker + " as screen " + id_.screen);
            connected_since_ = wall;
            just_connected = true;
        } else if (why != connection_problem_ || connected_) {
            log_line("fleet: not connected to " + config_.broker + ": " + why + "; the screen carries on and keeps trying");
        }
        connected_ = up;
        connection_problem_ = up ? "" : why;
    }
    if (dropped) log_line("fleet: refused " + std::to_string(dropped) + " messages: more than " + std::to_string(kMaxInbox) + " waiting at once");
    for (net::FleetMessage& m : messages) handle(app, std::move(m), t, wall);
    if (next_expiry_ && wall >= next_expiry_) {
        std::vector<std::string> sources;
        for (const auto& [source, items] : announcements_) sources.push_back(source);
        for (const std::string& s : sources) push_announcements(app, s, wall);
    }
    publish_state(app, wall, just_connected);
}

void FleetAgent::handle(App& app, net::FleetMessage&& m, double t, int64_t wall) {
    auto addressed = fleet::address(m.topic, id_);
    if (!addressed) return refuse(m.topic, {addressed.error().message}, wall);
    const fleet::Addressed& a = addressed.value();
    if (auto size = fleet::check_size(a.kind, m.payload.size()); !size) return refuse(m.topic, {size.error().message}, wall);
    const std::string path = fleet::target_path(a.target);
    switch (a.kind) {
    case fleet::Kind::Config: {
        const std::map<std::string, std::string> before = layers_;
        if (fleet::is_empty_layer(m.payload)) {
            if (layers_.erase(path) == 0) return;  // nothing was there
        } else {
            std::vector<ConfigIssue> issues = fleet::check_layer(m.payload, "fleet " + path);
            if (has_errors(issues)) return refuse(m.topic, formatted(issues), wall);
            if (layers_[path] == m.payload) return;  // the same layer again (a reconnect)
            layers_[path] = m.payload;
        }
        apply_layers(app, before, path, wall);
        return;
    }
    case fleet::Kind::Alert: {
        auto& list = alerts_[a.source()];
        if (m.payload.empty()) {
            if (list.erase(a.id)) log_line("fleet: alert " + a.id + " for " + fleet::target_label(a.target) + " cleared");
        } else {
            auto alert = net::parse_alert_payload(m.payload, a.id);
            if (!alert) return refuse(m.topic, {alert.error().message}, wall);
            if (alert->expires && alert->expires <= wall) {
                list.erase(a.id);
                log_line("fleet: alert " + a.id + " for " + fleet::target_label(a.target) + " has already ended; ignored");
            } else {
                if (!alert->created) alert->created = wall;
                log_line("fleet: alert " + a.id + " (" + std::string(alert_level_name(alert->level)) + ") for " + fleet::target_label(a.target));
                list[a.id] = std::move(alert.value());
            }
        }
        std::vector<Alert> all;
        for (const auto& [aid, al] : list) all.push_back(al);
        app.engine().pipeline().set_alerts(a.source(), std::move(all));
        return;
    }
    case fleet::Kind::Announce: {
        auto& list = announcements_[a.source()];
        if (m.payload.empty()) {
            if (list.erase(a.id)) log_line("fleet: announcement " + a.id + " for " + fleet::target_label(a.target) + " removed");
        } else {
            auto ann = net::parse_announce_payload(m.payload, a.id);
            if (!ann) return refuse(m.topic, {ann.error().message}, wall);
            log_line("fleet: announcement " + a.id + " for " + fleet::target_label(a.target));
            list[a.id] = std::move(ann.value());
        }
        push_announcements(app, a.source(), wall);
        return;
    }
    case fleet::Kind::Command: {
        // A retained command would run again at every reconnect of every screen.
        if (m.retained) return refuse(m.topic, {"a retained command is never run (it would run again at every reconnect)"}, wall);
        auto c = net::parse_command_payload(m.payload);
        if (!c) return refuse(m.topic, {c.error().message}, wall);
        const std::string verb(fleet::verb_name(c->verb));
        log_line("fleet: command " + verb + (c->request.empty() ? "" : " (request " + c->request + ")") + " for " + fleet::target_label(a.target));
        if (c->verb == fleet::Command::Verb::Screenshot) {
            auto png = app.screenshot_png();
            const std::string reply_topic = fleet::screenshot_topic(id_.prefix, id_.screen, c->request);
            if (png && png->size() > fleet::kMaxScreenshotBytes) png = Error{ErrorCode::TooLarge, "the PNG is larger than 2 MiB"};
            if (!png) {
                log_line("fleet: screenshot: " + png.error().message);
                client_->publish(reply_topic, nlohmann::json{{"error", png.error().message}}.dump(), false);
            } else {
                client_->publish(reply_topic, png.value(), false);
            }
            return;
        }
        // The same verbs as the control socket: one implementation of next, pause, reload ...
        const std::string reply = app.control(nlohmann::json{{"verb", verb}}.dump(), t, wall);
        if (reply.find("\"ok\":true") == std::string::npos) log_line("fleet: command " + verb + ": " + reply);
        return;
    }
    }
}

void FleetAgent::apply_layers(App& app, const std::map<std::string, std::string>& before, const std::string& path, int64_t wall) {
    std::vector<ConfigLayer> layers = fleet::compose_layers(layers_, id_);
    ConfigReport r = app.engine().set_config_layers(layers, wall);
    if (!r.applied) {
        std::vector<std::string> errors = formatted(r.issues);
        if (errors.empty()) errors.push_back("the layers together are not a valid config");
        layers_ = before;
        app.engine().set_config_layers(fleet::compose_layers(layers_, id_), wall);
        return refuse(id_.prefix + "/config/" + path, errors, wall);
    }
    log_line("fleet: config layer " + path + (layers_.count(path) ? " applied" : " removed") + "; revision " +
             (layers.empty() ? std::string("none") : fleet::layers_revision(layers)));
    save_layers();
}

// The accepted layers on disk, so that a reboot without the broker shows the same content.
void FleetAgent::save_layers() {
    if (state_dir_.empty()) return;
    const fs::path dir = state_dir_ / kLayersDir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    for (const std::string& path : layer_paths(id_)) {
        const fs::path file = dir / layer_file(path);
        auto it = layers_.find(path);
        if (it == layers_.end()) {
            fs::remove(file, ec);
            continue;
        }
        if (auto w = write_atomic(file, it->second, Durability::Fsync); !w) log_line("fleet: cannot keep the layer: " + w.error().message);
    }
}

void FleetAgent::push_announcements(App& app, const std::string& source, int64_t wall) {
    std::vector<Announcement> active;
    next_expiry_ = 0;
    for (const auto& [src, items] : announcements_)
        for (const auto& [aid, ta] : items) {
            if (ta.expires && ta.expires <= wall) continue;
            if (ta.expires) next_expiry_ = next_expiry_ ? std::min(next_expiry_, ta.expires) : ta.expires;
            if (src == source) active.push_back(ta.announcement);
        }
    app.engine().pipeline().set_announcements(source, std::move(active));
}

fleet::ScreenState FleetAgent::state_of(App& app, int64_t wall) const {
    fleet::ScreenState s;
    s.screen = id_.screen;
    s.online = true;
    s.version = version();
    s.groups = id_.groups;
    s.time = wall;
    s.started = started_;
    s.mode = std::string(app.mode());
    if (const auto& card = app.show().current()) {
        if (card->kind == Card::Kind::News) s.card = card->source + " \xC2\xB7 " + card->entry.item.title;
        else s.card = "[" + std::string(card->kind == Card::Kind::Agenda ? "agenda" : "announcement") + "] " + card->entry.item.title;
    }
    if (!app.alerts().empty()) s.card = "[alert " + std::string(alert_level_name(app.alerts().front().level)) + "] " + app.alerts().front().text;
    if (s.card.size() > 512) s.card.resize(512);
    s.paused = app.show().paused();
    for (const FeedMetrics& f : app.engine().pipeline().feed_metrics()) {
        if (!f.status.error.empty()) s.feeds_failing.push_back(f.name.empty() ? f.url : f.name);
        else if (f.status.last_success) ++s.feeds_ok;
    }
    s.last_error = !last_error_.empty() ? last_error_ : app.engine().config_problem();
    s.config_revision = fleet::layers_revision(app.engine().config_layers());
    return s;
}

void FleetAgent::publish_state(App& app, int64_t wall, bool force) {
    if (!connected_) return;
    fleet::ScreenState s = state_of(app, wall);
    if (!force && published_ && fleet::same_except_time(*published_, s) && wall - published_at_ < kStateEverySeconds) return;
    const std::string topic = fleet::state_topic(id_.prefix, id_.screen);
    client_->publish(topic, net::state_payload(s), true);
    published_ = s;
    published_at_ = wall;
    s.online = false;
    client_->set_final_message(topic, net::state_payload(s));
}

}  // namespace nk::app
