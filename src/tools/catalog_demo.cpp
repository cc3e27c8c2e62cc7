// routecat-demo: a tour of the library in one file: saves a small catalog on the in-memory store,
// splits a route and prints each version (README, "A 1-minute tour" has the daemon's).

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

    // (Route lists are built before co_await: g++ 12 mis-compiles braced lists inside it; README.)
    std::vector<RouteDescriptor> routes{{1, "", "m", 1, RouteState::active, 0},
                                        {2, "m", std::nullopt, 2, RouteState::active, 0}};
    co_await catalog.save(0, routes);
    print(co_await catalog.snapshot());

    // Split route 1 at "g" (spec §10.3): two children with fresh ids that remember their parent.
    const SplitResult split = co_await catalog.split(1, 1, "g");
    std::cout << "split route 1 at \"g\" into routes " << split.left.route_id << " and " << split.right.route_id << "\n";
    print(co_await catalog.snapshot());
    std::cout << "next route id " << co_await catalog.next_route_id() << "\n";

    try {
        const std::vector<RouteDescriptor> none;  // (named, not {} inside co_await: README, g++ 12)
        co_await catalog.save(1, none);
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
