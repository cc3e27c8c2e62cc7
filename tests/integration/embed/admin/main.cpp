// An Asio service that embeds routecat: store, catalog, engine and watcher on its own io_context,
// and routecat's admin API served by routecat's server from the same io_context. It checks a few
// answers through a Beast client and exits 0 when they are right.

#include <routecat/admin/router.hpp>
#include <routecat/admin/server.hpp>
#include <routecat/catalog/catalog_watcher.hpp>
#include <routecat/catalog/ensure_catalog_snapshot.hpp>
#include <routecat/store/memory_store.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

asio::awaitable<std::pair<unsigned, std::string>> fetch(unsigned short port, std::string target) {
    boost::beast::tcp_stream stream(co_await asio::this_coro::executor);
    co_await stream.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), asio::use_awaitable);
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "localhost");
    co_await http::async_write(stream, req, asio::use_awaitable);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    co_await http::async_read(stream, buffer, res, asio::use_awaitable);
    co_return std::pair<unsigned, std::string>(res.result_int(), res.body());
}

asio::awaitable<int> service(std::shared_ptr<routecat::admin::Server> server, unsigned short port,
                             std::shared_ptr<routecat::CatalogWatcher> watcher, routecat::CatalogStore catalog) {
    int failures = 0;
    auto [health_status, health] = co_await fetch(port, "/healthz");
    if (health_status != 200 || health != R"({"status":"ok"})") ++failures;
    // A change saved by this service reaches the engine through the watcher and shows in the API.
    std::vector<routecat::RouteDescriptor> routes{{1, "", "m", 1}, {2, "m", std::nullopt, 2}};
    co_await catalog.save(1, routes);
    auto [catalog_status, body] = co_await fetch(port, "/v1/catalog");
    if (catalog_status != 200 || body.find("\"version\":2") == std::string::npos) ++failures;
    // The engine's table (GET /v1/routes) follows once the watcher has applied version 2.
    std::string routes_body;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int attempt = 0; attempt < 100 && routes_body.find("\"version\":2") == std::string::npos; ++attempt) {
        timer.expires_after(std::chrono::milliseconds(10));
        co_await timer.async_wait(asio::use_awaitable);
        routes_body = (co_await fetch(port, "/v1/routes")).second;
    }
    if (routes_body.find("\"version\":2,") == std::string::npos || routes_body.find("\"count\":2") == std::string::npos)
        ++failures;
    std::cout << "GET /healthz -> " << health_status << " " << health << "\nGET /v1/catalog -> " << catalog_status
              << " " << body << "\nGET /v1/routes -> " << routes_body << "\n";
    server->stop();
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
    seeded.get();

    auto watcher = std::make_shared<routecat::CatalogWatcher>(catalog, engine);
    routecat::admin::AdminContext context;
    context.catalog = catalog;
    context.engine = engine;
    context.watcher = watcher;
    auto server = std::make_shared<routecat::admin::Server>(
        io.get_executor(), routecat::admin::ServerOptions{},
        [context](routecat::admin::Request req) { return routecat::admin::handle_admin_request(context, std::move(req)); });
    const auto port = server->listen({asio::ip::make_address("127.0.0.1"), 0}).value().port();

    asio::co_spawn(io, watcher->run(), asio::detached);
    asio::co_spawn(io, server->run(), asio::detached);
    auto result = asio::co_spawn(io, service(server, port, watcher, catalog), asio::use_future);
    io.run();
    const int failures = result.get();
    std::cout << (failures == 0 ? "embed example: OK\n" : "embed example: FAILED\n");
    return failures == 0 ? 0 : 1;
}
