// SPDX-License-Identifier: Apache-2.0
#include "app/images.h"

#include "app/files.h"

#include "app/cache.h"
#include "app/embedded.h"
#include "feed/result.h"

#include <stb_image.h>
#include <stb_image_resize.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cctype>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string_view>
#include <unordered_map>

namespace nk::app {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kDemoScheme = "demo:";

bool is_http(std::string_view url) {
    std::string head(url.substr(0, 8));
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return head.starts_with("http://") || head.starts_with("https://");
}

// Feeds can carry huge URLs (data: URIs); a log line names them, it does not quote them whole.
std::string shown(std::string_view url) {
    return url.size() <= 200 ? std::string(url) : std::string(url.substr(0, 200)) + "...";
}

std::string stb_reason() {
    const char* r = stbi_failure_reason();
    return r ? r : "unknown";
}

struct Pixels {
    int width = 0;
    int height = 0;
    std::vector<unsigned char> rgba;
};

// The size is checked from the header first, so a small file claiming a huge picture never
// gets the memory it asks for.
Result<Pixels> decode(std::string_view bytes, int max_dimension, int64_t max_pixels) {
    if (bytes.size() > INT_MAX) return Error{ErrorCode::TooLarge, "too large to decode"};
    const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
    const int len = static_cast<int>(bytes.size());
    int w = 0, h = 0, channels = 0;
    if (!stbi_info_from_memory(data, len, &w, &h, &channels))
        return Error{ErrorCode::InvalidInput, "not an image (stb: " + stb_reason() + ")"};
    if (int64_t{w} * h > max_pixels)
        return Error{ErrorCode::TooLarge, "too many pixels (" + std::to_string(w) + "x" + std::to_string(h) + ")"};
    std::unique_ptr<stbi_uc, void (*)(void*)> src(stbi_load_from_memory(data, len, &w, &h, &channels, 4), stbi_image_free);
    if (!src) return Error{ErrorCode::InvalidInput, "cannot decode (stb: " + stb_reason() + ")"};
    Pixels p;
    if (std::max(w, h) <= max_dimension) {
        p.width = w;
        p.height = h;
        p.rgba.assign(src.get(), src.get() + std::size_t(w) * std::size_t(h) * 4);
        return p;
    }
    const int64_t longest = std::max(w, h);
    p.width = static_cast<int>(std::max<int64_t>(1, (int64_t{w} * max_dimension + longest / 2) / longest));
    p.height = static_cast<int>(std::max<int64_t>(1, (int64_t{h} * max_dimension + longest / 2) / longest));
    p.rgba.resize(std::size_t(p.width) * std::size_t(p.height) * 4);
    if (!stbir_resize_uint8_srgb(src.get(), w, h, 0, p.rgba.data(), p.width, p.height, 0, 4, 3, 0))
        return Error{ErrorCode::InvalidInput, "cannot downscale"};
    return p;
}

// The picture scaled down (never up) to the smallest size that still covers box_w x box_h, as
// the card crops it; unchanged when that saves little.
Pixels covering(Pixels p, int box_w, int box_h) {
    if (box_w <= 0 || box_h <= 0 || p.width <= 0 || p.height <= 0) return p;
    const double scale = std::max(static_cast<double>(box_w) / p.width, static_cast<double>(box_h) / p.height);
    if (scale > 0.9) return p;
    Pixels out;
    out.width = std::max(1, static_cast<int>(std::ceil(p.width * scale)));
    out.height = std::max(1, static_cast<int>(std::ceil(p.height * scale)));
    out.rgba.resize(std::size_t(out.width) * std::size_t(out.height) * 4);
    if (!stbir_resize_uint8_srgb(p.rgba.data(), p.width, p.height, 0, out.rgba.data(), out.width, out.height, 0, 4, 3, 0))
        return p;
    return out;
}

std::string encode_png(const Pixels& p) {
    std::string out;
    auto append = [](void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), std::size_t(size)); };
    if (!stbi_write_png_to_func(append, &out, p.width, p.height, 4, p.rgba.data(), p.width * 4)) out.clear();
    return out;
}

}  // namespace

struct ImageLoader::Shared {
    enum class Kind { Demo, Disk, Network, Local };  // Local: an owner's picture on this disk
    struct Job {
        Kind kind;
        std::string url;
        net::FetchResponse response;  // Network only
    };
    struct Entry {
        ImageState state = ImageState::Pending;
        int64_t retry_at = 0;  // Failed only
    };

    ImageLoaderOptions opt;
    fs::path dir;  // cache_dir/images; empty: no disk cache. Worker only.
    int fit_w = 0, fit_h = 0;  // under mu: the box pictures are scaled down to cover

