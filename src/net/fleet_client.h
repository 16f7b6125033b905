// SPDX-License-Identifier: Apache-2.0
// fleet_client.h: one connection to an MQTT broker (libmosquitto, MQTT 3.1.1), kept up for as long
// as the object lives: TLS with a CA file (or the system's store) and an optional client
// certificate, a username with a password read from a file, a last will, the subscriptions made
// again at every connect, and a reconnect that backs off from 1 s to 60 s (doubling) whatever went
// wrong (DNS, refused, TLS, a broker restarting). The kiosk and the operator's `fleet` verbs both
// use it. It knows nothing of what the topics mean (core/fleet.h) nor of JSON.
// The password is never logged, and no log line carries a payload.
// Threads: the client runs its own network thread (a libmosquitto loop of ours, so that no error
// kind can end it) and calls on_message and on_state there: they must be quick and thread-safe
// (the kiosk queues and wakes its main thread). publish(), connected() and flush() may be called
// from any thread; start() and the destructor (which disconnects and joins) by the owner.
#pragma once

#include "core/config.h"
#include "feed/result.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nk::net {

struct FleetMessage {
    std::string topic;
    std::string payload;
    bool retained = false;
};

struct FleetClientOptions {
    BrokerAddress broker;
    std::string client_id;               // unique per connection; the broker drops an older one with the same id
    std::string username;                // "" = none
    std::string password_file;           // its first line is the password; "" = none
    std::string ca_file;                 // "" with TLS: the system's CA store
    std::string cert_file, key_file;     // a client certificate, or ""
    int keepalive_seconds = 30;          // the broker sends the will this long (x 1.5) after a screen goes silent
    struct Will {
        std::string topic, payload;
        bool retain = true;
    };
    std::optional<Will> will;
    std::vector<std::string> subscriptions;  // QoS 1, made again after every (re)connect
    int max_backoff_seconds = 60;

    std::function<void(FleetMessage&&)> on_message;
    // Connected (true) or not, with the reason when not ("connection refused", "not authorised").
    // Called on every change, and once per distinct failure while retrying.
    std::function<void(bool connected, const std::string& why)> on_state;
};

class FleetClient {
public:
    // Checks the options (reads the password file, sets up TLS) and starts the network thread,
    // which connects in the background: a broker that is away is not an error here. Err with the
    // reason for what can never work (an unreadable password file or CA file).
    static Result<std::unique_ptr<FleetClient>> start(FleetClientOptions options);
    // Publishes `final_message` when given (the kiosk's "offline" state, since a clean disconnect
    // sends no will), waits a little for it to go out, disconnects and joins the thread.
    ~FleetClient();
    FleetClient(const FleetClient&) = delete;
    FleetClient& operator=(const FleetClient&) = delete;

    // QoS 1. Queued by libmosquitto while disconnected (sent after the reconnect). False when the
    // library refuses it at once (too large, bad topic).
    bool publish(const std::string& topic, const std::string& payload, bool retain);
    bool connected() const;
    // Waits until every QoS 1 publish so far is acknowledged by the broker, or `bound` passes.
    bool flush(std::chrono::milliseconds bound);
    // What the destructor publishes before disconnecting (e.g. the retained offline state).
    void set_final_message(std::string topic, std::string payload);

private:
    struct Impl;
    explicit FleetClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The first line of `path`, without its newline: Err(Io) naming the file (never its content) when
// it cannot be read or is empty. A password file readable by others is refused: the kiosk's
// credentials must be the service user's alone.
Result<std::string> read_password_file(const std::string& path);

}  // namespace nk::net
