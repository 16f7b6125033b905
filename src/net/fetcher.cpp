// SPDX-License-Identifier: Apache-2.0
// fetcher.cpp: the fetch thread. It alone touches the CURLM and every easy handle; other threads
// only push requests under mu_ and call curl_multi_wakeup, the one multi call libcurl allows from
// another thread.
#include "net/fetcher.h"
#include "feed/strings.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <list>
#include <mutex>
#include <new>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

namespace nk::net {

namespace {

using str::iequals;
using str::trim;

using Clock = std::chrono::steady_clock;

void global_init_once() {
    // curl_global_init is not safe to race with other curl calls on every build; once per process,
    // and never cleaned up (see fetcher.h).
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool safe_header_value(const std::string& v) { return v.find_first_of("\r\n") == std::string::npos; }

// Servers send either delta-seconds or an HTTP-date (RFC 9110 10.2.3); a date in the past means
// "now". Anything else is ignored rather than guessed at.
std::optional<int64_t> parse_retry_after(std::string_view v) {
    if (v.empty()) return std::nullopt;
    if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (v.size() > 12) return std::nullopt;  // beyond any sane wait; avoids overflow
        int64_t n = 0;
        for (char c : v) n = n * 10 + (c - '0');
        return n;
    }
    std::string s(v);
    time_t when = curl_getdate(s.c_str(), nullptr);
    if (when == -1) return std::nullopt;
    int64_t delta = static_cast<int64_t>(when) - static_cast<int64_t>(std::time(nullptr));
    return std::max<int64_t>(0, delta);
}

struct UrlParts {
    std::string scheme;
    std::string host;  // lower case; IPv6 in brackets
    std::string port;  // explicit or the scheme's default
};

UrlParts split_url(const std::string& url) {
    UrlParts out;
    CURLU* u = curl_url();
    if (!u) return out;
    if (curl_url_set(u, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
        char* part = nullptr;
        if (curl_url_get(u, CURLUPART_SCHEME, &part, 0) == CURLUE_OK) out.scheme = part;
        curl_free(part);
        part = nullptr;
        if (curl_url_get(u, CURLUPART_HOST, &part, 0) == CURLUE_OK) out.host = part;
        curl_free(part);
        part = nullptr;
        if (curl_url_get(u, CURLUPART_PORT, &part, CURLU_DEFAULT_PORT) == CURLUE_OK) out.port = part;
        curl_free(part);
    }
    curl_url_cleanup(u);
    for (char& c : out.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// One request, from the moment the fetch thread picks it up until its response is handed out.
struct Transfer {
    FetchRequest request;
    std::string host_key;      // the origin: scheme://host:port
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    FetchResponse response;
    std::string reason;        // of the latest status line
    bool over_cap = false;
    bool out_of_memory = false;
    Clock::time_point started;
    char errbuf[CURL_ERROR_SIZE] = {};

    Transfer() = default;
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;
    ~Transfer() {
        if (easy) curl_easy_cleanup(easy);
        if (headers) curl_slist_free_all(headers);
    }
};

// libcurl calls these from C: no exception may escape, so allocation failure aborts the transfer.
size_t on_body(char* data, size_t size, size_t nmemb, void* user) {
    auto* t = static_cast<Transfer*>(user);
    size_t n = size * nmemb;
    // Decoded bytes arrive here, so the cap holds whatever the Content-Encoding.
    if (static_cast<int64_t>(t->response.body.size() + n) > t->request.max_body_bytes) {
        t->over_cap = true;
        return 0;
    }
    try {
        t->response.body.append(data, n);
    } catch (...) {
        t->out_of_memory = true;
        return 0;
    }
    return n;
}

size_t on_header(char* data, size_t size, size_t nitems, void* user) {
    auto* t = static_cast<Transfer*>(user);
    size_t n = size * nitems;
    try {
        std::string_view line(data, n);
        if (line.rfind("HTTP/", 0) == 0) {
            // A new status line starts a new response (a redirect hop, a 100 Continue, a proxy
            // CONNECT): only the final response's headers may describe the body we keep.
            t->response.etag.clear();
            t->response.last_modified.clear();
            t->response.content_type.clear();
            t->response.retry_after_seconds.reset();
            t->reason.clear();
            auto sp1 = line.find(' ');
            if (sp1 != std::string_view::npos) {
                auto sp2 = line.find(' ', sp1 + 1);
                if (sp2 != std::string_view::npos) t->reason = std::string(trim(line.substr(sp2 + 1)));
            }
            return n;
        }
        auto colon = line.find(':');
        if (colon == std::string_view::npos) return n;
        std::string_view name = trim(line.substr(0, colon));
        std::string_view value = trim(line.substr(colon + 1));
        if (iequals(name, "ETag"))
            t->response.etag = std::string(value);
        else if (iequals(name, "Last-Modified"))
            t->response.last_modified = std::string(value);
        else if (iequals(name, "Content-Type"))
            t->response.content_type = std::string(value);
        else if (iequals(name, "Retry-After"))
            t->response.retry_after_seconds = parse_retry_after(value);
    } catch (...) {
        t->out_of_memory = true;
        return 0;
    }
    return n;
}

std::string host_port(const std::string& url) {
    UrlParts p = split_url(url);
    if (p.host.empty()) return url;
    return p.port.empty() ? p.host : p.host + ":" + p.port;
}

}  // namespace

struct Fetcher::Impl {
    FetcherOptions options;
    Callback on_done;
    bool ca_is_dir = false;

    CURLM* multi = nullptr;
    std::thread thread;

    // Shared with the submitting thread.
    std::mutex mu;
    std::deque<FetchRequest> pending;
    std::atomic<bool> stop{false};
    std::atomic<std::size_t> in_flight{0};
    std::atomic<std::size_t> peak{0};

    // Fetch thread only.
    std::deque<std::unique_ptr<Transfer>> waiting;  // picked up, not started (slot or host busy)
    std::unordered_map<CURL*, std::unique_ptr<Transfer>> running;
    std::unordered_map<std::string, int> per_host;

    void run();
    void start_ready();
    std::unique_ptr<Transfer> prepare(FetchRequest&& request);
    bool setup_easy(Transfer& t);
    void finish(Transfer& t, CURLcode code);
    void deliver(std::unique_ptr<Transfer> t);
};

std::unique_ptr<Transfer> Fetcher::Impl::prepare(FetchRequest&& request) {
    auto t = std::make_unique<Transfer>();
    t->request = std::move(request);
    // Per origin: a slow service on one port of a host must not hold up another on the same host.
    const UrlParts p = split_url(t->request.url);
    t->host_key = p.scheme + "://" + p.host + ":" + p.port;
    t->response.id = t->request.id;
    t->response.url = t->request.url;
    t->response.final_url = t->request.url;
    return t;
}

bool Fetcher::Impl::setup_easy(Transfer& t) {
    t.easy = curl_easy_init();
    if (!t.easy) return false;
    CURL* e = t.easy;
    const FetchRequest& r = t.request;
    curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, static_cast<void*>(&t));
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, r.allow_file ? "http,https,file" : "http,https");
    // A server must never be able to point us at a local file, even for a file-allowed request.
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, options.max_redirects);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_seconds);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, options.timeout_seconds);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes_per_second);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, options.low_speed_seconds);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.ca_path.empty())
        curl_easy_setopt(e, ca_is_dir ? CURLOPT_CAPATH : CURLOPT_CAINFO, options.ca_path.c_str());
    if (!options.proxy.empty()) curl_easy_setopt(e, CURLOPT_PROXY, options.proxy.c_str());
    if (!options.user_agent.empty()) curl_easy_setopt(e, CURLOPT_USERAGENT, options.user_agent.c_str());
    // Validators go back byte for byte as the server sent them (CURLOPT_TIMECONDITION would
    // reformat the date); one with CR/LF in it would inject headers, so it is dropped instead.
    if (!r.etag.empty() && safe_header_value(r.etag)) {
        curl_slist* next = curl_slist_append(t.headers, ("If-None-Match: " + r.etag).c_str());
        if (!next) return false;
        t.headers = next;
    }
    if (!r.last_modified.empty() && safe_header_value(r.last_modified)) {
        curl_slist* next = curl_slist_append(t.headers, ("If-Modified-Since: " + r.last_modified).c_str());
        if (!next) return false;
        t.headers = next;
    }
    if (t.headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, static_cast<void*>(&t));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, static_cast<void*>(&t));
    return true;
}

