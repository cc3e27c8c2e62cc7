// EtcdStore's own behaviour (include/routecat/store/etcd_store.hpp) on real etcd 3.4: what a call
// costs in requests and connections, the key prefix, txn conflicts and limits, reads at and above
// the current revision, fail-over and deadlines, watches (isolation, cancellation, compaction, a
// restarted member), the auth token, option checks, and the gateway message parsers on garbage.

#include "support/etcd_backend.hpp"
#include "support/builders.hpp"
#include "support/catalog_options.hpp"
#include "support/etcd_cluster.hpp"
#include "support/fault_proxy.hpp"
#include "support/hooked_store.hpp"
#include "support/printers.hpp"
#include "support/run.hpp"

#include "routecat/base64.hpp"
#include "routecat/catalog/catalog_store.hpp"
#include "routecat/catalog/catalog_watcher.hpp"
#include "routecat/engine.hpp"
#include "routecat/codec.hpp"
#include "routecat/error.hpp"
#include "routecat/store/etcd_store.hpp"
#include "etcd/etcd_messages.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <future>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
namespace etcd = routecat::detail::etcd;
using asio::ip::tcp;
using namespace routecat;
using namespace routecat::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t kNow = std::numeric_limits<std::uint64_t>::max();  // a ts past every revision
constexpr std::size_t kAll = std::numeric_limits<std::size_t>::max();

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A loopback port nothing listens on (bound to :0, then closed): connecting is refused at once.
unsigned short unused_port() {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
    return acceptor.local_endpoint().port();
}

// A loopback listener that never accepts: connects complete through the backlog, requests are
// written into the kernel's buffers, and no answer ever comes.
struct BlackHole {
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0)};
    std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()); }
};

std::vector<KeyValue> kvs(std::initializer_list<std::pair<const char*, const char*>> pairs) {
    std::vector<KeyValue> out;
    for (const auto& [k, v] : pairs) out.push_back(KeyValue{k, v});
    return out;
}

std::vector<std::string> keys_of(const std::vector<KeyValue>& rows) {
    std::vector<std::string> keys;
    for (const auto& r : rows) keys.push_back(r.key);
    return keys;
}

// "k00", "k01", ...
std::string numbered(const char* tag, std::size_t i, int width = 2) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%0*zu", tag, width, i);
    return buf;
}

// n adjacent routes [r00000, r00001), ..., the last one unbounded, ids 1..n.
std::vector<RouteDescriptor> many_routes(std::size_t n, std::uint64_t group = 1) {
    std::vector<RouteDescriptor> routes;
    for (std::size_t i = 0; i < n; ++i) {
        std::optional<std::string> end;
        if (i + 1 < n) end = numbered("r", i + 1, 5);
        routes.push_back(rd(i + 1, numbered("r", i, 5), end, group));
    }
    return routes;
}

// 0 when wait_for_change(after) completed first, 1 when timeout passed first (the wait is then
// cancelled). Errors of the wait propagate.
asio::awaitable<int> wait_or_timeout(std::shared_ptr<EtcdStore> store, std::uint64_t after,
                                     std::chrono::milliseconds timeout) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    auto wait = store->wait_for_change(after);
    auto expire = timer.async_wait(asio::use_awaitable);
    auto result = co_await (std::move(wait) || std::move(expire));
    co_return static_cast<int>(result.index());
}

// Puts key = value through store after delay (reading its start ts first); the commit ts.
asio::awaitable<std::uint64_t> put_after(std::shared_ptr<EtcdStore> store, std::chrono::milliseconds delay,
                                         std::string key, std::string value) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
    const std::uint64_t start = co_await store->last_commit_ts();
    std::vector<Mutation> write;
    write.push_back(Mutation::put(std::move(key), std::move(value)));
    co_return co_await store->apply(std::move(write), start, 0);
}

// wait_for_change(after) raced against a timer in a parallel_group: which finished first, and the
// error the wait ended with (none when it completed).
struct RaceOutcome {
    std::size_t first = 99;
    bool wait_threw = false;
    boost::system::error_code wait_error;
    std::string wait_what;
};

asio::awaitable<RaceOutcome> wait_against_timer(std::shared_ptr<EtcdStore> store, std::uint64_t after,
                                                std::chrono::milliseconds timeout) {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex, timeout);
    auto wait_op = asio::co_spawn(ex, store->wait_for_change(after), asio::deferred);
    auto timer_op = timer.async_wait(asio::deferred);
    auto group = asio::experimental::make_parallel_group(std::move(wait_op), std::move(timer_op));
    auto result = co_await group.async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    RaceOutcome out;
    out.first = std::get<0>(result)[0];
    if (std::exception_ptr e = std::get<1>(result)) {
        out.wait_threw = true;
        try {
            std::rethrow_exception(e);
        } catch (const boost::system::system_error& error) {
            out.wait_error = error.code();
            out.wait_what = error.what();
        } catch (...) {
            out.wait_what = "not a system_error";
        }
    }
    co_return out;
}

struct EtcdStoreFixture {
    asio::io_context io;
    std::shared_ptr<EtcdStore> store = make(etcd_options(shared_etcd().client_urls()));

    std::shared_ptr<EtcdStore> make(EtcdStoreOptions options) {
        return make_etcd_store(io.get_executor(), std::move(options));
    }
    // Another store object on the same prefix: a second writer with its own connections and caches.
    std::shared_ptr<EtcdStore> same_prefix() { return make(store->options()); }
    // A store on a fresh prefix of the same etcd.
    std::shared_ptr<EtcdStore> other_prefix() { return make(etcd_options(shared_etcd().client_urls())); }

    // Stores on ".../a/" and its neighbours: ".../a." sorts just before it, ".../a0/" at its scan
    // end, and the parent ".../" sees everyone's keys, as its prefix says.
    struct Neighbours {
        std::shared_ptr<EtcdStore> a, before_a, after_a, parent;
    };
    Neighbours neighbours() {
        const std::string base = fresh_etcd_prefix();
        auto on = [&](std::string prefix) {
            auto options = etcd_options(shared_etcd().client_urls());
            options.prefix = std::move(prefix);
            return make(std::move(options));
        };
        return {on(base + "a/"), on(base + "a."), on(base + "a0/"), on(base)};
    }

    template <class T>
    T run(asio::awaitable<T> task) {
        return test::run(io, std::move(task));
    }
    std::uint64_t last(MvccStore& s) { return run(s.last_commit_ts()); }
    std::uint64_t last() { return last(*store); }
    // One transaction that starts at the current revision.
    std::uint64_t apply(MvccStore& s, std::vector<Mutation> mutations) {
        const std::uint64_t start = last(s);
        return run(s.apply(std::move(mutations), start, 0));
    }
    std::uint64_t put(MvccStore& s, std::string key, std::string value) {
        std::vector<Mutation> m;
        m.push_back(Mutation::put(std::move(key), std::move(value)));
        return apply(s, std::move(m));
    }
    std::uint64_t put(std::string key, std::string value) { return put(*store, std::move(key), std::move(value)); }
    std::uint64_t del(MvccStore& s, std::string key) {
        std::vector<Mutation> m;
        m.push_back(Mutation::del(std::move(key)));
        return apply(s, std::move(m));
    }
    std::optional<std::string> get(MvccStore& s, std::string key, std::uint64_t ts = kNow) {
        return run(s.get_at(std::move(key), ts));
    }
    std::optional<std::string> get(std::string key, std::uint64_t ts = kNow) { return get(*store, std::move(key), ts); }
    std::vector<KeyValue> scan(MvccStore& s, std::uint64_t ts = kNow) {
        return run(s.scan_at("", std::nullopt, kAll, ts));
    }
    std::vector<KeyValue> scan(std::uint64_t ts = kNow) { return scan(*store, ts); }
};

