#pragma once
// The web console (internal): / and /ui redirect to /ui/, /ui/<file> serves an embedded file of
// ui/ (ui_assets.hpp). Reads: open without the token, behind the router's Host/Origin guard.

#include "routecat/admin/http.hpp"

#include <string_view>

namespace routecat::admin::ui {

// The Content-Security-Policy of every console file: scripts, styles, images and fetches from this
// server only (no inline script or style), and no page may frame the console (clickjacking).
inline constexpr std::string_view kContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'";

// Whether the router hands path (percent-decoded) to answer(): "/", "/ui" and everything under "/ui/".
bool is_console_path(std::string_view path);

// The answer to any method on a console path: a redirect, a file (or 304), 404 or 405. Never waits.
Response answer(const Request& req, std::string_view path);

}  // namespace routecat::admin::ui
