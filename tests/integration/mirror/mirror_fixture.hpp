#pragma once
// What the mirror tests share: an io_context on a thread of its own, mirrors running on it with
// their log captured, an in-process routecat source (memory store with the delta log, the admin API
// on a free port) or a scripted HTTP server, and a check that an engine holds exactly a catalog.

#include "support/printers.hpp"

#include "routecat/admin/responses.hpp"
#include "routecat/admin/router.hpp"
#include "routecat/admin/server.hpp"
#include "routecat/admin/shutdown.hpp"
#include "routecat/catalog/catalog_writes.hpp"
#include "routecat/mirror/http_catalog_mirror.hpp"
#include "routecat/store/memory_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace routecat::test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Runs until destroyed (on `threads` threads); call() runs a coroutine there and waits for it.
class IoThread {
public:
    explicit IoThread(int threads = 1) {
        for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io.run(); });
    }
    ~IoThread() {
        work_.reset();
        io.stop();
        for (auto& t : threads_) t.join();
    }

    template <class T>
    T call(asio::awaitable<T> task) {
        return asio::co_spawn(io, std::move(task), asio::use_future).get();
    }

    asio::io_context io;

private:
    asio::executor_work_guard<asio::io_context::executor_type> work_{io.get_executor()};
    std::vector<std::thread> threads_;
};

// Polls pred every 5 ms until it holds or timeout passes; returns whether it held.
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

// Log lines as "<level> <message>".
class CapturedLog : public spdlog::sinks::base_sink<std::mutex> {
public:
    std::vector<std::string> lines() {
        std::lock_guard lock(mutex_);
        return lines_;
    }
    std::size_t count(const std::string& text) {
        const auto all = lines();
        return static_cast<std::size_t>(
            std::count_if(all.begin(), all.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; }));
    }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        lines_.push_back(std::string(spdlog::level::to_string_view(msg.level).data(), spdlog::level::to_string_view(msg.level).size()) +
                         " " + std::string(msg.payload.data(), msg.payload.size()));
    }
    void flush_() override {}

private:
    std::vector<std::string> lines_;
};

// A mirror running on io: its engine, its log, and run()'s outcome.
struct RunningMirror {
    std::shared_ptr<Engine> engine;
    std::shared_ptr<CapturedLog> log = std::make_shared<CapturedLog>();
    std::shared_ptr<HttpCatalogMirror> mirror;
    std::future<void> done;

    RunningMirror(asio::io_context& io, HttpCatalogMirrorOptions options,
                  std::shared_ptr<Engine> into = std::make_shared<Engine>())
        : engine(std::move(into)) {
        options.logger = std::make_shared<spdlog::logger>("mirror-test", log);
        options.logger->set_level(spdlog::level::trace);
        mirror = std::make_shared<HttpCatalogMirror>(engine, std::move(options));
        done = asio::co_spawn(io, mirror->run(), asio::use_future);
    }
    ~RunningMirror() {
        mirror->stop();
        if (done.valid()) done.wait_for(10s);
    }

    HttpCatalogMirrorStatus status() const { return mirror->status(); }
    // Whether run() has returned within timeout (rethrowing what it threw).
    bool returned_within(std::chrono::milliseconds timeout) {
        if (done.wait_for(timeout) != std::future_status::ready) return false;
        done.get();
        return true;
    }
};

// Retries every 20 ms; logs nowhere (RunningMirror captures its mirror's log).
inline HttpCatalogMirrorOptions mirror_options(std::vector<std::string> endpoints) {
    HttpCatalogMirrorOptions options;
    options.endpoints = std::move(endpoints);
    options.retry_interval = 20ms;
    options.logger = std::make_shared<spdlog::logger>("mirror-test");
    return options;
}

inline std::string url_of(unsigned short port) { return "http://127.0.0.1:" + std::to_string(port); }

// A port nothing listens on (bound, then released).
inline unsigned short closed_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

// An admin::Server on a free port of io, answering with handler; stopped (long polls ended) on
// destruction.
class TestServer {
public:
    TestServer(asio::io_context& io, admin::Handler handler, std::shared_ptr<admin::Shutdown> shutdown = nullptr)
        : shutdown_(std::move(shutdown)) {
        server_ = std::make_shared<admin::Server>(io.get_executor(), admin::ServerOptions{}, std::move(handler));
        port = server_->listen({asio::ip::make_address("127.0.0.1"), 0}).value().port();
        asio::co_spawn(io, server_->run(), asio::detached);
    }
    ~TestServer() {
        if (shutdown_) shutdown_->begin();
        server_->stop();
    }

    unsigned short port = 0;
    std::string url() const { return url_of(port); }

private:
    std::shared_ptr<admin::Shutdown> shutdown_;
    std::shared_ptr<admin::Server> server_;
};

// routecat's admin API over a memory store whose catalog keeps the delta log: what routecatd
// serves, in process. Writes go through save_and_apply / split_and_apply, so its engine (which the
// feed's long polls wait on) serves each write when it returns.
class Source {
public:
    Source(IoThread& io, std::uint64_t delta_retention = kDefaultCatalogDeltaRetention)
        : catalog(std::make_shared<MemoryStore>(), options(delta_retention)), engine(std::make_shared<Engine>()),
          io_(io), shutdown_(std::make_shared<admin::Shutdown>()),
          server_(io.io, handler(), shutdown_) {}

    std::string url() const { return server_.url(); }
    unsigned short port() const { return server_.port; }

    CatalogSnapshot save(std::uint64_t expected, std::vector<RouteDescriptor> routes) {
        auto write = io_.call(save_and_apply(catalog, engine, expected, std::move(routes)));
        BOOST_TEST_REQUIRE(write.committed.has_value());
        return *write.committed;
    }
    SplitResult split(std::uint64_t expected, std::uint64_t route_id, std::string key) {
        auto write = io_.call(split_and_apply(catalog, engine, expected, route_id, std::move(key)));
        BOOST_TEST_REQUIRE(write.committed.has_value());
        return *write.committed;
    }
    CatalogSnapshot snapshot() { return io_.call(catalog.snapshot()); }

    CatalogStore catalog;
    std::shared_ptr<Engine> engine;

private:
    static CatalogStoreOptions options(std::uint64_t retention) {
        CatalogStoreOptions o;
        o.delta_log = true;
        o.delta_retention = retention;
        return o;
    }
    admin::Handler handler() {
        admin::AdminContext context;
        context.catalog = catalog;
        context.engine = engine;
        context.shutdown = shutdown_;
        return [context](admin::Request req) { return admin::handle_admin_request(context, std::move(req)); };
    }

    IoThread& io_;
    std::shared_ptr<admin::Shutdown> shutdown_;
    TestServer server_;
};

// The engine holds exactly the catalog: its version and its routes (loads 0).
inline void check_engine_is(const Engine& engine, const CatalogSnapshot& catalog) {
    BOOST_TEST(engine.version() == catalog.version);
    std::vector<RouteDescriptor> routes = catalog.routes;
    std::stable_sort(routes.begin(), routes.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
    std::vector<Route> expected;
    for (const auto& r : routes) expected.push_back(Route{r.route_id, r.start, r.end, r.group_id, r.state, 0});
    const std::vector<Route> actual = engine.stats();
    BOOST_TEST(actual == expected, boost::test_tools::per_element());
}

}  // namespace routecat::test
