#include "routecat/admin/router.hpp"

#include "admin/browser_guard.hpp"
#include "admin/handlers.hpp"
#include "admin/ui_handlers.hpp"
#include "routecat/json/route_json.hpp"
#include "routecat/admin/responses.hpp"
#include "routecat/error.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <array>

namespace routecat::admin {

namespace asio = boost::asio;
namespace http = boost::beast::http;

http::status status_for(const boost::system::error_code& ec) {
    if (ec.category() != error_category()) return http::status::internal_server_error;
    switch (static_cast<errc>(ec.value())) {
        case errc::bad_request:
        case errc::too_many_keys:
        case errc::catalog_delta_limit_invalid:
        case errc::split_key_at_boundary:
        case errc::invalid_split_key:
            return http::status::bad_request;
        case errc::catalog_version_mismatch:
        case errc::engine_snapshot_version_stale:
        case errc::engine_snapshot_ahead_of_catalog:
        case errc::engine_snapshot_mismatch:
        case errc::catalog_delta_version_future:
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
        case errc::read_ts_compacted:
        case errc::commit_outcome_unknown:
            return http::status::service_unavailable;
        case errc::store_request_too_large:
            return http::status::payload_too_large;
        default:
            return http::status::internal_server_error;
    }
}

namespace {

using HandlerFn = asio::awaitable<Reply> (*)(handlers::Call);
using QuickFn = Reply (*)(handlers::Call);  // a handler that never waits

// Who may call an endpoint, decided per endpoint (not per method): reads are open, mutations need
// the token when one is configured.
enum class Access { read, mutation };

// Exactly one of handler and quick is set.
struct Endpoint {
    std::string_view path;
    http::verb method;
    HandlerFn handler;
    QuickFn quick;
    Access access;
};

Reply get_healthz(handlers::Call call) {
    return json_response(call.req, http::status::ok, boost::json::object{{"status", "ok"}});
}

asio::awaitable<Reply> get_readyz(handlers::Call call) {
    const AdminContext& ctx = call.ctx;
    if (ctx.loader) {
        const auto load = ctx.loader->status();
        if (load.state == CatalogLoader::State::loading)
            co_return json_error(call.req, http::status::service_unavailable, "not_synced",
                                 load.last_error.empty() ? "loading the catalog"
                                                         : "the catalog is not loaded yet: " + load.last_error);
        if (load.state == CatalogLoader::State::invalid)
            co_return json_error(call.req, http::status::service_unavailable, "catalog_invalid",
                                 "the stored catalog cannot be loaded: " + load.last_error +
                                     " (PUT /v1/catalog with a valid table repairs it)");
    }
    if (ctx.watcher) {
        const auto status = ctx.watcher->status();
        if (status.last_sync && !status.running)  // synced once, then stopped: the engine no longer follows
            co_return json_error(call.req, http::status::service_unavailable, "store_unavailable",
                                 "catalog watcher is not running");
        if (!status.last_sync)
            co_return json_error(call.req, http::status::service_unavailable, "not_synced",
                                 status.last_error.empty() ? "engine not synced yet" : status.last_error);
        if (status.consecutive_failures > 0)
            co_return json_error(call.req, http::status::service_unavailable, "store_unavailable", status.last_error);
    } else {
        co_await ctx.catalog.version();  // throws when the store is unreachable
    }
    boost::json::object body{{"status", "ready"}, {"version", ctx.engine ? ctx.engine->version() : 0}};
    co_return json_response(call.req, http::status::ok, body);
}

Reply get_metrics(handlers::Call call) {
    if (!call.ctx.metrics) return json_error(call.req, http::status::not_found, "not_found", "metrics are not enabled");
    Response res{http::status::ok, call.req.version()};
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.keep_alive(call.req.keep_alive());
    res.body() = call.ctx.metrics->render(call.ctx);
    res.prepare_payload();
    return res;
}

// The API table of DESIGN.md; a path listed with other methods answers 405 with Allow.
constexpr std::array<Endpoint, 17> kEndpoints{{
    {"/healthz", http::verb::get, nullptr, get_healthz, Access::read},
    {"/readyz", http::verb::get, get_readyz, nullptr, Access::read},
    {"/v1/routes", http::verb::get, handlers::get_routes, nullptr, Access::read},
    {"/v1/routes/lookup", http::verb::get, nullptr, handlers::get_lookup, Access::read},
    {"/v1/routes/lookup", http::verb::post, nullptr, handlers::post_lookup, Access::read},  // a batch: a read
    {"/v1/routes/intersect", http::verb::get, nullptr, handlers::get_intersect, Access::read},
    {"/v1/routes/access", http::verb::post, handlers::post_access, nullptr, Access::mutation},
    {"/v1/stats", http::verb::get, nullptr, handlers::get_stats, Access::read},
    {"/v1/keyviz", http::verb::get, nullptr, handlers::get_keyviz, Access::read},
    {"/v1/catalog", http::verb::get, handlers::get_catalog, nullptr, Access::read},
    {"/v1/catalog", http::verb::put, handlers::put_catalog, nullptr, Access::mutation},
    {"/v1/catalog", http::verb::patch, handlers::patch_catalog, nullptr, Access::mutation},
    {"/v1/catalog/changes", http::verb::get, handlers::get_changes, nullptr, Access::read},
    {"/v1/catalog/changes/stream", http::verb::get, handlers::get_changes_stream, nullptr, Access::read},
    {"/v1/catalog/split", http::verb::post, handlers::post_split, nullptr, Access::mutation},
    {"/v1/engine/snapshot", http::verb::post, handlers::post_engine_snapshot, nullptr, Access::mutation},
    {"/metrics", http::verb::get, nullptr, get_metrics, Access::read},
}};

Response error_response(const Request& req, const boost::system::system_error& e) {
    const auto name = error_name(e.code());
    if (name.empty())  // a foreign error (I/O, timeout) from the store: unreachable
        return json_error(req, http::status::service_unavailable, "store_unavailable", e.what());
    return json_error(req, status_for(e.code()), name, e.what());
}

// Compares a presented token with the configured one in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const std::size_t n = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const auto y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

bool authorized(const AdminContext& ctx, const Request& req) {
    if (!ctx.options.token) return true;
    const auto header = req[http::field::authorization];
    constexpr std::string_view kBearer = "Bearer ";
    if (header.size() < kBearer.size() || !boost::beast::iequals(header.substr(0, kBearer.size()), kBearer))
        return false;
    return constant_time_equal(header.substr(kBearer.size()), *ctx.options.token);
}

// The Access-Control-Allow-Origin value for this request's Origin, if that origin is allowed.
std::optional<std::string> allowed_origin(const AdminContext& ctx, const Request& req) {
    const auto origin = req[http::field::origin];
    if (origin.empty()) return std::nullopt;
    for (const auto& allowed : ctx.options.cors_origins) {
        if (allowed == "*") return std::string("*");
        if (allowed == origin) return std::string(origin);
    }
    return std::nullopt;
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

// Whom the API answers (browser_guard.hpp): a Host naming this server on every endpoint but the
// health checks, an Origin that is this server or invited. The response to refuse with, if any.
std::optional<Response> refusal(const AdminContext& ctx, const Request& req, std::string_view path) {
    if (path != "/healthz" && path != "/readyz") {
        const auto host_header = req.find(http::field::host);
        if (host_header == req.end()) {
            if (req.version() >= 11)
                return json_error(req, http::status::bad_request, "bad_request", "an HTTP/1.1 request needs a Host header");
        } else if (const auto host = guard::host_of(host_header->value()); !host || !guard::host_allowed(ctx.options, *host)) {
            return json_error(req, http::status::misdirected_request, "misdirected_request",
                              "this server does not answer for host \"" + std::string(host_header->value()) +
                                  "\" (add it to admin.allowed_hosts)");
        }
    }
    if (!guard::origin_allowed(ctx.options, req))
        return json_error(req, http::status::forbidden, "forbidden_origin",
                          "origin " + std::string(req[http::field::origin]) + " is not allowed (admin.cors_origins)");
    return std::nullopt;
}

// What the router decides before any handler runs: the answer already (a refusal, a preflight, an
// unknown endpoint, a file of the web console), or the endpoint and the query it is called with (a
// view into req's target).
struct Routed {
    Routed(Response early) : answer(Reply(std::move(early))) {}  // a refusal, or a console file
    Routed(const Endpoint* e, boost::urls::params_view p) : endpoint(e), params(p) {}

    std::optional<Reply> answer;
    const Endpoint* endpoint = nullptr;
    boost::urls::params_view params;
};

Routed route(const AdminContext& ctx, const Request& req) {
    auto target = boost::urls::parse_origin_form(req.target());
    if (!target) return json_error(req, http::status::bad_request, "bad_request", "malformed request target");
    const std::string path(target->path());
    if (auto refused = refusal(ctx, req, path)) return std::move(*refused);
    if (ui::is_console_path(path)) return ui::answer(req, path);  // the web console: files, never waits
    // The engine's table before the catalog has loaded is a placeholder: nobody may route by it.
    if (path.starts_with("/v1/routes") && ctx.loader && ctx.loader->status().state != CatalogLoader::State::loaded)
        return json_error(req, http::status::service_unavailable, "not_synced",
                             "the catalog is not loaded yet (GET /readyz says why)");

    const Endpoint* endpoint = nullptr;
    for (const auto& e : kEndpoints)
        if (e.path == path && e.method == req.method() && (e.handler || e.quick)) endpoint = &e;
    if (!endpoint) {
        const std::string allow = allowed_methods(path);
        if (allow.empty())
            return json_error(req, http::status::not_found, "not_found", "no such endpoint: " + path);
        if (req.method() == http::verb::options) {  // CORS preflight
            Response res{http::status::no_content, req.version()};
            res.keep_alive(req.keep_alive());
            res.set(http::field::allow, allow);
            res.set(http::field::access_control_allow_methods, allow);
            res.set(http::field::access_control_allow_headers, "Authorization, Content-Type, If-None-Match");
            res.set(http::field::access_control_max_age, "600");
            res.prepare_payload();
            return res;
        }
        auto res = json_error(req, http::status::method_not_allowed, "method_not_allowed",
                              std::string(req.method_string()) + " is not allowed here; allowed: " + allow);
        res.set(http::field::allow, allow);
        return res;
    }
    if (endpoint->access == Access::mutation && !authorized(ctx, req)) {
        auto res = json_error(req, http::status::unauthorized, "unauthorized",
                              "this endpoint needs Authorization: Bearer <token>");
        res.set(http::field::www_authenticate, "Bearer realm=\"routecat\"");
        return res;
    }
    // No cross-site "simple request" (text/plain, forms) reaches a handler that reads a body.
    if (endpoint->method != http::verb::get && !guard::json_body(req))
        return json_error(req, http::status::unsupported_media_type, "unsupported_media_type",
                             "a request body must be Content-Type: application/json");

    return Routed(endpoint, target->params());
}

Reply answer_quick(const handlers::Call& call, QuickFn quick) {
    try {
        return quick(call);
    } catch (const boost::system::system_error& e) {
        return error_response(call.req, e);
    }
}

asio::awaitable<Reply> dispatch(const AdminContext& ctx, const Request& req) {
    Routed routed = route(ctx, req);
    if (routed.answer) co_return std::move(*routed.answer);
    const handlers::Call call{ctx, req, routed.params};  // (not braced inside co_await: README, g++ 12)
    if (routed.endpoint->quick) co_return answer_quick(call, routed.endpoint->quick);
    try {
        co_return co_await routed.endpoint->handler(call);
    } catch (const boost::system::system_error& e) {
        co_return error_response(req, e);
    }
}

// The endpoint label of a request: its API path, or "other"; methods Beast does not know are
// "other" too, so labels stay few whatever clients send.
std::string_view endpoint_label(const Request& req) {
    std::string_view target = req.target();
    target = target.substr(0, target.find('?'));
    for (const auto& e : kEndpoints)
        if (e.path == target) return e.path;
    if (ui::is_console_path(target)) return "/ui/";  // the console's files and redirects
    return "other";
}

// Metrics and CORS headers of every answer, however it was produced.
void finish(const AdminContext& ctx, const Request& req, Reply& reply, std::chrono::steady_clock::time_point started) {
    Response& res = reply.response;
    if (ctx.metrics)
        ctx.metrics->observe_request(endpoint_label(req),
                                     req.method() == http::verb::unknown ? "other" : req.method_string(),
                                     res.result_int(), std::chrono::steady_clock::now() - started);
    if (auto origin = allowed_origin(ctx, req)) {
        res.set(http::field::access_control_allow_origin, *origin);
        res.set(http::field::access_control_expose_headers, "ETag");
        if (*origin != "*") res.set(http::field::vary, "Origin");
    }
}

}  // namespace


asio::awaitable<Reply> handle_admin_request(const AdminContext& ctx, Request req) {
    const auto started = std::chrono::steady_clock::now();
    Reply reply = co_await dispatch(ctx, req);
    finish(ctx, req, reply, started);
    co_return reply;
}

std::optional<Reply> handle_admin_request_now(const AdminContext& ctx, const Request& req) {
    const auto started = std::chrono::steady_clock::now();
    Routed routed = route(ctx, req);
    if (!routed.answer && !routed.endpoint->quick) return std::nullopt;
    Reply reply = routed.answer ? std::move(*routed.answer)
                                : answer_quick(handlers::Call{ctx, req, routed.params}, routed.endpoint->quick);
    finish(ctx, req, reply, started);
    return reply;
}

}  // namespace routecat::admin
