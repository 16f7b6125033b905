#include "app/commands.h"

#include "app/engine.h"
#include "net/status_server.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>
#include <string>

namespace nk::app {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop.store(true); }

int64_t unix_now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string clock_text(int64_t t) { return format_time("%H:%M:%S", t); }

}  // namespace

int journal_priority(std::string_view line) {
    auto has = [&](std::string_view w) { return line.find(w) != std::string_view::npos; };
    if (has("error") || has("cannot") || has("refused")) return 3;
    if (has("failing") || has("warning")) return 4;
    return 6;
}

std::string format_time(const std::string& fmt, int64_t t, bool utc) {
    if (fmt.empty()) return {};
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (utc) gmtime_r(&tt, &tm);
    else localtime_r(&tt, &tm);
    char buf[128];
    std::size_t n = std::strftime(buf, sizeof buf, fmt.c_str(), &tm);
    std::string s(buf, n);
    while (!s.empty() && s.front() == ' ') s.erase(s.begin());
    for (std::size_t p; (p = s.find("  ")) != std::string::npos;) s.erase(p, 1);
    return s;
}

std::string relative_age(int64_t then, int64_t now) {
    int64_t d = now - then;
    if (d < 60) return "just now";
    if (d < 3600) return std::to_string(d / 60) + " min ago";
    if (d < 86400) return std::to_string(d / 3600) + " h ago";
    if (d < 2 * 86400) return "yesterday";
    return std::to_string(d / 86400) + " days ago";
}

int headless_command(const HeadlessArgs& args) {
    std::mutex mu;
    std::condition_variable cv;
    bool woken = false;
    EngineOptions opt;
    opt.config_path = args.config_path;
    opt.feed_urls = args.feed_urls;
    opt.cache_dir = args.cache_dir;
    opt.wake = [&] {
        {
            std::lock_guard lock(mu);
            woken = true;
        }
        cv.notify_one();
    };
    opt.log = [](const std::string& line) { std::cerr << "newsroom-kiosk: " << line << std::endl; };
    auto log = opt.log;  // the engine takes its own copy

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    const int64_t start = unix_now();
    auto created = Engine::create(opt, start);
    if (!created) {
        std::cerr << "newsroom-kiosk: " << created.error().message << "\n";
        return 1;
    }
    Engine& engine = *created.value();
    // It holds only copies of what was published, so it may outlive or predate the engine. The
    // listen address is read once: a changed [health] listen takes a restart.
    std::unique_ptr<net::HealthServer> health = net::HealthServer::start_for(args.health, engine.config(), log);
    const int64_t end = args.duration_seconds > 0 ? start + args.duration_seconds : INT64_MAX;
    int64_t card_due = start;  // the first card comes at once, from the cache if there is one
    bool said_empty = false;
    uint64_t loops = 0;
    while (!g_stop.load()) {
        int64_t now = unix_now();
        if (now >= end) break;
        engine.pump(now);
        ++loops;
        if (health && health->publish_due()) {
            net::HealthSnapshot snap = health_snapshot(engine, now);
            snap.mode = "headless";
            snap.started_at = start;
            snap.loops = loops;
            health->publish(std::move(snap));
        }
        for (const StatusChange& c : engine.take_status_changes())
            std::cout << clock_text(now) << "  [feed] " << c.source << ": " << (c.ok ? "recovered" : "error: " + c.message)
                      << std::endl;
        if (now >= card_due) {
            if (auto card = engine.next_card(now)) {
                std::cout << clock_text(now) << "  " << card->source << "  ·  " << relative_age(card->entry.time, now)
                          << "  ·  " << card->entry.item.title << std::endl;
                card_due = now + std::max<int64_t>(1, static_cast<int64_t>(card->dwell_seconds + 0.5));
                said_empty = false;
            } else {
                if (!said_empty) std::cout << clock_text(now) << "  (no items yet; waiting for the feeds)" << std::endl;
                said_empty = true;
                card_due = now + 1;
            }
        }
        int64_t wake_at = std::min({card_due, engine.next_deadline(now), end});
        std::unique_lock lock(mu);
        // Short slices so a signal is noticed promptly without a self-pipe.
        auto until = std::chrono::system_clock::from_time_t(static_cast<std::time_t>(wake_at));
        auto slice = std::chrono::system_clock::now() + std::chrono::milliseconds(250);
        cv.wait_until(lock, std::min(until, slice), [&] { return woken || g_stop.load(); });
        woken = false;
    }
    std::cout << clock_text(unix_now()) << "  stopped" << std::endl;
    return 0;
}

}  // namespace nk::app
