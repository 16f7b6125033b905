// SPDX-License-Identifier: Apache-2.0
#include "feed/xml_prepare.h"

#include <catch2/catch.hpp>

#include <tinyxml2.h>

#include <chrono>
#include <string>

using nk::xml::note_references;
using nk::xml::repair;

namespace {

std::vector<std::string> notes(std::string_view in) {
    std::vector<std::string> w;
    note_references(in, w);
    return w;
}

bool well_formed(const std::string& xml) {
    tinyxml2::XMLDocument doc;
    return doc.Parse(xml.data(), xml.size()) == tinyxml2::XML_SUCCESS && doc.RootElement();
}

}  // namespace

TEST_CASE("note_references says nothing about clean XML", "[xml]") {
    CHECK(notes("<a x=\"1 &amp; 2\">&lt;p&gt; &#8212; &#x41; &quot; &#150;</a>").empty());
}

TEST_CASE("note_references reports HTML entities XML does not define", "[xml][quirk-html-entities]") {
    const auto w = notes("<a>x &mdash; y\n&hellip; caf&eacute;</a>");
    REQUIRE(w.size() == 1);
    CHECK(w[0] == "decoded 3 HTML entities that XML does not define (first &mdash; at line 1)");
}

TEST_CASE("note_references reports bare and unknown ampersands", "[xml][quirk-bare-amp]") {
    const auto w = notes("<a href=\"?a=1&b=2\">AT&T & co\n&foo; &#;</a>");
    REQUIRE(w.size() == 2);
    CHECK(w[0] == "kept 4 bare '&' as text (first at line 1)");
    CHECK(w[1] == "kept 1 unknown entities as text (first &foo; at line 2)");
}

TEST_CASE("note_references skips CDATA and comments", "[xml]") {
    CHECK(notes("<a><![CDATA[&mdash; & <b>]]><!-- & --></a>").empty());
}

// The decoding itself happens as the parser reads; these are the rules it follows.
TEST_CASE("tinyxml2 leaves every reference as written, for the parser to decode", "[xml]") {
    tinyxml2::XMLDocument doc(false, tinyxml2::PRESERVE_WHITESPACE);
    REQUIRE(doc.Parse("<a x=\"AT&T &eacute;\">AT&T &eacute; &#0; &#150; &bogus; &</a>") == tinyxml2::XML_SUCCESS);
    CHECK(std::string(doc.RootElement()->GetText()) == "AT&T &eacute; &#0; &#150; &bogus; &");
    CHECK(std::string(doc.RootElement()->Attribute("x")) == "AT&T &eacute;");
}

TEST_CASE("repair produces well-formed XML from broken feeds", "[xml][repair]") {
    std::vector<std::string> w;
    auto fix = [&](std::string_view in) {
        w.clear();
        std::string out = repair(in, 64, w);
        INFO(in << " -> " << out);
        CHECK(well_formed(out));
        return out;
    };
    CHECK(fix("garbage\n<?xml version='1.0'?><rss><a>x</a></rss>") == "<rss><a>x</a></rss>");
    CHECK(w.size() == 1);
    CHECK(fix("<rss><a>x</a></rss>junk <more/>") == "<rss><a>x</a></rss>");
    CHECK(fix("<rss><d><p>Hello <br> world</p></d></rss>") == "<rss><d><p>Hello <br/> world</p></d></rss>");
    CHECK(fix("<rss><d><p>one<p>two</d></rss>") == "<rss><d><p>one<p>two</p></p></d></rss>");
    CHECK(fix("<rss><t>a < b <3 <<</t></rss>") == "<rss><t>a &lt; b &lt;3 &lt;&lt;</t></rss>");
    CHECK(fix("<rss><a q='1' q='2' r=bare s>x</a></rss>") == "<rss><a q=\"1\" r=\"bare\" s=\"s\">x</a></rss>");
    CHECK(fix("<rss><x>y</z></x></rss>") == "<rss><x>y</x></rss>");
    CHECK(fix("<rss><item><title>Whole</title><description>cut off he") ==
          "<rss><item><title>Whole</title><description>cut off he<nk-cut/></description><nk-cut/></item><nk-cut/></rss>");
    CHECK(fix("<!DOCTYPE rss [<!ENTITY x \"y\">]><rss/>") == "<rss/>");
    CHECK(fix("<rss><a><![CDATA[unterminated <b>") == "<rss><a><![CDATA[unterminated <b>]]><nk-cut/></a><nk-cut/></rss>");
    CHECK(repair("no markup at all", 64, w).empty());
}

TEST_CASE("repair flattens nesting beyond the limit", "[xml][repair]") {
    std::string in = "<rss>";
    for (int i = 0; i < 500; ++i) in += "<div>";
    in += "deep";
    for (int i = 0; i < 500; ++i) in += "</div>";
    in += "</rss>";
    std::vector<std::string> w;
    std::string out = repair(in, 10, w);
    CHECK(well_formed(out));
    CHECK(out.find("deep") != std::string::npos);
    bool flattened = false;
    for (auto& s : w) flattened |= s.find("flattened") != std::string::npos;
    CHECK(flattened);
}

TEST_CASE("repair and note_references stay linear on hostile input", "[xml][repair]") {
    // Patterns that make naive repairers rescan: unclosed quotes, endless '<', '&', open tags.
    for (std::string unit : {"<a b=\"", "<", "&", "<x>", "</y>", "<!--", "<![CDATA[", "&#x"}) {
        std::string in = "<rss>";
        while (in.size() < 2'000'000) in += unit;
        std::vector<std::string> w;
        note_references(in, w);
        std::string out = repair(in, 64, w);
        // No timing assertion (benchmarks measure speed); finishing at all under ctest's timeout is the check.
        CHECK(well_formed(out));
    }
}
