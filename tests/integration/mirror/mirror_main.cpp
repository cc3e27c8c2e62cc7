#define BOOST_TEST_MODULE routecat mirror
#include <boost/test/unit_test.hpp>
