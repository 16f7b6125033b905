// SPDX-License-Identifier: Apache-2.0
// markdown.h: the small Markdown subset announcements are written in, as blocks of styled
// spans: paragraphs, "- " bullet items (also "* " and "+ "), a "# " heading (drawn as a bold
// paragraph), **bold** (or __bold__), *italic* (or _italic_), and line breaks. A newline inside a
// paragraph is a line break, as a receptionist typing "Wi-Fi: Guest" on its own line expects; a
// blank line starts a new paragraph. Anything else is text: an unmatched marker stays as typed,
// "\*" is a literal star. Never fails, linear in its input. Pure; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nk {

struct TextSpan {
    std::string text;                  // "\n" alone is a line break
    bool bold = false;
    bool italic = false;
    bool operator==(const TextSpan&) const = default;
};

struct TextBlock {
    enum class Kind { Paragraph, Bullet };
    Kind kind = Kind::Paragraph;
    std::vector<TextSpan> spans;
    bool operator==(const TextBlock&) const = default;
};

std::vector<TextBlock> parse_markdown(std::string_view text);

// The text without markup: blocks on lines of their own, bullets as "• ". For the headless
// output, the reading time and the search for priority keywords.
std::string markdown_plain_text(std::string_view text);

}  // namespace nk
