// HttpCatalogMirror following routecatd processes: through a restart on RocksDB (the table served
// while the daemon is down, the changes after it followed), and a memory-store restart that puts the
// daemon's catalog behind the mirror (diverged; with follow_regression, the daemon's catalog).

#include "integration/mirror/mirror_fixture.hpp"
#include "support/daemon_fixture.hpp"

#include "routecat/json/change_json.hpp"

#include <csignal>

using namespace routecat;
using namespace routecat::test;
namespace http = boost::beast::http;

namespace {

// routecatd on a port chosen once, so a restarted daemon is found at the same endpoint.
struct DaemonOnPort : DaemonFixture {
    unsigned short port = closed_port();
    std::string url() const { return url_of(port); }

    Daemon start_with(const std::string& config) {
        return start({"--config", config, "--listen", "127.0.0.1:" + std::to_string(port), "--data-dir", data});
    }
    void stop(Daemon& d) {
        d.process->signal(SIGTERM);
        BOOST_TEST_REQUIRE(d.process->wait_exit(10s) == std::optional<int>(0));
    }

    CatalogSnapshot catalog() {
        std::string error;
        auto snapshot = snapshot_from_json(json_of(http_get("127.0.0.1", port, "/v1/catalog")), error);
        BOOST_TEST_REQUIRE(snapshot.has_value(), error);
        return *snapshot;
    }
    void put(std::uint64_t expected, const std::string& routes) {
        HttpConnection c("127.0.0.1", port);
        const auto reply = c.request(http::verb::put, "/v1/catalog",
                                     R"({"expected_version":)" + std::to_string(expected) + R"(,"routes":)" + routes + "}");
        BOOST_TEST_REQUIRE(reply.status == 200u, reply.body);
    }
    void split(std::uint64_t expected, std::uint64_t route_id, const std::string& key) {
        HttpConnection c("127.0.0.1", port);
        const auto reply = c.request(http::verb::post, "/v1/catalog/split",
                                     R"({"expected_version":)" + std::to_string(expected) + R"(,"route_id":)" +
                                         std::to_string(route_id) + R"(,"split_key_text":")" + key + R"("})");
        BOOST_TEST_REQUIRE(reply.status == 200u, reply.body);
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(mirror_daemon, DaemonOnPort)

BOOST_AUTO_TEST_CASE(follows_through_a_daemon_restart_on_rocksdb) {
    const std::string config = config_file(R"({"store":{"kind":"rocksdb"}})");
    Daemon d = start_with(config);
    put(1, R"([{"route_id":1,"start_text":"","end_text":"m","group_id":1},{"route_id":2,"start_text":"m","group_id":2}])");
    IoThread io;
    RunningMirror m(io.io, mirror_options({url()}));
    BOOST_TEST_REQUIRE(eventually([&] { return m.status().last_version == 2; }));
    const CatalogSnapshot before = catalog();
    check_engine_is(*m.engine, before);

    stop(d);
    BOOST_TEST_REQUIRE(eventually([&] { return m.status().failures >= 2; }));
    const auto down = m.status();
    BOOST_TEST(down.last_error_code == errc::store_unavailable);
    BOOST_TEST(down.last_error == url() + ": connect: Connection refused: store is unavailable");
    check_engine_is(*m.engine, before);  // still served
    BOOST_TEST(m.log->count("warning catalog watch attempt failed error=\"" + down.last_error + "\" version=2") >= 2u);

    d = start_with(config);
    split(2, 2, "t");  // made after the restart
    BOOST_TEST_REQUIRE(eventually([&] { return m.status().last_version == 3; }));
    const CatalogSnapshot after = catalog();
    BOOST_TEST(after.version == 3u);
    check_engine_is(*m.engine, after);
    BOOST_TEST(m.engine->get_route("u")->route_id == 4u);
    const auto up = m.status();
    BOOST_TEST(up.last_error.empty());
    BOOST_TEST(!up.diverged);
    BOOST_TEST(up.deltas == 3u);  // 1 and 2, then the split: no snapshot needed
    BOOST_TEST(up.snapshots == 0u);
}

BOOST_AUTO_TEST_CASE(a_memory_store_restart_leaves_the_mirror_diverged_or_with_follow_regression_reset) {
    const std::string config = config_file(R"({"store":{"kind":"memory"}})");
    Daemon d = start_with(config);
    put(1, R"([{"route_id":1,"start_text":"","end_text":"m","group_id":1},{"route_id":2,"start_text":"m","group_id":2}])");
    put(2, R"([{"route_id":1,"start_text":"","end_text":"m","group_id":1},{"route_id":2,"start_text":"m","group_id":3}])");
    IoThread io;
    RunningMirror keeps(io.io, mirror_options({url()}));
    auto options = mirror_options({url()});
    options.follow_regression = true;
    RunningMirror follows(io.io, options);
    BOOST_TEST_REQUIRE(eventually([&] { return keeps.status().last_version == 3 && follows.status().last_version == 3; }));
    const CatalogSnapshot at_3 = catalog();

    stop(d);
    d = start_with(config);  // a fresh memory store: version 1 again
    const CatalogSnapshot seeded = catalog();
    BOOST_TEST_REQUIRE(seeded.version == 1u);
    BOOST_TEST_REQUIRE(eventually([&] { return keeps.status().diverged; }));
    check_engine_is(*keeps.engine, at_3);  // serves its table
    BOOST_TEST(keeps.status().last_error_code == errc::catalog_delta_version_future);
    BOOST_TEST(keeps.log->count("error catalog mirror diverged: " + url() +
                                " is at catalog version 1, behind this engine's version 3") == 1u);

    BOOST_TEST_REQUIRE(eventually([&] { return follows.status().regressions == 1 && follows.engine->version() == 1; }));
    check_engine_is(*follows.engine, seeded);
    BOOST_TEST(!follows.status().diverged);

    // The daemon moves on past the diverged mirror's version: it takes the daemon's catalog whole.
    put(1, R"([{"route_id":5,"start_text":"","group_id":9}])");
    put(2, R"([{"route_id":5,"start_text":"","group_id":8}])");
    put(3, R"([{"route_id":5,"start_text":"","group_id":7}])");
    BOOST_TEST_REQUIRE(eventually([&] { return !keeps.status().diverged && keeps.status().last_version == 4; }));
    const CatalogSnapshot at_4 = catalog();
    check_engine_is(*keeps.engine, at_4);
    BOOST_TEST(keeps.log->count("info catalog mirror follows " + url() + " again, at catalog version 4") == 1u);
    BOOST_TEST_REQUIRE(eventually([&] { return follows.status().last_version == 4; }));
    check_engine_is(*follows.engine, at_4);
}

BOOST_AUTO_TEST_SUITE_END()
