// A service that embeds only routecat's catalog layer: a CatalogStore on the memory store, an Engine
// loaded from it and a watcher on the service's own io_context. A Save (and a split) by the service
// reaches the engine through the watcher. Exits 0 when every check holds.

#include <routecat/catalog/catalog_store.hpp>
#include <routecat/catalog/catalog_watcher.hpp>
#include <routecat/catalog/ensure_catalog_snapshot.hpp>
#include <routecat/store/memory_store.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>

namespace asio = boost::asio;

namespace {

// Waits (up to a second) for the watcher to bring the engine to version.
asio::awaitable<bool> engine_reaches(const routecat::Engine& engine, std::uint64_t version) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int i = 0; i < 100 && engine.version() < version; ++i) {
        timer.expires_after(std::chrono::milliseconds(10));
        co_await timer.async_wait(asio::use_awaitable);
    }
    co_return engine.version() == version;
}

asio::awaitable<int> service(routecat::CatalogStore catalog, std::shared_ptr<routecat::Engine> engine,
                             std::shared_ptr<routecat::CatalogWatcher> watcher) {
    int failures = 0;
    auto check = [&failures](bool ok, const char* what) {
        std::cout << (ok ? "ok   " : "FAIL ") << what << "\n";
        if (!ok) ++failures;
    };
    std::vector<routecat::RouteDescriptor> routes{{1, "", "m", 1}, {2, "m", std::nullopt, 2}};
    const auto saved = co_await catalog.save(1, routes);
    check(saved.version == 2, "the save committed version 2");
    check(co_await engine_reaches(*engine, 2), "the watcher applied version 2");
    check(engine->get_route("x") && engine->get_route("x")->group_id == 2, "\"x\" routes to group 2");

    const auto split = co_await catalog.split(2, 1, "g");
    check(split.left.route_id == 3 && split.right.route_id == 4, "the split made routes 3 and 4");
    check(co_await engine_reaches(*engine, 3), "the watcher applied version 3");
    check(engine->get_route("h") && engine->get_route("h")->route_id == 4, "\"h\" routes to route 4");
    watcher->stop();
    co_return failures;
}

}  // namespace

int main() {
    asio::io_context io;
    routecat::CatalogStore catalog(std::make_shared<routecat::MemoryStore>());
    auto engine = routecat::Engine::with_default_route();

    auto seeded = asio::co_spawn(io, routecat::ensure_catalog_snapshot(catalog, engine), asio::use_future);
    io.run();
    io.restart();
    std::cout << "seeded version " << seeded.get().version << "\n";

    routecat::CatalogWatcherOptions options;
    options.interval = std::chrono::milliseconds(20);
    auto watcher = std::make_shared<routecat::CatalogWatcher>(catalog, engine, options);
    asio::co_spawn(io, watcher->run(), asio::detached);
    auto result = asio::co_spawn(io, service(catalog, engine, watcher), asio::use_future);
    io.run();
    const int failures = result.get();
    std::cout << (failures == 0 ? "catalog embed: OK\n" : "catalog embed: FAILED\n");
    return failures == 0 ? 0 : 1;
}
