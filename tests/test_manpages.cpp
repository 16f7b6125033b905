// SPDX-License-Identifier: Apache-2.0
// The man pages (docs/newsroom-kiosk.1, docs/newsroom-kiosk.toml.5) cannot drift from the program:
// every verb and option of `--help` is in newsroom-kiosk(1) and the other way round; every
// environment variable the help names or the sources read is under its ENVIRONMENT; every config
// key the code knows (nk::config_keys()) is in newsroom-kiosk.toml(5) with the default the example
// config states, and nothing else is; both render under groff with every warning on and say
// nothing. A verb added to one side only fails here with its name.
#include "core/config.h"
#include "core/version.h"
#include "helpers.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using nk::test::read_file;
using nk::test::run_kiosk;

namespace {

const std::string kPage1 = std::string(NK_SOURCE_DIR) + "/docs/newsroom-kiosk.1";
const std::string kPage5 = std::string(NK_SOURCE_DIR) + "/docs/newsroom-kiosk.toml.5";

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// What a roff line says as text: font escapes dropped, \- and the named quotes as characters.
std::string unescape(std::string s) {
    s = std::regex_replace(s, std::regex(R"(\\f(\[[A-Za-z]*\]|\(..|.))"), "");
    s = std::regex_replace(s, std::regex(R"(\\-)"), "-");
    s = std::regex_replace(s, std::regex(R"(\\\(dq)"), "\"");
    s = std::regex_replace(s, std::regex(R"(\\\(aq)"), "'");
    s = std::regex_replace(s, std::regex(R"(\\&)"), "");
    s = std::regex_replace(s, std::regex(R"(\\e)"), "\\");
    return s;
}

struct TagLine {
    std::string section;     // the .SH it is under
    std::string subsection;  // the .SS it is under ("" before the first)
    std::string text;        // unescaped; a macro line (.B X) loses its macro name
};

// The tag lines of a page: the line after each .TP and after each .TQ.
std::vector<TagLine> tag_lines(const std::string& page) {
    std::vector<TagLine> out;
    std::string sh, ss;
    bool next_is_tag = false;
    for (const std::string& l : lines_of(page)) {
        auto macro = [&](const char* m) { return l == m || l.rfind(std::string(m) + " ", 0) == 0; };
        if (macro(".SH")) {
            sh = unescape(l.size() > 4 ? l.substr(4) : "");
            ss.clear();
            continue;
        }
        if (macro(".SS")) {
            ss = unescape(l.size() > 4 ? l.substr(4) : "");
            if (ss.size() >= 2 && ss.front() == '"' && ss.back() == '"') ss = ss.substr(1, ss.size() - 2);
            continue;
        }
        if (macro(".TP") || macro(".TQ")) {
            next_is_tag = true;
            continue;
        }
        if (next_is_tag) {
            std::string t = l;
            if (!t.empty() && t[0] == '.') t = t.find(' ') == std::string::npos ? "" : t.substr(t.find(' ') + 1);
            out.push_back({sh, ss, unescape(t)});
            next_is_tag = false;
        }
    }
    return out;
}

std::set<std::string> matches(const std::string& text, const std::regex& re, int group = 0) {
    std::set<std::string> out;
    for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) out.insert((*it)[group].str());
    return out;
}

const std::regex kOption(R"(--[a-z][a-z0-9-]*)");

// The command words of a usage line: after "newsroom-kiosk", the bare lowercase words (alternatives
// split at '|') up to the first option, placeholder or bracket. "alert --clear" gives alert;
// "next | previous" gives both; "fleet status|alert" gives fleet, status and alert.
std::set<std::string> command_words(const std::string& usage) {
    std::set<std::string> out;
    std::string rest = usage.substr(usage.find("newsroom-kiosk") + std::string("newsroom-kiosk").size());
    for (char& c : rest)
        if (c == '|') c = ' ';
    std::istringstream in(rest);
    for (std::string w; in >> w;) {
        if (!std::regex_match(w, std::regex("[a-z][a-z0-9-]*"))) break;
        out.insert(w);
    }
    return out;
}

