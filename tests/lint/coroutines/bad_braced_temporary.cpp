// Lint fixture (scanned by scripts/lint/check_coroutines.py, never compiled): braced temporaries (of
// string literals here) in the statement of a co_await. g++ 12 rejects an initializer list there
// ("array used as initializer") and destroys an aggregate temporary twice (double free). A literal
// bound straight to a std::string parameter is fine and is not flagged (see good.cpp).
// Expected: three temporary-in-co_await findings, nothing else.
#include <boost/asio/awaitable.hpp>

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/store/mvcc_store.hpp"

namespace routecat::fixture {
namespace asio = boost::asio;

asio::awaitable<std::uint64_t> write_marker(MvccStore& store, std::uint64_t start_ts) {
    co_return co_await store.apply({Mutation::put("!marker", "1")}, start_ts, 0);
}

asio::awaitable<std::uint64_t> write_pair(MvccStore& store, std::uint64_t start_ts) {
    const std::uint64_t commit_ts = co_await store.apply(
        std::vector<Mutation>{
            Mutation::put("!pair|a", "x"),
            Mutation::del("!pair|b"),
        },
        start_ts, 0);
    co_return commit_ts;
}

asio::awaitable<CatalogSnapshot> seed(const CatalogStore& catalog) {
    co_return co_await catalog.save(0, {{1, "", "m", 1, RouteState::active, 0},
                                        {2, "m", std::nullopt, 2, RouteState::active, 0}});
}

}  // namespace routecat::fixture
