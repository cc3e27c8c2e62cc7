#include "routecat/admin/responses.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

namespace routecat::admin {

namespace http = boost::beast::http;

Response json_text_response(unsigned version, bool keep_alive, http::status status, std::string body) {
    Response res{status, version};
    res.set(http::field::content_type, kJsonContentType);
    res.keep_alive(keep_alive);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

Response json_text_response(const Request& req, http::status status, std::string body) {
    return json_text_response(req.version(), req.keep_alive(), status, std::move(body));
}

Response json_response(unsigned version, bool keep_alive, http::status status, const boost::json::value& body) {
    return json_text_response(version, keep_alive, status, boost::json::serialize(body));
}

Response json_response(const Request& req, http::status status, const boost::json::value& body) {
    return json_response(req.version(), req.keep_alive(), status, body);
}

boost::json::object error_body(std::string_view code, std::string_view message, boost::json::object extra) {
    boost::json::object error;
    error["code"] = code;
    error["message"] = message;
    for (auto& [k, v] : extra) error[k] = std::move(v);
    boost::json::object body;
    body["error"] = std::move(error);
    return body;
}

Response json_error(const Request& req, http::status status, std::string_view code, std::string_view message,
                    boost::json::object extra) {
    return json_response(req, status, error_body(code, message, std::move(extra)));
}

Response json_error(unsigned version, bool keep_alive, http::status status, std::string_view code,
                    std::string_view message) {
    return json_response(version, keep_alive, status, error_body(code, message));
}

}  // namespace routecat::admin
