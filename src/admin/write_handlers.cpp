// The admin API's mutations (DESIGN.md "Admin HTTP API"): PUT and PATCH /v1/catalog,
// POST /v1/catalog/split, POST /v1/routes/access, POST /v1/engine/snapshot.
//
// Every body must be one JSON object with only the endpoint's fields. Anything that does not parse
// into the request throws errc::bad_request with "<field>: <what>" (400); the spec's validation
// errors keep their codes (422 through status_for); a version mismatch answers 409 and carries the
// catalog's current version. Bodies are checked completely before anything is written.

#include "admin/handlers.hpp"
#include "admin/request_body.hpp"

#include "routecat/admin/responses.hpp"
#include "routecat/base64.hpp"
#include "routecat/catalog/catalog_writes.hpp"
#include "routecat/error.hpp"
#include "routecat/json/route_json.hpp"

#include <boost/json/parse.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace routecat::admin::handlers {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

// Most keys one POST /v1/routes/access may report.
constexpr std::size_t kMaxAccessKeys = 10'000;

[[noreturn]] void bad(const std::string& what) { throw_error(errc::bad_request, what); }

std::uint64_t to_u64(const json::value& v, std::string_view path) {
    std::string error;
    auto n = u64_from_json(v, path, error);
    if (!n) bad(error);
    return *n;
}

std::uint64_t required_u64(const json::object& o, std::string_view field) {
    const json::value* p = o.if_contains(field);
    if (!p) bad(std::string(field) + ": required");
    return to_u64(*p, field);
}

const json::array& required_array(const json::object& o, std::string_view field) {
    const json::value* p = o.if_contains(field);
    if (!p) bad(std::string(field) + ": required");
    if (!p->is_array()) bad(std::string(field) + ": expected an array");
    return p->get_array();
}

std::vector<RouteDescriptor> routes_from(const json::array& a, std::string_view field) {
    std::vector<RouteDescriptor> routes;
    routes.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::string error;
        auto r = route_from_json(a[i], true, error, element_path(field, i));
        if (!r) bad(error);
        routes.push_back(std::move(*r));
    }
    return routes;
}

// PATCH's route ids to delete: each a u64 (a negative, fractional or too large number is 400).
std::vector<std::uint64_t> ids_from(const json::array& a, std::string_view field) {
    std::vector<std::uint64_t> ids;
    ids.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) ids.push_back(to_u64(a[i], element_path(field, i)));
    return ids;
}

// A key given either as base64 (b64_field) or literally as text (text_field): exactly one of them.
std::string one_key(const json::object& o, std::string_view b64_field, std::string_view text_field) {
    const json::value* b64 = o.if_contains(b64_field);
    const json::value* text = o.if_contains(text_field);
    if (b64 && text) bad(std::string(b64_field) + ", " + std::string(text_field) + ": give exactly one");
    if (!b64 && !text) bad(std::string(b64_field) + ": required (or " + std::string(text_field) + ")");
    if (b64) {
        if (!b64->is_string()) bad(std::string(b64_field) + ": expected a base64 string");
        auto bytes = base64_decode(std::string_view(b64->get_string()));
        if (!bytes) bad(std::string(b64_field) + ": invalid base64");
        return std::move(*bytes);
    }
    if (!text->is_string()) bad(std::string(text_field) + ": expected a string");
    return std::string(text->get_string());
}

Engine& checked_engine(const AdminContext& ctx) {
    if (!ctx.engine) throw_error(errc::engine_required);
    return *ctx.engine;
}

// A catalog write's 409: the mismatch, plus the catalog's current version when it could be read.
Response conflict_response(const Call& call, const WriteConflict& conflict) {
    json::object extra;
    if (conflict.current_version) extra["current_version"] = *conflict.current_version;
    const auto code = make_error_code(errc::catalog_version_mismatch);
    return json_error(call.req, status_for(code), error_name(code), conflict.message, std::move(extra));
}

template <class Committed>
void count(const Call& call, const CatalogWrite<Committed>& write) {
    if (call.ctx.metrics) call.ctx.metrics->observe_catalog_write(write.status());
}

}  // namespace

asio::awaitable<Reply> put_catalog(Call call) {
    const json::object body = parse_body(call.req, {"expected_version", "routes"});
    const std::uint64_t expected = required_u64(body, "expected_version");
    std::vector<RouteDescriptor> routes = routes_from(required_array(body, "routes"), "routes");

    // The engine serves the saved version before the reply (read-your-write); one it refuses does not
    // undo the save (the watcher would refuse it too).
    const auto write = co_await save_and_apply(call.ctx.catalog, call.ctx.engine, expected, std::move(routes));
    count(call, write);
    if (write.conflict) co_return conflict_response(call, *write.conflict);

    std::string reply;
    JsonWriter w(reply);
    w.begin_object();
    w.key("version").number(write.committed->version);
    w.key("routes").begin_array();
    for (const auto& r : write.committed->routes) write_route(w, r);
    w.end_array();
    w.end_object();
    co_return json_text_response(call.req, http::status::ok, std::move(reply));
}

