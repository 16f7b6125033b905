// SPDX-License-Identifier: Apache-2.0
#include "display_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stb_image.h>

// Last: Xlib defines macros (None, Status, Bool) that would rename words below.
#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <memory>
#include <thread>

extern char** environ;

namespace nk::test {

namespace {

using Clock = std::chrono::steady_clock;

struct Fd {
    int fd = -1;
    Fd() = default;
    explicit Fd(int f) : fd(f) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { close(); }
    void close() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

struct Pipe {
    Fd read, write;
    Pipe() {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) == 0) {
            read.fd = p[0];
            write.fd = p[1];
        }
    }
};

int ms_until(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

// Reads what is there into `sink`; false at end of file or on error.
bool drain(int fd, std::string& sink) {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) < 0 && errno == EINTR) {}
    if (n <= 0) return false;
    sink.append(buf, static_cast<std::size_t>(n));
    return true;
}

std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string_view kv(*e);
        const auto key = kv.substr(0, kv.find('=') + 1);
        bool replaced = false;
        for (const auto& x : extra) replaced = replaced || x.rfind(key, 0) == 0;
        if (!replaced) env.emplace_back(kv);
    }
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

// fork + exec with stdin on /dev/null and stdout/stderr on out_fd/err_fd; `keep_fd` (or -1) is left open across
// exec. The child leads its own process group, so a timeout can kill what it started too. Returns the pid, or -1
// with `error` set (exec failures come back through a close-on-exec pipe).
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, int out_fd, int err_fd,
            int keep_fd, std::string& error) {
    std::vector<char*> args, envp;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    args.push_back(nullptr);
    envp.push_back(nullptr);
    Pipe status;
    Fd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (argv.empty() || status.read.fd < 0 || devnull.fd < 0) {
        error = "cannot spawn: " + std::string(argv.empty() ? "empty argv" : std::strerror(errno));
        return -1;
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {
        // Only async-signal-safe calls from here: the parent may have other threads.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
        ::setpgid(0, 0);
        ::dup2(devnull.fd, 0);
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        if (keep_fd >= 0) ::fcntl(keep_fd, F_SETFD, 0);
        ::execvpe(args[0], args.data(), envp.data());
        const int e = errno;
        (void)!::write(status.write.fd, &e, sizeof e);
        ::_exit(127);
    }
    status.write.close();
    if (pid < 0) {
        error = std::string("fork: ") + std::strerror(errno);
        return -1;
    }
    int exec_errno = 0;
    ssize_t n;
    while ((n = ::read(status.read.fd, &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {}
    if (n > 0) {
        ::waitpid(pid, nullptr, 0);
        error = "cannot run " + argv[0] + ": " + std::strerror(exec_errno);
        return -1;
    }
    return pid;
}

}  // namespace

Xvfb::Xvfb(int width, int height) {
    Pipe ready;
    // Xvfb's output is only needed to explain a failure; a memfd holds it without a temp file to clean up.
    Fd log(::memfd_create("xvfb-log", MFD_CLOEXEC));
    if (ready.read.fd < 0 || log.fd < 0) {
        error_ = std::string("pipe/memfd: ") + std::strerror(errno);
        return;
    }
    const std::string screen = std::to_string(width) + "x" + std::to_string(height) + "x24";
    pid_ = spawn({"Xvfb", "-displayfd", std::to_string(ready.write.fd), "-screen", "0", screen, "-nolisten", "tcp"},
                 environment_with({}), log.fd, log.fd, ready.write.fd, error_);
    ready.write.close();  // so that a dying Xvfb gives end of file instead of a wait for the deadline
    if (pid_ < 0) return;
    // Xvfb writes "N\n" once it accepts connections.
    std::string number;
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    pollfd p{ready.read.fd, POLLIN, 0};
    while (number.find('\n') == std::string::npos && ::poll(&p, 1, ms_until(deadline)) > 0 && drain(p.fd, number)) {}
    if (number.find('\n') != std::string::npos) {
        display_ = ":" + number.substr(0, number.find('\n'));
        return;
    }
    stop();
    std::string out;
    ::lseek(log.fd, 0, SEEK_SET);
    while (drain(log.fd, out)) {}
    error_ = "Xvfb did not start: " + out;
}

Xvfb::~Xvfb() { stop(); }

void Xvfb::stop() {
    if (pid_ < 0) return;
    // SIGTERM lets Xvfb remove its lock file and socket; SIGKILL (which leaves them) only if it hangs.
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 250 && ::waitpid(pid_, nullptr, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (::kill(pid_, SIGKILL) == 0) ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

ProcessResult run_process(std::vector<std::string> argv, std::vector<std::string> extra_env, int timeout_s) {
    ProcessResult r;
    Pipe out, err;
    if (out.read.fd < 0 || err.read.fd < 0) {
        r.err = std::string("pipe: ") + std::strerror(errno);
        return r;
    }
    std::string error;
    const pid_t pid = spawn(argv, environment_with(extra_env), out.write.fd, err.write.fd, -1, error);
    out.write.close();
    err.write.close();
    if (pid < 0) {
        r.exit_code = 127;
        r.err = error;
        return r;
    }
    // Both pipes are drained together: a child that fills one while we block on the other would never finish.
    const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
    pollfd fds[2] = {{out.read.fd, POLLIN, 0}, {err.read.fd, POLLIN, 0}};
    std::string* sinks[2] = {&r.out, &r.err};
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        const int n = ::poll(fds, 2, ms_until(deadline));
        if (n == 0) {
            r.timed_out = true;
            ::kill(-pid, SIGKILL);
            break;
        }
        if (n < 0 && errno != EINTR) break;
        for (int i = 0; i < 2 && n > 0; ++i)
            if (fds[i].revents != 0 && !drain(fds[i].fd, *sinks[i])) fds[i].fd = -1;  // poll skips negative fds
    }
    // The pipes may close long before the process ends (it can close them itself), so the wait keeps the deadline.
    int status = -1;  // reads as "not exited" if waitpid fails
    for (;;) {
        const pid_t w = ::waitpid(pid, &status, r.timed_out ? 0 : WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR)) break;
        if (w == 0 && Clock::now() >= deadline) {
            r.timed_out = true;
            ::kill(-pid, SIGKILL);
        } else if (w == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

Image load_png(const std::string& path) {
    Image img;
    int channels = 0;
    std::unique_ptr<unsigned char, decltype(&stbi_image_free)> px(stbi_load(path.c_str(), &img.w, &img.h, &channels, 3),
                                                                  &stbi_image_free);
    if (!px) return Image{};
    img.rgb.assign(px.get(), px.get() + static_cast<std::size_t>(img.w) * img.h * 3);
    return img;
}

Image grab_screen(const std::string& display) {
    Display* d = XOpenDisplay(display.c_str());
    if (!d) return Image{};
    Image img;
    const Window root = DefaultRootWindow(d);
    XWindowAttributes a{};
    XImage* x = XGetWindowAttributes(d, root, &a) ? XGetImage(d, root, 0, 0, static_cast<unsigned>(a.width), static_cast<unsigned>(a.height), AllPlanes, ZPixmap)
                                                 : nullptr;
    if (x) {
        img.w = a.width;
        img.h = a.height;
        img.rgb.resize(static_cast<std::size_t>(img.w) * static_cast<std::size_t>(img.h) * 3);
        for (int y = 0; y < img.h; ++y)
            for (int xx = 0; xx < img.w; ++xx) {
                const unsigned long p = XGetPixel(x, xx, y);  // Xvfb's 24-bit TrueColor: 0xRRGGBB
                unsigned char* o = img.at(xx, y);
                o[0] = static_cast<unsigned char>((p >> 16) & 0xFF);
                o[1] = static_cast<unsigned char>((p >> 8) & 0xFF);
                o[2] = static_cast<unsigned char>(p & 0xFF);
            }
        XDestroyImage(x);
    }
    XCloseDisplay(d);
    return img;
}

std::optional<std::string> zbar_decode(const std::string& png_path) {
    // zbarimg exits 4 when it finds nothing; --raw prints just the data, one symbol per line.
    const ProcessResult r = run_process({"zbarimg", "--raw", "-q", png_path}, {}, 30);
    if (r.exit_code != 0 || r.out.empty()) return std::nullopt;
    return r.out.substr(0, r.out.find('\n'));
}

}  // namespace nk::test
