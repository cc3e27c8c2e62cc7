#define BOOST_TEST_MODULE routecat daemon
#include <boost/test/unit_test.hpp>
