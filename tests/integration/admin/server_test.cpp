// The admin HTTP server over real sockets: keep-alive, concurrency, pipelining, limits, timeouts,
// the connection cap and the drain on stop. The handler is a small echo, not the API, except in
// admin_server_golden (the exact bytes of the real API's answers).

#include "support/http_client.hpp"
#include "unit/admin/golden_fixture.hpp"

#include "routecat/admin/responses.hpp"
#include "routecat/admin/router.hpp"
#include "routecat/admin/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace routecat;
using namespace routecat::test;
using namespace std::chrono_literals;

namespace {

// Echoes method, target and body size; a target of /slow takes 200 ms.
asio::awaitable<admin::Response> echo(admin::Request req) {
    if (req.target() == "/slow") {
        asio::steady_timer timer(co_await asio::this_coro::executor, 200ms);
        co_await timer.async_wait(asio::use_awaitable);
    }
    boost::json::object body{{"method", std::string(req.method_string())},
                             {"target", std::string(req.target())},
                             {"body_size", req.body().size()}};
    co_return admin::json_response(req, http::status::ok, body);
}

struct ServerFixture {
    asio::io_context io;
    std::shared_ptr<admin::Server> server;
    unsigned short port = 0;
    std::vector<std::thread> threads;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};

    explicit ServerFixture(admin::ServerOptions options = small_limits()) {
        server = std::make_shared<admin::Server>(io.get_executor(), options, echo);
        port = server->listen({asio::ip::make_address("127.0.0.1"), 0}).value().port();
        asio::co_spawn(io, server->run(), asio::detached);
        for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
    }
    ~ServerFixture() {
        server->stop();
        work.reset();
        io.stop();
        for (auto& t : threads) t.join();
    }
    static admin::ServerOptions small_limits() {
        admin::ServerOptions o;
        o.body_limit_bytes = 1024;
        o.header_limit_bytes = 2048;
        o.header_timeout = 300ms;
        o.idle_timeout = 2s;
        o.max_connections = 300;
        return o;
    }
};

std::string target_of(const HttpReply& r) { return std::string(boost::json::parse(r.body).at("target").as_string()); }

// Reads from a raw socket until EOF or timeout; returns what arrived and whether EOF came.
std::pair<std::string, bool> read_until_closed(asio::ip::tcp::socket& s, std::chrono::milliseconds timeout) {
    std::string data;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    s.non_blocking(true);
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
        boost::system::error_code ec;
        const std::size_t n = s.read_some(asio::buffer(buf), ec);
        if (ec == asio::error::would_block) {
            std::this_thread::sleep_for(5ms);
            continue;
        }
        if (ec) return {data, true};
        data.append(buf, n);
    }
    return {data, false};
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(admin_server, ServerFixture)

BOOST_AUTO_TEST_CASE(a_thousand_sequential_requests_on_one_kept_alive_connection) {
    HttpConnection c("127.0.0.1", port);
    for (int i = 0; i < 1000; ++i) {
        auto r = c.request(http::verb::get, "/r" + std::to_string(i));
        BOOST_TEST_REQUIRE(r.status == 200u);
        BOOST_TEST_REQUIRE(target_of(r) == "/r" + std::to_string(i));
    }
}

BOOST_AUTO_TEST_CASE(two_hundred_concurrent_connections_are_all_served) {
    std::vector<std::unique_ptr<HttpConnection>> clients;
    for (int i = 0; i < 200; ++i) clients.push_back(std::make_unique<HttpConnection>("127.0.0.1", port));
    for (int i = 0; i < 200; ++i) BOOST_TEST_REQUIRE(clients[i]->request(http::verb::get, "/c" + std::to_string(i)).status == 200u);
    BOOST_TEST(server->connections() == 200u);
    // Interleaved second round on the same connections.
    for (int i = 199; i >= 0; --i) BOOST_TEST_REQUIRE(target_of(clients[i]->request(http::verb::get, "/d")) == "/d");
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_answered_in_order) {
    asio::io_context client;
    asio::ip::tcp::socket s(client);
    s.connect({asio::ip::make_address("127.0.0.1"), port});
    std::string requests;
    for (int i = 0; i < 5; ++i) requests += "GET /p" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    requests += "GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    asio::write(s, asio::buffer(requests));
    auto [data, closed] = read_until_closed(s, 5s);
    BOOST_TEST(closed);
    std::size_t at = 0;
    for (const char* t : {"/p0", "/p1", "/p2", "/p3", "/p4", "/last"}) {
        const auto found = data.find("\"target\":\"" + std::string(t) + "\"", at);
        BOOST_TEST_REQUIRE(found != std::string::npos, t);
        at = found;
    }
}

