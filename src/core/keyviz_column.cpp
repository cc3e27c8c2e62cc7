#include "keyviz_column.hpp"

#include <algorithm>
#include <numeric>
#include <unordered_map>

namespace routecat::detail {

namespace {

bool same_route(const KeyVizRoute& a, const KeyVizRoute& b) {
    return a.route_id == b.route_id && a.group_id == b.group_id && a.start == b.start && a.end == b.end;
}

// touched with equal neighbours summed (the same route counted in the table and the spill map).
std::vector<TouchedRoute> merge_equal(std::vector<TouchedRoute> touched) {
    std::vector<TouchedRoute> out;
    out.reserve(touched.size());
    for (auto& t : touched) {
        if (!out.empty() && same_route(out.back().route, t.route)) out.back().counts += t.counts;
        else out.push_back(t);
    }
    return out;
}

// The quantiles of a route's sampled keys that bound its sub-buckets: at most buckets - 1,
// strictly increasing, strictly inside (start, end). keys are sorted.
std::vector<std::string_view> bounds_of(const std::vector<std::string_view>& keys, const KeyVizRoute& route,
                                        std::uint32_t buckets) {
    std::vector<std::string_view> bounds;
    for (std::uint32_t i = 1; i < buckets; ++i) {
        const std::string_view q = keys[i * keys.size() / buckets];
        if (q > route.start && (bounds.empty() || q > bounds.back())) bounds.push_back(q);
    }
    return bounds;
}

// total shared out by weights (largest remainder, ties to the lower index): the parts sum to total.
std::vector<std::uint64_t> share(std::uint64_t total, const std::vector<std::size_t>& weights) {
    const std::size_t sum = std::accumulate(weights.begin(), weights.end(), std::size_t{0});
    std::vector<std::uint64_t> parts(weights.size(), 0);
    if (sum == 0) {
        parts[0] = total;
        return parts;
    }
    std::vector<std::pair<std::uint64_t, std::size_t>> remainders;  // (remainder, index)
    std::uint64_t given = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const unsigned __int128 exact = static_cast<unsigned __int128>(total) * weights[i];
        parts[i] = static_cast<std::uint64_t>(exact / sum);
        given += parts[i];
        remainders.emplace_back(static_cast<std::uint64_t>(exact % sum), i);
    }
    std::stable_sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; given < total; ++k, ++given) ++parts[remainders[k % remainders.size()].second];
    return parts;
}

// A row under construction: views into the sources; copied into the column's keys at the end.
struct PendingRow {
    KeyVizRoute route;
    bool aggregate = false;
    std::uint32_t sub_bucket = 0;
    std::uint32_t sub_bucket_count = 1;
    OpenCounts counts;
};

void add_sub_buckets(std::vector<PendingRow>& rows, const TouchedRoute& t, const std::vector<KeySample>& samples,
                     const std::vector<std::string_view>& bounds) {
    const auto count = static_cast<std::uint32_t>(bounds.size() + 1);
    std::vector<std::size_t> read_weights(count, 0), write_weights(count, 0), all(count, 0);
    for (const auto& s : samples) {
        const auto b = static_cast<std::size_t>(std::upper_bound(bounds.begin(), bounds.end(), s.key) - bounds.begin());
        ++(s.kind == AccessKind::read ? read_weights : write_weights)[b];
        ++all[b];
    }
    // A kind without samples of its own (rare accesses) is shared out like all accesses.
    const auto& by_reads = t.counts.reads > 0 && read_weights == std::vector<std::size_t>(count, 0) ? all : read_weights;
    const auto& by_writes = t.counts.writes > 0 && write_weights == std::vector<std::size_t>(count, 0) ? all : write_weights;
    const auto reads = share(t.counts.reads, by_reads), writes = share(t.counts.writes, by_writes);
    const auto read_bytes = share(t.counts.read_bytes, by_reads), write_bytes = share(t.counts.write_bytes, by_writes);
    for (std::uint32_t b = 0; b < count; ++b) {
        PendingRow row;
        row.route = t.route;
        row.route.start = b == 0 ? t.route.start : bounds[b - 1];
        row.route.end = b + 1 == count ? t.route.end : std::optional<std::string_view>(bounds[b]);
        row.sub_bucket = b;
        row.sub_bucket_count = count;
        row.counts = {reads[b], writes[b], read_bytes[b], write_bytes[b]};
        rows.push_back(row);
    }
}

std::shared_ptr<KeyVizColumn> materialise(const std::vector<PendingRow>& pending) {
    auto column = std::make_shared<KeyVizColumn>();
    std::size_t bytes = 0;
    for (const auto& r : pending) bytes += r.route.start.size() + (r.route.end ? r.route.end->size() : 0);
    column->keys.reserve(bytes);  // no reallocation below: the views stay valid
    column->rows.reserve(pending.size());
    auto keep = [&](std::string_view key) {
        const std::size_t at = column->keys.size();
        column->keys.append(key);
        return std::string_view(column->keys).substr(at, key.size());
    };
    for (const auto& p : pending) {
        KeyVizRow row;
        row.route_id = p.route.route_id;
        row.raft_group_id = p.route.group_id;
        row.start = keep(p.route.start);
        if (p.route.end) row.end = keep(*p.route.end);
        row.aggregate = p.aggregate;
        row.sub_bucket = p.sub_bucket;
        row.sub_bucket_count = p.sub_bucket_count;
        row.reads = p.counts.reads;
        row.writes = p.counts.writes;
        row.read_bytes = p.counts.read_bytes;
        row.write_bytes = p.counts.write_bytes;
        column->rows.push_back(row);
    }
    return column;
}

}  // namespace

