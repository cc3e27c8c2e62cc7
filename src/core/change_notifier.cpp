#include "routecat/detail/change_notifier.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>

namespace routecat::detail {

namespace asio = boost::asio;

void ChangeNotifier::notify() {
    std::lock_guard lock(mutex_);
    for (const auto& waiter : waiters_) waiter->try_send(boost::system::error_code{});  // completion is posted
}

// A waiter's channel, registered with the notifier for as long as it lives.
struct ChangeNotifier::Registration {
    Registration(ChangeNotifier& notifier, const asio::any_io_executor& ex)
        : notifier(notifier), channel(std::make_shared<Channel>(ex, 1)) {
        std::lock_guard lock(notifier.mutex_);
        notifier.waiters_.insert(channel);
    }
    ~Registration() {
        std::lock_guard lock(notifier.mutex_);
        notifier.waiters_.erase(channel);
    }
    ChangeNotifier& notifier;
    std::shared_ptr<Channel> channel;
};

asio::awaitable<void> ChangeNotifier::wait(std::uint64_t after, std::function<std::uint64_t()> counter) {
    // Registered before the check: a change after it signals the channel (capacity 1), so no wake-up
    // is lost; every wake-up is checked against the counter again.
    auto ex = co_await asio::this_coro::executor;
    const Registration registration(*this, ex);
    while (counter() <= after) co_await registration.channel->async_receive(asio::use_awaitable);
}

asio::awaitable<bool> ChangeNotifier::wait_until(std::function<bool()> ready,
                                                 std::chrono::steady_clock::duration timeout) {
    auto ex = co_await asio::this_coro::executor;
    const Registration registration(*this, ex);
    // The deadline wakes the waiter through the same channel; the timer dies with this frame.
    auto expired = std::make_shared<std::atomic<bool>>(false);
    asio::steady_timer deadline(ex, timeout);
    deadline.async_wait([expired, channel = registration.channel](boost::system::error_code ec) {
        if (ec) return;
        expired->store(true);
        channel->try_send(boost::system::error_code{});
    });
    for (;;) {
        if (ready()) co_return true;
        if (expired->load()) co_return false;
        co_await registration.channel->async_receive(asio::use_awaitable);
    }
}

}  // namespace routecat::detail
