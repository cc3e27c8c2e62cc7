#pragma once
// The HTTP messages the admin API speaks (Beast, string bodies) and the shape of a request handler:
// what the pure router and an embedder's own server share, without the server itself.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>

namespace routecat::admin {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Handler = std::function<boost::asio::awaitable<Response>(Request)>;

}  // namespace routecat::admin
