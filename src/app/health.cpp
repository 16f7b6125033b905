#include "app/health.h"

#include "app/commands.h"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <list>
#include <mutex>
#include <thread>

namespace nk::app {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::ordered_json;

// A request head is a line and a few headers; anything bigger is not a monitoring probe.
constexpr std::size_t kMaxHead = 8 * 1024;
// After the answer, unread input (a POST body) is drained this long before closing, so the
// close does not turn into a reset that destroys the answer in the client's buffer.
constexpr auto kLinger = std::chrono::milliseconds(1000);
constexpr auto kPublishEvery = std::chrono::seconds(1);

std::string iso_utc(int64_t t) { return format_time("%Y-%m-%dT%H:%M:%SZ", t, true); }

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
    out["version"] = NK_VERSION;
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

// [SECTION] HTTP

const char* reason_phrase(int status) {
    switch (status) {
        case 200: return "OK";
        case 400: return "Bad Request";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 431: return "Request Header Fields Too Large";
        case 503: return "Service Unavailable";
        default: return "Error";
    }
}

std::string http_response(const HealthReply& r) {
    std::string s = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
    s += "Content-Type: " + r.content_type + "\r\n";
    s += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
    s += "Cache-Control: no-store\r\n";
    if (r.status == 405) s += "Allow: GET\r\n";
    s += "Connection: close\r\n\r\n";
    return s + r.body;
}

bool token_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// The end of the request head ("\r\n\r\n", or bare "\n\n" from hand-typed requests), or npos.
std::size_t head_end(std::string_view in) {
    std::size_t a = in.find("\r\n\r\n"), b = in.find("\n\n");
    if (a != std::string_view::npos && (b == std::string_view::npos || a + 2 <= b)) return a + 4;
    return b == std::string_view::npos ? std::string_view::npos : b + 2;
}

struct RequestLine {
    std::string method, path;
};

// The request line and header syntax, checked as far as telling garbage from a request needs.
std::optional<RequestLine> parse_head(std::string_view head) {
    std::size_t eol = head.find('\n');
    std::string_view line = head.substr(0, eol);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t sp1 = line.find(' ');
    std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp1 == 0 || sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) return std::nullopt;
    std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1), version = line.substr(sp2 + 1);
    if (!std::all_of(method.begin(), method.end(), token_char)) return std::nullopt;
    if (target.empty() || target.front() != '/') return std::nullopt;
    if (std::any_of(target.begin(), target.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
        return std::nullopt;
    if (version != "HTTP/1.1" && version != "HTTP/1.0") return std::nullopt;
    // Header lines: "Name: value", the name a token.
    std::string_view rest = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 1);
    while (!rest.empty()) {
        std::size_t e = rest.find('\n');
        std::string_view h = rest.substr(0, e);
        rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 1);
        if (!h.empty() && h.back() == '\r') h.remove_suffix(1);
        if (h.empty()) break;
        std::size_t colon = h.find(':');
        if (colon == 0 || colon == std::string_view::npos || !std::all_of(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(colon), token_char))
            return std::nullopt;
    }
    std::string_view path = target.substr(0, target.find('?'));
    return RequestLine{std::string(method), std::string(path)};
}

struct Fd {
    int fd = -1;
    explicit Fd(int f = -1) : fd(f) {}
    Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd = o.fd;
            o.fd = -1;
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    void reset() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

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

HealthSnapshot health_snapshot(const Engine& engine, int64_t wall_now) {
    HealthSnapshot s;
    s.feeds = engine.feed_metrics();
    s.wall_time = wall_now;
    s.stale_after_seconds = int64_t{engine.config().health.stale_after_minutes} * 60;
    return s;
}

// [SECTION] The server

struct HealthServer::Impl {
    HealthOptions opt;
    Fd listener;
    Fd wake_read, wake_write;  // a byte written at shutdown ends the poll
    uint16_t port = 0;
    std::thread thread;

    std::mutex mu;
    std::shared_ptr<const HealthSnapshot> snapshot;  // guarded by mu
    Clock::time_point published_at;                  // guarded by mu
    Clock::time_point last_publish{};                // main thread only (publish_due)
    bool published = false;                          // main thread only

    struct Conn {
        Fd fd;
        enum class State { Reading, Writing, Draining } state = State::Reading;
        std::string in, out;
        std::size_t sent = 0;
        Clock::time_point deadline;
    };
    std::list<Conn> conns;  // server thread only
    bool said_accept_error = false;

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

    HealthReply answer(std::string_view head) {
        std::optional<RequestLine> rl = parse_head(head);
        if (!rl) return text_reply(400, "bad request");
        if (rl->method != "GET") return text_reply(405, "method not allowed; only GET");
        std::shared_ptr<const HealthSnapshot> keep;
        return health_reply(rl->path, view(keep));
    }

    void respond(Conn& c, const HealthReply& r) {
        c.out = http_response(r);
        c.sent = 0;
        c.state = Conn::State::Writing;
        c.in.clear();
        c.in.shrink_to_fit();
    }

