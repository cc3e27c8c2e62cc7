#include "route_id_index.hpp"

#include "route_table_builder.hpp"

namespace routecat::detail {

void RouteIdIndex::rebuild(const RouteTable& table) {
    chunks_ = {};
    chunks_.reserve(table.size());
    for (const auto& chunk : RouteTableBuilder::layout(table).chunks) learn(*chunk);
    valid_ = true;
}

void RouteIdIndex::invalidate() {
    chunks_ = {};  // (not clear(): give the buckets back too)
    valid_ = false;
}

const RouteChunk* RouteIdIndex::chunk_of(std::uint64_t id) const {
    const auto it = chunks_.find(id);
    return it == chunks_.end() ? nullptr : it->second;
}

void RouteIdIndex::follow(const RouteTable& previous, const RouteTable& next) {
    if (!valid_) return;
    const auto& before = RouteTableBuilder::layout(previous).chunks;
    const auto& after = RouteTableBuilder::layout(next).chunks;
    auto built_here = [&](const RouteChunk& c) { return c.built_for == next.generation(); };
    // The chunks next kept appear in it in the same order as in previous.
    std::size_t j = 0;
    for (const auto& chunk : before) {
        while (j < after.size() && built_here(*after[j])) ++j;
        if (j < after.size() && after[j] == chunk) {
            ++j;
            continue;
        }
        forget(*chunk);
    }
    for (const auto& chunk : after)
        if (built_here(*chunk)) learn(*chunk);
}

void RouteIdIndex::learn(const RouteChunk& chunk) {
    for (const auto& e : chunk.entries)
        if (e.route_id != 0) chunks_[e.route_id] = &chunk;
}

void RouteIdIndex::forget(const RouteChunk& chunk) {
    for (const auto& e : chunk.entries) {
        const auto it = chunks_.find(e.route_id);
        if (it != chunks_.end() && it->second == &chunk) chunks_.erase(it);
    }
}

}  // namespace routecat::detail
