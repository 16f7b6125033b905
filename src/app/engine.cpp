#include "app/engine.h"

#include "app/cache.h"
#include "app/embedded.h"
#include "core/fetch_result.h"
#include "feed/parser.h"
#include "core/scheduler.h"
#include "feed/url.h"
#include "net/fetcher.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <sstream>

namespace nk::app {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kDemoScheme = "demo:";
constexpr int64_t kConfigCheckSeconds = 2;
constexpr int64_t kOpmlRefreshSeconds = 3600;
constexpr int64_t kOpmlRetrySeconds = 300;
// The fetcher echoes request ids: feeds count up from 1, raw fetches (Engine::fetch) from
// kRawIdBase, and the OPML list, whose body is not a feed, has the last one.
constexpr uint64_t kOpmlRequestId = UINT64_MAX;
constexpr uint64_t kRawIdBase = uint64_t{1} << 63;
constexpr const char* kOpmlCacheFile = "opml-feeds.opml";

bool is_remote(std::string_view u) { return url::has_scheme(u) && !u.starts_with("file:"); }

std::optional<std::string> read_file(const fs::path& p, std::string* error) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        if (error) *error = std::string(std::strerror(errno));
        return std::nullopt;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return std::move(ss).str();
}

// The embedded demo feeds as a config, for a fresh install with no config and no network.
Config demo_config() {
    Config c;
    for (const assets::EmbeddedFile& f : assets::embedded_files()) {
        if (!f.name.ends_with(".xml") && !f.name.ends_with(".atom")) continue;  // pictures ride along
        FeedConfig fc;
        fc.url = std::string(kDemoScheme) + std::string(f.name);
        c.feeds.push_back(std::move(fc));
    }
    return c;
}

std::optional<std::string_view> demo_bytes(std::string_view url) {
    if (!url.starts_with(kDemoScheme)) return std::nullopt;
    std::string_view name = url.substr(kDemoScheme.size());
    for (const assets::EmbeddedFile& f : assets::embedded_files())
        if (f.name == name) return f.bytes;
    return std::nullopt;
}

std::string version_user_agent(const FetchConfig& f) {
    if (!f.user_agent.empty()) return f.user_agent;
    return "newsroom-kiosk/" NK_VERSION " (+https://github.com/newsroom-kiosk; feed display)";
}

net::FetcherOptions fetcher_options(const FetchConfig& f) {
    net::FetcherOptions o;
    o.max_parallel = f.max_parallel;
    o.max_per_host = f.max_per_host;
    o.connect_timeout_seconds = f.connect_timeout_seconds;
    o.timeout_seconds = f.timeout_seconds;
    o.low_speed_bytes_per_second = f.low_speed_bytes_per_second;
    o.low_speed_seconds = f.low_speed_seconds;
    o.max_redirects = f.max_redirects;
    o.ca_path = f.ca_path;
    o.proxy = f.proxy;
    o.user_agent = version_user_agent(f);
    return o;
}

// An empty feed list must never mean an empty screen.
void with_demo_fallback(Config& c) {
    if (!c.feeds.empty()) return;
    c.feeds = demo_config().feeds;
}

// Cache writes fsync twice per feed (7-12 ms each on a VM, more on an SD card): done on the main
// thread they would stall drawing, so after startup every write goes through this thread. Saves
// of the same feed queued meanwhile collapse into the newest; the destructor flushes and joins.
class CacheWriter {
public:
    CacheWriter(DiskCache cache, std::function<void(const std::string&)> log)
        : cache_(std::move(cache)), log_(std::move(log)), thread_([this] { run(); }) {}

    ~CacheWriter() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        cv_.notify_one();
        thread_.join();
    }

    void save(DiskCache::FeedRecord rec) {
        {
            std::lock_guard lock(mu_);
            std::string url = rec.url;
            pending_[url] = std::move(rec);
        }
        cv_.notify_one();
    }

    void purge_except(std::vector<std::string> urls) {
        {
            std::lock_guard lock(mu_);
            purge_ = std::move(urls);
            // Saves queued for feeds that are gone would bring their files back.
            for (auto it = pending_.begin(); it != pending_.end();)
                it = std::find(purge_->begin(), purge_->end(), it->first) == purge_->end() ? pending_.erase(it) : std::next(it);
        }
        cv_.notify_one();
    }

