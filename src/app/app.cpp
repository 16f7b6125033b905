// SPDX-License-Identifier: Apache-2.0
#include "app/app.h"

#include "app/fleet.h"
#include "app/files.h"
#include "app/log.h"
#include "app/service.h"
#include "core/power.h"
#include "core/timefmt.h"
#include "feed/strings.h"
#include "net/control_socket.h"
#include "net/status_server.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <future>
#include <thread>

namespace nk::app {
namespace fs = std::filesystem;
namespace {

std::atomic<bool> g_stop{false};
extern "C" void nk_on_signal(int) { g_stop.store(true); }

std::tm local_time(int64_t wall) {
    std::time_t tt = static_cast<std::time_t>(wall);
    std::tm local{};
    localtime_r(&tt, &local);
    return local;
}

}  // namespace

double steady_now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int64_t wall_now() { return static_cast<int64_t>(std::time(nullptr)); }

App::App(AppOptions options, Platform& platform) : opt_(std::move(options)), platform_(platform) {}
App::~App() = default;

Result<std::unique_ptr<App>> App::create(AppOptions options, Platform& platform, int64_t wall) {
    std::unique_ptr<App> app(new App(std::move(options), platform));
    EngineOptions eo = app->opt_.engine;
    eo.wake = [&platform] { platform.wake(); };
    if (!eo.log) eo.log = log_line;
    auto engine = Engine::create(std::move(eo), wall);
    if (!engine) return engine.error();
    app->engine_ = std::move(engine).value();
    // The fleet's last good layers, before any card: a reboot without the broker shows what the
    // fleet last said.
    if (!app->config().fleet.broker.empty())
        if (auto id = fleet_identity(app->config().fleet))
            if (auto layers = saved_fleet_layers(default_state_dir(app->opt_.engine.state_dir), id.value(), log_line); !layers.empty())
                app->engine_->set_config_layers(std::move(layers), wall);
    return app;
}

struct App::Pending {
    std::string request;
    std::promise<std::string> reply;
};

void App::take_control_requests(double t, int64_t wall) {
    std::vector<std::shared_ptr<Pending>> batch;
    {
        std::lock_guard lock(control_mu_);
        batch.swap(control_inbox_);
    }
    for (auto& p : batch) p->reply.set_value(control(p->request, t, wall));
}

std::string App::control(const std::string& request, double t, int64_t wall) {
    using json = nlohmann::json;
    auto fail = [](const std::string& why) { return json{{"ok", false}, {"error", why}}.dump(); };
    json r = json::parse(request, nullptr, false);
    if (r.is_discarded() || !r.is_object() || !r.contains("verb") || !r["verb"].is_string())
        return fail("a request is one line of JSON with a \"verb\"");
    const std::string verb = r["verb"].get<std::string>();
    auto text_field = [&](const char* key) { return r.contains(key) && r[key].is_string() ? r[key].get<std::string>() : std::string(); };
    if (verb == "alert") {
        Alert a;
        a.text = std::string(str::trim(text_field("text")));
        if (a.text.empty()) return fail("an alert needs its text");
        if (a.text.size() > 4096) return fail("an alert's text is at most 4096 bytes");
        const std::string level = text_field("level");
        auto l = parse_alert_level(level.empty() ? "info" : level);
        if (!l) return fail("level must be info, warning or emergency (got \"" + level + "\")");
        a.level = *l;
        int64_t seconds = 3600;  // an alert nobody clears must still end: an hour unless told
        if (r.contains("for")) {
            if (!r["for"].is_number_integer() || r["for"].get<int64_t>() < 1 || r["for"].get<int64_t>() > 366 * 86400)
                return fail("\"for\" must be a number of seconds from 1 to a year");
            seconds = r["for"].get<int64_t>();
        }
        a.expires = wall + seconds;
        a.id = text_field("id");
        const std::string id = engine_->pipeline().send_alert(std::move(a), wall);
        log_line("control: alert " + id + " (" + (level.empty() ? "info" : level) + ", " + std::to_string(seconds) + " s)");
        alerts_ = engine_->pipeline().active_alerts(wall, local_tm(wall));
        return json{{"ok", true}, {"id", id}, {"expires", wall + seconds}}.dump();
    }
    if (verb == "clear") {
        const std::size_t n = engine_->pipeline().clear_alerts(text_field("id"));
        log_line("control: cleared " + std::to_string(n) + (n == 1 ? " alert" : " alerts"));
        alerts_ = engine_->pipeline().active_alerts(wall, local_tm(wall));
        return json{{"ok", true}, {"cleared", n}}.dump();
    }
    static const std::pair<const char*, Command> kVerbs[] = {{"next", Command::Next},   {"previous", Command::Previous},
                                                             {"pause", Command::Pause}, {"resume", Command::Resume},
                                                             {"reload", Command::Reload}};
    for (const auto& [name, c] : kVerbs)
        if (verb == name) {
            command(c, t, wall);
            return json{{"ok", true}}.dump();
        }
    return fail("unknown verb \"" + verb + "\"; known: alert, clear, next, previous, pause, resume, reload");
}

std::vector<StatusChange> App::advance(double t, int64_t wall) {
    take_control_requests(t, wall);
    if (fleet_) fleet_->pump(*this, t, wall);
    engine_->pump(wall);
    // Clock, dates and the power schedule read local time in the display's zone.
    if (const std::string& tz = config().display.timezone; tz != timezone_) {
        timezone_ = tz;
        if (tz.empty()) unsetenv("TZ");
        else setenv("TZ", tz.c_str(), 1);
        tzset();
    }
    alerts_ = engine_->pipeline().active_alerts(wall, local_tm(wall));
    show_.set_hold(!alerts_.empty() && alerts_.front().level == AlertLevel::Emergency, t);
    show_.update(engine_->pipeline(), t, wall);
    return engine_->pipeline().take_status_changes();
}

void App::command(Command c, double t, int64_t wall) {
    switch (c) {
    case Command::Next: show_.next(engine_->pipeline(), t, wall); break;
    case Command::Previous: show_.previous(engine_->pipeline(), t, wall); break;
    case Command::TogglePause: show_.toggle_pause(t); break;
    case Command::Pause:
        if (!show_.paused()) show_.toggle_pause(t);
        break;
    case Command::Resume:
        if (show_.paused()) show_.toggle_pause(t);
        break;
    case Command::Reload: engine_->fetch_all_now(wall); break;
    }
}

std::optional<net::FleetHealth> App::fleet_health() const {
    if (!fleet_) return std::nullopt;
    return fleet_->health();
}

std::string App::status_line() const {
    const Store& st = engine_->pipeline().store();
    std::size_t ok = 0, failing = 0, items = 0;
    for (const auto& url : st.feed_urls()) {
        const FeedStatus* f = st.find_status(url);
        if (!f) continue;
        items += f->item_count;
        if (!f->error.empty()) ++failing;
        else if (f->last_success) ++ok;
    }
    return std::to_string(ok) + " feeds ok, " + std::to_string(failing) + " failing; " + std::to_string(items) + " stories";
}

int App::run() {
    std::signal(SIGINT, nk_on_signal);
    std::signal(SIGTERM, nk_on_signal);
    if (!platform_.open(*this)) return 1;

    Service service;
    // It holds only copies of what was published. The listen address is read once: a changed
    // [health] listen takes a restart (the pipeline's config report says so).
    std::unique_ptr<net::HealthServer> health = net::HealthServer::start_for(opt_.health, config(), log_line);
    // Requests wait on the main thread's answer, so a stuck loop answers no one: bounded.
    const fs::path socket = opt_.control_socket.empty() ? net::default_control_socket() : opt_.control_socket;
    auto control = net::ControlServer::start(socket, [this](const std::string& request) {
        auto p = std::make_shared<Pending>();
        p->request = request;
        std::future<std::string> reply = p->reply.get_future();
        {
            std::lock_guard lock(control_mu_);
            control_inbox_.push_back(p);
        }
        platform_.wake();
        if (reply.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
            return nlohmann::json{{"ok", false}, {"error", "the kiosk did not answer in time"}}.dump();
        return reply.get();
    });
    if (control) log_line("control: listening on " + socket.string());
    else log_line("control: " + control.error().message + "; running without the control socket");
    const double t0 = steady_now();
    const int64_t started = wall_now();
    // [fleet] is read once: a changed broker or screen id takes a restart.
    fleet_ = FleetAgent::start(config(), default_state_dir(opt_.engine.state_dir), [this] { platform_.wake(); }, started);
    uint64_t loops = 0;
    bool screen = true;
    // NK_DEBUG_HANG_AFTER=S: the loop stops advancing after S seconds (it only waits for SIGTERM),
    // so tests can see the watchdog pings stop as they would with a real hang.
    const char* hang_env = std::getenv("NK_DEBUG_HANG_AFTER");
    const double hang_at = hang_env ? t0 + std::atof(hang_env) : -1;
    while (!g_stop.load()) {
        const double t = steady_now();
        const int64_t wall = wall_now();
        if (hang_at >= 0 && t >= hang_at) {
            log_line(std::string(platform_.mode()) + ": NK_DEBUG_HANG_AFTER: the loop hangs now (debug hook)");
            while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
            break;
        }
        service.alive(t);
        platform_.status_changed(advance(t, wall));
        ++loops;
        service.status(status_line());
        // While the screen is off nothing is drawn (a swap may block on a display that is off), but
        // the loop keeps turning, so the watchdog and /healthz stay fed.
        const std::tm local = local_time(wall);
        const bool now_on = !platform_.has_screen() || screen_on(config().power, local);
        if (now_on != screen) {
            screen = now_on;
            log_line(std::string("display: screen ") + (screen ? "on" : "off") + " by the [power] schedule");
        }
        if (health && health->publish_due()) {
            net::HealthSnapshot snap;
            snap.feeds = engine_->pipeline().feed_metrics();
            snap.wall_time = wall;
            snap.stale_after_seconds = int64_t{config().health.stale_after_minutes} * 60;
            snap.mode = std::string(platform_.mode());
            snap.started_at = started;
            snap.loops = loops;
            snap.frames = platform_.frames();
            if (platform_.has_screen()) snap.screen_on = screen;
            snap.config_problem = engine_->config_problem();
            snap.cache_problem = engine_->cache_problem();
            if (fleet_) snap.fleet = fleet_->health();
            health->publish(std::move(snap));
        }
        platform_.present(*this, t, wall, screen);
        if (platform_.shown()) service.ready();
        if (platform_.finished()) break;
        if (opt_.duration > 0 && t - t0 >= opt_.duration) break;

        double wake = screen ? platform_.next_turn(t)
                             : t + static_cast<double>(std::min<int64_t>(seconds_until_change(config().power, local), 60));
        wake = std::min({wake, show_.next_change(), t + static_cast<double>(engine_->next_deadline(wall) - wall)});
        // Schedules (announcements, alerts) turn on minute boundaries; a sent alert ends at its expiry.
        wake = std::min(wake, t + static_cast<double>(60 - wall % 60));
        for (const Alert& a : alerts_)
            if (a.expires > wall) wake = std::min(wake, t + static_cast<double>(a.expires - wall));
        if (opt_.duration > 0) wake = std::min(wake, t0 + opt_.duration);
        // Capped so that a signal is noticed within a second and the watchdog is fed; waking
        // costs no frame.
        const double wait = std::min(service.max_sleep(), wake - steady_now());
        platform_.wait(std::max(wait, 0.0));
    }
    // Whatever came in meanwhile gets its answer before the socket goes.
    take_control_requests(steady_now(), wall_now());
    if (control) control.value().reset();
    fleet_.reset();  // the retained "offline" state goes out before the process does
    return platform_.close(*this);
}

}  // namespace nk::app
