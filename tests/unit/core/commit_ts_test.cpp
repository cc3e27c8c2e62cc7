// commit_ts_after: the one commit-ts rule of the stores that take caller-chosen timestamps.

#include "routecat/error.hpp"
#include "routecat/store/mvcc_store.hpp"

#include <boost/test/unit_test.hpp>

#include <limits>

namespace routecat {

BOOST_AUTO_TEST_SUITE(commit_ts)

BOOST_AUTO_TEST_CASE(above_every_commit_and_at_least_the_floor) {
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    BOOST_TEST(commit_ts_after(0, 0).value() == 1u);
    BOOST_TEST(commit_ts_after(0, 1).value() == 1u);
    BOOST_TEST(commit_ts_after(7, 3).value() == 8u);
    BOOST_TEST(commit_ts_after(7, 20).value() == 20u);
    BOOST_TEST(commit_ts_after(kMax - 1, 0).value() == kMax);
    BOOST_TEST(commit_ts_after(5, kMax).value() == kMax);
    BOOST_TEST((commit_ts_after(kMax, 0).error() == errc::catalog_version_overflow));
    BOOST_TEST((commit_ts_after(kMax, kMax).error() == errc::catalog_version_overflow));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
