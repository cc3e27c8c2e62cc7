#include "support/builders.hpp"
#include "support/bytes.hpp"

#include <boost/test/unit_test.hpp>

#include "routecat/error.hpp"
#include "routecat/key_text.hpp"
#include "routecat/route.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace routecat {
using test::b;
using test::kMax;
using test::rd;
namespace {

RouteState state_of(unsigned v) { return static_cast<RouteState>(static_cast<std::uint8_t>(v)); }

std::vector<std::uint64_t> ids(const std::vector<RouteDescriptor>& rs) {
    std::vector<std::uint64_t> out;
    for (const auto& r : rs) out.push_back(r.route_id);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(route)

// ---------------------------------------------------------------------------------------------
// validate_route (§2.2)

BOOST_AUTO_TEST_CASE(validate_accepts_valid_routes) {
    BOOST_TEST(!validate_route(rd(1, "", std::nullopt)));
    BOOST_TEST(!validate_route(rd(1, "a", std::string("b"))));
    BOOST_TEST(!validate_route(rd(kMax, "", std::string("\x01", 1), kMax, RouteState::migrating_target, kMax)));
    BOOST_TEST(!validate_route(rd(7, "a", std::string("m"), 3, RouteState::write_fenced, 2)));
    // Unsigned byte order: "a" < "\xff", "a" < "a\0".
    BOOST_TEST(!validate_route(rd(1, "a", std::string("\xff"))));
    BOOST_TEST(!validate_route(rd(1, "a", b("a\0"))));
    BOOST_TEST(!validate_route(rd(1, "", b("\0"))));
    BOOST_TEST(!validate_route(rd(1, "\x7f", std::string("\x80"))));
}

BOOST_AUTO_TEST_CASE(validate_route_id_required) {
    auto ec = validate_route(rd(0, "a", std::string("b")));
    BOOST_TEST((ec == errc::catalog_route_id_required));
}

BOOST_AUTO_TEST_CASE(validate_group_id_required) {
    auto ec = validate_route(rd(1, "a", std::string("b"), 0));
    BOOST_TEST((ec == errc::catalog_group_id_required));
}

BOOST_AUTO_TEST_CASE(validate_order_first_failure_wins) {
    // id 0 and group 0 -> id.
    BOOST_TEST((validate_route(rd(0, "a", std::string("b"), 0)) == errc::catalog_route_id_required));
    // Everything wrong -> id.
    BOOST_TEST((validate_route(rd(0, "z", std::string("a"), 0, state_of(9))) == errc::catalog_route_id_required));
    // id ok; group 0, bad state, bad range -> group.
    BOOST_TEST((validate_route(rd(1, "z", std::string("a"), 0, state_of(9))) == errc::catalog_group_id_required));
    // id, group ok; bad state and bad range -> state.
    BOOST_TEST((validate_route(rd(1, "z", std::string("a"), 1, state_of(9))) == errc::catalog_invalid_route_state));
    BOOST_TEST((validate_route(rd(1, "a", std::string(""), 1, state_of(4))) == errc::catalog_invalid_route_state));
    // Only the range is wrong -> range.
    BOOST_TEST((validate_route(rd(1, "z", std::string("a"))) == errc::catalog_invalid_route_range));
    // id 0 with an unbounded range and good state -> id.
    BOOST_TEST((validate_route(rd(0, "", std::nullopt)) == errc::catalog_route_id_required));
    // group 0 with bad range only -> group.
    BOOST_TEST((validate_route(rd(5, "b", std::string("b"), 0)) == errc::catalog_group_id_required));
}

BOOST_AUTO_TEST_CASE(validate_present_empty_end_is_invalid) {
    BOOST_TEST((validate_route(rd(1, "", std::string())) == errc::catalog_invalid_route_range));
    BOOST_TEST((validate_route(rd(1, "a", std::string())) == errc::catalog_invalid_route_range));
    BOOST_TEST((validate_route(rd(1, b("\0"), std::string())) == errc::catalog_invalid_route_range));
}

BOOST_AUTO_TEST_CASE(validate_start_equal_end_is_invalid) {
    BOOST_TEST((validate_route(rd(1, "a", std::string("a"))) == errc::catalog_invalid_route_range));
    BOOST_TEST((validate_route(rd(1, b("\0"), b("\0"))) == errc::catalog_invalid_route_range));
    BOOST_TEST((validate_route(rd(1, "\xff\xff", std::string("\xff\xff"))) == errc::catalog_invalid_route_range));
}

BOOST_AUTO_TEST_CASE(validate_start_after_end_is_invalid) {
    BOOST_TEST((validate_route(rd(1, "b", std::string("a"))) == errc::catalog_invalid_route_range));
    // Unsigned: 0xFF sorts after 'a'.
    BOOST_TEST((validate_route(rd(1, "\xff", std::string("a"))) == errc::catalog_invalid_route_range));
    BOOST_TEST((validate_route(rd(1, "\x80", std::string("\x7f"))) == errc::catalog_invalid_route_range));
    // Longer with the same prefix sorts after.
    BOOST_TEST((validate_route(rd(1, b("a\0"), std::string("a"))) == errc::catalog_invalid_route_range));
    BOOST_TEST((validate_route(rd(1, "ab", std::string("a"))) == errc::catalog_invalid_route_range));
}

BOOST_AUTO_TEST_CASE(validate_absent_end_is_valid_for_any_start) {
    BOOST_TEST(!validate_route(rd(1, "", std::nullopt)));
    BOOST_TEST(!validate_route(rd(1, "zzz", std::nullopt)));
    BOOST_TEST(!validate_route(rd(1, "\xff\xff\xff", std::nullopt)));
    BOOST_TEST(!validate_route(rd(1, b("\0\0"), std::nullopt)));
}

BOOST_AUTO_TEST_CASE(validate_states) {
    for (unsigned s = 0; s <= 3; ++s)
        BOOST_TEST(!validate_route(rd(1, "a", std::string("b"), 1, state_of(s))), "state " << s);
    BOOST_TEST((validate_route(rd(1, "a", std::string("b"), 1, state_of(4))) == errc::catalog_invalid_route_state));
    BOOST_TEST((validate_route(rd(1, "a", std::string("b"), 1, state_of(9))) == errc::catalog_invalid_route_state));
    BOOST_TEST((validate_route(rd(1, "a", std::string("b"), 1, state_of(128))) == errc::catalog_invalid_route_state));
    BOOST_TEST((validate_route(rd(1, "a", std::string("b"), 1, state_of(255))) == errc::catalog_invalid_route_state));
    BOOST_TEST((validate_route(rd(1, "", std::nullopt, 1, state_of(255))) == errc::catalog_invalid_route_state));
}

BOOST_AUTO_TEST_CASE(validate_parent_id_never_checked) {
    BOOST_TEST(!validate_route(rd(1, "a", std::string("b"), 1, RouteState::active, 0)));
    BOOST_TEST(!validate_route(rd(1, "a", std::string("b"), 1, RouteState::active, 1)));  // itself
    BOOST_TEST(!validate_route(rd(1, "a", std::string("b"), 1, RouteState::active, kMax)));
    BOOST_TEST(!validate_route(rd(5, "", std::nullopt, 2, RouteState::migrating_source, 12345)));
}

BOOST_AUTO_TEST_CASE(is_valid_state_values) {
    BOOST_TEST(is_valid_state(RouteState::active));
    BOOST_TEST(is_valid_state(RouteState::write_fenced));
    BOOST_TEST(is_valid_state(RouteState::migrating_source));
    BOOST_TEST(is_valid_state(RouteState::migrating_target));
    BOOST_TEST(!is_valid_state(state_of(4)));
    BOOST_TEST(!is_valid_state(state_of(255)));
    BOOST_TEST(static_cast<int>(RouteState::active) == 0);
    BOOST_TEST(static_cast<int>(RouteState::write_fenced) == 1);
    BOOST_TEST(static_cast<int>(RouteState::migrating_source) == 2);
    BOOST_TEST(static_cast<int>(RouteState::migrating_target) == 3);
    static_assert(sizeof(RouteState) == 1);
}

// ---------------------------------------------------------------------------------------------
// catalog order (§2.2)

BOOST_AUTO_TEST_CASE(order_by_start) {
    BOOST_TEST(catalog_order_less(rd(2, "a", std::nullopt), rd(1, "b", std::nullopt)));
    BOOST_TEST(!catalog_order_less(rd(1, "b", std::nullopt), rd(2, "a", std::nullopt)));
    // Empty start is the smallest.
    BOOST_TEST(catalog_order_less(rd(9, "", std::nullopt), rd(1, b("\0"), std::string("z"))));
    // Shorter prefix first: "a" before "a\0".
    BOOST_TEST(catalog_order_less(rd(9, "a", std::nullopt), rd(1, b("a\0"), std::nullopt)));
    BOOST_TEST(!catalog_order_less(rd(1, b("a\0"), std::nullopt), rd(9, "a", std::nullopt)));
    // Unsigned bytes: "\xff" after "a", "\x80" after "\x7f", "\0" before "\x01".
    BOOST_TEST(catalog_order_less(rd(9, "a", std::nullopt), rd(1, "\xff", std::nullopt)));
    BOOST_TEST(!catalog_order_less(rd(1, "\xff", std::nullopt), rd(9, "a", std::nullopt)));
    BOOST_TEST(catalog_order_less(rd(9, "\x7f", std::nullopt), rd(1, "\x80", std::nullopt)));
    BOOST_TEST(catalog_order_less(rd(9, b("\0"), std::nullopt), rd(1, "\x01", std::nullopt)));
    BOOST_TEST(catalog_order_less(rd(9, b("\0"), std::nullopt), rd(1, "\xff", std::nullopt)));
    // Start wins over end and id: the bounded/unbounded rule applies only to equal starts.
    BOOST_TEST(catalog_order_less(rd(9, "a", std::nullopt), rd(1, "b", std::string("c"))));
}

BOOST_AUTO_TEST_CASE(order_equal_start_bounded_before_unbounded) {
    const auto bounded = rd(9, "a", std::string("\xff\xff"));
    const auto unbounded = rd(1, "a", std::nullopt);
    BOOST_TEST(catalog_order_less(bounded, unbounded));
    BOOST_TEST(!catalog_order_less(unbounded, bounded));
}

BOOST_AUTO_TEST_CASE(order_equal_start_by_end_then_id) {
    BOOST_TEST(catalog_order_less(rd(9, "a", std::string("b")), rd(1, "a", std::string("c"))));
    BOOST_TEST(!catalog_order_less(rd(1, "a", std::string("c")), rd(9, "a", std::string("b"))));
    BOOST_TEST(catalog_order_less(rd(9, "a", std::string("m")), rd(1, "a", b("m\0"))));
    BOOST_TEST(catalog_order_less(rd(9, "a", std::string("m")), rd(1, "a", std::string("\xff"))));
    BOOST_TEST(!catalog_order_less(rd(1, "a", std::string("\xff")), rd(9, "a", std::string("m"))));
    // Same start and end: id ascending.
    BOOST_TEST(catalog_order_less(rd(1, "a", std::string("b")), rd(2, "a", std::string("b"))));
    BOOST_TEST(!catalog_order_less(rd(2, "a", std::string("b")), rd(1, "a", std::string("b"))));
    BOOST_TEST(catalog_order_less(rd(1, "a", std::nullopt), rd(kMax, "a", std::nullopt)));
    BOOST_TEST(!catalog_order_less(rd(kMax, "a", std::nullopt), rd(1, "a", std::nullopt)));
}

BOOST_AUTO_TEST_CASE(order_is_irreflexive) {
    const auto r = rd(3, "a", std::string("b"));
    BOOST_TEST(!catalog_order_less(r, r));
    const auto u = rd(3, "a", std::nullopt);
    BOOST_TEST(!catalog_order_less(u, u));
    // Equal in (start, end, id) but different group: neither is less.
    BOOST_TEST(!catalog_order_less(rd(3, "a", std::string("b"), 1), rd(3, "a", std::string("b"), 2)));
    BOOST_TEST(!catalog_order_less(rd(3, "a", std::string("b"), 2), rd(3, "a", std::string("b"), 1)));
}

BOOST_AUTO_TEST_CASE(order_sorts_a_list) {
    std::vector<RouteDescriptor> rs{
        rd(10, "\xff", std::nullopt),
        rd(11, "a", std::nullopt),
        rd(12, "a", std::string("c")),
        rd(13, b("a\0"), std::string("b")),
        rd(14, "", std::string("a")),
        rd(15, "a", std::string("b")),
        rd(5, "a", std::string("b")),
        rd(16, "b", std::nullopt),
        rd(17, b("\0"), std::nullopt),
        rd(1, "a", std::nullopt),
    };
    std::sort(rs.begin(), rs.end(), catalog_order_less);
    const std::vector<std::uint64_t> expected{14, 17, 5, 15, 12, 1, 11, 13, 16, 10};
    BOOST_TEST(ids(rs) == expected, boost::test_tools::per_element());
}

// ---------------------------------------------------------------------------------------------
// RouteDescriptor equality (§2.2)

BOOST_AUTO_TEST_CASE(equality_absent_end_equals_empty_end) {
    const auto absent = rd(1, "a", std::nullopt);
    const auto empty = rd(1, "a", std::string());
    BOOST_TEST((absent == empty));
    BOOST_TEST((empty == absent));
    BOOST_TEST(!(absent != empty));
}

BOOST_AUTO_TEST_CASE(equality_every_field_matters) {
    const auto base = rd(7, "a", std::string("m"), 3, RouteState::write_fenced, 2);
    BOOST_TEST((base == rd(7, "a", std::string("m"), 3, RouteState::write_fenced, 2)));

    BOOST_TEST(!(base == rd(8, "a", std::string("m"), 3, RouteState::write_fenced, 2)));
    BOOST_TEST(!(base == rd(7, "b", std::string("m"), 3, RouteState::write_fenced, 2)));
    BOOST_TEST(!(base == rd(7, "a", std::string("n"), 3, RouteState::write_fenced, 2)));
    BOOST_TEST(!(base == rd(7, "a", std::nullopt, 3, RouteState::write_fenced, 2)));
    BOOST_TEST(!(base == rd(7, "a", std::string("m"), 4, RouteState::write_fenced, 2)));
    BOOST_TEST(!(base == rd(7, "a", std::string("m"), 3, RouteState::active, 2)));
    BOOST_TEST(!(base == rd(7, "a", std::string("m"), 3, RouteState::write_fenced, 0)));
    BOOST_TEST((base != rd(7, "a", std::string("m"), 3, RouteState::write_fenced, 3)));

    // Bytes compared byte-wise, NUL included.
    BOOST_TEST(!(rd(1, "", std::nullopt) == rd(1, b("\0"), std::nullopt)));
    BOOST_TEST(!(rd(1, "a", b("b\0")) == rd(1, "a", std::string("b"))));
    BOOST_TEST((rd(1, b("a\0b"), b("c\0\xff")) == rd(1, b("a\0b"), b("c\0\xff"))));
    BOOST_TEST(!(rd(1, b("a\0b"), std::nullopt) == rd(1, b("a\0c"), std::nullopt)));
    // Present non-empty end vs absent differ.
    BOOST_TEST(!(rd(1, "", std::string("\xff")) == rd(1, "", std::nullopt)));
}

// ---------------------------------------------------------------------------------------------
// State names

BOOST_AUTO_TEST_CASE(state_names) {
    BOOST_TEST(std::string(to_string(RouteState::active)) == "active");
    BOOST_TEST(std::string(to_string(RouteState::write_fenced)) == "write_fenced");
    BOOST_TEST(std::string(to_string(RouteState::migrating_source)) == "migrating_source");
    BOOST_TEST(std::string(to_string(RouteState::migrating_target)) == "migrating_target");
    BOOST_TEST(to_string(state_of(4)).empty());
    BOOST_TEST(to_string(state_of(255)).empty());
}

BOOST_AUTO_TEST_CASE(state_from_string) {
    BOOST_TEST((route_state_from_string("active") == std::optional<RouteState>(RouteState::active)));
    BOOST_TEST((route_state_from_string("write_fenced") == std::optional<RouteState>(RouteState::write_fenced)));
    BOOST_TEST((route_state_from_string("migrating_source") ==
                std::optional<RouteState>(RouteState::migrating_source)));
    BOOST_TEST((route_state_from_string("migrating_target") ==
                std::optional<RouteState>(RouteState::migrating_target)));
    BOOST_TEST(!route_state_from_string("").has_value());
    BOOST_TEST(!route_state_from_string("unknown").has_value());
    BOOST_TEST(!route_state_from_string("Active").has_value());
    BOOST_TEST(!route_state_from_string("ACTIVE").has_value());
    BOOST_TEST(!route_state_from_string("active ").has_value());
    BOOST_TEST(!route_state_from_string("writefenced").has_value());
    BOOST_TEST(!route_state_from_string("ROUTE_STATE_ACTIVE").has_value());
    BOOST_TEST(!route_state_from_string("0").has_value());
    BOOST_TEST(!route_state_from_string(std::string_view("active\0", 7)).has_value());
}

// ---------------------------------------------------------------------------------------------
// range_contains

BOOST_AUTO_TEST_CASE(range_contains_bounded) {
    const std::optional<std::string> m("m");
    BOOST_TEST(range_contains("a", m, "a"));
    BOOST_TEST(range_contains("a", m, "b"));
    BOOST_TEST(range_contains("a", m, "l\xff\xff"));
    BOOST_TEST(range_contains("a", m, b("a\0")));
    BOOST_TEST(!range_contains("a", m, "m"));  // end exclusive
    BOOST_TEST(!range_contains("a", m, b("m\0")));
    BOOST_TEST(!range_contains("a", m, ""));
    BOOST_TEST(!range_contains("a", m, b("\0")));
    BOOST_TEST(!range_contains("a", m, "\xff"));  // unsigned: above "m"
    BOOST_TEST(!range_contains("a", m, "\x80"));
    // [a, a\0) holds exactly "a".
    const std::optional<std::string> a0(b("a\0"));
    BOOST_TEST(range_contains("a", a0, "a"));
    BOOST_TEST(!range_contains("a", a0, b("a\0")));
    BOOST_TEST(!range_contains("a", a0, b("a\0\0")));
}

BOOST_AUTO_TEST_CASE(range_contains_unbounded_and_empty) {
    const std::optional<std::string> none;
    BOOST_TEST(range_contains("", none, ""));
    BOOST_TEST(range_contains("", none, "\xff\xff\xff"));
    BOOST_TEST(range_contains("m", none, "\xff"));
    BOOST_TEST(range_contains("m", none, "m"));
    BOOST_TEST(!range_contains("m", none, "l\xff"));
    BOOST_TEST(!range_contains("\xff", none, "a"));
    // A present empty end holds nothing.
    const std::optional<std::string> empty(std::string{});
    BOOST_TEST(!range_contains("", empty, ""));
    BOOST_TEST(!range_contains("", empty, "a"));
    // [ "", "\0" ) holds only the empty key.
    const std::optional<std::string> zero(b("\0"));
    BOOST_TEST(range_contains("", zero, ""));
    BOOST_TEST(!range_contains("", zero, b("\0")));
}

// ---------------------------------------------------------------------------------------------
// key_to_text

BOOST_AUTO_TEST_CASE(key_to_text_literals) {
    BOOST_TEST(key_to_text("") == "");
    BOOST_TEST(key_to_text("abc") == "abc");
    BOOST_TEST(key_to_text(" ") == " ");
    BOOST_TEST(key_to_text("~") == "~");
    BOOST_TEST(key_to_text("!dist|route|") == "!dist|route|");
    BOOST_TEST(key_to_text("\"'{}") == "\"'{}");
    BOOST_TEST(key_to_text("\\") == "\\\\");
    BOOST_TEST(key_to_text("a\\b") == "a\\\\b");
    BOOST_TEST(key_to_text(b("\0")) == "\\x00");
    BOOST_TEST(key_to_text("\x7f") == "\\x7f");
    BOOST_TEST(key_to_text("\xff") == "\\xff");
    BOOST_TEST(key_to_text("\x80") == "\\x80");
    BOOST_TEST(key_to_text("\x1f") == "\\x1f");
    BOOST_TEST(key_to_text("\n") == "\\x0a");
    BOOST_TEST(key_to_text("\t") == "\\x09");
    BOOST_TEST(key_to_text("\xab\xcd\xef") == "\\xab\\xcd\\xef");  // lowercase hex
    BOOST_TEST(key_to_text(b("a\0b\\\xff")) == "a\\x00b\\\\\\xff");
    BOOST_TEST(key_to_text(b("\0\0")) == "\\x00\\x00");
    // "\x" in the input is the two literal characters and must stay distinguishable.
    BOOST_TEST(key_to_text("\\x00") == "\\\\x00");
}

BOOST_AUTO_TEST_CASE(key_to_text_every_byte) {
    static const char* const kHex = "0123456789abcdef";
    for (int v = 0; v < 256; ++v) {
        const std::string in(1, static_cast<char>(v));
        std::string expected;
        if (v == 0x5C)
            expected = "\\\\";
        else if (v >= 0x20 && v <= 0x7E)
            expected = in;
        else
            expected = std::string("\\x") + kHex[v >> 4] + kHex[v & 15];
        BOOST_TEST(key_to_text(in) == expected, "byte " << v);
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace routecat
