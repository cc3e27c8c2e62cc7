#include "support/builders.hpp"
#include "support/bytes.hpp"

#include <boost/test/unit_test.hpp>

#include "routecat/codec.hpp"
#include "routecat/error.hpp"
#include "routecat/route.hpp"

#include <climits>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace routecat {
using test::b;
using test::be64;
using test::hex;
using test::kMax;
using test::rd;
using test::to_hex;
namespace {

constexpr std::size_t kRoutePrefixSize = 12;  // "!dist|route|"


// Test-side encoder written from the §4.3 table; state is taken as a raw byte so invalid records can
// be built.
std::string raw_record(std::uint8_t version, std::uint64_t id, std::uint64_t group, std::uint8_t state,
                       std::uint64_t parent, std::string_view start, std::optional<std::string_view> end) {
    std::string out(1, static_cast<char>(version));
    out += be64(id);
    out += be64(group);
    out.push_back(static_cast<char>(state));
    out += be64(parent);
    out += be64(start.size());
    out += start;
    if (end) {
        out.push_back('\x01');
        out += be64(end->size());
        out += *end;
    } else {
        out.push_back('\x00');
    }
    return out;
}

std::string ref_encode(const RouteDescriptor& r) {
    std::optional<std::string_view> end;
    if (r.end) end = std::string_view(*r.end);
    return raw_record(1, r.route_id, r.group_id, static_cast<std::uint8_t>(r.state), r.parent_route_id, r.start,
                      end);
}

// The §4.3 example: {RouteID 7, Start "a", End "m", GroupID 3, State WriteFenced, Parent 2}.
const std::string& example_record() {
    static const std::string bytes = hex(
        "01 | 00 00 00 00 00 00 00 07 | 00 00 00 00 00 00 00 03 | 01 | 00 00 00 00 00 00 00 02 |"
        "00 00 00 00 00 00 00 01 | 61 | 01 | 00 00 00 00 00 00 00 01 | 6d");
    return bytes;
}

bool same_route(const RouteDescriptor& a, const RouteDescriptor& b) {
    return a.route_id == b.route_id && a.start == b.start && a.end.has_value() == b.end.has_value() &&
           (!a.end || *a.end == *b.end) && a.group_id == b.group_id && a.state == b.state &&
           a.parent_route_id == b.parent_route_id;
}

// Reference decoder written from §4.3 steps 1-7 (independent of src/core/codec.cpp). Returns the
// expected error, or nothing with *out filled.
std::optional<errc> ref_decode(std::string_view in, RouteDescriptor* out) {
    const auto rec = errc::catalog_invalid_route_record;
    if (in.empty()) return rec;                          // 1
    if (static_cast<unsigned char>(in[0]) != 1) return rec;  // 2
    if (in.size() < 34) return rec;                      // 3
    auto u64 = [&](std::size_t at) {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
        return v;
    };
    RouteDescriptor r;
    r.route_id = u64(1);
    r.group_id = u64(9);
    const auto state = static_cast<unsigned char>(in[17]);
    r.state = static_cast<RouteState>(state);
    r.parent_route_id = u64(18);
    const std::uint64_t l = u64(26);
    std::size_t pos = 34;
    if (l > static_cast<std::uint64_t>(INT_MAX) || l > in.size() - pos) return rec;  // 4
    r.start = std::string(in.substr(pos, static_cast<std::size_t>(l)));
    pos += static_cast<std::size_t>(l);
    if (pos >= in.size()) return rec;  // 5: flag missing
    const auto flag = static_cast<unsigned char>(in[pos++]);
    if (flag == 1) {
        if (in.size() - pos < 8) return rec;
        const std::uint64_t m = u64(pos);
        pos += 8;
        if (m > static_cast<std::uint64_t>(INT_MAX) || m > in.size() - pos) return rec;
        r.end = std::string(in.substr(pos, static_cast<std::size_t>(m)));
        pos += static_cast<std::size_t>(m);
    } else if (flag != 0) {
        return rec;
    }
    if (pos != in.size()) return rec;  // 6
    // 7: validation in §2.2 order.
    if (r.route_id == 0) return errc::catalog_route_id_required;
    if (r.group_id == 0) return errc::catalog_group_id_required;
    if (state > 3) return errc::catalog_invalid_route_state;
    if (r.end && r.start >= *r.end) return errc::catalog_invalid_route_range;
    *out = r;
    return std::nullopt;
}

bool is_descriptor_error(const boost::system::error_code& ec) {
    return ec == errc::catalog_invalid_route_record || ec == errc::catalog_route_id_required ||
           ec == errc::catalog_group_id_required || ec == errc::catalog_invalid_route_state ||
           ec == errc::catalog_invalid_route_range;
}

// ----- random generators (deterministic) -----

std::string random_key(std::mt19937_64& rng, std::size_t max_len = 40) {
    const std::size_t len = std::uniform_int_distribution<std::size_t>(0, max_len)(rng);
    std::string k;
    k.reserve(len);
    for (std::size_t i = 0; i < len; ++i) {
        switch (rng() % 4) {
            case 0: k.push_back('\x00'); break;
            case 1: k.push_back('\xff'); break;
            case 2: k.push_back('a'); break;
            default: k.push_back(static_cast<char>(rng() & 0xFF)); break;
        }
    }
    return k;
}

std::uint64_t random_id(std::mt19937_64& rng) {
    switch (rng() % 4) {
        case 0: return 1 + rng() % 255;  // small: one non-zero byte
        case 1: return kMax - rng() % 4;
        default: {
            const std::uint64_t v = rng();
            return v == 0 ? 1 : v;
        }
    }
}

RouteDescriptor random_route(std::mt19937_64& rng) {
    RouteDescriptor r;
    r.route_id = random_id(rng);
    r.group_id = random_id(rng);
    r.state = static_cast<RouteState>(rng() % 4);
    r.parent_route_id = (rng() % 3 == 0) ? 0 : rng();
    r.start = random_key(rng);
    if (rng() % 3 != 0) {
        std::string end = random_key(rng);
        while (end == r.start) end = random_key(rng);
        if (end < r.start) std::swap(end, r.start);
        r.end = std::move(end);
    }
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(codec)

// =============================================================================================
// Keys (§3)

BOOST_AUTO_TEST_CASE(constants) {
    BOOST_TEST(std::string(codec::kMetaPrefix) == "!dist|meta|");
    BOOST_TEST(std::string(codec::kRoutePrefix) == "!dist|route|");
    BOOST_TEST(to_hex(codec::kRoutePrefix) == "21646973747c726f7574657c");
    BOOST_TEST(codec::kRecordVersion == 0x01);
    BOOST_TEST(codec::kMetaRecordSize == 9u);
}

BOOST_AUTO_TEST_CASE(version_key_bytes) {
    const std::string key(codec::kVersionKey);
    BOOST_TEST(key.size() == 18u);
    BOOST_TEST(to_hex(key) == "21646973747c6d6574617c76657273696f6e");
    BOOST_TEST(key == "!dist|meta|version");
}

BOOST_AUTO_TEST_CASE(next_route_id_key_bytes) {
    const std::string key(codec::kNextRouteIdKey);
    BOOST_TEST(key.size() == 24u);
    BOOST_TEST(to_hex(key) == "21646973747c6d6574617c6e6578745f726f7574655f6964");
    BOOST_TEST(key == "!dist|meta|next_route_id");
}

BOOST_AUTO_TEST_CASE(route_key_bytes) {
    BOOST_TEST(codec::route_key(7).size() == 20u);
    BOOST_TEST(to_hex(codec::route_key(7)) == "21646973747c726f7574657c" "0000000000000007");
    BOOST_TEST(to_hex(codec::route_key(0x0102030405060708ULL)) == "21646973747c726f7574657c" "0102030405060708");
    BOOST_TEST(to_hex(codec::route_key(0)) == "21646973747c726f7574657c" "0000000000000000");
    BOOST_TEST(to_hex(codec::route_key(kMax)) == "21646973747c726f7574657c" "ffffffffffffffff");
    BOOST_TEST(to_hex(codec::route_key(256)) == "21646973747c726f7574657c" "0000000000000100");
    // Big-endian ids scan in id order. (Extra parentheses: BOOST_TEST's own string comparison
    // compares chars as signed, std::string's compares them as unsigned.)
    BOOST_TEST((codec::route_key(255) < codec::route_key(256)));
    BOOST_TEST((codec::route_key(0x7fffffffffffffffULL) < codec::route_key(0x8000000000000000ULL)));
    BOOST_TEST((codec::route_key(kMax - 1) < codec::route_key(kMax)));
}

BOOST_AUTO_TEST_CASE(is_route_key_cases) {
    BOOST_TEST(codec::is_route_key("!dist|route|"));
    BOOST_TEST(codec::is_route_key(codec::route_key(7)));
    BOOST_TEST(codec::is_route_key("!dist|route|abc"));
    BOOST_TEST(codec::is_route_key(std::string("!dist|route|") + std::string(30, '\0')));
    BOOST_TEST(!codec::is_route_key(""));
    BOOST_TEST(!codec::is_route_key("!dist|route"));
    BOOST_TEST(!codec::is_route_key("!dist|routE|"));
    BOOST_TEST(!codec::is_route_key("x!dist|route|"));
    BOOST_TEST(!codec::is_route_key("!dist|meta|version"));
    BOOST_TEST(!codec::is_route_key("not-a-route-key"));
}

BOOST_AUTO_TEST_CASE(route_id_from_key_cases) {
    auto id = codec::route_id_from_key(codec::route_key(7));
    BOOST_TEST_REQUIRE(id.has_value());
    BOOST_TEST(*id == 7u);

    id = codec::route_id_from_key(hex("21646973747c726f7574657c 0102030405060708"));
    BOOST_TEST_REQUIRE(id.has_value());
    BOOST_TEST(*id == 0x0102030405060708ULL);

    id = codec::route_id_from_key(codec::route_key(kMax));
    BOOST_TEST_REQUIRE(id.has_value());
    BOOST_TEST(*id == kMax);

    // Id 0 is extracted as such (the key is well-formed).
    id = codec::route_id_from_key(codec::route_key(0));
    BOOST_TEST_REQUIRE(id.has_value());
    BOOST_TEST(*id == 0u);

    BOOST_TEST(!codec::route_id_from_key("not-a-route-key").has_value());
    BOOST_TEST(!codec::route_id_from_key("").has_value());
    BOOST_TEST(!codec::route_id_from_key("!dist|route|").has_value());
    BOOST_TEST(!codec::route_id_from_key(std::string("!dist|route|") + std::string(7, '\0')).has_value());
    BOOST_TEST(!codec::route_id_from_key(std::string("!dist|route|") + std::string(9, '\0')).has_value());
    BOOST_TEST(!codec::route_id_from_key(codec::route_key(7) + "x").has_value());
    BOOST_TEST(!codec::route_id_from_key(codec::route_key(7).substr(0, 19)).has_value());
    // 20 bytes, wrong prefix.
    BOOST_TEST(!codec::route_id_from_key(std::string("!dist|routE|") + be64(7)).has_value());
    BOOST_TEST(!codec::route_id_from_key(std::string("!dist|meta|x") + be64(7)).has_value());
}

BOOST_AUTO_TEST_CASE(route_key_round_trip_random) {
    std::mt19937_64 rng(0xC0DEC0DE);
    for (int i = 0; i < 2000; ++i) {
        const std::uint64_t v = (i % 2) ? rng() : random_id(rng);
        const auto back = codec::route_id_from_key(codec::route_key(v));
        if (!back || *back != v) BOOST_ERROR("route key round trip failed for " << v);
    }
}

BOOST_AUTO_TEST_CASE(prefix_scan_end_cases) {
    auto end = codec::prefix_scan_end("!dist|route|");
    BOOST_TEST_REQUIRE(end.has_value());
    BOOST_TEST(*end == "!dist|route}");

    end = codec::prefix_scan_end("!dist|meta|");
    BOOST_TEST_REQUIRE(end.has_value());
    BOOST_TEST(*end == "!dist|meta}");

    end = codec::prefix_scan_end("a\xff\xff");
    BOOST_TEST_REQUIRE(end.has_value());
    BOOST_TEST(*end == "b");

    end = codec::prefix_scan_end("a");
    BOOST_TEST_REQUIRE(end.has_value());
    BOOST_TEST(*end == "b");

    end = codec::prefix_scan_end(b("\0"));
    BOOST_TEST_REQUIRE(end.has_value());
    BOOST_TEST(to_hex(*end) == "01");

    end = codec::prefix_scan_end(b("a\0\xff"));
    BOOST_TEST_REQUIRE(end.has_value());
    BOOST_TEST(to_hex(*end) == "6101");

    end = codec::prefix_scan_end("ab\xfe");
    BOOST_TEST_REQUIRE(end.has_value());
    BOOST_TEST(to_hex(*end) == "6162ff");

    end = codec::prefix_scan_end("\x7f");  // unsigned increment
    BOOST_TEST_REQUIRE(end.has_value());
    BOOST_TEST(to_hex(*end) == "80");

    end = codec::prefix_scan_end("\xfe\xff");
    BOOST_TEST_REQUIRE(end.has_value());
    BOOST_TEST(to_hex(*end) == "ff");

    BOOST_TEST(!codec::prefix_scan_end("\xff\xff").has_value());
    BOOST_TEST(!codec::prefix_scan_end("\xff").has_value());
    BOOST_TEST(!codec::prefix_scan_end("").has_value());
}

BOOST_AUTO_TEST_CASE(u64_helpers) {
    std::string out = "x";
    codec::append_u64_be(out, 0x0102030405060708ULL);
    BOOST_TEST(to_hex(out) == "780102030405060708");
    BOOST_TEST(codec::read_u64_be(hex("0102030405060708")) == 0x0102030405060708ULL);
    BOOST_TEST(codec::read_u64_be(hex("ffffffffffffffff ee")) == kMax);
    BOOST_TEST(codec::read_u64_be(hex("8000000000000000")) == 0x8000000000000000ULL);
}

// =============================================================================================
// Version and next-route-id records (§4.1, §4.2)

BOOST_AUTO_TEST_CASE(encode_version_golden) {
    BOOST_TEST(to_hex(codec::encode_version(42)) == "01000000000000002a");
    BOOST_TEST(codec::encode_version(42) == hex("01 00 00 00 00 00 00 00 2a"));
    BOOST_TEST(to_hex(codec::encode_version(0)) == "010000000000000000");
    BOOST_TEST(to_hex(codec::encode_version(kMax)) == "01ffffffffffffffff");
    BOOST_TEST(to_hex(codec::encode_version(0x0102030405060708ULL)) == "010102030405060708");
    BOOST_TEST(codec::encode_version(1).size() == 9u);
}

BOOST_AUTO_TEST_CASE(encode_next_route_id_golden) {
    BOOST_TEST(to_hex(codec::encode_next_route_id(1)) == "010000000000000001");
    BOOST_TEST(to_hex(codec::encode_next_route_id(5)) == "010000000000000005");
    BOOST_TEST(to_hex(codec::encode_next_route_id(kMax)) == "01ffffffffffffffff");
    BOOST_TEST(to_hex(codec::encode_next_route_id(0x1122334455667788ULL)) == "011122334455667788");
}

BOOST_AUTO_TEST_CASE(decode_version_values) {
    auto v = codec::decode_version(hex("01 00 00 00 00 00 00 00 2a"));
    BOOST_TEST_REQUIRE(v.has_value());
    BOOST_TEST(*v == 42u);

    v = codec::decode_version(hex("01 00 00 00 00 00 00 00 00"));  // version 0 is legal
    BOOST_TEST_REQUIRE(v.has_value());
    BOOST_TEST(*v == 0u);

    v = codec::decode_version(hex("01 ff ff ff ff ff ff ff ff"));
    BOOST_TEST_REQUIRE(v.has_value());
    BOOST_TEST(*v == kMax);

    v = codec::decode_version(hex("01 01 02 03 04 05 06 07 08"));
    BOOST_TEST_REQUIRE(v.has_value());
    BOOST_TEST(*v == 0x0102030405060708ULL);
}

BOOST_AUTO_TEST_CASE(decode_version_bad_length) {
    for (std::string in : {std::string(), hex("01 00 00 00 00 00 00 00"), hex("01 00 00 00 00 00 00 00 2a 00"),
                           hex("01"), std::string(100, '\x01')}) {
        std::string context = "untouched";
        auto v = codec::decode_version(in, &context);
        BOOST_TEST_REQUIRE(v.has_error(), "length " << in.size());
        BOOST_TEST((v.error() == errc::catalog_invalid_version_record), "length " << in.size());
        // Without the out-param too.
        auto w = codec::decode_version(in);
        BOOST_TEST((w.error() == errc::catalog_invalid_version_record));
    }
}

BOOST_AUTO_TEST_CASE(decode_version_bad_codec_byte) {
    std::string context;
    auto v = codec::decode_version(hex("02 00 00 00 00 00 00 00 2a"), &context);
    BOOST_TEST_REQUIRE(v.has_error());
    BOOST_TEST((v.error() == errc::catalog_invalid_version_record));
    BOOST_TEST(context == "unsupported version 2");

    v = codec::decode_version(hex("00 00 00 00 00 00 00 00 2a"), &context);
    BOOST_TEST_REQUIRE(v.has_error());
    BOOST_TEST((v.error() == errc::catalog_invalid_version_record));
    BOOST_TEST(context == "unsupported version 0");

    v = codec::decode_version(hex("ff 00 00 00 00 00 00 00 2a"), &context);
    BOOST_TEST_REQUIRE(v.has_error());
    BOOST_TEST((v.error() == errc::catalog_invalid_version_record));
    BOOST_TEST(context == "unsupported version 255");
}

BOOST_AUTO_TEST_CASE(decode_next_route_id_values) {
    auto v = codec::decode_next_route_id(hex("01 00 00 00 00 00 00 00 05"));
    BOOST_TEST_REQUIRE(v.has_value());
    BOOST_TEST(*v == 5u);

    v = codec::decode_next_route_id(hex("01 00 00 00 00 00 00 00 01"));
    BOOST_TEST_REQUIRE(v.has_value());
    BOOST_TEST(*v == 1u);

    v = codec::decode_next_route_id(hex("01 ff ff ff ff ff ff ff ff"));
    BOOST_TEST_REQUIRE(v.has_value());
    BOOST_TEST(*v == kMax);
}

BOOST_AUTO_TEST_CASE(decode_next_route_id_zero_is_invalid) {
    auto v = codec::decode_next_route_id(hex("01 00 00 00 00 00 00 00 00"));
    BOOST_TEST_REQUIRE(v.has_error());
    BOOST_TEST((v.error() == errc::catalog_invalid_next_route_id));
    BOOST_TEST((v.error() != errc::catalog_invalid_version_record));
}

BOOST_AUTO_TEST_CASE(decode_next_route_id_reports_its_own_error) {
    // Every version-record failure becomes catalog_invalid_next_route_id (§4.2, §16.17).
    for (std::string in : {std::string(), hex("01 00 00 00 00 00 00 00"), hex("01 00 00 00 00 00 00 00 05 00")}) {
        std::string context;
        auto v = codec::decode_next_route_id(in, &context);
        BOOST_TEST_REQUIRE(v.has_error(), "length " << in.size());
        BOOST_TEST((v.error() == errc::catalog_invalid_next_route_id), "length " << in.size());
        BOOST_TEST((v.error() != errc::catalog_invalid_version_record));
        BOOST_TEST(context.starts_with("decode next route id: "), "context: " << context);
    }

    std::string context;
    auto v = codec::decode_next_route_id(hex("02 00 00 00 00 00 00 00 05"), &context);
    BOOST_TEST_REQUIRE(v.has_error());
    BOOST_TEST((v.error() == errc::catalog_invalid_next_route_id));
    BOOST_TEST(context.starts_with("decode next route id: "), "context: " << context);
    BOOST_TEST(context.find("unsupported version 2") != std::string::npos, "context: " << context);

    auto w = codec::decode_next_route_id(hex("00 00 00 00 00 00 00 00 05"));
    BOOST_TEST_REQUIRE(w.has_error());
    BOOST_TEST((w.error() == errc::catalog_invalid_next_route_id));
}

BOOST_AUTO_TEST_CASE(meta_round_trip) {
    std::mt19937_64 rng(42);
    for (int i = 0; i < 1000; ++i) {
        const std::uint64_t v = (i < 3) ? std::uint64_t(i) : rng();
        auto dv = codec::decode_version(codec::encode_version(v));
        if (!dv || *dv != v) BOOST_ERROR("version round trip " << v);
        if (v != 0) {
            auto dn = codec::decode_next_route_id(codec::encode_next_route_id(v));
            if (!dn || *dn != v) BOOST_ERROR("next route id round trip " << v);
        }
    }
}

// =============================================================================================
// Route descriptor record (§4.3): encoding

BOOST_AUTO_TEST_CASE(encode_spec_example) {
    const auto r = rd(7, "a", std::string("m"), 3, RouteState::write_fenced, 2);
    auto enc = codec::encode_route_descriptor(r);
    BOOST_TEST_REQUIRE(enc.has_value());
    BOOST_TEST(enc->size() == 45u);
    BOOST_TEST(to_hex(*enc) == to_hex(example_record()));
    BOOST_TEST(to_hex(*enc) ==
               "01" "0000000000000007" "0000000000000003" "01" "0000000000000002"
               "0000000000000001" "61" "01" "0000000000000001" "6d");
}

BOOST_AUTO_TEST_CASE(encode_absent_end) {
    // L = 0.
    auto enc = codec::encode_route_descriptor(rd(1, "", std::nullopt));
    BOOST_TEST_REQUIRE(enc.has_value());
    BOOST_TEST(enc->size() == 35u);
    BOOST_TEST(to_hex(*enc) ==
               "01" "0000000000000001" "0000000000000001" "00" "0000000000000000"
               "0000000000000000" "00");

    // L = 3 with NUL and 0xFF bytes; state migrating_target; large ids.
    enc = codec::encode_route_descriptor(
        rd(0x0102030405060708ULL, b("k\0\xff"), std::nullopt, kMax, RouteState::migrating_target, kMax));
    BOOST_TEST_REQUIRE(enc.has_value());
    BOOST_TEST(enc->size() == 35u + 3u);
    BOOST_TEST(to_hex(*enc) ==
               "01" "0102030405060708" "ffffffffffffffff" "03" "ffffffffffffffff"
               "0000000000000003" "6b00ff" "00");
}

BOOST_AUTO_TEST_CASE(encode_present_end_with_binary_bytes) {
    // 43 + L + M; state migrating_source.
    auto enc = codec::encode_route_descriptor(
        rd(2, "", b("\0"), 9, RouteState::migrating_source, 0));
    BOOST_TEST_REQUIRE(enc.has_value());
    BOOST_TEST(enc->size() == 43u + 0u + 1u);
    BOOST_TEST(to_hex(*enc) ==
               "01" "0000000000000002" "0000000000000009" "02" "0000000000000000"
               "0000000000000000" "01" "0000000000000001" "00");

    enc = codec::encode_route_descriptor(rd(300, "a", std::string("\xff\xff"), 1, RouteState::active, 1));
    BOOST_TEST_REQUIRE(enc.has_value());
    BOOST_TEST(enc->size() == 43u + 1u + 2u);
    BOOST_TEST(to_hex(*enc) ==
               "01" "000000000000012c" "0000000000000001" "00" "0000000000000001"
               "0000000000000001" "61" "01" "0000000000000002" "ffff");
}

BOOST_AUTO_TEST_CASE(encode_invalid_route_returns_validation_error) {
    auto e = codec::encode_route_descriptor(rd(0, "a", std::string("b")));
    BOOST_TEST_REQUIRE(e.has_error());
    BOOST_TEST((e.error() == errc::catalog_route_id_required));

    e = codec::encode_route_descriptor(rd(0, "a", std::string("b"), 0));  // first failure wins
    BOOST_TEST_REQUIRE(e.has_error());
    BOOST_TEST((e.error() == errc::catalog_route_id_required));

    e = codec::encode_route_descriptor(rd(1, "a", std::string("b"), 0));
    BOOST_TEST_REQUIRE(e.has_error());
    BOOST_TEST((e.error() == errc::catalog_group_id_required));

    e = codec::encode_route_descriptor(rd(1, "a", std::string("b"), 1, static_cast<RouteState>(4)));
    BOOST_TEST_REQUIRE(e.has_error());
    BOOST_TEST((e.error() == errc::catalog_invalid_route_state));

    e = codec::encode_route_descriptor(rd(1, "b", std::string("a")));
    BOOST_TEST_REQUIRE(e.has_error());
    BOOST_TEST((e.error() == errc::catalog_invalid_route_range));

    e = codec::encode_route_descriptor(rd(1, "a", std::string("a")));
    BOOST_TEST_REQUIRE(e.has_error());
    BOOST_TEST((e.error() == errc::catalog_invalid_route_range));

    e = codec::encode_route_descriptor(rd(1, "", std::string()));  // present empty end
    BOOST_TEST_REQUIRE(e.has_error());
    BOOST_TEST((e.error() == errc::catalog_invalid_route_range));
}

// =============================================================================================
// Route descriptor record (§4.3): decoding

BOOST_AUTO_TEST_CASE(decode_spec_example) {
    auto d = codec::decode_route_descriptor(example_record());
    BOOST_TEST_REQUIRE(d.has_value());
    BOOST_TEST(d->route_id == 7u);
    BOOST_TEST(d->start == "a");
    BOOST_TEST_REQUIRE(d->end.has_value());
    BOOST_TEST(*d->end == "m");
    BOOST_TEST(d->group_id == 3u);
    BOOST_TEST((d->state == RouteState::write_fenced));
    BOOST_TEST(d->parent_route_id == 2u);
}

BOOST_AUTO_TEST_CASE(decode_absent_end_and_empty_start) {
    auto d = codec::decode_route_descriptor(raw_record(1, 5, 6, 3, 0, "", std::nullopt));
    BOOST_TEST_REQUIRE(d.has_value());
    BOOST_TEST(d->route_id == 5u);
    BOOST_TEST(d->group_id == 6u);
    BOOST_TEST((d->state == RouteState::migrating_target));
    BOOST_TEST(d->parent_route_id == 0u);
    BOOST_TEST(d->start.empty());
    BOOST_TEST(!d->end.has_value());

    d = codec::decode_route_descriptor(raw_record(1, 5, 6, 0, 1, "", std::string_view("x")));
    BOOST_TEST_REQUIRE(d.has_value());
    BOOST_TEST(d->start.empty());
    BOOST_TEST_REQUIRE(d->end.has_value());
    BOOST_TEST(*d->end == "x");
}

BOOST_AUTO_TEST_CASE(decode_empty_input) {
    std::string context = "untouched";
    auto d = codec::decode_route_descriptor(std::string_view(), &context);
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_record));
}

