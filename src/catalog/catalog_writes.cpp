#include "routecat/catalog/catalog_writes.hpp"

#include "routecat/catalog/catalog_plan.hpp"
#include "routecat/error.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>

namespace routecat {

namespace asio = boost::asio;

namespace {

// §10.3 step 8: how often and how far apart the split re-reads the catalog.
constexpr int kSplitRereadAttempts = 20;
constexpr std::chrono::milliseconds kSplitRereadInterval{10};

// Runs a catalog write; a version mismatch becomes the conflict outcome, with the durable version as
// read right after it.
template <class Committed>
asio::awaitable<CatalogWrite<Committed>> attempt(CatalogStore catalog, asio::awaitable<Committed> commit) {
    CatalogWrite<Committed> write;
    std::string mismatch;
    try {
        write.committed = co_await std::move(commit);
        co_return write;
    } catch (const boost::system::system_error& e) {
        if (e.code() != errc::catalog_version_mismatch) throw;
        mismatch = e.what();
    }
    write.conflict = WriteConflict{std::move(mismatch), std::nullopt};
    try {
        write.conflict->current_version = co_await catalog.version();
    } catch (const boost::system::system_error&) {
        // the store went away meanwhile: the conflict stands without the version
    }
    co_return write;
}

// Applies a committed catalog to the engine; why the engine refused it, or empty. A stale error means
// the engine already serves something newer: nothing to do.
std::string apply_committed(Engine& engine, CatalogSnapshot snap) {
    std::string context;
    const auto ec = engine.apply_snapshot(std::move(snap), &context);
    if (!ec || ec == errc::engine_snapshot_version_stale) return {};
    return "apply engine snapshot: " + (context.empty() ? ec.message() : context + ": " + ec.message());
}

// Applies a committed write's delta when the engine serves the version it builds on; false when
// the engine cannot take it that way (at another version, or the delta refused).
bool apply_committed_delta(Engine& engine, const CatalogDelta& delta) {
    return engine.version() == delta.previous_version && !engine.apply_delta(delta);
}

// §10.3 step 8 the spec's way (its message, for a targeted change too): re-read the catalog until it shows `version` (20 reads, 10 ms apart)
// and apply it to the engine; why the engine does not serve it, or empty.
asio::awaitable<std::string> reread_and_apply(const CatalogStore& catalog, Engine& engine, std::uint64_t version) {
    CatalogSnapshot snap;
    for (int read = 0; read < kSplitRereadAttempts; ++read) {
        if (read > 0) {
            asio::steady_timer timer(co_await asio::this_coro::executor);
            timer.expires_after(kSplitRereadInterval);
            co_await timer.async_wait(asio::use_awaitable);
        }
        snap = co_await catalog.snapshot();
        if (snap.version >= version) break;
    }
    if (snap.version < version)
        co_return "apply engine snapshot: catalog split committed but local snapshot is stale: got " +
            std::to_string(snap.version) + ", want at least " + std::to_string(version);
    co_return apply_committed(engine, std::move(snap));
}

}  // namespace

asio::awaitable<CatalogWrite<CatalogSnapshot>> save_and_apply(CatalogStore catalog, std::shared_ptr<Engine> engine,
                                                              std::uint64_t expected_version,
                                                              std::vector<RouteDescriptor> routes) {
    std::vector<RouteDescriptor> table = value_or_throw(normalize_routes(routes));  // the catalog's errors first
    if (auto ec = check_snapshot_routes(table)) throw_error(ec);
    auto save = catalog.save(expected_version, std::move(routes));
    CatalogWrite<CatalogSnapshot> write = co_await attempt(catalog, std::move(save));
    if (write.committed && engine) write.engine_error = apply_committed(*engine, *write.committed);
    co_return write;
}

asio::awaitable<CatalogWrite<SplitResult>> split_and_apply(CatalogStore catalog, std::shared_ptr<Engine> engine,
                                                           std::uint64_t expected_version, std::uint64_t route_id,
                                                           std::string split_key) {
    if (!engine) throw_error(errc::engine_required);
    auto split = catalog.split(expected_version, route_id, std::move(split_key));  // steps 2-7
    CatalogWrite<SplitResult> write = co_await attempt(catalog, std::move(split));
    if (write.conflict) co_return write;

    // Step 8: the split's delta, as §11.3 logs it, moves the engine from expected_version on.
    const SplitResult& split_result = *write.committed;
    CatalogDelta delta;
    delta.previous_version = expected_version;
    delta.version = split_result.version;
    delta.mutations.push_back(CatalogRouteMutation{CatalogMutationOp::del, split_result.left.parent_route_id, std::nullopt});
    for (const RouteDescriptor* child : {&split_result.left, &split_result.right})
        delta.mutations.push_back(CatalogRouteMutation{CatalogMutationOp::upsert, child->route_id, *child});
    if (!apply_committed_delta(*engine, delta))
        write.engine_error = co_await reread_and_apply(catalog, *engine, split_result.version);
    co_return write;
}

asio::awaitable<CatalogWrite<ChangesResult>> changes_and_apply(CatalogStore catalog, std::shared_ptr<Engine> engine,
                                                               std::uint64_t expected_version,
                                                               std::vector<RouteDescriptor> upserts,
                                                               std::vector<std::uint64_t> deletes) {
    std::shared_ptr<const RouteTable> table;
    if (engine) table = engine->table();
    auto changes = catalog.apply_changes(expected_version, std::move(upserts), std::move(deletes), std::move(table));
    CatalogWrite<ChangesResult> write = co_await attempt(catalog, std::move(changes));
    if (write.committed && engine && !apply_committed_delta(*engine, write.committed->delta))
        write.engine_error = co_await reread_and_apply(catalog, *engine, write.committed->version);
    co_return write;
}

asio::awaitable<std::uint64_t> apply_durable_snapshot(CatalogStore catalog, std::shared_ptr<Engine> engine,
                                                      CatalogSnapshot snapshot) {
    if (!engine) throw_error(errc::engine_required);
    const CatalogSnapshot durable = co_await catalog.snapshot();
    const std::string versions =
        "snapshot version " + std::to_string(snapshot.version) + ", durable catalog version " + std::to_string(durable.version);
    if (snapshot.version > durable.version) throw_error(errc::engine_snapshot_ahead_of_catalog, versions);
    if (snapshot.version < durable.version) throw_error(errc::engine_snapshot_version_stale, versions);
    std::vector<RouteDescriptor> pushed = snapshot.routes;
    std::sort(pushed.begin(), pushed.end(), catalog_order_less);  // durable routes are in catalog order
    if (pushed != durable.routes) throw_error(errc::engine_snapshot_mismatch, versions);

    std::string context;
    if (auto ec = engine->apply_snapshot(std::move(snapshot), &context)) throw_error(ec, context);
    co_return engine->version();
}

}  // namespace routecat
