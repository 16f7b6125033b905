#include "core/fetch_result.h"

namespace nk {

std::string apply_fetch_result(Store& store, Scheduler& scheduler, Validators& validators, const std::string& url,
                               const FetchResult& r, int64_t now) {
    if (!store.find_status(url)) return {};
    FeedStatus& st = store.status(url);
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
        if (store.update(url, feed, now)) {
            out.kind = FetchOutcome::Kind::Ok;
            hints = &feed.hints;
        } else {
            // An empty feed is the publisher's choice, not a failure to back off from.
            out.kind = FetchOutcome::Kind::NotModified;
            error = "the feed has no items; keeping the last good ones";
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
        if (!r.etag.empty() || !r.last_modified.empty() || !r.not_modified) {
            validators.etag = r.etag;
            validators.last_modified = r.last_modified;
        }
    } else {
        st.error = error;
        if (!st.stale_since) st.stale_since = now;
    }
    scheduler.on_result(url, out, hints, now);
    if (scheduler.gone(url)) {
        st.gone = true;
        error = "410 Gone: the publisher removed this feed; polling stopped";
        st.error = error;
    }
    st.next_fetch = scheduler.next_fetch(url).value_or(0);
    return error;
}

}  // namespace nk