BOOST_AUTO_TEST_CASE(decode_wrong_version_byte) {
    for (std::uint8_t v : {std::uint8_t{0x00}, std::uint8_t{0x02}, std::uint8_t{0x03}, std::uint8_t{0xFF}}) {
        std::string rec = example_record();
        rec[0] = static_cast<char>(v);
        std::string context;
        auto d = codec::decode_route_descriptor(rec, &context);
        BOOST_TEST_REQUIRE(d.has_error(), "version byte " << int(v));
        BOOST_TEST((d.error() == errc::catalog_invalid_route_record), "version byte " << int(v));
        BOOST_TEST(context == "unsupported version " + std::to_string(v));
    }
    // A lone wrong version byte is also a record error.
    auto d = codec::decode_route_descriptor(hex("02"));
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_record));
}

BOOST_AUTO_TEST_CASE(decode_truncation_at_every_prefix) {
    const std::vector<std::string> records{
        example_record(),
        raw_record(1, 5, 6, 3, 9, "", std::nullopt),
        raw_record(1, 5, 6, 2, 9, b("ab\0"), std::nullopt),
        raw_record(1, kMax, kMax, 1, kMax, b("\0\xff"), std::string_view("\xff\xff\xff")),
        raw_record(1, 1, 1, 0, 0, "", std::string_view("z")),
    };
    for (std::size_t r = 0; r < records.size(); ++r) {
        const std::string& full = records[r];
        BOOST_TEST_REQUIRE(codec::decode_route_descriptor(full).has_value(), "record " << r);
        for (std::size_t cut = 0; cut < full.size(); ++cut) {
            auto d = codec::decode_route_descriptor(std::string_view(full).substr(0, cut));
            BOOST_TEST_REQUIRE(d.has_error(), "record " << r << " cut " << cut);
            BOOST_TEST((d.error() == errc::catalog_invalid_route_record), "record " << r << " cut " << cut);
        }
    }
}

