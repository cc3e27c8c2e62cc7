#include "routecat/catalog/changes_check.hpp"

#include "routecat/catalog/catalog_plan.hpp"
#include "routecat/engine.hpp"
#include "routecat/error.hpp"

#include <algorithm>
#include <unordered_set>

namespace routecat {

namespace {

RouteDescriptor descriptor_at(const RouteTable& table, std::size_t i) {
    RouteDescriptor r;
    r.route_id = table.route_id(i);
    r.start = std::string(table.start(i));
    if (auto end = table.end(i)) r.end = std::string(*end);
    r.group_id = table.group_id(i);
    r.state = table.state(i);
    return r;
}

bool same_range(const RouteTable& table, std::size_t i, const RouteDescriptor& r) {
    const auto end = table.end(i);
    return table.start(i) == r.start && end.has_value() == r.end.has_value() && (!end || *end == *r.end);
}

}  // namespace

boost::system::result<CatalogChanges> normalize_changes(std::vector<RouteDescriptor> upserts,
                                                        std::vector<std::uint64_t> deletes, std::string* context) {
    auto normalized = normalize_routes(std::move(upserts));
    if (!normalized) return normalized.error();
    CatalogChanges changes{std::move(*normalized), std::move(deletes)};
    std::sort(changes.deletes.begin(), changes.deletes.end());
    std::unordered_set<std::uint64_t> upserted;
    for (const auto& r : changes.upserts) upserted.insert(r.route_id);
    for (std::size_t i = 0; i < changes.deletes.size(); ++i) {
        const std::uint64_t id = changes.deletes[i];
        const bool twice = i > 0 && changes.deletes[i - 1] == id;
        if (twice || upserted.contains(id)) {
            if (context)
                *context = "route id " + std::to_string(id) + (twice ? " is deleted twice" : " is both upserted and deleted");
            return make_error_code(errc::bad_request);
        }
    }
    return changes;
}

std::optional<boost::system::error_code> check_changes_on_table(const RouteTable& table,
                                                                const std::vector<RouteDescriptor>& touched,
                                                                const CatalogChanges& changes) {
    // The table must show every touched route where the catalog has it.
    std::unordered_set<std::uint64_t> removed;
    for (const auto& r : touched) {
        const auto i = table.floor_index(r.start);
        if (!i || table.route_id(*i) != r.route_id || !same_range(table, *i, r)) return std::nullopt;
        removed.insert(r.route_id);
    }
    std::unordered_set<std::uint64_t> created;
    for (const auto& r : changes.upserts)
        if (!removed.contains(r.route_id)) created.insert(r.route_id);

    // The routes left around each upsert: the nearest kept table route at or before its start and
    // the nearest after it. Every other adjacent pair of the result is a pair of the (valid) table.
    std::vector<std::size_t> neighbours;
    auto keep = [&](std::size_t i) {
        const std::uint64_t id = table.route_id(i);
        if (id == 0 || created.contains(id)) return false;  // not the catalog's table here
        neighbours.push_back(i);
        return true;
    };
    for (const auto& r : changes.upserts) {
        const auto floor = table.floor_index(r.start);
        std::size_t next = 0;
        if (floor) {
            next = *floor + 1;
            for (std::size_t i = *floor + 1; i-- > 0;) {
                if (removed.contains(table.route_id(i))) continue;
                if (!keep(i)) return std::nullopt;
                break;
            }
        }
        for (std::size_t i = next; i < table.size(); ++i) {
            if (removed.contains(table.route_id(i))) continue;
            if (!keep(i)) return std::nullopt;
            break;
        }
    }
    std::sort(neighbours.begin(), neighbours.end());
    neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());

    // Kept routes first, then the upserts, as check_changes_on_routes builds the whole result.
    std::vector<RouteDescriptor> local;
    local.reserve(neighbours.size() + changes.upserts.size());
    for (std::size_t i : neighbours) local.push_back(descriptor_at(table, i));
    local.insert(local.end(), changes.upserts.begin(), changes.upserts.end());
    return check_snapshot_routes(local);
}

boost::system::error_code check_changes_on_routes(const std::vector<RouteDescriptor>& existing,
                                                  const CatalogChanges& changes) {
    std::unordered_set<std::uint64_t> named(changes.deletes.begin(), changes.deletes.end());
    for (const auto& r : changes.upserts) named.insert(r.route_id);
    std::vector<RouteDescriptor> result;
    result.reserve(existing.size() + changes.upserts.size());
    for (const auto& r : existing)
        if (!named.contains(r.route_id)) result.push_back(r);
    result.insert(result.end(), changes.upserts.begin(), changes.upserts.end());
    return check_snapshot_routes(result);
}

}  // namespace routecat
