#include "app/commands.h"

#include "app/embedded.h"
#include "core/parser.h"

#include <iostream>

namespace nk::app {

int demo_command(const std::vector<std::string_view>&) {
    // The engine (fetching, cache, rotation) and the display come next; until then the run
    // command shows what the parser makes of the demo content, card by card.
    int cards = 0;
    for (const assets::EmbeddedFile& f : assets::embedded_files()) {
        ParseOptions opt;
        Result<Feed> r = parse_feed(f.bytes, opt);
        if (!r) {
            std::cerr << "newsroom-kiosk: embedded " << f.name << ": " << r.error().message << "\n";
            continue;
        }
        const Feed& feed = r.value();
        for (const std::string& w : feed.warnings) std::cerr << "newsroom-kiosk: embedded " << f.name << ": " << w << "\n";
        std::cout << "== " << feed.title << " (" << format_name(feed.format) << ", " << feed.items.size() << " items)\n";
        for (const Item& it : feed.items) {
            std::cout << "  " << it.title << "\n";
            if (!it.summary.empty()) {
                std::string first = it.summary.substr(0, it.summary.find('\n'));
                std::cout << "      " << first << "\n";
            }
            ++cards;
        }
    }
    std::cout << cards << " cards from " << assets::embedded_files().size() << " embedded demo feeds\n";
    return cards > 0 ? 0 : 1;
}

}  // namespace nk::app
