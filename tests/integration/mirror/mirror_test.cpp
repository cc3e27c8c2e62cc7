// HttpCatalogMirror against routecat's admin API in process (a memory store with the delta log) and
// against a scripted server: following saves and splits, the reset below the floor, endpoints in
// order, stop and cancellation, gaps, answers it cannot use, and a source behind the mirror.

#include "integration/mirror/mirror_fixture.hpp"
#include "support/run.hpp"

#include "routecat/json/change_json.hpp"
#include "routecat/json/route_json.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <map>
#include <random>

using namespace routecat;
using namespace routecat::test;
namespace http = boost::beast::http;

namespace {

const std::vector<RouteDescriptor> kTwoRoutes{{1, "", "m", 1}, {2, "m", std::nullopt, 2}};

// A server that answers the mirror's two requests as the test says: GET /v1/catalog with `catalog`,
// GET /v1/catalog/changes?after=A with answers[A] if set, else (after 20 ms, a long poll's end) an
// empty change set at the catalog's version. Remembers every target asked for.
class ScriptedFeed {
public:
    struct Answer {
        unsigned status = 200;
        std::string body;
        std::string content_type = "application/json";
    };

    explicit ScriptedFeed(IoThread& io) : server_(io.io, handler()) {}

    std::string url() const { return server_.url(); }

    void set_catalog(CatalogSnapshot snapshot) {
        std::lock_guard lock(mutex_);
        catalog_ = std::move(snapshot);
    }
    void answer(std::uint64_t after, Answer answer) {
        std::lock_guard lock(mutex_);
        answers_[after] = std::move(answer);
    }
    std::size_t asked(const std::string& target) {
        std::lock_guard lock(mutex_);
        return static_cast<std::size_t>(std::count(targets_.begin(), targets_.end(), target));
    }

private:
    admin::Handler handler() {
        return [this](admin::Request req) -> asio::awaitable<admin::Reply> {
            const std::string target(req.target());
            std::optional<Answer> scripted;
            std::uint64_t version = 0;
            {
                std::lock_guard lock(mutex_);
                targets_.push_back(target);
                version = catalog_.version;
                if (target == "/v1/catalog") scripted = Answer{200, boost::json::serialize(snapshot_to_json(catalog_))};
            }
            if (!scripted) {
                const auto url = boost::urls::parse_origin_form(target).value();
                const std::uint64_t after = std::stoull(std::string((*url.params().find("after")).value));
                std::lock_guard lock(mutex_);
                if (auto it = answers_.find(after); it != answers_.end()) scripted = it->second;
            }
            if (!scripted) {
                asio::steady_timer pause(co_await asio::this_coro::executor, 20ms);
                co_await pause.async_wait(asio::use_awaitable);
                CatalogChangeSet empty;
                empty.version = version;
                empty.floor = 1;
                scripted = Answer{200, boost::json::serialize(change_set_to_json(empty))};
            }
            admin::Response res{static_cast<http::status>(scripted->status), req.version()};
            res.set(http::field::content_type, scripted->content_type);
            res.body() = scripted->body;
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            co_return res;
        };
    }

