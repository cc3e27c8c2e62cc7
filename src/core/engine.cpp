#include "routecat/engine.hpp"

#include "keyviz_ring.hpp"
#include "route_id_index.hpp"
#include "route_table_builder.hpp"

#include "routecat/detail/change_notifier.hpp"
#include "routecat/detail/engine_test_hooks.hpp"
#include "routecat/error.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace routecat {

Engine::Engine(EngineOptions options)
    : threshold_(options.hotspot_threshold),
      split_policy_(options.split_policy ? std::move(options.split_policy) : std::make_shared<StartSuccessorSplit>()),
      max_split_key_bytes_(options.max_split_key_bytes), max_access_split_routes_(options.max_access_split_routes),
      on_split_capped_(std::move(options.on_split_capped)),
      table_(std::make_shared<const RouteTable>(0, 0)),
      history_(options.history_depth), version_notifier_(std::make_unique<detail::ChangeNotifier>()),
      id_index_(std::make_unique<detail::RouteIdIndex>()),
      keyviz_options_(options.keyviz),
      keyviz_(options.keyviz.columns > 0 ? std::make_unique<detail::KeyVizRing>(options.keyviz) : nullptr) {}

Engine::~Engine() = default;

boost::asio::awaitable<void> Engine::wait_for_version_above(std::uint64_t after) {
    co_await version_notifier_->wait(after, [this] { return version(); });
}

std::shared_ptr<Engine> Engine::with_threshold(std::uint64_t hotspot_threshold) {
    EngineOptions options;
    options.hotspot_threshold = hotspot_threshold;
    return std::make_shared<Engine>(std::move(options));
}

std::shared_ptr<Engine> Engine::with_default_route(EngineOptions options) {
    auto engine = std::make_shared<Engine>(std::move(options));
    engine->update_route("", std::nullopt, 1);
    engine->history_.record(0, engine->table());
    return engine;
}

std::shared_ptr<const RouteTable> Engine::table() const noexcept { return table_.load(std::memory_order_acquire); }

std::uint64_t Engine::version() const noexcept { return table()->version(); }

std::uint64_t Engine::generation() const noexcept { return table()->generation(); }

void Engine::publish_locked(std::shared_ptr<const RouteTable> table) { table_.store(std::move(table), std::memory_order_release); }

void Engine::publish_version_locked(std::shared_ptr<const RouteTable> table) {
    publish_locked(table);
    history_.record(table->version(), table);
    version_notifier_->notify();  // completions are posted: no waiter runs under the writer lock
}

void Engine::update_route(std::string_view start, std::optional<std::string_view> end, std::uint64_t group_id) {
    std::lock_guard lock(writer_mutex_);
    auto current = table();
    auto next = current->with_route(start, end, group_id, current->generation() + 1);
    id_index_->follow(*current, *next);
    publish_locked(std::move(next));
}

void Engine::update_routes(const std::vector<RouteDescriptor>& routes) {
    std::lock_guard lock(writer_mutex_);
    auto current = table();
    id_index_->invalidate();  // a whole new table
    publish_locked(current->with_routes(routes, current->generation() + 1));
}

std::optional<Route> Engine::get_route(std::string_view key) const {
    auto t = table();
    auto r = t->find_ref(key);
    if (!r) return std::nullopt;
    return r->route();
}

std::vector<Route> Engine::intersecting(std::string_view start, std::optional<std::string_view> end) const {
    auto t = table();
    std::vector<Route> out;
    for (std::size_t i : t->intersecting(start, end)) out.push_back(t->route(i));
    return out;
}

std::vector<Route> Engine::stats() const { return table()->routes(); }

