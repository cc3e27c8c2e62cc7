#include "routecat/detail/change_notifier.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace routecat::detail {

namespace asio = boost::asio;

void ChangeNotifier::notify() {
    std::lock_guard lock(mutex_);
    for (const auto& waiter : waiters_) waiter->try_send(boost::system::error_code{});  // completion is posted
}

asio::awaitable<void> ChangeNotifier::wait(std::uint64_t after, std::function<std::uint64_t()> counter) {
    auto channel = std::make_shared<Channel>(co_await asio::this_coro::executor, 1);
    {
        std::lock_guard lock(mutex_);
        waiters_.insert(channel);
    }
    struct Unregister {
        ChangeNotifier* self;
        std::shared_ptr<Channel> channel;
        ~Unregister() {
            std::lock_guard lock(self->mutex_);
            self->waiters_.erase(channel);
        }
    } unregister{this, channel};
    // Registered before the check: a change after it signals the channel (capacity 1), so no wake-up
    // is lost; every wake-up is checked against the watermark again.
    while (counter() <= after) co_await channel->async_receive(asio::use_awaitable);
}

}  // namespace routecat::detail
