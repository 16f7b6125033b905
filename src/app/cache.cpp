// SPDX-License-Identifier: Apache-2.0
#include "app/cache.h"

#include "app/files.h"

#include "feed/text.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numeric>
#include <set>
#include <stdexcept>
#include <system_error>

namespace nk::app {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

constexpr std::string_view kFormatName = "newsroom-kiosk feed cache";
constexpr int kFormatVersion = 1;
constexpr std::string_view kEntriesOpen = ",\"entries\":[";
// A file bigger than this (or than max_bytes, when that is larger) was not written by us;
// reading it whole could exhaust a Pi's memory.
constexpr int64_t kReadCapFloor = int64_t{16} << 20;

uint64_t fnv1a64(std::string_view s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// ---- encoding -------------------------------------------------------------------------------

// Validators must come back byte for byte, but a server may send bytes that are not UTF-8, which
// JSON text cannot hold: those are stored as {"hex": "..."}.
json bytes_to_json(const std::string& s) {
    if (text::is_valid_utf8(s)) return s;
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(s.size() * 2);
    for (unsigned char c : s) {
        hex.push_back(kDigits[c >> 4]);
        hex.push_back(kDigits[c & 15]);
    }
    return json{{"hex", hex}};
}

std::string bytes_from_json(const json& j) {
    if (j.is_string()) return j.get<std::string>();
    const std::string hex = j.at("hex").get<std::string>();
    if (hex.size() % 2 != 0) throw std::invalid_argument("odd-length hex string");
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        throw std::invalid_argument("bad hex digit");
    };
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2)
        out.push_back(static_cast<char>((nibble(hex[i]) << 4) | nibble(hex[i + 1])));
    return out;
}

json opt_to_json(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }

// Display text is valid UTF-8 from the parser; should some slip through, U+FFFD beats a failed save.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// A record as text, cut so that the size of any subset of its entries is known without
// re-serialising: head (everything but the entries, ending in '}') and one text per entry.
struct Encoded {
    std::string head;
    std::vector<std::string> entries;

    static int64_t size_of(std::size_t head_size, int64_t entry_bytes, std::size_t n) {
        // head without '}' + ,"entries":[ + entries + commas + ]} + '\n'
        return static_cast<int64_t>(head_size - 1 + kEntriesOpen.size() + (n > 0 ? n - 1 : 0) + 3) + entry_bytes;
    }
    int64_t size() const {
        int64_t bytes = 0;
        for (const auto& e : entries) bytes += static_cast<int64_t>(e.size());
        return size_of(head.size(), bytes, entries.size());
    }
    std::string text(const std::vector<bool>* dropped = nullptr) const {
        std::string out = head.substr(0, head.size() - 1);
        out += kEntriesOpen;
        bool first = true;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            if (dropped && (*dropped)[i]) continue;
            if (!first) out += ',';
            out += entries[i];
            first = false;
        }
        out += "]}\n";
        return out;
    }
};

Encoded encode(const DiskCache::FeedRecord& r) {
    const FeedStatus& s = r.status;
    json head = {{"format", kFormatName},
                 {"version", kFormatVersion},
                 {"url", r.url},
                 {"etag", bytes_to_json(r.etag)},
                 {"last_modified", bytes_to_json(r.last_modified)},
                 {"status",
                  {{"last_attempt", s.last_attempt},
                   {"last_success", s.last_success},
                   {"http_status", s.http_status},
                   {"error", s.error},
                   {"item_count", static_cast<uint64_t>(s.item_count)},
                   {"next_fetch", s.next_fetch},
                   {"stale_since", opt_to_json(s.stale_since)},
                   {"gone", s.gone},
                   {"title", s.title},
                   {"hidden_count", static_cast<uint64_t>(s.hidden_count)}}}};
    Encoded out;
    out.head = dump(head);
    out.entries.reserve(r.entries.size());
    for (const Entry& e : r.entries) {
        const Item& it = e.item;
        out.entries.push_back(dump(json{{"id", it.id},
                                        {"title", it.title},
                                        {"link", it.link},
                                        {"summary", it.summary},
                                        {"published", opt_to_json(it.published)},
                                        {"updated", opt_to_json(it.updated)},
                                        {"author", it.author},
                                        {"image", it.image},
                                        {"categories", it.categories},
                                        {"first_seen", e.first_seen},
                                        {"time", e.time},
                                        {"breaking", e.breaking},
                                        {"headline_from_summary", e.headline_from_summary}}));
    }
    return out;
}