void Engine::record_access(std::string_view key, AccessKind kind) {
    {
        auto t = table();
        auto r = t->find_ref(key);
        if (!r) return;
        if (keyviz_) keyviz_->count(*r, key, kind);
        const std::uint64_t n = r->load().fetch_add(1, std::memory_order_relaxed) + 1;
        if (threshold_ == 0 || n < threshold_) return;
    }
    // Re-check under the writer lock: of N callers that crossed the threshold together, the first
    // splits and the rest find a fresh child below it.
    std::lock_guard lock(writer_mutex_);
    auto t = table();
    auto r = t->find_ref(key);
    if (!r || r->load().load(std::memory_order_relaxed) < threshold_) return;

    auto split_key = split_policy_->split_key(*t, r->index());
    auto end = r->end();
    const bool inside = split_key && r->start() < *split_key && (!end || *split_key < *end);
    if (!inside) {
        r->load().store(0, std::memory_order_relaxed);  // cannot split: do not retry on every access
        return;
    }
    if (max_split_key_bytes_ > 0 && split_key->size() > max_split_key_bytes_) {
        r->load().store(0, std::memory_order_relaxed);
        skip_split_locked("a split key of " + std::to_string(split_key->size()) + " bytes is over the cap of " +
                          std::to_string(max_split_key_bytes_));
        return;
    }
    if (max_access_split_routes_ > 0 && access_split_routes_.load() + 2 > max_access_split_routes_) {
        r->load().store(0, std::memory_order_relaxed);
        skip_split_locked("access splits have created " + std::to_string(access_split_routes_.load()) +
                          " routes, the cap is " + std::to_string(max_access_split_routes_));
        return;
    }
    access_split_routes_ += 2;
    if (keyviz_) keyviz_->drain(*r);  // the children start with fresh counters
    auto next = t->with_split(r->index(), *split_key, t->generation() + 1);
    id_index_->follow(*t, *next);
    publish_locked(std::move(next));
}

void Engine::skip_split_locked(std::string_view reason) {
    // The handler hears of the first skip only: a hot key would otherwise report on every access.
    if (skipped_splits_.fetch_add(1) == 0 && on_split_capped_ && *on_split_capped_) (*on_split_capped_)(reason);
}

std::uint64_t Engine::next_timestamp() noexcept { return timestamp_.fetch_add(1, std::memory_order_relaxed) + 1; }

namespace {

boost::system::error_code stale(std::uint64_t snapshot_version, std::uint64_t current, std::string* context) {
    if (context)
        *context = "snapshot version " + std::to_string(snapshot_version) + " is older than engine catalog version " +
                   std::to_string(current);
    return errc::engine_snapshot_version_stale;
}

// The position of the first route whose id repeats an earlier one, or routes.size() if none.
// Catalog ids are dense in practice, so a bitmap over [0, max id] usually does; otherwise sort.
std::size_t first_duplicate_id(const std::vector<RouteDescriptor>& routes, std::size_t count) {
    std::uint64_t max_id = 0;
    for (std::size_t i = 0; i < count; ++i) max_id = std::max(max_id, routes[i].route_id);
    if (max_id / 64 <= count) {
        std::vector<bool> seen(static_cast<std::size_t>(max_id) + 1);
        for (std::size_t i = 0; i < count; ++i) {
            if (seen[routes[i].route_id]) return i;
            seen[routes[i].route_id] = true;
        }
        return routes.size();
    }
    std::vector<std::uint64_t> ids;
    ids.reserve(count);
    for (std::size_t i = 0; i < count; ++i) ids.push_back(routes[i].route_id);
    std::sort(ids.begin(), ids.end());
    if (std::adjacent_find(ids.begin(), ids.end()) == ids.end()) return routes.size();
    std::unordered_set<std::uint64_t> seen;  // rare: find which one repeats first
    for (std::size_t i = 0;; ++i)
        if (!seen.insert(routes[i].route_id).second) return i;
}

// Stable sort by start only. Catalog snapshots arrive sorted (catalog order begins with start), so
// that is checked first; otherwise (8-byte prefix, index) pairs are sorted, which compares full keys
// only on equal prefixes and never chases a string pointer otherwise, then the routes are permuted.
void sort_by_start(std::vector<RouteDescriptor>& routes) {
    auto by_start = [](const RouteDescriptor& a, const RouteDescriptor& b) { return a.start < b.start; };
    if (std::is_sorted(routes.begin(), routes.end(), by_start)) return;
    std::vector<std::pair<std::uint64_t, std::size_t>> order;
    order.reserve(routes.size());
    for (std::size_t i = 0; i < routes.size(); ++i) order.emplace_back(RouteTable::prefix_of(routes[i].start), i);
    std::sort(order.begin(), order.end(), [&routes](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first < b.first;
        const int c = routes[a.second].start.compare(routes[b.second].start);
        return c != 0 ? c < 0 : a.second < b.second;
    });
    std::vector<RouteDescriptor> sorted;
    sorted.reserve(routes.size());
    for (const auto& [prefix, i] : order) sorted.push_back(std::move(routes[i]));
    routes = std::move(sorted);
}

// §7.8's order check over routes sorted by start.
boost::system::error_code check_route_order(const std::vector<RouteDescriptor>& routes) {
    for (std::size_t i = 1; i < routes.size(); ++i) {
        const auto& prev = routes[i - 1];
        const auto& cur = routes[i];
        if (prev.start >= cur.start || !prev.end) return errc::engine_snapshot_route_order;
        if (*prev.end > cur.start) return errc::engine_snapshot_route_overlap;
    }
    return {};
}

}  // namespace