BOOST_AUTO_TEST_CASE(decode_start_length_too_long) {
    // L = 2 with only one start byte and the end flag: L > remaining would swallow the flag.
    std::string rec = raw_record(1, 1, 1, 0, 0, "a", std::nullopt);
    auto patch_l = [](std::string r, std::uint64_t l) {
        const std::string be = be64(l);
        r.replace(26, 8, be);
        return r;
    };
    for (std::uint64_t l : {std::uint64_t{3}, std::uint64_t{1000}, static_cast<std::uint64_t>(INT_MAX),
                            static_cast<std::uint64_t>(INT_MAX) + 1, std::uint64_t{0x100000000ULL},
                            std::uint64_t{0x8000000000000000ULL}, kMax}) {
        auto d = codec::decode_route_descriptor(patch_l(rec, l));
        BOOST_TEST_REQUIRE(d.has_error(), "L = " << l);
        BOOST_TEST((d.error() == errc::catalog_invalid_route_record), "L = " << l);
    }
    // L = 2 exactly covers "a" + flag byte: then the flag is missing.
    auto d = codec::decode_route_descriptor(patch_l(rec, 2));
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_record));
}

BOOST_AUTO_TEST_CASE(decode_start_length_too_short_reads_flag_from_start) {
    // start "ab" encoded with L = 1: the flag byte is 'b' (98).
    std::string rec = raw_record(1, 1, 1, 0, 0, "ab", std::nullopt);
    rec.replace(26, 8, be64(1));
    std::string context;
    auto d = codec::decode_route_descriptor(rec, &context);
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_record));
    BOOST_TEST(context == "invalid end flag 98");
}

