// CatalogLoader: the start-up load that never gives up on an unreachable store, stops at a catalog the
// engine refuses (and lets a repair through), and ends on stop(). Runs once per backend.

#include "support/catalog_fixture.hpp"

#include "routecat/catalog/catalog_loader.hpp"
#include "routecat/error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>
#include <thread>

using namespace routecat;
using namespace routecat::test;
using namespace std::chrono_literals;

namespace {

struct LoaderFixture : CatalogFixture {
    std::shared_ptr<Engine> engine = Engine::with_default_route();
    std::ostringstream log;
    CatalogLoaderOptions options() {
        CatalogLoaderOptions o;
        o.interval = 5ms;
        o.max_backoff = 20ms;
        o.logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
        o.logger->set_pattern("%l %v");
        return o;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(catalog_loader, LoaderFixture)

BOOST_AUTO_TEST_CASE(a_new_catalog_is_seeded_and_loaded) {
    CatalogLoader loader(catalog, engine, options());
    BOOST_TEST((loader.status().state == CatalogLoader::State::loading));
    BOOST_TEST((run(loader.run()) == CatalogLoader::State::loaded));
    BOOST_TEST((loader.status().state == CatalogLoader::State::loaded));
    BOOST_TEST(loader.status().attempts == 1u);
    BOOST_TEST(engine->version() == 1u);
    BOOST_TEST(snapshot().version == 1u);
}

BOOST_AUTO_TEST_CASE(an_unreachable_store_is_retried_with_a_warning_per_attempt) {
    save(0, {rd(1, "", std::nullopt, 4)});
    hooked->fail_last_commit_ts(3);
    CatalogLoader loader(catalog, engine, options());
    BOOST_TEST((run(loader.run()) == CatalogLoader::State::loaded));
    BOOST_TEST(loader.status().attempts == 4u);
    BOOST_TEST(loader.status().last_error.empty());
    BOOST_TEST(engine->get_route("k")->group_id == 4u);
    const std::string text = log.str();
    BOOST_TEST(text.find("warning cannot load the catalog (attempt 1): store down: Input/output error") != std::string::npos, text);
    BOOST_TEST(text.find("(attempt 3)") != std::string::npos);
    BOOST_TEST(text.find("(attempt 4)") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_catalog_the_engine_refuses_is_invalid_until_a_repair_is_applied) {
    save(0, {rd(1, "", "m", 1), rd(2, "a", "z", 1)});  // CatalogStore::save keeps §6.5: overlaps are stored
    CatalogLoader loader(catalog, engine, options());
    BOOST_TEST((run(loader.run()) == CatalogLoader::State::invalid));
    const auto status = loader.status();
    BOOST_TEST((status.state == CatalogLoader::State::invalid));
    BOOST_TEST(status.last_error == "engine snapshot has overlapping routes");
    BOOST_TEST(engine->version() == 0u);  // the placeholder table, never served as the catalog
    BOOST_TEST(log.str().find("error the stored catalog cannot be loaded") != std::string::npos, log.str());
    // A repair reaches the engine (the watcher's job in the daemon): loaded from then on.
    const auto repaired = save(1, {rd(3, "", std::nullopt, 2)});
    BOOST_TEST_REQUIRE(!engine->apply_snapshot(repaired));
    BOOST_TEST((loader.status().state == CatalogLoader::State::loaded));
}

BOOST_AUTO_TEST_CASE(stop_ends_the_retries_from_another_thread) {
    hooked->fail_last_commit_ts(1'000'000);
    auto o = options();
    o.interval = 10'000ms;
    o.max_backoff = 10'000ms;
    CatalogLoader loader(catalog, engine, o);
    auto loading = boost::asio::co_spawn(io, loader.run(), boost::asio::use_future);
    std::thread stopper([&loader] {
        std::this_thread::sleep_for(50ms);
        loader.stop();
    });
    const auto started = std::chrono::steady_clock::now();
    io.restart();
    io.run();
    stopper.join();
    BOOST_TEST((loading.get() == CatalogLoader::State::loading));
    BOOST_TEST((std::chrono::steady_clock::now() - started < 5s));
    BOOST_TEST(loader.status().last_error.starts_with("store down: Input/output error"), loader.status().last_error);
}

BOOST_AUTO_TEST_CASE(which_errors_are_the_catalogs) {
    for (auto e : {errc::engine_snapshot_route_overlap, errc::engine_snapshot_route_order, errc::catalog_invalid_route_record,
                   errc::catalog_route_key_id_mismatch, errc::catalog_invalid_version_record})
        BOOST_TEST(is_catalog_invalid(make_error_code(e)));
    for (auto e : {errc::store_unavailable, errc::catalog_version_mismatch, errc::read_ts_compacted, errc::write_conflict})
        BOOST_TEST(!is_catalog_invalid(make_error_code(e)));
    BOOST_TEST(!is_catalog_invalid(make_error_code(boost::system::errc::io_error)));
}

BOOST_AUTO_TEST_SUITE_END()