boost::system::error_code check_snapshot_routes(std::vector<RouteDescriptor>& routes) {
    std::size_t first_invalid = routes.size();
    boost::system::error_code invalid;
    for (std::size_t i = 0; i < routes.size(); ++i) {
        if (auto ec = validate_route(routes[i])) {
            first_invalid = i;
            invalid = ec;
            break;
        }
    }
    // A duplicate before the first invalid route is reported first (input order).
    if (first_duplicate_id(routes, first_invalid) < first_invalid) return errc::engine_snapshot_duplicate_id;
    if (first_invalid != routes.size()) return invalid;

    sort_by_start(routes);
    return check_route_order(routes);
}

boost::system::error_code Engine::apply_snapshot(CatalogSnapshot snapshot, std::string* context) {
    {
        const std::uint64_t current = version();
        if (snapshot.version < current) return stale(snapshot.version, current, context);
        if (snapshot.version == current) return {};  // even when the routes differ or are invalid
    }
    if (auto ec = check_snapshot_routes(snapshot.routes)) return ec;

    std::lock_guard lock(writer_mutex_);
    auto current = table();  // a concurrent apply may have won meanwhile
    if (snapshot.version < current->version()) return stale(snapshot.version, current->version(), context);
    if (snapshot.version == current->version()) return {};
    id_index_->invalidate();
    if (keyviz_) keyviz_->drain_all(*current);  // every route gets fresh counters
    publish_version_locked(RouteTable::from_sorted(snapshot.routes, snapshot.version, current->generation() + 1));
    return {};
}

boost::system::error_code Engine::apply_delta(const CatalogDelta& delta, std::string* context) {
    if (auto ec = validate_delta(delta, context)) return ec;

    std::lock_guard lock(writer_mutex_);
    auto current = table();
    const std::uint64_t cur = current->version();
    if (delta.version < cur) return stale(delta.version, cur, context);
    if (delta.version == cur) return {};
    if (delta.previous_version != cur) {
        if (context)
            *context = "delta " + std::to_string(delta.version) + " follows " + std::to_string(delta.previous_version) +
                       ", engine is at " + std::to_string(cur);
        return errc::engine_delta_version_gap;
    }
    if (current->ephemeral_routes() == 0) return apply_delta_in_place_locked(*current, delta);

    // A table with ephemeral routes (ids 0, unvalidated): the table keyed by route id, as §11.5 builds it (ephemeral id-0 routes share one key; they are
    // dropped when the delta starts the catalog), with each route's load.
    struct Entry {
        RouteDescriptor route;
        std::uint64_t load = 0;
    };
    std::map<std::uint64_t, Entry> by_id;
    for (std::size_t i = 0; i < current->size(); ++i) {
        Route r = current->route(i);
        if (delta.previous_version == 0 && r.route_id == 0) continue;
        by_id[r.route_id] = Entry{RouteDescriptor{r.route_id, std::move(r.start), std::move(r.end), r.group_id, r.state, 0},
                                  r.load};
    }
    for (const auto& m : delta.mutations) {
        if (m.op == CatalogMutationOp::del) {
            by_id.erase(m.route_id);
            continue;
        }
        auto it = by_id.find(m.route_id);
        const std::uint64_t load = it == by_id.end() ? 0 : it->second.load;
        by_id[m.route_id] = Entry{*m.route, load};
    }
    std::vector<RouteDescriptor> routes;
    routes.reserve(by_id.size());
    std::unordered_map<std::uint64_t, std::uint64_t> loads;
    for (auto& [id, entry] : by_id) {
        if (entry.load != 0) loads.emplace(id, entry.load);
        routes.push_back(std::move(entry.route));
    }
    sort_by_start(routes);
    if (auto ec = check_route_order(routes)) return ec;

    auto next = RouteTable::from_sorted(routes, delta.version, current->generation() + 1);
    for (std::size_t i = 0; i < routes.size(); ++i)
        if (auto it = loads.find(routes[i].route_id); it != loads.end()) next->load(i).store(it->second);
    id_index_->invalidate();
    if (keyviz_) keyviz_->drain_all(*current);
    publish_version_locked(std::move(next));
    return {};
}

