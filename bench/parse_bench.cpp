// SPDX-License-Identifier: Apache-2.0
// parse_bench: feed-parser throughput against a bare tinyxml2 parse that reads every text node
// of the same bytes. The target (DESIGN.md section 5, issue 11) is "within 1.5x of tinyxml2" on
// every corpus kind: our pipeline adds charset conversion, entity normalisation, a format walk and
// text clean-up on top of tinyxml2's parse, and this measures what that costs, per kind of feed
// (from gen_corpus's file names), for the ISO-8859-1 files, and overall. Every file is read into
// memory before any timing, so disk speed never enters the numbers; each figure is the best of
// R runs. The biggest file is timed in child processes, one per side (see time_in_child).
//
//   parse_bench DIR [--repeat R=3] [--in-process] [--whole-summaries]
//
// nk::parse_feed runs as the kiosk runs it, with its display limits (titles cut at 1 KB, summaries
// at 4 KB), and without the limits that protect a Pi from hostile feeds (document size, depth,
// item count, field size), which would refuse or cut the corpus. --whole-summaries lifts the
// display limits too, so every summary is the whole story's text: what the figures up to
// 2026-12-07 measured (bench/README.md).
//
// Last line of output: the total number of items parsed, a bare number (scripts read it).

#include "feed/parser.h"

#include <tinyxml2.h>

#include <malloc.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <vector>

namespace fs = std::filesystem;
// The CPU time of this thread, not the wall clock: on a shared machine another process's work
// would otherwise land in whichever file was being parsed when the scheduler switched, and the
// per-kind rows are sums of short per-file times. (Linux and glibc: nanosecond resolution.)
struct Clock {
    using duration = std::chrono::nanoseconds;
    using time_point = std::chrono::time_point<Clock, duration>;
    static time_point now() {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return time_point(duration(int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec));
    }
};

constexpr double kTarget = 1.5;  // ours/bare, DESIGN.md section 5

