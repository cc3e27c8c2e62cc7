#include "routecat/route_table.hpp"

#include <algorithm>

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
            LoadCounters block(new std::atomic<std::uint64_t>[fresh]());  // value-initialised: 0
            next_fresh = block.get();
            layout.counters.push_back(std::move(block));
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
};

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
    std::vector<Builder::Row> rows;
    rows.reserve(size() + 1);
    for (std::size_t j = 0; j < size(); ++j) {
        if (j != i) {
            rows.push_back(Builder::row_of(*this, j));
            continue;
        }
        rows.push_back(Builder::Row{0, start(j), split_key, group_id(j), RouteState::active, nullptr});
        rows.push_back(Builder::Row{0, split_key, end(j), group_id(j), RouteState::active, nullptr});
    }
    return Builder::build(rows, layout_.counters, version_, generation);
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
