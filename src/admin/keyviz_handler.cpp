// GET /v1/keyviz: the key visualizer's closed columns (Engine::keyviz_columns), as recorded or
// downsampled into bands of the current table for a heatmap.

#include "admin/handlers.hpp"
#include "admin/query.hpp"
#include "routecat/admin/responses.hpp"
#include "routecat/json/json_writer.hpp"
#include "routecat/json/route_json.hpp"
#include "routecat/keyviz_clock.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace routecat::admin::handlers {

namespace {

namespace http = boost::beast::http;

constexpr std::uint64_t kMaxBands = 10'000;

// [start, end) of the request; no end = +inf.
struct KeyRange {
    std::string start;
    std::optional<std::string> end;

    std::optional<std::string_view> end_view() const {
        if (!end) return std::nullopt;
        return std::string_view(*end);
    }
    bool intersects(std::string_view row_start, std::optional<std::string_view> row_end) const {
        return (!row_end || *row_end > start) && (!end || row_start < *end);
    }
};

// The table's routes in [start, end) (positions hits) cut into at most max_bands bands of
// per_band consecutive routes (the last may hold fewer).
struct Bands {
    std::vector<std::size_t> hits;
    std::size_t per_band = 1;
    std::vector<std::string_view> starts;  // of each band's first route

    Bands(const RouteTable& t, const KeyRange& range, std::uint64_t max_bands)
        : hits(t.intersecting(range.start, range.end_view())) {
        per_band = std::max<std::size_t>(1, (hits.size() + max_bands - 1) / max_bands);
        for (std::size_t i = 0; i < hits.size(); i += per_band) starts.push_back(t.start(hits[i]));
    }
    std::size_t size() const { return starts.size(); }
};

void write_band(JsonWriter& w, const RouteTable& t, const Bands& bands, std::size_t b) {
    const std::vector<std::size_t>& hits = bands.hits;
    const std::size_t from = b * bands.per_band, to = std::min(hits.size(), from + bands.per_band);
    const RouteTable::Ref first = t.at(hits[from]);
    std::uint64_t group = first.group_id(), load = 0;
    std::optional<RouteState> state = first.state();
    for (std::size_t k = from; k < to; ++k) {
        const RouteTable::Ref r = t.at(hits[k]);
        if (r.group_id() != group) group = 0;
        if (state && r.state() != *state) state.reset();
        load += r.load().load(std::memory_order_relaxed);
    }
    w.begin_object();
    write_key_members(w, "start", first.start());
    write_key_members(w, "end", t.at(hits[to - 1]).end());
    w.key("routes").number(to - from);
    w.key("route_id").number(first.route_id());
    w.key("group_id").number(group);
    w.key("state").string(state ? to_string(*state) : "mixed");
    w.key("load").number(load);
    w.end_object();
}

void write_row(JsonWriter& w, const KeyVizRow& r) {
    w.begin_object();
    w.key("route_id").number(r.route_id);
    w.key("raft_group_id").number(r.raft_group_id);
    write_key_members(w, "start", r.start);
    write_key_members(w, "end", r.end);
    w.key("aggregate").boolean(r.aggregate);
    w.key("sub_bucket").number(r.sub_bucket);
    w.key("sub_bucket_count").number(r.sub_bucket_count);
    w.key("reads").number(r.reads);
    w.key("writes").number(r.writes);
    w.key("read_bytes").number(r.read_bytes);
    w.key("write_bytes").number(r.write_bytes);
    w.end_object();
}

struct Cell {
    std::uint64_t reads = 0, writes = 0, read_bytes = 0, write_bytes = 0;
};

// A column's rows summed per band: a row counts in the band holding its start (or the first band
// when it starts before the range). Rows come in key order, so bands do too.
void write_banded_rows(JsonWriter& w, const KeyVizColumn& column, const KeyRange& range,
                       const std::vector<std::string_view>& band_starts) {
    w.begin_array();
    if (band_starts.empty()) {  // no route in the range
        w.end_array();
        return;
    }
    std::optional<std::size_t> band;
    Cell cell;
    auto flush = [&] {
        if (!band) return;
        w.begin_object();
        w.key("band").number(*band);
        w.key("reads").number(cell.reads);
        w.key("writes").number(cell.writes);
        w.key("read_bytes").number(cell.read_bytes);
        w.key("write_bytes").number(cell.write_bytes);
        w.end_object();
    };
    for (const KeyVizRow& r : column.rows) {
        if (!range.intersects(r.start, r.end)) continue;
        const auto after = std::upper_bound(band_starts.begin(), band_starts.end(), r.start);
        const std::size_t b = after == band_starts.begin() ? 0 : static_cast<std::size_t>(after - band_starts.begin()) - 1;
        if (band != b) {
            flush();
            band = b;
            cell = {};
        }
        cell.reads += r.reads;
        cell.writes += r.writes;
        cell.read_bytes += r.read_bytes;
        cell.write_bytes += r.write_bytes;
    }
    flush();
    w.end_array();
}

}  // namespace

// GET /v1/keyviz?from=&to=&rows=&start=&end= (unix ms; rows 1..10000; keys as for intersect).
Reply get_keyviz(Call call) {
    const query::Params params(call.params);
    const std::uint64_t from = params.u64("from").value_or(0);
    const std::uint64_t to = params.u64("to").value_or(std::numeric_limits<std::uint64_t>::max());
    if (to <= from) query::bad_parameter("to", "must be above from");
    const std::optional<std::uint64_t> rows = params.u64("rows");
    if (rows && (*rows == 0 || *rows > kMaxBands)) query::bad_parameter("rows", "must be 1 to 10000");
    KeyRange range{params.key("start").value_or(std::string{}), params.key("end")};
    if (range.end && *range.end <= range.start) query::bad_parameter("end", "must be above start");

    const Engine& engine = *call.ctx.engine;
    const std::shared_ptr<const RouteTable> table = engine.table();
    const auto columns = engine.keyviz_columns(from, to);
    const KeyVizOptions& options = engine.keyviz_options();

    std::string body;
    JsonWriter w(body);
    w.begin_object();
    w.key("column_ms").number(options.column_ms);
    w.key("max_columns").number(options.columns);
    w.key("max_rows_per_column").number(options.max_rows_per_column);
    w.key("now").number(unix_time_ms());
    w.key("version").number(table->version());

    std::optional<Bands> bands;
    if (rows) bands.emplace(*table, range, *rows);
    w.key("columns").begin_array();
    for (const auto& c : columns) {
        w.begin_object();
        w.key("window_start").number(c->window_start);
        w.key("at").number(c->at);
        w.key("rows");
        if (bands) {
            write_banded_rows(w, *c, range, bands->starts);
        } else {
            w.begin_array();
            for (const KeyVizRow& r : c->rows)
                if (range.intersects(r.start, r.end)) write_row(w, r);
            w.end_array();
        }
        w.end_object();
    }
    w.end_array();
    if (bands) {
        w.key("bands").begin_array();
        for (std::size_t b = 0; b < bands->size(); ++b) write_band(w, *table, *bands, b);
        w.end_array();
    }
    w.end_object();
    return json_text_response(call.req, http::status::ok, std::move(body));
}

}  // namespace routecat::admin::handlers
