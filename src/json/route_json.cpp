#include "routecat/json/route_json.hpp"

#include "routecat/base64.hpp"
#include "routecat/error.hpp"
#include "routecat/json/json_writer.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <optional>

namespace routecat {
namespace {

namespace json = boost::json;

boost::system::error_code fail(std::string& error, std::string message) {
    error = std::move(message);
    return errc::bad_request;
}

// The JSON string of key_to_text(key), written without the intermediate text: bytes 0x20-0x7E
// stand for themselves except a backslash (text \\, so JSON \\\\) and '"' (JSON \"); every other
// byte is text \xNN, so JSON \\xNN. json_writer_test compares it with the two steps.
void append_key_text(std::string& out, std::string_view key) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (char c : key) {
        const auto b = static_cast<unsigned char>(c);
        if (b == '\\') {
            out.append("\\\\\\\\", 4);
        } else if (b == '"') {
            out.append("\\\"", 2);
        } else if (b >= 0x20 && b <= 0x7E) {
            out.push_back(c);
        } else {
            out.append("\\\\x", 3);
            out.push_back(kHex[b >> 4]);
            out.push_back(kHex[b & 0x0F]);
        }
    }
    out.push_back('"');
}

void append_number(std::string& out, std::uint64_t n) {
    char digits[20];
    const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out.append(digits, static_cast<std::size_t>(end - digits));
}

void append_literal(std::string& out, std::string_view text) { out.append(text.data(), text.size()); }

// The one route renderer: the fields every route object shares, in the order responses list them,
// then its last field (parent_route_id for a durable descriptor, load for an engine route). It
// appends fixed fragments itself (the member names need no escaping): it runs once per route of
// every response, 100 times in a lookup batch.
void render_route(JsonWriter& w, std::uint64_t route_id, std::string_view start, std::optional<std::string_view> end,
                  std::uint64_t group_id, RouteState state, std::string_view last_field, std::uint64_t last_value) {
    std::string& out = w.raw_value();
    append_literal(out, "{\"route_id\":");
    append_number(out, route_id);
    append_literal(out, ",\"start\":\"");
    base64_append(out, start);  // the base64 alphabet needs no escaping
    append_literal(out, "\",\"start_text\":");
    append_key_text(out, start);
    if (end) {
        append_literal(out, ",\"end\":\"");
        base64_append(out, *end);
        append_literal(out, "\",\"end_text\":");
        append_key_text(out, *end);
    } else {
        append_literal(out, ",\"end\":null,\"end_text\":null");
    }
    append_literal(out, ",\"group_id\":");
    append_number(out, group_id);
    append_literal(out, ",\"state\":\"");
    append_literal(out, to_string(state));
    append_literal(out, "\",\"");
    append_literal(out, last_field);
    append_literal(out, "\":");
    append_number(out, last_value);
    out.push_back('}');
}

std::optional<std::string_view> view(const std::optional<std::string>& end) {
    if (!end) return std::nullopt;
    return std::string_view(*end);
}

// A base64 key field: a string that decodes.
boost::system::result<std::string> b64_field(const json::value& v, std::string_view path, std::string_view field,
                                             bool nullable, std::string& error) {
    if (!v.is_string())
        return fail(error, field_path(path, field) +
                               (nullable ? ": expected a base64 string or null" : ": expected a base64 string"));
    const json::string& s = v.get_string();
    auto bytes = base64_decode(std::string_view(s.data(), s.size()));
    if (!bytes) return fail(error, field_path(path, field) + ": invalid base64");
    return std::move(*bytes);
}

}  // namespace

void write_route(JsonWriter& w, const RouteDescriptor& r) {
    render_route(w, r.route_id, r.start, view(r.end), r.group_id, r.state, "parent_route_id", r.parent_route_id);
}

void write_route(JsonWriter& w, const Route& r) {
    render_route(w, r.route_id, r.start, view(r.end), r.group_id, r.state, "load", r.load);
}

void write_route(JsonWriter& w, const RouteTable& t, std::size_t i, std::uint64_t load) {
    const RouteTable::Ref r = t.at(i);  // finds route i's chunk once
    render_route(w, r.route_id(), r.start(), r.end(), r.group_id(), r.state(), "load", load);
}

void write_route(JsonWriter& w, const RouteTable::Ref& r) {
    render_route(w, r.route_id(), r.start(), r.end(), r.group_id(), r.state(), "load",
                 r.load().load(std::memory_order_relaxed));
}