    std::mutex mutex_;
    CatalogSnapshot catalog_;
    std::map<std::uint64_t, Answer> answers_;
    std::vector<std::string> targets_;
    TestServer server_;
};

CatalogSnapshot snapshot_of(std::uint64_t version, std::vector<RouteDescriptor> routes) {
    CatalogSnapshot s;
    s.version = version;
    s.routes = std::move(routes);
    return s;
}

// A change set of one delta, as the feed renders it.
std::string one_delta(std::uint64_t version, std::uint64_t previous, std::uint64_t to, std::vector<CatalogRouteMutation> mutations) {
    CatalogChangeSet changes;
    changes.version = version;
    changes.floor = 1;
    CatalogDelta delta;
    delta.previous_version = previous;
    delta.version = to;
    delta.mutations = std::move(mutations);
    changes.deltas.push_back(std::move(delta));
    return boost::json::serialize(change_set_to_json(changes));
}

CatalogRouteMutation upsert(RouteDescriptor route) {
    CatalogRouteMutation m;
    m.route_id = route.route_id;
    m.route = std::move(route);
    return m;
}

std::string error_json(const std::string& code, const std::string& message) {
    return boost::json::serialize(admin::error_body(code, message));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mirror)

BOOST_AUTO_TEST_CASE(run_validates_its_options_before_following) {
    asio::io_context io;
    auto engine = std::make_shared<Engine>();
    auto failure = [&](std::shared_ptr<Engine> e, HttpCatalogMirrorOptions options) {
        HttpCatalogMirror mirror(std::move(e), std::move(options));
        return failure_of([&] { run(io, mirror.run()); });
    };
    const auto good = mirror_options({"http://127.0.0.1:1"});
    BOOST_TEST(failure(engine, mirror_options({})).code == errc::catalog_watch_client_required);
    BOOST_TEST(failure(nullptr, good).code == errc::engine_required);
    auto options = good;
    options.retry_interval = 0ms;
    BOOST_TEST(failure(engine, options).code == errc::catalog_watcher_interval_invalid);
    options.retry_interval = -5ms;
    BOOST_TEST(failure(engine, options).code == errc::catalog_watcher_interval_invalid);
    options = good;
    options.poll_timeout = 0ms;
    const auto poll = failure(engine, options);
    BOOST_TEST(poll.code == errc::invalid_config);
    BOOST_TEST(poll.what == "poll_timeout must be positive: invalid configuration");
    options = good;
    options.request_timeout = 0ms;
    BOOST_TEST(failure(engine, options).code == errc::invalid_config);

    const auto bad = failure(engine, mirror_options({"http://127.0.0.1:1", "https://127.0.0.1:8443"}));
    BOOST_TEST(bad.code == errc::invalid_config);
    BOOST_TEST(bad.what == "endpoint \"https://127.0.0.1:8443\": only http:// is supported: invalid configuration");
    BOOST_TEST(failure(engine, mirror_options({"127.0.0.1:8080"})).code == errc::invalid_config);
}

BOOST_AUTO_TEST_CASE(follows_saves_and_splits_into_its_engine_exactly) {
    IoThread io;
    Source source(io);
    source.save(0, kTwoRoutes);
    RunningMirror m(io.io, mirror_options({source.url()}));
    BOOST_TEST_REQUIRE(eventually([&] { return m.engine->version() == 1; }));
    check_engine_is(*m.engine, source.snapshot());

    source.save(1, {{1, "", "g", 5}, {2, "g", std::nullopt, 6}});
    source.split(2, 2, "p");
    BOOST_TEST_REQUIRE(eventually([&] { return m.engine->version() == 3 && m.status().last_version == 3; }));
    check_engine_is(*m.engine, source.snapshot());
    BOOST_TEST(m.engine->get_route("q")->route_id == 4u);

    const auto s = m.status();
    BOOST_TEST(s.running);
    BOOST_TEST(!s.diverged);
    BOOST_TEST(s.source_version == 3u);
    BOOST_TEST(s.endpoint == source.url());
    BOOST_TEST(s.attempts == 1u);
    BOOST_TEST(s.failures == 0u);
    BOOST_TEST(s.deltas == 3u);
    BOOST_TEST(s.snapshots == 0u);
    BOOST_TEST(s.last_error.empty());
    BOOST_TEST(!s.last_error_code);
    BOOST_TEST(s.last_sync.has_value());
    BOOST_TEST(m.log->lines().empty());
}

BOOST_AUTO_TEST_CASE(below_the_delta_floor_the_mirror_takes_the_reset) {
    IoThread io;
    Source source(io, 4);  // keeps 4 versions of deltas
    std::vector<RouteDescriptor> routes = kTwoRoutes;
    for (std::uint64_t v = 0; v < 10; ++v) {
        routes[1].group_id = 10 + v;
        source.save(v, routes);
    }
    BOOST_TEST_REQUIRE(io.call(source.catalog.delta_floor()) == 7u);
    auto engine = std::make_shared<Engine>();
    {
        RunningMirror m(io.io, mirror_options({source.url()}), engine);  // asks after 0, below the floor
        BOOST_TEST_REQUIRE(eventually([&] { return m.status().last_version == 10; }));
        check_engine_is(*engine, source.snapshot());
        BOOST_TEST(m.status().snapshots == 1u);
        BOOST_TEST(m.status().deltas == 0u);
    }
    // Away while the floor passes its version (10 -> floor 13): the next mirror resets it too.
    for (std::uint64_t v = 10; v < 16; ++v) {
        routes[1].group_id = 10 + v;
        source.save(v, routes);
    }
    RunningMirror m(io.io, mirror_options({source.url()}), engine);
    BOOST_TEST_REQUIRE(eventually([&] { return m.status().last_version == 16; }));
    check_engine_is(*engine, source.snapshot());
    BOOST_TEST(m.engine->get_route("x")->group_id == 25u);
    BOOST_TEST(m.status().snapshots == 1u);
    // And then deltas again.
    routes[1].group_id = 99;
    source.save(16, routes);
    BOOST_TEST_REQUIRE(eventually([&] { return m.status().last_version == 17; }));
    check_engine_is(*engine, source.snapshot());
    BOOST_TEST(m.status().deltas == 1u);
}

BOOST_AUTO_TEST_CASE(endpoints_are_tried_in_order_on_each_attempt) {
    IoThread io;
    Source source(io);
    source.save(0, kTwoRoutes);
    const std::string dead = url_of(closed_port());
    {
        RunningMirror m(io.io, mirror_options({dead, source.url()}));
        BOOST_TEST_REQUIRE(eventually([&] { return m.status().last_version == 1; }));
        BOOST_TEST(m.status().endpoint == source.url());
        BOOST_TEST(m.status().attempts == 1u);
        BOOST_TEST(m.status().failures == 0u);
        BOOST_TEST(m.log->lines().empty());  // a failing endpoint is not a failed attempt
    }
    const std::string dead2 = url_of(closed_port());
    RunningMirror m(io.io, mirror_options({dead, dead2}));
    BOOST_TEST_REQUIRE(eventually([&] { return m.status().failures >= 3; }));
    const auto s = m.status();
    BOOST_TEST(s.attempts >= 3u);
    BOOST_TEST(s.last_error_code == errc::store_unavailable);
    BOOST_TEST(s.last_error == dead + ": connect: Connection refused: store is unavailable; " + dead2 +
                                   ": connect: Connection refused: store is unavailable");
    BOOST_TEST(m.engine->version() == 0u);
    BOOST_TEST(m.log->count("warning catalog watch attempt failed error=\"" + s.last_error + "\" version=0") >= 3u);
}

BOOST_AUTO_TEST_CASE(an_endpoint_that_never_answers_times_out_and_the_next_is_followed) {
    IoThread io;
    Source source(io);
    source.save(0, kTwoRoutes);
    asio::io_context unused;
    asio::ip::tcp::acceptor silent(unused, {asio::ip::make_address("127.0.0.1"), 0});  // connects, never answers
    const std::string silent_url = url_of(silent.local_endpoint().port());
    auto options = mirror_options({silent_url, source.url()});
    options.poll_timeout = 100ms;
    options.request_timeout = 100ms;
    {
        RunningMirror m(io.io, options);
        BOOST_TEST_REQUIRE(eventually([&] { return m.status().last_version == 1; }));
        BOOST_TEST(m.status().endpoint == source.url());
        BOOST_TEST(m.status().failures == 0u);
    }
    options.endpoints = {silent_url};
    RunningMirror m(io.io, options);
    BOOST_TEST_REQUIRE(eventually([&] { return m.status().failures >= 1; }));
    BOOST_TEST(m.status().last_error == silent_url + ": read: no answer within the deadline: store is unavailable");
}

BOOST_AUTO_TEST_CASE(stale_resets_and_deltas_are_skipped) {
    IoThread io;
    ScriptedFeed feed(io);
    feed.set_catalog(snapshot_of(4, {{1, "", std::nullopt, 4}}));
    CatalogChangeSet changes;
    changes.version = 4;
    changes.floor = 1;
    changes.reset = snapshot_of(2, {{1, "", std::nullopt, 2}});
    for (std::uint64_t v = 2; v <= 4; ++v) {
        CatalogDelta delta;
        delta.previous_version = v - 1;
        delta.version = v;
        delta.mutations.push_back(upsert({1, "", std::nullopt, v}));
        changes.deltas.push_back(std::move(delta));
    }
    feed.answer(3, {200, boost::json::serialize(change_set_to_json(changes))});
    auto engine = std::make_shared<Engine>();
    BOOST_TEST_REQUIRE(!engine->apply_snapshot(snapshot_of(3, {{1, "", std::nullopt, 3}})));
    RunningMirror m(io.io, mirror_options({feed.url()}), engine);
    BOOST_TEST_REQUIRE(eventually([&] { return m.status().last_version == 4; }));
    check_engine_is(*engine, snapshot_of(4, {{1, "", std::nullopt, 4}}));
    BOOST_TEST(m.status().deltas == 1u);  // 4 only: the reset to 2 and deltas 2 and 3 are not newer
    BOOST_TEST(m.status().snapshots == 0u);
    BOOST_TEST(m.status().failures == 0u);
}

BOOST_AUTO_TEST_CASE(stop_ends_run_during_a_long_poll_and_before_it_starts) {
    IoThread io;
    Source source(io);
    source.save(0, kTwoRoutes);
    RunningMirror m(io.io, mirror_options({source.url()}));  // 30 s long polls
    BOOST_TEST_REQUIRE(eventually([&] { return m.status().last_version == 1; }));
    std::this_thread::sleep_for(50ms);  // the next long poll is waiting
    const auto stopped = std::chrono::steady_clock::now();
    m.mirror->stop();
    BOOST_TEST(m.returned_within(2s));
    BOOST_TEST((std::chrono::steady_clock::now() - stopped < 1s));
    BOOST_TEST(!m.status().running);
    BOOST_TEST(m.status().failures == 0u);
    BOOST_TEST(m.log->lines().empty());  // a stop is not a failure

    HttpCatalogMirror early(std::make_shared<Engine>(), mirror_options({source.url()}));
    early.stop();
    io.call(early.run());  // returns at once
    BOOST_TEST(early.status().attempts == 0u);
}

BOOST_AUTO_TEST_CASE(cancelling_the_awaiting_coroutine_ends_run_in_a_poll_or_between_attempts) {
    IoThread io;
    Source source(io);
    source.save(0, kTwoRoutes);
    for (const std::string& endpoint : {source.url(), url_of(closed_port())}) {
        auto engine = std::make_shared<Engine>();
        HttpCatalogMirror mirror(engine, mirror_options({endpoint}));
        asio::cancellation_signal signal;
        auto done = asio::co_spawn(io.io, mirror.run(), asio::bind_cancellation_slot(signal.slot(), asio::use_future));
        BOOST_TEST_REQUIRE(eventually([&] { return mirror.status().last_version == 1 || mirror.status().failures >= 1; }));
        std::this_thread::sleep_for(30ms);
        const auto cancelled = std::chrono::steady_clock::now();
        asio::post(io.io, [&signal] { signal.emit(asio::cancellation_type::terminal); });
        BOOST_TEST_REQUIRE((done.wait_for(2s) == std::future_status::ready));
        done.get();  // returned normally
        BOOST_TEST((std::chrono::steady_clock::now() - cancelled < 1s));
        BOOST_TEST(!mirror.status().running);
        // A cancellation is not a stop: the mirror can run again.
        if (endpoint == source.url()) {
            source.save(engine->version(), {{1, "", std::nullopt, 3}});
            auto again = asio::co_spawn(io.io, mirror.run(), asio::use_future);
            BOOST_TEST(eventually([&] { return engine->version() == 2; }));
            mirror.stop();
            BOOST_TEST((again.wait_for(2s) == std::future_status::ready));
        }
    }
}

BOOST_AUTO_TEST_CASE(stops_and_cancellations_from_other_threads_on_three_io_threads) {
    IoThread io(3);
    Source source(io);
    source.save(0, kTwoRoutes);
    std::mt19937 random(12);
    for (int i = 0; i < 200; ++i) {
        auto engine = std::make_shared<Engine>();
        HttpCatalogMirror mirror(engine, mirror_options({source.url()}));
        // The signal is only touched on the strand run() is awaited on.
        auto strand = asio::make_strand(io.io);
        asio::cancellation_signal signal;
        auto done = asio::co_spawn(strand, mirror.run(), asio::bind_cancellation_slot(signal.slot(), asio::use_future));
        if (i % 4 == 0) BOOST_TEST_REQUIRE(eventually([&] { return engine->version() == 1; }));  // in a long poll
        else std::this_thread::sleep_for(std::chrono::microseconds(random() % 3000));  // anywhere
        if (i % 2 == 0) {
            mirror.stop();
        } else {
            std::promise<void> emitted;
            asio::post(strand, [&] {
                signal.emit(asio::cancellation_type::terminal);
                emitted.set_value();
            });
            emitted.get_future().wait();
        }
        BOOST_TEST_REQUIRE((done.wait_for(2s) == std::future_status::ready), "iteration " << i);
        done.get();
        BOOST_TEST(!mirror.status().running);
    }
}

BOOST_AUTO_TEST_CASE(a_version_gap_takes_the_whole_catalog_and_ends_the_attempt) {
    IoThread io;
    ScriptedFeed feed(io);
    feed.set_catalog(snapshot_of(3, {{1, "", "k", 1}, {3, "k", std::nullopt, 3}}));
    feed.answer(0, {200, one_delta(3, 0, 1, {upsert({1, "", std::nullopt, 1})})});
    feed.answer(1, {500, error_json("catalog_delta_version_gap", "missing version 2: catalog delta version is not contiguous")});
    RunningMirror m(io.io, mirror_options({feed.url()}));
    BOOST_TEST_REQUIRE(eventually([&] { return m.status().last_version == 3; }));
    check_engine_is(*m.engine, snapshot_of(3, {{1, "", "k", 1}, {3, "k", std::nullopt, 3}}));
    BOOST_TEST(m.status().deltas == 1u);
    BOOST_TEST(m.status().snapshots == 1u);
    BOOST_TEST(m.status().failures == 0u);
    // The attempt ended there; the next one polls from version 3.
    BOOST_TEST(eventually([&] { return feed.asked("/v1/catalog/changes?after=3&limit=1024&timeout=30000ms") >= 1; }));
    BOOST_TEST(m.status().attempts >= 2u);
    BOOST_TEST(feed.asked("/v1/catalog") == 1u);

    // A page whose delta does not follow the engine's version: the engine's gap, the same way.
    feed.set_catalog(snapshot_of(9, {{1, "", std::nullopt, 9}}));
    feed.answer(3, {200, one_delta(9, 7, 8, {upsert({1, "", std::nullopt, 8})})});
    BOOST_TEST_REQUIRE(eventually([&] { return m.status().last_version == 9; }));
    check_engine_is(*m.engine, snapshot_of(9, {{1, "", std::nullopt, 9}}));
    BOOST_TEST(m.status().snapshots == 2u);
    BOOST_TEST(m.log->lines().empty());
}

BOOST_AUTO_TEST_CASE(answers_it_cannot_use_fail_the_attempt_are_logged_and_retried) {
    struct Case {
        ScriptedFeed::Answer answer;
        errc code;
        std::string error;  // after "<url>: "
    };
    const std::vector<Case> cases{
        {{200, "{\"version\":"}, errc::catalog_watch_event_invalid,
         "the answer is not JSON (incomplete JSON): catalog watch event is invalid"},
        {{200, R"({"version":1,"floor":1,"reset":null,"deltas":5})"}, errc::catalog_watch_event_invalid,
         "deltas: expected an array: catalog watch event is invalid"},
        {{200, R"({"version":1,"floor":1,"reset":null,"deltas":[{"previous_version":0,"version":1,"mutations":[{"op":"move","route_id":1}]}]})"},
         errc::catalog_watch_event_invalid, "deltas[0].mutations[0].op: expected \"upsert\" or \"delete\": catalog watch event is invalid"},
        {{200, R"({"version":1,"floor":1,"reset":{"version":1,"routes":[{"route_id":1,"group_id":0}]},"deltas":[]})"},
         errc::catalog_group_id_required, "reset: catalog group id is required"},
        {{200, "[]"}, errc::catalog_watch_event_invalid, "changes: expected an object: catalog watch event is invalid"},
        {{500, "oops", "text/plain"}, errc::catalog_watch_event_invalid, "HTTP 500 without an error body: catalog watch event is invalid"},
        {{503, error_json("not_synced", "loading the catalog")}, errc::store_unavailable,
         "HTTP 503 not_synced (loading the catalog): store is unavailable"},
        {{404, error_json("not_found", "no such endpoint")}, errc::catalog_watch_event_invalid,
         "HTTP 404 not_found (no such endpoint): catalog watch event is invalid"},
    };
    IoThread io;
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.answer.body) {
            ScriptedFeed feed(io);
            feed.answer(0, c.answer);
            RunningMirror m(io.io, mirror_options({feed.url()}));
            BOOST_TEST_REQUIRE(eventually([&] { return m.status().failures >= 2; }));
            const auto s = m.status();
            BOOST_TEST(s.running);
            BOOST_TEST(s.last_error_code == c.code);
            BOOST_TEST(s.last_error == feed.url() + ": " + c.error);
            BOOST_TEST(m.engine->version() == 0u);
            BOOST_TEST(m.log->count("warning catalog watch attempt failed error=\"" + feed.url() + ": " + c.error +
                                    "\" version=0") >= 2u);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_source_behind_the_mirror_leaves_it_diverged_until_it_passes) {
    IoThread io;
    ScriptedFeed feed(io);
    const auto mine = snapshot_of(3, {{1, "", "m", 1}, {2, "m", std::nullopt, 2}});
    const auto restarted = snapshot_of(1, {{1, "", std::nullopt, 1}});
    feed.set_catalog(restarted);
    feed.answer(3, {409, error_json("catalog_delta_version_future",
                                    "after 3, catalog version 1: catalog delta cursor is ahead of catalog version")});
    auto engine = std::make_shared<Engine>();
    BOOST_TEST_REQUIRE(!engine->apply_snapshot(mine));
    RunningMirror m(io.io, mirror_options({feed.url()}), engine);
    BOOST_TEST_REQUIRE(eventually([&] { return m.status().diverged; }));
    BOOST_TEST_REQUIRE(eventually([&] { return m.status().attempts >= 5; }));
    auto s = m.status();
    BOOST_TEST(s.source_version == 1u);
    BOOST_TEST(s.last_error_code == errc::catalog_delta_version_future);
    BOOST_TEST(s.last_error == feed.url() + " is at catalog version 1, behind this engine's version 3; serving the engine's table");
    BOOST_TEST(s.failures == 0u);
    check_engine_is(*engine, mine);  // the table is kept
    BOOST_TEST(m.log->count("error catalog mirror diverged: " + feed.url() +
                            " is at catalog version 1, behind this engine's version 3; serving the engine's table "
                            "(follow_regression is off)") == 1u);  // once, not per retry
    BOOST_TEST(m.log->lines().size() == 1u);
    BOOST_TEST(feed.asked("/v1/catalog") == 1u);  // while behind, the 409 alone is asked again

    // The source passes the mirror's version: its history may not be the mirror's, so the whole
    // catalog is taken, not the deltas.
    const auto passed = snapshot_of(4, {{5, "", std::nullopt, 7}});
    feed.set_catalog(passed);
    feed.answer(3, {200, one_delta(4, 3, 4, {upsert({2, "m", std::nullopt, 99})})});
    BOOST_TEST_REQUIRE(eventually([&] { return !m.status().diverged; }));
    check_engine_is(*engine, passed);
    s = m.status();
    BOOST_TEST(s.last_version == 4u);
    BOOST_TEST(s.last_error.empty());
    BOOST_TEST(s.snapshots == 1u);
    BOOST_TEST(s.deltas == 0u);
    BOOST_TEST(m.log->count("info catalog mirror follows " + feed.url() + " again, at catalog version 4") == 1u);
}

BOOST_AUTO_TEST_CASE(with_follow_regression_the_mirror_serves_the_older_catalog) {
    IoThread io;
    ScriptedFeed feed(io);
    const auto restarted = snapshot_of(1, {{1, "", std::nullopt, 1}});
    feed.set_catalog(restarted);
    feed.answer(3, {409, error_json("catalog_delta_version_future", "after 3, catalog version 1")});
    auto engine = std::make_shared<Engine>();
    BOOST_TEST_REQUIRE(!engine->apply_snapshot(snapshot_of(3, {{1, "", "m", 1}, {2, "m", std::nullopt, 2}})));
    auto options = mirror_options({feed.url()});
    options.follow_regression = true;
    RunningMirror m(io.io, options, engine);
    BOOST_TEST_REQUIRE(eventually([&] { return m.status().last_version == 1; }));
    check_engine_is(*engine, restarted);
    const auto s = m.status();
    BOOST_TEST(!s.diverged);
    BOOST_TEST(s.regressions == 1u);
    BOOST_TEST(s.last_error.empty());
    BOOST_TEST(m.log->count("warning catalog mirror follows " + feed.url() +
                            " back from version 3 to its catalog version 1 (follow_regression)") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
