// SPDX-License-Identifier: Apache-2.0
// http_server.h: a real HTTP/1.1 server on 127.0.0.1 (random port) for tests and benchmarks, with
// scripted responses: status, headers, body, gzip, a delay before the headers, a body dripped in
// slow chunks, a connection cut after N body bytes, redirects, or a handler for dynamic answers.
// It records every request and counts concurrent connections. One request per connection
// (every response says Connection: close). POSIX sockets, threads and zlib; no curl, so the
// fetcher is tested against something it does not share code with.
// Threads: every method may be called from any thread; handlers run on connection threads.
// The destructor stops accepting, wakes every sleeping connection and joins all threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace nk::test {

struct Request {
    std::string method;
    std::string target;   // as sent: path and query
    std::string path;     // target without the query
    std::vector<std::pair<std::string, std::string>> headers;  // in order, as sent
    // The first header of that name (case-insensitive), or "" when absent.
    std::string header(std::string_view name) const;
    bool has_header(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string reason;   // empty: the standard phrase
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool gzip = false;    // compress body and send Content-Encoding: gzip
    std::chrono::milliseconds delay{0};  // before the status line
    std::size_t drip_bytes = 0;          // > 0: body sent in pieces of this size ...
    std::chrono::milliseconds drip_interval{0};  // ... with this pause before each
    std::optional<std::size_t> close_after;  // send this many body bytes (of the encoded body), then hang up

    static Response ok(std::string body, std::string content_type = "application/rss+xml");
    static Response redirect(std::string location, int status = 302);
    static Response status_only(int status);
    Response& header(std::string name, std::string value);
};

using Handler = std::function<Response(const Request&)>;

std::string gzip(std::string_view data);
// n zero bytes gzipped, without ever holding n bytes: a gzip bomb for body-cap tests.
std::string gzip_zeros(std::size_t n);
// "Sun, 06 Nov 1994 08:49:37 GMT" for a Unix time.
std::string http_date(int64_t unix_seconds);

class HttpServer {
public:
    HttpServer();   // bound and accepting when it returns; throws std::runtime_error on failure
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    uint16_t port() const { return port_; }
    std::string base() const;                      // "http://127.0.0.1:PORT"
    std::string url(std::string_view path) const;  // base() + path

    // Routes match the request path (query ignored); unknown paths get 404.
    void route(const std::string& path, Response response);
    void route(const std::string& path, Handler handler);

    std::vector<Request> requests() const;                  // every request so far, in arrival order
    std::vector<Request> requests(const std::string& path) const;
    std::size_t hits(const std::string& path) const;
    std::size_t total_hits() const;
    int peak_connections() const { return peak_.load(); }
    int open_connections() const { return open_.load(); }
    std::size_t responses_completed() const { return completed_.load(); }  // last byte written
    std::size_t client_hangups() const { return hangups_.load(); }  // peer closed before the end
    void reset_stats();   // forget requests, hits and the peak

private:
    struct Conn {
        std::thread thread;
        std::atomic<bool> done{false};
    };
    void accept_loop();
    void serve(int fd);
    bool wait_or_hangup(int fd, std::chrono::milliseconds d);  // false: stop or peer gone
    bool send_all(int fd, std::string_view data);
    void leave();   // the connection stops counting as open

    int listen_fd_ = -1;
    int wake_[2] = {-1, -1};   // pipe; written once at shutdown, never read: stays readable
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> open_{0};
    std::atomic<int> peak_{0};
    std::atomic<std::size_t> completed_{0};
    std::atomic<std::size_t> hangups_{0};

    mutable std::mutex mu_;
    std::map<std::string, Handler> routes_;
    std::vector<Request> requests_;

    std::list<Conn> conns_;   // accept thread only
    std::thread acceptor_;
};

// A port on 127.0.0.1 that refuses connections: bound (so nobody else takes it) but not listening.
class RefusingPort {
public:
    RefusingPort();
    ~RefusingPort();
    RefusingPort(const RefusingPort&) = delete;
    RefusingPort& operator=(const RefusingPort&) = delete;
    uint16_t port() const { return port_; }

private:
    int fd_ = -1;
    uint16_t port_ = 0;
};

}  // namespace nk::test