// POST body to member 0 of cluster; the parsed answer (requires HTTP 200).
json::value post_json(const EtcdCluster& cluster, const std::string& target, const std::string& body) {
    const auto r = cluster.post(0, target, body, 10s);
    BOOST_REQUIRE_MESSAGE(r, target << ": " << r.error().message());
    BOOST_REQUIRE_MESSAGE(r->status == 200, target << ": HTTP " << r->status << " " << r->body);
    return json::parse(r->body);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(etcd_store, EtcdStoreFixture)

// ---------------------------------------------------------------------------------------------
// Requests and connections

BOOST_AUTO_TEST_CASE(catalog_reads_cost_one_request_and_saves_one_to_three_whatever_the_route_count) {
    // 300 routes: the spec's 256-row pages would take two scans per read.
    CatalogStore catalog(store);
    const std::vector<RouteDescriptor> routes = many_routes(300);

    std::uint64_t before = store->requests_sent();
    BOOST_TEST(before == 0u);
    const CatalogSnapshot saved = run(catalog.save(0, routes));
    BOOST_TEST(saved.version == 1u);
    BOOST_TEST(store->requests_sent() - before == 2u);  // scan_latest + the txn; compares from the read

    before = store->requests_sent();
    const CatalogSnapshot snap = run(catalog.snapshot());
    BOOST_TEST(store->requests_sent() - before == 1u);
    BOOST_TEST(snap.version == 1u);
    BOOST_TEST(snap.routes == routes);

    before = store->requests_sent();
    const CatalogStore::VersionRead version = run(catalog.latest_version());
    BOOST_TEST(store->requests_sent() - before == 1u);
    BOOST_TEST(version.version == 1u);
    BOOST_TEST(version.ts == snap.read_ts);

    // A second save that changes one route and drops another: the catalog read just now is at hand,
    // so only the txn goes out (its compares prove the read still current).
    std::vector<RouteDescriptor> changed = routes;
    changed.front().group_id = 7;
    changed.pop_back();
    changed.back().end = std::nullopt;
    before = store->requests_sent();
    BOOST_TEST(run(catalog.save(1, changed)).version == 2u);
    BOOST_TEST(store->requests_sent() - before == 1u);

    const CatalogSnapshot after = run(catalog.snapshot());
    BOOST_TEST(after.version == 2u);
    BOOST_TEST(after.routes == changed);
    BOOST_TEST(after.read_ts > snap.read_ts);
    BOOST_TEST(store->connections_opened() == 1u);

    // Its own txn brought the read forward: the next save is one request again.
    before = store->requests_sent();
    BOOST_TEST(run(catalog.save(2, changed)).version == 3u);
    BOOST_TEST(store->requests_sent() - before == 1u);

    // Another writer saves: what this store has at hand is stale now.
    CatalogStore other(same_prefix());
    BOOST_TEST(run(other.save(3, routes)).version == 4u);

    // From the current version: the stale read shows version 3, so it reads again, then the txn.
    before = store->requests_sent();
    BOOST_TEST(run(catalog.save(4, changed)).version == 5u);
    BOOST_TEST(store->requests_sent() - before == 2u);

    // Another save lands; a client still at version 5 goes through this store: the read at hand says
    // 5, the txn's compare on the version key fails, a fresh read says 6: a mismatch, nothing written.
    BOOST_TEST(run(other.save(5, routes)).version == 6u);
    before = store->requests_sent();
    BOOST_TEST(error_of([&] { run(catalog.save(5, changed)); }) == errc::catalog_version_mismatch);
    BOOST_TEST(store->requests_sent() - before == 2u);
    const CatalogSnapshot last = run(other.snapshot());
    BOOST_TEST(last.version == 6u);
    BOOST_TEST(last.routes == routes);
}

// Following the delta log costs two requests (the meta keys, then the deltas) whatever the catalog's
// size. (That the routes stay unread is for issue 12's bytes-per-sync benchmark to show.)
BOOST_AUTO_TEST_CASE(changes_since_costs_two_requests) {
    CatalogStoreOptions options;
    options.delta_log = true;
    CatalogStore catalog(store, options);
    std::vector<RouteDescriptor> routes = many_routes(300);
    run(catalog.save(0, routes));
    routes.front().group_id = 7;
    run(catalog.save(1, routes));

    const std::uint64_t before = store->requests_sent();
    const CatalogChangeSet changes = run(catalog.changes_since(1));
    BOOST_TEST(store->requests_sent() - before == 2u);  // meta range + delta range
    BOOST_TEST(!changes.reset.has_value());
    BOOST_TEST_REQUIRE(changes.deltas.size() == 1u);
    BOOST_TEST(changes.deltas[0].mutations.size() == 1u);
    BOOST_TEST((*changes.deltas[0].mutations[0].route == routes.front()));
    // From version 0 too (the log reaches back to version 1): two requests, two deltas.
    const std::uint64_t from_start = store->requests_sent();
    BOOST_TEST(run(catalog.changes_since(0)).deltas.size() == 2u);
    BOOST_TEST(store->requests_sent() - from_start == 2u);
}

// With the delta log a Save writes keys outside the catalog read it builds on (the deltas). They are
// guarded by the version key (Mutation::guarded), so they need neither compares nor a look-up, and
// the txn still reads back the routes and meta keys: one request per Save, as without the log, while
// the log grows and once each Save also deletes the oldest delta.
BOOST_AUTO_TEST_CASE(a_save_with_the_delta_log_costs_one_request_like_one_without) {
    CatalogStoreOptions options;
    options.delta_log = true;
    options.delta_retention = 3;
    CatalogStore catalog(store, options);
    std::vector<RouteDescriptor> routes = many_routes(300);
    std::uint64_t before = store->requests_sent();
    run(catalog.save(0, routes));
    BOOST_TEST(store->requests_sent() - before == 2u);  // scan_latest + the txn
    for (std::uint64_t v = 1; v <= 6; ++v) {  // to version 7: from version 4 on each Save deletes a delta
        routes.front().group_id = 10 + v;
        before = store->requests_sent();
        BOOST_TEST(run(catalog.save(v, routes)).version == v + 1);
        BOOST_TEST(store->requests_sent() - before == 1u, "the Save to version " << v + 1);
    }
    BOOST_TEST(run(catalog.delta_floor()) == 5u);
    const CatalogChangeSet kept = run(catalog.changes_since(4));
    BOOST_TEST_REQUIRE(kept.deltas.size() == 3u);
    BOOST_TEST(kept.deltas.back().version == 7u);
    BOOST_TEST((*kept.deltas.back().mutations.at(0).route == routes.front()));

    // Another writer with the log saves version 8: the read at hand is stale, read again, then the txn.
    CatalogStore other(same_prefix(), options);
    std::vector<RouteDescriptor> theirs = routes;
    theirs.back().group_id = 99;
    BOOST_TEST(run(other.save(7, theirs)).version == 8u);
    before = store->requests_sent();
    BOOST_TEST(run(catalog.save(8, routes)).version == 9u);
    BOOST_TEST(store->requests_sent() - before == 2u);

    // A client still at version 9 after the other writer saved version 10: the read at hand says 9,
    // the version key's compare fails the txn (its delta 10 and floor are not written), a fresh read
    // says 10: a mismatch.
    BOOST_TEST(run(other.save(9, theirs)).version == 10u);
    routes.front().group_id = 77;
    BOOST_TEST(error_of([&] { run(catalog.save(9, routes)); }) == errc::catalog_version_mismatch);
    const CatalogChangeSet log = run(other.changes_since(7));
    BOOST_TEST_REQUIRE(log.deltas.size() == 3u);
    BOOST_TEST((*log.deltas[0].mutations.at(0).route == theirs.back()));  // delta 8: theirs
    BOOST_TEST((*log.deltas[2].mutations.at(0).route == theirs.back()));  // delta 10: theirs, not ours
    BOOST_TEST(log.floor == 8u);
}

// What the flag means on etcd: a guarded key gets no compare (nor a look-up: the cached read covers
// the rest), so a change of it alone is not a conflict; the key guarding it is. Only writers that keep
// Mutation::guarded's promise may set it, as the catalog does for its delta log.
BOOST_AUTO_TEST_CASE(guarded_keys_are_neither_compared_nor_looked_up) {
    CatalogStore catalog(store);
    run(catalog.save(0, many_routes(10)));
    const CatalogSnapshot snap = run(catalog.snapshot());  // the meta keys and routes, cached at read_ts
    put(*same_prefix(), "~outside", "theirs");
    auto version_and = [&](Mutation outside) {
        std::vector<Mutation> m;
        m.push_back(std::move(outside));
        m.push_back(Mutation::put(std::string(codec::kVersionKey), codec::encode_version(snap.version + 1)));
        return m;
    };
    std::uint64_t before = store->requests_sent();
    BOOST_TEST(error_of([&] { run(store->apply(version_and(Mutation::put("~outside", "mine")), snap.read_ts, 0)); }) ==
               errc::write_conflict);
    BOOST_TEST(store->requests_sent() - before == 2u);  // the look-up of "~outside", the txn
    before = store->requests_sent();
    const std::uint64_t t = run(store->apply(version_and(Mutation::put("~outside", "mine").as_guarded()), snap.read_ts, 0));
    BOOST_TEST(store->requests_sent() - before == 1u);
    BOOST_TEST(get("~outside", t) == std::optional<std::string>("mine"));
    // The guard holds: a txn from the same read fails on the version key.
    BOOST_TEST(error_of([&] { run(store->apply(version_and(Mutation::put("~outside", "again").as_guarded()), snap.read_ts, 0)); }) ==
               errc::write_conflict);
    BOOST_TEST(get("~outside") == std::optional<std::string>("mine"));
}

// range_response_bytes() counts the JSON bodies of range answers (base64 keys and values, so more
// than their raw bytes); watch events are not range answers.
BOOST_AUTO_TEST_CASE(range_response_bytes_counts_range_answers_not_watch_events) {
    CatalogStore catalog(store);
    const std::vector<RouteDescriptor> routes = many_routes(300);
    run(catalog.save(0, routes));

    auto reader = same_prefix();
    BOOST_TEST(reader->range_response_bytes() == 0u);
    const CatalogSnapshot snap = run(CatalogStore(reader).snapshot());  // one range: every row
    const std::uint64_t snapshot_bytes = reader->range_response_bytes();
    std::size_t raw = 0;
    for (const auto& row : scan(*store, snap.read_ts)) raw += row.key.size() + row.value.size();
    BOOST_TEST(snapshot_bytes > raw);

    put(*store, "watched", "x");
    const std::uint64_t before_wait = reader->range_response_bytes();
    run(reader->wait_for_change(snap.read_ts));  // the put is an event on the watch, not a range answer
    BOOST_TEST(reader->range_response_bytes() == before_wait);
}

BOOST_AUTO_TEST_CASE(an_apply_whose_compares_are_not_known_from_a_read_costs_one_keys_only_range_more) {
    CatalogStore catalog(store);
    const std::vector<RouteDescriptor> routes = many_routes(300);
    run(catalog.save(0, routes));

    // A store object that has read nothing yet: its apply must ask etcd for the mod revisions.
    auto cold = same_prefix();
    const std::uint64_t start = last(*cold);
    BOOST_TEST(cold->requests_sent() == 1u);
    std::vector<Mutation> mutations;
    for (auto r : routes) {
        r.group_id = 3;
        mutations.push_back(Mutation::put(codec::route_key(r.route_id), codec::encode_route_descriptor(r).value()));
    }
    mutations.push_back(Mutation::put(std::string(codec::kVersionKey), codec::encode_version(2)));
    const std::uint64_t commit = run(cold->apply(std::move(mutations), start, start + 1));
    BOOST_TEST(cold->requests_sent() == 3u);  // last_commit_ts, one keys-only range, the txn
    BOOST_TEST(commit > start);

    const CatalogSnapshot snap = run(catalog.snapshot());
    BOOST_TEST(snap.version == 2u);
    BOOST_TEST(snap.read_ts == commit);
    BOOST_REQUIRE(snap.routes.size() == 300u);
    BOOST_TEST(snap.routes.front().group_id == 3u);
    BOOST_TEST(snap.routes.back().group_id == 3u);

    // The compares so read are the real ones: a write by another store after start is a conflict.
    auto cold2 = same_prefix();
    const std::uint64_t start2 = last(*cold2);
    put(*store, codec::route_key(150), codec::encode_route_descriptor(routes[149]).value());
    std::vector<Mutation> stale;
    stale.push_back(Mutation::put(codec::route_key(150), codec::encode_route_descriptor(routes[149]).value()));
    stale.push_back(Mutation::put(std::string(codec::kVersionKey), codec::encode_version(3)));
    BOOST_TEST(error_of([&] { run(cold2->apply(std::move(stale), start2, start2 + 1)); }) == errc::write_conflict);
    BOOST_TEST(cold2->requests_sent() == 3u);
    BOOST_TEST(run(catalog.version()) == 2u);
}

BOOST_AUTO_TEST_CASE(an_apply_of_a_few_keys_far_apart_looks_up_only_those_keys_in_one_txn) {
    CatalogStore catalog(store);
    const std::vector<RouteDescriptor> routes = many_routes(300);
    run(catalog.save(0, routes));

    // A split-like apply on a store object that has read nothing: the first route, a new id past
    // the last one and the version key. A read over their span would answer 300 keys; the lookup
    // costs three single-key ranges in one read-only txn.
    auto cold = same_prefix();
    const std::uint64_t start = last(*cold);
    RouteDescriptor changed = routes.front();
    changed.group_id = 9;
    RouteDescriptor fresh = routes.back();
    fresh.route_id = 1000;
    fresh.start = "zz";
    fresh.end = std::nullopt;
    std::vector<Mutation> mutations;
    mutations.push_back(Mutation::put(codec::route_key(changed.route_id), codec::encode_route_descriptor(changed).value()));
    mutations.push_back(Mutation::put(codec::route_key(fresh.route_id), codec::encode_route_descriptor(fresh).value()));
    mutations.push_back(Mutation::put(std::string(codec::kVersionKey), codec::encode_version(2)));
    const std::uint64_t bytes_before = cold->range_response_bytes();
    const std::uint64_t commit = run(cold->apply(std::move(mutations), start, start + 1));
    BOOST_TEST(cold->requests_sent() == 3u);  // last_commit_ts, the look-up txn, the txn
    BOOST_TEST(cold->range_response_bytes() - bytes_before < 1500u);  // three keys' answers, not 300
    BOOST_TEST(commit > start);
    const auto after = run(cold->get_at(codec::route_key(changed.route_id), commit));
    BOOST_REQUIRE(after.has_value());
    BOOST_TEST(codec::decode_route_descriptor(*after).value().group_id == 9u);

    // The looked-up compares are the real ones: a key another store wrote after start conflicts,
    // and so does a new key another store created after start (absent at start: compared as 0).
    for (const std::uint64_t id : {std::uint64_t{150}, std::uint64_t{2000}}) {
        auto cold2 = same_prefix();
        const std::uint64_t start2 = last(*cold2);
        RouteDescriptor r = routes[149];
        r.route_id = id;
        put(*store, codec::route_key(id), codec::encode_route_descriptor(r).value());
        std::vector<Mutation> stale;
        stale.push_back(Mutation::put(codec::route_key(id), codec::encode_route_descriptor(r).value()));
        stale.push_back(Mutation::put(std::string(codec::kVersionKey), codec::encode_version(3)));
        BOOST_TEST(error_of([&] { run(cold2->apply(std::move(stale), start2, start2 + 1)); }) == errc::write_conflict);
        BOOST_TEST(cold2->requests_sent() == 3u);
    }
    BOOST_TEST(run(catalog.version()) == 2u);
}

BOOST_AUTO_TEST_CASE(sequential_calls_reuse_one_kept_alive_connection) {
    // Calls of one request each: reads, limited scans, and txns that start at ts 0 (nothing to read).
    for (int i = 0; i < 50; ++i) {
        switch (i % 4) {
            case 0: last(); break;
            case 1: get("k" + std::to_string(i)); break;
            case 2: run(store->scan_at("", std::nullopt, 100, kNow)); break;
            case 3: {
                std::vector<Mutation> m;
                m.push_back(Mutation::put("k" + std::to_string(i), "v"));
                run(store->apply(std::move(m), 0, 0));
                break;
            }
        }
    }
    BOOST_TEST(store->requests_sent() == 50u);
    BOOST_TEST(store->connections_opened() == 1u);
    BOOST_TEST(scan().size() == 12u);
    BOOST_TEST(store->connections_opened() == 1u);
}

// ---------------------------------------------------------------------------------------------
// The prefix

BOOST_AUTO_TEST_CASE(stores_with_different_prefixes_do_not_see_each_others_keys) {
    auto [a, before_a, after_a, parent] = neighbours();

    put(*before_a, "k1", "before");
    put(*before_a, "~", "before");
    put(*a, "k1", "a1");
    put(*a, "k2", "a2");
    put(*after_a, "", "after-empty");
    put(*after_a, "k1", "after");

    BOOST_TEST(scan(*a) == kvs({{"k1", "a1"}, {"k2", "a2"}}));
    BOOST_TEST(run(a->scan_at("", std::nullopt, 100, kNow)) == kvs({{"k1", "a1"}, {"k2", "a2"}}));
    BOOST_TEST(run(a->scan_at("k", std::nullopt, 100, kNow)) == kvs({{"k1", "a1"}, {"k2", "a2"}}));
    BOOST_TEST(run(a->scan_at("k2", std::nullopt, 100, kNow)) == kvs({{"k2", "a2"}}));
    BOOST_TEST(run(a->scan_latest("", std::nullopt)).pairs == kvs({{"k1", "a1"}, {"k2", "a2"}}));
    BOOST_TEST(get(*a, "k1") == std::optional<std::string>("a1"));
    BOOST_TEST(!get(*a, "~").has_value());
    BOOST_TEST(scan(*before_a) == kvs({{"k1", "before"}, {"~", "before"}}));
    BOOST_TEST(scan(*after_a) == kvs({{"", "after-empty"}, {"k1", "after"}}));
    BOOST_TEST(get(*after_a, "") == std::optional<std::string>("after-empty"));
    BOOST_TEST(keys_of(scan(*parent)) == (std::vector<std::string>{"a.k1", "a.~", "a/k1", "a/k2", "a0/", "a0/k1"}));

    // A delete in one prefix leaves the same key of another alone.
    del(*a, "k1");
    BOOST_TEST(!get(*a, "k1").has_value());
    BOOST_TEST(get(*before_a, "k1") == std::optional<std::string>("before"));
    BOOST_TEST(get(*after_a, "k1") == std::optional<std::string>("after"));
}

// ---------------------------------------------------------------------------------------------
// apply()

BOOST_AUTO_TEST_CASE(a_delete_by_another_writer_after_start_ts_is_a_conflict_and_nothing_is_written) {
    auto other = same_prefix();
    put("k", "v0");
    const std::uint64_t start = last();
    const std::uint64_t deleted = del(*other, "k");
    BOOST_TEST(deleted > start);

    std::vector<Mutation> m;
    m.push_back(Mutation::put("k", "v1"));
    m.push_back(Mutation::put("j", "new"));
    const Failure f = failure_of([&] { run(store->apply(std::move(m), start, 0)); });
    BOOST_TEST(f.code == errc::write_conflict, f.what);
    BOOST_TEST(last() == deleted);
    BOOST_TEST(!get("k").has_value());
    BOOST_TEST(!get("j").has_value());

    // Our own delete of a key another writer rewrote after start_ts conflicts too.
    put("d", "d0");
    const std::uint64_t start2 = last();
    put(*other, "d", "d1");
    std::vector<Mutation> del_d;
    del_d.push_back(Mutation::del("d"));
    BOOST_TEST(error_of([&] { run(store->apply(std::move(del_d), start2, 0)); }) == errc::write_conflict);
    BOOST_TEST(get("d") == std::optional<std::string>("d1"));
}

BOOST_AUTO_TEST_CASE(a_put_by_another_writer_after_start_ts_is_a_conflict_and_nothing_is_written) {
    auto other = same_prefix();
    put("k", "v0");
    const std::uint64_t start = last();
    const std::uint64_t rewritten = put(*other, "k", "v2");

    std::vector<Mutation> m;
    m.push_back(Mutation::put("a-first", "x"));
    m.push_back(Mutation::put("k", "v1"));
    m.push_back(Mutation::del("z-last"));
    BOOST_TEST(error_of([&] { run(store->apply(std::move(m), start, 0)); }) == errc::write_conflict);
    BOOST_TEST(last() == rewritten);
    BOOST_TEST(scan() == kvs({{"k", "v2"}}));

    // A key absent at start_ts that another writer created since: the compare "absent" fails.
    const std::uint64_t start2 = last();
    put(*other, "created", "by-other");
    std::vector<Mutation> create;
    create.push_back(Mutation::put("created", "by-us"));
    BOOST_TEST(error_of([&] { run(store->apply(std::move(create), start2, 0)); }) == errc::write_conflict);
    BOOST_TEST(get("created") == std::optional<std::string>("by-other"));

    // Without an interleaved write the same transaction commits.
    const std::uint64_t start3 = last();
    std::vector<Mutation> ok;
    ok.push_back(Mutation::put("created", "by-us"));
    ok.push_back(Mutation::put("k", "v3"));
    const std::uint64_t commit = run(store->apply(std::move(ok), start3, 0));
    BOOST_TEST(commit == start3 + 1);  // the shared etcd is written by this test only
    BOOST_TEST(scan(commit) == kvs({{"created", "by-us"}, {"k", "v3"}}));
}

BOOST_AUTO_TEST_CASE(a_key_written_twice_in_one_apply_keeps_its_last_mutation) {
    put("gone", "g0");
    std::vector<Mutation> m;
    m.push_back(Mutation::put("k", "first"));
    m.push_back(Mutation::put("j", "j1"));
    m.push_back(Mutation::put("k", "second"));
    m.push_back(Mutation::del("j"));
    m.push_back(Mutation::put("j", "j2"));
    m.push_back(Mutation::put("x", "x1"));
    m.push_back(Mutation::del("x"));
    m.push_back(Mutation::del("gone"));
    m.push_back(Mutation::put("gone", "back"));
    m.push_back(Mutation::put("k", "third"));
    const std::uint64_t start = last();
    const std::uint64_t commit = run(store->apply(std::move(m), start, 0));
    BOOST_TEST(commit == start + 1);  // one txn, one revision
    BOOST_TEST(scan() == kvs({{"gone", "back"}, {"j", "j2"}, {"k", "third"}}));
    BOOST_TEST(last() == commit);
}

BOOST_AUTO_TEST_CASE(a_txn_over_max_txn_ops_is_store_request_too_large_and_writes_nothing) {
    // The harness starts etcd with --max-txn-ops 20000. Refusing (and at the limit, committing) 20000
    // operations takes etcd seconds on a loaded machine: a deadline well above the default 2 s.
    auto options = etcd_options(shared_etcd().client_urls());
    options.request_timeout = 30s;
    store = make(std::move(options));
    std::vector<Mutation> too_many;
    too_many.reserve(20001);
    for (std::size_t i = 0; i < 20001; ++i) too_many.push_back(Mutation::put(numbered("t", i, 5), "v"));
    const std::uint64_t start = last();
    const auto t0 = Clock::now();
    const Failure f = failure_of([&] { run(store->apply(too_many, start, 0)); });
    BOOST_TEST_MESSAGE("20001-op txn refused in " << ms_since(t0) << " ms");
    BOOST_TEST(f.code == errc::store_request_too_large, f.what);
    BOOST_TEST(contains(f.what, "too many operations in txn request"), f.what);
    BOOST_TEST(last() == start);
    BOOST_TEST(run(store->scan_at("", std::nullopt, 10, kNow)).empty());

    // At the limit it commits, as one revision.
    too_many.pop_back();
    const auto t1 = Clock::now();
    const std::uint64_t commit = run(store->apply(std::move(too_many), start, 0));
    BOOST_TEST_MESSAGE("20000-op txn committed in " << ms_since(t1) << " ms");
    BOOST_TEST(commit == start + 1);
    const auto all = scan();
    BOOST_TEST(all.size() == 20000u);
    BOOST_TEST(all.back().key == "t19999");
}

BOOST_AUTO_TEST_CASE(a_txn_over_max_request_bytes_is_store_request_too_large_and_writes_nothing) {
    // The harness starts etcd with --max-request-bytes 32 MiB. Just over it etcd itself refuses ("request
    // is too large"); past its gRPC allowance (+512 KiB) the gateway does (RESOURCE_EXHAUSTED). Uploading
    // and refusing ~45 MB of JSON takes etcd seconds, hence the long deadline.
    auto options = store->options();
    options.request_timeout = 30s;
    auto s = make(options);
    const std::uint64_t start = last();
    for (const std::size_t size : {(32u << 20) + 1000u, 33u << 20}) {
        std::vector<Mutation> big;
        big.push_back(Mutation::put("big", std::string(size, 'x')));
        big.push_back(Mutation::put("small", "s"));
        const auto t0 = Clock::now();
        const Failure f = failure_of([&] { run(s->apply(std::move(big), start, 0)); });
        BOOST_TEST_MESSAGE(size << "-byte value refused in " << ms_since(t0) << " ms: " << f.what);
        BOOST_TEST(f.code == errc::store_request_too_large, f.what);
        BOOST_TEST(last() == start);
        BOOST_TEST(scan().empty());
    }
}

// ---------------------------------------------------------------------------------------------
// Reads

BOOST_AUTO_TEST_CASE(reads_above_the_current_revision_see_the_current_data_and_ts_zero_sees_nothing) {
    const std::uint64_t t1 = put("k", "v1");
    put("j", "j1");
    const std::uint64_t t3 = put("k", "v3");
    BOOST_TEST(last() == t3);
    BOOST_TEST(get("k", t3 + 1) == std::optional<std::string>("v3"));
    BOOST_TEST(get("k", t3 + 1000000) == std::optional<std::string>("v3"));
    BOOST_TEST(get("k", std::uint64_t(std::numeric_limits<std::int64_t>::max())) == std::optional<std::string>("v3"));
    BOOST_TEST(get("k", kNow) == std::optional<std::string>("v3"));
    BOOST_TEST(run(store->scan_at("", std::nullopt, 10, t3 + 1000)) == kvs({{"j", "j1"}, {"k", "v3"}}));
    BOOST_TEST(get("k", t1) == std::optional<std::string>("v1"));
    BOOST_TEST(!get("j", t1).has_value());
    BOOST_TEST(!get("k", 0).has_value());
    BOOST_TEST(run(store->scan_at("", std::nullopt, 10, 0)).empty());
    BOOST_TEST(!get("k", t1 - 1).has_value());
}

BOOST_AUTO_TEST_CASE(scans_page_in_order_and_stop_at_the_limit) {
    auto options = store->options();
    options.page_size = 7;
    auto paged = make(options);
    std::vector<Mutation> m;
    std::vector<KeyValue> expected;
    for (std::size_t i = 0; i < 50; ++i) {
        m.push_back(Mutation::put(numbered("k", i), "v" + std::to_string(i)));
        expected.push_back(KeyValue{numbered("k", i), "v" + std::to_string(i)});
    }
    const std::uint64_t ts = apply(*paged, std::move(m));

    std::uint64_t before = paged->requests_sent();
    BOOST_TEST(run(paged->scan_at("", std::nullopt, kAll, ts)) == expected);
    BOOST_TEST(paged->requests_sent() - before == 8u);  // 7 pages of 7 and one of 1

    before = paged->requests_sent();
    const auto first20 = run(paged->scan_at("", std::nullopt, 20, ts));
    BOOST_TEST(first20 == std::vector<KeyValue>(expected.begin(), expected.begin() + 20));
    BOOST_TEST(paged->requests_sent() - before == 3u);  // 7 + 7 + 6

    BOOST_TEST(run(paged->scan_at("k10", std::string("k30"), kAll, ts)) ==
               std::vector<KeyValue>(expected.begin() + 10, expected.begin() + 30));
    BOOST_TEST(run(paged->scan_at("k10", std::string("k30"), 14, ts)) ==
               std::vector<KeyValue>(expected.begin() + 10, expected.begin() + 24));
    BOOST_TEST(run(paged->scan_at("k49", std::nullopt, kAll, ts)) == std::vector<KeyValue>(expected.end() - 1, expected.end()));
    BOOST_TEST(run(paged->scan_at("k5", std::nullopt, kAll, ts)).empty());
    BOOST_TEST(run(paged->scan_latest("", std::nullopt)).pairs == expected);
}

BOOST_AUTO_TEST_CASE(a_paged_scan_at_a_ts_returns_the_data_as_of_that_ts_after_later_writes) {
    auto options = store->options();
    options.page_size = 7;
    auto paged = make(options);
    auto writer = same_prefix();
    std::vector<Mutation> m;
    std::vector<KeyValue> expected;
    for (std::size_t i = 0; i < 50; ++i) {
        m.push_back(Mutation::put(numbered("k", i), "v" + std::to_string(i)));
        expected.push_back(KeyValue{numbered("k", i), "v" + std::to_string(i)});
    }
    const std::uint64_t ts = apply(*writer, std::move(m));

    // Later writes everywhere in the range: deletes, rewrites, inserts between existing keys.
    std::vector<Mutation> later;
    for (std::size_t i = 0; i < 50; i += 3) later.push_back(Mutation::del(numbered("k", i)));
    for (std::size_t i = 1; i < 50; i += 3) later.push_back(Mutation::put(numbered("k", i), "changed"));
    for (std::size_t i = 0; i < 50; i += 5) later.push_back(Mutation::put(numbered("k", i) + "+", "inserted"));
    apply(*writer, std::move(later));
    put(*writer, "a", "before-all");

    BOOST_TEST(run(paged->scan_at("", std::nullopt, kAll, ts)) == expected);
    BOOST_TEST(run(paged->scan_at("k05", std::nullopt, 20, ts)) ==
               std::vector<KeyValue>(expected.begin() + 5, expected.begin() + 25));
    BOOST_TEST(scan(*paged).size() == 50u - 17u + 10u + 1u);
}

BOOST_AUTO_TEST_CASE(a_paged_scan_latest_is_one_consistent_read_while_writes_land_between_pages) {
    auto options = store->options();
    options.page_size = 7;
    auto writer = same_prefix();
    std::vector<Mutation> m;
    for (std::size_t i = 0; i < 50; ++i) m.push_back(Mutation::put(numbered("k", i), "v0"));
    apply(*writer, std::move(m));

    // The writer rewrites every key, one txn per key, while the reader pages through.
    auto rewrite = [](std::shared_ptr<EtcdStore> w) -> asio::awaitable<int> {
        int commits = 0;
        for (std::size_t round = 1; round <= 3; ++round)
            for (std::size_t i = 0; i < 50; ++i) {
                const std::uint64_t start = co_await w->last_commit_ts();
                std::vector<Mutation> one;
                one.push_back(Mutation::put(numbered("k", i), "v" + std::to_string(round)));
                co_await w->apply(std::move(one), start, 0);
                ++commits;
            }
        co_return commits;
    };
    // A fresh store object per read, so that each one pages (8 requests) instead of refreshing a cache.
    auto reads = [](EtcdStoreOptions o) -> asio::awaitable<std::vector<RangeRead>> {
        std::vector<RangeRead> out;
        for (int i = 0; i < 20; ++i) {
            auto r = make_etcd_store(co_await asio::this_coro::executor, o);
            out.push_back(co_await r->scan_latest("", std::nullopt));
            if (r->requests_sent() != 8u) throw std::runtime_error("a read took " + std::to_string(r->requests_sent()) + " requests");
        }
        co_return out;
    };
    auto writes = asio::co_spawn(io, rewrite(writer), asio::use_future);
    auto read_all = asio::co_spawn(io, reads(options), asio::use_future);
    io.restart();
    io.run();
    BOOST_TEST(writes.get() == 150);

    // Each read equals a one-request read at its ts, whatever landed while it paged.
    auto whole = same_prefix();  // page_size 10000: one request per read
    std::set<std::uint64_t> distinct;
    for (const RangeRead& read : read_all.get()) {
        distinct.insert(read.ts);
        BOOST_REQUIRE(read.pairs.size() == 50u);
        BOOST_TEST(read.pairs == scan(*whole, read.ts));
    }
    BOOST_TEST_MESSAGE(distinct.size() << " distinct read revisions among 20 paged reads");
}

BOOST_AUTO_TEST_CASE(repeated_whole_reads_follow_another_writers_puts_deletes_and_inserts) {
    auto writer = same_prefix();
    std::vector<Mutation> m;
    for (std::size_t i = 0; i < 30; ++i) m.push_back(Mutation::put(numbered("k", i), "v0"));
    apply(*writer, std::move(m));

    std::vector<RangeRead> history;
    std::size_t next_new = 30;
    for (std::size_t round = 0; round < 12; ++round) {
        RangeRead read = run(store->scan_latest("", std::nullopt));
        auto fresh = same_prefix();  // has read nothing before
        BOOST_TEST(read.ts == last(*fresh), "round " << round);
        BOOST_TEST(read.pairs == scan(*fresh, read.ts), "round " << round);
        BOOST_TEST(scan(*store) == read.pairs, "round " << round);
        history.push_back(std::move(read));

        // Another writer changes the range: a rewrite, a delete, an insert, or a delete and an insert
        // (the key count unchanged).
        std::vector<Mutation> change;
        const std::size_t victim = round * 2;
        switch (round % 4) {
            case 0: change.push_back(Mutation::put(numbered("k", victim + 1), "r" + std::to_string(round))); break;
            case 1: change.push_back(Mutation::del(numbered("k", victim))); break;
            case 2: change.push_back(Mutation::put(numbered("k", next_new++), "new")); break;
            case 3:
                change.push_back(Mutation::del(numbered("k", victim)));
                change.push_back(Mutation::put(numbered("k", next_new++), "new"));
                break;
        }
        apply(*writer, std::move(change));
    }
    // Reads at each earlier ts still see what was there then.
    for (const RangeRead& then : history) BOOST_TEST(run(store->scan_at("", std::nullopt, kAll, then.ts)) == then.pairs);
    for (const RangeRead& then : history) BOOST_TEST(scan(*same_prefix(), then.ts) == then.pairs);
}

// ---------------------------------------------------------------------------------------------
// Fail-over and deadlines

BOOST_AUTO_TEST_CASE(a_refusing_endpoint_first_is_skipped_for_every_call) {
    const std::string dead = "http://127.0.0.1:" + std::to_string(unused_port());
    auto options = store->options();
    options.endpoints = {dead, shared_etcd().client_url(0)};
    auto s = make(options);

    const std::uint64_t t1 = put(*s, "k", "v");  // reads and a txn: the refused connect wrote nothing
    BOOST_TEST(get(*s, "k") == std::optional<std::string>("v"));
    BOOST_TEST(scan(*s) == kvs({{"k", "v"}}));
    BOOST_TEST(last(*s) == t1);
    BOOST_TEST(run(s->scan_latest("", std::nullopt)).ts == t1);
    BOOST_TEST(s->connections_opened() == 1u);  // refused connects are not connections

    // A store whose first call is a txn, and one whose first call is a watch.
    auto txn_first = make(options);
    std::vector<Mutation> m;
    m.push_back(Mutation::put("t", "txn-first"));
    const std::uint64_t t2 = run(txn_first->apply(std::move(m), 0, 0));  // start 0: no read before the txn
    BOOST_TEST(t2 > t1);
    BOOST_TEST(get("t") == std::optional<std::string>("txn-first"));

    auto watch_first = make(options);
    auto waited = asio::co_spawn(io, wait_or_timeout(watch_first, t2, 10s), asio::use_future);
    auto wrote = asio::co_spawn(io, put_after(store, 50ms, "w", "x"), asio::use_future);
    io.restart();
    io.run();
    BOOST_TEST(wrote.get() > t2);
    BOOST_TEST(waited.get() == 0);
}

BOOST_AUTO_TEST_CASE(an_endpoint_that_never_answers_costs_one_timeout_then_the_next_one_serves) {
    BlackHole hole;
    auto options = store->options();
    options.endpoints = {hole.url(), shared_etcd().client_url(0)};
    options.request_timeout = 300ms;
    auto s = make(options);

    const std::uint64_t t1 = put("k", "v");
    auto t0 = Clock::now();
    BOOST_TEST(get(*s, "k") == std::optional<std::string>("v"));
    const double first = ms_since(t0);
    BOOST_TEST(first >= 250.0);
    BOOST_TEST(first < 3000.0);
    t0 = Clock::now();
    BOOST_TEST(last(*s) == t1);  // the endpoint that answered is asked first now
    BOOST_TEST(ms_since(t0) < 250.0);
    BOOST_TEST_MESSAGE("read past a black hole: " << first << " ms, then " << ms_since(t0) << " ms");

    // A watch fails over the same way.
    auto watch_first = make(options);
    auto waited = asio::co_spawn(io, wait_or_timeout(watch_first, t1, 10s), asio::use_future);
    auto wrote = asio::co_spawn(io, put_after(store, 50ms, "w", "x"), asio::use_future);
    io.restart();
    io.run();
    wrote.get();
    BOOST_TEST(waited.get() == 0);
}

BOOST_AUTO_TEST_CASE(an_endpoint_that_never_answers_alone_fails_reads_at_the_deadline) {
    BlackHole hole;
    auto options = store->options();
    options.endpoints = {hole.url()};
    options.request_timeout = 300ms;
    auto s = make(options);

    for (int i = 0; i < 2; ++i) {
        const auto t0 = Clock::now();
        const Failure f = failure_of([&] { last(*s); });
        const double elapsed = ms_since(t0);
        BOOST_TEST(f.code == errc::store_unavailable, f.what);
        BOOST_TEST(contains(f.what, hole.url()), f.what);
        BOOST_TEST(contains(f.what, "timed out"), f.what);
        BOOST_TEST(elapsed >= 250.0);
        BOOST_TEST(elapsed < 3000.0);
    }
    const Failure g = failure_of([&] { get(*s, "k"); });
    BOOST_TEST(g.code == errc::store_unavailable, g.what);
}

// A txn whose answer never comes is re-sent as is: its compares make a second commit impossible.
BOOST_AUTO_TEST_CASE(a_txn_whose_answer_never_comes_is_re_sent_and_commits_once_on_the_next_endpoint) {
    BlackHole hole;
    auto options = store->options();
    options.request_timeout = 300ms;
    options.endpoints = {hole.url()};
    auto alone = make(options);
    std::vector<Mutation> m;
    m.push_back(Mutation::put("k", "v"));
    auto t0 = Clock::now();
    Failure f = failure_of([&] { run(alone->apply(m, 0, 0)); });  // start 0: the txn is the first request
    BOOST_TEST(f.code == errc::commit_outcome_unknown, f.what);
    BOOST_TEST(contains(f.what, "outcome unknown"), f.what);
    BOOST_TEST(contains(f.what, "gave up after 4 sends"), f.what);
    BOOST_TEST(alone->requests_sent() == 4u);
    BOOST_TEST(ms_since(t0) >= 4 * 250.0 + 600.0);  // four deadlines and the pauses between them
    BOOST_TEST(ms_since(t0) < 8000.0);

    // With a good endpoint after it, the re-send goes there; its compares hold, so the first send
    // did not commit, and this one does.
    options.endpoints = {hole.url(), shared_etcd().client_url(0)};
    auto both = make(options);
    const std::uint64_t before = last();
    BOOST_TEST(run(both->apply(m, 0, 0)) == before + 1);
    BOOST_TEST(both->requests_sent() == 2u);
    BOOST_TEST(get("k") == std::optional<std::string>("v"));
}

// The answer is lost after etcd committed: the re-send fails its compares, and the store cannot tell
// that commit from another writer's, so it says so instead of reporting a conflict or committing twice.
BOOST_AUTO_TEST_CASE(a_txn_whose_answer_is_lost_after_it_committed_is_unknown_and_committed_once) {
    FaultProxy proxy("127.0.0.1", std::to_string(shared_etcd().client_port(0)));
    auto options = store->options();
    options.endpoints = {proxy.url()};
    auto s = make(options);
    const std::uint64_t before = last();
    proxy.drop_next_answers(1, "/v3/kv/txn");
    std::vector<Mutation> m;
    m.push_back(Mutation::put("k", "v"));
    const Failure f = failure_of([&] { run(s->apply(m, 0, 0)); });
    BOOST_TEST(f.code == errc::commit_outcome_unknown, f.what);
    BOOST_TEST(contains(f.what, "compares failed"), f.what);
    BOOST_TEST(proxy.answers_dropped() == 1);
    BOOST_TEST(s->requests_sent() == 2u);
    BOOST_TEST(last() == before + 1);  // one commit
    BOOST_TEST(get("k") == std::optional<std::string>("v"));
}

// The catalog decides such a commit by reading: a Save that landed succeeds, one that lost is the
// spec's mismatch; either way exactly one version was committed.
BOOST_AUTO_TEST_CASE(a_save_whose_answer_is_lost_is_decided_by_a_re_read) {
    FaultProxy proxy("127.0.0.1", std::to_string(shared_etcd().client_port(0)));
    auto options = store->options();
    options.endpoints = {proxy.url()};
    CatalogStore ours(make(options));
    CatalogStore direct(store);
    run(ours.save(0, {rd(1, "", std::nullopt, 1)}));

    const std::vector<RouteDescriptor> split{rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)};
    proxy.drop_next_answers(1, "/v3/kv/txn");
    const CatalogSnapshot saved = run(ours.save(1, split));
    BOOST_TEST(proxy.answers_dropped() == 1);
    BOOST_TEST(saved.version == 2u);
    CatalogSnapshot snap = run(direct.snapshot());
    BOOST_TEST(snap.version == 2u);
    BOOST_TEST((snap.routes == split));

    // Another writer commits version 3 between our read and our txn; our txn fails its compares in
    // etcd and that answer is lost too.
    auto hooked = std::make_shared<HookedStore>(make(options));
    CatalogStore racing(hooked);
    hooked->before_apply([&](MvccStore&) -> asio::awaitable<void> {
        std::vector<RouteDescriptor> theirs{rd(9, "", std::nullopt, 9)};
        co_await direct.save(2, theirs);
        // The commit's txn: the compare values are looked up first by a read-only txn (no put).
        proxy.drop_next_answers(1, "request_put");
    });
    const Failure f = failure_of([&] { run(racing.save(2, {rd(1, "", std::nullopt, 3)})); });
    BOOST_TEST(f.code == errc::catalog_version_mismatch, f.what);
    BOOST_TEST(proxy.answers_dropped() == 2);
    snap = run(direct.snapshot());
    BOOST_TEST(snap.version == 3u);
    BOOST_TEST((snap.routes == std::vector<RouteDescriptor>{rd(9, "", std::nullopt, 9)}));
}

