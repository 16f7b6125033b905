// SPDX-License-Identifier: Apache-2.0
#include "core/store.h"

#include "feed/strings.h"
#include "feed/text.h"
#include "feed/url.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

namespace nk {
namespace {

using str::trim;

constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();

// Times come from feeds and from the disk cache, so a hostile value must not overflow.
int64_t sat_add(int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kMaxTime : kMinTime;
    return r;
}

int64_t sat_sub(int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? kMaxTime : kMinTime;
    return r;
}

bool is_alnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Any byte of a multi-byte sequence counts as a letter: headlines in scripts we do not fold
// still split into the right words, and "café" is one word, not "caf".
bool is_word_byte(char c) { return is_alnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80; }

// [SECTION] Folding: case and typography
// Keywords, priority words and titles are compared after folding, so that "Café", "CAFÉ" and
// "café" agree and “quotes” or – dashes – from one publisher match the ASCII of another.

// Lower case for the code points that UTF-8 writes in two bytes (U+0080..U+07FF): Latin-1,
// Latin Extended-A, Greek and Cyrillic. The result is again two bytes long.
char32_t fold_two_byte(char32_t cp) {
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;
    if (cp == 0x178) return 0xFF;
    if ((cp >= 0x100 && cp <= 0x12F) || (cp >= 0x132 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177))
        return (cp % 2 == 0) ? cp + 1 : cp;
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) return (cp % 2 == 1) ? cp + 1 : cp;
    if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 0x20;
    if (cp == 0x386) return 0x3AC;
    if (cp >= 0x388 && cp <= 0x38A) return cp + 0x25;
    if (cp == 0x38C) return 0x3CC;
    if (cp == 0x38E || cp == 0x38F) return cp + 0x3F;
    if (cp == 0x3C2) return 0x3C3;  // final sigma: the same letter for matching
    if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
    return cp;
}

// The ASCII stand-in for punctuation and spaces in U+2000..U+203F; 0 when it has none.
char ascii_for_general_punctuation(char32_t cp) {
    if (cp <= 0x200A || cp == 0x202F) return ' ';
    if (cp >= 0x2010 && cp <= 0x2015) return '-';
    if ((cp >= 0x2018 && cp <= 0x201B) || cp == 0x2032) return '\'';
    if ((cp >= 0x201C && cp <= 0x201F) || cp == 0x2033 || cp == 0x2039 || cp == 0x203A) return '"';
    if (cp == 0x2022 || cp == 0x2026) return '.';
    return 0;
}

// Lower-cased, typographic punctuation as ASCII, whitespace runs as one space, trimmed.
std::string fold(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool after_space = true;
    auto put = [&](char c) {
        if (c == ' ') {
            if (!after_space) out += ' ';
            after_space = true;
        } else {
            out += c;
            after_space = false;
        }
    };
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            put(str::is_space(static_cast<char>(c)) ? ' ' : str::lower(static_cast<char>(c)));
            ++i;
            continue;
        }
        bool cont1 = i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80;
        if (c >= 0xC2 && c <= 0xDF && cont1) {
            char32_t cp = (char32_t(c & 0x1F) << 6) | char32_t(static_cast<unsigned char>(s[i + 1]) & 0x3F);
            if (cp == 0xA0) {
                put(' ');
            } else if (cp == 0xAB || cp == 0xBB) {
                put('"');
            } else {
                cp = fold_two_byte(cp);
                put(static_cast<char>(0xC0 | (cp >> 6)));
                put(static_cast<char>(0x80 | (cp & 0x3F)));
            }
            i += 2;
            continue;
        }
        if (c == 0xE2 && cont1 && static_cast<unsigned char>(s[i + 1]) == 0x80 && i + 2 < s.size() &&
            (static_cast<unsigned char>(s[i + 2]) & 0xC0) == 0x80) {
            char32_t cp = 0x2000 + char32_t(static_cast<unsigned char>(s[i + 2]) - 0x80);
            if (cp == 0x200B) {  // zero width space: nothing
                i += 3;
                continue;
            }
            if (char a = ascii_for_general_punctuation(cp)) {
                put(a);
                i += 3;
                continue;
            }
        }
        put(static_cast<char>(c));
        ++i;
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// Both arguments folded. Word boundaries as a regex \b would put them, with non-ASCII as letters.
bool has_words(std::string_view text, std::string_view phrase) {
    if (phrase.empty()) return false;
    bool word_start = is_word_byte(phrase.front()), word_end = is_word_byte(phrase.back());
    for (size_t pos = text.find(phrase); pos != std::string_view::npos; pos = text.find(phrase, pos + 1)) {
        size_t end = pos + phrase.size();
        if (word_start && pos > 0 && is_word_byte(text[pos - 1])) continue;
        if (word_end && end < text.size() && is_word_byte(text[end])) continue;
        return true;
    }
    return false;
}

std::vector<std::string> fold_all(const std::vector<std::string>& words) {
    std::vector<std::string> out;
    for (const std::string& w : words)
        if (std::string f = fold(w); !f.empty()) out.push_back(std::move(f));
    return out;
}

// Keywords folded once per call rather than once per item.
struct Keywords {
    std::vector<std::string> include, exclude, priority;
};

struct FoldedItem {
    std::string title, summary;
    explicit FoldedItem(const Item& item) : title(fold(item.title)), summary(fold(item.summary)) {}
    bool matches_any(const std::vector<std::string>& words) const {
        for (const std::string& w : words)
            if (has_words(title, w) || has_words(summary, w)) return true;
        return false;
    }
};

// [SECTION] Titles

void split_words(std::string_view s, std::vector<std::string_view>& out) {
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        size_t j = s.find(' ', i);
        if (j == std::string_view::npos) j = s.size();
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
}

constexpr std::size_t kMinWordsForSimilarity = 4;
constexpr std::size_t kMaxCandidatesPerToken = 64;  // keeps a pathological title set linear

// Prefix filtering for Jaccard >= 0.9: two token sets that similar share a token among the first
// size - ceil(0.9 * size) + 1 of each, with tokens ordered rarest first.
uint32_t similarity_prefix(uint32_t size) { return size - (9 * size + 9) / 10 + 1; }

bool similar_sets(const uint32_t* a, uint32_t na, const uint32_t* b, uint32_t nb) {
    if (10 * std::min(na, nb) < 9 * std::max(na, nb)) return false;
    uint32_t common = 0, i = 0, j = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) ++common, ++i, ++j;
        else if (a[i] < b[j]) ++i;
        else ++j;
    }
    uint32_t uni = na + nb - common;
    return 10 * common >= 9 * uni;
}

}  // namespace

