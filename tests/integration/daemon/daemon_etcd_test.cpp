// routecatd on a real 3-member etcd cluster: two daemons sharing one catalog see each other's saves
// through the watch long before their poll interval, concurrent saves from both get distinct,
// contiguous versions whose stored routes are exactly what was sent, a killed etcd leader makes saves
// fail cleanly (200, 409 or a JSON 503, never a hang) until they succeed again, and with all of etcd
// down /readyz says 503 while reads keep serving, until etcd is back.
//
// One cluster serves every case (each case has its own key prefix); every case starts by restarting
// whatever member an earlier case left down. The cluster and its members are started from the main
// test thread only (PR_SET_PDEATHSIG is per thread). Every wait is a bounded poll.

#define BOOST_TEST_MODULE routecatd on etcd
#include "support/etcd_backend.hpp"
#include "support/etcd_cluster.hpp"
#include "support/http_client.hpp"
#include "support/printers.hpp"
#include "support/process.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"

#include "routecat/catalog/catalog_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace routecat;
using namespace routecat::test;
using namespace std::chrono_literals;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kClientTimeout = 10s;        // no request to a daemon may take longer
constexpr int kRequestTimeoutMs = 1000;     // the daemons' store.request_timeout_ms

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}
double ms_since(Clock::time_point t) { return ms_between(t, Clock::now()); }

// ---------------------------------------------------------------------------------------------
using CallResult = boost::system::result<HttpReply>;

CallResult call(unsigned short port, http::verb method, const std::string& target, const std::string& body = {},
                std::chrono::milliseconds timeout = kClientTimeout) {
    return http_call(port, method, target, body, timeout);
}

CallResult get(unsigned short port, const std::string& target) { return call(port, http::verb::get, target); }

std::string describe(const CallResult& r) {
    if (!r) return "transport error: " + r.error().message();
    return std::to_string(r->status) + " " + r->body.substr(0, 300);
}

std::optional<json::value> parse_json(const std::string& text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) return std::nullopt;
    return v;
}

// A JSON error body of the admin API: {"error":{"code":..,"message":..}}; returns the code or "".
std::string error_code_of(const HttpReply& r) {
    auto v = parse_json(r.body);
    if (!v || !v->is_object()) return "";
    const auto* e = v->as_object().if_contains("error");
    if (!e || !e->is_object()) return "";
    const auto* c = e->as_object().if_contains("code");
    const auto* m = e->as_object().if_contains("message");
    if (!c || !c->is_string() || !m || !m->is_string()) return "";
    return std::string(c->as_string());
}

bool is_json_content(const HttpReply& r) {
    return std::string(r.raw[http::field::content_type]).starts_with("application/json");
}

