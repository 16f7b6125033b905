#include "app/engine.h"

#include "app/cache.h"
#include "app/embedded.h"
#include "app/files.h"
#include "app/log.h"
#include "feed/url.h"
#include "net/fetcher.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace nk::app {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kDemoScheme = "demo:";
constexpr int64_t kConfigCheckSeconds = 2;
// Raw fetches (Engine::fetch, for images) count down from the top so they never meet feeds'.
constexpr uint64_t kRawIdBase = uint64_t{1} << 63;

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

FetchReply to_reply(net::FetchResponse&& r, FetchOrder::Kind kind) {
    FetchReply f;
    f.kind = kind;
    f.url = std::move(r.url);
    f.final_url = std::move(r.final_url);
    f.ok = r.ok;
    f.not_modified = r.not_modified;
    f.http_status = r.http_status;
    f.error = std::move(r.error);
    f.retry_after_seconds = r.retry_after_seconds;
    f.etag = std::move(r.etag);
    f.last_modified = std::move(r.last_modified);
    f.content_type = std::move(r.content_type);
    f.body = std::move(r.body);
    return f;
}

// Cache writes fsync twice per feed (7-12 ms each on a VM, more on an SD card): done on the main
// thread they would stall drawing, so after startup every save goes through this thread. Saves
// of the same feed queued meanwhile collapse into the newest; a purge drops the queued saves of
// feeds it removes; the destructor flushes and joins.
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

    void submit(SaveOrder order) {
        {
            std::lock_guard lock(mu_);
            if (order.kind == SaveOrder::Kind::Feed) {
                for (SaveOrder& q : queue_)
                    if (q.kind == SaveOrder::Kind::Feed && q.feed.url == order.feed.url) {
                        q = std::move(order);
                        return;
                    }
            } else if (order.kind == SaveOrder::Kind::PurgeExcept) {
                // Saves queued for feeds that are gone would bring their files back.
                std::erase_if(queue_, [&](const SaveOrder& q) {
                    return q.kind == SaveOrder::Kind::Feed &&
                           std::find(order.keep.begin(), order.keep.end(), q.feed.url) == order.keep.end();
                });
            }
            queue_.push_back(std::move(order));
        }
        cv_.notify_one();
    }

private:
    void run() {
        std::unique_lock lock(mu_);
        while (true) {
            cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and everything is written
            SaveOrder order = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            for (const std::string& line : cache_.apply(order).lines) log_(line);
            lock.lock();
        }
    }

    DiskCache cache_;
    std::function<void(const std::string&)> log_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<SaveOrder> queue_;
    bool stop_ = false;
    std::thread thread_;  // last: started once everything above exists
};

}  // namespace