// [SECTION] Public helpers

bool contains_words(std::string_view text, std::string_view phrase) { return has_words(fold(text), fold(phrase)); }

std::string normalize_title(std::string_view title) {
    std::string f = fold(title);
    std::string out;
    out.reserve(f.size());
    for (char c : f) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x80 && !is_alnum(u) && c != ' ') continue;
        if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
        out += c;
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// [SECTION] Store

Store::FeedState* Store::find(std::string_view url) {
    for (FeedState& fs : feeds_)
        if (fs.config.url == url) return &fs;
    return nullptr;
}

const Store::FeedState* Store::find(std::string_view url) const {
    for (const FeedState& fs : feeds_)
        if (fs.config.url == url) return &fs;
    return nullptr;
}

// The one place where held items are decided, so update, restore and configure agree: the
// keyword filters are applied here rather than per card, and only what passes counts against
// max_items (an include filter on a busy feed still fills its share).
std::size_t Store::set_entries(FeedState& fs, std::vector<Entry> entries) {
    Keywords k{fold_all(fs.config.include), fold_all(fs.config.exclude), fold_all(rotation_.priority_keywords)};
    bool any_keywords = !k.include.empty() || !k.exclude.empty() || !k.priority.empty();
    std::vector<Entry> kept;
    kept.reserve(entries.size());
    std::size_t hidden = 0;
    for (Entry& e : entries) {
        if (e.item.title.empty()) {
            if (e.item.summary.empty()) {
                ++hidden;  // an enclosure, an author, a date: nothing a card can say
                continue;
            }
            text::Headline h = text::headline_from_text(e.item.summary, kDerivedHeadlineBytes);
            e.item.title = std::move(h.headline);
            e.item.summary = std::move(h.rest);
            e.headline_from_summary = true;
        }
        e.breaking = false;
        if (any_keywords) {
            FoldedItem folded(e.item);
            if (folded.matches_any(k.exclude)) continue;  // exclude wins over include
            if (!k.include.empty() && !folded.matches_any(k.include)) continue;
            e.breaking = folded.matches_any(k.priority);
        }
        e.feed_url = fs.config.url;
        kept.push_back(std::move(e));
    }
    std::stable_sort(kept.begin(), kept.end(), [](const Entry& a, const Entry& b) { return a.time > b.time; });
    auto cap = static_cast<std::size_t>(std::max(fs.config.max_items, 0));
    if (kept.size() > cap) kept.resize(cap);
    fs.entries = std::move(kept);
    fs.status.item_count = fs.entries.size();
    return hidden;
}

