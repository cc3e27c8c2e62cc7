#include "routecat/keyviz_clock.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>

namespace routecat {

namespace asio = boost::asio;

std::chrono::milliseconds keyviz_tick(const KeyVizOptions& options) {
    const auto tenth = static_cast<std::chrono::milliseconds::rep>(options.column_ms / 10);
    return std::clamp(std::chrono::milliseconds(tenth), std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
}

std::uint64_t unix_time_ms() {
    const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count());
}

asio::awaitable<void> run_keyviz_clock(std::shared_ptr<Engine> engine) {
    if (engine->keyviz_options().columns == 0) co_return;
    const std::chrono::milliseconds tick = keyviz_tick(engine->keyviz_options());
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        engine->advance_keyviz(unix_time_ms());
        timer.expires_after(tick);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;  // cancelled
    }
}

}  // namespace routecat