// With the delta log too: the delta keys have no compares (Mutation::guarded), so it is the version
// key's that fails the re-send of a txn that committed; the log holds the delta once.
BOOST_AUTO_TEST_CASE(a_save_with_the_delta_log_whose_answer_is_lost_is_committed_once) {
    FaultProxy proxy("127.0.0.1", std::to_string(shared_etcd().client_port(0)));
    auto options = store->options();
    options.endpoints = {proxy.url()};
    CatalogStoreOptions logging;
    logging.delta_log = true;
    CatalogStore ours(make(options), logging);
    CatalogStore direct(store, logging);
    run(ours.save(0, {rd(1, "", std::nullopt, 1)}));

    const std::vector<RouteDescriptor> split{rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)};
    const std::uint64_t before = last();
    proxy.drop_next_answers(1, "/v3/kv/txn");
    BOOST_TEST(run(ours.save(1, split)).version == 2u);
    BOOST_TEST(proxy.answers_dropped() == 1);
    BOOST_TEST(last() == before + 1);  // one commit
    const CatalogChangeSet changes = run(direct.changes_since(0));
    BOOST_TEST_REQUIRE(changes.deltas.size() == 2u);
    BOOST_TEST(changes.deltas[1].version == 2u);
    BOOST_TEST(changes.deltas[1].mutations.size() == 2u);
    BOOST_TEST(run(direct.delta_floor()) == 1u);
}