std::optional<std::uint64_t> u64_field(const std::string& body, const char* field) {
    auto v = parse_json(body);
    if (!v || !v->is_object()) return std::nullopt;
    const auto* f = v->as_object().if_contains(field);
    if (!f) return std::nullopt;
    if (f->is_uint64()) return f->as_uint64();
    if (f->is_int64() && f->as_int64() >= 0) return static_cast<std::uint64_t>(f->as_int64());
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// What a Save sends: two routes over the whole keyspace with ids and groups unique to `tag`.

struct SaveSpec {
    std::uint64_t tag = 0;
    std::vector<RouteDescriptor> routes;

    explicit SaveSpec(std::uint64_t t) : tag(t) {
        routes.push_back(RouteDescriptor{2 * t, "", std::string("m"), 3 * t, RouteState::active, 0});
        routes.push_back(RouteDescriptor{2 * t + 1, "m", std::nullopt, 3 * t + 1, RouteState::active, 0});
    }

    std::string body(std::uint64_t expected_version) const {
        json::array rs;
        for (const auto& r : routes) {
            json::object o;
            o["route_id"] = r.route_id;
            o["start_text"] = r.start;
            if (r.end) o["end_text"] = *r.end;
            else o["end_text"] = nullptr;
            o["group_id"] = r.group_id;
            rs.emplace_back(std::move(o));
        }
        json::object b;
        b["expected_version"] = expected_version;
        b["routes"] = std::move(rs);
        return json::serialize(b);
    }
};

std::uint64_t next_tag() {
    static std::atomic<std::uint64_t> tag{1000};
    return tag++;
}

// Whether a "routes" JSON array (engine or catalog form) holds exactly these routes, in order.
bool routes_match(const json::value& routes, const std::vector<RouteDescriptor>& expected) {
    if (!routes.is_array() || routes.as_array().size() != expected.size()) return false;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& o = routes.as_array()[i].as_object();
        const auto& e = expected[i];
        const auto* id = o.if_contains("route_id");
        const auto* group = o.if_contains("group_id");
        const auto* start = o.if_contains("start_text");
        const auto* end = o.if_contains("end_text");
        const auto* state = o.if_contains("state");
        if (!id || !id->is_number() || id->to_number<std::uint64_t>() != e.route_id) return false;
        if (!group || !group->is_number() || group->to_number<std::uint64_t>() != e.group_id) return false;
        if (!start || !start->is_string() || start->as_string() != e.start) return false;
        if (!end) return false;
        if (e.end ? !(end->is_string() && end->as_string() == *e.end) : !end->is_null()) return false;
        if (!state || !state->is_string() || state->as_string() != "active") return false;
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// The shared cluster and the daemons.

EtcdCluster& cluster() {
    static std::unique_ptr<EtcdCluster> c;
    if (!c) {
        const auto t = Clock::now();
        c = std::make_unique<EtcdCluster>(3);
        BOOST_TEST_MESSAGE("3-member etcd cluster ready in " << ms_since(t) << " ms");
    }
    return *c;
}

std::string cluster_logs(EtcdCluster& c) {
    std::string out;
    for (int i = 0; i < c.size(); ++i) out += "\n--- etcd m" + std::to_string(i) + " ---\n" + c.log_tail(i, 10);
    return out;
}

// The cluster with every member running and a leader; restarts what an earlier case left down.
EtcdCluster& healthy_cluster() {
    EtcdCluster& c = cluster();
    c.start_all();
    BOOST_TEST_REQUIRE(c.wait_ready(30s), "etcd cluster not ready within 30 s" << cluster_logs(c));
    return c;
}

std::string fresh_prefix() {
    static std::atomic<int> n{0};
    return "/routecatd-etcd-test/" + std::to_string(getpid()) + "/" + std::to_string(n++) + "/";
}

std::string tail(const std::string& text, std::size_t lines = 40) {
    std::deque<std::string> last;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        last.push_back(line);
        if (last.size() > lines) last.pop_front();
    }
    std::string out;
    for (const auto& l : last) out += l + "\n";
    return out;
}

struct Daemon {
    std::string name;
    std::unique_ptr<Process> process;
    unsigned short port = 0;

    std::string log_tail() const { return "\n--- routecatd " + name + " log tail ---\n" + tail(process->log()); }
};

struct DaemonsFixture {
    TempDir dir{"routecatd-etcd-test"};
    std::vector<std::unique_ptr<Daemon>> daemons;

    std::string logs() const {
        std::string out;
        for (const auto& d : daemons) out += d->log_tail();
        return out;
    }

    // Each daemon's watcher status from GET /v1/stats (for failure messages).
    std::string watchers() const {
        std::string out;
        for (const auto& d : daemons) {
            auto r = call(d->port, http::verb::get, "/v1/stats", {}, 2s);
            std::string w = describe(r);
            if (r && r->status == 200u)
                if (auto doc = parse_json(r->body); doc && doc->is_object() && doc->as_object().contains("watcher"))
                    w = json::serialize(doc->as_object().at("watcher"));
            out += "\n" + d->name + " watcher: " + w;
        }
        return out;
    }

    // store_extra: more store.* keys (e.g. a login).
    Daemon& start(const std::string& name, EtcdCluster& c, const std::string& prefix, int interval_ms,
                  json::object store_extra = {}) {
        json::array endpoints;
        for (const auto& url : c.client_urls()) endpoints.emplace_back(url);
        json::object store{{"kind", "etcd"}, {"prefix", prefix}, {"request_timeout_ms", kRequestTimeoutMs}};
        for (auto& [key, value] : store_extra) store[key] = std::move(value);
        store["endpoints"] = std::move(endpoints);
        json::object config{{"listen", json::object{{"address", "127.0.0.1"}, {"port", 0}}},
                            // Explicit, not the hardware default: two io threads, as on any multi-core host.
                            {"threads", 2},
                            {"watcher", json::object{{"interval_ms", interval_ms}}},
                            {"log", json::object{{"level", "info"}}}};
        config["store"] = std::move(store);
        const std::string config_path = dir.str() + "/" + name + ".json";
        std::ofstream(config_path) << json::serialize(config);

        auto d = std::make_unique<Daemon>();
        d->name = name;
        d->process = std::make_unique<Process>(ROUTECATD, std::vector<std::string>{"--config", config_path},
                                               dir.str() + "/" + name + ".log");
        BOOST_TEST_REQUIRE(d->process->started());
        const std::string marker = "listening on 127.0.0.1:";
        auto log = d->process->wait_for_log(marker, 20s);
        BOOST_TEST_REQUIRE(log.has_value(), "routecatd " << name << " did not start" << d->log_tail());
        d->port = static_cast<unsigned short>(std::stoi(log->substr(log->find(marker) + marker.size())));
        daemons.push_back(std::move(d));
        return *daemons.back();
    }

    // Daemons "a" and "b" on one fresh prefix of c, both ready.
    struct Pair {
        Daemon& a;
        Daemon& b;
        std::string prefix;
    };
    Pair start_pair(EtcdCluster& c, int interval_ms) {
        std::string prefix = fresh_prefix();
        Daemon& a = start("a", c, prefix, interval_ms);
        Daemon& b = start("b", c, prefix, interval_ms);
        wait_ready(a);
        wait_ready(b);
        return {a, b, std::move(prefix)};
    }

    // Polls /readyz until 200; returns its version.
    std::uint64_t wait_ready(Daemon& d, std::chrono::milliseconds timeout = 15s) {
        const auto deadline = Clock::now() + timeout;
        CallResult last;
        for (;;) {
            last = get(d.port, "/readyz");
            if (last && last->status == 200) {
                auto v = u64_field(last->body, "version");
                BOOST_TEST_REQUIRE(v.has_value(), "/readyz body without a version: " << last->body);
                return *v;
            }
            BOOST_TEST_REQUIRE((Clock::now() < deadline),
                               "routecatd " << d.name << " not ready: " << describe(last) << logs());
            std::this_thread::sleep_for(20ms);
        }
    }

    // The durable catalog version as the daemon reads it (GET /v1/catalog).
    std::uint64_t durable_version(Daemon& d) {
        auto r = get(d.port, "/v1/catalog");
        BOOST_TEST_REQUIRE((r && r->status == 200u), "GET /v1/catalog on " << d.name << ": " << describe(r) << logs());
        auto v = u64_field(r->body, "version");
        BOOST_TEST_REQUIRE(v.has_value(), r->body);
        return *v;
    }

    // SIGTERM every daemon; each must exit 0 within 10 s.
    void stop_all() {
        for (auto& d : daemons) d->process->signal(SIGTERM);
        for (auto& d : daemons) {
            const auto code = d->process->wait_exit(10s);
            BOOST_TEST((code == std::optional<int>(0)), "routecatd " << d->name << " exit: "
                                                                        << (code ? std::to_string(*code) : "none within 10 s")
                                                                        << d->log_tail());
        }
    }
};

// ---------------------------------------------------------------------------------------------
// The catalog's history in etcd, read through an EtcdStore of our own: for every revision in
// [from, to], version_at and routes_at give the catalog as of that revision (no compaction runs).

struct History {
    std::uint64_t from_ts = 0, to_ts = 0;
    std::uint64_t first_version = 0, last_version = 0;
    std::map<std::uint64_t, std::vector<RouteDescriptor>> routes_of;  // version -> routes
    std::vector<std::string> anomalies;                                // version going back or jumping, reused
};

struct CatalogReader {
    asio::io_context io;
    std::shared_ptr<EtcdStore> store;
    std::unique_ptr<CatalogStore> catalog;

    CatalogReader(EtcdCluster& c, const std::string& prefix) {
        EtcdStoreOptions options;
        options.endpoints = c.client_urls();
        options.prefix = prefix;
        options.request_timeout = std::chrono::milliseconds(kRequestTimeoutMs);
        store = make_etcd_store(io.get_executor(), std::move(options));
        catalog = std::make_unique<CatalogStore>(store);
    }

    std::uint64_t last_ts() { return run(io, store->last_commit_ts()); }
    std::uint64_t version() { return run(io, catalog->version()); }

    History history(std::uint64_t from, std::uint64_t to) {
        History h;
        h.from_ts = from;
        h.to_ts = to;
        std::optional<std::uint64_t> previous;
        for (std::uint64_t ts = from; ts <= to; ++ts) {
            const std::uint64_t v = run(io, catalog->version_at(ts));
            if (!previous) {
                h.first_version = v;
                h.routes_of[v] = run(io, catalog->routes_at(ts));
            } else if (v != *previous) {
                if (v != *previous + 1)
                    h.anomalies.push_back("at ts " + std::to_string(ts) + " the version went from " +
                                          std::to_string(*previous) + " to " + std::to_string(v));
                if (h.routes_of.contains(v))
                    h.anomalies.push_back("version " + std::to_string(v) + " committed twice (again at ts " +
                                          std::to_string(ts) + ")");
                h.routes_of[v] = run(io, catalog->routes_at(ts));
            }
            previous = v;
        }
        h.last_version = previous.value_or(0);
        return h;
    }
};

// One acknowledged or refused PUT /v1/catalog.
struct SaveOutcome {
    std::string daemon;
    std::uint64_t expected = 0;
    std::uint64_t tag = 0;
    CallResult result;
    Clock::time_point sent, answered;
};

// Fires one PUT per spec at the given ports, all at once from one io_context; returns in spec order.
std::vector<CallResult> put_concurrently(const std::vector<std::pair<unsigned short, std::string>>& requests) {
    asio::io_context io;
    std::vector<CallResult> results(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
        asio::co_spawn(io, http_call_async(requests[i].first, http::verb::put, "/v1/catalog", requests[i].second, kClientTimeout),
                       [&results, i](std::exception_ptr e, CallResult r) {
                           results[i] = e ? CallResult(boost::system::error_code(asio::error::fault)) : std::move(r);
                       });
    }
    io.run();
    return results;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(daemon_etcd, DaemonsFixture)

// -------------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_CASE(a_save_on_one_daemon_is_served_by_the_other_before_the_poll_interval) {
    EtcdCluster& c = healthy_cluster();
    auto [a, b, prefix] = start_pair(c, 10000);

    std::vector<double> latencies;
    for (int i = 0; i < 5; ++i) {
        const std::uint64_t v = durable_version(a);
        const SaveSpec spec(next_tag());
        const auto sent = Clock::now();
        auto put = call(a.port, http::verb::put, "/v1/catalog", spec.body(v));
        const auto acked = Clock::now();
        BOOST_TEST_REQUIRE((put && put->status == 200u), "PUT on a: " << describe(put) << logs());
        BOOST_TEST_REQUIRE((u64_field(put->body, "version") == std::optional<std::uint64_t>(v + 1)), put->body);

        // B must serve exactly the saved catalog long before its 10 s poll.
        const auto deadline = acked + 5s;
        CallResult last;
        for (;;) {
            last = get(b.port, "/v1/routes");
            if (last && last->status == 200) {
                auto doc = parse_json(last->body);
                if (doc && doc->is_object() && u64_field(last->body, "version") == std::optional<std::uint64_t>(v + 1)) {
                    BOOST_TEST_REQUIRE(routes_match(doc->as_object().at("routes"), spec.routes),
                                       "b serves version " << v + 1 << " with other routes: " << last->body);
                    break;
                }
            }
            BOOST_TEST_REQUIRE((Clock::now() < deadline), "b did not serve version " << v + 1 << " within 5 s: "
                                                                                      << describe(last) << watchers() << logs());
            std::this_thread::sleep_for(5ms);
        }
        const double latency = ms_since(acked);
        latencies.push_back(latency);
        BOOST_TEST_MESSAGE("save " << i + 1 << ": version " << v + 1 << ", PUT took "
                                   << ms_between(sent, acked)
                                   << " ms, served by b " << latency << " ms after the 200");
        BOOST_TEST(latency < 2000.0, "b served version " << v + 1 << " only after " << latency << " ms");
        // The saving daemon serves its own save at once (apply after Save).
        auto own = get(a.port, "/v1/routes");
        BOOST_TEST((own && u64_field(own->body, "version") == std::optional<std::uint64_t>(v + 1)), describe(own));
    }
    BOOST_TEST_MESSAGE("cross-daemon latencies (ms): max " << *std::max_element(latencies.begin(), latencies.end()));
    stop_all();
}

// -------------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_CASE(concurrent_saves_from_two_daemons_get_distinct_contiguous_versions) {
    EtcdCluster& c = healthy_cluster();
    auto [a, b, prefix] = start_pair(c, 100);

    CatalogReader reader(c, prefix);
    const std::uint64_t start_ts = reader.last_ts();
    const std::uint64_t start_version = reader.version();
    BOOST_TEST_REQUIRE(start_version >= 1u);

    constexpr int kPerDaemon = 50;
    std::map<std::uint64_t, SaveSpec> acked;  // version -> what its Save sent
    std::vector<std::uint64_t> acked_versions;
    std::map<unsigned, int> statuses;
    int rounds = 0;
    const auto began = Clock::now();
    while (acked_versions.size() < 10) {
        BOOST_TEST_REQUIRE(rounds < 40, "only " << acked_versions.size() << " saves acknowledged in 40 rounds");
        ++rounds;
        const std::uint64_t v = durable_version(rounds % 2 ? a : b);
        std::vector<SaveSpec> specs;
        std::vector<std::pair<unsigned short, std::string>> requests;
        for (int i = 0; i < 2 * kPerDaemon; ++i) {
            specs.emplace_back(next_tag());
            requests.emplace_back(i % 2 ? b.port : a.port, specs.back().body(v));
        }
        const auto results = put_concurrently(requests);
        int wins = 0;
        for (std::size_t i = 0; i < results.size(); ++i) {
            const auto& r = results[i];
            BOOST_TEST_REQUIRE(r.has_value(), "round " << rounds << ": PUT " << i << ": " << describe(r) << logs());
            ++statuses[r->status];
            BOOST_TEST_INFO("round " << rounds << " PUT " << i << " to " << (i % 2 ? "b" : "a") << ": " << describe(r));
            BOOST_TEST_REQUIRE((r->status == 200u || r->status == 409u));
            if (r->status == 409u) {
                BOOST_TEST(error_code_of(*r) == "catalog_version_mismatch");
                continue;
            }
            ++wins;
            const auto version = u64_field(r->body, "version");
            BOOST_TEST_REQUIRE(version.has_value());
            BOOST_TEST(*version == v + 1);
            auto doc = parse_json(r->body);
            BOOST_TEST(routes_match(doc->as_object().at("routes"), specs[i].routes));
            acked_versions.push_back(*version);
            acked.emplace(*version, specs[i]);
        }
        BOOST_TEST(wins <= 1, "round " << rounds << " from version " << v << ": " << wins << " saves acknowledged");
    }
    BOOST_TEST_MESSAGE(rounds << " rounds of " << 2 * kPerDaemon << " concurrent saves in " << ms_since(began)
                              << " ms: " << acked_versions.size() << " acknowledged, 200 x" << statuses[200]
                              << ", 409 x" << statuses[409]);

    // Distinct, and contiguous from start + 1 to the durable version: nothing committed unacknowledged.
    std::set<std::uint64_t> distinct(acked_versions.begin(), acked_versions.end());
    BOOST_TEST(distinct.size() == acked_versions.size(), "an acknowledged version was acknowledged twice");
    const std::uint64_t final_version = reader.version();
    BOOST_TEST(final_version == start_version + acked_versions.size());
    std::vector<std::uint64_t> expected_versions, got_versions(distinct.begin(), distinct.end());
    for (std::uint64_t x = start_version + 1; x <= final_version; ++x) expected_versions.push_back(x);
    BOOST_TEST(got_versions == expected_versions, boost::test_tools::per_element());

    // The store's history: every version from start + 1 on holds exactly what its Save sent.
    const std::uint64_t end_ts = reader.last_ts();
    const History h = reader.history(start_ts, end_ts);
    BOOST_TEST_MESSAGE("history: revisions " << start_ts << ".." << end_ts << ", versions " << h.first_version << ".."
                                             << h.last_version);
    for (const auto& a_ : h.anomalies) BOOST_TEST_ERROR(a_);
    BOOST_TEST(h.first_version == start_version);
    BOOST_TEST(h.last_version == final_version);
    for (std::uint64_t x = start_version + 1; x <= final_version; ++x) {
        BOOST_TEST_INFO("version " << x);
        BOOST_TEST_REQUIRE(h.routes_of.contains(x), "version " << x << " never visible in the history");
        BOOST_TEST_REQUIRE(acked.contains(x));
        BOOST_TEST(h.routes_of.at(x) == acked.at(x).routes, boost::test_tools::per_element());
    }

    // Both daemons converge to the final version with its routes.
    for (Daemon* d : {&a, &b}) {
        const auto deadline = Clock::now() + 5s;
        CallResult last;
        for (;;) {
            last = get(d->port, "/v1/routes");
            if (last && last->status == 200 && u64_field(last->body, "version") == std::optional<std::uint64_t>(final_version))
                break;
            BOOST_TEST_REQUIRE((Clock::now() < deadline), d->name << " did not converge to version " << final_version
                                                                  << ": " << describe(last) << watchers() << logs());
            std::this_thread::sleep_for(10ms);
        }
        BOOST_TEST(routes_match(parse_json(last->body)->as_object().at("routes"), acked.at(final_version).routes),
                   last->body);
    }
    stop_all();
}