    // Returns false when the connection is finished and should be closed.
    bool on_readable(Conn& c) {
        char buf[4096];
        while (true) {
            ssize_t n = ::recv(c.fd.fd, buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
            if (n == 0) return false;  // the client went away (or, draining, finished)
            if (c.state == Conn::State::Draining) continue;
            c.in.append(buf, static_cast<std::size_t>(n));
            std::size_t end = head_end(c.in);
            if (end != std::string::npos && end <= kMaxHead) {
                respond(c, answer(std::string_view(c.in).substr(0, end)));
                return on_writable(c);
            }
            if (c.in.size() > kMaxHead) {
                respond(c, text_reply(431, "request head larger than 8 KiB"));
                return on_writable(c);
            }
        }
    }

    bool on_writable(Conn& c) {
        while (c.sent < c.out.size()) {
            ssize_t n = ::send(c.fd.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
            c.sent += static_cast<std::size_t>(n);
        }
        ::shutdown(c.fd.fd, SHUT_WR);
        c.state = Conn::State::Draining;
        c.deadline = std::min(c.deadline, Clock::now() + kLinger);
        return true;
    }

    void accept_all() {
        while (conns.size() < opt.max_clients) {
            int fd = ::accept4(listener.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED) continue;
                if (errno != EAGAIN && errno != EWOULDBLOCK && !said_accept_error) {
                    said_accept_error = true;  // e.g. out of file descriptors: said once, not per poll
                    if (opt.log) opt.log(std::string("health: accept: ") + std::strerror(errno));
                }
                return;
            }
            Conn c;
            c.fd = Fd(fd);
            c.deadline = Clock::now() + opt.client_timeout;
            conns.push_back(std::move(c));
        }
    }

    void run() {
        std::vector<pollfd> fds;
        while (true) {
            fds.clear();
            fds.push_back({wake_read.fd, POLLIN, 0});
            // A full house stops accepting; the kernel's backlog holds newcomers meanwhile.
            bool accepting = conns.size() < opt.max_clients;
            fds.push_back({accepting ? listener.fd : -1, POLLIN, 0});
            Clock::time_point now = Clock::now(), next = now + std::chrono::hours(1);
            for (const Conn& c : conns) {
                fds.push_back({c.fd.fd, static_cast<short>(c.state == Conn::State::Writing ? POLLOUT : POLLIN), 0});
                next = std::min(next, c.deadline);
            }
            auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count() + 1;
            int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::clamp<int64_t>(wait, 0, 3600 * 1000)));
            if (n < 0 && errno != EINTR) return;
            if (fds[0].revents) return;  // shutdown
            now = Clock::now();
            std::size_t i = 2;
            for (auto it = conns.begin(); it != conns.end(); ++i) {
                Conn& c = *it;
                bool keep = true;
                short ev = fds[i].revents;
                if (ev & (POLLERR | POLLNVAL)) keep = false;
                else if (ev & POLLOUT) keep = on_writable(c);
                else if (ev & (POLLIN | POLLHUP)) keep = on_readable(c);
                if (keep && now >= c.deadline) {
                    // A client that said nothing (or too little) in time gets a 408 if the
                    // socket takes it at once; a slow reader or a lingering close just ends.
                    if (c.state == Conn::State::Reading) {
                        respond(c, text_reply(408, "request timeout"));
                        on_writable(c);
                    }
                    keep = false;
                }
                it = keep ? std::next(it) : conns.erase(it);
            }
            if (accepting && (fds[1].revents & POLLIN)) accept_all();
        }
    }
};

HealthServer::HealthServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HealthServer::~HealthServer() {
    char b = 1;
    (void)!::write(impl_->wake_write.fd, &b, 1);
    if (impl_->thread.joinable()) impl_->thread.join();
}

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
    auto fail = [&](const char* what) -> std::unique_ptr<HealthServer> {
        log("health: cannot " + std::string(what) + " " + where + ": " + std::strerror(errno) + "; running without the status listener");
        return nullptr;
    };

    sockaddr_storage ss{};
    socklen_t len = 0;
    bool v6 = a.host.find(':') != std::string::npos;
    if (v6) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(a.port);
        if (::inet_pton(AF_INET6, a.host.c_str(), &s6->sin6_addr) != 1) {
            errno = EINVAL;
            return fail("listen on");
        }
        len = sizeof(sockaddr_in6);
    } else {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(a.port);
        if (::inet_pton(AF_INET, a.host.c_str(), &s4->sin_addr) != 1) {
            errno = EINVAL;
            return fail("listen on");
        }
        len = sizeof(sockaddr_in);
    }

    auto impl = std::make_unique<Impl>();
    impl->opt = std::move(options);
    impl->listener = Fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (impl->listener.fd < 0) return fail("create a socket for");
    int one = 1;
    // A restarted kiosk must get its port back while the old connections sit in TIME_WAIT.
    ::setsockopt(impl->listener.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(impl->listener.fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) return fail("listen on");
    if (::listen(impl->listener.fd, 16) != 0) return fail("listen on");
    sockaddr_storage bound{};
    socklen_t blen = sizeof bound;
    if (::getsockname(impl->listener.fd, reinterpret_cast<sockaddr*>(&bound), &blen) != 0) return fail("read the port of");
    impl->port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    int p[2];
    if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) return fail("create a wake-up pipe for");
    impl->wake_read = Fd(p[0]);
    impl->wake_write = Fd(p[1]);

    const std::string url = "http://" + host_for_url(a) + ":" + std::to_string(impl->port) + "/";
    if (impl->opt.log) impl->opt.log("health: listening on " + url + " (healthz, status.json, metrics)");
    Impl* raw = impl.get();
    impl->thread = std::thread([raw] { raw->run(); });
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

}  // namespace nk::app
