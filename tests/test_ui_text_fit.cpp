// SPDX-License-Identifier: Apache-2.0
// fit_text, fit_line and fit_size against the kiosk's real font (DejaVu Sans), measured the way ImGui draws it.
#include "ui/text_fit.h"

#include <catch2/catch.hpp>
#include <imgui.h>

#include <cfloat>
#include <cmath>
#include <sstream>

namespace {

// Loaded like a headline font: Latin-1, Cyrillic and General Punctuation (for U+2026).
struct Fonts {
    ImGuiContext* ctx = ImGui::CreateContext();
    ImFont* dejavu = nullptr;
    ImFont* builtin = nullptr;  // ImGui's ProggyClean: no U+2026

    Fonts() {
        ImGui::GetIO().IniFilename = nullptr;  // tests leave no imgui.ini behind
        static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0400, 0x04FF, 0x2000, 0x206F, 0};
        ImFontAtlas* atlas = ImGui::GetIO().Fonts;
        dejavu = atlas->AddFontFromFileTTF("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 32.0f, nullptr, ranges);
        builtin = atlas->AddFontDefault();
        REQUIRE(dejavu);
        REQUIRE(atlas->Build());
    }
    Fonts(const Fonts&) = delete;
    Fonts& operator=(const Fonts&) = delete;
    ~Fonts() { ImGui::DestroyContext(ctx); }

