#define BOOST_TEST_MODULE routecat backend suites: rocksdb
#include "support/backend.hpp"
#include "support/rocksdb_backend.hpp"

namespace routecat::test {
namespace {

class RocksDbBackend final : public Backend {
public:
    std::string name() const override { return "rocksdb"; }
    bool exact_timestamps() const override { return true; }
    std::shared_ptr<MvccStore> make_store(boost::asio::any_io_executor) override { return open_temp_rocksdb(); }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(JoinRocksDbPool);

Backend& backend() {
    static RocksDbBackend b;
    return b;
}

}  // namespace routecat::test
