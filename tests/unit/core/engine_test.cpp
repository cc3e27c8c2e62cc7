#include "support/builders.hpp"
#include "support/bytes.hpp"

#include <boost/test/unit_test.hpp>

#include "routecat/detail/engine_test_hooks.hpp"
#include "routecat/engine.hpp"
#include "routecat/error.hpp"
#include "routecat/key_text.hpp"
#include "routecat/route.hpp"
#include "routecat/route_history.hpp"
#include "routecat/route_table.hpp"
#include "routecat/split_policy.hpp"
#include "support/printers.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <latch>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

// Tests of the routing engine: spec §7 (Engine), §16 items 1-7 and 24-26, and DESIGN.md "Concurrency"
// (copy-on-write tables, generation counter, no access lost across publishes).

namespace routecat {
using test::b;
using test::rd;
using test::snap;
using test::rt;
namespace {

using std::nullopt;

constexpr RouteState kActive = RouteState::active;
constexpr RouteState kFenced = RouteState::write_fenced;

std::optional<std::string> end_of(const char* s) { return std::string(s); }

std::optional<std::string_view> sv_end(const std::optional<std::string>& e) {
    if (!e) return nullopt;
    return std::string_view(*e);
}

std::vector<std::uint64_t> groups(const std::vector<Route>& rs) {
    std::vector<std::uint64_t> out;
    for (const auto& r : rs) out.push_back(r.group_id);
    return out;
}

std::vector<std::uint64_t> loads(const std::vector<Route>& rs) {
    std::vector<std::uint64_t> out;
    for (const auto& r : rs) out.push_back(r.load);
    return out;
}

// The group the engine routes key to, 0 when unrouted.
std::uint64_t group_at(const Engine& e, std::string_view key) {
    auto r = e.get_route(key);
    return r ? r->group_id : 0;
}

// A route without its load (history comparisons that are about the routes, not the counters).
struct Shape {
    std::uint64_t route_id;
    std::string start;
    std::optional<std::string> end;
    std::uint64_t group_id;
    RouteState state;
    friend bool operator==(const Shape&, const Shape&) = default;
};

std::vector<Shape> shapes(const std::vector<Route>& rs) {
    std::vector<Shape> out;
    for (const auto& r : rs) out.push_back({r.route_id, r.start, r.end, r.group_id, r.state});
    return out;
}

std::string show_end(const std::optional<std::string>& e) { return e ? "\"" + key_to_text(*e) + "\"" : "inf"; }

const char* show_state(RouteState s) {
    switch (s) {
        case RouteState::active: return "Active";
        case RouteState::write_fenced: return "WriteFenced";
        case RouteState::migrating_source: return "MigratingSource";
        case RouteState::migrating_target: return "MigratingTarget";
    }
    return "Invalid";
}

// Whole lists rendered as text, so a failed comparison prints both sides in full.
std::string show(const std::vector<Route>& rs) {
    std::string out = "[";
    for (const auto& r : rs)
        out += "{id " + std::to_string(r.route_id) + " [\"" + key_to_text(r.start) + "\", " + show_end(r.end) + ") g" +
               std::to_string(r.group_id) + " " + show_state(r.state) + " load " + std::to_string(r.load) + "} ";
    return out + "]";
}

std::string show(const std::vector<Shape>& rs) {
    std::string out = "[";
    for (const auto& r : rs)
        out += "{id " + std::to_string(r.route_id) + " [\"" + key_to_text(r.start) + "\", " + show_end(r.end) + ") g" +
               std::to_string(r.group_id) + " " + show_state(r.state) + "} ";
    return out + "]";
}

std::string show(const std::vector<std::uint64_t>& vs) {
    std::string out = "[";
    for (auto v : vs) out += std::to_string(v) + " ";
    return out + "]";
}

// The §7.4 example table: [a,m)->1, [m,z)->2, [z,inf)->3.
CatalogSnapshot example_74(std::uint64_t version = 1) {
    return snap(version, {rd(1, "a", end_of("m"), 1), rd(2, "m", end_of("z"), 2), rd(3, "z", nullopt, 3)});
}

// ---------------------------------------------------------------------------------------------
// Linear reference implementations of the spec's rules, over a list sorted by start.

struct RefRoute {
    std::string start;
    std::optional<std::string> end;
    std::uint64_t group;
};

// §7.3: only the last route with the greatest start <= key is examined.
std::uint64_t ref_get_route(const std::vector<RefRoute>& table, const std::string& key) {
    std::optional<std::size_t> floor;
    for (std::size_t i = 0; i < table.size(); ++i)
        if (table[i].start <= key) floor = i;
    if (!floor) return 0;
    const auto& r = table[*floor];
    if (r.end && key >= *r.end) return 0;
    return r.group;
}

// §7.9 OwnerOf: walk forward; stop at the first start > key; skip a route whose end <= key.
std::uint64_t ref_owner_of(const std::vector<RefRoute>& table, const std::string& key) {
    for (const auto& r : table) {
        if (r.start > key) return 0;
        if (r.end && *r.end <= key) continue;
        return r.group;
    }
    return 0;
}

// §7.4: included unless (end present and end <= start) or (scan end present and start >= scan end).
std::vector<std::uint64_t> ref_intersecting(const std::vector<RefRoute>& table, const std::string& start,
                                            const std::optional<std::string>& end) {
    std::vector<std::uint64_t> out;
    for (const auto& r : table) {
        if (r.end && *r.end <= start) continue;
        if (end && r.start >= *end) continue;
        out.push_back(r.group);
    }
    return out;
}

// Random keys built to stress the table's 8-byte prefix array: NUL and 0xFF bytes, keys that share
// the 8-byte prefix "abcdefgh" and differ only after it, keys that are prefixes of each other.
std::string random_key(std::mt19937& rng) {
    static constexpr char kAlphabet[] = {'\0', '\x01', 'a', 'b', 'h', 'm', '\x7f', '\x80', '\xfe', '\xff'};
    std::uniform_int_distribution<int> kind(0, 3);
    std::uniform_int_distribution<int> letter(0, static_cast<int>(sizeof(kAlphabet)) - 1);
    std::string k;
    int extra = 0;
    switch (kind(rng)) {
        case 0:
            k = "abcdefgh";
            extra = std::uniform_int_distribution<int>(0, 3)(rng);
            break;
        case 1:
            k = b("\0\0\0\0\0\0\0");
            extra = std::uniform_int_distribution<int>(0, 3)(rng);
            break;
        default:
            extra = std::uniform_int_distribution<int>(0, 10)(rng);
            break;
    }
    for (int i = 0; i < extra; ++i) k.push_back(kAlphabet[letter(rng)]);
    return k;
}

// A split policy with a fixed answer, and one that cuts at start + "5".
class FixedSplit final : public SplitPolicy {
public:
    explicit FixedSplit(std::optional<std::string> key) : key_(std::move(key)) {}
    std::optional<std::string> split_key(const RouteTable&, std::size_t) const override { return key_; }

private:
    std::optional<std::string> key_;
};

class AppendFiveSplit final : public SplitPolicy {
public:
    std::optional<std::string> split_key(const RouteTable& table, std::size_t i) const override {
        return std::string(table.start(i)) + "5";
    }
};

// "r000", "r001", ...: sorts like the number.
std::string numbered_key(std::size_t i) {
    std::string digits = std::to_string(i);
    return "r" + std::string(digits.size() < 3 ? 3 - digits.size() : 0, '0') + digits;
}

// A snapshot that is internally consistent for version v: v % 7 + 1 adjacent routes, every group = v.
CatalogSnapshot consistent_snapshot(std::uint64_t v) {
    const std::size_t n = v % 7 + 1;
    std::vector<RouteDescriptor> routes;
    for (std::size_t i = 0; i < n; ++i) {
        std::optional<std::string> end;
        if (i + 1 < n) end = "k" + std::to_string(i + 1);
        routes.push_back(rd(i + 1, "k" + std::to_string(i), end, v));
    }
    return snap(v, std::move(routes));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine)

// ---------------------------------------------------------------------------------------------
// §7.1 constructors

BOOST_AUTO_TEST_CASE(engine_default_constructor_is_empty) {
    Engine e;
    BOOST_TEST(e.version() == 0u);
    BOOST_TEST(e.generation() == 0u);
    BOOST_TEST(e.stats().empty());
    BOOST_TEST(e.table()->empty());
    BOOST_TEST(!e.get_route(""));
    BOOST_TEST(!e.get_route("a"));
    BOOST_TEST(e.intersecting("", nullopt).empty());
    BOOST_TEST(e.history_depth() == kDefaultRouteHistoryDepth);
    BOOST_TEST(kDefaultRouteHistoryDepth == 32u);
    // A plain engine has no version-0 history entry (§7.9).
    BOOST_TEST(!e.snapshot_at(0));
    BOOST_TEST(!e.current());
    // Threshold 0: no split however many accesses.
    e.update_route("a", "c", 1);
    for (int i = 0; i < 100; ++i) e.record_access("b");
    BOOST_TEST(e.stats().size() == 1u);
    BOOST_TEST(e.stats()[0].load == 100u);
}

BOOST_AUTO_TEST_CASE(engine_current_found_after_first_apply) {
    Engine e;
    BOOST_TEST(!e.current());
    BOOST_TEST(!e.apply_snapshot(example_74(1)));
    auto cur = e.current();
    BOOST_TEST_REQUIRE(cur.has_value());
    BOOST_TEST(cur->version() == 1u);
    BOOST_TEST(shapes(cur->routes()) == shapes(e.stats()));
    BOOST_TEST(!e.snapshot_at(0));
}

BOOST_AUTO_TEST_CASE(engine_with_threshold) {
    auto e = Engine::with_threshold(5);
    BOOST_TEST(e->version() == 0u);
    BOOST_TEST(e->generation() == 0u);
    BOOST_TEST(e->stats().empty());
    BOOST_TEST(e->history_depth() == 32u);
    BOOST_TEST(!e->current());
    e->update_route("a", "c", 4);
    for (int i = 0; i < 4; ++i) e->record_access("b");
    BOOST_TEST(show(e->stats()) == show(std::vector<Route>{rt(0, "a", end_of("c"), 4, kActive, 4)}));
    e->record_access("b");  // the 5th access reaches the threshold
    BOOST_TEST(show(e->stats()) == show((std::vector<Route>{rt(0, "a", b("a\0"), 4), rt(0, b("a\0"), end_of("c"), 4)})));
}

BOOST_AUTO_TEST_CASE(engine_with_default_route) {
    auto e = Engine::with_default_route();
    const auto expected = std::vector<Route>{rt(0, "", nullopt, 1, kActive, 0)};
    BOOST_TEST(show(e->stats()) == show(expected));
    BOOST_TEST(e->version() == 0u);
    BOOST_TEST(e->history_depth() == 32u);
    BOOST_TEST(group_at(*e, "") == 1u);
    BOOST_TEST(group_at(*e, b("\xff\xff\xff\xff\xff\xff\xff\xff\xff")) == 1u);

    auto h0 = e->snapshot_at(0);
    BOOST_TEST_REQUIRE(h0.has_value());
    BOOST_TEST(h0->version() == 0u);
    BOOST_TEST(show(h0->routes()) == show(expected));
    BOOST_TEST(h0->owner_of("") == std::optional<std::uint64_t>(1));
    BOOST_TEST(h0->owner_of("zzz") == std::optional<std::uint64_t>(1));
    auto cur = e->current();
    BOOST_TEST_REQUIRE(cur.has_value());
    BOOST_TEST(cur->version() == 0u);
    BOOST_TEST(show(cur->routes()) == show(expected));
    BOOST_TEST(!e->snapshot_at(1));

    // The version-0 entry is a history entry like any other: an apply of version 0 is a no-op and
    // an apply of version 1 adds a second entry without touching the first.
    BOOST_TEST(!e->apply_snapshot(snap(0, {rd(1, "a", nullopt, 9)})));
    BOOST_TEST(show(e->stats()) == show(expected));
    BOOST_TEST(!e->apply_snapshot(snap(1, {rd(1, "a", nullopt, 9)})));
    BOOST_TEST(show(e->snapshot_at(0)->routes()) == show(expected));
    BOOST_TEST(show(e->snapshot_at(1)->routes()) == show(std::vector<Route>{rt(1, "a", nullopt, 9)}));
}

BOOST_AUTO_TEST_CASE(engine_with_default_route_options) {
    EngineOptions opts;
    opts.hotspot_threshold = 3;
    opts.history_depth = 0;
    auto e = Engine::with_default_route(opts);
    BOOST_TEST(show(e->stats()) == show(std::vector<Route>{rt(0, "", nullopt, 1)}));
    BOOST_TEST(!e->snapshot_at(0));  // no ring: nothing recorded
    BOOST_TEST(!e->current());
    // Unbounded default route: reaching the threshold resets the load and never splits.
    for (int i = 0; i < 3; ++i) e->record_access("k");
    BOOST_TEST(show(e->stats()) == show(std::vector<Route>{rt(0, "", nullopt, 1, kActive, 0)}));
}

// ---------------------------------------------------------------------------------------------
// §7.2 update_route

BOOST_AUTO_TEST_CASE(engine_update_route_appends_ephemeral_active_route) {
    Engine e;
    e.update_route("m", "z", 5);
    BOOST_TEST(show(e.stats()) == show(std::vector<Route>{rt(0, "m", end_of("z"), 5, kActive, 0)}));
    BOOST_TEST(e.version() == 0u);
    BOOST_TEST(e.generation() == 1u);
    e.update_route("a", nullopt, 6);  // re-sorted by start
    e.update_route("c", "d", 7);
    BOOST_TEST(show(e.stats()) == show((std::vector<Route>{rt(0, "a", nullopt, 6), rt(0, "c", end_of("d"), 7),
                                                rt(0, "m", end_of("z"), 5)})));
    BOOST_TEST(e.version() == 0u);
    BOOST_TEST(e.generation() == 3u);
    BOOST_TEST(!e.current());  // update_route never records history
    BOOST_TEST(!e.snapshot_at(0));
}

BOOST_AUTO_TEST_CASE(engine_update_route_does_not_validate) {
    Engine e;
    e.update_route("z", "a", 9);   // start > end
    e.update_route("q", "q", 8);   // empty range
    e.update_route("c", "", 7);    // present empty end
    e.update_route("x", "y", 0);   // group 0
    BOOST_TEST(show(e.stats()) == show((std::vector<Route>{rt(0, "c", end_of(""), 7), rt(0, "q", end_of("q"), 8),
                                                rt(0, "x", end_of("y"), 0), rt(0, "z", end_of("a"), 9)})));
    BOOST_TEST(e.generation() == 4u);
    BOOST_TEST(e.version() == 0u);
    // Such routes hold no key.
    BOOST_TEST(!e.get_route("z"));
    BOOST_TEST(!e.get_route("za"));
    BOOST_TEST(!e.get_route("q"));
    BOOST_TEST(!e.get_route("c"));
    // group 0 route still routes (no validation): "x" is found in group 0.
    auto r = e.get_route("x");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(*r == rt(0, "x", end_of("y"), 0));
}

BOOST_AUTO_TEST_CASE(engine_update_route_keeps_version_and_history) {
    Engine e;
    BOOST_TEST(!e.apply_snapshot(snap(3, {rd(1, "a", end_of("m"), 1)})));
    const auto gen = e.generation();
    e.update_route("m", "z", 2);
    BOOST_TEST(e.version() == 3u);
    BOOST_TEST(e.generation() == gen + 1);
    auto h = e.snapshot_at(3);
    BOOST_TEST_REQUIRE(h.has_value());
    BOOST_TEST(show(h->routes()) == show(std::vector<Route>{rt(1, "a", end_of("m"), 1)}));
    BOOST_TEST(show(e.current()->routes()) == show(std::vector<Route>{rt(1, "a", end_of("m"), 1)}));
    BOOST_TEST(h->owner_of("n") == std::optional<std::uint64_t>{});
    BOOST_TEST(group_at(e, "n") == 2u);
}

BOOST_AUTO_TEST_CASE(engine_update_route_keeps_existing_loads) {
    Engine e;
    e.update_route("a", "c", 1);
    e.update_route("x", "y", 3);
    for (int i = 0; i < 3; ++i) e.record_access("b");
    e.record_access("x");
    e.update_route("d", "e", 2);
    BOOST_TEST(show(e.stats()) == show((std::vector<Route>{rt(0, "a", end_of("c"), 1, kActive, 3),
                                                rt(0, "d", end_of("e"), 2, kActive, 0),
                                                rt(0, "x", end_of("y"), 3, kActive, 1)})));
    // The counters are still live after the publish.
    e.record_access("b");
    e.record_access("d");
    BOOST_TEST(show(loads(e.stats())) == show((std::vector<std::uint64_t>{4, 1, 1})));
}

BOOST_AUTO_TEST_CASE(engine_update_route_equal_starts_last_one_wins) {
    Engine e;
    e.update_route("a", "c", 1);
    e.update_route("a", "b", 2);
    auto s = e.stats();
    BOOST_TEST_REQUIRE(s.size() == 2u);
    BOOST_TEST(s[0].start == "a");
    BOOST_TEST(s[1].start == "a");
    // §7.3: of equal starts the last one in the list is the candidate.
    BOOST_TEST(group_at(e, "a") == s[1].group_id);
    // routecat puts a new route after the routes with an equal start (route_table.hpp), so the
    // newest one wins; [a,b) then shadows [a,c) for "b" (only one candidate is examined).
    BOOST_TEST(show(groups(s)) == show((std::vector<std::uint64_t>{1, 2})));
    BOOST_TEST(group_at(e, "a") == 2u);
    BOOST_TEST(group_at(e, "a5") == 2u);
    BOOST_TEST(!e.get_route("b"));
    e.update_route("a", "z", 3);
    BOOST_TEST(show(groups(e.stats())) == show((std::vector<std::uint64_t>{1, 2, 3})));
    BOOST_TEST(group_at(e, "b") == 3u);
}

// ---------------------------------------------------------------------------------------------
// §7.3 get_route

BOOST_AUTO_TEST_CASE(engine_get_route_floor_and_exclusive_end) {
    Engine e;
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(1, "b", end_of("d"), 1), rd(2, "d", end_of("f"), 2),
                                           rd(3, "h", nullopt, 3, kFenced)})));
    BOOST_TEST(!e.get_route(""));
    BOOST_TEST(!e.get_route("a"));
    BOOST_TEST(!e.get_route(b("a\xff\xff")));
    BOOST_TEST(group_at(e, "b") == 1u);
    BOOST_TEST(group_at(e, b("b\0")) == 1u);
    BOOST_TEST(group_at(e, "c") == 1u);
    BOOST_TEST(group_at(e, b("c\xff\xff")) == 1u);
    BOOST_TEST(group_at(e, "d") == 2u);  // end exclusive
    BOOST_TEST(group_at(e, "e") == 2u);
    BOOST_TEST(!e.get_route("f"));       // gap [f,h)
    BOOST_TEST(!e.get_route("g"));
    BOOST_TEST(!e.get_route(b("g\xff")));
    BOOST_TEST(group_at(e, "h") == 3u);
    BOOST_TEST(group_at(e, b("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff")) == 3u);
    auto r = e.get_route("h5");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(*r == rt(3, "h", nullopt, 3, kFenced, 0));
}

