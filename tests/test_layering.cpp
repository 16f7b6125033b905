// SPDX-License-Identifier: Apache-2.0
// The dependency direction of DESIGN.md, checked on the sources: feed <- core <- net, ui <- app <- main/platform.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace fs = std::filesystem;

namespace {

std::vector<std::string> includes_of(const fs::path& dir) {
    std::vector<std::string> out;
    if (!fs::exists(dir)) return out;
    std::regex inc(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path());
        std::string line;
        std::smatch m;
        while (std::getline(in, line))
            if (std::regex_search(line, m, inc)) out.push_back(e.path().filename().string() + ": " + m[1].str());
    }
    return out;
}

bool forbidden(const std::string& inc, std::initializer_list<const char*> bad) {
    auto colon = inc.find(": ");
    std::string target = inc.substr(colon + 2);
    for (const char* b : bad)
        if (target.rfind(b, 0) == 0) return true;
    return false;
}

}  // namespace

TEST_CASE("src/feed, the feed reader, depends on nothing but the standard library, tinyxml2, iconv, nlohmann::json and libical",
          "[layering]") {
    for (const auto& inc : includes_of(fs::path(NK_SOURCE_DIR) / "src/feed")) {
        INFO(inc);
        std::string target = inc.substr(inc.find(": ") + 2);
        bool ours = target.rfind("feed/", 0) == 0;
        bool system = target.find('/') == std::string::npos || target == "tinyxml2.h";
        // JSON Feed is read with the project's JSON library, and only there (the reader's own file);
        // libical only behind the calendar reader: its header stays free of it, so callers are too.
        bool json = target == "nlohmann/json.hpp" && inc.rfind("jsonfeed.cpp: ", 0) == 0;
        bool ical = inc == "calendar.cpp: libical/ical.h";
        CHECK((ours || system || json || ical));
        CHECK_FALSE(forbidden(inc, {"toml", "thread", "mutex", "fstream", "filesystem", "curl", "app/", "core/", "net/", "ui/"}));
    }
}

TEST_CASE("src/core depends on nothing but the standard library, the feed reader and toml++", "[layering]") {
    for (const auto& inc : includes_of(fs::path(NK_SOURCE_DIR) / "src/core")) {
        INFO(inc);
        CHECK_FALSE(forbidden(inc, {"curl/", "imgui", "backends/", "GLFW/", "GL/", "thread", "mutex", "app/", "ui/", "net/",
                                    "platform/", "nlohmann/"}));
    }
}

TEST_CASE("src/net and src/ui do not reach up into app or platform", "[layering]") {
    for (const char* d : {"src/net", "src/ui"}) {
        for (const auto& inc : includes_of(fs::path(NK_SOURCE_DIR) / d)) {
            INFO(inc);
            CHECK_FALSE(forbidden(inc, {"app/", "platform/", "GLFW/"}));
        }
    }
    for (const auto& inc : includes_of(fs::path(NK_SOURCE_DIR) / "src/ui")) {
        INFO(inc);
        CHECK_FALSE(forbidden(inc, {"curl/"}));
    }
    for (const auto& inc : includes_of(fs::path(NK_SOURCE_DIR) / "src/net")) {
        INFO(inc);
        CHECK_FALSE(forbidden(inc, {"imgui", "ui/"}));
    }
}

TEST_CASE("only platform/ touches GLFW and GL", "[layering]") {
    for (const char* d : {"src/core", "src/net", "src/ui", "src/app"}) {
        for (const auto& inc : includes_of(fs::path(NK_SOURCE_DIR) / d)) {
            INFO(inc);
            CHECK_FALSE(forbidden(inc, {"GLFW/", "GL/", "backends/"}));
        }
    }
}


// ctest registers each Catch test by name and reads ';' as a list separator: such a test would
// run as two names that match nothing, and fail only under ctest.
TEST_CASE("no test name holds a semicolon", "[layering]") {
    std::regex name(R"(TEST_CASE\(\s*"([^"]*))");
    for (const auto& e : fs::recursive_directory_iterator(fs::path(NK_SOURCE_DIR) / "tests")) {
        if (!e.is_regular_file() || e.path().extension() != ".cpp") continue;
        std::ifstream in(e.path());
        std::string line;
        std::smatch m;
        while (std::getline(in, line)) {
            if (!std::regex_search(line, m, name)) continue;
            INFO(e.path().filename().string() << ": " << m[1].str());
            CHECK(m[1].str().find(';') == std::string::npos);
        }
    }
}
