// newsroom-kiosk: command-line entry point. Thin on purpose: it picks a verb and hands over.
#include "app/commands.h"

#include <charconv>
#include <optional>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

void help() {
    std::cout << "newsroom-kiosk " NK_VERSION " - a news display for walls\n\n"
                 "usage:\n"
                 "  newsroom-kiosk [--config FILE] [--feed URL]... [--cache-dir DIR] [--headless] [--duration SECONDS]\n"
                 "      run the kiosk; with no config and no --feed it shows its embedded demo content.\n"
                 "      --headless prints one line per card and per feed status change (the display\n"
                 "      is not built yet, so this is also what runs without it)\n"
                 "  newsroom-kiosk parse FILE [--content-type TYPE] [--base-url URL]\n"
                 "      print a feed as JSON (FILE - reads stdin)\n"
                 "  newsroom-kiosk check-config FILE\n"
                 "      list every problem in a config file as file:line:column: key: message\n"
                 "  newsroom-kiosk --version | --help\n\n"
                 "config is read from --config, else $XDG_CONFIG_HOME/newsroom-kiosk/kiosk.toml,\n"
                 "else /etc/newsroom-kiosk/kiosk.toml; it is reloaded when the file changes.\n";
}

int usage(const std::string& why) {
    std::cerr << "newsroom-kiosk: " << why << " (try --help)\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "parse") return nk::app::parse_command({args.begin() + 1, args.end()});
    if (!args.empty() && args[0] == "check-config") return nk::app::check_config_command({args.begin() + 1, args.end()});

    nk::app::HeadlessArgs run;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        auto value = [&](const char* flag) -> std::optional<std::string> {
            if (i + 1 >= args.size()) return std::nullopt;
            (void)flag;
            return std::string(args[++i]);
        };
        if (a == "--version" || a == "-V") {
            std::cout << "newsroom-kiosk " NK_VERSION "\n";
            return 0;
        } else if (a == "--help" || a == "-h") {
            help();
            return 0;
        } else if (a == "--headless") {
            // The display lands with issue 4; until then every run is headless.
        } else if (a == "--config") {
            auto v = value("--config");
            if (!v) return usage("--config needs a file");
            run.config_path = *v;
        } else if (a == "--feed") {
            auto v = value("--feed");
            if (!v) return usage("--feed needs a URL");
            run.feed_urls.push_back(*v);
        } else if (a == "--cache-dir") {
            auto v = value("--cache-dir");
            if (!v) return usage("--cache-dir needs a directory");
            run.cache_dir = *v;
        } else if (a == "--duration") {
            auto v = value("--duration");
            int64_t s = 0;
            if (!v || std::from_chars(v->data(), v->data() + v->size(), s).ec != std::errc() || s <= 0)
                return usage("--duration needs a positive number of seconds");
            run.duration_seconds = s;
        } else {
            return usage("unknown argument '" + std::string(a) + "'");
        }
    }
    return nk::app::headless_command(run);
}
