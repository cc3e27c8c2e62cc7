#pragma once
// The HTTP/1.1 side of EtcdStore: POSTs JSON to etcd's gateway over kept-alive connections, one
// deadline per attempt (Beast's stream timer, raced against connect, write and read), fail-over
// between endpoints, and long-lived streams for /v3/watch.
//
// Retrying is safe only for requests whose effect does not depend on how often they run. A request
// marked `once` is sent to the next endpoint only when the previous attempt failed before any byte
// of it was written (connection refused, connect timeout); a failure after that is reported as
// commit_outcome_unknown, and the caller decides whether sending it again is safe (a txn's compares
// make it so).
//
// Auth: a static token, or a login (user and password) exchanged at /v3/auth/authenticate for a
// token when one is first needed and again whenever etcd refuses the one in use.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/stream_parser.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace routecat::detail {

struct EtcdEndpoint {
    std::string url;  // as configured, for messages
    std::string host;
    std::string port;
};

// "http://host:port" (a trailing '/' allowed). https and paths are refused with invalid_config.
boost::system::result<EtcdEndpoint> parse_etcd_endpoint(const std::string& url, std::string* context = nullptr);

class EtcdConnection;

// A user and password for etcd's token auth.
struct EtcdLogin {
    std::string name;
    std::string password;
};

// True for etcd's answers that mean "authenticate again": an invalid or expired token, no token, an
// auth store changed since the token was issued.
bool is_auth_refusal(std::string_view message);

// An answer of the gateway: the parsed body, and the gRPC status when it was an error answer.
struct EtcdReply {
    int grpc_code = 0;  // 0 = success
    std::string message;
    std::string endpoint;
    boost::json::value body;
    std::size_t body_bytes = 0;  // the HTTP body's size as received, before parsing (for byte counters)
};

// A response body that arrives as a sequence of JSON messages (a watch).
class EtcdStream {
public:
    EtcdStream(std::unique_ptr<EtcdConnection> connection, std::string endpoint, std::string token);
    ~EtcdStream();
    // The next complete message; throws store_unavailable when the stream ends or breaks.
    // Cancellable (terminal per-operation cancellation), throwing operation_aborted; a cancelled
    // call loses nothing (a message read in part is kept), so the stream may be read again.
    boost::asio::awaitable<boost::json::value> next();
    const std::string& endpoint() const noexcept { return endpoint_; }
    const std::string& token() const noexcept { return token_; }  // the one it was opened with

private:
    std::unique_ptr<EtcdConnection> connection_;
    std::unique_ptr<boost::json::stream_parser> json_;
    std::string endpoint_;
    std::string token_;
};

class EtcdClient {
public:
    enum class Retry { idempotent, once };

    // token: a static one ("" = none); ignored when login is set.
    EtcdClient(boost::asio::any_io_executor ex, std::vector<EtcdEndpoint> endpoints, std::string token,
               std::optional<EtcdLogin> login, std::chrono::milliseconds timeout, std::size_t max_idle_per_endpoint);
    ~EtcdClient();

    // POSTs body to path. Transport failures on every endpoint throw store_unavailable, an unknown
    // outcome of a `once` request commit_outcome_unknown (and the next call starts at the next
    // endpoint); an idempotent request answered "unavailable" by one member is tried on the next.
    // A refused token is replaced (login) and the request sent once more. Error answers are returned
    // in the reply for the caller to map. path is copied before this returns: a literal is fine.
    boost::asio::awaitable<EtcdReply> call(std::string_view path, std::string body, Retry retry);

    // Opens a streaming POST (the response headers are read within the deadline; the body is then
    // read without one). Fails over between endpoints like an idempotent call.
    boost::asio::awaitable<std::unique_ptr<EtcdStream>> open_stream(std::string_view path, std::string body);

    // A stream's token was refused: the next request authenticates again (with a login).
    void token_refused(const std::string& token);

    std::uint64_t requests_sent() const noexcept { return requests_.load(); }
    std::uint64_t authentications() const noexcept { return authentications_.load(); }
    std::uint64_t connections_opened() const noexcept { return connections_.load(); }

private:
    struct Pool;

    // One try of a request on one endpoint, within its own deadline.
    struct Attempt {
        std::size_t index;
        const EtcdEndpoint& endpoint;
        std::chrono::steady_clock::time_point deadline;
        bool last;  // no endpoint is left after this one
    };
    // The result of the try, or nothing (after saying why in failure) to go on to the next endpoint.
    template <class T>
    using TryEndpoint = std::function<boost::asio::awaitable<std::optional<T>>(const Attempt&, std::string& failure)>;

    // Tries every endpoint in turn, from the one that last answered, until one gives a result (which
    // becomes the preferred endpoint); nothing, and every endpoint's failure in failures, otherwise.
    template <class T>
    boost::asio::awaitable<std::optional<T>> fail_over(const TryEndpoint<T>& try_endpoint, std::string& failures);
    [[noreturn]] static void give_up(const std::string& failures);

    boost::beast::http::request<boost::beast::http::string_body> make_request(const std::string& path, std::string body,
                                                                              const std::string& token) const;
    // The token to send: the static one, or the login's (authenticating when there is none yet).
    boost::asio::awaitable<std::string> current_token();
    boost::asio::awaitable<EtcdReply> call_on_strand(std::string path, std::string body, Retry retry);
    boost::asio::awaitable<EtcdReply> send(const std::string& path, const std::string& body, Retry retry,
                                           const std::string& token);
    boost::asio::awaitable<std::unique_ptr<EtcdStream>> open_stream_on_strand(std::string path, std::string body);

    boost::asio::awaitable<std::unique_ptr<EtcdConnection>> connect(std::size_t endpoint,
                                                                    std::chrono::steady_clock::time_point deadline);
    std::unique_ptr<EtcdConnection> take_idle(std::size_t endpoint);
    void give_back(std::size_t endpoint, std::unique_ptr<EtcdConnection> connection);

    boost::asio::any_io_executor ex_;
    std::vector<EtcdEndpoint> endpoints_;
    std::optional<EtcdLogin> login_;
    std::mutex token_mutex_;
    std::string token_;  // guarded by token_mutex_
    std::chrono::milliseconds timeout_;
    std::size_t max_idle_;
    std::unique_ptr<Pool> pool_;
    std::atomic<std::size_t> preferred_{0};  // the endpoint that last answered
    std::atomic<std::uint64_t> requests_{0};
    std::atomic<std::uint64_t> connections_{0};
    std::atomic<std::uint64_t> authentications_{0};
};

}  // namespace routecat::detail