    float width(const std::string& s, float size = 32.0f) const {
        return dejavu->CalcTextSizeA(size, FLT_MAX, 0.0f, s.data(), s.data() + s.size()).x;
    }
};

const std::string kEllipsis = "\xE2\x80\xA6";

const std::string kStory =
    "The city council approved the long-debated harbour bridge on Tuesday evening, ending a decade of planning "
    "disputes. Construction is expected to begin next spring and to last three years, during which the ferry "
    "service will run every twenty minutes instead of every hour. Residents of the old town, who had opposed "
    "the project, said they would appeal.";

std::vector<std::string> words_of(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> w;
    for (std::string word; in >> word;) w.push_back(word);
    return w;
}

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Every multi-byte sequence complete: the line was not cut inside one.
bool whole_code_points(const std::string& s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

std::string cyrillic_word(int letters) {
    const std::string alphabet = "абвгдежзийклмнопрстуфхцчшщъыьэюя";  // 2 bytes each in UTF-8
    std::string w;
    for (int i = 0; i < letters; ++i) w += alphabet.substr(static_cast<std::size_t>(i % 32) * 2, 2);
    return w;
}

}  // namespace

TEST_CASE_METHOD(Fonts, "fit_text: short text stays one line, untouched", "[text_fit]") {
    const auto f = nk::ui::fit_text(dejavu, 32, "Harbour bridge approved", 1000, 3);
    CHECK(f.lines == std::vector<std::string>{"Harbour bridge approved"});
    CHECK_FALSE(f.truncated);
    CHECK(nk::ui::fit_line(dejavu, 32, "Harbour bridge approved", 1000) == "Harbour bridge approved");
}

TEST_CASE_METHOD(Fonts, "fit_text: long text wraps greedily into lines that each fit", "[text_fit]") {
    const float w = 500;
    const auto f = nk::ui::fit_text(dejavu, 32, kStory, w, 0);
    CHECK_FALSE(f.truncated);
    REQUIRE(f.lines.size() > 5);
    std::string joined;
    for (std::size_t i = 0; i < f.lines.size(); ++i) {
        INFO(f.lines[i]);
        CHECK(width(f.lines[i]) <= w);
        if (i + 1 < f.lines.size()) CHECK(width(f.lines[i] + " " + words_of(f.lines[i + 1]).front()) > w);
        joined += (i ? " " : "") + f.lines[i];
    }
    CHECK(joined == kStory);
}

TEST_CASE_METHOD(Fonts, "fit_text: over max_lines the last line ends in an ellipsis, cut between words", "[text_fit]") {
    const float w = 500;
    const auto f = nk::ui::fit_text(dejavu, 32, kStory, w, 3);
    CHECK(f.truncated);
    REQUIRE(f.lines.size() == 3);
    std::string kept;
    for (const auto& line : f.lines) {
        INFO(line);
        CHECK(width(line) <= w);
        kept += line + " ";
    }
    REQUIRE(ends_with(f.lines.back(), kEllipsis));
    kept.resize(kept.size() - 1 - kEllipsis.size());
    const auto kept_words = words_of(kept);
    const auto all_words = words_of(kStory);
    REQUIRE(kept_words.size() < all_words.size());
    CHECK(std::equal(kept_words.begin(), kept_words.end(), all_words.begin()));  // whole words only

    const auto one = nk::ui::fit_line(dejavu, 32, kStory, w);
    CHECK(ends_with(one, kEllipsis));
    CHECK(width(one) <= w);
    // A font without U+2026 gets three dots instead of its '?' fallback glyph.
    CHECK(ends_with(nk::ui::fit_line(builtin, 13, kStory, 200), "..."));
}

TEST_CASE_METHOD(Fonts, "fit_text: a word longer than the line is cut between code points", "[text_fit]") {
    const std::string word = cyrillic_word(200);
    const float w = 300;
    const auto f = nk::ui::fit_text(dejavu, 32, word, w, 0);
    REQUIRE(f.lines.size() > 5);
    std::string joined;
    for (const auto& line : f.lines) {
        INFO(line);
        CHECK(width(line) <= w);
        CHECK(whole_code_points(line));
        joined += line;
    }
    CHECK(joined == word);

    const auto cut = nk::ui::fit_text(dejavu, 32, "Слово: " + word, w, 2);
    CHECK(cut.truncated);
    REQUIRE(cut.lines.size() == 2);
    CHECK(cut.lines[0] == "Слово:");
    CHECK(ends_with(cut.lines[1], kEllipsis));
    CHECK(width(cut.lines[1]) <= w);
    CHECK(whole_code_points(cut.lines[1]));
}

TEST_CASE_METHOD(Fonts, "fit_text: newlines start paragraphs, blank runs collapse", "[text_fit]") {
    const auto f =
        nk::ui::fit_text(dejavu, 32, "  Breaking:\nHarbour   bridge\t opens \n\n Ferries  diverted\n", 1000, 0);
    CHECK(f.lines == std::vector<std::string>{"Breaking:", "Harbour bridge opens", "Ferries diverted"});
    CHECK_FALSE(f.truncated);

    const auto two = nk::ui::fit_text(dejavu, 32, "Breaking:\nHarbour bridge opens\nFerries diverted", 1000, 2);
    CHECK(two.truncated);
    CHECK(two.lines == std::vector<std::string>{"Breaking:", "Harbour bridge opens" + kEllipsis});
    CHECK(nk::ui::fit_text(dejavu, 32, " \n\t ", 1000, 3).lines.empty());
}

TEST_CASE_METHOD(Fonts, "fit_size: max_px for short text, smaller for long, min_px when nothing fits", "[text_fit]") {
    CHECK(nk::ui::fit_size(dejavu, "Bridge approved", 800, 2, 20, 96) == 96);

    const float s = nk::ui::fit_size(dejavu, kStory, 900, 4, 20, 96);
    CHECK(s < 96);
    CHECK(s > 20);
    CHECK(s == std::floor(s));
    CHECK_FALSE(nk::ui::fit_text(dejavu, s, kStory, 900, 4).truncated);
    CHECK(nk::ui::fit_text(dejavu, 96, kStory, 900, 4).truncated);

    CHECK(nk::ui::fit_size(dejavu, kStory + " " + kStory + " " + kStory, 300, 2, 20, 96) == 20);

    // A long word is not cut when a smaller size keeps it whole.
    const std::string word = "Donaudampfschifffahrtsgesellschaftskapitän";
    const float ws = nk::ui::fit_size(dejavu, word, 400, 2, 10, 96);
    CHECK(width(word, ws) <= 400);
    CHECK(nk::ui::fit_text(dejavu, ws, word, 400, 2).lines.size() == 1);
}