void Fetcher::Impl::start_ready() {
    // First come, first served, except that a request for a busy host lets later ones pass.
    const auto slots = static_cast<size_t>(options.max_parallel);
    for (auto it = waiting.begin(); it != waiting.end() && running.size() < slots;) {
        Transfer& t = **it;
        if (per_host[t.host_key] >= options.max_per_host) {
            ++it;
            continue;
        }
        std::unique_ptr<Transfer> owned = std::move(*it);
        it = waiting.erase(it);
        owned->started = Clock::now();
        if (!setup_easy(*owned) || curl_multi_add_handle(multi, owned->easy) != CURLM_OK) {
            owned->response.error = "could not start the transfer (out of memory)";
            deliver(std::move(owned));
            if (stop.load()) return;
            continue;
        }
        ++per_host[owned->host_key];
        CURL* key = owned->easy;
        running.emplace(key, std::move(owned));
        if (running.size() > peak.load()) peak.store(running.size());
    }
}

void Fetcher::Impl::finish(Transfer& t, CURLcode code) {
    FetchResponse& resp = t.response;
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    resp.http_status = static_cast<int>(status);
    char* effective = nullptr;
    if (curl_easy_getinfo(t.easy, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective)
        resp.final_url = effective;
    resp.seconds = std::chrono::duration<double>(Clock::now() - t.started).count();

    std::string reason = t.reason.empty() ? http_reason(resp.http_status) : t.reason;
    std::string http = "HTTP " + std::to_string(resp.http_status) + (reason.empty() ? "" : " " + reason);
    bool is_file = split_url(resp.final_url).scheme == "file";

    switch (code) {
        case CURLE_OK:
            if (resp.http_status == 304) {
                resp.ok = true;
                resp.not_modified = true;
                resp.body.clear();
            } else if (is_file || (resp.http_status >= 200 && resp.http_status < 300)) {
                resp.ok = !resp.body.empty();
                if (!resp.ok) resp.error = is_file ? "empty file" : http + " with an empty body";
            } else {
                resp.error = http;
            }
            return;
        case CURLE_WRITE_ERROR:
            if (t.over_cap) {
                resp.body.clear();
                resp.error = "body over " + std::to_string(t.request.max_body_bytes) + " bytes";
                // An error page too big to keep still says what went wrong first.
                if (resp.http_status != 0 && (resp.http_status < 200 || resp.http_status > 299))
                    resp.error = http + " (" + resp.error + ")";
                return;
            }
            break;
        case CURLE_OPERATION_TIMEDOUT: {
            curl_off_t connect_us = 0;
            curl_easy_getinfo(t.easy, CURLINFO_CONNECT_TIME_T, &connect_us);
            if (connect_us == 0 && resp.http_status == 0)
                resp.error = "could not connect to " + host_port(resp.final_url) + " within " +
                             std::to_string(options.connect_timeout_seconds) + " s";
            else if (std::strstr(t.errbuf, "too slow"))
                resp.error = "too slow: under " + std::to_string(options.low_speed_bytes_per_second) +
                             " bytes/s for " + std::to_string(options.low_speed_seconds) + " s";
            else
                resp.error = "timed out after " + std::to_string(options.timeout_seconds) + " s";
            return;
        }
        case CURLE_COULDNT_CONNECT:
            resp.error = "could not connect to " + host_port(resp.final_url);
            return;
        case CURLE_COULDNT_RESOLVE_HOST:
            resp.error = "could not resolve host " + split_url(resp.final_url).host;
            return;
        case CURLE_COULDNT_RESOLVE_PROXY:
            resp.error = "could not resolve proxy " + options.proxy;
            return;
        case CURLE_TOO_MANY_REDIRECTS:
            resp.error = "too many redirects (more than " + std::to_string(options.max_redirects) + ")";
            return;
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
            if (resp.http_status != 0) {
                resp.error = "connection closed mid-body after " + std::to_string(resp.body.size()) + " bytes";
                return;
            }
            resp.error = "connection closed before a response";
            return;
        case CURLE_GOT_NOTHING:
            resp.error = "connection closed before a response";
            return;
        case CURLE_UNSUPPORTED_PROTOCOL: {
            std::string scheme = split_url(resp.final_url).scheme;
            resp.error = "protocol not allowed: " + (scheme.empty() ? resp.final_url : scheme) +
                         (t.request.allow_file ? " (only http, https and file)" : " (only http and https)");
            return;
        }
        case CURLE_PEER_FAILED_VERIFICATION:
            resp.error = std::string("TLS certificate not trusted: ") + t.errbuf;
            return;
        case CURLE_SSL_CONNECT_ERROR:
            resp.error = std::string("TLS handshake failed: ") + t.errbuf;
            return;
        case CURLE_BAD_CONTENT_ENCODING:
            resp.error = std::string("could not decode the body: ") + t.errbuf;
            return;
        case CURLE_URL_MALFORMAT:
            resp.error = "malformed URL: " + t.request.url;
            return;
        case CURLE_FILE_COULDNT_READ_FILE:
            resp.error = std::string("could not read file: ") + t.errbuf;
            return;
        default:
            break;
    }
    if (t.out_of_memory)
        resp.error = "out of memory";
    else
        resp.error = t.errbuf[0] ? std::string(t.errbuf) : std::string(curl_easy_strerror(code));
}

void Fetcher::Impl::deliver(std::unique_ptr<Transfer> t) {
    FetchResponse resp = std::move(t->response);
    t.reset();  // the easy handle goes before the callback: it may be long
    // The destructor promises that no callback starts once it has begun.
    if (!stop.load()) on_done(std::move(resp));
    in_flight.fetch_sub(1);
}

void Fetcher::Impl::run() {
    while (true) {
        {
            std::lock_guard<std::mutex> lock(mu);
            if (stop.load()) break;
            while (!pending.empty()) {
                waiting.push_back(prepare(std::move(pending.front())));
                pending.pop_front();
            }
        }
        start_ready();
        if (stop.load()) break;
        int still_running = 0;
        curl_multi_perform(multi, &still_running);
        bool finished_any = false;
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL* easy = msg->easy_handle;
            CURLcode code = msg->data.result;
            auto it = running.find(easy);
            if (it == running.end()) continue;
            std::unique_ptr<Transfer> t = std::move(it->second);
            running.erase(it);
            curl_multi_remove_handle(multi, easy);
            if (--per_host[t->host_key] == 0) per_host.erase(t->host_key);
            finish(*t, code);
            deliver(std::move(t));
            finished_any = true;
            if (stop.load()) break;
        }
        if (stop.load()) break;
        // A freed slot is refilled at once rather than after the next socket event.
        if (finished_any && !waiting.empty()) continue;
        curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
    for (auto& [easy, t] : running) curl_multi_remove_handle(multi, easy);
    running.clear();
    waiting.clear();
    per_host.clear();
}

Fetcher::Fetcher(FetcherOptions options, Callback on_done) : impl_(std::make_unique<Impl>()) {
    global_init_once();
    Impl& d = *impl_;
    d.options = std::move(options);
    d.options.max_parallel = std::max(1, d.options.max_parallel);
    d.options.max_per_host = std::max(1, d.options.max_per_host);
    d.on_done = std::move(on_done);
    if (!d.options.ca_path.empty()) {
        std::error_code ec;
        d.ca_is_dir = std::filesystem::is_directory(d.options.ca_path, ec);
    }
    d.multi = curl_multi_init();
    if (!d.multi) throw std::bad_alloc();  // curl_multi_init fails only when memory does
    curl_multi_setopt(d.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(d.options.max_parallel));
    curl_multi_setopt(d.multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(d.options.max_per_host));
    d.thread = std::thread([&d] { d.run(); });
}

Fetcher::~Fetcher() {
    Impl& d = *impl_;
    {
        std::lock_guard<std::mutex> lock(d.mu);
        d.stop.store(true);
        d.pending.clear();
    }
    curl_multi_wakeup(d.multi);
    d.thread.join();
    curl_multi_cleanup(d.multi);
}

void Fetcher::submit(FetchRequest request) {
    Impl& d = *impl_;
    {
        std::lock_guard<std::mutex> lock(d.mu);
        if (d.stop.load()) return;
        d.pending.push_back(std::move(request));
        d.in_flight.fetch_add(1);
    }
    curl_multi_wakeup(d.multi);
}

std::size_t Fetcher::in_flight() const { return impl_->in_flight.load(); }

std::size_t Fetcher::peak_connections() const { return impl_->peak.load(); }

const char* http_reason(int status) {
    switch (status) {
        case 200: return "OK";
        case 204: return "No Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 303: return "See Other";
        case 304: return "Not Modified";
        case 307: return "Temporary Redirect";
        case 308: return "Permanent Redirect";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 406: return "Not Acceptable";
        case 408: return "Request Timeout";
        case 410: return "Gone";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 504: return "Gateway Timeout";
        default: return "";
    }
}

}  // namespace nk::net