// -------------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_CASE(killing_the_etcd_leader_while_saving_fails_cleanly_then_recovers) {
    EtcdCluster& c = healthy_cluster();
    auto [a, b, prefix] = start_pair(c, 100);
    CatalogReader reader(c, prefix);
    const std::uint64_t start_ts = reader.last_ts();

    std::mutex mutex;
    std::vector<SaveOutcome> saves;       // every PUT that got an answer
    std::vector<std::string> violations;  // a status or body that is not allowed, a transport error
    std::map<std::string, int> counts;    // "a PUT 200", "b GET 503", ...
    double slowest_ms = 0;
    std::atomic<bool> stop{false};

    auto allowed_error = [](const HttpReply& r) {
        return r.status == 503u && is_json_content(r) && error_code_of(r) == "store_unavailable";
    };
    // Reads its daemon's durable version, saves from it, again; notes everything.
    auto client = [&](Daemon* d) {
        while (!stop) {
            const auto read_at = Clock::now();
            auto read = get(d->port, "/v1/catalog");
            std::optional<std::uint64_t> v;
            {
                std::lock_guard lock(mutex);
                slowest_ms = std::max(slowest_ms, ms_since(read_at));
                if (!read) {
                    violations.push_back(d->name + " GET /v1/catalog: " + describe(read));
                } else {
                    ++counts[d->name + " GET " + std::to_string(read->status)];
                    if (read->status == 200u) {
                        v = u64_field(read->body, "version");
                        if (!v) violations.push_back(d->name + " GET /v1/catalog without a version: " + read->body);
                    } else if (!allowed_error(*read)) {
                        violations.push_back(d->name + " GET /v1/catalog: " + describe(read));
                    }
                }
            }
            if (!v) {
                std::this_thread::sleep_for(50ms);
                continue;
            }
            SaveOutcome out;
            out.daemon = d->name;
            out.expected = *v;
            out.tag = next_tag();
            const SaveSpec spec(out.tag);
            out.sent = Clock::now();
            out.result = call(d->port, http::verb::put, "/v1/catalog", spec.body(*v));
            out.answered = Clock::now();
            bool back_off = true;
            {
                std::lock_guard lock(mutex);
                slowest_ms = std::max(slowest_ms, ms_between(out.sent, out.answered));
                if (!out.result) {
                    violations.push_back(d->name + " PUT: " + describe(out.result));
                } else {
                    const auto& r = *out.result;
                    ++counts[d->name + " PUT " + std::to_string(r.status)];
                    if (r.status == 200u) {
                        back_off = false;
                        if (u64_field(r.body, "version") != std::optional<std::uint64_t>(*v + 1))
                            violations.push_back(d->name + " PUT 200 from " + std::to_string(*v) + " with " + r.body);
                        else if (!routes_match(parse_json(r.body)->as_object().at("routes"), spec.routes))
                            violations.push_back(d->name + " PUT 200 with other routes: " + r.body);
                    } else if (r.status == 409u) {
                        back_off = false;
                        if (error_code_of(r) != "catalog_version_mismatch")
                            violations.push_back(d->name + " PUT: " + describe(out.result));
                    } else if (!allowed_error(r)) {
                        violations.push_back(d->name + " PUT: " + describe(out.result));
                    }
                }
                saves.push_back(std::move(out));
            }
            std::this_thread::sleep_for(back_off ? 50ms : 5ms);
        }
    };
    // Acknowledged saves whose PUT was sent after `after`.
    auto acked_since = [&](Clock::time_point after) {
        std::lock_guard lock(mutex);
        return std::count_if(saves.begin(), saves.end(), [&](const SaveOutcome& s) {
            return s.sent >= after && s.result && s.result->status == 200u;
        });
    };

    const auto began = Clock::now();
    std::thread client_a(client, &a), client_b(client, &b);
    struct Joiner {
        std::atomic<bool>& stop;
        std::thread& x;
        std::thread& y;
        ~Joiner() {
            stop = true;
            if (x.joinable()) x.join();
            if (y.joinable()) y.join();
        }
    } joiner{stop, client_a, client_b};

    // A few saves succeed on the healthy cluster.
    for (const auto deadline = Clock::now() + 20s; acked_since(began) < 4;) {
        BOOST_TEST_REQUIRE((Clock::now() < deadline), "fewer than 4 saves in 20 s before the kill" << logs());
        std::this_thread::sleep_for(10ms);
    }
    const auto leader = c.leader_index();
    BOOST_TEST_REQUIRE(leader.has_value(), "no etcd leader" << cluster_logs(c));
    const auto killed_at = Clock::now();
    c.kill_member(*leader);
    BOOST_TEST_MESSAGE("SIGKILLed etcd leader m" << *leader << " after " << acked_since(began) << " saves");

    // Saves sent after the kill succeed again within 20 s.
    std::optional<double> recovered_ms;
    for (const auto deadline = killed_at + 20s;;) {
        {
            std::lock_guard lock(mutex);
            for (const auto& s : saves)
                if (s.sent >= killed_at && s.result && s.result->status == 200u) {
                    const double at = ms_between(killed_at, s.answered);
                    if (!recovered_ms || at < *recovered_ms) recovered_ms = at;
                }
        }
        if (recovered_ms) break;
        BOOST_TEST_REQUIRE((Clock::now() < deadline), "no save succeeded within 20 s of killing the leader" << logs()
                                                                                                       << cluster_logs(c));
        std::this_thread::sleep_for(20ms);
    }
    const auto new_leader = c.leader_index();
    BOOST_TEST_MESSAGE("first save sent after the kill acknowledged " << *recovered_ms << " ms after it; new leader m"
                                                                     << (new_leader ? std::to_string(*new_leader) : "?"));
    // A few more on the 2-member cluster, then stop the clients.
    for (const auto deadline = Clock::now() + 5s; acked_since(killed_at) < 4 && Clock::now() < deadline;)
        std::this_thread::sleep_for(10ms);
    stop = true;
    client_a.join();
    client_b.join();

    {
        std::string summary;
        for (const auto& [k, n] : counts) summary += " " + k + " x" + std::to_string(n) + ",";
        BOOST_TEST_MESSAGE("clients ran " << ms_since(began) << " ms:" << summary << " slowest request " << slowest_ms
                                          << " ms");
    }
    for (const auto& v : violations) BOOST_TEST_ERROR(v);
    BOOST_TEST(violations.empty(), violations.size() << " violations" << logs());
    BOOST_TEST(slowest_ms < 10000.0);

    // Both daemons converge to the durable version within 20 s.
    const std::uint64_t durable = reader.version();
    {
        const auto deadline = Clock::now() + 20s;
        std::optional<std::uint64_t> va, vb;
        for (;;) {
            auto ra = get(a.port, "/v1/routes");
            auto rb = get(b.port, "/v1/routes");
            va = ra && ra->status == 200u ? u64_field(ra->body, "version") : std::nullopt;
            vb = rb && rb->status == 200u ? u64_field(rb->body, "version") : std::nullopt;
            if (va == std::optional<std::uint64_t>(durable) && vb == va) break;
            BOOST_TEST_REQUIRE((Clock::now() < deadline), "daemons did not converge to version "
                                                              << durable << " within 20 s: a " << describe(ra) << ", b "
                                                              << describe(rb) << watchers() << logs());
            std::this_thread::sleep_for(20ms);
        }
    }

    // Every acknowledged version is distinct and holds exactly what its Save sent. A 503 may have
    // committed anyway (outcome unknown), so versions need not be contiguous here.
    std::map<std::uint64_t, const SaveOutcome*> acked;
    std::size_t unavailable = 0;
    for (const auto& s : saves) {
        if (s.result && s.result->status == 503u) ++unavailable;
        if (!s.result || s.result->status != 200u) continue;
        const std::uint64_t v = s.expected + 1;
        BOOST_TEST(!acked.contains(v), "version " << v << " acknowledged twice");
        acked.emplace(v, &s);
    }
    const std::uint64_t end_ts = reader.last_ts();
    const History h = reader.history(start_ts, end_ts);
    BOOST_TEST_MESSAGE(acked.size() << " saves acknowledged, " << unavailable << " answered 503; history revisions "
                                    << start_ts << ".." << end_ts << ", versions " << h.first_version << ".."
                                    << h.last_version);
    for (const auto& x : h.anomalies) BOOST_TEST_ERROR(x);
    BOOST_TEST(h.last_version == durable);
    std::size_t unacknowledged = 0;
    for (std::uint64_t v = h.first_version + 1; v <= h.last_version; ++v) unacknowledged += acked.contains(v) ? 0 : 1;
    BOOST_TEST_MESSAGE(unacknowledged << " committed versions were not acknowledged (503 with the outcome unknown)");
    BOOST_TEST(unacknowledged <= unavailable);
    for (const auto& [v, s] : acked) {
        BOOST_TEST_INFO("version " << v << " saved through " << s->daemon);
        BOOST_TEST_REQUIRE(h.routes_of.contains(v), "acknowledged version " << v << " is not in the store's history");
        BOOST_TEST(h.routes_of.at(v) == SaveSpec(s->tag).routes, boost::test_tools::per_element());
    }

    stop_all();
    c.start_member(*leader);
    BOOST_TEST(c.wait_ready(30s), "the restarted member did not rejoin" << cluster_logs(c));
}

