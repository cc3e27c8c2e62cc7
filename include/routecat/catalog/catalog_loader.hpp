#pragma once
// Loads the catalog into the engine at start-up (ensure_catalog_snapshot, spec §8) without giving up:
// a daemon serves while it loads and says why it is not ready, instead of exiting. Store errors
// (unreachable, timeouts) are logged and retried with backoff; a lost race to seed an empty catalog
// is retried at once (the next try loads the winner's); a catalog the engine refuses, or records that
// do not decode, end the load as invalid: the daemon serves the stored catalog and a PUT repairs it.

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/engine.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace routecat {

struct CatalogLoaderOptions {
    std::chrono::milliseconds interval{100};       // the first wait after a failed try
    std::chrono::milliseconds max_backoff{5000};   // the longest (waits double with jitter, backoff.hpp)
    std::shared_ptr<spdlog::logger> logger;        // null: default_logger()
};

class CatalogLoader {
public:
    enum class State { loading, invalid, loaded };
    struct Status {
        State state = State::loading;
        std::uint64_t attempts = 0;
        std::string last_error;  // of the last failed try
    };

    CatalogLoader(CatalogStore catalog, std::shared_ptr<Engine> engine, CatalogLoaderOptions options = {});
    ~CatalogLoader();
    CatalogLoader(const CatalogLoader&) = delete;
    CatalogLoader& operator=(const CatalogLoader&) = delete;

    // Tries until the catalog is loaded or found invalid, and returns which; loading if stop() came
    // first. Throws catalog_store_required / engine_required at once.
    boost::asio::awaitable<State> run();

    // Ends run() at its next wait; from any thread.
    void stop();

    // invalid turns into loaded once the engine serves a catalog version (a repaired catalog applied).
    Status status() const;

private:
    struct Inner;
    CatalogStore catalog_;
    std::shared_ptr<Engine> engine_;
    CatalogLoaderOptions options_;
    std::unique_ptr<Inner> state_;
};

// Whether an error of loading the catalog is the catalog's (it will not load however often it is
// read: the engine refuses it, or a record does not decode) rather than the store's.
bool is_catalog_invalid(const boost::system::error_code& ec) noexcept;

}  // namespace routecat
