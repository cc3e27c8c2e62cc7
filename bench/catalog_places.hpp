#pragma once
// Where the delta-log benchmarks keep a catalog: MemoryStore, RocksDbStore in a temp dir, or a fresh
// prefix on a running etcd. A Place hands out the writer's store and readers, each reader with the
// count of bytes its reads returned: on memory and RocksDB the keys + values (CountingStore), on etcd
// the bodies of its range answers (EtcdStore::range_response_bytes).

#include "counting_store.hpp"

#include "support/temp_dir.hpp"

#include "routecat/route.hpp"
#include "routecat/store/etcd_store.hpp"
#include "routecat/store/memory_store.hpp"
#include "routecat/store/rocksdb_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace routecat::bench {

enum class Backend { memory, rocksdb, etcd };

inline const char* name_of(Backend b) {
    switch (b) {
        case Backend::memory:
            return "memory";
        case Backend::rocksdb:
            return "RocksDB";
        default:
            return "etcd";
    }
}

// One reader's store and the bytes its reads have cost so far.
struct Reader {
    std::shared_ptr<MvccStore> store;
    std::function<std::uint64_t()> bytes;
};

class Place {
public:
    // etcd_urls: the running etcd's client URLs (only read for Backend::etcd).
    Place(Backend backend, boost::asio::io_context& io, const std::vector<std::string>& etcd_urls)
        : backend_(backend), io_(&io), etcd_urls_(etcd_urls) {
        static int prefixes = 0;
        prefix_ = "/bench/delta-" + std::to_string(prefixes++) + "/";
        if (backend == Backend::memory) shared_ = std::make_shared<MemoryStore>();
        if (backend == Backend::rocksdb) {
            dir_ = std::make_unique<test::TempDir>("routecat-bench");
            shared_ = RocksDbStore::open({dir_->str() + "/db", true}, pool().get_executor()).value();
        }
        writer_ = backend == Backend::etcd ? std::shared_ptr<MvccStore>(etcd_store()) : shared_;
    }

    const std::shared_ptr<MvccStore>& writer() const { return writer_; }

    // A new reader, as another process would be: on etcd its own EtcdStore (connections, range cache).
    Reader reader() {
        if (backend_ == Backend::etcd) {
            auto store = etcd_store();
            return {store, [store] { return store->range_response_bytes(); }};
        }
        auto counting = std::make_shared<CountingStore>(shared_);
        return {counting, [counting] { return counting->bytes_read(); }};
    }

    // The writer's etcd requests and range answer bytes so far (0 when it is not an EtcdStore).
    std::uint64_t writer_requests() const {
        auto etcd = std::dynamic_pointer_cast<EtcdStore>(writer_);
        return etcd ? etcd->requests_sent() : 0;
    }
    std::uint64_t writer_range_bytes() const {
        auto etcd = std::dynamic_pointer_cast<EtcdStore>(writer_);
        return etcd ? etcd->range_response_bytes() : 0;
    }

private:
    static boost::asio::thread_pool& pool() {
        static boost::asio::thread_pool p(2);
        return p;
    }

    std::shared_ptr<EtcdStore> etcd_store() {
        EtcdStoreOptions options;
        options.endpoints = etcd_urls_;
        options.prefix = prefix_;
        options.request_timeout = std::chrono::seconds(60);  // a 100k-route seed txn takes seconds
        std::string error;
        auto store = EtcdStore::create(std::move(options), io_->get_executor(), &error);
        if (!store) throw std::runtime_error("EtcdStore::create: " + error);
        return *store;
    }

    Backend backend_;
    boost::asio::io_context* io_;
    std::vector<std::string> etcd_urls_;
    std::string prefix_;
    std::unique_ptr<test::TempDir> dir_;
    std::shared_ptr<MvccStore> shared_;  // memory, RocksDB: one store for the writer and every reader
    std::shared_ptr<MvccStore> writer_;
};

// n adjacent routes "key-00000000", "key-00001000", ... (ids 1..n, groups 1..7), the first from the
// empty key, the last unbounded: keys like a real keyspace's, room to split between them. `digits`
// must hold n * 1000 (8 up to 100k routes), or the keys stop sorting in route order.
inline std::vector<RouteDescriptor> catalog_routes(std::size_t n, int digits = 8) {
    std::vector<RouteDescriptor> routes;
    routes.reserve(n);
    char start[40], end[40];
    for (std::size_t i = 0; i < n; ++i) {
        std::snprintf(start, sizeof start, "key-%0*zu", digits, i * 1000);
        std::snprintf(end, sizeof end, "key-%0*zu", digits, (i + 1) * 1000);
        RouteDescriptor r;
        r.route_id = i + 1;
        if (i > 0) r.start = start;
        if (i + 1 < n) r.end = end;
        r.group_id = 1 + i % 7;
        routes.push_back(std::move(r));
    }
    return routes;
}

}  // namespace routecat::bench
