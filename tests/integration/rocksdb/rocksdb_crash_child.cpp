// Child of the crash-safety test: saves catalog versions in a loop on a RocksDbStore and prints each
// acknowledged version on its own line, flushed, until it is killed.
//   rocksdb_crash_child <dir> [retain_versions]
// The routes of version v are a pure function of v (crash_routes.hpp), so the parent can check them.

#include "integration/rocksdb/crash_routes.hpp"
#include "support/rocksdb_backend.hpp"

#include "routecat/catalog/catalog_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdio>

namespace asio = boost::asio;
using namespace routecat;

namespace {

asio::awaitable<void> save_forever(CatalogStore catalog) {
    for (;;) {
        const std::uint64_t v = co_await catalog.version();
        co_await catalog.save(v, test::crash_routes(v + 1));
        std::printf("%llu\n", static_cast<unsigned long long>(v + 1));
        std::fflush(stdout);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 && argc != 3) {
        std::fprintf(stderr, "usage: %s <dir> [retain_versions]\n", argv[0]);
        return 2;
    }
    asio::io_context io;
    CatalogStore catalog(test::open_rocksdb(argv[1], argc == 3 ? std::stoull(argv[2]) : 0));
    auto done = asio::co_spawn(io, save_forever(catalog), asio::use_future);
    io.run();
    done.get();
}
