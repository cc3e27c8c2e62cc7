// routecatd as a process: start-up, /healthz and /v1/catalog, restart on the same data directory,
// exit codes for bad configs, a locked data directory and a busy port, SIGTERM drain.

#define BOOST_TEST_MODULE routecatd
#include "support/daemon_fixture.hpp"
#include "support/printers.hpp"
#include "support/rocksdb_backend.hpp"
#include "support/run.hpp"

#include "routecat/catalog/catalog_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <future>
#include <thread>
#include <fstream>
#include <map>

using namespace routecat;
using namespace routecat::test;
using namespace std::chrono_literals;

BOOST_TEST_GLOBAL_FIXTURE(JoinRocksDbPool);

BOOST_FIXTURE_TEST_SUITE(daemon_process, DaemonFixture)

BOOST_AUTO_TEST_CASE(seeds_a_new_catalog_serves_it_and_keeps_it_across_a_restart) {
    {
        const auto started_at = std::chrono::steady_clock::now();
        Daemon d = start_default();
        auto health = http_get("127.0.0.1", d.port, "/healthz");
        BOOST_TEST(health.status == 200u);
        BOOST_TEST(health.body == R"({"status":"ok"})");
        BOOST_TEST(std::string(health.raw[boost::beast::http::field::content_type]) == "application/json; charset=utf-8");
        BOOST_TEST((std::chrono::steady_clock::now() - started_at < 2s));

        auto catalog = json_of(http_get("127.0.0.1", d.port, "/v1/catalog")).as_object();
        BOOST_TEST(catalog.at("version").to_number<std::uint64_t>() == 1u);
        BOOST_TEST(catalog.at("next_route_id").to_number<std::uint64_t>() == 2u);
        const auto& routes = catalog.at("routes").as_array();
        BOOST_TEST_REQUIRE(routes.size() == 1u);
        BOOST_TEST(routes[0].at("route_id").to_number<std::uint64_t>() == 1u);
        BOOST_TEST(routes[0].at("start").as_string() == "");
        BOOST_TEST(routes[0].at("end").is_null());
        BOOST_TEST(routes[0].at("group_id").to_number<std::uint64_t>() == 1u);
        d.process->signal(SIGTERM);
        BOOST_TEST(d.process->wait_exit(10s) == std::optional<int>(0));
    }
    // Change the catalog offline, through the library, then restart on the same directory.
    {
        boost::asio::io_context io;
        CatalogStore catalog(open_rocksdb(data));
        std::vector<RouteDescriptor> routes{{7, "", "m", 3, RouteState::write_fenced, 1}, {8, "m", std::nullopt, 4, RouteState::active, 1}};
        run(io, catalog.save(1, routes));
    }
    Daemon d = start_default();
    auto catalog = json_of(http_get("127.0.0.1", d.port, "/v1/catalog")).as_object();
    BOOST_TEST(catalog.at("version").to_number<std::uint64_t>() == 2u);
    BOOST_TEST(catalog.at("next_route_id").to_number<std::uint64_t>() == 9u);
    const auto& routes = catalog.at("routes").as_array();
    BOOST_TEST_REQUIRE(routes.size() == 2u);
    BOOST_TEST(routes[0].at("route_id").to_number<std::uint64_t>() == 7u);
    BOOST_TEST(routes[0].at("end_text").as_string() == "m");
    BOOST_TEST(routes[0].at("state").as_string() == "write_fenced");
    BOOST_TEST(routes[1].at("start").as_string() == "bQ==");
    d.process->signal(SIGINT);
    BOOST_TEST(d.process->wait_exit(10s) == std::optional<int>(0));
}