BOOST_AUTO_TEST_CASE(engine_get_route_returns_copy_with_load) {
    Engine e;
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(7, "a", end_of("m"), 4, kFenced, 3)})));
    e.record_access("c");
    e.record_access("d");
    auto r = e.get_route("c");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(*r == rt(7, "a", end_of("m"), 4, kFenced, 2));
    // Mutating the copy does not touch the engine.
    r->start = "zz";
    r->end = nullopt;
    r->load = 99;
    r->group_id = 99;
    auto again = e.get_route("c");
    BOOST_TEST_REQUIRE(again.has_value());
    BOOST_TEST(*again == rt(7, "a", end_of("m"), 4, kFenced, 2));
    // The copy is a snapshot of the load at the time of the call.
    e.record_access("c");
    BOOST_TEST(again->load == 2u);
    BOOST_TEST(e.get_route("c")->load == 3u);
}

BOOST_AUTO_TEST_CASE(engine_get_route_overlapping_only_floor_examined) {
    // §16.24: ["",z)->1 and [m,n)->2 via update_route.
    Engine e;
    e.update_route("", "z", 1);
    e.update_route("m", "n", 2);
    BOOST_TEST(group_at(e, "a") == 1u);
    BOOST_TEST(group_at(e, "l") == 1u);
    BOOST_TEST(group_at(e, "m") == 2u);
    BOOST_TEST(group_at(e, "m5") == 2u);
    BOOST_TEST(!e.get_route("n"));  // covered only by the earlier ["",z): unrouted
    BOOST_TEST(!e.get_route("p"));
    BOOST_TEST(!e.get_route("y"));
    BOOST_TEST(!e.get_route("z"));
}

BOOST_AUTO_TEST_CASE(engine_get_route_nul_and_ff_bytes) {
    Engine e;
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(1, "", b("\0"), 1), rd(2, b("\0"), b("\0\0"), 2),
                                           rd(3, b("\0\0"), b("\xff"), 3), rd(4, b("\xff"), b("\xff\0"), 4),
                                           rd(5, b("\xff\0"), nullopt, 5)})));
    BOOST_TEST(group_at(e, "") == 1u);
    BOOST_TEST(group_at(e, b("\0")) == 2u);
    BOOST_TEST(group_at(e, b("\0\0")) == 3u);
    BOOST_TEST(group_at(e, b("\0\x01")) == 3u);
    BOOST_TEST(group_at(e, b("\x01")) == 3u);
    BOOST_TEST(group_at(e, b("\x7f")) == 3u);
    BOOST_TEST(group_at(e, b("\x80")) == 3u);  // unsigned order: 0x80 > 0x7f
    BOOST_TEST(group_at(e, b("\xfe\xff\xff")) == 3u);
    BOOST_TEST(group_at(e, b("\xff")) == 4u);
    BOOST_TEST(group_at(e, b("\xff\0")) == 5u);
    BOOST_TEST(group_at(e, b("\xff\0\0")) == 5u);
    BOOST_TEST(group_at(e, b("\xff\xff")) == 5u);
    auto r = e.get_route(b("\0\0\0"));
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(*r == rt(3, b("\0\0"), b("\xff"), 3));
}

BOOST_AUTO_TEST_CASE(engine_get_route_nul_runs_tie_in_prefix) {
    // "", "\0", "\0"x8 and "\0"x9 all have the same zero-padded 8-byte prefix.
    const std::string z8(8, '\0'), z9(9, '\0');
    Engine e;
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(1, "", b("\0"), 1), rd(2, b("\0"), z8, 2),
                                           rd(3, z8, z9, 3), rd(4, z9, b("\x01"), 4)})));
    BOOST_TEST(group_at(e, "") == 1u);
    BOOST_TEST(group_at(e, b("\0")) == 2u);
    BOOST_TEST(group_at(e, std::string(7, '\0')) == 2u);
    // Only all-NUL keys shorter than 8 are below "\0"x8: any non-NUL byte before position 9 puts a
    // key above "\0"x9.
    BOOST_TEST(group_at(e, std::string(6, '\0') + "\x01") == 4u);
    BOOST_TEST(group_at(e, std::string(7, '\0') + "\x01") == 4u);
    BOOST_TEST(group_at(e, z8) == 3u);
    BOOST_TEST(group_at(e, z9) == 4u);
    BOOST_TEST(group_at(e, std::string(10, '\0')) == 4u);
    BOOST_TEST(group_at(e, z8 + "\x01") == 4u);
    BOOST_TEST(group_at(e, z8 + "\xff\xff") == 4u);
    BOOST_TEST(!e.get_route(b("\x01")));
}

