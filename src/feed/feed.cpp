// SPDX-License-Identifier: Apache-2.0
#include "feed/feed.h"

namespace nk {

std::string_view format_name(FeedFormat f) {
    switch (f) {
        case FeedFormat::Rss20: return "rss2.0";
        case FeedFormat::Rss10: return "rss1.0";
        case FeedFormat::Rss09x: return "rss0.9x";
        case FeedFormat::Atom10: return "atom1.0";
        case FeedFormat::Atom03: return "atom0.3";
        case FeedFormat::Json10: return "json1.0";
        case FeedFormat::Json11: return "json1.1";
    }
    return "rss2.0";
}

}  // namespace nk
