#include "routecat/admin/server.hpp"

#include "admin/response_wire.hpp"
#include "routecat/admin/responses.hpp"
#include "routecat/detail/await_on.hpp"
#include "routecat/detail/change_notifier.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <cstdio>

namespace routecat::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

// How long the accept loop waits after a failed accept (EMFILE, ENFILE, ENOBUFS) before trying again.
constexpr std::chrono::milliseconds kAcceptRetryPause{50};

// A request's share of the in-flight body budget, held until it is answered. When nothing else is
// reserved a request is granted whatever its size, so no limit can starve every request.
class BodyBudget {
public:
    BodyBudget(std::atomic<std::uint64_t>& inflight, std::uint64_t bytes, std::uint64_t limit) : inflight_(inflight) {
        std::uint64_t current = inflight_.load();
        do {
            if (current > 0 && current + bytes > limit) return;
        } while (!inflight_.compare_exchange_weak(current, current + bytes));
        bytes_ = bytes;
        granted_ = true;
    }
    ~BodyBudget() {
        if (granted_) inflight_.fetch_sub(bytes_);
    }
    BodyBudget(const BodyBudget&) = delete;
    BodyBudget& operator=(const BodyBudget&) = delete;
    bool granted() const noexcept { return granted_; }

private:
    std::atomic<std::uint64_t>& inflight_;
    std::uint64_t bytes_ = 0;
    bool granted_ = false;
};

// Reads and drops a request's body of length bytes when it is at most twice body_limit, so a client
// still writing it sees the answer rather than a reset; a larger one is left (the connection closes).
asio::awaitable<void> discard_body(beast::tcp_stream& stream, beast::flat_buffer& buffer, std::uint64_t length,
                                   std::uint64_t body_limit) {
    if (length > 2 * body_limit) co_return;
    boost::system::error_code ec;
    std::uint64_t left = length - std::min<std::uint64_t>(length, buffer.size());
    buffer.consume(buffer.size());
    while (left > 0 && !ec) {
        const std::size_t n = co_await stream.async_read_some(
            buffer.prepare(static_cast<std::size_t>(std::min<std::uint64_t>(left, 65536))),
            asio::redirect_error(asio::use_awaitable, ec));
        left -= std::min<std::uint64_t>(left, n);
    }
    buffer.consume(buffer.size());
}

// A streamed body's pieces, written straight to the connection: as HTTP/1.1 chunks, or raw on an
// HTTP/1.0 connection (which the end of the body closes). A failed write throws: the client has gone.
class ConnectionBodyWriter final : public BodyWriter {
public:
    ConnectionBodyWriter(beast::tcp_stream& stream, bool chunked, std::chrono::milliseconds write_timeout)
        : stream_(stream), chunked_(chunked), write_timeout_(write_timeout) {}

    asio::awaitable<void> write(std::string piece) override {
        if (piece.empty()) co_return;  // an empty chunk would end the body
        stream_.expires_after(write_timeout_);
        if (chunked_) {
            auto chunk = http::make_chunk(asio::buffer(piece));
            co_await asio::async_write(stream_, chunk, asio::use_awaitable);
        } else {
            co_await asio::async_write(stream_, asio::buffer(piece), asio::use_awaitable);
        }
    }

    asio::awaitable<void> finish() {
        if (!chunked_) co_return;
        stream_.expires_after(write_timeout_);
        auto last = http::make_chunk_last();
        co_await asio::async_write(stream_, last, asio::use_awaitable);
    }

private:
    beast::tcp_stream& stream_;
    bool chunked_;
    std::chrono::milliseconds write_timeout_;
};

// Sends a streamed reply: its header, then its body as the stream produces it. False when the
// connection cannot carry another request (HTTP/1.0, a failed write, a stream that threw).
asio::awaitable<bool> write_streamed(beast::tcp_stream& stream, Reply& reply, std::chrono::milliseconds write_timeout) {
    http::response<http::empty_body> head;
    head.base() = std::move(reply.response.base());
    head.erase(http::field::content_length);
    const bool chunked = head.version() >= 11;
    if (chunked)
        head.chunked(true);
    else
        head.keep_alive(false);
    boost::system::error_code ec;
    http::response_serializer<http::empty_body> serializer(head);
    stream.expires_after(write_timeout);
    co_await http::async_write_header(stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return false;
    ConnectionBodyWriter writer(stream, chunked, write_timeout);
    bool finished = false;
    try {
        co_await reply.stream(writer);
        co_await writer.finish();
        finished = true;
    } catch (const boost::system::system_error&) {
        // The client went away, or the stream's producer failed: this connection is done.
    }
    co_return finished && chunked && head.keep_alive();
}

// Parses the request header from what is buffered, without waiting: true once the header is
// complete; false with ec == need_more when it needs more bytes, or with the parser's error (e.g.
// header_limit). Doing this here, rather than in http::async_read_header, spares a request whose
// header has arrived whole a round trip through the scheduler.
bool parse_buffered_header(beast::flat_buffer& buffer, http::request_parser<http::string_body>& parser,
                           boost::system::error_code& ec) {
    ec = {};
    while (!parser.is_header_done()) {
        if (buffer.size() == 0) {
            ec = http::error::need_more;
            return false;
        }
        const std::size_t used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec) return false;
        if (used == 0) {
            ec = http::error::need_more;
            return false;
        }
    }
    return true;
}

