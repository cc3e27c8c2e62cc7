#include "route_table_builder.hpp"

#include "routecat/detail/engine_test_hooks.hpp"
#include "routecat/error.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>

namespace routecat::detail {

namespace {
std::atomic<std::size_t> g_min_chunk_target{1024};
}

ChunkSizes ChunkSizes::for_routes(std::size_t n) noexcept {
    const auto root = static_cast<std::size_t>(std::sqrt(static_cast<double>(n)));
    const std::size_t target = std::max(g_min_chunk_target.load(std::memory_order_relaxed), root);
    return {target, 2 * target, target / 4};
}

std::size_t set_min_chunk_target_for_test(std::size_t routes) {
    return g_min_chunk_target.exchange(routes < 4 ? 4 : routes);
}

namespace {

// A chunk is also cut by its key bytes, so a change never copies much more than this of keys.
constexpr std::size_t kChunkMaxKeyBytes = std::size_t{1} << 20;

std::size_t key_bytes(const RouteTableBuilder::Row& r) { return r.start.size() + (r.end ? r.end->size() : 0); }

// §7.8's check of one pair of neighbours in start order.
boost::system::error_code pair_error(std::string_view prev_start, std::optional<std::string_view> prev_end,
                                     std::string_view start) {
    if (prev_start >= start || !prev_end) return errc::engine_snapshot_route_order;
    if (*prev_end > start) return errc::engine_snapshot_route_overlap;
    return {};
}

// The counter blocks a chunk being built inherits, each once, in order of first use: a small
// open-addressing map from block to its index in the new chunk's counters (a chunk that many splits
// went through holds many small blocks, and a sort or a tree per build would cost more than the copy).
class InheritedBlocks {
public:
    explicit InheritedBlocks(std::size_t rows, std::uint32_t first_index) : next_(first_index) {
        std::size_t capacity = 16;
        while (capacity < 2 * rows) capacity *= 2;
        slots_.assign(capacity, Slot{});
    }

    // The index of block b in the new chunk, adding it on first use.
    std::uint32_t index_of(const LoadCounters* b) {
        if (b == last_) return last_index_;
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t at = std::hash<const void*>{}(b) & mask;; at = (at + 1) & mask) {
            Slot& slot = slots_[at];
            if (slot.block == nullptr) {
                slot = Slot{b, next_++};
                order_.push_back(b);
            } else if (slot.block != b) {
                continue;
            }
            last_ = b;
            last_index_ = slot.index;
            return slot.index;
        }
    }
    const std::vector<const LoadCounters*>& in_order() const noexcept { return order_; }

private:
    struct Slot {
        const LoadCounters* block = nullptr;
        std::uint32_t index = 0;
    };
    std::vector<Slot> slots_;
    std::vector<const LoadCounters*> order_;
    std::uint32_t next_;
    const LoadCounters* last_ = nullptr;
    std::uint32_t last_index_ = 0;
};

std::shared_ptr<const RouteChunk> make_chunk(const RouteTableBuilder::Row* rows, std::size_t count,
                                             std::uint64_t generation) {
    auto chunk = std::make_shared<RouteChunk>();
    chunk->built_for = generation;
    std::size_t fresh = 0, bytes = 0;
    for (std::size_t i = 0; i < count; ++i) {
        fresh += rows[i].load == nullptr;
        bytes += key_bytes(rows[i]);
    }
    if (bytes > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("route keys too long for one chunk");

    RouteCounters* next_fresh = nullptr;
    if (fresh > 0) {
        LoadCounters counters{std::shared_ptr<RouteCounters[]>(new RouteCounters[fresh]()), fresh};  // all 0
        next_fresh = counters.block.get();
        chunk->counters.push_back(std::move(counters));  // index 0
    }
    InheritedBlocks inherited(count - fresh, fresh > 0 ? 1 : 0);
    chunk->keys.reserve(bytes);
    chunk->prefixes.reserve(count);
    chunk->entries.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto& r = rows[i];
        RouteEntry e;
        e.route_id = r.route_id;
        e.group_id = r.group_id;
        e.state = r.state;
        e.start_offset = static_cast<std::uint32_t>(chunk->keys.size());
        e.start_size = static_cast<std::uint32_t>(r.start.size());
        chunk->keys += r.start;
        if (r.end) {
            e.has_end = true;
            e.end_offset = static_cast<std::uint32_t>(chunk->keys.size());
            e.end_size = static_cast<std::uint32_t>(r.end->size());
            chunk->keys += *r.end;
        }
        if (r.load) {
            if (!r.counters) throw std::logic_error("route table build: a load counter without its block");
            e.load = r.load;
            e.counters = inherited.index_of(r.counters);
        } else {
            e.load = next_fresh++;
        }
        chunk->ephemeral += r.route_id == 0;
        chunk->prefixes.push_back(RouteTable::prefix_of(r.start));
        chunk->entries.push_back(e);
        if (i > 0 && chunk->disjoint) chunk->disjoint = !pair_error(rows[i - 1].start, rows[i - 1].end, r.start);
    }
    chunk->counters.reserve(chunk->counters.size() + inherited.in_order().size());
    for (const auto* b : inherited.in_order()) chunk->counters.push_back(*b);
    return chunk;
}

// Cuts rows into chunks: one while there are at most max_rows, else pieces of about target rows;
// also wherever a piece's keys would pass kChunkMaxKeyBytes.
void cut(const std::vector<RouteTableBuilder::Row>& rows, std::size_t max_rows, std::size_t target,
         std::uint64_t generation, std::vector<std::shared_ptr<const RouteChunk>>& out) {
    const std::size_t n = rows.size();
    if (n == 0) return;
    const std::size_t pieces = n <= max_rows ? 1 : (n + target - 1) / target;
    const std::size_t per = (n + pieces - 1) / pieces;
    std::size_t first = 0, bytes = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t b = key_bytes(rows[i]);
        if (i > first && (i - first == per || bytes + b > kChunkMaxKeyBytes)) {
            out.push_back(make_chunk(rows.data() + first, i - first, generation));
            first = i;
            bytes = 0;
        }
        bytes += b;
    }
    out.push_back(make_chunk(rows.data() + first, n - first, generation));
}

