#pragma once
// A routecatd endpoint of HttpCatalogMirrorOptions: "http://host[:port][/]", parsed with Boost.URL.

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace routecat::mirror {

struct FeedEndpoint {
    std::string url;          // as configured, for messages
    std::string host;         // to resolve (an IPv6 address without brackets)
    std::string port;         // "80" when the URL names none
    std::string host_header;  // the Host header: host[:port] as written
};

// https, a user, a path other than "/", a query, a fragment or port 0 are invalid_config, with
// error saying which.
boost::system::result<FeedEndpoint> parse_feed_endpoint(std::string_view url, std::string& error);

}  // namespace routecat::mirror