BOOST_AUTO_TEST_CASE(unknown_paths_and_methods_get_json_errors) {
    Daemon d = start_default();
    HttpConnection c("127.0.0.1", d.port);
    auto missing = c.request(boost::beast::http::verb::get, "/nope");
    BOOST_TEST(missing.status == 404u);
    BOOST_TEST(json_of(missing).at("error").at("code").as_string() == "not_found");
    auto wrong = c.request(boost::beast::http::verb::delete_, "/healthz");
    BOOST_TEST(wrong.status == 405u);
    BOOST_TEST(json_of(wrong).at("error").at("code").as_string() == "method_not_allowed");
    BOOST_TEST(std::string(wrong.raw[boost::beast::http::field::allow]) == "GET");
    // The same connection still serves.
    BOOST_TEST(c.request(boost::beast::http::verb::get, "/healthz").status == 200u);
}

BOOST_AUTO_TEST_CASE(sigterm_with_an_idle_keep_alive_connection_exits_zero_promptly) {
    Daemon d = start_default();
    HttpConnection idle("127.0.0.1", d.port);
    BOOST_TEST(idle.request(boost::beast::http::verb::get, "/healthz").status == 200u);
    const auto signalled = std::chrono::steady_clock::now();
    d.process->signal(SIGTERM);
    BOOST_TEST(d.process->wait_exit(10s) == std::optional<int>(0));
    BOOST_TEST((std::chrono::steady_clock::now() - signalled < 3s));  // well under the 10 s drain timeout
    BOOST_TEST(d.process->log().find("stopped") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_second_daemon_on_the_same_data_directory_exits_one) {
    Daemon first = start_default();
    auto [code, output] = run_to_exit({"--listen", "127.0.0.1:0", "--data-dir", data});
    BOOST_TEST(code == 1);
    BOOST_TEST(output.find("data directory " + data + " is locked by another process") != std::string::npos, output);
    BOOST_TEST(http_get("127.0.0.1", first.port, "/healthz").status == 200u);
}

BOOST_AUTO_TEST_CASE(a_busy_port_exits_one) {
    Daemon first = start_default();
    auto [code, output] = run_to_exit({"--listen", "127.0.0.1:" + std::to_string(first.port), "--data-dir",
                                       dir.str() + "/other"});
    BOOST_TEST(code == 1);
    BOOST_TEST(output.find("cannot listen on 127.0.0.1:" + std::to_string(first.port)) != std::string::npos, output);
}

BOOST_AUTO_TEST_CASE(the_memory_config_runs_without_a_data_directory) {
    const std::string config = std::string(ROUTECAT_SOURCE_DIR) + "/config/routecatd-memory.json";
    Daemon d = start({"--config", config, "--listen", "127.0.0.1:0"});
    auto catalog = json_of(http_get("127.0.0.1", d.port, "/v1/catalog")).as_object();
    BOOST_TEST(catalog.at("version").to_number<std::uint64_t>() == 1u);
    BOOST_TEST(d.process->log().find("store: memory") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bootstrap_routes_from_the_config_seed_the_catalog) {
    const auto config = config_file(R"({"engine":{"bootstrap_routes":[
        {"start_text":"","end_text":"m","group_id":1},{"start_text":"m","group_id":2,"state":"write_fenced"}]}})");
    Daemon d = start({"--config", config, "--listen", "127.0.0.1:0", "--data-dir", data});
    auto catalog = json_of(http_get("127.0.0.1", d.port, "/v1/catalog")).as_object();
    const auto& routes = catalog.at("routes").as_array();
    BOOST_TEST_REQUIRE(routes.size() == 2u);
    BOOST_TEST(routes[1].at("route_id").to_number<std::uint64_t>() == 2u);
    BOOST_TEST(routes[1].at("start_text").as_string() == "m");
    BOOST_TEST(routes[1].at("group_id").to_number<std::uint64_t>() == 2u);
    BOOST_TEST(routes[1].at("state").as_string() == "write_fenced");
    BOOST_TEST(routes[0].at("state").as_string() == "active");
}

