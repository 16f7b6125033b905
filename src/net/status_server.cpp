// SPDX-License-Identifier: Apache-2.0
#include "net/status_server.h"

#include "core/version.h"

#include <microhttpd.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>

namespace nk::net {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::ordered_json;

constexpr auto kPublishEvery = std::chrono::seconds(1);

// [SECTION] The answers

std::string iso_utc(int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    return std::string(buf, std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm));
}

json time_or_null(int64_t t) { return t > 0 ? json(iso_utc(t)) : json(nullptr); }

std::string seconds_text(double s) { return std::to_string(static_cast<int64_t>(std::floor(s))); }

// One line saying why /healthz is not "ok", or "" when it is.
std::string unhealthy_reason(const HealthView& v) {
    if (!v.snapshot) return "starting: the main loop has not reported yet";
    if (v.silence_seconds > v.max_silence_seconds)
        return "main loop stalled: no update for " + seconds_text(v.silence_seconds) + " s (limit " +
               seconds_text(v.max_silence_seconds) + " s)";
    const HealthSnapshot& s = *v.snapshot;
    if (s.feeds.empty()) return "no feeds configured";
    int64_t newest = 0;
    for (const FeedMetrics& f : s.feeds) newest = std::max(newest, f.status.last_success);
    if (newest == 0) return "content stale: no feed has been fetched successfully yet";
    if (v.wall_now - newest > s.stale_after_seconds)
        return "content stale: the newest successful fetch was " + std::to_string((v.wall_now - newest) / 60) +
               " min ago (limit " + std::to_string(s.stale_after_seconds / 60) + " min)";
    return {};
}

bool feed_ok(const FeedMetrics& f) { return f.status.error.empty() && f.status.last_success > 0; }

std::string status_json(const HealthView& v) {
    const HealthSnapshot& s = *v.snapshot;
    std::string reason = unhealthy_reason(v);
    json feeds = json::array();
    for (const FeedMetrics& f : s.feeds) {
        json j;
        j["url"] = f.url;
        j["name"] = f.name;
        j["ok"] = feed_ok(f);
        j["error"] = f.status.error.empty() ? json(nullptr) : json(f.status.error);
        j["http_status"] = f.status.http_status;
        j["items"] = f.status.item_count;
        j["fetches"] = f.fetches;
        j["fetch_errors"] = f.errors;
        j["bytes"] = f.bytes;
        j["last_success"] = time_or_null(f.status.last_success);
        j["last_attempt"] = time_or_null(f.status.last_attempt);
        j["next_fetch"] = f.next_fetch ? time_or_null(*f.next_fetch) : json(nullptr);
        j["stale_since"] = f.status.stale_since ? time_or_null(*f.status.stale_since) : json(nullptr);
        j["gone"] = f.status.gone;
        feeds.push_back(std::move(j));
    }
    json out;
    out["version"] = version();
    out["healthy"] = reason.empty();
    out["reason"] = reason.empty() ? "ok" : reason;
    out["now"] = iso_utc(v.wall_now);
    out["loop"] = {
        {"mode", s.mode},
        {"started", time_or_null(s.started_at)},
        {"uptime_seconds", s.started_at > 0 ? std::max<int64_t>(0, v.wall_now - s.started_at) : 0},
        {"iterations", s.loops},
        {"frames", s.frames},
        {"last_update", time_or_null(s.wall_time)},
        {"seconds_since_update", std::floor(v.silence_seconds * 10) / 10},
        {"screen_on", s.screen_on ? json(*s.screen_on) : json(nullptr)},
    };
    out["stale_after_seconds"] = s.stale_after_seconds;
    // Trouble that does not stop the screen (it runs on the last good config, or from memory)
    // but needs a person.
    auto problem = [](const std::string& p) { return json{{"ok", p.empty()}, {"problem", p.empty() ? json(nullptr) : json(p)}}; };
    out["config"] = problem(s.config_problem);
    out["cache"] = problem(s.cache_problem);
    if (s.fleet) {
        const FleetHealth& f = *s.fleet;
        out["fleet"] = {{"connected", f.connected},
                        {"broker", f.broker},
                        {"screen", f.screen},
                        {"groups", f.groups},
                        {"since", f.since ? time_or_null(f.since) : json(nullptr)},
                        {"problem", f.problem.empty() ? json(nullptr) : json(f.problem)},
                        {"last_error", f.last_error.empty() ? json(nullptr) : json(f.last_error)},
                        {"config_revision", f.config_revision.empty() ? json(nullptr) : json(f.config_revision)}};
    } else {
        out["fleet"] = nullptr;
    }
    out["feeds"] = std::move(feeds);
    return out.dump(2) + "\n";
}