// -------------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_CASE(with_all_of_etcd_down_readyz_turns_503_reads_keep_serving_and_it_recovers) {
    EtcdCluster& c = healthy_cluster();
    const std::string prefix = fresh_prefix();
    Daemon& d = start("d", c, prefix, 100);
    wait_ready(d);
    {
        const SaveSpec spec(next_tag());
        auto put = call(d.port, http::verb::put, "/v1/catalog", spec.body(durable_version(d)));
        BOOST_TEST_REQUIRE((put && put->status == 200u), describe(put) << logs());
    }
    auto before = get(d.port, "/v1/routes");
    BOOST_TEST_REQUIRE((before && before->status == 200u), describe(before));
    const auto before_doc = parse_json(before->body);
    BOOST_TEST_REQUIRE(before_doc.has_value());
    const std::uint64_t version = before_doc->at("version").to_number<std::uint64_t>();

    const auto stopping = Clock::now();
    c.stop_all();
    const auto stopped = Clock::now();
    BOOST_TEST_MESSAGE("etcd stopped in " << ms_between(stopping, stopped) << " ms");

    // /readyz: 503 with a JSON error within 5 s.
    {
        CallResult last;
        for (const auto deadline = stopped + 5s;;) {
            last = get(d.port, "/readyz");
            if (last && last->status == 503u) break;
            BOOST_TEST_REQUIRE((Clock::now() < deadline), "/readyz still " << describe(last) << " 5 s after etcd stopped" << logs());
            std::this_thread::sleep_for(20ms);
        }
        BOOST_TEST_MESSAGE("/readyz 503 " << ms_since(stopped) << " ms after etcd stopped: " << last->body);
        BOOST_TEST(is_json_content(*last));
        BOOST_TEST(error_code_of(*last) == "store_unavailable", last->body);
    }
    // Reads from the engine keep serving the last catalog.
    {
        auto routes = get(d.port, "/v1/routes");
        BOOST_TEST_REQUIRE((routes && routes->status == 200u), describe(routes));
        const auto doc = parse_json(routes->body);
        BOOST_TEST_REQUIRE(doc.has_value());
        BOOST_TEST(doc->at("version").to_number<std::uint64_t>() == version);
        BOOST_TEST(json::serialize(doc->at("routes")) == json::serialize(before_doc->at("routes")));
        auto lookup = get(d.port, "/v1/routes/lookup?key=a");
        BOOST_TEST_REQUIRE((lookup && lookup->status == 200u), describe(lookup));
        BOOST_TEST(u64_field(lookup->body, "version") == std::optional<std::uint64_t>(version));
        BOOST_TEST(parse_json(lookup->body)->at("route").at("start_text").as_string() == "");
        auto health = get(d.port, "/healthz");
        BOOST_TEST((health && health->status == 200u), describe(health));
    }
    // A save answers 503 with a JSON error, promptly: at most one request timeout per endpoint + margin.
    {
        const SaveSpec spec(next_tag());
        const auto sent = Clock::now();
        auto put = call(d.port, http::verb::put, "/v1/catalog", spec.body(version));
        const double took = ms_since(sent);
        BOOST_TEST_MESSAGE("PUT with etcd down: " << describe(put) << " in " << took << " ms");
        BOOST_TEST_REQUIRE(put.has_value(), describe(put) << logs());
        BOOST_TEST(put->status == 503u);
        BOOST_TEST(is_json_content(*put));
        BOOST_TEST(error_code_of(*put) == "store_unavailable", put->body);
        BOOST_TEST(took < kRequestTimeoutMs * c.size() + 2000.0);
        auto catalog = get(d.port, "/v1/catalog");
        BOOST_TEST_REQUIRE(catalog.has_value(), describe(catalog));
        BOOST_TEST(catalog->status == 503u, describe(catalog));
    }

    // etcd back: ready again within 20 s, and a save succeeds.
    const auto restarting = Clock::now();
    c.start_all();
    BOOST_TEST_REQUIRE(c.wait_ready(30s), "etcd did not come back" << cluster_logs(c));
    BOOST_TEST_MESSAGE("etcd ready again " << ms_since(restarting) << " ms after the restart");
    {
        CallResult last;
        for (const auto deadline = restarting + 20s;;) {
            last = get(d.port, "/readyz");
            if (last && last->status == 200u) break;
            BOOST_TEST_REQUIRE((Clock::now() < deadline), "/readyz still " << describe(last) << " 20 s after etcd restarted"
                                                                          << watchers() << logs() << cluster_logs(c));
            std::this_thread::sleep_for(20ms);
        }
        BOOST_TEST_MESSAGE("/readyz 200 " << ms_since(restarting) << " ms after the restart: " << last->body);
        BOOST_TEST(u64_field(last->body, "version") == std::optional<std::uint64_t>(version));
    }
    {
        const std::uint64_t v = durable_version(d);
        BOOST_TEST(v == version);
        const SaveSpec spec(next_tag());
        auto put = call(d.port, http::verb::put, "/v1/catalog", spec.body(v));
        BOOST_TEST_REQUIRE((put && put->status == 200u), "first save after etcd came back: " << describe(put) << logs());
        BOOST_TEST(u64_field(put->body, "version") == std::optional<std::uint64_t>(v + 1));
        auto routes = get(d.port, "/v1/routes");
        BOOST_TEST((routes && u64_field(routes->body, "version") == std::optional<std::uint64_t>(v + 1)), describe(routes));
    }
    stop_all();
}

