// SPDX-License-Identifier: Apache-2.0
#include "core/agenda.h"

#include <algorithm>
#include <cstdio>

namespace nk {
namespace {

std::string hhmm(const LocalTime& t) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", t.hour % 24, t.minute % 60);
    return buf;
}

}  // namespace

AgendaWhen agenda_when(const Card& card, std::size_t index) {
    const AgendaItem& item = card.agenda.at(index);
    if (item.start <= card.agenda_at) return AgendaWhen::Now;
    for (std::size_t i = 0; i < index; ++i)
        if (card.agenda[i].start > card.agenda_at) return AgendaWhen::Later;
    return AgendaWhen::Next;
}

std::string agenda_line(const Card& card, std::size_t index) {
    const AgendaItem& item = card.agenda.at(index);
    static constexpr const char* kWhen[] = {"Now", "Next", "Later"};
    std::string s = kWhen[static_cast<int>(agenda_when(card, index))];
    s += " · ";
    s += item.all_day ? std::string("All day") : hhmm(item.local_start) + "–" + hhmm(item.local_end);
    if (!item.location.empty()) s += " · " + item.location;
    s += " · " + (item.summary.empty() ? std::string("(no title)") : item.summary);
    return s;
}

std::optional<Card> agenda_card(const CalendarConfig& config, const Calendar& calendar, int64_t now, std::string_view zone,
                                const RotationConfig& rotation, std::string_view fallback_name) {
    const int64_t to = config.horizon_seconds > 0 ? now + config.horizon_seconds : calendar_day(now, zone).to;
    Agenda agenda = calendar_agenda(calendar, now, to, zone);
    if (agenda.items.empty()) return std::nullopt;
    // What is on already comes first, then by start: the display's "Now" rows lead.
    std::stable_sort(agenda.items.begin(), agenda.items.end(), [&](const AgendaItem& a, const AgendaItem& b) {
        return (a.start <= now) != (b.start <= now) ? a.start <= now : false;
    });
    if (agenda.items.size() > static_cast<std::size_t>(std::max(1, config.max_events)))
        agenda.items.resize(static_cast<std::size_t>(std::max(1, config.max_events)));
    Card c;
    c.kind = Card::Kind::Agenda;
    c.entry.feed_url = "calendar:" + config.url;
    c.entry.item.id = config.url;
    c.entry.item.title = !config.name.empty() ? config.name : !calendar.name.empty() ? calendar.name : std::string(fallback_name);
    c.agenda = std::move(agenda.items);
    c.agenda_at = now;
    Item words;
    words.title = c.entry.item.title;
    for (std::size_t i = 0; i < c.agenda.size(); ++i) words.summary += (i ? "\n" : "") + agenda_line(c, i);
    c.entry.item.summary = words.summary;
    c.dwell_seconds = dwell_seconds(words, rotation);
    return c;
}

}  // namespace nk