BOOST_AUTO_TEST_CASE(a_body_over_the_limit_gets_413_as_json) {
    HttpConnection c("127.0.0.1", port);
    auto r = c.request(http::verb::post, "/big", std::string(2000, 'x'));
    BOOST_TEST(r.status == 413u);
    BOOST_TEST(boost::json::parse(r.body).at("error").at("code").as_string() == "payload_too_large");
    BOOST_TEST(!r.raw.keep_alive());
    // At the limit is fine.
    HttpConnection d("127.0.0.1", port);
    BOOST_TEST(d.request(http::verb::post, "/ok", std::string(1024, 'x')).status == 200u);
}

BOOST_AUTO_TEST_CASE(an_over_long_header_gets_431) {
    asio::io_context client;
    asio::ip::tcp::socket s(client);
    s.connect({asio::ip::make_address("127.0.0.1"), port});
    const std::string req = "GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + std::string(4000, 'a') + "\r\n\r\n";
    asio::write(s, asio::buffer(req));
    auto [data, closed] = read_until_closed(s, 5s);
    BOOST_TEST(data.starts_with("HTTP/1.1 431"));
    BOOST_TEST(data.find("\"code\":\"bad_request\"") != std::string::npos);
    BOOST_TEST(closed);
}

BOOST_AUTO_TEST_CASE(a_client_sending_a_byte_at_a_time_is_dropped_at_the_header_timeout) {
    asio::io_context client;
    asio::ip::tcp::socket s(client);
    s.connect({asio::ip::make_address("127.0.0.1"), port});
    const std::string req = "GET /slowloris HTTP/1.1\r\nHost: x\r\n";
    const auto started = std::chrono::steady_clock::now();
    bool dropped = false;
    for (char c : req) {
        boost::system::error_code ec;
        asio::write(s, asio::buffer(&c, 1), ec);
        if (ec) {
            dropped = true;
            break;
        }
        std::this_thread::sleep_for(50ms);  // 36 bytes: ~1.8 s if never dropped
    }
    if (!dropped) dropped = read_until_closed(s, 2s).second;
    BOOST_TEST(dropped);
    BOOST_TEST((std::chrono::steady_clock::now() - started < 3s));
    HttpConnection healthy("127.0.0.1", port);  // others are still served
    BOOST_TEST(healthy.request(http::verb::get, "/fine").status == 200u);
}

BOOST_AUTO_TEST_CASE(garbage_instead_of_http_closes_the_connection_and_serving_goes_on) {
    for (const std::string& garbage : {std::string("\x16\x03\x01\x02\x00", 5), std::string("HELLO\r\n\r\n"),
                                      std::string("GET / HTTP/9.9\r\n\r\n"), std::string(5000, '\0')}) {
        asio::io_context client;
        asio::ip::tcp::socket s(client);
        s.connect({asio::ip::make_address("127.0.0.1"), port});
        boost::system::error_code ec;
        asio::write(s, asio::buffer(garbage), ec);
        BOOST_TEST(read_until_closed(s, 3s).second);
    }
    HttpConnection healthy("127.0.0.1", port);
    BOOST_TEST(healthy.request(http::verb::get, "/fine").status == 200u);
}

BOOST_AUTO_TEST_CASE(stop_answers_the_in_flight_request_closes_idle_ones_and_drains) {
    HttpConnection idle("127.0.0.1", port);
    BOOST_TEST(idle.request(http::verb::get, "/warm").status == 200u);
    HttpReply slow;
    std::thread slow_client([&] {
        HttpConnection c("127.0.0.1", port);
        slow = c.request(http::verb::get, "/slow");
    });
    std::this_thread::sleep_for(50ms);  // the slow request is being handled
    server->stop();
    auto drained = asio::co_spawn(io, server->drain(5s), asio::use_future);
    slow_client.join();
    BOOST_TEST(slow.status == 200u);
    BOOST_TEST(!slow.raw.keep_alive());  // answered, then closed
    BOOST_TEST((drained.wait_for(5s) == std::future_status::ready));
    BOOST_TEST(server->connections() == 0u);
    asio::ip::tcp::socket probe(idle.stream().get_executor());
    boost::system::error_code ec;
    probe.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    BOOST_TEST(!!ec);  // no longer accepting
}