boost::system::error_code Engine::apply_delta_in_place_locked(const RouteTable& current, const CatalogDelta& delta) {
    // Every id is unique and the table passed §7.8's checks (it came from snapshots and deltas), so
    // a mutation touches the chunk its id lives in and the chunk its new start falls in, and only the
    // neighbours of rebuilt chunks need the order check.
    using Builder = detail::RouteTableBuilder;
    if (!id_index_->valid()) id_index_->rebuild(current);
    Builder::Edit edit(current);
    std::vector<Builder::Row> deleted;  // their open-column counts are drained once the delta applies
    for (const auto& m : delta.mutations) {
        // An upsert keeps the counter of the route it replaces.
        detail::RouteCounters* load = nullptr;
        const detail::LoadCounters* counters = nullptr;
        if (const detail::RouteChunk* chunk = id_index_->chunk_of(m.route_id)) {
            std::vector<Builder::Row>& rows = edit.rows(edit.position_of(chunk));
            const auto it = std::find_if(rows.begin(), rows.end(), [&](const Builder::Row& r) { return r.route_id == m.route_id; });
            if (it == rows.end()) throw std::logic_error("route id index: route " + std::to_string(m.route_id) + " is not in its chunk");
            load = it->load;
            counters = it->counters;
            if (m.op == CatalogMutationOp::del) deleted.push_back(*it);
            rows.erase(it);
        }
        if (m.op == CatalogMutationOp::upsert) {
            Builder::Row row = Builder::row_of(*m.route, m.route_id);
            row.load = load;
            row.counters = counters;
            edit.insert(row);
        }
    }
    auto next = edit.finish(delta.version, current.generation() + 1);
    if (auto ec = Builder::check_order_near_new_chunks(*next)) return ec;
    id_index_->follow(current, *next);
    if (keyviz_)
        for (const auto& row : deleted) keyviz_->drain({row.route_id, row.group_id, row.start, row.end}, *row.load);
    publish_version_locked(std::move(next));
    return {};
}

boost::system::error_code Engine::reset_to(CatalogSnapshot snapshot) {
    if (auto ec = check_snapshot_routes(snapshot.routes)) return ec;
    std::lock_guard lock(writer_mutex_);
    history_.clear();
    id_index_->invalidate();
    if (keyviz_) keyviz_->drain_all(*table());
    publish_version_locked(RouteTable::from_sorted(snapshot.routes, snapshot.version, table()->generation() + 1));
    return {};
}

void Engine::advance_keyviz(std::uint64_t now_unix_ms) {
    if (keyviz_) keyviz_->advance(now_unix_ms, *table());
}

std::vector<std::shared_ptr<const KeyVizColumn>> Engine::keyviz_columns(std::uint64_t from_ms, std::uint64_t to_ms) const {
    if (!keyviz_) return {};
    return keyviz_->columns(from_ms, to_ms);
}

std::optional<std::uint64_t> Engine::keyviz_open_column_start() const {
    if (!keyviz_) return std::nullopt;
    return keyviz_->open_column_start();
}

std::size_t Engine::keyviz_memory_bytes() const { return keyviz_ ? keyviz_->memory_bytes() : 0; }

std::optional<HistorySnapshot> Engine::snapshot_at(std::uint64_t version) const { return history_.at(version); }

std::optional<HistorySnapshot> Engine::current() const { return history_.at(version()); }

std::size_t Engine::history_depth() const { return history_.depth(); }

namespace detail {

void set_history_depth_for_test(Engine& engine, std::size_t depth) { engine.history_.set_depth(depth); }

}  // namespace detail

}  // namespace routecat
