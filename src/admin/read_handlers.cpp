#include "admin/etag.hpp"
#include "admin/handlers.hpp"
#include "admin/long_poll.hpp"
#include "admin/query.hpp"
#include "admin/request_body.hpp"

#include "routecat/base64.hpp"
#include "routecat/json/route_json.hpp"
#include "routecat/admin/responses.hpp"
#include "routecat/error.hpp"
#include "routecat/key_text.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <numeric>

namespace routecat::admin::handlers {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t kDefaultLimit = 1000;
constexpr std::uint64_t kMaxLimit = 10'000;
constexpr std::uint64_t kDefaultTop = 10;
constexpr std::uint64_t kMaxTop = 1000;
constexpr std::chrono::milliseconds kDefaultLongPoll = 30s;
constexpr std::size_t kMaxLookupKeys = 10'000;

void write_route_at(JsonWriter& w, const RouteTable& t, std::size_t i) {
    write_route(w, t, i, t.at(i).load().load(std::memory_order_relaxed));
}

// ---- GET /v1/routes paging cursor -------------------------------------------------------------
//
// A cursor names the last route a page returned by its position in key order, not by its index,
// so it stays meaningful when the table changes between pages (snapshots applied, routes added,
// hot routes split): "1.<k>.<base64url(start), unpadded>", where start is that route's start key
// and k (>= 1) says it was the k-th of the routes sharing that start (tables built from a catalog
// have distinct starts, so k is 1 there; update_route may add equal starts, always after the
// existing ones, so earlier ones keep their k). The next page resumes after the k-th route with
// that start, or at the first route whose start is greater. Routes added before the cursor in
// key order are not revisited; routes after it appear on later pages. "1." is the format version.
struct Cursor {
    std::string start;
    std::uint64_t rank = 1;
};

std::string encode_cursor(const RouteTable& t, std::size_t i) {
    const std::string_view start = t.start(i);
    std::size_t first = i;
    while (first > 0 && t.start(first - 1) == start) --first;
    return "1." + std::to_string(i - first + 1) + "." + query::base64url_encode(start);
}

Cursor decode_cursor(std::string_view text) {
    constexpr std::string_view kWhat = "invalid cursor (pass the \"next\" of the previous page)";
    if (text.substr(0, 2) != "1.") query::bad_parameter("after", kWhat);
    text.remove_prefix(2);
    const auto dot = text.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot > 20) query::bad_parameter("after", kWhat);
    const std::string_view rank_text = text.substr(0, dot);
    if (!std::all_of(rank_text.begin(), rank_text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        rank_text.front() == '0')
        query::bad_parameter("after", kWhat);
    Cursor c;
    c.rank = query::parse_u64("after", rank_text);
    auto start = query::base64url_decode(text.substr(dot + 1));
    if (!start) query::bad_parameter("after", kWhat);
    c.start = std::move(*start);
    return c;
}

// The index the page after cursor starts at.
std::size_t resume_index(const RouteTable& t, const Cursor& c) {
    const auto floor = t.floor_index(c.start);  // the last route with start <= cursor start
    if (!floor) return 0;
    if (t.start(*floor) != c.start) return *floor + 1;
    std::size_t first = *floor;
    while (first > 0 && t.start(first - 1) == c.start) --first;
    const std::size_t run = *floor - first + 1;
    return first + static_cast<std::size_t>(std::min<std::uint64_t>(c.rank, run));
}

// ---- ETag / If-None-Match ---------------------------------------------------------------------

std::string etag_of(const RouteTable& t) {
    return "\"" + std::to_string(t.version()) + "." + std::to_string(t.generation()) + "\"";
}

std::optional<RouteState> state_param(const query::Params& params) {
    auto text = params.get("state");
    if (!text) return std::nullopt;
    auto state = route_state_from_string(*text);
    if (!state)
        query::bad_parameter("state", "unknown route state (expected active, write_fenced, migrating_source or "
                                      "migrating_target)");
    return state;
}

std::string rfc3339_utc_ms(std::chrono::system_clock::time_point tp) {
    using namespace std::chrono;
    const auto ms = floor<milliseconds>(tp);
    const auto day = floor<days>(ms);
    const year_month_day ymd{day};
    const hh_mm_ss hms{ms - day};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
    return buf;
}

json::value watcher_json(const CatalogWatcher* watcher) {
    if (!watcher) return nullptr;
    const CatalogWatcherStatus s = watcher->status();
    json::object o;
    o["running"] = s.running;
    o["syncs"] = json::value(s.syncs);
    o["failures"] = json::value(s.failures);
    o["consecutive_failures"] = json::value(s.consecutive_failures);
    o["last_applied_version"] = json::value(s.last_applied_version);
    o["last_read_ts"] = json::value(s.last_read_ts);
    if (s.last_sync)
        o["last_sync"] = rfc3339_utc_ms(*s.last_sync);
    else
        o["last_sync"] = nullptr;
    if (s.last_error.empty())
        o["last_error"] = nullptr;
    else
        o["last_error"] = s.last_error;
    return o;
}

}  // namespace

