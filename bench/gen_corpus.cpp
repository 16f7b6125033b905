// SPDX-License-Identifier: Apache-2.0
// gen_corpus: writes a deterministic corpus of RSS and Atom feeds for bench/parse_bench.
// The shapes copy what real publishers emit (WordPress, news CMSs, Blogger, YouTube, RDF
// aggregators, old Netscape 0.91 feeds), with their HTML, entities, charsets and date styles,
// so the throughput measured on it says something about the feeds a kiosk will really read.
// Same arguments and seed give the same bytes on every machine: no clock, no random_device,
// no external data. Standard library only.
//
//   gen_corpus OUTDIR [--total-mb N=50] [--single-mb M=50] [--seed S=1]
//                     [--latin1-share F=0.15] [--entity-rate R=0.45] [--list]
//
// --latin1-share and --entity-rate make a corpus heavier in what costs a parser most: more
// ISO-8859-1 files (transcoded) and more character references in HTML text (R is the chance a
// sentence carries one; above 0.5 a sentence may carry several). The defaults write exactly the
// bytes earlier versions wrote.
//
// Last line of output: total bytes written (bare number), like the other bench/ programs.

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace {

// splitmix64: tiny, fast, and identical everywhere, unlike the std distributions whose output
// is implementation-defined.
class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t next() {
        uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // The modulo bias is far below anything a benchmark corpus could notice.
    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
    int range(int lo, int hi) { return lo + static_cast<int>(below(static_cast<std::size_t>(hi - lo + 1))); }
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    bool chance(double p) { return unit() < p; }
    template <class T>
    const T& pick(std::span<const T> s) { return s[below(s.size())]; }

private:
    uint64_t state_;
};

using Words = std::span<const std::string_view>;

// ---------------------------------------------------------------------------------------------
// Word lists. Small on purpose: the parser cares about byte classes (ASCII, 2-, 3- and 4-byte
// UTF-8, Latin-1), not about vocabulary.

constexpr std::string_view kEnWords[] = {
    "council", "budget", "river", "station", "market", "election", "festival", "school", "report",
    "weather", "storm", "museum", "harbour", "bridge", "vote", "police", "hospital", "minister",
    "teachers", "rail", "airport", "climate", "energy", "prices", "housing", "library", "stadium",
    "season", "record", "summit", "talks", "strike", "court", "ruling", "plans", "approves",
    "delays", "opens", "closes", "warns", "rises", "falls", "new", "local", "national", "city",
    "regional", "historic", "major", "final", "first", "after", "over", "amid", "despite", "says",
    "study", "data", "software", "update", "release", "security", "launch", "researchers", "team",
    "fans", "coach", "league", "win", "the", "the", "a", "of", "of", "in", "in", "to", "and", "for",
    "on", "with", "residents", "downtown", "tram", "flood", "heatwave", "exhibition", "concert",
    "café", "£12m", "20°C", "naïve", "rosé", "Zoë", "Beyoncé", "Pokémon"};
constexpr std::string_view kDeWords[] = {
    "Stadtrat", "Haushalt", "Brücke", "Bürgermeister", "Straßenbahn", "Überschwemmung", "Gemeinde",
    "Wählerinnen", "Verkehr", "Schüler", "Bäckerei", "größte", "Öffnungszeiten", "Müll", "Fußball",
    "Gebühren", "Übergang", "Prüfung", "Münster", "Kälte", "Hitzewelle", "Preiserhöhung",
    "Künstler", "Ausstellung", "Universität", "Bahnhof", "Gerät", "Frühling", "schließt",
    "eröffnet", "warnt", "plant", "fordert", "neue", "für", "über", "nach", "gegen", "mit", "und",
    "und", "im", "der", "die", "die", "das", "den", "wird", "ist", "Stadt", "Polizei", "Wetter",
    "Schule", "Regierung", "Landkreis", "Zuschüsse", "Maßnahmen", "Bürger", "Straße", "zurück"};
constexpr std::string_view kFrWords[] = {
    "conseil", "municipal", "élection", "budget", "théâtre", "école", "météo", "été", "hôpital",
    "préfecture", "grève", "région", "musée", "marché", "événement", "député", "réforme",
    "sécurité", "gare", "université", "festival", "équipe", "forêt", "août", "Noël", "français",
    "première", "à", "à", "où", "très", "déjà", "après", "contre", "pour", "avec", "le", "la",
    "la", "les", "des", "de", "de", "du", "et", "annonce", "prévoit", "ouvre", "fermé", "hausse",
    "baisse", "maire", "habitants", "travaux", "rentrée", "côte", "île", "cœur", "vélo", "piétons"};
constexpr std::string_view kEsWords[] = {
    "ayuntamiento", "elección", "presupuesto", "niños", "año", "España", "señal", "música",
    "técnico", "fútbol", "estación", "mañana", "según", "también", "económica", "región", "nueva",
    "país", "jóvenes", "pequeño", "río", "alcalde", "vecinos", "obras", "el", "la", "los", "las",
    "de", "de", "del", "en", "en", "y", "para", "con", "tras", "contra", "anuncia", "abre",
    "cierra", "sube", "baja", "calor", "lluvia", "museo", "puerto", "tranvía", "huelga"};
constexpr std::string_view kElWords[] = {
    "κυβέρνηση", "εκλογές", "Αθήνα", "Θεσσαλονίκη", "δήμος", "προϋπολογισμός", "σχολείο", "καιρός",
    "λιμάνι", "πολιτισμός", "μουσείο", "υπουργός", "ανακοίνωσε", "νέα", "μέτρα", "για", "την",
    "την", "του", "στην", "με", "και", "και", "το", "η", "ο", "σεισμός", "πυρκαγιά", "τουρισμός",
    "φεστιβάλ", "ομάδα", "αγώνας", "δήμαρχος", "κάτοικοι", "έργα", "μετρό", "απεργία"};
constexpr std::string_view kRuWords[] = {
    "город", "совет", "выборы", "бюджет", "школа", "погода", "музей", "театр", "министр",
    "объявил", "новые", "меры", "для", "в", "в", "на", "на", "и", "и", "с", "после", "против",
    "Москва", "Петербург", "река", "мост", "станция", "университет", "жители", "мэр", "метро",
    "фестиваль", "команда", "матч", "забастовка", "ремонт", "цены", "выставка", "зима"};
constexpr std::string_view kJaWords[] = {
    "東京", "大阪", "市議会", "予算", "選挙", "天気", "台風", "駅", "新しい", "発表", "博物館",
    "学校", "大学", "首相", "経済", "地震", "電車", "開業", "延期", "ニュース", "サッカー",
    "試合", "市民", "会議", "計画", "決定", "祭り", "が", "を", "に", "の", "の", "は", "で",
    "と", "について", "へ", "始まる", "終了", "値上げ", "コンサート", "展示会", "工事"};

constexpr std::string_view kEnNames[] = {"Jane Doe", "Mark Ellis", "Priya Natarajan",
                                         "Tom O'Brien", "Alex Kim", "Sam Rivera", "Newsdesk"};
constexpr std::string_view kDeNames[] = {"Jürgen Müller", "Anna Schäfer", "Björn Weiß",
                                         "Lena Groß", "Redaktion"};
constexpr std::string_view kFrNames[] = {"Hélène Lefèvre", "François Dupré", "Zoé Mercier",
                                         "Jérôme Bœuf", "La rédaction"};
constexpr std::string_view kEsNames[] = {"José Núñez", "María Peña", "Iñigo Cortés",
                                         "Redacción"};
constexpr std::string_view kElNames[] = {"Γιώργος Παπαδόπουλος", "Μαρία Οικονόμου",
                                         "Σύνταξη"};
constexpr std::string_view kRuNames[] = {"Иван Петров", "Ольга Смирнова", "Редакция"};
constexpr std::string_view kJaNames[] = {"山田太郎", "佐藤花子", "編集部"};

constexpr std::string_view kEnCats[] = {"News", "Local", "Politics", "Sport", "Culture",
                                        "Business", "Tech", "Weather", "Opinion", "Q&A"};
constexpr std::string_view kDeCats[] = {"Lokales", "Politik", "Sport", "Kultur", "Wirtschaft",
                                        "Größere Themen", "Verkehr"};
constexpr std::string_view kFrCats[] = {"Actualités", "Société", "Économie", "Culture", "Sports",
                                        "Météo"};
constexpr std::string_view kEsCats[] = {"Noticias", "Economía", "Política", "Cultura",
                                        "Deportes"};
constexpr std::string_view kElCats[] = {"Ειδήσεις", "Πολιτική", "Οικονομία", "Αθλητισμός"};
constexpr std::string_view kRuCats[] = {"Новости", "Политика", "Экономика", "Культура", "Спорт"};
constexpr std::string_view kJaCats[] = {"ニュース", "政治", "経済", "スポーツ", "文化"};

enum class Lang { En, De, Fr, Es, El, Ru, Ja };

struct LangInfo {
    std::string_view code;   // RSS <language>
    std::string_view tld;
    Words words;
    Words names;
    Words cats;
    std::string_view open_quote, close_quote;
    bool spaced;             // Japanese has no spaces between words
};

LangInfo info(Lang l) {
    switch (l) {
    case Lang::En: return {"en-US", "com", kEnWords, kEnNames, kEnCats, "\u201C", "\u201D", true};
    case Lang::De: return {"de-DE", "de", kDeWords, kDeNames, kDeCats, "\u201E", "\u201C", true};
    case Lang::Fr: return {"fr-FR", "fr", kFrWords, kFrNames, kFrCats, "\u00AB\u00A0", "\u00A0\u00BB", true};
    case Lang::Es: return {"es-ES", "es", kEsWords, kEsNames, kEsCats, "\u00AB", "\u00BB", true};
    case Lang::El: return {"el-GR", "gr", kElWords, kElNames, kElCats, "\u00AB", "\u00BB", true};
    case Lang::Ru: return {"ru-RU", "ru", kRuWords, kRuNames, kRuCats, "\u00AB", "\u00BB", true};
    case Lang::Ja: return {"ja-JP", "jp", kJaWords, kJaNames, kJaCats, "\u300C", "\u300D", false};
    }
    return info(Lang::En);
}

Lang pick_lang(Rng& rng, bool latin1) {
    if (latin1) {  // sites that declare Latin-1 write languages that fit in it
        constexpr Lang ls[] = {Lang::En, Lang::En, Lang::De, Lang::De, Lang::Fr, Lang::Es};
        return ls[rng.below(std::size(ls))];
    }
    // Mostly English, as in a typical kiosk feed list, but every script well represented.
    const double u = rng.unit();
    if (u < 0.45) return Lang::En;
    if (u < 0.58) return Lang::De;
    if (u < 0.70) return Lang::Fr;
    if (u < 0.78) return Lang::Es;
    if (u < 0.85) return Lang::El;
    if (u < 0.93) return Lang::Ru;
    return Lang::Ja;
}

// ---------------------------------------------------------------------------------------------
// Text, escaping and dates

void append_int(std::string& s, int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    s.append(buf, r.ptr);
}

std::string two(int v) {
    std::string s;
    if (v < 10) s += '0';
    append_int(s, v);
    return s;
}

void append_escaped(std::string& out, std::string_view s, bool attr = false) {
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"':
            if (attr) out += "&quot;";
            else out += c;
            break;
        case '\'':  // Blogger quotes its attributes with '
            if (attr) out += "&#39;";
            else out += c;
            break;
        default: out += c;
        }
    }
}

