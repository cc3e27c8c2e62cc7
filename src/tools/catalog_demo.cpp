// routecat-demo: saves a small catalog on the in-memory store and prints it. A stand-in for the
// daemon (routecatd) until it lands.

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/error.hpp"
#include "routecat/key_text.hpp"
#include "routecat/store/memory_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>

namespace asio = boost::asio;
using namespace routecat;

namespace {

void print(const CatalogSnapshot& snap) {
    std::cout << "catalog version " << snap.version << " (read ts " << snap.read_ts << ")\n";
    for (const auto& r : snap.routes) {
        std::cout << "  route " << r.route_id << "  [\"" << key_to_text(r.start) << "\", "
                  << (r.end ? "\"" + key_to_text(*r.end) + "\"" : std::string("+inf")) << ")  group " << r.group_id
                  << "  " << to_string(r.state) << "\n";
    }
}

asio::awaitable<void> demo() {
    CatalogStore catalog(std::make_shared<MemoryStore>());

    // (Route lists are built before co_await: g++ 12 mis-compiles braced string literals inside it.)
    std::vector<RouteDescriptor> routes{{1, "", "m", 1, RouteState::active, 0},
                                        {2, "m", std::nullopt, 2, RouteState::active, 0}};
    co_await catalog.save(0, routes);
    print(co_await catalog.snapshot());

    // Split route 1 at "g" by hand: two children that remember their parent.
    routes = {{3, "", "g", 1, RouteState::active, 1},
              {4, "g", "m", 1, RouteState::write_fenced, 1},
              {2, "m", std::nullopt, 2, RouteState::active, 0}};
    co_await catalog.save(1, routes);
    print(co_await catalog.snapshot());
    std::cout << "next route id " << co_await catalog.next_route_id() << "\n";

    try {
        co_await catalog.save(1, {});
    } catch (const boost::system::system_error& e) {
        std::cout << "a save from stale version 1 fails: " << e.code().category().name() << ":"
                  << error_name(e.code()) << " (" << e.what() << ")\n";
    }
}

}  // namespace

int main() {
    asio::io_context io;
    int status = 0;
    asio::co_spawn(io, demo(), [&](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::cerr << "routecat-demo: " << ex.what() << "\n";
            status = 1;
        }
    });
    io.run();
    return status;
}