std::shared_ptr<RouteTable> assemble(std::shared_ptr<RouteTable> table,
                                     std::vector<std::shared_ptr<const RouteChunk>> chunks) {
    RouteTableLayout& layout = RouteTableBuilder::layout(*table);
    layout.first_prefixes.reserve(chunks.size());
    layout.first_index.reserve(chunks.size());
    layout.views.reserve(chunks.size());
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        const RouteChunk& chunk = *chunks[c];
        layout.views.push_back(ChunkView{chunk.prefixes.data(), chunk.entries.data(), chunk.keys.data(), chunk.size()});
        layout.first_prefixes.push_back(chunk.prefixes.front());
        layout.first_index.push_back(layout.size);
        layout.size += chunk.size();
        layout.ephemeral += chunk.ephemeral;
        layout.disjoint = layout.disjoint && chunk.disjoint;
        if (c > 0 && layout.disjoint) {
            const RouteChunk& prev = *chunks[c - 1];
            const std::size_t last = prev.size() - 1;
            layout.disjoint = !pair_error(prev.start(last), prev.end(last), chunk.start(0));
        }
    }
    layout.chunks = std::move(chunks);
    return table;
}

}  // namespace

RouteTableBuilder::Row RouteTableBuilder::row_of(const RouteChunk& chunk, std::size_t i) {
    const RouteEntry& e = chunk.entries[i];
    return {e.route_id, chunk.start(i), chunk.end(i), e.group_id, e.state, e.load, &chunk.counters[e.counters]};
}

RouteTableBuilder::Row RouteTableBuilder::row_of(const RouteDescriptor& d, std::uint64_t route_id) {
    std::optional<std::string_view> end;
    if (d.end) end = *d.end;
    return {route_id, d.start, end, d.group_id, d.state, nullptr, nullptr};
}

std::vector<RouteTableBuilder::Row> RouteTableBuilder::rows_of(const RouteTable& t, std::size_t extra) {
    std::vector<Row> rows;
    rows.reserve(t.size() + extra);
    for (const auto& chunk : t.layout_.chunks)
        for (std::size_t i = 0; i < chunk->size(); ++i) rows.push_back(row_of(*chunk, i));
    return rows;
}

std::shared_ptr<RouteTable> RouteTableBuilder::build(const std::vector<Row>& rows,
                                                     std::uint64_t version, std::uint64_t generation) {
    std::vector<std::shared_ptr<const RouteChunk>> chunks;
    const ChunkSizes sizes = ChunkSizes::for_routes(rows.size());
    cut(rows, sizes.target, sizes.target, generation, chunks);
    return assemble(std::make_shared<RouteTable>(version, generation), std::move(chunks));
}

std::vector<RouteTableBuilder::Row>& RouteTableBuilder::Edit::rows(std::size_t c) {
    if (auto it = touched_.find(c); it != touched_.end()) return it->second;
    std::vector<Row>& rows = touched_[c];
    const auto& chunks = base_.layout_.chunks;
    if (c < chunks.size()) {
        const RouteChunk& chunk = *chunks[c];
        rows.reserve(chunk.size() + 2);
        for (std::size_t i = 0; i < chunk.size(); ++i) rows.push_back(row_of(chunk, i));
    }
    return rows;
}

