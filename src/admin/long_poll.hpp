#pragma once
// Waiting in a request without holding a thread (internal): long polls and idle change streams wake
// when the engine moves past a version, their timeout passes, or a shutdown begins.

#include "routecat/admin/shutdown.hpp"
#include "routecat/engine.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

namespace routecat::admin {

// Completes once engine->version() > after, after timeout, or when shutdown (if any) begins.
boost::asio::awaitable<void> wait_version_or_timeout(std::shared_ptr<Engine> engine, std::uint64_t after,
                                                     std::chrono::milliseconds timeout,
                                                     std::shared_ptr<Shutdown> shutdown);

}  // namespace routecat::admin
