// url.h: just enough URL handling for feeds: resolving relative links (RFC 3986 section 5)
// against xml:base and the feed's own URL. Not a validator and not a normaliser.
// Pure; any thread.
#pragma once

#include <string>
#include <string_view>

namespace nk::url {

// True when s starts with a scheme ("http:", "mailto:", ...).
bool has_scheme(std::string_view s);

// ref resolved against base; ref itself (trimmed) when it is absolute or base is empty or
// has no scheme. Whitespace around ref is dropped; inner spaces become %20.
std::string resolve(std::string_view base, std::string_view ref);

}  // namespace nk::url