std::string only_in(const std::set<std::string>& a, const std::set<std::string>& b) {
    std::string out;
    for (const std::string& x : a)
        if (!b.count(x)) out += (out.empty() ? "" : ", ") + x;
    return out;
}

struct Help {
    std::string text;
    std::set<std::string> verbs, options;
};

Help kiosk_help() {
    Help h;
    auto r = run_kiosk("--help");
    REQUIRE(r.exit_code == 0);
    h.text = r.out;
    for (const std::string& l : lines_of(h.text))
        if (l.rfind("  newsroom-kiosk ", 0) == 0)
            for (const std::string& w : command_words(l)) h.verbs.insert(w);
    h.options = matches(h.text, kOption);
    return h;
}

std::string run_shell(const std::string& cmd, int& status) {
    std::string out;
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    status = ::pclose(p);
    return out;
}

// Every getenv("NAME") of the program's own sources.
std::set<std::string> getenv_names() {
    std::set<std::string> out;
    const std::regex re(R"re(getenv\("([A-Za-z_][A-Za-z0-9_]*)"\))re");
    for (const char* dir : {"src", "platform"})
        for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(NK_SOURCE_DIR) + "/" + dir)) {
            const std::string ext = e.path().extension().string();
            if (e.is_regular_file() && (ext == ".cpp" || ext == ".h"))
                for (const std::string& n : matches(read_file(e.path().string()), re, 1)) out.insert(n);
        }
    return out;
}

// assets/kiosk.example.toml: table -> key -> the value as written, for the keys it sets (not the
// commented-out ones) in tables that are not [[arrays]].
std::map<std::string, std::map<std::string, std::string>> example_defaults() {
    std::map<std::string, std::map<std::string, std::string>> out;
    std::string table;
    bool array = false;
    std::smatch m;
    for (const std::string& l : lines_of(read_file(std::string(NK_SOURCE_DIR) + "/assets/kiosk.example.toml"))) {
        if (std::regex_match(l, m, std::regex(R"(\[\[([a-z_]+)\]\].*)"))) {
            table = m[1], array = true;
        } else if (std::regex_match(l, m, std::regex(R"(\[([a-z_]+)\].*)"))) {
            table = m[1], array = false;
        } else if (!array && std::regex_match(l, m, std::regex(R"re(([a-z_]+) = ("[^"]*"|\[[^\]]*\]|[^ ]+).*)re"))) {
            out[table][m[1]] = m[2];
        }
    }
    return out;
}

}  // namespace

TEST_CASE("man page newsroom-kiosk(1) has every verb and option of --help and no other", "[man]") {
    const Help help = kiosk_help();
    REQUIRE(help.verbs.count("parse") == 1);    // the parsing of --help itself works
    REQUIRE(help.options.count("--config") == 1);
    std::set<std::string> verbs, options;
    for (const TagLine& t : tag_lines(read_file(kPage1))) {
        if (t.text.rfind("newsroom-kiosk ", 0) == 0)
            for (const std::string& w : command_words(t.text)) verbs.insert(w);
        for (const std::string& o : matches(t.text, kOption)) options.insert(o);
    }
    INFO("verbs in --help, not in docs/newsroom-kiosk.1 (a .TP \"newsroom-kiosk VERB ...\" under COMMANDS): "
         << only_in(help.verbs, verbs));
    INFO("verbs in docs/newsroom-kiosk.1, not in --help: " << only_in(verbs, help.verbs));
    CHECK(verbs == help.verbs);
    INFO("options in --help, not in a .TP tag of docs/newsroom-kiosk.1: " << only_in(help.options, options));
    INFO("options in .TP tags of docs/newsroom-kiosk.1, not in --help: " << only_in(options, help.options));
    CHECK(options == help.options);
}

TEST_CASE("man page newsroom-kiosk(1) names every environment variable the kiosk reads", "[man]") {
    std::set<std::string> documented;
    for (const TagLine& t : tag_lines(read_file(kPage1)))
        if (t.section == "ENVIRONMENT")
            for (const std::string& w : matches(t.text, std::regex("[A-Za-z_][A-Za-z0-9_]*"))) documented.insert(w);
    std::set<std::string> read = getenv_names();
    REQUIRE(read.count("XDG_CONFIG_HOME") == 1);  // the source scan itself works
    for (const std::string& v : matches(kiosk_help().text, std::regex(R"(\$([A-Z_][A-Z0-9_]*))"), 1)) read.insert(v);
    INFO("read by the kiosk or named by --help, not a .TP tag under ENVIRONMENT: " << only_in(read, documented));
    CHECK(only_in(read, documented).empty());
}

