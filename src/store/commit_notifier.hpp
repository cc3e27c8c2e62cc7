#pragma once
// wait_for_change for stores that learn of commits themselves (memory, RocksDB): waiters park on a
// thread-safe channel; a commit that raises the watermark signals them all.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>

namespace routecat::detail {

class CommitNotifier {
public:
    // Call after every commit, with the new watermark (any thread, no lock of the caller's held
    // that a waiter's watermark() call would need).
    void notify();

    // Completes once watermark() > after_ts. Cancellable (throws operation_aborted).
    boost::asio::awaitable<void> wait(std::uint64_t after_ts, std::function<std::uint64_t()> watermark);

private:
    using Channel = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;

    std::mutex mutex_;
    std::set<std::shared_ptr<Channel>> waiters_;
};

}  // namespace routecat::detail