// ---------------------------------------------------------------------------------------------
// wait_for_change()

BOOST_AUTO_TEST_CASE(wait_for_change_completes_on_a_write_by_another_store_object) {
    auto other = same_prefix();
    const std::uint64_t t0 = put("k", "v0");
    const auto started = Clock::now();
    auto waited = asio::co_spawn(io, wait_or_timeout(store, t0, 10s), asio::use_future);
    auto wrote = asio::co_spawn(io, put_after(other, 100ms, "k", "v1"), asio::use_future);
    io.restart();
    io.run();
    BOOST_TEST(wrote.get() > t0);
    BOOST_TEST(waited.get() == 0);
    BOOST_TEST(ms_since(started) >= 90.0);  // not before the write
    BOOST_TEST(ms_since(started) < 5000.0);

    // A write already made before the wait began (after `after`) completes it at once.
    const auto t1 = Clock::now();
    BOOST_TEST(run(wait_or_timeout(store, t0, 10s)) == 0);
    BOOST_TEST(ms_since(t1) < 2000.0);
}

BOOST_AUTO_TEST_CASE(wait_for_change_ignores_writes_under_other_prefixes) {
    auto [watched, before_a, after_a, parent] = neighbours();

    const std::uint64_t t0 = last(*watched);
    auto waited = asio::co_spawn(io, wait_or_timeout(watched, t0, 300ms), asio::use_future);
    auto w1 = asio::co_spawn(io, put_after(before_a, 20ms, "k", "x"), asio::use_future);
    auto w2 = asio::co_spawn(io, put_after(after_a, 40ms, "", "x"), asio::use_future);
    io.restart();
    io.run();
    BOOST_TEST(w1.get() > t0);
    BOOST_TEST(w2.get() > t0);
    BOOST_TEST(waited.get() == 1);  // the timer won

    // The same watch sees a write under its own prefix.
    auto waited2 = asio::co_spawn(io, wait_or_timeout(watched, t0, 10s), asio::use_future);
    auto w3 = asio::co_spawn(io, put_after(watched, 50ms, "k", "mine"), asio::use_future);
    io.restart();
    io.run();
    w3.get();
    BOOST_TEST(waited2.get() == 0);
}

