// SPDX-License-Identifier: Apache-2.0
// images.h: the item pictures, from URL to RGBA pixels ready for upload. http(s) images come
// through the kiosk's Fetcher (its limits, proxy, User-Agent); "demo:<file>" from the embedded
// demo assets; a local file (an absolute path or file:// URL) only when the screen's owner named
// it (request(url, now, /*owner=*/true): an announcement's picture), never because a feed did;
// any other scheme fails. One worker thread owned by the loader decodes (stb_image)
// and downscales, so neither a feed fetch nor a frame ever waits behind a decode. Downscaled
// images are kept as PNG in <cache_dir>/images/, bounded, least recently used out first.
// The GL upload and the texture cache are the caller's (main thread).
// Threads: the constructor, request(), take_ready(), state() and the destructor are for one
// thread (the main thread). FetchFn is only called from inside request() and take_ready(), on
// that thread; its callback may come on any thread, also after the loader is gone. `wake` and
// `log` are called from the worker thread (`log` also from the calling thread).
// Destroy the loader before whatever its FetchFn uses (the Engine).
#pragma once

#include "net/fetcher.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace nk::app {

struct DecodedImage {
    std::string url;
    int width = 0;
    int height = 0;
    std::vector<unsigned char> rgba;  // 4 bytes a pixel, top row first, rows packed
};

struct ImageLoaderOptions {
    std::filesystem::path cache_dir;  // images go in cache_dir/images/; empty: no disk cache
    int max_dimension = 1024;         // longest side after downscaling; never upscaled
    int64_t max_download_bytes = 8 << 20;
    int64_t max_pixels = 40'000'000;  // larger sources are refused before decoding (bombs)
    int64_t disk_max_bytes = 64 << 20;
    std::size_t disk_max_files = 500;
    std::function<void()> wake;       // an image is ready, or take_ready() has fetches to start
    std::function<void(const std::string&)> log;  // one line, no newline; thread-safe
};

// Unknown: never asked, handed over by take_ready() (ask again after dropping the texture), or
// dropped from a full queue. Ready: decoded, waiting for take_ready(). Failed: until a request()
// kRetrySeconds after the failure starts it again.
enum class ImageState { Unknown, Pending, Ready, Failed };

class ImageLoader {
public:
    static constexpr int64_t kRetrySeconds = 30 * 60;  // a failed URL is not asked again sooner
    static constexpr std::size_t kMaxQueued = 16;      // waiting for the worker; more drops the oldest

    using FetchFn = std::function<void(net::FetchRequest, std::function<void(net::FetchResponse&&)>)>;
    ImageLoader(ImageLoaderOptions options, FetchFn fetch);
    ~ImageLoader();  // joins the worker; queued work and pending fetches are dropped
    ImageLoader(const ImageLoader&) = delete;
    ImageLoader& operator=(const ImageLoader&) = delete;

    // Starts loading unless the URL is Pending or Ready, or Failed less than kRetrySeconds
    // before `now` (Unix seconds, the Engine's clock). A failure is logged once, naming the URL.
    void request(const std::string& url, int64_t now, bool owner = false);

    // Hands over every finished image (the loader keeps no pixels; their state goes back to
    // Unknown) and starts the fetches the worker asked for (disk cache misses): call it when woken.
    std::vector<DecodedImage> take_ready();

    ImageState state(const std::string& url) const;

    // Pictures handed over from now on are scaled down to just cover a box of this size (the
    // card's picture box): no more pixels in memory, and to draw, than the screen shows. The disk
    // cache keeps them at max_dimension, so a larger box later is served sharp. 0: no box.
    void fit(int width, int height);

private:
    struct Shared;
    void start_fetches();
    std::shared_ptr<Shared> shared_;  // also held, weakly, by fetch callbacks
    FetchFn fetch_;
    std::thread worker_;
};

}  // namespace nk::app
