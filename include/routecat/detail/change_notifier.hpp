#pragma once
// Waiting for a counter to pass a value: the stores' wait_for_change (memory, RocksDB: the commit
// watermark) and the engine's wait for a newer version. Waiters park on a thread-safe channel; a
// change signals them all, and each checks the counter again.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>

namespace routecat::detail {

class ChangeNotifier {
public:
    // Call after every change of the counter (any thread, holding no lock that the waiters' counter
    // function takes).
    void notify();

    // Completes once counter() > after. Cancellable (throws operation_aborted).
    boost::asio::awaitable<void> wait(std::uint64_t after, std::function<std::uint64_t()> counter);

private:
    using Channel = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;

    std::mutex mutex_;
    std::set<std::shared_ptr<Channel>> waiters_;
};

}  // namespace routecat::detail
