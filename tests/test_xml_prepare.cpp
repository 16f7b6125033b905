// SPDX-License-Identifier: Apache-2.0
#include "feed/xml_prepare.h"

#include <catch2/catch.hpp>

#include <tinyxml2.h>

#include <chrono>
#include <string>

using nk::xml::normalize_references;
using nk::xml::repair;

namespace {

std::string norm(std::string_view in, std::vector<std::string>* warnings = nullptr) {
    std::string storage;
    std::vector<std::string> w;
    std::string out(normalize_references(in, storage, w));
    if (warnings) *warnings = w;
    return out;
}

bool well_formed(const std::string& xml) {
    tinyxml2::XMLDocument doc;
    return doc.Parse(xml.data(), xml.size()) == tinyxml2::XML_SUCCESS && doc.RootElement();
}

}  // namespace

TEST_CASE("normalize_references leaves clean XML untouched and uncopied", "[xml]") {
    std::string in = "<a x=\"1 &amp; 2\">&lt;p&gt; &#8212; &#x41; &quot;</a>";
    std::string storage;
    std::vector<std::string> w;
    std::string_view out = normalize_references(in, storage, w);
    CHECK(out.data() == in.data());
    CHECK(w.empty());
}

TEST_CASE("normalize_references decodes HTML entities XML does not define", "[xml][quirk-html-entities]") {
    std::vector<std::string> w;
    CHECK(norm("<a>x &mdash; y &hellip; caf&eacute;</a>", &w) == "<a>x — y … café</a>");
    REQUIRE(w.size() == 1);
    CHECK(w[0].find("&mdash;") != std::string::npos);
    CHECK(w[0].find("line 1") != std::string::npos);
    // Entities that decode to markup characters stay escaped so the XML keeps its shape.
    CHECK(norm("<a t=\"&QUOT;\">&LT;b&GT;</a>") == "<a t=\"&quot;\">&lt;b&gt;</a>");
}

TEST_CASE("normalize_references escapes bare and unknown ampersands", "[xml][quirk-bare-amp]") {
    std::vector<std::string> w;
    CHECK(norm("<a href=\"?a=1&b=2\">AT&T & co &foo; &#;</a>", &w) ==
          "<a href=\"?a=1&amp;b=2\">AT&amp;T &amp; co &amp;foo; &amp;#;</a>");
    CHECK(w.size() == 2);
}

TEST_CASE("normalize_references maps numeric references as browsers do", "[xml]") {
    CHECK(norm("<a>&#150;&#146;&#0;&#x1;&#xD800;&#1114112;&#99999999999999999999;</a>") ==
          "<a>–’\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD</a>");
    CHECK(norm("<a>&#60;&#38</a>") == "<a>&#60;&amp;</a>");
}

TEST_CASE("normalize_references leaves CDATA and comments alone", "[xml]") {
    std::string in = "<a><![CDATA[&mdash; & <b>]]><!-- & --></a>";
    CHECK(norm(in) == in);
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

TEST_CASE("repair and normalize stay linear on hostile input", "[xml][repair]") {
    // Patterns that make naive repairers rescan: unclosed quotes, endless '<', '&', open tags.
    for (std::string unit : {"<a b=\"", "<", "&", "<x>", "</y>", "<!--", "<![CDATA[", "&#x"}) {
        std::string in = "<rss>";
        while (in.size() < 2'000'000) in += unit;
        std::vector<std::string> w;
        std::string storage;
        std::string_view n = normalize_references(in, storage, w);
        std::string out = repair(n, 64, w);
        // No timing assertion (benchmarks measure speed); finishing at all under ctest's timeout is the check.
        CHECK(well_formed(out));
    }
}
