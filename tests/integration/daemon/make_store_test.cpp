// make_store: one StoreConfig -> the store it names, with the backends' own failures; describe()
// for log lines, which never shows a token.

#include "support/printers.hpp"
#include "support/rocksdb_backend.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"

#include "routecat/error.hpp"
#include "routecat/store/make_store.hpp"
#include "routecat/store/memory_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

using namespace routecat;
using namespace routecat::test;

namespace {

struct FactoryFixture {
    boost::asio::io_context io;
    TempDir dir{"routecat-make-store"};

    boost::system::result<std::shared_ptr<MvccStore>> make(const StoreConfig& config, std::string* error = nullptr) {
        return make_store(config, io.get_executor(), rocksdb_pool().get_executor(), error);
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(store_factory, FactoryFixture)

BOOST_AUTO_TEST_CASE(memory_is_the_library_default) {
    auto store = make(StoreConfig{});
    BOOST_TEST_REQUIRE(store.has_value());
    BOOST_TEST(dynamic_cast<MemoryStore*>(store->get()) != nullptr);
    BOOST_TEST(run(io, (*store)->apply({Mutation::put("k", "v")}, 0, 0)) == 1u);
    BOOST_TEST(describe(StoreConfig{}) == "memory (nothing survives a restart)");
}

BOOST_AUTO_TEST_CASE(rocksdb_opens_the_directory_and_reports_a_locked_one) {
    StoreConfig config;
    config.kind = StoreKind::rocksdb;
    config.rocksdb.path = dir.str() + "/a/b";
    auto first = make(config);
    BOOST_TEST_REQUIRE(first.has_value());
    BOOST_TEST(dynamic_cast<RocksDbStore*>(first->get()) != nullptr);
    BOOST_TEST(run(io, (*first)->apply({Mutation::put("k", "v")}, 0, 0)) == 1u);

    std::string error;
    auto second = make(config, &error);
    BOOST_TEST_REQUIRE(!second.has_value());
    BOOST_TEST(second.error() == errc::store_locked);
    BOOST_TEST(error.find("data directory " + dir.str() + "/a/b is locked by another process") == 0u, error);
    BOOST_TEST(describe(config) == "rocksdb at " + dir.str() + "/a/b");
}

BOOST_AUTO_TEST_CASE(etcd_is_created_without_io_and_bad_options_are_invalid_config) {
    StoreConfig config;
    config.kind = StoreKind::etcd;
    config.etcd.endpoints = {"http://127.0.0.1:1", "http://etcd-b"};
    auto store = make(config);
    BOOST_TEST_REQUIRE(store.has_value());
    auto* etcd = dynamic_cast<EtcdStore*>(store->get());
    BOOST_TEST_REQUIRE(etcd != nullptr);
    BOOST_TEST(etcd->requests_sent() == 0u);
    BOOST_TEST(describe(config) == "etcd at http://127.0.0.1:1,http://etcd-b under prefix /routecat/");
    config.etcd.token = "s3cret";
    BOOST_TEST(describe(config) == "etcd at http://127.0.0.1:1,http://etcd-b under prefix /routecat/ (with an auth token)");

    config.etcd.endpoints = {"https://h:1"};
    std::string error;
    auto bad = make(config, &error);
    BOOST_TEST_REQUIRE(!bad.has_value());
    BOOST_TEST(bad.error() == errc::invalid_config);
    BOOST_TEST(error == "etcd endpoint \"https://h:1\": https is not supported; use http:// on a trusted network");
    config.etcd.endpoints.clear();
    BOOST_TEST(make(config).error() == errc::invalid_config);
}

BOOST_AUTO_TEST_SUITE_END()
