// SPDX-License-Identifier: Apache-2.0
// fleet_bench: how fast an alert reaches a fleet, and what the fleet costs in memory (DESIGN.md
// section 5: "an alert reaches 50 screens on one broker in under 1 s (p99)"). It starts a real
// mosquitto on 127.0.0.1 (tests/mqtt_broker.h) and N real kiosks (--headless, on the embedded demo
// content, each its own screen id in one group), waits until every screen reports online, then
// sends K alerts to all with the operator's own verb (`newsroom-kiosk fleet alert --to all`), one
// after the other, and times each from the moment the verb is started to the moment its line
// appears in each kiosk's output. Then it lets the fleet run for the rest of --minutes and reads
// the resident memory of the broker and of every kiosk.
//
//   fleet_bench [--screens N=50] [--alerts K=10] [--minutes M=1] [--kiosk PATH]
//
// The README's figures come from `fleet_bench --minutes 10`. Exit status 0, or 1 when something
// did not come up or an alert never arrived (details printed).
// Last line: "screens N alerts K p50 MS p99 MS max MS broker_rss_kib B kiosk_rss_kib_avg A kiosk_rss_kib_max X"

#include "mqtt_broker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Child {
    pid_t pid = -1;
    int out = -1;                        // the read end of its stdout
    std::string seen;                    // what it printed so far
};

Child spawn(const std::vector<std::string>& args, const std::vector<std::string>& env, const fs::path& err_file) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    std::vector<std::string> a = args, e = env;
    std::vector<char*> argv, envp;
    for (auto& s : a) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (char** x = environ; *x; ++x) envp.push_back(*x);
    for (auto& s : e) envp.push_back(s.data());
    envp.push_back(nullptr);
    const pid_t parent = ::getpid();
    Child c;
    c.pid = ::fork();
    if (c.pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        ::dup2(fds[1], 1);
        ::dup2(err, 2);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    ::close(err);
    c.out = fds[0];
    ::fcntl(c.out, F_SETFL, O_NONBLOCK);
    return c;
}

// Reads whatever the kiosks printed, waiting up to `ms`; returns the time it was read.
Clock::time_point drain(std::vector<Child>& kids, int ms) {
    std::vector<pollfd> p;
    for (const Child& k : kids) p.push_back({k.out, POLLIN, 0});
    ::poll(p.data(), p.size(), ms);
    const auto now = Clock::now();
    char buf[4096];
    for (std::size_t i = 0; i < kids.size(); ++i) {
        if (!(p[i].revents & (POLLIN | POLLHUP))) continue;
        ssize_t n;
        while ((n = ::read(kids[i].out, buf, sizeof buf)) > 0) kids[i].seen.append(buf, static_cast<std::size_t>(n));
    }
    return now;
}

long rss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5));
    return v[i];
}

int run_verb(const std::string& kiosk, const std::string& args) {
    return std::system(("'" + kiosk + "' " + args + " >/dev/null 2>&1").c_str());
}

}  // namespace

