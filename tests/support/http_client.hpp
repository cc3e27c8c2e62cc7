#pragma once
// A minimal synchronous HTTP/1.1 client for tests (Boost.Beast): one request per call on a fresh
// connection, or several on one kept-alive connection.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

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

}  // namespace routecat::test