    std::mutex mu;
    std::condition_variable cv;
    bool stop = false;
    int64_t now = 0;  // the caller's clock as of the last request(), to stamp failures
    std::deque<Job> jobs;
    std::unordered_map<std::string, Entry> entries;  // every URL not Unknown
    std::vector<DecodedImage> ready;
    std::vector<std::string> to_fetch;  // for the owning thread to hand to FetchFn

    void log(const std::string& line) const {
        if (opt.log) opt.log(line);
        else std::cerr << "newsroom-kiosk: " << line << "\n";
    }

    void wake() const {
        if (opt.wake) opt.wake();
    }

    // Decoding is the slow part: beyond kMaxQueued the oldest requests go back to Unknown, to be
    // asked again if their card is still wanted, rather than piling up compressed bodies.
    void push(Job job) {
        {
            std::lock_guard lock(mu);
            if (stop) return;
            jobs.push_back(std::move(job));
            while (jobs.size() > kMaxQueued) {
                entries.erase(jobs.front().url);
                jobs.pop_front();
            }
        }
        cv.notify_one();
    }

    void finish(const std::string& url, Pixels p) {
        int box_w = 0, box_h = 0;
        {
            std::lock_guard lock(mu);
            box_w = fit_w;
            box_h = fit_h;
        }
        p = covering(std::move(p), box_w, box_h);
        {
            std::lock_guard lock(mu);
            if (stop) return;
            entries[url].state = ImageState::Ready;
            ready.push_back({url, p.width, p.height, std::move(p.rgba)});
        }
        wake();
    }

    // Logged before the state shows, so whoever sees Failed finds the reason already there.
    void fail(const std::string& url, const std::string& why) {
        log("image " + shown(url) + ": " + why);
        std::lock_guard lock(mu);
        if (!stop) entries[url] = {ImageState::Failed, now + kRetrySeconds};
    }

    void fetch_later(const std::string& url) {
        {
            std::lock_guard lock(mu);
            if (stop) return;
            to_fetch.push_back(url);
        }
        wake();
    }

    void run() {
        open_dir();
        std::unique_lock lock(mu);
        while (true) {
            cv.wait(lock, [&] { return stop || !jobs.empty(); });
            if (stop) return;
            Job job = std::move(jobs.front());
            jobs.pop_front();
            lock.unlock();
            process(job);
            lock.lock();
        }
    }

    void process(const Job& job) {
        switch (job.kind) {
        case Kind::Demo: {
            std::string_view name = std::string_view(job.url).substr(kDemoScheme.size());
            for (const assets::EmbeddedFile& f : assets::embedded_files()) {
                if (f.name != name) continue;
                auto p = decode(f.bytes, opt.max_dimension, opt.max_pixels);
                return p ? finish(job.url, std::move(p.value())) : fail(job.url, p.error().message);
            }
            return fail(job.url, "no embedded image of that name");
        }
        case Kind::Local: {
            const std::string path = job.url.starts_with("file://") ? job.url.substr(7) : job.url;
            auto bytes = read_file(path, opt.max_download_bytes);
            if (!bytes) return fail(job.url, bytes.error().message);
            auto p = decode(bytes.value(), opt.max_dimension, opt.max_pixels);
            return p ? finish(job.url, std::move(p.value())) : fail(job.url, path + ": " + p.error().message);
        }
        case Kind::Disk: {
            fs::path path = file_of(job.url);
            auto bytes = dir.empty() ? Result<std::string>(Error{ErrorCode::Io, "no image cache"})
                                     : read_file(path, opt.max_download_bytes);
            if (!bytes) return fetch_later(job.url);
            auto p = decode(bytes.value(), opt.max_dimension, opt.max_pixels);
            std::error_code ec;
            if (!p) {
                fs::remove(path, ec);
                log("image " + shown(job.url) + ": cache file " + path.string() + " unreadable (" + p.error().message +
                    "), deleted; fetching again");
                return fetch_later(job.url);
            }
            fs::last_write_time(path, fs::file_time_type::clock::now(), ec);  // least recently used goes first
            return finish(job.url, std::move(p.value()));
        }
        case Kind::Network: {
            const net::FetchResponse& r = job.response;
            if (!r.ok || r.not_modified) return fail(job.url, r.error.empty() ? "no image in the response" : r.error);
            auto p = decode(r.body, opt.max_dimension, opt.max_pixels);
            if (!p) return fail(job.url, p.error().message);
            if (!dir.empty()) store(job.url, p.value());
            return finish(job.url, std::move(p.value()));
        }
        }
    }

    fs::path file_of(const std::string& url) const {
        return dir / fs::path(DiskCache::file_name(url)).replace_extension(".png");
    }

    void open_dir() {
        if (opt.cache_dir.empty()) return;
        fs::path d = opt.cache_dir / "images";
        std::error_code ec;
        fs::create_directories(d, ec);
        if (ec) {
            log("image cache: cannot create " + d.string() + ": " + ec.message() + "; images are not kept on disk");
            return;
        }
        dir = d;
        for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
            if (it->path().filename().string().starts_with(kTempPrefix)) fs::remove(it->path(), ec);  // a crash's leftover
    }

