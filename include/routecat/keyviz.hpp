#pragma once
// The key visualizer's data (spec §14.1's column shape): the engine counts every record_access into
// an open time column; closed columns are kept in a ring of the last KeyVizOptions::columns. A
// dashboard draws them as a heatmap (time across, keys down); §14's load-based split detector reads
// exactly these rows.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace routecat {

// What an access does; both count toward a route's load (§7.6).
enum class AccessKind : std::uint8_t { read, write };

struct KeyVizOptions {
    std::uint64_t column_ms = 10'000;        // one column's time window
    std::size_t columns = 360;               // closed columns kept (an hour at 10 s); 0 = no key visualizer
    std::size_t max_rows_per_column = 1024;  // rows of one column, at most (>= 1)

    friend bool operator==(const KeyVizOptions&, const KeyVizOptions&) = default;
};

// One row of a column (§14.1). A route with traffic has one row, or, when it was busy and its
// sampled keys allow, SubBucketCount rows that partition its range (sub_bucket 0..count-1, never a
// total row beside them). Beyond max_rows_per_column, neighbouring quieter routes merge into
// aggregate rows (route_id = the first merged route's, raft_group_id 0 unless all share one).
// Routes without traffic have no row.
struct KeyVizRow {
    std::uint64_t route_id = 0;
    std::uint64_t raft_group_id = 0;
    std::string_view start;               // views into the column's keys
    std::optional<std::string_view> end;  // none = +inf
    bool aggregate = false;
    std::uint32_t sub_bucket = 0;
    std::uint32_t sub_bucket_count = 1;
    std::uint64_t reads = 0;
    std::uint64_t writes = 0;
    std::uint64_t read_bytes = 0;  // bytes of the keys reported
    std::uint64_t write_bytes = 0;
};

// One closed column: [window_start, at) in unix milliseconds, rows in key order. Immutable once
// made and shared (std::shared_ptr<const KeyVizColumn>); not copied, as its rows view its keys.
struct KeyVizColumn {
    std::uint64_t window_start = 0;
    std::uint64_t at = 0;
    std::vector<KeyVizRow> rows;
    std::string keys;  // every start and end the rows view

    KeyVizColumn() = default;
    KeyVizColumn(const KeyVizColumn&) = delete;
    KeyVizColumn& operator=(const KeyVizColumn&) = delete;
};

}  // namespace routecat
