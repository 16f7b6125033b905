// SPDX-License-Identifier: Apache-2.0
// url.h: just enough URL handling for feeds: resolving relative links (RFC 3986 section 5)
// against xml:base and the feed's own URL, the canonical form that tells two links to one story
// apart from two stories, and a host for a badge. Not a validator.
// Pure; any thread.
#pragma once

#include <string>
#include <string_view>

namespace nk::url {

// True when s starts with a scheme ("http:", "mailto:", ...).
bool has_scheme(std::string_view s);

// A URL fetched over the network: any scheme but file: ("feeds.opml" and file:///x are local).
bool is_remote(std::string_view s);

// ref resolved against base; ref itself (trimmed) when it is absolute or base is empty or
// has no scheme. Whitespace around ref is dropped; inner spaces become %20.
std::string resolve(std::string_view base, std::string_view ref);

// Canonical form of a link for dedupe: scheme and host lower-cased, default port, fragment and
// tracking parameters (utm_*, fbclid, gclid, ...) removed, trailing slash dropped. "www." and the
// scheme are kept: merging them would merge sites that differ.
std::string canonical_link(std::string_view url);

// The host of a URL for a source badge ("example.com" for https://www.Example.com/feed), without
// "www."; the text itself (trimmed) when it has no host.
std::string display_host(std::string_view url);

}  // namespace nk::url
