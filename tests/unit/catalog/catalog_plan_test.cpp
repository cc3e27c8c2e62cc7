#include "support/builders.hpp"

#include <boost/test/unit_test.hpp>

#include "routecat/catalog/catalog_plan.hpp"
#include "routecat/error.hpp"

#include <limits>
#include <optional>
#include <string>

namespace routecat {
using test::rd;
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

}  // namespace

BOOST_AUTO_TEST_SUITE(catalog_plan)

// ---------------------------------------------------------------------------------------------
// next_route_id_floor (§6.3)

BOOST_AUTO_TEST_CASE(next_route_id_floor_empty_is_one) {
    auto r = next_route_id_floor({});
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(*r == 1u);
}

BOOST_AUTO_TEST_CASE(next_route_id_floor_is_max_plus_one) {
    auto one = next_route_id_floor({rd(5, "", std::nullopt)});
    BOOST_TEST_REQUIRE(one.has_value());
    BOOST_TEST(*one == 6u);

    // Max, not last, not count.
    auto many = next_route_id_floor(
        {rd(3, "", std::string("a")), rd(9, "a", std::string("b")), rd(2, "b", std::nullopt)});
    BOOST_TEST_REQUIRE(many.has_value());
    BOOST_TEST(*many == 10u);

    auto high = next_route_id_floor({rd(1, "", std::string("a")), rd(kMax - 1, "a", std::nullopt)});
    BOOST_TEST_REQUIRE(high.has_value());
    BOOST_TEST(*high == kMax);

    // Ids are not validated here: only id 0 -> 0 + 1.
    auto zero = next_route_id_floor({rd(0, "", std::nullopt)});
    BOOST_TEST_REQUIRE(zero.has_value());
    BOOST_TEST(*zero == 1u);
}

BOOST_AUTO_TEST_CASE(next_route_id_floor_overflow) {
    auto r = next_route_id_floor({rd(kMax, "", std::nullopt)});
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error() == errc::catalog_route_id_overflow));

    auto mixed = next_route_id_floor({rd(1, "", std::string("a")), rd(kMax, "a", std::nullopt),
                                      rd(2, "b", std::nullopt)});
    BOOST_TEST_REQUIRE(mixed.has_error());
    BOOST_TEST((mixed.error() == errc::catalog_route_id_overflow));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