// Sends what the socket takes at once (the socket is in non-blocking mode): the bytes sent, 0 when
// it would block or failed (the asynchronous write that follows sees the failure).
std::size_t send_now(tcp::socket& socket, const std::array<asio::const_buffer, 2>& message) {
    boost::system::error_code ec;
    const std::size_t sent = socket.write_some(message, ec);
    return ec ? 0 : sent;
}

}  // namespace

class Server::Session {
public:
    explicit Session(tcp::socket socket) : stream(std::move(socket)) {}

    // Runs on the session's executor (its strand, or its one thread): closes the connection unless a request is being handled (or
    // always, when forced).
    void close(bool force) {
        if (!busy || force) {
            beast::error_code ignored;
            stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
            stream.close();
        }
    }

    beast::tcp_stream stream;
    bool busy = false;  // touched only on the strand
};

Server::Server(asio::any_io_executor executor, ServerOptions options, Handler handler)
    : executor_(std::move(executor)), options_(options), handler_(std::move(handler)),
      acceptor_(asio::make_strand(executor_)), connections_changed_(std::make_unique<detail::ChangeNotifier>()) {}

Server::Server(asio::any_io_executor executor, ServerOptions options,
               std::function<asio::awaitable<Response>(Request)> handler)
    : Server(std::move(executor), options, [whole = std::move(handler)](Request req) -> asio::awaitable<Reply> {
          Response res = co_await whole(std::move(req));
          co_return res;
      }) {}

Server::~Server() = default;

boost::system::result<tcp::endpoint> Server::listen(const tcp::endpoint& endpoint) {
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return ec;
    return acceptor_.local_endpoint();
}

asio::awaitable<void> Server::run() {
    const auto self = shared_from_this();  // frames destroyed with an io_context must not outlive us
    // The loop runs on the acceptor's strand, where stop() closes it; a cancellation of run() closes
    // it there too.
    auto loop = accept_loop();
    auto close = [self] {
        asio::post(self->acceptor_.get_executor(), [self] {
            boost::system::error_code ignored;
            self->acceptor_.close(ignored);
        });
    };
    co_await detail::await_on(acceptor_.get_executor(), std::move(loop), close);
}

asio::awaitable<void> Server::accept_loop() {
    for (;;) {
        boost::system::error_code ec;
        tcp::socket socket = co_await acceptor_.async_accept(next_session_executor(),
                                                             asio::redirect_error(asio::use_awaitable, ec));
        if (stopping_) co_return;
        if (ec) {
            if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) co_return;
            // E.g. too many open files: keep accepting once some close, without spinning meanwhile.
            asio::steady_timer pause(acceptor_.get_executor(), kAcceptRetryPause);
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        auto ex = socket.get_executor();
        // A session's failure ends that connection only, never the server or its threads.
        asio::co_spawn(ex, serve(std::move(socket)), [](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                std::fprintf(stderr, "routecat admin session failed: %s\n", ex.what());
            }
        });
    }
}

void Server::serve_sessions_on(std::vector<asio::any_io_executor> single_threaded) {
    session_executors_ = std::move(single_threaded);
}

asio::any_io_executor Server::next_session_executor() {
    if (session_executors_.empty()) return asio::make_strand(executor_);
    return session_executors_[next_session_++ % session_executors_.size()];
}

void Server::answer_quickly_with(QuickHandler quick) { quick_ = std::move(quick); }

void Server::stop() {
    stopping_ = true;
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ignored;
        self->acceptor_.close(ignored);
    });
    std::lock_guard lock(sessions_mutex_);
    for (const auto& s : sessions_) asio::post(s->stream.get_executor(), [s] { s->close(false); });
}

asio::awaitable<void> Server::drain(std::chrono::milliseconds timeout) {
    co_await connections_changed_->wait_until([this] { return connections_.load() == 0; }, timeout);
    std::lock_guard lock(sessions_mutex_);
    for (const auto& s : sessions_) asio::post(s->stream.get_executor(), [s] { s->close(true); });
}

