// SPDX-License-Identifier: Apache-2.0
// The display's words in other languages: ICU's CLDR formatters for dates, clocks and ages, and
// gettext catalogues (po/*.po, compiled to .mo by the build) for the interface strings, with a
// check that every catalogue translates every string the sources mark.
#include "app/l10n.h"
#include "helpers.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using nk::app::Localizer;

namespace {

constexpr const char* kLanguages[] = {"de", "fr", "es", "ja", "ar", "he"};

struct PoEntry {
    std::string id, plural;
    std::vector<std::string> strs;
    bool fuzzy = false;
};

std::string unquote(const std::string& line) {
    auto a = line.find('"'), b = line.rfind('"');
    if (a == std::string::npos || b <= a) return {};
    std::string s = line.substr(a + 1, b - a - 1), out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            char c = s[++i];
            out += c == 'n' ? '\n' : c;
        } else {
            out += s[i];
        }
    }
    return out;
}

// A small reader for the subset of the PO format our catalogues use (one line per string).
std::vector<PoEntry> read_po(const std::filesystem::path& file) {
    std::ifstream in(file);
    REQUIRE(in);
    std::vector<PoEntry> out;
    PoEntry cur;
    bool fuzzy = false;
    std::string line;
    auto flush = [&] {
        if (!cur.id.empty()) out.push_back(cur);
        cur = {};
    };
    while (std::getline(in, line)) {
        if (line.rfind("#,", 0) == 0 && line.find("fuzzy") != std::string::npos) fuzzy = true;
        if (line.rfind("msgid_plural ", 0) == 0) {
            cur.plural = unquote(line);
        } else if (line.rfind("msgid ", 0) == 0) {
            flush();
            cur.id = unquote(line);
            cur.fuzzy = fuzzy;
            fuzzy = false;
        } else if (line.rfind("msgstr", 0) == 0) {
            cur.strs.push_back(unquote(line));
        }
    }
    flush();
    return out;
}

int nplurals(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::smatch m;
    REQUIRE(std::regex_search(all, m, std::regex("nplurals=(\\d+)")));
    return std::stoi(m[1]);
}


constexpr int64_t kNow = 1'796'630'700;  // 2026-12-07 08:05:00 UTC, a Monday

}  // namespace

TEST_CASE("l10n: the template holds exactly the strings the sources mark for translation", "[l10n]") {
    const std::filesystem::path src(NK_SOURCE_DIR);
    std::string pot = nk::test::command_output("xgettext --from-code=UTF-8 --keyword=tr --keyword=trn:1,2 -o - " + (src / "src/app/kiosk.cpp").string());
    std::set<std::string> marked;
    std::istringstream in(pot);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("msgid ", 0) == 0 && unquote(line) != "") marked.insert(unquote(line));
    REQUIRE(marked.size() >= 15);
    std::set<std::string> in_template;
    for (const auto& e : read_po(src / "po/newsroom-kiosk.pot")) in_template.insert(e.id);
    CHECK(marked == in_template);
}

TEST_CASE("l10n: every catalogue translates every string, in every plural form", "[l10n]") {
    const std::filesystem::path po(std::string(NK_SOURCE_DIR) + "/po");
    std::vector<PoEntry> tmpl = read_po(po / "newsroom-kiosk.pot");
    for (const char* lang : kLanguages) {
        INFO(lang);
        const auto file = po / (std::string(lang) + ".po");
        std::map<std::string, PoEntry> have;
        for (auto& e : read_po(file)) have[e.id] = e;
        const int forms = nplurals(file);
        for (const auto& t : tmpl) {
            INFO(t.id);
            REQUIRE(have.count(t.id));
            const PoEntry& e = have[t.id];
            CHECK_FALSE(e.fuzzy);
            CHECK(e.strs.size() == (t.plural.empty() ? 1u : static_cast<size_t>(forms)));
            for (const auto& s : e.strs) {
                CHECK_FALSE(s.empty());
                CHECK(s != t.id);
                // The placeholder survives translation (msgfmt --check says so too, at build time).
                CHECK((t.id.find("%s") == std::string::npos) == (s.find("%s") == std::string::npos));
            }
        }
    }
}

TEST_CASE("l10n: the compiled catalogues are what the kiosk reads", "[l10n]") {
    for (const char* lang : kLanguages) {
        INFO(lang);
        Localizer l(lang, "UTC", "locale", nullptr);
        CHECK(l.tr("BREAKING") != "BREAKING");
        CHECK(l.tr("Scan for the story") != "Scan for the story");
        CHECK(l.trn("%s item", "%s items", 3).find(l.number(3)) != std::string::npos);
    }
    Localizer de("de", "UTC", "locale", nullptr);
    CHECK(de.tr("BREAKING") == "EILMELDUNG");
    CHECK(de.trn("%s item", "%s items", 1) == "1 Meldung");
    CHECK(de.trn("%s item", "%s items", 7) == "7 Meldungen");
    Localizer ar("ar", "UTC", "locale", nullptr);
    CHECK(ar.tr("BREAKING") == "عاجل");
    CHECK(ar.trn("%s item", "%s items", 2) != ar.trn("%s item", "%s items", 5));  // Arabic's dual
    Localizer en("en", "UTC", "locale", nullptr);
    CHECK(en.tr("BREAKING") == "BREAKING");
    CHECK(en.trn("%s item", "%s items", 1) == "1 item");
}

