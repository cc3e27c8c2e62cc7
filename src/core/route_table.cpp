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

std::shared_ptr<RouteTable> RouteTable::build(const std::vector<Row>& rows, std::vector<CounterBlock> inherited,
                                              std::uint64_t version, std::uint64_t generation) {
    auto table = std::make_shared<RouteTable>(version, generation);
    table->counters_ = std::move(inherited);

    std::size_t fresh = 0, key_bytes = 0;
    for (const auto& r : rows) {
        fresh += r.load == nullptr;
        key_bytes += r.start.size() + (r.end ? r.end->size() : 0);
    }
    std::atomic<std::uint64_t>* next_fresh = nullptr;
    if (fresh > 0) {
        CounterBlock block(new std::atomic<std::uint64_t>[fresh]());  // value-initialised: 0
        next_fresh = block.get();
        table->counters_.push_back(std::move(block));
    }

    table->keys_.reserve(key_bytes);
    table->prefixes_.reserve(rows.size());
    table->entries_.reserve(rows.size());
    for (const auto& r : rows) {
        Entry e;
        e.route_id = r.route_id;
        e.group_id = r.group_id;
        e.state = r.state;
        e.start_offset = table->keys_.size();
        e.start_size = r.start.size();
        table->keys_ += r.start;
        if (r.end) {
            e.has_end = true;
            e.end_offset = table->keys_.size();
            e.end_size = r.end->size();
            table->keys_ += *r.end;
        }
        e.load = r.load ? r.load : next_fresh++;
        table->prefixes_.push_back(prefix_of(r.start));
        table->entries_.push_back(e);
    }
    for (std::size_t i = 1; i < rows.size() && table->disjoint_; ++i) {
        const auto& prev = rows[i - 1];
        table->disjoint_ = prev.end && *prev.end <= rows[i].start && prev.start < rows[i].start;
    }
    return table;
}

std::shared_ptr<const RouteTable> RouteTable::from_sorted(const std::vector<RouteDescriptor>& routes,
                                                          std::uint64_t version, std::uint64_t generation) {
    std::vector<Row> rows;
    rows.reserve(routes.size());
    for (const auto& d : routes) {
        std::optional<std::string_view> end;
        if (d.end) end = *d.end;
        rows.push_back({d.route_id, d.start, end, d.group_id, d.state, nullptr});
    }
    return build(rows, {}, version, generation);
}

RouteTable::Row RouteTable::row(std::size_t i) const {
    const Entry& e = entries_[i];
    return {e.route_id, start(i), end(i), e.group_id, e.state, e.load};
}

std::shared_ptr<const RouteTable> RouteTable::with_route(std::string_view start, std::optional<std::string_view> end,
                                                         std::uint64_t group_id, std::uint64_t generation) const {
    std::vector<Row> rows;
    rows.reserve(size() + 1);
    for (std::size_t i = 0; i < size(); ++i) rows.push_back(row(i));
    // After every route with an equal start, so a lookup's "last of equal starts" is the newest.
    auto at = std::upper_bound(rows.begin(), rows.end(), start, [](std::string_view k, const Row& r) { return k < r.start; });
    rows.insert(at, Row{0, start, end, group_id, RouteState::active, nullptr});
    return build(rows, counters_, version_, generation);
}

std::shared_ptr<const RouteTable> RouteTable::with_routes(const std::vector<RouteDescriptor>& routes,
                                                          std::uint64_t generation) const {
    std::vector<Row> rows;
    rows.reserve(size() + routes.size());
    for (std::size_t i = 0; i < size(); ++i) rows.push_back(row(i));
    for (const auto& d : routes) {
        std::optional<std::string_view> end;
        if (d.end) end = *d.end;
        rows.push_back(Row{0, d.start, end, d.group_id, d.state, nullptr});
    }
    // Stable: existing routes stay before new ones with an equal start, new ones keep their order.
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.start < b.start; });
    return build(rows, counters_, version_, generation);
}

std::shared_ptr<const RouteTable> RouteTable::with_split(std::size_t i, std::string_view split_key,
                                                         std::uint64_t generation) const {
    std::vector<Row> rows;
    rows.reserve(size() + 1);
    for (std::size_t j = 0; j < size(); ++j) {
        if (j != i) {
            rows.push_back(row(j));
            continue;
        }
        const Entry& e = entries_[j];
        rows.push_back(Row{0, start(j), split_key, e.group_id, RouteState::active, nullptr});
        rows.push_back(Row{0, split_key, end(j), e.group_id, RouteState::active, nullptr});
    }
    return build(rows, counters_, version_, generation);
}

std::string_view RouteTable::start(std::size_t i) const noexcept {
    const Entry& e = entries_[i];
    return std::string_view(keys_).substr(e.start_offset, e.start_size);
}

std::optional<std::string_view> RouteTable::end(std::size_t i) const noexcept {
    const Entry& e = entries_[i];
    if (!e.has_end) return std::nullopt;
    return std::string_view(keys_).substr(e.end_offset, e.end_size);
}

bool RouteTable::start_less(std::uint64_t key_prefix, std::string_view key, std::size_t i) const noexcept {
    // key < start(i)?
    if (key_prefix != prefixes_[i]) return key_prefix < prefixes_[i];
    return key < start(i);
}

std::optional<std::size_t> RouteTable::floor_index(std::string_view key) const noexcept {
    const std::uint64_t kp = prefix_of(key);
    // upper_bound over starts: the first route whose start > key.
    std::size_t lo = 0, n = prefixes_.size();
    while (n > 0) {
        const std::size_t half = n / 2;
        if (start_less(kp, key, lo + half)) {
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
    if (disjoint_)
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
    const Entry& e = entries_[i];
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
