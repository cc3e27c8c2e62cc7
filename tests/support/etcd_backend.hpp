#pragma once
// The etcd every test of the etcd backend executable shares: one member, started on first use and
// killed at exit. Each store gets a fresh key prefix, so each starts empty.

#include "support/etcd_cluster.hpp"

#include "routecat/store/etcd_store.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

namespace routecat::test {

inline EtcdCluster& shared_etcd() {
    static EtcdCluster cluster(1);
    return cluster;
}

// A fresh prefix per call: "/routecat-test/<n>/".
inline std::string fresh_etcd_prefix() {
    static std::atomic<int> counter{0};
    return "/routecat-test/" + std::to_string(counter++) + "/";
}

inline EtcdStoreOptions etcd_options(std::vector<std::string> endpoints) {
    EtcdStoreOptions options;
    options.endpoints = std::move(endpoints);
    options.prefix = fresh_etcd_prefix();
    return options;
}

inline std::shared_ptr<EtcdStore> make_etcd_store(boost::asio::any_io_executor ex, EtcdStoreOptions options) {
    std::string error;
    auto store = EtcdStore::create(std::move(options), std::move(ex), &error);
    if (!store) throw std::runtime_error("EtcdStore::create: " + error);
    return *store;
}

}  // namespace routecat::test