std::vector<FeedConfig> demo_feeds() {
    std::vector<FeedConfig> out;
    for (const assets::EmbeddedFile& f : assets::embedded_files()) {
        if (!f.name.ends_with(".xml") && !f.name.ends_with(".atom")) continue;  // pictures ride along
        FeedConfig fc;
        fc.url = std::string(kDemoScheme) + std::string(f.name);
        out.push_back(std::move(fc));
    }
    return out;
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
    EngineOptions opt;
    fs::path config_path;
    std::optional<fs::file_time_type> config_mtime;
    int64_t next_config_check = 0;
    std::optional<Pipeline> pipeline;
    std::optional<DiskCache> cache;      // startup reads only; writes go through writer
    std::unique_ptr<CacheWriter> writer;
    std::unique_ptr<net::Fetcher> fetcher;
    uint64_t next_id = 1;
    uint64_t next_raw_id = kRawIdBase;

    std::mutex inbox_mu;
    std::vector<FetchReply> inbox;
    std::map<uint64_t, FetchOrder> in_flight;  // by request id; read on the fetch thread for the parse
    std::map<uint64_t, std::function<void(net::FetchResponse&&)>> raw_done;  // by request id

    void log(const std::string& line) const {
        if (opt.log) opt.log(line);
        else log_line(line);
    }

    // Runs on the fetch thread: parsing there keeps the main thread free for drawing.
    void on_fetched(net::FetchResponse&& r) {
        FetchOrder order;
        std::function<void(net::FetchResponse&&)> raw;
        {
            std::lock_guard lock(inbox_mu);
            if (auto it = raw_done.find(r.id); it != raw_done.end()) {
                raw = std::move(it->second);
                raw_done.erase(it);
            } else if (auto f = in_flight.find(r.id); f != in_flight.end()) {
                order = std::move(f->second);
                in_flight.erase(f);
            } else {
                return;
            }
        }
        if (raw) return raw(std::move(r));
        FetchReply reply = to_reply(std::move(r), order.kind);
        parse_reply(reply, order.charset);
        {
            std::lock_guard lock(inbox_mu);
            inbox.push_back(std::move(reply));
        }
        if (opt.wake) opt.wake();
    }

    // The file's config: the TOML, with a local OPML list it names merged in. Reading is the
    // shell's job; what the file means is the pipeline's.
    ConfigParse read_config(const fs::path& path) {
        auto text = read_file(path, kMaxConfigFileBytes);
        if (!text) {
            ConfigParse bad;
            // The message names the path; the issue puts it in front again.
            std::string why = text.error().message;
            if (why.starts_with(path.string() + ": ")) why.erase(0, path.string().size() + 2);
            bad.issues.push_back({path.string(), 0, 0, "", why, false});
            return bad;
        }
        ConfigParse cp = parse_config(text.value(), path.string());
        if (!cp.has_errors() && !cp.config.opml.empty() && !url::is_remote(cp.config.opml)) merge_local_list(cp.config, path);
        return cp;
    }

    void merge_local_list(Config& c, const fs::path& config_file) {
        std::string_view o = c.opml;
        if (o.starts_with("file://localhost/")) o.remove_prefix(16);
        else if (o.starts_with("file://")) o.remove_prefix(7);
        fs::path p(o);
        if (p.is_relative()) p = config_file.parent_path() / p;
        auto bytes = read_file(p, kMaxConfigFileBytes);
        if (!bytes) {
            log("opml: " + bytes.error().message);
            return;
        }
        auto feeds = parse_opml(bytes.value());
        if (!feeds) {
            log("opml: " + p.string() + ": " + feeds.error().message);
            return;
        }
        add_feeds(c.feeds, feeds.value());
    }

    void drain() {
        for (const std::string& line : pipeline->take_log()) log(line);
        for (SaveOrder& s : pipeline->take_saves())
            if (writer) writer->submit(std::move(s));
    }

    void start_due(int64_t now) {
        for (FetchOrder& o : pipeline->take_due(now)) {
            if (auto bytes = demo_bytes(o.url)) {
                FetchReply r;
                r.url = o.url;
                r.ok = true;
                r.http_status = 200;
                r.body = std::string(*bytes);
                parse_reply(r, {});
                pipeline->apply_fetch(std::move(r), now);
                continue;
            }
            net::FetchRequest req;
            req.id = next_id++;
            req.url = o.url;
            req.etag = o.etag;
            req.last_modified = o.last_modified;
            req.max_body_bytes = o.max_body_bytes;
            req.allow_file = o.allow_file;
            {
                std::lock_guard lock(inbox_mu);
                in_flight.emplace(req.id, std::move(o));
            }
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
        pipeline->apply_config(read_config(config_path), config_path.string(), now);
    }
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() {
    // The fetcher joins its thread first, so no callback touches the inbox afterwards; then the
    // cache writer flushes what is queued and joins.
    impl_->fetcher.reset();
    impl_->drain();
    impl_->writer.reset();
}

Result<std::unique_ptr<Engine>> Engine::create(EngineOptions options, int64_t now) {
    auto impl = std::make_unique<Impl>();
    Impl& m = *impl;
    m.opt = std::move(options);
    ConfigParse first;
    std::string source = "command line";
    if (!m.opt.feed_urls.empty()) {
        for (const std::string& u : m.opt.feed_urls) {
            FeedConfig f;
            f.url = u;
            first.config.feeds.push_back(std::move(f));
        }
    } else {
        m.config_path = m.opt.config_path.empty() ? find_config_path() : m.opt.config_path;
        if (!m.config_path.empty()) {
            first = m.read_config(m.config_path);
            source = m.config_path.string();
            std::error_code ec;
            m.config_mtime = fs::last_write_time(m.config_path, ec);
            m.next_config_check = now + kConfigCheckSeconds;
        } else {
            source = "built-in defaults";
        }
    }

    PipelineOptions po;
    po.fallback_feeds = demo_feeds();
    po.manage_cache = !m.config_path.empty();
    po.local_scheme = std::string(kDemoScheme);
    m.pipeline.emplace(std::move(po));
    const fs::path cache_setting = first.config.cache.dir;
    const int64_t cache_bytes = first.config.cache.max_bytes;
    ConfigReport rep = m.pipeline->apply_config(std::move(first), source, now);
    if (!rep.applied) {
        for (const std::string& line : m.pipeline->take_log()) m.log(line);
        return Error{ErrorCode::InvalidInput, m.config_path.string() + ": invalid config, see above"};
    }

    fs::path cache_dir = default_cache_dir(!m.opt.cache_dir.empty() ? m.opt.cache_dir : cache_setting);
    if (auto c = DiskCache::open(cache_dir, cache_bytes)) {
        m.cache.emplace(std::move(c.value()));
    } else {
        m.log("cache: " + c.error().message + "; running without a disk cache");
    }
    // Offline first: cached items are on screen before any network.
    if (m.cache) {
        if (m.opt.feed_urls.empty())
            if (auto list = m.cache->load_feed_list()) m.pipeline->restore_feed_list(*list, now);
        std::vector<std::string> warnings;
        m.pipeline->restore(m.cache->load_all(&warnings), now);
        for (const std::string& w : warnings) m.log("cache: " + w);
    }
    Impl* raw = impl.get();
    if (m.cache) m.writer = std::make_unique<CacheWriter>(*m.cache, [raw](const std::string& line) { raw->log(line); });
    m.drain();
    m.fetcher = std::make_unique<net::Fetcher>(fetcher_options(m.pipeline->config().fetch),
                                               [raw](net::FetchResponse&& r) { raw->on_fetched(std::move(r)); });
    return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

void Engine::pump(int64_t now) {
    Impl& m = *impl_;
    std::vector<FetchReply> done;
    {
        std::lock_guard lock(m.inbox_mu);
        done.swap(m.inbox);
    }
    for (FetchReply& r : done) m.pipeline->apply_fetch(std::move(r), now);
    m.check_config(now);
    m.start_due(now);
    m.drain();
}

int64_t Engine::next_deadline(int64_t now) const {
    const Impl& m = *impl_;
    int64_t t = m.pipeline->next_deadline(now);
    if (!m.config_path.empty()) t = std::min(t, m.next_config_check);
    return std::max(t, now);
}

ConfigReport Engine::apply_config(ConfigParse parsed, std::string_view source, int64_t now) {
    return impl_->pipeline->apply_config(std::move(parsed), source, now);
}

Pipeline& Engine::pipeline() { return *impl_->pipeline; }
const Pipeline& Engine::pipeline() const { return *impl_->pipeline; }
const fs::path& Engine::config_path() const { return impl_->config_path; }
fs::path Engine::cache_dir() const { return impl_->cache ? impl_->cache->dir() : fs::path(); }

void Engine::fetch_all_now(int64_t now) {
    impl_->pipeline->fetch_all_now(now);
    impl_->start_due(now);
    impl_->drain();
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
