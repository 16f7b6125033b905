// SPDX-License-Identifier: Apache-2.0
// fuzz_announcement: a drop-folder file is bytes anyone with access to a file share may have
// written. The same bytes go to parse_drop_file and to the Markdown reader. Besides crashes,
// leaks and slow inputs it checks the output contract: a file is an announcement, an alert, or
// refused with a reason; an accepted one has its title or text; the plain text of valid UTF-8
// stays valid UTF-8 and never grows beyond the input plus bullet marks.
#include "core/config.h"
#include "core/markdown.h"
#include "feed/text.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    nk::DropFile f = nk::parse_drop_file(bytes, "fuzz.md");
    check(!(f.announcement && f.alert));
    if (f.has_errors()) check(!f.announcement && !f.alert);
    else check(f.announcement || f.alert);
    for (const nk::ConfigIssue& i : f.issues) check(!i.message.empty() && i.line >= 0);
    if (f.announcement) check(!f.announcement->title.empty() && !f.announcement->id.empty());
    if (f.alert) check(!f.alert->text.empty() && !f.alert->id.empty());

    std::size_t lines = 1;
    for (char c : bytes) lines += c == '\n';
    const std::string plain = nk::markdown_plain_text(bytes);
    check(plain.size() <= bytes.size() + 3 * lines);
    if (nk::text::is_valid_utf8(bytes)) check(nk::text::is_valid_utf8(plain));
    return 0;
}
