// The engine's chunked table against sorted-vector models, at sizes that span many chunks: random
// catalog deltas (splits, merges, moves, runs of deletes and splits that empty and overfill chunks,
// refused overlaps), snapshots, access splits and update_route, each step compared whole, with the
// history ring checked after each; and concurrent readers that must only ever see whole tables.

#include "support/builders.hpp"
#include "support/printers.hpp"

#include "routecat/catalog_delta.hpp"
#include "routecat/detail/engine_test_hooks.hpp"
#include "routecat/engine.hpp"
#include "routecat/error.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace routecat {
using std::nullopt;
namespace {

constexpr std::uint64_t kKeySpace = 1'000'000'000;

// The sanitizer build (unoptimised, every access checked) runs a tenth of the random steps: enough
// to catch a bad access, while the release build runs them all.
#ifdef __SANITIZE_ADDRESS__
constexpr int kScale = 10;
#else
constexpr int kScale = 1;
#endif

// Nine digits: numeric order is key order (and the string stays in its small buffer).
std::string key_at(std::uint64_t n) {
    std::string key(9, '0');
    for (std::size_t i = 9; i-- > 0; n /= 10) key[i] = static_cast<char>('0' + n % 10);
    return key;
}

// A catalog as a map from start number to route (start 0 is the key ""; no end = +inf).
struct ModelRoute {
    std::uint64_t id = 0;
    std::uint64_t end = kKeySpace;  // kKeySpace = unbounded
    std::uint64_t group = 0;
};
using Model = std::map<std::uint64_t, ModelRoute>;

RouteDescriptor descriptor(std::uint64_t start, const ModelRoute& r) {
    RouteDescriptor d;
    d.route_id = r.id;
    d.start = start == 0 ? std::string() : key_at(start);
    if (r.end != kKeySpace) d.end = key_at(r.end);
    d.group_id = r.group;
    return d;
}

std::vector<Route> routes_of(const Model& m) {
    std::vector<Route> out;
    for (const auto& [start, r] : m) {
        const RouteDescriptor d = descriptor(start, r);
        out.push_back(Route{d.route_id, d.start, d.end, d.group_id, RouteState::active, 0});
    }
    return out;
}

std::vector<Route> without_loads(std::vector<Route> routes) {
    for (auto& r : routes) r.load = 0;
    return routes;
}

// Builds random deltas and applies them to a model as it goes, keeping an undo log so a delta the
// engine must refuse can be taken back.
class DeltaMaker {
public:
    explicit DeltaMaker(std::uint32_t seed) : rng_(seed) {}

    std::uint64_t pick(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng_); }

    Model::iterator random_route(Model& m) { return std::next(m.begin(), static_cast<std::ptrdiff_t>(pick(m.size()))); }

