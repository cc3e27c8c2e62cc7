// CatalogWatcher (spec §9, edge cases §16 items 22-23, DESIGN.md's push and backoff options): runs
// once per backend. Intervals are short and real; bounds leave room for a loaded 2-core machine.

#include "support/catalog_fixture.hpp"

#include "routecat/catalog/catalog_watcher.hpp"
#include "routecat/error.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <random>
#include <sstream>
#include <thread>

namespace asio = boost::asio;
using namespace routecat;
using namespace routecat::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

asio::awaitable<void> sleep_for(Clock::duration d) {
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::use_awaitable);
}

// Polls pred every millisecond; true once it holds, false after timeout.
asio::awaitable<bool> eventually(std::function<bool()> pred, Clock::duration timeout = 5s) {
    const auto deadline = Clock::now() + timeout;
    while (!pred()) {
        if (Clock::now() > deadline) co_return false;
        co_await sleep_for(1ms);
    }
    co_return true;
}

struct WatcherFixture : CatalogFixture {
    std::shared_ptr<Engine> engine = std::make_shared<Engine>();
    std::ostringstream log;
    std::shared_ptr<spdlog::logger> logger = [this] {
        auto l = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
        l->set_level(spdlog::level::trace);
        l->set_pattern("%l %v");
        return l;
    }();

    CatalogWatcherOptions spec_options(std::chrono::milliseconds interval) {
        auto o = CatalogWatcherOptions::spec(interval);
        o.logger = logger;
        return o;
    }
    std::vector<std::string> log_lines(std::string_view level) {
        std::vector<std::string> out;
        std::istringstream in(log.str());
        for (std::string line; std::getline(in, line);)
            if (line.starts_with(std::string(level) + " ")) out.push_back(line.substr(level.size() + 1));
        return out;
    }
    // Runs the watcher and the scenario on io together; returns the scenario's result.
    template <class T>
    T run_with(CatalogWatcher& watcher, asio::awaitable<T> scenario) {
        auto watching = asio::co_spawn(io, watcher.run(), asio::use_future);
        auto result = asio::co_spawn(io, std::move(scenario), asio::use_future);
        io.restart();
        io.run();
        watching.get();
        return result.get();
    }
};

std::vector<RouteDescriptor> two_routes(std::uint64_t group) {
    return {rd(1, "", "m", group), rd(2, "m", std::nullopt, group)};
}

}  // namespace