std::string metrics_text(const HealthView& v) {
    const HealthSnapshot& s = *v.snapshot;
    std::string out;
    auto head = [&](const char* name, const char* type, const char* help) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    };
    auto per_feed = [&](const char* name, const char* type, const char* help, auto value) {
        head(name, type, help);
        for (const FeedMetrics& f : s.feeds) out += std::string(name) + "{feed=\"" + prometheus_label(f.url) + "\"} " + value(f) + "\n";
    };
    auto n = [](uint64_t x) { return std::to_string(x); };
    bool loop_alive = v.silence_seconds <= v.max_silence_seconds;
    head("newsroom_kiosk_build_info", "gauge", "Always 1; the version label names the release and, in development builds, the commit.");
    out += std::string("newsroom_kiosk_build_info{version=\"") + prometheus_label(version()) + "\"} 1\n";
    head("newsroom_kiosk_up", "gauge", "1 while the kiosk's main loop keeps reporting, 0 when it stalled.");
    out += std::string("newsroom_kiosk_up ") + (loop_alive ? "1" : "0") + "\n";
    head("newsroom_kiosk_healthy", "gauge", "1 when /healthz answers 200 (loop running and content fresh).");
    out += std::string("newsroom_kiosk_healthy ") + (unhealthy_reason(v).empty() ? "1" : "0") + "\n";
    head("newsroom_kiosk_frames_total", "counter", "Frames rendered since start (0 in headless mode).");
    out += "newsroom_kiosk_frames_total " + n(s.frames) + "\n";
    head("newsroom_kiosk_loop_iterations_total", "counter", "Main loop iterations since start.");
    out += "newsroom_kiosk_loop_iterations_total " + n(s.loops) + "\n";
    head("newsroom_kiosk_start_time_seconds", "gauge", "Unix time the main loop started.");
    out += "newsroom_kiosk_start_time_seconds " + std::to_string(s.started_at) + "\n";
    head("newsroom_kiosk_config_ok", "gauge", "0 while the config file is invalid and the kiosk runs on its last good copy.");
    out += std::string("newsroom_kiosk_config_ok ") + (s.config_problem.empty() ? "1" : "0") + "\n";
    head("newsroom_kiosk_cache_ok", "gauge", "0 while the disk cache cannot be written (full or read-only disk).");
    out += std::string("newsroom_kiosk_cache_ok ") + (s.cache_problem.empty() ? "1" : "0") + "\n";
    if (s.fleet) {
        head("newsroom_kiosk_fleet_connected", "gauge", "1 while connected to the fleet's MQTT broker.");
        out += std::string("newsroom_kiosk_fleet_connected ") + (s.fleet->connected ? "1" : "0") + "\n";
    }
    if (s.screen_on) {
        head("newsroom_kiosk_screen_on", "gauge", "1 while the power schedule has the screen on.");
        out += std::string("newsroom_kiosk_screen_on ") + (*s.screen_on ? "1" : "0") + "\n";
    }
    per_feed("newsroom_kiosk_fetches_total", "counter", "Feed fetches completed, any outcome.",
             [&](const FeedMetrics& f) { return n(f.fetches); });
    per_feed("newsroom_kiosk_fetch_errors_total", "counter", "Feed fetches that failed (network, HTTP or parse error).",
             [&](const FeedMetrics& f) { return n(f.errors); });
    per_feed("newsroom_kiosk_bytes_total", "counter", "Feed body bytes received, after decompression.",
             [&](const FeedMetrics& f) { return n(f.bytes); });
    per_feed("newsroom_kiosk_items", "gauge", "Items held for the feed.", [&](const FeedMetrics& f) { return n(f.status.item_count); });
    per_feed("newsroom_kiosk_feed_ok", "gauge", "1 when the feed's last fetch succeeded.",
             [&](const FeedMetrics& f) { return std::string(feed_ok(f) ? "1" : "0"); });
    per_feed("newsroom_kiosk_last_success_timestamp_seconds", "gauge", "Unix time of the feed's last successful fetch (0: never).",
             [&](const FeedMetrics& f) { return std::to_string(f.status.last_success); });
    return out;
}

HealthReply text_reply(int status, std::string line) { return {status, "text/plain; charset=utf-8", std::move(line) + "\n"}; }

