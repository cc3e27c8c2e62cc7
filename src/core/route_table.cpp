#include "routecat/route_table.hpp"

#include "routecat/detail/engine_test_hooks.hpp"

#include <algorithm>
#include <functional>

namespace routecat {
// Zero-padding keeps order: if prefix(a) < prefix(b) then a < b; equal prefixes need the full keys.
std::uint64_t RouteTable::prefix_of(std::string_view key) noexcept {
    std::uint64_t p = 0;
    const std::size_t n = std::min<std::size_t>(key.size(), 8);
    for (std::size_t i = 0; i < 8; ++i) p = (p << 8) | (i < n ? static_cast<std::uint8_t>(key[i]) : 0u);
    return p;
}

RouteTable::RouteTable(std::uint64_t version, std::uint64_t generation) : version_(version), generation_(generation) {}

namespace detail {

// Builds tables: from descriptors, or from an existing table plus changes, sharing its load counters.
struct RouteTableBuilder {
    // One route while a table is being built; key views point into the source table or descriptors.
    struct Row {
        std::uint64_t route_id;
        std::string_view start;
        std::optional<std::string_view> end;
        std::uint64_t group_id;
        RouteState state;
        std::atomic<std::uint64_t>* load;  // null: a fresh counter
    };

    static Row row_of(const RouteTable& t, std::size_t i) {
        const RouteEntry& e = t.layout_.entries[i];
        return {e.route_id, t.start(i), t.end(i), e.group_id, e.state, e.load};
    }

    static Row row_of(const RouteDescriptor& d, std::uint64_t route_id) {
        std::optional<std::string_view> end;
        if (d.end) end = *d.end;
        return {route_id, d.start, end, d.group_id, d.state, nullptr};
    }

    static std::vector<Row> rows_of(const RouteTable& t, std::size_t extra) {
        std::vector<Row> rows;
        rows.reserve(t.size() + extra);
        for (std::size_t i = 0; i < t.size(); ++i) rows.push_back(row_of(t, i));
        return rows;
    }

    static std::shared_ptr<RouteTable> build(const std::vector<Row>& rows, std::vector<LoadCounters> inherited,
                                             std::uint64_t version, std::uint64_t generation) {
        auto table = std::make_shared<RouteTable>(version, generation);
        RouteTableLayout& layout = table->layout_;
        layout.counters = std::move(inherited);

        std::size_t fresh = 0, key_bytes = 0;
        for (const auto& r : rows) {
            fresh += r.load == nullptr;
            key_bytes += r.start.size() + (r.end ? r.end->size() : 0);
        }
        std::atomic<std::uint64_t>* next_fresh = nullptr;
        if (fresh > 0) {
            LoadCounters counters{std::shared_ptr<std::atomic<std::uint64_t>[]>(new std::atomic<std::uint64_t>[fresh]()),
                                  fresh};  // value-initialised: 0
            next_fresh = counters.block.get();
            layout.counters.push_back(std::move(counters));
        }

        layout.keys.reserve(key_bytes);
        layout.prefixes.reserve(rows.size());
        layout.entries.reserve(rows.size());
        for (const auto& r : rows) {
            RouteEntry e;
            e.route_id = r.route_id;
            e.group_id = r.group_id;
            e.state = r.state;
            e.start_offset = layout.keys.size();
            e.start_size = r.start.size();
            layout.keys += r.start;
            if (r.end) {
                e.has_end = true;
                e.end_offset = layout.keys.size();
                e.end_size = r.end->size();
                layout.keys += *r.end;
            }
            e.load = r.load ? r.load : next_fresh++;
            layout.prefixes.push_back(RouteTable::prefix_of(r.start));
            layout.entries.push_back(e);
        }
        for (std::size_t i = 1; i < rows.size() && layout.disjoint; ++i) {
            const auto& prev = rows[i - 1];
            layout.disjoint = prev.end && *prev.end <= rows[i].start && prev.start < rows[i].start;
        }
        return table;
    }

