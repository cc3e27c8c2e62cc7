#include "routecat/catalog/ensure_catalog_snapshot.hpp"

#include "routecat/error.hpp"

namespace routecat {

boost::asio::awaitable<CatalogSnapshot> ensure_catalog_snapshot(CatalogStore catalog, std::shared_ptr<Engine> engine) {
    if (!catalog.store()) throw_error(errc::catalog_store_required);
    if (!engine) throw_error(errc::engine_required);

    CatalogSnapshot snap = co_await catalog.snapshot();
    if (snap.version == 0 && snap.routes.empty()) {
        std::vector<RouteDescriptor> seeds;
        std::uint64_t id = 0;
        for (auto& r : engine->stats())
            seeds.push_back(RouteDescriptor{++id, std::move(r.start), std::move(r.end), r.group_id, r.state, 0});
        snap = co_await catalog.save(0, std::move(seeds));
    }
    std::string context;
    if (auto ec = engine->apply_snapshot(snap, &context)) throw_error(ec, context);
    co_return snap;
}

}  // namespace routecat