asio::awaitable<Reply> get_catalog(Call call) {
    const CatalogSnapshot snap = co_await call.ctx.catalog.snapshot();
    const std::uint64_t next_route_id = co_await call.ctx.catalog.next_route_id_at(snap.read_ts);
    std::string body;
    JsonWriter w(body);
    w.begin_object();
    write_snapshot_fields(w, snap);
    w.key("next_route_id").number(next_route_id);
    w.end_object();
    co_return json_text_response(call.req, http::status::ok, std::move(body));
}

// GET /v1/routes[?limit=&after=&group_id=&state=&wait_version=&timeout=]
asio::awaitable<Reply> get_routes(Call call) {
    const AdminContext& ctx = call.ctx;
    const query::Params params(call.params);

    // Every parameter is checked before any waiting.
    const std::uint64_t limit = params.u64("limit").value_or(kDefaultLimit);
    if (limit == 0 || limit > kMaxLimit) query::bad_parameter("limit", "must be between 1 and 10000");
    std::optional<Cursor> after;
    if (auto text = params.get("after")) after = decode_cursor(*text);
    const std::optional<std::uint64_t> group_filter = params.u64("group_id");
    const std::optional<RouteState> state_filter = state_param(params);
    const std::optional<std::uint64_t> wait_version = params.u64("wait_version");
    const std::chrono::milliseconds cap = std::clamp<std::chrono::milliseconds>(ctx.options.max_long_poll, 0ms, 24h);
    const std::chrono::milliseconds timeout = params.duration("timeout", cap).value_or(std::min(kDefaultLongPoll, cap));
    const auto if_none_match = call.req.find(http::field::if_none_match);
    const bool conditional = if_none_match != call.req.end();

    const bool shutting_down = ctx.shutdown && ctx.shutdown->begun();
    if (wait_version && ctx.engine->version() <= *wait_version && timeout > 0ms && !shutting_down)
        co_await wait_version_or_timeout(ctx.engine, *wait_version, timeout, ctx.shutdown);

    // One table for the whole answer: version, generation, count and page agree.
    const std::shared_ptr<const RouteTable> table = ctx.engine->table();
    const RouteTable& t = *table;
    const std::string entity_tag = etag_of(t);
    if (conditional && etag::none_match(if_none_match->value(), entity_tag))
        co_return etag::not_modified(call.req, entity_tag);

    auto matches = [&](std::size_t i) {
        return (!group_filter || t.group_id(i) == *group_filter) && (!state_filter || t.state(i) == *state_filter);
    };
    const bool filtered = group_filter || state_filter;

    std::uint64_t count = t.size();
    if (filtered) {
        count = 0;
        for (std::size_t i = 0; i < t.size(); ++i) count += matches(i) ? 1 : 0;
    }

    std::string body;
    JsonWriter w(body);
    w.begin_object();
    w.key("version").number(t.version());
    w.key("generation").number(t.generation());
    w.key("count").number(count);
    w.key("routes").begin_array();
    std::uint64_t written = 0;
    std::optional<std::size_t> last;
    bool more = false;
    for (std::size_t i = after ? resume_index(t, *after) : 0; i < t.size(); ++i) {
        if (!matches(i)) continue;
        if (written == limit) {
            more = true;
            break;
        }
        write_route_at(w, t, i);
        ++written;
        last = i;
    }
    w.end_array();
    w.key("next");
    if (more) w.string(encode_cursor(t, *last));
    else w.null();
    w.end_object();
    Response res = json_text_response(call.req, http::status::ok, std::move(body));
    res.set(http::field::etag, entity_tag);
    co_return res;
}

