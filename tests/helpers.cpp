// SPDX-License-Identifier: Apache-2.0
#include "helpers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <regex>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>

namespace nk::test {

RunResult run_kiosk(const std::string& args) {
    namespace fs = std::filesystem;
    fs::path err_path = fs::temp_directory_path() / ("nk_test_stderr_" + std::to_string(::getpid()));
    std::string cmd = std::string("'") + NK_KIOSK_BIN + "' " + args + " 2>'" + err_path.string() + "'";
    RunResult r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("popen failed: " + cmd);
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    int status = ::pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = read_file(err_path.string());
    fs::remove(err_path);
    return r;
}

namespace {

struct Fd {
    int fd = -1;
    explicit Fd(int f = -1) : fd(f) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

std::string Reply::header(const std::string& name) const {
    std::regex re("\r\n" + name + ": ([^\r]*)\r\n", std::regex::icase);
    std::smatch m;
    return std::regex_search(head, m, re) ? m[1].str() : "";
}

int connect_to(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return fd;
    if (fd >= 0) ::close(fd);
    return -1;
}

Reply read_reply(int fd, std::chrono::seconds bound) {
    using Clock = std::chrono::steady_clock;
    std::string in;
    auto deadline = Clock::now() + bound;
    char buf[4096];
    while (Clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
        if (::poll(&p, 1, std::max(left, 0)) <= 0) break;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<std::size_t>(n));
    }
    Reply r;
    std::size_t end = in.find("\r\n\r\n");
    if (in.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) return r;
    r.status = std::stoi(in.substr(9, 3));
    r.head = in.substr(0, end + 2);
    r.body = in.substr(end + 4);
    return r;
}

Reply raw(uint16_t port, const std::string& request) {
    Fd fd(connect_to(port));
    if (fd.fd < 0) return {};
    if (!request.empty() && ::send(fd.fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
        return {};
    return read_reply(fd.fd);
}

Reply get(uint16_t port, const std::string& path) { return raw(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); }

Kiosk::Kiosk(const std::vector<std::string>& args, const std::filesystem::path& dir, const std::vector<std::string>& env)
    : out_(dir / "stdout.txt"), err_(dir / "stderr.txt") {
    std::vector<std::string> argv = {NK_KIOSK_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    std::vector<std::string> envs;
    auto name_of = [](const std::string& e) { return e.substr(0, e.find('=') + 1); };
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e;
        // A variable given in `env` replaces the inherited one (getenv takes the first match).
        if (std::none_of(env.begin(), env.end(), [&](const std::string& x) { return name_of(x) == name_of(entry); }))
            envs.push_back(entry);
    }
    envs.insert(envs.end(), env.begin(), env.end());
    std::vector<char*> cenv;
    for (auto& e : envs) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
        // Async-signal-safe calls only: the test process has threads (the feed server).
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        ::dup2(devnull, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::execve(cargs[0], cargs.data(), cenv.data());
        ::_exit(127);
    }
    ::close(out);
    ::close(err);
    ::close(devnull);
}

Kiosk::~Kiosk() {
    if (pid_ > 0) stop();
}

std::string Kiosk::out() const { return read_file(out_.string()); }
std::string Kiosk::err() const { return read_file(err_.string()); }

bool Kiosk::wait_out(const std::string& text, std::chrono::milliseconds bound) {
    return eventually([&] { return out().find(text) != std::string::npos || exited(); }, bound) &&
           out().find(text) != std::string::npos;
}

bool Kiosk::wait_err(const std::string& text, std::chrono::milliseconds bound) {
    return eventually([&] { return err().find(text) != std::string::npos || exited(); }, bound) &&
           err().find(text) != std::string::npos;
}

uint16_t Kiosk::port() {
    std::smatch m;
    std::regex re(R"(health: listening on http://127\.0\.0\.1:(\d+)/)");
    std::string e;
    bool found = eventually([&] {
        e = err();
        return std::regex_search(e, m, re) || exited();
    });
    if (!found || !std::regex_search(e, m, re)) return 0;
    return static_cast<uint16_t>(std::stoi(m[1].str()));
}

int Kiosk::stop() {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    int st = 0;
    bool done = eventually([&] { return ::waitpid(pid_, &st, WNOHANG) == pid_; });
    if (!done) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &st, 0);
    }
    pid_ = -1;
    status_ = done && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return status_;
}

void Kiosk::kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    status_ = -1;
}

bool Kiosk::exited() {
    int st = 0;
    if (pid_ > 0 && ::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    return pid_ <= 0;
}

std::string command_output(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("cannot run: " + cmd);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

}  // namespace nk::test