std::shared_ptr<KeyVizColumn> build_keyviz_column(std::vector<TouchedRoute> touched,
                                                  const std::vector<KeySample>& samples, std::size_t max_rows) {
    touched = merge_equal(std::move(touched));
    max_rows = std::max<std::size_t>(max_rows, 1);
    const std::size_t n = touched.size();

    // Which routes keep a row of their own: all, or the busiest (ties: the first in key order).
    std::vector<bool> solo(n, n <= max_rows);
    std::vector<std::size_t> busiest(n);
    std::iota(busiest.begin(), busiest.end(), std::size_t{0});
    std::stable_sort(busiest.begin(), busiest.end(),
                     [&](std::size_t a, std::size_t b) { return touched[a].counts.ops() > touched[b].counts.ops(); });
    if (n > max_rows)
        for (std::size_t k = 0; k < (max_rows - 1) / 2; ++k) solo[busiest[k]] = true;

    std::size_t rows = 0;
    for (std::size_t i = 0; i < n; ++i) rows += solo[i] || i == 0 || solo[i - 1];
    std::size_t left = max_rows - std::min(rows, max_rows);

    // Sub-buckets for the busiest solo routes while rows are left.
    std::unordered_map<const RouteCounters*, std::vector<KeySample>> samples_of;
    for (const auto& s : samples) samples_of[s.route].push_back(s);
    std::vector<std::vector<std::string_view>> bounds(n);
    std::vector<std::vector<KeySample>> inside(n);
    for (std::size_t i : busiest) {
        if (left == 0) break;
        if (!solo[i]) continue;
        const auto it = samples_of.find(touched[i].counters);
        if (it == samples_of.end()) continue;
        const KeyVizRoute& route = touched[i].route;
        std::vector<std::string_view> keys;
        for (const auto& s : it->second)
            if (s.key >= route.start && (!route.end || s.key < *route.end)) {
                inside[i].push_back(s);
                keys.push_back(s.key);
            }
        if (keys.size() < KeyVizRing::kMinSamplesForSubBuckets) continue;
        std::sort(keys.begin(), keys.end());
        const auto buckets = static_cast<std::uint32_t>(std::min<std::size_t>(KeyVizRing::kMaxSubBuckets, left + 1));
        bounds[i] = bounds_of(keys, route, buckets);
        left -= bounds[i].size();
    }

    // Rows still left cut the runs of quiet routes into more, shorter aggregates (in proportion
    // to their lengths), so a dashboard sees finer bands.
    std::vector<bool> starts_row(n, false);
    std::vector<std::pair<std::size_t, std::size_t>> runs;  // (first, length)
    std::size_t excess = 0;                                 // routes beyond each run's first
    for (std::size_t i = 0; i < n; ++i) {
        if (solo[i]) continue;
        if (i == 0 || solo[i - 1]) runs.emplace_back(i, 0);
        ++runs.back().second;
        excess += runs.back().second > 1;
    }
    std::vector<std::size_t> pieces(runs.size());
    std::vector<std::pair<std::size_t, std::size_t>> remainders;  // (remainder, run): the rows floor() left
    std::size_t given = 0;
    for (std::size_t r = 0; r < runs.size(); ++r) {
        const std::size_t length = runs[r].second;
        pieces[r] = excess <= left ? length : 1 + (length - 1) * left / excess;
        given += pieces[r] - 1;
        if (excess > left) remainders.emplace_back((length - 1) * left % excess, r);
    }
    std::stable_sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [remainder, r] : remainders) {
        if (given >= left) break;
        if (pieces[r] < runs[r].second) ++pieces[r], ++given;
    }
    for (std::size_t r = 0; r < runs.size(); ++r)
        for (std::size_t p = 0; p < pieces[r]; ++p) starts_row[runs[r].first + p * runs[r].second / pieces[r]] = true;

    std::vector<PendingRow> pending;
    pending.reserve(max_rows);
    for (std::size_t i = 0; i < n; ++i) {
        const TouchedRoute& t = touched[i];
        if (solo[i]) {
            if (bounds[i].empty()) pending.push_back({t.route, false, 0, 1, t.counts});
            else add_sub_buckets(pending, t, inside[i], bounds[i]);
        } else if (starts_row[i]) {
            pending.push_back({t.route, false, 0, 1, t.counts});  // aggregate once a second route joins
        } else {
            PendingRow& agg = pending.back();
            agg.aggregate = true;
            agg.route.end = t.route.end;
            if (agg.route.group_id != t.route.group_id) agg.route.group_id = 0;
            agg.counts += t.counts;
        }
    }
    return materialise(pending);
}

}  // namespace routecat::detail
