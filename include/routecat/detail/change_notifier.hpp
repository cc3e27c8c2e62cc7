#pragma once
// Waiting for a condition on some state to hold: the stores' wait_for_change (memory, RocksDB: the
// commit watermark), the engine's wait for a newer version, the admin server's drain (no connection
// left). Waiters park on a thread-safe channel; a change signals them all, and each checks again.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <chrono>
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

    // Completes once ready() holds (true), or when timeout has passed first (false). Cancellable.
    boost::asio::awaitable<bool> wait_until(std::function<bool()> ready, std::chrono::steady_clock::duration timeout);

private:
    using Channel = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;
    struct Registration;

    std::mutex mutex_;
    std::set<std::shared_ptr<Channel>> waiters_;
};

}  // namespace routecat::detail
