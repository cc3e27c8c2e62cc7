#include "routecat/store/make_store.hpp"

#include "routecat/error.hpp"
#include "routecat/store/memory_store.hpp"

namespace routecat {

boost::system::result<std::shared_ptr<MvccStore>> make_store(const StoreConfig& config,
                                                             boost::asio::any_io_executor executor,
                                                             boost::asio::any_io_executor blocking_executor,
                                                             std::string* error_text) {
    switch (config.kind) {
        case StoreKind::memory:
            return std::shared_ptr<MvccStore>(std::make_shared<MemoryStore>(config.retain_versions));
        case StoreKind::rocksdb: {
            RocksDbStoreOptions options = config.rocksdb;
            options.retain_versions = config.retain_versions;
            auto store = RocksDbStore::open(std::move(options), std::move(blocking_executor), error_text);
            if (!store) return store.error();
            return std::shared_ptr<MvccStore>(std::move(*store));
        }
        case StoreKind::etcd: {
            EtcdStoreOptions options = config.etcd;
            options.retain_revisions = config.retain_versions;
            auto store = EtcdStore::create(std::move(options), std::move(executor), error_text);
            if (!store) return store.error();
            return std::shared_ptr<MvccStore>(std::move(*store));
        }
    }
    return make_error_code(errc::invalid_config);
}

std::string describe(const StoreConfig& config) {
    switch (config.kind) {
        case StoreKind::memory:
            return "memory (nothing survives a restart)";
        case StoreKind::rocksdb:
            return "rocksdb at " + config.rocksdb.path;
        case StoreKind::etcd: {
            std::string endpoints;
            for (const auto& e : config.etcd.endpoints) endpoints += (endpoints.empty() ? "" : ",") + e;
            return "etcd at " + endpoints + " under prefix " + config.etcd.prefix +
                   (config.etcd.token ? " (with an auth token)" : "") +
                   (config.etcd.username ? " (as user " + *config.etcd.username + ")" : "");
        }
    }
    return "unknown";
}

}  // namespace routecat
