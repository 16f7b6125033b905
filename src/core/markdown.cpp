// SPDX-License-Identifier: Apache-2.0
#include "core/markdown.h"

#include "feed/strings.h"

#include <cstddef>

namespace nk {
namespace {

bool is_alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80;
}

bool is_punct(char c) {
    return std::string_view("\\`*_{}[]()#+-.!~|>").find(c) != std::string_view::npos;
}

void add(std::vector<TextSpan>& spans, std::string_view text, bool bold, bool italic) {
    if (text.empty()) return;
    if (!spans.empty() && spans.back().bold == bold && spans.back().italic == italic && spans.back().text != "\n") {
        spans.back().text.append(text);
        return;
    }
    spans.push_back({std::string(text), bold, italic});
}

// One line's emphasis. A marker opens only when the same marker comes again later on the line
// (else it is text), which keeps the scan linear: "last" holds each marker's last position.
void parse_inline(std::string_view line, std::vector<TextSpan>& out, bool all_bold) {
    std::size_t last_dstar = line.rfind("**"), last_dunder = line.rfind("__");
    std::size_t last_star = line.rfind('*'), last_under = line.rfind('_');
    bool bold = false, italic = false;
    std::string run;
    auto flush = [&] {
        add(out, run, bold || all_bold, italic);
        run.clear();
    };
    for (std::size_t i = 0; i < line.size();) {
        const char c = line[i];
        if (c == '\\' && i + 1 < line.size() && is_punct(line[i + 1])) {
            run += line[i + 1];
            i += 2;
            continue;
        }
        const bool prev_word = i > 0 && is_alnum(line[i - 1]);
        if ((c == '*' || c == '_') && i + 1 < line.size() && line[i + 1] == c) {
            const std::size_t last = c == '*' ? last_dstar : last_dunder;
            const bool next_word = i + 2 < line.size() && is_alnum(line[i + 2]);
            const bool can_close = bold && (c == '*' || !next_word);
            // Emphasis needs content: "**" before a space or another marker is text.
            const bool content = i + 2 < line.size() && line[i + 2] != ' ' && line[i + 2] != c;
            const bool can_open = !bold && content && last != std::string_view::npos && last > i + 1 && (c == '*' || !prev_word);
            if (can_close || can_open) {
                flush();
                bold = !bold;
            } else {
                run.append(2, c);  // both: the second must not start an italic
            }
            i += 2;
            continue;
        } else if (c == '*' || c == '_') {
            const std::size_t last = c == '*' ? last_star : last_under;
            const bool next_word = i + 1 < line.size() && is_alnum(line[i + 1]);
            // "_" inside a word (snake_case, file_names) is a letter, not emphasis.
            const bool can_close = italic && (c == '*' || !next_word);
            const bool can_open = !italic && last != std::string_view::npos && last > i && (c == '*' || !prev_word) &&
                                  i + 1 < line.size() && line[i + 1] != ' ' && line[i + 1] != c;
            if (can_close || can_open) {
                flush();
                italic = !italic;
                ++i;
                continue;
            }
        }
        run += c;
        ++i;
    }
    flush();
}

// "- ", "* " or "+ " after optional spaces: the item's text, else npos.
std::size_t bullet_text(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && line[i] == ' ') ++i;
    if (i + 1 < line.size() && (line[i] == '-' || line[i] == '*' || line[i] == '+') && line[i + 1] == ' ') return i + 2;
    return std::string_view::npos;
}

// "# " .. "###### ": the heading's text, else npos.
std::size_t heading_text(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && i < 6 && line[i] == '#') ++i;
    if (i > 0 && i < line.size() && line[i] == ' ') return i + 1;
    return std::string_view::npos;
}

}  // namespace

std::vector<TextBlock> parse_markdown(std::string_view text) {
    std::vector<TextBlock> blocks;
    bool open = false;  // the last block takes more lines
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = end + 1;
        const std::string_view trimmed = str::trim(line);
        if (trimmed.empty()) {
            open = false;
        } else if (std::size_t b = bullet_text(line); b != std::string_view::npos) {
            blocks.push_back({TextBlock::Kind::Bullet, {}});
            parse_inline(str::trim(line.substr(b)), blocks.back().spans, false);
            open = true;
        } else if (std::size_t h = heading_text(trimmed); h != std::string_view::npos) {
            blocks.push_back({TextBlock::Kind::Paragraph, {}});
            parse_inline(str::trim(trimmed.substr(h)), blocks.back().spans, true);
            open = false;
        } else if (open) {
            blocks.back().spans.push_back({"\n", false, false});
            parse_inline(trimmed, blocks.back().spans, false);
        } else {
            blocks.push_back({TextBlock::Kind::Paragraph, {}});
            parse_inline(trimmed, blocks.back().spans, false);
            open = true;
        }
        if (end == text.size()) break;
    }
    return blocks;
}

std::string markdown_plain_text(std::string_view text) {
    std::string out;
    for (const TextBlock& b : parse_markdown(text)) {
        if (!out.empty()) out += '\n';
        if (b.kind == TextBlock::Kind::Bullet) out += "\xE2\x80\xA2 ";
        for (const TextSpan& s : b.spans) out += s.text;
    }
    return out;
}

}  // namespace nk
