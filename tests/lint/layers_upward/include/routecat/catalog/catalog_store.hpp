#pragma once
// Fixture of the layers check (never compiled): a catalog header.
#include "routecat/route.hpp"