BOOST_AUTO_TEST_CASE(engine_get_route_long_keys_sharing_prefix) {
    Engine e;
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(1, "abcdefgh", end_of("abcdefgh1"), 1),
                                           rd(2, "abcdefgh1", end_of("abcdefgh2"), 2),
                                           rd(3, "abcdefgh2", end_of("abcdefgi"), 3),
                                           rd(4, "abcdefgi1", nullopt, 4)})));
    BOOST_TEST(!e.get_route("abcdefg"));
    BOOST_TEST(!e.get_route(b("abcdefgg\xff\xff")));
    BOOST_TEST(group_at(e, b("abcdefg\xff")) == 4u);  // byte 7: 0xff > 'i' 
    BOOST_TEST(group_at(e, "abcdefgh") == 1u);
    BOOST_TEST(group_at(e, b("abcdefgh\0")) == 1u);
    BOOST_TEST(group_at(e, "abcdefgh0") == 1u);
    BOOST_TEST(group_at(e, "abcdefgh0zzzz") == 1u);
    BOOST_TEST(group_at(e, "abcdefgh1") == 2u);
    BOOST_TEST(group_at(e, b("abcdefgh1\0")) == 2u);
    BOOST_TEST(group_at(e, "abcdefgh15") == 2u);
    BOOST_TEST(group_at(e, "abcdefgh2") == 3u);
    BOOST_TEST(group_at(e, "abcdefgh3") == 3u);
    BOOST_TEST(group_at(e, b("abcdefgh\xff\xff\xff")) == 3u);
    BOOST_TEST(!e.get_route("abcdefgi"));  // end exclusive; gap [abcdefgi, abcdefgi1)
    BOOST_TEST(!e.get_route("abcdefgi0"));
    BOOST_TEST(group_at(e, "abcdefgi1") == 4u);
    BOOST_TEST(group_at(e, "abcdefgj") == 4u);

    // Same starts inserted in reverse through update_route (a different build path).
    Engine u;
    u.update_route("abcdefgh2", "abcdefgi", 3);
    u.update_route("abcdefgh1", "abcdefgh2", 2);
    u.update_route("abcdefgh", "abcdefgh1", 1);
    BOOST_TEST(show(groups(u.stats())) == show((std::vector<std::uint64_t>{1, 2, 3})));
    BOOST_TEST(group_at(u, "abcdefgh") == 1u);
    BOOST_TEST(group_at(u, "abcdefgh0") == 1u);
    BOOST_TEST(group_at(u, "abcdefgh1") == 2u);
    BOOST_TEST(group_at(u, "abcdefgh19") == 2u);
    BOOST_TEST(group_at(u, "abcdefgh2") == 3u);
    BOOST_TEST(!u.get_route("abcdefg"));
}

// Fills e through update_route with up to `count` routes of distinct random starts and random ends
// (unbounded one time in coin_max + 1; an end may be <= its start: update_route does not validate).
// Returns the same routes as a reference table sorted by start.
std::vector<RefRoute> fill_random_overlapping(Engine& e, std::mt19937& rng, std::uint64_t count, int coin_max) {
    std::vector<RefRoute> ref;
    std::set<std::string> starts;
    std::uniform_int_distribution<int> coin(0, coin_max);
    for (std::uint64_t g = 1; g <= count; ++g) {
        std::string start = random_key(rng);
        if (!starts.insert(start).second) continue;
        std::optional<std::string> end;
        if (coin(rng) != 0) end = random_key(rng);
        e.update_route(start, sv_end(end), g);
        ref.push_back({start, end, g});
    }
    std::sort(ref.begin(), ref.end(), [](const RefRoute& a, const RefRoute& c) { return a.start < c.start; });
    return ref;
}

BOOST_AUTO_TEST_CASE(engine_get_route_random_vs_reference) {
    std::mt19937 rng(20240611);
    for (int round = 0; round < 4; ++round) {
        Engine e;
        const std::vector<RefRoute> ref = fill_random_overlapping(e, rng, 60, 4);
        const HistorySnapshot hist(0, e.table());
        int bad = 0;
        for (int q = 0; q < 300; ++q) {
            const std::string key = random_key(rng);
            const std::uint64_t want = ref_get_route(ref, key);
            const std::uint64_t got = group_at(e, key);
            const std::uint64_t want_owner = ref_owner_of(ref, key);
            const std::uint64_t got_owner = hist.owner_of(key).value_or(0);
            if (got != want || got_owner != want_owner) {
                ++bad;
                if (bad <= 3) {
                    BOOST_TEST_INFO("key " << key_to_text(key));
                    BOOST_TEST(got == want);
                    BOOST_TEST_INFO("key " << key_to_text(key));
                    BOOST_TEST(got_owner == want_owner);
                }
            }
        }
        BOOST_TEST(bad == 0);
    }
}

// ---------------------------------------------------------------------------------------------
// §7.4 intersecting

BOOST_AUTO_TEST_CASE(engine_intersecting_spec_example) {
    Engine e;
    BOOST_TEST(!e.apply_snapshot(example_74()));
    using G = std::vector<std::uint64_t>;
    BOOST_TEST(show(groups(e.intersecting("b", "d"))) == show(G{1}));
    BOOST_TEST(show(groups(e.intersecting("k", "p"))) == show((G{1, 2})));
    BOOST_TEST(show(groups(e.intersecting("a", nullopt))) == show((G{1, 2, 3})));
    BOOST_TEST(show(groups(e.intersecting("za", nullopt))) == show(G{3}));
    BOOST_TEST(show(groups(e.intersecting("0", "9"))) == show(G{}));
    BOOST_TEST(show(groups(e.intersecting("m", "n"))) == show(G{2}));
    BOOST_TEST(show(groups(e.intersecting("k", "m"))) == show(G{1}));
    // Absent / empty start = from the beginning of the keyspace.
    BOOST_TEST(show(groups(e.intersecting("", nullopt))) == show((G{1, 2, 3})));
    BOOST_TEST(show(groups(e.intersecting("", "b"))) == show(G{1}));
    BOOST_TEST(show(groups(e.intersecting("", "a"))) == show(G{}));           // adjacency is not intersection
    BOOST_TEST(show(groups(e.intersecting("z", nullopt))) == show(G{3}));     // [m,z) ends where the scan starts
    BOOST_TEST(show(groups(e.intersecting("y", "z"))) == show(G{2}));
    BOOST_TEST(show(groups(e.intersecting("y", b("z\0")))) == show((G{2, 3})));
    BOOST_TEST(show(groups(e.intersecting("m", "m"))) == show(G{}));          // empty scan
    BOOST_TEST(show(groups(e.intersecting("n", "b"))) == show(G{}));          // inverted scan
    BOOST_TEST(show(groups(e.intersecting(b("\xff\xff"), nullopt))) == show(G{3}));
    // Deep copies with ids, states and loads.
    e.record_access("n");
    e.record_access("n");
    BOOST_TEST(show(e.intersecting("k", "p")) ==
               show((std::vector<Route>{rt(1, "a", end_of("m"), 1), rt(2, "m", end_of("z"), 2, kActive, 2)})));
}

BOOST_AUTO_TEST_CASE(engine_intersecting_spec_example_built_by_update_route) {
    // The §7.4 table built by update_route (inserted out of order), then made overlapping by a wide
    // route over it: the example's answers plus the wide route wherever it reaches.
    Engine e;
    e.update_route("z", nullopt, 3);
    e.update_route("a", "m", 1);
    e.update_route("m", "z", 2);
    using G = std::vector<std::uint64_t>;
    BOOST_TEST(show(groups(e.intersecting("b", "d"))) == show(G{1}));
    BOOST_TEST(show(groups(e.intersecting("k", "p"))) == show((G{1, 2})));
    BOOST_TEST(show(groups(e.intersecting("a", nullopt))) == show((G{1, 2, 3})));
    BOOST_TEST(show(groups(e.intersecting("za", nullopt))) == show(G{3}));
    BOOST_TEST(show(groups(e.intersecting("0", "9"))) == show(G{}));
    BOOST_TEST(show(groups(e.intersecting("m", "n"))) == show(G{2}));
    BOOST_TEST(show(groups(e.intersecting("k", "m"))) == show(G{1}));
    e.update_route("", "n", 9);  // table: ["",n)->9, [a,m)->1, [m,z)->2, [z,inf)->3
    BOOST_TEST(show(groups(e.intersecting("b", "d"))) == show((G{9, 1})));
    BOOST_TEST(show(groups(e.intersecting("k", "p"))) == show((G{9, 1, 2})));
    BOOST_TEST(show(groups(e.intersecting("a", nullopt))) == show((G{9, 1, 2, 3})));
    BOOST_TEST(show(groups(e.intersecting("za", nullopt))) == show(G{3}));
    BOOST_TEST(show(groups(e.intersecting("0", "9"))) == show(G{9}));
    BOOST_TEST(show(groups(e.intersecting("m", "n"))) == show((G{9, 2})));
    BOOST_TEST(show(groups(e.intersecting("k", "m"))) == show((G{9, 1})));
    BOOST_TEST(show(groups(e.intersecting("n", "o"))) == show(G{2}));  // ["",n) ends where the scan starts
    BOOST_TEST(show(groups(e.intersecting("y", nullopt))) == show((G{2, 3})));
}

BOOST_AUTO_TEST_CASE(engine_intersecting_overlapping_update_route_table) {
    // The same queries against an overlapping table built by update_route.
    Engine e;
    e.update_route("", "z", 1);
    e.update_route("m", "n", 2);
    e.update_route("c", "d", 3);
    e.update_route("x", nullopt, 4);
    // table order: ["",z)->1, [c,d)->3, [m,n)->2, [x,inf)->4
    using G = std::vector<std::uint64_t>;
    BOOST_TEST(show(groups(e.intersecting("", nullopt))) == show((G{1, 3, 2, 4})));
    BOOST_TEST(show(groups(e.intersecting("p", "q"))) == show(G{1}));        // only the earlier wide route
    BOOST_TEST(show(groups(e.intersecting("p", nullopt))) == show((G{1, 4})));
    BOOST_TEST(show(groups(e.intersecting("n", "x"))) == show(G{1}));        // [m,n) and [x,inf) are adjacent
    BOOST_TEST(show(groups(e.intersecting("d", "m"))) == show(G{1}));
    BOOST_TEST(show(groups(e.intersecting("b", "c5"))) == show((G{1, 3})));
    BOOST_TEST(show(groups(e.intersecting("z", nullopt))) == show(G{4}));
    BOOST_TEST(show(groups(e.intersecting("m5", "m6"))) == show((G{1, 2})));
}

BOOST_AUTO_TEST_CASE(engine_intersecting_random_overlapping_vs_reference) {
    std::mt19937 rng(777);
    for (int round = 0; round < 3; ++round) {
        Engine e;
        const std::vector<RefRoute> ref = fill_random_overlapping(e, rng, 50, 5);
        std::uniform_int_distribution<int> coin(0, 5);  // unbounded query ends, one time in six
        // The table itself matches the reference (sorted by start, ephemeral, Active, load 0).
        std::vector<Route> want_table;
        for (const auto& r : ref) want_table.push_back(rt(0, r.start, r.end, r.group));
        BOOST_TEST(show(e.stats()) == show(want_table));

        int bad = 0;
        for (int q = 0; q < 300; ++q) {
            const std::string start = random_key(rng);
            std::optional<std::string> end;
            if (coin(rng) != 0) end = random_key(rng);
            const auto want = ref_intersecting(ref, start, end);
            const auto got_routes = e.intersecting(start, sv_end(end));
            const auto got = groups(got_routes);
            bool ok = got == want;
            for (const auto& r : got_routes) ok = ok && r.route_id == 0 && r.load == 0 && r.state == kActive;
            if (!ok) {
                ++bad;
                if (bad <= 3) {
                    BOOST_TEST_INFO("scan [" << key_to_text(start) << ", "
                                             << (end ? key_to_text(*end) : std::string("inf")) << ")");
                    BOOST_TEST(show(got) == show(want));
                }
            }
        }
        BOOST_TEST(bad == 0);
    }
}

BOOST_AUTO_TEST_CASE(engine_intersecting_random_disjoint_vs_reference) {
    std::mt19937 rng(4242);
    for (int round = 0; round < 3; ++round) {
        std::set<std::string> keyset;
        while (keyset.size() < 40) keyset.insert(random_key(rng));
        const std::vector<std::string> keys(keyset.begin(), keyset.end());
        std::uniform_int_distribution<int> coin(0, 2);
        std::vector<RouteDescriptor> routes;
        std::vector<RefRoute> ref;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            std::optional<std::string> end;
            if (i + 1 < keys.size()) {
                end = keys[i + 1];
                std::string gap_end = keys[i] + std::string(1, '\0');
                if (coin(rng) == 0 && gap_end < keys[i + 1]) end = gap_end;  // leave a gap
            } else if (coin(rng) == 0) {
                end = keys[i] + "\x01";
            }
            routes.push_back(rd(1000 + i, keys[i], end, 100 + i));
            ref.push_back({keys[i], end, 100 + i});
        }
        // Applied in shuffled order: the engine sorts by start.
        std::shuffle(routes.begin(), routes.end(), rng);
        Engine e;
        BOOST_TEST_REQUIRE(!e.apply_snapshot(snap(1, routes)));
        BOOST_TEST(e.stats().size() == ref.size());
        auto hist = e.current();
        BOOST_TEST_REQUIRE(hist.has_value());

        int bad = 0;
        for (int q = 0; q < 300; ++q) {
            const std::string start = random_key(rng);
            std::optional<std::string> end;
            if (coin(rng) != 0) end = random_key(rng);
            const auto want = ref_intersecting(ref, start, end);
            const auto got_routes = e.intersecting(start, sv_end(end));
            bool ok = groups(got_routes) == want;
            for (const auto& r : got_routes) ok = ok && r.route_id == r.group_id + 900;
            // Point lookups: on a disjoint table get_route and owner_of agree with the reference.
            const std::uint64_t want_g = ref_get_route(ref, start);
            ok = ok && group_at(e, start) == want_g && hist->owner_of(start).value_or(0) == want_g &&
                 ref_owner_of(ref, start) == want_g;
            if (!ok) {
                ++bad;
                if (bad <= 3) {
                    BOOST_TEST_INFO("scan [" << key_to_text(start) << ", "
                                             << (end ? key_to_text(*end) : std::string("inf")) << ")");
                    BOOST_TEST(show(groups(got_routes)) == show(want));
                    BOOST_TEST(group_at(e, start) == want_g);
                }
            }
        }
        BOOST_TEST(bad == 0);
    }
}

