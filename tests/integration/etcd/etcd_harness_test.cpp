// The etcd test harness itself (support/etcd_cluster.hpp): real etcd processes start, elect, survive a
// leader kill and a full restart, and leave nothing behind.

#include "routecat/base64.hpp"
#include "support/etcd_cluster.hpp"

#include <boost/asio/error.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using routecat::test::EtcdCluster;
using namespace std::chrono_literals;

namespace {

void put(const EtcdCluster& c, int member, const std::string& key, const std::string& value) {
    boost::json::object req{{"key", routecat::base64_encode(key)}, {"value", routecat::base64_encode(value)}};
    const auto r = c.post(member, "/v3/kv/put", boost::json::serialize(req), 10s);
    BOOST_REQUIRE_MESSAGE(r, "put: " << r.error().message());
    BOOST_REQUIRE_MESSAGE(r->status == 200, "put: " << r->status << " " << r->body);
}

// The value of key read linearizably through member, or nothing when the key is absent.
std::optional<std::string> get(const EtcdCluster& c, int member, const std::string& key) {
    boost::json::object req{{"key", routecat::base64_encode(key)}};
    const auto r = c.post(member, "/v3/kv/range", boost::json::serialize(req), 10s);
    BOOST_REQUIRE_MESSAGE(r, "range: " << r.error().message());
    BOOST_REQUIRE_MESSAGE(r->status == 200, "range: " << r->status << " " << r->body);
    const auto doc = boost::json::parse(r->body).as_object();
    const auto* kvs = doc.if_contains("kvs");  // the gateway omits an empty list
    if (!kvs || kvs->as_array().empty()) return std::nullopt;
    const auto* value = kvs->as_array().at(0).as_object().if_contains("value");  // omitted when ""
    return value ? routecat::base64_decode(value->as_string()).value() : std::string();
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(etcd_harness)

BOOST_AUTO_TEST_CASE(single_member_starts_and_serves_put_and_get) {
    const auto t0 = std::chrono::steady_clock::now();
    EtcdCluster c(1);
    BOOST_TEST_MESSAGE("1-member start: " << seconds_since(t0) << " s");
    BOOST_TEST(c.size() == 1);
    BOOST_TEST(c.running(0));
    BOOST_TEST(c.client_urls().size() == 1u);
    BOOST_TEST(c.client_url(0) == "http://127.0.0.1:" + std::to_string(c.client_port(0)));
    BOOST_TEST(c.leader_index().value_or(-1) == 0);

    const std::string key("k\0x", 3), value("v\xff", 2);  // bytes, NUL included
    BOOST_TEST(!get(c, 0, key));
    put(c, 0, key, value);
    BOOST_TEST(get(c, 0, key).value_or("<absent>") == value);
}

BOOST_AUTO_TEST_CASE(three_members_reelect_after_leader_kill_and_killed_member_rejoins) {
    const auto t0 = std::chrono::steady_clock::now();
    EtcdCluster c(3);
    BOOST_TEST_MESSAGE("3-member start: " << seconds_since(t0) << " s");
    BOOST_TEST(c.size() == 3);
    BOOST_TEST(c.client_urls().size() == 3u);
    const auto old_leader = c.leader_index();
    BOOST_REQUIRE(old_leader);
    const int other = (*old_leader + 1) % 3;
    put(c, other, "before", "kill");

    const auto t1 = std::chrono::steady_clock::now();
    c.kill_member(*old_leader);
    BOOST_TEST(!c.running(*old_leader));
    BOOST_REQUIRE(c.wait_ready(15s));
    BOOST_TEST_MESSAGE("re-election after leader kill: " << seconds_since(t1) << " s");
    const auto new_leader = c.leader_index();
    BOOST_REQUIRE(new_leader);
    BOOST_TEST(*new_leader != *old_leader);
    BOOST_TEST(get(c, other, "before").value_or("<absent>") == "kill");
    put(c, *new_leader, "after", "kill");

    // Restarted with the same flags (--initial-cluster-state new): etcd reuses its WAL and catches up.
    c.start_member(*old_leader);
    BOOST_TEST(c.running(*old_leader));
    BOOST_REQUIRE(c.wait_ready(30s));
    BOOST_TEST(get(c, *old_leader, "after").value_or("<absent>") == "kill");
}

BOOST_AUTO_TEST_CASE(stop_all_refuses_connections_and_start_all_keeps_the_data) {
    EtcdCluster c(3);
    put(c, 0, "survives", "restart");
    const pid_t first_pid = c.pid(1);

    c.stop_all();
    for (int i = 0; i < c.size(); ++i) {
        BOOST_TEST(!c.running(i));
        const auto r = c.post(i, "/v3/kv/range", R"({"key":"AA=="})");
        BOOST_REQUIRE(!r);
        BOOST_TEST(r.error() == boost::asio::error::connection_refused, r.error().message());
    }
    BOOST_TEST(!c.wait_ready(100ms));  // nothing running: never ready

    const auto t0 = std::chrono::steady_clock::now();
    c.start_all();
    BOOST_TEST(c.pid(1) != first_pid);
    BOOST_REQUIRE_MESSAGE(c.wait_ready(30s), c.log_tail(0));
    BOOST_TEST_MESSAGE("3-member restart: " << seconds_since(t0) << " s");
    for (int i = 0; i < c.size(); ++i) BOOST_TEST(get(c, i, "survives").value_or("<absent>") == "restart");
}

BOOST_AUTO_TEST_CASE(destructor_leaves_no_process_and_no_directory) {
    std::filesystem::path dir;
    std::vector<pid_t> pids;
    {
        EtcdCluster c(3);
        dir = c.dir();
        for (int i = 0; i < c.size(); ++i) pids.push_back(c.pid(i));
        BOOST_TEST(std::filesystem::exists(dir / "m0.log"));
        c.kill_member(2);  // a member already gone is fine too
    }
    BOOST_TEST(!std::filesystem::exists(dir));
    for (pid_t pid : pids) {
        errno = 0;
        BOOST_TEST(::kill(pid, 0) == -1);
        BOOST_TEST(errno == ESRCH);
    }
}

BOOST_AUTO_TEST_CASE(members_die_with_a_crashed_test_process) {
    // A forked child plays the test process: it starts a cluster, reports the pids and the directory,
    // and dies by SIGKILL, so no destructor runs. PR_SET_PDEATHSIG must take the members down.
    int fds[2];
    BOOST_REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        ::close(fds[0]);
        try {
            EtcdCluster c(3);
            std::string report;
            for (int i = 0; i < c.size(); ++i) report += std::to_string(c.pid(i)) + " ";
            report += c.dir().string();
            [[maybe_unused]] auto n = ::write(fds[1], report.data(), report.size());
            ::raise(SIGKILL);  // while c is alive
        } catch (...) {
        }
        ::raise(SIGKILL);
    }
    ::close(fds[1]);
    std::string report;
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) report.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
    BOOST_TEST((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));

