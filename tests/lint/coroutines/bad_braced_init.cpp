// Lint fixture (scanned by scripts/lint/check_coroutines.py, never compiled): a braced initializer
// list that contains co_await. g++ 12 destroys the aggregate's temporaries twice (ASan:
// heap-use-after-free; -O2: "free(): double free detected"); an initializer list does not compile.
// Expected: three braced-init-co_await findings, nothing else.
#include <boost/asio/awaitable.hpp>

#include "routecat/catalog/catalog_store.hpp"

namespace routecat::fixture {
namespace asio = boost::asio;

struct Snapshot {
    std::uint64_t version = 0;
    std::vector<RouteDescriptor> routes;
    std::uint64_t read_ts = 0;
};

asio::awaitable<Snapshot> snapshot_at(const CatalogStore& catalog, std::uint64_t version, std::uint64_t ts) {
    Snapshot snap{version, co_await catalog.routes_at(ts), ts};
    co_return snap;
}

asio::awaitable<Snapshot> latest_snapshot(const CatalogStore& catalog) {
    const auto [ts, version] = co_await catalog.latest_version();
    co_return Snapshot{
        .version = version,
        .routes = co_await catalog.routes_at(ts),
        .read_ts = ts,
    };
}

asio::awaitable<std::size_t> count_versions(const CatalogStore& catalog, std::uint64_t a, std::uint64_t b) {
    std::vector<std::uint64_t> versions = {co_await catalog.version_at(a),
                                           co_await catalog.version_at(b)};
    co_return versions.size();
}

}  // namespace routecat::fixture
