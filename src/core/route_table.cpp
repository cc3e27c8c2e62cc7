#include "routecat/route_table.hpp"

#include "route_table_builder.hpp"

#include "routecat/detail/engine_test_hooks.hpp"

#include <algorithm>
#include <functional>
#include <set>

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

std::size_t load_counter_blocks_for_test(const RouteTable& table) {
    std::set<const void*> blocks;
    for (const auto& chunk : RouteTableBuilder::layout(table).chunks)
        for (const auto& c : chunk->counters) blocks.insert(c.block.get());
    return blocks.size();
}

std::vector<std::size_t> chunk_sizes_for_test(const RouteTable& table) {
    std::vector<std::size_t> sizes;
    for (const auto& chunk : RouteTableBuilder::layout(table).chunks) sizes.push_back(chunk->size());
    return sizes;
}

}  // namespace detail

using Builder = detail::RouteTableBuilder;

std::shared_ptr<const RouteTable> RouteTable::from_sorted(const std::vector<RouteDescriptor>& routes,
                                                          std::uint64_t version, std::uint64_t generation) {
    std::vector<Builder::Row> rows;
    rows.reserve(routes.size());
    for (const auto& d : routes) rows.push_back(Builder::row_of(d, d.route_id));
    return Builder::build(rows, version, generation);
}

std::shared_ptr<const RouteTable> RouteTable::with_route(std::string_view start, std::optional<std::string_view> end,
                                                         std::uint64_t group_id, std::uint64_t generation) const {
    // After every route with an equal start, so a lookup's "last of equal starts" is the newest.
    Builder::Edit edit(*this);
    edit.insert(Builder::Row{0, start, end, group_id, RouteState::active, nullptr, nullptr});
    return edit.finish(version_, generation);
}

std::shared_ptr<const RouteTable> RouteTable::with_routes(const std::vector<RouteDescriptor>& routes,
                                                          std::uint64_t generation) const {
    std::vector<Builder::Row> rows = Builder::rows_of(*this, routes.size());
    for (const auto& d : routes) rows.push_back(Builder::row_of(d, 0));
    // Stable: existing routes stay before new ones with an equal start, new ones keep their order.
    std::stable_sort(rows.begin(), rows.end(), [](const Builder::Row& a, const Builder::Row& b) { return a.start < b.start; });
    return Builder::build(rows, version_, generation);
}

std::shared_ptr<const RouteTable> RouteTable::with_split(std::size_t i, std::string_view split_key,
                                                         std::uint64_t generation) const {
    return Builder::split(*this, i, split_key, generation);
}

std::pair<std::size_t, std::size_t> RouteTable::locate(std::size_t i) const noexcept {
    const auto& first = layout_.first_index;
    const std::size_t c = static_cast<std::size_t>(std::upper_bound(first.begin(), first.end(), i) - first.begin()) - 1;
    return {c, i - first[c]};
}

RouteTable::Ref RouteTable::at(std::size_t i) const noexcept {
    const auto [c, offset] = locate(i);
    return Ref(&layout_.views[c], offset, i);
}

std::optional<std::size_t> RouteTable::floor_chunk(std::uint64_t key_prefix, std::string_view key) const noexcept {
    // upper_bound over the chunks' first starts: the first chunk starting after key.
    const auto& prefixes = layout_.first_prefixes;
    std::size_t lo = 0, n = prefixes.size();
    while (n > 0) {
        const std::size_t half = n / 2;
        const std::size_t c = lo + half;
        const bool before = key_prefix != prefixes[c] ? key_prefix < prefixes[c] : key < layout_.views[c].start(0);
        if (before) {
            n = half;
        } else {
            lo = c + 1;
            n -= half + 1;
        }
    }
    if (lo == 0) return std::nullopt;
    return lo - 1;
}

std::size_t RouteTable::floor_in_chunk(const detail::ChunkView& chunk, std::uint64_t key_prefix,
                                       std::string_view key) noexcept {
    // upper_bound over the chunk's starts; its first start is <= key, so the result is >= 1.
    const std::uint64_t* prefixes = chunk.prefixes;
    std::size_t lo = 0, n = chunk.size;
    while (n > 0) {
        const std::size_t half = n / 2;
        const std::size_t i = lo + half;
        const bool before = key_prefix != prefixes[i] ? key_prefix < prefixes[i] : key < chunk.start(i);
        if (before) {
            n = half;
        } else {
            lo = i + 1;
            n -= half + 1;
        }
    }
    return lo - 1;
}

std::optional<std::size_t> RouteTable::floor_index(std::string_view key) const noexcept {
    const std::uint64_t kp = prefix_of(key);
    const auto c = floor_chunk(kp, key);
    if (!c) return std::nullopt;
    return layout_.first_index[*c] + floor_in_chunk(layout_.views[*c], kp, key);
}

std::optional<RouteTable::Ref> RouteTable::find_ref(std::string_view key) const noexcept {
    const std::uint64_t kp = prefix_of(key);
    const auto c = floor_chunk(kp, key);
    if (!c) return std::nullopt;
    const detail::ChunkView& chunk = layout_.views[*c];
    const std::size_t offset = floor_in_chunk(chunk, kp, key);
    const detail::RouteEntry& e = chunk.entries[offset];
    if (e.has_end && key >= std::string_view(chunk.keys + e.end_offset, e.end_size)) return std::nullopt;
    return Ref(&chunk, offset, layout_.first_index[*c] + offset);
}

std::optional<std::size_t> RouteTable::find(std::string_view key) const noexcept {
    const auto r = find_ref(key);
    if (!r) return std::nullopt;
    return r->index();
}

std::optional<std::size_t> RouteTable::find_forward(std::string_view key) const noexcept {
    std::optional<std::size_t> found;
    for_each_from(0, [&](const Ref& r) {
        if (r.start() > key) return false;
        const auto e = r.end();
        if (e && *e <= key) return true;
        found = r.index();
        return false;
    });
    return found;
}

std::vector<std::size_t> RouteTable::intersecting(std::string_view scan_start,
                                                  std::optional<std::string_view> scan_end) const {
    // A route [rs, re) is out iff re <= scan_start or rs >= scan_end (§7.4). In a disjoint table no
    // route before the floor of scan_start can reach it, so the scan may begin there.
    std::size_t first = 0;
    if (layout_.disjoint)
        if (auto f = floor_index(scan_start)) first = *f;
    std::vector<std::size_t> out;
    for_each_from(first, [&](const Ref& r) {
        if (scan_end && r.start() >= *scan_end) return false;  // sorted by start: nothing later can intersect
        const auto e = r.end();
        if (!e || *e > scan_start) out.push_back(r.index());
        return true;
    });
    return out;
}

Route RouteTable::Ref::route() const {
    const detail::RouteEntry& e = entry();
    Route r;
    r.route_id = e.route_id;
    r.start = std::string(start());
    if (auto en = end()) r.end = std::string(*en);
    r.group_id = e.group_id;
    r.state = e.state;
    r.load = e.load->load.load(std::memory_order_relaxed);
    return r;
}

std::vector<Route> RouteTable::routes() const {
    std::vector<Route> out;
    out.reserve(size());
    for_each_from(0, [&](const Ref& r) {
        out.push_back(r.route());
        return true;
    });
    return out;
}

}  // namespace routecat
