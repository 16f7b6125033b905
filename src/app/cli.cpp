// SPDX-License-Identifier: Apache-2.0
#include "app/cli.h"

#include "app/commands.h"
#include "core/config.h"
#include "core/version.h"

#include <charconv>
#include <iostream>

namespace nk::app {
namespace {

void help() {
    std::cout << "newsroom-kiosk " << version() << " - a news display for walls\n\n"
                 "usage:\n"
                 "  newsroom-kiosk [--config FILE] [--feed URL]... [--cache-dir DIR] [--windowed WxH]\n"
                 "                 [--always-render] [--duration SECONDS] [--health ADDR:PORT]\n"
                 "      show the news full screen (or in a window); with no config and no --feed it shows\n"
                 "      its embedded demo content. Keys: right/left next/previous, space pause, r reload,\n"
                 "      s status page, Esc/q quit (windowed only). Tap right/left half, long press pauses.\n"
                 "  newsroom-kiosk --headless [same options]\n"
                 "      no window: one line per card and per feed status change\n"
                 "  newsroom-kiosk --screenshot FILE.png [--size WxH] [--at SECONDS] [same options]\n"
                 "      render the display (on the X server in $DISPLAY, e.g. Xvfb) and write a PNG\n"
                 "  newsroom-kiosk parse FILE [--content-type TYPE] [--base-url URL]\n"
                 "      print a feed as JSON (FILE - reads stdin)\n"
                 "  newsroom-kiosk check-config FILE\n"
                 "      list every problem in a config file as file:line:column: key: message\n"
                 "  newsroom-kiosk power-state [--config FILE] [--time UNIX_SECONDS]\n"
                 "      print on or off for the [power] screen schedule now (exit 0 on, 3 off), in the\n"
                 "      config's [display] timezone; the screen switcher of the platform calls this\n"
                 "  newsroom-kiosk alert \"TEXT\" [--level info|warning|emergency] [--for 30m] [--id ID]\n"
                 "  newsroom-kiosk alert --clear [ID]\n"
                 "  newsroom-kiosk next | previous | pause | resume | reload\n"
                 "      tell the running kiosk, through its control socket ($RUNTIME_DIRECTORY/control.sock,\n"
                 "      else $XDG_RUNTIME_DIR/newsroom-kiosk/control.sock; --socket PATH for another)\n"
                 "  newsroom-kiosk fleet status | alert | clear | announce | push-config | command | screenshot ...\n"
                 "      the screens of a fleet on an MQTT broker ([fleet] of --config, or --broker URL ...;\n"
                 "      --to all|group:NAME|screen:ID); `newsroom-kiosk fleet` alone lists the forms\n"
                 "  newsroom-kiosk --version | --help\n\n"
                 "config is read from --config, else $XDG_CONFIG_HOME/newsroom-kiosk/kiosk.toml,\n"
                 "else /etc/newsroom-kiosk/kiosk.toml; it is reloaded when the file changes. An invalid\n"
                 "file is logged and the kiosk runs on the last good one (kept in $STATE_DIRECTORY or\n"
                 "$XDG_STATE_HOME/newsroom-kiosk). --feed URL alone runs those feeds on the default\n"
                 "settings; with --config it replaces the file's feeds and keeps its other settings.\n"
                 "--health ADDR:PORT (or [health] listen) serves GET /healthz, /status.json and /metrics;\n"
                 "ADDR 0.0.0.0 is every interface, \":8089\" alone means 127.0.0.1:8089.\n";
}

int usage(const std::string& why) {
    std::cerr << "newsroom-kiosk: " << why << " (try --help)\n";
    return 2;
}

}  // namespace

std::optional<int> command_line(const std::vector<std::string_view>& args, RunArgs& run) {
    if (!args.empty() && args[0] == "parse") return parse_command({args.begin() + 1, args.end()});
    if (!args.empty() && args[0] == "check-config") return check_config_command({args.begin() + 1, args.end()});
    if (!args.empty() && args[0] == "power-state") return power_state_command({args.begin() + 1, args.end()});
    if (!args.empty() && args[0] == "fleet") return fleet_command({args.begin() + 1, args.end()});
    for (std::string_view verb : {"alert", "next", "previous", "pause", "resume", "reload"})
        if (!args.empty() && args[0] == verb) return control_command(verb, {args.begin() + 1, args.end()});

    auto size_arg = [](const std::string& v, int& w, int& h) {
        auto x = v.find('x');
        if (x == std::string::npos) return false;
        auto a = std::from_chars(v.data(), v.data() + x, w), b = std::from_chars(v.data() + x + 1, v.data() + v.size(), h);
        return a.ec == std::errc() && b.ec == std::errc() && a.ptr == v.data() + x && b.ptr == v.data() + v.size() &&
               w >= 64 && h >= 64 && w <= 16384 && h <= 16384;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= args.size()) return std::nullopt;
            return std::string(args[++i]);
        };
        if (a == "--version" || a == "-V") {
            std::cout << "newsroom-kiosk " << version() << "\n";
            return 0;
        } else if (a == "--help" || a == "-h") {
            help();
            return 0;
        } else if (a == "--headless") {
            run.headless = true;
        } else if (a == "--windowed" || a == "--size") {
            auto v = value();
            if (!v || !size_arg(*v, run.display.window_w, run.display.window_h))
                return usage(std::string(a) + " needs a size like 1280x720");
        } else if (a == "--screenshot") {
            auto v = value();
            if (!v) return usage("--screenshot needs a PNG file name");
            run.display.screenshot = *v;
        } else if (a == "--at") {
            auto v = value();
            int64_t s = 0;
            if (!v || std::from_chars(v->data(), v->data() + v->size(), s).ec != std::errc() || s < 0)
                return usage("--at needs a number of seconds");
            run.display.screenshot_at = static_cast<double>(s);
        } else if (a == "--always-render") {
            run.display.always_render = true;
        } else if (a == "--config") {
            auto v = value();
            if (!v) return usage("--config needs a file");
            run.app.engine.config_path = *v;
        } else if (a == "--feed") {
            auto v = value();
            if (!v) return usage("--feed needs a URL");
            run.app.engine.feed_urls.push_back(*v);
        } else if (a == "--cache-dir") {
            auto v = value();
            if (!v) return usage("--cache-dir needs a directory");
            run.app.engine.cache_dir = *v;
        } else if (a == "--health") {
            auto v = value();
            if (!v) return usage("--health needs an address like 127.0.0.1:8089");
            if (auto addr = parse_listen_address(*v); !addr) return usage("--health: " + addr.error().message);
            run.app.health = *v;
        } else if (a == "--socket") {
            auto v = value();
            if (!v) return usage("--socket needs a path");
            run.app.control_socket = *v;
        } else if (a == "--duration") {
            auto v = value();
            int64_t s = 0;
            if (!v || std::from_chars(v->data(), v->data() + v->size(), s).ec != std::errc() || s <= 0)
                return usage("--duration needs a positive number of seconds");
            run.app.duration = static_cast<double>(s);
        } else {
            return usage("unknown argument '" + std::string(a) + "'");
        }
    }
    if (!run.display.screenshot.empty() && run.display.window_w == 0) {
        run.display.window_w = 1920;
        run.display.window_h = 1080;
    }
    return std::nullopt;
}

}  // namespace nk::app