BOOST_AUTO_TEST_SUITE_END()

// Request bodies in flight share a budget: one beyond it gets 429 with Retry-After, and the reservation
// of a request goes when it is answered.
BOOST_AUTO_TEST_CASE(admin_server_bodies_beyond_the_inflight_budget_get_429) {
    auto options = ServerFixture::small_limits();
    options.header_timeout = 5s;
    options.inflight_body_limit_bytes = 1500;
    ServerFixture f(options);
    // A holds 1000 bytes of budget: its header has come, its body never finishes.
    asio::io_context client;
    asio::ip::tcp::socket a(client);
    a.connect({asio::ip::make_address("127.0.0.1"), f.port});
    asio::write(a, asio::buffer(std::string("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789")));
    std::this_thread::sleep_for(200ms);
    HttpConnection b("127.0.0.1", f.port);
    auto refused = b.request(http::verb::post, "/b", std::string(1000, 'x'));
    BOOST_TEST(refused.status == 429u);
    BOOST_TEST(std::string(refused.raw[http::field::retry_after]) == "1");
    BOOST_TEST(boost::json::parse(refused.body).at("error").at("code").as_string() == "too_many_requests");
    // A body that fits beside A's is fine; once A is answered its share is free again.
    HttpConnection c("127.0.0.1", f.port);
    BOOST_TEST(c.request(http::verb::post, "/c", std::string(400, 'x')).status == 200u);
    asio::write(a, asio::buffer(std::string(990, 'y')));
    auto [answer, closed] = read_until_closed(a, 500ms);
    BOOST_TEST(answer.starts_with("HTTP/1.1 200"), answer);
    HttpConnection d("127.0.0.1", f.port);
    BOOST_TEST(d.request(http::verb::post, "/d", std::string(1000, 'x')).status == 200u);
}