std::string esc(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    append_escaped(out, s);
    return out;
}

std::string esc_attr(std::string_view s) {
    std::string out;
    append_escaped(out, s, true);
    return out;
}

// WordPress's wptexturize stores typographic characters as numeric references, so WordPress
// titles are full of &#8217; and &#8211; rather than raw UTF-8.
std::string esc_wp(std::string_view s) {
    static constexpr std::pair<std::string_view, std::string_view> kMap[] = {
        {"\u2019", "&#8217;"}, {"\u2018", "&#8216;"}, {"\u201C", "&#8220;"},
        {"\u201D", "&#8221;"}, {"\u2013", "&#8211;"}, {"\u2014", "&#8212;"},
        {"\u2026", "&#8230;"}};
    std::string e = esc(s);
    std::string out;
    out.reserve(e.size() + 16);
    for (std::size_t i = 0; i < e.size();) {
        bool hit = false;
        for (const auto& [from, to] : kMap) {
            if (e.compare(i, from.size(), from) == 0) {
                out += to;
                i += from.size();
                hit = true;
                break;
            }
        }
        if (!hit) out += e[i++];
    }
    return out;
}

// Non-ASCII slugs are percent-encoded UTF-8, exactly as WordPress writes them into links.
std::string slugify(std::string_view title) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    bool dash = false;
    for (unsigned char c : title) {
        if (out.size() > 90 && (c < 0x80 || c >= 0xC0)) break;  // cut between characters
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            out += static_cast<char>(c);
            dash = false;
        } else if (c >= 'A' && c <= 'Z') {
            out += static_cast<char>(c - 'A' + 'a');
            dash = false;
        } else if (c >= 0x80) {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
            dash = false;
        } else if (!dash && !out.empty()) {
            out += '-';
            dash = true;
        }
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out.empty() ? std::string("post") : out;
}

struct Civil {
    int y, m, d, hh, mm, ss, wday;
};

// Howard Hinnant's days_from_civil inverse: exact, no time zone database, no locale.
Civil to_civil(int64_t t) {
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    const int64_t secs = t - days * 86400;
    Civil c{};
    c.wday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t doe = days - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    c.d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    c.m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    c.y = static_cast<int>(yoe + era * 400 + (c.m <= 2 ? 1 : 0));
    c.hh = static_cast<int>(secs / 3600);
    c.mm = static_cast<int>(secs / 60 % 60);
    c.ss = static_cast<int>(secs % 60);
    return c;
}

// The zone spellings seen in the wild; the offset is applied so every form names the same instant.
struct Zone {
    std::string_view rfc;  // "+0000", "GMT", "EST" ...
    std::string_view iso;  // "Z", "+01:00" ...
    int offset_minutes;
};
constexpr Zone kZones[] = {
    {"+0000", "+00:00", 0}, {"GMT", "Z", 0},         {"-0500", "-05:00", -300},
    {"EST", "-05:00", -300}, {"+0100", "+01:00", 60}, {"+0200", "+02:00", 120},
    {"-0800", "-08:00", -480}, {"PST", "-08:00", -480}, {"+0900", "+09:00", 540},
    {"+0300", "+03:00", 180}};

std::string rfc822(int64_t t, const Zone& z, bool pad_day) {
    static constexpr std::string_view kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const Civil c = to_civil(t + int64_t{z.offset_minutes} * 60);
    std::string s;
    s += kDays[c.wday];
    s += ", ";
    s += pad_day ? two(c.d) : std::to_string(c.d);
    s += ' ';
    s += kMonths[c.m - 1];
    s += ' ';
    append_int(s, c.y);
    s += ' ' + two(c.hh) + ':' + two(c.mm) + ':' + two(c.ss) + ' ';
    s += z.rfc;
    return s;
}

