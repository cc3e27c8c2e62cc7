// The change feed through a running routecatd: a long poll wakes within 100 ms of a Save, an SSE
// client whose connection is killed mid-stream resumes with Last-Event-ID and loses no delta, and a
// SIGTERM ends open streams at once.

#include "support/daemon_fixture.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <future>
#include <sys/socket.h>
#include <thread>

using namespace routecat;
using namespace routecat::test;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

struct Event {
    std::string type;
    std::uint64_t id = 0;
    std::string data;
};

// A blocking Server-Sent Events client on one connection (receive timeout 10 s).
class SseClient {
public:
    SseClient(unsigned short port, const std::string& target, std::optional<std::uint64_t> last_event_id = {})
        : socket_(io_) {
        socket_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        timeval timeout{10, 0};
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, "localhost");
        req.set(http::field::accept, "text/event-stream");
        if (last_event_id) req.set("Last-Event-ID", std::to_string(*last_event_id));
        http::write(socket_, req);
        parser_.body_limit(boost::none);
        http::read_header(socket_, buffer_, parser_);
    }

    unsigned status() const { return parser_.get().result_int(); }
    std::string header(http::field f) const { return std::string(parser_.get()[f]); }

    // The next event (comments skipped), or nullopt when the stream ends or fails.
    std::optional<Event> next() {
        for (;;) {
            std::string& body = parser_.get().body();
            const auto end = body.find("\n\n");
            if (end != std::string::npos) {
                const std::string block = body.substr(0, end);
                body.erase(0, end + 2);
                if (block.starts_with(":")) continue;
                return parse(block);
            }
            if (parser_.is_done()) return std::nullopt;
            boost::system::error_code ec;
            http::read_some(socket_, buffer_, parser_, ec);
            if (ec) return std::nullopt;
        }
    }

    bool ended_cleanly() {  // the last chunk arrived (no more events)
        while (next()) {
        }
        return parser_.is_done();
    }

    // Drops the connection with a reset, as a crashed client or a broken network does.
    void kill() {
        socket_.set_option(asio::socket_base::linger(true, 0));
        socket_.close();
    }

private:
    static Event parse(const std::string& block) {
        Event e;
        std::size_t at = 0;
        while (at < block.size()) {
            const auto eol = block.find('\n', at);
            const std::string line = block.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
            at = eol == std::string::npos ? block.size() : eol + 1;
            if (line.starts_with("event: ")) e.type = line.substr(7);
            else if (line.starts_with("id: ")) e.id = std::stoull(line.substr(4));
            else if (line.starts_with("data: ")) e.data = line.substr(6);
        }
        return e;
    }

    asio::io_context io_;
    asio::ip::tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
    http::response_parser<http::string_body> parser_;
};

