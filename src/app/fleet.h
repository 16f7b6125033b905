// SPDX-License-Identifier: Apache-2.0
// fleet.h: the kiosk as one screen of a fleet ([fleet] in the config): it keeps a connection to the
// broker (net/fleet_client.h), takes what arrives there on the main thread, and turns it into the
// calls every other source uses: config layers into Engine::set_config_layers (the last good ones
// kept in the state directory, so that a reboot without the broker shows the same content),
// alerts and announcements into the pipeline under a source per target ("fleet group/lobby"),
// commands into App::control's verbs. What a topic or payload means, and whether it is allowed, is
// decided by core/fleet.h and net/fleet_messages.h; every refusal is logged with its reason and
// published back on P/error/SCREEN. It reports the screen's state (retained, on change and every
// minute), with a last will that marks it offline if it dies or loses its network.
// Threads: the client's network thread only queues messages and wakes the loop (Platform::wake);
// everything else here runs on the main thread.
#pragma once

#include "core/fleet.h"
#include "feed/result.h"
#include "net/fleet_client.h"
#include "net/status_server.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace nk::app {

class App;

// The screen's identity from [fleet]: its id (the host name when not set), its groups, the prefix.
// Err with the reason when the host name cannot be an id.
Result<fleet::Identity> fleet_identity(const FleetConfig& config);

// The remote layers kept by the last run (state_dir/fleet-layers), each checked again, composed in
// order. Layers that fail the check are skipped with a log line.
std::vector<ConfigLayer> saved_fleet_layers(const std::filesystem::path& state_dir, const fleet::Identity& id,
                                            const std::function<void(const std::string&)>& log);

// The connection options for [fleet] (shared with the operator's verbs): broker, TLS, credentials.
Result<net::FleetClientOptions> fleet_client_options(const FleetConfig& config);

class FleetAgent {
public:
    // Connects in the background (a broker that is away is no error: the kiosk runs as before and
    // keeps trying). nullptr after logging why when [fleet] cannot work (no valid id, unreadable
    // password file). `wake` is called from the network thread when something arrives.
    static std::unique_ptr<FleetAgent> start(const Config& config, const std::filesystem::path& state_dir,
                                             std::function<void()> wake, int64_t started);
    // Publishes the retained offline state, disconnects.
    ~FleetAgent();

    // What arrived since the last turn, applied; the state published when it changed or a minute
    // went by. Main thread, from App::advance.
    void pump(App& app, double t, int64_t wall);

    net::FleetHealth health() const;

private:
    FleetAgent() = default;
    struct Inbox;
    void handle(App& app, net::FleetMessage&& m, double t, int64_t wall);
    void refuse(const std::string& topic, const std::vector<std::string>& errors, int64_t wall);
    void apply_layers(App& app, const std::map<std::string, std::string>& before, const std::string& path, int64_t wall);
    void save_layers();
    void push_announcements(App& app, const std::string& source, int64_t wall);
    void publish_state(App& app, int64_t wall, bool force);
    fleet::ScreenState state_of(App& app, int64_t wall) const;

    fleet::Identity id_;
    FleetConfig config_;
    std::filesystem::path state_dir_;
    std::shared_ptr<Inbox> inbox_;
    std::unique_ptr<net::FleetClient> client_;
    int64_t started_ = 0;

    bool connected_ = false;
    int64_t connected_since_ = 0;
    std::string connection_problem_;     // why it is not connected ("" when it is)
    std::string last_error_;             // the last refused message's reason

    std::map<std::string, std::string> layers_;  // accepted layer texts by target path ("group/lobby")
    std::map<std::string, std::map<std::string, Alert>> alerts_;  // by source, then id
    std::map<std::string, std::map<std::string, fleet::TimedAnnouncement>> announcements_;
    int64_t next_expiry_ = 0;            // the next announcement to end (0: none)

    std::optional<fleet::ScreenState> published_;
    int64_t published_at_ = 0;
};

}  // namespace nk::app