BOOST_AUTO_TEST_CASE(wait_for_change_is_cancelled_by_a_parallel_group_with_operation_aborted) {
    const std::uint64_t t0 = put("k", "v0");
    const auto started = Clock::now();
    const RaceOutcome race = run(wait_against_timer(store, t0, 100ms));
    BOOST_TEST(race.first == 1u);  // the timer
    BOOST_TEST(race.wait_threw);
    BOOST_TEST(race.wait_error == asio::error::operation_aborted, race.wait_what);
    BOOST_TEST(ms_since(started) < 2000.0);

    // The store works on, and a later wait still completes on a change.
    const std::uint64_t t1 = put("k", "v1");
    BOOST_TEST(t1 > t0);
    const RaceOutcome done = run(wait_against_timer(store, t0, 10s));
    BOOST_TEST(done.first == 0u);
    BOOST_TEST(!done.wait_threw, done.wait_what);

    // Cancelled while it cannot even connect (only a black hole to talk to) as well.
    BlackHole hole;
    auto options = store->options();
    options.endpoints = {hole.url()};
    options.request_timeout = 200ms;
    auto stuck = make(options);
    const auto t2 = Clock::now();
    const RaceOutcome stuck_race = run(wait_against_timer(stuck, t0, 700ms));
    BOOST_TEST(stuck_race.first == 1u);
    BOOST_TEST(stuck_race.wait_error == asio::error::operation_aborted, stuck_race.wait_what);
    BOOST_TEST(ms_since(t2) < 2000.0);
}

// A pushing watcher waits on one etcd watch for its whole life: its timer ticks (every 100 ms) cancel
// the wait, not the stream. Over 5 s that is one connection for reads and one for the watch (it used
// to be one more per tick, ~50), and a write still reaches the engine at once.
BOOST_AUTO_TEST_CASE(a_pushing_watcher_keeps_one_watch_stream_for_five_seconds) {
    auto watched = make(store->options());
    CatalogStore catalog(watched);
    CatalogStore writer(same_prefix());
    run(writer.save(0, {rd(1, "", std::nullopt, 1)}));
    auto engine = std::make_shared<Engine>();
    CatalogWatcherOptions options;
    options.interval = 100ms;
    options.push = true;
    auto watcher = std::make_shared<CatalogWatcher>(catalog, engine, options);
    asio::co_spawn(io, watcher->run(), asio::detached);
    io.restart();
    io.run_for(500ms);
    BOOST_TEST_REQUIRE(engine->version() == 1u);
    const std::uint64_t connections_before = watched->connections_opened();

    asio::co_spawn(io, writer.save(1, {rd(1, "", std::nullopt, 2)}), asio::detached);
    const auto written = Clock::now();
    while (engine->version() < 2u && ms_since(written) < 2000.0) io.run_for(10ms);
    const double applied_after = ms_since(written);
    io.run_for(4500ms);
    const std::uint64_t opened = watched->connections_opened() - connections_before;
    watcher->stop();
    io.run_for(1s);
    BOOST_TEST_MESSAGE("connections opened in 5 s of 100 ms ticks: " << opened << "; write applied after "
                                                                       << applied_after << " ms");
    BOOST_TEST(engine->version() == 2u);
    BOOST_TEST(opened <= 1u);          // at most a watch re-opened after the write's re-read
}

BOOST_AUTO_TEST_CASE(wait_for_change_from_a_compacted_revision_completes_at_once) {
    auto other = other_prefix();
    const std::uint64_t t1 = put("k", "v1");
    put(*other, "x", "1");
    put(*other, "x", "2");
    const std::uint64_t rev = put(*other, "x", "3");
    BOOST_REQUIRE(rev >= t1 + 3);

    // Nothing changed under our prefix after t1, so before the compaction a wait blocks.
    BOOST_TEST(run(wait_or_timeout(store, t1, 200ms)) == 1);

    const std::string body = R"({"revision":")" + std::to_string(rev) + R"(","physical":true})";
    const auto r = shared_etcd().post(0, "/v3/kv/compaction", body, 10s);
    BOOST_REQUIRE_MESSAGE(r, r.error().message());
    BOOST_REQUIRE_MESSAGE(r->status == 200, r->status << " " << r->body);

    // The watch kept from the first wait began before the compaction and has missed nothing: it
    // still blocks. A new watch from the compacted revision completes at once instead.
    BOOST_TEST(run(wait_or_timeout(store, t1, 200ms)) == 1);
    auto fresh = same_prefix();
    const auto started = Clock::now();
    BOOST_TEST(run(wait_or_timeout(fresh, t1, 2s)) == 0);
    BOOST_TEST(ms_since(started) < 2000.0);
    BOOST_TEST(run(wait_or_timeout(fresh, 1, 2s)) == 0);

    // Reads below the compaction say so; at the compacted revision and above they work.
    const Failure f = failure_of([&] { get("k", t1); });
    BOOST_TEST(f.code == errc::read_ts_compacted, f.what);
    BOOST_TEST(error_of([&] { run(store->scan_at("", std::nullopt, 10, rev - 1)); }) == errc::read_ts_compacted);
    BOOST_TEST(get("k", rev) == std::optional<std::string>("v1"));
    // A watch from the compaction revision on is not compacted: it waits for a change again.
    BOOST_TEST(run(wait_or_timeout(store, rev, 200ms)) == 1);
}

