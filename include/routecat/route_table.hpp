#pragma once
// An immutable, sorted route table: what the Engine publishes and readers load atomically. Routes sit
// in immutable chunks under a top index (detail/route_table_layout.hpp): a derived table (a split,
// update_route, a catalog delta) rebuilds only the chunks it changes and shares the rest. Lookups
// binary-search the chunks' first prefixes, then one chunk's prefixes, and compare full keys only on
// ties. Load counters are the one mutable part: atomics that a derived table shares with the table
// it came from, so no access recorded on an untouched route is lost.

#include "routecat/detail/route_table_layout.hpp"
#include "routecat/route.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace routecat {

class RouteTable {
public:
    // One route of a table by position: its fields without a search each. Valid while the table is.
    class Ref {
    public:
        std::size_t index() const noexcept { return index_; }
        std::uint64_t route_id() const noexcept { return entry().route_id; }
        std::uint64_t group_id() const noexcept { return entry().group_id; }
        RouteState state() const noexcept { return entry().state; }
        std::string_view start() const noexcept { return chunk_->start(offset_); }
        std::optional<std::string_view> end() const noexcept { return chunk_->end(offset_); }
        std::atomic<std::uint64_t>& load() const noexcept { return entry().load->load; }
        // The route's counters (load and the key visualizer's open column): the same object in
        // every table that holds this route.
        detail::RouteCounters& counters() const noexcept { return *entry().load; }
        // A deep copy with the current load.
        Route route() const;

    private:
        friend class RouteTable;
        Ref(const detail::ChunkView* chunk, std::size_t offset, std::size_t index) noexcept
            : chunk_(chunk), offset_(offset), index_(index) {}
        const detail::RouteEntry& entry() const noexcept { return chunk_->entries[offset_]; }

        const detail::ChunkView* chunk_;
        std::size_t offset_;
        std::size_t index_;
    };

    // An empty table.
    RouteTable(std::uint64_t version, std::uint64_t generation);

    // A table of validated descriptors already sorted by start; every load starts at 0.
    static std::shared_ptr<const RouteTable> from_sorted(const std::vector<RouteDescriptor>& routes,
                                                        std::uint64_t version, std::uint64_t generation);
    // This table plus one ephemeral Active route, re-sorted by start (after equal starts). Every
    // existing route keeps its load counter.
    std::shared_ptr<const RouteTable> with_route(std::string_view start, std::optional<std::string_view> end,
                                                 std::uint64_t group_id, std::uint64_t generation) const;
    // This table plus many ephemeral routes (route id 0; group and state as given), in one build.
    std::shared_ptr<const RouteTable> with_routes(const std::vector<RouteDescriptor>& routes,
                                                  std::uint64_t generation) const;
    // This table with route i replaced by [start, split_key) and [split_key, end): ephemeral, Active,
    // the parent's group, load 0. Every other route keeps its load counter.
    std::shared_ptr<const RouteTable> with_split(std::size_t i, std::string_view split_key,
                                                 std::uint64_t generation) const;

    // The first 8 bytes of key, big-endian, zero-padded: prefix_of(a) < prefix_of(b) implies a < b.
    static std::uint64_t prefix_of(std::string_view key) noexcept;

    std::uint64_t version() const noexcept { return version_; }
    std::uint64_t generation() const noexcept { return generation_; }
    std::size_t size() const noexcept { return layout_.size; }
    bool empty() const noexcept { return layout_.size == 0; }
    // Routes with id 0 (made by update_route and access splits rather than by a catalog).
    std::size_t ephemeral_routes() const noexcept { return layout_.ephemeral; }

    // Index of the route with the greatest start <= key (the last of equal starts), if any.
    std::optional<std::size_t> floor_index(std::string_view key) const noexcept;
    // The spec's GetRoute (§7.3): the floor route if its range holds key; only that one is examined.
    std::optional<std::size_t> find(std::string_view key) const noexcept;
    std::optional<Ref> find_ref(std::string_view key) const noexcept;
    // Route i (< size()).
    Ref at(std::size_t i) const noexcept;
    // The spec's OwnerOf (§7.9): walk forward in start order; the first route holding key.
    std::optional<std::size_t> find_forward(std::string_view key) const noexcept;
    // §7.4: indexes of the routes intersecting [start, end) (no end = +inf), in table order.
    std::vector<std::size_t> intersecting(std::string_view start, std::optional<std::string_view> end) const;

    // Route i's fields (each finds the chunk of i; at(i) finds it once for several).
    std::uint64_t route_id(std::size_t i) const noexcept { return at(i).route_id(); }
    std::uint64_t group_id(std::size_t i) const noexcept { return at(i).group_id(); }
    RouteState state(std::size_t i) const noexcept { return at(i).state(); }
    std::string_view start(std::size_t i) const noexcept { return at(i).start(); }
    std::optional<std::string_view> end(std::size_t i) const noexcept { return at(i).end(); }
    std::atomic<std::uint64_t>& load(std::size_t i) const noexcept { return at(i).load(); }

    // A deep copy of route i with its current load.
    Route route(std::size_t i) const { return at(i).route(); }
    std::vector<Route> routes() const;

    // Calls f(ref) for every route from index `from` on, in table order, while f returns true.
    template <class F>
    void for_each_from(std::size_t from, F&& f) const;

private:
    friend struct detail::RouteTableBuilder;

    // (chunk, offset in it) of route i.
    std::pair<std::size_t, std::size_t> locate(std::size_t i) const noexcept;
    // The chunk holding the floor of key (greatest start <= key), if any.
    std::optional<std::size_t> floor_chunk(std::uint64_t key_prefix, std::string_view key) const noexcept;
    // The position in its chunk of the floor route, given the chunk.
    static std::size_t floor_in_chunk(const detail::ChunkView& chunk, std::uint64_t key_prefix,
                                      std::string_view key) noexcept;

    std::uint64_t version_ = 0;
    std::uint64_t generation_ = 0;
    detail::RouteTableLayout layout_;
};

template <class F>
void RouteTable::for_each_from(std::size_t from, F&& f) const {
    if (from >= size()) return;
    auto [c, offset] = locate(from);
    std::size_t index = from;
    for (; c < layout_.views.size(); ++c, offset = 0) {
        const detail::ChunkView& chunk = layout_.views[c];
        for (; offset < chunk.size; ++offset, ++index)
            if (!f(Ref(&chunk, offset, index))) return;
    }
}

}  // namespace routecat
