#pragma once
// Byte strings for codec tests: hex literals in, readable hex out, big-endian u64s; the largest u64.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace routecat::test {

inline constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

// Byte strings with explicit lengths (NUL bytes survive): b("a\0b") is 3 bytes.
template <std::size_t N>
std::string b(const char (&s)[N]) {
    return std::string(s, N - 1);
}

// "01 00 2a" / "01|00|2a" / "01002a" -> bytes. Spaces and '|' are ignored.
inline std::string hex(std::string_view text) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    int high = -1;
    for (char c : text) {
        if (c == ' ' || c == '|' || c == '\n') continue;
        const int v = nibble(c);
        if (v < 0) throw std::invalid_argument("bad hex literal");
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<char>(high * 16 + v));
            high = -1;
        }
    }
    if (high >= 0) throw std::invalid_argument("odd hex literal");
    return out;
}

// bytes -> "01002a" (lowercase, no separators); used to make failures readable.
inline std::string to_hex(std::string_view bytes) {
    static const char* const kHex = "0123456789abcdef";
    std::string out;
    for (char c : bytes) {
        const auto v = static_cast<unsigned char>(c);
        out.push_back(kHex[v >> 4]);
        out.push_back(kHex[v & 15]);
    }
    return out;
}

inline std::string be64(std::uint64_t v) {
    std::string out;
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
    return out;
}

}  // namespace routecat::test
