#include "helpers.h"

#include <sys/wait.h>
#include <unistd.h>

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

}  // namespace nk::test
