#include "app/commands.h"

#include "core/config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

namespace nk::app {

int check_config_command(const std::vector<std::string_view>& args) {
    if (args.size() != 1 || args[0].starts_with("-")) {
        std::cerr << "usage: newsroom-kiosk check-config FILE\n";
        return 2;
    }
    std::string file(args[0]);
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::cerr << file << ": cannot open: " << std::strerror(errno) << "\n";
        return 1;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    ConfigParse cp = parse_config(ss.str(), file);
    for (const ConfigIssue& i : cp.issues) std::cout << format_issue(i) << "\n";
    if (cp.issues.empty()) std::cout << file << ": ok (" << cp.config.feeds.size() << " feeds)\n";
    return cp.issues.empty() ? 0 : 1;
}

}  // namespace nk::app
