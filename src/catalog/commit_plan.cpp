#include "catalog/commit_plan.hpp"

#include "routecat/codec.hpp"
#include "routecat/error.hpp"

#include <exception>

namespace routecat {

namespace asio = boost::asio;

namespace {

// §6.5 step 8: re-read the watermark so writes that landed since the read push the commit above them.
// A round-trip store commits above every earlier commit by itself; min_commit_ts is then its floor.
asio::awaitable<std::uint64_t> choose_commit_ts(MvccStore& store, std::uint64_t min_commit_ts) {
    if (store.round_trip_per_call()) co_return min_commit_ts;
    const std::uint64_t last = co_await store.last_commit_ts();
    co_return value_or_throw(commit_ts_after(last, min_commit_ts), "commit timestamp");
}

// The first ts in (below, above] at which the catalog's version is at least `version`, given that it
// is below `version` at `below` and not at `above`. Versions only grow with the ts, so a binary
// search over the ts finds it in O(log(above - below)) reads of the version key.
asio::awaitable<std::uint64_t> first_ts_reaching(const CatalogStore& catalog, std::uint64_t version,
                                                 std::uint64_t below, std::uint64_t above) {
    while (above - below > 1) {
        const std::uint64_t mid = below + (above - below) / 2;
        if (co_await catalog.version_at(mid) >= version)
            above = mid;
        else
            below = mid;
    }
    co_return above;
}

// Whether the catalog at ts holds `after`'s routes: the whole table, or only the touched rows.
asio::awaitable<bool> holds(const CatalogStore& catalog, const CatalogAfter& after, std::uint64_t ts) {
    if (!after.touched) {
        const std::vector<RouteDescriptor> routes = co_await catalog.routes_at(ts);
        co_return routes == after.routes;
    }
    for (const auto& [id, want] : *after.touched) {
        std::string key = codec::route_key(id);
        std::optional<std::string> value = co_await catalog.store()->get_at(key, ts);
        if (!value || !want) {
            if (value.has_value() != want.has_value()) co_return false;
            continue;
        }
        std::unordered_set<std::uint64_t> seen;
        if (!(decode_route_row(KeyValue{std::move(key), std::move(*value)}, seen) == *want)) co_return false;
    }
    co_return true;
}

}  // namespace

asio::awaitable<bool> commit_plan(const CatalogStore& catalog, MvccStore& store, std::vector<Mutation> mutations,
                                  std::uint64_t read_ts, std::uint64_t min_commit_ts, const CatalogAfter& after,
                                  std::uint64_t* commit_ts) {
    const std::uint64_t ts = co_await choose_commit_ts(store, min_commit_ts);
    std::exception_ptr unknown;
    try {
        const std::uint64_t committed = co_await store.apply(std::move(mutations), read_ts, ts);
        if (commit_ts) *commit_ts = committed;
        co_return true;
    } catch (const boost::system::system_error& e) {
        if (e.code() == errc::write_conflict) co_return false;
        if (e.code() != errc::commit_outcome_unknown) throw;
        unknown = std::current_exception();
    }
    std::optional<bool> landed;
    std::uint64_t landed_at = 0;
    try {
        const std::uint64_t now = co_await store.last_commit_ts();
        if (now > read_ts && co_await catalog.version_at(now) >= after.version) {
            landed_at = co_await first_ts_reaching(catalog, after.version, read_ts, now);
            const std::uint64_t version = co_await catalog.version_at(landed_at);
            landed = version == after.version;
            if (*landed) landed = co_await holds(catalog, after, landed_at);
        } else {
            landed = false;  // the catalog never got past the version this commit built on
        }
    } catch (const boost::system::system_error&) {
    }
    if (!landed) std::rethrow_exception(unknown);
    if (*landed && commit_ts) *commit_ts = landed_at;
    co_return *landed;
}


}  // namespace routecat