void Store::configure(const Config& config) {
    std::unordered_map<std::string, std::size_t> old_index;  // owns its keys: the states move out below
    for (std::size_t i = 0; i < feeds_.size(); ++i) old_index.emplace(feeds_[i].config.url, i);
    std::vector<FeedState> next;
    std::unordered_set<std::string_view> seen;  // a URL listed twice is one feed: the first
    for (const FeedConfig& fc : config.feeds) {
        if (!fc.enabled || !seen.insert(fc.url).second) continue;
        FeedState fs;
        if (auto it = old_index.find(fc.url); it != old_index.end()) fs = std::move(feeds_[it->second]);
        fs.config = fc;
        next.push_back(std::move(fs));
    }
    feeds_ = std::move(next);
    rotation_ = config.rotation;
    for (FeedState& fs : feeds_) set_entries(fs, std::move(fs.entries));
    ++generation_;
}

bool Store::update(std::string_view feed_url, const Feed& feed, int64_t now) {
    FeedState* fs = find(feed_url);
    // Items with nothing to show count as none: they must not replace the last good ones.
    if (!fs || std::none_of(feed.items.begin(), feed.items.end(),
                            [](const Item& it) { return !it.title.empty() || !it.summary.empty(); }))
        return false;

    std::vector<std::string> old_links(fs->entries.size());
    std::unordered_map<std::string_view, const Entry*> old_by_id, old_by_link;
    for (std::size_t i = 0; i < fs->entries.size(); ++i) {
        const Entry& e = fs->entries[i];
        if (!e.item.id.empty()) old_by_id.emplace(e.item.id, &e);
        old_links[i] = url::canonical_link(e.item.link);
        if (!old_links[i].empty()) old_by_link.emplace(old_links[i], &e);
    }

    // Some feeds list an item twice while it is being edited: the newest version wins, in the
    // place of the first.
    std::vector<const Item*> items;
    std::unordered_map<std::string_view, std::size_t> slot;
    for (const Item& it : feed.items) {
        if (it.id.empty()) {
            items.push_back(&it);
            continue;
        }
        auto [pos, fresh] = slot.emplace(it.id, items.size());
        if (fresh) items.push_back(&it);
        else if (it.updated.value_or(kMinTime) > items[pos->second]->updated.value_or(kMinTime)) items[pos->second] = &it;
    }

    std::vector<Entry> next;
    next.reserve(items.size());
    for (const Item* it : items) {
        const Entry* prev = nullptr;
        if (auto f = old_by_id.find(it->id); !it->id.empty() && f != old_by_id.end()) prev = f->second;
        if (!prev && !it->link.empty())
            if (auto f = old_by_link.find(url::canonical_link(it->link)); f != old_by_link.end()) prev = f->second;
        Entry e;
        // A lagging mirror may serve an older version of an item we already hold.
        bool keep_old = prev && prev->item.id == it->id && prev->item.updated && it->updated && *prev->item.updated > *it->updated;
        e.item = keep_old ? prev->item : *it;
        e.first_seen = prev ? std::min(prev->first_seen, now) : now;
        e.time = e.item.published ? std::min(*e.item.published, e.first_seen) : e.first_seen;
        next.push_back(std::move(e));
    }
    if (!feed.title.empty()) fs->status.title = feed.title;
    fs->status.hidden_count = set_entries(*fs, std::move(next));
    ++generation_;
    return true;
}