namespace {

struct Input {
    std::string path;  // as found under DIR
    std::string name;  // relative to DIR, for messages
    std::string bytes;
    std::string base_url;
    std::vector<std::size_t> groups;  // the report rows this file counts in
};

// gen_corpus names its files NNNN-<kind>[-latin1].xml and single-big.xml.
std::string kind_of(const std::string& name) {
    std::string base = fs::path(name).filename().string();
    if (base.size() > 4 && base.ends_with(".xml")) base.resize(base.size() - 4);
    const std::size_t dash = base.find('-');
    if (dash != std::string::npos && dash > 0 && std::all_of(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(dash), ::isdigit))
        base = base.substr(dash + 1);
    if (base.ends_with("-latin1")) base.resize(base.size() - 7);
    return base.empty() ? "other" : base;
}

struct Counts {
    std::size_t items = 0;
    std::size_t warnings = 0;
    std::size_t failures = 0;
};

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Decimal megabytes, the unit the design figures (and most parser benchmarks) are quoted in.
double mb(std::size_t bytes) { return static_cast<double>(bytes) / 1e6; }

double mb_per_s(std::size_t bytes, double secs) { return secs > 0 ? mb(bytes) / secs : 0.0; }

bool whole_summaries = false;  // --whole-summaries

nk::ParseOptions bench_options() {
    // The protective limits would cut the work being measured (the big file alone is over
    // max_input_bytes). A quarter of SIZE_MAX leaves room for any "limit + n" arithmetic inside
    // the parser without overflow, also on 32-bit ARM.
    constexpr std::size_t kHuge = std::numeric_limits<std::size_t>::max() / 4;
    nk::ParseOptions o;
    o.limits.max_input_bytes = kHuge;
    o.limits.max_depth = 1 << 20;
    o.limits.max_items = kHuge;
    o.limits.max_field_bytes = kHuge;
    if (whole_summaries) {
        o.limits.max_title_bytes = kHuge;
        o.limits.max_summary_bytes = kHuge;
    }
    return o;
}

Counts parse_one(const Input& in, nk::ParseOptions& opts) {
    opts.base_url = in.base_url;
    Counts c;
    auto r = nk::parse_feed(in.bytes, opts);
    if (r.ok()) {
        c.items = r->items.size();
        c.warnings = r->warnings.size();
    } else {
        c.failures = 1;
    }
    return c;
}

// Touches every element name, attribute and text node, because tinyxml2 decodes them lazily:
// a parse alone would skip the entity and whitespace work our parser cannot skip.
std::size_t walk(const tinyxml2::XMLNode* node) {
    std::size_t sum = 0;
    for (const tinyxml2::XMLNode* c = node->FirstChild(); c; c = c->NextSibling()) {
        if (const tinyxml2::XMLElement* e = c->ToElement()) {
            sum += std::strlen(e->Name());
            for (const tinyxml2::XMLAttribute* a = e->FirstAttribute(); a; a = a->Next())
                sum += std::strlen(a->Name()) + std::strlen(a->Value());
            sum += walk(e);
        } else if (const tinyxml2::XMLText* t = c->ToText()) {
            sum += std::strlen(t->Value());
        }
    }
    return sum;
}

struct BareCounts {
    std::size_t touched = 0;  // bytes of decoded text, so the walk cannot be optimised away
    std::size_t errors = 0;
};

BareCounts bare_one(const Input& in) {
    BareCounts b;
    tinyxml2::XMLDocument doc;
    if (doc.Parse(in.bytes.data(), in.bytes.size()) != tinyxml2::XML_SUCCESS) b.errors = 1;
    b.touched = walk(&doc);
    return b;
}

// The first half of a feed, still a whole feed: items up to the middle, then the original
// closing tags. A plain byte cut would send our parser down its repair path and measure
// recovery, not scaling.
std::string first_half(const std::string& doc) {
    for (std::string_view close : {std::string_view("</item>"), std::string_view("</entry>")}) {
        const std::size_t last = doc.rfind(close);
        if (last == std::string::npos) continue;
        const std::size_t cut = doc.rfind(close, doc.size() / 2);
        if (cut == std::string::npos || cut == last) return {};
        return doc.substr(0, cut + close.size()) + doc.substr(last + close.size());
    }
    return {};
}

// The biggest file, timed so that both sides start from the same memory. Timed in this process,
// one side's parse ran in whatever the other had just freed: our parse of the heavy corpus's
// 52 MB feed frees tens of MB of small blocks, tinyxml2's copy of the next document then fitted
// in them and took no page fault, while ours mapped fresh pages, so the row measured the
// allocator as much as the parsers (bench/README.md, "Results"). Here each side runs in a fresh
// process of its own (this program, started again with --child: nothing inherited, and this
// process's pages are not shared with it), parses the file 1 + kWarmParses times and reports:
// `cold`, its first parse, which faults in every page it writes, and `warm`, the fastest of the
// same parse again in the memory the first one left, the steady state of a process that parses
// feed after feed. In the child malloc neither maps big blocks on their own nor hands freed
// memory back to the kernel (mallopt), so the later parses of either side find the pages they
// need already there and the warm figure is the parsers' own work, not the kernel's; with
// glibc's defaults a block over 32 MB (tinyxml2's copy of the document) is mapped afresh and
// faulted in on every parse, and whether the rest is reused depends on what the heap held. Page
// faults are counted for each parse and printed.
struct Sample {
    double secs = 0;
    long faults = 0;  // minor + major, getrusage
};
struct ChildResult {
    Sample cold, warm;
    Counts counts;
    BareCounts bare;
    bool ok = false;
};

long faults_now() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt + u.ru_majflt;
}

// How many times a child parses the file again after its first parse; `warm` is the fastest. One
// was enough on a machine whose memory is simply there, but on a virtual machine whose host backs
// guest memory lazily a process's second parse could still run at up to half speed, and its
// third or fourth at the steady one (bench/README.md, "Results", 2026-12-08).
constexpr int kWarmParses = 3;

// The child's side of time_in_child: `parse_bench --child ours|bare FILE NAME` reads FILE (NAME is
// its name in the corpus, for the base URL), parses it 1 + kWarmParses times and writes a
// ChildResult to stdout.
int child_main(std::string_view side, const char* path, const char* name) {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
    Input in;
    // One allocation of the file's size, as in the parent: a growing string would leave the heap
    // holding pages already faulted in, and the first parse would not start cold.
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    std::ifstream f(path, std::ios::binary);
    if (ec || !f) return 1;
    in.bytes.resize(static_cast<std::size_t>(size));
    f.read(in.bytes.data(), static_cast<std::streamsize>(in.bytes.size()));
    if (static_cast<std::size_t>(f.gcount()) != in.bytes.size()) return 1;
    in.name = name;
    in.base_url = "https://feeds.example.org/" + in.name;
    nk::ParseOptions opts = bench_options();
    const bool ours = side == "ours";
    ChildResult c;
    c.warm.secs = std::numeric_limits<double>::infinity();
    for (int parse = 0; parse <= kWarmParses; ++parse) {
        Sample s;
        const long f0 = faults_now();
        const auto t0 = Clock::now();
        if (ours) c.counts = parse_one(in, opts);
        else c.bare = bare_one(in);
        s.secs = seconds(Clock::now() - t0);
        s.faults = faults_now() - f0;
        if (parse == 0) c.cold = s;
        else if (s.secs < c.warm.secs) c.warm = s;
    }
    c.ok = true;
    return std::fwrite(&c, sizeof c, 1, stdout) == 1 && std::fflush(stdout) == 0 ? 0 : 1;
}

