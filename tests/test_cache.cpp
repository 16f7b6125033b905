// SPDX-License-Identifier: Apache-2.0
// The disk cache: every field survives a round trip, writes are atomic, bad files are skipped and
// refetched, temp leftovers go, purge, the size bound, and where the cache lives.
// Each test works in its own mkdtemp directory, removed afterwards.
#include "app/cache.h"

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nk::Entry;
using nk::app::DiskCache;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "nk-cache-test-XXXXXX").string();
        const char* made = ::mkdtemp(tmpl.data());
        REQUIRE(made != nullptr);
        path = made;
    }
    ~TempDir() {
        std::error_code ec;
        // Undo any chmod a test did, so removal works for non-root users too.
        fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

// Sets environment variables for one test and puts the old values back.
struct EnvGuard {
    std::map<std::string, std::optional<std::string>> saved;
    explicit EnvGuard(std::initializer_list<const char*> names) {
        for (const char* n : names) {
            const char* v = std::getenv(n);
            saved[n] = v ? std::optional<std::string>(v) : std::nullopt;
        }
    }
    ~EnvGuard() {
        for (const auto& [name, value] : saved) {
            if (value)
                ::setenv(name.c_str(), value->c_str(), 1);
            else
                ::unsetenv(name.c_str());
        }
    }
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void spit(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << bytes;
    REQUIRE(out.good());
}

std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

int64_t json_bytes(const fs::path& dir) {
    int64_t total = 0;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".json") total += static_cast<int64_t>(e.file_size());
    return total;
}

bool any_contains(const std::vector<std::string>& lines, const std::string& needle) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

DiskCache open_cache(const fs::path& dir, int64_t max_bytes = int64_t{1} << 30) {
    auto c = DiskCache::open(dir, max_bytes);
    REQUIRE(c.ok());
    return std::move(c).value();
}

// Entry i of a feed: time = base + i, so a higher i is newer. `pad` makes entries bigger.
Entry make_entry(const std::string& url, int i, int64_t base = 1'700'000'000, std::size_t pad = 0) {
    Entry e;
    e.feed_url = url;
    e.item.id = url + "#" + std::to_string(i);
    e.item.title = "Headline " + std::to_string(i);
    e.item.link = url + "/story/" + std::to_string(i);
    e.item.summary = "Summary of story " + std::to_string(i) + std::string(pad, 'x');
    e.item.published = base + i;
    e.first_seen = base + i;
    e.time = base + i;
    return e;
}

DiskCache::FeedRecord make_record(const std::string& url, int n, int64_t last_success = 1'700'000'000,
                                  std::size_t pad = 0) {
    DiskCache::FeedRecord r;
    r.url = url;
    for (int i = 0; i < n; ++i) r.entries.push_back(make_entry(url, i, 1'700'000'000, pad));
    r.status.last_attempt = last_success;
    r.status.last_success = last_success;
    r.status.http_status = 200;
    r.status.item_count = static_cast<std::size_t>(n);
    r.etag = "\"" + url + "\"";
    return r;
}

void check_same(const DiskCache::FeedRecord& a, const DiskCache::FeedRecord& b) {
    CHECK(a.url == b.url);
    CHECK(a.etag == b.etag);
    CHECK(a.last_modified == b.last_modified);
    CHECK(a.status.last_attempt == b.status.last_attempt);
    CHECK(a.status.last_success == b.status.last_success);
    CHECK(a.status.http_status == b.status.http_status);
    CHECK(a.status.error == b.status.error);
    CHECK(a.status.item_count == b.status.item_count);
    CHECK(a.status.next_fetch == b.status.next_fetch);
    CHECK(a.status.stale_since == b.status.stale_since);
    CHECK(a.status.gone == b.status.gone);
    CHECK(a.status.title == b.status.title);
    CHECK(a.status.hidden_count == b.status.hidden_count);
    REQUIRE(a.entries.size() == b.entries.size());
    for (std::size_t i = 0; i < a.entries.size(); ++i) {
        INFO("entry " << i);
        const Entry& x = a.entries[i];
        const Entry& y = b.entries[i];
        CHECK(x.item.id == y.item.id);
        CHECK(x.item.title == y.item.title);
        CHECK(x.item.link == y.item.link);
        CHECK(x.item.summary == y.item.summary);
        CHECK(x.item.published == y.item.published);
        CHECK(x.item.updated == y.item.updated);
        CHECK(x.item.author == y.item.author);
        CHECK(x.item.image == y.item.image);
        CHECK(x.item.categories == y.item.categories);
        CHECK(x.feed_url == y.feed_url);
        CHECK(x.first_seen == y.first_seen);
        CHECK(x.time == y.time);
        CHECK(x.breaking == y.breaking);
        CHECK(x.headline_from_summary == y.headline_from_summary);
    }
}

const DiskCache::FeedRecord* find(const std::vector<DiskCache::FeedRecord>& v, const std::string& url) {
    for (const auto& r : v)
        if (r.url == url) return &r;
    return nullptr;
}

}  // namespace

TEST_CASE("cache file names are FNV-1a 64 of the URL in hex", "[cache]") {
    // Reference values of FNV-1a 64.
    CHECK(DiskCache::file_name("") == "cbf29ce484222325.json");
    CHECK(DiskCache::file_name("a") == "af63dc4c8601ec8c.json");
    CHECK(DiskCache::file_name("https://example.com/feed") == DiskCache::file_name("https://example.com/feed"));
    CHECK(DiskCache::file_name("https://example.com/feed") != DiskCache::file_name("https://example.com/feed2"));
}

TEST_CASE("open creates the directory and reports what stops it", "[cache]") {
    TempDir tmp;
    auto nested = DiskCache::open(tmp.path / "a" / "b", 1000);
    REQUIRE(nested.ok());
    CHECK(fs::is_directory(tmp.path / "a" / "b"));
    CHECK(nested->dir() == tmp.path / "a" / "b");
    CHECK(nested->max_bytes() == 1000);

    spit(tmp.path / "plain-file", "x");
    auto on_file = DiskCache::open(tmp.path / "plain-file", 1000);
    REQUIRE_FALSE(on_file.ok());
    CHECK(on_file.error().code == nk::ErrorCode::Io);
    CHECK(on_file.error().message.find((tmp.path / "plain-file").string()) != std::string::npos);

    auto no_limit = DiskCache::open(tmp.path, 0);
    REQUIRE_FALSE(no_limit.ok());
    CHECK(no_limit.error().code == nk::ErrorCode::InvalidInput);

    auto nowhere = DiskCache::open({}, 1000);
    REQUIRE_FALSE(nowhere.ok());
    CHECK(nowhere.error().message.find("no cache directory") != std::string::npos);
}

TEST_CASE("every field survives a save and load", "[cache]") {
    TempDir tmp;
    DiskCache cache = open_cache(tmp.path);

    DiskCache::FeedRecord full;
    full.url = "https://news.example/ünï/feed?x=1&y=2";
    full.etag = "W/\"5e1f-abc\"";
    full.last_modified = "Tue, 01 Oct 2024 10:00:00 GMT";
    full.status.last_attempt = 1'727'776'800;
    full.status.last_success = 1'727'776'000;
    full.status.http_status = 503;
    full.status.error = "HTTP 503 — Service Unavailable «retry»";
    full.status.item_count = 2;
    full.status.next_fetch = 1'727'777'400;
    full.status.stale_since = 1'727'776'500;
    full.status.gone = true;
    full.status.title = "Nachrichten · 新闻 · Новости";
    full.status.hidden_count = 3;

    Entry dated;
    dated.feed_url = full.url;
    dated.item.id = "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427";
    dated.item.title = "Zürich: «Ünïcødé» — 東京 🚀 \"quoted\" \\ back\tslash";
    dated.item.link = "https://news.example/a?b=c&d=é";
    dated.item.summary = "First paragraph.\nSecond paragraph with \u00a0nbsp and emoji 🎉.";
    dated.item.published = -86'400;   // before 1970
    dated.item.updated = std::numeric_limits<int64_t>::max();
    dated.item.author = "Zoë Ørsted";
    dated.item.image = "https://img.example/p.jpg";
    dated.item.categories = {"Politics", "Économie", "科技"};
    dated.first_seen = 1'727'776'000;
    dated.time = 1'727'700'000;
    dated.breaking = true;

    Entry undated;
    undated.feed_url = full.url;
    undated.item.id = "2";
    undated.item.title = "No dates here";
    undated.headline_from_summary = true;
    undated.first_seen = 1'727'776'100;
    undated.time = 1'727'776'100;
    full.entries = {dated, undated};

    // Validators are kept byte for byte, also when they are not UTF-8 (or hold a NUL).
    DiskCache::FeedRecord odd = make_record("http://odd.example/rss", 1);
    odd.etag = std::string("\"caf\xe9\x00\xff\"", 8);
    odd.last_modified.clear();
    odd.status.stale_since.reset();

    auto saved_full = cache.save(full);
    REQUIRE(saved_full.ok());
    CHECK(saved_full->warnings.empty());
    CHECK(saved_full->entries_trimmed == 0);
    CHECK(saved_full->feeds_evicted.empty());
    REQUIRE(cache.save(odd).ok());
    std::vector<std::string> expected_names{DiskCache::file_name(odd.url), DiskCache::file_name(full.url)};
    std::sort(expected_names.begin(), expected_names.end());
    CHECK(names_in(tmp.path) == expected_names);
    CHECK(saved_full->bytes == static_cast<int64_t>(fs::file_size(tmp.path / DiskCache::file_name(full.url))));

    // A fresh instance, as after a restart.
    DiskCache again = open_cache(tmp.path);
    std::vector<std::string> warnings;
    auto loaded = again.load_all(&warnings);
    CHECK(warnings.empty());
    REQUIRE(loaded.size() == 2);
    CHECK(loaded[0].url == odd.url);  // sorted by URL
    check_same(loaded[0], odd);
    check_same(loaded[1], full);

    SECTION("a second save replaces the first") {
        full.entries.pop_back();
        full.etag = "\"v2\"";
        REQUIRE(again.save(full).ok());
        auto reloaded = again.load_all(&warnings);
        REQUIRE(reloaded.size() == 2);
        check_same(*find(reloaded, full.url), full);
    }
}

TEST_CASE("a failed write leaves the old file byte-identical", "[cache]") {
    TempDir tmp;
    DiskCache cache = open_cache(tmp.path);
    const DiskCache::FeedRecord old_record = make_record("https://a.example/feed", 3);
    REQUIRE(cache.save(old_record).ok());
    const fs::path file = tmp.path / DiskCache::file_name(old_record.url);
    const std::string before = slurp(file);
    REQUIRE_FALSE(before.empty());
    const DiskCache::FeedRecord bigger = make_record(old_record.url, 40, 1'800'000'000, 500);

    SECTION("the disk fills up mid-write") {
        // Root ignores file permissions, so a read-only directory stops nothing in CI. A file
        // size limit binds root too: write() fails with EFBIG part-way through the temp file,
        // like ENOSPC on a full disk. SIGXFSZ is ignored so the write returns the error instead.
        struct rlimit old_limit {};
        REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
        auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = old_limit;
        small.rlim_cur = 4096;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
        auto result = cache.save(bigger);
        ::setrlimit(RLIMIT_FSIZE, &old_limit);
        std::signal(SIGXFSZ, old_handler);

        REQUIRE_FALSE(result.ok());
        CHECK(result.error().code == nk::ErrorCode::Io);
        CHECK(result.error().message.find(file.string()) != std::string::npos);
        CHECK(result.error().message.find(std::strerror(EFBIG)) != std::string::npos);
    }

    SECTION("the rename fails") {
        // Another feed's target is a directory: rename(2) refuses with EISDIR, root or not.
        const DiskCache::FeedRecord other = make_record("https://blocked.example/feed", 2);
        const fs::path blocked = tmp.path / DiskCache::file_name(other.url);
        fs::create_directory(blocked);
        spit(blocked / "keep", "x");
        auto result = cache.save(other);
        REQUIRE_FALSE(result.ok());
        CHECK(result.error().message.find(blocked.string()) != std::string::npos);
        CHECK(result.error().message.find(std::strerror(EISDIR)) != std::string::npos);
        CHECK(fs::is_directory(blocked));
        fs::remove_all(blocked);
    }

    SECTION("the directory is read-only") {
        // Root writes anywhere, so as root the save runs under the effective uid of nobody
        // (seteuid is undone right after; the real uid stays root).
        fs::permissions(tmp.path, fs::perms::owner_read | fs::perms::owner_exec);
        const bool as_root = ::geteuid() == 0;
        const bool dropped = as_root && ::seteuid(65534) == 0;
        auto result = cache.save(bigger);
        if (dropped) REQUIRE(::seteuid(0) == 0);
        fs::permissions(tmp.path, fs::perms::owner_all);
        if (as_root && !dropped) {
            WARN("root without CAP_SETUID: a read-only directory cannot stop this process; skipped");
            CHECK(result.ok());
            return;
        }
        REQUIRE_FALSE(result.ok());
        CHECK(result.error().code == nk::ErrorCode::Io);
        CHECK(result.error().message.find(file.string()) != std::string::npos);
        CHECK(result.error().message.find(std::strerror(EACCES)) != std::string::npos);
    }

    // The failure removed its temp file; the old content is intact and still loads.
    CHECK(slurp(file) == before);
    for (const std::string& name : names_in(tmp.path)) CHECK(name.rfind(".tmp-", 0) != 0);
    std::vector<std::string> warnings;
    auto loaded = cache.load_all(&warnings);
    CHECK(warnings.empty());
    REQUIRE(loaded.size() == 1);
    check_same(loaded[0], old_record);
}

TEST_CASE("a truncated cache file is skipped with a warning and the others load", "[cache]") {
    TempDir tmp;
    DiskCache cache = open_cache(tmp.path);
    for (const char* url : {"https://a.example/", "https://b.example/", "https://c.example/"})
        REQUIRE(cache.save(make_record(url, 5)).ok());
    const fs::path b_file = tmp.path / DiskCache::file_name("https://b.example/");
    const std::string full = slurp(b_file);
    spit(b_file, full.substr(0, full.size() / 2));

    std::vector<std::string> warnings;
    auto loaded = cache.load_all(&warnings);
    REQUIRE(loaded.size() == 2);
    CHECK(loaded[0].url == "https://a.example/");
    CHECK(loaded[1].url == "https://c.example/");
    CHECK(loaded[0].entries.size() == 5);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find(b_file.string()) != std::string::npos);
    // Deleted, so the feed is refetched and nothing warns again next time.
    CHECK_FALSE(fs::exists(b_file));
    warnings.clear();
    CHECK(cache.load_all(&warnings).size() == 2);
    CHECK(warnings.empty());
}

TEST_CASE("garbage, other versions and misplaced files are skipped, never a crash", "[cache]") {
    TempDir tmp;
    DiskCache cache = open_cache(tmp.path);
    const DiskCache::FeedRecord good = make_record("https://good.example/feed", 4);
    const DiskCache::FeedRecord newer = make_record("https://newer.example/feed", 2);
    REQUIRE(cache.save(good).ok());
    REQUIRE(cache.save(newer).ok());

    // A future format version (after a downgrade).
    const fs::path newer_file = tmp.path / DiskCache::file_name(newer.url);
    std::string text = slurp(newer_file);
    const auto at = text.find("\"version\":1");
    REQUIRE(at != std::string::npos);
    text.replace(at, 11, "\"version\":99");
    spit(newer_file, text);

    const std::map<std::string, std::string> bad = {
        {"0123456789abcdef.json", std::string("\x00\xff garbage \x89PNG", 15)},
        {"empty.json", ""},
        {"array.json", "[1,2,3]"},
        {"other-program.json", R"({"format":"something else","version":1})"},
        {"wrong-types.json", R"({"format":"newsroom-kiosk feed cache","version":1,"url":5})"},
        // Good content under a name that is not its URL's: a collision or a copied file.
        {"fedcba9876543210.json", slurp(tmp.path / DiskCache::file_name(good.url))},
    };
    for (const auto& [name, bytes] : bad) spit(tmp.path / name, bytes);
    spit(tmp.path / "README", "not ours");

    std::vector<std::string> warnings;
    auto loaded = cache.load_all(&warnings);
    REQUIRE(loaded.size() == 1);
    check_same(loaded[0], good);
    CHECK(warnings.size() == bad.size() + 1);
    for (const auto& [name, bytes] : bad) {
        INFO(name);
        CHECK(any_contains(warnings, (tmp.path / name).string()));
        CHECK_FALSE(fs::exists(tmp.path / name));
    }
    CHECK(any_contains(warnings, newer_file.string() + ": format version 99"));
    CHECK(fs::exists(tmp.path / "README"));
}

TEST_CASE("temp files left by a crash mid-write are removed", "[cache]") {
    TempDir tmp;
    DiskCache cache = open_cache(tmp.path);
    const DiskCache::FeedRecord rec = make_record("https://a.example/", 3);
    REQUIRE(cache.save(rec).ok());
    const std::string half = slurp(tmp.path / DiskCache::file_name(rec.url)).substr(0, 40);
    spit(tmp.path / (".tmp-" + DiskCache::file_name(rec.url) + ".Ab12Cd"), half);
    spit(tmp.path / ".tmp-0000000000000001.json.zzzzzz", "");
    spit(tmp.path / "notes.txt", "not ours");

    std::vector<std::string> warnings;
    auto loaded = cache.load_all(&warnings);
    REQUIRE(loaded.size() == 1);
    check_same(loaded[0], rec);
    CHECK(warnings.size() == 2);
    CHECK(any_contains(warnings, ".tmp-" + DiskCache::file_name(rec.url) + ".Ab12Cd"));
    CHECK(names_in(tmp.path) == std::vector<std::string>{DiskCache::file_name(rec.url), "notes.txt"});
}

TEST_CASE("purge_except deletes the files of feeds no longer configured", "[cache]") {
    TempDir tmp;
    DiskCache cache = open_cache(tmp.path);
    for (const char* url : {"https://a.example/", "https://b.example/", "https://c.example/"})
        REQUIRE(cache.save(make_record(url, 2)).ok());
    spit(tmp.path / "stray.json", "{}");
    spit(tmp.path / "notes.txt", "not ours");

    std::vector<std::string> warnings;
    CHECK(cache.purge_except({"https://a.example/", "https://c.example/", "https://new.example/"}, &warnings) == 2);
    CHECK(warnings.empty());
    CHECK_FALSE(fs::exists(tmp.path / DiskCache::file_name("https://b.example/")));
    CHECK_FALSE(fs::exists(tmp.path / "stray.json"));
    CHECK(fs::exists(tmp.path / "notes.txt"));
    auto loaded = cache.load_all(&warnings);
    REQUIRE(loaded.size() == 2);
    CHECK(loaded[0].url == "https://a.example/");
    CHECK(loaded[1].url == "https://c.example/");

    CHECK(cache.purge_except({}) == 2);
    CHECK(cache.load_all(nullptr).empty());
}

TEST_CASE("the size bound trims the largest feeds first, then evicts the stalest", "[cache]") {
    TempDir tmp;
    const std::string a = "https://a.example/", b = "https://b.example/", c = "https://c.example/",
                      d = "https://d.example/";
    // Sizes of each feed at exactly kKeepNewest entries, measured by saving them elsewhere.
    auto size_at = [](const DiskCache::FeedRecord& r, std::size_t n) {
        TempDir scratch;
        DiskCache s = open_cache(scratch.path);
        DiskCache::FeedRecord copy = r;
        copy.entries.erase(copy.entries.begin(), copy.entries.end() - static_cast<std::ptrdiff_t>(n));
        REQUIRE(s.save(copy).ok());
        return json_bytes(scratch.path);
    };
    const std::size_t keep = DiskCache::kKeepNewest;

    SECTION("over the limit by a little: only the largest feed loses its oldest entries") {
        DiskCache roomy = open_cache(tmp.path);
        const auto ra = make_record(a, 30, 100, 200), rb = make_record(b, 15, 100, 200), rc = make_record(c, 5, 100, 200);
        for (const auto* r : {&ra, &rb, &rc}) REQUIRE(roomy.save(*r).ok());
        const int64_t all = json_bytes(tmp.path);
        const int64_t limit = all - 2000;

        DiskCache tight = open_cache(tmp.path, limit);
        auto report = tight.save(rc);
        REQUIRE(report.ok());
        CHECK(report->warnings.empty());
        CHECK(report->feeds_evicted.empty());
        CHECK(report->bytes == json_bytes(tmp.path));
        CHECK(report->bytes <= limit);
        auto loaded = tight.load_all(nullptr);
        REQUIRE(loaded.size() == 3);
        const auto& la = *find(loaded, a);
        CHECK(la.entries.size() < 30);
        CHECK(la.entries.size() > keep);
        CHECK(report->entries_trimmed == 30 - la.entries.size());
        CHECK(find(loaded, b)->entries.size() == 15);
        CHECK(find(loaded, c)->entries.size() == 5);
        // The survivors are the newest ones, in their original order.
        const std::size_t dropped = 30 - la.entries.size();
        for (std::size_t i = 0; i < la.entries.size(); ++i) CHECK(la.entries[i].item.id == ra.entries[dropped + i].item.id);
        // And no more was dropped than needed: one entry back would break the limit.
        const int64_t a_now = static_cast<int64_t>(fs::file_size(tmp.path / DiskCache::file_name(a)));
        CHECK(a_now == size_at(ra, la.entries.size()));
        CHECK(report->bytes - a_now + size_at(ra, la.entries.size() + 1) > limit);
    }

    SECTION("trimming is not enough: whole feeds go, never-fetched and stalest first, never the one saved") {
        DiskCache roomy = open_cache(tmp.path);
        const auto ra = make_record(a, 25, 3000, 300);   // last_success 3000
        const auto rb = make_record(b, 25, 2000, 300);   // older success
        const auto rc = make_record(c, 25, 1000, 300);   // the oldest success, but it is the one saved
        const auto rd = make_record(d, 12, 0, 300);            // never fetched successfully
        for (const auto* r : {&ra, &rb, &rc, &rd}) REQUIRE(roomy.save(*r).ok());
        const int64_t a10 = size_at(ra, keep), b10 = size_at(rb, keep), c10 = size_at(rc, keep), d10 = size_at(rd, keep);

        SECTION("one feed goes") {
            const int64_t limit = a10 + b10 + c10 + d10 / 2;
            DiskCache tight = open_cache(tmp.path, limit);
            auto report = tight.save(rc);
            REQUIRE(report.ok());
            CHECK(report->warnings.empty());
            CHECK(report->feeds_evicted == std::vector<std::string>{d});
            CHECK(report->entries_trimmed == 3 * (25 - keep));
            CHECK(report->bytes == a10 + b10 + c10);
            CHECK(report->bytes == json_bytes(tmp.path));
            auto loaded = tight.load_all(nullptr);
            REQUIRE(loaded.size() == 3);
            for (const auto& r : loaded) CHECK(r.entries.size() == keep);
        }
        SECTION("two feeds go") {
            const int64_t limit = a10 + c10 + b10 / 2;
            DiskCache tight = open_cache(tmp.path, limit);
            auto report = tight.save(rc);
            REQUIRE(report.ok());
            CHECK(report->feeds_evicted == std::vector<std::string>{d, b});
            CHECK(report->bytes == a10 + c10);
            auto loaded = tight.load_all(nullptr);
            REQUIRE(loaded.size() == 2);
            CHECK(loaded[0].url == a);
            CHECK(loaded[1].url == c);
            // The newest ten survive.
            CHECK(loaded[1].entries.front().item.id == rc.entries[25 - keep].item.id);
            CHECK(loaded[1].entries.back().item.id == rc.entries.back().item.id);
        }
        SECTION("the saved feed alone is too big: it stays, at its newest ten, with a warning") {
            DiskCache tight = open_cache(tmp.path, 100);
            auto report = tight.save(rc);
            REQUIRE(report.ok());
            CHECK(report->feeds_evicted.size() == 3);
            CHECK(report->bytes == c10);
            CHECK(any_contains(report->warnings, "over its limit"));
            auto loaded = tight.load_all(nullptr);
            REQUIRE(loaded.size() == 1);
            CHECK(loaded[0].url == c);
            CHECK(loaded[0].entries.size() == keep);
        }
    }

    SECTION("a corrupt neighbour found while trimming is deleted with a warning") {
        DiskCache roomy = open_cache(tmp.path);
        const auto ra = make_record(a, 5, 100, 10);
        REQUIRE(roomy.save(ra).ok());
        spit(tmp.path / "0000000000000000.json", std::string(5000, '{'));
        DiskCache tight = open_cache(tmp.path, 5000);
        auto report = tight.save(make_record(b, 3, 100, 10));
        REQUIRE(report.ok());
        CHECK(any_contains(report->warnings, (tmp.path / "0000000000000000.json").string()));
        CHECK_FALSE(fs::exists(tmp.path / "0000000000000000.json"));
        CHECK(report->feeds_evicted.empty());
        CHECK(report->entries_trimmed == 0);
        CHECK(report->bytes == json_bytes(tmp.path));
        CHECK(report->bytes <= 5000);
        auto loaded = tight.load_all(nullptr);
        REQUIRE(loaded.size() == 2);
        check_same(loaded[0], ra);
    }
}

TEST_CASE("default_cache_dir: config, then systemd, then XDG, then HOME", "[cache]") {
    EnvGuard guard({"CACHE_DIRECTORY", "XDG_CACHE_HOME", "HOME"});
    ::setenv("CACHE_DIRECTORY", "/var/cache/newsroom-kiosk:/var/cache/other", 1);
    ::setenv("XDG_CACHE_HOME", "/home/k/.xdg-cache", 1);
    ::setenv("HOME", "/home/k", 1);

    CHECK(nk::app::default_cache_dir("/srv/kiosk-cache") == fs::path("/srv/kiosk-cache"));
    CHECK(nk::app::default_cache_dir() == fs::path("/var/cache/newsroom-kiosk"));

    ::setenv("CACHE_DIRECTORY", "/var/cache/only", 1);
    CHECK(nk::app::default_cache_dir() == fs::path("/var/cache/only"));

    ::setenv("CACHE_DIRECTORY", "", 1);
    CHECK(nk::app::default_cache_dir() == fs::path("/home/k/.xdg-cache/newsroom-kiosk"));

    ::unsetenv("CACHE_DIRECTORY");
    CHECK(nk::app::default_cache_dir() == fs::path("/home/k/.xdg-cache/newsroom-kiosk"));

    // The XDG spec: a relative path is invalid and ignored.
    ::setenv("XDG_CACHE_HOME", "relative/cache", 1);
    CHECK(nk::app::default_cache_dir() == fs::path("/home/k/.cache/newsroom-kiosk"));

    ::unsetenv("XDG_CACHE_HOME");
    CHECK(nk::app::default_cache_dir() == fs::path("/home/k/.cache/newsroom-kiosk"));

    ::unsetenv("HOME");
    CHECK(nk::app::default_cache_dir().empty());
    CHECK(nk::app::default_cache_dir("/srv/kiosk-cache") == fs::path("/srv/kiosk-cache"));
}

TEST_CASE("a cache written before headline_from_summary and hidden_count still loads", "[cache]") {
    TempDir tmp;
    DiskCache cache = open_cache(tmp.path);
    DiskCache::FeedRecord r = make_record("https://older.example/feed", 2);
    REQUIRE(cache.save(r).ok());
    // Take the two later fields out of the file, as an older kiosk wrote it.
    const fs::path file = tmp.path / DiskCache::file_name(r.url);
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    for (const std::string key : {",\"hidden_count\":0", ",\"headline_from_summary\":false"}) {
        for (std::size_t p = text.find(key); p != std::string::npos; p = text.find(key)) text.erase(p, key.size());
    }
    REQUIRE(text.find("hidden_count") == std::string::npos);
    REQUIRE(text.find("headline_from_summary") == std::string::npos);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
    std::vector<std::string> warnings;
    auto loaded = open_cache(tmp.path).load_all(&warnings);
    CHECK(warnings.empty());
    REQUIRE(loaded.size() == 1);
    check_same(loaded[0], r);
}