    // One random change: applied to m (valid ones) and added to out; false for a change the
    // engine must refuse (an overlap or an equal start), which leaves m as it is.
    bool change(Model& m, std::vector<CatalogRouteMutation>& out, std::uint64_t& next_id) {
        const std::uint64_t kind = pick(100);
        auto upsert = [&](std::uint64_t start) { out.push_back(test::upsert_of(descriptor(start, m.at(start)))); };
        auto remove = [&](Model::iterator it) {
            touch(m, it->first);
            out.push_back(test::delete_of(it->second.id));
            return m.erase(it);
        };
        auto split_at = [&](std::uint64_t start, std::uint64_t key) {
            touch(m, start);
            touch(m, key);
            ModelRoute& parent = m.at(start);
            m[key] = ModelRoute{next_id++, parent.end, parent.group};
            m.at(start).end = key;
            upsert(start);
            upsert(key);
        };
        if (kind < 30) {  // split one route
            auto it = random_route(m);
            const std::uint64_t start = it->first, end = it->second.end;
            if (end - start >= 2) split_at(start, start + 1 + pick(end - start - 1));
        } else if (kind < 45) {  // merge with the next route when they touch
            auto it = random_route(m);
            auto after = std::next(it);
            if (after == m.end() || after->first != it->second.end) return true;
            const std::uint64_t start = it->first, end = after->second.end;
            remove(after);
            touch(m, start);
            m.at(start).end = end;
            upsert(start);
        } else if (kind < 55) {  // regroup
            auto it = random_route(m);
            touch(m, it->first);
            it->second.group = 1 + pick(50);
            upsert(it->first);
        } else if (kind < 65) {  // delete one (leaves a gap)
            if (m.size() > 1) remove(random_route(m));
        } else if (kind < 75) {  // fill a gap with a new route
            auto it = random_route(m);
            auto after = std::next(it);
            const std::uint64_t gap_end = after == m.end() ? kKeySpace : after->first;
            if (it->second.end == kKeySpace || it->second.end >= gap_end) return true;
            const std::uint64_t start = it->second.end;
            touch(m, start);
            m[start] = ModelRoute{next_id++, gap_end, 1 + pick(50)};
            upsert(start);
        } else if (kind < 80) {  // move a route: same id, a new start inside the gap before it
            auto it = random_route(m);
            if (it == m.begin()) return true;
            auto before = std::prev(it);
            if (before->second.end >= it->first) return true;
            const ModelRoute moved = it->second;
            const std::uint64_t start = before->second.end;
            touch(m, it->first);
            touch(m, start);
            m.erase(it);
            m[start] = moved;
            upsert(start);
        } else if (kind < 90 && m.size() > 1000) {  // delete a run of routes: chunks empty and join
            auto it = random_route(m);
            for (std::uint64_t n = 30 + pick(300); n > 0 && it != m.end() && m.size() > 1; --n) it = remove(it);
        } else if (kind < 90) {  // split every route of a run: chunks overfill and are cut
            auto it = random_route(m);
            std::vector<std::uint64_t> starts;
            for (std::uint64_t n = 30 + pick(200); n > 0 && it != m.end(); --n, ++it) starts.push_back(it->first);
            for (const std::uint64_t start : starts) {
                const std::uint64_t end = m.at(start).end;
                if (end - start >= 2) split_at(start, start + (end - start) / 2);
            }
        } else if (kind < 95) {  // widen a route over its successor's start: an overlap
            auto it = random_route(m);
            auto after = std::next(it);
            if (after == m.end() || after->first + 1 >= after->second.end) return true;
            ModelRoute widened = it->second;
            widened.end = after->first + 1;
            out.push_back(test::upsert_of(descriptor(it->first, widened)));
            return false;
        } else {  // a new route starting where one starts: refused by the order check
            auto it = random_route(m);
            ModelRoute twin = it->second;
            twin.id = next_id++;
            out.push_back(test::upsert_of(descriptor(it->first, twin)));
            return false;
        }
        return true;
    }

    // Takes back every change since the last forget().
    void undo(Model& m) {
        for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
            if (it->second) m[it->first] = *it->second;
            else m.erase(it->first);
        }
        undo_.clear();
    }
    void forget() { undo_.clear(); }

private:
    // Remembers the route at start (or its absence) before a change.
    void touch(const Model& m, std::uint64_t start) {
        const auto it = m.find(start);
        undo_.emplace_back(start, it == m.end() ? std::nullopt : std::optional<ModelRoute>(it->second));
    }

    std::mt19937 rng_;
    std::vector<std::pair<std::uint64_t, std::optional<ModelRoute>>> undo_;
};

// A digest of a table's routes (ids, keys, groups, states; not loads), and of a model's: FNV-1a
// over each field, cheap enough to compare whole tables after every step.
struct Digest {
    std::uint64_t h = 14695981039346656037ull;

