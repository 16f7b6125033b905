// SPDX-License-Identifier: Apache-2.0
// mqtt_broker.h: a real mosquitto (/usr/sbin/mosquitto) for the fleet tests and the fleet bench, on
// 127.0.0.1 on a free port, with a configuration generated in a directory of the caller's:
// plain, or TLS with a test CA made at start with `openssl` (server certificate for localhost and
// 127.0.0.1), optionally with a password file (mosquitto_passwd) and an ACL file. Retained
// messages persist across stop()/start() (persistence on), as on a real broker.
// Threads: the owning thread only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace nk::test {

struct BrokerOptions {
    bool tls = false;
    std::map<std::string, std::string> users;  // username -> password; empty: anonymous allowed
    std::string acl;                           // the ACL file's text; "" for none
};

class MqttBroker {
public:
    // Generates everything in `dir` and starts the broker; throws std::runtime_error (with the
    // broker's log) when it does not listen within a generous bound.
    MqttBroker(const std::filesystem::path& dir, BrokerOptions options = {});
    ~MqttBroker();
    MqttBroker(const MqttBroker&) = delete;
    MqttBroker& operator=(const MqttBroker&) = delete;

    void stop();                          // SIGTERM, and wait (it saves the retained messages)
    void start();                         // again, on the same port
    uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }
    // "mqtt://127.0.0.1:PORT", or "mqtts://localhost:PORT" with TLS (the certificate's name).
    std::string url() const;
    std::filesystem::path ca_file() const { return dir_ / "ca.crt"; }
    std::string log() const;

private:
    std::filesystem::path dir_;
    BrokerOptions opt_;
    uint16_t port_ = 0;
    pid_t pid_ = -1;
};

// Runs a shell command, throwing std::runtime_error with its output when it fails.
void run_or_throw(const std::string& command);

}  // namespace nk::test