private:
    void run() {
        std::unique_lock lock(mu_);
        while (true) {
            cv_.wait(lock, [&] { return stop_ || purge_ || !pending_.empty(); });
            if (purge_) {
                std::vector<std::string> urls = std::move(*purge_);
                purge_.reset();
                lock.unlock();
                std::vector<std::string> warnings;
                if (size_t n = cache_.purge_except(urls, &warnings))
                    log_("cache: purged " + std::to_string(n) + " feeds no longer configured");
                for (const std::string& w : warnings) log_("cache: " + w);
                lock.lock();
                continue;
            }
            if (pending_.empty()) {
                if (stop_) return;
                continue;
            }
            DiskCache::FeedRecord rec = std::move(pending_.begin()->second);
            pending_.erase(pending_.begin());
            lock.unlock();
            auto r = cache_.save(rec);
            if (!r) log_("cache: " + r.error().message);
            else
                for (const std::string& w : r.value().warnings) log_("cache: " + w);
            lock.lock();
        }
    }

    DiskCache cache_;
    std::function<void(const std::string&)> log_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::map<std::string, DiskCache::FeedRecord> pending_;
    std::optional<std::vector<std::string>> purge_;
    bool stop_ = false;
    std::thread thread_;  // last: started once everything above exists
};

}  // namespace

FetchResult to_result(const net::FetchResponse& r, const std::optional<Result<Feed>>& parsed) {
    FetchResult f;
    f.ok = r.ok;
    f.not_modified = r.not_modified;
    f.http_status = r.http_status;
    f.error = r.error;
    f.retry_after_seconds = r.retry_after_seconds;
    f.etag = r.etag;
    f.last_modified = r.last_modified;
    f.parsed = parsed ? &*parsed : nullptr;
    return f;
}

fs::path find_config_path() {
    if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x == '/') {
        fs::path p = fs::path(x) / "newsroom-kiosk" / "kiosk.toml";
        if (fs::exists(p)) return p;
    } else if (const char* h = std::getenv("HOME"); h && *h) {
        fs::path p = fs::path(h) / ".config" / "newsroom-kiosk" / "kiosk.toml";
        if (fs::exists(p)) return p;
    }
    fs::path etc = "/etc/newsroom-kiosk/kiosk.toml";
    if (fs::exists(etc)) return etc;
    return {};
}

struct Engine::Impl {
    struct Done {
        net::FetchResponse response;
        std::optional<Result<Feed>> parsed;  // set for 2xx bodies
        std::size_t body_bytes = 0;          // counted before the body is dropped after parsing
    };
    struct Counters {
        uint64_t fetches = 0, errors = 0, bytes = 0;
    };

    EngineOptions opt;
    fs::path config_path;
    std::optional<fs::file_time_type> config_mtime;
    int64_t next_config_check = 0;
    Config config;
    Store store;
    Rotation rotation;
    Scheduler scheduler;
    std::optional<DiskCache> cache;        // startup reads only; writes go through writer
    std::unique_ptr<CacheWriter> writer;
    std::map<std::string, Validators> validators;
    std::map<std::string, std::string> last_error;  // what was last reported per feed ("" = ok)
    std::map<std::string, Counters> counters;       // per feed URL, since start
    std::vector<StatusChange> changes;
    std::unique_ptr<net::Fetcher> fetcher;
    uint64_t next_id = 1;
    uint64_t next_raw_id = kRawIdBase;

    Config file_config;                  // as read from the file (local OPML merged in)
    std::vector<FeedConfig> opml_feeds;  // from an OPML list fetched by URL
    Validators opml_validators;
    int64_t next_opml_fetch = 0;
    bool opml_in_flight = false;

    std::mutex inbox_mu;
    std::vector<Done> inbox;
    std::map<std::string, std::string> encodings;  // url -> charset override; read on the fetch thread
    std::map<uint64_t, std::function<void(net::FetchResponse&&)>> raw_done;  // by request id

