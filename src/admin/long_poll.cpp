#include "admin/long_poll.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace routecat::admin {

namespace asio = boost::asio;

namespace {

asio::awaitable<void> wait_above(std::shared_ptr<Engine> engine, std::uint64_t after) {
    co_await engine->wait_for_version_above(after);
}

// The end of a long poll's patience: its timeout, or a shutdown beginning.
asio::awaitable<void> timeout_or_shutdown(std::shared_ptr<Shutdown> shutdown, std::chrono::milliseconds timeout) {
    if (shutdown) {
        co_await shutdown->wait_for(timeout);
    } else {
        asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
        co_await timer.async_wait(asio::use_awaitable);
    }
}

}  // namespace

asio::awaitable<void> wait_version_or_timeout(std::shared_ptr<Engine> engine, std::uint64_t after,
                                              std::chrono::milliseconds timeout, std::shared_ptr<Shutdown> shutdown) {
    auto ex = co_await asio::this_coro::executor;
    auto waiter = asio::co_spawn(ex, wait_above(std::move(engine), after), asio::deferred);
    auto expiry = asio::co_spawn(ex, timeout_or_shutdown(std::move(shutdown), timeout), asio::deferred);
    auto group = asio::experimental::make_parallel_group(std::move(waiter), std::move(expiry));
    // Whichever completes first wins; the group cancels the other and waits for it.
    auto result = co_await std::move(group).async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    (void)result;
}

}  // namespace routecat::admin
