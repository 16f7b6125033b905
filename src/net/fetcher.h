// SPDX-License-Identifier: Apache-2.0
// fetcher.h: every HTTP transfer of the kiosk, on one thread with one curl multi handle.
// Bounded parallel transfers (total and per origin), compression, conditional GET, timeouts, a body
// cap counted on decoded bytes (a gzip bomb stops there), a redirect cap, http/https only (file://
// only when the request allows it, and never as a redirect target), TLS verification on, proxy
// from config or environment. Depends on libcurl and the standard library only.
// Threads: the constructor, submit(), in_flight(), peak_connections() and the destructor may be
// called from any one owning thread (the main thread in the app); submit() may also be called
// from inside the completion callback. The callback runs on the fetch thread, with no lock of the
// fetcher held, one response at a time; it must not throw and must not destroy the Fetcher.
// The destructor aborts transfers in flight and joins the fetch thread; nothing is detached. (A DNS
// lookup still running then is waited for by libcurl, which joins its resolver thread rather than
// abandon it: shutdown can take as long as the system resolver's own timeout in that case.)
// The first Fetcher runs curl_global_init once for the process (std::call_once) and nothing ever
// runs curl_global_cleanup: other parts (images) may share libcurl, and the OS reclaims it at exit.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace nk::net {

struct FetcherOptions {
    int max_parallel = 6;     // transfers running at once (values below 1 count as 1)
    int max_per_host = 2;     // of those, to one origin (scheme, host, port of the requested URL)
    long connect_timeout_seconds = 10;
    long timeout_seconds = 30;  // whole transfer, redirects included
    long low_speed_bytes_per_second = 100;  // slower than this for low_speed_seconds aborts
    long low_speed_seconds = 20;
    long max_redirects = 5;
    std::string ca_path;      // empty: system default; a directory is CAPATH, a file CAINFO
    std::string proxy;        // empty: environment (http_proxy, https_proxy, no_proxy)
    std::string user_agent;
};

struct FetchRequest {
    uint64_t id = 0;          // caller's tag, echoed in the response
    std::string url;
    std::string etag;         // sent as If-None-Match when not empty (exactly; CR/LF makes it ignored)
    std::string last_modified;  // sent as If-Modified-Since when not empty (same rule)
    int64_t max_body_bytes = 8 << 20;  // decoded bytes; more aborts the transfer
    bool allow_file = false;  // file:// permitted (paths named in the config)
};

struct FetchResponse {
    uint64_t id = 0;
    std::string url;          // as requested
    std::string final_url;    // after redirects
    int http_status = 0;      // 0: no HTTP response (network error, timeout, refused, file://)
    bool ok = false;          // 2xx with a body, or 304 (or a file:// read with a body)
    bool not_modified = false;
    std::string body;         // decoded; empty on 304 and when the body cap was hit
    std::string content_type;
    std::string etag;         // exactly as received (of the final response, not a redirect hop)
    std::string last_modified;
    std::optional<int64_t> retry_after_seconds;  // from Retry-After: seconds, or an HTTP-date made relative
    std::string error;        // human-readable when !ok, e.g. "timed out after 30 s", "HTTP 404 Not Found"
    double seconds = 0;       // wall time of the transfer from its start (not from submit)
};

class Fetcher {
public:
    using Callback = std::function<void(FetchResponse&&)>;
    Fetcher(FetcherOptions options, Callback on_done);
    // Aborts running transfers and drops queued ones. Once it has begun no callback starts (one
    // that had already started finishes before the destructor returns); aborted and dropped
    // requests get no callback at all. The caller must treat them as never answered.
    ~Fetcher();
    Fetcher(const Fetcher&) = delete;
    Fetcher& operator=(const Fetcher&) = delete;

    void submit(FetchRequest request);   // queued; started when a slot (and the host) is free
    // Queued + running + the one whose callback is running: 0 means every callback has returned.
    std::size_t in_flight() const;
    std::size_t peak_connections() const;  // most transfers running at once, for tests and bench

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The standard reason phrase of an HTTP status ("Not Found"), "" for one it does not know: for
// error texts when a server sends none. Any thread.
const char* http_reason(int status);

}  // namespace nk::net