// ---- decoding: strict, as every field is always written; any deviation is a corrupt file (fields
// added to version 1 later, marked where they are read, may be absent) -------------------------

int64_t get_int(const json& obj, const char* key) {
    const json& v = obj.at(key);
    if (v.is_number_unsigned()) {
        if (v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            throw std::invalid_argument(std::string(key) + " out of range");
        return static_cast<int64_t>(v.get<uint64_t>());
    }
    if (!v.is_number_integer()) throw std::invalid_argument(std::string(key) + " is not an integer");
    return v.get<int64_t>();
}

std::optional<int64_t> get_opt_int(const json& obj, const char* key) {
    if (obj.at(key).is_null()) return std::nullopt;
    return get_int(obj, key);
}

std::string get_str(const json& obj, const char* key) { return obj.at(key).get<std::string>(); }

// The record in `text`, which was read from the file named `file_name`; an error says why not.
Result<DiskCache::FeedRecord> decode(std::string_view text, const std::string& file_name) {
    try {
        const json j = json::parse(text);
        if (!j.is_object() || !j.contains("format") || !j.at("format").is_string() ||
            j.at("format").get<std::string>() != kFormatName)
            return Error{ErrorCode::InvalidInput, "not a newsroom-kiosk cache file"};
        const int64_t version = get_int(j, "version");
        if (version != kFormatVersion)
            return Error{ErrorCode::Unsupported, "format version " + std::to_string(version) + ", expected " +
                                                     std::to_string(kFormatVersion)};
        DiskCache::FeedRecord r;
        r.url = get_str(j, "url");
        if (r.url.empty()) return Error{ErrorCode::InvalidInput, "empty url"};
        if (DiskCache::file_name(r.url) != file_name)
            return Error{ErrorCode::InvalidInput, "holds " + r.url + ", whose file would be " + DiskCache::file_name(r.url)};
        r.etag = bytes_from_json(j.at("etag"));
        r.last_modified = bytes_from_json(j.at("last_modified"));

        const json& s = j.at("status");
        r.status.last_attempt = get_int(s, "last_attempt");
        r.status.last_success = get_int(s, "last_success");
        const int64_t http = get_int(s, "http_status");
        if (http < 0 || http > 999) throw std::invalid_argument("http_status out of range");
        r.status.http_status = static_cast<int>(http);
        r.status.error = get_str(s, "error");
        const int64_t count = get_int(s, "item_count");
        if (count < 0) throw std::invalid_argument("item_count out of range");
        r.status.item_count = static_cast<std::size_t>(count);
        r.status.next_fetch = get_int(s, "next_fetch");
        r.status.stale_since = get_opt_int(s, "stale_since");
        r.status.gone = s.at("gone").get<bool>();
        r.status.title = get_str(s, "title");
        // Added after version 1 files were written: absent means none.
        if (s.contains("hidden_count")) {
            const int64_t hidden = get_int(s, "hidden_count");
            if (hidden < 0) throw std::invalid_argument("hidden_count out of range");
            r.status.hidden_count = static_cast<std::size_t>(hidden);
        }

        const json& entries = j.at("entries");
        if (!entries.is_array()) throw std::invalid_argument("entries is not an array");
        r.entries.reserve(entries.size());
        for (const json& e : entries) {
            Entry out;
            out.item.id = get_str(e, "id");
            out.item.title = get_str(e, "title");
            out.item.link = get_str(e, "link");
            out.item.summary = get_str(e, "summary");
            out.item.published = get_opt_int(e, "published");
            out.item.updated = get_opt_int(e, "updated");
            out.item.author = get_str(e, "author");
            out.item.image = get_str(e, "image");
            out.item.categories = e.at("categories").get<std::vector<std::string>>();
            out.feed_url = r.url;
            out.first_seen = get_int(e, "first_seen");
            out.time = get_int(e, "time");
            out.breaking = e.at("breaking").get<bool>();
            out.headline_from_summary = e.contains("headline_from_summary") && e.at("headline_from_summary").get<bool>();
            r.entries.push_back(std::move(out));
        }
        return r;
    } catch (const std::exception& e) {
        return Error{ErrorCode::InvalidInput, e.what()};
    }
}

// ---- files --------------------------------------------------------------------------------------

// Reads through app/files.h: Io means it could not be read (maybe passing; leave the file),
// TooLarge that it is not a file of ours.
struct OurFile {
    fs::path path;
    std::string name;
    int64_t size = 0;
};

// Our *.json files and temp files, by name (so trimming is deterministic).
void list_files(const fs::path& dir, std::vector<OurFile>* json_files, std::vector<OurFile>* temp_files,
                std::vector<std::string>* warnings) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
        std::error_code fec;
        if (!it->is_regular_file(fec)) continue;
        std::string name = it->path().filename().string();
        const bool is_temp = name.rfind(kTempPrefix, 0) == 0;
        const bool is_json = !is_temp && ends_with(name, ".json");
        if (!is_temp && !is_json) continue;
        const auto size = it->file_size(fec);
        OurFile f{it->path(), std::move(name), fec ? 0 : static_cast<int64_t>(size)};
        if (is_json && json_files) json_files->push_back(std::move(f));
        if (is_temp && temp_files) temp_files->push_back(std::move(f));
    }
    if (ec && warnings) warnings->push_back(dir.string() + ": cannot list: " + ec.message());
    auto by_name = [](const OurFile& a, const OurFile& b) { return a.name < b.name; };
    if (json_files) std::sort(json_files->begin(), json_files->end(), by_name);
    if (temp_files) std::sort(temp_files->begin(), temp_files->end(), by_name);
}