namespace {

// Waits for the engine to reach version 1, saves version 2 (after `settle`), measures how long the
// watcher takes to apply it, then stops the watcher.
asio::awaitable<Clock::duration> time_to_apply_version_2(WatcherFixture& f, CatalogWatcher& w, Clock::duration settle) {
    BOOST_TEST(co_await eventually([&] { return f.engine->version() == 1; }));
    if (settle > Clock::duration::zero()) co_await sleep_for(settle);
    co_await f.catalog.save(1, two_routes(2));
    const auto saved = Clock::now();
    BOOST_TEST(co_await eventually([&] { return f.engine->version() == 2; }));
    const auto elapsed = Clock::now() - saved;
    w.stop();
    co_return elapsed;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(watcher, WatcherFixture)

BOOST_AUTO_TEST_CASE(a_missing_store_or_engine_is_refused_at_once) {
    CatalogWatcher no_store(CatalogStore(nullptr), engine);
    BOOST_TEST(error_of([&] { run(no_store.run()); }) == errc::catalog_store_required);
    BOOST_TEST(error_of([&] { run(no_store.sync_once()); }) == errc::catalog_store_required);
    CatalogWatcher neither(CatalogStore(nullptr), nullptr);
    BOOST_TEST(error_of([&] { run(neither.sync_once()); }) == errc::catalog_store_required);
    CatalogWatcher no_engine(catalog, nullptr);
    BOOST_TEST(error_of([&] { run(no_engine.run()); }) == errc::engine_required);
    BOOST_TEST(error_of([&] { run(no_engine.sync_once()); }) == errc::engine_required);
}

BOOST_AUTO_TEST_CASE(options_that_are_not_positive_keep_the_defaults) {
    CatalogWatcherOptions o;
    o.interval = 0ms;
    o.max_backoff = -5ms;
    CatalogWatcher w(catalog, engine, o);
    BOOST_TEST(w.options().interval.count() == 100);
    BOOST_TEST(w.options().max_backoff.count() == 0);
    BOOST_TEST((w.options().logger == default_logger()));
}

BOOST_AUTO_TEST_CASE(sync_once_applies_a_newer_catalog_and_then_nothing) {
    save(0, two_routes(3));
    CatalogWatcher w(catalog, engine, spec_options(100ms));
    BOOST_TEST(run(w.sync_once()) == true);
    BOOST_TEST(engine->version() == 1u);
    BOOST_TEST((engine->stats() == std::vector<Route>{{1, "", "m", 3, RouteState::active, 0},
                                                       {2, "m", std::nullopt, 3, RouteState::active, 0}}));
    BOOST_TEST(run(w.sync_once()) == false);
    BOOST_TEST(w.status().last_applied_version == 1u);
    BOOST_TEST(w.status().last_read_ts == last());
}

BOOST_AUTO_TEST_CASE(sync_once_reads_no_routes_when_the_version_is_not_newer) {
    save(0, two_routes(3));
    CatalogWatcher w(catalog, engine, spec_options(100ms));
    run(w.sync_once());
    const int scans = hooked->scan_calls();
    BOOST_TEST(scans > 0);
    engine->record_access("a");
    BOOST_TEST(run(w.sync_once()) == false);
    BOOST_TEST(hooked->scan_calls() == scans);
    BOOST_TEST(engine->get_route("a")->load == 1u);  // a no-op sync keeps the loads
}

BOOST_AUTO_TEST_CASE(sync_once_swallows_a_stale_apply) {
    save(0, two_routes(3));
    // A newer snapshot reaches the engine by another path while the watcher reads the routes.
    hooked->before_scan_at([this](MvccStore&) -> asio::awaitable<void> {
        std::vector<RouteDescriptor> newer{rd(7, "", std::nullopt, 7)};
        BOOST_TEST(!engine->apply_snapshot({5, newer, 0}));
        co_return;
    });
    CatalogWatcher w(catalog, engine, spec_options(100ms));
    BOOST_TEST(run(w.sync_once()) == false);
    BOOST_TEST(engine->version() == 5u);
    BOOST_TEST(engine->stats().at(0).route_id == 7u);
}

BOOST_AUTO_TEST_CASE(sync_once_throws_other_apply_and_read_errors) {
    save(0, {rd(1, "", "m", 1), rd(2, "c", std::nullopt, 1)});  // Save accepts overlaps; the engine does not
    CatalogWatcher w(catalog, engine, spec_options(100ms));
    BOOST_TEST(error_of([&] { run(w.sync_once()); }) == errc::engine_snapshot_route_overlap);
    apply({Mutation::put(std::string(codec::kVersionKey), "garbage")});
    BOOST_TEST(error_of([&] { run(w.sync_once()); }) == errc::catalog_invalid_version_record);
    BOOST_TEST(engine->version() == 0u);
}

BOOST_AUTO_TEST_CASE(run_syncs_at_once_and_applies_a_newer_version_within_one_interval) {
    save(0, two_routes(1));
    CatalogWatcher w(catalog, engine, spec_options(50ms));
    const auto elapsed = run_with(w, time_to_apply_version_2(*this, w, 0ms));
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() < 50 + 250);
    BOOST_TEST(engine->stats().at(0).group_id == 2u);
    BOOST_TEST(log_lines("error").empty());
    BOOST_TEST(!w.status().running);
    BOOST_TEST(w.status().last_applied_version == 2u);
    BOOST_TEST(w.status().last_sync.has_value());
}

BOOST_AUTO_TEST_CASE(a_pushed_change_is_applied_without_waiting_out_the_interval) {
    if (!store->can_wait_for_change()) return;
    save(0, two_routes(1));
    auto options = spec_options(10'000ms);
    options.push = true;
    CatalogWatcher w(catalog, engine, options);
    // The 20 ms settle lets the watcher enter its 10 s wait before the save.
    const auto elapsed = run_with(w, time_to_apply_version_2(*this, w, 20ms));
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() < 1000);
}

BOOST_AUTO_TEST_CASE(without_push_a_change_waits_for_the_next_tick) {
    save(0, two_routes(1));
    CatalogWatcher w(catalog, engine, spec_options(10'000ms));
    auto scenario = [](WatcherFixture& f, CatalogWatcher& w) -> asio::awaitable<std::uint64_t> {
        BOOST_TEST(co_await eventually([&] { return f.engine->version() == 1; }));
        co_await f.catalog.save(1, two_routes(2));
        co_await sleep_for(300ms);
        const std::uint64_t seen = f.engine->version();
        w.stop();
        co_return seen;
    };
    BOOST_TEST(run_with(w, scenario(*this, w)) == 1u);
}

BOOST_AUTO_TEST_CASE(cancellation_ends_run_promptly_without_an_error) {
    save(0, two_routes(1));
    for (bool push : {false, true}) {
        auto options = spec_options(10'000ms);
        options.push = push;
        CatalogWatcher w(catalog, engine, options);
        asio::cancellation_signal signal;
        auto watching = asio::co_spawn(io, w.run(), asio::bind_cancellation_slot(signal.slot(), asio::use_future));
        auto scenario = [](asio::cancellation_signal& signal) -> asio::awaitable<void> {
            co_await sleep_for(50ms);
            signal.emit(asio::cancellation_type::terminal);
        };
        auto done = asio::co_spawn(io, scenario(signal), asio::use_future);
        const auto started = Clock::now();
        io.restart();
        io.run();
        BOOST_CHECK_NO_THROW(watching.get());
        done.get();
        BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count() < 2000);
        BOOST_TEST(!w.status().running);
    }
    BOOST_TEST(log_lines("error").empty());
}

BOOST_AUTO_TEST_CASE(stop_from_another_thread_ends_run_promptly) {
    CatalogWatcher w(catalog, engine, spec_options(10'000ms));
    auto watching = asio::co_spawn(io, w.run(), asio::use_future);
    std::thread stopper([&w] {
        std::this_thread::sleep_for(50ms);
        w.stop();
    });
    const auto started = Clock::now();
    io.restart();
    io.run();
    stopper.join();
    BOOST_CHECK_NO_THROW(watching.get());
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count() < 2000);
    BOOST_TEST(log_lines("error").empty());
}

// The daemon's case: run() on a multi-threaded io_context, stop() from a thread of its own, at any
// moment (before run starts, during a sync, during a wait). Every run must end, 1,000 times.
BOOST_AUTO_TEST_CASE(stop_from_another_thread_on_a_multi_threaded_io_context_ends_run_every_time) {
    save(0, two_routes(2));
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> pause_us(0, 300);
    int stopped = 0;
    for (int i = 0; i < 1000; ++i) {
        auto options = spec_options(1ms);
        options.push = true;
        CatalogWatcher w(catalog, engine, options);
        auto watching = asio::co_spawn(io, w.run(), asio::use_future);
        io.restart();
        std::vector<std::thread> threads;
        for (int t = 0; t < 3; ++t) threads.emplace_back([this] { io.run(); });
        const auto pause = std::chrono::microseconds(pause_us(rng));
        std::thread stopper([&w, pause] {
            std::this_thread::sleep_for(pause);
            w.stop();
        });
        const bool ended = watching.wait_for(10s) == std::future_status::ready;
        if (!ended) io.stop();  // do not hang the suite: fail this iteration instead
        stopper.join();
        for (auto& t : threads) t.join();
        BOOST_TEST_REQUIRE(ended, "run() did not end after stop() in iteration " << i);
        BOOST_CHECK_NO_THROW(watching.get());
        BOOST_TEST_REQUIRE(!w.status().running);
        ++stopped;
    }
    BOOST_TEST(stopped == 1000);
    BOOST_TEST(log_lines("error").empty());
}

BOOST_AUTO_TEST_CASE(a_failing_store_is_retried_with_growing_delays_and_the_watcher_recovers) {
    save(0, two_routes(4));
    const auto calls_before = hooked->last_commit_ts_times().size();
    hooked->fail_last_commit_ts(5);
    auto options = spec_options(10ms);
    options.max_backoff = 160ms;
    CatalogWatcher w(catalog, engine, options);
    auto scenario = [](WatcherFixture& f, CatalogWatcher& w) -> asio::awaitable<void> {
        BOOST_TEST(co_await eventually([&] { return f.engine->version() == 1; }, 10s));
        w.stop();
    };
    run_with(w, scenario(*this, w));

    const auto times = hooked->last_commit_ts_times();
    BOOST_TEST_REQUIRE(times.size() >= calls_before + 6);
    // After failure k (1-based) the wait is drawn from [d/2, d] with d = min(10ms * 2^k, 160ms), and
    // timers never fire early: each gap is at least d/2.
    const std::int64_t lower_ms[] = {10, 20, 40, 80, 80};
    for (int k = 0; k < 5; ++k) {
        const auto gap = times[calls_before + k + 1] - times[calls_before + k];
        BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(gap).count() >= lower_ms[k]);
    }
    const auto status = w.status();
    BOOST_TEST(status.failures == 5u);
    BOOST_TEST(status.consecutive_failures == 0u);
    BOOST_TEST(status.last_error.empty());
    BOOST_TEST(status.last_applied_version == 1u);
    const auto errors = log_lines("error");
    BOOST_TEST_REQUIRE(errors.size() == 5u);
    BOOST_TEST(errors[0] == "catalog watcher initial sync failed error=\"store down: Input/output error [generic:5]\"");
    for (int k = 1; k < 5; ++k) BOOST_TEST(errors[k] == "catalog watcher sync failed error=\"store down: Input/output error [generic:5]\"");
}

// A store whose I/O is torn down under it (etcd: a timed-out request) may throw operation_aborted
// although nobody cancelled the watcher: that is a failed sync, not the end of the loop.
BOOST_AUTO_TEST_CASE(operation_aborted_from_the_store_is_a_failed_sync_not_a_stop) {
    save(0, two_routes(4));
    hooked->fail_last_commit_ts(3, asio::error::operation_aborted);
    CatalogWatcher w(catalog, engine, spec_options(10ms));
    auto scenario = [](WatcherFixture& f, CatalogWatcher& w) -> asio::awaitable<void> {
        BOOST_TEST(co_await eventually([&] { return f.engine->version() == 1; }, 10s));
        BOOST_TEST(w.status().running);
        w.stop();
    };
    run_with(w, scenario(*this, w));
    BOOST_TEST(w.status().failures == 3u);
    BOOST_TEST(w.status().consecutive_failures == 0u);
    BOOST_TEST(!w.status().running);
    BOOST_TEST(log_lines("error").size() == 3u);
}

BOOST_AUTO_TEST_CASE(the_spec_watcher_retries_at_the_fixed_interval) {
    save(0, two_routes(4));
    hooked->fail_last_commit_ts(6);
    CatalogWatcher w(catalog, engine, spec_options(20ms));
    auto scenario = [](WatcherFixture& f, CatalogWatcher& w) -> asio::awaitable<Clock::duration> {
        const auto started = Clock::now();
        BOOST_TEST(co_await eventually([&] { return f.engine->version() == 1; }, 10s));
        w.stop();
        co_return Clock::now() - started;
    };
    // Six failures at a fixed 20 ms take ~120 ms; with backoff they would take over 600 ms.
    const auto took = run_with(w, scenario(*this, w));
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() >= 120);
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() < 600);
    BOOST_TEST(log_lines("error").size() == 6u);
}

BOOST_AUTO_TEST_CASE(the_timer_is_rearmed_only_after_a_sync_finishes) {
    save(0, two_routes(1));
    // Every sync takes at least 100 ms; with a 50 ms interval, sync starts are >= 150 ms apart.
    hooked->before_every_last_commit_ts([](MvccStore&) -> asio::awaitable<void> { co_await sleep_for(100ms); });
    const auto calls_before = hooked->last_commit_ts_times().size();
    CatalogWatcher w(catalog, engine, spec_options(50ms));
    auto scenario = [](WatcherFixture& f, CatalogWatcher& w, std::size_t from) -> asio::awaitable<void> {
        BOOST_TEST(co_await eventually([&] { return f.hooked->last_commit_ts_times().size() >= from + 4; }));
        w.stop();
    };
    run_with(w, scenario(*this, w, calls_before));
    const auto times = hooked->last_commit_ts_times();
    for (std::size_t k = calls_before + 1; k < calls_before + 4; ++k)
        BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(times[k] - times[k - 1]).count() >= 150);
}

