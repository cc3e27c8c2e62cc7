#pragma once
// One StoreConfig -> one store: the choice routecatd makes from its config, for embedders that want
// the same choice without rewriting it.

#include "routecat/store/etcd_store.hpp"
#include "routecat/store/mvcc_store.hpp"
#include "routecat/store/rocksdb_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include <memory>
#include <string>

namespace routecat {

enum class StoreKind { memory, rocksdb, etcd };

struct StoreConfig {
    StoreKind kind = StoreKind::memory;
    RocksDbStoreOptions rocksdb;  // used when kind is rocksdb
    EtcdStoreOptions etcd;        // used when kind is etcd
    // Issue 13, every kind: make_store passes it as MemoryStore's retain_versions, as
    // rocksdb.retain_versions and as etcd.retain_revisions (their own values are replaced). 0 =
    // keep every version; etcd compacts only with etcd.compact_every_revisions > 0.
    std::uint64_t retain_versions = 0;

    friend bool operator==(const StoreConfig&, const StoreConfig&) = default;
};

// The store config names: a MemoryStore, a RocksDbStore whose blocking calls run on
// blocking_executor (never the threads that serve requests), or an EtcdStore doing its I/O on
// executor. Failures are RocksDbStore::open's (store_locked, store_unavailable) and
// EtcdStore::create's (invalid_config); error_text says what happened.
boost::system::result<std::shared_ptr<MvccStore>> make_store(const StoreConfig& config,
                                                             boost::asio::any_io_executor executor,
                                                             boost::asio::any_io_executor blocking_executor,
                                                             std::string* error_text = nullptr);

// What a log line says of the store: "memory (nothing survives a restart)", "rocksdb at <path>",
// "etcd at <endpoints> under prefix <prefix>[ (with an auth token)][ (as user <name>)]"; never a
// token or password.
std::string describe(const StoreConfig& config);

}  // namespace routecat
