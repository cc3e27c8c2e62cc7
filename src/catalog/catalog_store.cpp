#include "routecat/catalog/catalog_store.hpp"

#include "catalog/commit_plan.hpp"

#include "routecat/codec.hpp"
#include "routecat/error.hpp"
#include "routecat/key_text.hpp"

#include <algorithm>
#include <optional>
#include <limits>
#include <unordered_set>

namespace routecat {

namespace asio = boost::asio;

RouteDescriptor decode_route_row(const KeyValue& row, std::unordered_set<std::uint64_t>& seen) {
    auto id = codec::route_id_from_key(row.key);
    if (!id) throw_error(errc::catalog_invalid_route_key, "route key " + key_to_text(row.key));
    std::string context;
    auto route = codec::decode_route_descriptor(row.value, &context);
    if (!route) {
        std::string where = "route key " + key_to_text(row.key);
        throw_error(route.error(), context.empty() ? where : where + ": " + context);
    }
    if (route->route_id != *id)
        throw_error(errc::catalog_route_key_id_mismatch,
                    "key id " + std::to_string(*id) + ", record id " + std::to_string(route->route_id));
    if (!seen.insert(route->route_id).second) throw_error(errc::catalog_duplicate_route_id);
    return std::move(*route);
}

namespace {

std::uint64_t decode_version_value(const std::string& value) {
    std::string context;
    return value_or_throw(codec::decode_version(value, &context), context);
}

std::uint64_t decode_next_route_id_value(const std::string& value) {
    std::string context;
    return value_or_throw(codec::decode_next_route_id(value, &context), context);
}

std::uint64_t decode_floor_value(const std::string& value) {
    std::string context;
    return value_or_throw(codec::decode_delta_floor(value, &context), context);
}


// The reads of one catalog operation at one ts. On a round-trip store every catalog key comes from
// one scan_latest() and is decoded when asked; on the others each part is read from the store when
// asked, so the calls and their order are the spec's. Either way errors surface at the same step.
class CatalogRead {
public:
    // recent: the read may be older than the current watermark (MvccStore::scan_recent), for a
    // transaction whose commit proves it was still current.
    static asio::awaitable<CatalogRead> begin(const CatalogStore& catalog, MvccStore& store, bool recent = false) {
        CatalogRead read(catalog);
        if (!store.round_trip_per_call()) {
            read.ts_ = co_await store.last_commit_ts();
            co_return read;
        }
        // The meta keys and the routes ("!dist|meta|" sorts right before "!dist|route|"): not the
        // delta log ("!dist|delta|"), however long it is.
        std::string start(codec::kMetaPrefix);
        std::optional<std::string> end = codec::prefix_scan_end(codec::kRoutePrefix);
        RangeRead range;  // (not ?: over two co_awaits: g++ 12 destroys the result before it is used)
        if (recent) range = co_await store.scan_recent(std::move(start), std::move(end));
        else range = co_await store.scan_latest(std::move(start), std::move(end));
        read.ts_ = range.ts;
        read.maybe_stale_ = range.maybe_stale;
        read.prefetched_ = true;
        for (auto& row : range.pairs) {
            if (row.key == codec::kVersionKey) read.version_value_ = std::move(row.value);
            else if (row.key == codec::kNextRouteIdKey) read.next_value_ = std::move(row.value);
            else if (row.key == codec::kDeltaFloorKey) read.floor_value_ = std::move(row.value);
            else if (codec::is_route_key(row.key)) read.route_rows_.push_back(std::move(row));
        }
        co_return read;
    }

    std::uint64_t ts() const noexcept { return ts_; }
    bool maybe_stale() const noexcept { return maybe_stale_; }

    asio::awaitable<std::uint64_t> version() const {
        if (!prefetched_) co_return co_await catalog_->version_at(ts_);
        co_return version_value_ ? decode_version_value(*version_value_) : 0;
    }

    asio::awaitable<std::vector<RouteDescriptor>> routes() const {
        if (!prefetched_) co_return co_await catalog_->routes_at(ts_);
        std::vector<RouteDescriptor> routes;
        routes.reserve(route_rows_.size());
        std::unordered_set<std::uint64_t> seen;
        for (const auto& row : route_rows_) routes.push_back(decode_route_row(row, seen));
        std::sort(routes.begin(), routes.end(), catalog_order_less);
        co_return routes;
    }

