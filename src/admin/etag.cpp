#include "admin/etag.hpp"

#include <boost/beast/http/field.hpp>

namespace routecat::admin::etag {

namespace http = boost::beast::http;

namespace {

std::string_view without_blanks(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

bool none_match(std::string_view if_none_match, std::string_view etag) {
    while (true) {
        const auto comma = if_none_match.find(',');
        std::string_view tag = without_blanks(if_none_match.substr(0, comma));
        if (tag == "*") return true;
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        if (!tag.empty() && tag == etag) return true;
        if (comma == std::string_view::npos) return false;
        if_none_match.remove_prefix(comma + 1);
    }
}

Response not_modified(const Request& req, std::string_view etag) {
    Response res{http::status::not_modified, req.version()};
    res.keep_alive(req.keep_alive());
    res.set(http::field::etag, etag);
    res.prepare_payload();
    return res;
}

}  // namespace routecat::admin::etag
