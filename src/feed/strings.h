// SPDX-License-Identifier: Apache-2.0
// strings.h: the few ASCII string helpers every layer needs (trimming, case-insensitive
// comparison), in one place so that each module does not grow its own slightly different copy.
// ASCII only on purpose: protocol tokens, header names, charset labels and config keywords are
// ASCII; folding display text is Store's business (contains_words). The feed reader is the
// bottom of the dependency graph, so the header lives here. Pure, header-only; any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nk::str {

// Space, tab, CR, LF, form feed, vertical tab: what XML, HTTP and TOML authors leave around values.
constexpr bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

inline std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

constexpr bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace nk::str
