#pragma once
// The admin API's side of a graceful shutdown. Once begun (SIGTERM in the daemon), every long poll,
// and any response that waits, ends at once with its normal answer, so a drain need not wait out
// clients that would otherwise hold a request open for up to a minute.

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <memory>

namespace routecat::detail {
class ChangeNotifier;
}

namespace routecat::admin {

class Shutdown {
public:
    Shutdown();
    ~Shutdown();

    // Begins the shutdown; idempotent, from any thread.
    void begin();
    bool begun() const noexcept { return begun_.load(); }

    // Completes once begin() has been called (true) or after timeout (false). Cancellable.
    boost::asio::awaitable<bool> wait_for(std::chrono::milliseconds timeout);

private:
    std::atomic<bool> begun_{false};
    std::unique_ptr<detail::ChangeNotifier> notifier_;
};

}  // namespace routecat::admin