int main(int argc, char** argv) {
    int screens = 50, alerts = 10;
    double minutes = 1;
    std::string kiosk = NK_KIOSK_BIN;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--screens") screens = std::atoi(next().c_str());
        else if (a == "--alerts") alerts = std::atoi(next().c_str());
        else if (a == "--minutes") minutes = std::atof(next().c_str());
        else if (a == "--kiosk") kiosk = next();
        else {
            std::cerr << "usage: fleet_bench [--screens N=50] [--alerts K=10] [--minutes M=1] [--kiosk PATH]\n";
            return 2;
        }
    }
    if (screens < 1 || alerts < 1 || minutes <= 0) {
        std::cerr << "fleet_bench: --screens, --alerts and --minutes must be positive\n";
        return 2;
    }
    std::string tmpl = (fs::temp_directory_path() / "nk_fleet_bench_XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) return 1;
    const fs::path dir = tmpl;
    const auto started = Clock::now();
    int rc = 0;
    {
        nk::test::MqttBroker broker(dir / "broker");
        std::cout << "broker: mosquitto on " << broker.url() << " (pid " << broker.pid() << ")\n";
        std::vector<Child> kids;
        for (int i = 0; i < screens; ++i) {
            const std::string id = "screen-" + std::to_string(i);
            const fs::path d = dir / id;
            fs::create_directories(d);
            std::ofstream(d / "kiosk.toml") << "[fleet]\nbroker = \"" << broker.url() << "\"\nscreen = \"" << id << "\"\ngroups = [\"bench\"]\n";
            kids.push_back(spawn({kiosk, "--headless", "--config", (d / "kiosk.toml").string(), "--cache-dir", (d / "cache").string()},
                                 {"XDG_RUNTIME_DIR=" + (d / "run").string(), "XDG_STATE_HOME=" + (d / "state").string()}, d / "stderr.txt"));
        }
        // Every screen up: the broker holds its retained "online" state.
        auto deadline = Clock::now() + std::chrono::minutes(5);
        int online = 0;
        while (Clock::now() < deadline) {
            drain(kids, 200);
            FILE* f = ::popen(("'" + kiosk + "' fleet status --broker " + broker.url() + " --wait 1 2>/dev/null").c_str(), "r");
            std::string table;
            char buf[4096];
            while (f && std::fgets(buf, sizeof buf, f)) table += buf;
            if (f) ::pclose(f);
            // The STATE column (core/fleet.h status_table) starts after the 20-wide SCREEN and 2 spaces.
            online = 0;
            std::istringstream rows(table);
            for (std::string row; std::getline(rows, row);)
                if (row.size() > 29 && row.compare(22, 7, "online ") == 0) ++online;
            if (online >= screens) break;
        }
        std::cout << "fleet: " << online << " of " << screens << " screens online after "
                  << std::chrono::duration<double>(Clock::now() - started).count() << " s\n";
        if (online < screens) rc = 1;

        std::vector<double> all;
        for (int k = 0; rc == 0 && k < alerts; ++k) {
            const std::string text = "Bench alert " + std::to_string(k);
            const auto t0 = Clock::now();
            std::thread verb([&] { run_verb(kiosk, "fleet alert --broker " + broker.url() + " --to all '" + text + "' --for 10m --id bench-" + std::to_string(k)); });
            std::vector<double> got(kids.size(), -1);
            std::size_t left = kids.size();
            const auto until = t0 + std::chrono::seconds(60);
            while (left && Clock::now() < until) {
                const auto now = drain(kids, 5);
                for (std::size_t i = 0; i < kids.size(); ++i)
                    if (got[i] < 0 && kids[i].seen.find("]  " + text) != std::string::npos) {
                        got[i] = std::chrono::duration<double, std::milli>(now - t0).count();
                        --left;
                    }
            }
            verb.join();
            if (left) {
                std::cout << "alert " << k << ": " << left << " screens never showed it\n";
                rc = 1;
                break;
            }
            all.insert(all.end(), got.begin(), got.end());
            std::printf("alert %d: all %zu screens in %.0f ms (median %.0f ms)\n", k, kids.size(), *std::max_element(got.begin(), got.end()),
                        percentile(got, 0.5));
            std::fflush(stdout);
            // Taken down before the next one: a screen shows the most urgent (then newest) alert,
            // and two sent within one second would tie.
            run_verb(kiosk, "fleet clear --broker " + broker.url() + " --to all bench-" + std::to_string(k));
            const auto clear_until = Clock::now() + std::chrono::seconds(60);
            auto all_cleared = [&] {
                for (const Child& c : kids)
                    if (c.seen.find("[alert] cleared", c.seen.find("]  " + text)) == std::string::npos) return false;
                return true;
            };
            while (!all_cleared() && Clock::now() < clear_until) drain(kids, 50);
        }
        // The rest of the run: the fleet idles, publishing state every minute.
        const auto end = started + std::chrono::duration<double>(minutes * 60);
        while (Clock::now() < end) {
            drain(kids, 1000);
            for (Child& k : kids) k.seen.clear();
        }
        const long broker_rss = rss_kib(broker.pid());
        long sum = 0, most = 0;
        for (const Child& k : kids) {
            const long r = rss_kib(k.pid);
            sum += r;
            most = std::max(most, r);
        }
        const long avg = sum / static_cast<long>(kids.size());
        for (Child& k : kids) ::kill(k.pid, SIGTERM);
        for (Child& k : kids) {
            int st = 0;
            ::waitpid(k.pid, &st, 0);
            ::close(k.out);
        }
        std::printf("after %.1f min: broker RSS %ld KiB, kiosk RSS avg %ld KiB, max %ld KiB\n",
                    std::chrono::duration<double>(Clock::now() - started).count() / 60, broker_rss, avg, most);
        std::printf("screens %d alerts %d p50 %.0f p99 %.0f max %.0f broker_rss_kib %ld kiosk_rss_kib_avg %ld kiosk_rss_kib_max %ld\n",
                    screens, static_cast<int>(all.size() / kids.size()), percentile(all, 0.5), percentile(all, 0.99),
                    all.empty() ? 0.0 : *std::max_element(all.begin(), all.end()), broker_rss, avg, most);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return rc;
}
