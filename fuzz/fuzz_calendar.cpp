// SPDX-License-Identifier: Apache-2.0
// fuzz_calendar: an .ics file is bytes from whoever runs the calendar server (or a proxy's error
// page). parse_calendar reads them; every Calendar it accepts goes through calendar_agenda over a
// month in two display zones. Besides crashes, leaks and slow inputs it checks the output contract:
// a refusal has a message; occurrences overlap the window, end after they start, are sorted, stay
// under the limit, and their text is valid UTF-8 when it came from valid UTF-8.
#include "feed/calendar.h"
#include "feed/text.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

void agenda(const nk::Calendar& cal, int64_t from, int64_t to, std::string_view zone, bool utf8) {
    nk::CalendarLimits limits;
    const nk::Agenda a = nk::calendar_agenda(cal, from, to, zone, limits);
    check(a.items.size() <= limits.max_occurrences);
    for (std::size_t k = 0; k < a.items.size(); ++k) {
        const nk::AgendaItem& i = a.items[k];
        check(i.end > i.start && i.start < to && i.end > from);
        if (k > 0) check(a.items[k - 1].start <= i.start);
        if (utf8) check(nk::text::is_valid_utf8(i.summary) && nk::text::is_valid_utf8(i.location));
    }
    for (const std::string& w : a.warnings) check(!w.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const nk::Result<nk::Calendar> r = nk::parse_calendar(bytes);
    if (!r) {
        check(!r.error().message.empty());
        return 0;
    }
    const bool utf8 = nk::text::is_valid_utf8(bytes);
    // March 2025: both DST changes of the fixtures' zones; the day of the European one.
    agenda(r.value(), 1740787200, 1743465600, "Europe/Berlin", utf8);
    agenda(r.value(), 1743292800, 1743379200, "", utf8);
    return 0;
}