// With the descriptors used up, a failed accept pauses instead of spinning, and serving resumes once
// descriptors are free again.
BOOST_AUTO_TEST_CASE(admin_server_accept_without_descriptors_pauses_and_recovers) {
    ServerFixture f;
    HttpConnection warm("127.0.0.1", f.port);
    BOOST_TEST_REQUIRE(warm.request(http::verb::get, "/warm").status == 200u);
    asio::io_context client;  // its descriptors are made before the limit bites
    asio::ip::tcp::socket s(client);
    s.open(asio::ip::tcp::v4());
    rlimit saved{};
    BOOST_TEST_REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
    // Take every descriptor number up to a lowered limit with spares of our own.
    std::vector<int> spare;
    for (int fd = ::dup(0); fd >= 0 && spare.size() < 64; fd = ::dup(0)) spare.push_back(fd);
    rlimit low = saved;
    low.rlim_cur = static_cast<rlim_t>(spare.back()) + 1;
    BOOST_TEST_REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
    // The client connects (the kernel queues it), the server's accept fails with EMFILE.
    s.connect({asio::ip::make_address("127.0.0.1"), f.port});
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    std::this_thread::sleep_for(500ms);
    getrusage(RUSAGE_SELF, &after);
    auto cpu_ms = [](const rusage& r) { return r.ru_utime.tv_sec * 1000.0 + r.ru_utime.tv_usec / 1000.0 + r.ru_stime.tv_sec * 1000.0 + r.ru_stime.tv_usec / 1000.0; };
    const double spent = cpu_ms(after) - cpu_ms(before);
    for (int fd : spare) ::close(fd);
    BOOST_TEST_REQUIRE(setrlimit(RLIMIT_NOFILE, &saved) == 0);
    BOOST_TEST(spent < 150.0, spent << " ms of CPU in 500 ms while accept failed");
    asio::write(s, asio::buffer(std::string("GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
    auto [answer, closed] = read_until_closed(s, 2s);
    BOOST_TEST(answer.starts_with("HTTP/1.1 200"), answer);
}

// Connections spread over single-threaded executors (routecatd's io_context per thread): they take
// the executors in turn, every request is handled on its connection's thread, concurrent clients are
// all answered, and stop() still answers the request in flight and drains the rest.
BOOST_AUTO_TEST_CASE(admin_server_sessions_spread_over_single_threaded_contexts) {
    asio::io_context acceptor_io;
    asio::io_context context0(1), context1(1);
    std::array<asio::io_context*, 2> contexts{&context0, &context1};
    std::mutex seen_mutex;
    std::map<std::string, std::set<std::thread::id>> threads_of_connection;  // "/<connection>/..." -> threads
    auto handler = [&](admin::Request req) -> asio::awaitable<admin::Response> {
        {
            std::lock_guard lock(seen_mutex);
            const std::string target(req.target());
            threads_of_connection[target.substr(0, target.find('/', 1))].insert(std::this_thread::get_id());
        }
        return echo(std::move(req));
    };
    auto server = std::make_shared<admin::Server>(acceptor_io.get_executor(), ServerFixture::small_limits(), handler);
    server->serve_sessions_on({contexts[0]->get_executor(), contexts[1]->get_executor()});
    const auto port = server->listen({asio::ip::make_address("127.0.0.1"), 0}).value().port();
    asio::co_spawn(acceptor_io, server->run(), asio::detached);
    auto guard0 = asio::make_work_guard(context0);
    auto guard1 = asio::make_work_guard(context1);
    auto acceptor_guard = asio::make_work_guard(acceptor_io);
    std::thread t0([&] { contexts[0]->run(); }), t1([&] { contexts[1]->run(); }), ta([&] { acceptor_io.run(); });
    const std::set<std::thread::id> context_threads{t0.get_id(), t1.get_id()};

    std::vector<std::thread> clients;
    std::atomic<int> answered{0};
    for (int c = 0; c < 8; ++c)
        clients.emplace_back([&, c] {
            HttpConnection conn("127.0.0.1", port);
            for (int i = 0; i < 100; ++i) {
                const std::string target = "/c" + std::to_string(c) + "/" + std::to_string(i);
                if (target_of(conn.request(http::verb::get, target)) == target) ++answered;
            }
        });
    for (auto& t : clients) t.join();
    BOOST_TEST(answered.load() == 800);
    std::set<std::thread::id> used;
    for (const auto& [connection, threads] : threads_of_connection) {
        BOOST_TEST(threads.size() == 1u, connection << " was handled on " << threads.size() << " threads");
        BOOST_TEST(context_threads.count(*threads.begin()) == 1u);
        used.insert(threads.begin(), threads.end());
    }
    BOOST_TEST(threads_of_connection.size() == 8u);
    BOOST_TEST(used == context_threads);  // connections took the contexts in turn

    HttpConnection idle("127.0.0.1", port);
    BOOST_TEST(idle.request(http::verb::get, "/idle/warm").status == 200u);
    HttpReply slow;
    std::thread slow_client([&] {
        HttpConnection c("127.0.0.1", port);
        slow = c.request(http::verb::get, "/slow");
    });
    std::this_thread::sleep_for(50ms);
    server->stop();
    auto drained = asio::co_spawn(acceptor_io, server->drain(5s), asio::use_future);
    slow_client.join();
    BOOST_TEST(slow.status == 200u);
    BOOST_TEST((drained.wait_for(5s) == std::future_status::ready));
    BOOST_TEST(server->connections() == 0u);

    guard0.reset();
    guard1.reset();
    acceptor_guard.reset();
    for (auto* io : {&context0, &context1, &acceptor_io}) io->stop();
    for (auto* t : {&t0, &t1, &ta}) t->join();
}

BOOST_AUTO_TEST_CASE(admin_server_connections_above_the_cap_get_503) {
    auto options = ServerFixture::small_limits();
    options.max_connections = 2;
    ServerFixture f(options);
    HttpConnection a("127.0.0.1", f.port), b("127.0.0.1", f.port);
    BOOST_TEST(a.request(http::verb::get, "/a").status == 200u);
    BOOST_TEST(b.request(http::verb::get, "/b").status == 200u);
    HttpConnection c("127.0.0.1", f.port);
    auto r = c.request(http::verb::get, "/c");
    BOOST_TEST(r.status == 503u);
    BOOST_TEST(boost::json::parse(r.body).at("error").at("message").as_string() == "too many connections");
    BOOST_TEST(boost::json::parse(r.body).at("error").at("code").as_string() == "too_many_connections");
}

// ---- golden bytes on the wire ----------------------------------------------------------------------
// The real API handler behind the real Server, on golden_fixture.hpp's catalog: the exact bytes a
// client receives (status line, every header in order, body) for lookups, so a new response writer
// is proven byte-identical to Beast's serialisation.

namespace {

struct GoldenServerFixture : GoldenFixture {
    asio::io_context server_io;
    std::shared_ptr<admin::Server> server;
    unsigned short port = 0;
    std::thread thread;
    asio::executor_work_guard<asio::io_context::executor_type> work{server_io.get_executor()};

    GoldenServerFixture() {
        admin::Handler handler = [context = ctx](admin::Request req) {
            return admin::handle_admin_request(context, std::move(req));
        };
        server = std::make_shared<admin::Server>(server_io.get_executor(), admin::ServerOptions{}, std::move(handler));
        port = server->listen({asio::ip::make_address("127.0.0.1"), 0}).value().port();
        asio::co_spawn(server_io, server->run(), asio::detached);
        thread = std::thread([this] { server_io.run(); });
    }
    ~GoldenServerFixture() {
        server->stop();
        work.reset();
        server_io.stop();
        thread.join();
    }
};

// A raw client connection: sends bytes, reads one response (its header, then Content-Length bytes).
class RawConnection {
public:
    explicit RawConnection(unsigned short port) : socket_(io_) {
        socket_.connect({asio::ip::make_address("127.0.0.1"), port});
        socket_.non_blocking(true);
    }

    void send(const std::string& bytes) {
        socket_.non_blocking(false);
        asio::write(socket_, asio::buffer(bytes));
        socket_.non_blocking(true);
    }

    // The next response exactly as it arrived; empty if it did not complete within 5 s.
    std::string response() {
        std::size_t header_end = std::string::npos;
        std::size_t total = std::string::npos;
        while (total == std::string::npos || pending_.size() < total) {
            if (header_end == std::string::npos && (header_end = pending_.find("\r\n\r\n")) != std::string::npos) {
                constexpr std::string_view kLength = "\r\nContent-Length: ";
                const auto at = pending_.find(kLength);
                if (at == std::string::npos || at > header_end) return {};
                total = header_end + 4 + std::stoul(pending_.substr(at + kLength.size()));
                continue;
            }
            if (!read_more()) return {};
        }
        std::string out = pending_.substr(0, total);
        pending_.erase(0, total);
        return out;
    }

    // True when the server closes the connection within 5 s with nothing more sent.
    bool closed_by_server() {
        while (read_more()) {}
        return eof_ && pending_.empty();
    }

private:
    bool read_more() {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        char buf[4096];
        while (std::chrono::steady_clock::now() < deadline) {
            boost::system::error_code ec;
            const std::size_t n = socket_.read_some(asio::buffer(buf), ec);
            if (ec == asio::error::would_block) {
                std::this_thread::sleep_for(2ms);
                continue;
            }
            if (ec) {
                eof_ = true;
                return false;
            }
            pending_.append(buf, n);
            return true;
        }
        return false;
    }

    asio::io_context io_;
    asio::ip::tcp::socket socket_;
    std::string pending_;
    bool eof_ = false;
};

// The bodies (also pinned in admin_golden) of GET /v1/routes/lookup?key=b (route 42) and of
// ?key_hex=72225c01 (r"\ and byte 0x01, in the gap: 404).
const std::string kFoundBody =
    R"({"version":12,"route":)"
    R"({"route_id":42,"start":"YSJiXGM=","start_text":"a\"b\\\\c","end":"awAff4D/","end_text":"k\\x00\\x1f\\x7f\\x80\\xff","group_id":12,"state":"write_fenced","load":12}})";
const std::string kMissingBody = R"({"error":{"code":"not_found","message":"no route holds key r\"\\\\\\x01"}})";

}  // namespace