TEST_CASE("man page newsroom-kiosk.toml(5) has every config key with the example's default and no other key", "[man]") {
    std::vector<std::string> documented;
    std::map<std::string, std::map<std::string, std::string>> shown_defaults;
    std::smatch m;
    for (const TagLine& t : tag_lines(read_file(kPage5))) {
        if (t.section != "KEYS") continue;
        std::string table;
        if (std::regex_match(t.subsection, m, std::regex(R"(\[\[?([a-z_]+)\]?\])"))) table = m[1];
        else REQUIRE(t.subsection == "Top level");
        REQUIRE(std::regex_match(t.text, m, std::regex(R"(([a-z_]+)( = (.*))?)")));
        documented.push_back(table.empty() ? m[1].str() : table + "." + m[1].str());
        if (m[2].matched) shown_defaults[table][m[1]] = m[3];
    }
    const std::vector<std::string>& known = nk::config_keys();
    std::set<std::string> doc_set(documented.begin(), documented.end()), known_set(known.begin(), known.end());
    CHECK(doc_set.size() == documented.size());  // each key once
    INFO("config keys missing from docs/newsroom-kiosk.toml.5 (KEYS): " << only_in(known_set, doc_set));
    INFO("keys in docs/newsroom-kiosk.toml.5 that the config does not know: " << only_in(doc_set, known_set));
    CHECK(doc_set == known_set);

    // The defaults, as assets/kiosk.example.toml states them (its own test checks they are the code's).
    const auto example = example_defaults();
    REQUIRE(example.at("fetch").at("interval_minutes") == "10");  // the example's parsing works
    for (const auto& [table, keys] : example)
        for (const auto& [key, value] : keys) {
            INFO("[" << table << "] " << key << " = " << value << " in the example");
            auto t = shown_defaults.find(table);
            REQUIRE(t != shown_defaults.end());
            auto k = t->second.find(key);
            REQUIRE(k != t->second.end());
            CHECK(k->second == value);
        }
    for (const auto& [table, keys] : shown_defaults)
        for (const auto& [key, value] : keys) {
            INFO("[" << table << "] " << key << " = " << value << " in the man page");
            CHECK((example.count(table) && example.at(table).count(key)));
        }
}

TEST_CASE("man pages render under groff -ww with no warning and carry the release", "[man]") {
    std::string release = nk::version();
    release = release.substr(0, release.find('+'));
    for (const std::string& page : {kPage1, kPage5}) {
        INFO(page);
        int status = 0;
        const std::string said = run_shell("groff -ww -man -Tutf8 -z '" + page + "'", status);
        INFO("groff said: " << said << " (scripts/setup.sh installs groff-base)");
        CHECK(status == 0);
        CHECK(said.empty());
        // .TH TITLE SECTION DATE "newsroom-kiosk X.Y.Z" ...: the release it documents.
        CHECK(read_file(page).find(" \"newsroom-kiosk " + release + "\" ") != std::string::npos);
    }
}

TEST_CASE("the version: what --version prints and the first log line of a run name the build", "[man]") {
    auto v = run_kiosk("--version");
    CHECK(v.exit_code == 0);
    CHECK(v.out == std::string("newsroom-kiosk ") + nk::version() + "\n");
    CHECK(std::regex_match(std::string(nk::version()), std::regex(R"([0-9]+\.[0-9]+\.[0-9]+(\+git\.[0-9a-f]{7,})?)")));

    nk::test::TempDir dir;
    auto r = run_kiosk("--headless --duration 1 --cache-dir '" + dir.path.string() + "' --feed file:///nonexistent/feed.xml");
    CHECK(r.exit_code == 0);
    CHECK(r.err.substr(0, r.err.find('\n')) == std::string("newsroom-kiosk ") + nk::version() + " starting");
}
