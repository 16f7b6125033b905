// SPDX-License-Identifier: Apache-2.0
#include "app/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace nk::app {
namespace fs = std::filesystem;
namespace {

Error io_error(const fs::path& path, std::string_view what, int err) {
    return Error{ErrorCode::Io, path.string() + ": " + std::string(what) + ": " + std::strerror(err)};
}

Error too_large(const fs::path& path, int64_t cap) {
    return Error{ErrorCode::TooLarge, path.string() + ": larger than " + std::to_string(cap) + " bytes"};
}

}  // namespace

Result<std::string> read_file(const fs::path& path, int64_t cap, FileKind kind) {
    // O_NONBLOCK: opening a FIFO with no writer must not hang before the kind is checked.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (kind == FileKind::Regular ? O_NONBLOCK : 0));
    if (fd < 0) return io_error(path, "cannot read", errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return io_error(path, "cannot stat", err);
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        return Error{ErrorCode::Io, path.string() + ": is a directory, not a file"};
    }
    if (kind == FileKind::Regular && !S_ISREG(st.st_mode)) {
        ::close(fd);
        return Error{ErrorCode::Io, path.string() + ": is not a regular file (a device, a pipe or a socket)"};
    }
    if (st.st_size > cap) {
        ::close(fd);
        return too_large(path, cap);
    }
    std::string out;
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    for (;;) {
        // Devices and /proc files report size 0, and a file may grow after fstat: read on in
        // steps, up to one byte past the cap to tell "exactly cap" from "more".
        if (got == out.size()) out.resize(std::min<std::size_t>(got + 65536, static_cast<std::size_t>(cap) + 1));
        const ssize_t n = got < out.size() ? ::read(fd, out.data() + got, out.size() - got) : 0;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            return io_error(path, "cannot read", err);
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
        if (static_cast<int64_t>(got) > cap) {
            ::close(fd);
            return too_large(path, cap);
        }
    }
    ::close(fd);
    out.resize(got);
    return out;
}

Result<bool> write_atomic(const fs::path& target, std::string_view bytes, Durability durability,
                          std::vector<std::string>* warnings) {
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::string tmp = (dir / (std::string(kTempPrefix) + target.filename().string() + ".XXXXXX")).string();
    int fd = ::mkstemp(tmp.data());
    if (fd < 0) return io_error(target, "cannot create a temp file in " + dir.string(), errno);
    auto fail = [&](std::string_view what) -> Result<bool> {
        const int err = errno;
        if (fd >= 0) ::close(fd);
        ::unlink(tmp.c_str());
        return io_error(target, what, err);
    };
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail("cannot write");
        done += static_cast<std::size_t>(n);
    }
    if (durability == Durability::Fsync && ::fsync(fd) != 0) return fail("cannot fsync");
    const int closed = ::close(fd);
    fd = -1;
    if (closed != 0) return fail("cannot write (close)");
    if (::rename(tmp.c_str(), target.c_str()) != 0) return fail("cannot replace");
    if (durability == Durability::NoFsync) return true;

    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    // The new content is in place either way; only its survival of a power cut is in doubt.
    if ((dfd < 0 || (::fsync(dfd) != 0 && errno != EINVAL)) && warnings)
        warnings->push_back(dir.string() + ": cannot fsync the directory after writing " + target.filename().string() + ": " +
                            std::strerror(errno));
    if (dfd >= 0) ::close(dfd);
    return true;
}

fs::path default_state_dir(const fs::path& override_dir) {
    if (!override_dir.empty()) return override_dir;
    auto env = [](const char* name) -> std::string_view {
        const char* v = std::getenv(name);
        return v ? std::string_view(v) : std::string_view();
    };
    std::string_view systemd = env("STATE_DIRECTORY");
    if (std::string_view first = systemd.substr(0, systemd.find(':')); !first.empty()) return fs::path(first);
    const std::string_view xdg = env("XDG_STATE_HOME");
    if (!xdg.empty() && xdg.front() == '/') return fs::path(xdg) / "newsroom-kiosk";
    const std::string_view home = env("HOME");
    if (!home.empty()) return fs::path(home) / ".local" / "state" / "newsroom-kiosk";
    return {};
}

Result<std::unique_ptr<DirLock>> DirLock::acquire(const fs::path& dir) {
    const fs::path path = dir / ".lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return io_error(path, "cannot create the lock file", errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        char buf[32] = {};
        const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
        ::close(fd);
        if (err != EWOULDBLOCK) return io_error(path, "cannot lock", err);
        std::string who = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
        while (!who.empty() && (who.back() == '\n' || who.back() == ' ')) who.pop_back();
        return Error{ErrorCode::Busy, dir.string() + ": in use by another newsroom-kiosk" + (who.empty() ? "" : " (pid " + who + ")") +
                                        "; two kiosks must not share a cache directory"};
    }
    // Who holds it, for the message the next one gets; the lock itself is the flock, not this text.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, pid.data(), pid.size(), 0);
    return std::unique_ptr<DirLock>(new DirLock(fd));
}

DirLock::~DirLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace nk::app
