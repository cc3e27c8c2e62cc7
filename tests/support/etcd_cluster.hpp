#pragma once
// Real etcd processes for tests: a 1- or 3-member cluster on free loopback ports, data in a fresh
// temp dir, members that can be killed, stopped and restarted on the same data. Talks to etcd
// through its v3 JSON gateway (etcd 3.4: POST /v3/...).
//
// Members are children of the calling *thread* for PR_SET_PDEATHSIG: construct the cluster and
// (re)start members from a thread that outlives them (the test's main thread), or they get SIGKILL.

#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/system/result.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace routecat::test {

// One POST to an etcd member's gateway with a hard deadline (a member without a leader may hold a
// read ~10 s). Errors: connection_refused, beast timeout, ...
inline boost::system::result<HttpReply> http_post(unsigned short port, const std::string& target,
                                                  const std::string& body,
                                                  std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
    return http_call(port, boost::beast::http::verb::post, target, body, timeout);
}

class EtcdCluster {
public:
    // Starts `members` (1 or 3) fresh members and waits (~30 s) until a leader exists and a
    // linearizable read works on every member; throws with the member log tails otherwise.
    // extra_args go to every member's command line (e.g. {"--auth-token-ttl", "2"}).
    explicit EtcdCluster(int members, std::vector<std::string> extra_args = {})
        : dir_("routecat-etcd"), binary_(find_binary()), extra_args_(std::move(extra_args)) {
        if (members != 1 && members != 3) throw std::invalid_argument("EtcdCluster: members must be 1 or 3");
        static std::atomic<int> counter{0};
        token_ = "routecat-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
        members_.resize(members);
        // Free ports are found by binding :0 and closing again, so another process may take one before
        // etcd binds it: start again on fresh ports when a member reports exactly that.
        for (int attempt = 1;; ++attempt) {
            try {
                pick_ports();
                start_all();
                if (!wait_ready(std::chrono::seconds(30), true))
                    throw std::runtime_error("etcd cluster not ready within 30 s" + all_log_tails());
                return;
            } catch (...) {
                kill_all();
                if (attempt == 3 || all_log_tails().find("address already in use") == std::string::npos) throw;
                std::error_code ec;
                for (int i = 0; i < size(); ++i) {
                    std::filesystem::remove_all(data_dir(i), ec);
                    std::filesystem::remove(log_path(i), ec);
                }
            }
        }
    }
    ~EtcdCluster() { kill_all(); }  // then dir_ removes data dirs and logs
    EtcdCluster(const EtcdCluster&) = delete;
    EtcdCluster& operator=(const EtcdCluster&) = delete;

    int size() const { return static_cast<int>(members_.size()); }
    std::string client_url(int i) const { return "http://127.0.0.1:" + std::to_string(at(i).client_port); }
    std::vector<std::string> client_urls() const {
        std::vector<std::string> urls;
        for (int i = 0; i < size(); ++i) urls.push_back(client_url(i));
        return urls;
    }
    unsigned short client_port(int i) const { return at(i).client_port; }
    const std::filesystem::path& dir() const { return dir_.path(); }
    // The pid of the member's latest process (still reported after it was killed and reaped).
    pid_t pid(int i) const { return at(i).pid; }