BOOST_AUTO_TEST_CASE(decode_invalid_end_flag) {
    const std::size_t flag_at = 35;  // L = 1
    for (std::uint8_t flag : {std::uint8_t{2}, std::uint8_t{3}, std::uint8_t{0x80}, std::uint8_t{0xFF}}) {
        std::string rec = example_record();
        rec[flag_at] = static_cast<char>(flag);
        std::string context;
        auto d = codec::decode_route_descriptor(rec, &context);
        BOOST_TEST_REQUIRE(d.has_error(), "flag " << int(flag));
        BOOST_TEST((d.error() == errc::catalog_invalid_route_record), "flag " << int(flag));
        BOOST_TEST(context == "invalid end flag " + std::to_string(flag));

        // Same flag on an absent-end layout (nothing after it).
        std::string absent = raw_record(1, 1, 1, 0, 0, "a", std::nullopt);
        absent.back() = static_cast<char>(flag);
        d = codec::decode_route_descriptor(absent, &context);
        BOOST_TEST_REQUIRE(d.has_error());
        BOOST_TEST((d.error() == errc::catalog_invalid_route_record));
        BOOST_TEST(context == "invalid end flag " + std::to_string(flag));
    }
}

BOOST_AUTO_TEST_CASE(decode_end_flag_one_with_empty_end_is_range_error) {
    // §16.16: flag 1, M = 0 -> present empty end -> catalog_invalid_route_range (not a record error).
    auto d = codec::decode_route_descriptor(hex("01 0000000000000001 0000000000000001 00 0000000000000000"
                                                "0000000000000001 61 01 0000000000000000"));
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_range));

    d = codec::decode_route_descriptor(raw_record(1, 1, 1, 0, 0, "", std::string_view()));
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_range));
}

