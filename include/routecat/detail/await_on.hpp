#pragma once
// Runs a coroutine on another executor (a strand) and waits for it, turning the caller's
// cancellation into a call instead of forwarding it: Boost 1.81's co_spawn onto another executor
// emits a late cancellation into a freed slot (ASan: heap-use-after-free), so nothing is forwarded.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>

namespace routecat::detail {

// Waits for task, run on ex. A cancellation of the awaiting coroutine calls on_cancel (from any
// thread), which must make task end soon, e.g. by posting a wake-up to it.
template <class T, class Executor>
boost::asio::awaitable<T> await_on(Executor ex, boost::asio::awaitable<T> task, std::function<void()> on_cancel) {
    namespace asio = boost::asio;
    asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    asio::cancellation_slot slot = state.slot();
    if (slot.is_connected())
        slot.assign([on_cancel](asio::cancellation_type type) {
            if (type != asio::cancellation_type::none) on_cancel();
        });
    struct Clear {
        asio::cancellation_slot slot;
        ~Clear() {
            if (slot.is_connected()) slot.clear();
        }
    } clear{slot};
    // A cancellation emitted before the handler above was assigned is only recorded in the state.
    if (state.cancelled() != asio::cancellation_type::none) on_cancel();
    co_return co_await asio::co_spawn(ex, std::move(task),
                                      asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
}

}  // namespace routecat::detail
