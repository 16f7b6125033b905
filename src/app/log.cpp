// SPDX-License-Identifier: Apache-2.0
#include "app/log.h"

#include <cstdlib>
#include <iostream>
#include <mutex>

namespace nk::app {

int journal_priority(std::string_view line) {
    auto has = [&](std::string_view w) { return line.find(w) != std::string_view::npos; };
    if (has("error") || has("cannot") || has("refused")) return 3;
    if (has("failing") || has("warning")) return 4;
    return 6;
}

void log_line(const std::string& line) {
    static std::mutex mu;
    static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
    std::lock_guard lock(mu);
    if (journal) std::cerr << '<' << journal_priority(line) << '>';
    std::cerr << line << std::endl;
}

}  // namespace nk::app
