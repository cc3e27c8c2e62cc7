#pragma once
// Validation of a targeted catalog change (CatalogStore::apply_changes, issue 13): the input on its
// own, then the catalog it would leave checked as a whole table would be (check_snapshot_routes:
// order, no overlap), either on the engine's table, looking only at the changed routes'
// neighbours, or on every route of a full read. Pure functions, no store.

#include "routecat/route.hpp"
#include "routecat/route_table.hpp"

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace routecat {

// A targeted change: routes to create or replace (by id) and ids to delete.
struct CatalogChanges {
    std::vector<RouteDescriptor> upserts;  // catalog order once normalised
    std::vector<std::uint64_t> deletes;    // ascending once normalised

    friend bool operator==(const CatalogChanges&, const CatalogChanges&) = default;
};

// Save's step 1 for the upserts (§2.2 each, input order; an id twice is catalog_duplicate_route_id),
// then bad_request for an id deleted twice or both upserted and deleted. Sorts both lists.
boost::system::result<CatalogChanges> normalize_changes(std::vector<RouteDescriptor> upserts,
                                                        std::vector<std::uint64_t> deletes,
                                                        std::string* context = nullptr);

// The catalog after the change, checked as check_snapshot_routes checks a whole table, on `table`,
// the engine's table of the catalog the change builds on. touched: the stored routes the change
// names (upserted ids that exist and every deleted id), as read. Only the upserts' neighbours are
// looked at (O(changes x log N)). Nothing when the table cannot stand for the catalog around the
// change (a touched route not where the catalog has it, an ephemeral id-0 route or a route of a
// created id next to it): then check_changes_on_routes on a full read.
std::optional<boost::system::error_code> check_changes_on_table(const RouteTable& table,
                                                                const std::vector<RouteDescriptor>& touched,
                                                                const CatalogChanges& changes);

// The same on every stored route (catalog order): builds the whole result and checks it.
boost::system::error_code check_changes_on_routes(const std::vector<RouteDescriptor>& existing,
                                                  const CatalogChanges& changes);

}  // namespace routecat
