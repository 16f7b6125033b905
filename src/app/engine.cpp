// SPDX-License-Identifier: Apache-2.0
#include "app/engine.h"

#include "app/cache.h"
#include "app/embedded.h"
#include "app/files.h"
#include "app/log.h"
#include "core/version.h"
#include "feed/dates.h"
#include "feed/url.h"
#include "net/fetcher.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
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
constexpr const char* kLastGoodFile = "last-good-config.toml";
constexpr const char* kAlertsFile = "alerts.json";
// An announcement is a screenful of text; a bigger file is not one.
constexpr int64_t kMaxDropFileBytes = 256 << 10;

std::optional<std::string_view> demo_bytes(std::string_view url) {
    if (!url.starts_with(kDemoScheme)) return std::nullopt;
    std::string_view name = url.substr(kDemoScheme.size());
    for (const assets::EmbeddedFile& f : assets::embedded_files())
        if (f.name == name) return f.bytes;
    return std::nullopt;
}

std::string version_user_agent(const FetchConfig& f) {
    if (!f.user_agent.empty()) return f.user_agent;
    return std::string("newsroom-kiosk/") + version() + " (+https://github.com/newsroom-kiosk; feed display)";
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
// A disk that is full or read-only costs the disk copy, never the screen: a failed save is kept
// (the newest per feed) and tried again every kRetry or as soon as another write works;
// the problem is logged when it starts and when it ends, and problem() says it meanwhile.
class CacheWriter {
public:
    static constexpr auto kRetry = std::chrono::seconds(10);

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
            enqueue(queue_, std::move(order));
        }
        cv_.notify_one();
    }

    // "" while writes work, else what stops them (e.g. "No space left on device"). Any thread.
    std::string problem() const {
        std::lock_guard lock(mu_);
        return problem_;
    }

private:
    static bool same_feed(const SaveOrder& a, const SaveOrder& b) {
        if (a.kind != b.kind) return false;
        if (a.kind == SaveOrder::Kind::Calendar) return a.calendar.url == b.calendar.url;
        return a.kind != SaveOrder::Kind::Feed || a.feed.url == b.feed.url;
    }

    static void enqueue(std::deque<SaveOrder>& q, SaveOrder order) {
        if (order.kind != SaveOrder::Kind::PurgeExcept) {
            for (SaveOrder& o : q)
                if (same_feed(o, order)) {
                    o = std::move(order);
                    return;
                }
        } else {
            // Saves queued for feeds that are gone would bring their files back.
            std::erase_if(q, [&](const SaveOrder& o) {
                const std::string* url = o.kind == SaveOrder::Kind::Feed ? &o.feed.url : o.kind == SaveOrder::Kind::Calendar ? &o.calendar.url : nullptr;
                return url && std::find(order.keep.begin(), order.keep.end(), *url) == order.keep.end();
            });
        }
        q.push_back(std::move(order));
    }

    void run() {
        std::unique_lock lock(mu_);
        while (true) {
            if (retry_.empty()) cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
            else if (!cv_.wait_for(lock, kRetry, [&] { return stop_ || !queue_.empty(); })) requeue_failed();
            if (queue_.empty()) return;  // stopping, and everything is written (or kept in memory)
            SaveOrder order = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            DiskCache::Applied a = cache_.apply(order);
            lock.lock();
            if (a.failed) {
                const std::string why = a.lines.empty() ? "cannot write" : a.lines.front();
                if (problem_.empty()) {
                    problem_ = why;
                    lock.unlock();
                    log_(why + "; keeping the stories in memory and trying again");
                    lock.lock();
                }
                if (order.kind != SaveOrder::Kind::PurgeExcept) enqueue(retry_, std::move(order));
                continue;
            }
            const bool recovered = !problem_.empty();
            problem_.clear();
            requeue_failed();
            lock.unlock();
            if (recovered) log_("cache: writing again");
            for (const std::string& line : a.lines) log_(line);
            lock.lock();
        }
    }

    void requeue_failed() {
        for (SaveOrder& o : retry_) enqueue(queue_, std::move(o));
        retry_.clear();
    }

    DiskCache cache_;
    std::function<void(const std::string&)> log_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<SaveOrder> queue_;
    std::deque<SaveOrder> retry_;        // failed writes, newest per feed
    std::string problem_;
    bool stop_ = false;
    std::thread thread_;  // last: started once everything above exists
};

}  // namespace

