#include "support/builders.hpp"
#include "support/bytes.hpp"

#include <boost/test/unit_test.hpp>

#include "support/printers.hpp"

#include "routecat/catalog/catalog_plan.hpp"
#include "routecat/codec.hpp"
#include "routecat/error.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace routecat {
using test::kMax;
using test::rd;
namespace {

Mutation put_route(const RouteDescriptor& r) {
    return Mutation::put(codec::route_key(r.route_id), codec::encode_route_descriptor(r).value());
}
Mutation del_route(std::uint64_t id) { return Mutation::del(codec::route_key(id)); }
Mutation put_version(std::uint64_t v) { return Mutation::put(std::string(codec::kVersionKey), codec::encode_version(v)); }
Mutation put_next(std::uint64_t n) {
    return Mutation::put(std::string(codec::kNextRouteIdKey), codec::encode_next_route_id(n));
}

// The spec's split example: v1 = 1:["",m)->1, 2:[m,inf)->2, read at ts 7.
CatalogSnapshot example() { return CatalogSnapshot{1, {rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)}, 7}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(catalog_plan)

// ---------------------------------------------------------------------------------------------
// next_route_id_floor (§6.3)

BOOST_AUTO_TEST_CASE(next_route_id_floor_empty_is_one) {
    auto r = next_route_id_floor({});
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(*r == 1u);
}

BOOST_AUTO_TEST_CASE(next_route_id_floor_is_max_plus_one) {
    auto one = next_route_id_floor({rd(5, "", std::nullopt)});
    BOOST_TEST_REQUIRE(one.has_value());
    BOOST_TEST(*one == 6u);

    // Max, not last, not count.
    auto many = next_route_id_floor(
        {rd(3, "", std::string("a")), rd(9, "a", std::string("b")), rd(2, "b", std::nullopt)});
    BOOST_TEST_REQUIRE(many.has_value());
    BOOST_TEST(*many == 10u);

    auto high = next_route_id_floor({rd(1, "", std::string("a")), rd(kMax - 1, "a", std::nullopt)});
    BOOST_TEST_REQUIRE(high.has_value());
    BOOST_TEST(*high == kMax);

    // Ids are not validated here: only id 0 -> 0 + 1.
    auto zero = next_route_id_floor({rd(0, "", std::nullopt)});
    BOOST_TEST_REQUIRE(zero.has_value());
    BOOST_TEST(*zero == 1u);
}

BOOST_AUTO_TEST_CASE(next_route_id_floor_overflow) {
    auto r = next_route_id_floor({rd(kMax, "", std::nullopt)});
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error() == errc::catalog_route_id_overflow));

    auto mixed = next_route_id_floor({rd(1, "", std::string("a")), rd(kMax, "a", std::nullopt),
                                      rd(2, "b", std::nullopt)});
    BOOST_TEST_REQUIRE(mixed.has_error());
    BOOST_TEST((mixed.error() == errc::catalog_route_id_overflow));
}

// ---------------------------------------------------------------------------------------------
// normalize_routes (§6.5 step 1)

BOOST_AUTO_TEST_CASE(normalize_sorts_into_catalog_order) {
    auto r = normalize_routes({rd(2, "m", std::nullopt, 2), rd(9, "a", "b"), rd(1, "", "m"), rd(3, "a", std::nullopt)});
    BOOST_TEST_REQUIRE(r.has_value());
    const std::vector<RouteDescriptor> expected{rd(1, "", "m"), rd(9, "a", "b"), rd(3, "a", std::nullopt),
                                                rd(2, "m", std::nullopt, 2)};
    BOOST_TEST(*r == expected, boost::test_tools::per_element());
    BOOST_TEST(normalize_routes({}).value().empty());
}

BOOST_AUTO_TEST_CASE(normalize_accepts_overlaps_and_rejects_in_input_order) {
    BOOST_TEST(normalize_routes({rd(1, "", "z"), rd(2, "b", "c")}).has_value());  // overlaps are Save's to keep
    // The first failure in input order wins: an invalid route before a duplicate id, and after it.
    BOOST_TEST((normalize_routes({rd(1, "", "m"), rd(2, "b", "a"), rd(1, "x", std::nullopt)}).error() ==
                errc::catalog_invalid_route_range));
    BOOST_TEST((normalize_routes({rd(1, "", "m"), rd(1, "x", std::nullopt), rd(0, "b", "a")}).error() ==
                errc::catalog_duplicate_route_id));
    BOOST_TEST((normalize_routes({rd(1, "", "m", 0)}).error() == errc::catalog_group_id_required));
    BOOST_TEST((normalize_routes({rd(0, "", "m")}).error() == errc::catalog_route_id_required));
}

