#include "store/commit_notifier.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace routecat::detail {

namespace asio = boost::asio;

void CommitNotifier::notify() {
    std::lock_guard lock(mutex_);
    for (const auto& waiter : waiters_) waiter->try_send(boost::system::error_code{});  // completion is posted
}

asio::awaitable<void> CommitNotifier::wait(std::uint64_t after_ts, std::function<std::uint64_t()> watermark) {
    auto channel = std::make_shared<Channel>(co_await asio::this_coro::executor, 1);
    {
        std::lock_guard lock(mutex_);
        waiters_.insert(channel);
    }
    struct Unregister {
        CommitNotifier* self;
        std::shared_ptr<Channel> channel;
        ~Unregister() {
            std::lock_guard lock(self->mutex_);
            self->waiters_.erase(channel);
        }
    } unregister{this, channel};
    // Registered before the check: a commit after it signals the channel (capacity 1), so no wake-up
    // is lost; every wake-up is checked against the watermark again.
    while (watermark() <= after_ts) co_await channel->async_receive(asio::use_awaitable);
}

}  // namespace routecat::detail
