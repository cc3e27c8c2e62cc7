#include "mirror/feed_connection.hpp"

#include "routecat/error.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace routecat::mirror {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

FeedConnection::FeedConnection(asio::any_io_executor ex, const FeedEndpoint& endpoint, std::size_t body_limit,
                               std::chrono::milliseconds connect_timeout)
    : endpoint_(endpoint), body_limit_(body_limit), connect_timeout_(connect_timeout), resolver_(ex), stream_(ex) {}

void FeedConnection::cancel() {
    cancelled_ = true;
    resolver_.cancel();
    stream_.cancel();
}

// A cancel() may land between two operations (one that had completed already): none starts after it.
void FeedConnection::throw_if_cancelled() const {
    if (cancelled_) throw boost::system::system_error(asio::error::operation_aborted);
}

asio::awaitable<void> FeedConnection::connect() {
    // Not bounded by a deadline: an IP literal resolves at once, a name as fast as the resolver.
    const auto addresses = co_await resolver_.async_resolve(endpoint_.host, endpoint_.port, asio::use_awaitable);
    throw_if_cancelled();
    stream_.expires_after(connect_timeout_);
    co_await stream_.async_connect(addresses, asio::use_awaitable);
    buffer_.clear();
    connected_ = true;
}

asio::awaitable<FeedReply> FeedConnection::get(std::string target, std::chrono::milliseconds timeout) {
    const char* step = "connect";
    boost::system::error_code failure;
    FeedReply reply;
    try {
        throw_if_cancelled();
        if (!connected_) co_await connect();
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, endpoint_.host_header);
        req.set(http::field::accept, "application/json");
        req.set(http::field::user_agent, "routecat-mirror");
        req.keep_alive(true);
        step = "write";
        throw_if_cancelled();
        stream_.expires_after(timeout);
        co_await http::async_write(stream_, req, asio::use_awaitable);
        step = "read";
        throw_if_cancelled();
        http::response_parser<http::string_body> parser;
        parser.body_limit(body_limit_);
        co_await http::async_read(stream_, buffer_, parser, asio::use_awaitable);
        reply.status = parser.get().result_int();
        reply.body = std::move(parser.get().body());
        if (!parser.get().keep_alive()) connected_ = false;
    } catch (const boost::system::system_error& e) {
        failure = e.code();
    }
    if (!failure && connected_) co_return reply;
    boost::system::error_code ignored;
    stream_.socket().close(ignored);  // a later get() starts on a fresh connection
    if (!failure) co_return reply;
    connected_ = false;
    if (cancelled_) throw boost::system::system_error(asio::error::operation_aborted);
    std::string what = failure.message();
    if (failure == beast::error::timeout) what = "no answer within the deadline";
    throw_error(errc::store_unavailable, step + (": " + what));
}

}  // namespace routecat::mirror
