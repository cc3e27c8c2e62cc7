#define BOOST_TEST_MODULE routecat catalog
#include <boost/test/unit_test.hpp>