BOOST_AUTO_TEST_CASE(with_etcd_down_at_start_up_it_serves_health_retries_and_loads_once_etcd_is_back) {
    EtcdCluster& c = healthy_cluster();
    c.stop_all();
    const std::string prefix = fresh_prefix();
    Daemon& d = start("d", c, prefix, 100);  // listening, though the catalog cannot be read
    auto health = get(d.port, "/healthz");
    BOOST_TEST((health && health->status == 200u), describe(health));
    {
        auto ready = get(d.port, "/readyz");
        BOOST_TEST_REQUIRE(ready.has_value(), describe(ready));
        BOOST_TEST(ready->status == 503u);
        BOOST_TEST(error_code_of(*ready) == "not_synced", ready->body);
        auto routes = get(d.port, "/v1/routes/lookup?key=a");  // never the placeholder table
        BOOST_TEST_REQUIRE(routes.has_value(), describe(routes));
        BOOST_TEST(routes->status == 503u);
        BOOST_TEST(error_code_of(*routes) == "not_synced", routes->body);
    }
    // It keeps trying, and says so each time.
    BOOST_TEST_REQUIRE(d.process->wait_for_log("cannot load the catalog (attempt 2)", 10s).has_value(), logs());
    BOOST_TEST(d.process->running());
    c.start_all();
    BOOST_TEST_REQUIRE(c.wait_ready(30s), "etcd did not come back" << cluster_logs(c));
    const std::uint64_t version = wait_ready(d, 30s);
    BOOST_TEST(version == 1u);
    auto lookup = get(d.port, "/v1/routes/lookup?key=a");
    BOOST_TEST((lookup && lookup->status == 200u), describe(lookup));
    stop_all();
}

