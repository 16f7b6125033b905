// SPDX-License-Identifier: Apache-2.0
#include "app/l10n.h"

#include <libintl.h>
#include <unicode/datefmt.h>
#include <unicode/dtptngen.h>
#include <unicode/locid.h>
#include <unicode/numfmt.h>
#include <unicode/reldatefmt.h>
#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>
#include <unicode/uloc.h>
#include <unicode/unistr.h>

#include <clocale>
#include <cstdlib>
#include <ctime>
#include <filesystem>

extern "C" int _nl_msg_cat_cntr;  // glibc: bumped to make gettext forget cached lookups after $LANGUAGE changes

namespace nk::app {

namespace {

constexpr const char* kDomain = "newsroom-kiosk";

std::string utf8(const icu::UnicodeString& u) {
    std::string s;
    u.toUTF8String(s);
    return s;
}

// "de_DE.UTF-8@euro" → "de-DE"
std::string bcp47_of_posix(std::string v) {
    v = v.substr(0, v.find_first_of(".@"));
    if (v.empty() || v == "C" || v == "POSIX") return "en";
    for (char& c : v)
        if (c == '_') c = '-';
    return v;
}

// Whether ICU has data for the language (not just a well-formed tag).
bool known_language(const icu::Locale& loc) {
    if (loc.isBogus() || !*loc.getLanguage()) return false;
    int32_t n = 0;
    const icu::Locale* all = icu::Locale::getAvailableLocales(n);
    for (int32_t i = 0; i < n; ++i)
        if (std::string(all[i].getLanguage()) == loc.getLanguage()) return true;
    return false;
}

}  // namespace

void prepare_localisation() {
    if (!std::getenv("LANGUAGE")) setenv("LANGUAGE", "", 0);
}

std::string system_language() {
    for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"})
        if (const char* v = std::getenv(var); v && *v) return bcp47_of_posix(v);
    return "en";
}

std::string locale_dir() {
    if (const char* d = std::getenv("NK_LOCALEDIR"); d && *d) return d;
    // The first that holds our catalogues: the build tree (running uninstalled), the install
    // prefix, the Debian package's /usr.
    const char* candidates[] = {
#ifdef NK_BUILD_LOCALEDIR
        NK_BUILD_LOCALEDIR,
#endif
#ifdef NK_LOCALEDIR
        NK_LOCALEDIR,
#endif
        "/usr/share/locale"};
    for (const char* dir : candidates) {
        std::error_code ec;
        if (std::filesystem::exists(std::filesystem::path(dir) / "de/LC_MESSAGES/newsroom-kiosk.mo", ec)) return dir;
    }
    return "/usr/share/locale";
}

std::string fill(const std::string& fmt, const std::string& arg) {
    std::string out = fmt;
    if (auto p = out.find("%s"); p != std::string::npos) out.replace(p, 2, arg);
    return out;
}

struct Localizer::Impl {
    std::string lang = "en";
    icu::Locale locale;
    bool rtl = false;
    std::unique_ptr<icu::TimeZone> zone;
    std::unique_ptr<icu::DateFormat> clock, date, time, day_month, day_month_year;
    std::unique_ptr<icu::RelativeDateTimeFormatter> relative;
    std::unique_ptr<icu::NumberFormat> numbers;
    std::unique_ptr<icu::Calendar> calendar;

    std::unique_ptr<icu::DateFormat> pattern(icu::DateTimePatternGenerator* gen, const char* skeleton) const {
        UErrorCode err = U_ZERO_ERROR;
        icu::UnicodeString p = gen ? gen->getBestPattern(icu::UnicodeString(skeleton), err) : icu::UnicodeString(skeleton);
        if (U_FAILURE(err)) return nullptr;
        err = U_ZERO_ERROR;
        auto f = std::make_unique<icu::SimpleDateFormat>(p, locale, err);
        if (U_FAILURE(err)) return nullptr;
        f->setTimeZone(*zone);
        return f;
    }