    void bytes(std::string_view b) {
        for (const char c : b) h = (h ^ static_cast<std::uint8_t>(c)) * 1099511628211ull;
        h = (h ^ 0xFF) * 1099511628211ull;  // a terminator, so "ab","c" differs from "a","bc"
    }
    void number(std::uint64_t n) { h = (h ^ n) * 1099511628211ull; }
    void route(std::uint64_t id, std::string_view start, std::optional<std::string_view> end, std::uint64_t group,
               RouteState state) {
        number(id);
        bytes(start);
        number(end ? 1 : 0);
        if (end) bytes(*end);
        number(group);
        number(static_cast<std::uint64_t>(state));
    }
};

std::uint64_t digest_of(const std::vector<Route>& routes) {
    Digest d;
    for (const auto& r : routes) {
        std::optional<std::string_view> end;
        if (r.end) end = *r.end;
        d.route(r.route_id, r.start, end, r.group_id, r.state);
    }
    return d.h;
}

std::uint64_t digest_of(const RouteTable& t) {
    Digest d;
    t.for_each_from(0, [&](const RouteTable::Ref& r) {
        d.route(r.route_id(), r.start(), r.end(), r.group_id(), r.state());
        return true;
    });
    return d.h;
}

std::uint64_t digest_of(const Model& m) {
    Digest d;
    for (const auto& [start, r] : m) {
        const std::string end = key_at(r.end);
        d.route(r.id, start == 0 ? std::string() : key_at(start),
                r.end == kKeySpace ? std::nullopt : std::optional<std::string_view>(end), r.group, RouteState::active);
    }
    return d.h;
}

Model initial_model(std::size_t n, std::uint64_t& next_id) {
    Model m;
    const std::uint64_t width = kKeySpace / n;
    for (std::size_t i = 0; i < n; ++i) m[i * width] = ModelRoute{next_id++, i + 1 == n ? kKeySpace : (i + 1) * width, 1 + i % 7};
    return m;
}

// Chunks of 64 routes (their target at the sizes here) instead of 1024, so a thousand routes span
// many chunks.
struct SmallChunks {
    SmallChunks() : previous(detail::set_min_chunk_target_for_test(64)) {}
    ~SmallChunks() { detail::set_min_chunk_target_for_test(previous); }
    std::size_t previous;
};

// Every chunk holds 16 to 128 routes (fewer only when it is the one chunk), and they add up.
void check_chunks(const RouteTable& t, std::size_t& chunk_count_changes, std::size_t& last_count) {
    const std::vector<std::size_t> sizes = detail::chunk_sizes_for_test(t);
    std::size_t total = 0;
    for (std::size_t s : sizes) {
        BOOST_TEST_REQUIRE(s <= 128u);
        if (sizes.size() > 1) BOOST_TEST_REQUIRE(s >= 16u);
        total += s;
    }
    BOOST_TEST_REQUIRE(total == t.size());
    chunk_count_changes += sizes.size() != last_count;
    last_count = sizes.size();
}

