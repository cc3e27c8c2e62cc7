#pragma once
// Child processes for tests: spawn with stderr captured to a file, signal, wait with a timeout.

#include <chrono>
#include <csignal>
#include <fstream>
#include <optional>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>
#include <fcntl.h>

extern char** environ;

namespace routecat::test {

class Process {
public:
    // Starts program with args; stdout and stderr go to log_path.
    Process(const std::string& program, const std::vector<std::string>& args, const std::string& log_path,
            const std::string& cwd = {})
        : log_path_(log_path) {
        std::vector<char*> argv;
        std::vector<std::string> storage{program};
        storage.insert(storage.end(), args.begin(), args.end());
        for (auto& s : storage) argv.push_back(s.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
        if (posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
    }
    ~Process() {
        if (running()) {
            kill(pid_, SIGKILL);
            wait_exit(std::chrono::seconds(10));
        }
    }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    bool started() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }
    bool running() const { return pid_ > 0 && !exit_status_; }
    void signal(int sig) { if (running()) kill(pid_, sig); }

    // The exit code (128 + signal for a signal), or nothing if it did not exit in time.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
        if (exit_status_) return exit_status_;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            int status = 0;
            const pid_t r = waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                return exit_status_;
            }
            if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }

    std::string log() const {
        std::ifstream in(log_path_);
        std::ostringstream out;
        out << in.rdbuf();
        return out.str();
    }

    // Waits until the log contains text; returns the log then, or nothing on timeout or exit.
    std::optional<std::string> wait_for_log(const std::string& text, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            std::string l = log();
            if (l.find(text) != std::string::npos) return l;
            if (wait_exit(std::chrono::milliseconds(0)) || std::chrono::steady_clock::now() > deadline)
                return std::nullopt;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

private:
    pid_t pid_ = -1;
    std::string log_path_;
    std::optional<int> exit_status_;
};

}  // namespace routecat::test
