// A service that routes with a running routecatd's table (argv[1], e.g. http://127.0.0.1:8080):
// HttpCatalogMirror follows the daemon's change feed into a local Engine on the service's own
// io_context, and the service answers lookups from that engine. run.sh split the daemon's route at
// "m" (version 2); exits 0 when the service serves that split.

#include <routecat/mirror/http_catalog_mirror.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>

namespace asio = boost::asio;

namespace {

asio::awaitable<int> serve(std::shared_ptr<routecat::Engine> engine, routecat::HttpCatalogMirror& mirror) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int i = 0; i < 1000 && engine->version() < 2; ++i) {  // the mirror's first answers
        timer.expires_after(std::chrono::milliseconds(10));
        co_await timer.async_wait(asio::use_awaitable);
    }
    const auto left = engine->get_route("apple");
    const auto right = engine->get_route("zebra");
    std::cout << "version " << engine->version() << ": apple -> route " << (left ? left->route_id : 0)
              << ", zebra -> route " << (right ? right->route_id : 0) << "\n";
    mirror.stop();
    const bool ok = engine->version() == 2 && left && left->route_id == 2 && right && right->route_id == 3;
    co_return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    asio::io_context io;
    auto engine = std::make_shared<routecat::Engine>();
    routecat::HttpCatalogMirrorOptions options;
    options.endpoints = {argv[1]};
    routecat::HttpCatalogMirror mirror(engine, options);
    asio::co_spawn(io, mirror.run(), asio::detached);
    auto served = asio::co_spawn(io, serve(engine, mirror), asio::use_future);
    io.run();
    const int failures = served.get();
    std::cout << (failures == 0 ? "mirror embed: OK\n" : "mirror embed: FAILED\n");
    return failures;
}
