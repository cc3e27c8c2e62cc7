#include "admin/request_body.hpp"

#include "routecat/base64.hpp"
#include "routecat/json/fields.hpp"

#include <boost/json/parse.hpp>

namespace routecat::admin {

namespace json = boost::json;

namespace {

[[noreturn]] void bad(const std::string& what) { throw_error(errc::bad_request, what); }

std::string joined(std::initializer_list<std::string_view> names, std::size_t skip_first = 0) {
    std::string out;
    for (auto it = names.begin() + skip_first; it != names.end(); ++it) out += (out.empty() ? "" : ", ") + std::string(*it);
    return out;
}

}  // namespace

json::object parse_body(const Request& req, std::initializer_list<std::string_view> allowed) {
    boost::system::error_code ec;
    json::value v = json::parse(req.body(), ec);
    if (ec) bad("body: invalid JSON: " + ec.message());
    if (!v.is_object()) bad("body: expected a JSON object");
    json::object o = std::move(v.get_object());
    const auto unknown = unknown_fields(o, allowed);
    if (!unknown.empty()) {
        std::string names;
        for (const auto& n : unknown) names += (names.empty() ? "" : ", ") + std::string(n);
        bad(names + (unknown.size() == 1 ? ": unknown field" : ": unknown fields"));
    }
    return o;
}

KeyList key_list(const json::object& body, std::initializer_list<std::string_view> spellings, std::size_t max_keys,
                 errc too_many) {
    const json::value* list = nullptr;
    KeyList out;
    for (const auto name : spellings) {
        const json::value* v = body.if_contains(name);
        if (!v) continue;
        if (list) bad(joined(spellings) + ": give exactly one");
        list = v;
        out.field = name;
    }
    if (!list) bad(std::string(*spellings.begin()) + ": required (or " + joined(spellings, 1) + ")");
    if (!list->is_array()) bad(out.field + ": expected an array");
    const json::array& items = list->get_array();
    if (items.size() > max_keys)
        throw_error(too_many, out.field + ": at most " + std::to_string(max_keys) + " keys per request");

    const bool b64 = out.field == "keys", hex = out.field == "keys_hex";
    out.keys.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        auto path = [&] { return out.field + "[" + std::to_string(i) + "]"; };
        if (!items[i].is_string())
            bad(path() + (b64 ? ": expected a base64 string" : hex ? ": expected a hex string" : ": expected a string"));
        const std::string_view s = items[i].get_string();
        if (b64 || hex) {
            auto bytes = b64 ? base64_decode(s) : hex_decode(s);
            if (!bytes) bad(path() + (b64 ? ": invalid base64" : ": invalid hex"));
            out.keys.push_back(std::move(*bytes));
        } else {
            out.keys.emplace_back(s);
        }
    }
    return out;
}

}  // namespace routecat::admin
