#include "admin/handlers.hpp"

#include "routecat/admin/json.hpp"
#include "routecat/admin/responses.hpp"

namespace routecat::admin::handlers {

namespace asio = boost::asio;
namespace http = boost::beast::http;

asio::awaitable<Response> put_catalog(Call call) {
    co_return json_error(call.req, http::status::not_implemented, "internal", "not implemented yet");
}
asio::awaitable<Response> post_split(Call call) {
    co_return json_error(call.req, http::status::not_implemented, "internal", "not implemented yet");
}
asio::awaitable<Response> post_access(Call call) {
    co_return json_error(call.req, http::status::not_implemented, "internal", "not implemented yet");
}
asio::awaitable<Response> post_engine_snapshot(Call call) {
    co_return json_error(call.req, http::status::not_implemented, "internal", "not implemented yet");
}

}  // namespace routecat::admin::handlers
