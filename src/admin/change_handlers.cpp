// The change feed: GET /v1/catalog/changes (pages of deltas, optionally long-polled) and
// GET /v1/catalog/changes/stream (the same as Server-Sent Events). Both read the durable catalog's
// delta log (CatalogStore::changes_since) and wait for news on the engine, which this daemon's
// watcher keeps at the catalog's version, so N waiting clients cost no store reads while idle.

#include "admin/handlers.hpp"
#include "admin/long_poll.hpp"
#include "admin/query.hpp"

#include "routecat/admin/responses.hpp"
#include "routecat/error.hpp"
#include "routecat/json/change_json.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace routecat::admin::handlers {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// `limit`: a positive page size (above kMaxCatalogDeltaBatchSize it is lowered to it, §11.4); zero
// or negative is §11.4's catalog_delta_limit_invalid, anything else not a number is bad_request.
std::int64_t limit_param(const query::Params& params) {
    const auto text = params.get("limit");
    if (!text) return static_cast<std::int64_t>(kDefaultCatalogDeltaBatchSize);
    std::string_view digits = *text;
    const bool negative = digits.starts_with('-');
    if (negative) digits.remove_prefix(1);
    const std::uint64_t n = query::parse_u64("limit", digits);
    if (negative || n == 0) throw_error(errc::catalog_delta_limit_invalid, "limit " + *text);
    return static_cast<std::int64_t>(std::min<std::uint64_t>(n, kMaxCatalogDeltaBatchSize));
}

// The reset's "next_route_id" (a reset is exactly GET /v1/catalog's object), when there is one.
asio::awaitable<std::optional<std::uint64_t>> reset_next_route_id(const CatalogStore& catalog,
                                                                  const CatalogChangeSet& changes) {
    if (!changes.reset) co_return std::nullopt;
    co_return co_await catalog.next_route_id_at(changes.reset->read_ts);
}

// One Server-Sent Event: its type, its id (a catalog version), its data on one line (JSON text
// never holds a raw newline: the writer escapes it inside strings).
template <class WriteData>
std::string sse_event(std::string_view type, std::uint64_t id, WriteData write_data) {
    std::string event = "event: ";
    event += type;
    event += "\nid: ";
    event += std::to_string(id);
    event += "\ndata: ";
    JsonWriter w(event);
    write_data(w);
    event += "\n\n";
    return event;
}

// The stream after its header: everything after `cursor`, then each newer version as it commits,
// until the client goes, a shutdown begins, or a read fails (an "error" event ends the stream; a
// client reconnects with Last-Event-ID and loses nothing).
asio::awaitable<void> follow(AdminContext ctx, std::uint64_t cursor, std::int64_t limit, CatalogChangeSet changes,
                             BodyWriter& out) {
    const std::chrono::milliseconds heartbeat = std::max<std::chrono::milliseconds>(ctx.options.stream_heartbeat, 1ms);
    for (;;) {
        const bool news = changes.reset || !changes.deltas.empty();
        if (changes.reset) {
            const std::optional<std::uint64_t> next_route_id = co_await reset_next_route_id(ctx.catalog, changes);
            const std::string event = sse_event("reset", changes.reset->version,
                                                [&](JsonWriter& w) { write_reset(w, *changes.reset, next_route_id); });
            co_await out.write(event);
            cursor = changes.reset->version;
        }
        for (const auto& delta : changes.deltas) {
            const std::string event = sse_event("delta", delta.version, [&](JsonWriter& w) { write_delta(w, delta); });
            co_await out.write(event);
            cursor = delta.version;
        }
        // Idle (or paging on at once): wait until the engine passes what it held at this read, so an
        // engine ahead of the store cannot spin us; the heartbeat also re-reads the store.
        if (!news || cursor >= changes.version) {
            const std::uint64_t seen = std::max(cursor, ctx.engine->version());
            if (ctx.shutdown && ctx.shutdown->begun()) co_return;
            co_await wait_version_or_timeout(ctx.engine, seen, heartbeat, ctx.shutdown);
            if (ctx.shutdown && ctx.shutdown->begun()) co_return;
            if (ctx.engine->version() <= seen) {
                std::string comment = ": heartbeat\n\n";
                co_await out.write(std::move(comment));
            }
        }
        std::string failure;
        try {
            changes = co_await ctx.catalog.changes_since(cursor, limit);
        } catch (const boost::system::system_error& e) {
            const auto name = error_name(e.code());
            const json::object error = error_body(name.empty() ? "store_unavailable" : name, e.what());
            failure = sse_event("error", cursor, [&](JsonWriter& w) { w.value(error); });
        }
        if (!failure.empty()) {
            co_await out.write(failure);
            co_return;
        }
    }
}

}  // namespace

// GET /v1/catalog/changes?after=V[&limit=N][&timeout=30s]
asio::awaitable<Reply> get_changes(Call call) {
    const AdminContext& ctx = call.ctx;
    const query::Params params(call.params);
    const std::optional<std::uint64_t> after = params.u64("after");
    if (!after) query::bad_parameter("after", "missing (the version you hold; 0 for everything)");
    const std::int64_t limit = limit_param(params);
    const std::chrono::milliseconds cap = std::clamp<std::chrono::milliseconds>(ctx.options.max_long_poll, 0ms, 24h);
    const std::chrono::milliseconds timeout = params.duration("timeout", cap).value_or(0ms);

    CatalogChangeSet changes = co_await ctx.catalog.changes_since(*after, limit);
    const bool shutting_down = ctx.shutdown && ctx.shutdown->begun();
    if (changes.version == *after && timeout > 0ms && !shutting_down) {
        co_await wait_version_or_timeout(ctx.engine, *after, timeout, ctx.shutdown);
        changes = co_await ctx.catalog.changes_since(*after, limit);
    }
    const std::optional<std::uint64_t> next_route_id = co_await reset_next_route_id(ctx.catalog, changes);
    std::string body;
    JsonWriter w(body);
    write_change_set(w, changes, next_route_id);
    co_return json_text_response(call.req, http::status::ok, std::move(body));
}

// GET /v1/catalog/changes/stream[?after=V][&limit=N]; a Last-Event-ID header wins over after.
asio::awaitable<Reply> get_changes_stream(Call call) {
    const AdminContext& ctx = call.ctx;
    const query::Params params(call.params);
    std::optional<std::uint64_t> after = params.u64("after");
    if (const auto last = call.req.find("Last-Event-ID"); last != call.req.end())
        after = query::parse_u64("Last-Event-ID", last->value());
    const std::int64_t limit = limit_param(params);
    if (!after) {
        const CatalogStore::VersionRead current = co_await ctx.catalog.latest_version();
        after = current.version;
    }
    // Read before answering, so a cursor ahead of the catalog is a 409, not a stream that fails.
    CatalogChangeSet changes = co_await ctx.catalog.changes_since(*after, limit);

    Response head{http::status::ok, call.req.version()};
    head.set(http::field::content_type, "text/event-stream; charset=utf-8");
    head.set(http::field::cache_control, "no-cache");
    head.set("X-Accel-Buffering", "no");  // proxies must pass events on as they come
    head.keep_alive(call.req.keep_alive());
    const std::uint64_t cursor = *after;
    // Not a coroutine itself: follow() copies what it needs into its own frame.
    BodyStream body = [ctx, cursor, limit, changes = std::move(changes)](BodyWriter& out) {
        return follow(ctx, cursor, limit, changes, out);
    };
    co_return Reply(std::move(head), std::move(body));
}

}  // namespace routecat::admin::handlers