// routecatd logs in with store.username and store.password_file, and logs in again when the token
// expires (--auth-token-ttl 1): a save and a lookup after the expiry work, and the password is never
// in the log.
BOOST_AUTO_TEST_CASE(with_etcd_auth_it_logs_in_from_a_password_file_and_again_after_the_token_expires) {
    EtcdCluster auth_cluster(1, {"--auth-token-ttl", "1"});
    const std::vector<std::pair<std::string, std::string>> enable_auth{
        {"/v3/auth/user/add", R"({"name":"root","password":"s3cret-pw"})"},
        {"/v3/auth/role/add", R"({"name":"root"})"},
        {"/v3/auth/user/grant", R"({"user":"root","role":"root"})"},
        {"/v3/auth/enable", "{}"}};
    for (const auto& [target, body] : enable_auth) {
        const auto r = auth_cluster.post(0, target, body, 10s);
        BOOST_TEST_REQUIRE((r && r->status == 200), target << ": " << (r ? r->body : r.error().message()));
    }
    const std::string password_file = dir.str() + "/etcd-password";
    std::ofstream(password_file) << "s3cret-pw\n";
    json::object login{{"username", "root"}, {"password_file", password_file}};
    Daemon& d = start("auth", auth_cluster, fresh_prefix(), 100, std::move(login));
    BOOST_TEST(wait_ready(d) == 1u);

    std::this_thread::sleep_for(3s);  // the token has expired
    const SaveSpec spec(5);
    auto put = call(d.port, http::verb::put, "/v1/catalog", spec.body(1));
    BOOST_TEST_REQUIRE((put && put->status == 200u), describe(put) << logs());
    const auto deadline = Clock::now() + 5s;
    CallResult lookup;
    for (;;) {
        lookup = get(d.port, "/v1/routes/lookup?key=z");
        const bool applied = lookup && lookup->status == 200u && lookup->body.find("\"group_id\":16") != std::string::npos;
        if (applied || Clock::now() > deadline) break;
        std::this_thread::sleep_for(50ms);
    }
    BOOST_TEST((lookup && lookup->status == 200u), describe(lookup));
    BOOST_TEST(lookup->body.find("\"group_id\":16") != std::string::npos, lookup->body);
    BOOST_TEST(d.process->log().find("s3cret-pw") == std::string::npos);
    BOOST_TEST(d.process->log().find("as user root") != std::string::npos, d.log_tail());
    stop_all();
}

BOOST_AUTO_TEST_SUITE_END()
