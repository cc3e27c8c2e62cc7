#define BOOST_TEST_MODULE routecat backend suites: memory
#include "support/backend.hpp"

#include "routecat/store/memory_store.hpp"

namespace routecat::test {
namespace {

class MemoryBackend final : public Backend {
public:
    std::string name() const override { return "memory"; }
    bool exact_timestamps() const override { return true; }
    std::shared_ptr<MvccStore> make_store(boost::asio::any_io_executor) override {
        return std::make_shared<MemoryStore>();
    }
};

}  // namespace

Backend& backend() {
    static MemoryBackend b;
    return b;
}

}  // namespace routecat::test
