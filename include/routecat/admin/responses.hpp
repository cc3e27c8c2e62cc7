#pragma once
// JSON responses of the admin API: every error is {"error":{"code":...,"message":...}} plus optional
// extra fields (DESIGN.md "Admin HTTP API").

#include "routecat/admin/http.hpp"

#include <boost/beast/http/status.hpp>
#include <boost/json/object.hpp>
#include <boost/system/error_code.hpp>

#include <string>
#include <string_view>

namespace routecat::admin {

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

// A response with a JSON body, keep-alive and version copied from the request.
Response json_response(const Request& req, boost::beast::http::status status, const boost::json::value& body);
Response json_response(unsigned version, bool keep_alive, boost::beast::http::status status,
                       const boost::json::value& body);

// A response whose body is JSON text already written (a JsonWriter's output).
Response json_text_response(const Request& req, boost::beast::http::status status, std::string body);
Response json_text_response(unsigned version, bool keep_alive, boost::beast::http::status status, std::string body);

// {"error":{"code":code,"message":message, ...extra}}.
boost::json::object error_body(std::string_view code, std::string_view message, boost::json::object extra = {});
Response json_error(const Request& req, boost::beast::http::status status, std::string_view code,
                    std::string_view message, boost::json::object extra = {});
Response json_error(unsigned version, bool keep_alive, boost::beast::http::status status, std::string_view code,
                    std::string_view message);

}  // namespace routecat::admin