    // Route i of t replaced by [start, key) and [key, end) without rebuilding the rest: the layout is
    // copied as it is, the arena kept whole (every offset stays valid) with the key appended, so a
    // split costs a copy of the arrays rather than a rebuild. The parent's bytes stay in the arena
    // until the next full build (apply_snapshot); its counter block goes once no route uses it.
    static std::shared_ptr<RouteTable> split(const RouteTable& t, std::size_t i, std::string_view key,
                                             std::uint64_t generation) {
        const RouteTableLayout& in = t.layout_;
        const RouteEntry& parent = in.entries[i];
        auto table = std::make_shared<RouteTable>(t.version_, generation);
        RouteTableLayout& out = table->layout_;

        out.keys.reserve(in.keys.size() + key.size());
        out.keys = in.keys;
        const std::size_t key_offset = out.keys.size();
        out.keys += key;

        LoadCounters fresh{std::shared_ptr<std::atomic<std::uint64_t>[]>(new std::atomic<std::uint64_t>[2]()), 2};
        RouteEntry left = parent, right = parent;
        left.route_id = right.route_id = 0;
        left.state = right.state = RouteState::active;
        left.has_end = true;
        left.end_offset = key_offset;
        left.end_size = key.size();
        left.load = &fresh.block[0];
        right.start_offset = key_offset;
        right.start_size = key.size();
        right.load = &fresh.block[1];

        out.entries.reserve(in.entries.size() + 1);
        out.entries.insert(out.entries.end(), in.entries.begin(), in.entries.begin() + static_cast<std::ptrdiff_t>(i));
        out.entries.push_back(left);
        out.entries.push_back(right);
        out.entries.insert(out.entries.end(), in.entries.begin() + static_cast<std::ptrdiff_t>(i) + 1, in.entries.end());
        out.prefixes.reserve(in.prefixes.size() + 1);
        out.prefixes.insert(out.prefixes.end(), in.prefixes.begin(), in.prefixes.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        out.prefixes.push_back(RouteTable::prefix_of(key));
        out.prefixes.insert(out.prefixes.end(), in.prefixes.begin() + static_cast<std::ptrdiff_t>(i) + 1, in.prefixes.end());
        out.disjoint = in.disjoint;  // two adjacent children inside the parent's range

        out.counters = in.counters;
        drop_if_unused(out, parent.load);
        out.counters.push_back(std::move(fresh));
        return table;
    }

    // Drops the counter block holding counter when no route of layout uses any of its counters.
    static void drop_if_unused(RouteTableLayout& layout, const std::atomic<std::uint64_t>* counter) {
        const std::less<const void*> before;  // a total order over unrelated blocks
        auto holds = [&](const LoadCounters& c, const std::atomic<std::uint64_t>* p) {
            return !before(p, c.block.get()) && before(p, c.block.get() + c.size);
        };
        auto block = std::find_if(layout.counters.begin(), layout.counters.end(),
                                  [&](const LoadCounters& c) { return holds(c, counter); });
        if (block == layout.counters.end()) return;
        for (const RouteEntry& e : layout.entries)
            if (holds(*block, e.load)) return;
        layout.counters.erase(block);
    }

    static std::size_t counter_blocks(const RouteTable& t) { return t.layout_.counters.size(); }
};

std::size_t load_counter_blocks_for_test(const RouteTable& table) { return RouteTableBuilder::counter_blocks(table); }

}  // namespace detail

using Builder = detail::RouteTableBuilder;

std::shared_ptr<const RouteTable> RouteTable::from_sorted(const std::vector<RouteDescriptor>& routes,
                                                          std::uint64_t version, std::uint64_t generation) {
    std::vector<Builder::Row> rows;
    rows.reserve(routes.size());
    for (const auto& d : routes) rows.push_back(Builder::row_of(d, d.route_id));
    return Builder::build(rows, {}, version, generation);
}

std::shared_ptr<const RouteTable> RouteTable::with_route(std::string_view start, std::optional<std::string_view> end,
                                                         std::uint64_t group_id, std::uint64_t generation) const {
    std::vector<Builder::Row> rows = Builder::rows_of(*this, 1);
    // After every route with an equal start, so a lookup's "last of equal starts" is the newest.
    auto at = std::upper_bound(rows.begin(), rows.end(), start,
                               [](std::string_view k, const Builder::Row& r) { return k < r.start; });
    rows.insert(at, Builder::Row{0, start, end, group_id, RouteState::active, nullptr});
    return Builder::build(rows, layout_.counters, version_, generation);
}

std::shared_ptr<const RouteTable> RouteTable::with_routes(const std::vector<RouteDescriptor>& routes,
                                                          std::uint64_t generation) const {
    std::vector<Builder::Row> rows = Builder::rows_of(*this, routes.size());
    for (const auto& d : routes) rows.push_back(Builder::row_of(d, 0));
    // Stable: existing routes stay before new ones with an equal start, new ones keep their order.
    std::stable_sort(rows.begin(), rows.end(), [](const Builder::Row& a, const Builder::Row& b) { return a.start < b.start; });
    return Builder::build(rows, layout_.counters, version_, generation);
}

std::shared_ptr<const RouteTable> RouteTable::with_split(std::size_t i, std::string_view split_key,
                                                         std::uint64_t generation) const {
    return Builder::split(*this, i, split_key, generation);
}

namespace {

// key < start(i) of the table whose layout this is.
bool start_less(const detail::RouteTableLayout& layout, std::uint64_t key_prefix, std::string_view key,
                std::size_t i) noexcept {
    if (key_prefix != layout.prefixes[i]) return key_prefix < layout.prefixes[i];
    const detail::RouteEntry& e = layout.entries[i];
    return key < std::string_view(layout.keys).substr(e.start_offset, e.start_size);
}

}  // namespace

std::string_view RouteTable::start(std::size_t i) const noexcept {
    const detail::RouteEntry& e = layout_.entries[i];
    return std::string_view(layout_.keys).substr(e.start_offset, e.start_size);
}

std::optional<std::string_view> RouteTable::end(std::size_t i) const noexcept {
    const detail::RouteEntry& e = layout_.entries[i];
    if (!e.has_end) return std::nullopt;
    return std::string_view(layout_.keys).substr(e.end_offset, e.end_size);
}

std::optional<std::size_t> RouteTable::floor_index(std::string_view key) const noexcept {
    const std::uint64_t kp = prefix_of(key);
    // upper_bound over starts: the first route whose start > key.
    std::size_t lo = 0, n = layout_.prefixes.size();
    while (n > 0) {
        const std::size_t half = n / 2;
        if (start_less(layout_, kp, key, lo + half)) {
            n = half;
        } else {
            lo += half + 1;
            n -= half + 1;
        }
    }
    if (lo == 0) return std::nullopt;
    return lo - 1;
}

std::optional<std::size_t> RouteTable::find(std::string_view key) const noexcept {
    auto i = floor_index(key);
    if (!i) return std::nullopt;
    auto e = end(*i);
    if (e && key >= *e) return std::nullopt;
    return i;
}

std::optional<std::size_t> RouteTable::find_forward(std::string_view key) const noexcept {
    for (std::size_t i = 0; i < size(); ++i) {
        if (start(i) > key) return std::nullopt;
        auto e = end(i);
        if (e && *e <= key) continue;
        return i;
    }
    return std::nullopt;
}

std::vector<std::size_t> RouteTable::intersecting(std::string_view scan_start,
                                                  std::optional<std::string_view> scan_end) const {
    // A route [rs, re) is out iff re <= scan_start or rs >= scan_end (§7.4). In a disjoint table no
    // route before the floor of scan_start can reach it, so the scan may begin there.
    std::size_t first = 0;
    if (layout_.disjoint)
        if (auto f = floor_index(scan_start)) first = *f;
    std::vector<std::size_t> out;
    for (std::size_t i = first; i < size(); ++i) {
        if (scan_end && start(i) >= *scan_end) break;  // sorted by start: nothing later can intersect
        auto e = end(i);
        if (e && *e <= scan_start) continue;
        out.push_back(i);
    }
    return out;
}

Route RouteTable::route(std::size_t i) const {
    const detail::RouteEntry& e = layout_.entries[i];
    Route r;
    r.route_id = e.route_id;
    r.start = std::string(start(i));
    if (auto en = end(i)) r.end = std::string(*en);
    r.group_id = e.group_id;
    r.state = e.state;
    r.load = e.load->load(std::memory_order_relaxed);
    return r;
}

std::vector<Route> RouteTable::routes() const {
    std::vector<Route> out;
    out.reserve(size());
    for (std::size_t i = 0; i < size(); ++i) out.push_back(route(i));
    return out;
}

}  // namespace routecat