int64_t read_cap(int64_t max_bytes) { return std::max(max_bytes, kReadCapFloor); }

void remove_bad(const fs::path& path, const std::string& why, std::vector<std::string>& warnings) {
    std::error_code ec;
    fs::remove(path, ec);
    warnings.push_back(path.string() + ": " + why +
                       (ec ? "; could not delete it: " + ec.message() : "; deleted, the feed will be refetched"));
}

// One feed's file while planning a trim.
struct Planned {
    std::string url;
    fs::path path;
    bool is_saved = false;
    Encoded enc;
    std::vector<std::size_t> oldest_first;  // entry indices
    std::vector<bool> dropped;
    std::size_t next = 0;                   // into oldest_first
    std::size_t kept = 0;
    int64_t size = 0;
    int64_t last_success = 0;
    bool evicted = false;
};

Planned plan_for(const DiskCache::FeedRecord& r, fs::path path, bool is_saved) {
    Planned p;
    p.url = r.url;
    p.path = std::move(path);
    p.is_saved = is_saved;
    p.enc = encode(r);
    p.oldest_first.resize(r.entries.size());
    std::iota(p.oldest_first.begin(), p.oldest_first.end(), std::size_t{0});
    std::stable_sort(p.oldest_first.begin(), p.oldest_first.end(), [&](std::size_t a, std::size_t b) {
        const Entry& x = r.entries[a];
        const Entry& y = r.entries[b];
        return x.time != y.time ? x.time < y.time : x.first_seen < y.first_seen;
    });
    p.dropped.assign(r.entries.size(), false);
    p.kept = r.entries.size();
    p.size = p.enc.size();
    p.last_success = r.status.last_success;
    return p;
}

}  // namespace

// ---- public ------------------------------------------------------------------------------------

// The feed list is not a *.json of ours: trimming and purging leave it alone.
constexpr const char* kFeedListFile = "opml-feeds.opml";