CatalogSnapshot snapshot_of(const Model& m, std::uint64_t version) {
    CatalogSnapshot s;
    s.version = version;
    for (const auto& [start, r] : m) s.routes.push_back(descriptor(start, r));
    return s;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(engine_chunks, SmallChunks)

BOOST_AUTO_TEST_CASE(random_deltas_match_a_sorted_model_with_history) {
    std::uint64_t next_id = 1;
    Model model = initial_model(1000, next_id);
    Engine e;
    BOOST_TEST_REQUIRE(!e.apply_snapshot(snapshot_of(model, 1)));
    std::deque<std::pair<std::uint64_t, std::uint64_t>> recent;  // (version, digest) the ring should hold
    recent.emplace_back(1, digest_of(model));
    DeltaMaker maker(20261129);
    std::size_t refused = 0, applied = 0, chunk_count_changes = 0, chunk_count = 0;

    const int steps = 10'000 / kScale;
    for (int step = 0; step < steps; ++step) {
        const std::uint64_t version = e.version();
        if (maker.pick(500) == 0) {  // now and then a whole snapshot, as a watcher's reset
            BOOST_TEST_REQUIRE(!e.apply_snapshot(snapshot_of(model, version + 1)));
        } else {
            std::vector<CatalogRouteMutation> mutations;
            bool valid = true;
            for (std::uint64_t n = 1 + maker.pick(3); n > 0 && valid; --n) valid = maker.change(model, mutations, next_id);
            // One mutation per id in a delta (§11.2): changes that touched an id twice become an
            // empty delta, which still moves the version.
            std::vector<std::uint64_t> ids;
            for (const auto& m : mutations) ids.push_back(m.route_id);
            std::sort(ids.begin(), ids.end());
            if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) {
                maker.undo(model);
                mutations.clear();
                valid = true;
            }
            const auto ec = e.apply_delta(test::delta_of(version, version + 1, mutations));
            if (!valid) {
                BOOST_TEST_REQUIRE((ec == errc::engine_snapshot_route_overlap || ec == errc::engine_snapshot_route_order),
                                   "step " << step << ": " << ec.message());
                BOOST_TEST_REQUIRE(e.version() == version);
                maker.undo(model);
                ++refused;
                continue;
            }
            BOOST_TEST_REQUIRE(!ec, "step " << step << ": " << ec.message());
            maker.forget();
            ++applied;
        }
        BOOST_TEST_REQUIRE(e.version() == version + 1);
        const std::uint64_t expected = digest_of(model);
        BOOST_TEST_REQUIRE(e.table()->size() == model.size(), "step " << step);
        BOOST_TEST_REQUIRE(digest_of(*e.table()) == expected, "step " << step);
        check_chunks(*e.table(), chunk_count_changes, chunk_count);
        recent.emplace_back(version + 1, expected);
        if (recent.size() > kDefaultRouteHistoryDepth) recent.pop_front();
        const auto& [old_version, old_digest] = recent[maker.pick(recent.size())];
        const auto old = e.snapshot_at(old_version);
        BOOST_TEST_REQUIRE(old.has_value(), "step " << step << ": version " << old_version);
        BOOST_TEST_REQUIRE(digest_of(old->routes()) == old_digest, "step " << step << ": version " << old_version);
        // Lookups agree with the model at a few random keys.
        for (int k = 0; k < 3; ++k) {
            const std::uint64_t n = maker.pick(kKeySpace);
            auto it = model.upper_bound(n);
            const bool inside = it != model.begin() && n < std::prev(it)->second.end;
            const auto got = e.get_route(key_at(n));
            BOOST_TEST_REQUIRE(got.has_value() == inside, "step " << step << " key " << n);
            if (inside) BOOST_TEST_REQUIRE(got->route_id == std::prev(it)->second.id);
        }
    }
    // The digests stand for whole comparisons: the end state is compared route by route too.
    BOOST_TEST((without_loads(e.stats()) == routes_of(model)));
    BOOST_TEST_MESSAGE(applied << " deltas applied, " << refused << " refused; " << model.size() << " routes in "
                                << chunk_count << " chunks at the end; the chunk count changed " << chunk_count_changes
                                << " times");
    BOOST_TEST(refused > static_cast<std::size_t>(steps / 20));
    BOOST_TEST(applied > static_cast<std::size_t>(steps * 8 / 10));
    BOOST_TEST(chunk_count_changes > static_cast<std::size_t>(steps / 100));  // chunks were cut and joined all along
}

