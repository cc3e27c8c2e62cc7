#define BOOST_TEST_MODULE routecat core
#include <boost/test/unit_test.hpp>