asio::awaitable<void> Server::serve(tcp::socket socket) {
    const auto self = shared_from_this();
    auto session = std::make_shared<Session>(std::move(socket));
    const bool over_cap = connections_.fetch_add(1) >= options_.max_connections;
    {
        std::lock_guard lock(sessions_mutex_);
        sessions_.insert(session);
    }
    struct Unregister {
        Server* self;
        std::shared_ptr<Session> session;
        ~Unregister() {
            {
                std::lock_guard lock(self->sessions_mutex_);
                self->sessions_.erase(session);
                self->connections_.fetch_sub(1);
            }
            self->connections_changed_->notify();
        }
    } unregister{this, session};
    auto& stream = session->stream;
    boost::system::error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);

    if (over_cap || stopping_) {
        auto res = json_error(11, false, http::status::service_unavailable,
                              over_cap ? "too_many_connections" : "shutting_down",
                              over_cap ? "too many connections" : "server is shutting down");
        stream.expires_after(options_.header_timeout);
        co_await http::async_write(stream, res, token);
        session->close(true);
        co_return;
    }

    beast::flat_buffer buffer;
    std::string head;  // a whole response's head, reused: its capacity stays with the connection
    stream.socket().non_blocking(true, ec);  // send_now never waits; asynchronous operations are unaffected
    if (ec) co_return;
    for (;;) {
        if (stopping_) break;
        if (buffer.size() == 0) {
            // Idle: wait for the first byte of the next request.
            stream.expires_after(options_.idle_timeout);
            const std::size_t n = co_await stream.async_read_some(buffer.prepare(4096), token);
            if (ec) break;
            buffer.commit(n);
        }
        session->busy = true;

        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options_.header_limit_bytes));
        parser.body_limit(boost::none);  // checked below, so an over-long body gets a 413, not a reset
        stream.expires_after(options_.header_timeout);
        while (!parse_buffered_header(buffer, parser, ec) && ec == http::error::need_more) {
            const std::size_t n = co_await stream.async_read_some(buffer.prepare(4096), token);
            if (ec) break;
            buffer.commit(n);
        }
        if (ec == http::error::header_limit) {
            auto res = json_error(11, false, http::status::request_header_fields_too_large, "bad_request",
                                  "request header is too large");
            co_await http::async_write(stream, res, token);
            break;
        }
        if (ec) break;  // timeout, reset, garbage: drop the connection

        const unsigned version = parser.get().version();
        const auto length = parser.content_length();
        if (length && *length > options_.body_limit_bytes) {
            co_await discard_body(stream, buffer, *length, options_.body_limit_bytes);
            auto res = json_error(version, false, http::status::payload_too_large, "payload_too_large",
                                  "request body exceeds " + std::to_string(options_.body_limit_bytes) + " bytes");
            co_await http::async_write(stream, res, token);
            break;
        }
        // Bodies being read at once share one budget: a request reserves its length (a chunked one
        // the body limit) until it is answered.
        const std::uint64_t reserve = length ? *length : (parser.chunked() ? options_.body_limit_bytes : 0);
        BodyBudget budget(inflight_bodies_, reserve, options_.inflight_body_limit_bytes);
        if (!budget.granted()) {
            if (length) co_await discard_body(stream, buffer, *length, options_.body_limit_bytes);
            auto res = json_error(version, false, http::status::too_many_requests, "too_many_requests",
                                  "too many request bodies in flight (admin.inflight_body_limit_bytes); try again");
            res.set(http::field::retry_after, "1");
            co_await http::async_write(stream, res, token);
            break;
        }
        parser.body_limit(options_.body_limit_bytes);  // chunked bodies are checked as they arrive
        if (!parser.is_done()) co_await http::async_read(stream, buffer, parser, token);
        if (ec == http::error::body_limit) {  // chunked bodies learn their size only now
            auto res = json_error(version, false, http::status::payload_too_large, "payload_too_large",
                                  "request body exceeds " + std::to_string(options_.body_limit_bytes) + " bytes");
            co_await http::async_write(stream, res, token);
            break;
        }
        if (ec) break;

        Request req = parser.release();
        const bool keep_alive = req.keep_alive();
        Reply reply;
        try {
            std::optional<Reply> quick = quick_ ? quick_(req) : std::nullopt;
            if (quick)
                reply = std::move(*quick);
            else
                reply = co_await handler_(std::move(req));
        } catch (const std::exception& e) {
            reply = json_error(version, keep_alive, http::status::internal_server_error, "internal", e.what());
        }
        if (reply.stream) {
            reply.response.keep_alive(keep_alive && !stopping_);
            const bool reusable = co_await write_streamed(stream, reply, options_.idle_timeout);
            session->busy = false;
            if (!reusable || stopping_) break;
            continue;
        }
        Response& res = reply.response;
        res.keep_alive(keep_alive && !stopping_);
        stream.expires_after(options_.idle_timeout);
        head.clear();
        if (wire::append_head(head, res)) {
            const std::array<asio::const_buffer, 2> message{asio::buffer(head), asio::buffer(res.body())};
            const std::size_t sent = send_now(stream.socket(), message);
            if (sent < head.size() + res.body().size()) {  // the rest when the socket can take it
                beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(message);
                rest.consume(sent);
                co_await asio::async_write(stream, rest, token);
            }
        } else {
            co_await http::async_write(stream, res, token);
        }
        session->busy = false;
        if (ec || !res.keep_alive()) break;
    }
    session->close(true);
}

}  // namespace routecat::admin
