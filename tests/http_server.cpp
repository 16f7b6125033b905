// SPDX-License-Identifier: Apache-2.0
// http_server.cpp: thread per connection; every wait polls the socket and a shutdown pipe, so the
// destructor never waits out a scripted delay.
#include "http_server.h"
#include "feed/strings.h"
#include "net/fetcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace nk::test {

namespace {

using str::iequals;
using str::trim;

std::string reason_for(int status) {
    const char* r = net::http_reason(status);
    return *r ? r : "Status";
}

// A developer's http_proxy must not capture loopback tests (curl honours it for 127.0.0.1 too).
// Set during static initialisation, before any test thread can read the environment.
struct LoopbackBypassesProxy {
    LoopbackBypassesProxy() {
        for (const char* name : {"no_proxy", "NO_PROXY"}) {
            const char* old = std::getenv(name);
            std::string v = old && *old ? std::string(old) + ",127.0.0.1" : std::string("127.0.0.1");
            ::setenv(name, v.c_str(), 1);
        }
    }
} loopback_bypasses_proxy;

bool bodiless(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

std::string deflate_stream(const std::function<bool(z_stream&, std::string&)>& feed) {
    z_stream zs{};
    if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    std::string out;
    std::string chunk(64 * 1024, '\0');
    std::string input;
    bool more = true;
    while (true) {
        if (zs.avail_in == 0 && more) {
            more = feed(zs, input);
        }
        int flush = more ? Z_NO_FLUSH : Z_FINISH;
        zs.next_out = reinterpret_cast<Bytef*>(chunk.data());
        zs.avail_out = static_cast<uInt>(chunk.size());
        int rc = deflate(&zs, flush);
        out.append(chunk.data(), chunk.size() - zs.avail_out);
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            deflateEnd(&zs);
            throw std::runtime_error("deflate failed");
        }
    }
    deflateEnd(&zs);
    return out;
}

}  // namespace

std::string gzip(std::string_view data) {
    bool given = false;
    return deflate_stream([&](z_stream& zs, std::string&) {
        if (given) return false;
        given = true;
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
        zs.avail_in = static_cast<uInt>(data.size());
        return false;  // all input given: finish
    });
}

std::string gzip_zeros(std::size_t n) {
    std::size_t left = n;
    return deflate_stream([&](z_stream& zs, std::string& buf) {
        if (buf.empty()) buf.assign(1 << 20, '\0');
        std::size_t take = std::min(left, buf.size());
        left -= take;
        zs.next_in = reinterpret_cast<Bytef*>(buf.data());
        zs.avail_in = static_cast<uInt>(take);
        return left > 0;
    });
}

std::string http_date(int64_t unix_seconds) {
    time_t t = static_cast<time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
                  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::string Request::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return v;
    return {};
}

bool Request::has_header(std::string_view name) const {
    return std::any_of(headers.begin(), headers.end(), [&](const auto& kv) { return iequals(kv.first, name); });
}

Response Response::ok(std::string body, std::string content_type) {
    Response r;
    r.body = std::move(body);
    r.headers.emplace_back("Content-Type", std::move(content_type));
    return r;
}

Response Response::redirect(std::string location, int status) {
    Response r;
    r.status = status;
    r.headers.emplace_back("Location", std::move(location));
    return r;
}

Response Response::status_only(int status) {
    Response r;
    r.status = status;
    return r;
}

Response& Response::header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
}

HttpServer::HttpServer() {
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed");
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (listen_fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 256) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        int e = errno;
        ::close(listen_fd_);
        ::close(wake_[0]);
        ::close(wake_[1]);
        throw std::runtime_error(std::string("cannot listen on 127.0.0.1: ") + std::strerror(e));
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

HttpServer::~HttpServer() {
    stop_.store(true);
    char c = 1;
    [[maybe_unused]] auto n = ::write(wake_[1], &c, 1);
    acceptor_.join();  // joins every connection thread before it returns
    ::close(listen_fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
}

std::string HttpServer::base() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string HttpServer::url(std::string_view path) const { return base() + std::string(path); }

void HttpServer::route(const std::string& path, Response response) {
    route(path, Handler([response = std::move(response)](const Request&) { return response; }));
}

void HttpServer::route(const std::string& path, Handler handler) {
    std::lock_guard<std::mutex> lock(mu_);
    routes_[path] = std::move(handler);
}

std::vector<Request> HttpServer::requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
}

std::vector<Request> HttpServer::requests(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Request> out;
    for (const auto& r : requests_)
        if (r.path == path) out.push_back(r);
    return out;
}

std::size_t HttpServer::hits(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<std::size_t>(
        std::count_if(requests_.begin(), requests_.end(), [&](const Request& r) { return r.path == path; }));
}

std::size_t HttpServer::total_hits() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
}

void HttpServer::reset_stats() {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.clear();
    peak_.store(open_.load());
}

void HttpServer::accept_loop() {
    while (!stop_.load()) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
        int rc = ::poll(fds, 2, 200);  // the timeout only paces the reaping of finished threads
        for (auto it = conns_.begin(); it != conns_.end();) {
            if (it->done.load()) {
                it->thread.join();
                it = conns_.erase(it);
            } else {
                ++it;
            }
        }
        if (rc <= 0 || stop_.load() || !(fds[0].revents & POLLIN)) continue;
        while (true) {
            int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) break;
            // Counted at accept, before any thread runs: the peak can only over-count, never miss.
            int now = open_.fetch_add(1) + 1;
            int prev = peak_.load();
            while (now > prev && !peak_.compare_exchange_weak(prev, now)) {
            }
            Conn& c = conns_.emplace_back();
            c.thread = std::thread([this, fd, &c] {
                serve(fd);
                c.done.store(true);
            });
        }
    }
    for (auto& c : conns_) c.thread.join();
    conns_.clear();
}