BOOST_AUTO_TEST_CASE(a_watch_broken_by_a_member_restart_is_re_established_and_misses_nothing) {
    EtcdCluster cluster(1);  // members are children of this (the main) thread
    asio::io_context watch_io;
    EtcdStoreOptions options = etcd_options(cluster.client_urls());
    options.request_timeout = 1s;
    auto watcher = make_etcd_store(watch_io.get_executor(), options);
    const std::uint64_t t0 = test::run(watch_io, watcher->last_commit_ts());

    auto waited = asio::co_spawn(watch_io, wait_or_timeout(watcher, t0, 30s), asio::use_future);
    watch_io.restart();
    std::thread runner([&watch_io] { watch_io.run(); });
    struct Join {
        asio::io_context& io;
        std::thread& t;
        ~Join() {
            io.stop();
            if (t.joinable()) t.join();
        }
    } join{watch_io, runner};

    // The watch is open once its request went out (and its headers came back).
    const auto deadline = Clock::now() + 5s;
    while (watcher->requests_sent() < 2 && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
    std::this_thread::sleep_for(200ms);
    BOOST_REQUIRE(watcher->requests_sent() == 2u);

    cluster.kill_member(0);
    std::this_thread::sleep_for(300ms);
    BOOST_TEST((waited.wait_for(0s) == std::future_status::timeout));  // a broken stream is no change
    const auto restart = Clock::now();
    cluster.start_member(0);
    BOOST_REQUIRE_MESSAGE(cluster.wait_ready(15s), cluster.log_tail(0));
    BOOST_TEST_MESSAGE("member restarted in " << ms_since(restart) << " ms");
    std::this_thread::sleep_for(300ms);
    BOOST_TEST((waited.wait_for(0s) == std::future_status::timeout));

    asio::io_context writer_io;
    auto writer = make_etcd_store(writer_io.get_executor(), options);
    const std::uint64_t start = test::run(writer_io, writer->last_commit_ts());
    BOOST_TEST(start == t0);  // the data survived the restart
    std::vector<Mutation> write;
    write.push_back(Mutation::put("after-restart", "x"));
    const auto written = Clock::now();
    test::run(writer_io, writer->apply(std::move(write), start, 0));
    BOOST_REQUIRE((waited.wait_for(10s) == std::future_status::ready));
    BOOST_TEST(waited.get() == 0);
    BOOST_TEST_MESSAGE("the re-established watch saw the write after " << ms_since(written) << " ms; "
                                                                          << watcher->requests_sent()
                                                                          << " requests in all");
    BOOST_TEST(ms_since(written) < 10000.0);
    BOOST_TEST(watcher->requests_sent() >= 3u);  // last_commit_ts, the first watch, at least one more
}

// ---------------------------------------------------------------------------------------------
// Auth

// etcd with auth on: user root (password "pw") holds the root role.
void enable_auth(const EtcdCluster& cluster) {
    post_json(cluster, "/v3/auth/user/add", R"({"name":"root","password":"pw"})");
    post_json(cluster, "/v3/auth/role/add", R"({"name":"root"})");
    post_json(cluster, "/v3/auth/user/grant", R"({"user":"root","role":"root"})");
    post_json(cluster, "/v3/auth/enable", "{}");
}

BOOST_AUTO_TEST_CASE(the_token_is_sent_with_every_request_and_watch) {
    EtcdCluster cluster(1);  // auth is enabled on this one only
    enable_auth(cluster);
    const json::value auth = post_json(cluster, "/v3/auth/authenticate", R"({"name":"root","password":"pw"})");
    const std::string token(auth.at("token").as_string());
    BOOST_REQUIRE(!token.empty());

    EtcdStoreOptions options = etcd_options(cluster.client_urls());
    options.token = token;
    auto s = make(options);
    const std::uint64_t t1 = put(*s, "k", "v");
    BOOST_TEST(get(*s, "k") == std::optional<std::string>("v"));
    BOOST_TEST(scan(*s) == kvs({{"k", "v"}}));
    auto waited = asio::co_spawn(io, wait_or_timeout(s, t1, 10s), asio::use_future);
    auto wrote = asio::co_spawn(io, put_after(s, 50ms, "k", "v2"), asio::use_future);
    io.restart();
    io.run();
    wrote.get();
    BOOST_TEST(waited.get() == 0);

    // Without the token, or with a wrong one, etcd refuses: store_unavailable with etcd's reason.
    options.token.reset();
    auto anonymous = make(options);
    Failure f = failure_of([&] { last(*anonymous); });
    BOOST_TEST(f.code == errc::store_unavailable, f.what);
    BOOST_TEST_MESSAGE("no token: " << f.what);
    options.token = "not-a-token";
    auto wrong = make(options);
    f = failure_of([&] { get(*wrong, "k"); });
    BOOST_TEST(f.code == errc::store_unavailable, f.what);
    BOOST_TEST_MESSAGE("wrong token: " << f.what);
    BOOST_TEST(!contains(f.what, token));
}

// With a login the store authenticates when it first needs a token and again whenever etcd refuses
// it: here because the token expired (--auth-token-ttl 1: unused for a second, it is gone).
BOOST_AUTO_TEST_CASE(a_login_authenticates_once_and_again_after_the_token_expires) {
    EtcdCluster cluster(1, {"--auth-token-ttl", "1"});
    enable_auth(cluster);
    EtcdStoreOptions options = etcd_options(cluster.client_urls());
    options.username = "root";
    options.password = "pw";
    auto s = make(options);
    const std::uint64_t t1 = put(*s, "k", "v");
    BOOST_TEST(get(*s, "k") == std::optional<std::string>("v"));
    BOOST_TEST(scan(*s) == kvs({{"k", "v"}}));
    BOOST_TEST(s->authentications() == 1u);

    std::this_thread::sleep_for(3s);  // expired: a read is refused, re-authenticated and answered
    BOOST_TEST(get(*s, "k") == std::optional<std::string>("v"));
    BOOST_TEST(s->authentications() == 2u);
    std::this_thread::sleep_for(3s);  // a txn refused for its token is sent again as well
    const std::uint64_t t2 = put(*s, "k", "v2");
    BOOST_TEST(t2 > t1);
    BOOST_TEST(get(*s, "k") == std::optional<std::string>("v2"));
    BOOST_TEST(s->authentications() == 3u);

    // A watch opened with an expired token ends (or is refused) and the next one logs in again; a
    // write is still seen.
    std::this_thread::sleep_for(3s);
    auto writer = make(options);
    for (int round = 0; round < 2; ++round) {
        const std::uint64_t after = last(*writer);
        auto waited = asio::co_spawn(io, wait_or_timeout(s, after, 10s), asio::use_future);
        auto wrote = asio::co_spawn(io, put_after(writer, 300ms, "w", "x" + std::to_string(round)), asio::use_future);
        io.restart();
        io.run();
        wrote.get();
        BOOST_TEST(waited.get() == 0, "round " << round);
    }
    BOOST_TEST(s->authentications() >= 3u);
    BOOST_TEST(get(*s, "w") == std::optional<std::string>("x1"));

    // A wrong password: store_unavailable naming the user, never the password.
    options.password = "not-the-password";
    auto wrong = make(options);
    const Failure f = failure_of([&] { last(*wrong); });
    BOOST_TEST(f.code == errc::store_unavailable, f.what);
    BOOST_TEST(contains(f.what, "authenticate as root"), f.what);
    BOOST_TEST(!contains(f.what, "not-the-password"), f.what);
}

// ---------------------------------------------------------------------------------------------
// Options

BOOST_AUTO_TEST_CASE(create_refuses_bad_options_naming_the_problem) {
    struct Case {
        std::vector<std::string> endpoints;
        std::string prefix;
        std::chrono::milliseconds timeout;
        std::int64_t page_size;
        std::string expected;  // part of the error text
    };
    const std::vector<Case> cases = {
        {{}, "/p/", 2000ms, 100, "endpoints: at least one endpoint is required"},
        {{"https://127.0.0.1:2379"}, "/p/", 2000ms, 100, "etcd endpoint \"https://127.0.0.1:2379\": https is not supported"},
        {{"http://user@host:1"}, "/p/", 2000ms, 100, "etcd endpoint \"http://user@host:1\": expected http://host:port"},
        {{"http://"}, "/p/", 2000ms, 100, "expected http://host:port"},
        {{"http://host:"}, "/p/", 2000ms, 100, "expected http://host:port"},
        {{"http://:2379"}, "/p/", 2000ms, 100, "expected http://host:port"},
        {{"host:2379"}, "/p/", 2000ms, 100, "expected http://host:port"},
        {{"http://h:99999"}, "/p/", 2000ms, 100, "etcd endpoint \"http://h:99999\": port out of range"},
        {{"http://h:0"}, "/p/", 2000ms, 100, "port out of range"},
        {{"http://h:123456"}, "/p/", 2000ms, 100, "port out of range"},
        {{"http://h:12a"}, "/p/", 2000ms, 100, "the port is not a number"},
        {{"http://h:1/path"}, "/p/", 2000ms, 100, "etcd endpoint \"http://h:1/path\": a path is not allowed"},
        {{"http://127.0.0.1:2379", "ftp://h:1"}, "/p/", 2000ms, 100, "etcd endpoint \"ftp://h:1\""},
        {{"http://127.0.0.1:2379"}, "", 2000ms, 100, "etcd prefix: must not be empty"},
        {{"http://127.0.0.1:2379"}, "/p/", 0ms, 100, "etcd request_timeout_ms: must be positive"},
        {{"http://127.0.0.1:2379"}, "/p/", -5ms, 100, "request_timeout_ms"},
        {{"http://127.0.0.1:2379"}, "/p/", 2000ms, 0, "etcd page_size: must be positive"},
    };
    for (const auto& c : cases) {
        EtcdStoreOptions options;
        options.endpoints = c.endpoints;
        options.prefix = c.prefix;
        options.request_timeout = c.timeout;
        options.page_size = c.page_size;
        std::string error;
        auto r = EtcdStore::create(options, io.get_executor(), &error);
        BOOST_TEST(!r.has_value(), c.expected);
        if (!r) BOOST_TEST(r.error() == errc::invalid_config, c.expected);
        BOOST_TEST(contains(error, c.expected), "\"" << error << "\" should contain \"" << c.expected << "\"");
    }

    // Good ones, checked without any I/O (nothing listens on these). No port means etcd's 2379.
    for (const std::string url : {"http://127.0.0.1:1", "http://localhost:2379/", "http://[::1]:65535", "http://etcd-0.etcd:2379",
                                  "http://host", "http://[::1]"}) {
        EtcdStoreOptions options;
        options.endpoints = {url};
        std::string error;
        auto r = EtcdStore::create(options, io.get_executor(), &error);
        BOOST_TEST(r.has_value(), url << ": " << error);
        if (r) BOOST_TEST((*r)->requests_sent() + (*r)->connections_opened() == 0u);
    }
    BOOST_TEST(EtcdStore::create(EtcdStoreOptions{}, io.get_executor()).error() == errc::invalid_config);  // no error_text
}

// ---------------------------------------------------------------------------------------------
// The gateway messages

BOOST_AUTO_TEST_CASE(the_parsers_read_real_answers_exactly) {
    std::string context;
    auto range = etcd::parse_range(
        json::parse(R"({"header":{"revision":"7"},"kvs":[{"key":"YQ==","value":"MQ==","mod_revision":"5"}],"more":true})"),
        &context);
    BOOST_REQUIRE_MESSAGE(range, context);
    BOOST_TEST(range->revision == 7);
    BOOST_TEST(range->more);
    BOOST_REQUIRE(range->kvs.size() == 1u);
    BOOST_TEST(range->kvs[0].key == "a");
    BOOST_TEST(range->kvs[0].value == "1");
    BOOST_TEST(range->kvs[0].mod_revision == 5);

    // As etcd 3.4 writes it: every header field, counts, empty values and false flags left out.
    range = etcd::parse_range(json::parse(
        R"({"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"12","raft_term":"2"},)"
        R"("kvs":[{"key":"L3Avaw==","create_revision":"3","mod_revision":"11","version":"4"},)"
        R"({"key":"L3Avbg==","create_revision":"12","mod_revision":"12","version":"1","value":"eA=="}],"count":"2"})"));
    BOOST_REQUIRE(range);
    BOOST_TEST(range->revision == 12);
    BOOST_TEST(!range->more);
    BOOST_REQUIRE(range->kvs.size() == 2u);
    BOOST_TEST(range->kvs[0].key == "/p/k");
    BOOST_TEST(range->kvs[0].value == "");
    BOOST_TEST(range->kvs[0].mod_revision == 11);
    BOOST_TEST(range->kvs[1].key == "/p/n");
    BOOST_TEST(range->kvs[1].value == "x");
    range = etcd::parse_range(json::parse(R"({"header":{"revision":"1"}})"));
    BOOST_REQUIRE(range);
    BOOST_TEST(range->kvs.empty());
    range = etcd::parse_range(json::parse(R"({"header":{"revision":9223372036854775807}})"));  // a JSON number too
    BOOST_REQUIRE(range);
    BOOST_TEST(range->revision == std::numeric_limits<std::int64_t>::max());

    auto txn = etcd::parse_txn(json::parse(
        R"({"header":{"revision":"9","raft_term":"2"},"succeeded":true,"responses":[{"response_put":{"header":{"revision":"9"}}},)"
        R"({"response_delete_range":{"header":{"revision":"9"},"deleted":"1"}}]})"));
    BOOST_REQUIRE(txn);
    BOOST_TEST(txn->revision == 9);
    BOOST_TEST(txn->succeeded);
    BOOST_TEST(txn->ranges.empty());
    txn = etcd::parse_txn(json::parse(
        R"({"header":{"revision":"8"},"responses":[{"response_range":{"header":{"revision":"8"},"kvs":[{"key":"YQ==","mod_revision":"3"}],"count":"1"}}]})"));
    BOOST_REQUIRE(txn);
    BOOST_TEST(!txn->succeeded);  // a failed compare: "succeeded" left out
    BOOST_REQUIRE(txn->ranges.size() == 1u);
    BOOST_TEST(txn->ranges[0].revision == 8);
    BOOST_REQUIRE(txn->ranges[0].kvs.size() == 1u);
    BOOST_TEST(txn->ranges[0].kvs[0].key == "a");
    BOOST_TEST(txn->ranges[0].kvs[0].mod_revision == 3);

    auto watch = etcd::parse_watch(json::parse(R"({"result":{"header":{"revision":"5","raft_term":"2"},"created":true}})"));
    BOOST_REQUIRE(watch);
    BOOST_TEST(watch->created);
    BOOST_TEST(watch->events == 0u);
    BOOST_TEST(watch->revision == 5);
    watch = etcd::parse_watch(json::parse(
        R"({"result":{"header":{"revision":"6"},"events":[{"kv":{"key":"YQ==","create_revision":"6","mod_revision":"6","version":"1","value":"MQ=="}},)"
        R"({"type":"DELETE","kv":{"key":"Yg==","mod_revision":"6"}}]}})"));
    BOOST_REQUIRE(watch);
    BOOST_TEST(watch->events == 2u);
    BOOST_TEST(!watch->created);
    BOOST_TEST(watch->compact_revision == 0);
    watch = etcd::parse_watch(json::parse(
        R"({"result":{"header":{"revision":"10"},"canceled":true,"compact_revision":"8",)"
        R"("cancel_reason":"mvcc: required revision has been compacted"}})"));
    BOOST_REQUIRE(watch);
    BOOST_TEST(watch->compact_revision == 8);
    BOOST_TEST(watch->canceled);
    BOOST_TEST(watch->cancel_reason == "mvcc: required revision has been compacted");
    BOOST_TEST(watch->events == 0u);
    // Byte for byte what etcd 3.4.23 streams for a watch whose start revision was compacted: its
    // header carries no revision (etcd fills it from the compaction notice, whose revision is 0).
    context.clear();
    watch = etcd::parse_watch(
        json::parse(R"({"result":{"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742",)"
                    R"("raft_term":"2"},"canceled":true,"compact_revision":"5"}})"),
        &context);
    BOOST_TEST(watch.has_value(), "the compaction notice is refused: " << context);
    if (watch) {
        BOOST_TEST(watch->compact_revision == 5);
        BOOST_TEST(watch->canceled);
    }

    auto error = etcd::parse_error(json::parse(R"({"error":"etcdserver: no leader","code":14,"message":"etcdserver: no leader"})"));
    BOOST_REQUIRE(error);
    BOOST_TEST(error->code == 14);
    BOOST_TEST(error->message == "etcdserver: no leader");
    error = etcd::parse_error(json::parse(
        R"({"error":{"grpc_code":16,"http_code":401,"message":"etcdserver: invalid auth token","http_status":"Unauthorized"}})"));
    BOOST_REQUIRE(error);
    BOOST_TEST(error->code == 16);
    BOOST_TEST(error->message == "etcdserver: invalid auth token");
    error = etcd::parse_error(json::parse(R"({"error":"something broke"})"));
    BOOST_REQUIRE(error);
    BOOST_TEST(error->code == etcd::GrpcCode::unavailable);  // no code: never a success
    BOOST_TEST(error->message == "something broke");
    BOOST_TEST(!etcd::parse_error(json::parse(R"({"header":{"revision":"7"}})")));
    BOOST_TEST(!etcd::parse_error(json::parse(R"([1,2])")));
    BOOST_TEST(etcd::parse_header_revision(json::parse(R"({"header":{"revision":"44"}})")).value() == 44);
}

