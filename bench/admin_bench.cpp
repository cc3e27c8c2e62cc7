// The admin API's request path without sockets (issue 15, item 1): what one GET /v1/routes/lookup
// costs in routecat's own code on the http_bench catalog (100,000 routes "k%08d", random keys from
// 10,000; batches of 100 of them), answered at once (handle_admin_request_now, as routecatd serves it) against the same
// request through the coroutine chain (handle_admin_request), with and without metrics, and a
// 100-key batch. Each request is built as the server's parser builds it (target and Host).
// Ratios are to the at-once lookup with metrics, measured in the same run.

#include "bench_support.hpp"

#include "routecat/admin/router.hpp"
#include "routecat/catalog/catalog_store.hpp"
#include "routecat/store/memory_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/field.hpp>

#include <cstdio>
#include <random>

using namespace routecat;
using namespace routecat::bench;
namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

constexpr std::size_t kRoutes = 100'000;

struct Fixture {
    admin::AdminContext ctx;
    std::vector<std::string> targets;  // 10,000 lookups of random keys
    std::vector<std::string> batch_bodies;  // 100 batches of 100 of those keys

    Fixture() {
        ctx.catalog = CatalogStore(std::make_shared<MemoryStore>());
        ctx.engine = std::make_shared<Engine>();
        ctx.metrics = std::make_shared<admin::Metrics>();
        std::vector<RouteDescriptor> routes;
        routes.reserve(kRoutes);
        char key[16];
        for (std::size_t i = 0; i < kRoutes; ++i) {
            RouteDescriptor r;
            r.route_id = i + 1;
            if (i > 0) {
                std::snprintf(key, sizeof key, "k%08zu", i * 10);
                r.start = key;
            }
            if (i + 1 < kRoutes) {
                std::snprintf(key, sizeof key, "k%08zu", (i + 1) * 10);
                r.end = std::string(key);
            }
            r.group_id = i % 7 + 1;
            routes.push_back(std::move(r));
        }
        if (ctx.engine->apply_snapshot({1, std::move(routes), 0})) std::abort();
        std::mt19937_64 rng(42);
        for (int i = 0; i < 10'000; ++i) {
            std::snprintf(key, sizeof key, "k%08u", static_cast<unsigned>(rng() % 1'000'000));
            targets.push_back(std::string("/v1/routes/lookup?key=") + key);
            if (i % 100 == 0) batch_bodies.emplace_back(R"({"keys_text":[)");
            batch_bodies.back() += std::string(i % 100 ? ",\"" : "\"") + key + "\"";
            if (i % 100 == 99) batch_bodies.back() += "]}";
        }
    }

    admin::Request lookup(std::size_t i) const {
        admin::Request req{http::verb::get, targets[i % targets.size()], 11};
        req.set(http::field::host, "127.0.0.1:8080");
        return req;
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

void check(const admin::Reply& reply) {
    if (reply.response.result_int() != 200) std::abort();
    benchmark::DoNotOptimize(reply.response.body().data());
}

void BM_Api_LookupNow(benchmark::State& state) {
    auto& f = fixture();
    std::size_t i = 0;
    for (auto _ : state) check(*admin::handle_admin_request_now(f.ctx, f.lookup(i++)));
}

void BM_Api_LookupNowWithoutMetrics(benchmark::State& state) {
    auto& f = fixture();
    admin::AdminContext ctx = f.ctx;
    ctx.metrics = nullptr;
    std::size_t i = 0;
    for (auto _ : state) check(*admin::handle_admin_request_now(ctx, f.lookup(i++)));
}

asio::awaitable<void> lookups_through_coroutines(benchmark::State& state, const Fixture& f) {
    std::size_t i = 0;
    for (auto _ : state) {
        admin::Request req = f.lookup(i++);
        const admin::Reply reply = co_await admin::handle_admin_request(f.ctx, std::move(req));
        check(reply);
    }
}

void BM_Api_LookupCoroutine(benchmark::State& state) {
    asio::io_context io(1);
    asio::co_spawn(io, lookups_through_coroutines(state, fixture()), asio::detached);
    io.run();
}

void BM_Api_Batch100Now(benchmark::State& state) {
    auto& f = fixture();
    std::size_t i = 0;
    for (auto _ : state) {
        admin::Request req{http::verb::post, "/v1/routes/lookup", 11};
        req.set(http::field::host, "127.0.0.1:8080");
        req.set(http::field::content_type, "application/json");
        req.body() = f.batch_bodies[i++ % f.batch_bodies.size()];
        req.prepare_payload();
        check(*admin::handle_admin_request_now(f.ctx, req));
    }
}

BENCHMARK(BM_Api_LookupNow);
BENCHMARK(BM_Api_LookupNowWithoutMetrics);
BENCHMARK(BM_Api_LookupCoroutine);
BENCHMARK(BM_Api_Batch100Now);

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    RatioReporter reporter;
    reporter.compare("BM_Api_LookupCoroutine", "BM_Api_LookupNow");
    reporter.compare("BM_Api_LookupNowWithoutMetrics", "BM_Api_LookupNow");
    reporter.compare("BM_Api_Batch100Now", "BM_Api_LookupNow");
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratios();
    benchmark::Shutdown();
}
