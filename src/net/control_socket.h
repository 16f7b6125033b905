// SPDX-License-Identifier: Apache-2.0
// control_socket.h: the kiosk's local control socket, and the client side the command-line
// verbs use (`newsroom-kiosk alert ...`, `next`, `pause`, ...). A Unix stream socket in the
// runtime directory, mode 0660, so only the service user and its group (and root) can reach it;
// nothing listens on the network. One request per connection: a line of JSON in, a line of JSON
// out. What a request means is the caller's business (app/app.cpp): this module only moves lines.
// Limits: a request line of at most 64 KiB, two seconds to send it, one connection at a time.
// Threads: ControlServer runs its own thread and calls the handler there, one request at a time;
// start() and the destructor (which stops and joins) are for the owning thread. send_request()
// blocks its caller; any thread.
#pragma once

#include "feed/result.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace nk::net {

// $RUNTIME_DIRECTORY/control.sock (systemd RuntimeDirectory=), else
// $XDG_RUNTIME_DIR/newsroom-kiosk/control.sock, else /tmp/newsroom-kiosk-UID/control.sock.
std::filesystem::path default_control_socket();

class ControlServer {
public:
    // The handler takes a request line (without its newline) and returns the reply line.
    using Handler = std::function<std::string(const std::string& request)>;

    // Binds `path` (its folder is made, 0750, when missing) and starts the thread. Err naming the
    // path when it cannot: another kiosk already answers there (Busy), or the folder cannot be
    // made or bound (Io). A stale socket left by a crash is replaced.
    static Result<std::unique_ptr<ControlServer>> start(const std::filesystem::path& path, Handler handler);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    const std::filesystem::path& path() const;

private:
    struct Impl;
    explicit ControlServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Sends one request line and returns the reply line. Err(Io) naming the socket when no kiosk
// answers there (not running, or no permission), or when the answer does not come in time.
Result<std::string> send_request(const std::filesystem::path& socket, const std::string& request);

}  // namespace nk::net
