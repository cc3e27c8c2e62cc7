#pragma once
// Builds RouteTables (internal to core): whole tables from sorted rows, and edits that rebuild only
// the chunks they touch and share every other chunk with the table they start from.

#include "routecat/route_table.hpp"

#include <boost/system/error_code.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace routecat::detail {

// Chunk sizes for a table of n routes: a fresh build cuts chunks of at most target routes; an edited
// chunk is cut again once it holds more than 2 x target, and one left with fewer than target / 4
// joins a neighbour. The target grows as sqrt(n), and is at least 1024 (tables up to that size are
// one chunk: no top-level search): a change copies O(sqrt(n)) routes of its chunks and O(sqrt(n))
// entries of top index.
struct ChunkSizes {
    std::size_t target;
    std::size_t max;
    std::size_t min;

    static ChunkSizes for_routes(std::size_t n) noexcept;
};

struct RouteTableBuilder {
    // One route while a table is being built; key views point into a source table or descriptors,
    // which must outlive the build.
    struct Row {
        std::uint64_t route_id = 0;
        std::string_view start;
        std::optional<std::string_view> end;
        std::uint64_t group_id = 0;
        RouteState state = RouteState::active;
        RouteCounters* load = nullptr;                // null: fresh counters
        const LoadCounters* counters = nullptr;      // with load: the source chunk's block holding it
    };

    static Row row_of(const RouteChunk& chunk, std::size_t i);
    static Row row_of(const RouteDescriptor& d, std::uint64_t route_id);
    static std::vector<Row> rows_of(const RouteTable& t, std::size_t extra);

    // A table of rows sorted by start. Rows with a load counter name its block (row_of does).
    static std::shared_ptr<RouteTable> build(const std::vector<Row>& rows, std::uint64_t version,
                                             std::uint64_t generation);

    // Changes to a table, chunk by chunk: the chunks touched get working copies of their rows;
    // finish() builds the next table from them and shares every untouched chunk.
    class Edit {
    public:
        explicit Edit(const RouteTable& base) : base_(base) {}

        // The working rows of chunk c of the base table (copied on first touch). On an empty base
        // table, chunk 0 is an empty one.
        std::vector<Row>& rows(std::size_t c);
        // The chunk of the base table a row with this start belongs in.
        std::size_t chunk_for_start(std::string_view start) const noexcept;
        // The position of one of the base table's chunks.
        std::size_t position_of(const RouteChunk* chunk) const noexcept;
        // Inserts row after every row with an equal start.
        void insert(const Row& row);

        // The edited table. Touched chunks are rebuilt (cut when too big, joined with a neighbour
        // when too small); chunks built here carry built_for == generation.
        std::shared_ptr<RouteTable> finish(std::uint64_t version, std::uint64_t generation);

    private:
        const RouteTable& base_;
        std::map<std::size_t, std::vector<Row>> touched_;
    };

    // Route i of t replaced by [start, key) and [key, end): ephemeral, Active, the parent's group,
    // fresh counters. Only the chunk of route i is rebuilt.
    static std::shared_ptr<RouteTable> split(const RouteTable& t, std::size_t i, std::string_view key,
                                             std::uint64_t generation);

    // §7.8's order check over the routes of the chunks of t built for its generation and their
    // neighbours: the first violation in table order, as a check of the whole table would find it
    // when every other pair of neighbours is known to be in order.
    static boost::system::error_code check_order_near_new_chunks(const RouteTable& t);

    static RouteTableLayout& layout(RouteTable& t) noexcept { return t.layout_; }
    static const RouteTableLayout& layout(const RouteTable& t) noexcept { return t.layout_; }
};

}  // namespace routecat::detail