    asio::awaitable<std::uint64_t> stored_next_route_id() const {
        if (!prefetched_) co_return co_await catalog_->stored_next_route_id_at(ts_);
        co_return next_value_ ? decode_next_route_id_value(*next_value_) : 0;
    }

    // [H] The stored delta floor, 0 when unset.
    asio::awaitable<std::uint64_t> stored_floor() const {
        if (!prefetched_) co_return co_await catalog_->stored_floor_at(ts_);
        co_return floor_value_ ? decode_floor_value(*floor_value_) : 0;
    }

    // §6.2 NextRouteIDAt: the stored counter as stored, else the floor of the routes.
    asio::awaitable<std::uint64_t> next_route_id() const {
        const std::uint64_t stored = co_await stored_next_route_id();
        if (stored != 0) co_return stored;
        co_return value_or_throw(next_route_id_floor(co_await routes()));
    }

private:
    explicit CatalogRead(const CatalogStore& catalog) : catalog_(&catalog) {}

    const CatalogStore* catalog_;
    std::uint64_t ts_ = 0;
    bool prefetched_ = false;
    bool maybe_stale_ = false;
    std::optional<std::string> version_value_;
    std::optional<std::string> next_value_;
    std::optional<std::string> floor_value_;
    std::vector<KeyValue> route_rows_;
};

}  // namespace

asio::awaitable<CatalogStore::VersionRead> CatalogStore::latest_version() const {
    auto op = [this] { return latest_version_once(); };
    co_return co_await reread_if_compacted(std::move(op));
}

asio::awaitable<CatalogSnapshot> CatalogStore::snapshot() const {
    auto op = [this] { return snapshot_once(); };
    co_return co_await reread_if_compacted(std::move(op));
}

asio::awaitable<std::uint64_t> CatalogStore::next_route_id() const {
    auto op = [this] { return next_route_id_once(); };
    co_return co_await reread_if_compacted(std::move(op));
}

asio::awaitable<CatalogSnapshot> CatalogStore::save(std::uint64_t expected_version,
                                                    std::vector<RouteDescriptor> routes) const {
    auto op = [this, expected_version, &routes] { return save_once(expected_version, routes); };
    co_return co_await reread_if_compacted(std::move(op));
}

asio::awaitable<CatalogChangeSet> CatalogStore::changes_since(std::uint64_t after, std::int64_t limit) const {
    auto op = [this, after, limit] { return changes_since_once(after, limit); };
    co_return co_await reread_if_compacted(std::move(op));
}

asio::awaitable<std::uint64_t> CatalogStore::delta_floor() const {
    auto op = [this] { return delta_floor_once(); };
    co_return co_await reread_if_compacted(std::move(op));
}

CatalogStore::CatalogStore(std::shared_ptr<MvccStore> store, CatalogStoreOptions options) noexcept
    : store_(std::move(store)), options_(options) {}

MvccStore& CatalogStore::checked_store() const {
    if (!store_) throw_error(errc::catalog_store_required);
    return *store_;
}

asio::awaitable<std::uint64_t> CatalogStore::version_at(std::uint64_t ts) const {
    auto value = co_await checked_store().get_at(std::string(codec::kVersionKey), ts);
    co_return value ? decode_version_value(*value) : 0;
}

asio::awaitable<std::uint64_t> CatalogStore::stored_floor_at(std::uint64_t ts) const {
    auto value = co_await checked_store().get_at(std::string(codec::kDeltaFloorKey), ts);
    co_return value ? decode_floor_value(*value) : 0;
}

asio::awaitable<std::uint64_t> CatalogStore::stored_next_route_id_at(std::uint64_t ts) const {
    auto value = co_await checked_store().get_at(std::string(codec::kNextRouteIdKey), ts);
    co_return value ? decode_next_route_id_value(*value) : 0;
}


asio::awaitable<std::vector<RouteDescriptor>> CatalogStore::routes_at(std::uint64_t ts) const {
    MvccStore& store = checked_store();
    const std::string upper = *codec::prefix_scan_end(codec::kRoutePrefix);
    // A round-trip store pages internally; the spec's 256-row pages would cost a request each.
    const std::size_t page_size = store.round_trip_per_call() ? std::numeric_limits<std::size_t>::max() : kScanPageSize;
    std::vector<RouteDescriptor> routes;
    std::unordered_set<std::uint64_t> seen;

    std::string cursor(codec::kRoutePrefix);
    for (;;) {
        auto page = co_await store.scan_at(cursor, upper, page_size, ts);
        for (auto& row : page) {
            if (!codec::is_route_key(row.key)) co_return routes;  // cannot happen below the upper bound
            routes.push_back(decode_route_row(row, seen));
        }
        if (page.size() < page_size) break;
        cursor = page.back().key;
        cursor.push_back('\0');
        if (cursor >= upper) break;
    }
    std::sort(routes.begin(), routes.end(), catalog_order_less);
    co_return routes;
}

asio::awaitable<CatalogStore::VersionRead> CatalogStore::latest_version_once() const {
    MvccStore& store = checked_store();
    VersionRead read;
    if (!store.round_trip_per_call()) {
        read.ts = co_await store.last_commit_ts();
        read.version = co_await version_at(read.ts);
        co_return read;
    }
    std::string key(codec::kVersionKey);
    std::string end = key + '\0';
    RangeRead range = co_await store.scan_latest(std::move(key), std::move(end));
    read.ts = range.ts;
    if (!range.pairs.empty()) read.version = decode_version_value(range.pairs.front().value);
    co_return read;
}

asio::awaitable<CatalogSnapshot> CatalogStore::snapshot_once() const {
    const CatalogRead read = co_await CatalogRead::begin(*this, checked_store());
    CatalogSnapshot snap;
    snap.version = co_await read.version();
    snap.routes = co_await read.routes();
    snap.read_ts = read.ts();
    co_return snap;
}

asio::awaitable<std::uint64_t> CatalogStore::version() const {
    co_return (co_await latest_version()).version;
}

asio::awaitable<std::uint64_t> CatalogStore::next_route_id_once() const {
    const CatalogRead read = co_await CatalogRead::begin(*this, checked_store());
    co_return co_await read.next_route_id();
}

asio::awaitable<std::uint64_t> CatalogStore::next_route_id_at(std::uint64_t ts) const {
    const std::uint64_t stored = co_await stored_next_route_id_at(ts);
    if (stored != 0) co_return stored;  // as stored, not compared with the routes (§16.14)
    co_return value_or_throw(next_route_id_floor(co_await routes_at(ts)));
}

asio::awaitable<CatalogSnapshot> CatalogStore::save_once(std::uint64_t expected_version,
                                                         std::vector<RouteDescriptor> routes) const {
    MvccStore& store = checked_store();
    std::vector<RouteDescriptor> desired = value_or_throw(normalize_routes(std::move(routes)));  // step 1

    // A round-trip store may first offer a read it has at hand: a commit on it proves it was current
    // (every catalog write writes the version key, which the commit's conflict check covers), so the
    // outcome is the spec's. If it was stale, the Save runs again on a current read.
    std::optional<std::uint64_t> version = co_await save_on(store, expected_version, desired, true);
    if (!version) version = co_await save_on(store, expected_version, desired, false);
    co_return CatalogSnapshot{*version, std::move(desired), 0};  // step 10
}

// Steps 2-9 of Save on one read; the new version, or nothing when a recent (maybe stale) read proved
// stale: a version other than the expected one, or a conflict.
asio::awaitable<std::optional<std::uint64_t>> CatalogStore::save_on(MvccStore& store, std::uint64_t expected_version,
                                                                   const std::vector<RouteDescriptor>& desired,
                                                                   bool recent) const {
    const CatalogRead read = co_await CatalogRead::begin(*this, store, recent);  // step 2
    const std::uint64_t durable = co_await read.version();
    std::string context;
    const auto version = plan_write_version(expected_version, durable, read.ts(), &context);  // steps 3-5
    if (!version && version.error() == errc::catalog_version_mismatch && read.maybe_stale()) co_return std::nullopt;
    if (!version) throw_error(version.error(), context);

    const std::vector<RouteDescriptor> existing = co_await read.routes();  // step 6
    const std::uint64_t stored_next = co_await read.stored_next_route_id();
    std::optional<DeltaLogRead> log;
    if (options_.delta_log) {
        const std::uint64_t floor = co_await read.stored_floor();
        log = DeltaLogRead{durable, floor, options_.delta_retention};
    }
    SavePlan plan = value_or_throw(plan_save(existing, desired, stored_next, *version, log));  // steps 6-7

    CatalogAfter after;
    after.version = version->version;
    after.routes = desired;
    std::sort(after.routes.begin(), after.routes.end(), catalog_order_less);
    if (co_await commit_plan(*this, store, std::move(plan.mutations), read.ts(), version->min_commit_ts, after))  // steps 8-9
        co_return version->version;
    if (read.maybe_stale()) co_return std::nullopt;
    throw_error(errc::catalog_version_mismatch, "concurrent commit");
}

asio::awaitable<CatalogChangeSet> CatalogStore::changes_since_once(std::uint64_t after, std::int64_t limit) const {
    MvccStore& store = checked_store();
    if (limit <= 0) throw_error(errc::catalog_delta_limit_invalid, "limit " + std::to_string(limit));
    const auto count = std::min<std::uint64_t>(static_cast<std::uint64_t>(limit), kMaxCatalogDeltaBatchSize);

    // The version and the floor at one ts: on a round-trip store one read of the meta keys only, so
    // a sync that follows deltas never reads the routes.
    std::uint64_t ts = 0, current = 0, floor = 0;
    if (store.round_trip_per_call()) {
        std::string start(codec::kMetaPrefix);
        std::optional<std::string> end = codec::prefix_scan_end(codec::kMetaPrefix);
        RangeRead meta = co_await store.scan_latest(std::move(start), std::move(end));
        ts = meta.ts;
        for (const auto& row : meta.pairs) {
            if (row.key == codec::kVersionKey) current = decode_version_value(row.value);
            else if (row.key == codec::kDeltaFloorKey) floor = decode_floor_value(row.value);
        }
    } else {
        ts = co_await store.last_commit_ts();
        current = co_await version_at(ts);
    }
    if (!store.round_trip_per_call()) floor = co_await stored_floor_at(ts);
    CatalogChangeSet changes;
    changes.version = current;
    changes.floor = floor;
    if (after > current)
        throw_error(errc::catalog_delta_version_future,
                    "after " + std::to_string(after) + ", catalog version " + std::to_string(current));
    if (after == current) co_return changes;
    if (floor > current)
        throw_error(errc::catalog_invalid_delta_record,
                    "delta floor " + std::to_string(floor) + " exceeds catalog version " + std::to_string(current));
    if (floor == 0 || after + 1 < floor) {
        CatalogSnapshot snap;
        snap.version = current;
        snap.routes = co_await routes_at(ts);
        snap.read_ts = ts;
        changes.reset = std::move(snap);
        co_return changes;
    }

    const std::uint64_t last = current - after <= count ? current : after + count;
    std::optional<std::string> end;
    if (last < std::numeric_limits<std::uint64_t>::max()) end = codec::delta_key(last + 1);
    const auto rows = co_await store.scan_at(codec::delta_key(after + 1), std::move(end), last - after, ts);
    std::size_t next_row = 0;
    for (std::uint64_t v = after + 1; v <= last; ++v) {
        if (next_row == rows.size() || codec::delta_version_from_key(rows[next_row].key) != v)
            throw_error(errc::catalog_delta_version_gap, "missing version " + std::to_string(v));
        std::string context;
        CatalogDelta delta = value_or_throw(codec::decode_delta(rows[next_row++].value, &context), context);
        if (delta.previous_version != v - 1 || delta.version != v)
            throw_error(errc::catalog_delta_version_gap, "version " + std::to_string(v) + " holds delta " +
                                                             std::to_string(delta.previous_version) + " -> " +
                                                             std::to_string(delta.version));
        changes.deltas.push_back(std::move(delta));
    }
    co_return changes;
}

asio::awaitable<std::uint64_t> CatalogStore::delta_floor_once() const {
    MvccStore& store = checked_store();
    const std::uint64_t ts = co_await store.last_commit_ts();
    co_return co_await stored_floor_at(ts);
}

}  // namespace routecat
