#pragma once
// Reading JSON input strictly, with the path of the offending field in every message: request bodies
// of the admin API, route objects, routecatd's config file. One rule for all of them: a known set of
// fields, numbers that are exact unsigned 64-bit integers, and "<path>: <what>" messages.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace routecat {

// "parent.key", or "key" when parent is empty.
std::string field_path(std::string_view parent, std::string_view key);
// "parent[index]".
std::string element_path(std::string_view parent, std::size_t index);

// The keys of o that are not among allowed, in document order.
std::vector<std::string_view> unknown_fields(const boost::json::object& o, std::initializer_list<std::string_view> allowed);
std::vector<std::string_view> unknown_fields(const boost::json::object& o, const std::vector<std::string_view>& allowed);

// A JSON number that is a non-negative integer <= 2^64-1 (an int64 >= 0 or a uint64; a double such
// as 1.5, 1e3 or 18446744073709551616 is rejected). On failure: errc::bad_request and
// error = "<path>: expected a non-negative integer" (or "<path>: out of range: at most
// 18446744073709551615" for an integral number >= 2^64).
boost::system::result<std::uint64_t> u64_from_json(const boost::json::value& v, std::string_view path,
                                                   std::string& error);

}  // namespace routecat