std::string iso8601(int64_t t, const Zone& z, bool millis) {
    const Civil c = to_civil(t + int64_t{z.offset_minutes} * 60);
    std::string s;
    append_int(s, c.y);
    s += '-' + two(c.m) + '-' + two(c.d) + 'T' + two(c.hh) + ':' + two(c.mm) + ':' + two(c.ss);
    if (millis) {
        s += '.';
        s += two(static_cast<int>(t % 10));
        s += '0';
    }
    s += z.iso;
    return s;
}

// Text in one language. Produces UTF-8 with typographic quotes and dashes; the feed writer
// decides later how those reach the bytes (raw, numeric references, or Latin-1/cp1252 bytes).
class Text {
public:
    Text(Rng& rng, Lang lang, double entity_rate = 0.45)
        : rng_(rng), lang_(lang), li_(info(lang)), entity_rate_(entity_rate) {}

    Lang lang() const { return lang_; }
    const LangInfo& li() const { return li_; }

    std::string words(int n) {
        std::string s;
        for (int i = 0; i < n; ++i) {
            if (i && li_.spaced) s += ' ';
            if (!li_.spaced && i && rng_.chance(0.08)) s += "\u3001";
            s += rng_.pick(li_.words);
        }
        return s;
    }

    std::string headline() {
        std::string s = words(rng_.range(4, 11));
        capitalise(s);
        const double u = rng_.unit();
        if (lang_ == Lang::En) {
            if (u < 0.15) s = "Council\u2019s " + s;
            else if (u < 0.25) s += " \u2013 " + words(2);
            else if (u < 0.33) s = std::string(li_.open_quote) + words(3) + std::string(li_.close_quote) + ": " + s;
            else if (u < 0.38) s += " & " + words(2);
            else if (u < 0.42) s += "\u2026";
        } else if (u < 0.20) {
            s = std::string(li_.open_quote) + words(2) + std::string(li_.close_quote) + " " + s;
        } else if (u < 0.30) {
            s += li_.spaced ? " \u2013 " : "\u30FB";
            s += words(2);
        }
        if (rng_.chance(0.02)) s += " (3 < 5)";  // a bare '<' in a title must be escaped
        return s;
    }

    std::string sentence() {
        std::string s = words(rng_.range(7, 20));
        capitalise(s);
        if (lang_ == Lang::En && rng_.chance(0.2)) s += " \u2014 " + words(4);
        if (rng_.chance(0.1)) s += (li_.spaced ? ", " : "\u3001") + std::string(li_.open_quote) + words(4) + std::string(li_.close_quote);
        s += li_.spaced ? "." : "\u3002";
        return s;
    }

    std::string plain_paragraph(int sentences) {
        std::string s;
        for (int i = 0; i < sentences; ++i) {
            if (i && li_.spaced) s += ' ';
            s += sentence();
        }
        return s;
    }

    // A paragraph of HTML text: inline markup plus the named and numeric references editors
    // and CMSs leave behind. Not XML-escaped yet.
    std::string html_text(int sentences, std::string_view host) {
        static constexpr std::string_view kEntities[] = {
            " &mdash; ", "&rsquo;s", "&nbsp;", "&hellip;", " caf&eacute;", " &ndash; ",
            " &#8220;quoted&#8221;", "&#x2019;", " &#233;t&#233;", " &laquo;ici&raquo;",
            " &euro;12", " &copy; 2024", " &amp; ", "&#160;"};
        std::string s;
        for (int i = 0; i < sentences; ++i) {
            if (i && li_.spaced) s += ' ';
            std::string sen = sentence();
            if (rng_.chance(entity_rate_)) {
                // Put the reference before the final stop so the sentence still reads as one.
                const std::size_t stop = sen.size() - (li_.spaced ? 1 : 3);
                sen.insert(stop, rng_.pick(std::span<const std::string_view>(kEntities)));
                // Entity-heavy corpora: more in the same sentence (the default draws nothing more).
                // (Always at a character boundary: before the final stop, or after the first space.)
                while (entity_rate_ > 0.5 && rng_.chance(entity_rate_ - 0.5)) {
                    const std::size_t at = rng_.below(2) ? sen.size() - (li_.spaced ? 1 : 3) : sen.find(' ') + 1;
                    sen.insert(at, rng_.pick(std::span<const std::string_view>(kEntities)));
                }
            }
            const double u = rng_.unit();
            if (u < 0.12) s += "<strong>" + sen + "</strong>";
            else if (u < 0.20) s += "<em>" + sen + "</em>";
            else if (u < 0.32) {
                s += "<a href=\"https://";
                s += host;
                s += "/tag/" + slugify(words(2)) + "/\" target=\"_blank\" rel=\"noopener\">" + sen + "</a>";
            } else s += sen;
        }
        return s;
    }

    // An article body of about `budget` bytes, in the shape WordPress and news CMSs store.
    std::string html_body(std::size_t budget, std::string_view host, int64_t t, bool allow_active) {
        std::string s;
        while (s.size() < budget) {
            const double u = rng_.unit();
            if (u < 0.55 || s.empty()) {
                s += "<p>" + html_text(rng_.range(1, 5), host) + "</p>\n";
            } else if (u < 0.63) {
                s += "<h2 class=\"wp-block-heading\">" + headline() + "</h2>\n";
            } else if (u < 0.70) {
                s += "<ul>\n";
                for (int i = rng_.range(2, 5); i > 0; --i) s += "<li>" + html_text(1, host) + "</li>\n";
                s += "</ul>\n";
            } else if (u < 0.80) {
                s += image_figure(host, t);
            } else if (u < 0.86) {
                s += "<blockquote class=\"wp-block-quote\"><p>" + html_text(2, host) +
                     "</p><cite>" + std::string(rng_.pick(li_.names)) + "</cite></blockquote>\n";
            } else if (u < 0.90) {
                s += "<figure class=\"wp-block-embed is-type-video\"><div class=\"wp-block-embed__wrapper\">"
                     "<iframe loading=\"lazy\" title=\"" + headline() +
                     "\" width=\"640\" height=\"360\" src=\"https://www.youtube.com/embed/" + video_id() +
                     "?feature=oembed\" frameborder=\"0\" allow=\"accelerometer; autoplay; "
                     "clipboard-write; encrypted-media\" allowfullscreen></iframe></div></figure>\n";
            } else if (u < 0.94 && allow_active) {
                // Embedded posts drag their loader script into the feed; a parser must skip it.
                s += "<blockquote class=\"twitter-tweet\"><p lang=\"" + std::string(li_.code.substr(0, 2)) +
                     "\" dir=\"ltr\">" + html_text(1, host) + "</p>&mdash; " +
                     std::string(rng_.pick(li_.names)) + " (@newsdesk) <a href=\"https://twitter.com/newsdesk/status/" +
                     std::to_string(rng_.next() % 10000000000000000000ull) + "\">" + rfc_day(t) +
                     "</a></blockquote>\n<script async src=\"https://platform.twitter.com/widgets.js\" "
                     "charset=\"utf-8\"></script>\n";
            } else if (u < 0.96 && allow_active) {
                s += "<script type=\"text/javascript\">\nwindow.dataLayer = window.dataLayer || [];\n"
                     "function gtag(){dataLayer.push(arguments);}\nif (window.innerWidth < 600 && "
                     "document.body) { gtag('event', 'amp_view', {'id': " +
                     std::to_string(rng_.below(100000)) + "}); }\n</script>\n";
            } else if (u < 0.98 && allow_active) {
                s += "<style>\n.wp-block-image figcaption{color:#555;font-size:13px}\n"
                     ".entry-content > p:first-child::first-letter{float:left;font-size:3em}\n"
                     "</style>\n";
            } else {
                s += "<hr />\n<p><small>" + html_text(1, host) + "</small></p>\n";
            }
        }
        return s;
    }

