#include "routecat/base64.hpp"

#include <array>
#include <cstdint>

namespace routecat {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t kInvalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
    std::array<std::uint8_t, 256> table{};
    for (auto& v : table) v = kInvalid;
    for (std::size_t i = 0; i < kAlphabet.size(); ++i)
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
    return table;
}

constexpr std::array<std::uint8_t, 256> kDecode = make_decode_table();

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    base64_append(out, bytes);
    return out;
}

void base64_append(std::string& out, std::string_view bytes) {
    out.reserve(out.size() + (bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                          (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                          std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
        out.push_back(kAlphabet[(n >> 18) & 0x3F]);
        out.push_back(kAlphabet[(n >> 12) & 0x3F]);
        out.push_back(kAlphabet[(n >> 6) & 0x3F]);
        out.push_back(kAlphabet[n & 0x3F]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        std::uint32_t n = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        out.push_back(kAlphabet[(n >> 18) & 0x3F]);
        out.push_back(kAlphabet[(n >> 12) & 0x3F]);
        out += "==";
    } else if (rest == 2) {
        std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                          (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
        out.push_back(kAlphabet[(n >> 18) & 0x3F]);
        out.push_back(kAlphabet[(n >> 12) & 0x3F]);
        out.push_back(kAlphabet[(n >> 6) & 0x3F]);
        out.push_back('=');
    }
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        // Padding: only in the last quantum, only as "x==" / "xx=" tails.
        std::size_t pad = 0;
        if (last) {
            if (text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
        }
        std::uint32_t n = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            if (j >= 4 - pad) {
                n <<= 6;
                continue;
            }
            const std::uint8_t v = kDecode[static_cast<unsigned char>(text[i + j])];
            if (v == kInvalid) return std::nullopt;  // '=' elsewhere lands here too
            n = (n << 6) | v;
        }
        out.push_back(static_cast<char>((n >> 16) & 0xFF));
        if (pad == 2) {
            if ((n & 0xFFFF) != 0) return std::nullopt;  // non-canonical: unused bits set
            break;
        }
        out.push_back(static_cast<char>((n >> 8) & 0xFF));
        if (pad == 1) {
            if ((n & 0xFF) != 0) return std::nullopt;
            break;
        }
        out.push_back(static_cast<char>(n & 0xFF));
    }
    return out;
}

std::optional<std::string> hex_decode(std::string_view text) {
    if (text.size() % 2 != 0) return std::nullopt;
    std::string out;
    out.reserve(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int hi = hex_value(text[i]);
        const int lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>((hi << 4) | lo));
    }
    return out;
}

}  // namespace routecat
