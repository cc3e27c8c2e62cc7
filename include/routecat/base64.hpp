#pragma once
// Byte <-> text encodings of the admin API: standard base64 (RFC 4648 §4, '=' padding) for the
// "start"/"end"/"key_b64" fields and hex for "key_hex=" query parameters. The decoders are strict:
// anything but the one canonical encoding of some byte string is rejected.

#include <optional>
#include <string>
#include <string_view>

namespace routecat {

// Standard alphabet, padded with '='; "" encodes to "".
std::string base64_encode(std::string_view bytes);
// base64_encode(bytes) appended to out, without a temporary (the admin API's response writer).
void base64_append(std::string& out, std::string_view bytes);

// The inverse of base64_encode, and nothing else: the length is a multiple of 4, only the standard
// alphabet, 0-2 '=' at the very end, zero unused bits in the final quantum ("Zg==" decodes, "Zh=="
// does not). "" decodes to "". nullopt on any violation.
std::optional<std::string> base64_decode(std::string_view text);

// Even length, digits 0-9a-fA-F (either case); "" decodes to "". nullopt otherwise.
std::optional<std::string> hex_decode(std::string_view text);

}  // namespace routecat
