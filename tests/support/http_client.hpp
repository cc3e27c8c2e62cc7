#pragma once
// Minimal HTTP/1.1 clients for tests (Boost.Beast): synchronous requests on a fresh or a kept-alive
// connection, and http_call(), one request under a hard deadline.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <map>
#include <string>

namespace routecat::test {

struct HttpReply {
    unsigned status = 0;
    std::string body;
    boost::beast::http::response<boost::beast::http::string_body> raw;
};

class HttpConnection {
public:
    HttpConnection(const std::string& host, unsigned short port) : stream_(io_) {
        stream_.expires_after(std::chrono::seconds(10));
        stream_.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address(host), port));
    }

    HttpReply request(boost::beast::http::verb method, const std::string& target, const std::string& body = {},
                      const std::string& content_type = "application/json",
                      const std::map<std::string, std::string>& headers = {}) {
        namespace http = boost::beast::http;
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "localhost");
        req.keep_alive(true);
        for (const auto& [name, value] : headers) req.set(name, value);
        if (!body.empty() || method == http::verb::put || method == http::verb::post) {
            req.set(http::field::content_type, content_type);
            req.body() = body;
            req.prepare_payload();
        }
        stream_.expires_after(std::chrono::seconds(30));
        http::write(stream_, req);
        HttpReply reply;
        http::read(stream_, buffer_, reply.raw);
        reply.status = reply.raw.result_int();
        reply.body = reply.raw.body();
        return reply;
    }

    boost::beast::tcp_stream& stream() { return stream_; }

private:
    boost::asio::io_context io_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
};

inline HttpReply http_get(const std::string& host, unsigned short port, const std::string& target) {
    HttpConnection c(host, port);
    return c.request(boost::beast::http::verb::get, target);
}

// One request on a fresh connection with a hard deadline over connect, write and read together
// (Beast's tcp_stream timeouts apply only to async operations, hence the coroutine on a private
// io_context). Transport failures (refused, timeout) are the error.
inline boost::asio::awaitable<boost::system::result<HttpReply>> http_call_async(unsigned short port,
                                                                                 boost::beast::http::verb method,
                                                                                 std::string target, std::string body,
                                                                                 std::chrono::milliseconds timeout) {
    namespace asio = boost::asio;
    namespace beast = boost::beast;
    namespace http = beast::http;
    boost::system::result<HttpReply> out = boost::system::error_code(asio::error::operation_aborted);
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(timeout);
    boost::system::error_code failure;
    try {
        const asio::ip::tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), port);
        co_await stream.async_connect(endpoint, asio::use_awaitable);
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        req.keep_alive(false);
        if (method == http::verb::put || method == http::verb::post) {
            req.set(http::field::content_type, "application/json");
            req.body() = std::move(body);
            req.prepare_payload();
        }
        co_await http::async_write(stream, req, asio::use_awaitable);
        beast::flat_buffer buffer;
        HttpReply reply;
        co_await http::async_read(stream, buffer, reply.raw, asio::use_awaitable);
        reply.status = reply.raw.result_int();
        reply.body = reply.raw.body();
        out = std::move(reply);
    } catch (const boost::system::system_error& e) {
        failure = e.code();
    }
    if (failure) out = failure;
    co_return out;
}

inline boost::system::result<HttpReply> http_call(unsigned short port, boost::beast::http::verb method,
                                                  const std::string& target, const std::string& body = {},
                                                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    boost::asio::io_context io;
    auto call = http_call_async(port, method, target, body, timeout);
    auto future = boost::asio::co_spawn(io, std::move(call), boost::asio::use_future);
    io.run();
    return future.get();
}

}  // namespace routecat::test