    std::string image_url(std::string_view host, int64_t t) {
        const Civil c = to_civil(t);
        std::string u = "https://";
        u += host;
        u += "/wp-content/uploads/";
        append_int(u, c.y);
        u += '/' + two(c.m) + '/' + slugify(words(3)) + "-" + std::to_string(rng_.below(100000)) +
             (rng_.chance(0.8) ? ".jpg" : ".png");
        return u;
    }

    std::string image_figure(std::string_view host, int64_t t) {
        const std::string url = image_url(host, t);
        const int w = rng_.range(6, 16) * 100;
        const int h = w * 2 / 3;
        std::string stem = url.substr(0, url.size() - 4), ext = url.substr(url.size() - 4);
        return "<figure class=\"wp-block-image size-large\"><img decoding=\"async\" width=\"" +
               std::to_string(w) + "\" height=\"" + std::to_string(h) + "\" src=\"" + url +
               "\" alt=\"" + words(3) + "\" class=\"wp-image-" + std::to_string(rng_.below(90000)) +
               "\" srcset=\"" + url + " " + std::to_string(w) + "w, " + stem + "-300x200" + ext +
               " 300w, " + stem + "-768x512" + ext + " 768w\" sizes=\"(max-width: " +
               std::to_string(w) + "px) 100vw, " + std::to_string(w) + "px\" /><figcaption>" +
               html_text(1, host) + "</figcaption></figure>\n";
    }

