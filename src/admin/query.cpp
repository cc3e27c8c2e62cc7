#include "admin/query.hpp"

#include "routecat/base64.hpp"
#include "routecat/error.hpp"


#include <algorithm>
#include <limits>

namespace routecat::admin::query {

void bad_parameter(std::string_view name, std::string_view what) {
    std::string context(name);
    context += ": ";
    context += what;
    throw_error(errc::bad_request, context);
}

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decoding with '+' kept literally.
std::string pct_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
            continue;
        }
        if (text.size() - i < 3 || hex_value(text[i + 1]) < 0 || hex_value(text[i + 2]) < 0)
            bad_parameter("query", "malformed percent-encoding");
        out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
        i += 2;
    }
    return out;
}

}  // namespace

Params::Params(boost::urls::params_view params) {
    // The router's view decodes '+' as a space (HTML forms); split and decode the same encoded
    // bytes here with '+' literal. (Boost 1.81's parse_query reads past the end of a buffer that
    // is not NUL-terminated, such as a Beast target, so the query is split by hand.)
    std::string_view query(params.buffer().data(), params.buffer().size());
    if (!query.empty() && query.front() == '?') query.remove_prefix(1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        const auto eq = item.find('=');
        items_.emplace_back(pct_decode(item.substr(0, eq)),
                            eq == std::string_view::npos ? std::string() : pct_decode(item.substr(eq + 1)));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
}

std::optional<std::string> Params::get(std::string_view name) const {
    std::optional<std::string> found;
    for (const auto& [k, v] : items_) {
        if (k != name) continue;
        if (found) bad_parameter(name, "given more than once");
        found = v;
    }
    return found;
}

std::optional<std::string> Params::key(std::string_view name) const {
    const std::string b64_name = std::string(name) + "_b64";
    const std::string hex_name = std::string(name) + "_hex";
    auto text = get(name);
    auto b64 = get(b64_name);
    auto hex = get(hex_name);
    const int given = int(text.has_value()) + int(b64.has_value()) + int(hex.has_value());
    if (given > 1) {
        const std::string what = "give only one of " + std::string(name) + "=, " + b64_name + "= and " + hex_name + "=";
        bad_parameter(name, what);
    }
    if (text) return text;
    if (b64) {
        auto bytes = base64_decode(*b64);
        if (!bytes) bad_parameter(b64_name, "invalid base64");
        return bytes;
    }
    if (hex) {
        auto bytes = hex_decode(*hex);
        if (!bytes) bad_parameter(hex_name, "invalid hex");
        return bytes;
    }
    return std::nullopt;
}

std::uint64_t parse_u64(std::string_view name, std::string_view text) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        bad_parameter(name, "expected a non-negative integer");
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t n = 0;
    for (char c : text) {
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (n > (kMax - digit) / 10) bad_parameter(name, "out of range: at most 18446744073709551615");
        n = n * 10 + digit;
    }
    return n;
}

std::optional<std::uint64_t> Params::u64(std::string_view name) const {
    auto text = get(name);
    if (!text) return std::nullopt;
    return parse_u64(name, *text);
}

std::chrono::milliseconds parse_duration(std::string_view name, std::string_view text) {
    std::uint64_t per_unit = 0;
    std::string_view digits;
    if (text.size() > 2 && text.substr(text.size() - 2) == "ms") {
        per_unit = 1;
        digits = text.substr(0, text.size() - 2);
    } else if (text.size() > 1 && text.back() == 's') {
        per_unit = 1000;
        digits = text.substr(0, text.size() - 1);
    } else {
        bad_parameter(name, "expected a duration with a unit, such as 500ms or 30s");
    }
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        bad_parameter(name, "expected a duration with a unit, such as 500ms or 30s");
    const std::uint64_t n = parse_u64(name, digits);
    using rep = std::chrono::milliseconds::rep;
    constexpr auto kMaxMs = static_cast<std::uint64_t>(std::numeric_limits<rep>::max());
    if (n > kMaxMs / per_unit) return std::chrono::milliseconds::max();  // absurdly long: the cap applies
    return std::chrono::milliseconds{static_cast<rep>(n * per_unit)};
}

std::optional<std::chrono::milliseconds> Params::duration(std::string_view name, std::chrono::milliseconds max) const {
    auto text = get(name);
    if (!text) return std::nullopt;
    return std::min(parse_duration(name, *text), max);
}

std::string base64url_encode(std::string_view bytes) {
    std::string out = base64_encode(bytes);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) {
        if (c == '+') c = '-';
        else if (c == '/') c = '_';
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string standard;
    standard.reserve(text.size() + 2);
    for (char c : text) {
        if (c == '+' || c == '/' || c == '=') return std::nullopt;  // not the url alphabet / no padding
        standard.push_back(c == '-' ? '+' : c == '_' ? '/' : c);
    }
    while (standard.size() % 4 != 0) standard.push_back('=');
    return base64_decode(standard);  // strict: alphabet, zero unused bits
}

}  // namespace routecat::admin::query
