#pragma once
// The seam of the backend-parametrised suites: each backend's test executable defines make_backend().
// Contract tests run on every backend; tests that pin exact timestamps (a fresh store at ts 0, the first
// Save at ts 1, a caller-chosen commit ts honoured exactly) run only where exact_timestamps is true.

#include "routecat/store/mvcc_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

namespace routecat::test {

class Backend {
public:
    virtual ~Backend() = default;
    virtual std::string name() const = 0;
    // True when a fresh store is at ts 0 and commits land at exactly max(last + 1, min_commit_ts).
    virtual bool exact_timestamps() const = 0;
    // A fresh, empty store whose I/O (if any) runs on ex.
    virtual std::shared_ptr<MvccStore> make_store(boost::asio::any_io_executor ex) = 0;
};

Backend& backend();

// Boost.Test precondition: the backend honours exact timestamps.
inline boost::test_tools::assertion_result exact_timestamps(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result r(backend().exact_timestamps());
    r.message() << backend().name() << " chooses its own commit timestamps";
    return r;
}

}  // namespace routecat::test