fs::path default_cache_dir(const fs::path& override_dir) {
    if (!override_dir.empty()) return override_dir;
    auto env = [](const char* name) -> std::string_view {
        const char* v = std::getenv(name);
        return v ? std::string_view(v) : std::string_view();
    };
    std::string_view systemd = env("CACHE_DIRECTORY");
    while (!systemd.empty()) {
        const auto colon = systemd.find(':');
        const std::string_view first = systemd.substr(0, colon);
        if (!first.empty()) return fs::path(first);
        if (colon == std::string_view::npos) break;
        systemd.remove_prefix(colon + 1);
    }
    const std::string_view xdg = env("XDG_CACHE_HOME");
    if (!xdg.empty() && xdg.front() == '/') return fs::path(xdg) / "newsroom-kiosk";
    const std::string_view home = env("HOME");
    if (!home.empty()) return fs::path(home) / ".cache" / "newsroom-kiosk";
    return {};
}

std::string DiskCache::file_name(std::string_view url) {
    static constexpr char kDigits[] = "0123456789abcdef";
    uint64_t h = fnv1a64(url);
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kDigits[h & 15];
    return out + ".json";
}

Result<DiskCache> DiskCache::open(fs::path dir, int64_t max_bytes) {
    if (dir.empty())
        return Error{ErrorCode::Io,
                     "no cache directory: none configured, and CACHE_DIRECTORY, XDG_CACHE_HOME and HOME are unset"};
    if (max_bytes <= 0)
        return Error{ErrorCode::InvalidInput, dir.string() + ": cache size limit must be positive, got " +
                                                  std::to_string(max_bytes)};
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Error{ErrorCode::Io, dir.string() + ": cannot create the cache directory: " + ec.message()};
    if (!fs::is_directory(dir, ec))
        return Error{ErrorCode::Io, dir.string() + ": not a directory" + (ec ? ": " + ec.message() : "")};
    return DiskCache(std::move(dir), max_bytes);
}

Result<DiskCache::SaveReport> DiskCache::save(const FeedRecord& record) {
    if (record.url.empty()) return Error{ErrorCode::InvalidInput, dir_.string() + ": cannot cache a feed with no URL"};
    SaveReport report;
    const std::string own_name = file_name(record.url);
    const fs::path target = dir_ / own_name;

    std::vector<OurFile> files;
    list_files(dir_, &files, nullptr, &report.warnings);
    std::vector<Planned> plan;
    plan.push_back(plan_for(record, target, true));
    int64_t total = plan.front().size;
    for (const OurFile& f : files)
        if (f.name != own_name) total += f.size;

    if (total > max_bytes_) {
        // Only now is it worth reading the other feeds. Sizes from here on are of our own
        // encoding, which is what a rewrite will produce.
        total = plan.front().size;
        for (const OurFile& f : files) {
            if (f.name == own_name) continue;
            auto text = read_file(f.path, read_cap(max_bytes_));
            if (!text) {
                if (text.error().code == ErrorCode::Io) {
                    report.warnings.push_back(text.error().message + "; cannot trim it");
                    total += f.size;
                } else {
                    remove_bad(f.path, text.error().message, report.warnings);
                }
                continue;
            }
            auto rec = decode(text.value(), f.name);
            if (!rec) {
                remove_bad(f.path, rec.error().message, report.warnings);
                continue;
            }
            plan.push_back(plan_for(rec.value(), f.path, false));
            total += plan.back().size;
        }

        // 1. Oldest entries of the largest feed, one at a time, down to kKeepNewest per feed.
        std::vector<std::size_t> trimmed(plan.size(), 0);
        while (total > max_bytes_) {
            Planned* largest = nullptr;
            std::size_t largest_i = 0;
            for (std::size_t i = 0; i < plan.size(); ++i)
                if (plan[i].kept > kKeepNewest && (!largest || plan[i].size > largest->size)) {
                    largest = &plan[i];
                    largest_i = i;
                }
            if (!largest) break;
            const std::size_t idx = largest->oldest_first[largest->next++];
            largest->dropped[idx] = true;
            --largest->kept;
            const int64_t freed = static_cast<int64_t>(largest->enc.entries[idx].size()) + 1;  // + its comma
            largest->size -= freed;
            total -= freed;
            ++trimmed[largest_i];
        }

        // 2. Whole files of other feeds, the longest without a successful fetch first.
        std::vector<std::size_t> order;
        for (std::size_t i = 1; i < plan.size(); ++i) order.push_back(i);
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            const Planned& x = plan[a];
            const Planned& y = plan[b];
            if (x.last_success != y.last_success) return x.last_success < y.last_success;
            if (x.size != y.size) return x.size > y.size;
            return x.url < y.url;
        });
        for (std::size_t i : order) {
            if (total <= max_bytes_) break;
            plan[i].evicted = true;
            total -= plan[i].size;
            report.feeds_evicted.push_back(plan[i].url);
        }
        for (std::size_t i = 0; i < plan.size(); ++i)
            if (!plan[i].evicted) report.entries_trimmed += trimmed[i];
        if (total > max_bytes_)
            report.warnings.push_back(dir_.string() + ": cache over its limit of " + std::to_string(max_bytes_) +
                                      " bytes (" + std::to_string(total) + "): the newest " +
                                      std::to_string(plan.front().kept) + " entries of " + record.url +
                                      " alone take " + std::to_string(plan.front().size));
    }

    // The saved feed first: should it fail, nothing else has changed.
    auto written = write_atomic(target, plan.front().enc.text(&plan.front().dropped), Durability::Fsync, &report.warnings);
    if (!written) return written.error();
    for (std::size_t i = 1; i < plan.size(); ++i) {
        const Planned& p = plan[i];
        if (p.evicted) {
            std::error_code ec;
            if (!fs::remove(p.path, ec) && ec)
                report.warnings.push_back(p.path.string() + ": cannot delete: " + ec.message());
        } else if (p.next > 0) {
            auto rewritten = write_atomic(p.path, p.enc.text(&p.dropped), Durability::Fsync, &report.warnings);
            if (!rewritten) report.warnings.push_back(rewritten.error().message);
        }
    }

    files.clear();
    list_files(dir_, &files, nullptr, nullptr);
    for (const OurFile& f : files) report.bytes += f.size;
    return report;
}