// ---------------------------------------------------------------------------------------------
// plan_write_version (§6.5 steps 3-5)

BOOST_AUTO_TEST_CASE(write_version_is_expected_plus_one_above_the_read) {
    BOOST_TEST((plan_write_version(0, 0, 0).value() == WriteVersion{1, 1}));
    BOOST_TEST((plan_write_version(4, 4, 17).value() == WriteVersion{5, 18}));
    BOOST_TEST((plan_write_version(kMax - 1, kMax - 1, kMax - 1).value() == WriteVersion{kMax, kMax}));
}

BOOST_AUTO_TEST_CASE(write_version_errors_in_the_spec_order) {
    std::string context;
    auto stale = plan_write_version(2, 3, 9, &context);
    BOOST_TEST((stale.error() == errc::catalog_version_mismatch));
    BOOST_TEST(context == "expected version 2, durable version 3");
    // The mismatch comes first, even at the overflow limits.
    BOOST_TEST((plan_write_version(kMax, 1, kMax).error() == errc::catalog_version_mismatch));
    auto version = plan_write_version(kMax, kMax, 1, &context);
    BOOST_TEST((version.error() == errc::catalog_version_overflow));
    BOOST_TEST(context.empty());
    auto ts = plan_write_version(1, 1, kMax, &context);
    BOOST_TEST((ts.error() == errc::catalog_version_overflow));
    BOOST_TEST(context == "commit timestamp");
}

// ---------------------------------------------------------------------------------------------
// plan_save (§6.5 steps 6-7)

BOOST_AUTO_TEST_CASE(save_deletes_dropped_puts_new_and_changed_then_the_meta_keys) {
    const std::vector<RouteDescriptor> existing{rd(1, "", "g"), rd(4, "g", "m"), rd(2, "m", std::nullopt, 2)};
    const std::vector<RouteDescriptor> desired{rd(1, "", "g"), rd(5, "g", "m", 3), rd(2, "m", std::nullopt, 7)};
    auto plan = plan_save(existing, desired, 5, WriteVersion{8, 20});
    BOOST_TEST_REQUIRE(plan.has_value());
    // Route 1 is unchanged: not rewritten, so its commit ts stays.
    const std::vector<Mutation> expected{del_route(4), put_route(rd(5, "g", "m", 3)), put_route(rd(2, "m", std::nullopt, 7)),
                                         put_version(8), put_next(6)};
    BOOST_TEST(plan->mutations == expected, boost::test_tools::per_element());
    BOOST_TEST(plan->next_route_id == 6u);
}

