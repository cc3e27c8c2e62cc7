#include "routecat/admin/router.hpp"

#include "admin/handlers.hpp"
#include "routecat/admin/json.hpp"
#include "routecat/admin/responses.hpp"
#include "routecat/error.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>

#include <array>

namespace routecat::admin {

namespace asio = boost::asio;
namespace http = boost::beast::http;

http::status status_for(const boost::system::error_code& ec) {
    if (ec.category() != error_category()) return http::status::internal_server_error;
    switch (static_cast<errc>(ec.value())) {
        case errc::bad_request:
        case errc::split_key_at_boundary:
        case errc::invalid_split_key:
            return http::status::bad_request;
        case errc::catalog_version_mismatch:
        case errc::engine_snapshot_version_stale:
            return http::status::conflict;
        case errc::catalog_route_id_required:
        case errc::catalog_group_id_required:
        case errc::catalog_invalid_route_state:
        case errc::catalog_invalid_route_range:
        case errc::catalog_duplicate_route_id:
        case errc::engine_snapshot_duplicate_id:
        case errc::engine_snapshot_route_overlap:
        case errc::engine_snapshot_route_order:
            return http::status::unprocessable_entity;
        case errc::unknown_route:
            return http::status::not_found;
        case errc::store_unavailable:
        case errc::store_locked:
            return http::status::service_unavailable;
        default:
            return http::status::internal_server_error;
    }
}

namespace {

using HandlerFn = asio::awaitable<Response> (*)(handlers::Call);

struct Endpoint {
    std::string_view path;
    http::verb method;
    HandlerFn handler;
};

asio::awaitable<Response> get_healthz(handlers::Call call) {
    co_return json_response(call.req, http::status::ok, boost::json::object{{"status", "ok"}});
}

asio::awaitable<Response> get_readyz(handlers::Call call) {
    const AdminContext& ctx = call.ctx;
    if (ctx.watcher) {
        const auto status = ctx.watcher->status();
        if (!status.last_sync || status.consecutive_failures > 0)
            co_return json_error(call.req, http::status::service_unavailable, "store_unavailable",
                                 status.last_error.empty() ? "engine not synced yet" : status.last_error);
    } else {
        co_await ctx.catalog.version();  // throws when the store is unreachable
    }
    boost::json::object body{{"status", "ready"}, {"version", ctx.engine ? ctx.engine->version() : 0}};
    co_return json_response(call.req, http::status::ok, body);
}

// The API table of DESIGN.md; a path listed with other methods answers 405 with Allow.
constexpr std::array<Endpoint, 12> kEndpoints{{
    {"/healthz", http::verb::get, get_healthz},
    {"/readyz", http::verb::get, get_readyz},
    {"/v1/routes", http::verb::get, handlers::get_routes},
    {"/v1/routes/lookup", http::verb::get, handlers::get_lookup},
    {"/v1/routes/intersect", http::verb::get, handlers::get_intersect},
    {"/v1/routes/access", http::verb::post, handlers::post_access},
    {"/v1/stats", http::verb::get, handlers::get_stats},
    {"/v1/catalog", http::verb::get, handlers::get_catalog},
    {"/v1/catalog", http::verb::put, handlers::put_catalog},
    {"/v1/catalog/split", http::verb::post, handlers::post_split},
    {"/v1/engine/snapshot", http::verb::post, handlers::post_engine_snapshot},
    {"/metrics", http::verb::get, nullptr},  // served by the daemon's metrics layer when present
}};

Response error_response(const Request& req, const boost::system::system_error& e) {
    const auto name = error_name(e.code());
    if (name.empty())  // a foreign error (I/O, timeout) from the store: unreachable
        return json_error(req, http::status::service_unavailable, "store_unavailable", e.what());
    return json_error(req, status_for(e.code()), name, e.what());
}

std::string allowed_methods(std::string_view path) {
    std::string allow;
    for (const auto& e : kEndpoints) {
        if (e.path != path) continue;
        if (!allow.empty()) allow += ", ";
        allow += std::string(http::to_string(e.method));
    }
    return allow;
}

}  // namespace

asio::awaitable<Response> handle_admin_request(const AdminContext& ctx, Request req) {
    auto target = boost::urls::parse_origin_form(req.target());
    if (!target) co_return json_error(req, http::status::bad_request, "bad_request", "malformed request target");
    const std::string path(target->path());

    const Endpoint* endpoint = nullptr;
    for (const auto& e : kEndpoints)
        if (e.path == path && e.method == req.method() && e.handler) endpoint = &e;
    if (!endpoint) {
        const std::string allow = allowed_methods(path);
        if (allow.empty())
            co_return json_error(req, http::status::not_found, "not_found", "no such endpoint: " + path);
        auto res = json_error(req, http::status::method_not_allowed, "method_not_allowed",
                              std::string(req.method_string()) + " is not allowed here; allowed: " + allow);
        res.set(http::field::allow, allow);
        co_return res;
    }

    try {
        co_return co_await endpoint->handler(handlers::Call{ctx, req, target->params()});
    } catch (const boost::system::system_error& e) {
        co_return error_response(req, e);
    }
}

}  // namespace routecat::admin
