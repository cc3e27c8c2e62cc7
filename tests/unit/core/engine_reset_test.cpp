// Engine::reset_to (outside the spec: HttpCatalogMirror's follow_regression): the version may go
// back, validation is apply_snapshot's and an error changes nothing, the history starts over, and
// version waiters complete only once the version passes what they wait for.

#include "support/builders.hpp"
#include "support/printers.hpp"

#include "routecat/engine.hpp"
#include "routecat/error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <vector>

namespace routecat {
using std::nullopt;
using test::rd;
using test::snap;
using test::rt;
namespace {

// An engine at version 5: ["", "m") group 1, ["m", +inf) group 2, with a load on the first.
std::shared_ptr<Engine> at_version_5() {
    auto e = std::make_shared<Engine>();
    BOOST_REQUIRE(!e->apply_snapshot(snap(5, {rd(1, "", "m", 1), rd(2, "m", nullopt, 2)})));
    e->record_access("a");
    return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_reset)

BOOST_AUTO_TEST_CASE(the_version_goes_back_and_the_table_is_the_snapshots) {
    auto e = at_version_5();
    const std::uint64_t generation = e->generation();
    BOOST_TEST(!e->reset_to(snap(2, {rd(7, "c", "x", 9), rd(3, "", "c", 4)})));
    BOOST_TEST(e->version() == 2u);
    BOOST_TEST(e->generation() == generation + 1);
    const std::vector<Route> expected{rt(3, "", "c", 4), rt(7, "c", "x", 9)};
    BOOST_TEST(e->stats() == expected);  // sorted by start, loads 0
    BOOST_TEST(!e->get_route("y"));
}

BOOST_AUTO_TEST_CASE(the_history_holds_the_new_version_alone) {
    auto e = at_version_5();
    BOOST_TEST(!e->apply_snapshot(snap(6, {rd(1, "", nullopt, 1)})));
    BOOST_TEST(!e->reset_to(snap(5, {rd(4, "", nullopt, 8)})));
    BOOST_TEST(!e->snapshot_at(6));
    BOOST_REQUIRE(e->snapshot_at(5));
    BOOST_TEST(e->snapshot_at(5)->owner_of("q") == std::optional<std::uint64_t>(8));  // not version 5's old table
    BOOST_REQUIRE(e->current());
    BOOST_TEST(e->current()->version() == 5u);
}

BOOST_AUTO_TEST_CASE(the_same_version_with_other_routes_is_replaced) {
    auto e = at_version_5();
    BOOST_TEST(!e->reset_to(snap(5, {rd(9, "", nullopt, 3)})));
    BOOST_TEST(e->version() == 5u);
    const std::vector<Route> expected{rt(9, "", nullopt, 3)};
    BOOST_TEST(e->stats() == expected);
}

BOOST_AUTO_TEST_CASE(after_a_reset_snapshots_and_deltas_follow_the_new_version) {
    auto e = at_version_5();
    BOOST_TEST(!e->reset_to(snap(1, {rd(1, "", nullopt, 1)})));
    BOOST_TEST(!e->apply_delta(test::delta_of(1, 2, {test::upsert_of(rd(1, "", nullopt, 6))})));
    BOOST_TEST(e->version() == 2u);
    BOOST_TEST(e->get_route("k")->group_id == 6u);
    BOOST_TEST(e->apply_snapshot(snap(1, {})) == errc::engine_snapshot_version_stale);
    BOOST_TEST(!e->apply_snapshot(snap(3, {})));
    BOOST_TEST(e->stats().empty());
}

BOOST_AUTO_TEST_CASE(an_invalid_snapshot_changes_nothing) {
    auto e = at_version_5();
    const auto before = e->stats();
    const std::uint64_t generation = e->generation();
    BOOST_TEST(e->reset_to(snap(1, {rd(1, "", "m", 1), rd(2, "k", nullopt, 2)})) == errc::engine_snapshot_route_overlap);
    BOOST_TEST(e->reset_to(snap(1, {rd(1, "", "m", 1), rd(1, "m", nullopt, 2)})) == errc::engine_snapshot_duplicate_id);
    BOOST_TEST(e->reset_to(snap(1, {rd(1, "", "m", 0)})) == errc::catalog_group_id_required);
    BOOST_TEST(e->reset_to(snap(1, {rd(1, "", nullopt, 1), rd(2, "m", nullopt, 2)})) == errc::engine_snapshot_route_order);
    BOOST_TEST(e->version() == 5u);
    BOOST_TEST(e->generation() == generation);
    BOOST_TEST(e->stats() == before);  // the load of 1 included
    BOOST_TEST(e->stats()[0].load == 1u);
    BOOST_TEST(e->snapshot_at(5).has_value());
}

BOOST_AUTO_TEST_CASE(version_waiters_complete_only_above_what_they_wait_for) {
    boost::asio::io_context io;
    auto e = at_version_5();
    BOOST_TEST(!e->reset_to(snap(1, {rd(1, "", nullopt, 1)})));
    bool above_1 = false;
    bool above_5 = false;
    boost::asio::co_spawn(io, e->wait_for_version_above(1), [&](std::exception_ptr ep) { above_1 = !ep; });
    boost::asio::co_spawn(io, e->wait_for_version_above(5), [&](std::exception_ptr ep) { above_5 = !ep; });
    io.poll();
    BOOST_TEST(!above_1);
    BOOST_TEST(!above_5);
    BOOST_TEST(!e->reset_to(snap(3, {rd(1, "", nullopt, 1)})));
    io.poll();
    BOOST_TEST(above_1);
    BOOST_TEST(!above_5);
    BOOST_TEST(!e->apply_snapshot(snap(6, {rd(1, "", nullopt, 1)})));
    io.poll();
    BOOST_TEST(above_5);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
