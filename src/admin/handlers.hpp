#pragma once
// The admin API's endpoint handlers (internal). Each is a pure awaitable function of one request;
// the router (router.cpp) parses the target, checks method and token, and maps thrown errors.

#include "routecat/admin/router.hpp"

#include <boost/url/params_view.hpp>

namespace routecat::admin::handlers {

// One request as a handler sees it. References point into the router's coroutine frame.
struct Call {
    const AdminContext& ctx;
    const Request& req;
    boost::urls::params_view params;
};

// Reads (read_handlers.cpp).
boost::asio::awaitable<Response> get_routes(Call call);     // GET /v1/routes
boost::asio::awaitable<Response> get_lookup(Call call);     // GET /v1/routes/lookup
boost::asio::awaitable<Response> get_intersect(Call call);  // GET /v1/routes/intersect
boost::asio::awaitable<Response> get_stats(Call call);      // GET /v1/stats
boost::asio::awaitable<Response> get_catalog(Call call);    // GET /v1/catalog

// Mutations (write_handlers.cpp).
boost::asio::awaitable<Response> put_catalog(Call call);           // PUT /v1/catalog
boost::asio::awaitable<Response> post_split(Call call);            // POST /v1/catalog/split
boost::asio::awaitable<Response> post_access(Call call);           // POST /v1/routes/access
boost::asio::awaitable<Response> post_engine_snapshot(Call call);  // POST /v1/engine/snapshot

}  // namespace routecat::admin::handlers