    void store(const std::string& url, const Pixels& p) {
        fs::path path = file_of(url);
        std::string png = encode_png(p);
        // No fsync: a file torn by a power cut reads as corrupt, is deleted and fetched again, and
        // an SD card is spared a flush per picture.
        if (png.empty()) log("image cache: cannot write " + path.string() + ": cannot encode");
        else if (auto w = write_atomic(path, png, Durability::NoFsync); !w) log("image cache: " + w.error().message);
        trim();
    }

    // Newest first, keep while both bounds hold; everything older goes.
    void trim() {
        struct File {
            fs::path path;
            uintmax_t size;
            fs::file_time_type used;
        };
        std::vector<File> files;
        std::error_code ec;
        for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
            const fs::path& p = it->path();
            if (p.extension() != ".png" || p.filename().string().starts_with(kTempPrefix)) continue;
            std::error_code e1, e2;
            uintmax_t size = it->file_size(e1);
            fs::file_time_type used = it->last_write_time(e2);
            if (!e1 && !e2) files.push_back({p, size, used});
        }
        std::sort(files.begin(), files.end(), [](const File& a, const File& b) { return a.used > b.used; });
        uintmax_t bytes = 0;
        std::size_t kept = 0;
        bool full = false;
        for (const File& f : files) {
            full = full || kept == opt.disk_max_files || bytes + f.size > static_cast<uintmax_t>(std::max<int64_t>(0, opt.disk_max_bytes));
            if (full) fs::remove(f.path, ec);
            else {
                ++kept;
                bytes += f.size;
            }
        }
    }
};

ImageLoader::ImageLoader(ImageLoaderOptions options, FetchFn fetch) : shared_(std::make_shared<Shared>()), fetch_(std::move(fetch)) {
    shared_->opt = std::move(options);
    shared_->opt.max_dimension = std::max(1, shared_->opt.max_dimension);
    worker_ = std::thread([s = shared_.get()] { s->run(); });
}

void ImageLoader::fit(int width, int height) {
    std::lock_guard lock(shared_->mu);
    shared_->fit_w = std::max(0, width);
    shared_->fit_h = std::max(0, height);
}

ImageLoader::~ImageLoader() {
    {
        std::lock_guard lock(shared_->mu);
        shared_->stop = true;
        shared_->jobs.clear();
    }
    shared_->cv.notify_one();
    worker_.join();
}

void ImageLoader::request(const std::string& url, int64_t now, bool owner) {
    using Kind = Shared::Kind;
    Shared& s = *shared_;
    std::optional<Kind> kind;
    {
        std::lock_guard lock(s.mu);
        s.now = now;
        std::erase_if(s.entries, [&](const auto& e) { return e.second.state == ImageState::Failed && e.second.retry_at <= now; });
        if (s.entries.contains(url)) return;
        if (url.starts_with(kDemoScheme)) kind = Kind::Demo;
        else if (is_http(url)) kind = s.opt.cache_dir.empty() ? Kind::Network : Kind::Disk;
        else if (owner && (url.starts_with("/") || url.starts_with("file:///"))) kind = Kind::Local;
        if (kind) s.entries[url] = {};
        if (kind == Kind::Network) s.to_fetch.push_back(url);
    }
    if (!kind) s.fail(url, owner ? "unsupported URL (pictures come by http, https, or as an absolute path or file:// URL)"
                                 : "unsupported URL (images come by http, https or demo:)");
    else if (*kind != Kind::Network) s.push({*kind, url, {}});
    start_fetches();
}

std::vector<DecodedImage> ImageLoader::take_ready() {
    std::vector<DecodedImage> out;
    {
        std::lock_guard lock(shared_->mu);
        out.swap(shared_->ready);
        for (const DecodedImage& i : out) shared_->entries.erase(i.url);
    }
    start_fetches();
    return out;
}

ImageState ImageLoader::state(const std::string& url) const {
    std::lock_guard lock(shared_->mu);
    auto it = shared_->entries.find(url);
    return it == shared_->entries.end() ? ImageState::Unknown : it->second.state;
}

void ImageLoader::start_fetches() {
    std::vector<std::string> urls;
    {
        std::lock_guard lock(shared_->mu);
        urls.swap(shared_->to_fetch);
    }
    for (std::string& url : urls) {
        net::FetchRequest req;
        req.url = std::move(url);
        req.max_body_bytes = shared_->opt.max_download_bytes;
        fetch_(std::move(req), [weak = std::weak_ptr<Shared>(shared_)](net::FetchResponse&& r) {
            // The loader may be gone: then its state is dropped with this callback.
            if (auto s = weak.lock()) s->push({Shared::Kind::Network, r.url, std::move(r)});
        });
    }
}

}  // namespace nk::app