BOOST_AUTO_TEST_CASE(decode_end_flag_one_without_end_section) {
    // The absent-end layout with the flag set to 1: M missing.
    std::string rec = raw_record(1, 1, 1, 0, 0, "a", std::nullopt);
    rec.back() = '\x01';
    auto d = codec::decode_route_descriptor(rec);
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_record));
}

BOOST_AUTO_TEST_CASE(decode_end_length_too_long) {
    const std::string rec = example_record();  // M at offset 36..43, end byte at 44
    for (std::uint64_t m : {std::uint64_t{2}, std::uint64_t{1000}, static_cast<std::uint64_t>(INT_MAX),
                            static_cast<std::uint64_t>(INT_MAX) + 1, std::uint64_t{0x8000000000000000ULL}, kMax}) {
        std::string bad = rec;
        bad.replace(36, 8, be64(m));
        auto d = codec::decode_route_descriptor(bad);
        BOOST_TEST_REQUIRE(d.has_error(), "M = " << m);
        BOOST_TEST((d.error() == errc::catalog_invalid_route_record), "M = " << m);
    }
}

BOOST_AUTO_TEST_CASE(decode_trailing_bytes) {
    for (const std::string& base :
         {example_record(), raw_record(1, 1, 1, 0, 0, "a", std::nullopt), raw_record(1, 1, 1, 0, 0, "", std::nullopt)}) {
        for (const std::string& tail : {std::string(1, '\0'), std::string(1, '\x01'), std::string(1, '\xff'),
                                        std::string("xyz")}) {
            std::string context;
            auto d = codec::decode_route_descriptor(base + tail, &context);
            BOOST_TEST_REQUIRE(d.has_error(), "tail " << to_hex(tail) << " base " << to_hex(base));
            BOOST_TEST((d.error() == errc::catalog_invalid_route_record));
        }
    }
    // Present-end bytes behind an end flag of 0: everything after the flag is trailing.
    std::string rec = example_record();
    rec[35] = '\0';
    auto d = codec::decode_route_descriptor(rec);
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_record));
    // End length shorter than the end bytes: the rest is trailing.
    rec = raw_record(1, 1, 1, 0, 0, "a", std::string_view("mn"));
    rec.replace(36, 8, be64(1));
    d = codec::decode_route_descriptor(rec);
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_record));
}