BOOST_FIXTURE_TEST_SUITE(admin_server_golden, GoldenServerFixture)

// HTTP/1.1 keep-alive: a found lookup, then a 404 lookup on the same connection.
BOOST_AUTO_TEST_CASE(lookup_over_http_1_1_keep_alive) {
    RawConnection c(port);
    c.send("GET /v1/routes/lookup?key=b HTTP/1.1\r\nHost: localhost\r\n\r\n");
    BOOST_TEST(c.response() == "HTTP/1.1 200 OK\r\n"
                               "Content-Type: application/json; charset=utf-8\r\n"
                               "Content-Length: 186\r\n"
                               "\r\n" + kFoundBody);
    c.send("GET /v1/routes/lookup?key_hex=72225c01 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    BOOST_TEST(c.response() == "HTTP/1.1 404 Not Found\r\n"
                               "Content-Type: application/json; charset=utf-8\r\n"
                               "Content-Length: 74\r\n"
                               "\r\n" + kMissingBody);
}

// HTTP/1.0 with Connection: keep-alive: the same answers, each saying keep-alive; the connection stays.
BOOST_AUTO_TEST_CASE(lookup_over_http_1_0_keep_alive) {
    RawConnection c(port);
    c.send("GET /v1/routes/lookup?key=b HTTP/1.0\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n");
    BOOST_TEST(c.response() == "HTTP/1.0 200 OK\r\n"
                               "Content-Type: application/json; charset=utf-8\r\n"
                               "Content-Length: 186\r\n"
                               "Connection: keep-alive\r\n"
                               "\r\n" + kFoundBody);
    c.send("GET /v1/routes/lookup?key_hex=72225c01 HTTP/1.0\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n");
    BOOST_TEST(c.response() == "HTTP/1.0 404 Not Found\r\n"
                               "Content-Type: application/json; charset=utf-8\r\n"
                               "Content-Length: 74\r\n"
                               "Connection: keep-alive\r\n"
                               "\r\n" + kMissingBody);
}

