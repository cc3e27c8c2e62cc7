#define BOOST_TEST_MODULE routecat backend suites: etcd
#include "support/backend.hpp"
#include "support/etcd_backend.hpp"

namespace routecat::test {
namespace {

class EtcdBackend final : public Backend {
public:
    std::string name() const override { return "etcd"; }
    bool exact_timestamps() const override { return false; }  // etcd revisions: a fresh cluster is at 1
    std::shared_ptr<MvccStore> make_store(boost::asio::any_io_executor ex) override {
        return make_etcd_store(std::move(ex), etcd_options(shared_etcd().client_urls()));
    }
};

}  // namespace

Backend& backend() {
    static EtcdBackend b;
    return b;
}

}  // namespace routecat::test
