// ChangeNotifier: waiters wake on notify() and check their condition again; wait_until gives up at
// its timeout.

#include "support/run.hpp"

#include "routecat/detail/change_notifier.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>

namespace routecat {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

BOOST_AUTO_TEST_SUITE(change_notifier)

BOOST_AUTO_TEST_CASE(wait_until_holds_at_once_without_waiting) {
    asio::io_context io;
    detail::ChangeNotifier notifier;
    const auto started = Clock::now();
    BOOST_TEST(test::run(io, notifier.wait_until([] { return true; }, 10s)));
    BOOST_TEST((Clock::now() - started < 1s));
}

BOOST_AUTO_TEST_CASE(wait_until_wakes_on_notify_once_the_condition_holds) {
    asio::io_context io;
    detail::ChangeNotifier notifier;
    int left = 3;
    // Two notifies without the condition holding, then one with it: the waiter checks each time.
    auto change = [&]() -> asio::awaitable<void> {
        asio::steady_timer pause(io);
        for (int i = 0; i < 3; ++i) {
            pause.expires_after(5ms);
            co_await pause.async_wait(asio::use_awaitable);
            --left;
            notifier.notify();
        }
    };
    asio::co_spawn(io, change(), asio::detached);
    const auto started = Clock::now();
    BOOST_TEST(test::run(io, notifier.wait_until([&] { return left == 0; }, 10s)));
    BOOST_TEST(left == 0);
    BOOST_TEST((Clock::now() - started < 5s));
}

BOOST_AUTO_TEST_CASE(wait_until_gives_up_at_the_timeout) {
    asio::io_context io;
    detail::ChangeNotifier notifier;
    const auto started = Clock::now();
    BOOST_TEST(!test::run(io, notifier.wait_until([] { return false; }, 50ms)));
    const auto waited = Clock::now() - started;
    BOOST_TEST((waited >= 50ms && waited < 5s));
}

BOOST_AUTO_TEST_CASE(wait_completes_once_the_counter_passes) {
    asio::io_context io;
    detail::ChangeNotifier notifier;
    std::uint64_t counter = 4;
    asio::post(io, [&] {
        counter = 5;
        notifier.notify();
    });
    test::run(io, notifier.wait(4, [&] { return counter; }));
    BOOST_TEST(counter == 5u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