    void publish_encodings() {
        std::map<std::string, std::string> e;
        for (const FeedConfig& f : config.feeds)
            if (!f.encoding.empty()) e[f.url] = f.encoding;
        std::lock_guard lock(inbox_mu);
        encodings.swap(e);
    }

    void log(const std::string& line) const {
        if (opt.log) opt.log(line);
        else std::cerr << "newsroom-kiosk: " << line << "\n";
    }

    // Runs on the fetch thread: parsing there keeps the main thread free for drawing.
    void on_fetched(net::FetchResponse&& r) {
        if (r.id >= kRawIdBase && r.id != kOpmlRequestId) {
            std::function<void(net::FetchResponse&&)> done;
            {
                std::lock_guard lock(inbox_mu);
                auto it = raw_done.find(r.id);
                if (it == raw_done.end()) return;
                done = std::move(it->second);
                raw_done.erase(it);
            }
            return done(std::move(r));
        }
        Done d;
        d.body_bytes = r.body.size();
        if (r.id != kOpmlRequestId && r.ok && !r.not_modified) {
            std::string charset;
            {
                std::lock_guard lock(inbox_mu);
                if (auto it = encodings.find(r.url); it != encodings.end()) charset = it->second;
            }
            ParseOptions po;
            po.content_type = r.content_type;
            po.base_url = r.final_url.empty() ? r.url : r.final_url;
            po.charset_override = charset;
            d.parsed = parse_feed(r.body, po);
            r.body.clear();
            r.body.shrink_to_fit();
        }
        d.response = std::move(r);
        {
            std::lock_guard lock(inbox_mu);
            inbox.push_back(std::move(d));
        }
        if (opt.wake) opt.wake();
    }

    Result<Config> load_config(const fs::path& path) {
        std::string err;
        auto text = read_file(path, &err);
        if (!text) return Error{ErrorCode::Io, path.string() + ": cannot read: " + err};
        ConfigParse cp = parse_config(*text, path.string());
        for (const ConfigIssue& i : cp.issues) log(format_issue(i));
        if (cp.has_errors()) return Error{ErrorCode::InvalidInput, path.string() + ": invalid config, see above"};
        Config c = std::move(cp.config);
        if (!c.opml.empty()) merge_opml(c, path);
        return c;
    }

    void merge_opml(Config& c, const fs::path& config_file) {
        if (is_remote(c.opml)) return;  // fetched like a feed; see start_due and apply_opml
        std::string_view o = c.opml;
        if (o.starts_with("file://localhost/")) o.remove_prefix(16);
        else if (o.starts_with("file://")) o.remove_prefix(7);
        fs::path p(o);
        if (p.is_relative()) p = config_file.parent_path() / p;
        std::string err;
        auto bytes = read_file(p, &err);
        if (!bytes) {
            log("opml: " + p.string() + ": cannot read: " + err);
            return;
        }
        auto feeds = parse_opml(*bytes);
        if (!feeds) {
            log("opml: " + p.string() + ": " + feeds.error().message);
            return;
        }
        for (FeedConfig& f : feeds.value()) {
            bool dup = false;
            for (const FeedConfig& e : c.feeds) dup = dup || e.url == f.url;
            if (!dup) c.feeds.push_back(std::move(f));
        }
    }

    bool allow_file(const std::string& url) const {
        // file:// only for paths the config names itself.
        return url.starts_with("file:");
    }

    // The config file's feeds plus those of an OPML list fetched by URL.
    Config compose() const {
        Config c = file_config;
        for (const FeedConfig& f : opml_feeds) {
            bool dup = false;
            for (const FeedConfig& e : c.feeds) dup = dup || e.url == f.url;
            if (!dup) c.feeds.push_back(f);
        }
        return c;
    }

    // An OPML list by URL survives reboots without network like the feeds do.
    void load_opml_copy() {
        if (!cache || !is_remote(file_config.opml)) return;
        std::string err;
        auto bytes = read_file(cache->dir() / kOpmlCacheFile, &err);
        if (!bytes) return;
        if (auto feeds = parse_opml(*bytes); feeds && !feeds.value().empty()) opml_feeds = std::move(feeds.value());
    }