std::vector<DiskCache::FeedRecord> DiskCache::load_all(std::vector<std::string>* warnings) {
    std::vector<std::string> scratch;
    std::vector<std::string>& warn = warnings ? *warnings : scratch;
    std::vector<OurFile> files, temps;
    list_files(dir_, &files, &temps, &warn);

    for (const OurFile& t : temps) {
        std::error_code ec;
        fs::remove(t.path, ec);
        warn.push_back(t.path.string() + ": temp file left by an interrupted write" +
                       (ec ? "; could not delete it: " + ec.message() : "; deleted"));
    }

    std::vector<FeedRecord> out;
    for (const OurFile& f : files) {
        auto text = read_file(f.path, read_cap(max_bytes_));
        if (!text) {
            if (text.error().code == ErrorCode::Io)
                warn.push_back(text.error().message + "; skipped");
            else
                remove_bad(f.path, text.error().message, warn);
            continue;
        }
        auto rec = decode(text.value(), f.name);
        if (!rec) {
            remove_bad(f.path, rec.error().message, warn);
            continue;
        }
        out.push_back(std::move(rec).value());
    }
    std::sort(out.begin(), out.end(), [](const FeedRecord& a, const FeedRecord& b) { return a.url < b.url; });
    return out;
}

namespace {

// Calendars keep to a folder of their own, out of the feed files' trimming and eviction: a
// calendar file is one per [[calendar]] and replaced whole.
constexpr const char* kCalendarDir = "calendars";

}  // namespace

std::vector<CachedCalendar> DiskCache::load_calendars(std::vector<std::string>* warnings) const {
    std::vector<CachedCalendar> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_ / kCalendarDir, ec)) {
        if (!e.is_regular_file(ec) || e.path().extension() != ".json") continue;
        auto bytes = read_file(e.path(), read_cap(max_bytes_));
        if (!bytes) {
            if (warnings) warnings->push_back(bytes.error().message);
            continue;
        }
        try {
            const nlohmann::json j = nlohmann::json::parse(bytes.value());
            CachedCalendar c;
            c.url = j.at("url").get<std::string>();
            c.bytes = j.at("ics").get<std::string>();
            c.etag = j.value("etag", "");
            c.last_modified = j.value("last_modified", "");
            c.fetched = j.value("fetched", int64_t{0});
            if (file_name(c.url) != e.path().filename().string()) throw std::runtime_error("it is named for another URL");
            out.push_back(std::move(c));
        } catch (const std::exception& err) {
            if (warnings) warnings->push_back(e.path().string() + ": not a calendar cache file (" + err.what() + "); deleted");
            fs::remove(e.path(), ec);
        }
    }
    std::sort(out.begin(), out.end(), [](const CachedCalendar& a, const CachedCalendar& b) { return a.url < b.url; });
    return out;
}