BOOST_AUTO_TEST_CASE(the_parsers_read_answers_of_the_running_etcd) {
    // A put and a range sent to etcd by hand, the answers parsed as the store would.
    const std::string key = store->options().prefix + "hand";
    json::object put_req{{"key", base64_encode(key)}, {"value", base64_encode(std::string("v\0w", 3))}};
    const auto put_answer = shared_etcd().post(0, "/v3/kv/put", json::serialize(put_req), 10s);
    BOOST_REQUIRE(put_answer);
    BOOST_REQUIRE(put_answer->status == 200u);
    const auto put_rev = etcd::parse_header_revision(json::parse(put_answer->body));
    BOOST_REQUIRE(put_rev);

    etcd::RangeRequest request;
    request.key = key;
    const auto answer = shared_etcd().post(0, "/v3/kv/range", etcd::encode(request), 10s);
    BOOST_REQUIRE(answer);
    BOOST_REQUIRE(answer->status == 200u);
    std::string context;
    const auto range = etcd::parse_range(json::parse(answer->body), &context);
    BOOST_REQUIRE_MESSAGE(range, context);
    BOOST_TEST(range->revision == *put_rev);
    BOOST_REQUIRE(range->kvs.size() == 1u);
    BOOST_TEST(range->kvs[0].key == key);
    BOOST_TEST(range->kvs[0].value == std::string("v\0w", 3));
    BOOST_TEST(range->kvs[0].mod_revision == *put_rev);
    BOOST_TEST(get("hand") == std::optional<std::string>(std::string("v\0w", 3)));

    // A range at a revision not reached yet is an error answer.
    request.revision = *put_rev + 1000;
    const auto future = shared_etcd().post(0, "/v3/kv/range", etcd::encode(request), 10s);
    BOOST_REQUIRE(future);
    BOOST_TEST(future->status != 200u);
    const auto error = etcd::parse_error(json::parse(future->body));
    BOOST_REQUIRE(error);
    BOOST_TEST(error->code == etcd::GrpcCode::out_of_range);
    BOOST_TEST(contains(error->message, "required revision is a future revision"), error->message);
}

BOOST_AUTO_TEST_CASE(the_parsers_reject_malformed_answers_with_store_unavailable_and_say_why) {
    struct Case {
        int parser;  // 0 range, 1 txn, 2 watch
        const char* text;
        const char* why;
    };
    const Case cases[] = {
        {0, R"([])", "answer is not an object"},
        {0, R"("text")", "answer is not an object"},
        {0, R"(null)", "answer is not an object"},
        {0, R"({})", "no header"},
        {0, R"({"kvs":[]})", "no header"},
        {0, R"({"header":"7"})", "header is not an object"},
        {0, R"({"header":{}})", "header revision 0"},
        {0, R"({"header":{"revision":"0"}})", "header revision 0"},
        {0, R"({"header":{"revision":"-3"}})", "header revision -3"},
        {0, R"({"header":{"revision":"x"}})", "revision is not a number"},
        {0, R"({"header":{"revision":""}})", "revision is not a number"},
        {0, R"({"header":{"revision":"7 "}})", "revision is not a number"},
        {0, R"({"header":{"revision":"9223372036854775808"}})", "revision is not a number"},
        {0, R"({"header":{"revision":18446744073709551615}})", "revision is not a number"},
        {0, R"({"header":{"revision":7.5}})", "revision is not a number"},
        {0, R"({"header":{"revision":true}})", "revision is not a number"},
        {0, R"({"header":{"revision":"7"},"kvs":{}})", "kvs is not an array"},
        {0, R"({"header":{"revision":"7"},"kvs":"YQ=="})", "kvs is not an array"},
        {0, R"({"header":{"revision":"7"},"kvs":[5]})", "kv is not an object"},
        {0, R"({"header":{"revision":"7"},"kvs":[{"key":"!!!!"}]})", "key is not base64"},
        {0, R"({"header":{"revision":"7"},"kvs":[{"key":"YQ"}]})", "key is not base64"},
        {0, R"({"header":{"revision":"7"},"kvs":[{"key":7}]})", "key is not a string"},
        {0, R"({"header":{"revision":"7"},"kvs":[{"key":"YQ==","value":"M"}]})", "value is not base64"},
        {0, R"({"header":{"revision":"7"},"kvs":[{"value":"MQ=="}]})", "kv without a key"},
        {0, R"({"header":{"revision":"7"},"kvs":[{"key":""}]})", "kv without a key"},
        {0, R"({"header":{"revision":"7"},"kvs":[{"key":"YQ==","mod_revision":1.5}]})", "mod_revision is not a number"},
        {0, R"({"header":{"revision":"7"},"kvs":[{"key":"YQ==","mod_revision":"five"}]})", "mod_revision is not a number"},
        {0, R"({"header":{"revision":"7"},"more":"true"})", "more is not a boolean"},
        {1, R"({"succeeded":true})", "no header"},
        {1, R"({"header":{"revision":"9"},"succeeded":"yes"})", "succeeded is not a boolean"},
        {1, R"({"header":{"revision":"9"},"responses":{}})", "responses is not an array"},
        {1, R"({"header":{"revision":"9"},"responses":[7]})", "response is not an object"},
        {1, R"({"header":{"revision":"9"},"responses":[{"response_range":[]}]})", "response_range is not an object"},
        {1, R"({"header":{"revision":"9"},"responses":[{"response_range":{"kvs":[{"key":"%%%%"}]}}]})", "key is not base64"},
        {2, R"({"header":{"revision":"5"}})", "watch answer without a result"},
        {2, R"({"result":[]})", "result is not an object"},
        {2, R"({"result":{"header":5}})", "header is not an object"},
        {2, R"({"result":{"header":{"revision":"x"}}})", "revision is not a number"},
        {2, R"({"result":{"header":{"revision":"5"},"events":{}}})", "events is not an array"},
        {2, R"({"result":{"header":{"revision":"5"},"compact_revision":"z"}})", "compact_revision is not a number"},
        {2, R"({"result":{"header":{"revision":"5"},"canceled":1}})", "canceled is not a boolean"},
    };
    for (const auto& c : cases) {
        const json::value v = json::parse(c.text);
        std::string context;
        boost::system::error_code ec;
        if (c.parser == 0) ec = etcd::parse_range(v, &context).error();
        if (c.parser == 1) ec = etcd::parse_txn(v, &context).error();
        if (c.parser == 2) ec = etcd::parse_watch(v, &context).error();
        BOOST_TEST(ec == errc::store_unavailable, c.text);
        BOOST_TEST(context == std::string("etcd: malformed answer: ") + c.why, c.text << " -> " << context);
    }
}

