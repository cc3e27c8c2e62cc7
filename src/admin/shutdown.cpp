#include "routecat/admin/shutdown.hpp"

#include "routecat/detail/change_notifier.hpp"

namespace routecat::admin {

Shutdown::Shutdown() : notifier_(std::make_unique<detail::ChangeNotifier>()) {}
Shutdown::~Shutdown() = default;

void Shutdown::begin() {
    begun_.store(true);
    notifier_->notify();
}

boost::asio::awaitable<bool> Shutdown::wait_for(std::chrono::milliseconds timeout) {
    auto begun = [this] { return begun_.load(); };
    co_return co_await notifier_->wait_until(begun, timeout);
}

}  // namespace routecat::admin