bool HttpServer::wait_or_hangup(int fd, std::chrono::milliseconds d) {
    auto deadline = std::chrono::steady_clock::now() + d;
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return true;
        pollfd fds[2] = {{fd, POLLRDHUP, 0}, {wake_[0], POLLIN, 0}};
        int rc = ::poll(fds, 2, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
        if (stop_.load() || (rc > 0 && (fds[1].revents & POLLIN))) return false;
        if (rc > 0 && (fds[0].revents & (POLLRDHUP | POLLHUP | POLLERR))) {
            hangups_.fetch_add(1);
            return false;
        }
    }
}

bool HttpServer::send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) {
            data.remove_prefix(static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd fds[2] = {{fd, POLLOUT, 0}, {wake_[0], POLLIN, 0}};
            ::poll(fds, 2, 1000);
            if (stop_.load() || (fds[1].revents & POLLIN)) return false;
            continue;
        }
        hangups_.fetch_add(1);   // EPIPE / ECONNRESET: the client went away
        return false;
    }
    return true;
}

void HttpServer::leave() { open_.fetch_sub(1); }

void HttpServer::serve(int fd) {
    bool counted = true;
    auto finish = [&] {
        if (counted) leave();
        counted = false;
        ::close(fd);
    };

    // Read the request head.
    std::string in;
    size_t end = std::string::npos;
    char buf[4096];
    while (end == std::string::npos) {
        pollfd fds[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
        int rc = ::poll(fds, 2, 1000);
        if (stop_.load()) return finish();
        if (rc <= 0) continue;
        if (fds[0].revents & POLLIN || fds[0].revents & (POLLHUP | POLLERR)) {
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (n <= 0) return finish();
            in.append(buf, static_cast<size_t>(n));
            end = in.find("\r\n\r\n");
            if (end == std::string::npos && in.size() > 64 * 1024) return finish();
        }
    }

    Request req;
    {
        std::string_view head(in.data(), end);
        size_t eol = head.find("\r\n");
        std::string_view first = head.substr(0, eol);
        size_t sp1 = first.find(' ');
        size_t sp2 = first.find(' ', sp1 == std::string_view::npos ? 0 : sp1 + 1);
        if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) return finish();
        req.method = std::string(first.substr(0, sp1));
        req.target = std::string(first.substr(sp1 + 1, sp2 - sp1 - 1));
        req.path = req.target.substr(0, req.target.find('?'));
        size_t pos = eol == std::string_view::npos ? head.size() : eol + 2;
        while (pos < head.size()) {
            size_t e = head.find("\r\n", pos);
            if (e == std::string_view::npos) e = head.size();
            std::string_view line = head.substr(pos, e - pos);
            size_t colon = line.find(':');
            if (colon != std::string_view::npos)
                req.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                         std::string(trim(line.substr(colon + 1))));
            pos = e + 2;
        }
    }

    Handler handler;
    {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(req);
        auto it = routes_.find(req.path);
        if (it != routes_.end()) handler = it->second;
    }
    Response resp = handler ? handler(req) : Response::status_only(404);

    if (resp.delay.count() > 0 && !wait_or_hangup(fd, resp.delay)) return finish();

    std::string body = resp.gzip ? gzip(resp.body) : resp.body;
    std::string head = "HTTP/1.1 " + std::to_string(resp.status) + " " +
                       (resp.reason.empty() ? reason_for(resp.status) : resp.reason) + "\r\n";
    bool has_length = false;
    for (const auto& [k, v] : resp.headers) {
        head += k + ": " + v + "\r\n";
        has_length = has_length || iequals(k, "Content-Length");
    }
    if (resp.gzip) head += "Content-Encoding: gzip\r\n";
    if (!has_length && !bodiless(resp.status)) head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    head += "Connection: close\r\n\r\n";
    if (bodiless(resp.status) || req.method == "HEAD") body.clear();
    if (resp.close_after) body.resize(std::min(body.size(), *resp.close_after));

    // The connection stops counting as open just before its last write: the client cannot have
    // the whole response (and start its next transfer) before then, so the peak never over-counts.
    std::vector<std::string_view> pieces;
    std::string_view rest = body;
    if (resp.drip_bytes > 0) {
        pieces.push_back(head);
        while (!rest.empty()) {
            size_t take = std::min(rest.size(), resp.drip_bytes);
            pieces.push_back(rest.substr(0, take));
            rest.remove_prefix(take);
        }
    } else {
        head += body;
        pieces.push_back(head);
    }
    for (size_t i = 0; i < pieces.size(); ++i) {
        if (i > 0 && resp.drip_interval.count() > 0 && !wait_or_hangup(fd, resp.drip_interval)) return finish();
        if (i + 1 == pieces.size() && counted) {
            leave();
            counted = false;
        }
        if (!send_all(fd, pieces[i])) return finish();
    }
    completed_.fetch_add(1);
    ::shutdown(fd, SHUT_WR);
    finish();
}

RefusingPort::RefusingPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd_);
        throw std::runtime_error("cannot bind 127.0.0.1:0");
    }
    port_ = ntohs(addr.sin_port);
}

RefusingPort::~RefusingPort() { ::close(fd_); }

}  // namespace nk::test