void Store::restore(std::string_view feed_url, std::vector<Entry> entries, const FeedStatus& status) {
    FeedState* fs = find(feed_url);
    if (!fs) return;
    fs->status = status;
    if (entries.empty()) fs->status.item_count = fs->entries.size();
    else set_entries(*fs, std::move(entries));
    ++generation_;
}

FeedStatus& Store::status(std::string_view feed_url) {
    if (FeedState* fs = find(feed_url)) return fs->status;
    scratch_status_ = FeedStatus{};
    return scratch_status_;
}

const FeedStatus* Store::find_status(std::string_view feed_url) const {
    const FeedState* fs = find(feed_url);
    return fs ? &fs->status : nullptr;
}

const std::vector<Entry>& Store::entries(std::string_view feed_url) const {
    static const std::vector<Entry> none;
    const FeedState* fs = find(feed_url);
    return fs ? fs->entries : none;
}

std::vector<std::string> Store::feed_urls() const {
    std::vector<std::string> out;
    out.reserve(feeds_.size());
    for (const FeedState& fs : feeds_) out.push_back(fs.config.url);
    return out;
}

// [SECTION] Eligibility and dedupe

void Store::prepare() const {
    if (prepared_valid_ && prepared_generation_ == generation_) return;
    candidates_.clear();
    tokens_.clear();
    std::unordered_map<std::string_view, uint32_t> token_ids;
    std::vector<uint32_t> df;  // by token id: how many titles hold it
    std::vector<std::string_view> words;
    for (std::size_t f = 0; f < feeds_.size(); ++f) {
        const FeedState& fs = feeds_[f];
        for (std::size_t i = 0; i < fs.entries.size(); ++i) {
            const Entry& e = fs.entries[i];
            Candidate c;
            c.feed = static_cast<uint32_t>(f);
            c.index = static_cast<uint32_t>(i);
            // Ids that are URIs (links, tag:, urn:) are unique across publishers; "1234" is not.
            if (!e.item.id.empty())
                c.id_key = e.item.id.find(':') != std::string::npos ? e.item.id : fs.config.url + '\x1f' + e.item.id;
            c.link_key = url::canonical_link(e.item.link);
            if (!e.headline_from_summary) c.title_key = normalize_title(e.item.title);
            candidates_.push_back(std::move(c));
        }
    }
    // Token strings point into title_key, so they are read only once candidates_ stops growing.
    for (Candidate& c : candidates_) {
        words.clear();
        split_words(c.title_key, words);
        auto begin = static_cast<uint32_t>(tokens_.size());
        for (std::string_view w : words) {
            auto [it, fresh] = token_ids.emplace(w, static_cast<uint32_t>(df.size()));
            if (fresh) df.push_back(0);
            tokens_.push_back(it->second);
        }
        std::sort(tokens_.begin() + begin, tokens_.end());
        tokens_.erase(std::unique(tokens_.begin() + begin, tokens_.end()), tokens_.end());
        if (tokens_.size() - begin < kMinWordsForSimilarity) tokens_.resize(begin);
        for (std::size_t t = begin; t < tokens_.size(); ++t) ++df[tokens_[t]];
        c.tokens_begin = begin;
        c.tokens_end = static_cast<uint32_t>(tokens_.size());
    }
    // Rarest first, so that a title's prefix holds its distinctive words and the buckets of
    // "the" and "of" stay empty.
    std::vector<uint32_t> order(df.size()), rank(df.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return df[a] != df[b] ? df[a] < df[b] : a < b; });
    for (std::size_t r = 0; r < order.size(); ++r) rank[order[r]] = static_cast<uint32_t>(r);
    for (uint32_t& t : tokens_) t = rank[t];
    for (const Candidate& c : candidates_) std::sort(tokens_.begin() + c.tokens_begin, tokens_.begin() + c.tokens_end);
    // Newest first; ties in config order, then feed order (the candidates were built that way).
    std::stable_sort(candidates_.begin(), candidates_.end(), [this](const Candidate& a, const Candidate& b) {
        return feeds_[a.feed].entries[a.index].time > feeds_[b.feed].entries[b.index].time;
    });
    prepared_valid_ = true;
    prepared_generation_ = generation_;
}

