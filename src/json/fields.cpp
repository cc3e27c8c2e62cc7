#include "routecat/json/fields.hpp"

#include "routecat/error.hpp"

#include <algorithm>

namespace routecat {

namespace json = boost::json;

std::string field_path(std::string_view parent, std::string_view key) {
    std::string out(parent);
    if (!out.empty()) out.push_back('.');
    out += key;
    return out;
}

std::string element_path(std::string_view parent, std::size_t index) {
    return std::string(parent) + "[" + std::to_string(index) + "]";
}

namespace {

template <class Names>
std::vector<std::string_view> unknown_among(const json::object& o, const Names& allowed) {
    std::vector<std::string_view> unknown;
    for (const auto& kv : o)
        if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end()) unknown.push_back(kv.key());
    return unknown;
}

}  // namespace

std::vector<std::string_view> unknown_fields(const json::object& o, std::initializer_list<std::string_view> allowed) {
    return unknown_among(o, allowed);
}

std::vector<std::string_view> unknown_fields(const json::object& o, const std::vector<std::string_view>& allowed) {
    return unknown_among(o, allowed);
}

boost::system::result<std::uint64_t> u64_from_json(const json::value& v, std::string_view path, std::string& error) {
    switch (v.kind()) {
        case json::kind::uint64:
            return v.get_uint64();
        case json::kind::int64:
            if (v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
            break;
        case json::kind::double_:
            // Boost.JSON turns integers above 2^64-1 into doubles; name that case precisely.
            if (v.get_double() >= 18446744073709551616.0) {
                error = std::string(path) + ": out of range: at most 18446744073709551615";
                return make_error_code(errc::bad_request);
            }
            break;
        default:
            break;
    }
    error = std::string(path) + ": expected a non-negative integer";
    return make_error_code(errc::bad_request);
}

}  // namespace routecat