ChildResult time_in_child(bool ours, const Input& in) {
    ChildResult r;
    int fd[2];
    if (pipe(fd) != 0) return r;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fd[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fd[0]);
    posix_spawn_file_actions_addclose(&actions, fd[1]);
    std::string exe = "/proc/self/exe", flag = "--child", side = ours ? "ours" : "bare", path = in.path, name = in.name;
    std::string whole = "--whole-summaries";
    char* args[] = {exe.data(), flag.data(), side.data(), path.data(), name.data(), whole_summaries ? whole.data() : nullptr, nullptr};
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, exe.c_str(), &actions, nullptr, args, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fd[1]);
    if (spawned != 0) {
        close(fd[0]);
        return r;
    }
    ChildResult got;
    std::size_t have = 0;
    while (have < sizeof got) {
        const ssize_t k = read(fd[0], reinterpret_cast<char*>(&got) + have, sizeof got - have);
        if (k <= 0) break;
        have += static_cast<std::size_t>(k);
    }
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (have == sizeof got && WIFEXITED(status) && WEXITSTATUS(status) == 0) r = got;
    return r;
}

// Linearity: a feed twice as long should take twice as long. A whole/half throughput ratio well
// below 1 means per-byte cost grows with size (quadratic appends, rescans ...). Returns the lines
// to print.
std::string measure_linearity(const Input& big_in, nk::ParseOptions& opts, int repeat) {
    std::string out;
    char line_buf[512];
    auto print = [&](auto... args) {
        std::snprintf(line_buf, sizeof line_buf, args...);
        out += line_buf;
    };
    const std::string half = first_half(big_in.bytes);
    if (half.empty() || big_in.bytes.size() < (1u << 20)) {
        print("linearity: skipped (biggest file is under 1 MB or has no item boundary to cut at)\n");
    } else {
        // Half and whole alternate within each run so drift (clock boost, other load) hits both.
        const Input half_in{"", big_in.name + " (first half)", half, big_in.base_url, {}};
        std::size_t half_items = 0;
        double ours_half = std::numeric_limits<double>::infinity(), ours_whole = ours_half;
        double bare_half = ours_half, bare_whole = ours_half;
        for (int r = 0; r < repeat; ++r) {
            auto t0 = Clock::now();
            half_items = parse_one(half_in, opts).items;
            ours_half = std::min(ours_half, seconds(Clock::now() - t0));
            t0 = Clock::now();
            parse_one(big_in, opts);
            ours_whole = std::min(ours_whole, seconds(Clock::now() - t0));
            t0 = Clock::now();
            bare_one(half_in);
            bare_half = std::min(bare_half, seconds(Clock::now() - t0));
            t0 = Clock::now();
            bare_one(big_in);
            bare_whole = std::min(bare_whole, seconds(Clock::now() - t0));
        }
        auto line = [&](const char* who, double t_half, double t_whole) {
            const double tp_half = mb_per_s(half.size(), t_half), tp_whole = mb_per_s(big_in.bytes.size(), t_whole);
            print("linearity %-9s first half %.1f MB/s, whole %.1f MB/s: whole/half %.2f (1.00 = linear)\n", who, tp_half,
                  tp_whole, tp_half > 0 ? tp_whole / tp_half : 0.0);
        };
        print("linearity on %s: first half %.1f MB (%zu items) vs whole %.1f MB\n", big_in.name.c_str(), mb(half.size()),
              half_items, mb(big_in.bytes.size()));
        line("ours:", ours_half, ours_whole);
        // tinyxml2's own figure is the floor: what the allocator and caches do to any DOM of this size.
        line("tinyxml2:", bare_half, bare_whole);
    }
    return out;
}

