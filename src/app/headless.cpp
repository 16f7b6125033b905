// SPDX-License-Identifier: Apache-2.0
#include "app/headless.h"

#include "core/agenda.h"
#include "core/markdown.h"
#include "core/timefmt.h"

#include <algorithm>
#include <chrono>
#include <iostream>

namespace nk::app {
namespace {

std::string clock_text(int64_t t) { return format_time("%H:%M:%S", t); }

}  // namespace

void HeadlessPlatform::wake() {
    {
        std::lock_guard lock(mu_);
        woken_ = true;
    }
    cv_.notify_one();
}

bool HeadlessPlatform::open(App&) { return true; }

void HeadlessPlatform::present(App& app, double, int64_t wall, bool) {
    const Show& show = app.show();
    shown_ = true;
    has_content_ = show.has_content();
    // Alerts first: what interrupts the screen is what a reader of this output wants to see.
    const std::vector<Alert>& alerts = app.alerts();
    const std::string alert_key = alerts.empty() ? "" : alerts.front().id + "\x1f" + std::string(alert_level_name(alerts.front().level)) +
                                                            "\x1f" + alerts.front().text;
    if (alert_key != alert_shown_) {
        if (alerts.empty()) {
            std::cout << clock_text(wall) << "  [alert] cleared" << std::endl;
        } else {
            const Alert& a = alerts.front();
            std::cout << clock_text(wall) << "  [alert " << alert_level_name(a.level) << "]  " << markdown_plain_text(a.text);
            if (a.expires) std::cout << "  (until " << format_time("%H:%M", a.expires) << ")";
            std::cout << std::endl;
        }
        alert_shown_ = alert_key;
    }
    if (const std::optional<Card>& card = show.current(); card && show.changes() != printed_) {
        printed_ = show.changes();
        said_empty_ = false;
        if (card->kind == Card::Kind::News) {
            std::cout << clock_text(wall) << "  " << card->source << "  ·  " << relative_age(card->entry.time, wall) << "  ·  "
                      << card->entry.item.title << std::endl;
        } else if (card->kind == Card::Kind::Agenda) {
            // One line per event, so scripts can grep for the one they care about.
            std::cout << clock_text(wall) << "  [agenda]  " << card->entry.item.title << std::endl;
            for (std::size_t i = 0; i < card->agenda.size(); ++i)
                std::cout << clock_text(wall) << "  [agenda]    " << agenda_line(*card, i) << std::endl;
        } else {
            // The owner's cards: their kind instead of a source, their text instead of an age.
            std::string body = markdown_plain_text(card->entry.item.summary);
            for (char& c : body)
                if (c == '\n') c = ' ';
            std::cout << clock_text(wall) << "  [announcement]  "
                      << card->entry.item.title << (body.empty() ? "" : "  ·  " + body) << std::endl;
        }
    } else if (!card && !said_empty_) {
        said_empty_ = true;
        std::cout << clock_text(wall) << "  (no items yet; waiting for the feeds)" << std::endl;
    }
}

// Nothing animates; with nothing to show, look again each second (the show polls for content).
double HeadlessPlatform::next_turn(double t) const { return has_content_ ? t + 3600 : t + 1; }

void HeadlessPlatform::wait(double seconds) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return woken_; });
    woken_ = false;
}

void HeadlessPlatform::status_changed(const std::vector<StatusChange>& changes) {
    for (const StatusChange& c : changes)
        std::cout << clock_text(wall_now()) << "  [feed] " << c.source << ": " << (c.ok ? "recovered" : "error: " + c.message)
                  << std::endl;
}

int HeadlessPlatform::close(App&) {
    std::cout << clock_text(wall_now()) << "  stopped" << std::endl;
    return 0;
}

}  // namespace nk::app
