#pragma once
// Where each route id of the engine's current table lives (internal to core): the chunk holding it,
// so a catalog delta finds the routes it deletes or replaces without scanning the table. Kept by the
// engine's writer, beside the table, and never read by readers. Built on first need; an edit updates
// it for the chunks it rebuilt only; a whole new table drops it (rebuilt on the next need).

#include "routecat/detail/route_table_layout.hpp"
#include "routecat/route_table.hpp"

#include <cstdint>
#include <unordered_map>

namespace routecat::detail {

class RouteIdIndex {
public:
    bool valid() const noexcept { return valid_; }
    // Every id of table (a table without ephemeral routes: ids are unique).
    void rebuild(const RouteTable& table);
    void invalidate();
    // The chunk of the current table holding id, or null.
    const RouteChunk* chunk_of(std::uint64_t id) const;
    // next replaced previous, derived from it by an edit: forgets the chunks next no longer holds and
    // learns the ones built for it. Nothing to do while the index is not valid.
    void follow(const RouteTable& previous, const RouteTable& next);

private:
    void learn(const RouteChunk& chunk);
    void forget(const RouteChunk& chunk);

    std::unordered_map<std::uint64_t, const RouteChunk*> chunks_;
    bool valid_ = false;
};

}  // namespace routecat::detail
