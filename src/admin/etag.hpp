#pragma once
// Conditional GETs (internal): whether an If-None-Match header names an entity tag, and the 304
// that answers it (GET /v1/routes and the console's files).

#include "routecat/admin/http.hpp"

#include <string_view>

namespace routecat::admin::etag {

// RFC 9110 §13.1.2: the header is "*" or a comma-separated list of (weak or strong) entity tags,
// one of which is etag (compared weakly: a "W/" prefix is ignored).
bool none_match(std::string_view if_none_match, std::string_view etag);

// 304 Not Modified with the ETag, no body; keep-alive and version from req.
Response not_modified(const Request& req, std::string_view etag);

}  // namespace routecat::admin::etag
