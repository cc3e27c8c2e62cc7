// The delta log's data (spec §11.1-11.2) and the H descriptor decoder (§4.4): keys, validation in
// its order, the record byte for byte, every decoding error, and garbage.

#include "support/builders.hpp"
#include "support/bytes.hpp"
#include "support/printers.hpp"

#include "routecat/catalog_delta.hpp"
#include "routecat/codec.hpp"
#include "routecat/error.hpp"

#include <boost/test/unit_test.hpp>

#include <limits>
#include <random>
#include <set>
#include <string>

namespace routecat {
using test::be64;
using test::hex;
using test::kMax;
using test::delete_of;
using test::delta_of;
using test::rd;
using test::upsert_of;
using test::to_hex;
namespace {

// §4.3's example route and its v1 record (45 bytes).
RouteDescriptor example_route() { return rd(7, "a", "m", 3, RouteState::write_fenced, 2); }
const std::string kExampleV1 = hex(
    "01 | 00 00 00 00 00 00 00 07 | 00 00 00 00 00 00 00 03 | 01 | 00 00 00 00 00 00 00 02 |"
    "00 00 00 00 00 00 00 01 | 61 | 01 | 00 00 00 00 00 00 00 01 | 6d");

// The same fields under another codec version byte, with extra bytes appended.
std::string with_version(std::uint8_t version, std::string_view tail) {
    std::string record = kExampleV1;
    record[0] = static_cast<char>(version);
    record += tail;
    return record;
}

struct Outcome {
    boost::system::error_code code;
    std::string context;
};

Outcome validation(const CatalogDelta& d) {
    Outcome out;
    out.code = validate_delta(d, &out.context);
    return out;
}

Outcome decoding(std::string_view bytes) {
    Outcome out;
    auto r = codec::decode_delta(bytes, &out.context);
    if (!r) out.code = r.error();
    return out;
}

// The §11.2 record of {4 -> 5: upsert of the example route, delete of route 9}, from the table.
std::string example_delta_record() {
    const std::string v2 = with_version(2, be64(0));
    return hex("01") + be64(4) + be64(5) + be64(2) +                 // header
           hex("01") + be64(7) + be64(v2.size()) + v2 +             // upsert 7
           hex("02") + be64(9) + be64(0);                           // delete 9
}

}  // namespace

BOOST_AUTO_TEST_SUITE(catalog_delta)

BOOST_AUTO_TEST_CASE(delta_and_floor_keys_are_the_spec_bytes) {
    BOOST_TEST(codec::delta_key(5) == "!dist|delta|" + be64(5));
    BOOST_TEST(codec::delta_key(5).size() == 20u);
    BOOST_TEST(codec::kDeltaFloorKey == "!dist|meta|delta_floor");
    BOOST_TEST(codec::kDeltaFloorKey.size() == 22u);
    BOOST_TEST(codec::is_delta_key("!dist|delta|"));
    BOOST_TEST(!codec::is_delta_key(codec::route_key(5)));
    BOOST_TEST(codec::delta_version_from_key(codec::delta_key(5)) == std::optional<std::uint64_t>(5));
    BOOST_TEST(codec::delta_version_from_key(codec::delta_key(kMax)) == std::optional<std::uint64_t>(kMax));
    BOOST_TEST(!codec::delta_version_from_key(codec::delta_key(0)).has_value());  // version 0 is never a delta
    BOOST_TEST(!codec::delta_version_from_key("!dist|delta|" + be64(5).substr(1)).has_value());
    BOOST_TEST(!codec::delta_version_from_key(codec::delta_key(5) + "x").has_value());
    BOOST_TEST(!codec::delta_version_from_key(codec::route_key(5)).has_value());
    // Delta keys sort by version: "!dist|delta|" scans them in order.
    BOOST_TEST((codec::delta_key(255) < codec::delta_key(256)));
}

BOOST_AUTO_TEST_CASE(the_v2_descriptor_is_v1_with_version_2_and_a_zero_split_hlc) {
    const auto v2 = codec::encode_route_descriptor_v2(example_route());
    BOOST_TEST_REQUIRE(v2.has_value());
    BOOST_TEST(to_hex(*v2) == to_hex(with_version(2, be64(0))));
    BOOST_TEST(v2->size() == 53u);
    // Without End: 35 + L + 8.
    BOOST_TEST(codec::encode_route_descriptor_v2(rd(1, "", std::nullopt, 1))->size() == 43u);
    // Encoding validates first, as v1 does.
    BOOST_TEST(codec::encode_route_descriptor_v2(rd(1, "", std::nullopt, 0)).error() == errc::catalog_group_id_required);
}

BOOST_AUTO_TEST_CASE(the_h_decoder_accepts_v1_v2_and_later_versions_as_4_4_says) {
    auto decoded = [](std::string_view bytes) { return codec::decode_route_descriptor_any(bytes); };
    BOOST_TEST((*decoded(kExampleV1) == example_route()));
    BOOST_TEST((*decoded(with_version(2, be64(0))) == example_route()));
    BOOST_TEST((*decoded(with_version(2, be64(0x0102030405060708))) == example_route()));
    BOOST_TEST((*decoded(with_version(3, be64(9))) == example_route()));
    BOOST_TEST((*decoded(with_version(3, be64(9) + "future fields")) == example_route()));
    BOOST_TEST((*decoded(with_version(255, be64(9) + "x")) == example_route()));

    struct Bad {
        std::string bytes;
        std::string context;
    };
    const std::vector<Bad> bad{
        {"", ""},
        {with_version(0, ""), "unsupported version 0"},
        {with_version(1, "x"), "trailing bytes"},
        {with_version(2, ""), "split HLC missing"},
        {with_version(2, be64(0).substr(1)), "split HLC missing"},
        {with_version(2, be64(0) + "x"), "trailing bytes"},
        {with_version(3, be64(0).substr(2)), "split HLC missing"},
        {kExampleV1.substr(0, 20), "unexpected end of record"},
    };
    for (const auto& b : bad) {
        std::string context = "stale";
        auto r = codec::decode_route_descriptor_any(b.bytes, &context);
        BOOST_TEST_INFO(to_hex(b.bytes));
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error() == errc::catalog_invalid_route_record);
        BOOST_TEST(context == b.context);
    }
    // The decoded route is validated: a stored group 0 is that error.
    std::string group_zero = with_version(2, be64(0));
    group_zero[16] = 0;
    BOOST_TEST(decoded(group_zero).error() == errc::catalog_group_id_required);
    // The catalog's own rows keep the strict v1 decoder.
    std::string context;
    BOOST_TEST(codec::decode_route_descriptor(with_version(2, be64(0)), &context).error() ==
               errc::catalog_invalid_route_record);
    BOOST_TEST(context == "unsupported version 2");
}

