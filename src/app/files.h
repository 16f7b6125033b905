// SPDX-License-Identifier: Apache-2.0
// files.h: reading and replacing files the way an unattended kiosk must: reads are bounded (a
// config pointed at /dev/zero or a 50 MB log must not eat a Pi's memory), and a replaced file is
// either the old one or the new one after a crash, never a torn mix. Errors are values that name
// the path and the system's reason.
// Blocking I/O; any thread, as long as two threads do not write the same path at once.
#pragma once

#include "feed/result.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nk::app {

// The prefix of a write in progress: a leftover from a crash is recognised by it (and removed by
// the disk cache's start-up scan).
inline constexpr std::string_view kTempPrefix = ".tmp-";

enum class FileKind {
    Regular,     // a regular file only: a directory, a device (/dev/zero) or a FIFO is refused
    Any,         // also pipes and devices (`parse /dev/stdin`, `parse <(curl ...)`)
};

// The whole file. Err(Io) when it cannot be opened or read, or is not of the kind asked for (a
// directory never is), Err(TooLarge) when it holds more than `cap` bytes: at most cap + 1 bytes are
// ever read, so a device or a growing file cannot get past it.
Result<std::string> read_file(const std::filesystem::path& path, int64_t cap, FileKind kind = FileKind::Regular);

enum class Durability {
    Fsync,       // the data and the rename survive a power cut: fsync of the file and the directory
    NoFsync,     // cheaper on an SD card; after a power cut the file may read as corrupt (never torn)
};

// Replaces `target` atomically: a uniquely named temp file (mode 0600) in the same directory, written whole,
// then renamed over the target. On any error before the rename the temp file is removed and the
// target is untouched. Trouble after the rename (the directory's fsync) goes to `warnings`.
Result<bool> write_atomic(const std::filesystem::path& target, std::string_view bytes, Durability durability,
                          std::vector<std::string>* warnings = nullptr);

// Where the kiosk keeps what must outlive its cache (the last good config): `override_dir` when
// not empty; else the first path of $STATE_DIRECTORY (systemd StateDirectory=); else
// $XDG_STATE_HOME/newsroom-kiosk (only when absolute); else $HOME/.local/state/newsroom-kiosk.
// Empty when none of them is set.
std::filesystem::path default_state_dir(const std::filesystem::path& override_dir = {});

// An exclusive claim on a directory, held while the object lives (flock on <dir>/.lock, which
// the kernel releases even after kill -9). Two kiosks writing one cache would corrupt each
// other's view of it; the second one is told who holds it.
class DirLock {
public:
    // Err(Busy) naming the directory and, when it can tell, the pid of the process holding it;
    // Err(Io) when the lock file cannot be made (a read-only directory).
    static Result<std::unique_ptr<DirLock>> acquire(const std::filesystem::path& dir);
    ~DirLock();
    DirLock(const DirLock&) = delete;
    DirLock& operator=(const DirLock&) = delete;

private:
    explicit DirLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace nk::app
