// check_changes_on_table (the whole-table check of a targeted change, looking only at the changed
// routes' neighbours in the engine's table) against check_changes_on_routes (the same check on every
// route): equal codes on random tables and changes, and no answer when the table is not the catalog.

#include "support/builders.hpp"
#include "support/printers.hpp"

#include "routecat/catalog/changes_check.hpp"
#include "routecat/error.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace routecat {
using test::rd;
namespace {

std::string letter(std::size_t i) { return std::string(1, static_cast<char>('a' + i)); }

// A valid catalog: routes 1..n over increasing boundaries, some gaps, the last one maybe unbounded.
std::vector<RouteDescriptor> random_catalog(std::mt19937& rng) {
    std::vector<RouteDescriptor> routes;
    const std::size_t n = 1 + rng() % 8;
    std::size_t at = 0;
    for (std::uint64_t id = 1; id <= n; ++id) {
        const std::size_t start = at + rng() % 2;  // a gap now and then
        const std::size_t end = start + 1 + rng() % 3;
        routes.push_back(rd(id, id == 1 && start == 0 ? "" : letter(start), letter(end)));
        at = end;
    }
    if (rng() % 2) routes.back().end.reset();
    return routes;
}

RouteDescriptor random_route(std::mt19937& rng, std::uint64_t id) {
    const std::size_t start = rng() % 26;
    RouteDescriptor r = rd(id, start == 0 ? "" : letter(start), std::nullopt);
    if (start < 25 && rng() % 4) r.end = letter(start + 1 + rng() % (25 - start));
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(changes_check)

BOOST_AUTO_TEST_CASE(the_table_check_gives_the_full_checks_code_on_random_changes) {
    std::mt19937 rng(13);
    std::size_t refused = 0, checked = 0;
    for (int round = 0; round < 20'000; ++round) {
        const std::vector<RouteDescriptor> catalog = random_catalog(rng);
        const auto table = RouteTable::from_sorted(catalog, 5, 1);
        std::vector<std::uint64_t> deletes;
        std::vector<RouteDescriptor> upserts;
        std::set<std::uint64_t> named;
        for (const auto& r : catalog)
            if (rng() % 4 == 0) {
                deletes.push_back(r.route_id);
                named.insert(r.route_id);
            }
        for (std::size_t k = rng() % 4; k > 0; --k) {
            const std::uint64_t id = 1 + rng() % (catalog.size() + 3);
            if (named.insert(id).second) upserts.push_back(random_route(rng, id));
        }
        auto changes = normalize_changes(upserts, deletes);
        BOOST_TEST_REQUIRE(changes.has_value());
        std::vector<RouteDescriptor> touched;
        for (const auto& r : catalog)
            if (named.contains(r.route_id)) touched.push_back(r);

        const auto on_table = check_changes_on_table(*table, touched, *changes);
        BOOST_TEST_REQUIRE(on_table.has_value());
        const auto on_routes = check_changes_on_routes(catalog, *changes);
        BOOST_TEST(*on_table == on_routes, "round " << round);
        ++checked;
        if (on_routes) ++refused;
    }
    BOOST_TEST(refused > checked / 10);  // both outcomes are exercised
    BOOST_TEST(refused < checked - checked / 10);
}

BOOST_AUTO_TEST_CASE(a_table_that_is_not_the_catalog_around_the_change_gives_no_answer) {
    const std::vector<RouteDescriptor> catalog{rd(1, "", "g"), rd(2, "g", "m"), rd(3, "m", std::nullopt)};
    const auto table = RouteTable::from_sorted(catalog, 5, 1);
    CatalogChanges changes{{rd(2, "g", "k")}, {}};
    // The stored route 2 is elsewhere than the table has it.
    BOOST_TEST(!check_changes_on_table(*table, {rd(2, "g", "n")}, changes).has_value());
    // A route of a created id next to the change.
    CatalogChanges create{{rd(3, "n", "o")}, {}};
    BOOST_TEST(!check_changes_on_table(*table, {}, create).has_value());
    // An ephemeral route next to the change.
    const auto ephemeral = table->with_split(1, "h", 2);
    BOOST_TEST(!check_changes_on_table(*ephemeral, {rd(2, "g", "m")}, changes).has_value());
    BOOST_TEST(check_changes_on_table(*table, {rd(2, "g", "m")}, changes) == std::optional(boost::system::error_code{}));
}

BOOST_AUTO_TEST_CASE(normalize_changes_sorts_and_refuses_ids_named_twice) {
    auto ok = normalize_changes({rd(4, "m", "n"), rd(3, "a", "b")}, {9, 2});
    BOOST_TEST_REQUIRE(ok.has_value());
    BOOST_TEST((ok->upserts == std::vector<RouteDescriptor>{rd(3, "a", "b"), rd(4, "m", "n")}));
    BOOST_TEST((ok->deletes == std::vector<std::uint64_t>{2, 9}));
    std::string context;
    BOOST_TEST(normalize_changes({rd(3, "a", "b")}, {3}, &context).error() == errc::bad_request);
    BOOST_TEST(context == "route id 3 is both upserted and deleted");
    BOOST_TEST(normalize_changes({}, {7, 7}, &context).error() == errc::bad_request);
    BOOST_TEST(context == "route id 7 is deleted twice");
    BOOST_TEST(normalize_changes({rd(3, "a", "b"), rd(3, "c", "d")}, {}).error() == errc::catalog_duplicate_route_id);
    BOOST_TEST(normalize_changes({rd(3, "b", "a")}, {}).error() == errc::catalog_invalid_route_range);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
