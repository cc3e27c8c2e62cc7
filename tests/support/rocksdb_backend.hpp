#pragma once
// RocksDB stores for tests: blocking calls on one shared 2-thread pool; a temp directory per store,
// removed when the last reference to the store goes.

#include "support/temp_dir.hpp"

#include "routecat/store/rocksdb_store.hpp"

#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <stdexcept>

namespace routecat::test {

inline boost::asio::thread_pool& rocksdb_pool() {
    static boost::asio::thread_pool pool(2);
    return pool;
}

// Joins the pool when the tests end, before static destruction: the pool's last jobs may hold the
// last reference to a store, and closing a RocksDB while its statics are torn down crashes.
// Register it in the executable's main file: BOOST_TEST_GLOBAL_FIXTURE(JoinRocksDbPool);
struct JoinRocksDbPool {
    ~JoinRocksDbPool() { rocksdb_pool().join(); }
};

inline std::shared_ptr<RocksDbStore> open_rocksdb(const std::string& path, std::uint64_t retain_versions = 0,
                                                 bool sync = true) {
    std::string error;
    auto store = RocksDbStore::open({path, sync, retain_versions}, rocksdb_pool().get_executor(), &error);
    if (!store) throw std::runtime_error("open " + path + ": " + error);
    return *store;
}

// A store in its own temp directory; the directory is removed after the store is closed.
inline std::shared_ptr<MvccStore> open_temp_rocksdb() {
    struct Holder {
        TempDir dir{"routecat-rocksdb"};
        std::shared_ptr<RocksDbStore> store;
        ~Holder() { store.reset(); }  // close before the directory goes
    };
    auto holder = std::make_shared<Holder>();
    holder->store = open_rocksdb(holder->dir.str() + "/db");
    return std::shared_ptr<MvccStore>(holder, holder->store.get());
}

}  // namespace routecat::test
