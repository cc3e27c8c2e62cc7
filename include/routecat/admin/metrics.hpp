#pragma once
// The admin API's Prometheus metrics (prometheus-cpp core: registry and text serializer). The router
// records every answered request; render() refreshes the engine and watcher gauges and serialises.

#include "routecat/catalog/catalog_writes.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace routecat::admin {

struct AdminContext;

class Metrics {
public:
    Metrics();
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    // One answered request: endpoint is the API path ("/v1/routes"; "other" for unknown paths).
    void observe_request(std::string_view endpoint, std::string_view method, unsigned status,
                         std::chrono::duration<double> elapsed);

    // One catalog write through the API (save or split), by how it ended.
    void observe_catalog_write(WriteStatus status);

    // The Prometheus text exposition format (version 0.0.4).
    std::string render(const AdminContext& context);

    const std::shared_ptr<prometheus::Registry>& registry() const noexcept;

private:
    struct Families;
    const std::uint64_t id_;  // unique per instance for the process's life (per-thread caches key on it)
    std::shared_ptr<prometheus::Registry> registry_;
    std::unique_ptr<Families> families_;
};

}  // namespace routecat::admin