void write_key_members(JsonWriter& w, std::string_view name, std::optional<std::string_view> key) {
    const std::string text_name = std::string(name) + "_text";
    if (!key) {
        w.key(name).null();
        w.key(text_name).null();
        return;
    }
    std::string& out = w.key(name).raw_value();
    out.push_back('"');
    base64_append(out, *key);
    out.push_back('"');
    append_key_text(w.key(text_name).raw_value(), *key);
}

void write_snapshot_fields(JsonWriter& w, const CatalogSnapshot& s) {
    w.key("version").number(s.version);
    w.key("read_ts").number(s.read_ts);
    w.key("routes").begin_array();
    for (const auto& r : s.routes) write_route(w, r);
    w.end_array();
}

json::object route_to_json(const RouteDescriptor& r) {
    return written_object([&](JsonWriter& w) { write_route(w, r); });
}

json::object route_to_json(const Route& r) {
    return written_object([&](JsonWriter& w) { write_route(w, r); });
}

json::object snapshot_to_json(const CatalogSnapshot& s) {
    return written_object([&](JsonWriter& w) {
        w.begin_object();
        write_snapshot_fields(w, s);
        w.end_object();
    });
}

boost::system::result<RouteDescriptor> route_from_json(const json::value& v, bool require_route_id,
                                                       std::string& error, std::string_view path) {
    if (!v.is_object()) return fail(error, std::string(path.empty() ? "route" : path) + ": expected an object");
    const json::object& o = v.get_object();

    const auto unknown = unknown_fields(o, {"route_id", "start", "start_text", "end", "end_text", "group_id", "state",
                                            "parent_route_id", "load"});
    if (!unknown.empty()) return fail(error, field_path(path, unknown.front()) + ": unknown field");

    RouteDescriptor r;
    auto number = [&](std::string_view field, std::uint64_t& out) -> boost::system::error_code {
        if (const json::value* p = o.if_contains(field)) {
            auto n = u64_from_json(*p, field_path(path, field), error);
            if (!n) return n.error();
            out = *n;
        }
        return {};
    };

    if (const json::value* p = o.if_contains("route_id")) {
        auto n = u64_from_json(*p, field_path(path, "route_id"), error);
        if (!n) return n.error();
        r.route_id = *n;
    } else if (require_route_id) {
        return fail(error, field_path(path, "route_id") + ": required");
    }

    // Type-check the text fields even when the base64 field wins.
    const json::value* start_text = o.if_contains("start_text");
    if (start_text && !start_text->is_string())
        return fail(error, field_path(path, "start_text") + ": expected a string");
    const json::value* end_text = o.if_contains("end_text");
    if (end_text && !end_text->is_string() && !end_text->is_null())
        return fail(error, field_path(path, "end_text") + ": expected a string or null");

    if (const json::value* p = o.if_contains("start")) {
        auto bytes = b64_field(*p, path, "start", false, error);
        if (!bytes) return bytes.error();
        r.start = std::move(*bytes);
    } else if (start_text) {
        r.start = std::string(start_text->get_string());
    }

    if (const json::value* p = o.if_contains("end")) {
        if (!p->is_null()) {
            auto bytes = b64_field(*p, path, "end", true, error);
            if (!bytes) return bytes.error();
            r.end = std::move(*bytes);
        }
    } else if (end_text && end_text->is_string()) {
        r.end = std::string(end_text->get_string());
    }

    if (auto ec = number("group_id", r.group_id)) return ec;

    if (const json::value* p = o.if_contains("state")) {
        if (!p->is_string()) return fail(error, field_path(path, "state") + ": expected a string");
        auto state = route_state_from_string(p->get_string());
        if (!state)
            return fail(error, field_path(path, "state") +
                                   ": unknown state (expected active, write_fenced, migrating_source or "
                                   "migrating_target)");
        r.state = *state;
    }

    if (auto ec = number("parent_route_id", r.parent_route_id)) return ec;

    std::uint64_t ignored_load = 0;
    if (auto ec = number("load", ignored_load)) return ec;

    return r;
}

void tag_invoke(json::value_from_tag, json::value& v, const RouteDescriptor& r) { v = route_to_json(r); }

void tag_invoke(json::value_from_tag, json::value& v, const Route& r) { v = route_to_json(r); }

void tag_invoke(json::value_from_tag, json::value& v, const CatalogSnapshot& s) { v = snapshot_to_json(s); }

RouteDescriptor tag_invoke(json::value_to_tag<RouteDescriptor>, const json::value& v) {
    std::string error;
    auto route = route_from_json(v, true, error);
    if (!route) throw_error(route.error(), error);
    return *route;
}

}  // namespace routecat