BOOST_AUTO_TEST_CASE(decode_validation_errors) {
    auto d = codec::decode_route_descriptor(raw_record(1, 0, 3, 1, 2, "a", std::string_view("m")));
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_route_id_required));

    d = codec::decode_route_descriptor(raw_record(1, 7, 0, 1, 2, "a", std::string_view("m")));
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_group_id_required));

    d = codec::decode_route_descriptor(raw_record(1, 7, 3, 9, 2, "a", std::string_view("m")));
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_state));

    d = codec::decode_route_descriptor(raw_record(1, 7, 3, 4, 2, "a", std::nullopt));
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_state));

    d = codec::decode_route_descriptor(raw_record(1, 7, 3, 0xFF, 2, "a", std::nullopt));
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_state));

    d = codec::decode_route_descriptor(raw_record(1, 7, 3, 1, 2, "m", std::string_view("m")));  // start == end
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_range));

    d = codec::decode_route_descriptor(raw_record(1, 7, 3, 1, 2, "z", std::string_view("m")));  // start > end
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_range));

    d = codec::decode_route_descriptor(raw_record(1, 7, 3, 1, 2, "\xff", std::string_view("a")));  // unsigned
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_range));

    // Validation order: id before group before state before range.
    d = codec::decode_route_descriptor(raw_record(1, 0, 0, 9, 0, "z", std::string_view("a")));
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_route_id_required));
    d = codec::decode_route_descriptor(raw_record(1, 1, 0, 9, 0, "z", std::string_view("a")));
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_group_id_required));
    d = codec::decode_route_descriptor(raw_record(1, 1, 1, 9, 0, "z", std::string_view("a")));
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_state));

    // Structural errors win over validation errors (steps 1-6 before step 7).
    d = codec::decode_route_descriptor(raw_record(1, 0, 0, 9, 0, "a", std::nullopt) + "x");
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_record));
    d = codec::decode_route_descriptor(raw_record(2, 0, 0, 9, 0, "a", std::nullopt));
    BOOST_TEST_REQUIRE(d.has_error());
    BOOST_TEST((d.error() == errc::catalog_invalid_route_record));
}

BOOST_AUTO_TEST_CASE(decode_parent_never_validated) {
    auto d = codec::decode_route_descriptor(raw_record(1, 7, 3, 0, 7, "a", std::nullopt));
    BOOST_TEST_REQUIRE(d.has_value());
    BOOST_TEST(d->parent_route_id == 7u);
    d = codec::decode_route_descriptor(raw_record(1, 7, 3, 0, kMax, "a", std::nullopt));
    BOOST_TEST_REQUIRE(d.has_value());
    BOOST_TEST(d->parent_route_id == kMax);
}

