#pragma once
// routecatd as a child process for tests: started on a free port (read from its log) in a fresh
// temp directory, run to exit, given a config file. ROUTECATD names the binary (tests/CMakeLists.txt).

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <memory>
#include <thread>
#include <string>
#include <utility>
#include <vector>

#ifndef ROUTECATD
#error "ROUTECATD must name the routecatd binary (set by tests/CMakeLists.txt)"
#endif

namespace routecat::test {

using namespace std::chrono_literals;

struct Daemon {
    std::unique_ptr<Process> process;
    unsigned short port = 0;
};

struct DaemonFixture {
    TempDir dir{"routecatd-test"};
    std::string data = dir.str() + "/nested/data/routecat";  // parents do not exist yet
    int started = 0;

    std::string log_path() { return dir.str() + "/routecatd-" + std::to_string(++started) + ".log"; }

    // Starts routecatd with args and waits until it listens (port parsed from its log) and, unless
    // told otherwise, until it is ready: it serves before its catalog has loaded.
    Daemon start(std::vector<std::string> args, bool wait_ready = true) {
        Daemon d;
        d.process = std::make_unique<Process>(ROUTECATD, args, log_path());
        BOOST_TEST_REQUIRE(d.process->started());
        auto log = d.process->wait_for_log("listening on 127.0.0.1:", 10s);
        BOOST_TEST_REQUIRE(log.has_value(), "routecatd did not start: " << d.process->log());
        const auto at = log->find("listening on 127.0.0.1:") + std::string("listening on 127.0.0.1:").size();
        d.port = static_cast<unsigned short>(std::stoi(log->substr(at)));
        if (wait_ready) {
            const auto deadline = std::chrono::steady_clock::now() + 10s;
            while (http_get("127.0.0.1", d.port, "/readyz").status != 200u && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(5ms);
            BOOST_TEST_REQUIRE(http_get("127.0.0.1", d.port, "/readyz").status == 200u, "routecatd not ready: " << d.process->log());
        }
        return d;
    }
    Daemon start_default() { return start({"--listen", "127.0.0.1:0", "--data-dir", data}); }

    // Runs routecatd to completion; returns (exit code, output).
    std::pair<int, std::string> run_to_exit(std::vector<std::string> args) {
        Process p(ROUTECATD, args, log_path());
        auto code = p.wait_exit(20s);
        BOOST_TEST_REQUIRE(code.has_value());
        return {*code, p.log()};
    }

    std::string config_file(const std::string& json) {
        const std::string path = dir.str() + "/config-" + std::to_string(++started) + ".json";
        std::ofstream(path) << json;
        return path;
    }
};

inline boost::json::value json_of(const HttpReply& r) { return boost::json::parse(r.body); }

}  // namespace routecat::test
