#pragma once
// The HTTP messages the admin API speaks (Beast, string bodies) and the shape of a request handler:
// what the pure router and an embedder's own server share, without the server itself.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <optional>
#include <string>

namespace routecat::admin {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// Where a streamed body goes (Server-Sent Events): each write sends one piece at once; it throws
// boost::system::system_error when the client has gone.
class BodyWriter {
public:
    virtual ~BodyWriter() = default;
    virtual boost::asio::awaitable<void> write(std::string piece) = 0;
};

// A body produced after the header has been sent; the body ends when it returns.
using BodyStream = std::function<boost::asio::awaitable<void>(BodyWriter&)>;

// What a handler answers: a whole response, or a response's header whose body is streamed. The
// server sends a streamed body chunked on HTTP/1.1 (the connection stays usable) and until close on
// HTTP/1.0.
struct Reply {
    Reply() = default;
    Reply(Response r) : response(std::move(r)) {}  // every whole response is a reply
    Reply(Response head, BodyStream body) : response(std::move(head)), stream(std::move(body)) {}

    Response response;
    BodyStream stream;  // empty: response.body() is the whole body
};

using Handler = std::function<boost::asio::awaitable<Reply>(Request)>;
// Answers a request at once when it needs no waiting (handle_admin_request_now), else nullopt and
// the request goes to the Handler.
using QuickHandler = std::function<std::optional<Reply>(const Request&)>;

}  // namespace routecat::admin