// ---------------------------------------------------------------------------------------------
// §7.5 stats

BOOST_AUTO_TEST_CASE(engine_stats_in_table_order_with_loads) {
    Engine e;
    BOOST_TEST(e.stats().empty());
    BOOST_TEST(!e.apply_snapshot(snap(4, {rd(3, "m", nullopt, 30, RouteState::migrating_target),
                                           rd(1, "", end_of("f"), 10), rd(2, "f", end_of("m"), 20, kFenced)})));
    e.record_access("a");
    e.record_access("g");
    e.record_access("g");
    e.record_access("zzz");
    e.record_access("zzz");
    e.record_access("zzz");
    BOOST_TEST(show(e.stats()) == show((std::vector<Route>{rt(1, "", end_of("f"), 10, kActive, 1),
                                                rt(2, "f", end_of("m"), 20, kFenced, 2),
                                                rt(3, "m", nullopt, 30, RouteState::migrating_target, 3)})));
    // Copies: mutating the result changes nothing.
    auto s = e.stats();
    s[0].load = 100;
    s[0].start = "x";
    BOOST_TEST(e.stats()[0] == rt(1, "", end_of("f"), 10, kActive, 1));
    BOOST_TEST(e.table()->size() == 3u);
    BOOST_TEST(show(e.table()->routes()) == show(e.stats()));
}

// ---------------------------------------------------------------------------------------------
// §7.6 record_access and the hotspot split; §16.2-4

BOOST_AUTO_TEST_CASE(engine_split_threshold_two) {
    auto e = Engine::with_threshold(2);
    BOOST_TEST(!e->apply_snapshot(snap(1, {rd(7, "a", end_of("c"), 3, kFenced, 5)})));
    const auto gen = e->generation();
    e->record_access("b");
    BOOST_TEST(show(e->stats()) == show(std::vector<Route>{rt(7, "a", end_of("c"), 3, kFenced, 1)}));
    BOOST_TEST(e->generation() == gen);
    e->record_access("b");
    // [a, a\0) and [a\0, c): ephemeral, Active (parent state dropped), same group, load 0.
    BOOST_TEST(show(e->stats()) == show((std::vector<Route>{rt(0, "a", b("a\0"), 3, kActive, 0),
                                                 rt(0, b("a\0"), end_of("c"), 3, kActive, 0)})));
    BOOST_TEST(e->version() == 1u);
    BOOST_TEST(e->generation() == gen + 1);
    auto r = e->get_route("b");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(*r == rt(0, b("a\0"), end_of("c"), 3, kActive, 0));
    auto l = e->get_route("a");
    BOOST_TEST_REQUIRE(l.has_value());
    BOOST_TEST(*l == rt(0, "a", b("a\0"), 3, kActive, 0));
    // The access that triggered the split is not counted on the children; later ones are.
    e->record_access("b");
    BOOST_TEST(show(loads(e->stats())) == show((std::vector<std::uint64_t>{0, 1})));
    // The right child [a\0, c) splits at a\0\0 in turn.
    e->record_access("b");
    BOOST_TEST(show(e->stats()) == show((std::vector<Route>{rt(0, "a", b("a\0"), 3), rt(0, b("a\0"), b("a\0\0"), 3),
                                                 rt(0, b("a\0\0"), end_of("c"), 3)})));
    BOOST_TEST(e->generation() == gen + 2);
    BOOST_TEST(e->version() == 1u);
}

BOOST_AUTO_TEST_CASE(engine_split_key_cap_skips_longer_keys_and_reports_once) {
    std::vector<std::string> reports;
    EngineOptions o;
    o.hotspot_threshold = 1;
    o.max_split_key_bytes = 3;
    o.on_split_capped = std::make_shared<const SplitCappedHandler>([&](std::string_view why) { reports.emplace_back(why); });
    Engine e(o);
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(7, "a", end_of("c"), 3)})));
    e.record_access("b");  // splits at a\0 (2 bytes)
    e.record_access("b");  // the right child at a\0\0 (3 bytes)
    BOOST_TEST(e.stats().size() == 3u);
    BOOST_TEST(e.skipped_splits() == 0u);
    e.record_access("b");  // a\0\0\0 would be 4 bytes: skipped, the load reset
    BOOST_TEST(e.stats().size() == 3u);
    BOOST_TEST(e.skipped_splits() == 1u);
    BOOST_TEST(e.get_route("b")->load == 0u);
    e.record_access("b");
    BOOST_TEST(e.skipped_splits() == 2u);
    BOOST_TEST(reports == std::vector<std::string>{"a split key of 4 bytes is over the cap of 3"}, boost::test_tools::per_element());
    BOOST_TEST(e.access_split_routes() == 4u);
}

BOOST_AUTO_TEST_CASE(engine_access_split_route_cap_bounds_the_table) {
    EngineOptions o;
    o.hotspot_threshold = 1;
    o.max_access_split_routes = 4;
    Engine e(o);
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(1, "a", end_of("c"), 1), rd(2, "c", end_of("e"), 1), rd(3, "e", end_of("g"), 1)})));
    e.record_access("b");
    e.record_access("d");
    BOOST_TEST(e.access_split_routes() == 4u);
    BOOST_TEST(e.stats().size() == 5u);
    e.record_access("f");  // two more would make 6 > 4
    BOOST_TEST(e.stats().size() == 5u);
    BOOST_TEST(e.skipped_splits() == 1u);
    BOOST_TEST(e.access_split_routes() == 4u);
    // The library default is the spec's: no cap.
    auto unlimited = Engine::with_threshold(1);
    BOOST_TEST(!unlimited->apply_snapshot(snap(1, {rd(1, "a", end_of("c"), 1)})));
    for (int i = 0; i < 50; ++i) unlimited->record_access("b");
    BOOST_TEST(unlimited->skipped_splits() == 0u);
    BOOST_TEST(unlimited->stats().size() == 51u);
}

namespace {

// Splits [start, end) where both children can split again: start + 0x80 when inside, else start + 0x40.
class HalvingSplit final : public SplitPolicy {
public:
    std::optional<std::string> split_key(const RouteTable& t, std::size_t i) const override {
        std::string key(t.start(i));
        key.push_back('\x80');
        if (t.end(i) && key >= *t.end(i)) key.back() = '\x40';
        return key;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(engine_split_frees_the_counters_of_removed_routes) {
    EngineOptions o;
    o.hotspot_threshold = 1;
    o.split_policy = std::make_shared<HalvingSplit>();
    Engine e(o);
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(1, "a", end_of("b"), 1), rd(2, "c", end_of("d"), 1)})));
    BOOST_TEST(detail::load_counter_blocks_for_test(*e.table()) == 1u);
    e.record_access(b("a\x90"));  // [a, a\x80) and [a\x80, b): a block of 2 counters
    BOOST_TEST(detail::load_counter_blocks_for_test(*e.table()) == 2u);
    e.record_access(b("a\x10"));  // the left child splits: its counter's block still holds the right one
    BOOST_TEST(detail::load_counter_blocks_for_test(*e.table()) == 3u);
    e.record_access(b("a\xa0"));  // the right child splits too: their block is no route's any more
    BOOST_TEST(e.stats().size() == 5u);
    BOOST_TEST(detail::load_counter_blocks_for_test(*e.table()) == 3u);
}

BOOST_AUTO_TEST_CASE(engine_split_unbounded_never_splits) {
    auto e = Engine::with_threshold(2);
    e->update_route("a", nullopt, 1);
    const auto gen = e->generation();
    e->record_access("b");
    e->record_access("b");
    BOOST_TEST(show(e->stats()) == show(std::vector<Route>{rt(0, "a", nullopt, 1, kActive, 0)}));
    BOOST_TEST(e->generation() == gen);
    e->record_access("q");
    BOOST_TEST(show(e->stats()) == show(std::vector<Route>{rt(0, "a", nullopt, 1, kActive, 1)}));
    e->record_access("q");
    BOOST_TEST(show(e->stats()) == show(std::vector<Route>{rt(0, "a", nullopt, 1, kActive, 0)}));
    BOOST_TEST(e->generation() == gen);
}

BOOST_AUTO_TEST_CASE(engine_split_single_key_range_never_splits) {
    auto e = Engine::with_threshold(2);
    BOOST_TEST(!e->apply_snapshot(snap(1, {rd(1, "a", b("a\0"), 1), rd(2, b("a\0"), end_of("c"), 2)})));
    const auto gen = e->generation();
    e->record_access("a");
    BOOST_TEST(show(loads(e->stats())) == show((std::vector<std::uint64_t>{1, 0})));
    e->record_access("a");
    BOOST_TEST(show(e->stats()) == show((std::vector<Route>{rt(1, "a", b("a\0"), 1), rt(2, b("a\0"), end_of("c"), 2)})));
    BOOST_TEST(e->generation() == gen);
    e->record_access("a");
    BOOST_TEST(show(loads(e->stats())) == show((std::vector<std::uint64_t>{1, 0})));
}

BOOST_AUTO_TEST_CASE(engine_threshold_zero_never_splits) {
    Engine e;
    e.update_route("a", "c", 1);
    for (int i = 0; i < 1000; ++i) e.record_access("b");
    BOOST_TEST(show(e.stats()) == show(std::vector<Route>{rt(0, "a", end_of("c"), 1, kActive, 1000)}));
    BOOST_TEST(e.generation() == 1u);
}

BOOST_AUTO_TEST_CASE(engine_record_access_unrouted_key_does_nothing) {
    auto empty = Engine::with_threshold(1);
    empty->record_access("a");
    BOOST_TEST(empty->stats().empty());
    BOOST_TEST(empty->generation() == 0u);

    auto e = Engine::with_threshold(1);
    BOOST_TEST(!e->apply_snapshot(snap(1, {rd(1, "b", end_of("c"), 1), rd(2, "e", end_of("f"), 2)})));
    const auto gen = e->generation();
    for (const char* k : {"", "a", "c", "d", "f", "z"}) e->record_access(k);
    BOOST_TEST(show(e->stats()) == show((std::vector<Route>{rt(1, "b", end_of("c"), 1), rt(2, "e", end_of("f"), 2)})));
    BOOST_TEST(e->generation() == gen);
    // Shadowed by the floor route: a key only an earlier route covers is not counted anywhere.
    Engine o;
    o.update_route("", "z", 1);
    o.update_route("m", "n", 2);
    o.record_access("p");
    BOOST_TEST(show(loads(o.stats())) == show((std::vector<std::uint64_t>{0, 0})));
}

BOOST_AUTO_TEST_CASE(engine_split_keeps_other_loads) {
    auto e = Engine::with_threshold(5);
    BOOST_TEST(!e->apply_snapshot(snap(1, {rd(1, "a", end_of("c"), 1), rd(2, "c", end_of("e"), 2),
                                           rd(3, "e", nullopt, 3)})));
    for (int i = 0; i < 3; ++i) e->record_access("d");
    e->record_access("x");
    for (int i = 0; i < 5; ++i) e->record_access("b");
    BOOST_TEST(show(e->stats()) == show((std::vector<Route>{rt(0, "a", b("a\0"), 1), rt(0, b("a\0"), end_of("c"), 1),
                                                 rt(2, "c", end_of("e"), 2, kActive, 3),
                                                 rt(3, "e", nullopt, 3, kActive, 1)})));
    // Still the live counters.
    e->record_access("d");
    BOOST_TEST(show(loads(e->stats())) == show((std::vector<std::uint64_t>{0, 0, 4, 1})));
    // [c,e) reaches 5 and splits; the children of [a,c) keep their loads.
    e->record_access("b");
    e->record_access("d");
    BOOST_TEST(show(e->stats()) == show((std::vector<Route>{rt(0, "a", b("a\0"), 1), rt(0, b("a\0"), end_of("c"), 1, kActive, 1),
                                                 rt(0, "c", b("c\0"), 2), rt(0, b("c\0"), end_of("e"), 2),
                                                 rt(3, "e", nullopt, 3, kActive, 1)})));
}

