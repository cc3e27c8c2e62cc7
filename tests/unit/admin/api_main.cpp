#define BOOST_TEST_MODULE routecat admin api
#include <boost/test/unit_test.hpp>
