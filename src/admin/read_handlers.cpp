#include "admin/handlers.hpp"

#include "routecat/admin/json.hpp"
#include "routecat/admin/responses.hpp"

namespace routecat::admin::handlers {

namespace asio = boost::asio;
namespace http = boost::beast::http;

asio::awaitable<Response> get_catalog(Call call) {
    const CatalogSnapshot snap = co_await call.ctx.catalog.snapshot();
    const std::uint64_t next_route_id = co_await call.ctx.catalog.next_route_id_at(snap.read_ts);
    boost::json::object body = snapshot_to_json(snap);
    body["next_route_id"] = next_route_id;
    co_return json_response(call.req, http::status::ok, body);
}

asio::awaitable<Response> get_routes(Call call) {
    co_return json_error(call.req, http::status::not_implemented, "internal", "not implemented yet");
}
asio::awaitable<Response> get_lookup(Call call) {
    co_return json_error(call.req, http::status::not_implemented, "internal", "not implemented yet");
}
asio::awaitable<Response> get_intersect(Call call) {
    co_return json_error(call.req, http::status::not_implemented, "internal", "not implemented yet");
}
asio::awaitable<Response> get_stats(Call call) {
    co_return json_error(call.req, http::status::not_implemented, "internal", "not implemented yet");
}

}  // namespace routecat::admin::handlers
