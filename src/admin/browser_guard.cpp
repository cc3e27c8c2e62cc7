#include "admin/browser_guard.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <cctype>

namespace routecat::admin::guard {

namespace http = boost::beast::http;

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() && s.size() <= 5 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<boost::asio::ip::address> ip_of(std::string_view text) {
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    return address;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<std::string> host_of(std::string_view value) {
    value = trim(value);
    std::string_view host;
    if (value.starts_with('[')) {
        const auto close = value.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = value.substr(1, close - 1);
        const std::string_view rest = value.substr(close + 1);
        if (!rest.empty() && !(rest.front() == ':' && all_digits(rest.substr(1)))) return std::nullopt;
    } else {
        const auto colon = value.rfind(':');
        host = value;
        if (colon != std::string_view::npos && value.find(':') == colon) {  // one colon: host:port
            if (!all_digits(value.substr(colon + 1))) return std::nullopt;
            host = value.substr(0, colon);
        }
    }
    std::string out = lower(host);
    if (!out.empty() && out.back() == '.') out.pop_back();
    if (out.empty()) return std::nullopt;
    return out;
}

bool host_allowed(const AdminOptions& options, std::string_view host) {
    if (host == "localhost") return true;
    const auto ip = ip_of(host);
    if (ip && ip->is_loopback()) return true;
    if (!options.listen_address.empty()) {
        const auto listen = ip_of(options.listen_address);
        if (ip && listen && *ip == *listen) return true;
        if (host_of(options.listen_address) == std::optional<std::string>(host)) return true;
    }
    return std::any_of(options.allowed_hosts.begin(), options.allowed_hosts.end(),
                       [&](const std::string& allowed) { return host_of(allowed) == std::optional<std::string>(host); });
}

bool origin_allowed(const AdminOptions& options, const Request& req) {
    const auto origin = req.find(http::field::origin);
    if (origin == req.end()) return true;
    const std::string_view value = origin->value();
    for (const auto& allowed : options.cors_origins)
        if (allowed == "*" || allowed == value) return true;
    const std::string_view host_header = req[http::field::host];
    const auto host = host_of(host_header);
    if (!host || !host_allowed(options, *host)) return false;
    return boost::beast::iequals(value, "http://" + std::string(trim(host_header)));
}

bool json_body(const Request& req) {
    std::string_view type = req[http::field::content_type];
    type = trim(type.substr(0, type.find(';')));
    return boost::beast::iequals(type, "application/json");
}

}  // namespace routecat::admin::guard
