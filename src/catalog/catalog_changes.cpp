// CatalogStore::apply_changes and the split built on it: a catalog write that reads and writes only
// the routes it names, so its cost follows the change, not the catalog (issue 13).

#include "routecat/catalog/catalog_store.hpp"

#include "catalog/commit_plan.hpp"

#include "routecat/catalog/catalog_plan.hpp"
#include "routecat/catalog/changes_check.hpp"
#include "routecat/codec.hpp"
#include "routecat/error.hpp"

#include <algorithm>
#include <map>
#include <unordered_set>

namespace routecat {

namespace asio = boost::asio;

namespace {

template <class T>
T decoded(boost::system::result<T> (*decode)(std::string_view, std::string*), const std::string& value) {
    std::string context;
    return value_or_throw(decode(value, &context), context);
}

// What a targeted write reads, all at one ts: the meta keys first, then route rows by id as asked.
class ChangesRead {
public:
    static asio::awaitable<ChangesRead> begin(const CatalogStore& catalog, MvccStore& store) {
        ChangesRead read(catalog, store);
        if (store.round_trip_per_call()) {
            // One request for the ts and every meta key (not the routes, not the delta log).
            std::string start(codec::kMetaPrefix);
            std::optional<std::string> end = codec::prefix_scan_end(codec::kMetaPrefix);
            RangeRead meta = co_await store.scan_latest(std::move(start), std::move(end));
            read.ts_ = meta.ts;
            for (const auto& row : meta.pairs) {
                if (row.key == codec::kVersionKey) read.version_ = decoded(&codec::decode_version, row.value);
                else if (row.key == codec::kNextRouteIdKey) read.stored_next_ = decoded(&codec::decode_next_route_id, row.value);
                else if (row.key == codec::kDeltaFloorKey) read.floor_ = decoded(&codec::decode_delta_floor, row.value);
            }
            co_return read;
        }
        read.ts_ = co_await store.last_commit_ts();
        read.version_ = co_await catalog.version_at(read.ts_);
        read.stored_next_ = co_await catalog.stored_next_route_id_at(read.ts_);
        if (catalog.options().delta_log) read.floor_ = co_await catalog.stored_floor_at(read.ts_);
        co_return read;
    }

    std::uint64_t ts() const noexcept { return ts_; }
    std::uint64_t version() const noexcept { return version_; }
    std::uint64_t stored_next() const noexcept { return stored_next_; }
    std::uint64_t floor() const noexcept { return floor_; }
    bool read_everything() const noexcept { return all_.has_value(); }

    // The stored route with this id, if any: one get, none when a read already answers it.
    asio::awaitable<std::optional<RouteDescriptor>> route(std::uint64_t id) {
        if (auto it = rows_.find(id); it != rows_.end()) co_return it->second;
        std::optional<RouteDescriptor> found;
        if (all_) {
            for (const auto& r : *all_)
                if (r.route_id == id) found = r;
        } else if (!(ids_below_counter_ && id >= stored_next_)) {
            std::string key = codec::route_key(id);
            std::optional<std::string> value = co_await store_->get_at(key, ts_);
            std::unordered_set<std::uint64_t> seen;
            if (value) found = decode_route_row(KeyValue{std::move(key), std::move(*value)}, seen);
        }
        rows_.emplace(id, found);
        co_return found;
    }

    // Reads every stored route (catalog order), once; all_routes() then holds them.
    asio::awaitable<void> read_all() {
        if (!all_) all_ = co_await catalog_->routes_at(ts_);
    }
    const std::vector<RouteDescriptor>& all_routes() const { return *all_; }

    // §6.3's next route id as Save computes it, max(stored counter, floor of the routes): the
    // counter alone when it is set and no stored id reaches it (one scan of at most one row, which
    // finds none: §6.4 holds for every catalog routecat wrote), else with a full read.
    asio::awaitable<std::uint64_t> next_route_id() {
        if (!all_ && stored_next_ != 0) {
            std::optional<std::string> end = codec::prefix_scan_end(codec::kRoutePrefix);
            const auto above = co_await store_->scan_at(codec::route_key(stored_next_), std::move(end), 1, ts_);
            ids_below_counter_ = above.empty();
            if (ids_below_counter_) co_return stored_next_;
        }
        co_await read_all();
        co_return std::max(stored_next_, value_or_throw(next_route_id_floor(*all_)));
    }

private:
    ChangesRead(const CatalogStore& catalog, MvccStore& store) : catalog_(&catalog), store_(&store) {}