    void save_opml_copy(std::string_view bytes) {
        if (!cache) return;
        fs::path target = cache->dir() / kOpmlCacheFile;
        fs::path tmp = cache->dir() / (std::string(".tmp-") + kOpmlCacheFile);
        {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            if (!out.flush()) {
                log("opml: cannot write " + tmp.string());
                return;
            }
        }
        std::error_code ec;
        fs::rename(tmp, target, ec);
        if (ec) log("opml: cannot write " + target.string() + ": " + ec.message());
    }

    void apply_opml(const net::FetchResponse& r, int64_t now) {
        opml_in_flight = false;
        std::string error;
        if (r.ok && r.not_modified) {
            next_opml_fetch = now + kOpmlRefreshSeconds;
        } else if (r.ok) {
            auto feeds = parse_opml(r.body);
            if (!feeds) error = feeds.error().message;
            else if (feeds.value().empty()) error = "the OPML list holds no feeds; keeping the last one";
            else {
                opml_validators = {r.etag, r.last_modified};
                save_opml_copy(r.body);
                if (feeds.value() != opml_feeds) {
                    opml_feeds = std::move(feeds.value());
                    log("opml: " + r.url + ": " + std::to_string(opml_feeds.size()) + " feeds");
                    apply_config(compose(), now);
                }
            }
            next_opml_fetch = now + (error.empty() ? kOpmlRefreshSeconds : kOpmlRetrySeconds);
        } else {
            error = r.error;
            next_opml_fetch = now + kOpmlRetrySeconds;
        }
        report(r.url, error);
    }

    void start_opml(int64_t now) {
        if (!is_remote(file_config.opml) || opml_in_flight || now < next_opml_fetch) return;
        net::FetchRequest req;
        req.id = kOpmlRequestId;
        req.url = file_config.opml;
        req.etag = opml_validators.etag;
        req.last_modified = opml_validators.last_modified;
        req.max_body_bytes = config.fetch.max_body_bytes;
        opml_in_flight = true;
        fetcher->submit(std::move(req));
    }

    void apply_config(Config c, int64_t now) {
        with_demo_fallback(c);
        config = std::move(c);
        publish_encodings();
        store.configure(config);
        scheduler.configure(config, now);
        for (auto it = counters.begin(); it != counters.end();)
            it = store.find_status(it->first) ? std::next(it) : counters.erase(it);
        if (writer && !config_path.empty()) {
            std::vector<std::string> urls;
            for (const FeedConfig& f : config.feeds) urls.push_back(f.url);
            writer->purge_except(std::move(urls));
        }
    }

    // "Name (url)", or the URL alone when the feed has no name yet.
    std::string who(const std::string& url) const {
        std::string s = source_of(url);
        return s == url ? url : s + " (" + url + ")";
    }

    void report(const std::string& url, const std::string& error) {
        auto it = last_error.find(url);
        bool known = it != last_error.end();
        if (known && it->second == error) return;  // identical state: logged once, not every poll
        if (!error.empty()) {
            changes.push_back({url, source_of(url), false, error});
            log(who(url) + ": failing: " + error);
        } else if (known) {
            changes.push_back({url, source_of(url), true, "recovered"});
            log(who(url) + ": recovered");
        }
        last_error[url] = error;
    }

    std::string source_of(const std::string& url) const {
        for (const FeedConfig& f : config.feeds)
            if (f.url == url && !f.name.empty()) return f.name;
        if (const FeedStatus* s = store.find_status(url); s && !s->title.empty()) return s->title;
        return url;
    }

    void save(const std::string& url) {
        if (!writer || url.starts_with(kDemoScheme)) return;
        DiskCache::FeedRecord rec;
        rec.url = url;
        rec.entries = store.entries(url);
        if (const FeedStatus* s = store.find_status(url)) rec.status = *s;
        auto v = validators.find(url);
        if (v != validators.end()) {
            rec.etag = v->second.etag;
            rec.last_modified = v->second.last_modified;
        }
        writer->save(std::move(rec));
    }

