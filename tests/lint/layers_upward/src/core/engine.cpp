// Fixture of the layers check (never compiled): core reaching up into the catalog, the one upward
// include the check must report.
#include "routecat/route.hpp"
#include "routecat/catalog/catalog_store.hpp"