BOOST_AUTO_TEST_CASE(validation_checks_versions_then_each_mutation_in_order) {
    struct Case {
        CatalogDelta d;
        errc expected;
        std::string context;
    };
    RouteDescriptor no_group = rd(3, "a", std::nullopt, 0);
    CatalogRouteMutation other_id = upsert_of(rd(4, "a", std::nullopt, 1));
    other_id.route_id = 5;
    CatalogRouteMutation no_route = upsert_of(rd(4, "a", std::nullopt, 1));
    no_route.route.reset();
    CatalogRouteMutation delete_with_route = delete_of(6);
    delete_with_route.route = RouteDescriptor{};  // even an all-zero route is a route (a present empty start)
    CatalogRouteMutation unknown = delete_of(8);
    unknown.op = static_cast<CatalogMutationOp>(3);
    const std::vector<Case> cases{
        {delta_of(0, 0), errc::catalog_delta_version_gap, "delta 0 follows 0"},
        {delta_of(kMax, 0), errc::catalog_delta_version_gap, "delta 0 follows 18446744073709551615"},
        {delta_of(3, 5), errc::catalog_delta_version_gap, "delta 5 follows 3"},
        {delta_of(5, 5), errc::catalog_delta_version_gap, "delta 5 follows 5"},
        // The version check wins over a bad mutation.
        {delta_of(1, 3, {delete_of(0)}), errc::catalog_delta_version_gap, "delta 3 follows 1"},
        {delta_of(1, 2, {delete_of(0)}), errc::catalog_invalid_delta_mutation, "mutation without a route id"},
        {delta_of(1, 2, {delete_of(4), upsert_of(rd(4, "a", std::nullopt, 1))}), errc::catalog_invalid_delta_mutation,
         "mutation for route 4 repeated"},
        {delta_of(1, 2, {other_id}), errc::catalog_invalid_delta_mutation, "mutation for route 5: upsert of another route"},
        {delta_of(1, 2, {no_route}), errc::catalog_invalid_delta_mutation, "mutation for route 4: upsert of another route"},
        {delta_of(1, 2, {upsert_of(no_group)}), errc::catalog_group_id_required, "mutation for route 3"},
        {delta_of(1, 2, {delete_with_route}), errc::catalog_invalid_delta_mutation, "mutation for route 6: delete with a route"},
        {delta_of(1, 2, {unknown}), errc::catalog_invalid_delta_mutation, "mutation for route 8: unknown op 3"},
        // The first bad mutation wins.
        {delta_of(1, 2, {delete_of(2), unknown, delete_of(0)}), errc::catalog_invalid_delta_mutation, "mutation for route 8: unknown op 3"},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const Outcome o = validation(cases[i].d);
        BOOST_TEST_INFO("case " << i);
        BOOST_TEST(o.code == cases[i].expected);
        BOOST_TEST(o.context == cases[i].context);
    }
    BOOST_TEST(!validate_delta(delta_of(kMax - 1, kMax)));
    BOOST_TEST(!validate_delta(delta_of(0, 1)));  // an empty mutation list is valid
    BOOST_TEST(!validate_delta(delta_of(0, 1, {upsert_of(example_route()), delete_of(9)})));
}

