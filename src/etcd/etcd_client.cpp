#include "etcd/etcd_client.hpp"

#include "routecat/error.hpp"
#include "etcd/etcd_messages.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>
#include <boost/system/system_error.hpp>

#include <sys/socket.h>

namespace routecat::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Answers bigger than this are refused (a whole catalog of a million routes is ~150 MB of base64).
constexpr std::uint64_t kMaxAnswerBytes = 1ull << 30;

// use_awaitable with no cancellation slot: see EtcdClient::call.
auto no_cancellation() { return asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable); }

[[noreturn]] void unavailable(const std::string& context) { throw_error(errc::store_unavailable, context); }

void throw_if_cancelled(const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec);
}

std::string describe(const boost::system::error_code& ec) {
    return ec == beast::error::timeout ? std::string("timed out") : ec.message();
}

}  // namespace

class EtcdConnection {
public:
    explicit EtcdConnection(asio::any_io_executor ex) : stream(std::move(ex)) {}

    // False when the peer closed the idle connection (or sent something unasked): a request written
    // to it would fail or be misread, so it must not be reused.
    bool still_open() {
        char byte;
        const ssize_t n = ::recv(stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }

    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    std::unique_ptr<http::response_parser<http::string_body>> parser;  // a stream's
};

struct EtcdClient::Pool {
    std::mutex mutex;
    std::vector<std::vector<std::unique_ptr<EtcdConnection>>> idle;
};

boost::system::result<EtcdEndpoint> parse_etcd_endpoint(const std::string& url, std::string* context) {
    auto fail = [&](const std::string& why) -> boost::system::result<EtcdEndpoint> {
        if (context) *context = "etcd endpoint \"" + url + "\": " + why;
        return make_error_code(errc::invalid_config);
    };
    constexpr std::string_view scheme = "http://";
    if (url.rfind("https://", 0) == 0) return fail("https is not supported; use http:// on a trusted network");
    if (url.rfind(scheme, 0) != 0) return fail("expected http://host:port");
    std::string rest = url.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    if (rest.find('/') != std::string::npos) return fail("a path is not allowed");
    // No port: etcd's default client port. An IPv6 literal keeps its colons inside brackets.
    const auto colon = rest.rfind(':');
    const bool has_port = colon != std::string::npos && rest.find(']', colon) == std::string::npos;
    if (has_port && (colon == 0 || colon + 1 == rest.size())) return fail("expected http://host:port");
    EtcdEndpoint ep{url, has_port ? rest.substr(0, colon) : rest, has_port ? rest.substr(colon + 1) : "2379"};
    if (ep.host.empty() || ep.host.find_first_of(" @?#") != std::string::npos) return fail("expected http://host:port");
    if (ep.host.front() == '[' && ep.host.back() == ']') ep.host = ep.host.substr(1, ep.host.size() - 2);
    for (char c : ep.port)
        if (c < '0' || c > '9') return fail("the port is not a number");
    if (ep.port.size() > 5 || std::stoul(ep.port) == 0 || std::stoul(ep.port) > 65535) return fail("port out of range");
    return ep;
}

EtcdStream::EtcdStream(std::unique_ptr<EtcdConnection> connection, std::string endpoint, std::string token)
    : connection_(std::move(connection)),
      json_(std::make_unique<boost::json::stream_parser>()),
      endpoint_(std::move(endpoint)),
      token_(std::move(token)) {}

EtcdStream::~EtcdStream() = default;

asio::awaitable<boost::json::value> EtcdStream::next() {
    auto& parser = *connection_->parser;
    for (;;) {
        std::string& body = parser.get().body();
        while (!body.empty()) {
            boost::system::error_code ec;
            const std::size_t used = json_->write_some(body.data(), body.size(), ec);
            body.erase(0, used);
            if (ec) unavailable("etcd " + endpoint_ + ": malformed stream message: " + ec.message());
            if (json_->done()) {
                boost::json::value message = json_->release();
                json_->reset();
                co_return message;
            }
        }
        if (parser.is_done()) unavailable("etcd " + endpoint_ + ": the stream ended");
        boost::system::error_code ec;
        co_await http::async_read_some(connection_->stream, connection_->buffer, parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
        throw_if_cancelled(ec);
        if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == asio::error::eof)
            unavailable("etcd " + endpoint_ + ": the stream ended");
        if (ec) unavailable("etcd " + endpoint_ + ": the stream broke: " + describe(ec));
    }
}

bool is_auth_refusal(std::string_view message) {
    return message.find("invalid auth token") != std::string_view::npos ||
           message.find("user name is empty") != std::string_view::npos ||
           message.find("revision of auth store is old") != std::string_view::npos;
}

EtcdClient::EtcdClient(asio::any_io_executor ex, std::vector<EtcdEndpoint> endpoints, std::string token,
                       std::optional<EtcdLogin> login, std::chrono::milliseconds timeout,
                       std::size_t max_idle_per_endpoint)
    : ex_(std::move(ex)),
      endpoints_(std::move(endpoints)),
      login_(std::move(login)),
      token_(login_ ? std::string() : std::move(token)),
      timeout_(timeout),
      max_idle_(max_idle_per_endpoint),
      pool_(std::make_unique<Pool>()) {
    pool_->idle.resize(endpoints_.size());
}

EtcdClient::~EtcdClient() = default;

std::unique_ptr<EtcdConnection> EtcdClient::take_idle(std::size_t endpoint) {
    std::lock_guard lock(pool_->mutex);
    auto& idle = pool_->idle[endpoint];
    while (!idle.empty()) {
        auto connection = std::move(idle.back());
        idle.pop_back();
        if (connection->still_open()) return connection;
    }
    return nullptr;
}

void EtcdClient::give_back(std::size_t endpoint, std::unique_ptr<EtcdConnection> connection) {
    connection->stream.expires_never();
    std::lock_guard lock(pool_->mutex);
    auto& idle = pool_->idle[endpoint];
    if (idle.size() < max_idle_) idle.push_back(std::move(connection));
}

asio::awaitable<std::unique_ptr<EtcdConnection>> EtcdClient::connect(std::size_t endpoint, Clock::time_point deadline) {
    const EtcdEndpoint& ep = endpoints_[endpoint];
    tcp::resolver resolver(ex_);
    boost::system::error_code ec;
    auto addresses = co_await resolver.async_resolve(ep.host, ep.port, asio::redirect_error(asio::use_awaitable, ec));
    throw_if_cancelled(ec);
    if (ec) unavailable("etcd " + ep.url + ": cannot resolve: " + ec.message());
    auto connection = std::make_unique<EtcdConnection>(ex_);
    connection->stream.expires_at(deadline);
    co_await connection->stream.async_connect(addresses, asio::redirect_error(asio::use_awaitable, ec));
    throw_if_cancelled(ec);
    if (ec) unavailable("etcd " + ep.url + ": cannot connect: " + describe(ec));
    connection->stream.socket().set_option(tcp::no_delay(true), ec);  // small requests, latency matters
    ++connections_;
    co_return connection;
}

// Not coroutines: the request's own coroutine gets copies of what they are given, so a caller keeps
// nothing alive for it and may pass literals and temporaries.
//
// Beast's stream timeouts fire on the awaiting coroutine's executor: on a multi-threaded io_context
// that races the operation they time out (a timeout read as a cancellation, a socket closed twice).
// So each request runs as its own coroutine on a strand of its own, bounded by its deadlines.
// Cancellation is not forwarded into it: Boost 1.81's co_spawn onto another executor emits a late
// cancellation into a freed slot (ASan: heap-use-after-free).
asio::awaitable<EtcdReply> EtcdClient::call(std::string_view path, std::string body, Retry retry) {
    return asio::co_spawn(asio::make_strand(ex_), call_on_strand(std::string(path), std::move(body), retry),
                          no_cancellation());
}

asio::awaitable<std::unique_ptr<EtcdStream>> EtcdClient::open_stream(std::string_view path, std::string body) {
    return asio::co_spawn(asio::make_strand(ex_), open_stream_on_strand(std::string(path), std::move(body)),
                          no_cancellation());
}

http::request<http::string_body> EtcdClient::make_request(const std::string& path, std::string body,
                                                          const std::string& token) const {
    http::request<http::string_body> req{http::verb::post, path, 11};
    req.set(http::field::content_type, "application/json");
    if (!token.empty()) req.set(http::field::authorization, token);
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
}

template <class T>
asio::awaitable<std::optional<T>> EtcdClient::fail_over(const TryEndpoint<T>& try_endpoint, std::string& failures) {
    const std::size_t n = endpoints_.size();
    const std::size_t first = preferred_.load();
    for (std::size_t attempt = 0; attempt < n; ++attempt) {
        const std::size_t index = (first + attempt) % n;
        const Attempt at{index, endpoints_[index], Clock::now() + timeout_, attempt + 1 == n};
        std::string failure;
        std::optional<T> result = co_await try_endpoint(at, failure);
        if (result) {
            preferred_.store(index);
            co_return result;
        }
        failures += (failures.empty() ? "" : "; ") + failure;
    }
    co_return std::nullopt;
}

void EtcdClient::give_up(const std::string& failures) {
    unavailable(failures.empty() ? std::string("etcd: no endpoint answered") : failures);
}

void EtcdClient::token_refused(const std::string& token) {
    if (!login_) return;  // a static token cannot be replaced
    std::lock_guard lock(token_mutex_);
    if (token_ == token) token_.clear();
}

asio::awaitable<std::string> EtcdClient::current_token() {
    {
        std::lock_guard lock(token_mutex_);
        if (!login_ || !token_.empty()) co_return token_;
    }
    // Two callers may authenticate at once; each token is valid, the last one stays.
    boost::json::object credentials;
    credentials["name"] = login_->name;
    credentials["password"] = login_->password;
    ++authentications_;
    EtcdReply reply = co_await send("/v3/auth/authenticate", boost::json::serialize(credentials), Retry::idempotent, "");
    if (reply.grpc_code != 0) unavailable("etcd " + reply.endpoint + ": authenticate as " + login_->name + ": " + reply.message);
    const boost::json::object* answer = reply.body.if_object();
    const boost::json::value* token = answer ? answer->if_contains("token") : nullptr;
    if (!token || !token->is_string() || token->get_string().empty())
        unavailable("etcd " + reply.endpoint + ": authenticate: the answer has no token");
    std::lock_guard lock(token_mutex_);
    token_ = token->get_string();
    co_return token_;
}

asio::awaitable<EtcdReply> EtcdClient::call_on_strand(std::string path, std::string body, Retry retry) {
    std::string token = co_await current_token();
    EtcdReply reply = co_await send(path, body, retry, token);
    if (reply.grpc_code == 0 || !login_ || !is_auth_refusal(reply.message)) co_return reply;
    // Refused before it was applied, so even a `once` request may go again, with a new token.
    token_refused(token);
    token = co_await current_token();
    co_return co_await send(path, body, retry, token);
}

asio::awaitable<EtcdReply> EtcdClient::send(const std::string& path, const std::string& body, Retry retry,
                                            const std::string& token) {
    auto req = make_request(path, body, token);
    std::optional<EtcdReply> unavailable_reply;  // a member said "unavailable"; the answer if no other one does

    const TryEndpoint<EtcdReply> try_endpoint = [&](const Attempt& at,
                                                    std::string& failure) -> asio::awaitable<std::optional<EtcdReply>> {
        const EtcdEndpoint& ep = at.endpoint;
        std::unique_ptr<EtcdConnection> connection = take_idle(at.index);
        if (!connection) {
            try {
                connection = co_await connect(at.index, at.deadline);
            } catch (const boost::system::system_error& e) {
                if (e.code() == asio::error::operation_aborted) throw;
                failure = e.what();
                co_return std::nullopt;  // nothing was sent: every request may go to the next endpoint
            }
        }

        req.set(http::field::host, ep.host + ":" + ep.port);
        ++requests_;
        boost::system::error_code ec;
        connection->stream.expires_at(at.deadline);
        co_await http::async_write(connection->stream, req, asio::redirect_error(asio::use_awaitable, ec));
        http::response_parser<http::string_body> parser;
        parser.body_limit(kMaxAnswerBytes);
        if (!ec)
            co_await http::async_read(connection->stream, connection->buffer, parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
        throw_if_cancelled(ec);
        if (ec) {
            if (retry == Retry::once) {
                preferred_.store((at.index + 1) % endpoints_.size());  // the next call, a re-send too, goes elsewhere
                throw_error(errc::commit_outcome_unknown,
                            "etcd " + ep.url + ": outcome unknown (" + describe(ec) + " after the request was sent)");
            }
            failure = "etcd " + ep.url + ": " + describe(ec);
            co_return std::nullopt;
        }

        auto res = parser.release();
        EtcdReply reply;
        reply.endpoint = ep.url;
        reply.body_bytes = res.body().size();
        boost::system::error_code json_ec;
        reply.body = boost::json::parse(res.body(), json_ec);
        if (res.keep_alive()) give_back(at.index, std::move(connection));
        if (res.result() == http::status::ok) {
            if (json_ec) unavailable("etcd " + ep.url + ": the answer is not JSON");
            co_return reply;
        }
        reply.grpc_code = etcd::GrpcCode::unavailable;  // unless the body says otherwise
        reply.message = "HTTP " + std::to_string(res.result_int());
        if (!json_ec) {
            if (auto error = etcd::parse_error(reply.body)) {
                reply.grpc_code = error->code;
                reply.message = error->message;
            }
        }
        // "No leader", "leader changed" and the like: another member may answer, if asking again is safe.
        if (reply.grpc_code == etcd::GrpcCode::unavailable && retry == Retry::idempotent && !at.last) {
            failure = "etcd " + ep.url + ": " + reply.message;
            unavailable_reply = std::move(reply);
            co_return std::nullopt;
        }
        co_return reply;
    };

    std::string failures;
    std::optional<EtcdReply> reply = co_await fail_over(try_endpoint, failures);
    if (!reply) reply = std::move(unavailable_reply);
    if (!reply) give_up(failures);
    co_return std::move(*reply);
}

asio::awaitable<std::unique_ptr<EtcdStream>> EtcdClient::open_stream_on_strand(std::string path, std::string body) {
    const std::string token = co_await current_token();
    auto req = make_request(path, std::move(body), token);

    const TryEndpoint<std::unique_ptr<EtcdStream>> try_endpoint =
        [&](const Attempt& at, std::string& failure) -> asio::awaitable<std::optional<std::unique_ptr<EtcdStream>>> {
        const EtcdEndpoint& ep = at.endpoint;
        std::unique_ptr<EtcdConnection> connection;
        try {
            connection = co_await connect(at.index, at.deadline);  // never a pooled one
        } catch (const boost::system::system_error& e) {
            if (e.code() == asio::error::operation_aborted) throw;
            failure = e.what();
            co_return std::nullopt;
        }
        req.set(http::field::host, ep.host + ":" + ep.port);
        ++requests_;
        boost::system::error_code ec;
        co_await http::async_write(connection->stream, req, asio::redirect_error(asio::use_awaitable, ec));
        connection->parser = std::make_unique<http::response_parser<http::string_body>>();
        connection->parser->body_limit(boost::none);  // consumed as it arrives
        if (!ec)
            co_await http::async_read_header(connection->stream, connection->buffer, *connection->parser,
                                             asio::redirect_error(asio::use_awaitable, ec));
        throw_if_cancelled(ec);
        if (ec) {
            failure = "etcd " + ep.url + ": " + describe(ec);
            co_return std::nullopt;
        }
        if (connection->parser->get().result() != http::status::ok) {
            failure = "etcd " + ep.url + ": HTTP " + std::to_string(connection->parser->get().result_int());
            co_return std::nullopt;
        }
        connection->stream.expires_never();
        co_return std::make_unique<EtcdStream>(std::move(connection), ep.url, token);
    };

    std::string failures;
    std::optional<std::unique_ptr<EtcdStream>> stream = co_await fail_over(try_endpoint, failures);
    if (!stream) give_up(failures);
    co_return std::move(*stream);
}

}  // namespace routecat::detail