std::vector<std::vector<const Entry*>> Store::eligible(int64_t now) const {
    if (cache_valid_ && cache_owner_ == this && cache_generation_ == generation_ && now >= cache_from_ && now < cache_until_)
        return cache_;
    prepare();
    std::vector<std::vector<const Entry*>> out(feeds_.size());
    int64_t until = kMaxTime;  // the first moment an item held now ages out
    std::unordered_set<std::string_view> ids, links, titles;
    std::unordered_map<uint32_t, std::vector<uint32_t>> prefix_index;  // token -> kept candidates
    if (rotation_.dedupe) {
        ids.reserve(candidates_.size());
        links.reserve(candidates_.size());
        titles.reserve(candidates_.size());
    }
    for (uint32_t ci = 0; ci < candidates_.size(); ++ci) {
        const Candidate& c = candidates_[ci];
        const FeedState& fs = feeds_[c.feed];
        const Entry& e = fs.entries[c.index];
        if (fs.config.max_age_seconds) {
            int64_t max_age = *fs.config.max_age_seconds;
            if (sat_sub(now, e.time) > max_age) continue;
            until = std::min(until, sat_add(sat_add(e.time, max_age), 1));
        }
        if (out[c.feed].size() >= static_cast<std::size_t>(std::max(fs.config.max_items, 0))) continue;
        if (rotation_.dedupe) {
            // Every key is recorded even for a duplicate, so a story reached through different
            // keys (id here, link there) is still one story.
            bool dup = false;
            if (!c.id_key.empty() && !ids.insert(c.id_key).second) dup = true;
            if (!c.link_key.empty() && !links.insert(c.link_key).second) dup = true;
            if (!c.title_key.empty() && !titles.insert(c.title_key).second) dup = true;
            const uint32_t* toks = tokens_.data() + c.tokens_begin;
            uint32_t n = c.tokens_end - c.tokens_begin, p = n ? similarity_prefix(n) : 0;
            for (uint32_t t = 0; t < p && !dup; ++t) {
                auto bucket = prefix_index.find(toks[t]);
                if (bucket == prefix_index.end()) continue;
                std::size_t checked = 0;
                for (uint32_t other : bucket->second) {
                    if (++checked > kMaxCandidatesPerToken) break;
                    const Candidate& o = candidates_[other];
                    if (similar_sets(toks, n, tokens_.data() + o.tokens_begin, o.tokens_end - o.tokens_begin)) {
                        dup = true;
                        break;
                    }
                }
            }
            if (dup) continue;
            for (uint32_t t = 0; t < p; ++t) prefix_index[toks[t]].push_back(ci);
        }
        out[c.feed].push_back(&e);
    }
    cache_ = out;
    cache_valid_ = true;
    cache_owner_ = this;
    cache_generation_ = generation_;
    cache_from_ = now;
    cache_until_ = until;
    return out;
}

}  // namespace nk
