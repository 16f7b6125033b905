// SPDX-License-Identifier: Apache-2.0
#include "feed/url.h"

#include <catch2/catch.hpp>

using nk::url::resolve;

TEST_CASE("relative references resolve as RFC 3986 section 5.4 says", "[url]") {
    const char* base = "http://a/b/c/d;p?q";
    CHECK(resolve(base, "g") == "http://a/b/c/g");
    CHECK(resolve(base, "./g") == "http://a/b/c/g");
    CHECK(resolve(base, "g/") == "http://a/b/c/g/");
    CHECK(resolve(base, "/g") == "http://a/g");
    CHECK(resolve(base, "//g") == "http://g");
    CHECK(resolve(base, "?y") == "http://a/b/c/d;p?y");
    CHECK(resolve(base, "g?y") == "http://a/b/c/g?y");
    CHECK(resolve(base, "#s") == "http://a/b/c/d;p?q#s");
    CHECK(resolve(base, "g#s") == "http://a/b/c/g#s");
    CHECK(resolve(base, "") == "http://a/b/c/d;p?q");
    CHECK(resolve(base, ".") == "http://a/b/c/");
    CHECK(resolve(base, "..") == "http://a/b/");
    CHECK(resolve(base, "../g") == "http://a/b/g");
    CHECK(resolve(base, "../../g") == "http://a/g");
    CHECK(resolve(base, "../../../g") == "http://a/g");
    CHECK(resolve(base, "g/./h") == "http://a/b/c/g/h");
    CHECK(resolve(base, "g/../h") == "http://a/b/c/h");
}

TEST_CASE("absolute references, missing bases and messy links", "[url]") {
    CHECK(resolve("http://a/b", "https://x.org/p") == "https://x.org/p");
    CHECK(resolve("", "/relative") == "/relative");
    CHECK(resolve("not a url", "img.png") == "img.png");
    CHECK(resolve("https://site.example", "img/a.png") == "https://site.example/img/a.png");
    CHECK(resolve("https://site.example/blog/", "  \n /p/1 \n") == "https://site.example/p/1");
    CHECK(resolve("https://site.example/", "a b.png") == "https://site.example/a%20b.png");
    CHECK(nk::url::has_scheme("mailto:x@y"));
    CHECK_FALSE(nk::url::has_scheme("/x:y"));
}
