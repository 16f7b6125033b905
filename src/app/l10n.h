// SPDX-License-Identifier: Apache-2.0
// l10n.h: the display's words in the wall's language. Dates, times and ages come from ICU's
// formatters with CLDR data ("vor 12 Min.", "il y a 12 min", "12 分前", native digits where the
// locale uses them; beyond a week a date, never "3231 days ago"); the interface's own strings
// from gettext catalogues (po/, compiled to .mo at build time).
// It lives in app, not core: core/timefmt stays the ICU-free C-locale formatter for logs, the
// status endpoint and --headless, so src/core keeps depending on nothing but the standard library
// (and the core unit tests need no ICU data). The display's view model (kiosk.cpp) is the one user.
// Main thread only. prepare_localisation() first thing in main(), before any thread starts.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace nk::app {

// gettext picks the catalogue by $LANGUAGE; make sure the variable exists before threads do, so
// that switching language later replaces a value instead of growing the environment under them.
void prepare_localisation();

// The system's language as BCP 47, from LC_ALL, LC_MESSAGES or LANG ("de_DE.UTF-8" → "de-DE");
// "en" for C/POSIX or nothing set.
std::string system_language();

// Where the .mo catalogues are: $NK_LOCALEDIR, else the build tree's (running uninstalled), else
// the installed share/locale.
std::string locale_dir();

class Localizer {
public:
    // lang: BCP 47; empty: system_language(). An unknown language is logged and English used.
    // timezone: IANA name; empty: the system's. hours: "locale", "12" or "24".
    Localizer(const std::string& lang, const std::string& zone_name, const std::string& hours,
              const std::function<void(const std::string&)>& log);
    ~Localizer();
    Localizer(const Localizer&) = delete;
    Localizer& operator=(const Localizer&) = delete;

    const std::string& language() const;  // as used: "de", "ar-EG", "en" when unknown
    bool right_to_left() const;           // the language's script runs right to left

    std::string clock(int64_t t) const;   // "14:05", "2:05 PM", "١٤:٠٥"
    std::string date(int64_t t) const;    // "Montag, 7. Dezember", "Monday 7 December"
    std::string time(int64_t t) const;    // hours and minutes, for "offline since …"
    // "just now", "12 min ago", "3 hr. ago", "yesterday", "4 days ago"; older: "12 Mar", "12 Mar 2017".
    std::string age(int64_t then, int64_t now) const;
    std::string number(int64_t n) const;  // in the locale's digits

    // An interface string through gettext ("BREAKING" → "EILMELDUNG"); English when untranslated.
    std::string tr(const char* msgid) const;
    // Plural form for n (gettext's rules for the language); "%s" in it becomes number(n).
    std::string trn(const char* singular, const char* plural, int64_t n) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "%s" in fmt replaced by arg (translations keep the placeholder where their grammar puts it).
std::string fill(const std::string& fmt, const std::string& arg);

}  // namespace nk::app