// HTTP/1.0 without keep-alive: each answer, then the server closes the connection.
BOOST_AUTO_TEST_CASE(lookup_over_http_1_0_close) {
    RawConnection found(port);
    found.send("GET /v1/routes/lookup?key=b HTTP/1.0\r\nHost: localhost\r\n\r\n");
    BOOST_TEST(found.response() == "HTTP/1.0 200 OK\r\n"
                                   "Content-Type: application/json; charset=utf-8\r\n"
                                   "Content-Length: 186\r\n"
                                   "\r\n" + kFoundBody);
    BOOST_TEST(found.closed_by_server());
    RawConnection missing(port);
    missing.send("GET /v1/routes/lookup?key_hex=72225c01 HTTP/1.0\r\nHost: localhost\r\n\r\n");
    BOOST_TEST(missing.response() == "HTTP/1.0 404 Not Found\r\n"
                                     "Content-Type: application/json; charset=utf-8\r\n"
                                     "Content-Length: 74\r\n"
                                     "\r\n" + kMissingBody);
    BOOST_TEST(missing.closed_by_server());
}

// HTTP/1.1 with Connection: close: the answer says close, then the server closes the connection.
BOOST_AUTO_TEST_CASE(lookup_over_http_1_1_close) {
    RawConnection c(port);
    c.send("GET /v1/routes/lookup?key=b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    BOOST_TEST(c.response() == "HTTP/1.1 200 OK\r\n"
                               "Content-Type: application/json; charset=utf-8\r\n"
                               "Content-Length: 186\r\n"
                               "Connection: close\r\n"
                               "\r\n" + kFoundBody);
    BOOST_TEST(c.closed_by_server());
}

// POST /v1/routes/lookup over HTTP/1.1: a batch with a miss.
BOOST_AUTO_TEST_CASE(batch_lookup_over_http_1_1) {
    RawConnection c(port);
    const std::string body = R"({"keys":["","YSJiXGM=","cg==","enr/"]})";
    c.send("POST /v1/routes/lookup HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body);
    BOOST_TEST(c.response() ==
               "HTTP/1.1 200 OK\r\n"
               "Content-Type: application/json; charset=utf-8\r\n"
               "Content-Length: 443\r\n"
               "\r\n"
               R"({"version":12,"routes":[)"
               R"({"route_id":17,"start":"","start_text":"","end":"YSJiXGM=","end_text":"a\"b\\\\c","group_id":3,"state":"active","load":0},)"
               R"({"route_id":42,"start":"YSJiXGM=","start_text":"a\"b\\\\c","end":"awAff4D/","end_text":"k\\x00\\x1f\\x7f\\x80\\xff","group_id":12,"state":"write_fenced","load":12},)"
               R"(null,)"
               R"({"route_id":1000,"start":"eno=","start_text":"zz","end":null,"end_text":null,"group_id":7,"state":"migrating_source","load":3}]})");
}

BOOST_AUTO_TEST_SUITE_END()
