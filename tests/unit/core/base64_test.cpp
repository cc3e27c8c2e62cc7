#include <boost/test/unit_test.hpp>

#include "routecat/base64.hpp"
#include "support/printers.hpp"

#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace routecat {
namespace {

using namespace std::string_literals;

std::optional<std::string> some(std::string s) { return s; }

BOOST_AUTO_TEST_SUITE(admin_base64)

BOOST_AUTO_TEST_CASE(rfc4648_vectors) {
    const std::vector<std::pair<std::string, std::string>> vectors{
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [bytes, text] : vectors) {
        BOOST_TEST(base64_encode(bytes) == text);
        BOOST_TEST(base64_decode(text) == some(bytes));
    }
}

BOOST_AUTO_TEST_CASE(binary_bytes) {
    BOOST_TEST(base64_encode("\x00"s) == "AA==");
    BOOST_TEST(base64_encode("\x00\x00\x00"s) == "AAAA");
    BOOST_TEST(base64_encode("\xff"s) == "/w==");
    BOOST_TEST(base64_encode("\xff\xff\xff"s) == "////");
    BOOST_TEST(base64_encode("\xfb\xff"s) == "+/8=");
    BOOST_TEST(base64_encode("a\x00z\xff"s) == "YQB6/w==");
    BOOST_TEST(base64_decode("AA==") == some("\x00"s));
    BOOST_TEST(base64_decode("AAAA") == some("\x00\x00\x00"s));
    BOOST_TEST(base64_decode("////") == some("\xff\xff\xff"s));
    BOOST_TEST(base64_decode("+/8=") == some("\xfb\xff"s));
    BOOST_TEST(base64_decode("YQB6/w==") == some("a\x00z\xff"s));
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    BOOST_TEST(base64_decode(base64_encode(all)) == some(all));
    BOOST_TEST(base64_encode(all).size() == 344u);
}

BOOST_AUTO_TEST_CASE(random_round_trips) {
    std::mt19937_64 rng(20240601);
    std::uniform_int_distribution<int> byte(0, 255), len(0, 64);
    for (int i = 0; i < 10000; ++i) {
        std::string bytes(static_cast<std::size_t>(len(rng)), '\0');
        for (auto& c : bytes) c = static_cast<char>(byte(rng));
        const std::string text = base64_encode(bytes);
        BOOST_REQUIRE(text.size() == (bytes.size() + 2) / 3 * 4);
        BOOST_REQUIRE(base64_decode(text) == some(bytes));
    }
}

BOOST_AUTO_TEST_CASE(rejects_wrong_length) {
    for (std::string_view t : {"Z", "Zg", "Zg=", "Zm9", "Zm9vY", "Zm9vYg=", "Zg===", "Zm9vYmFy="})
        BOOST_TEST(!base64_decode(t).has_value(), t);
}

BOOST_AUTO_TEST_CASE(rejects_bad_characters) {
    for (std::string_view t : {"Zm9v!A==", "Zm-v", "Zm_v", "Zm9 ", " Zm9", "Zm\n9", "Zm9v\r\n", "Zm.v"})
        BOOST_TEST(!base64_decode(t).has_value(), t);
    BOOST_TEST(!base64_decode("Zm\x00v"s).has_value());
    BOOST_TEST(!base64_decode("Zm\xffv"s).has_value());
}

BOOST_AUTO_TEST_CASE(rejects_misplaced_or_excess_padding) {
    // '=' in the middle of a quantum, in an earlier quantum, or in front.
    for (std::string_view t : {"Z=g=", "=Zg=", "Zg==Zg==", "Zm=vYmFy", "Zm9=YmFy", "A===", "====", "Zm9v====",
                               "Z===", "=AAA", "AA=A"})
        BOOST_TEST(!base64_decode(t).has_value(), t);
}

BOOST_AUTO_TEST_CASE(rejects_non_canonical_trailing_bits) {
    BOOST_TEST(base64_decode("Zg==") == some("f"));
    for (std::string_view t : {"Zh==", "Zi==", "Zv==", "Z/==", "Zm9=", "Zm+=", "AB==", "AAB="})
        BOOST_TEST(!base64_decode(t).has_value(), t);
    BOOST_TEST(base64_decode("Zm8=") == some("fo"));
    BOOST_TEST(base64_decode("AAA=") == some("\x00\x00"s));
}

BOOST_AUTO_TEST_CASE(random_text_never_crashes_and_decodes_only_canonical_text) {
    // Characters drawn mostly from the alphabet and '=', so a fair share decodes; whatever decodes
    // must be the one canonical encoding of its bytes.
    static constexpr std::string_view kPool =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/======-_ \n\x00\xff";
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<std::size_t> pick(0, kPool.size() - 1), len(0, 16);
    std::uniform_int_distribution<int> byte(0, 255), mode(0, 3);
    int decoded = 0;
    for (int i = 0; i < 100000; ++i) {
        std::string text(len(rng), '\0');
        const bool raw = mode(rng) == 0;
        for (auto& c : text) c = raw ? static_cast<char>(byte(rng)) : kPool[pick(rng)];
        auto bytes = base64_decode(text);
        if (bytes) {
            ++decoded;
            BOOST_REQUIRE(base64_encode(*bytes) == text);
        }
    }
    BOOST_TEST(decoded > 1000);
}

BOOST_AUTO_TEST_CASE(hex_decoding) {
    BOOST_TEST(hex_decode("") == some(""));
    BOOST_TEST(hex_decode("00ff") == some("\x00\xff"s));
    BOOST_TEST(hex_decode("00FF") == some("\x00\xff"s));
    BOOST_TEST(hex_decode("aBcD") == some("\xab\xcd"s));
    BOOST_TEST(hex_decode("757365722f3432") == some("user/42"));
    BOOST_TEST(hex_decode("0123456789abcdefABCDEF") == some("\x01\x23\x45\x67\x89\xab\xcd\xef\xab\xcd\xef"s));
    for (std::string_view t : {"0", "abc", "0g", "g0", "0x00", " 00", "00 ", "-1", "+1"})
        BOOST_TEST(!hex_decode(t).has_value(), t);
    BOOST_TEST(!hex_decode("0\x00"s).has_value());
    std::mt19937_64 rng(3);
    std::uniform_int_distribution<int> byte(0, 255), len(0, 12);
    for (int i = 0; i < 10000; ++i) {
        std::string text(static_cast<std::size_t>(len(rng)), '\0');
        for (auto& c : text) c = static_cast<char>(byte(rng));
        (void)hex_decode(text);
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace routecat