BOOST_AUTO_TEST_CASE(engine_split_does_not_touch_version_or_history) {
    auto e = Engine::with_threshold(2);
    BOOST_TEST(!e->apply_snapshot(snap(1, {rd(7, "a", end_of("c"), 3, kFenced)})));
    const auto gen = e->generation();
    e->record_access("b");
    e->record_access("b");
    BOOST_TEST(e->stats().size() == 2u);
    BOOST_TEST(e->version() == 1u);
    BOOST_TEST(e->generation() == gen + 1);
    // History of v1 still holds the pre-split routes (splits never record).
    auto h = e->snapshot_at(1);
    BOOST_TEST_REQUIRE(h.has_value());
    BOOST_TEST(show(shapes(h->routes())) == show((std::vector<Shape>{Shape{7, "a", end_of("c"), 3, kFenced}})));
    BOOST_TEST(show(shapes(e->current()->routes())) == show((std::vector<Shape>{Shape{7, "a", end_of("c"), 3, kFenced}})));
    BOOST_TEST(!e->snapshot_at(2));
}

BOOST_AUTO_TEST_CASE(engine_splits_survive_same_version_newer_replaces) {
    auto e = Engine::with_threshold(2);
    const auto v1 = snap(1, {rd(7, "a", end_of("c"), 3, kFenced)});
    BOOST_TEST(!e->apply_snapshot(v1));
    e->record_access("b");
    e->record_access("b");
    const auto split = std::vector<Route>{rt(0, "a", b("a\0"), 3), rt(0, b("a\0"), end_of("c"), 3)};
    BOOST_TEST(show(e->stats()) == show(split));
    const auto gen = e->generation();
    // Same version: no-op, the ephemeral children stay.
    BOOST_TEST(!e->apply_snapshot(v1));
    BOOST_TEST(show(e->stats()) == show(split));
    BOOST_TEST(e->generation() == gen);
    // Newer version: replaced.
    BOOST_TEST(!e->apply_snapshot(snap(2, {rd(7, "a", end_of("c"), 3, kFenced)})));
    BOOST_TEST(show(e->stats()) == show(std::vector<Route>{rt(7, "a", end_of("c"), 3, kFenced, 0)}));
    BOOST_TEST(e->generation() == gen + 1);
    BOOST_TEST(e->version() == 2u);
}

BOOST_AUTO_TEST_CASE(engine_split_policy_seam) {
    EngineOptions opts;
    opts.hotspot_threshold = 2;
    opts.split_policy = std::make_shared<AppendFiveSplit>();
    Engine e(opts);
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(1, "0", end_of("a"), 9), rd(2, "a", end_of("c"), 3),
                                           rd(3, "x", nullopt, 4)})));
    e.record_access("b");
    e.record_access("b");
    BOOST_TEST(show(e.stats()) == show((std::vector<Route>{rt(1, "0", end_of("a"), 9), rt(0, "a", end_of("a5"), 3),
                                                rt(0, "a5", end_of("c"), 3), rt(3, "x", nullopt, 4)})));
    // A custom policy may split an unbounded route: the key is strictly inside [x, inf).
    e.record_access("y");
    e.record_access("y");
    BOOST_TEST(show(e.stats()) == show((std::vector<Route>{rt(1, "0", end_of("a"), 9), rt(0, "a", end_of("a5"), 3),
                                                rt(0, "a5", end_of("c"), 3), rt(0, "x", end_of("x5"), 4),
                                                rt(0, "x5", nullopt, 4)})));
    BOOST_TEST(e.generation() == 3u);
    BOOST_TEST(e.version() == 1u);
}

BOOST_AUTO_TEST_CASE(engine_split_policy_key_outside_ignored) {
    const std::vector<std::optional<std::string>> answers = {
        std::string("z"),    // above the route
        std::string("0"),    // below the route
        std::string("a"),    // equal to start
        std::string("c"),    // equal to end
        std::nullopt,        // "do not split"
    };
    for (const auto& key : answers) {
        BOOST_TEST_CONTEXT("policy answer " << (key ? key_to_text(*key) : std::string("nullopt"))) {
            EngineOptions opts;
            opts.hotspot_threshold = 2;
            opts.split_policy = std::make_shared<FixedSplit>(key);
            Engine e(opts);
            BOOST_TEST(!e.apply_snapshot(snap(1, {rd(2, "a", end_of("c"), 3, kFenced)})));
            const auto gen = e.generation();
            e.record_access("b");
            e.record_access("b");
            BOOST_TEST(show(e.stats()) == show(std::vector<Route>{rt(2, "a", end_of("c"), 3, kFenced, 0)}));
            BOOST_TEST(e.generation() == gen);
            e.record_access("b");
            BOOST_TEST(e.stats()[0].load == 1u);
        }
    }
    // A fixed key inside the route is used.
    EngineOptions opts;
    opts.hotspot_threshold = 2;
    opts.split_policy = std::make_shared<FixedSplit>(std::string("b"));
    Engine e(opts);
    e.update_route("a", "c", 3);
    e.record_access("a");
    e.record_access("a");
    BOOST_TEST(show(e.stats()) == show((std::vector<Route>{rt(0, "a", end_of("b"), 3), rt(0, "b", end_of("c"), 3)})));
}

BOOST_AUTO_TEST_CASE(engine_concurrent_accesses_split_once) {
    // §7.6 / §16.4: threshold 6, 10 concurrent accesses to "b" on [a,c) -> exactly 2 routes.
    int bad_count = 0, bad_shape = 0, bad_gen = 0;
    for (int rep = 0; rep < 200; ++rep) {
        auto e = Engine::with_threshold(6);
        e->update_route("a", "c", 1);
        std::latch start(2);
        std::vector<std::thread> threads;
        for (int t = 0; t < 2; ++t)
            threads.emplace_back([&] {
                start.arrive_and_wait();
                for (int i = 0; i < 5; ++i) e->record_access("b");
            });
        for (auto& th : threads) th.join();
        const auto s = e->stats();
        if (s.size() != 2) {
            ++bad_count;
            continue;
        }
        const bool shape = s[0].start == "a" && s[0].end == b("a\0") && s[1].start == b("a\0") &&
                           s[1].end == std::optional<std::string>("c") && s[0].load == 0 && s[1].load <= 4 &&
                           s[0].group_id == 1 && s[1].group_id == 1 && s[0].route_id == 0 && s[1].route_id == 0;
        bad_shape += !shape;
        bad_gen += e->generation() != 2;  // update_route + exactly one split
    }
    BOOST_TEST(bad_count == 0);
    BOOST_TEST(bad_shape == 0);
    BOOST_TEST(bad_gen == 0);
}

BOOST_AUTO_TEST_CASE(engine_concurrent_accesses_not_lost_across_publishes) {
    Engine e;
    BOOST_TEST_REQUIRE(!e.apply_snapshot(snap(1, {rd(1, "a", end_of("b"), 1), rd(2, "b", end_of("c"), 2),
                                                   rd(3, "c", end_of("d"), 3), rd(4, "d", end_of("e"), 4)})));
    const char* keys[] = {"a5", "b5", "c5", "d5"};
    std::atomic<int> accessors_done{0};
    std::atomic<int> publishes{0};
    std::latch start(3);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&] {
            start.arrive_and_wait();
            for (int i = 0; i < 10000; ++i) e.record_access(keys[i % 4]);
            accessors_done.fetch_add(1);
        });
    threads.emplace_back([&] {
        start.arrive_and_wait();
        int n = 0;
        while (accessors_done.load() < 2 && n < 1500) {
            // Unrelated ranges, above every accessed key.
            const std::string s = "x" + std::to_string(100000 + n);
            e.update_route(s, s + "z", 100);
            ++n;
        }
        publishes.store(n);
    });
    for (auto& th : threads) th.join();
    BOOST_TEST_MESSAGE("update_route publishes during the accesses: " << publishes.load());
    std::uint64_t sum = 0;
    std::vector<std::uint64_t> original;
    for (const auto& r : e.stats())
        if (r.route_id != 0) {
            original.push_back(r.load);
            sum += r.load;
        }
    BOOST_TEST(show(original) == show((std::vector<std::uint64_t>{5000, 5000, 5000, 5000})));
    BOOST_TEST(sum == 20000u);
    BOOST_TEST(e.stats().size() == 4u + static_cast<std::size_t>(publishes.load()));
    BOOST_TEST(e.generation() == 1u + static_cast<std::uint64_t>(publishes.load()));
}

// ---------------------------------------------------------------------------------------------
// §7.7 next_timestamp

BOOST_AUTO_TEST_CASE(engine_next_timestamp_sequential) {
    Engine e;
    BOOST_TEST(e.next_timestamp() == 1u);
    BOOST_TEST(e.next_timestamp() == 2u);
    BOOST_TEST(e.next_timestamp() == 3u);
    // Independent of versions, routes and other engines.
    BOOST_TEST(!e.apply_snapshot(snap(9, {})));
    BOOST_TEST(e.next_timestamp() == 4u);
    Engine other;
    BOOST_TEST(other.next_timestamp() == 1u);
    auto d = Engine::with_default_route();
    BOOST_TEST(d->next_timestamp() == 1u);
}

BOOST_AUTO_TEST_CASE(engine_next_timestamp_concurrent) {
    Engine e;
    constexpr int kThreads = 4, kCalls = 10000;
    std::vector<std::vector<std::uint64_t>> seen(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            auto& out = seen[static_cast<std::size_t>(t)];
            out.reserve(kCalls);
            start.arrive_and_wait();
            for (int i = 0; i < kCalls; ++i) out.push_back(e.next_timestamp());
        });
    for (auto& th : threads) th.join();
    std::vector<std::uint64_t> all;
    bool increasing = true;
    for (const auto& v : seen) {
        increasing = increasing && std::adjacent_find(v.begin(), v.end(), std::greater_equal<>()) == v.end();
        all.insert(all.end(), v.begin(), v.end());
    }
    BOOST_TEST(increasing);  // strictly increasing within each thread
    std::sort(all.begin(), all.end());
    BOOST_TEST_REQUIRE(all.size() == 40000u);
    bool exact = true;
    for (std::size_t i = 0; i < all.size(); ++i) exact = exact && all[i] == i + 1;
    BOOST_TEST(exact);  // 40,000 distinct values 1..40000
    BOOST_TEST(e.next_timestamp() == 40001u);
}

// ---------------------------------------------------------------------------------------------
// §7.8 apply_snapshot

BOOST_AUTO_TEST_CASE(engine_apply_replaces_table_and_version) {
    Engine e;
    BOOST_TEST(!e.apply_snapshot(example_74(1)));
    BOOST_TEST(e.version() == 1u);
    BOOST_TEST(e.generation() == 1u);
    BOOST_TEST(show(e.stats()) == show((std::vector<Route>{rt(1, "a", end_of("m"), 1), rt(2, "m", end_of("z"), 2),
                                                rt(3, "z", nullopt, 3)})));
    BOOST_TEST(!e.apply_snapshot(snap(5, {rd(9, "", nullopt, 4, RouteState::migrating_source, 1)})));
    BOOST_TEST(e.version() == 5u);
    BOOST_TEST(e.generation() == 2u);
    BOOST_TEST(show(e.stats()) == show(std::vector<Route>{rt(9, "", nullopt, 4, RouteState::migrating_source)}));
    BOOST_TEST(e.table()->version() == 5u);
    BOOST_TEST(e.table()->generation() == 2u);
}

BOOST_AUTO_TEST_CASE(engine_apply_stale_version) {
    Engine e;
    BOOST_TEST(!e.apply_snapshot(snap(2, {rd(1, "", nullopt, 1)})));
    std::string context = "untouched";
    auto ec = e.apply_snapshot(snap(1, {rd(2, "", nullopt, 2)}), &context);
    BOOST_TEST(ec == errc::engine_snapshot_version_stale);
    BOOST_TEST(context == "snapshot version 1 is older than engine catalog version 2");
    BOOST_TEST(ec.message() == "engine snapshot version is stale");
    // Without a context pointer: same code.
    BOOST_TEST(e.apply_snapshot(snap(0, {})) == errc::engine_snapshot_version_stale);
    BOOST_TEST(e.version() == 2u);
    BOOST_TEST(e.generation() == 1u);
    BOOST_TEST(show(e.stats()) == show(std::vector<Route>{rt(1, "", nullopt, 1)}));

    BOOST_TEST(!e.apply_snapshot(snap(17, {})));
    ec = e.apply_snapshot(snap(3, {}), &context);
    BOOST_TEST(ec == errc::engine_snapshot_version_stale);
    BOOST_TEST(context == "snapshot version 3 is older than engine catalog version 17");
}

