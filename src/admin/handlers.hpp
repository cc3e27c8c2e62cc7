#pragma once
// The admin API's endpoint handlers (internal). Each is a pure function of one request (awaitable
// when it may wait); the router (router.cpp) parses the target, checks method and token, and maps
// thrown errors.

#include "routecat/admin/router.hpp"

#include <boost/url/params_view.hpp>

namespace routecat::admin::handlers {

// One request as a handler sees it. References point into the router's coroutine frame.
struct Call {
    const AdminContext& ctx;
    const Request& req;
    boost::urls::params_view params;
};

// Reads (read_handlers.cpp). Those that never wait are plain functions: the router answers them
// without a coroutine (handle_admin_request_now).
boost::asio::awaitable<Reply> get_routes(Call call);   // GET /v1/routes (may long-poll)
Reply get_lookup(Call call);                           // GET /v1/routes/lookup
Reply post_lookup(Call call);                          // POST /v1/routes/lookup (a batch)
Reply get_intersect(Call call);                        // GET /v1/routes/intersect
Reply get_stats(Call call);                            // GET /v1/stats
boost::asio::awaitable<Reply> get_catalog(Call call);  // GET /v1/catalog
Reply get_keyviz(Call call);                           // GET /v1/keyviz (keyviz_handler.cpp)

// The change feed (change_handlers.cpp).
boost::asio::awaitable<Reply> get_changes(Call call);         // GET /v1/catalog/changes
boost::asio::awaitable<Reply> get_changes_stream(Call call);  // GET /v1/catalog/changes/stream

// Mutations (write_handlers.cpp).
boost::asio::awaitable<Reply> put_catalog(Call call);           // PUT /v1/catalog
boost::asio::awaitable<Reply> patch_catalog(Call call);         // PATCH /v1/catalog
boost::asio::awaitable<Reply> post_split(Call call);            // POST /v1/catalog/split
boost::asio::awaitable<Reply> post_access(Call call);           // POST /v1/routes/access
boost::asio::awaitable<Reply> post_engine_snapshot(Call call);  // POST /v1/engine/snapshot

}  // namespace routecat::admin::handlers
