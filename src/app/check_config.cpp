// SPDX-License-Identifier: Apache-2.0
#include "app/commands.h"

#include "app/files.h"
#include "core/config.h"

#include <iostream>

namespace nk::app {

int check_config_command(const std::vector<std::string_view>& args) {
    if (args.size() != 1 || args[0].starts_with("-")) {
        std::cerr << "usage: newsroom-kiosk check-config FILE\n";
        return 2;
    }
    std::string file(args[0]);
    auto text = read_file(file, kMaxConfigFileBytes);
    if (!text) {
        std::cerr << text.error().message << "\n";
        return 1;
    }
    ConfigParse cp = parse_config(text.value(), file);
    for (const ConfigIssue& i : cp.issues) std::cout << format_issue(i) << "\n";
    if (cp.issues.empty()) std::cout << file << ": ok (" << cp.config.feeds.size() << " feeds)\n";
    return cp.issues.empty() ? 0 : 1;
}

}  // namespace nk::app