// libmicrohttpd passes any bytes up to the first space as the method; RFC 9110 says a token.
bool token_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string host_for_url(const ListenAddress& a) { return a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host; }

}  // namespace

// [SECTION] Public helpers

std::string prometheus_label(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

HealthReply health_reply(std::string_view path, const HealthView& view) {
    if (path == "/healthz") {
        std::string reason = unhealthy_reason(view);
        return reason.empty() ? text_reply(200, "ok") : text_reply(503, reason);
    }
    if (path == "/status.json") {
        if (!view.snapshot) return text_reply(503, unhealthy_reason(view));
        return {200, "application/json", status_json(view)};
    }
    if (path == "/metrics") {
        if (!view.snapshot) return text_reply(503, unhealthy_reason(view));
        return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_text(view)};
    }
    return text_reply(404, "not found; try /healthz, /status.json or /metrics");
}

// [SECTION] The server

namespace {

// The limits. A monitor, a Prometheus scrape and an admin's browser need a handful of
// connections; the rest is room for a crowd of idle, slow or half-open clients to sit in
// without turning a probe away, because libmicrohttpd (one thread, poll()) serves whoever is
// ready, however many others are silent.
//  - HealthOptions::max_clients (512) in all: each costs a file descriptor and a connection
//    pool (kConnectionMemory), so 512 is at most 4 MiB, and under the usual soft limit of 1024
//    descriptors it leaves kFdReserve and more for the kiosk's own work (curl's transfers, the
//    disk cache, fonts, GL). A lower soft limit lowers it (start()).
//  - kPerAddress (16) beyond loopback: a browser opens six at most, a monitor one; with 16, one
//    host cannot take more than a thirty-second of the slots. None on a loopback listener
//    (HealthOptions::max_clients_per_ip says why).
//  - client_timeout (3 s): a probe on a LAN sends its request in milliseconds; whoever says
//    nothing for 3 s gives its slot back, so even a full house drains within seconds.
//  - kListenBacklog (1024): the kernel's queue of connections not yet accepted, while every
//    slot is taken (the daemon then stops accepting) or a burst arrives faster than the daemon
//    accepts (one per poll round: about 10,000 a second with 250 connections held, measured on
//    a 2-core x86 box). A burst of a thousand waits there instead of being dropped (a dropped
//    connect is retried by the client only after a second); a probe queued behind a full
//    backlog still waits only about 0.1 s. The kernel caps it at net.core.somaxconn.
constexpr std::size_t kFdReserve = 256;
constexpr std::size_t kPerAddress = 16;
constexpr unsigned kListenBacklog = 1024;
// A request head that does not fit is answered 431 by libmicrohttpd: no probe sends 8 KiB.
constexpr std::size_t kConnectionMemory = 8 * 1024;
// The daemon's messages come from its thread, per connection (a limit reached, say): each kind
// is said at most this often, so a crowd of clients does not flood the journal.
constexpr auto kSayAgainAfter = std::chrono::minutes(1);
// What one client did wrong (garbage answered 400, 413 or 431; a request cut off midway) is
// not the kiosk's news, and the old listener never logged it either.
constexpr std::string_view kClientFaults[] = {"Error processing request", "Too large value of 'Content-Length'",
                                              "Failed to parse `Content-Length'",
                                              "Connection was closed by remote side with incomplete request"};

}  // namespace

struct HealthServer::Impl {
    HealthOptions opt;
    MHD_Daemon* daemon = nullptr;
    uint16_t port = 0;

    std::mutex mu;
    std::shared_ptr<const HealthSnapshot> snapshot;  // guarded by mu
    Clock::time_point published_at;                  // guarded by mu
    Clock::time_point last_publish{};                // main thread only (publish_due)
    bool published = false;                          // main thread only

    std::mutex log_mu;
    // While start() runs, what libmicrohttpd says is kept, not said: a failure is one line.
    bool starting = true;                                  // guarded by log_mu
    std::string start_message;                             // guarded by log_mu
    std::map<const char*, Clock::time_point> said;         // guarded by log_mu; by format string

    ~Impl() {
        if (daemon) MHD_stop_daemon(daemon);  // closes every connection and joins the thread
    }

    Clock::time_point steady() const { return opt.steady_clock ? opt.steady_clock() : Clock::now(); }

