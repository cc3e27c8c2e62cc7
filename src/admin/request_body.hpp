#pragma once
// JSON request bodies of the admin API (internal): the object itself, and lists of keys in one of
// several spellings. Bad input throws errc::bad_request with "<field>: <what>" (400).

#include "routecat/admin/http.hpp"
#include "routecat/error.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace routecat::admin {

// The body as a JSON object whose fields are all in `allowed`.
boost::json::object parse_body(const Request& req, std::initializer_list<std::string_view> allowed);

// How a list of keys may be spelled: "keys" (standard base64), "keys_text" (UTF-8 as is) and
// "keys_hex" (hex, either case).
struct KeyList {
    std::string field;  // the spelling given
    std::vector<std::string> keys;
};

// Exactly one of `spellings` must be in body, an array of at most max_keys strings, every one
// valid (checked before any is returned). More keys throw too_many with "<field>: at most <max>
// keys per request".
KeyList key_list(const boost::json::object& body, std::initializer_list<std::string_view> spellings,
                 std::size_t max_keys, errc too_many);

}  // namespace routecat::admin
