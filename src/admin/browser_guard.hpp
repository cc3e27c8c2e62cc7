#pragma once
// Requests from browsers that were not invited are refused (README "Security"). A local admin server
// is reachable from every page the operator opens: a cross-site "simple" POST needs no preflight, and
// DNS rebinding points a page's own name at 127.0.0.1. So:
//  - a mutation must carry a JSON body type (no simple request reaches a handler);
//  - Host must name this server (localhost, a loopback address, the listen address, allowed_hosts);
//  - an Origin must be this server (http:// + its allowed Host) or a configured CORS origin.

#include "routecat/admin/http.hpp"
#include "routecat/admin/router.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace routecat::admin::guard {

// The host of a Host header value: the port dropped, IPv6 brackets removed, lower case, one
// trailing dot dropped ("LocalHost.:8080" -> "localhost", "[::1]:80" -> "::1"). Nothing when the
// value is empty or malformed (an unclosed bracket, a non-numeric port, text after "]").
std::optional<std::string> host_of(std::string_view host_header);

// Whether host (as host_of returns it) names this server: "localhost", a loopback address, the
// listen address or one of options.allowed_hosts (compared the same way).
bool host_allowed(const AdminOptions& options, std::string_view host);

// No Origin header, or an allowed one: an entry of options.cors_origins ("*" for any) or
// "http://" + the request's Host when that Host is allowed.
bool origin_allowed(const AdminOptions& options, const Request& req);

// Content-Type is application/json (any case, parameters allowed: "application/json; charset=utf-8").
bool json_body(const Request& req);

}  // namespace routecat::admin::guard
