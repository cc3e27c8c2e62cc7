#define BOOST_TEST_MODULE routecat json
#include <boost/test/unit_test.hpp>