std::size_t RouteTableBuilder::Edit::chunk_for_start(std::string_view start) const noexcept {
    return base_.floor_chunk(RouteTable::prefix_of(start), start).value_or(0);
}

std::size_t RouteTableBuilder::Edit::position_of(const RouteChunk* chunk) const noexcept {
    std::size_t c = chunk_for_start(chunk->start(0));
    while (c > 0 && base_.layout_.chunks[c].get() != chunk) --c;  // chunks with equal first starts
    return c;
}

void RouteTableBuilder::Edit::insert(const Row& row) {
    std::vector<Row>& r = rows(chunk_for_start(row.start));
    auto at = std::upper_bound(r.begin(), r.end(), row.start, [](std::string_view k, const Row& x) { return k < x.start; });
    r.insert(at, row);
}

std::shared_ptr<RouteTable> RouteTableBuilder::Edit::finish(std::uint64_t version, std::uint64_t generation) {
    const auto& in = base_.layout_.chunks;
    const ChunkSizes sizes = ChunkSizes::for_routes(base_.size());
    const std::size_t count = std::max(in.size(), touched_.empty() ? std::size_t{0} : touched_.rbegin()->first + 1);
    std::vector<std::shared_ptr<const RouteChunk>> out;
    out.reserve(in.size() + touched_.size() + 1);
    // Rows of touched chunks gather here until they make a chunk big enough to stand alone; an
    // untouched chunk that follows a too-small run joins it.
    std::vector<Row> pending;
    bool open = false;
    for (std::size_t c = 0; c < count; ++c) {
        const auto touched = touched_.find(c);
        if (touched == touched_.end() && !open) {
            out.push_back(in[c]);
            continue;
        }
        if (touched != touched_.end()) {
            pending.insert(pending.end(), touched->second.begin(), touched->second.end());
        } else {
            for (std::size_t i = 0; i < in[c]->size(); ++i) pending.push_back(row_of(*in[c], i));
        }
        open = true;
        if (pending.size() >= sizes.min) {
            cut(pending, sizes.max, sizes.target, generation, out);
            pending.clear();
            open = false;
        }
    }
    if (!pending.empty()) {
        std::shared_ptr<const RouteChunk> previous;  // too few rows at the end: join the chunk before
        if (!out.empty()) {
            previous = std::move(out.back());
            out.pop_back();
            std::vector<Row> joined;
            joined.reserve(previous->size() + pending.size());
            for (std::size_t i = 0; i < previous->size(); ++i) joined.push_back(row_of(*previous, i));
            joined.insert(joined.end(), pending.begin(), pending.end());
            pending = std::move(joined);
        }
        cut(pending, sizes.max, sizes.target, generation, out);
    }
    return assemble(std::make_shared<RouteTable>(version, generation), std::move(out));
}

std::shared_ptr<RouteTable> RouteTableBuilder::split(const RouteTable& t, std::size_t i, std::string_view key,
                                                     std::uint64_t generation) {
    Edit edit(t);
    const auto [c, offset] = t.locate(i);
    std::vector<Row>& rows = edit.rows(c);
    const Row parent = rows[offset];
    const Row left{0, parent.start, key, parent.group_id, RouteState::active, nullptr, nullptr};
    const Row right{0, key, parent.end, parent.group_id, RouteState::active, nullptr, nullptr};
    rows[offset] = left;
    rows.insert(rows.begin() + static_cast<std::ptrdiff_t>(offset) + 1, right);
    return edit.finish(t.version_, generation);
}

boost::system::error_code RouteTableBuilder::check_order_near_new_chunks(const RouteTable& t) {
    const auto& chunks = t.layout_.chunks;
    auto is_new = [&](std::size_t c) { return chunks[c]->built_for == t.generation_; };
    auto across = [&](std::size_t c) {  // the last route of chunk c and the first of chunk c + 1
        const RouteChunk& prev = *chunks[c];
        return pair_error(prev.start(prev.size() - 1), prev.end(prev.size() - 1), chunks[c + 1]->start(0));
    };
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        if (!is_new(c)) continue;
        if (c > 0)
            if (auto ec = across(c - 1)) return ec;
        const RouteChunk& chunk = *chunks[c];
        for (std::size_t i = 1; i < chunk.size(); ++i)
            if (auto ec = pair_error(chunk.start(i - 1), chunk.end(i - 1), chunk.start(i))) return ec;
        if (c + 1 < chunks.size() && !is_new(c + 1))
            if (auto ec = across(c)) return ec;
    }
    return {};
}

}  // namespace routecat::detail