BOOST_AUTO_TEST_CASE(loads_survive_deltas_that_rebuild_their_chunk) {
    std::uint64_t next_id = 1;
    Model model = initial_model(2000, next_id);
    Engine e;
    BOOST_TEST_REQUIRE(!e.apply_snapshot(snapshot_of(model, 1)));
    // Every route gets a load; then a delta regroups one route per chunk's worth and splits another.
    std::vector<std::uint64_t> starts;
    for (const auto& [start, r] : model) starts.push_back(start);
    for (std::size_t i = 0; i < starts.size(); ++i)
        for (std::size_t n = 0; n < 1 + i % 3; ++n) e.record_access(key_at(starts[i]));
    const auto before = e.table();  // readers still on the old table record into the same counters
    std::vector<CatalogRouteMutation> mutations;
    for (std::size_t i = 5; i < starts.size(); i += 300) {
        model.at(starts[i]).group = 99;
        mutations.push_back(test::upsert_of(descriptor(starts[i], model.at(starts[i]))));
    }
    BOOST_TEST_REQUIRE(!e.apply_delta(test::delta_of(1, 2, mutations)));
    before->load(*before->find(key_at(starts[7]))).fetch_add(10);
    const std::vector<Route> stats = e.stats();
    BOOST_TEST_REQUIRE(stats.size() == starts.size());
    for (std::size_t i = 0; i < starts.size(); ++i) {
        const std::uint64_t expected = 1 + i % 3 + (i == 7 ? 10 : 0);
        BOOST_TEST_REQUIRE(stats[i].load == expected, "route " << i);
        BOOST_TEST_REQUIRE(stats[i].group_id == model.at(starts[i]).group);
    }
}

BOOST_AUTO_TEST_CASE(loads_follow_their_routes_through_thousands_of_access_splits) {
    // Each access split gives its children a fresh counter block while every other route of the
    // chunk keeps its own: after thousands, chunks inherit counters from thousands of blocks. Every
    // route's load must still be exactly what was recorded on it since it was created.
    constexpr std::uint64_t kThreshold = 3;
    EngineOptions options;
    options.hotspot_threshold = kThreshold;
    Engine e(options);
    std::uint64_t next_id = 1;
    const Model initial = initial_model(2000, next_id);
    BOOST_TEST_REQUIRE(!e.apply_snapshot(snapshot_of(initial, 1)));
    struct Loaded {
        std::optional<std::string> end;
        std::uint64_t load = 0;
    };
    std::map<std::string, Loaded> model;  // by start
    for (const auto& [start, r] : initial) model[descriptor(start, r).start] = Loaded{descriptor(start, r).end, 0};
    auto check = [&](int step) {
        const std::vector<Route> stats = e.stats();
        BOOST_TEST_REQUIRE(stats.size() == model.size(), "step " << step);
        std::size_t i = 0;
        for (const auto& [start, m] : model) {
            BOOST_TEST_REQUIRE(stats[i].start == start, "step " << step << " route " << i);
            BOOST_TEST_REQUIRE(stats[i].load == m.load, "step " << step << " route " << i);
            ++i;
        }
    };
    std::mt19937_64 rng(17);
    std::size_t splits = 0;
    const int steps = kScale > 1 ? 3000 : 30000;
    for (int step = 0; step < steps; ++step) {
        if (step % 1000 == 0) check(step);
        // Keys near few starts, so the same routes get hot and split again and again.
        const std::uint64_t base = (rng() % 200) * (kKeySpace / 200);
        const std::string key = key_at(base) + std::string(rng() % 4, '\0');
        e.record_access(key);
        auto at = std::prev(model.upper_bound(key));
        if (at->second.end && key >= *at->second.end) continue;  // in no route
        if (++at->second.load < kThreshold) continue;
        const std::string mid = at->first + '\0';  // the default policy's split key
        if (at->second.end && !(mid < *at->second.end)) {
            at->second.load = 0;  // cannot split: the engine resets the counter
            continue;
        }
        model[mid] = Loaded{at->second.end, 0};
        at->second = Loaded{mid, 0};
        ++splits;
    }
    check(steps);
    BOOST_TEST(splits > static_cast<std::size_t>(steps / 50));  // 848 of 30,000 steps here
    BOOST_TEST(detail::load_counter_blocks_for_test(*e.table()) > splits / 2);
}