namespace {

const char* const kFieldNames[] = {"header", "revision", "kvs", "key", "value", "mod_revision", "more",
                                   "succeeded", "responses", "response_range", "response_put", "result",
                                   "events", "created", "canceled", "compact_revision", "cancel_reason",
                                   "error", "code", "message", "grpc_code", "count", "kv", "x"};

json::value random_string(std::mt19937_64& rng) {
    switch (rng() % 8) {
        case 0: return json::string();
        case 1: return json::string(std::to_string(static_cast<std::int64_t>(rng())));
        case 2: return json::string(std::to_string(rng() % 20));
        case 3: return json::string("99999999999999999999999");
        case 4: {  // valid base64 of random bytes
            std::string bytes(rng() % 9, '\0');
            for (auto& b : bytes) b = static_cast<char>(rng());
            return json::string(base64_encode(bytes));
        }
        case 5: {  // random printable junk
            std::string s(rng() % 9, ' ');
            for (auto& ch : s) ch = static_cast<char>(' ' + rng() % 95);
            return json::string(s);
        }
        case 6: return json::string(" 7");
        default: return json::string(kFieldNames[rng() % std::size(kFieldNames)]);
    }
}

json::value random_value(std::mt19937_64& rng, int depth) {
    const int kind = static_cast<int>(rng() % (depth > 0 ? 12 : 9));
    switch (kind) {
        case 0: return nullptr;
        case 1: return rng() % 2 == 0;
        case 2: return static_cast<std::int64_t>(rng());
        case 3: return static_cast<std::int64_t>(rng() % 16);
        case 4: return static_cast<std::uint64_t>(rng() | (1ull << 63));
        case 5: return std::ldexp(static_cast<double>(rng() % 1000), static_cast<int>(rng() % 40) - 20);
        case 6:
        case 7:
        case 8: return random_string(rng);
        case 9: {
            json::array a;
            for (std::size_t i = rng() % 4; i > 0; --i) a.push_back(random_value(rng, depth - 1));
            return a;
        }
        default: {
            json::object o;
            for (std::size_t i = rng() % 4; i > 0; --i)
                o[kFieldNames[rng() % std::size(kFieldNames)]] = random_value(rng, depth - 1);
            return o;
        }
    }
}

// One random change somewhere inside v: a member removed, replaced, added; an element removed,
// replaced, added; or a leaf replaced.
void mutate(json::value& v, std::mt19937_64& rng, int depth) {
    if (v.is_object() && !v.get_object().empty() && rng() % 3 != 0) {
        auto& o = v.get_object();
        auto it = o.begin() + static_cast<std::ptrdiff_t>(rng() % o.size());
        switch (rng() % 4) {
            case 0: o.erase(it); return;
            case 1: it->value() = random_value(rng, 2); return;
            case 2: o[kFieldNames[rng() % std::size(kFieldNames)]] = random_value(rng, 2); return;
            default: mutate(it->value(), rng, depth + 1); return;
        }
    }
    if (v.is_array() && !v.get_array().empty() && rng() % 3 != 0) {
        auto& a = v.get_array();
        const std::size_t i = rng() % a.size();
        switch (rng() % 4) {
            case 0: a.erase(a.begin() + static_cast<std::ptrdiff_t>(i)); return;
            case 1: a[i] = random_value(rng, 2); return;
            case 2: a.push_back(random_value(rng, 2)); return;
            default: mutate(a[i], rng, depth + 1); return;
        }
    }
    v = random_value(rng, 2);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_parsers_survive_ten_thousand_malformed_answers) {
    const char* const seeds[] = {
        R"({"header":{"cluster_id":"1","member_id":"2","revision":"12","raft_term":"2"},"kvs":[{"key":"YQ==","create_revision":"3","mod_revision":"11","version":"4","value":"MQ=="},{"key":"Yg==","mod_revision":"12"}],"more":true,"count":"2"})",
        R"({"header":{"revision":"9"},"succeeded":true,"responses":[{"response_put":{"header":{"revision":"9"}}},{"response_range":{"header":{"revision":"9"},"kvs":[{"key":"YQ==","mod_revision":"3"}]}}]})",
        R"({"result":{"header":{"revision":"6"},"created":true,"events":[{"kv":{"key":"YQ==","mod_revision":"6","value":"MQ=="}}]}})",
        R"({"result":{"header":{"revision":"10"},"canceled":true,"compact_revision":"8","cancel_reason":"compacted"}})",
        R"({"error":"etcdserver: no leader","code":14,"message":"etcdserver: no leader"})",
        R"({"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader"}})",
    };
    std::vector<json::value> bases;
    for (const char* s : seeds) bases.push_back(json::parse(s));

    std::mt19937_64 rng(20240611);
    std::size_t values = 0, errors = 0, error_answers = 0, text_mutants = 0;
    std::vector<std::string> problems;
    auto check = [&](const json::value& v) {
        try {
            std::string contexts[4];
            auto range = etcd::parse_range(v, &contexts[0]);
            auto txn = etcd::parse_txn(v, &contexts[1]);
            auto watch = etcd::parse_watch(v, &contexts[2]);
            auto revision = etcd::parse_header_revision(v, &contexts[3]);
            const auto error = etcd::parse_error(v);
            int which = 0;
            auto tally = [&](bool ok, const boost::system::error_code& ec) {
                const std::string& context = contexts[which++];
                if (ok) {
                    ++values;
                } else if (ec == errc::store_unavailable && context.rfind("etcd: malformed answer: ", 0) == 0) {
                    ++errors;
                } else {
                    problems.push_back("code " + ec.message() + " for " + json::serialize(v));
                }
            };
            tally(range.has_value(), range ? boost::system::error_code() : range.error());
            tally(txn.has_value(), txn ? boost::system::error_code() : txn.error());
            tally(watch.has_value(), watch ? boost::system::error_code() : watch.error());
            tally(revision.has_value(), revision ? boost::system::error_code() : revision.error());
            if (range) {
                if (range->revision <= 0) problems.push_back("range revision <= 0 for " + json::serialize(v));
                for (const auto& kv : range->kvs)
                    if (kv.key.empty()) problems.push_back("empty key for " + json::serialize(v));
            }
            if (txn && txn->revision <= 0) problems.push_back("txn revision <= 0 for " + json::serialize(v));
            // (A watch message may lack a header revision: etcd leaves it out of a cancel.)
            if (error) {
                ++error_answers;
                if (error->code == 0) problems.push_back("error answer with code 0 for " + json::serialize(v));
            }
        } catch (const std::exception& e) {
            problems.push_back(std::string("threw ") + e.what() + " for " + json::serialize(v));
        } catch (...) {
            problems.push_back("threw a non-exception for " + json::serialize(v));
        }
    };

    for (int i = 0; i < 10000; ++i) {
        json::value v;
        if (i % 10 == 0) {
            v = random_value(rng, 4);  // anything at all
        } else {
            v = bases[rng() % bases.size()];
            for (std::size_t n = 1 + rng() % 4; n > 0; --n) mutate(v, rng, 0);
        }
        check(v);
        if (i % 4 == 0) {
            // The same answer as text with a byte flipped: whatever still parses as JSON is fed too.
            std::string text = json::serialize(v);
            if (!text.empty()) text[rng() % text.size()] = static_cast<char>(rng());
            boost::system::error_code ec;
            const json::value w = json::parse(text, ec);
            if (!ec) {
                ++text_mutants;
                check(w);
            }
        }
    }
    BOOST_TEST_MESSAGE(values << " parses, " << errors << " store_unavailable, " << error_answers
                              << " error answers, " << text_mutants << " text mutants");
    BOOST_TEST(problems.empty(), problems.size() << " problems; first: " << (problems.empty() ? "" : problems.front()));
    BOOST_TEST(values > 1000u);  // both outcomes were exercised
    BOOST_TEST(errors > 10000u);
}

BOOST_AUTO_TEST_SUITE_END()

// Compaction (issue 13): store.compact_every_revisions, and the catalog's reads surviving a
// compaction of the revision they read at.
BOOST_FIXTURE_TEST_SUITE(etcd_retention, EtcdStoreFixture)

// A catalog with the delta log on store and a polling watcher whose engine holds its version 1.
struct WatchedCatalog {
    CatalogStore catalog;
    std::shared_ptr<Engine> engine = std::make_shared<Engine>();
    CatalogWatcher watcher;

    WatchedCatalog(EtcdStoreFixture& f, std::shared_ptr<MvccStore> store)
        : catalog(std::move(store), delta_logged()), watcher(catalog, engine, polling()) {
        f.run(catalog.save(0, {rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)}));
        BOOST_TEST(f.run(watcher.sync_once()));
    }
};

BOOST_AUTO_TEST_CASE(every_nth_commit_compacts_to_its_revision_minus_retain_revisions) {
    auto options = etcd_options(shared_etcd().client_urls());
    options.compact_every_revisions = 4;
    options.retain_revisions = 2;
    auto s = make(options);
    std::vector<std::uint64_t> revs;
    for (int i = 1; i <= 3; ++i) revs.push_back(put(*s, "k", std::to_string(i)));
    BOOST_TEST(s->compactions() == 0u);
    BOOST_TEST(get(*s, "k", revs[0]) == std::optional<std::string>("1"));
    revs.push_back(put(*s, "k", "4"));  // the 4th commit compacts to its revision - 2
    BOOST_TEST(s->compactions() == 1u);
    BOOST_TEST(error_of([&] { get(*s, "k", revs[3] - 3); }) == errc::read_ts_compacted);
    BOOST_TEST(get(*s, "k", revs[3] - 2) == std::optional<std::string>("2"));
    for (int i = 5; i <= 7; ++i) revs.push_back(put(*s, "k", std::to_string(i)));
    BOOST_TEST(s->compactions() == 1u);
    revs.push_back(put(*s, "k", "8"));
    BOOST_TEST(s->compactions() == 2u);
    BOOST_TEST(error_of([&] { run(s->scan_at("", std::nullopt, 10, revs[7] - 3)); }) == errc::read_ts_compacted);
    BOOST_TEST(get(*s, "k", revs[7] - 2) == std::optional<std::string>("6"));
    // The default never compacts.
    for (int i = 0; i < 4; ++i) put("k", "v");
    BOOST_TEST(store->compactions() == 0u);
}

BOOST_AUTO_TEST_CASE(catalog_saves_splits_and_the_watcher_work_when_every_commit_compacts) {
    auto options = etcd_options(shared_etcd().client_urls());
    options.compact_every_revisions = 1;  // and retain 0: each commit compacts to its own revision
    auto s = make(options);
    WatchedCatalog w(*this, s);
    auto& [catalog, engine, watcher] = w;
    for (std::uint64_t v = 1; v <= 3; ++v) run(catalog.save(v, {rd(1, "", "m", v + 10), rd(2, "m", std::nullopt, 2)}));
    const SplitResult split = run(catalog.split(4, 2, "t"));
    BOOST_TEST(split.version == 5u);
    BOOST_TEST(s->compactions() == 5u);
    BOOST_TEST(run(watcher.sync_once()));
    BOOST_TEST(engine->version() == 5u);
    BOOST_TEST(engine->get_route("a")->group_id == 13u);
    BOOST_TEST(engine->get_route("u")->route_id == split.right.route_id);
}

BOOST_AUTO_TEST_CASE(a_read_whose_revision_is_compacted_meanwhile_is_read_again_from_current) {
    auto hooked = std::make_shared<HookedStore>(store);
    WatchedCatalog w(*this, hooked);
    auto& [catalog, engine, watcher] = w;
    run(catalog.save(1, {rd(1, "", "m", 7), rd(2, "m", std::nullopt, 2)}));
    // Before the next `compactions` scans: one more commit, then etcd compacted to it.
    int compactions = 0;
    auto other = other_prefix();
    hooked->before_scan_at([&](MvccStore&) -> asio::awaitable<void> {
        if (compactions == 0) co_return;
        --compactions;
        const std::uint64_t start = co_await other->last_commit_ts();
        std::vector<Mutation> m;
        m.push_back(Mutation::put("x", "1"));
        const std::uint64_t rev = co_await other->apply(std::move(m), start, 0);
        const auto r = shared_etcd().post(0, "/v3/kv/compaction", R"({"revision":")" + std::to_string(rev) + R"("})", 10s);
        BOOST_TEST((r && r->status == 200));
    });
    compactions = 3;  // every try of the delta read: the watcher takes a snapshot at the current revision
    const int scans = hooked->scan_calls();
    BOOST_TEST(run(watcher.sync_once()));
    BOOST_TEST(hooked->scan_calls() - scans == 4);
    BOOST_TEST(engine->version() == 2u);
    BOOST_TEST(engine->get_route("a")->group_id == 7u);
    compactions = 1;  // a snapshot and a save: read again once
    BOOST_TEST(run(catalog.snapshot()).version == 2u);
    compactions = 1;
    BOOST_TEST(run(catalog.save(2, {rd(1, "", std::nullopt, 9)})).version == 3u);
    BOOST_TEST(compactions == 0);
}

BOOST_AUTO_TEST_SUITE_END()
