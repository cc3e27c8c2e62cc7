// CatalogStore::split (spec 10.3 steps 2-7): runs once per backend.

#include "support/catalog_fixture.hpp"

#include <boost/test/unit_test.hpp>

using namespace routecat::test;

BOOST_FIXTURE_TEST_SUITE(catalog_split, CatalogFixture)

BOOST_AUTO_TEST_CASE(placeholder_until_written) { BOOST_TEST(snapshot().version == 0u); }

BOOST_AUTO_TEST_SUITE_END()
