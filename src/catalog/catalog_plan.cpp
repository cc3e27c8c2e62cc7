#include "routecat/catalog/catalog_plan.hpp"

#include "routecat/codec.hpp"
#include "routecat/error.hpp"
#include "routecat/key_text.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <unordered_set>

namespace routecat {

namespace {

constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

boost::system::error_code fail(errc code, std::string* context, std::string text = {}) {
    if (context) *context = std::move(text);
    return code;
}

Mutation put_route(const RouteDescriptor& r) {
    // Routes reaching a plan are valid (normalised, or derived from a valid parent): encoding cannot fail.
    return Mutation::put(codec::route_key(r.route_id), codec::encode_route_descriptor(r).value());
}

Mutation put_version(std::uint64_t version) {
    return Mutation::put(std::string(codec::kVersionKey), codec::encode_version(version));
}

Mutation put_next_route_id(std::uint64_t next) {
    return Mutation::put(std::string(codec::kNextRouteIdKey), codec::encode_next_route_id(next));
}

// What separates `existing` from `desired`, each in its list's order: the existing routes whose id is
// not desired, and the desired routes that are new or differ (§2.2 equality) from the existing one.
struct RouteDiff {
    std::vector<const RouteDescriptor*> dropped;
    std::vector<const RouteDescriptor*> changed;
};

RouteDiff diff_routes(const std::vector<RouteDescriptor>& existing, const std::vector<RouteDescriptor>& desired) {
    std::unordered_map<std::uint64_t, const RouteDescriptor*> existing_by_id;
    existing_by_id.reserve(existing.size());
    for (const auto& r : existing) existing_by_id.emplace(r.route_id, &r);
    std::unordered_set<std::uint64_t> desired_ids;
    desired_ids.reserve(desired.size());
    for (const auto& r : desired) desired_ids.insert(r.route_id);

    RouteDiff diff;
    for (const auto& r : existing)
        if (!desired_ids.contains(r.route_id)) diff.dropped.push_back(&r);
    for (const auto& r : desired) {
        auto it = existing_by_id.find(r.route_id);
        if (it == existing_by_id.end() || !(*it->second == r)) diff.changed.push_back(&r);
    }
    return diff;
}

// §11.3's delta for a diff: Deletes and Upserts sorted by route id.
CatalogDelta delta_of(const RouteDiff& diff, std::uint64_t version) {
    CatalogDelta delta;
    delta.previous_version = version - 1;
    delta.version = version;
    for (const RouteDescriptor* r : diff.dropped) {
        CatalogRouteMutation m;
        m.op = CatalogMutationOp::del;
        m.route_id = r->route_id;
        delta.mutations.push_back(std::move(m));
    }
    for (const RouteDescriptor* r : diff.changed) {
        CatalogRouteMutation m;
        m.op = CatalogMutationOp::upsert;
        m.route_id = r->route_id;
        m.route = *r;
        delta.mutations.push_back(std::move(m));
    }
    std::sort(delta.mutations.begin(), delta.mutations.end(),
              [](const CatalogRouteMutation& a, const CatalogRouteMutation& b) { return a.route_id < b.route_id; });
    return delta;
}

// §6.5 step 7 for a diff: deletes, puts of new or changed routes (unchanged rows keep their commit
// ts), [H] the delta log, the version, the next route id.
boost::system::result<SavePlan> plan_diff(const RouteDiff& diff, std::uint64_t next_route_id, const WriteVersion& version,
                                          const std::optional<DeltaLogRead>& log) {
    SavePlan plan;
    plan.next_route_id = next_route_id;
    for (const RouteDescriptor* r : diff.dropped) plan.mutations.push_back(Mutation::del(codec::route_key(r->route_id)));
    for (const RouteDescriptor* r : diff.changed) plan.mutations.push_back(put_route(*r));
    if (log) {
        plan.delta = delta_of(diff, version.version);
        auto delta_log = plan_delta_log(*plan.delta, log->durable_version, log->stored_floor, log->retention);
        if (!delta_log) return delta_log.error();
        for (auto& m : *delta_log) plan.mutations.push_back(std::move(m));
    }
    plan.mutations.push_back(put_version(version.version));
    plan.mutations.push_back(put_next_route_id(plan.next_route_id));
    return plan;
}

}  // namespace

boost::system::result<std::uint64_t> next_route_id_floor(const std::vector<RouteDescriptor>& routes) noexcept {
    std::uint64_t max_id = 0;
    for (const auto& r : routes) max_id = std::max(max_id, r.route_id);
    if (max_id == kMaxU64) return make_error_code(errc::catalog_route_id_overflow);
    return max_id + 1;
}

boost::system::result<std::vector<RouteDescriptor>> normalize_routes(std::vector<RouteDescriptor> routes) {
    std::unordered_set<std::uint64_t> seen;
    seen.reserve(routes.size());
    for (const auto& r : routes) {
        if (auto ec = validate_route(r)) return ec;
        if (!seen.insert(r.route_id).second) return make_error_code(errc::catalog_duplicate_route_id);
    }
    std::sort(routes.begin(), routes.end(), catalog_order_less);
    return routes;
}

boost::system::result<WriteVersion> plan_write_version(std::uint64_t expected_version, std::uint64_t durable_version,
                                                       std::uint64_t read_ts, std::string* context) {
    if (durable_version != expected_version)
        return fail(errc::catalog_version_mismatch, context,
                    "expected version " + std::to_string(expected_version) + ", durable version " +
                        std::to_string(durable_version));
    if (expected_version == kMaxU64) return fail(errc::catalog_version_overflow, context);
    if (read_ts == kMaxU64) return fail(errc::catalog_version_overflow, context, "commit timestamp");
    return WriteVersion{expected_version + 1, read_ts + 1};
}

boost::system::result<SavePlan> plan_save(const std::vector<RouteDescriptor>& existing,
                                          const std::vector<RouteDescriptor>& desired,
                                          std::uint64_t stored_next_route_id, const WriteVersion& version,
                                          const std::optional<DeltaLogRead>& log) {
    const auto existing_floor = next_route_id_floor(existing);
    if (!existing_floor) return existing_floor.error();
    const auto desired_floor = next_route_id_floor(desired);
    if (!desired_floor) return desired_floor.error();

    // The diff is the delta's too: one O(routes) pass per Save, log or not.
    return plan_diff(diff_routes(existing, desired), std::max({stored_next_route_id, *existing_floor, *desired_floor}),
                     version, log);
}

boost::system::result<SavePlan> plan_changes(const std::vector<RouteDescriptor>& touched,
                                             const std::vector<RouteDescriptor>& upserts,
                                             const std::vector<std::uint64_t>& deletes, std::uint64_t next_route_id,
                                             const WriteVersion& version, const std::optional<DeltaLogRead>& log) {
    const auto upserts_floor = next_route_id_floor(upserts);
    if (!upserts_floor) return upserts_floor.error();
    std::unordered_map<std::uint64_t, const RouteDescriptor*> touched_by_id;
    for (const auto& r : touched) touched_by_id.emplace(r.route_id, &r);

    RouteDiff diff;
    for (std::uint64_t id : deletes)
        if (auto it = touched_by_id.find(id); it != touched_by_id.end()) diff.dropped.push_back(it->second);
    std::sort(diff.dropped.begin(), diff.dropped.end(),
              [](const RouteDescriptor* a, const RouteDescriptor* b) { return catalog_order_less(*a, *b); });
    for (const auto& r : upserts) {
        auto it = touched_by_id.find(r.route_id);
        if (it == touched_by_id.end() || !(*it->second == r)) diff.changed.push_back(&r);
    }
    auto plan = plan_diff(diff, std::max(next_route_id, *upserts_floor), version, log);
    if (plan && !plan->delta) plan->delta = delta_of(diff, version.version);  // for the engine, log or not
    return plan;
}

CatalogDelta plan_delta(const std::vector<RouteDescriptor>& existing, const std::vector<RouteDescriptor>& desired,
                        std::uint64_t version) {
    return delta_of(diff_routes(existing, desired), version);
}

boost::system::result<std::vector<Mutation>> plan_delta_log(const CatalogDelta& delta, std::uint64_t durable_version,
                                                            std::uint64_t stored_floor, std::uint64_t retention,
                                                            std::string* context) {
    auto record = codec::encode_delta(delta, context);  // validates
    if (!record) return record.error();
    if (durable_version != delta.previous_version)
        return fail(errc::catalog_delta_base_mismatch, context,
                    "delta follows " + std::to_string(delta.previous_version) + ", durable catalog is at " +
                        std::to_string(durable_version));
    std::uint64_t floor = stored_floor;
    if (floor == 0) floor = delta.previous_version == 0 ? 1 : delta.version;  // a pre-delta catalog starts its log now
    if (retention > 0 && delta.version >= retention) floor = std::max(floor, delta.version - (retention - 1));

    // Guarded (Mutation::guarded): the delta keys and the floor are only ever written by a Save or a
    // split, always together with the version key, whose conflict check serialises every catalog
    // writer, so they need no check of their own. On etcd that spares the look-up of the delta keys'
    // mod revisions (they lie outside the catalog read a Save builds on) and keeps a Save at one
    // request with the log as without it (bench/README.md, "Save with the delta log on vs off").
    std::vector<Mutation> mutations;
    mutations.push_back(Mutation::put(codec::delta_key(delta.version), std::move(*record)).as_guarded());
    mutations.push_back(Mutation::put(std::string(codec::kDeltaFloorKey), codec::encode_delta_floor(floor)).as_guarded());
    if (stored_floor != 0)
        for (std::uint64_t v = stored_floor; v < floor; ++v)
            mutations.push_back(Mutation::del(codec::delta_key(v)).as_guarded());
    return mutations;
}

boost::system::result<RouteDescriptor> split_parent(const CatalogSnapshot& snapshot, std::uint64_t expected_version,
                                                    std::uint64_t route_id, std::string_view split_key,
                                                    std::string* context) {
    if (snapshot.version != expected_version)
        return fail(errc::catalog_version_mismatch, context,
                    "catalog version conflict: expected version " + std::to_string(expected_version) +
                        ", durable version " + std::to_string(snapshot.version));
    const auto parent = std::find_if(snapshot.routes.begin(), snapshot.routes.end(),
                                     [route_id](const RouteDescriptor& r) { return r.route_id == route_id; });
    if (parent == snapshot.routes.end()) return fail(errc::unknown_route, context, "route id " + std::to_string(route_id));
    // The boundaries themselves first, then keys outside the range.
    if (split_key == parent->start || (parent->end && split_key == *parent->end))
        return fail(errc::split_key_at_boundary, context, "split key " + key_to_text(split_key));
    if (split_key < parent->start || (parent->end && split_key > *parent->end))
        return fail(errc::invalid_split_key, context, "split key " + key_to_text(split_key));
    return *parent;
}

boost::system::result<SplitPlan> plan_split(const CatalogSnapshot& snapshot, const RouteDescriptor& parent,
                                            std::string_view split_key, std::uint64_t stored_next_route_id,
                                            std::uint64_t expected_version, std::string* context,
                                            const std::optional<DeltaLogRead>& log) {
    // Step 5: the stored counter or the floor of the routes, whichever is higher (§6.2's
    // NextRouteIDAt falls back to that floor when the counter is unset).
    const auto floor = next_route_id_floor(snapshot.routes);
    if (!floor) return fail(errc::catalog_route_id_overflow, context);
    const std::uint64_t next = std::max(stored_next_route_id, *floor);
    if (next == kMaxU64) return fail(errc::catalog_route_id_overflow, context, "next route id " + std::to_string(next));
    // Step 7's "right = u64 max": the counter written after the children (right + 1) would wrap.
    if (next + 1 == kMaxU64)
        return fail(errc::catalog_route_id_overflow, context, "right route id " + std::to_string(next + 1));

    SplitPlan plan;
    const std::string key(split_key);
    plan.left = RouteDescriptor{next, parent.start, key, parent.group_id, parent.state, parent.route_id};
    plan.right = RouteDescriptor{next + 1, key, parent.end, parent.group_id, parent.state, parent.route_id};

    if (expected_version == kMaxU64) return fail(errc::catalog_version_overflow, context);
    plan.version = expected_version + 1;
    if (snapshot.read_ts == kMaxU64) return fail(errc::catalog_version_overflow, context, "commit timestamp");
    plan.min_commit_ts = snapshot.read_ts + 1;

    plan.mutations.push_back(Mutation::del(codec::route_key(parent.route_id)));
    plan.mutations.push_back(put_route(plan.left));
    plan.mutations.push_back(put_route(plan.right));
    if (log) {
        CatalogDelta delta;
        delta.previous_version = expected_version;
        delta.version = plan.version;
        CatalogRouteMutation removed;
        removed.op = CatalogMutationOp::del;
        removed.route_id = parent.route_id;
        delta.mutations.push_back(std::move(removed));
        for (const RouteDescriptor* child : {&plan.left, &plan.right}) {
            CatalogRouteMutation added;
            added.op = CatalogMutationOp::upsert;
            added.route_id = child->route_id;
            added.route = *child;
            delta.mutations.push_back(std::move(added));
        }
        auto delta_log = plan_delta_log(delta, log->durable_version, log->stored_floor, log->retention, context);
        if (!delta_log) return delta_log.error();
        for (auto& m : *delta_log) plan.mutations.push_back(std::move(m));
    }
    plan.mutations.push_back(put_version(plan.version));
    plan.mutations.push_back(put_next_route_id(plan.right.route_id + 1));
    return plan;
}

}  // namespace routecat