BOOST_AUTO_TEST_CASE(engine_apply_equal_version_is_noop) {
    Engine e;
    BOOST_TEST(!e.apply_snapshot(example_74(3)));
    e.record_access("b");
    const auto before = e.stats();
    const auto gen = e.generation();
    // Different routes.
    BOOST_TEST(!e.apply_snapshot(snap(3, {rd(4, "", nullopt, 8)})));
    // Invalid routes (group 0, route id 0, overlap, duplicate ids).
    BOOST_TEST(!e.apply_snapshot(snap(3, {rd(4, "", nullopt, 0)})));
    BOOST_TEST(!e.apply_snapshot(snap(3, {rd(0, "", nullopt, 1)})));
    BOOST_TEST(!e.apply_snapshot(snap(3, {rd(1, "a", end_of("c"), 1), rd(1, "b", nullopt, 1)})));
    BOOST_TEST(!e.apply_snapshot(snap(3, {})));
    BOOST_TEST(show(e.stats()) == show(before));  // loads kept too
    BOOST_TEST(e.stats()[0].load == 1u);
    BOOST_TEST(e.generation() == gen);
    BOOST_TEST(e.version() == 3u);
    // A fresh engine is at version 0: applying version 0 is a no-op as well.
    Engine f;
    BOOST_TEST(!f.apply_snapshot(snap(0, {rd(1, "", nullopt, 1)})));
    BOOST_TEST(f.stats().empty());
    BOOST_TEST(f.generation() == 0u);
    BOOST_TEST(!f.current());
}

BOOST_AUTO_TEST_CASE(engine_apply_version_check_before_validation) {
    Engine e;
    BOOST_TEST(!e.apply_snapshot(snap(5, {rd(1, "", nullopt, 1)})));
    std::string context;
    BOOST_TEST(e.apply_snapshot(snap(4, {rd(0, "", nullopt, 0)}), &context) == errc::engine_snapshot_version_stale);
    BOOST_TEST(context == "snapshot version 4 is older than engine catalog version 5");
    BOOST_TEST(e.apply_snapshot(snap(4, {rd(1, "a", end_of("c"), 1), rd(1, "b", end_of("a"), 1)})) ==
               errc::engine_snapshot_version_stale);
}

BOOST_AUTO_TEST_CASE(engine_apply_validation_errors) {
    struct Case {
        const char* name;
        RouteDescriptor route;
        errc want;
    };
    const std::vector<Case> cases = {
        {"route id 0", rd(0, "a", end_of("b"), 1), errc::catalog_route_id_required},
        {"group id 0", rd(1, "a", end_of("b"), 0), errc::catalog_group_id_required},
        {"state 4", rd(1, "a", end_of("b"), 1, static_cast<RouteState>(4)), errc::catalog_invalid_route_state},
        {"state 255", rd(1, "a", nullopt, 1, static_cast<RouteState>(255)), errc::catalog_invalid_route_state},
        {"start == end", rd(1, "a", end_of("a"), 1), errc::catalog_invalid_route_range},
        {"start > end", rd(1, "b", end_of("a"), 1), errc::catalog_invalid_route_range},
        {"empty present end", rd(1, "", end_of(""), 1), errc::catalog_invalid_route_range},
        // First failing check wins: id, group, state, range.
        {"id 0 and group 0", rd(0, "b", end_of("a"), 0, static_cast<RouteState>(9)), errc::catalog_route_id_required},
        {"group 0 and bad state", rd(1, "b", end_of("a"), 0, static_cast<RouteState>(9)),
         errc::catalog_group_id_required},
        {"bad state and bad range", rd(1, "b", end_of("a"), 1, static_cast<RouteState>(9)),
         errc::catalog_invalid_route_state},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.name) {
            Engine e;
            // A valid first route, the invalid one second (in input order and in start order).
            auto ec = e.apply_snapshot(snap(1, {rd(77, "", end_of("a"), 1), c.route}));
            BOOST_TEST(ec == c.want);
            BOOST_TEST(e.version() == 0u);
            BOOST_TEST(e.generation() == 0u);
            BOOST_TEST(e.stats().empty());
            BOOST_TEST(!e.current());
            // Alone.
            BOOST_TEST(e.apply_snapshot(snap(1, {c.route})) == c.want);
            BOOST_TEST(e.version() == 0u);
        }
    }
}

BOOST_AUTO_TEST_CASE(engine_apply_duplicate_id_and_precedence) {
    Engine e;
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(10, "", end_of("m"), 1), rd(10, "m", nullopt, 2)})) ==
               errc::engine_snapshot_duplicate_id);
    // Input order: [id 5, id 5, group 0] -> duplicate; [group 0, id 5, id 5] -> group required.
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(5, "a", end_of("b"), 1), rd(5, "c", end_of("d"), 1),
                                          rd(6, "e", end_of("f"), 0)})) == errc::engine_snapshot_duplicate_id);
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(6, "e", end_of("f"), 0), rd(5, "a", end_of("b"), 1),
                                          rd(5, "c", end_of("d"), 1)})) == errc::catalog_group_id_required);
    // Per route: validated first, then checked for a duplicate id.
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(5, "a", end_of("b"), 1), rd(5, "c", end_of("d"), 0)})) ==
               errc::catalog_group_id_required);
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(5, "a", end_of("b"), 1), rd(6, "c", end_of("d"), 1),
                                          rd(5, "e", end_of("f"), 1), rd(0, "g", end_of("h"), 1)})) ==
               errc::engine_snapshot_duplicate_id);
    // Duplicate ids and validation come before the order / overlap checks.
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(1, "a", end_of("c"), 1), rd(1, "b", end_of("d"), 1)})) ==
               errc::engine_snapshot_duplicate_id);
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(1, "a", end_of("c"), 1), rd(2, "b", end_of("d"), 0)})) ==
               errc::catalog_group_id_required);
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(1, "a", nullopt, 1), rd(0, "b", end_of("d"), 1)})) ==
               errc::catalog_route_id_required);
    BOOST_TEST(e.version() == 0u);
    BOOST_TEST(e.generation() == 0u);
    BOOST_TEST(e.stats().empty());
}

BOOST_AUTO_TEST_CASE(engine_apply_duplicate_id_large_and_sparse_ids) {
    constexpr std::uint64_t kMax = ~std::uint64_t{0};
    constexpr std::uint64_t kBig = std::uint64_t{1} << 40;
    Engine e;
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(kMax, "a", end_of("b"), 1), rd(kMax, "b", nullopt, 1)})) ==
               errc::engine_snapshot_duplicate_id);
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(kBig, "a", end_of("b"), 1), rd(kMax, "b", end_of("c"), 1),
                                          rd(kBig, "c", nullopt, 1)})) == errc::engine_snapshot_duplicate_id);
    // Small and large ids mixed, the repeat of a small one.
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(kMax, "a", end_of("b"), 1), rd(7, "b", end_of("c"), 1),
                                          rd(8, "c", end_of("d"), 1), rd(7, "d", nullopt, 1)})) ==
               errc::engine_snapshot_duplicate_id);
    // Input-order precedence with sparse ids.
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(kBig, "a", end_of("b"), 1), rd(kBig, "b", end_of("c"), 1),
                                          rd(kMax, "c", nullopt, 0)})) == errc::engine_snapshot_duplicate_id);
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(kMax, "c", nullopt, 0), rd(kBig, "a", end_of("b"), 1),
                                          rd(kBig, "b", end_of("c"), 1)})) == errc::catalog_group_id_required);
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(kMax, "a", end_of("b"), 1), rd(7, "b", end_of("c"), 1),
                                          rd(9, "c", end_of("d"), 0), rd(7, "d", nullopt, 1)})) ==
               errc::catalog_group_id_required);
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(kMax, "a", end_of("b"), 1), rd(7, "b", end_of("c"), 1),
                                          rd(7, "c", end_of("d"), 1), rd(9, "d", nullopt, 0)})) ==
               errc::engine_snapshot_duplicate_id);
    // Small dense ids.
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(100, "a", end_of("b"), 1), rd(100, "b", nullopt, 1)})) ==
               errc::engine_snapshot_duplicate_id);
    BOOST_TEST(e.apply_snapshot(snap(1, {rd(1, "a", end_of("b"), 1), rd(2, "b", end_of("c"), 1),
                                          rd(3, "c", end_of("d"), 1), rd(2, "d", nullopt, 1)})) ==
               errc::engine_snapshot_duplicate_id);
    BOOST_TEST(e.version() == 0u);
    BOOST_TEST(e.stats().empty());
    // Distinct large ids are fine.
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(kMax, "b", nullopt, 2), rd(kBig, "a", end_of("b"), 1)})));
    BOOST_TEST(show(e.stats()) ==
               show(std::vector<Route>{rt(kBig, "a", end_of("b"), 1), rt(kMax, "b", nullopt, 2)}));
}

BOOST_AUTO_TEST_CASE(engine_apply_sorts_by_start) {
    Engine e;
    // Unsorted, sharing an 8-byte prefix, with NUL and 0xFF bytes.
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(3, "abcdefgh2", end_of("abcdefgh\xff"), 3),
                                           rd(5, b("abcdefgh\xff"), nullopt, 5),
                                           rd(1, "abcdefgh", b("abcdefgh\0"), 1),
                                           rd(4, b("abcdefg\0"), end_of("abcdefgh"), 4),
                                           rd(2, b("abcdefgh\0"), end_of("abcdefgh2"), 2)})));
    BOOST_TEST(show(e.stats()) == show(std::vector<Route>{rt(4, b("abcdefg\0"), end_of("abcdefgh"), 4),
                                                          rt(1, "abcdefgh", b("abcdefgh\0"), 1),
                                                          rt(2, b("abcdefgh\0"), end_of("abcdefgh2"), 2),
                                                          rt(3, "abcdefgh2", end_of("abcdefgh\xff"), 3),
                                                          rt(5, b("abcdefgh\xff"), nullopt, 5)}));
    BOOST_TEST(group_at(e, "abcdefgh") == 1u);
    BOOST_TEST(group_at(e, "abcdefgh1") == 2u);
    BOOST_TEST(group_at(e, "abcdefgh3") == 3u);
    BOOST_TEST(group_at(e, b("abcdefgh\xff\0")) == 5u);
    // Catalog order (bounded end before unbounded for an equal start) is not the engine's concern:
    // an equal start is an order error whatever the ends.
    BOOST_TEST(e.apply_snapshot(snap(2, {rd(1, "k", end_of("m"), 1), rd(2, "a", end_of("b"), 2),
                                          rd(3, "k", nullopt, 3)})) == errc::engine_snapshot_route_order);
    // Unsorted input where the overlap only shows once sorted.
    BOOST_TEST(e.apply_snapshot(snap(2, {rd(1, "x", nullopt, 1), rd(2, "a", end_of("c"), 2),
                                          rd(3, "b", end_of("d"), 3)})) == errc::engine_snapshot_route_overlap);
    BOOST_TEST(e.version() == 1u);
}

BOOST_AUTO_TEST_CASE(engine_apply_order_and_overlap_errors) {
    struct Case {
        const char* name;
        std::vector<RouteDescriptor> routes;
        errc want;
    };
    const std::vector<Case> cases = {
        {"duplicate start", {rd(1, "a", end_of("b"), 1), rd(2, "a", end_of("c"), 2)},
         errc::engine_snapshot_route_order},
        {"duplicate start, unbounded", {rd(1, "a", nullopt, 1), rd(2, "a", end_of("c"), 2)},
         errc::engine_snapshot_route_order},
        {"unbounded not last", {rd(1, "a", nullopt, 1), rd(2, "b", end_of("c"), 2)},
         errc::engine_snapshot_route_order},
        {"unbounded not last, input reversed", {rd(2, "b", end_of("c"), 2), rd(1, "a", nullopt, 1)},
         errc::engine_snapshot_route_order},
        {"two unbounded", {rd(1, "a", nullopt, 1), rd(2, "b", nullopt, 2)}, errc::engine_snapshot_route_order},
        {"overlap", {rd(1, "", end_of("n"), 1), rd(2, "m", nullopt, 2)}, errc::engine_snapshot_route_overlap},
        {"overlap by one byte", {rd(1, "a", b("b\0"), 1), rd(2, "b", end_of("c"), 2)},
         errc::engine_snapshot_route_overlap},
        {"containment", {rd(1, "a", end_of("z"), 1), rd(2, "b", end_of("c"), 2)},
         errc::engine_snapshot_route_overlap},
        {"overlap after a good pair", {rd(1, "a", end_of("b"), 1), rd(2, "b", end_of("d"), 2),
                                       rd(3, "c", end_of("e"), 3)},
         errc::engine_snapshot_route_overlap},
        // The first bad adjacent pair decides.
        {"overlap before an order error", {rd(1, "a", end_of("c"), 1), rd(2, "b", end_of("d"), 2),
                                           rd(3, "x", nullopt, 3), rd(4, "y", end_of("z"), 4)},
         errc::engine_snapshot_route_overlap},
        {"order error before an overlap", {rd(1, "a", nullopt, 1), rd(2, "b", end_of("d"), 2),
                                           rd(3, "c", end_of("e"), 3)},
         errc::engine_snapshot_route_order},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.name) {
            Engine e;
            BOOST_TEST_REQUIRE(!e.apply_snapshot(snap(1, {rd(50, "q", end_of("r"), 5)})));
            e.record_access("q");
            BOOST_TEST(e.apply_snapshot(snap(2, c.routes)) == c.want);
            // Nothing changes on any error.
            BOOST_TEST(e.version() == 1u);
            BOOST_TEST(e.generation() == 1u);
            BOOST_TEST(show(e.stats()) == show(std::vector<Route>{rt(50, "q", end_of("r"), 5, kActive, 1)}));
            BOOST_TEST(!e.snapshot_at(2));
        }
    }
}