TEST_CASE("l10n: ages in the language's own words, a date beyond a week", "[l10n]") {
    auto age = [](const char* lang, int64_t seconds) { return Localizer(lang, "UTC", "locale", nullptr).age(kNow - seconds, kNow); };
    CHECK(age("de", 12 * 60) == "vor 12 Min.");
    CHECK(age("fr", 12 * 60) == "il y a 12\u00a0min");  // CLDR keeps number and unit together
    CHECK(age("ja", 12 * 60).find("12") != std::string::npos);
    CHECK(age("ja", 12 * 60).find("分前") != std::string::npos);
    CHECK(age("es", 3 * 3600).find("3") != std::string::npos);
    CHECK(age("en", 30) == "now");
    CHECK(age("en", 12 * 60) == "12 min. ago");
    CHECK(age("de", 30 * 3600) == "gestern");
    CHECK(age("en", 4 * 86400) == "4 days ago");
    // Native digits where the locale uses them.
    CHECK(age("ar-EG", 12 * 60).find("١٢") != std::string::npos);
    // Beyond a week: a date, with the year only when it is another one.
    CHECK(age("en-GB", 15 * 86400) == "22 Nov");
    CHECK(age("en-GB", 3231 * 86400) == "1 Feb 2018");
    CHECK(age("de", 15 * 86400) == "22. Nov.");
}

TEST_CASE("l10n: the clock follows the locale's hour cycle unless the config says otherwise", "[l10n]") {
    CHECK(Localizer("de", "UTC", "locale", nullptr).clock(kNow) == "08:05");
    CHECK(Localizer("en-US", "UTC", "locale", nullptr).clock(kNow).find("8:05") == 0);
    CHECK(Localizer("en-US", "UTC", "locale", nullptr).clock(kNow).find("AM") != std::string::npos);
    CHECK(Localizer("en-US", "UTC", "24", nullptr).clock(kNow) == "08:05");
    CHECK(Localizer("de", "UTC", "12", nullptr).clock(kNow).find("8:05") == 0);
    CHECK(Localizer("de", "Asia/Tokyo", "locale", nullptr).clock(kNow) == "17:05");
    CHECK(Localizer("de", "UTC", "locale", nullptr).date(kNow) == "Montag, 7. Dezember");
    CHECK(Localizer("fr", "UTC", "locale", nullptr).date(kNow) == "lundi 7 décembre");
    CHECK(Localizer("ja", "UTC", "locale", nullptr).date(kNow).find("12月7日") != std::string::npos);
}

TEST_CASE("l10n: an unknown language is logged and English is used", "[l10n]") {
    std::vector<std::string> log;
    Localizer l("qqq", "Not/AZone", "locale", [&](const std::string& s) { log.push_back(s); });
    CHECK(l.language() == "en");
    CHECK(l.tr("BREAKING") == "BREAKING");
    CHECK_FALSE(l.clock(kNow).empty());
    REQUIRE(log.size() == 2);
    CHECK(log[0].find("qqq") != std::string::npos);
    CHECK(log[1].find("Not/AZone") != std::string::npos);
    CHECK(Localizer("ar", "UTC", "locale", nullptr).right_to_left());
    CHECK(Localizer("he", "UTC", "locale", nullptr).right_to_left());
    CHECK_FALSE(Localizer("ja", "UTC", "locale", nullptr).right_to_left());
}

TEST_CASE("l10n: the system language comes from the POSIX locale variables", "[l10n]") {
    struct Env {
        std::map<std::string, std::string> saved;
        Env() {
            for (const char* v : {"LC_ALL", "LC_MESSAGES", "LANG"})
                if (const char* x = getenv(v)) saved[v] = x;
        }
        ~Env() {
            for (const char* v : {"LC_ALL", "LC_MESSAGES", "LANG"}) unsetenv(v);
            for (auto& [k, v] : saved) setenv(k.c_str(), v.c_str(), 1);
        }
    } env;
    for (const char* v : {"LC_ALL", "LC_MESSAGES", "LANG"}) unsetenv(v);
    CHECK(nk::app::system_language() == "en");
    setenv("LANG", "de_DE.UTF-8", 1);
    CHECK(nk::app::system_language() == "de-DE");
    setenv("LC_MESSAGES", "pt_BR.UTF-8@x", 1);
    CHECK(nk::app::system_language() == "pt-BR");
    setenv("LC_ALL", "C.UTF-8", 1);
    CHECK(nk::app::system_language() == "en");
}
