#include "routecat/admin/router.hpp"

#include "routecat/admin/json.hpp"
#include "routecat/admin/responses.hpp"
#include "routecat/error.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>

namespace routecat::admin {

namespace asio = boost::asio;
namespace http = boost::beast::http;

http::status status_for(const boost::system::error_code& ec) {
    if (ec.category() != error_category()) return http::status::internal_server_error;
    switch (static_cast<errc>(ec.value())) {
        case errc::bad_request:
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
        case errc::split_key_at_boundary:
        case errc::invalid_split_key:
            return http::status::bad_request;
        case errc::store_unavailable:
        case errc::store_locked:
            return http::status::service_unavailable;
        default:
            return http::status::internal_server_error;
    }
}

namespace {

Response error_response(const Request& req, const boost::system::system_error& e) {
    const auto name = error_name(e.code());
    if (name.empty())  // a foreign error (I/O, timeout) from the store: unreachable
        return json_error(req, http::status::service_unavailable, "store_unavailable", e.what());
    return json_error(req, status_for(e.code()), name, e.what());
}

Response method_not_allowed(const Request& req, std::string_view allow) {
    auto res = json_error(req, http::status::method_not_allowed, "method_not_allowed",
                          std::string(req.method_string()) + " is not allowed here; allowed: " + std::string(allow));
    res.set(http::field::allow, allow);
    return res;
}

asio::awaitable<Response> get_catalog(const AdminContext& ctx, const Request& req) {
    const CatalogSnapshot snap = co_await ctx.catalog.snapshot();
    const std::uint64_t next_route_id = co_await ctx.catalog.next_route_id_at(snap.read_ts);
    boost::json::object body = snapshot_to_json(snap);
    body["next_route_id"] = next_route_id;
    co_return json_response(req, http::status::ok, body);
}

asio::awaitable<Response> get_readyz(const AdminContext& ctx, const Request& req) {
    if (ctx.watcher) {
        const auto status = ctx.watcher->status();
        if (!status.last_sync || status.consecutive_failures > 0)
            co_return json_error(req, http::status::service_unavailable, "store_unavailable",
                                 status.last_error.empty() ? "engine not synced yet" : status.last_error);
    } else {
        co_await ctx.catalog.version();  // throws when the store is unreachable
    }
    boost::json::object body{{"status", "ready"}, {"version", ctx.engine ? ctx.engine->version() : 0}};
    co_return json_response(req, http::status::ok, body);
}

}  // namespace

asio::awaitable<Response> handle_admin_request(const AdminContext& ctx, Request req) {
    auto target = boost::urls::parse_origin_form(req.target());
    if (!target)
        co_return json_error(req, http::status::bad_request, "bad_request", "malformed request target");
    const std::string path = std::string(target->encoded_path());
    const bool get = req.method() == http::verb::get;

    try {
        if (path == "/healthz") {
            if (!get) co_return method_not_allowed(req, "GET");
            co_return json_response(req, http::status::ok, boost::json::object{{"status", "ok"}});
        }
        if (path == "/readyz") {
            if (!get) co_return method_not_allowed(req, "GET");
            co_return co_await get_readyz(ctx, req);
        }
        if (path == "/v1/catalog") {
            if (!get) co_return method_not_allowed(req, "GET");
            co_return co_await get_catalog(ctx, req);
        }
    } catch (const boost::system::system_error& e) {
        co_return error_response(req, e);
    }
    co_return json_error(req, http::status::not_found, "not_found", "no such endpoint: " + path);
}

}  // namespace routecat::admin
