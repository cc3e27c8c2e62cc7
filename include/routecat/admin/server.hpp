#pragma once
// The admin HTTP/1.1 server: an acceptor coroutine and one coroutine per connection, each on its own
// strand, or spread over single-threaded executors (serve_sessions_on: one io_context per core). It knows nothing of routes: every request goes to a handler (handle_admin_request in the
// daemon; any awaitable function for an embedder).
//
// Per connection: keep-alive and pipelining (requests are answered in order), a body limit (413),
// a header timeout (a slow client is dropped), an idle timeout between requests, streamed bodies
// (a Reply with a BodyStream: chunked on HTTP/1.1, each piece sent as it comes). Per server: a
// connection cap (above it a connection gets 503 and is closed) and a graceful drain on stop().

#include "routecat/admin/http.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/result.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

namespace routecat::detail {
class ChangeNotifier;
}

namespace routecat::admin {

struct ServerOptions {
    std::size_t body_limit_bytes = 8 * 1024 * 1024;
    std::size_t header_limit_bytes = 16 * 1024;
    std::chrono::milliseconds header_timeout{10'000};  // from a request's first byte to its last
    std::chrono::milliseconds idle_timeout{60'000};    // between requests on a kept-alive connection
    std::size_t max_connections = 1024;
    // Request bodies being read or handled at once share this budget; beyond it 429 with Retry-After.
    std::size_t inflight_body_limit_bytes = 64 * 1024 * 1024;

    friend bool operator==(const ServerOptions&, const ServerOptions&) = default;
};

class Server : public std::enable_shared_from_this<Server> {
public:
    Server(boost::asio::any_io_executor executor, ServerOptions options, Handler handler);
    // For handlers that only ever answer whole responses.
    Server(boost::asio::any_io_executor executor, ServerOptions options,
           std::function<boost::asio::awaitable<Response>(Request)> handler);
    ~Server();

    // Before run(): connections go to these executors in turn instead of to strands of the
    // constructor's executor. Each must be run by exactly one thread (an io_context per thread, as
    // routecatd runs them): its sessions then need no strand, and threads share no queue.
    void serve_sessions_on(std::vector<boost::asio::any_io_executor> single_threaded);
    // Before run(): tried first for every request; what it answers never enters a coroutine.
    void answer_quickly_with(QuickHandler quick);

    // Binds and listens (port 0 = any free port); returns the bound endpoint.
    boost::system::result<boost::asio::ip::tcp::endpoint> listen(const boost::asio::ip::tcp::endpoint& endpoint);

    // Accepts until stop(); spawns one session per connection.
    boost::asio::awaitable<void> run();

    // Stops accepting and closes idle connections; in-flight requests are answered, then their
    // connections close. Safe from any thread.
    void stop();
    // Completes when every connection has closed, or after timeout (then the rest are closed).
    boost::asio::awaitable<void> drain(std::chrono::milliseconds timeout);

    std::size_t connections() const noexcept { return connections_.load(); }

private:
    class Session;

    boost::asio::awaitable<void> accept_loop();  // on the acceptor's strand
    boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);
    boost::asio::any_io_executor next_session_executor();  // on the acceptor's strand

    boost::asio::any_io_executor executor_;
    ServerOptions options_;
    Handler handler_;
    QuickHandler quick_;
    std::vector<boost::asio::any_io_executor> session_executors_;
    std::size_t next_session_ = 0;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> connections_{0};
    std::atomic<std::uint64_t> inflight_bodies_{0};  // bytes reserved by requests being read or handled
    std::mutex sessions_mutex_;
    std::set<std::shared_ptr<Session>> sessions_;
    std::unique_ptr<detail::ChangeNotifier> connections_changed_;  // drain() waits on it
};

}  // namespace routecat::admin