BOOST_AUTO_TEST_CASE(round_trip_random_descriptors) {
    std::mt19937_64 rng(20260707);
    int failures = 0;
    int with_end = 0;
    int without_end = 0;
    for (int i = 0; i < 10000 && failures < 20; ++i) {
        const RouteDescriptor r = random_route(rng);
        BOOST_TEST_REQUIRE(!validate_route(r));  // generator sanity

        auto enc = codec::encode_route_descriptor(r);
        if (!enc) {
            BOOST_ERROR("encode failed for case " << i << ": " << enc.error().message());
            ++failures;
            continue;
        }
        const std::size_t expected_size =
            r.end ? 43 + r.start.size() + r.end->size() : 35 + r.start.size();
        (r.end ? with_end : without_end) += 1;
        if (enc->size() != expected_size) {
            BOOST_ERROR("case " << i << ": size " << enc->size() << " != " << expected_size);
            ++failures;
        }
        // Byte-exact against the test-side §4.3 encoder.
        if (*enc != ref_encode(r)) {
            BOOST_ERROR("case " << i << ": encoding " << to_hex(*enc) << " != " << to_hex(ref_encode(r)));
            ++failures;
        }
        auto dec = codec::decode_route_descriptor(*enc);
        if (!dec) {
            BOOST_ERROR("case " << i << ": decode failed: " << dec.error().message() << " for " << to_hex(*enc));
            ++failures;
            continue;
        }
        const RouteDescriptor& d = *dec;
        const bool ok = d.route_id == r.route_id && d.start == r.start && d.end.has_value() == r.end.has_value() &&
                        (!r.end || *d.end == *r.end) && d.group_id == r.group_id && d.state == r.state &&
                        d.parent_route_id == r.parent_route_id && d == r;
        if (!ok) {
            BOOST_ERROR("case " << i << ": decode(encode(r)) != r for " << to_hex(*enc));
            ++failures;
        }
    }
    BOOST_TEST(failures == 0);
    BOOST_TEST(with_end > 1000);
    BOOST_TEST(without_end > 1000);
}

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// Fuzzing: random inputs and mutations of valid encodings. Assertions are made only on failure (to
// stay fast under sanitizers); every run checks that the interesting outcomes were reached.

