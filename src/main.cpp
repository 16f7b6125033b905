// newsroom-kiosk: command-line entry point. Thin on purpose: it picks a verb and hands over.
#include "app/commands.h"

#include <iostream>
#include <string_view>
#include <vector>

namespace {

void help() {
    std::cout << "newsroom-kiosk " NK_VERSION " - a news display for walls\n\n"
                 "usage:\n"
                 "  newsroom-kiosk                 show the demo content (display and engine: coming)\n"
                 "  newsroom-kiosk parse FILE [--content-type TYPE] [--base-url URL]\n"
                 "                                 print a feed as JSON (FILE - reads stdin)\n"
                 "  newsroom-kiosk --version       print the version\n"
                 "  newsroom-kiosk --help          this text\n";
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "parse") return nk::app::parse_command({args.begin() + 1, args.end()});
    if (!args.empty() && (args[0] == "--version" || args[0] == "-V")) {
        std::cout << "newsroom-kiosk " NK_VERSION "\n";
        return 0;
    }
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        help();
        return 0;
    }
    if (!args.empty()) {
        std::cerr << "newsroom-kiosk: unknown argument '" << args[0] << "' (try --help)\n";
        return 2;
    }
    return nk::app::demo_command(args);
}
