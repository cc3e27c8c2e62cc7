#include "mirror/feed_endpoint.hpp"

#include "routecat/error.hpp"

#include <boost/url/parse.hpp>

namespace routecat::mirror {

boost::system::result<FeedEndpoint> parse_feed_endpoint(std::string_view url, std::string& error) {
    auto fail = [&](std::string why) -> boost::system::error_code {
        error = "endpoint \"" + std::string(url) + "\": " + why;
        return errc::invalid_config;
    };
    const auto u = boost::urls::parse_uri(url);
    if (!u) return fail("expected http://host:port");
    if (u->scheme_id() != boost::urls::scheme::http) return fail("only http:// is supported");
    if (u->has_userinfo()) return fail("a user is not supported");
    if (u->host().empty()) return fail("no host");
    if (u->has_port() && u->port_number() == 0) return fail("the port must be 1-65535");
    if (!u->path().empty() && u->path() != "/") return fail("no path is allowed (the mirror asks for /v1/catalog...)");
    if (u->has_query() || u->has_fragment()) return fail("no query or fragment is allowed");
    FeedEndpoint endpoint;
    endpoint.url = std::string(url);
    endpoint.host = u->host_address();
    endpoint.port = u->has_port() ? std::string(u->port()) : "80";
    endpoint.host_header = std::string(u->encoded_host_and_port());
    return endpoint;
}

}  // namespace routecat::mirror