[[noreturn]] void usage(const char* msg = nullptr) {
    if (msg) std::cerr << "parse_bench: " << msg << "\n";
    std::cerr << "usage: parse_bench DIR [--repeat R=3] [--in-process] [--whole-summaries]\n"
                 "Reads every regular file under DIR (e.g. from gen_corpus) and times nk::parse_feed\n"
                 "against a bare tinyxml2 parse that reads every text node of the same bytes, per kind\n"
                 "of feed and overall. The biggest file is timed in a child process per side (a first\n"
                 "parse, and the best of "
              << kWarmParses << " more); --in-process times it with the others.\n"
                 "Summaries and titles are cut where the kiosk cuts them (4 KB, 1 KB);\n"
                 "--whole-summaries keeps them whole, as the figures before 2026-12-07 did.\n";
    std::exit(2);
}

int run(int argc, char** argv) {
    if ((argc == 5 || argc == 6) && std::string_view(argv[1]) == "--child") {
        whole_summaries = argc == 6;
        return child_main(argv[2], argv[3], argv[4]);
    }
    fs::path dir;
    int repeat = 3;
    bool in_process = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a(argv[i]);
        if (a == "--in-process") {
            in_process = true;
        } else if (a == "--whole-summaries") {
            whole_summaries = true;
        } else if (a == "--repeat") {
            if (i + 1 >= argc) usage("--repeat needs a value");
            const std::string_view v(argv[++i]);
            auto r = std::from_chars(v.data(), v.data() + v.size(), repeat);
            if (r.ec != std::errc() || r.ptr != v.data() + v.size() || repeat < 1) usage("--repeat wants a number >= 1");
        } else if (a == "-h" || a == "--help") {
            usage();
        } else if (!a.empty() && a[0] == '-') {
            usage(("unknown option " + std::string(a)).c_str());
        } else if (dir.empty()) {
            dir = a;
        } else {
            usage("one DIR only");
        }
    }
    if (dir.empty()) usage("DIR missing");

    std::vector<Input> inputs;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        // Per-file trouble skips the file; only a failing directory walk (ec) ends the run.
        std::error_code fe;
        if (!it->is_regular_file(fe)) continue;
        const auto size = it->file_size(fe);
        std::ifstream f(it->path(), std::ios::binary);
        if (fe || !f) {
            std::cerr << "parse_bench: cannot read " << it->path().string() << ", skipped\n";
            continue;
        }
        Input in;
        in.path = it->path().string();
        in.name = it->path().lexically_relative(dir).generic_string();
        // Sized read rather than istreambuf_iterator: one allocation, and g++ 12 raises a false
        // -Wnull-dereference inside the iterator version at -O2.
        in.bytes.resize(static_cast<std::size_t>(size));
        f.read(in.bytes.data(), static_cast<std::streamsize>(in.bytes.size()));
        in.bytes.resize(static_cast<std::size_t>(f.gcount()));
        in.base_url = "https://feeds.example.org/" + in.name;
        inputs.push_back(std::move(in));
    }
    if (ec) {
        std::cerr << "parse_bench: " << dir.string() << ": " << ec.message() << "\n";
        return 1;
    }
    if (inputs.empty()) {
        std::cerr << "parse_bench: no files in " << dir.string() << " (make some with gen_corpus)\n";
        return 1;
    }
    // Directory order is arbitrary; a fixed order keeps runs comparable.
    std::sort(inputs.begin(), inputs.end(), [](const Input& x, const Input& y) { return x.name < y.name; });

    std::size_t total_bytes = 0, big = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        total_bytes += inputs[i].bytes.size();
        if (inputs[i].bytes.size() > inputs[big].bytes.size()) big = i;
    }
    const Input& big_in = inputs[big];
    const bool split = inputs.size() > 1;

    // Report rows: one per kind of feed, the ISO-8859-1 files, then the kiosk's real workload
    // (many small feeds), the biggest file alone, and everything.
    struct Group {
        std::string label;
        std::size_t files = 0, bytes = 0;
        double ours = std::numeric_limits<double>::infinity(), bare = std::numeric_limits<double>::infinity();
    };
    std::vector<Group> groups;
    auto group = [&](const std::string& label) {
        for (std::size_t g = 0; g < groups.size(); ++g)
            if (groups[g].label == label) return g;
        groups.push_back({label});
        return groups.size() - 1;
    };
    std::vector<std::string> kinds;
    for (const Input& in : inputs)
        if (std::find(kinds.begin(), kinds.end(), kind_of(in.name)) == kinds.end()) kinds.push_back(kind_of(in.name));
    std::sort(kinds.begin(), kinds.end());
    for (const std::string& k : kinds) group("kind " + k);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        Input& in = inputs[i];
        in.groups.push_back(group("kind " + kind_of(in.name)));
        if (in.name.find("-latin1") != std::string::npos) in.groups.push_back(group("ISO-8859-1 files"));
        if (split) in.groups.push_back(group(i == big ? "biggest: " + in.name : "all but the biggest"));
        in.groups.push_back(group("all files"));
    }
    for (const Input& in : inputs)
        for (std::size_t g : in.groups) {
            ++groups[g].files;
            groups[g].bytes += in.bytes.size();
        }
    // The biggest file's first parse in a fresh process (time_in_child): a row of its own, held to
    // the target too; the rows above count its warm parse (the best of the child's later ones).
    const std::size_t cold_group = in_process ? groups.size() : group("biggest, first parse: " + big_in.name);
    if (!in_process) {
        groups[cold_group].files = 1;
        groups[cold_group].bytes = big_in.bytes.size();
    }

    std::printf("parse_bench: %zu files, %.1f MB; biggest %s (%.1f MB, %s); best of %d runs\n", inputs.size(),
                mb(total_bytes), big_in.name.c_str(), mb(big_in.bytes.size()),
                in_process ? "in this process" : "each side in its own child process", repeat);
    {
        const nk::ParseOptions shown = bench_options();
        if (whole_summaries) std::printf("summaries and titles kept whole (--whole-summaries)\n");
        else std::printf("summaries cut at %zu bytes and titles at %zu, as on the kiosk\n", shown.limits.max_summary_bytes,
                         shown.limits.max_title_bytes);
    }

    // Each run times our parser and bare tinyxml2 file by file, alternating which goes first, so
    // drift on a busy machine (clock boost, other load) hits both sides of every ratio alike.
    // Every row keeps its best run.
    nk::ParseOptions opts = bench_options();
    Counts counts;
    BareCounts bare_counts;
    std::vector<std::string> failed;
    // Page faults of the biggest file's parses in their child processes, from the run whose warm
    // parse was fastest (per side).
    Sample best_cold_ours, best_warm_ours, best_cold_bare, best_warm_bare;
    best_warm_ours.secs = best_warm_bare.secs = std::numeric_limits<double>::infinity();
    bool child_failed = false;
    // Every child run's times of the biggest file, for the medians printed under the table.
    std::vector<double> warm_ours, warm_bare, cold_ours, cold_bare;
    // Per run and row: the summed time of each side, so every row keeps its best run.
    std::vector<std::vector<double>> ours_runs(repeat, std::vector<double>(groups.size(), 0.0)), bare_runs = ours_runs;
    auto count = [&](std::size_t i, const Counts& c, const BareCounts& b) {
        counts.items += c.items;
        counts.warnings += c.warnings;
        counts.failures += c.failures;
        if (c.failures) failed.push_back(inputs[i].name);
        bare_counts.touched += b.touched;
        bare_counts.errors += b.errors;
    };
    for (int run = 0; run < repeat; ++run) {
        std::vector<double>& ours = ours_runs[run];
        std::vector<double>& bare = bare_runs[run];
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            if (i == big && !in_process) continue;  // in child processes, below
            Counts c;
            BareCounts b;
            double t_ours = 0, t_bare = 0;
            for (int side = 0; side < 2; ++side) {
                const bool ours_now = (side == 0) == (run % 2 == 0);
                const auto t0 = Clock::now();
                if (ours_now) c = parse_one(inputs[i], opts);
                else b = bare_one(inputs[i]);
                (ours_now ? t_ours : t_bare) = seconds(Clock::now() - t0);
            }
            for (std::size_t g : inputs[i].groups) {
                ours[g] += t_ours;
                bare[g] += t_bare;
            }
            if (run == 0) count(i, c, b);
        }
    }

    const std::string linearity = measure_linearity(big_in, opts, repeat);

    // The biggest file in child processes (time_in_child).
    if (!in_process) {
        for (int run = 0; run < repeat; ++run) {
            ChildResult co, cb;
            for (int side = 0; side < 2; ++side) {
                const bool ours_now = (side == 0) == (run % 2 == 0);
                (ours_now ? co : cb) = time_in_child(ours_now, big_in);
            }
            child_failed = child_failed || !co.ok || !cb.ok;
            for (std::size_t g : big_in.groups) {
                ours_runs[run][g] += co.warm.secs;
                bare_runs[run][g] += cb.warm.secs;
            }
            ours_runs[run][cold_group] += co.cold.secs;
            bare_runs[run][cold_group] += cb.cold.secs;
            if (co.ok && cb.ok) {
                warm_ours.push_back(co.warm.secs);
                warm_bare.push_back(cb.warm.secs);
                cold_ours.push_back(co.cold.secs);
                cold_bare.push_back(cb.cold.secs);
            }
            if (co.warm.secs < best_warm_ours.secs) best_warm_ours = co.warm, best_cold_ours = co.cold;
            if (cb.warm.secs < best_warm_bare.secs) best_warm_bare = cb.warm, best_cold_bare = cb.cold;
            if (run == 0) count(big, co.counts, cb.bare);
        }
    }
    for (int run = 0; run < repeat; ++run)
        for (std::size_t g = 0; g < groups.size(); ++g) {
            groups[g].ours = std::min(groups[g].ours, ours_runs[run][g]);
            groups[g].bare = std::min(groups[g].bare, bare_runs[run][g]);
        }

    std::printf("%-30s %5s %8s   %15s   %15s   %s\n", "", "files", "MB", "ours MB/s (s)", "tinyxml2 MB/s (s)", "ours/bare");
    bool over = false;
    for (const Group& g : groups) {
        const double ratio = g.bare > 0 ? g.ours / g.bare : 0.0;
        over = over || ratio > kTarget;
        std::printf("%-30s %5zu %8.1f   %6.1f (%6.3f)   %8.1f (%6.3f)   %.2f %s\n", g.label.c_str(), g.files, mb(g.bytes),
                    mb_per_s(g.bytes, g.ours), g.ours, mb_per_s(g.bytes, g.bare), g.bare, ratio,
                    ratio <= kTarget ? "ok" : "OVER");
    }
    std::printf("target: ours/bare <= %.1f on every row: %s\n", kTarget, over ? "NOT MET" : "met");
    if (!in_process) {
        std::printf("biggest file, each side in its own child process: page faults ours %ld first parse, %ld warm; "
                    "tinyxml2 %ld first, %ld warm%s\n",
                    best_cold_ours.faults, best_warm_ours.faults, best_cold_bare.faults, best_warm_bare.faults,
                    child_failed ? " (A CHILD PROCESS FAILED: its figures are missing)" : "");
        if (!warm_ours.empty()) {
            // The rows keep each side's best run. Where one process runs much slower than the next
            // (on a shared VM, child runs of the same binary 2x apart: bench/README.md, Results), a
            // best of a few runs is luck; the medians and the slowest run say how far to trust it,
            // and a wide spread asks for a higher --repeat.
            auto median = [](std::vector<double> v) {
                std::sort(v.begin(), v.end());
                return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
            };
            auto worst = [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); };
            for (const auto& [label, o, b] :
                 {std::tuple{"warm", &warm_ours, &warm_bare}, std::tuple{"first", &cold_ours, &cold_bare}})
                std::printf("biggest file, %s parse over %zu runs: median ours %.3f s, tinyxml2 %.3f s, ours/bare %.2f; "
                            "slowest run ours %.3f s, tinyxml2 %.3f s\n",
                            label, o->size(), median(*o), median(*b), median(*o) / median(*b), worst(*o), worst(*b));
        }
    }
    std::printf("ours: %zu items, %zu warnings, %zu of %zu files failed; tinyxml2: %zu parse errors, %.1f MB of text touched\n",
                counts.items, counts.warnings, counts.failures, inputs.size(), bare_counts.errors,
                mb(bare_counts.touched));
    for (std::size_t i = 0; i < failed.size() && i < 5; ++i) {
        // Messages are fetched again here so the timed runs keep no Result alive.
        const auto it = std::find_if(inputs.begin(), inputs.end(), [&](const Input& in) { return in.name == failed[i]; });
        opts.base_url = it->base_url;
        auto r = nk::parse_feed(it->bytes, opts);
        std::printf("  failed: %s: %s\n", it->name.c_str(), r.ok() ? "(ok on retry)" : r.error().message.c_str());
    }
    if (failed.size() > 5) std::printf("  ... and %zu more\n", failed.size() - 5);

    std::fputs(linearity.c_str(), stdout);

    std::printf("%zu\n", counts.items);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // parse_feed promises no exceptions for bad input; this only catches running out of memory
    // on a corpus too large for the machine, which deserves a message rather than abort().
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "parse_bench: " << e.what() << "\n";
        return 1;
    }
}