BOOST_AUTO_TEST_CASE(the_record_is_the_spec_table_byte_for_byte_in_the_given_order) {
    const CatalogDelta d = delta_of(4, 5, {upsert_of(example_route()), delete_of(9)});
    const auto bytes = codec::encode_delta(d);
    BOOST_TEST_REQUIRE(bytes.has_value());
    BOOST_TEST(to_hex(*bytes) == to_hex(example_delta_record()));
    BOOST_TEST(bytes->size() == 25u + 17u + 53u + 17u);
    BOOST_TEST((*codec::decode_delta(*bytes) == d));

    // Mutation order is kept as given, not sorted.
    const CatalogDelta reversed = delta_of(4, 5, {delete_of(9), upsert_of(example_route())});
    BOOST_TEST((*codec::decode_delta(*codec::encode_delta(reversed)) == reversed));
    // No mutations: the 25-byte header alone.
    BOOST_TEST(to_hex(*codec::encode_delta(delta_of(0, 1))) == to_hex(hex("01") + be64(0) + be64(1) + be64(0)));
    BOOST_TEST((*codec::decode_delta(hex("01") + be64(0) + be64(1) + be64(0)) == delta_of(0, 1)));
    // Encoding validates first.
    std::string context;
    BOOST_TEST(codec::encode_delta(delta_of(4, 6), &context).error() == errc::catalog_delta_version_gap);
    BOOST_TEST(context == "delta 6 follows 4");
}