BOOST_AUTO_TEST_CASE(engine_apply_accepts_gaps_adjacency_and_any_order) {
    Engine e;
    // Input unsorted; first route not at ""; last bounded; a gap [c,e); adjacency at "f".
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(3, "f", end_of("g"), 3), rd(1, "b", end_of("c"), 1),
                                           rd(2, "e", end_of("f"), 2)})));
    BOOST_TEST(show(e.stats()) == show((std::vector<Route>{rt(1, "b", end_of("c"), 1), rt(2, "e", end_of("f"), 2),
                                                rt(3, "f", end_of("g"), 3)})));
    BOOST_TEST(!e.get_route("a"));
    BOOST_TEST(!e.get_route("d"));
    BOOST_TEST(group_at(e, "e") == 2u);
    BOOST_TEST(group_at(e, "f") == 3u);
    BOOST_TEST(!e.get_route("g"));
    // A single unbounded route not at "".
    BOOST_TEST(!e.apply_snapshot(snap(2, {rd(8, "k", nullopt, 8)})));
    BOOST_TEST(show(e.stats()) == show(std::vector<Route>{rt(8, "k", nullopt, 8)}));
    // Equal start and end keys across routes are fine: [a,b) then [b, inf).
    BOOST_TEST(!e.apply_snapshot(snap(3, {rd(2, "b", nullopt, 2), rd(1, "a", end_of("b"), 1)})));
    BOOST_TEST(show(groups(e.stats())) == show((std::vector<std::uint64_t>{1, 2})));
}

BOOST_AUTO_TEST_CASE(engine_apply_empty_route_list_clears) {
    Engine e;
    BOOST_TEST(!e.apply_snapshot(example_74(1)));
    BOOST_TEST(!e.apply_snapshot(snap(2, {})));
    BOOST_TEST(e.stats().empty());
    BOOST_TEST(!e.get_route("b"));
    BOOST_TEST(e.intersecting("", nullopt).empty());
    BOOST_TEST(e.version() == 2u);
    BOOST_TEST(e.generation() == 2u);
    auto h = e.current();
    BOOST_TEST_REQUIRE(h.has_value());
    BOOST_TEST(h->version() == 2u);
    BOOST_TEST(h->routes().empty());
    BOOST_TEST(!h->owner_of("b"));
}

BOOST_AUTO_TEST_CASE(engine_apply_resets_loads_and_drops_parent) {
    Engine e;
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(1, "a", end_of("m"), 1), rd(2, "m", nullopt, 2)})));
    for (int i = 0; i < 3; ++i) e.record_access("b");
    e.record_access("n");
    BOOST_TEST(show(loads(e.stats())) == show((std::vector<std::uint64_t>{3, 1})));
    BOOST_TEST(!e.apply_snapshot(snap(2, {rd(1, "a", end_of("m"), 1, kActive, 7), rd(2, "m", nullopt, 2, kActive, 1)})));
    BOOST_TEST(show(e.stats()) == show((std::vector<Route>{rt(1, "a", end_of("m"), 1), rt(2, "m", nullopt, 2)})));
    e.record_access("b");
    BOOST_TEST(show(loads(e.stats())) == show((std::vector<std::uint64_t>{1, 0})));
}

BOOST_AUTO_TEST_CASE(engine_apply_generation_counts_publishes) {
    auto e = Engine::with_threshold(2);
    BOOST_TEST(e->generation() == 0u);
    BOOST_TEST(!e->apply_snapshot(snap(1, {rd(1, "a", end_of("c"), 1)})));
    BOOST_TEST(e->generation() == 1u);
    BOOST_TEST(e->apply_snapshot(snap(2, {rd(0, "a", end_of("c"), 1)})) == errc::catalog_route_id_required);
    BOOST_TEST(e->generation() == 1u);
    BOOST_TEST(e->apply_snapshot(snap(0, {})) == errc::engine_snapshot_version_stale);
    BOOST_TEST(e->generation() == 1u);
    BOOST_TEST(!e->apply_snapshot(snap(1, {})));
    BOOST_TEST(e->generation() == 1u);
    e->update_route("x", "y", 2);
    BOOST_TEST(e->generation() == 2u);
    e->record_access("b");
    e->record_access("b");  // split
    BOOST_TEST(e->generation() == 3u);
    BOOST_TEST(!e->apply_snapshot(snap(10, {rd(1, "a", end_of("c"), 1)})));
    BOOST_TEST(e->generation() == 4u);
    BOOST_TEST(e->version() == 10u);
}

BOOST_AUTO_TEST_CASE(engine_concurrent_apply_newest_wins) {
    int bad_version = 0, bad_routes = 0, bad_errors = 0, bad_generation = 0, bad_history = 0;
    for (int rep = 0; rep < 50; ++rep) {
        Engine e;
        constexpr int kVersions = 20;
        std::vector<int> result(kVersions + 1, -1);  // 0 success, 1 stale, 2 other
        std::latch start(kVersions);
        std::vector<std::thread> threads;
        for (int v = 1; v <= kVersions; ++v)
            threads.emplace_back([&, v] {
                const auto uv = static_cast<std::uint64_t>(v);
                std::vector<RouteDescriptor> routes;
                // Every version: 64 + v % 3 adjacent routes in group v, given in reverse order (so the
                // engine sorts them): long enough to validate that applies overlap.
                const std::size_t n = 64 + uv % 3;
                for (std::size_t i = n; i-- > 0;) {
                    std::optional<std::string> end;
                    if (i + 1 < n) end = numbered_key(i + 1);
                    routes.push_back(rd(uv * 1000 + i, numbered_key(i), end, uv));
                }
                start.arrive_and_wait();
                auto ec = e.apply_snapshot(snap(uv, std::move(routes)));
                result[static_cast<std::size_t>(v)] =
                    !ec ? 0 : ec == errc::engine_snapshot_version_stale ? 1 : 2;
            });
        for (auto& th : threads) th.join();
        bad_version += e.version() != 20;
        const auto s = e.stats();
        bool routes_ok = s.size() == 64 + 20 % 3;
        for (std::size_t i = 0; i < s.size(); ++i)
            routes_ok = routes_ok && s[i].group_id == 20 && s[i].route_id == 20000 + i && s[i].load == 0 &&
                        s[i].start == numbered_key(i);
        bad_routes += !routes_ok;
        int successes = 0;
        bool history_ok = true;
        for (int v = 1; v <= kVersions; ++v) {
            bad_errors += result[static_cast<std::size_t>(v)] == 2 || result[static_cast<std::size_t>(v)] < 0;
            const bool won = result[static_cast<std::size_t>(v)] == 0;
            successes += won;
            // Exactly the versions that were published are in the history.
            auto h = e.snapshot_at(static_cast<std::uint64_t>(v));
            history_ok = history_ok && h.has_value() == won;
            if (h) {
                for (const auto& r : h->routes()) history_ok = history_ok && r.group_id == static_cast<std::uint64_t>(v);
            }
        }
        bad_errors += result[20] != 0;  // the newest version can never be stale
        bad_generation += e.generation() != static_cast<std::uint64_t>(successes);
        bad_history += !history_ok;
    }
    BOOST_TEST(bad_version == 0);
    BOOST_TEST(bad_routes == 0);
    BOOST_TEST(bad_errors == 0);
    BOOST_TEST(bad_generation == 0);
    BOOST_TEST(bad_history == 0);
}

BOOST_AUTO_TEST_CASE(engine_readers_never_see_torn_tables) {
    Engine e;
    std::atomic<bool> done{false};
    std::atomic<int> apply_errors{0};
    std::latch start(2);
    std::thread writer([&] {
        start.arrive_and_wait();
        for (std::uint64_t v = 1; v <= 2000; ++v)
            if (e.apply_snapshot(consistent_snapshot(v))) apply_errors.fetch_add(1);
        done.store(true);
    });
    int torn = 0, backwards = 0, iterations = 0;
    auto consistent = [](const std::vector<Route>& rs) {
        if (rs.empty()) return true;
        const std::uint64_t g = rs[0].group_id;
        if (rs.size() != g % 7 + 1) return false;
        for (std::size_t i = 0; i < rs.size(); ++i)
            if (rs[i].group_id != g || rs[i].route_id != i + 1 || rs[i].start != "k" + std::to_string(i)) return false;
        return true;
    };
    std::uint64_t last_version = 0;
    start.arrive_and_wait();
    while (!done.load() || iterations == 0) {
        ++iterations;
        auto t = e.table();
        const std::uint64_t v = t->version();
        if (v < last_version) ++backwards;
        last_version = v;
        bool ok = t->size() == (v == 0 ? 0 : v % 7 + 1);
        for (std::size_t i = 0; i < t->size(); ++i) ok = ok && t->group_id(i) == v;
        ok = ok && consistent(t->routes());
        ok = ok && consistent(e.stats());
        ok = ok && consistent(e.intersecting("", nullopt));
        if (auto r = e.get_route("k0")) ok = ok && r->route_id == 1 && r->start == "k0";
        if (auto h = e.current())
            for (const auto& r : h->routes()) ok = ok && r.group_id == h->version();
        torn += !ok;
    }
    writer.join();
    BOOST_TEST_MESSAGE("reader iterations: " << iterations);
    BOOST_TEST(apply_errors.load() == 0);
    BOOST_TEST(torn == 0);
    BOOST_TEST(backwards == 0);
    BOOST_TEST(e.version() == 2000u);
    BOOST_TEST(e.generation() == 2000u);
    BOOST_TEST(show(groups(e.stats())) == show(std::vector<std::uint64_t>(2000 % 7 + 1, 2000)));
}

// ---------------------------------------------------------------------------------------------
// §7.9 history ring; §16.26

BOOST_AUTO_TEST_CASE(engine_history_records_each_apply) {
    Engine e;
    BOOST_TEST(!e.apply_snapshot(example_74(1)));
    BOOST_TEST(!e.apply_snapshot(snap(3, {rd(4, "", nullopt, 4)})));
    auto h1 = e.snapshot_at(1);
    auto h3 = e.snapshot_at(3);
    BOOST_TEST_REQUIRE(h1.has_value());
    BOOST_TEST_REQUIRE(h3.has_value());
    BOOST_TEST(h1->version() == 1u);
    BOOST_TEST(h3->version() == 3u);
    BOOST_TEST(!e.snapshot_at(2));
    BOOST_TEST(!e.snapshot_at(4));
    BOOST_TEST(!e.snapshot_at(0));
    BOOST_TEST(show(h1->routes()) == show((std::vector<Route>{rt(1, "a", end_of("m"), 1), rt(2, "m", end_of("z"), 2),
                                                   rt(3, "z", nullopt, 3)})));
    BOOST_TEST(h1->owner_of("b") == std::optional<std::uint64_t>(1));
    BOOST_TEST(h1->owner_of("m") == std::optional<std::uint64_t>(2));
    BOOST_TEST(h1->owner_of("zz") == std::optional<std::uint64_t>(3));
    BOOST_TEST(!h1->owner_of("0"));
    BOOST_TEST(h3->owner_of("b") == std::optional<std::uint64_t>(4));
    BOOST_TEST(e.current()->version() == 3u);
    // Failed, stale and equal-version applies record nothing.
    BOOST_TEST(e.apply_snapshot(snap(4, {rd(0, "", nullopt, 1)})) == errc::catalog_route_id_required);
    BOOST_TEST(!e.snapshot_at(4));
    BOOST_TEST(e.apply_snapshot(snap(2, {})) == errc::engine_snapshot_version_stale);
    BOOST_TEST(!e.snapshot_at(2));
    BOOST_TEST(!e.apply_snapshot(snap(3, {})));
    BOOST_TEST(show(e.snapshot_at(3)->routes()) == show(std::vector<Route>{rt(4, "", nullopt, 4)}));
}