// PUT /v1/catalog moving the single route to group `group`; returns the new version.
std::uint64_t put_group(HttpConnection& c, std::uint64_t expected, std::uint64_t group) {
    const std::string body = R"({"expected_version":)" + std::to_string(expected) +
                             R"(,"routes":[{"route_id":1,"start_text":"","end_text":null,"group_id":)" +
                             std::to_string(group) + "}]}";
    const auto r = c.request(http::verb::put, "/v1/catalog", body);
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    return boost::json::parse(r.body).at("version").to_number<std::uint64_t>();
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(daemon_changes, DaemonFixture)

BOOST_AUTO_TEST_CASE(a_long_poll_answers_within_100_ms_of_a_save) {
    Daemon d = start_default();  // version 1
    std::vector<double> lags_ms;
    for (std::uint64_t v = 1; v <= 5; ++v) {
        auto poll = std::async(std::launch::async, [&] {
            HttpConnection c("127.0.0.1", d.port);
            auto r = c.request(http::verb::get, "/v1/catalog/changes?after=" + std::to_string(v) + "&timeout=30s");
            return std::make_pair(r, Clock::now());
        });
        std::this_thread::sleep_for(150ms);  // the poll is waiting
        HttpConnection writer("127.0.0.1", d.port);
        BOOST_TEST_REQUIRE((poll.wait_for(0s) == std::future_status::timeout));
        const std::uint64_t saved_version = put_group(writer, v, v + 1);
        const auto saved = Clock::now();
        const auto [reply, answered] = poll.get();
        BOOST_TEST(reply.status == 200u);
        const auto body = boost::json::parse(reply.body);
        BOOST_TEST(body.at("version").to_number<std::uint64_t>() == saved_version);
        BOOST_TEST_REQUIRE(body.at("deltas").as_array().size() == 1u);
        BOOST_TEST(body.at("deltas").at(0).at("version").to_number<std::uint64_t>() == v + 1);
        lags_ms.push_back(std::chrono::duration<double, std::milli>(answered - saved).count());
    }
    for (double lag : lags_ms) {
        BOOST_TEST_MESSAGE("long poll answered " << lag << " ms after the Save's reply");
        BOOST_TEST(lag < 100.0);
    }
}

BOOST_AUTO_TEST_CASE(an_sse_client_killed_mid_stream_resumes_with_last_event_id_and_loses_nothing) {
    Daemon d = start_default();  // version 1
    constexpr std::uint64_t kLast = 61;  // 60 Saves while the client reads, drops and comes back
    auto writer = std::async(std::launch::async, [&] {
        HttpConnection c("127.0.0.1", d.port);
        for (std::uint64_t v = 1; v < kLast; ++v) {
            put_group(c, v, v + 1);
            std::this_thread::sleep_for(3ms);
        }
    });
    std::vector<Event> seen;
    {
        SseClient first(d.port, "/v1/catalog/changes/stream?after=1");
        BOOST_TEST_REQUIRE(first.status() == 200u);
        BOOST_TEST(first.header(http::field::content_type) == "text/event-stream; charset=utf-8");
        while (seen.size() < 10) {
            auto e = first.next();
            BOOST_TEST_REQUIRE(e.has_value());
            seen.push_back(*e);
        }
        first.kill();  // mid-stream, with Saves still committing
    }
    int reconnects = 0;
    while (seen.back().id < kLast) {
        BOOST_TEST_REQUIRE(++reconnects <= 3);
        // after=1 is ignored: Last-Event-ID says where this client is.
        SseClient again(d.port, "/v1/catalog/changes/stream?after=1", seen.back().id);
        BOOST_TEST_REQUIRE(again.status() == 200u);
        while (seen.back().id < kLast) {
            auto e = again.next();
            if (!e) break;
            seen.push_back(*e);
        }
    }
    writer.get();
    BOOST_TEST_REQUIRE(seen.size() == kLast - 1);
    for (std::size_t i = 0; i < seen.size(); ++i) {
        const std::uint64_t v = i + 2;
        BOOST_TEST(seen[i].type == "delta");
        BOOST_TEST(seen[i].id == v);
        const auto delta = boost::json::parse(seen[i].data);
        BOOST_TEST(delta.at("previous_version").to_number<std::uint64_t>() == v - 1);
        BOOST_TEST(delta.at("mutations").at(0).at("route").at("group_id").to_number<std::uint64_t>() == v);
    }
}

BOOST_AUTO_TEST_CASE(sigterm_ends_open_streams_at_once) {
    Daemon d = start_default();
    std::vector<std::unique_ptr<SseClient>> clients;
    for (int i = 0; i < 5; ++i) clients.push_back(std::make_unique<SseClient>(d.port, "/v1/catalog/changes/stream"));
    const auto signalled = Clock::now();
    d.process->signal(SIGTERM);
    for (auto& c : clients) BOOST_TEST(c->ended_cleanly());
    const auto code = d.process->wait_exit(5s);
    BOOST_TEST_REQUIRE(code.has_value());
    BOOST_TEST(*code == 0);
    BOOST_TEST((Clock::now() - signalled < 2s));
}

BOOST_AUTO_TEST_SUITE_END()