BOOST_AUTO_TEST_CASE(save_of_the_same_routes_writes_only_the_meta_keys) {
    const std::vector<RouteDescriptor> routes{rd(1, "", "m"), rd(2, "m", std::nullopt)};
    auto plan = plan_save(routes, routes, 3, WriteVersion{2, 5});
    const std::vector<Mutation> expected{put_version(2), put_next(3)};
    BOOST_TEST(plan.value().mutations == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(save_next_route_id_is_the_max_of_counter_and_both_floors) {
    const std::vector<RouteDescriptor> low{rd(1, "", std::nullopt)};
    const std::vector<RouteDescriptor> high{rd(9, "", std::nullopt)};
    BOOST_TEST(plan_save(low, low, 50, WriteVersion{2, 2}).value().next_route_id == 50u);  // deleting never lowers it
    BOOST_TEST(plan_save(high, low, 0, WriteVersion{2, 2}).value().next_route_id == 10u);  // existing floor
    BOOST_TEST(plan_save(low, high, 3, WriteVersion{2, 2}).value().next_route_id == 10u);  // desired floor
    BOOST_TEST(plan_save({}, {}, 0, WriteVersion{1, 1}).value().next_route_id == 1u);
    BOOST_TEST((plan_save({rd(kMax, "", std::nullopt)}, low, 0, WriteVersion{2, 2}).error() ==
                errc::catalog_route_id_overflow));
    BOOST_TEST((plan_save(low, {rd(kMax, "", std::nullopt)}, 0, WriteVersion{2, 2}).error() ==
                errc::catalog_route_id_overflow));
}

// ---------------------------------------------------------------------------------------------
// split_parent and plan_split (§10.3 steps 2-7)

BOOST_AUTO_TEST_CASE(split_the_spec_example_exactly) {
    const CatalogSnapshot snap = example();
    const RouteDescriptor parent = split_parent(snap, 1, 1, "g").value();
    BOOST_TEST(parent == rd(1, "", "m", 1));
    auto plan = plan_split(snap, parent, "g", 3, 1);
    BOOST_TEST_REQUIRE(plan.has_value());
    BOOST_TEST(plan->version == 2u);
    BOOST_TEST(plan->min_commit_ts == 8u);
    BOOST_TEST(plan->left == rd(3, "", "g", 1, RouteState::active, 1));
    BOOST_TEST(plan->right == rd(4, "g", "m", 1, RouteState::active, 1));
    const std::vector<Mutation> expected{del_route(1), put_route(plan->left), put_route(plan->right), put_version(2),
                                         put_next(5)};
    BOOST_TEST(plan->mutations == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(split_children_keep_group_and_state_and_an_unbounded_end) {
    const CatalogSnapshot snap{6, {rd(7, "k", std::nullopt, 4, RouteState::write_fenced)}, 30};
    auto plan = plan_split(snap, snap.routes[0], std::string("k\0", 2), 0, 6).value();
    BOOST_TEST(plan.left == rd(8, "k", std::string("k\0", 2), 4, RouteState::write_fenced, 7));
    BOOST_TEST(plan.right == rd(9, std::string("k\0", 2), std::nullopt, 4, RouteState::write_fenced, 7));
    BOOST_TEST(plan.version == 7u);
}

BOOST_AUTO_TEST_CASE(split_ids_come_from_the_higher_of_counter_and_floor) {
    const CatalogSnapshot snap = example();
    BOOST_TEST(plan_split(snap, snap.routes[0], "g", 40, 1).value().left.route_id == 40u);
    BOOST_TEST(plan_split(snap, snap.routes[0], "g", 2, 1).value().left.route_id == 3u);
    BOOST_TEST(plan_split(snap, snap.routes[0], "g", 0, 1).value().left.route_id == 3u);  // no counter: the floor
}

BOOST_AUTO_TEST_CASE(split_parent_errors_in_the_spec_order) {
    const CatalogSnapshot snap = example();
    std::string context;
    BOOST_TEST((split_parent(snap, 2, 9, "", &context).error() == errc::catalog_version_mismatch));
    BOOST_TEST(context == "catalog version conflict: expected version 2, durable version 1");
    BOOST_TEST((split_parent(snap, 1, 9, "g", &context).error() == errc::unknown_route));
    BOOST_TEST(context == "route id 9");
    BOOST_TEST((split_parent(snap, 1, 1, "", &context).error() == errc::split_key_at_boundary));
    BOOST_TEST(context == "split key ");
    BOOST_TEST((split_parent(snap, 1, 1, "m", &context).error() == errc::split_key_at_boundary));
    BOOST_TEST((split_parent(snap, 1, 1, "n", &context).error() == errc::invalid_split_key));
    BOOST_TEST(context == "split key n");
    BOOST_TEST((split_parent(snap, 1, 2, "a", &context).error() == errc::invalid_split_key));
    BOOST_TEST(split_parent(snap, 1, 2, "zzz").has_value());  // anything above start fits an unbounded parent
    BOOST_TEST((split_parent(CatalogSnapshot{}, 0, 1, "a").error() == errc::unknown_route));
}

BOOST_AUTO_TEST_CASE(split_overflows) {
    const CatalogSnapshot snap = example();
    std::string context;
    BOOST_TEST((plan_split(snap, snap.routes[0], "g", kMax, 1, &context).error() == errc::catalog_route_id_overflow));
    BOOST_TEST(context == "next route id 18446744073709551615");
    BOOST_TEST((plan_split(snap, snap.routes[0], "g", kMax - 1, 1, &context).error() == errc::catalog_route_id_overflow));
    BOOST_TEST(context == "right route id 18446744073709551615");
    BOOST_TEST(plan_split(snap, snap.routes[0], "g", kMax - 2, 1).value().right.route_id == kMax - 1);
    const CatalogSnapshot max_id{1, {rd(kMax, "", std::nullopt)}, 7};
    BOOST_TEST((plan_split(max_id, max_id.routes[0], "g", 0, 1).error() == errc::catalog_route_id_overflow));
    // The ids are checked before the version and the read ts.
    BOOST_TEST((plan_split(snap, snap.routes[0], "g", 0, kMax, &context).error() == errc::catalog_version_overflow));
    BOOST_TEST(context.empty());
    const CatalogSnapshot late{1, snap.routes, kMax};
    BOOST_TEST((plan_split(late, late.routes[0], "g", 0, 1, &context).error() == errc::catalog_version_overflow));
    BOOST_TEST(context == "commit timestamp");
}

// §11.3 [H]: the delta between two tables, and the log's mutations for each floor rule.
BOOST_AUTO_TEST_CASE(plan_delta_lists_deletes_and_changed_upserts_by_route_id) {
    const std::vector<RouteDescriptor> existing{rd(5, "", "m", 1), rd(2, "m", std::nullopt, 2), rd(9, "z", std::nullopt, 9)};
    const std::vector<RouteDescriptor> desired{rd(5, "", "m", 1), rd(7, "m", "z", 7), rd(2, "z", std::nullopt, 3)};
    const CatalogDelta d = plan_delta(existing, desired, 4);
    BOOST_TEST((d == test::delta_of(3, 4, {test::upsert_of(rd(2, "z", std::nullopt, 3)),
                                           test::upsert_of(rd(7, "m", "z", 7)), test::delete_of(9)})));
}

BOOST_AUTO_TEST_CASE(plan_delta_log_starts_keeps_and_trims_the_log) {
    auto keys = [](const std::vector<Mutation>& ms) {
        std::vector<std::string> out;
        for (const auto& m : ms) out.push_back((m.op == MutationOp::put ? "put " : "del ") + m.key);
        return out;
    };
    auto floor_of = [](const std::vector<Mutation>& ms) { return codec::decode_delta_floor(ms.at(1).value).value(); };
    // Every one is guarded: the version key written with them serialises their writers.
    auto all_guarded = [](const std::vector<Mutation>& ms) {
        return std::all_of(ms.begin(), ms.end(), [](const Mutation& m) { return m.guarded; });
    };
    const std::string floor_key(codec::kDeltaFloorKey);
    // A new catalog starts its log at 1; a catalog without one starts it at the delta's version.
    auto first = plan_delta_log(test::delta_of(0, 1), 0, 0, 1024);
    BOOST_TEST((keys(*first) == std::vector<std::string>{"put " + codec::delta_key(1), "put " + floor_key}));
    BOOST_TEST(floor_of(*first) == 1u);
    BOOST_TEST(floor_of(*plan_delta_log(test::delta_of(6, 7), 6, 0, 1024)) == 7u);
    // Below the retention the floor stays; at 1024 versions it moves, deleting what falls below.
    BOOST_TEST(floor_of(*plan_delta_log(test::delta_of(1023, 1024), 1023, 1, 1024)) == 1u);
    auto trimmed = plan_delta_log(test::delta_of(1024, 1025), 1024, 1, 1024);
    BOOST_TEST(floor_of(*trimmed) == 2u);
    BOOST_TEST(all_guarded(*first));
    BOOST_TEST(all_guarded(*trimmed));
    BOOST_TEST((keys(*trimmed) == std::vector<std::string>{"put " + codec::delta_key(1025), "put " + floor_key,
                                                             "del " + codec::delta_key(1)}));
    // A floor started late is raised by the retention too, deleting every version in between.
    auto jump = plan_delta_log(test::delta_of(9, 10), 9, 5, 3);
    BOOST_TEST(floor_of(*jump) == 8u);
    BOOST_TEST(keys(*jump).size() == 5u);  // put, floor, del 5, 6, 7
    // The delta must follow the durable version, and be valid.
    std::string context;
    BOOST_TEST(plan_delta_log(test::delta_of(2, 3), 4, 1, 1024, &context).error() == errc::catalog_delta_base_mismatch);
    BOOST_TEST(context == "delta follows 2, durable catalog is at 4");
    BOOST_TEST(plan_delta_log(test::delta_of(2, 4), 2, 1, 1024).error() == errc::catalog_delta_version_gap);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