BOOST_AUTO_TEST_CASE(a_sync_error_is_logged_and_the_loop_goes_on_until_it_is_repaired) {
    save(0, {rd(1, "", "m", 1), rd(2, "c", std::nullopt, 1)});  // the engine refuses overlaps
    CatalogWatcher w(catalog, engine, spec_options(10ms));
    auto scenario = [](WatcherFixture& f, CatalogWatcher& w) -> asio::awaitable<void> {
        BOOST_TEST(co_await eventually([&] { return w.status().failures >= 3; }));
        BOOST_TEST(w.status().last_error == "engine snapshot has overlapping routes");
        co_await f.catalog.save(1, two_routes(9));
        BOOST_TEST(co_await eventually([&] { return f.engine->version() == 2; }));
        w.stop();
    };
    run_with(w, scenario(*this, w));
    BOOST_TEST(engine->stats().at(0).group_id == 9u);
    const auto errors = log_lines("error");
    BOOST_TEST_REQUIRE(errors.size() >= 3u);
    BOOST_TEST(errors[0] == "catalog watcher initial sync failed error=\"engine snapshot has overlapping routes\"");
    BOOST_TEST(errors[1] == "catalog watcher sync failed error=\"engine snapshot has overlapping routes\"");
}

BOOST_AUTO_TEST_SUITE_END()