    // Refreshes from waitpid: a member that crashed on its own is not running.
    bool running(int i) const {
        auto& m = at(i);
        if (!m.alive) return false;
        int status = 0;
        const pid_t r = waitpid(m.pid, &status, WNOHANG);
        if (r == m.pid || (r < 0 && errno == ECHILD)) {
            m.alive = false;
            m.exit_status = r == m.pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        return m.alive;
    }

    // POST to member i's JSON gateway, e.g. post(0, "/v3/kv/range", R"({"key":"AA=="})").
    boost::system::result<HttpReply> post(int i, const std::string& target, const std::string& body,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(2)) const {
        return http_post(at(i).client_port, target, body, timeout);
    }

    // The running member that reports itself leader (highest raft term if a stale one still does).
    std::optional<int> leader_index() {
        std::optional<int> best;
        std::uint64_t best_term = 0;
        for (int i = 0; i < size(); ++i) {
            const auto s = status(i);
            if (s && s->leader != 0 && s->leader == s->member_id && (!best || s->term > best_term)) {
                best = i;
                best_term = s->term;
            }
        }
        return best;
    }

    void kill_member(int i) {
        auto& m = at(i);
        if (!running(i)) return;
        ::kill(m.pid, SIGKILL);
        reap(m);
    }

    // SIGTERM to every running member, up to 10 s in all for them to exit, then SIGKILL. One at a
    // time, leader first: a stopping leader hands leadership to a live follower, which takes a
    // heartbeat; with all members stopping at once that handover times out and each stop takes ~10 s.
    void stop_all() {
        std::vector<int> order;
        if (const auto leader = leader_index()) order.push_back(*leader);
        for (int i = 0; i < size(); ++i)
            if (order.empty() || order.front() != i) order.push_back(i);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        for (int i : order) {
            if (running(i)) ::kill(at(i).pid, SIGTERM);
            while (running(i) && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        kill_all();
    }

    // Starts a stopped member on its existing data dir (no-op when it runs). The flags are the same
    // as the first start: etcd ignores --initial-cluster* once the data dir holds a WAL.
    void start_member(int i) {
        if (running(i)) return;
        spawn(i);
    }
    void start_all() {
        for (int i = 0; i < size(); ++i) start_member(i);
    }

    // True once the running members agree on a running leader and a linearizable read works on each.
    bool wait_ready(std::chrono::milliseconds timeout) { return wait_ready(timeout, false); }

    // The last `lines` lines of member i's log (stdout + stderr, appended across restarts).
    std::string log_tail(int i, std::size_t lines = 20) const {
        std::ifstream in(log_path(i));
        std::deque<std::string> tail;
        for (std::string line; std::getline(in, line);) {
            tail.push_back(line);
            if (tail.size() > lines) tail.pop_front();
        }
        std::string out;
        for (const auto& l : tail) out += l + "\n";
        return out;
    }

private:
    struct Member {
        unsigned short client_port = 0;
        unsigned short peer_port = 0;
        pid_t pid = -1;
        mutable bool alive = false;     // spawned and not reaped yet
        mutable int exit_status = -1;   // its exit code when it exited on its own, else -1
    };
    struct Status {
        std::uint64_t member_id = 0, leader = 0, term = 0;
    };

    Member& at(int i) { return members_.at(static_cast<std::size_t>(i)); }
    const Member& at(int i) const { return members_.at(static_cast<std::size_t>(i)); }
    std::string data_dir(int i) const { return (dir_.path() / ("m" + std::to_string(i) + ".etcd")).string(); }
    std::string log_path(int i) const { return (dir_.path() / ("m" + std::to_string(i) + ".log")).string(); }

    // $ROUTECAT_ETCD, else `etcd` from PATH; resolved before fork so the child only calls execv.
    static std::string find_binary() {
        if (const char* env = std::getenv("ROUTECAT_ETCD"); env && *env) return env;
        const char* path = std::getenv("PATH");
        std::string dirs = path ? path : "/usr/bin:/bin";
        for (std::size_t pos = 0; pos <= dirs.size();) {
            std::size_t end = dirs.find(':', pos);
            if (end == std::string::npos) end = dirs.size();
            const std::string candidate = (end > pos ? dirs.substr(pos, end - pos) : ".") + "/etcd";
            if (::access(candidate.c_str(), X_OK) == 0) return candidate;
            pos = end + 1;
        }
        throw std::runtime_error("etcd not found in PATH: install etcd-server or set ROUTECAT_ETCD");
    }

    // All ports are held open together, so the members get distinct ones.
    void pick_ports() {
        boost::asio::io_context io;
        std::vector<boost::asio::ip::tcp::acceptor> held;
        auto next = [&] {
            held.emplace_back(io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address_v4("127.0.0.1"), 0));
            return held.back().local_endpoint().port();
        };
        for (auto& m : members_) {
            m.client_port = next();
            m.peer_port = next();
        }
    }

    std::vector<std::string> args(int i) const {
        const std::string name = "m" + std::to_string(i);
        const std::string client = client_url(i);
        const std::string peer = "http://127.0.0.1:" + std::to_string(at(i).peer_port);
        std::string cluster;
        for (int j = 0; j < size(); ++j)
            cluster += (j ? "," : "") + ("m" + std::to_string(j)) + "=http://127.0.0.1:" + std::to_string(at(j).peer_port);
        std::vector<std::string> args{binary_, "--name", name, "--data-dir", data_dir(i),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", cluster, "--initial-cluster-state", "new", "--initial-cluster-token", token_,
                "--max-txn-ops", "20000", "--max-request-bytes", "33554432",
                // Raised from 100/1000 ms: a leader kill on a loaded 2-core machine must not flap.
                "--heartbeat-interval", "250", "--election-timeout", "2500",
                // The 3.4 default, explicit: no test writes enough to trigger a snapshot.
                "--snapshot-count", "100000",
                "--logger", "zap", "--log-level", "warn", "--log-outputs", "stderr"};
        args.insert(args.end(), extra_args_.begin(), extra_args_.end());
        return args;
    }

    void spawn(int i) {
        std::vector<std::string> storage = args(i);
        std::vector<char*> argv;
        for (auto& s : storage) argv.push_back(s.data());
        argv.push_back(nullptr);
        // Opened before fork: between fork and exec only async-signal-safe calls are allowed.
        const int log_fd = ::open(log_path(i).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (log_fd < 0 || null_fd < 0) {
            if (log_fd >= 0) ::close(log_fd);
            if (null_fd >= 0) ::close(null_fd);
            throw std::runtime_error("cannot open " + log_path(i));
        }
        const pid_t parent = ::getpid();
        const pid_t pid = ::fork();
        if (pid == 0) {
            // Dies with the test process, even on a crash; if the parent is already gone, exit now.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent) ::_exit(127);
            ::dup2(null_fd, STDIN_FILENO);
            ::dup2(log_fd, STDOUT_FILENO);
            ::dup2(log_fd, STDERR_FILENO);
            ::close_range(3, ~0U, 0);  // no test sockets or files leak into etcd
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            ::execv(argv[0], argv.data());
            const char msg[] = "etcd_cluster: execv failed: ";
            [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1) +
                                            ::write(STDERR_FILENO, argv[0], std::strlen(argv[0])) +
                                            ::write(STDERR_FILENO, "\n", 1);
            ::_exit(127);
        }
        ::close(log_fd);
        ::close(null_fd);
        if (pid < 0) throw std::runtime_error("fork failed for etcd member " + std::to_string(i));
        at(i).pid = pid;
        at(i).alive = true;
        at(i).exit_status = -1;
    }

    static void reap(Member& m) {
        int status = 0;
        while (::waitpid(m.pid, &status, 0) < 0 && errno == EINTR) {
        }
        m.alive = false;
    }

    void kill_all() noexcept {
        for (auto& m : members_)
            if (m.alive) ::kill(m.pid, SIGKILL);
        for (auto& m : members_)
            if (m.alive) reap(m);
    }

    std::string all_log_tails() const {
        std::string out;
        for (int i = 0; i < size(); ++i)
            out += "\n--- m" + std::to_string(i) + " (" + log_path(i) + ") ---\n" + log_tail(i);
        return out;
    }

    // The JSON gateway renders uint64 fields as decimal strings; a missing "leader" means none.
    std::optional<Status> status(int i) const {
        if (!running(i)) return std::nullopt;
        const auto r = post(i, "/v3/maintenance/status", "{}");
        if (!r || r->status != 200) return std::nullopt;
        boost::system::error_code ec;
        const auto doc = boost::json::parse(r->body, ec);
        if (ec || !doc.is_object()) return std::nullopt;
        auto number = [](const boost::json::object* o, const char* field) -> std::uint64_t {
            const auto* v = o ? o->if_contains(field) : nullptr;
            return v && v->is_string() ? std::strtoull(v->as_string().c_str(), nullptr, 10) : 0;
        };
        const auto& obj = doc.as_object();
        const auto* header = obj.if_contains("header");
        Status s;
        s.member_id = number(header && header->is_object() ? &header->as_object() : nullptr, "member_id");
        s.leader = number(&obj, "leader");
        s.term = number(&obj, "raftTerm");
        return s;
    }

    bool ready_once() const {
        std::vector<std::uint64_t> ids;
        std::optional<std::uint64_t> leader;
        for (int i = 0; i < size(); ++i) {
            if (!running(i)) continue;
            const auto s = status(i);
            if (!s || s->leader == 0 || (leader && *leader != s->leader)) return false;
            leader = s->leader;
            ids.push_back(s->member_id);
        }
        // The agreed leader must be one of the running members, not a killed one still remembered.
        if (!leader || std::find(ids.begin(), ids.end(), *leader) == ids.end()) return false;
        for (int i = 0; i < size(); ++i) {
            if (!running(i)) continue;
            const auto r = post(i, "/v3/kv/range", R"({"key":"AA=="})");  // linearizable by default
            if (!r || r->status != 200) return false;
        }
        return true;
    }

    // fail_on_exit: while starting, a member that exits is a failure rather than "not running".
    bool wait_ready(std::chrono::milliseconds timeout, bool fail_on_exit) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (fail_on_exit)
                for (int i = 0; i < size(); ++i)
                    if (!running(i))
                        throw std::runtime_error("etcd member m" + std::to_string(i) + " (" + binary_ +
                                                 ") exited with status " + std::to_string(at(i).exit_status) +
                                                 " while starting" + all_log_tails());
            if (ready_once()) return true;
            if (std::chrono::steady_clock::now() >= deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    TempDir dir_;
    std::string binary_;
    std::string token_;
    std::vector<std::string> extra_args_;
    std::vector<Member> members_;
};

}  // namespace routecat::test
