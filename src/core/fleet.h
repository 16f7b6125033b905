// SPDX-License-Identifier: Apache-2.0
// fleet.h: the rules of a fleet of screens on an MQTT broker, as pure functions: the topic names,
// which topics a screen listens to and what a topic means for it (or why it is not its business),
// the size limits, which settings a remote config layer may carry, the order the layers compose
// in, the state a screen reports and the operator's status table. The bytes (JSON payloads) are
// read in net/fleet_messages.h and the broker is spoken to by net/fleet_client.h; this module
// decides everything that can be decided without them.
// Topics (P = [fleet] topic_prefix, T = all | group/NAME | screen/ID):
//   P/config/T          retained TOML layer          P/alert/T/ID, P/announce/T/ID  retained JSON
//   P/command/T         JSON {"verb", "request"}     P/state/ID                     retained JSON
//   P/error/ID          JSON, a refused message       P/screenshot/ID/REQUEST        PNG bytes
// Pure; any thread.
#pragma once

#include "core/announcements.h"
#include "core/config.h"
#include "feed/result.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nk::fleet {

// Who a message is for.
struct Target {
    enum class Kind { All, Group, Screen };
    Kind kind = Kind::All;
    std::string name;                    // the group or screen id; "" for All

    bool operator==(const Target&) const = default;
};

// As operators write it: "all", "group:NAME", "screen:ID". nullopt for anything else, or an id
// that is not one (see valid_id).
std::optional<Target> parse_target(std::string_view text);
std::string target_label(const Target& t);   // "all", "group:lobby", "screen:hall-2"
std::string target_path(const Target& t);    // the topic levels: "all", "group/lobby", "screen/hall-2"

// 1 to 64 of [A-Za-z0-9._-]: what [fleet] accepts for screens and groups, and for alert ids and
// command requests, so that no id can add a topic level or a wildcard.
bool valid_id(std::string_view id);

// This screen, as the broker knows it.
struct Identity {
    std::string prefix = "newsroom-kiosk";
    std::string screen;
    std::vector<std::string> groups;     // in config order: later groups' layers win
};

std::string config_topic(std::string_view prefix, const Target& t);
std::string alert_topic(std::string_view prefix, const Target& t, std::string_view id);
std::string announce_topic(std::string_view prefix, const Target& t, std::string_view id);
std::string command_topic(std::string_view prefix, const Target& t);
std::string state_topic(std::string_view prefix, std::string_view screen);
std::string error_topic(std::string_view prefix, std::string_view screen);
std::string screenshot_topic(std::string_view prefix, std::string_view screen, std::string_view request);

// Exactly the topics a screen reads: its own, its groups' and the all-screens ones. (The example
// ACL in platform/mosquitto grants these and nothing more.)
std::vector<std::string> subscriptions(const Identity& id);

enum class Kind { Config, Alert, Announce, Command };
std::string_view kind_name(Kind k);          // "config", "alert", "announce", "command"

// The largest payload of each kind a screen reads; anything bigger is refused unread.
inline constexpr std::size_t kMaxConfigBytes = 256 << 10;
inline constexpr std::size_t kMaxItemBytes = 16 << 10;      // an alert or an announcement
inline constexpr std::size_t kMaxCommandBytes = 1 << 10;
// A screenshot published back; a bigger PNG is replaced by an error reply.
inline constexpr std::size_t kMaxScreenshotBytes = 2 << 20;
std::size_t max_payload(Kind k);

// What a topic means for this screen.
struct Addressed {
    Kind kind = Kind::Config;
    Target target;
    std::string id;                      // an alert's or an announcement's id; "" otherwise
    // The pipeline source for what comes from this target: "fleet all", "fleet group/lobby", ...
    std::string source() const;
};

// Err(InvalidInput) with the reason when the topic is malformed, or addressed to another screen
// or to a group this screen is not in (the broker's ACL should never let those through; a screen
// checks anyway).
Result<Addressed> address(std::string_view topic, const Identity& id);
// Err(TooLarge) with the reason when `size` is over the kind's limit.
Result<bool> check_size(Kind k, std::size_t size);

// A remote layer must be a valid config on its own (parse_config's rules, warnings included as
// warnings) and may not touch what belongs to the machine: [fleet] (it could point the screen at
// another broker), [cache], [health], the drop folder, a logo path, the fetcher's CA and proxy,
// file:// feeds or a local OPML list. The issues name the layer (`name`, e.g. "fleet group/lobby").
std::vector<ConfigIssue> check_layer(std::string_view toml_text, std::string_view name);

// An empty payload, or one of only blank lines and comments, is "no layer" (the operator's
// `push-config --clear`, which stays retained so that a screen offline at the time sees it later).
bool is_empty_layer(std::string_view toml_text);

// The accepted layers, by Target path ("all", "group/lobby", "screen/x"), composed in the order they
// apply over the local file: all, then the groups in the screen's config order, then the screen.
// Layers of other targets are ignored.
std::vector<ConfigLayer> compose_layers(const std::map<std::string, std::string>& by_path, const Identity& id);

// A short stable name for a set of layers (hex of a 64-bit FNV-1a over names and texts), so that
// the fleet's status table shows which screens run the same remote config; "" for none.
std::string layers_revision(const std::vector<ConfigLayer>& layers);

// An announcement from the broker and when it ends (Unix seconds; 0: until cleared).
struct TimedAnnouncement {
    Announcement announcement;
    int64_t expires = 0;
};

// A command from the broker. Nothing else runs: the verbs are a closed list.
struct Command {
    enum class Verb { Next, Previous, Pause, Resume, Reload, Screenshot };
    Verb verb = Verb::Next;
    std::string request;                 // the operator's id for the reply (valid_id), or ""
};
std::optional<Command::Verb> parse_verb(std::string_view verb);
std::string_view verb_name(Command::Verb v);

// What a screen reports on P/state/ID (retained), and what `fleet status` reads back.
struct ScreenState {
    std::string screen;
    bool online = false;
    std::string version;
    std::vector<std::string> groups;
    int64_t time = 0;                    // Unix seconds when published (the screen's clock); 0: unknown
    int64_t started = 0;                 // Unix seconds the kiosk started; 0: unknown
    std::string mode;                    // "display" or "headless"
    std::string card;                    // "source · headline" of the card on screen
    bool paused = false;
    int feeds_ok = 0;
    std::vector<std::string> feeds_failing;  // names
    std::string last_error;
    std::string config_revision;         // layers_revision of the remote layers applied

    bool operator==(const ScreenState&) const = default;
};

// The same state, minus what moves every second (time): a change is worth a publish at once;
// otherwise the state goes out once a minute.
bool same_except_time(const ScreenState& a, const ScreenState& b);

// `fleet status`: one line per screen, sorted by id: screen, online, last seen (relative to
// `now`), groups, current card, failing feeds. Columns padded; long text cut with "…".
std::string status_table(const std::vector<ScreenState>& screens, int64_t now);

}  // namespace nk::fleet
