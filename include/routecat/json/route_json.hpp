#pragma once
// The admin API's JSON form of routes and snapshots (DESIGN.md, "Admin HTTP API"). Every route object
// the API emits comes from one renderer: write_route, which appends it to a JsonWriter; the
// route_to_json forms are that text parsed, for callers that assemble boost::json values.
//
// Emitted route objects carry every key twice: "start" as standard base64 and "start_text" as
// key_to_text(); an unbounded end is "end": null, "end_text": null. Numbers are JSON unsigned
// integers. Parsing accepts everything emitted, so a response can be sent back unchanged.

#include "routecat/json/fields.hpp"
#include "routecat/json/json_writer.hpp"
#include "routecat/route.hpp"
#include "routecat/route_table.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace routecat {

// {"route_id","start","start_text","end","end_text","group_id","state","parent_route_id"}
void write_route(JsonWriter& w, const RouteDescriptor& r);
// {"route_id","start","start_text","end","end_text","group_id","state","load"}
void write_route(JsonWriter& w, const Route& r);
// Route i of a table with the given load, straight from the table's key arena: the same object as
// write_route(w, table.route(i)) with that load, without copying the route first.
void write_route(JsonWriter& w, const RouteTable& table, std::size_t i, std::uint64_t load);
// The same for a route found by key (RouteTable::find_ref), with its current load.
void write_route(JsonWriter& w, const RouteTable::Ref& route);
// Two members of an object the caller has begun: `name` (the key in base64, or null) and
// `name`_text (the key as text, as route objects render it, or null).
void write_key_members(JsonWriter& w, std::string_view name, std::optional<std::string_view> key);
// The members "version","read_ts","routes":[descriptor objects] of an object the caller has begun
// (callers add "next_route_id" where they have it).
void write_snapshot_fields(JsonWriter& w, const CatalogSnapshot& s);

boost::json::object route_to_json(const RouteDescriptor& r);
boost::json::object route_to_json(const Route& r);
// {"version","read_ts","routes":[...]}: write_snapshot_fields as an object.
boost::json::object snapshot_to_json(const CatalogSnapshot& s);

// A route object of a request body (DESIGN.md's input rules). Fields: route_id, start, start_text,
// end, end_text, group_id, state, parent_route_id, load; any other field is an error.
//  - "start"/"end" (base64) win; "start_text"/"end_text" are taken literally as UTF-8 bytes (no
//    unescaping) only when the base64 field is absent. Both are type-checked when present.
//  - a missing start (and start_text) is the empty key; a missing or null "end" is unbounded; when
//    "end" is absent, "end_text" decides (a string, or null = unbounded). "end": null wins over an
//    "end_text" string like any other present "end".
//  - a missing state is active; missing group_id / parent_route_id are 0; "load" is ignored but
//    must be a non-negative integer when present.
//  - a missing route_id is an error when require_route_id, else 0.
// No §2.2 validation is done here: callers run validate_route. Every failure is errc::bad_request
// with error = "<path>.<field>: <what>" (e.g. "routes[3].start: invalid base64"); an empty path
// gives "<field>: <what>", and "route: expected an object" for a non-object.
boost::system::result<RouteDescriptor> route_from_json(const boost::json::value& v, bool require_route_id,
                                                       std::string& error, std::string_view path = {});

// Boost.JSON customisation points, so boost::json::value_from / value_to work on routecat types.
// value_to<RouteDescriptor> applies route_from_json (route_id required) and throws routecat::Error
// (errc::bad_request, what() naming the field) on bad input.
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const RouteDescriptor& r);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const Route& r);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const CatalogSnapshot& s);
RouteDescriptor tag_invoke(boost::json::value_to_tag<RouteDescriptor>, const boost::json::value& v);

}  // namespace routecat
