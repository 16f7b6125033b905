// SPDX-License-Identifier: Apache-2.0
// fuzz_fleet: everything a screen reads from the broker is bytes anyone with write access to a
// topic may have sent: the topic itself, alert, announcement and command JSON, config layers, and
// (for the operator) the screens' state. The same bytes go to every reader. Besides crashes, leaks
// and slow inputs it checks the contracts: an accepted payload is within its limits and has what
// it must have; a payload written back out reads back the same; a topic is either refused with a
// reason or addressed to this screen.
#include "core/fleet.h"
#include "net/fleet_messages.h"

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
    nk::fleet::Identity id;
    id.screen = "lobby-1";
    id.groups = {"lobby"};

    auto topic = nk::fleet::address(bytes, id);
    if (topic) {
        check(topic->target.kind != nk::fleet::Target::Kind::Screen || topic->target.name == "lobby-1");
        check(topic->target.kind != nk::fleet::Target::Kind::Group || topic->target.name == "lobby");
        check(topic->id.empty() || nk::fleet::valid_id(topic->id));
    } else {
        check(!topic.error().message.empty());
    }

    if (auto a = nk::net::parse_alert_payload(bytes, "x")) {
        check(!a->text.empty() && a->text.size() <= 4096);
        auto back = nk::net::parse_alert_payload(nk::net::alert_payload(a.value()), "x");
        check(back.ok() && back->text == a->text && back->level == a->level && back->expires == a->expires);
    }
    if (auto an = nk::net::parse_announce_payload(bytes, "x")) {
        check(!an->announcement.title.empty());
        check(nk::net::parse_announce_payload(nk::net::announce_payload(an.value()), "x").ok());
    }
    if (auto c = nk::net::parse_command_payload(bytes)) {
        check(c->request.empty() || nk::fleet::valid_id(c->request));
        auto back = nk::net::parse_command_payload(nk::net::command_payload(c.value()));
        check(back.ok() && back->verb == c->verb && back->request == c->request);
    }
    if (auto s = nk::net::parse_state_payload(bytes)) {
        auto back = nk::net::parse_state_payload(nk::net::state_payload(s.value()));
        check(back.ok() && back.value() == s.value());
        (void)nk::fleet::status_table({s.value()}, 0);
    }
    if (size <= nk::fleet::kMaxConfigBytes) {
        for (const nk::ConfigIssue& i : nk::fleet::check_layer(bytes, "fleet all")) check(!i.message.empty());
        (void)nk::fleet::is_empty_layer(bytes);
    }
    return 0;
}