namespace {

struct FuzzStats {
    int failures = 0;
    long version_ok = 0;
    long next_ok = 0;
    long key_ok = 0;
    long descriptor_ok = 0;
    long by_error[6] = {};  // record, id, group, state, range, other
};

int error_slot(errc e) {
    switch (e) {
        case errc::catalog_invalid_route_record: return 0;
        case errc::catalog_route_id_required: return 1;
        case errc::catalog_group_id_required: return 2;
        case errc::catalog_invalid_route_state: return 3;
        case errc::catalog_invalid_route_range: return 4;
        default: return 5;
    }
}

#define FUZZ_CHECK(stats, cond, what)                                                 \
    do {                                                                              \
        if (!(cond)) {                                                                \
            if (++(stats).failures <= 20) BOOST_ERROR(what);                          \
        }                                                                             \
    } while (false)

// Runs every decoder on one input and checks it against the spec's rules.
void check_input(const std::string& in, FuzzStats& st) {
    const bool meta_shape = in.size() == 9 && static_cast<unsigned char>(in[0]) == 1;
    std::uint64_t meta_value = 0;
    if (meta_shape) meta_value = codec::read_u64_be(std::string_view(in).substr(1));

    // §4.1
    {
        auto v = codec::decode_version(in);
        if (v) {
            ++st.version_ok;
            FUZZ_CHECK(st, meta_shape && *v == meta_value, "decode_version accepted " << to_hex(in));
            FUZZ_CHECK(st, codec::encode_version(*v) == in, "version re-encode differs for " << to_hex(in));
        } else {
            FUZZ_CHECK(st, !meta_shape, "decode_version rejected " << to_hex(in));
            FUZZ_CHECK(st, v.error() == errc::catalog_invalid_version_record,
                       "decode_version error " << v.error().message() << " for " << to_hex(in));
        }
    }
    // §4.2
    {
        std::string context;
        auto v = codec::decode_next_route_id(in, &context);
        if (v) {
            ++st.next_ok;
            FUZZ_CHECK(st, meta_shape && meta_value != 0 && *v == meta_value,
                       "decode_next_route_id accepted " << to_hex(in));
            FUZZ_CHECK(st, codec::encode_next_route_id(*v) == in, "next id re-encode differs for " << to_hex(in));
        } else {
            FUZZ_CHECK(st, !meta_shape || meta_value == 0, "decode_next_route_id rejected " << to_hex(in));
            FUZZ_CHECK(st, v.error() == errc::catalog_invalid_next_route_id,
                       "decode_next_route_id error " << v.error().message() << " for " << to_hex(in));
            if (!meta_shape)
                FUZZ_CHECK(st, context.starts_with("decode next route id: "),
                           "next id context '" << context << "' for " << to_hex(in));
        }
    }
    // §3
    {
        auto id = codec::route_id_from_key(in);
        const bool key_shape = in.size() == kRoutePrefixSize + 8 && in.starts_with("!dist|route|");
        if (id) {
            ++st.key_ok;
            FUZZ_CHECK(st, key_shape, "route_id_from_key accepted " << to_hex(in));
            FUZZ_CHECK(st, codec::route_key(*id) == in, "route key re-encode differs for " << to_hex(in));
        } else {
            FUZZ_CHECK(st, !key_shape, "route_id_from_key rejected " << to_hex(in));
        }
        FUZZ_CHECK(st, codec::is_route_key(in) == in.starts_with("!dist|route|"), "is_route_key " << to_hex(in));
    }
    // §4.3
    {
        std::string context;
        auto d = codec::decode_route_descriptor(in, &context);
        RouteDescriptor expected;
        const std::optional<errc> want = ref_decode(in, &expected);
        if (d) {
            ++st.descriptor_ok;
            FUZZ_CHECK(st, !want.has_value(),
                       "decode_route_descriptor accepted " << to_hex(in) << " (spec: "
                                                           << make_error_code(*want).message() << ")");
            FUZZ_CHECK(st, same_route(*d, expected), "decoded fields differ for " << to_hex(in));
            auto re = codec::encode_route_descriptor(*d);
            FUZZ_CHECK(st, re && *re == in, "descriptor re-encode differs for " << to_hex(in));
        } else {
            const auto got = static_cast<errc>(d.error().value());
            ++st.by_error[error_slot(got)];
            FUZZ_CHECK(st, is_descriptor_error(d.error()),
                       "decode_route_descriptor error outside the spec set: " << d.error().message() << " for "
                                                                              << to_hex(in));
            FUZZ_CHECK(st, want.has_value() && *want == got,
                       "decode_route_descriptor error '" << d.error().message() << "' expected '"
                                                         << (want ? make_error_code(*want).message() : "success")
                                                         << "' for " << to_hex(in));
        }
    }
}

std::string random_bytes(std::mt19937_64& rng, std::size_t len) {
    std::string s(len, '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
    return s;
}

// A valid encoding of something: a descriptor (mostly), a meta record or a route key.
std::string random_valid_encoding(std::mt19937_64& rng) {
    switch (rng() % 8) {
        case 0: return codec::encode_version((rng() % 2) ? rng() % 4 : rng());
        case 1: return codec::route_key((rng() % 2) ? rng() % 300 : rng());
        default: {
            RouteDescriptor r = random_route(rng);
            // Short keys keep records small and make length-field mutations land.
            if (rng() % 2) {
                r.start = r.start.substr(0, rng() % 4);
                if (r.end) {
                    std::string e = r.end->substr(0, 1 + rng() % 4);
                    if (e <= r.start) e = r.start + "a";
                    r.end = std::move(e);
                }
            }
            auto enc = codec::encode_route_descriptor(r);
            return enc ? *enc : std::string();
        }
    }
}

std::string mutate(std::mt19937_64& rng, std::string s) {
    const int ops = 1 + static_cast<int>(rng() % 3);
    for (int op = 0; op < ops; ++op) {
        switch (rng() % 8) {
            case 0:  // flip a random byte to a random value
                if (!s.empty()) s[rng() % s.size()] = static_cast<char>(rng() & 0xFF);
                break;
            case 1: {  // set a random byte to a special value
                static const unsigned char kSpecial[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x09, 0x7F, 0x80, 0xFF};
                if (!s.empty()) s[rng() % s.size()] = static_cast<char>(kSpecial[rng() % sizeof kSpecial]);
                break;
            }
            case 2:  // truncate
                if (!s.empty()) s.resize(rng() % s.size());
                break;
            case 3:  // append 1..3 bytes
                s += random_bytes(rng, 1 + rng() % 3);
                break;
            case 4: {  // overwrite a length field (L at 26, or M right after the start) with a small value
                if (s.size() >= 34) {
                    const std::uint64_t l = codec::read_u64_be(std::string_view(s).substr(26));
                    std::size_t at = 26;
                    if (rng() % 2 && l < s.size() && 35 + l + 8 <= s.size()) at = 35 + static_cast<std::size_t>(l);
                    const std::uint64_t v = (rng() % 4 == 0) ? rng() : rng() % 8;
                    s.replace(at, 8, be64(v));
                }
                break;
            }
            case 6:  // zero the route id or group id field, or put a random byte in the state field
                if (s.size() >= 18) {
                    switch (rng() % 3) {
                        case 0: s.replace(1, 8, std::string(8, '\0')); break;
                        case 1: s.replace(9, 8, std::string(8, '\0')); break;
                        default: s[17] = static_cast<char>(rng() & 0xFF); break;
                    }
                }
                break;
            case 5:  // flip one bit
                if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1u << (rng() % 8));
                break;
            default:  // drop one byte from the middle
                if (!s.empty()) s.erase(rng() % s.size(), 1);
                break;
        }
    }
    return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(codec_fuzz)

BOOST_AUTO_TEST_CASE(random_bytes_never_crash_and_fail_with_spec_errors) {
    std::mt19937_64 rng(0x5EED0001);
    FuzzStats st;
    constexpr int kCases = 100000;
    for (int i = 0; i < kCases; ++i) {
        std::string in = random_bytes(rng, rng() % 81);
        // Bias some inputs towards the shapes the decoders accept, so that deeper paths are reached.
        switch (rng() % 8) {
            case 0:
                if (!in.empty()) in[0] = '\x01';
                break;
            case 1:
                in = "!dist|route|" + in.substr(0, rng() % 10);
                break;
            case 2:
                in = std::string(1, '\x01') + in.substr(0, 8);
                break;
            default: break;
        }
        check_input(in, st);
    }
    BOOST_TEST(st.failures == 0);
    BOOST_TEST(st.version_ok > 0);
    BOOST_TEST(st.next_ok > 0);
    BOOST_TEST(st.key_ok > 0);
    BOOST_TEST(st.by_error[0] > 0);
    BOOST_TEST(st.by_error[5] == 0);
    BOOST_TEST_MESSAGE("random: version_ok=" << st.version_ok << " next_ok=" << st.next_ok << " key_ok="
                                             << st.key_ok << " descriptor_ok=" << st.descriptor_ok);
}

BOOST_AUTO_TEST_CASE(mutated_encodings_never_crash_and_fail_with_spec_errors) {
    std::mt19937_64 rng(0x5EED0002);
    FuzzStats st;
    constexpr int kCases = 100000;
    std::vector<std::string> pool;
    for (int i = 0; i < 4096; ++i) pool.push_back(random_valid_encoding(rng));
    for (int i = 0; i < kCases; ++i) check_input(mutate(rng, pool[rng() % pool.size()]), st);
    BOOST_TEST(st.failures == 0);
    // Every outcome of the descriptor decoder is reached.
    BOOST_TEST(st.descriptor_ok > 0);
    BOOST_TEST(st.by_error[0] > 0);  // record
    BOOST_TEST(st.by_error[1] > 0);  // route id required
    BOOST_TEST(st.by_error[2] > 0);  // group id required
    BOOST_TEST(st.by_error[3] > 0);  // state
    BOOST_TEST(st.by_error[4] > 0);  // range
    BOOST_TEST(st.by_error[5] == 0);
    BOOST_TEST(st.version_ok > 0);
    BOOST_TEST(st.key_ok > 0);
    BOOST_TEST_MESSAGE("mutations: ok=" << st.descriptor_ok << " record=" << st.by_error[0] << " id="
                                        << st.by_error[1] << " group=" << st.by_error[2] << " state="
                                        << st.by_error[3] << " range=" << st.by_error[4]);
}

BOOST_AUTO_TEST_CASE(unmutated_encodings_decode) {
    // The mutation base itself always decodes (sanity of the generator and the oracle).
    std::mt19937_64 rng(0x5EED0003);
    FuzzStats st;
    for (int i = 0; i < 5000; ++i) {
        RouteDescriptor r = random_route(rng);
        auto enc = codec::encode_route_descriptor(r);
        BOOST_TEST_REQUIRE(enc.has_value());
        RouteDescriptor out;
        FUZZ_CHECK(st, !ref_decode(*enc, &out).has_value() && same_route(out, r), "oracle rejects " << to_hex(*enc));
        check_input(*enc, st);
    }
    BOOST_TEST(st.failures == 0);
    BOOST_TEST(st.descriptor_ok == 5000);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
