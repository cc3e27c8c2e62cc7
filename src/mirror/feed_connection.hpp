#pragma once
// One kept-alive HTTP/1.1 connection from the mirror to a routecatd endpoint: GETs, each within its
// own deadline, reconnecting when the server closed the connection after an answer. Used from one
// strand only (Beast's deadlines complete on the stream's executor); cancel() from that strand.

#include "mirror/feed_endpoint.hpp"
#include "mirror/feed_reply.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <string>

namespace routecat::mirror {

class FeedConnection {
public:
    FeedConnection(boost::asio::any_io_executor ex, const FeedEndpoint& endpoint, std::size_t body_limit,
                   std::chrono::milliseconds connect_timeout);

    // GET target (connecting first when needed); the answer must be complete within timeout.
    // Transport failures and deadlines throw store_unavailable ("read: ..."); after cancel(),
    // operation_aborted.
    boost::asio::awaitable<FeedReply> get(std::string target, std::chrono::milliseconds timeout);

    // Abandons the operation in flight and every later one.
    void cancel();

    const FeedEndpoint& endpoint() const noexcept { return endpoint_; }

private:
    boost::asio::awaitable<void> connect();
    void throw_if_cancelled() const;

    const FeedEndpoint& endpoint_;
    std::size_t body_limit_;
    std::chrono::milliseconds connect_timeout_;
    boost::asio::ip::tcp::resolver resolver_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    bool connected_ = false;
    bool cancelled_ = false;
};

}  // namespace routecat::mirror
