#include "admin/api_fixture.hpp"

#include <boost/test/unit_test.hpp>

BOOST_FIXTURE_TEST_SUITE(admin_read_api, routecat::test::ApiFixture)

BOOST_AUTO_TEST_CASE(placeholder_until_written) { BOOST_TEST(get("/healthz").status == 200u); }

BOOST_AUTO_TEST_SUITE_END()
