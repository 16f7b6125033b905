// SPDX-License-Identifier: Apache-2.0
#include "app/commands.h"

#include "app/files.h"

#include "feed/parser.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

namespace nk::app {
namespace {

using json = nlohmann::ordered_json;

int usage(const std::string& why) {
    std::cerr << "newsroom-kiosk parse: " << why << "\n"
              << "usage: newsroom-kiosk parse FILE [--content-type TYPE] [--base-url URL]   (FILE - reads stdin)\n";
    return 2;
}

json to_json(const Feed& f) {
    auto opt = [](const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); };
    auto str_or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
    json items = json::array();
    for (const Item& it : f.items) {
        items.push_back({{"id", it.id},
                         {"title", it.title},
                         {"link", it.link},
                         {"summary", it.summary},
                         {"published", opt(it.published)},
                         {"updated", opt(it.updated)},
                         {"author", str_or_null(it.author)},
                         {"image", str_or_null(it.image)},
                         {"categories", it.categories}});
    }
    return {{"format", std::string(format_name(f.format))},
            {"title", f.title},
            {"link", f.link},
            {"warnings", f.warnings},
            {"items", std::move(items)}};
}

}  // namespace

int parse_command(const std::vector<std::string_view>& args) {
    std::string file;
    ParseOptions opt;
    std::string content_type, base_url;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        auto value = [&](std::string& into) {
            if (i + 1 >= args.size()) return false;
            into = std::string(args[++i]);
            return true;
        };
        if (a == "--content-type") {
            if (!value(content_type)) return usage("--content-type needs a value");
        } else if (a == "--base-url") {
            if (!value(base_url)) return usage("--base-url needs a value");
        } else if (a.starts_with("--") || (a.starts_with("-") && a != "-")) {
            return usage("unknown option " + std::string(a));
        } else if (file.empty()) {
            file = std::string(a);
        } else {
            return usage("more than one FILE");
        }
    }
    if (file.empty()) return usage("missing FILE");

    std::string bytes;
    if (file == "-") {
        bytes.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
        // One byte past the parser's limit, so that it says "too large" as it would for stdin.
        auto read = read_file(file, static_cast<int64_t>(opt.limits.max_input_bytes) + 1, FileKind::Any);
        if (!read && read.error().code != ErrorCode::TooLarge) {
            std::cerr << "newsroom-kiosk: " << read.error().message << "\n";
            return 1;
        }
        if (!read) {
            std::cerr << "newsroom-kiosk: " << file << ": larger than " << opt.limits.max_input_bytes << " bytes; not read\n";
            return 1;
        }
        bytes = std::move(read.value());
    }
    opt.content_type = content_type;
    opt.base_url = base_url;
    Result<Feed> r = parse_feed(bytes, opt);
    if (!r) {
        std::cerr << "newsroom-kiosk: " << file << ": " << r.error().message << "\n";
        return 1;
    }
    std::cout << to_json(r.value()).dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return 0;
}

}  // namespace nk::app
