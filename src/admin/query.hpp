#pragma once
// Query-string parameters of the admin API (keys, numbers, durations), parsed with Boost.URL.
//
// Every helper reads the percent-decoded parameters; '+' is a literal plus (not a space), so keys
// and standard base64 with '+' survive unescaped. Bad input throws routecat::Error with
// errc::bad_request and a context that starts with the parameter's name ("limit: ..."); the router
// answers it with 400 {"error":{"code":"bad_request",...}}. A parameter given twice is bad input too.

#include <boost/url/params_view.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace routecat::admin::query {

// The decoded parameters of one request, in order ('+' kept literally).
class Params {
public:
    explicit Params(boost::urls::params_view params);

    // The value of name (empty when given without '='); nullopt when absent; 400 when given twice.
    std::optional<std::string> get(std::string_view name) const;

    // A key in one of three spellings: `name=` (text, taken literally as UTF-8 bytes), `name_b64=`
    // (strict standard base64) or `name_hex=` (hex, either case). Two spellings, bad base64 / hex,
    // or a repeated parameter → 400. nullopt when none is given.
    std::optional<std::string> key(std::string_view name) const;

    // Digits only, <= 2^64-1.
    std::optional<std::uint64_t> u64(std::string_view name) const;

    // "<digits>ms" or "<digits>s"; the unit is required. Larger than max → max (a cap, not an error).
    std::optional<std::chrono::milliseconds> duration(std::string_view name, std::chrono::milliseconds max) const;

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

// Parsers behind Params, exposed for the handlers' own parameters (the name goes into the error).
std::uint64_t parse_u64(std::string_view name, std::string_view text);
std::chrono::milliseconds parse_duration(std::string_view name, std::string_view text);

// base64url (RFC 4648 §5) without padding, and its strict inverse (nullopt on anything but the one
// canonical encoding).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

[[noreturn]] void bad_parameter(std::string_view name, std::string_view what);

}  // namespace routecat::admin::query
