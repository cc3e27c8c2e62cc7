// next_delay: the watcher's wait between syncs, its bounds and its jitter, exactly.

#include "support/bytes.hpp"

#include "routecat/catalog/backoff.hpp"

#include <boost/test/unit_test.hpp>

#include <limits>

namespace routecat {
using test::kMax;
namespace {

using std::chrono::milliseconds;

std::int64_t delay(std::int64_t interval, std::int64_t max_backoff, std::uint64_t failures, std::uint64_t jitter) {
    return next_delay(milliseconds{interval}, milliseconds{max_backoff}, failures, jitter).count();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(watcher_backoff)

BOOST_AUTO_TEST_CASE(the_interval_after_a_success_or_with_backoff_off) {
    for (std::uint64_t jitter : {std::uint64_t{0}, std::uint64_t{7}, kMax}) {
        BOOST_TEST(delay(100, 5000, 0, jitter) == 100);
        BOOST_TEST(delay(100, 0, 3, jitter) == 100);    // max_backoff 0: the spec's fixed interval
        BOOST_TEST(delay(100, 100, 9, jitter) == 100);  // a cap at the interval is no backoff
        BOOST_TEST(delay(100, 50, 9, jitter) == 100);
    }
}

BOOST_AUTO_TEST_CASE(doubles_per_failure_with_equal_jitter) {
    // 1 failure: grown 200, uniform over [100, 200]: 101 values, jitter taken modulo 101.
    BOOST_TEST(delay(100, 5000, 1, 0) == 100);
    BOOST_TEST(delay(100, 5000, 1, 37) == 137);
    BOOST_TEST(delay(100, 5000, 1, 100) == 200);
    BOOST_TEST(delay(100, 5000, 1, 101) == 100);
    // 3 failures: grown 800, over [400, 800].
    BOOST_TEST(delay(100, 5000, 3, 0) == 400);
    BOOST_TEST(delay(100, 5000, 3, 400) == 800);
    BOOST_TEST(delay(100, 5000, 3, 401 + 5) == 405);
}

BOOST_AUTO_TEST_CASE(capped_at_max_backoff_however_many_failures) {
    // 6 failures: 6400 > 5000, so grown = 5000, over [2500, 5000].
    BOOST_TEST(delay(100, 5000, 6, 0) == 2500);
    BOOST_TEST(delay(100, 5000, 6, 2500) == 5000);
    BOOST_TEST(delay(100, 5000, kMax, 0) == 2500);
    BOOST_TEST(delay(100, 5000, kMax, kMax) == 2500 + static_cast<std::int64_t>(kMax % 2501));
    // A year-long cap (the config's limit) does not overflow.
    BOOST_TEST(delay(1, 31536000000, kMax, 0) == 15768000000);
}

BOOST_AUTO_TEST_CASE(never_below_the_interval) {
    // interval 300, cap 400: 1 failure grows to 400, whose lower half (200) is below the interval.
    BOOST_TEST(delay(300, 400, 1, 0) == 300);
    BOOST_TEST(delay(300, 400, 1, 150) == 350);
    BOOST_TEST(delay(300, 400, 1, 200) == 400);
    for (std::uint64_t jitter = 0; jitter < 1000; ++jitter) {
        const auto d = delay(300, 400, 2, jitter);
        BOOST_TEST_REQUIRE((d >= 300 && d <= 400));
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
