// SPDX-License-Identifier: Apache-2.0
// The project is Apache-2.0 (LICENSE): every source file says so on its first line (after a
// shebang), so that a file copied out of the tree still carries its license. A new file without
// the line fails here with its name. Third-party and generated data is accounted for in
// packaging/copyright, the package's DEP-5 copyright file.
#include "helpers.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>

namespace fs = std::filesystem;
using nk::test::read_file;

TEST_CASE("every source file of the project opens with its SPDX license line", "[license]") {
    const fs::path root = NK_SOURCE_DIR;
    const std::set<std::string> kinds = {".cpp", ".h", ".in", ".py", ".sh", ".cmake", ".txt", ".service", ".timer",
                                         ".conf", ".dict", ".supp", ".awk", ".1", ".5", ""};
    std::string missing;
    std::size_t checked = 0;
    for (const char* dir : {"src", "tests", "bench", "fuzz", "platform", "scripts", "cmake", "packaging/debian", "docs"}) {
        if (!fs::exists(root / dir)) continue;
        for (auto it = fs::recursive_directory_iterator(root / dir); it != fs::recursive_directory_iterator(); ++it) {
            const fs::path& p = it->path();
            if (it->is_directory() && (p == root / "tests/data" || p.filename() == "__pycache__")) {
                it.disable_recursion_pending();
                continue;
            }
            if (!it->is_regular_file() || !kinds.count(p.extension().string())) continue;
            if (p.filename() == "conffiles") continue;  // a list of paths for dpkg, no comments allowed
            std::string head = read_file(p.string()).substr(0, 400);
            if (head.rfind("#!", 0) == 0) head = head.substr(head.find('\n') + 1);
            head = head.substr(0, head.find('\n'));
            ++checked;
            if (head.find("SPDX-License-Identifier: Apache-2.0") == std::string::npos)
                missing += "\n  " + fs::relative(p, root).string();
        }
    }
    CHECK(checked > 150);
    INFO("files whose first line (after a shebang) is not \"... SPDX-License-Identifier: Apache-2.0\":" << missing);
    CHECK(missing.empty());
    CHECK(read_file((root / "LICENSE").string()).find("Apache License\n                           Version 2.0, January 2004") !=
          std::string::npos);
}