    HealthView view(std::shared_ptr<const HealthSnapshot>& keep) {
        HealthView v;
        Clock::time_point at;
        {
            std::lock_guard lock(mu);
            keep = snapshot;
            at = published_at;
        }
        v.snapshot = keep.get();
        v.silence_seconds = keep ? std::chrono::duration<double>(steady() - at).count() : 0;
        v.max_silence_seconds = std::chrono::duration<double>(opt.max_silence).count();
        v.wall_now = opt.wall_clock ? opt.wall_clock() : static_cast<int64_t>(std::time(nullptr));
        return v;
    }

    // libmicrohttpd's request callback, on its thread. It has parsed the head and refused what
    // it cannot parse (400), too large (431) or too slow (closed); the rest is ours.
    static MHD_Result on_request(void* cls, MHD_Connection* connection, const char* url, const char* method,
                                 const char* version, const char* /*upload_data*/, size_t* /*upload_data_size*/,
                                 void** /*con_cls*/) {
        Impl& self = *static_cast<Impl*>(cls);
        std::string_view v(version);
        HealthReply r;
        std::string_view m(method);
        if ((v != MHD_HTTP_VERSION_1_1 && v != MHD_HTTP_VERSION_1_0) || url[0] != '/' || m.empty() ||
            !std::all_of(m.begin(), m.end(), token_char)) {
            r = text_reply(400, "bad request");
        } else if (m != MHD_HTTP_METHOD_GET) {
            r = text_reply(405, "method not allowed; only GET");
        } else {
            std::shared_ptr<const HealthSnapshot> keep;
            r = health_reply(url, self.view(keep));
        }
        // The body is copied: `r` is gone before the answer is sent.
        MHD_Response* response =
            MHD_create_response_from_buffer(r.body.size(), const_cast<char*>(r.body.data()), MHD_RESPMEM_MUST_COPY);
        if (!response) return MHD_NO;  // out of memory: the connection is closed
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type.c_str());
        MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        if (r.status == 405) MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET");
        // One request per connection: a probe gains nothing from keep-alive, and an idle
        // kept-alive connection would hold a slot.
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
        MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(r.status), response);
        MHD_destroy_response(response);
        return queued;
    }

    // The path as sent: "/health%7A" is not "/healthz" (libmicrohttpd would decode it).
    static size_t keep_escapes(void* /*cls*/, MHD_Connection* /*connection*/, char* s) { return std::strlen(s); }

    __attribute__((format(printf, 2, 0))) static void on_log(void* cls, const char* fmt, va_list ap) {
        Impl& self = *static_cast<Impl*>(cls);
        char buf[512];
        std::vsnprintf(buf, sizeof buf, fmt, ap);
        std::string line(buf);
        for (std::string_view fault : kClientFaults)
            if (line.rfind(fault, 0) == 0) return;
        while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
        std::lock_guard lock(self.log_mu);
        if (self.starting) {
            self.start_message = std::move(line);
            return;
        }
        const Clock::time_point now = Clock::now();
        auto [it, first] = self.said.try_emplace(fmt, now);
        if (!first && now - it->second < kSayAgainAfter) return;
        it->second = now;
        if (self.opt.log) self.opt.log("health: " + line);
    }
};

HealthServer::HealthServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HealthServer::~HealthServer() = default;