BOOST_AUTO_TEST_CASE(bad_configs_exit_two_naming_the_field) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {R"({"listen":{"adress":"127.0.0.1"}})", "listen.adress"},
        {R"({"listen":{"port":"8080"}})", "listen.port"},
        {R"({"listen":{"port":70000}})", "listen.port"},
        {R"({"watcher":{"interval_ms":0}})", "watcher.interval_ms"},
        {R"({"store":{"kind":"cassandra"}})", "store.kind"},
        {R"({"admin":{"token":"a","token_env":"B"}})", "admin"},
        {R"({"engine":{"bootstrap_routes":[{"start_text":"","group_id":0}]}})", "engine.bootstrap_routes[0]"},
        {R"({"log":{"level":"loud"}})", "log.level"},
        {R"({"threads":-1})", "threads"},
        {R"({"listen":)", "routecatd: invalid config"},
        {R"({"store":{"kind":"etcd","username":"u"}})", "store.username"},
        {R"({"store":{"kind":"etcd","username":"u","password_file":"/nonexistent/etcd-pw"}})",
         "store.password_file: cannot read /nonexistent/etcd-pw"},
        {R"({"store":{"kind":"etcd","username":"u","password_env":"ROUTECAT_TEST_UNSET_PASSWORD"}})",
         "store.password_env: environment variable ROUTECAT_TEST_UNSET_PASSWORD is unset or empty"},
    };
    for (const auto& [json, field] : cases) {
        auto [code, output] = run_to_exit({"--config", config_file(json), "--check-config"});
        BOOST_TEST_INFO(json);
        BOOST_TEST(code == 2);
        BOOST_TEST(output.find(field) != std::string::npos, output);
    }
}

BOOST_AUTO_TEST_CASE(command_line_mistakes_and_informational_flags) {
    BOOST_TEST(run_to_exit({"--frobnicate"}).first == 2);
    BOOST_TEST(run_to_exit({"--config"}).first == 2);
    BOOST_TEST(run_to_exit({"--config", dir.str() + "/missing.json"}).first == 2);
    BOOST_TEST(run_to_exit({"--listen", "nonsense"}).first == 2);
    auto [listen_code, listen_out] = run_to_exit({"--listen", "0.0.0.0:0"});
    BOOST_TEST(listen_code == 2);
    BOOST_TEST(listen_out.find("without an admin token") != std::string::npos, listen_out);
    auto [vcode, vout] = run_to_exit({"--version"});
    BOOST_TEST(vcode == 0);
    BOOST_TEST(vout == "routecatd 0.1.0\n");
    auto [hcode, hout] = run_to_exit({"--help"});
    BOOST_TEST(hcode == 0);
    BOOST_TEST(hout.starts_with("usage: routecatd"));
    auto [ccode, cout] = run_to_exit({"--config", std::string(ROUTECAT_SOURCE_DIR) + "/config/routecatd.json", "--check-config"});
    BOOST_TEST(ccode == 0);
    BOOST_TEST(cout == "config OK\n");
}

