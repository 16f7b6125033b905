// SPDX-License-Identifier: Apache-2.0
// cache.h: the offline-first disk cache. Per feed, the last good entries, the HTTP validators
// (ETag, Last-Modified, exactly as received) and the feed's status, so that after a reboot with
// no network the screen shows content at once. One JSON file per feed in one directory.
// Blocking file I/O (fsync): not thread-safe; one thread at a time (the main thread at startup
// and between frames, or a worker that owns the DiskCache).
//
// Files at the top of the directory that are ours (anything else there, e.g. an image cache in a
// subdirectory, is left alone and not counted against max_bytes):
//   *.json   one per feed, named <16 hex digits of FNV-1a 64 of the URL>.json; the URL is stored
//            inside and checked on load, so a hash collision or a renamed file cannot mix feeds;
//            JSON with a format name and version
//   .tmp-*   a write in progress; a leftover from a crash is removed by load_all()
#pragma once

#include "feed/result.h"
#include "core/pipeline.h"
#include "core/store.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nk::app {

// Where the cache lives: `override_dir` (from the config) when not empty; else the first path
// of $CACHE_DIRECTORY (systemd CacheDirectory=, ':'-separated, used as given); else
// $XDG_CACHE_HOME/newsroom-kiosk (only when absolute, as the XDG spec says); else
// $HOME/.cache/newsroom-kiosk. Empty when none of them is set: DiskCache::open then says so.
std::filesystem::path default_cache_dir(const std::filesystem::path& override_dir = {});

class DiskCache {
public:
    // Trimming never takes a feed below its newest kKeepNewest entries.
    static constexpr std::size_t kKeepNewest = 10;

    using FeedRecord = CachedFeed;       // each entry's feed_url is `url` (not stored per entry)

    struct SaveReport {
        int64_t bytes = 0;                 // our files' total size after the save (and trim)
        std::size_t entries_trimmed = 0;   // oldest entries dropped to stay under max_bytes
        std::vector<std::string> feeds_evicted;  // URLs whose files were deleted to stay under it
        std::vector<std::string> warnings;  // trouble that did not stop the save, one line each
    };

    // Creates `dir` (and parents) when missing. Fails, naming the path, when it cannot be made
    // or is not a directory, or when max_bytes <= 0.
    static Result<DiskCache> open(std::filesystem::path dir, int64_t max_bytes);

    // Atomic replace: temp file in the same directory, fsync, rename over the target, fsync of
    // the directory. On error (disk full, read-only, permission) the old file is untouched and
    // the error names the path and the system's reason.
    //
    // Size bound: when our files would then exceed max_bytes,
    //   1. the largest feed (in bytes, this one included) loses its oldest entry (by time, then
    //      first_seen), again and again, but no feed goes below its newest kKeepNewest entries;
    //   2. still over: whole files of other feeds go, oldest last_success first (never-succeeded
    //      first; ties: larger file first). The feed being saved is never deleted.
    //   Still over after that (one feed's newest entries alone are too big): a warning.
    Result<SaveReport> save(const FeedRecord& record);

    // Every cached feed, sorted by URL. Skipped, with a warning naming the file, each appended to
    // `warnings` (may be null):
    //   - content that is not a cache file of this version for the URL its name says (corrupt,
    //     truncated, garbage, other format version, renamed): deleted, since its feed is
    //     refetched anyway; a copy set aside would only grow on an unattended screen;
    //   - a file that cannot be opened or read: left in place, as the error may be passing.
    // Leftover temp files are removed.
    std::vector<FeedRecord> load_all(std::vector<std::string>* warnings);

    struct Applied {
        std::vector<std::string> lines;    // worth logging: failures, warnings, purges
        bool failed = false;               // not carried out (the old file, if any, is untouched)
        std::optional<SaveReport> saved;   // a feed's record: the save's report
        std::size_t purged = 0;            // a purge: files deleted
    };
    // Carries out what the pipeline asked of the disk (core/pipeline.h SaveOrder): a feed's
    // record (save), the copy of a feed list fetched by URL, or a purge.
    Applied apply(const SaveOrder& order);

    // The copy of a feed list fetched by URL that apply() last wrote; nullopt when there is none.
    std::optional<std::string> load_feed_list() const;

    // The calendars' last good files (calendars/ in the cache directory, one JSON file each).
    // A damaged one is deleted with a warning (it is fetched again anyway).
    std::vector<CachedCalendar> load_calendars(std::vector<std::string>* warnings) const;

    // Deletes every *.json not named for a URL in `urls` (feeds removed from the config, and
    // strays). Returns how many were deleted; failures go to `warnings` (may be null).
    std::size_t purge_except(const std::vector<std::string>& urls, std::vector<std::string>* warnings = nullptr);

    const std::filesystem::path& dir() const { return dir_; }
    int64_t max_bytes() const { return max_bytes_; }

    // "<16 lower-case hex digits of FNV-1a 64 of url>.json"
    static std::string file_name(std::string_view url);

private:
    DiskCache(std::filesystem::path dir, int64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}
    std::filesystem::path dir_;
    int64_t max_bytes_ = 0;
};

}  // namespace nk::app
