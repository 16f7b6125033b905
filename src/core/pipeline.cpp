// SPDX-License-Identifier: Apache-2.0
#include "core/pipeline.h"

#include "core/agenda.h"
#include "core/markdown.h"
#include "core/timefmt.h"
#include "feed/parser.h"
#include "feed/url.h"

#include <algorithm>

namespace nk {
namespace {

// A feed list named by URL changes rarely; a failed one is retried sooner.
constexpr int64_t kListRefreshSeconds = 3600;
constexpr int64_t kListRetrySeconds = 300;

std::vector<std::string> urls_of(const std::vector<FeedConfig>& feeds) {
    std::vector<std::string> out;
    out.reserve(feeds.size());
    for (const FeedConfig& f : feeds) out.push_back(f.url);
    return out;
}

const FeedConfig* find_feed(const std::vector<FeedConfig>& feeds, std::string_view url) {
    for (const FeedConfig& f : feeds)
        if (f.url == url) return &f;
    return nullptr;
}

// Fetcher settings are read when the fetch thread starts; these changes wait for a restart.
void next_start_keys(const Config& a, const Config& b, std::vector<std::string>& out) {
    const FetchConfig &x = a.fetch, &y = b.fetch;
    auto note = [&](bool differs, const char* key) {
        if (differs) out.emplace_back(key);
    };
    note(x.max_parallel != y.max_parallel, "fetch.max_parallel");
    note(x.max_per_host != y.max_per_host, "fetch.max_per_host");
    note(x.connect_timeout_seconds != y.connect_timeout_seconds, "fetch.connect_timeout_seconds");
    note(x.timeout_seconds != y.timeout_seconds, "fetch.timeout_seconds");
    note(x.low_speed_bytes_per_second != y.low_speed_bytes_per_second, "fetch.low_speed_bytes_per_second");
    note(x.low_speed_seconds != y.low_speed_seconds, "fetch.low_speed_seconds");
    note(x.max_redirects != y.max_redirects, "fetch.max_redirects");
    note(x.ca_path != y.ca_path, "fetch.ca_path");
    note(x.proxy != y.proxy, "fetch.proxy");
    note(x.user_agent != y.user_agent, "fetch.user_agent");
    note(!(a.cache == b.cache), "cache");
    note(a.health.listen != b.health.listen, "health.listen");
    note(a.display.monitor != b.display.monitor, "display.monitor");
    note(!(a.fleet == b.fleet), "fleet");  // the broker connection is made once (app/fleet.h)
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

}  // namespace

void parse_reply(FetchReply& r, std::string_view charset) {
    r.body_bytes = r.body.size();
    if (r.kind == FetchOrder::Kind::Calendar) {
        if (r.ok && !r.not_modified) r.calendar = parse_calendar(r.body);
        if (!r.calendar || !r.calendar->ok()) r.body.clear();  // kept only to be saved
        return;
    }
    if (r.kind != FetchOrder::Kind::Feed) return;
    if (r.ok && !r.not_modified) {
        ParseOptions po;
        po.content_type = r.content_type;
        po.base_url = r.final_url.empty() ? r.url : r.final_url;
        po.charset_override = charset;
        r.parsed = parse_feed(r.body, po);
    }
    r.body.clear();
    r.body.shrink_to_fit();
}

Pipeline::Pipeline(PipelineOptions options) : opt_(std::move(options)) {}

ConfigReport Pipeline::apply_config(ConfigParse parsed, std::string_view source, int64_t now) {
    ConfigReport rep;
    rep.issues = std::move(parsed.issues);
    for (const ConfigIssue& i : rep.issues) log_.push_back(format_issue(i));
    const bool first = !configured_;
    if (std::any_of(rep.issues.begin(), rep.issues.end(), [](const ConfigIssue& i) { return !i.warning; })) {
        rep.summary = (first ? "config: " : "config reload: ") + std::string(source) +
                      ": invalid config, see above; keeping the running config";
        log_.push_back(rep.summary);
        return rep;
    }
    const Config old = config_;
    const Config old_base = base_;
    if (parsed.config.opml != base_.opml) {
        // Another list (or none): forget the old one's feeds; a reply for it still in flight is
        // recognised by its URL and dropped.
        list_feeds_.clear();
        list_validators_ = {};
        list_in_flight_ = false;
        next_list_fetch_ = now;
    }
    base_ = std::move(parsed.config);
    announcements_["config"] = base_.announcements;
    alerts_["config"] = base_.alerts;
    const bool fell_back = compose(now);
    configured_ = true;
    rep.applied = true;

    for (const FeedConfig& f : config_.feeds) {
        const FeedConfig* before = find_feed(old.feeds, f.url);
        if (!before) rep.added.push_back(f.url);
        else if (!(*before == f)) rep.changed.push_back(f.url);
    }
    for (const FeedConfig& f : old.feeds)
        if (!find_feed(config_.feeds, f.url)) rep.removed.push_back(f.url);
    auto table = [&](bool differs, const char* name) {
        if (differs) rep.tables.emplace_back(name);
    };
    table(old_base.opml != base_.opml, "opml");
    table(!(old_base.fetch == base_.fetch), "fetch");
    table(!(old_base.rotation == base_.rotation), "rotation");
    table(!(old_base.cache == base_.cache), "cache");
    table(!(old_base.display == base_.display), "display");
    table(!(old_base.health == base_.health), "health");
    table(!(old_base.power == base_.power), "power");
    table(old_base.calendars != base_.calendars, "calendar");
    if (!first) next_start_keys(old_base, base_, rep.next_start);

    const std::string feeds = std::to_string(base_.feeds.size()) + (base_.feeds.size() == 1 ? " feed" : " feeds");
    if (first) {
        rep.summary = "config: " + std::string(source) + " (" + feeds + ")";
    } else {
        rep.summary = "config reload: " + std::string(source) + " applied (" + feeds + ")";
        std::vector<std::string> parts;
        if (!rep.added.empty()) parts.push_back(std::to_string(rep.added.size()) + " added");
        if (!rep.removed.empty()) parts.push_back(std::to_string(rep.removed.size()) + " removed");
        if (!rep.changed.empty()) parts.push_back(std::to_string(rep.changed.size()) + " changed");
        if (!rep.tables.empty()) parts.push_back("[" + joined(rep.tables) + "] changed");
        if (!parts.empty()) rep.summary += ": " + joined(parts);
        if (parts.empty()) rep.summary += ": nothing changed";
        if (!rep.next_start.empty()) rep.summary += "; " + joined(rep.next_start) + " apply at the next start";
    }
    log_.push_back(rep.summary);
    if (fell_back)
        log_.push_back(url::is_remote(base_.opml) ? "no feeds yet: showing the embedded demo content until the OPML list arrives"
                                                  : "no feeds configured: showing the embedded demo content");
    return rep;
}

bool Pipeline::compose(int64_t now) {
    Config c = base_;
    add_feeds(c.feeds, list_feeds_);
    const bool fallback = c.feeds.empty();
    if (fallback) c.feeds = opt_.fallback_feeds;
    const bool fell_back = fallback && !fallback_;
    fallback_ = fallback;
    if (fallback) announcements_["fallback"] = opt_.fallback_announcements;
    else announcements_.erase("fallback");
    configure_calendars(fallback && base_.calendars.empty() ? opt_.fallback_calendars : base_.calendars, now);
    park_leaving(c, now);
    config_ = std::move(c);
    store_.configure(config_);
    scheduler_.configure(config_, now);
    unpark(now);
    for (auto it = counters_.begin(); it != counters_.end();)
        it = store_.find_status(it->first) ? std::next(it) : counters_.erase(it);
    return fell_back;
}

// A feed that leaves the store (removed, or disabled) is kept aside with what a restart would
// have kept of it, so that undoing the edit costs nothing.
void Pipeline::park_leaving(const Config& next, int64_t now) {
    for (const FeedConfig& old : config_.feeds) {
        const std::string& url = old.url;
        const FeedConfig* f = find_feed(next.feeds, url);
        if (f && f->enabled) continue;
        if (!store_.find_status(url)) {
            // Disabled before: nothing in memory, but its file is the cache's until the grace ends.
            if (!f && !parked_.count(url)) parked_[url] = Parked{CachedFeed{}, now};
            continue;
        }
        Parked& p = parked_[url];
        p.since = now;
        p.feed = cached(url);
        if (auto n = scheduler_.next_fetch(url)) p.feed.status.next_fetch = *n;
    }
}

void Pipeline::unpark(int64_t now) {
    std::vector<CachedFeed> back;
    for (auto it = parked_.begin(); it != parked_.end();) {
        if (store_.find_status(it->first)) {
            if (!it->second.feed.url.empty()) back.push_back(std::move(it->second.feed));  // empty: nothing was held
            it = parked_.erase(it);
        } else {
            ++it;
        }
    }
    if (!back.empty()) restore(std::move(back), now);
}

void Pipeline::expire_parked(int64_t now) {
    const int64_t grace = base_.cache.purge_after_seconds;
    bool any = false;
    for (auto it = parked_.begin(); it != parked_.end();) {
        if (now - it->second.since >= grace) {
            it = parked_.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    if (any) purge();
}

// The cache keeps every feed the config lists (disabled ones too: their items come back when
// they are enabled) and every feed still within its grace period.
void Pipeline::purge() {
    if (!opt_.manage_cache) return;
    SaveOrder s;
    s.kind = SaveOrder::Kind::PurgeExcept;
    s.keep = urls_of(config_.feeds);
    for (const auto& [url, p] : parked_) s.keep.push_back(url);
    for (const auto& [url, cal] : calendars_) s.keep.push_back(url);
    saves_.push_back(std::move(s));
}

void Pipeline::restore_feed_list(std::string_view bytes, int64_t now) {
    if (!url::is_remote(base_.opml)) return;
    auto feeds = parse_opml(bytes);
    if (!feeds || feeds.value().empty()) return;
    list_feeds_ = std::move(feeds.value());
    compose(now);
}

void Pipeline::restore(std::vector<CachedFeed> cached, int64_t now) {
    for (CachedFeed& rec : cached) {
        if (!store_.find_status(rec.url)) {
            if (!parked_.count(rec.url)) parked_[rec.url] = Parked{std::move(rec), now};
            continue;
        }
        validators_[rec.url] = {rec.etag, rec.last_modified};
        if (rec.status.next_fetch > now) scheduler_.restore(rec.url, rec.status.next_fetch, now);
        if (!rec.status.error.empty()) last_error_[rec.url] = rec.status.error;
        store_.restore(rec.url, std::move(rec.entries), rec.status);
    }
}

std::vector<FetchOrder> Pipeline::take_due(int64_t now) {
    expire_parked(now);
    std::vector<FetchOrder> out;
    if (url::is_remote(base_.opml) && !list_in_flight_ && now >= next_list_fetch_) {
        FetchOrder o;
        o.kind = FetchOrder::Kind::FeedList;
        o.url = base_.opml;
        o.etag = list_validators_.etag;
        o.last_modified = list_validators_.last_modified;
        o.max_body_bytes = config_.fetch.max_body_bytes;
        list_in_flight_ = true;
        out.push_back(std::move(o));
    }
    for (auto& [url, cal] : calendars_) {
        if (cal.in_flight || now < cal.next_fetch) continue;
        FetchOrder o;
        o.kind = FetchOrder::Kind::Calendar;
        o.url = url;
        o.etag = cal.validators.etag;
        o.last_modified = cal.validators.last_modified;
        o.max_body_bytes = config_.fetch.max_body_bytes;
        o.allow_file = url.starts_with("file:");
        cal.in_flight = true;
        out.push_back(std::move(o));
    }
    for (std::string& url : scheduler_.take_due(now, config_.feeds.size())) {
        FetchOrder o;
        if (auto v = validators_.find(url); v != validators_.end()) {
            o.etag = v->second.etag;
            o.last_modified = v->second.last_modified;
        }
        o.max_body_bytes = config_.fetch.max_body_bytes;
        o.allow_file = url.starts_with("file:");
        if (const FeedConfig* f = find_feed(config_.feeds, url)) o.charset = f->encoding;
        o.url = std::move(url);
        out.push_back(std::move(o));
    }
    return out;
}

void Pipeline::apply_fetch(FetchReply reply, int64_t now) {
    if (reply.kind == FetchOrder::Kind::FeedList) apply_feed_list(reply, now);
    else if (reply.kind == FetchOrder::Kind::Calendar) apply_calendar(reply, now);
    else apply_feed(reply, now);
}

// [SECTION] Calendars

std::string Pipeline::display_zone() const {
    return config_.display.timezone.empty() ? opt_.system_zone : config_.display.timezone;
}

void Pipeline::configure_calendars(const std::vector<CalendarConfig>& list, int64_t now) {
    std::map<std::string, CalendarState> next;
    for (const CalendarConfig& c : list) {
        if (!c.enabled || next.count(c.url)) continue;
        CalendarState& st = next[c.url];
        if (auto it = calendars_.find(c.url); it != calendars_.end()) {
            st = std::move(it->second);
            // A shorter refresh applies now, not after the old, longer wait.
            if (!st.in_flight && st.last_success) st.next_fetch = std::min(st.next_fetch, st.last_success + c.refresh_minutes * 60);
        } else {
            st.next_fetch = now;
        }
        st.config = c;
    }
    calendars_ = std::move(next);
}

void Pipeline::restore_calendars(std::vector<CachedCalendar> cached, int64_t now) {
    for (CachedCalendar& c : cached) {
        auto it = calendars_.find(c.url);
        if (it == calendars_.end()) continue;
        CalendarState& st = it->second;
        Result<Calendar> parsed = parse_calendar(c.bytes);
        if (!parsed) {
            log_.push_back(who(c.url) + ": the cached copy cannot be read (" + parsed.error().message + "); fetching it again");
            continue;
        }
        st.calendar = std::move(parsed.value());
        st.validators = {c.etag, c.last_modified};
        st.last_success = c.fetched;
        // Not due again before its refresh, so a restart costs the publisher nothing.
        st.next_fetch = std::max(now, c.fetched + st.config.refresh_minutes * 60);
    }
}

// A calendar follows the feeds' politeness: conditional GETs, Retry-After, and a backoff on
// failure (1, 2, 4 ... minutes up to [fetch] backoff_max_minutes) that never drops the last
// good file.
void Pipeline::apply_calendar(FetchReply& r, int64_t now) {
    auto it = calendars_.find(r.url);
    if (it == calendars_.end()) return;  // left the config while in flight
    CalendarState& st = it->second;
    st.in_flight = false;
    std::string error;
    if (r.ok && r.not_modified) {
        st.last_success = now;
    } else if (r.ok && r.calendar && r.calendar->ok()) {
        Calendar& cal = r.calendar->value();
        std::string warnings;
        for (const std::string& w : cal.warnings) warnings += (warnings.empty() ? "" : "; ") + w;
        if (warnings != st.warnings && !warnings.empty()) log_.push_back(who(r.url) + ": " + warnings);
        st.warnings = warnings;
        std::size_t events = cal.entries.size();
        const bool first = !st.calendar;
        st.calendar = std::move(cal);
        st.last_success = now;
        st.validators = {r.etag, r.last_modified};
        if (first) log_.push_back(who(r.url) + ": " + std::to_string(events) + (events == 1 ? " event" : " events"));
        if (opt_.local_scheme.empty() || !r.url.starts_with(opt_.local_scheme)) {
            SaveOrder s;
            s.kind = SaveOrder::Kind::Calendar;
            s.calendar = {r.url, std::move(r.body), r.etag, r.last_modified, now};
            saves_.push_back(std::move(s));
        }
    } else if (r.ok && r.calendar) {
        error = r.calendar->error().message + (st.calendar ? "; keeping the last good calendar" : "");
    } else if (r.ok) {
        error = "no calendar in the reply";
    } else {
        error = r.error.empty() ? "HTTP " + std::to_string(r.http_status) : r.error;
    }
    if (error.empty()) {
        st.failures = 0;
        st.next_fetch = now + st.config.refresh_minutes * 60;
    } else {
        ++st.failures;
        const int64_t cap = int64_t{config_.fetch.backoff_max_minutes} * 60;
        int64_t wait = std::min<int64_t>(int64_t{60} << std::min(st.failures - 1, 20), cap);
        if (r.retry_after_seconds) wait = std::max(wait, std::min(*r.retry_after_seconds, cap));
        st.next_fetch = now + wait;
    }
    st.error = error;
    report(r.url, error);
}

std::vector<Pipeline::CalendarMetrics> Pipeline::calendar_metrics(int64_t now, bool count_events) const {
    std::vector<CalendarMetrics> out;
    for (const auto& [url, st] : calendars_) {
        CalendarMetrics m;
        m.url = url;
        m.name = source_name(url);
        m.ok = st.calendar.has_value();
        m.error = st.error;
        m.last_success = st.last_success;
        m.next_fetch = st.next_fetch;
        if (st.calendar && count_events)
            if (auto card = agenda_card(st.config, *st.calendar, now, display_zone(), config_.rotation)) m.events = card->agenda.size();
        out.push_back(std::move(m));
    }
    return out;
}

// What one finished fetch does to a feed: its items (kept on any failure), its status, its
// validators and its next poll.
void Pipeline::apply_feed(const FetchReply& r, int64_t now) {
    const std::string& url = r.url;
    if (!store_.find_status(url)) return;  // removed from the config while in flight
    FeedStatus& st = store_.status(url);
    st.last_attempt = now;
    st.http_status = r.http_status;
    FetchOutcome out;
    out.http_status = r.http_status;
    out.retry_after_seconds = r.retry_after_seconds;
    const PollingHints* hints = nullptr;
    std::string error;
    if (r.ok && r.not_modified) {
        out.kind = FetchOutcome::Kind::NotModified;
    } else if (r.ok && r.parsed && r.parsed->ok()) {
        const Feed& feed = r.parsed->value();
        if (store_.update(url, feed, now)) {
            out.kind = FetchOutcome::Kind::Ok;
            hints = &feed.hints;
        } else {
            // An empty feed is the publisher's choice, not a failure to back off from.
            out.kind = FetchOutcome::Kind::NotModified;
            error = "the feed has no items with a title or text; keeping the last good ones";
        }
    } else if (r.ok && r.parsed) {
        out.kind = FetchOutcome::Kind::ParseError;
        error = r.parsed->error().message;
    } else {
        out.kind = r.http_status ? FetchOutcome::Kind::HttpError : FetchOutcome::Kind::NetworkError;
        error = r.error.empty() ? "HTTP " + std::to_string(r.http_status) : r.error;
    }
    if (error.empty()) {
        st.last_success = now;
        st.error.clear();
        st.stale_since.reset();
        if (!r.etag.empty() || !r.last_modified.empty() || !r.not_modified) validators_[url] = {r.etag, r.last_modified};
    } else {
        st.error = error;
        if (!st.stale_since) st.stale_since = now;
    }
    scheduler_.on_result(url, out, hints, now);
    if (scheduler_.gone(url)) {
        st.gone = true;
        error = "410 Gone: the publisher removed this feed; polling stopped";
        st.error = error;
    }
    st.next_fetch = scheduler_.next_fetch(url).value_or(0);

    Counters& n = counters_[url];
    ++n.fetches;
    if (!error.empty()) ++n.errors;
    n.bytes += r.body_bytes;
    report(url, error);
    // Also after a 304: the saved next_fetch is what keeps a restart from refetching feeds that
    // are not due.
    save(url);
}

void Pipeline::apply_feed_list(const FetchReply& r, int64_t now) {
    if (r.url != base_.opml) return;  // the config named another list meanwhile
    list_in_flight_ = false;
    std::string error;
    if (r.ok && r.not_modified) {
        next_list_fetch_ = now + kListRefreshSeconds;
    } else if (r.ok) {
        auto feeds = parse_opml(r.body);
        if (!feeds) error = feeds.error().message;
        else if (feeds.value().empty()) error = "the OPML list holds no feeds; keeping the last one";
        else {
            list_validators_ = {r.etag, r.last_modified};
            SaveOrder s;
            s.kind = SaveOrder::Kind::FeedList;
            s.bytes = r.body;
            saves_.push_back(std::move(s));
            if (feeds.value() != list_feeds_) {
                list_feeds_ = std::move(feeds.value());
                log_.push_back("opml: " + r.url + ": " + std::to_string(list_feeds_.size()) + " feeds");
                compose(now);
            }
        }
        next_list_fetch_ = now + (error.empty() ? kListRefreshSeconds : kListRetrySeconds);
    } else {
        error = r.error;
        next_list_fetch_ = now + kListRetrySeconds;
    }
    report(r.url, error);
}

void Pipeline::fetch_all_now(int64_t now) { scheduler_.fetch_all_now(now); }

int64_t Pipeline::next_deadline(int64_t now) const {
    int64_t t = scheduler_.next_deadline().value_or(now + 3600);
    if (url::is_remote(base_.opml) && !list_in_flight_) t = std::min(t, next_list_fetch_);
    for (const auto& [url, p] : parked_) t = std::min(t, p.since + base_.cache.purge_after_seconds);
    for (const auto& [url, c] : calendars_)
        if (!c.in_flight) t = std::min(t, c.next_fetch);
    return std::max(t, now);
}

std::optional<Card> Pipeline::next_card(int64_t now, const std::tm& local) {
    // The owner's cards in a stable order: active announcements by source, then as listed; then
    // the agendas with something left today. Built only when an owner card may come (expanding
    // a calendar is the costly part), and then as of now.
    struct Candidate {
        std::string key;                 // source + "/" + id: which one was shown last
        const Announcement* announcement = nullptr;
        std::string source;
        std::optional<Card> agenda;
    };
    auto collect = [&] {
        std::vector<Candidate> out;
        for (const auto& [source, list] : announcements_)
            for (const Announcement& a : list)
                if (schedule_active(a.schedule, local)) out.push_back({source + "/" + a.id, &a, source, std::nullopt});
        for (const auto& [url, cal] : calendars_)
            if (cal.calendar)
                if (auto card = agenda_card(cal.config, *cal.calendar, now, display_zone(), config_.rotation))
                    out.push_back({"calendar/" + url, nullptr, {}, std::move(card)});
        return out;
    };
    auto owner = [&](std::vector<Candidate>& cards) -> Card {
        // The first after the last one shown, so each comes round in turn.
        std::size_t pick = 0;
        for (std::size_t i = 0; i < cards.size(); ++i)
            if (cards[i].key == last_owner_) pick = (i + 1) % cards.size();
        Candidate& c = cards[pick];
        last_owner_ = c.key;
        news_since_owner_ = 0;
        return c.announcement ? owner_card(*c.announcement, c.source) : std::move(*c.agenda);
    };
    const int share = std::max(2, config_.announcement_options.share);
    if (news_since_owner_ >= share - 1)
        if (std::vector<Candidate> cards = collect(); !cards.empty()) return owner(cards);
    if (std::optional<Card> news = rotation_.next(store_, config_, now)) {
        ++news_since_owner_;
        return news;
    }
    // No stories at all: the owner's cards, never a blank.
    if (std::vector<Candidate> cards = collect(); !cards.empty()) return owner(cards);
    return std::nullopt;
}

std::optional<Card> Pipeline::next_card(int64_t now) { return next_card(now, local_tm(now)); }

Card Pipeline::owner_card(const Announcement& a, const std::string& source) const {
    Card c;
    c.kind = Card::Kind::Announcement;
    c.entry.feed_url = "announcement:" + source;
    c.entry.item.id = a.id;
    c.entry.item.title = a.title;
    c.entry.item.summary = a.body;
    c.entry.item.image = a.image;
    c.entry.item.link = a.link;
    c.color = a.color;
    Item words;
    words.title = a.title;
    words.summary = markdown_plain_text(a.body);
    c.dwell_seconds = a.dwell_seconds > 0 ? a.dwell_seconds : dwell_seconds(words, config_.rotation);
    return c;
}

void Pipeline::set_announcements(const std::string& source, std::vector<Announcement> list) {
    announcements_[source] = std::move(list);
}

void Pipeline::set_alerts(const std::string& source, std::vector<Alert> list) { alerts_[source] = std::move(list); }

std::string Pipeline::send_alert(Alert alert, int64_t now) {
    std::vector<Alert>& sent = alerts_["sent"];
    if (alert.id.empty()) alert.id = "alert-" + std::to_string(now) + "-" + std::to_string(next_alert_id_++);
    if (alert.created == 0) alert.created = now;
    std::erase_if(sent, [&](const Alert& a) { return a.id == alert.id; });  // the same id again replaces it
    sent.push_back(alert);
    save_alerts();
    return alert.id;
}

std::size_t Pipeline::clear_alerts(const std::string& id) {
    std::vector<Alert>& sent = alerts_["sent"];
    const std::size_t n = std::erase_if(sent, [&](const Alert& a) { return id.empty() || a.id == id; });
    if (n) save_alerts();
    return n;
}

void Pipeline::restore_alerts(std::vector<Alert> alerts, int64_t now) {
    std::erase_if(alerts, [&](const Alert& a) { return a.expires != 0 && a.expires <= now; });
    alerts_["sent"] = std::move(alerts);
}

void Pipeline::save_alerts() {
    SaveOrder s;
    s.kind = SaveOrder::Kind::Alerts;
    s.alerts = alerts_["sent"];
    saves_.push_back(std::move(s));
}

std::vector<Alert> Pipeline::active_alerts(int64_t now, const std::tm& local) const {
    std::vector<Alert> out;
    for (const auto& [source, list] : alerts_)
        for (const Alert& a : list)
            if (alert_active(a, now, local)) out.push_back(a);
    std::stable_sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
        return a.level != b.level ? a.level > b.level : a.created > b.created;
    });
    return out;
}
std::optional<Card> Pipeline::previous_card() { return rotation_.previous(); }

std::vector<SaveOrder> Pipeline::take_saves() { return std::exchange(saves_, {}); }
std::vector<StatusChange> Pipeline::take_status_changes() { return std::exchange(changes_, {}); }
std::vector<std::string> Pipeline::take_log() { return std::exchange(log_, {}); }

void Pipeline::report(const std::string& url, const std::string& error) {
    auto it = last_error_.find(url);
    const bool known = it != last_error_.end();
    if (known && it->second == error) return;  // identical state: said once, not every poll
    if (!error.empty()) {
        changes_.push_back({url, source_name(url), false, error});
        log_.push_back(who(url) + ": failing: " + error);
    } else if (known) {
        changes_.push_back({url, source_name(url), true, "recovered"});
        log_.push_back(who(url) + ": recovered");
    }
    last_error_[url] = error;
}

CachedFeed Pipeline::cached(const std::string& url) const {
    CachedFeed c;
    c.url = url;
    c.entries = store_.entries(url);
    if (const FeedStatus* st = store_.find_status(url)) c.status = *st;
    if (auto v = validators_.find(url); v != validators_.end()) {
        c.etag = v->second.etag;
        c.last_modified = v->second.last_modified;
    }
    return c;
}

void Pipeline::save(const std::string& url) {
    if (!opt_.local_scheme.empty() && url.starts_with(opt_.local_scheme)) return;
    SaveOrder s;
    s.kind = SaveOrder::Kind::Feed;
    s.feed = cached(url);
    saves_.push_back(std::move(s));
}

std::string Pipeline::source_name(const std::string& url) const {
    if (const FeedConfig* f = find_feed(config_.feeds, url); f && !f->name.empty()) return f->name;
    if (auto c = calendars_.find(url); c != calendars_.end()) {
        if (!c->second.config.name.empty()) return c->second.config.name;
        if (c->second.calendar && !c->second.calendar->name.empty()) return c->second.calendar->name;
        return "calendar " + url;
    }
    if (const FeedStatus* s = store_.find_status(url); s && !s->title.empty()) return s->title;
    return url;
}

// "Name (url)", or the URL alone when the feed has no name yet.
std::string Pipeline::who(const std::string& url) const {
    std::string s = source_name(url);
    return s.ends_with(url) ? s : s + " (" + url + ")";
}

std::vector<FeedMetrics> Pipeline::feed_metrics() const {
    std::vector<FeedMetrics> out;
    for (const std::string& url : store_.feed_urls()) {
        FeedMetrics f;
        f.url = url;
        f.name = source_name(url);
        if (const FeedStatus* s = store_.find_status(url)) f.status = *s;
        f.next_fetch = scheduler_.next_fetch(url);
        if (auto it = counters_.find(url); it != counters_.end()) {
            f.fetches = it->second.fetches;
            f.errors = it->second.errors;
            f.bytes = it->second.bytes;
        }
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace nk
