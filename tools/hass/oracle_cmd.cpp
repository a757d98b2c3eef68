#include "oracle_cmd.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hass/core/error.hpp>

namespace hass::cli {

namespace {

std::string clipped(const std::string& s, std::size_t n = 200) {
    return s.size() <= n ? s : s.substr(0, n) + "...";
}

} // namespace

oracle_process::oracle_process(std::string command) : command_(std::move(command)) {
    if (command_.empty()) throw hass::error("--oracle-cmd: the command is empty");
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) throw hass::error("--oracle-cmd: cannot create pipes: " + std::string(std::strerror(errno)));
    std::signal(SIGPIPE, SIG_IGN); // a child that exits makes write() fail with EPIPE instead of killing hass
    pid_ = fork();
    if (pid_ < 0) throw hass::error("--oracle-cmd: cannot start '" + command_ + "': " + std::strerror(errno));
    if (pid_ == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_child_ = in[1];
    from_child_ = out[0];
    fcntl(to_child_, F_SETFD, FD_CLOEXEC);
    fcntl(from_child_, F_SETFD, FD_CLOEXEC);
}

oracle_process::~oracle_process() {
    if (to_child_ >= 0) close(to_child_);
    if (from_child_ >= 0) close(from_child_);
    if (pid_ > 0) {
        int status = 0;
        waitpid(pid_, &status, 0);
    }
}

std::string oracle_process::exit_status() {
    if (to_child_ >= 0) close(to_child_), to_child_ = -1;
    int status = 0;
    if (pid_ <= 0 || waitpid(pid_, &status, 0) != pid_) return "it stopped";
    pid_ = -1;
    if (WIFEXITED(status)) return "it exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "it was killed by signal " + std::to_string(WTERMSIG(status));
    return "it stopped";
}

nlohmann::json oracle_process::ask(const std::string& request) {
    const std::string what = "--oracle-cmd '" + command_ + "'";
    if (to_child_ < 0) throw hass::error(what + ": the command is no longer running");
    std::string line = request;
    line += '\n';
    for (std::size_t done = 0; done < line.size();) {
        const ssize_t n = write(to_child_, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break; // the command stopped reading: what it printed, or its exit, is reported below
        done += static_cast<std::size_t>(n);
    }
    for (;;) {
        const auto nl = buffer_.find('\n');
        if (nl != std::string::npos) {
            std::string answer = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            if (answer.find_first_not_of(" \t\r") == std::string::npos) continue; // blank line
            ++requests_;
            nlohmann::json j = nlohmann::json::parse(answer, nullptr, false);
            if (j.is_discarded())
                throw hass::error(what + ": answer " + std::to_string(requests_) + " is not one line of JSON: '" +
                                  clipped(answer) + "' (the command must print its logs to standard error)");
            return j;
        }
        char chunk[65536];
        const ssize_t n = read(from_child_, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw hass::error(what + ": no answer to request " + std::to_string(requests_ + 1) + " (" + exit_status() +
                              "; its standard error is above)");
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

} // namespace hass::cli