    const CatalogStore* catalog_;
    MvccStore* store_;
    std::uint64_t ts_ = 0;
    std::uint64_t version_ = 0;
    std::uint64_t stored_next_ = 0;  // 0 = unset
    std::uint64_t floor_ = 0;        // 0 = unset
    bool ids_below_counter_ = false;  // no stored id >= stored_next_
    std::map<std::uint64_t, std::optional<RouteDescriptor>> rows_;
    std::optional<std::vector<RouteDescriptor>> all_;
};

// The part apply_changes and split share once the version is checked: read the named routes,
// check, plan and commit. check_on: whether the result must pass the whole-table check (the split
// needs none: its children tile the parent), on `table` when it stands for the read catalog.
asio::awaitable<ChangesResult> commit_changes(const CatalogStore& catalog, MvccStore& store, ChangesRead& read,
                                              const WriteVersion& version, std::uint64_t next_route_id,
                                              CatalogChanges changes, bool check_on,
                                              std::shared_ptr<const RouteTable> table) {
    std::vector<RouteDescriptor> touched;
    for (std::uint64_t id : changes.deletes) {
        std::optional<RouteDescriptor> stored = co_await read.route(id);
        if (!stored) throw_error(errc::unknown_route, "route id " + std::to_string(id));
        touched.push_back(std::move(*stored));
    }
    for (const auto& r : changes.upserts) {
        std::optional<RouteDescriptor> stored = co_await read.route(r.route_id);
        if (stored) touched.push_back(std::move(*stored));
    }

    if (check_on) {
        std::optional<boost::system::error_code> checked;
        if (table && table->version() == version.version - 1 && !read.read_everything())
            checked = check_changes_on_table(*table, touched, changes);
        if (!checked) {
            co_await read.read_all();
            checked = check_changes_on_routes(read.all_routes(), changes);
        }
        if (*checked) throw_error(*checked);
    }

    std::optional<DeltaLogRead> log;
    if (catalog.options().delta_log) log = DeltaLogRead{read.version(), read.floor(), catalog.options().delta_retention};
    SavePlan plan = value_or_throw(plan_changes(touched, changes.upserts, changes.deletes, next_route_id, version, log));

    CatalogAfter after;
    after.version = version.version;
    after.touched.emplace();
    for (std::uint64_t id : changes.deletes) after.touched->emplace_back(id, std::nullopt);
    for (const auto& r : changes.upserts) after.touched->emplace_back(r.route_id, r);
    ChangesResult result;
    if (!co_await commit_plan(catalog, store, std::move(plan.mutations), read.ts(), version.min_commit_ts, after,
                              &result.commit_ts))
        throw_error(errc::catalog_version_mismatch, "concurrent commit");
    result.version = version.version;
    result.upserted = std::move(changes.upserts);
    result.deleted = std::move(changes.deletes);
    result.delta = std::move(*plan.delta);
    co_return result;
}

}  // namespace

asio::awaitable<ChangesResult> CatalogStore::apply_changes(std::uint64_t expected_version,
                                                           std::vector<RouteDescriptor> upserts,
                                                           std::vector<std::uint64_t> deletes,
                                                           std::shared_ptr<const RouteTable> table) const {
    auto op = [this, expected_version, &upserts, &deletes, &table] {
        return apply_changes_once(expected_version, upserts, deletes, table);
    };
    co_return co_await reread_if_compacted(std::move(op));
}

asio::awaitable<SplitResult> CatalogStore::split(std::uint64_t expected_version, std::uint64_t route_id,
                                                 std::string split_key) const {
    auto op = [this, expected_version, route_id, &split_key] { return split_once(expected_version, route_id, split_key); };
    co_return co_await reread_if_compacted(std::move(op));
}

asio::awaitable<ChangesResult> CatalogStore::apply_changes_once(std::uint64_t expected_version,
                                                                std::vector<RouteDescriptor> upserts,
                                                                std::vector<std::uint64_t> deletes,
                                                                std::shared_ptr<const RouteTable> table) const {
    MvccStore& store = checked_store();
    std::string context;
    CatalogChanges changes = value_or_throw(normalize_changes(std::move(upserts), std::move(deletes), &context), context);
    ChangesRead read = co_await ChangesRead::begin(*this, store);
    const auto version = plan_write_version(expected_version, read.version(), read.ts(), &context);
    if (!version) throw_error(version.error(), context);
    const std::uint64_t next = co_await read.next_route_id();
    co_return co_await commit_changes(*this, store, read, *version, next, std::move(changes), true, std::move(table));
}

asio::awaitable<SplitResult> CatalogStore::split_once(std::uint64_t expected_version, std::uint64_t route_id,
                                                      std::string split_key) const {
    MvccStore& store = checked_store();

    // Step 2 on the targeted read: the catalog as far as steps 2-5 look at it, i.e. the version, the
    // parent and, for the child ids, the floor of the routes (every route only when the counter
    // does not already bound them).
    ChangesRead read = co_await ChangesRead::begin(*this, store);
    CatalogSnapshot snap;
    snap.version = read.version();
    snap.read_ts = read.ts();
    if (read.version() == expected_version) {
        // Either every route is read, or none reaches the counter and the parent alone leaves
        // plan_split's max(counter, floor of the routes) at the counter.
        co_await read.next_route_id();
        if (read.read_everything()) snap.routes = read.all_routes();
        else if (auto parent = co_await read.route(route_id)) snap.routes.push_back(std::move(*parent));
    }
    std::string context;
    const auto parent = split_parent(snap, expected_version, route_id, split_key, &context);  // steps 2-4
    if (!parent) throw_error(parent.error(), context);
    auto plan = plan_split(snap, *parent, split_key, read.stored_next(), expected_version, &context);  // steps 5-7
    if (!plan) throw_error(plan.error(), context);

    CatalogChanges changes{{plan->left, plan->right}, {parent->route_id}};
    const WriteVersion version{plan->version, plan->min_commit_ts};
    ChangesResult changed;
    bool conflict = false;
    try {
        changed = co_await commit_changes(*this, store, read, version, plan->right.route_id + 1, std::move(changes),
                                          false, nullptr);
    } catch (const boost::system::system_error& e) {
        if (e.code() != errc::catalog_version_mismatch) throw;
        conflict = true;
    }
    if (conflict) throw_error(errc::catalog_version_mismatch, "catalog version conflict: concurrent commit");
    co_return SplitResult{changed.version, std::move(plan->left), std::move(plan->right), changed.commit_ts};
}

}  // namespace routecat
