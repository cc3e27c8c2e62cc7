#pragma once
// Test helpers: run a coroutine to completion, capture the error code a call throws.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>

#include <string>
#include <thread>
#include <vector>

namespace routecat::test {

// Runs task on io until it completes and returns its result (or rethrows its exception).
template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
    auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
    io.restart();
    io.run();
    return future.get();
}

// Runs io on n threads until it runs out of work.
inline void run_on_threads(boost::asio::io_context& io, int n) {
    io.restart();
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) threads.emplace_back([&io] { io.run(); });
    for (auto& t : threads) t.join();
}

struct Failure {
    boost::system::error_code code;
    std::string what;
};

// The error code (and what()) a callable throws as system_error; an empty code if it does not throw.
template <class F>
Failure failure_of(F&& f) {
    try {
        f();
    } catch (const boost::system::system_error& e) {
        return {e.code(), e.what()};
    }
    return {};
}

template <class F>
boost::system::error_code error_of(F&& f) {
    return failure_of(std::forward<F>(f)).code;
}

}  // namespace routecat::test