BOOST_AUTO_TEST_CASE(bad_requests_get_4xx_json_and_the_daemon_keeps_serving_with_the_catalog_unchanged) {
    const auto config = config_file(R"({"admin":{"token":"t0ken","body_limit_bytes":65536}})");
    Daemon d = start({"--config", config, "--listen", "127.0.0.1:0", "--data-dir", data});
    const std::string before = http_get("127.0.0.1", d.port, "/v1/catalog").body;
    const std::map<std::string, std::string> no_token{}, auth{{"Authorization", "Bearer t0ken"}};
    struct Case {
        boost::beast::http::verb method;
        std::string target, body;
        bool with_token;
        unsigned status;
        std::string code;
    };
    using boost::beast::http::verb;
    const std::vector<Case> cases{
        {verb::put, "/v1/catalog", R"({"expected_version":1,"routes":[]})", false, 401, "unauthorized"},
        {verb::put, "/v1/catalog", "{\"expected_version\":", true, 400, "bad_request"},
        {verb::put, "/v1/catalog", R"({"expected_version":"1","routes":[]})", true, 400, "bad_request"},
        {verb::put, "/v1/catalog", R"({"expected_version":18446744073709551616,"routes":[]})", true, 400, "bad_request"},
        {verb::put, "/v1/catalog", R"({"expected_version":-1,"routes":[]})", true, 400, "bad_request"},
        {verb::put, "/v1/catalog", R"({"expected_version":1,"routes":[{"route_id":1,"start":"%%%","group_id":1}]})", true, 400, "bad_request"},
        {verb::put, "/v1/catalog", R"({"expected_version":1,"routes":[{"route_id":1,"group_id":1,"state":"sleepy"}]})", true, 400, "bad_request"},
        {verb::put, "/v1/catalog", R"({"expected_version":1})", true, 400, "bad_request"},
        {verb::put, "/v1/catalog", R"({"expected_version":1,"routes":[{"route_id":1,"group_id":1},{"route_id":1,"group_id":2}]})", true, 422, "catalog_duplicate_route_id"},
        {verb::put, "/v1/catalog", R"({"expected_version":7,"routes":[]})", true, 409, "catalog_version_mismatch"},
        {verb::put, "/v1/catalog", std::string(70000, ' '), true, 413, "payload_too_large"},
        {verb::get, "/v1/routes/lookup?key_hex=zz", "", false, 400, "bad_request"},
        {verb::post, "/v1/engine/snapshot", R"({"version":0,"routes":[]})", true, 409, "engine_snapshot_version_stale"},
    };
    for (const auto& c : cases) {
        HttpConnection conn("127.0.0.1", d.port);
        std::map<std::string, std::string> headers = c.with_token ? auth : no_token;
        auto reply = conn.request(c.method, c.target, c.body, "application/json", headers);
        BOOST_TEST_INFO(c.target << " " << c.body.substr(0, 80));
        BOOST_TEST(reply.status == c.status);
        BOOST_TEST(std::string(reply.raw[boost::beast::http::field::content_type]) == "application/json; charset=utf-8");
        BOOST_TEST(json_of(reply).at("error").at("code").as_string() == c.code);
    }
    BOOST_TEST(http_get("127.0.0.1", d.port, "/healthz").status == 200u);
    BOOST_TEST(http_get("127.0.0.1", d.port, "/v1/catalog").body == before);
    d.process->signal(SIGTERM);
    BOOST_TEST(d.process->wait_exit(10s) == std::optional<int>(0));
    BOOST_TEST(d.process->log().find("t0ken") == std::string::npos);  // the token is never logged
}

BOOST_AUTO_TEST_CASE(a_stored_catalog_the_engine_refuses_is_served_said_and_repairable) {
    {  // written by an older build, or by hand: CatalogStore::save keeps §6.5 and stores overlaps
        boost::asio::io_context io;
        CatalogStore catalog(open_rocksdb(data));
        std::vector<RouteDescriptor> routes{{1, "", "m", 1}, {2, "a", "z", 1}};
        run(io, catalog.save(0, routes));
    }
    Daemon d = start({"--listen", "127.0.0.1:0", "--data-dir", data}, false);
    auto eventually = [&](const std::string& target, unsigned status, const std::string& code) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        HttpReply r;
        do {
            r = http_get("127.0.0.1", d.port, target);
            if (r.status == status && (code.empty() || json_of(r).at("error").at("code").as_string() == code)) return true;
            std::this_thread::sleep_for(10ms);
        } while (std::chrono::steady_clock::now() < deadline);
        BOOST_TEST_MESSAGE(target << " answered " << r.status << " " << r.body);
        return false;
    };
    BOOST_TEST(eventually("/readyz", 503, "catalog_invalid"));
    BOOST_TEST(http_get("127.0.0.1", d.port, "/healthz").status == 200u);
    const auto routes = http_get("127.0.0.1", d.port, "/v1/routes/lookup?key=b");
    BOOST_TEST(routes.status == 503u);
    BOOST_TEST(json_of(routes).at("error").at("code").as_string() == "not_synced");
    auto stored = json_of(http_get("127.0.0.1", d.port, "/v1/catalog"));
    BOOST_TEST(stored.at("version") == 1);
    BOOST_TEST(stored.at("routes").as_array().size() == 2u);
    // A PUT repairs it.
    HttpConnection conn("127.0.0.1", d.port);
    auto put = conn.request(boost::beast::http::verb::put, "/v1/catalog",
                            R"({"expected_version":1,"routes":[{"route_id":3,"start_text":"","group_id":7}]})");
    BOOST_TEST(put.status == 200u, put.body);
    BOOST_TEST(eventually("/readyz", 200, ""));
    BOOST_TEST(json_of(http_get("127.0.0.1", d.port, "/v1/routes/lookup?key=b")).at("route").at("group_id") == 7);
    d.process->signal(SIGTERM);
    BOOST_TEST(d.process->wait_exit(10s) == std::optional<int>(0));
    BOOST_TEST(d.process->log().find("the stored catalog cannot be loaded: engine snapshot has overlapping routes") !=
               std::string::npos);
    d = start_default();  // and it loads from then on
    BOOST_TEST(json_of(http_get("127.0.0.1", d.port, "/v1/routes/lookup?key=b")).at("route").at("group_id") == 7);
}