    std::string video_id() {
        static constexpr char kB64[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        std::string id;
        for (int i = 0; i < 11; ++i) id += kB64[rng_.below(64)];
        return id;
    }

private:
    void capitalise(std::string& s) {
        if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
    }
    std::string rfc_day(int64_t t) {
        static constexpr std::string_view kMonths[] = {"January", "February", "March", "April",
                                                       "May", "June", "July", "August",
                                                       "September", "October", "November",
                                                       "December"};
        const Civil c = to_civil(t);
        return std::string(kMonths[c.m - 1]) + " " + std::to_string(c.d) + ", " + std::to_string(c.y);
    }

    Rng& rng_;
    Lang lang_;
    LangInfo li_;
    double entity_rate_;
};

// UTF-8 -> ISO-8859-1 as sites that declare it actually write it: typographic quotes and dashes
// come out as their windows-1252 bytes (0x93/0x94...), which is why browsers and our parser read
// the label as windows-1252. Anything else outside Latin-1 becomes a numeric reference, valid in
// text, attributes and (as HTML) inside CDATA.
std::string to_latin1(std::string_view u) {
    std::string out;
    out.reserve(u.size());
    for (std::size_t i = 0; i < u.size();) {
        const auto b = static_cast<unsigned char>(u[i]);
        uint32_t cp;
        std::size_t len;
        if (b < 0x80) { cp = b; len = 1; }
        else if ((b >> 5) == 6) { cp = b & 0x1Fu; len = 2; }
        else if ((b >> 4) == 14) { cp = b & 0x0Fu; len = 3; }
        else { cp = b & 0x07u; len = 4; }
        for (std::size_t k = 1; k < len && i + k < u.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(u[i + k]) & 0x3Fu);
        i += len;
        switch (cp) {
        case 0x201C: out += '\x93'; continue;
        case 0x201D: out += '\x94'; continue;
        case 0x2018: out += '\x91'; continue;
        case 0x2019: out += '\x92'; continue;
        case 0x2013: out += '\x96'; continue;
        case 0x2014: out += '\x97'; continue;
        case 0x2026: out += '\x85'; continue;
        case 0x201E: out += '\x84'; continue;
        case 0x0153: out += '\x9C'; continue;
        default: break;
        }
        if (cp <= 0xFF) {
            out += static_cast<char>(cp);
        } else {
            out += "&#";
            append_int(out, cp);
            out += ';';
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Feed writers. Each builds one document in UTF-8 of about `target` bytes.

enum class Kind { Rss2Wp, Rss2News, AtomBlogger, AtomYouTube, Rdf, Rss091 };

std::string_view kind_name(Kind k) {
    switch (k) {
    case Kind::Rss2Wp: return "rss2-wp";
    case Kind::Rss2News: return "rss2-news";
    case Kind::AtomBlogger: return "atom-blogger";
    case Kind::AtomYouTube: return "atom-youtube";
    case Kind::Rdf: return "rdf";
    case Kind::Rss091: return "rss091";
    }
    return "?";
}

struct Spec {
    Kind kind = Kind::Rss2Wp;
    Lang lang = Lang::En;
    bool latin1 = false;
    bool bom = false;
    std::size_t target = 0;
    int64_t newest = 0;
    std::size_t planned_items = 20;
    std::size_t item_budget_max = 0;  // 0: derived from target / planned_items
    bool mixed_languages = false;     // aggregator: some items in other languages
    double entity_rate = 0.45;        // chance that an HTML sentence carries a character reference
};

class FeedWriter {
public:
    FeedWriter(Rng& rng, const Spec& spec)
        : rng_(rng), spec_(spec), text_(rng, spec.lang, spec.entity_rate),
          zone_(kZones[rng.below(std::size(kZones))]), pad_day_(rng.chance(0.85)) {
        std::string a(rng.pick(std::span<const std::string_view>(kEnWords)));
        std::string b(rng.pick(std::span<const std::string_view>(kEnWords)));
        host_ = "www." + a + "-" + b + "-" + std::to_string(rng.below(1000)) + ".example." +
                std::string(text_.li().tld);
        site_title_ = text_.headline();
        t_ = spec.newest;
    }

    std::string write() {
        switch (spec_.kind) {
        case Kind::Rss2Wp:
        case Kind::Rss2News: return rss2();
        case Kind::AtomBlogger: return atom_blogger();
        case Kind::AtomYouTube: return atom_youtube();
        case Kind::Rdf: return rdf();
        case Kind::Rss091: return rss091();
        }
        return {};
    }

    std::size_t items() const { return items_; }

private:
    std::string xml_decl() const {
        std::string s = spec_.bom ? "\xEF\xBB\xBF" : "";
        if (!spec_.latin1) {
            s += spec_.kind == Kind::AtomBlogger ? "<?xml version='1.0' encoding='UTF-8'?>"
                                                 : "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
            return s;
        }
        static constexpr std::string_view kDecls[] = {
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n",
            "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n",
            "<?xml version='1.0' encoding='ISO-8859-1' ?>\n"};
        s += kDecls[rng_.below(std::size(kDecls))];
        return s;
    }

    // Items come newest first, minutes to days apart, as a busy or a quiet site posts them.
    int64_t next_time() {
        const int64_t t = t_;
        t_ -= 300 + static_cast<int64_t>(rng_.below(spec_.kind == Kind::Rss2News ? 7200 : 172800));
        return t;
    }

    std::size_t item_budget() {
        std::size_t base = spec_.item_budget_max;
        if (base == 0) base = spec_.target / std::max<std::size_t>(spec_.planned_items, 1);
        const double jitter = 0.5 + rng_.unit();
        return std::max<std::size_t>(200, static_cast<std::size_t>(static_cast<double>(base) * jitter));
    }

    Text item_text() {
        if (spec_.mixed_languages && rng_.chance(0.15)) return Text(rng_, pick_lang(rng_, spec_.latin1), spec_.entity_rate);
        return text_;
    }

    // Appends items until the next one would overshoot the target (at least one item).
    // The floor keeps even a one-item feed (and its Latin-1 form, a little shorter) above 5 KB.
    static constexpr std::size_t kMinBytes = 5 * 1024 + 400;
    bool full(std::size_t projected, std::size_t now) const {
        return items_ > 0 && projected > spec_.target && now >= kMinBytes;
    }

    template <class F>
    void fill(std::string& doc, std::size_t footer, F&& make_item) {
        for (;;) {
            std::string item = make_item();
            if (full(doc.size() + item.size() + footer, doc.size() + footer)) break;
            doc += item;
            ++items_;
        }
    }

    std::string rss2() {
        const bool wp = spec_.kind == Kind::Rss2Wp;
        const bool podcast = wp && rng_.chance(0.2);
        const bool media = rng_.chance(wp ? 0.5 : 0.9);
        std::string d = xml_decl();
        d += "<rss version=\"2.0\"\n\txmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n"
             "\txmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"\n"
             "\txmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
             "\txmlns:atom=\"http://www.w3.org/2005/Atom\"\n"
             "\txmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\"\n"
             "\txmlns:slash=\"http://purl.org/rss/1.0/modules/slash/\"\n"
             "\txmlns:media=\"http://search.yahoo.com/mrss/\"\n\t>\n\n<channel>\n";
        d += "\t<title>" + title(site_title_) + "</title>\n";
        d += "\t<atom:link href=\"https://" + host_ + "/feed/\" rel=\"self\" type=\"application/rss+xml\" />\n";
        d += "\t<link>https://" + host_ + "</link>\n";
        d += "\t<description>" + title(text_.sentence()) + "</description>\n";
        d += "\t<lastBuildDate>" + rfc822(spec_.newest, zone_, pad_day_) + "</lastBuildDate>\n";
        d += "\t<language>" + std::string(text_.li().code) + "</language>\n";
        if (wp) {
            d += "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n\t<sy:updateFrequency>\n\t1\t"
                 "</sy:updateFrequency>\n\t<generator>https://wordpress.org/?v=6.4.3</generator>\n";
            d += "\n<image>\n\t<url>https://" + host_ +
                 "/wp-content/uploads/2020/01/cropped-icon-32x32.png</url>\n\t<title>" +
                 title(site_title_) + "</title>\n\t<link>https://" + host_ +
                 "</link>\n\t<width>32</width>\n\t<height>32</height>\n</image> \n";
        } else {
            d += "\t<ttl>" + std::to_string(rng_.range(1, 6) * 5) + "</ttl>\n";
            d += "\t<copyright>&#169; " + title(site_title_) + "</copyright>\n";
        }
        const std::string footer = "\t</channel>\n</rss>\n";
        fill(d, footer.size(), [&] {
            Text tx = item_text();
            return rss2_item(tx, wp, podcast, media);
        });
        d += footer;
        return d;
    }

    std::string rss2_item(Text& tx, bool wp, bool podcast, bool media) {
        const int64_t t = next_time();
        const std::size_t budget = item_budget();
        const std::string head = tx.headline();
        const Civil c = to_civil(t);
        std::string link = "https://" + host_ + "/";
        append_int(link, c.y);
        link += "/" + two(c.m) + "/" + two(c.d) + "/" + slugify(head) + "/";
        const auto post_id = rng_.below(900000) + 1000;
        std::string s = "\t<item>\n\t\t<title>" + title(head) + "</title>\n\t\t<link>" + esc(link) + "</link>\n";
        if (wp) s += "\t\t<comments>" + esc(link) + "#respond</comments>\n";
        const std::string author(rng_.pick(tx.li().names));
        s += wp ? "\t\t<dc:creator><![CDATA[" + author + "]]></dc:creator>\n"
                : "\t\t<dc:creator>" + esc(author) + "</dc:creator>\n";
        s += "\t\t<pubDate>" + rfc822(t, zone_, pad_day_) + "</pubDate>\n";
        for (int i = rng_.range(wp ? 1 : 0, 4); i > 0; --i) {
            const std::string cat(rng_.pick(tx.li().cats));
            s += wp ? "\t\t<category><![CDATA[" + cat + "]]></category>\n"
                    : "\t\t<category>" + esc(cat) + "</category>\n";
        }
        if (wp) s += "\t\t<guid isPermaLink=\"false\">https://" + host_ + "/?p=" + std::to_string(post_id) + "</guid>\n";
        else s += "\t\t<guid isPermaLink=\"true\">" + esc(link) + "</guid>\n";

        if (wp) {
            const bool full = budget > 1200;
            // The excerpt WordPress builds: first words, [&#8230;], then the "appeared first" line.
            std::string excerpt = "<p>" + tx.html_text(rng_.range(1, 3), host_) + " [&#8230;]</p>\n<p>The post <a rel=\"nofollow\" href=\"" +
                                  link + "\">" + esc_wp(head) + "</a> appeared first on <a rel=\"nofollow\" href=\"https://" +
                                  host_ + "\">" + esc_wp(site_title_) + "</a>.</p>\n";
            s += "\t\t<description><![CDATA[" + excerpt + "]]></description>\n";
            if (full)
                s += "\t\t\t\t\t\t\t\t\t\t<content:encoded><![CDATA[" +
                     tx.html_body(budget - std::min<std::size_t>(budget, 1000), host_, t, true) +
                     "]]></content:encoded>\n";
            s += "\t\t\t\t\t<wfw:commentRss>" + esc(link) + "feed/</wfw:commentRss>\n\t\t<slash:comments>" +
                 std::to_string(rng_.below(40)) + "</slash:comments>\n";
        } else {
            // News CMSs escape their HTML instead of using CDATA.
            const std::size_t want = budget > 800 ? budget - 600 : 200;
            std::string html = tx.html_body(want, host_, t, rng_.chance(0.3));
            s += "\t\t<description>" + esc(html) + "</description>\n";
        }
        if (media) {
            const std::string img = tx.image_url(host_, t);
            s += "\t\t<media:content url=\"" + esc_attr(img) + "\" medium=\"image\" width=\"1200\" height=\"800\">\n"
                 "\t\t\t<media:title type=\"html\">" + esc(esc_wp(tx.headline())) + "</media:title>\n"
                 "\t\t\t<media:credit>" + esc(std::string(rng_.pick(tx.li().names))) + "</media:credit>\n"
                 "\t\t</media:content>\n";
            if (!wp)
                s += "\t\t<media:thumbnail url=\"" + esc_attr(img.substr(0, img.size() - 4)) +
                     "-150x150.jpg\" width=\"150\" height=\"150\" />\n";
        }
        if (podcast) {
            s += "\t\t<enclosure url=\"https://media." + host_ + "/episodes/" + std::to_string(post_id) +
                 ".mp3\" length=\"" + std::to_string(rng_.below(90000000) + 1000000) + "\" type=\"audio/mpeg\" />\n";
        } else if (!wp && rng_.chance(0.5)) {
            s += "\t\t<enclosure url=\"" + esc_attr(tx.image_url(host_, t)) + "\" length=\"" +
                 std::to_string(rng_.below(900000) + 10000) + "\" type=\"image/jpeg\" />\n";
        }
        s += "\t</item>\n";
        return s;
    }

    std::string atom_blogger() {
        const std::string blog_id = std::to_string(rng_.next() % 9000000000000000000ull);
        std::string d = xml_decl();
        d += "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' "
             "xmlns:blogger='http://schemas.google.com/blogger/2008' xmlns:georss='http://www.georss.org/georss' "
             "xmlns:gd=\"http://schemas.google.com/g/2005\" xmlns:thr='http://purl.org/syndication/thread/1.0' "
             "xmlns:media='http://search.yahoo.com/mrss/'>";
        d += "<id>tag:blogger.com,1999:blog-" + blog_id + "</id><updated>" + iso8601(spec_.newest, zone_, true) + "</updated>";
        for (int i = rng_.range(2, 6); i > 0; --i)
            d += "<category term=\"" + esc_attr(std::string(rng_.pick(text_.li().cats))) + "\"/>";
        d += "<title type='text'>" + esc(site_title_) + "</title><subtitle type='html'>" +
             esc("<b>" + text_.sentence() + "</b>") + "</subtitle>";
        d += "<link rel='http://schemas.google.com/g/2005#feed' type='application/atom+xml' href='https://" + host_ +
             "/feeds/posts/default'/><link rel='self' type='application/atom+xml' href='https://www.blogger.com/feeds/" +
             blog_id + "/posts/default'/><link rel='alternate' type='text/html' href='https://" + host_ + "/'/>";
        d += author_block(text_) + "<generator version='7.00' uri='http://www.blogger.com'>Blogger</generator>"
             "<openSearch:totalResults>" + std::to_string(rng_.range(25, 900)) +
             "</openSearch:totalResults><openSearch:startIndex>1</openSearch:startIndex>"
             "<openSearch:itemsPerPage>25</openSearch:itemsPerPage>";
        const std::string footer = "</feed>";
        fill(d, footer.size(), [&] {
            const int64_t t = next_time();
            const std::size_t budget = item_budget();
            const std::string head = text_.headline();
            const Civil c = to_civil(t);
            const std::string post = std::to_string(rng_.next() % 9000000000000000000ull);
            std::string link = "https://" + host_ + "/";
            append_int(link, c.y);
            link += "/" + two(c.m) + "/" + slugify(head).substr(0, 40) + ".html";
            std::string e = "<entry><id>tag:blogger.com,1999:blog-" + blog_id + ".post-" + post + "</id><published>" +
                            iso8601(t, zone_, true) + "</published><updated>" +
                            iso8601(t + static_cast<int64_t>(rng_.below(86400)), zone_, true) + "</updated>";
            for (int i = rng_.range(0, 3); i > 0; --i)
                e += "<category scheme='http://www.blogger.com/atom/ns#' term='" +
                     esc_attr(std::string(rng_.pick(text_.li().cats))) + "'/>";
            e += "<title type='text'>" + esc(head) + "</title>";
            e += "<summary type=\"html\">" + esc("<p>" + text_.html_text(rng_.range(1, 3), host_) + "</p>") + "</summary>";
            if (budget > 1200)
                e += "<content type='html'>" + esc(text_.html_body(budget - 800, host_, t, true)) + "</content>";
            e += "<link rel='replies' type='application/atom+xml' href='https://" + host_ + "/feeds/" + post +
                 "/comments/default' title='Post Comments'/><link rel='replies' type='text/html' href='" + esc_attr(link) +
                 "#comment-form' title='" + std::to_string(rng_.below(30)) + " Comments'/><link rel='edit' "
                 "type='application/atom+xml' href='https://www.blogger.com/feeds/" + blog_id + "/posts/default/" + post +
                 "'/><link rel='alternate' type='text/html' href='" + esc_attr(link) + "' title='" + esc_attr(head) + "'/>";
            e += author_block(text_);
            if (rng_.chance(0.7))
                e += "<media:thumbnail xmlns:media='http://search.yahoo.com/mrss/' url='https://blogger.googleusercontent.com/img/b/R29v/s72-c/" +
                     text_.video_id() + ".jpg' height='72' width='72'/>";
            e += "<thr:total>" + std::to_string(rng_.below(30)) + "</thr:total></entry>";
            return e;
        });
        d += footer;
        return d;
    }

    std::string author_block(Text& tx) {
        return "<author><name>" + esc(std::string(rng_.pick(tx.li().names))) +
               "</name><uri>https://www.blogger.com/profile/" + std::to_string(rng_.next() % 100000000000000000ull) +
               "</uri><email>noreply@blogger.com</email><gd:image rel='http://schemas.google.com/g/2005#thumbnail' "
               "width='16' height='16' src='https://img1.blogblog.com/img/b16-rounded.gif'/></author>";
    }

    std::string atom_youtube() {
        std::string channel = "UC";
        for (int i = 0; i < 2; ++i) channel += text_.video_id();
        channel.resize(24);
        std::string d = xml_decl();
        d += "<feed xmlns:yt=\"http://www.youtube.com/xml/schemas/2015\" xmlns:media=\"http://search.yahoo.com/mrss/\" "
             "xmlns=\"http://www.w3.org/2005/Atom\">\n";
        d += " <link rel=\"self\" href=\"http://www.youtube.com/feeds/videos.xml?channel_id=" + channel + "\"/>\n";
        d += " <id>yt:channel:" + channel + "</id>\n <yt:channelId>" + channel + "</yt:channelId>\n";
        d += " <title>" + esc(site_title_) + "</title>\n <link rel=\"alternate\" href=\"https://www.youtube.com/channel/" +
             channel + "\"/>\n";
        d += " <author>\n  <name>" + esc(site_title_) + "</name>\n  <uri>https://www.youtube.com/channel/" + channel +
             "</uri>\n </author>\n <published>" + iso8601(spec_.newest - 300000000, kZones[0], false) + "</published>\n";
        const std::string footer = "</feed>";
        fill(d, footer.size(), [&] {
            const int64_t t = next_time();
            const std::string vid = text_.video_id();
            std::string head = text_.headline();
            if (rng_.chance(0.2)) head += rng_.chance(0.5) ? " \U0001F525" : " \U0001F389\U0001F3B6";
            // Video descriptions are plain text with line breaks, links and the odd emoji.
            std::string desc;
            const std::size_t budget = item_budget();
            const std::size_t want = budget > 1600 ? budget - 1400 : 100;
            while (desc.size() < want) {
                desc += text_.plain_paragraph(rng_.range(1, 3));
                desc += rng_.chance(0.3) ? "\n\u25B6 https://" + host_ + "/" + slugify(text_.words(2)) + "\n\n" : "\n\n";
            }
            std::string e = " <entry>\n  <id>yt:video:" + vid + "</id>\n  <yt:videoId>" + vid + "</yt:videoId>\n  <yt:channelId>" +
                            channel + "</yt:channelId>\n  <title>" + esc(head) + "</title>\n  <link rel=\"alternate\" "
                            "href=\"https://www.youtube.com/watch?v=" + vid + "\"/>\n  <author>\n   <name>" + esc(site_title_) +
                            "</name>\n   <uri>https://www.youtube.com/channel/" + channel + "</uri>\n  </author>\n  <published>" +
                            iso8601(t, kZones[0], false) + "</published>\n  <updated>" +
                            iso8601(t + static_cast<int64_t>(rng_.below(400000)), kZones[0], false) + "</updated>\n";
            e += "  <media:group>\n   <media:title>" + esc(head) + "</media:title>\n   <media:content url=\"https://www.youtube.com/v/" +
                 vid + "?version=3\" type=\"application/x-shockwave-flash\" width=\"640\" height=\"390\"/>\n"
                 "   <media:thumbnail url=\"https://i" + std::to_string(rng_.range(1, 4)) + ".ytimg.com/vi/" + vid +
                 "/hqdefault.jpg\" width=\"480\" height=\"360\"/>\n   <media:description>" + esc(desc) +
                 "</media:description>\n   <media:community>\n    <media:starRating count=\"" +
                 std::to_string(rng_.below(50000)) + "\" average=\"5.00\" min=\"1\" max=\"5\"/>\n    <media:statistics views=\"" +
                 std::to_string(rng_.below(5000000)) + "\"/>\n   </media:community>\n  </media:group>\n </entry>\n";
            return e;
        });
        d += footer;
        return d;
    }

    std::string rdf() {
        // rdf:Seq lists every item before the items themselves, so items are made first and
        // the document is assembled around them.
        std::string head = xml_decl();
        head += "<rdf:RDF\n xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"\n xmlns=\"http://purl.org/rss/1.0/\"\n"
                " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n xmlns:syn=\"http://purl.org/rss/1.0/modules/syndication/\"\n"
                " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n xmlns:admin=\"http://webns.net/mvcb/\"\n>\n\n";
        head += "<channel rdf:about=\"https://" + host_ + "/\">\n<title>" + esc(site_title_) + "</title>\n<link>https://" + host_ +
                "/</link>\n<description>" + esc(text_.sentence()) + "</description>\n<dc:language>" +
                std::string(text_.li().code) + "</dc:language>\n<dc:rights>Copyright " + esc(site_title_) +
                "</dc:rights>\n<dc:date>" + iso8601(spec_.newest, zone_, false) + "</dc:date>\n<dc:publisher>" +
                esc(site_title_) + "</dc:publisher>\n<syn:updatePeriod>hourly</syn:updatePeriod>\n"
                "<syn:updateFrequency>1</syn:updateFrequency>\n<syn:updateBase>1970-01-01T00:00+00:00</syn:updateBase>\n"
                "<items>\n <rdf:Seq>\n";
        const std::string mid = " </rdf:Seq>\n</items>\n<image rdf:resource=\"https://" + host_ + "/logo.png\" />\n</channel>\n\n"
                                "<image rdf:about=\"https://" + host_ + "/logo.png\">\n<title>" + esc(site_title_) +
                                "</title>\n<url>https://" + host_ + "/logo.png</url>\n<link>https://" + host_ +
                                "/</link>\n</image>\n\n";
        const std::string footer = "</rdf:RDF>\n";
        std::string seq, body;
        const bool escaped_html = rng_.chance(0.6);
        const bool content = rng_.chance(0.3);
        for (;;) {
            const int64_t t = next_time();
            const std::size_t budget = item_budget();
            const std::string headline = text_.headline();
            const std::string link = "https://" + host_ + "/story/" + std::to_string(rng_.below(10000000)) + "/" + slugify(headline);
            const std::string li = "  <rdf:li rdf:resource=\"" + esc_attr(link) + "\" />\n";
            std::string e = "<item rdf:about=\"" + esc_attr(link) + "\">\n<title>" + esc(headline) + "</title>\n<link>" + esc(link) + "</link>\n";
            const std::size_t want = budget > 700 ? budget - 500 : 150;
            if (escaped_html) {
                e += "<description>" + esc(text_.html_body(content ? want / 3 : want, host_, t, false)) + "</description>\n";
            } else {
                std::string p;
                while (p.size() < (content ? want / 3 : want)) p += (p.empty() ? "" : " ") + text_.plain_paragraph(2);
                e += "<description>" + esc(p) + "</description>\n";
            }
            if (content)
                e += "<content:encoded><![CDATA[" + text_.html_body(want * 2 / 3, host_, t, true) + "]]></content:encoded>\n";
            e += "<dc:creator>" + esc(std::string(rng_.pick(text_.li().names))) + "</dc:creator>\n<dc:subject>" +
                 esc(std::string(rng_.pick(text_.li().cats))) + "</dc:subject>\n<dc:date>" +
                 iso8601(t, zone_, false) + "</dc:date>\n</item>\n";
            const std::size_t now = head.size() + seq.size() + mid.size() + body.size() + footer.size();
            if (full(now + li.size() + e.size(), now)) break;
            seq += li;
            body += e;
            ++items_;
        }
        return head + seq + mid + body + footer;
    }

    std::string rss091() {
        // The Netscape DTD declares the HTML entities, so 0.91 feeds use &eacute; and friends
        // raw, in plain XML text. Non-validating parsers (tinyxml2, libxml2 without the DTD)
        // do not know them; xmllint reports "Entity 'eacute' not defined" and still exits 0.
        static constexpr std::string_view kRaw[] = {" &eacute;dition", " &mdash; ", "&hellip;", "&nbsp;",
                                                    "&rsquo;", " &uuml;ber", " &copy;"};
        auto sprinkle = [&](std::string s) {
            if (rng_.chance(spec_.entity_rate > 0.5 ? spec_.entity_rate : 0.5)) s += rng_.pick(std::span<const std::string_view>(kRaw));
            return s;
        };
        std::string d = xml_decl();
        d += "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\"\n"
             "            \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n<rss version=\"0.91\">\n<channel>\n";
        d += "<title>" + sprinkle(esc(site_title_)) + "</title>\n<link>http://" + host_ + "/</link>\n<description>" +
             esc(text_.sentence()) + "</description>\n<language>" + std::string(text_.li().code) + "</language>\n"
             "<copyright>Copyright 2001-2024 " + esc(site_title_) + "</copyright>\n<managingEditor>editor@" + host_ +
             "</managingEditor>\n<webMaster>webmaster@" + host_ + "</webMaster>\n<pubDate>" +
             rfc822(spec_.newest, zone_, pad_day_) + "</pubDate>\n<lastBuildDate>" + rfc822(spec_.newest, zone_, pad_day_) +
             "</lastBuildDate>\n<image>\n<title>" + esc(site_title_) + "</title>\n<url>http://" + host_ +
             "/images/button.gif</url>\n<link>http://" + host_ + "/</link>\n<width>88</width>\n<height>31</height>\n</image>\n";
        const std::string footer = "</channel>\n</rss>\n";
        fill(d, footer.size(), [&] {
            const std::size_t want = std::min<std::size_t>(item_budget(), 2000);
            std::string desc;
            while (desc.size() < want) desc += (desc.empty() ? "" : " ") + text_.plain_paragraph(2);
            return "<item>\n<title>" + sprinkle(esc(text_.headline())) + "</title>\n<link>http://" + host_ +
                   "/cgi-bin/story.pl?id=" + std::to_string(rng_.below(1000000)) + "&amp;sec=news</link>\n<description>" +
                   sprinkle(esc(desc)) + "</description>\n</item>\n";
        });
        d += footer;
        return d;
    }

    std::string title(const std::string& s) const { return spec_.kind == Kind::Rss2Wp ? esc_wp(s) : esc(s); }

    Rng& rng_;
    Spec spec_;
    Text text_;
    Zone zone_;
    bool pad_day_;
    std::string host_;
    std::string site_title_;
    int64_t t_ = 0;
    std::size_t items_ = 0;
};

// ---------------------------------------------------------------------------------------------

[[noreturn]] void usage(const char* msg = nullptr) {
    if (msg) std::cerr << "gen_corpus: " << msg << "\n";
    std::cerr << "usage: gen_corpus OUTDIR [--total-mb N=50] [--single-mb M=50] [--seed S=1]\n"
                 "                  [--latin1-share F=0.15] [--entity-rate R=0.45] [--list]\n"
                 "Writes NNNN-<kind>.xml feeds totalling about N MB plus single-big.xml (M MB, 0 = none).\n"
                 "F: share of ISO-8859-1 feeds (0..1); R: chance an HTML sentence carries a character\n"
                 "reference (0..1; above 0.5, several).\n"
                 "Files a previous run wrote to OUTDIR are removed first; nothing else is touched.\n";
    std::exit(2);
}

double parse_share(std::string_view flag, const char* s) {
    double v = -1;
    const std::string_view sv(s);
    auto r = std::from_chars(sv.data(), sv.data() + sv.size(), v);
    if (r.ec != std::errc() || r.ptr != sv.data() + sv.size() || !(v >= 0 && v <= 1))
        usage((std::string(flag) + " wants a number from 0 to 1").c_str());
    return v;
}

uint64_t parse_number(std::string_view flag, const char* s) {
    uint64_t v = 0;
    const std::string_view sv(s);
    auto r = std::from_chars(sv.data(), sv.data() + sv.size(), v);
    if (r.ec != std::errc() || r.ptr != sv.data() + sv.size()) usage((std::string(flag) + " wants a number").c_str());
    return v;
}

bool write_file(const fs::path& p, const std::string& bytes) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(f);
}

// Sizes like real feeds: most are tens of kilobytes, a long tail reaches 500 KB.
std::size_t draw_size(Rng& rng) {
    const double lo = 5.0 * 1024, hi = 500.0 * 1024;
    const double u = std::pow(rng.unit(), 1.3);
    return static_cast<std::size_t>(lo * std::pow(hi / lo, u));
}

Kind draw_kind(Rng& rng, bool latin1) {
    const double u = rng.unit();
    if (latin1) return u < 0.72 ? (u < 0.45 ? Kind::Rss2Wp : Kind::Rss2News) : (u < 0.9 ? Kind::Rdf : Kind::Rss091);
    if (u < 0.32) return Kind::Rss2Wp;
    if (u < 0.52) return Kind::Rss2News;
    if (u < 0.72) return Kind::AtomBlogger;
    if (u < 0.85) return Kind::AtomYouTube;
    if (u < 0.96) return Kind::Rdf;
    return Kind::Rss091;
}

std::size_t planned_items(Rng& rng, Kind k) {
    switch (k) {
    case Kind::Rss2Wp: return rng.chance(0.7) ? 10 : 20;
    case Kind::Rss2News: return static_cast<std::size_t>(rng.range(20, 60));
    case Kind::AtomBlogger: return 25;
    case Kind::AtomYouTube: return 15;
    case Kind::Rdf: return static_cast<std::size_t>(rng.range(15, 40));
    case Kind::Rss091: return 15;
    }
    return 20;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) usage();
    fs::path out;
    uint64_t total_mb = 50, single_mb = 50, seed = 1;
    double latin1_share = 0.15, entity_rate = 0.45;
    bool list = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a(argv[i]);
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) usage((std::string(a) + " needs a value").c_str());
            return argv[++i];
        };
        if (a == "--total-mb") total_mb = parse_number(a, value());
        else if (a == "--single-mb") single_mb = parse_number(a, value());
        else if (a == "--seed") seed = parse_number(a, value());
        else if (a == "--latin1-share") latin1_share = parse_share(a, value());
        else if (a == "--entity-rate") entity_rate = parse_share(a, value());
        else if (a == "--list") list = true;
        else if (a == "-h" || a == "--help") usage();
        else if (!a.empty() && a[0] == '-') usage(("unknown option " + std::string(a)).c_str());
        else if (out.empty()) out = a;
        else usage("one OUTDIR only");
    }
    if (out.empty()) usage("OUTDIR missing");

    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) {
        std::cerr << "gen_corpus: cannot create " << out << ": " << ec.message() << "\n";
        return 1;
    }
    // A rerun with other sizes must not leave old files behind for parse_bench to count.
    const std::regex ours(R"(\d{4,}-[a-z0-9-]+\.xml|single-big\.xml)");
    std::size_t removed = 0;
    for (const auto& e : fs::directory_iterator(out, ec)) {
        if (e.is_regular_file() && std::regex_match(e.path().filename().string(), ours) && fs::remove(e.path(), ec))
            ++removed;
    }
    if (removed) std::cout << "removed " << removed << " files of an earlier run\n";

    Rng rng(seed);
    // A fixed "now" keeps the output independent of when it is generated: 2024-06-01T00:00Z.
    const int64_t now = 1717200000;
    const std::size_t total_target = static_cast<std::size_t>(total_mb) << 20;
    std::size_t written = 0, total_items = 0, latin1_files = 0, bom_files = 0;
    std::vector<std::size_t> sizes;
    std::map<std::string, std::pair<std::size_t, std::size_t>> by_kind;  // files, bytes
    std::map<std::string, std::size_t> by_lang;

    auto emit = [&](const fs::path& name, const Spec& spec) -> bool {
        Rng feed_rng(rng.next());  // one stream per file, so one file's shape never shifts another's
        FeedWriter w(feed_rng, spec);
        std::string doc = w.write();
        if (spec.latin1) doc = to_latin1(doc);
        if (!write_file(out / name, doc)) {
            std::cerr << "gen_corpus: cannot write " << (out / name) << "\n";
            return false;
        }
        written += doc.size();
        total_items += w.items();
        if (list)
            std::cout << name.string() << "  " << doc.size() << " bytes  " << w.items() << " items  "
                      << info(spec.lang).code << (spec.latin1 ? "  ISO-8859-1" : "  UTF-8") << "\n";
        return true;
    };

    std::size_t feeds_bytes = 0;
    for (int n = 1; feeds_bytes + 5 * 1024 <= total_target; ++n) {
        Spec s;
        s.latin1 = rng.chance(latin1_share);
        s.entity_rate = entity_rate;
        s.kind = draw_kind(rng, s.latin1);
        s.lang = pick_lang(rng, s.latin1);
        s.bom = !s.latin1 && rng.chance(0.03);
        s.target = std::min(draw_size(rng), total_target - feeds_bytes);
        s.target = std::max<std::size_t>(s.target, 5 * 1024);
        s.newest = now - static_cast<int64_t>(rng.below(30 * 86400));
        s.planned_items = planned_items(rng, s.kind);
        char name[64];
        std::snprintf(name, sizeof name, "%04d-%s%s.xml", n, std::string(kind_name(s.kind)).c_str(),
                      s.latin1 ? "-latin1" : "");
        const std::size_t before = written;
        if (!emit(name, s)) return 1;
        const std::size_t size = written - before;
        feeds_bytes += size;
        sizes.push_back(size);
        auto& k = by_kind[std::string(kind_name(s.kind))];
        ++k.first;
        k.second += size;
        ++by_lang[std::string(info(s.lang).code)];
        latin1_files += s.latin1;
        bom_files += s.bom;
    }

    std::size_t big_bytes = 0, big_items = 0;
    if (single_mb > 0) {
        Spec s;
        s.kind = Kind::Rss2Wp;
        s.lang = Lang::En;
        s.target = static_cast<std::size_t>(single_mb) << 20;
        s.newest = now;
        s.item_budget_max = 6000;
        s.mixed_languages = true;
        s.entity_rate = entity_rate;
        const std::size_t before = written, items_before = total_items;
        if (!emit("single-big.xml", s)) return 1;
        big_bytes = written - before;
        big_items = total_items - items_before;
    }

    std::sort(sizes.begin(), sizes.end());
    std::cout << "wrote " << sizes.size() << " feeds to " << out.string() << ": " << feeds_bytes << " bytes";
    if (!sizes.empty())
        std::cout << ", sizes " << sizes.front() << " / " << sizes[sizes.size() / 2] << " / " << sizes.back()
                  << " bytes (min / median / max)";
    std::cout << "\n";
    for (const auto& [kind, fb] : by_kind)
        std::cout << "  " << kind << ": " << fb.first << " files, " << fb.second << " bytes\n";
    std::cout << "  languages:";
    for (const auto& [code, n] : by_lang) std::cout << " " << code << "=" << n;
    std::cout << "\n  ISO-8859-1: " << latin1_files << " files; UTF-8 with BOM: " << bom_files << " files\n";
    if (single_mb > 0)
        std::cout << "single-big.xml: " << big_bytes << " bytes, " << big_items << " items (rss2-wp)\n";
    std::cout << "items: " << total_items << "\n";
    std::cout << written << "\n";
    return 0;
}