asio::awaitable<Reply> patch_catalog(Call call) {
    const json::object body = parse_body(call.req, {"expected_version", "upserts", "deletes"});
    const std::uint64_t expected = required_u64(body, "expected_version");
    std::vector<RouteDescriptor> upserts = routes_from(required_array(body, "upserts"), "upserts");
    std::vector<std::uint64_t> deletes = ids_from(required_array(body, "deletes"), "deletes");

    // As the split: the engine serves the new version (by the change's delta) before the reply.
    const auto write =
        co_await changes_and_apply(call.ctx.catalog, call.ctx.engine, expected, std::move(upserts), std::move(deletes));
    count(call, write);
    if (write.conflict) co_return conflict_response(call, *write.conflict);
    if (!write.engine_error.empty())
        co_return json_error(call.req, http::status::internal_server_error, "internal", write.engine_error);

    std::string reply;
    JsonWriter w(reply);
    w.begin_object();
    w.key("version").number(write.committed->version);
    w.key("upserted").begin_array();
    for (const auto& r : write.committed->upserted) write_route(w, r);
    w.end_array();
    w.key("deleted").begin_array();
    for (std::uint64_t id : write.committed->deleted) w.number(id);
    w.end_array();
    w.end_object();
    co_return json_text_response(call.req, http::status::ok, std::move(reply));
}

asio::awaitable<Reply> post_split(Call call) {
    const json::object body = parse_body(call.req, {"expected_version", "route_id", "split_key", "split_key_text"});
    const std::uint64_t expected = required_u64(body, "expected_version");
    const std::uint64_t route_id = required_u64(body, "route_id");
    std::string split_key = one_key(body, "split_key", "split_key_text");

    const auto write = co_await split_and_apply(call.ctx.catalog, call.ctx.engine, expected, route_id, std::move(split_key));
    count(call, write);
    if (write.conflict) co_return conflict_response(call, *write.conflict);
    if (!write.engine_error.empty())  // committed, but this engine does not serve it (§10.3 step 8)
        co_return json_error(call.req, http::status::internal_server_error, "internal", write.engine_error);

    std::string reply;
    JsonWriter w(reply);
    w.begin_object();
    w.key("version").number(write.committed->version);
    w.key("left");
    write_route(w, write.committed->left);
    w.key("right");
    write_route(w, write.committed->right);
    w.end_object();
    co_return json_text_response(call.req, http::status::ok, std::move(reply));
}

asio::awaitable<Reply> post_access(Call call) {
    const json::object body = parse_body(call.req, {"keys", "keys_text", "kind"});
    // Every key is checked before any is recorded.
    const KeyList list = key_list(body, {"keys", "keys_text"}, kMaxAccessKeys, errc::bad_request);
    AccessKind kind = AccessKind::read;
    if (const json::value* k = body.if_contains("kind")) {
        if (k->is_string() && k->get_string() == "write") kind = AccessKind::write;
        else if (!k->is_string() || k->get_string() != "read")
            throw_error(errc::bad_request, "kind: expected \"read\" or \"write\"");
    }
    Engine& engine = checked_engine(call.ctx);
    for (const auto& k : list.keys) engine.record_access(k, kind);

    json::object reply;
    reply["recorded"] = static_cast<std::uint64_t>(list.keys.size());
    reply["generation"] = engine.generation();
    co_return json_response(call.req, http::status::ok, reply);
}

asio::awaitable<Reply> post_engine_snapshot(Call call) {
    const json::object body = parse_body(call.req, {"version", "routes", "read_ts"});
    CatalogSnapshot snap;
    snap.version = required_u64(body, "version");
    snap.routes = routes_from(required_array(body, "routes"), "routes");
    if (const json::value* p = body.if_contains("read_ts")) snap.read_ts = to_u64(*p, "read_ts");
    Engine& engine = checked_engine(call.ctx);

    json::object reply;
    if (call.ctx.catalog.store()) {
        // Only what the durable catalog holds: the engine never runs ahead of or apart from it.
        reply["version"] = co_await apply_durable_snapshot(call.ctx.catalog, call.ctx.engine, std::move(snap));
    } else {
        std::string context;
        if (auto ec = engine.apply_snapshot(std::move(snap), &context)) throw_error(ec, context);
        reply["version"] = engine.version();
    }
    co_return json_response(call.req, http::status::ok, reply);
}

}  // namespace routecat::admin::handlers