    std::string format(const std::unique_ptr<icu::DateFormat>& f, int64_t t) const {
        if (!f) return {};
        icu::UnicodeString out;
        f->format(static_cast<UDate>(t) * 1000.0, out);
        return utf8(out);
    }
};

Localizer::Localizer(const std::string& lang_in, const std::string& zone_name, const std::string& hours,
                     const std::function<void(const std::string&)>& log)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    const std::string lang = lang_in.empty() ? system_language() : lang_in;
    icu::Locale loc;
    {
        UErrorCode err = U_ZERO_ERROR;
        loc = icu::Locale::forLanguageTag(lang, err);
        if (U_FAILURE(err) || !known_language(loc)) {
            if (log) log("display.language \"" + lang + "\" is not a language this system knows; using English");
            loc = icu::Locale("en");
        }
    }
    m.locale = loc;
    {
        UErrorCode err = U_ZERO_ERROR;
        std::string tag = loc.toLanguageTag<std::string>(err);
        m.lang = U_SUCCESS(err) && !tag.empty() ? tag : "en";
    }
    m.rtl = loc.isRightToLeft();
    if (!zone_name.empty()) {
        m.zone.reset(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(zone_name)));
        if (*m.zone == icu::TimeZone::getUnknown()) {
            if (log) log("display.timezone \"" + zone_name + "\" is unknown to ICU; using the system's");
            m.zone.reset();
        }
    }
    if (!m.zone) m.zone.reset(icu::TimeZone::detectHostTimeZone());

    UErrorCode err = U_ZERO_ERROR;
    std::unique_ptr<icu::DateTimePatternGenerator> gen(icu::DateTimePatternGenerator::createInstance(loc, err));
    if (U_FAILURE(err)) gen.reset();
    // "j" is the locale's preferred hour (h or H); the config may insist on one.
    const char* clock_skeleton = hours == "12" ? "hmm" : hours == "24" ? "Hmm" : "jmm";
    m.clock = m.pattern(gen.get(), clock_skeleton);
    m.time = m.pattern(gen.get(), clock_skeleton);
    m.date = m.pattern(gen.get(), "EEEEdMMMM");
    m.day_month = m.pattern(gen.get(), "dMMM");
    m.day_month_year = m.pattern(gen.get(), "yMMMd");
    err = U_ZERO_ERROR;
    m.relative = std::make_unique<icu::RelativeDateTimeFormatter>(loc, nullptr, UDAT_STYLE_SHORT,
                                                                  UDISPCTX_CAPITALIZATION_FOR_STANDALONE, err);
    if (U_FAILURE(err)) m.relative.reset();
    err = U_ZERO_ERROR;
    m.numbers.reset(icu::NumberFormat::createInstance(loc, err));
    if (U_FAILURE(err)) m.numbers.reset();
    err = U_ZERO_ERROR;
    m.calendar.reset(icu::Calendar::createInstance(m.zone->clone(), loc, err));
    if (U_FAILURE(err)) m.calendar.reset();

    // gettext: the catalogue named by $LANGUAGE ("pt_BR:pt"), with messages in a non-C locale
    // (gettext ignores $LANGUAGE under "C"; C.UTF-8 is always there in Debian's glibc).
    std::string gettext_lang = std::string(loc.getLanguage());
    if (*loc.getCountry()) gettext_lang = gettext_lang + "_" + loc.getCountry() + ":" + loc.getLanguage();
    setenv("LANGUAGE", gettext_lang.c_str(), 1);
    if (const char* cur = std::setlocale(LC_MESSAGES, nullptr); !cur || std::string(cur) == "C" || std::string(cur) == "POSIX")
        std::setlocale(LC_MESSAGES, "C.UTF-8");
    bindtextdomain(kDomain, locale_dir().c_str());
    bind_textdomain_codeset(kDomain, "UTF-8");
    ++_nl_msg_cat_cntr;
}

Localizer::~Localizer() = default;

const std::string& Localizer::language() const { return impl_->lang; }
bool Localizer::right_to_left() const { return impl_->rtl; }
std::string Localizer::clock(int64_t t) const { return impl_->format(impl_->clock, t); }
std::string Localizer::date(int64_t t) const { return impl_->format(impl_->date, t); }
std::string Localizer::time(int64_t t) const { return impl_->format(impl_->time, t); }

std::string Localizer::number(int64_t n) const {
    if (!impl_->numbers) return std::to_string(n);
    icu::UnicodeString out;
    impl_->numbers->format(static_cast<int64_t>(n), out);
    return utf8(out);
}

std::string Localizer::age(int64_t then, int64_t now) const {
    const Impl& m = *impl_;
    const int64_t d = now - then;
    if (d >= 7 * 86400 || d < -3600 || !m.relative) {
        // A date reads better than a count of days; the year only when it is not this one.
        bool same_year = false;
        if (m.calendar) {
            UErrorCode err = U_ZERO_ERROR;
            std::unique_ptr<icu::Calendar> c(m.calendar->clone());
            c->setTime(static_cast<UDate>(now) * 1000.0, err);
            const int32_t y_now = c->get(UCAL_YEAR, err);
            c->setTime(static_cast<UDate>(then) * 1000.0, err);
            same_year = U_SUCCESS(err) && c->get(UCAL_YEAR, err) == y_now;
        }
        return m.format(same_year ? m.day_month : m.day_month_year, then);
    }
    UErrorCode err = U_ZERO_ERROR;
    icu::UnicodeString out;
    if (d < 60) {
        m.relative->format(UDAT_DIRECTION_PLAIN, UDAT_ABSOLUTE_NOW, out, err);
    } else if (d < 3600) {
        m.relative->formatNumeric(-static_cast<double>(d / 60), UDAT_REL_UNIT_MINUTE, out, err);
    } else if (d < 86400) {
        m.relative->formatNumeric(-static_cast<double>(d / 3600), UDAT_REL_UNIT_HOUR, out, err);
    } else if (d < 2 * 86400) {
        m.relative->format(-1.0, UDAT_REL_UNIT_DAY, out, err);  // "yesterday", "gestern", "昨日"
    } else {
        m.relative->formatNumeric(-static_cast<double>(d / 86400), UDAT_REL_UNIT_DAY, out, err);
    }
    return U_SUCCESS(err) ? utf8(out) : std::string();
}

std::string Localizer::tr(const char* msgid) const {
    if (impl_->lang == "en" || impl_->lang.rfind("en-", 0) == 0) return msgid;
    return dgettext(kDomain, msgid);
}

std::string Localizer::trn(const char* singular, const char* plural, int64_t n) const {
    const auto un = static_cast<unsigned long>(n < 0 ? -n : n);
    const char* s = impl_->lang == "en" || impl_->lang.rfind("en-", 0) == 0 ? (un == 1 ? singular : plural)
                                                                              : dngettext(kDomain, singular, plural, un);
    return fill(s, number(n));
}

}  // namespace nk::app
