#pragma once
// The change feed's JSON (GET /v1/catalog/changes, its SSE stream, and HttpCatalogMirror, which
// reads them back). Route objects are route_json.hpp's; a reset is the GET /v1/catalog object.
//
//   change set: {"version":CUR,"floor":F,"reset":null|{snapshot},"deltas":[delta…]}
//   delta:      {"previous_version":P,"version":V,"mutations":[
//                  {"op":"upsert","route_id":I,"route":{route}}, {"op":"delete","route_id":J}]}
//
// Parsing is for responses, not requests: fields it does not know are ignored (a newer server may
// add some), every field it knows is type-checked, and a delta is validated as §11.2 says.

#include "routecat/catalog_delta.hpp"
#include "routecat/json/json_writer.hpp"
#include "routecat/route.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <optional>

#include <string>
#include <string_view>

namespace routecat {

void write_delta(JsonWriter& w, const CatalogDelta& delta);
// A reset is the GET /v1/catalog object: write_snapshot_fields, then "next_route_id" when given.
void write_reset(JsonWriter& w, const CatalogSnapshot& reset, std::optional<std::uint64_t> next_route_id);
void write_change_set(JsonWriter& w, const CatalogChangeSet& changes, std::optional<std::uint64_t> reset_next_route_id);
// The same, parsed into boost::json objects (the reset without "next_route_id").
boost::json::object delta_to_json(const CatalogDelta& delta);
boost::json::object change_set_to_json(const CatalogChangeSet& changes);

// {"version","read_ts"?,"routes":[…]} (a GET /v1/catalog body; "next_route_id" is ignored). The
// routes are not validated as a table here: the engine that applies them does that.
boost::system::result<CatalogSnapshot> snapshot_from_json(const boost::json::value& v, std::string& error,
                                                          std::string_view path = {});
// Failures: errc::catalog_watch_event_invalid with error = "<path>: <what>" for a wrong shape, or
// the §11.2 code with its context for a delta that does not validate.
boost::system::result<CatalogDelta> delta_from_json(const boost::json::value& v, std::string& error,
                                                    std::string_view path = {});
boost::system::result<CatalogChangeSet> change_set_from_json(const boost::json::value& v, std::string& error);

}  // namespace routecat