BOOST_AUTO_TEST_CASE(engine_history_first_table_wins) {
    // Through the engine: v1, then a split: the history of v1 still shows the pre-split route.
    auto e = Engine::with_threshold(2);
    BOOST_TEST(!e->apply_snapshot(snap(1, {rd(1, "a", end_of("c"), 1)})));
    e->record_access("b");
    e->record_access("b");
    BOOST_TEST(e->stats().size() == 2u);
    BOOST_TEST(!e->apply_snapshot(snap(1, {rd(1, "a", end_of("b"), 1), rd(2, "b", end_of("c"), 2)})));
    BOOST_TEST(show(shapes(e->snapshot_at(1)->routes())) == show((std::vector<Shape>{Shape{1, "a", end_of("c"), 1, kActive}})));
    BOOST_TEST(e->snapshot_at(1)->owner_of(b("a\0")) == std::optional<std::uint64_t>(1));

    // The ring itself: a second record of a version is ignored.
    RouteHistory ring(4);
    auto t1 = RouteTable::from_sorted({rd(1, "", nullopt, 1)}, 7, 1);
    auto t2 = RouteTable::from_sorted({rd(2, "", nullopt, 2)}, 7, 2);
    ring.record(7, t1);
    ring.record(7, t2);
    BOOST_TEST(ring.size() == 1u);
    BOOST_TEST(ring.at(7)->owner_of("x") == std::optional<std::uint64_t>(1));
    BOOST_TEST(show(ring.at(7)->routes()) == show(std::vector<Route>{rt(1, "", nullopt, 1)}));
}

BOOST_AUTO_TEST_CASE(engine_history_depth_fifo_eviction) {
    Engine e;
    for (std::uint64_t v = 1; v <= 40; ++v) BOOST_TEST_REQUIRE(!e.apply_snapshot(snap(v, {rd(v, "", nullopt, v)})));
    for (std::uint64_t v = 1; v <= 8; ++v) BOOST_TEST(!e.snapshot_at(v), "version " << v << " should be evicted");
    for (std::uint64_t v = 9; v <= 40; ++v) {
        auto h = e.snapshot_at(v);
        BOOST_TEST_REQUIRE(h.has_value(), "version " << v << " should be kept");
        BOOST_TEST(h->owner_of("k") == std::optional<std::uint64_t>(v));
    }
    BOOST_TEST(e.history_depth() == 32u);

    // Eviction is by recording order (oldest recorded first), with the version-0 entry first.
    auto d = Engine::with_default_route();
    for (std::uint64_t v = 1; v <= 31; ++v) BOOST_TEST_REQUIRE(!d->apply_snapshot(snap(v, {rd(v, "", nullopt, v)})));
    BOOST_TEST(d->snapshot_at(0).has_value());
    BOOST_TEST_REQUIRE(!d->apply_snapshot(snap(32, {rd(32, "", nullopt, 32)})));
    BOOST_TEST(!d->snapshot_at(0));
    BOOST_TEST(d->snapshot_at(1).has_value());
    BOOST_TEST(d->snapshot_at(32).has_value());
}

BOOST_AUTO_TEST_CASE(engine_history_set_depth_for_test) {
    Engine e;
    for (std::uint64_t v = 1; v <= 10; ++v) BOOST_TEST_REQUIRE(!e.apply_snapshot(snap(v, {rd(v, "", nullopt, v)})));
    detail::set_history_depth_for_test(e, 4);
    BOOST_TEST(e.history_depth() == 4u);
    for (std::uint64_t v = 1; v <= 6; ++v) BOOST_TEST(!e.snapshot_at(v));
    for (std::uint64_t v = 7; v <= 10; ++v) BOOST_TEST(e.snapshot_at(v).has_value());
    BOOST_TEST_REQUIRE(!e.apply_snapshot(snap(11, {rd(11, "", nullopt, 11)})));
    BOOST_TEST(!e.snapshot_at(7));
    for (std::uint64_t v = 8; v <= 11; ++v) BOOST_TEST(e.snapshot_at(v).has_value());
    // Growing keeps what is there and records more.
    detail::set_history_depth_for_test(e, 6);
    BOOST_TEST(e.history_depth() == 6u);
    BOOST_TEST_REQUIRE(!e.apply_snapshot(snap(12, {rd(12, "", nullopt, 12)})));
    BOOST_TEST_REQUIRE(!e.apply_snapshot(snap(13, {rd(13, "", nullopt, 13)})));
    for (std::uint64_t v = 8; v <= 13; ++v) BOOST_TEST(e.snapshot_at(v).has_value());
    BOOST_TEST(!e.snapshot_at(7));
    // Shrink to 1: only the newest.
    detail::set_history_depth_for_test(e, 1);
    for (std::uint64_t v = 8; v <= 12; ++v) BOOST_TEST(!e.snapshot_at(v));
    BOOST_TEST(e.current()->version() == 13u);
    // 0 is a programming error.
    BOOST_CHECK_THROW(detail::set_history_depth_for_test(e, 0), std::invalid_argument);
    BOOST_TEST(e.history_depth() == 1u);
    BOOST_TEST(e.current().has_value());
}

BOOST_AUTO_TEST_CASE(engine_history_depth_zero_never_records) {
    EngineOptions opts;
    opts.history_depth = 0;
    Engine e(opts);
    BOOST_TEST(e.history_depth() == 0u);
    for (std::uint64_t v = 1; v <= 3; ++v) BOOST_TEST(!e.apply_snapshot(snap(v, {rd(v, "", nullopt, v)})));
    BOOST_TEST(e.version() == 3u);
    for (std::uint64_t v = 0; v <= 3; ++v) BOOST_TEST(!e.snapshot_at(v));
    BOOST_TEST(!e.current());
    BOOST_TEST(group_at(e, "k") == 3u);  // the engine itself works
}

BOOST_AUTO_TEST_CASE(engine_history_not_updated_by_update_route) {
    auto e = Engine::with_default_route();
    e->update_route("m", "n", 2);
    BOOST_TEST(group_at(*e, "m") == 2u);
    auto h0 = e->snapshot_at(0);
    BOOST_TEST_REQUIRE(h0.has_value());
    BOOST_TEST(show(h0->routes()) == show(std::vector<Route>{rt(0, "", nullopt, 1)}));
    BOOST_TEST(h0->owner_of("m") == std::optional<std::uint64_t>(1));
    BOOST_TEST(show(e->current()->routes()) == show(std::vector<Route>{rt(0, "", nullopt, 1)}));
}

BOOST_AUTO_TEST_CASE(engine_history_owner_of_vs_get_route_overlapping) {
    // §16.24: ["",z)->1 and [m,n)->2 via update_route; OwnerOf walks forward, GetRoute examines
    // only the floor route. History only records validated snapshots, so the walk is run on a
    // HistorySnapshot of the engine's current (overlapping) table.
    Engine e;
    e.update_route("", "z", 1);
    e.update_route("m", "n", 2);
    const HistorySnapshot h(0, e.table());
    using G = std::optional<std::uint64_t>;
    // "p": floor [m,n) does not hold it -> unrouted; the walk finds ["",z) first -> 1.
    BOOST_TEST(!e.get_route("p"));
    BOOST_TEST(h.owner_of("p") == G(1));
    // "m": floor [m,n) -> 2; the walk reaches ["",z) first, which holds "m" -> 1.
    BOOST_TEST(group_at(e, "m") == 2u);
    BOOST_TEST(h.owner_of("m") == G(1));
    BOOST_TEST(h.owner_of("m5") == G(1));
    // "a": both 1.
    BOOST_TEST(group_at(e, "a") == 1u);
    BOOST_TEST(h.owner_of("a") == G(1));
    BOOST_TEST(h.owner_of("") == G(1));
    // "z" and beyond: nothing holds it.
    BOOST_TEST(!e.get_route("z"));
    BOOST_TEST(!h.owner_of("z"));
    BOOST_TEST(!h.owner_of("zz"));
    BOOST_TEST(h.version() == 0u);

    // A walk that skips a route ending at or before the key and finds a later one.
    Engine f;
    f.update_route("", "c", 1);
    f.update_route("b", "q", 2);
    f.update_route("d", "e", 3);
    const HistorySnapshot hf(0, f.table());
    BOOST_TEST(hf.owner_of("a") == G(1));
    BOOST_TEST(hf.owner_of("b") == G(1));   // ["",c) comes first
    BOOST_TEST(hf.owner_of("c") == G(2));   // ["",c) skipped (end <= key)
    BOOST_TEST(hf.owner_of("d") == G(2));   // [b,q) before [d,e)
    BOOST_TEST(hf.owner_of("p") == G(2));
    BOOST_TEST(!hf.owner_of("q"));
    BOOST_TEST(group_at(f, "d") == 3u);
    BOOST_TEST(!f.get_route("f"));          // floor [d,e) does not hold "f"
    BOOST_TEST(hf.owner_of("f") == G(2));
}

BOOST_AUTO_TEST_CASE(engine_history_owner_of_stop_rule) {
    Engine e;
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(1, "b", end_of("d"), 1), rd(2, "f", end_of("h"), 2),
                                           rd(3, "k", nullopt, 3)})));
    auto h = e.current();
    BOOST_TEST_REQUIRE(h.has_value());
    using G = std::optional<std::uint64_t>;
    BOOST_TEST(!h->owner_of(""));   // the first route starts above the key: stop
    BOOST_TEST(!h->owner_of("a"));
    BOOST_TEST(h->owner_of("b") == G(1));
    BOOST_TEST(h->owner_of("c") == G(1));
    BOOST_TEST(!h->owner_of("d"));  // [b,d) skipped, [f,h) starts above: stop
    BOOST_TEST(!h->owner_of("e"));
    BOOST_TEST(h->owner_of("f") == G(2));
    BOOST_TEST(!h->owner_of("h"));
    BOOST_TEST(!h->owner_of(b("j\xff")));
    BOOST_TEST(h->owner_of("k") == G(3));
    BOOST_TEST(h->owner_of(b("\xff\xff")) == G(3));
}

BOOST_AUTO_TEST_CASE(engine_history_snapshot_is_immutable) {
    // §7.9: the ring holds an immutable copy of the table at the recorded version. Accesses recorded
    // after the version was recorded must not show through the history snapshot.
    Engine e;
    BOOST_TEST(!e.apply_snapshot(snap(1, {rd(1, "a", end_of("m"), 1), rd(2, "m", nullopt, 2)})));
    const auto recorded = e.snapshot_at(1)->routes();
    BOOST_TEST(show(recorded) == show((std::vector<Route>{rt(1, "a", end_of("m"), 1), rt(2, "m", nullopt, 2)})));
    for (int i = 0; i < 3; ++i) e.record_access("b");
    BOOST_TEST(show(loads(e.stats())) == show((std::vector<std::uint64_t>{3, 0})));
    BOOST_TEST(show(e.snapshot_at(1)->routes()) == show(recorded));

    auto d = Engine::with_default_route();
    d->record_access("k");
    BOOST_TEST(show(d->snapshot_at(0)->routes()) == show(std::vector<Route>{rt(0, "", nullopt, 1, kActive, 0)}));
}

BOOST_AUTO_TEST_CASE(engine_update_routes_adds_many_in_one_publish_keeping_states) {
    auto e = Engine::with_default_route();
    e->record_access("k");
    const std::uint64_t generation = e->generation();
    e->update_routes({rd(9, "m", std::string("t"), 2, RouteState::write_fenced), rd(8, "", std::string("c"), 3)});
    BOOST_TEST(e->generation() == generation + 1);
    BOOST_TEST(e->version() == 0u);
    const auto routes = e->stats();
    BOOST_TEST_REQUIRE(routes.size() == 3u);
    // The default route keeps its place before the new "" route and its load.
    BOOST_TEST((routes[0] == rt(0, "", std::nullopt, 1, RouteState::active, 1)));
    BOOST_TEST((routes[1] == rt(0, "", std::string("c"), 3)));
    BOOST_TEST((routes[2] == rt(0, "m", std::string("t"), 2, RouteState::write_fenced)));
    BOOST_TEST(e->get_route("b")->group_id == 3u);  // the last of equal starts
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
