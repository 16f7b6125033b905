// SPDX-License-Identifier: Apache-2.0
#include "net/control_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace nk::net {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kMaxRequest = 64 * 1024;
constexpr int kClientMillis = 2000;  // to send a request (server) or to get the answer (client)

Error io_error(const fs::path& path, const std::string& what, int err) {
    return Error{ErrorCode::Io, path.string() + ": " + what + ": " + std::strerror(err)};
}

struct Fd {
    int fd = -1;
    explicit Fd(int f = -1) : fd(f) {}
    Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd = o.fd;
            o.fd = -1;
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    void reset() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

bool address_of(const fs::path& path, sockaddr_un& a) {
    a = {};
    a.sun_family = AF_UNIX;
    const std::string p = path.string();
    if (p.size() >= sizeof a.sun_path) return false;
    std::memcpy(a.sun_path, p.c_str(), p.size() + 1);
    return true;
}

Fd connect_to(const fs::path& path, int& err) {
    sockaddr_un a{};
    if (!address_of(path, a)) {
        err = ENAMETOOLONG;
        return Fd();
    }
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.fd < 0 || ::connect(fd.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        err = errno;
        return Fd();
    }
    return fd;
}

// Reads up to a newline (or EOF) within `millis`; false on timeout, error or an oversized line.
bool read_line(int fd, std::string& out, int millis) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(millis);
    char buf[4096];
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        const int r = ::poll(&p, 1, static_cast<int>(left));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) return !out.empty();
        out.append(buf, static_cast<std::size_t>(n));
        if (const std::size_t nl = out.find('\n'); nl != std::string::npos) {
            out.resize(nl);
            return true;
        }
        if (out.size() > kMaxRequest) return false;
    }
}

bool write_all(int fd, const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
        const ssize_t n = ::send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

fs::path default_control_socket() {
    if (const char* r = std::getenv("RUNTIME_DIRECTORY"); r && *r) {
        std::string first(r);
        first = first.substr(0, first.find(':'));
        if (!first.empty()) return fs::path(first) / "control.sock";
    }
    if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x == '/') return fs::path(x) / "newsroom-kiosk" / "control.sock";
    return fs::path("/tmp") / ("newsroom-kiosk-" + std::to_string(::getuid())) / "control.sock";
}

struct ControlServer::Impl {
    fs::path path;
    Handler handler;
    Fd listener;
    Fd wake_read, wake_write;
    std::thread thread;

    void serve(int fd) {
        std::string request;
        if (!read_line(fd, request, kClientMillis)) return;  // silent, slow or oversized: just closed
        write_all(fd, handler(request) + "\n");
    }

    void run() {
        while (true) {
            pollfd p[2] = {{wake_read.fd, POLLIN, 0}, {listener.fd, POLLIN, 0}};
            const int r = ::poll(p, 2, -1);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0 || p[0].revents) return;
            if (p[1].revents & POLLIN) {
                Fd client(::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC));
                if (client.fd >= 0) serve(client.fd);
            }
        }
    }
};

ControlServer::ControlServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ControlServer::~ControlServer() {
    char b = 1;
    (void)!::write(impl_->wake_write.fd, &b, 1);
    if (impl_->thread.joinable()) impl_->thread.join();
    std::error_code ec;
    fs::remove(impl_->path, ec);
}

Result<std::unique_ptr<ControlServer>> ControlServer::start(const fs::path& path, Handler handler) {
    sockaddr_un a{};
    if (!address_of(path, a)) return Error{ErrorCode::Io, path.string() + ": too long for a socket path"};
    std::error_code ec;
    if (!fs::exists(path.parent_path(), ec)) {
        fs::create_directories(path.parent_path(), ec);
        if (ec) return Error{ErrorCode::Io, path.parent_path().string() + ": cannot create: " + ec.message()};
        fs::permissions(path.parent_path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec, ec);
    }
    // A socket file that answers belongs to a running kiosk; one that does not is a crash's leftover.
    if (fs::is_socket(path, ec)) {
        int err = 0;
        if (connect_to(path, err).fd >= 0) return Error{ErrorCode::Busy, path.string() + ": another newsroom-kiosk answers here"};
        fs::remove(path, ec);
    }
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->handler = std::move(handler);
    impl->listener = Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (impl->listener.fd < 0) return io_error(path, "cannot create a socket", errno);
    // The socket is made with the umask's mode; set 0660 before anyone can connect.
    const mode_t old = ::umask(0117);
    const int bound = ::bind(impl->listener.fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    const int bind_err = errno;
    ::umask(old);
    if (bound != 0) return io_error(path, "cannot listen", bind_err);
    if (::listen(impl->listener.fd, 16) != 0) return io_error(path, "cannot listen", errno);
    ::chmod(path.c_str(), 0660);
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) != 0) return io_error(path, "cannot create a wake-up pipe", errno);
    impl->wake_read = Fd(pipefd[0]);
    impl->wake_write = Fd(pipefd[1]);
    Impl* raw = impl.get();
    impl->thread = std::thread([raw] { raw->run(); });
    return std::unique_ptr<ControlServer>(new ControlServer(std::move(impl)));
}

const fs::path& ControlServer::path() const { return impl_->path; }

Result<std::string> send_request(const fs::path& socket, const std::string& request) {
    int err = 0;
    Fd fd = connect_to(socket, err);
    if (fd.fd < 0) {
        if (err == ENOENT || err == ECONNREFUSED)
            return Error{ErrorCode::Io, "no newsroom-kiosk is listening on " + socket.string() + " (is it running?)"};
        return io_error(socket, "cannot connect", err);
    }
    if (!write_all(fd.fd, request + "\n")) return io_error(socket, "cannot send", errno);
    std::string reply;
    if (!read_line(fd.fd, reply, 4 * kClientMillis)) return Error{ErrorCode::Io, socket.string() + ": no answer from the kiosk"};
    return reply;
}

}  // namespace nk::net