BOOST_AUTO_TEST_CASE(update_route_and_access_splits_match_a_sorted_model) {
    // Ephemeral routes over many chunks: update_route inserts after equal starts, an access split at
    // threshold 1 replaces the floor route by two children at start + "\0".
    EngineOptions options;
    options.hotspot_threshold = 1;
    Engine e(options);
    std::vector<Route> model;
    std::mt19937 rng(7);
    std::size_t chunk_count_changes = 0, chunk_count = 0;
    auto random_key = [&] { return key_at(std::uniform_int_distribution<std::uint64_t>(0, 999)(rng) * 1'000'000); };
    const int steps = kScale > 1 ? 1000 : 3000;
    for (int step = 0; step < steps; ++step) {
        const std::string key = random_key();
        if (step < steps / 2 || rng() % 2 == 0) {
            const std::string end = key + "~";
            e.update_route(key, end, step);
            auto at = std::upper_bound(model.begin(), model.end(), key, [](const std::string& k, const Route& r) { return k < r.start; });
            model.insert(at, Route{0, key, end, static_cast<std::uint64_t>(step), RouteState::active, 0});
        } else {
            e.record_access(key);
            auto at = std::upper_bound(model.begin(), model.end(), key, [](const std::string& k, const Route& r) { return k < r.start; });
            if (at != model.begin() && (!std::prev(at)->end || key < *std::prev(at)->end)) {
                Route& parent = *std::prev(at);
                std::string mid = parent.start + '\0';
                if (!parent.end || mid < *parent.end) {
                    Route right{0, mid, parent.end, parent.group_id, RouteState::active, 0};
                    parent.end = mid;
                    model.insert(at, right);
                }
            }
        }
        if (step % 50 == 0 || step == steps - 1) {
            BOOST_TEST_REQUIRE((without_loads(e.stats()) == model), "step " << step);
            check_chunks(*e.table(), chunk_count_changes, chunk_count);
        }
    }
    BOOST_TEST(e.table()->ephemeral_routes() == model.size());
}

BOOST_AUTO_TEST_CASE(concurrent_readers_see_whole_tables_only) {
    // Each version splits one route of a partition of the keyspace: a reader must always see a
    // partition (every end the next start, "" first, unbounded last) of initial + version - 1 routes.
    std::uint64_t next_id = 1;
    Model model = initial_model(4000, next_id);
    Engine e;
    BOOST_TEST_REQUIRE(!e.apply_snapshot(snapshot_of(model, 1)));
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> torn{0}, seen{0};
    auto reader = [&] {
        std::mt19937 rng(std::hash<std::thread::id>{}(std::this_thread::get_id()));
        while (!stop) {
            const auto t = e.table();
            bool whole = t->size() == 4000 + t->version() - 1 && t->start(0).empty() && !t->end(t->size() - 1);
            std::optional<std::string_view> prev_end;
            t->for_each_from(0, [&](const RouteTable::Ref& r) {
                if (r.index() > 0 && prev_end != std::optional<std::string_view>(r.start())) whole = false;
                prev_end = r.end();
                return whole;
            });
            for (int k = 0; k < 100 && whole; ++k) whole = t->find(key_at(rng() % kKeySpace)).has_value();
            torn += whole ? 0 : 1;
            ++seen;
        }
    };
    std::thread r1(reader), r2(reader);
    DeltaMaker maker(99);
    for (std::uint64_t v = 1; v < 1500 / kScale; ++v) {
        auto it = maker.random_route(model);
        while (it->second.end - it->first < 2) it = maker.random_route(model);
        const std::uint64_t key = it->first + (it->second.end - it->first) / 2;
        model[key] = ModelRoute{next_id++, it->second.end, it->second.group};
        it->second.end = key;
        BOOST_TEST_REQUIRE(!e.apply_delta(test::delta_of(v, v + 1, {test::upsert_of(descriptor(it->first, it->second)),
                                                                    test::upsert_of(descriptor(key, model.at(key)))})));
    }
    stop = true;
    r1.join();
    r2.join();
    BOOST_TEST(torn.load() == 0u);
    BOOST_TEST(seen.load() > 0u);
    BOOST_TEST((without_loads(e.stats()) == routes_of(model)));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