std::unique_ptr<HealthServer> HealthServer::start(HealthOptions options) {
    // A copy: `options` moves into the server below, and a failure after that is still said.
    auto log = [say = options.log](const std::string& line) {
        if (say) say(line);
    };
    auto addr = parse_listen_address(options.listen);
    if (!addr) {
        log("health: " + addr.error().message + "; running without the status listener");
        return nullptr;
    }
    const ListenAddress& a = addr.value();
    const std::string where = host_for_url(a) + ":" + std::to_string(a.port);
    auto fail = [&](const std::string& why) -> std::unique_ptr<HealthServer> {
        log("health: cannot listen on " + where + ": " + why + "; running without the status listener");
        return nullptr;
    };

    sockaddr_storage ss{};
    const bool v6 = a.host.find(':') != std::string::npos;
    if (v6) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(a.port);
        if (::inet_pton(AF_INET6, a.host.c_str(), &s6->sin6_addr) != 1) return fail(std::strerror(EINVAL));
    } else {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(a.port);
        if (::inet_pton(AF_INET, a.host.c_str(), &s4->sin_addr) != 1) return fail(std::strerror(EINVAL));
    }

    std::size_t max_clients = std::max<std::size_t>(options.max_clients, 1);
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
        const std::size_t soft = files.rlim_cur;
        const std::size_t room = soft > 2 * kFdReserve ? soft - kFdReserve : soft / 2;
        if (max_clients > room) {
            max_clients = room;
            log("health: at most " + std::to_string(room) + " connections at once (the process may open " +
                std::to_string(soft) + " files)");
        }
    }
    const bool loopback = v6 ? IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr)
                             : (ntohl(reinterpret_cast<sockaddr_in*>(&ss)->sin_addr.s_addr) >> 24) == 127;
    // 0: no per-address limit.
    const auto per_ip = static_cast<unsigned>(std::min(options.max_clients_per_ip.value_or(loopback ? 0 : kPerAddress), max_clients));
    const auto timeout = static_cast<unsigned>(std::max<int64_t>(options.client_timeout.count(), 1));  // 0 would be none

    auto impl = std::make_unique<Impl>();
    impl->opt = std::move(options);
    Impl* raw = impl.get();
    // poll(), not epoll: libmicrohttpd 0.9.75's edge-triggered epoll takes a short read as
    // "drained", so a client that sends a few bytes and closes at once is not seen to close and
    // holds its slot until the timeout; a loop of such clients filled all 512 slots in tests.
    // poll() is level-triggered and sees the close. [::] takes IPv4 too, as a plain Linux socket
    // does (bindv6only=0) and as it always has here.
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_DUAL_STACK : 0);
    errno = 0;
    // The logger first, so that nothing goes to stderr on its own; the port argument is unused
    // with MHD_OPTION_SOCK_ADDR.
    raw->daemon = MHD_start_daemon(flags, 0, nullptr, nullptr, &Impl::on_request, raw,
                                   MHD_OPTION_EXTERNAL_LOGGER, &Impl::on_log, raw,
                                   MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&ss),
                                   MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned>(max_clients),
                                   MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
                                   MHD_OPTION_CONNECTION_TIMEOUT, timeout,
                                   MHD_OPTION_LISTEN_BACKLOG_SIZE, kListenBacklog,
                                   MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemory,
                                   MHD_OPTION_UNESCAPE_CALLBACK, &Impl::keep_escapes, nullptr,
                                   MHD_OPTION_END);
    const int err = errno;
    if (!raw->daemon) {
        // errno is bind()'s (in use, no permission, no such address) when that is what failed;
        // else libmicrohttpd's own words.
        std::lock_guard lock(raw->log_mu);
        return fail(err != 0 ? std::strerror(err)
                    : !raw->start_message.empty() ? raw->start_message
                                                  : std::string("libmicrohttpd could not start"));
    }
    const MHD_DaemonInfo* info = MHD_get_daemon_info(raw->daemon, MHD_DAEMON_INFO_BIND_PORT);
    raw->port = info ? info->port : a.port;

    const std::string url = "http://" + host_for_url(a) + ":" + std::to_string(raw->port) + "/";
    log("health: listening on " + url + " (healthz, status.json, metrics)");
    {
        std::lock_guard lock(raw->log_mu);
        raw->starting = false;
        if (!raw->start_message.empty()) log("health: " + raw->start_message);  // a warning while starting
    }
    return std::unique_ptr<HealthServer>(new HealthServer(std::move(impl)));
}

std::unique_ptr<HealthServer> HealthServer::start_for(const std::string& command_line_listen, const Config& config,
                                                      std::function<void(const std::string&)> log) {
    HealthOptions o;
    o.listen = !command_line_listen.empty() ? command_line_listen : config.health.listen;
    if (o.listen.empty()) return nullptr;
    o.log = std::move(log);
    return start(std::move(o));
}

uint16_t HealthServer::port() const { return impl_->port; }

std::size_t HealthServer::connections() const {
    const MHD_DaemonInfo* info = MHD_get_daemon_info(impl_->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info ? info->num_connections : 0;
}

bool HealthServer::publish_due() const { return !impl_->published || impl_->steady() - impl_->last_publish >= kPublishEvery; }

void HealthServer::publish(HealthSnapshot snapshot) {
    auto next = std::make_shared<const HealthSnapshot>(std::move(snapshot));
    Clock::time_point now = impl_->steady();
    impl_->last_publish = now;
    impl_->published = true;
    {
        std::lock_guard lock(impl_->mu);
        next.swap(impl_->snapshot);
        impl_->published_at = now;
    }
    // The old snapshot (in `next`) is freed here, outside the lock; if a request still holds
    // it, the server thread frees it instead.
}

}  // namespace nk::net
