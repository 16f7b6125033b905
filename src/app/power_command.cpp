// SPDX-License-Identifier: Apache-2.0
// `newsroom-kiosk power-state`: the [power] schedule's answer for now, for the platform's screen
// switcher (a timer that runs cec-ctl or DPMS), so the switcher and the kiosk share one schedule
// and one time zone. Exit status is the contract: 0 on, 3 off; never "off" by accident.
#include "app/commands.h"

#include "app/engine.h"
#include "app/files.h"
#include "core/config.h"
#include "core/power.h"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

namespace nk::app {
namespace {

constexpr int kOn = 0, kOff = 3, kUsage = 2;

int usage(const std::string& why) {
    std::cerr << "newsroom-kiosk power-state: " << why << "\n"
              << "usage: newsroom-kiosk power-state [--config FILE] [--time UNIX_SECONDS]\n";
    return kUsage;
}

void say(const std::string& line) { std::cerr << "newsroom-kiosk power-state: " << line << "\n"; }

// glibc quietly falls back to UTC for a zone it cannot find; a schedule an hour or more off
// is worth a line in the journal.
void apply_timezone(const std::string& tz) {
    if (tz.empty()) return;  // the system's (TZ from the environment, else /etc/localtime)
    if (tz.find('/') != std::string::npos && tz.front() != ':' && !std::filesystem::exists("/usr/share/zoneinfo/" + tz))
        say("display.timezone \"" + tz + "\" is not in /usr/share/zoneinfo; the C library will use UTC");
    ::setenv("TZ", tz.c_str(), 1);
    ::tzset();
}

}  // namespace

int power_state_command(const std::vector<std::string_view>& args) {
    std::string config_file;
    std::optional<int64_t> at;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        if (a == "--config" && i + 1 < args.size()) {
            config_file = std::string(args[++i]);
        } else if (a == "--time" && i + 1 < args.size()) {
            std::string_view v = args[++i];
            int64_t t = 0;
            auto r = std::from_chars(v.data(), v.data() + v.size(), t);
            if (r.ec != std::errc() || r.ptr != v.data() + v.size() || t < 0) return usage("--time needs Unix seconds");
            at = t;
        } else if (a == "--help" || a == "-h") {
            usage("prints on or off for the [power] schedule; exit 0 = on, 3 = off");
            return kOn;
        } else {
            return usage("unexpected argument '" + std::string(a) + "'");
        }
    }

    std::filesystem::path path = config_file.empty() ? find_config_path() : std::filesystem::path(config_file);
    Config config;
    if (!path.empty()) {
        auto text = read_file(path, kMaxConfigFileBytes);
        if (!text) {
            say(text.error().message + "; answering on");
        } else {
            ConfigParse cp = parse_config(text.value(), path.string());
            // Errors only: unknown-key warnings are check-config's business, and a timer
            // calling this every minute would repeat them all day.
            for (const ConfigIssue& i : cp.issues)
                if (!i.warning) say(format_issue(i));
            config = std::move(cp.config);  // a wrong setting stays at its default (for [power]: always on)
        }
    }

    apply_timezone(config.display.timezone);
    std::time_t t = at ? static_cast<std::time_t>(*at) : std::time(nullptr);
    std::tm local{};
    localtime_r(&t, &local);
    bool on = screen_on(config.power, local);
    std::cout << (on ? "on" : "off") << std::endl;
    return on ? kOn : kOff;
}

}  // namespace nk::app