    std::istringstream in(report);
    std::vector<pid_t> pids(3);
    std::string dir;
    BOOST_REQUIRE_MESSAGE(in >> pids[0] >> pids[1] >> pids[2] >> dir, "child reported: " << report);
    std::filesystem::remove_all(dir);  // the crash left it behind
    // Orphans are reaped by init (or a subreaper); a zombie not yet reaped is dead too.
    auto gone = [](pid_t pid) {
        if (::kill(pid, 0) == -1 && errno == ESRCH) return true;
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string pid_field, comm, state;
        return stat >> pid_field >> comm >> state && state == "Z";
    };
    for (pid_t pid : pids) {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (!gone(pid) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
        BOOST_TEST(gone(pid), "etcd pid " << pid << " survived its parent");
        if (!gone(pid)) ::kill(pid, SIGKILL);  // leave nothing running even on failure
    }
}

BOOST_AUTO_TEST_CASE(a_member_that_cannot_start_fails_the_constructor_with_its_log) {
    // ROUTECAT_ETCD names a binary that does not exist: the child's exec fails, and the constructor
    // throws at once (not after 30 s) with the member's log.
    const char* saved = std::getenv("ROUTECAT_ETCD");
    const std::string saved_value = saved ? saved : "";
    ::setenv("ROUTECAT_ETCD", "/nonexistent/etcd", 1);
    const auto t0 = std::chrono::steady_clock::now();
    try {
        EtcdCluster c(1);
        BOOST_ERROR("constructor did not throw");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()).find("m0 (/nonexistent/etcd) exited with status 127") != std::string::npos, e.what());
        BOOST_TEST(std::string(e.what()).find("execv failed: /nonexistent/etcd") != std::string::npos, e.what());
    }
    if (saved) ::setenv("ROUTECAT_ETCD", saved_value.c_str(), 1); else ::unsetenv("ROUTECAT_ETCD");
    BOOST_TEST(seconds_since(t0) < 10.0);
}

BOOST_AUTO_TEST_SUITE_END()
