#include "routecat/admin/metrics.hpp"

#include "routecat/admin/router.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <unordered_map>

namespace routecat::admin {

struct Metrics::Families {
    explicit Families(prometheus::Registry& r)
        : requests(prometheus::BuildCounter()
                       .Name("routecat_http_requests_total")
                       .Help("Admin API requests answered, by endpoint, method and status")
                       .Register(r)),
          latency(prometheus::BuildHistogram()
                      .Name("routecat_http_request_duration_seconds")
                      .Help("Admin API request handling time, by endpoint")
                      .Register(r)),
          saves(prometheus::BuildCounter()
                    .Name("routecat_catalog_saves_total")
                    .Help("Catalog writes through the API (PUT /v1/catalog, POST /v1/catalog/split), by outcome")
                    .Register(r)),
          watcher(prometheus::BuildGauge()
                      .Name("routecat_watcher")
                      .Help("Catalog watcher: syncs, failures, consecutive_failures, last_applied_version, "
                            "seconds_since_sync (-1 before the first)")
                      .Register(r)),
          engine(prometheus::BuildGauge()
                     .Name("routecat_engine")
                     .Help("Routing engine: routes, version, generation, access_split_routes, skipped_splits")
                     .Register(r)) {}

    prometheus::Family<prometheus::Counter>& requests;
    prometheus::Family<prometheus::Histogram>& latency;

    // The children of one (endpoint, method, status), found once: building a label map per request
    // cost ~9% of the admin API's throughput under load.
    struct Children {
        prometheus::Counter* requests;
        prometheus::Histogram* latency;
    };
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    std::mutex children_mutex;
    std::unordered_map<std::string, Children, StringHash, std::equal_to<>> children;
    prometheus::Family<prometheus::Counter>& saves;
    prometheus::Family<prometheus::Gauge>& watcher;
    prometheus::Family<prometheus::Gauge>& engine;
};

namespace {

// Every Metrics gets an id never used again, so a thread's recent children cannot be mistaken for
// those of a later instance at the same address.
std::atomic<std::uint64_t> g_next_metrics_id{1};

// The children each thread used last, by (instance, endpoint, method, status): the common request
// finds its counter and histogram without the map's lock, a key format or a hash. Children live as
// long as their registry, which outlives every observe_request of its Metrics.
struct RecentChildren {
    struct Entry {
        std::uint64_t owner = 0;
        unsigned status = 0;
        std::string endpoint, method;
        prometheus::Counter* requests = nullptr;
        prometheus::Histogram* latency = nullptr;
    };
    std::array<Entry, 8> entries;
    std::size_t next = 0;  // the entry replaced next (round robin)

    Entry* find(std::uint64_t owner, std::string_view endpoint, std::string_view method, unsigned status) {
        for (auto& e : entries)
            if (e.owner == owner && e.status == status && e.endpoint == endpoint && e.method == method) return &e;
        return nullptr;
    }
};
thread_local RecentChildren t_recent;

}  // namespace

Metrics::Metrics()
    : id_(g_next_metrics_id.fetch_add(1)), registry_(std::make_shared<prometheus::Registry>()), families_(std::make_unique<Families>(*registry_)) {}

Metrics::~Metrics() = default;

const std::shared_ptr<prometheus::Registry>& Metrics::registry() const noexcept { return registry_; }


void Metrics::observe_request(std::string_view endpoint, std::string_view method, unsigned status,
                              std::chrono::duration<double> elapsed) {
    RecentChildren::Entry* recent = t_recent.find(id_, endpoint, method, status);
    if (!recent) {
        // A stack key: endpoint|method|status (endpoints are the API's paths or "other").
        char key_buffer[96];
        const int n = std::snprintf(key_buffer, sizeof key_buffer, "%.*s|%.*s|%u", static_cast<int>(endpoint.size()),
                                    endpoint.data(), static_cast<int>(method.size()), method.data(), status);
        const std::string_view key(key_buffer,
                                   static_cast<std::size_t>(std::clamp(n, 0, static_cast<int>(sizeof key_buffer) - 1)));
        Families::Children c{};
        {
            std::lock_guard lock(families_->children_mutex);
            auto it = families_->children.find(key);
            if (it == families_->children.end()) {
                static const prometheus::Histogram::BucketBoundaries kBuckets{0.0001, 0.0005, 0.001, 0.005, 0.01,
                                                                             0.05,   0.1,    0.5,   1,     5};
                const std::string e(endpoint), m(method);
                Families::Children made{
                    &families_->requests.Add({{"endpoint", e}, {"method", m}, {"status", std::to_string(status)}}),
                    &families_->latency.Add({{"endpoint", e}}, kBuckets)};
                it = families_->children.emplace(std::string(key), made).first;
            }
            c = it->second;
        }
        recent = &t_recent.entries[t_recent.next++ % t_recent.entries.size()];
        *recent = RecentChildren::Entry{id_, status, std::string(endpoint), std::string(method), c.requests, c.latency};
    }
    recent->requests->Increment();
    recent->latency->Observe(elapsed.count());
}

void Metrics::observe_catalog_write(WriteStatus status) {
    families_->saves.Add({{"outcome", status == WriteStatus::committed ? "saved" : "conflict"}}).Increment();
}

std::string Metrics::render(const AdminContext& ctx) {
    if (ctx.engine) {
        const auto table = ctx.engine->table();
        families_->engine.Add({{"what", "routes"}}).Set(static_cast<double>(table->size()));
        families_->engine.Add({{"what", "version"}}).Set(static_cast<double>(table->version()));
        families_->engine.Add({{"what", "generation"}}).Set(static_cast<double>(table->generation()));
        families_->engine.Add({{"what", "access_split_routes"}}).Set(static_cast<double>(ctx.engine->access_split_routes()));
        families_->engine.Add({{"what", "skipped_splits"}}).Set(static_cast<double>(ctx.engine->skipped_splits()));
    }
    if (ctx.watcher) {
        const auto s = ctx.watcher->status();
        families_->watcher.Add({{"what", "syncs"}}).Set(static_cast<double>(s.syncs));
        families_->watcher.Add({{"what", "failures"}}).Set(static_cast<double>(s.failures));
        families_->watcher.Add({{"what", "consecutive_failures"}}).Set(static_cast<double>(s.consecutive_failures));
        families_->watcher.Add({{"what", "last_applied_version"}}).Set(static_cast<double>(s.last_applied_version));
        const double age = s.last_sync ? std::chrono::duration<double>(std::chrono::system_clock::now() - *s.last_sync).count() : -1;
        families_->watcher.Add({{"what", "seconds_since_sync"}}).Set(age);
    }
    return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace routecat::admin