std::size_t DiskCache::purge_except(const std::vector<std::string>& urls, std::vector<std::string>* warnings) {
    std::set<std::string> keep;
    for (const std::string& u : urls) keep.insert(file_name(u));
    std::size_t calendars = 0;
    std::error_code dir_ec;
    for (const auto& e : fs::directory_iterator(dir_ / kCalendarDir, dir_ec)) {
        std::error_code ec;
        if (keep.count(e.path().filename().string()) || e.path().extension() != ".json") continue;
        if (fs::remove(e.path(), ec)) ++calendars;
        else if (ec && warnings) warnings->push_back(e.path().string() + ": cannot delete: " + ec.message());
    }
    std::vector<OurFile> files;
    list_files(dir_, &files, nullptr, nullptr);
    std::size_t removed = 0;
    for (const OurFile& f : files) {
        if (keep.count(f.name)) continue;
        std::error_code ec;
        if (fs::remove(f.path, ec))
            ++removed;
        else if (ec && warnings)
            warnings->push_back(f.path.string() + ": cannot delete: " + ec.message());
    }
    return removed + calendars;
}

DiskCache::Applied DiskCache::apply(const SaveOrder& order) {
    Applied a;
    switch (order.kind) {
    case SaveOrder::Kind::Feed: {
        auto r = save(order.feed);
        if (!r) {
            a.failed = true;
            a.lines.push_back("cache: " + r.error().message);
            break;
        }
        for (const std::string& w : r.value().warnings) a.lines.push_back("cache: " + w);
        a.saved = std::move(r.value());
        break;
    }
    case SaveOrder::Kind::FeedList: {
        std::vector<std::string> warnings;
        auto r = write_atomic(dir_ / kFeedListFile, order.bytes, Durability::Fsync, &warnings);
        if (!r) {
            a.failed = true;
            a.lines.push_back("opml: " + r.error().message);
        }
        for (const std::string& w : warnings) a.lines.push_back("opml: " + w);
        break;
    }
    case SaveOrder::Kind::Calendar: {
        const CachedCalendar& c = order.calendar;
        const nlohmann::json j = {{"url", c.url}, {"etag", c.etag}, {"last_modified", c.last_modified}, {"fetched", c.fetched}, {"ics", c.bytes}};
        std::vector<std::string> warnings;
        std::error_code ec;
        fs::create_directories(dir_ / kCalendarDir, ec);
        auto r = write_atomic(dir_ / kCalendarDir / file_name(c.url), j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                              Durability::Fsync, &warnings);
        if (!r) {
            a.failed = true;
            a.lines.push_back("cache: " + r.error().message);
        }
        for (const std::string& w : warnings) a.lines.push_back("cache: " + w);
        break;
    }
    case SaveOrder::Kind::Alerts:
        break;  // not the cache's: sent alerts live in the state directory (app/engine)
    case SaveOrder::Kind::PurgeExcept: {
        std::vector<std::string> warnings;
        a.purged = purge_except(order.keep, &warnings);
        if (a.purged) a.lines.push_back("cache: purged " + std::to_string(a.purged) + " feeds no longer configured");
        for (const std::string& w : warnings) a.lines.push_back("cache: " + w);
        break;
    }
    }
    return a;
}

std::optional<std::string> DiskCache::load_feed_list() const {
    auto bytes = read_file(dir_ / kFeedListFile, read_cap(max_bytes_));
    if (!bytes) return std::nullopt;
    return std::move(bytes.value());
}

}  // namespace nk::app