BOOST_AUTO_TEST_CASE(decoding_refuses_every_malformed_record_with_the_spec_error) {
    const std::string good = example_delta_record();
    const std::string v2 = with_version(2, be64(0));
    std::string group_zero_payload = v2;
    group_zero_payload[16] = 0;
    struct Case {
        std::string bytes;
        errc expected;
    };
    const std::vector<Case> cases{
        {"", errc::catalog_invalid_delta_record},
        {good.substr(0, 24), errc::catalog_invalid_delta_record},
        {hex("02") + good.substr(1), errc::catalog_invalid_delta_record},
        {hex("00") + good.substr(1), errc::catalog_invalid_delta_record},
        // A count that cannot fit at 17 bytes a mutation (two declared, one header's worth left).
        {hex("01") + be64(4) + be64(5) + be64(2) + hex("02") + be64(9) + be64(0), errc::catalog_invalid_delta_record},
        {hex("01") + be64(4) + be64(5) + be64(kMax) + hex("02") + be64(9) + be64(0), errc::catalog_invalid_delta_record},
        // A truncated payload, a truncated mutation header, trailing bytes.
        {good.substr(0, 25 + 17 + 20), errc::catalog_invalid_delta_record},
        {good.substr(0, good.size() - 3), errc::catalog_invalid_delta_record},
        {good + "x", errc::catalog_invalid_delta_record},
        // An upsert payload's own errors come back as they are.
        {hex("01") + be64(4) + be64(5) + be64(1) + hex("01") + be64(7) + be64(v2.size() - 1) + v2.substr(0, v2.size() - 1),
         errc::catalog_invalid_route_record},
        {hex("01") + be64(4) + be64(5) + be64(1) + hex("01") + be64(7) + be64(group_zero_payload.size()) + group_zero_payload,
         errc::catalog_group_id_required},
        // A delete with a payload; an unknown op (empty payload) fails validation.
        {hex("01") + be64(4) + be64(5) + be64(1) + hex("02") + be64(9) + be64(1) + "x", errc::catalog_invalid_delta_mutation},
        {hex("01") + be64(4) + be64(5) + be64(1) + hex("07") + be64(9) + be64(0), errc::catalog_invalid_delta_mutation},
        // An upsert whose payload names another route.
        {hex("01") + be64(4) + be64(5) + be64(1) + hex("01") + be64(8) + be64(v2.size()) + v2, errc::catalog_invalid_delta_mutation},
        // Well-formed but not contiguous: validation's gap.
        {hex("01") + be64(4) + be64(6) + be64(0), errc::catalog_delta_version_gap},
        {hex("01") + be64(kMax) + be64(0) + be64(0), errc::catalog_delta_version_gap},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        BOOST_TEST_INFO("case " << i << ": " << to_hex(cases[i].bytes));
        BOOST_TEST(decoding(cases[i].bytes).code == cases[i].expected);
    }
    // A v1 or later-version payload decodes as §4.4 says.
    const std::string v3 = with_version(3, be64(1) + "more");
    const auto later = codec::decode_delta(hex("01") + be64(4) + be64(5) + be64(1) + hex("01") + be64(7) + be64(v3.size()) + v3);
    BOOST_TEST_REQUIRE(later.has_value());
    BOOST_TEST((*later->mutations.at(0).route == example_route()));
}

BOOST_AUTO_TEST_CASE(the_floor_is_a_version_record_and_zero_or_garbage_is_invalid) {
    BOOST_TEST(to_hex(codec::encode_delta_floor(2)) == "010000000000000002");
    BOOST_TEST(*codec::decode_delta_floor(codec::encode_delta_floor(2)) == 2u);
    BOOST_TEST(*codec::decode_delta_floor(codec::encode_delta_floor(kMax)) == kMax);
    for (const std::string& bad : {codec::encode_delta_floor(0), std::string(), std::string("x"), hex("02") + be64(2),
                                   codec::encode_delta_floor(2) + "x"}) {
        BOOST_TEST_INFO(to_hex(bad));
        BOOST_TEST(codec::decode_delta_floor(bad).error() == errc::catalog_invalid_delta_record);
    }
}

BOOST_AUTO_TEST_CASE(ten_thousand_corrupted_records_decode_or_fail_with_a_delta_or_route_error) {
    const std::string good = example_delta_record();
    const std::set<errc> allowed{errc::catalog_invalid_delta_record, errc::catalog_invalid_delta_mutation,
                                 errc::catalog_delta_version_gap,   errc::catalog_invalid_route_record,
                                 errc::catalog_route_id_required,   errc::catalog_group_id_required,
                                 errc::catalog_invalid_route_state, errc::catalog_invalid_route_range};
    std::mt19937_64 rng(11);
    int decoded = 0;
    for (int i = 0; i < 10'000; ++i) {
        std::string bytes = good;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            switch (rng() % 3) {
                case 0: bytes[rng() % bytes.size()] = static_cast<char>(rng()); break;
                case 1: bytes.resize(rng() % (bytes.size() + 1)); break;
                default: bytes.insert(rng() % (bytes.size() + 1), 1, static_cast<char>(rng())); break;
            }
            if (bytes.empty()) bytes = good;
        }
        auto r = codec::decode_delta(bytes);
        if (r) {
            ++decoded;
            BOOST_TEST(!validate_delta(*r));  // whatever decodes is a valid delta
            continue;
        }
        BOOST_TEST((r.error().category() == error_category()));
        BOOST_TEST(allowed.count(static_cast<errc>(r.error().value())) == 1u, r.error().message());
    }
    BOOST_TEST_MESSAGE(decoded << " of 10000 corrupted records still decoded");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