std::vector<Announcement> demo_announcements() {
    Announcement a;
    a.id = "welcome";
    a.title = "Welcome to newsroom-kiosk";
    a.body = "This screen shows its built-in demo stories until it is given feeds of its own.\n"
             "- Add feeds to **/etc/newsroom-kiosk/kiosk.toml**, or drop announcement files into a folder\n"
             "- Send an alert to every screen here: *newsroom-kiosk alert \"Hello\"*";
    a.color = "#1f618d";
    return {a};
}

std::vector<CalendarConfig> demo_calendars() {
    CalendarConfig c;
    c.id = "demo";
    c.url = std::string(kDemoScheme) + "agenda.ics";
    c.refresh_minutes = 24 * 60;  // embedded: it never changes
    return {c};
}

std::string system_time_zone() {
    // TZ first (as the C library reads it), else what /etc/localtime points into.
    if (const char* tz = std::getenv("TZ"); tz && *tz) return tz[0] == ':' ? tz + 1 : tz;
    std::error_code ec;
    const fs::path target = fs::read_symlink("/etc/localtime", ec);
    if (ec) return {};
    const std::string s = target.string();
    const std::size_t at = s.find("zoneinfo/");
    return at == std::string::npos ? std::string() : s.substr(at + 9);
}

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
    struct DropEntry {
        fs::file_time_type mtime{};
        std::uintmax_t size = 0;
        DropFile parsed;
    };
    std::map<std::string, DropEntry> drop_files;  // by file name
    int64_t next_drop_check = 0;
    std::string drop_error;
    std::optional<Pipeline> pipeline;
    std::optional<DiskCache> cache;      // startup reads only; writes go through writer
    std::unique_ptr<DirLock> cache_lock; // held while this engine uses the cache directory
    fs::path state_dir;
    std::string last_good_text;          // what the state directory holds
    bool said_state_error = false;
    int64_t started = 0;                 // Unix seconds at create()
    std::string config_problem;          // "" while the file's config is the running one
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

    struct FileConfig {
        ConfigParse parse;
        std::string text;                    // as read, for the last good copy
    };

    // The file's config: the TOML, with a local OPML list it names merged in, and with --feed in
    // place of its feeds. Reading is the shell's job; what the file means is the pipeline's.
    FileConfig read_config(const fs::path& path, std::string_view file_name = {}) {
        FileConfig out;
        auto text = read_file(path, kMaxConfigFileBytes);
        if (!text) {
            // The message names the path; the issue puts it in front again.
            std::string why = text.error().message;
            if (why.starts_with(path.string() + ": ")) why.erase(0, path.string().size() + 2);
            out.parse.issues.push_back({path.string(), 0, 0, "", why, false});
            return out;
        }
        out.text = std::move(text.value());
        out.parse = compose(out.text, file_name.empty() ? path.string() : std::string(file_name));
        with_command_line_feeds(out.parse.config);
        Config& c = out.parse.config;
        // A list next to the config file: relative to the file the person edits, also when
        // read from its last good copy.
        if (!out.parse.has_errors() && !c.opml.empty() && !url::is_remote(c.opml)) merge_local_list(c, config_path);
        return out;
    }

    // The file's text alone, or with the fleet's layers over it.
    ConfigParse compose(std::string_view text, const std::string& name) const {
        return opt.config_layers.empty() ? parse_config(text, name) : layered_config(text, name, opt.config_layers);
    }

    // --feed with --config: the file's settings, the command line's feeds.
    void with_command_line_feeds(Config& c) const {
        if (opt.feed_urls.empty()) return;
        c.feeds.clear();
        c.opml.clear();
        for (const std::string& u : opt.feed_urls) {
            FeedConfig f;
            f.url = u;
            c.feeds.push_back(std::move(f));
        }
    }

    fs::path last_good_path() const { return state_dir.empty() ? fs::path() : state_dir / kLastGoodFile; }

    // Every config applied from the file is kept, so that a typo at the next boot still starts
    // on what worked.
    void keep_last_good(const std::string& text) {
        if (text == last_good_text || state_dir.empty()) return;
        std::error_code ec;
        fs::create_directories(state_dir, ec);
        auto w = write_atomic(last_good_path(), text, Durability::Fsync);
        if (!w) {
            if (!said_state_error) log("config: cannot keep the last good copy: " + w.error().message);
            said_state_error = true;
            return;
        }
        said_state_error = false;
        last_good_text = text;
    }

    void config_applied(const ConfigReport& r, const FileConfig& file) {
        if (!r.applied) {
            config_problem = "config error: see journal";
            return;
        }
        config_problem.clear();
        keep_last_good(file.text);
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
        for (SaveOrder& s : pipeline->take_saves()) {
            if (s.kind == SaveOrder::Kind::Alerts) keep_alerts(s.alerts);
            else if (writer) writer->submit(std::move(s));
        }
    }

    // Sent alerts outlive a restart until they expire: a small file in the state directory,
    // written at once (alerts are rare, and one sent just before a power cut must survive it).
    void keep_alerts(const std::vector<Alert>& alerts) {
        if (state_dir.empty()) return;
        nlohmann::json j = nlohmann::json::array();
        for (const Alert& a : alerts)
            j.push_back({{"id", a.id}, {"text", a.text}, {"level", alert_level_name(a.level)}, {"created", a.created}, {"expires", a.expires}});
        std::error_code ec;
        fs::create_directories(state_dir, ec);
        auto w = write_atomic(state_dir / kAlertsFile, j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                              Durability::Fsync);
        if (!w) log("alerts: cannot keep the sent alerts: " + w.error().message);
    }

    std::vector<Alert> kept_alerts() {
        std::vector<Alert> out;
        if (state_dir.empty()) return out;
        auto text = read_file(state_dir / kAlertsFile, 1 << 20);
        if (!text) return out;
        try {
            for (const auto& j : nlohmann::json::parse(text.value())) {
                Alert a;
                a.id = j.at("id").get<std::string>();
                a.text = j.at("text").get<std::string>();
                a.level = parse_alert_level(j.at("level").get<std::string>()).value_or(AlertLevel::Info);
                a.created = j.at("created").get<int64_t>();
                a.expires = j.at("expires").get<int64_t>();
                out.push_back(std::move(a));
            }
        } catch (const std::exception& e) {
            log("alerts: " + (state_dir / kAlertsFile).string() + " is damaged (" + e.what() + "); the sent alerts are dropped");
            out.clear();
        }
        return out;
    }

    // The demo's stories were written with fixed dates; a fresh install must not greet its owner
    // with "10 days ago". They keep their spacing, the newest a quarter of an hour before start.
    void date_demo(Feed& feed) const {
        static const int64_t newest = dates::from_civil(2026, 11, 26, 8, 10).value_or(0);  // the demo's newest story
        const int64_t shift = started - 15 * 60 - newest;
        for (Item& i : feed.items) {
            if (i.published) *i.published += shift;
            if (i.updated) *i.updated += shift;
        }
    }

    void start_due(int64_t now) {
        for (FetchOrder& o : pipeline->take_due(now)) {
            if (auto bytes = demo_bytes(o.url)) {
                FetchReply r;
                r.kind = o.kind;
                r.url = o.url;
                r.ok = true;
                r.http_status = 200;
                r.body = std::string(*bytes);
                parse_reply(r, {});
                if (r.parsed && r.parsed->ok()) date_demo(r.parsed->value());
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

    // [announcements] dir, relative to the config file's folder when relative.
    fs::path drop_dir() const {
        fs::path d = pipeline->config().announcement_options.dir;
        if (!d.empty() && d.is_relative() && !config_path.empty()) d = config_path.parent_path() / d;
        return d;
    }

    // The drop folder, looked at every few seconds: a file that changed is read again, a broken
    // one is named (once per version) and skipped, the others stay.
    void check_drop_folder(int64_t now) {
        if (now < next_drop_check) return;
        next_drop_check = now + kConfigCheckSeconds;
        const fs::path dir = drop_dir();
        std::map<std::string, DropEntry> seen;
        if (!dir.empty()) {
            std::error_code ec;
            fs::directory_iterator it(dir, ec);
            if (ec) {
                if (drop_error != ec.message()) log("announcements: " + dir.string() + ": " + ec.message());
                drop_error = ec.message();
            } else {
                drop_error.clear();
            }
            for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
                const std::string name = it->path().filename().string();
                // Editors' swap and backup files, and half-copied files some tools write first.
                if (name.empty() || name.front() == '.' || name.back() == '~') continue;
                const std::string ext = it->path().extension().string();
                if (ext != ".md" && ext != ".markdown" && ext != ".txt") continue;
                std::error_code fec;
                if (!it->is_regular_file(fec)) continue;
                DropEntry e;
                e.mtime = it->last_write_time(fec);
                e.size = it->file_size(fec);
                auto old = drop_files.find(name);
                if (old != drop_files.end() && old->second.mtime == e.mtime && old->second.size == e.size) {
                    seen[name] = old->second;  // a copy: drop_files stays whole when nothing changed
                    continue;
                }
                auto text = read_file(it->path(), kMaxDropFileBytes);
                if (!text) {
                    log("announcements: " + text.error().message + "; skipped");
                } else {
                    e.parsed = parse_drop_file(text.value(), it->path().string());
                    for (const ConfigIssue& i : e.parsed.issues) log("announcements: " + format_issue(i));
                    if (e.parsed.has_errors()) log("announcements: " + it->path().string() + " skipped; the other files stay");
                }
                seen[name] = std::move(e);
            }
        }
        if (seen.size() == drop_files.size() &&
            std::equal(seen.begin(), seen.end(), drop_files.begin(), [](const auto& a, const auto& b) {
                return a.first == b.first && a.second.mtime == b.second.mtime && a.second.size == b.second.size;
            }))
            return;
        drop_files = std::move(seen);
        std::vector<Announcement> announcements;
        std::vector<Alert> alerts;
        for (const auto& [name, e] : drop_files) {
            if (e.parsed.announcement) announcements.push_back(*e.parsed.announcement);
            if (e.parsed.alert) alerts.push_back(*e.parsed.alert);
        }
        log("announcements: " + (dir.empty() ? std::string("no drop folder") : dir.string()) + ": " + std::to_string(announcements.size()) + " announcements, " +
            std::to_string(alerts.size()) + " alerts");
        pipeline->set_announcements("folder", std::move(announcements));
        pipeline->set_alerts("folder", std::move(alerts));
    }

    void check_config(int64_t now) {
        check_drop_folder(now);
        if (config_path.empty() || now < next_config_check) return;
        next_config_check = now + kConfigCheckSeconds;
        std::error_code ec;
        auto mtime = fs::last_write_time(config_path, ec);
        if (ec || (config_mtime && *config_mtime == mtime)) return;
        config_mtime = mtime;
        FileConfig file = read_config(config_path);
        config_applied(pipeline->apply_config(std::move(file.parse), config_path.string(), now), file);
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
    m.state_dir = default_state_dir(m.opt.state_dir);
    m.started = now;
    // --feed alone runs those feeds on the defaults; with --config, on the file's settings.
    if (m.opt.feed_urls.empty() || !m.opt.config_path.empty())
        m.config_path = m.opt.config_path.empty() ? find_config_path() : m.opt.config_path;
    if (!m.state_dir.empty()) {
        if (auto t = read_file(m.last_good_path(), kMaxConfigFileBytes)) m.last_good_text = std::move(t.value());
    }

    Impl::FileConfig first;
    std::string source = "built-in defaults";
    bool from_cache = false;               // no usable config at all: run the feeds the cache holds
    if (m.config_path.empty() && !m.opt.config_layers.empty()) {
        first.parse = m.compose("", "fleet layers");
        source = "fleet layers";
    }
    if (!m.opt.feed_urls.empty() && m.config_path.empty()) {
        m.with_command_line_feeds(first.parse.config);
        source = "command line";
    } else if (!m.config_path.empty()) {
        first = m.read_config(m.config_path);
        source = m.config_path.string();
        std::error_code ec;
        m.config_mtime = fs::last_write_time(m.config_path, ec);
        m.next_config_check = now + kConfigCheckSeconds;
        if (first.parse.has_errors()) {
            // A typo must never mean a black screen: say what is wrong, then run on what worked.
            for (const ConfigIssue& i : first.parse.issues) m.log(format_issue(i));
            m.config_problem = "config error: see journal";
            Impl::FileConfig good;
            if (!m.last_good_text.empty())
                good = m.read_config(m.last_good_path(), "last good copy of " + m.config_path.string());
            if (!m.last_good_text.empty() && !good.parse.has_errors()) {
                m.log("config: " + m.config_path.string() + " is invalid (see above); running on its last good copy, " +
                      m.last_good_path().string());
                first = std::move(good);
                source = "last good copy of " + m.config_path.string();
            } else {
                const std::string cache_dir = first.parse.config.cache.dir;  // where the broken file says, if it says
                first = {};
                first.parse.config.cache.dir = cache_dir;
                from_cache = true;
            }
        }
    }

    fs::path cache_dir = default_cache_dir(!m.opt.cache_dir.empty() ? m.opt.cache_dir : fs::path(first.parse.config.cache.dir));
    auto cache = DiskCache::open(cache_dir, first.parse.config.cache.max_bytes);
    if (cache) {
        auto lock = DirLock::acquire(cache.value().dir());
        if (lock) m.cache_lock = std::move(lock.value());
        else if (lock.error().code == ErrorCode::Busy) cache = lock.error();
        // A read-only cache (an overlay root, a full or failing card) is still worth reading.
        else m.log("cache: " + lock.error().message + "; reading it without a lock");
    }
    if (cache) m.cache.emplace(std::move(cache.value()));
    else m.log("cache: " + cache.error().message + "; running without a disk cache");
    std::vector<CachedFeed> cached;
    if (m.cache) {
        std::vector<std::string> warnings;
        cached = m.cache->load_all(&warnings);
        for (const std::string& w : warnings) m.log("cache: " + w);
    }
    if (from_cache) {
        for (const CachedFeed& c : cached) {
            FeedConfig f;
            f.url = c.url;
            f.name = c.status.title;
            first.parse.config.feeds.push_back(std::move(f));
        }
        source = "the " + std::to_string(cached.size()) + " feeds found in the cache";
        m.log("config: " + m.config_path.string() + " is invalid (see above) and there is no last good copy; running on " +
              (cached.empty() ? std::string("the embedded demo") : source));
    }

    PipelineOptions po;
    po.fallback_feeds = demo_feeds();
    po.fallback_announcements = demo_announcements();
    po.fallback_calendars = demo_calendars();
    po.system_zone = system_time_zone();
    // A feed list of the moment (--feed, or rebuilt from the cache) must not purge the real one's cache.
    po.manage_cache = !m.config_path.empty() && m.opt.feed_urls.empty() && !from_cache;
    po.local_scheme = std::string(kDemoScheme);
    m.pipeline.emplace(std::move(po));
    ConfigReport rep = m.pipeline->apply_config(std::move(first.parse), source, now);
    if (!rep.applied) {
        // Only a last good copy that went bad on disk can get here: run on the defaults.
        m.pipeline->apply_config(ConfigParse{}, "built-in defaults", now);
    } else if (m.config_problem.empty() && !m.config_path.empty()) {
        m.keep_last_good(first.text);
    }
    // Offline first: cached items are on screen before any network.
    if (m.cache && m.opt.feed_urls.empty())
        if (auto list = m.cache->load_feed_list()) m.pipeline->restore_feed_list(*list, now);
    m.pipeline->restore(std::move(cached), now);
    if (m.cache) {
        std::vector<std::string> warnings;
        m.pipeline->restore_calendars(m.cache->load_calendars(&warnings), now);
        for (const std::string& w : warnings) m.log("cache: " + w);
    }
    m.pipeline->restore_alerts(m.kept_alerts(), now);

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
    if (!m.drop_dir().empty()) t = std::min(t, m.next_drop_check);
    return std::max(t, now);
}

ConfigReport Engine::apply_config(ConfigParse parsed, std::string_view source, int64_t now) {
    return impl_->pipeline->apply_config(std::move(parsed), source, now);
}

ConfigReport Engine::set_config_layers(std::vector<ConfigLayer> layers, int64_t now) {
    Impl& m = *impl_;
    m.opt.config_layers = std::move(layers);
    Impl::FileConfig file;
    std::string source = "fleet layers";
    if (!m.config_path.empty()) {
        file = m.read_config(m.config_path);
        source = m.config_path.string() + " with fleet layers";
        // A broken file runs on its last good copy (create()): the layers go over that copy.
        if (file.parse.has_errors() && !m.last_good_text.empty()) {
            Impl::FileConfig good = m.read_config(m.last_good_path(), "last good copy of " + m.config_path.string());
            if (!good.parse.has_errors()) {
                file = std::move(good);
                source = "last good copy of " + m.config_path.string() + " with fleet layers";
            }
        }
    } else {
        file.parse = m.compose("", "fleet layers");
        m.with_command_line_feeds(file.parse.config);
    }
    if (m.opt.config_layers.empty()) source = m.config_path.empty() ? "built-in defaults" : m.config_path.string();
    const bool from_copy = source.starts_with("last good copy");
    ConfigReport r = m.pipeline->apply_config(std::move(file.parse), source, now);
    // The file is still broken when its copy is what runs: the header keeps saying so.
    if (!m.config_path.empty() && !from_copy) m.config_applied(r, file);
    m.drain();
    return r;
}

const std::vector<ConfigLayer>& Engine::config_layers() const { return impl_->opt.config_layers; }

Pipeline& Engine::pipeline() { return *impl_->pipeline; }
const std::string& Engine::config_problem() const { return impl_->config_problem; }
std::string Engine::cache_problem() const { return impl_->writer ? impl_->writer->problem() : std::string(); }
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
