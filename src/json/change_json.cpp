#include "routecat/json/change_json.hpp"

#include "routecat/error.hpp"
#include "routecat/json/fields.hpp"
#include "routecat/json/route_json.hpp"

#include <boost/json/array.hpp>

namespace routecat {
namespace {

namespace json = boost::json;

boost::system::error_code invalid(std::string& error, std::string message) {
    error = std::move(message);
    return errc::catalog_watch_event_invalid;
}

// A required unsigned field of o.
boost::system::result<std::uint64_t> u64_field(const json::object& o, std::string_view path, std::string_view key,
                                               std::string& error) {
    const json::value* v = o.if_contains(key);
    if (!v) return invalid(error, field_path(path, key) + ": required");
    auto n = u64_from_json(*v, field_path(path, key), error);
    if (!n) return errc::catalog_watch_event_invalid;
    return *n;
}

const json::array* array_field(const json::object& o, std::string_view path, std::string_view key, std::string& error) {
    const json::value* v = o.if_contains(key);
    if (!v || !v->is_array()) {
        error = field_path(path, key) + ": expected an array";
        return nullptr;
    }
    return &v->get_array();
}

boost::system::result<CatalogRouteMutation> mutation_from_json(const json::value& v, std::string& error,
                                                               std::string_view path) {
    if (!v.is_object()) return invalid(error, std::string(path) + ": expected an object");
    const json::object& o = v.get_object();
    CatalogRouteMutation m;
    const json::value* op = o.if_contains("op");
    if (!op || !op->is_string()) return invalid(error, field_path(path, "op") + ": expected \"upsert\" or \"delete\"");
    if (op->get_string() == "upsert") m.op = CatalogMutationOp::upsert;
    else if (op->get_string() == "delete") m.op = CatalogMutationOp::del;
    else return invalid(error, field_path(path, "op") + ": expected \"upsert\" or \"delete\"");
    auto id = u64_field(o, path, "route_id", error);
    if (!id) return id.error();
    m.route_id = *id;
    const json::value* route = o.if_contains("route");
    if (m.op == CatalogMutationOp::upsert) {
        if (!route) return invalid(error, field_path(path, "route") + ": required for an upsert");
        auto r = route_from_json(*route, true, error, field_path(path, "route"));
        if (!r) return errc::catalog_watch_event_invalid;
        m.route = std::move(*r);
    } else if (route && !route->is_null()) {
        return invalid(error, field_path(path, "route") + ": a delete carries no route");
    }
    return m;
}

}  // namespace

void write_delta(JsonWriter& w, const CatalogDelta& delta) {
    w.begin_object();
    w.key("previous_version").number(delta.previous_version);
    w.key("version").number(delta.version);
    w.key("mutations").begin_array();
    for (const auto& m : delta.mutations) {
        w.begin_object();
        w.key("op").string(m.op == CatalogMutationOp::upsert ? "upsert" : "delete");
        w.key("route_id").number(m.route_id);
        if (m.op == CatalogMutationOp::upsert && m.route) {
            w.key("route");
            write_route(w, *m.route);
        }
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

void write_reset(JsonWriter& w, const CatalogSnapshot& reset, std::optional<std::uint64_t> next_route_id) {
    w.begin_object();
    write_snapshot_fields(w, reset);
    if (next_route_id) w.key("next_route_id").number(*next_route_id);
    w.end_object();
}

void write_change_set(JsonWriter& w, const CatalogChangeSet& changes, std::optional<std::uint64_t> next_route_id) {
    w.begin_object();
    w.key("version").number(changes.version);
    w.key("floor").number(changes.floor);
    w.key("reset");
    if (changes.reset) write_reset(w, *changes.reset, next_route_id);
    else w.null();
    w.key("deltas").begin_array();
    for (const auto& d : changes.deltas) write_delta(w, d);
    w.end_array();
    w.end_object();
}

json::object delta_to_json(const CatalogDelta& delta) {
    return written_object([&](JsonWriter& w) { write_delta(w, delta); });
}

json::object change_set_to_json(const CatalogChangeSet& changes) {
    return written_object([&](JsonWriter& w) { write_change_set(w, changes, std::nullopt); });
}

boost::system::result<CatalogSnapshot> snapshot_from_json(const json::value& v, std::string& error,
                                                          std::string_view path) {
    if (!v.is_object()) return invalid(error, (path.empty() ? std::string("snapshot") : std::string(path)) + ": expected an object");
    const json::object& o = v.get_object();
    CatalogSnapshot snap;
    auto version = u64_field(o, path, "version", error);
    if (!version) return version.error();
    snap.version = *version;
    if (o.contains("read_ts")) {
        auto ts = u64_field(o, path, "read_ts", error);
        if (!ts) return ts.error();
        snap.read_ts = *ts;
    }
    const json::array* routes = array_field(o, path, "routes", error);
    if (!routes) return errc::catalog_watch_event_invalid;
    snap.routes.reserve(routes->size());
    for (std::size_t i = 0; i < routes->size(); ++i) {
        auto r = route_from_json((*routes)[i], true, error, element_path(field_path(path, "routes"), i));
        if (!r) return errc::catalog_watch_event_invalid;
        snap.routes.push_back(std::move(*r));
    }
    return snap;
}

boost::system::result<CatalogDelta> delta_from_json(const json::value& v, std::string& error, std::string_view path) {
    if (!v.is_object()) return invalid(error, (path.empty() ? std::string("delta") : std::string(path)) + ": expected an object");
    const json::object& o = v.get_object();
    CatalogDelta delta;
    auto previous = u64_field(o, path, "previous_version", error);
    if (!previous) return previous.error();
    auto version = u64_field(o, path, "version", error);
    if (!version) return version.error();
    delta.previous_version = *previous;
    delta.version = *version;
    const json::array* mutations = array_field(o, path, "mutations", error);
    if (!mutations) return errc::catalog_watch_event_invalid;
    delta.mutations.reserve(mutations->size());
    for (std::size_t i = 0; i < mutations->size(); ++i) {
        auto m = mutation_from_json((*mutations)[i], error, element_path(field_path(path, "mutations"), i));
        if (!m) return m.error();
        delta.mutations.push_back(std::move(*m));
    }
    if (auto ec = validate_delta(delta, &error)) return ec;
    return delta;
}

boost::system::result<CatalogChangeSet> change_set_from_json(const json::value& v, std::string& error) {
    if (!v.is_object()) return invalid(error, "changes: expected an object");
    const json::object& o = v.get_object();
    CatalogChangeSet changes;
    auto version = u64_field(o, {}, "version", error);
    if (!version) return version.error();
    auto floor = u64_field(o, {}, "floor", error);
    if (!floor) return floor.error();
    changes.version = *version;
    changes.floor = *floor;
    const json::value* reset = o.if_contains("reset");
    if (reset && !reset->is_null()) {
        auto snap = snapshot_from_json(*reset, error, "reset");
        if (!snap) return snap.error();
        changes.reset = std::move(*snap);
    }
    const json::array* deltas = array_field(o, {}, "deltas", error);
    if (!deltas) return errc::catalog_watch_event_invalid;
    changes.deltas.reserve(deltas->size());
    for (std::size_t i = 0; i < deltas->size(); ++i) {
        auto d = delta_from_json((*deltas)[i], error, element_path("deltas", i));
        if (!d) return d.error();
        changes.deltas.push_back(std::move(*d));
    }
    return changes;
}

}  // namespace routecat