    void apply(Done& d, int64_t now) {
        const net::FetchResponse& r = d.response;
        if (r.id == kOpmlRequestId) return apply_opml(r, now);
        if (!store.find_status(r.url)) return;  // removed from the config while in flight
        std::string error = apply_fetch_result(store, scheduler, validators[r.url], r.url, to_result(d.response, d.parsed), now);
        Counters& n = counters[r.url];
        ++n.fetches;
        if (!error.empty()) ++n.errors;
        n.bytes += d.body_bytes;
        report(r.url, error);
        // Also after a 304: the saved next_fetch is what keeps a restart from refetching feeds
        // that are not due (the write happens on the cache thread).
        save(r.url);
    }

    void start_due(int64_t now) {
        start_opml(now);
        // The fetcher queues what it cannot start yet and bounds the transfers itself.
        for (const std::string& url : scheduler.take_due(now, config.feeds.size())) {
            if (auto bytes = demo_bytes(url)) {
                Done d;
                d.response.url = url;
                d.response.ok = true;
                d.response.http_status = 200;
                d.body_bytes = bytes->size();
                d.parsed = parse_feed(*bytes, {});
                apply(d, now);
                continue;
            }
            net::FetchRequest req;
            req.id = next_id++;
            req.url = url;
            auto v = validators.find(url);
            if (v != validators.end()) {
                req.etag = v->second.etag;
                req.last_modified = v->second.last_modified;
            }
            req.max_body_bytes = config.fetch.max_body_bytes;
            req.allow_file = allow_file(url);
            fetcher->submit(std::move(req));
        }
    }

