// SPDX-License-Identifier: Apache-2.0
#include "feed/url.h"
#include "feed/strings.h"

#include <algorithm>
#include <array>
#include <vector>

namespace nk::url {
namespace {

using str::trim;
using str::is_space;

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Feeds carry links with stray spaces and line breaks from templating; a browser would
// encode inner spaces and drop the rest, so the QR code must hold the same.
std::string clean(std::string_view s) {
    // Almost every link is clean already: one look, one copy.
    if (std::none_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }))
        return std::string(s);
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (c == ' ') out += "%20";
        else if (c == '\n' || c == '\r' || c == '\t') continue;
        else out += c;
    }
    return out;
}

struct Parts {
    std::string_view scheme, authority, path, query, fragment;
    bool has_authority = false, has_query = false, has_fragment = false;
};

Parts split(std::string_view s) {
    Parts p;
    if (auto h = s.find('#'); h != std::string_view::npos) {
        p.fragment = s.substr(h + 1);
        p.has_fragment = true;
        s = s.substr(0, h);
    }
    if (auto q = s.find('?'); q != std::string_view::npos) {
        p.query = s.substr(q + 1);
        p.has_query = true;
        s = s.substr(0, q);
    }
    if (has_scheme(s)) {
        auto c = s.find(':');
        p.scheme = s.substr(0, c);
        s = s.substr(c + 1);
    }
    if (s.starts_with("//")) {
        s.remove_prefix(2);
        auto slash = s.find('/');
        p.authority = s.substr(0, slash);
        p.has_authority = true;
        s = slash == std::string_view::npos ? std::string_view{} : s.substr(slash);
    }
    p.path = s;
    return p;
}

// RFC 3986 5.2.4, on whole segments so it stays linear.
std::string remove_dot_segments(std::string_view path) {
    std::vector<std::string_view> out;
    bool absolute = path.starts_with('/');
    bool trailing_slash = false;
    size_t i = absolute ? 1 : 0;
    while (i <= path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        std::string_view seg = path.substr(i, j - i);
        bool last = j == path.size();
        if (seg == ".") {
            trailing_slash = last;
        } else if (seg == "..") {
            if (!out.empty()) out.pop_back();
            trailing_slash = last;
        } else {
            out.push_back(seg);
            trailing_slash = false;
        }
        i = j + 1;
    }
    std::string r;
    r.reserve(path.size());
    if (absolute) r += '/';
    for (size_t k = 0; k < out.size(); ++k) {
        if (k) r += '/';
        r += out[k];
    }
    if (trailing_slash && !r.empty() && r.back() != '/') r += '/';
    return r;
}

bool is_tracking_param(std::string_view name) {
    std::string n = str::lower(name);
    if (n.starts_with("utm_")) return true;
    static constexpr std::array<std::string_view, 9> known{"fbclid", "gclid",  "mc_cid", "mc_eid", "igshid",
                                                            "ref",    "ref_src", "cmpid",  "ocid"};
    return std::find(known.begin(), known.end(), n) != known.end();
}

struct Authority {
    std::string_view userinfo, host, port;
};

Authority split_authority(std::string_view auth) {
    Authority a;
    if (auto at = auth.rfind('@'); at != std::string_view::npos) {
        a.userinfo = auth.substr(0, at);
        auth = auth.substr(at + 1);
    }
    a.host = auth;
    // The colon of an IPv6 literal is not a port separator.
    if (auto colon = auth.rfind(':'); colon != std::string_view::npos && auth.find(']', colon) == std::string_view::npos) {
        a.host = auth.substr(0, colon);
        a.port = auth.substr(colon + 1);
    }
    return a;
}

}  // namespace

bool has_scheme(std::string_view s) {
    if (s.empty() || !is_alpha(s[0])) return false;
    for (size_t i = 1; i < s.size(); ++i) {
        char c = s[i];
        if (c == ':') return true;
        if (!(is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) return false;
    }
    return false;
}

bool is_remote(std::string_view s) { return has_scheme(s) && !str::istarts_with(trim(s), "file:"); }

std::string resolve(std::string_view base_in, std::string_view ref_in) {
    std::string ref = clean(trim(ref_in));
    std::string base = clean(trim(base_in));
    if (has_scheme(ref) || base.empty() || !has_scheme(base)) return ref;

    Parts b = split(base);
    Parts r = split(ref);
    std::string out;
    out.reserve(base.size() + ref.size());
    out.append(b.scheme).append(":");
    auto append_tail = [&](std::string_view path, bool has_q, std::string_view q) {
        out += path;
        if (has_q) out.append("?").append(q);
        if (r.has_fragment) out.append("#").append(r.fragment);
    };
    if (r.has_authority) {
        out.append("//").append(r.authority);
        append_tail(remove_dot_segments(r.path), r.has_query, r.query);
        return out;
    }
    if (b.has_authority) out.append("//").append(b.authority);
    if (r.path.empty()) {
        append_tail(b.path, r.has_query || b.has_query, r.has_query ? r.query : b.query);
        return out;
    }
    if (r.path.starts_with('/')) {
        append_tail(remove_dot_segments(r.path), r.has_query, r.query);
        return out;
    }
    std::string merged;
    if (b.has_authority && b.path.empty()) {
        merged = "/";
    } else {
        auto slash = b.path.rfind('/');
        if (slash != std::string_view::npos) merged = std::string(b.path.substr(0, slash + 1));
    }
    merged += r.path;
    append_tail(remove_dot_segments(merged), r.has_query, r.query);
    return out;
}

// The host of a URL for a source badge, without "www."; the URL itself when it has no host.
std::string display_host(std::string_view url_text) {
    std::string_view s = trim(url_text);
    if (has_scheme(s)) s = s.substr(s.find(':') + 1);
    if (!s.starts_with("//")) return std::string(trim(url_text));
    s.remove_prefix(2);
    s = s.substr(0, s.find_first_of("/?#"));
    std::string host = str::lower(split_authority(s).host);
    if (host.starts_with("www.")) host.erase(0, 4);
    return host.empty() ? std::string(trim(url_text)) : host;
}


std::string canonical_link(std::string_view url_text) {
    std::string_view s = trim(url_text);
    if (auto h = s.find('#'); h != std::string_view::npos) s = s.substr(0, h);
    std::string_view query;
    if (auto q = s.find('?'); q != std::string_view::npos) {
        query = s.substr(q + 1);
        s = s.substr(0, q);
    }
    std::string out;
    out.reserve(s.size() + query.size() + 1);
    std::string scheme;
    if (has_scheme(s)) {
        auto colon = s.find(':');
        scheme = str::lower(s.substr(0, colon));
        out.append(scheme).append(":");
        s = s.substr(colon + 1);
    }
    if (s.starts_with("//")) {
        s.remove_prefix(2);
        auto slash = s.find('/');
        Authority a = split_authority(s.substr(0, slash));
        s = slash == std::string_view::npos ? std::string_view{} : s.substr(slash);
        out += "//";
        if (!a.userinfo.empty()) out.append(a.userinfo).append("@");
        out += str::lower(a.host);
        bool default_port = a.port.empty() || (scheme == "http" && a.port == "80") || (scheme == "https" && a.port == "443");
        if (!default_port) out.append(":").append(a.port);
    }
    while (!s.empty() && s.back() == '/') s.remove_suffix(1);
    out += s;
    bool first = true;
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view param = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (param.empty() || is_tracking_param(param.substr(0, param.find('=')))) continue;
        out += first ? '?' : '&';
        out += param;
        first = false;
    }
    return out;
}

}  // namespace nk::url
