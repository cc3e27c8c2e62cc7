#define BOOST_TEST_MODULE routecat admin
#include <boost/test/unit_test.hpp>