    void check_config(int64_t now) {
        if (config_path.empty() || now < next_config_check) return;
        next_config_check = now + kConfigCheckSeconds;
        std::error_code ec;
        auto mtime = fs::last_write_time(config_path, ec);
        if (ec || (config_mtime && *config_mtime == mtime)) return;
        config_mtime = mtime;
        auto c = load_config(config_path);
        if (!c) {
            log("config reload: " + c.error().message + "; keeping the running config");
            return;
        }
        if (c.value().opml != file_config.opml) {
            opml_feeds.clear();
            opml_validators = {};
            next_opml_fetch = now;
        }
        file_config = std::move(c.value());
        log("config reload: " + config_path.string() + " applied (" + std::to_string(file_config.feeds.size()) + " feeds)");
        apply_config(compose(), now);
    }
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() {
    // The fetcher joins its thread first, so no callback touches the inbox afterwards; then the
    // cache writer flushes what is queued and joins.
    impl_->fetcher.reset();
    impl_->writer.reset();
}

Result<std::unique_ptr<Engine>> Engine::create(EngineOptions options, int64_t now) {
    auto impl = std::make_unique<Impl>();
    Impl& m = *impl;
    m.opt = std::move(options);
    if (!m.opt.feed_urls.empty()) {
        for (const std::string& u : m.opt.feed_urls) {
            FeedConfig f;
            f.url = u;
            m.config.feeds.push_back(std::move(f));
        }
    } else {
        m.config_path = m.opt.config_path.empty() ? find_config_path() : m.opt.config_path;
        if (!m.config_path.empty()) {
            auto c = m.load_config(m.config_path);
            if (!c) return c.error();
            m.file_config = std::move(c.value());
            m.config = m.file_config;
            std::error_code ec;
            m.config_mtime = fs::last_write_time(m.config_path, ec);
            m.next_config_check = now + kConfigCheckSeconds;
            m.log("config: " + m.config_path.string() + " (" + std::to_string(m.config.feeds.size()) + " feeds)");
        }
    }

    fs::path cache_dir = default_cache_dir(!m.opt.cache_dir.empty() ? m.opt.cache_dir : fs::path(m.config.cache.dir));
    if (auto c = DiskCache::open(cache_dir, m.config.cache.max_bytes)) {
        m.cache.emplace(std::move(c.value()));
    } else {
        m.log("cache: " + c.error().message + "; running without a disk cache");
    }
    if (m.opt.feed_urls.empty()) {
        m.load_opml_copy();
        m.config = m.compose();
        if (m.config.feeds.empty())
            m.log(is_remote(m.file_config.opml) ? "no feeds yet: showing the embedded demo content until the OPML list arrives"
                                                : "no feeds configured: showing the embedded demo content");
        with_demo_fallback(m.config);
    }

    m.store.configure(m.config);
    m.scheduler.configure(m.config, now);
    m.publish_encodings();
    // Offline first: cached items are on screen before any network.
    if (m.cache) {
        std::vector<std::string> warnings;
        for (DiskCache::FeedRecord& rec : m.cache->load_all(&warnings)) {
            if (!m.store.find_status(rec.url)) continue;
            m.validators[rec.url] = {rec.etag, rec.last_modified};
            if (rec.status.next_fetch > now) m.scheduler.restore(rec.url, rec.status.next_fetch, now);
            m.store.restore(rec.url, std::move(rec.entries), rec.status);
            if (!rec.status.error.empty()) m.last_error[rec.url] = rec.status.error;
        }
        for (const std::string& w : warnings) m.log("cache: " + w);
        if (!m.config_path.empty()) {
            std::vector<std::string> urls;
            for (const FeedConfig& f : m.config.feeds) urls.push_back(f.url);
            m.cache->purge_except(urls);
        }
    }
    Impl* raw = impl.get();
    if (m.cache) m.writer = std::make_unique<CacheWriter>(*m.cache, [raw](const std::string& line) { raw->log(line); });
    m.fetcher = std::make_unique<net::Fetcher>(fetcher_options(m.config.fetch),
                                               [raw](net::FetchResponse&& r) { raw->on_fetched(std::move(r)); });
    return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

void Engine::pump(int64_t now) {
    Impl& m = *impl_;
    std::vector<Impl::Done> done;
    {
        std::lock_guard lock(m.inbox_mu);
        done.swap(m.inbox);
    }
    for (Impl::Done& d : done) m.apply(d, now);
    m.check_config(now);
    m.start_due(now);
}

int64_t Engine::next_deadline(int64_t now) const {
    const Impl& m = *impl_;
    int64_t t = m.scheduler.next_deadline().value_or(now + 3600);
    if (!m.config_path.empty()) t = std::min(t, m.next_config_check);
    return std::max(t, now);
}

std::optional<Card> Engine::next_card(int64_t now) { return impl_->rotation.next(impl_->store, impl_->config, now); }
std::optional<Card> Engine::previous_card() { return impl_->rotation.previous(); }

std::vector<FeedMetrics> Engine::feed_metrics() const {
    const Impl& m = *impl_;
    std::vector<FeedMetrics> out;
    for (const std::string& url : m.store.feed_urls()) {
        FeedMetrics f;
        f.url = url;
        f.name = m.source_of(url);
        if (const FeedStatus* s = m.store.find_status(url)) f.status = *s;
        f.next_fetch = m.scheduler.next_fetch(url);
        if (auto it = m.counters.find(url); it != m.counters.end()) {
            f.fetches = it->second.fetches;
            f.errors = it->second.errors;
            f.bytes = it->second.bytes;
        }
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<StatusChange> Engine::take_status_changes() {
    std::vector<StatusChange> out;
    out.swap(impl_->changes);
    return out;
}

const Store& Engine::store() const { return impl_->store; }
const Config& Engine::config() const { return impl_->config; }
std::string Engine::source_name(const std::string& feed_url) const { return impl_->source_of(feed_url); }
const fs::path& Engine::config_path() const { return impl_->config_path; }
fs::path Engine::cache_dir() const { return impl_->cache ? impl_->cache->dir() : fs::path(); }
void Engine::fetch_all_now(int64_t now) {
    impl_->scheduler.fetch_all_now(now);
    impl_->start_due(now);
}

void Engine::fetch(net::FetchRequest request, std::function<void(net::FetchResponse&&)> done) {
    Impl& m = *impl_;
    request.id = m.next_raw_id++;
    {
        std::lock_guard lock(m.inbox_mu);
        m.raw_done.emplace(request.id, std::move(done));
    }
    m.fetcher->submit(std::move(request));
}

}  // namespace nk::app

// The engine's share of the status listener's snapshot: built here, since src/net does not know the Engine.
#include "net/status_server.h"

nk::net::HealthSnapshot nk::app::health_snapshot(const Engine& engine, int64_t wall_now) {
    nk::net::HealthSnapshot s;
    s.feeds = engine.feed_metrics();
    s.wall_time = wall_now;
    s.stale_after_seconds = int64_t{engine.config().health.stale_after_minutes} * 60;
    return s;
}
