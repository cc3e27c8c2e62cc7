#pragma once
// A loopback TCP proxy in front of one upstream that can swallow answers: the request reaches the
// upstream in full (so e.g. etcd commits it), but the connection is cut before the reply gets back.
// This is the "did my write happen?" fault that a black hole or a refused port cannot produce.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace routecat::test {

class FaultProxy {
public:
    // Resolves the upstream once, listens on 127.0.0.1:<ephemeral> and serves on its own thread.
    FaultProxy(std::string upstream_host, std::string upstream_port)
        : upstream_(tcp::resolver(io_).resolve(upstream_host, upstream_port)),
          acceptor_(io_, tcp::endpoint(boost::asio::ip::make_address_v4("127.0.0.1"), 0)),
          port_(acceptor_.local_endpoint().port()) {
        accept();
        thread_ = std::thread([this] { io_.run(); });
    }
    // Sessions live only in pending handlers: once the thread is gone, ~io_context destroys those
    // handlers and with them every socket, whatever state the connections were in.
    ~FaultProxy() {
        io_.stop();
        if (thread_.joinable()) thread_.join();
    }
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    unsigned short port() const { return port_; }

    // The answers to the next n requests (those whose bytes contain `only_if`, e.g. "/v3/kv/txn";
    // every request when empty) are swallowed: see Session::pump().
    void drop_next_answers(int n, std::string only_if = {}) {
        std::lock_guard lock(drop_mutex_);
        to_drop_ += n;
        drop_filter_ = std::move(only_if);
    }
    int answers_dropped() const { return dropped_.load(); }
    std::uint64_t connections_accepted() const { return accepted_.load(); }

private:
    using tcp = boost::asio::ip::tcp;

    // One client connection and its upstream connection; only ever touched on the io thread.
    struct Session : std::enable_shared_from_this<Session> {
        Session(FaultProxy& p, tcp::socket c) : proxy(p), client(std::move(c)), upstream(p.io_) {}
        FaultProxy& proxy;
        tcp::socket client;
        tcp::socket upstream;
        std::array<char, 16384> to_upstream_buf{};
        std::array<char, 16384> to_client_buf{};
        bool armed = false;  // the next upstream bytes on this pair are to be swallowed

        void start() {
            auto self = shared_from_this();
            boost::asio::async_connect(upstream, proxy.upstream_, [self](boost::system::error_code ec, const auto&) {
                if (ec) return self->close();
                self->pump(self->client, self->upstream, self->to_upstream_buf, true);
                self->pump(self->upstream, self->client, self->to_client_buf, false);
            });
        }

        // Copies from -> to until EOF or an error; one read, then its write, then the next read.
        void pump(tcp::socket& from, tcp::socket& to, std::array<char, 16384>& buf, bool client_to_upstream) {
            auto self = shared_from_this();
            from.async_read_some(boost::asio::buffer(buf), [self, &from, &to, &buf, client_to_upstream](
                                                              boost::system::error_code ec, std::size_t n) {
                if (ec) {
                    // EOF: pass the half-close on (everything read before it was already written);
                    // anything else ends the pair.
                    boost::system::error_code ignored;
                    if (ec == boost::asio::error::eof) to.shutdown(tcp::socket::shutdown_send, ignored);
                    else self->close();
                    return;
                }
                // Armed before the request is written, so the answer can never race past the flag.
                if (client_to_upstream && !self->armed && self->proxy.take_drop(std::string_view(buf.data(), n)))
                    self->armed = true;
                if (!client_to_upstream && self->armed) {
                    ++self->proxy.dropped_;
                    return self->close();
                }
                boost::asio::async_write(to, boost::asio::buffer(buf.data(), n),
                                         [self, &from, &to, &buf, client_to_upstream](boost::system::error_code ec,
                                                                                      std::size_t) {
                                             if (ec) return self->close();
                                             self->pump(from, to, buf, client_to_upstream);
                                         });
            });
        }

        void close() {
            boost::system::error_code ignored;
            client.close(ignored);
            upstream.close(ignored);
        }
    };

    void accept() {
        acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
            if (ec) return;  // only when the acceptor is gone
            ++accepted_;
            std::make_shared<Session>(*this, std::move(socket))->start();
            accept();
        });
    }

    // Claims one pending drop for a request whose bytes are `chunk`, if any (drop_next_answers()
    // runs on the test's thread).
    bool take_drop(std::string_view chunk) {
        std::lock_guard lock(drop_mutex_);
        if (to_drop_ == 0 || chunk.find(drop_filter_) == std::string_view::npos) return false;
        --to_drop_;
        return true;
    }

    boost::asio::io_context io_;  // first: destroyed last, after the thread and the acceptor
    tcp::resolver::results_type upstream_;
    tcp::acceptor acceptor_;
    unsigned short port_;
    std::mutex drop_mutex_;
    int to_drop_ = 0;          // guarded by drop_mutex_
    std::string drop_filter_;  // guarded by drop_mutex_
    std::atomic<int> dropped_{0};
    std::atomic<std::uint64_t> accepted_{0};
    std::thread thread_;
};

}  // namespace routecat::test