// GET /v1/routes/lookup?key= | key_b64= | key_hex=
Reply get_lookup(Call call) {
    const query::Params params(call.params);
    const std::optional<std::string> key = params.key("key");
    if (!key) query::bad_parameter("key", "missing (give key=, key_b64= or key_hex=)");
    const std::shared_ptr<const RouteTable> table = call.ctx.engine->table();
    const auto route = table->find_ref(*key);
    if (!route) return json_error(call.req, http::status::not_found, "not_found", "no route holds key " + key_to_text(*key));
    std::string body;
    JsonWriter w(body);
    w.begin_object();
    w.key("version").number(table->version());
    w.key("route");
    write_route(w, *route);
    w.end_object();
    return json_text_response(call.req, http::status::ok, std::move(body));
}

// POST /v1/routes/lookup {"keys":[b64...]} (or keys_text, keys_hex): routes[i] is the route
// holding keys[i] or null, every one from the same table (one version).
Reply post_lookup(Call call) {
    const json::object body = parse_body(call.req, {"keys", "keys_text", "keys_hex"});
    const KeyList list = key_list(body, {"keys", "keys_text", "keys_hex"}, kMaxLookupKeys, errc::too_many_keys);
    const std::shared_ptr<const RouteTable> table = call.ctx.engine->table();
    std::string reply;
    JsonWriter w(reply);
    w.begin_object();
    w.key("version").number(table->version());
    w.key("routes").begin_array();
    for (const auto& key : list.keys) {
        if (const auto route = table->find_ref(key)) write_route(w, *route);
        else w.null();
    }
    w.end_array();
    w.end_object();
    return json_text_response(call.req, http::status::ok, std::move(reply));
}

// GET /v1/routes/intersect?start=&end= (each also _b64 / _hex); no start = "", no end = +inf.
Reply get_intersect(Call call) {
    const query::Params params(call.params);
    const std::string start = params.key("start").value_or(std::string{});
    const std::optional<std::string> end = params.key("end");
    const std::shared_ptr<const RouteTable> table = call.ctx.engine->table();
    std::optional<std::string_view> end_view;
    if (end) end_view = *end;
    const std::vector<std::size_t> hits = table->intersecting(start, end_view);
    std::string body;
    JsonWriter w(body);
    w.begin_object();
    w.key("version").number(table->version());
    w.key("routes").begin_array();
    for (std::size_t i : hits) write_route_at(w, *table, i);
    w.end_array();
    w.end_object();
    return json_text_response(call.req, http::status::ok, std::move(body));
}

// GET /v1/stats[?top=N]
Reply get_stats(Call call) {
    const query::Params params(call.params);
    const std::uint64_t top = params.u64("top").value_or(kDefaultTop);
    if (top > kMaxTop) query::bad_parameter("top", "must be at most 1000");

    const std::shared_ptr<const RouteTable> table = call.ctx.engine->table();
    const RouteTable& t = *table;
    // Read every counter once, so "total_load" and "top" agree even while accesses are recorded.
    std::vector<std::uint64_t> loads(t.size());
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        loads[i] = t.load(i).load(std::memory_order_relaxed);
        total = loads[i] > std::numeric_limits<std::uint64_t>::max() - total ? std::numeric_limits<std::uint64_t>::max()
                                                                             : total + loads[i];
    }
    std::vector<std::size_t> order(t.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(top, order.size()));
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
                      [&](std::size_t a, std::size_t b) { return loads[a] != loads[b] ? loads[a] > loads[b] : a < b; });
    std::string body;
    JsonWriter w(body);
    w.begin_object();
    w.key("version").number(t.version());
    w.key("generation").number(t.generation());
    w.key("routes").number(t.size());
    w.key("total_load").number(total);
    w.key("top").begin_array();
    for (std::size_t k = 0; k < n; ++k) write_route(w, t, order[k], loads[order[k]]);
    w.end_array();
    w.key("watcher").value(watcher_json(call.ctx.watcher.get()));
    if (call.ctx.store_kind.empty()) w.key("store").null();
    else w.key("store").string(call.ctx.store_kind);
    w.end_object();
    return json_text_response(call.req, http::status::ok, std::move(body));
}

}  // namespace routecat::admin::handlers