BOOST_AUTO_TEST_CASE(sigterm_answers_50_open_long_polls_at_once_and_exits_within_2_s) {
    Daemon d = start_default();
    const auto version = json_of(http_get("127.0.0.1", d.port, "/v1/routes?limit=1")).at("version").to_number<std::uint64_t>();
    boost::asio::io_context clients;
    std::vector<std::future<boost::system::result<HttpReply>>> polls;
    const std::string target = "/v1/routes?limit=1&wait_version=" + std::to_string(version) + "&timeout=60s";
    for (int i = 0; i < 50; ++i)
        polls.push_back(boost::asio::co_spawn(
            clients, http_call_async(d.port, boost::beast::http::verb::get, target, {}, std::chrono::seconds(30)),
            boost::asio::use_future));
    std::thread client_thread([&clients] { clients.run(); });
    std::this_thread::sleep_for(500ms);  // every poll connected and parked on the engine's version
    const auto signalled = std::chrono::steady_clock::now();
    d.process->signal(SIGTERM);
    const auto code = d.process->wait_exit(10s);
    const auto took = std::chrono::steady_clock::now() - signalled;
    client_thread.join();
    BOOST_TEST(code == std::optional<int>(0));
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() < 2000);
    int answered = 0;
    for (auto& poll : polls) {
        auto reply = poll.get();
        if (reply && reply->status == 200 && json_of(*reply).at("version").to_number<std::uint64_t>() == version) ++answered;
    }
    BOOST_TEST(answered == 50);  // each with its normal answer: the current table
}

BOOST_AUTO_TEST_CASE(a_second_signal_during_a_long_drain_exits_at_once_with_1) {
    const auto config = config_file(R"({"admin":{"drain_timeout_ms":30000,"header_timeout_ms":60000}})");
    Daemon d = start({"--config", config, "--listen", "127.0.0.1:0", "--data-dir", data});
    // A request in flight that will not finish: its body never arrives.
    HttpConnection slow("127.0.0.1", d.port);
    boost::asio::write(slow.stream(), boost::asio::buffer(std::string(
        "PUT /v1/catalog HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"expected")));
    std::this_thread::sleep_for(300ms);
    d.process->signal(SIGTERM);
    BOOST_TEST_REQUIRE(d.process->wait_for_log("draining connections", 5s).has_value());
    BOOST_TEST(!d.process->wait_exit(500ms).has_value());  // the drain waits for the request
    const auto signalled = std::chrono::steady_clock::now();
    d.process->signal(SIGTERM);
    const auto code = d.process->wait_exit(5s);
    BOOST_TEST(code == std::optional<int>(1));
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - signalled).count() < 1000);
    BOOST_TEST(d.process->log().find("again: exiting at once") != std::string::npos, d.process->log());
}

BOOST_AUTO_TEST_SUITE_END()
