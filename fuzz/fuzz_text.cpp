// SPDX-License-Identifier: Apache-2.0
// fuzz_text: every feed/text entry point on arbitrary bytes (mojibake repair, base64 and
// headlines included). Aborts when a display-text result
// breaks its contract (invalid UTF-8, longer than max_bytes, untrimmed or uncollapsed whitespace),
// when the UTF-8 helpers disagree with each other, or when html_to_text_of_escaped reads
// differently from decoding first.
//
// The first two bytes choose the options, so short limits (where cutting is most delicate) get
// exercised as well as the default: byte 0 bit 0 = keep_line_breaks, bit 1 = default max_bytes,
// else byte 1 is max_bytes (0..255).
#include "feed/text.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

void check_display_text(const std::string& s, const nk::text::HtmlTextOptions& o) {
    require(nk::text::is_valid_utf8(s));
    require(s.size() <= o.max_bytes);
    if (!s.empty()) {
        require(s.front() != ' ' && s.front() != '\n');
        require(s.back() != ' ' && s.back() != '\n');
    }
    require(s.find("  ") == std::string::npos);
    require(s.find("\n\n") == std::string::npos);
    require(s.find(" \n") == std::string::npos);
    require(s.find("\n ") == std::string::npos);
    if (!o.keep_line_breaks) require(s.find('\n') == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    nk::text::HtmlTextOptions options;
    if (size >= 2) {
        options.keep_line_breaks = (data[0] & 1) != 0;
        if ((data[0] & 2) == 0) options.max_bytes = data[1];
        data += 2;
        size -= 2;
    }
    const std::string_view in(reinterpret_cast<const char*>(data), size);

    const std::string html_text = nk::text::html_to_text(in, options);
    check_display_text(html_text, options);
    const std::string plain = nk::text::clean_plain(in, options);
    check_display_text(plain, options);
    // Each thread's pass keeps its buffer between calls: nothing of an earlier, longer text may
    // show in a later one.
    (void)nk::text::html_to_text(std::string(in) + " <p>" + std::string(in) + "</p> tail", options);
    require(nk::text::html_to_text(in, options) == html_text);
    require(nk::text::clean_plain(in, options) == plain);
    // Spaces collapse: a second one beside each is invisible, which covers the pass taking the
    // space on either side of a run of text with the run.
    std::string doubled;
    for (const char c : in) {
        doubled += c;
        if (c == ' ') doubled += ' ';
    }
    require(nk::text::html_to_text(doubled, options) == html_text);
    require(nk::text::clean_plain(doubled, options) == plain);

    // The first pass may stop a KB past its first '<' or '&' once it holds more than max_bytes,
    // and runs again whole when it then finds HTML escaped twice (see html_to_text): the input
    // twice, a stretch of words between, reaches both.
    const std::string stretched = std::string(in) + " " + std::string(1100, 'w') + " " + std::string(in);
    check_display_text(nk::text::html_to_text(stretched, options), options);

    // A name of up to seven bytes looked up as one word finds what the byte-by-byte lookup finds
    // (a word cannot tell a trailing NUL from the end of the name; the HTML pass checks for one).
    const std::string_view name = in.substr(0, std::min<std::size_t>(in.size(), 7));
    if (!name.empty() && name.back() != '\0') {
        std::uint64_t word = 0;
        for (std::size_t k = name.size(); k-- > 0;) word = (word << 8) | static_cast<unsigned char>(name[k]);
        require(nk::text::lookup_entity_word(word) == nk::text::lookup_entity(name));
    }

    const std::string decoded = nk::text::decode_entities(in);
    (void)nk::text::first_img_src(in);
    // Taking the escaped text as it is must read exactly as decoding it first.
    if (const auto direct = nk::text::html_to_text_of_escaped(in, options))
        require(*direct == nk::text::html_to_text(decoded, options));

    const bool valid = nk::text::is_valid_utf8(in);
    const std::string clean = nk::text::sanitize_utf8(in);
    require(nk::text::is_valid_utf8(clean));
    require(valid == (clean == in));
    // Every reference decodes to valid UTF-8, so decoding keeps valid input valid.
    if (valid) require(nk::text::is_valid_utf8(decoded));
    for (std::size_t k : {std::size_t{0}, std::size_t{1}, clean.size() / 2, clean.size()}) {
        const std::string_view p = nk::text::utf8_prefix(clean, k);
        require(p.size() <= k && p.size() + 3 >= std::min(k, clean.size()));
        require(nk::text::is_valid_utf8(p));
    }

    // Mojibake repair keeps valid text valid and never grows it (each repair folds 2-4
    // characters into one).
    std::string repaired = clean;
    if (nk::text::repair_mojibake(repaired)) require(repaired.size() < clean.size());
    else require(repaired == clean);
    require(nk::text::is_valid_utf8(repaired));

    if (const auto b = nk::text::decode_base64(in)) require(b->size() <= in.size());

    // A headline is display text within its budget, and with the rest it loses no word.
    const std::string text = nk::text::clean_plain(clean, options);
    const std::size_t budget = options.max_bytes < 8 ? 8 : options.max_bytes;
    const nk::text::Headline h = nk::text::headline_from_text(text, budget);
    require(nk::text::is_valid_utf8(h.headline) && nk::text::is_valid_utf8(h.rest));
    require(h.headline.size() <= budget);
    require(text.empty() == h.headline.empty());
    return 0;
}
