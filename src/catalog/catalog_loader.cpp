#include "routecat/catalog/catalog_loader.hpp"

#include "routecat/catalog/backoff.hpp"
#include "routecat/catalog/catalog_watcher.hpp"
#include "routecat/catalog/ensure_catalog_snapshot.hpp"
#include "routecat/detail/change_notifier.hpp"
#include "routecat/error.hpp"

#include <spdlog/logger.h>

#include <atomic>
#include <mutex>
#include <random>

namespace routecat {

struct CatalogLoader::Inner {
    std::atomic<bool> stop_requested{false};
    detail::ChangeNotifier stopped;
    std::mt19937_64 jitter{std::random_device{}()};
    mutable std::mutex mutex;
    Status status;
};

bool is_catalog_invalid(const boost::system::error_code& ec) noexcept {
    if (ec.category() != error_category()) return false;
    switch (static_cast<errc>(ec.value())) {
        case errc::engine_snapshot_duplicate_id:
        case errc::engine_snapshot_route_overlap:
        case errc::engine_snapshot_route_order:
        case errc::catalog_route_id_required:
        case errc::catalog_group_id_required:
        case errc::catalog_duplicate_route_id:
        case errc::catalog_invalid_route_range:
        case errc::catalog_invalid_version_record:
        case errc::catalog_invalid_next_route_id:
        case errc::catalog_invalid_route_record:
        case errc::catalog_invalid_route_state:
        case errc::catalog_invalid_route_key:
        case errc::catalog_route_key_id_mismatch:
            return true;
        default:
            return false;
    }
}

CatalogLoader::CatalogLoader(CatalogStore catalog, std::shared_ptr<Engine> engine, CatalogLoaderOptions options)
    : catalog_(std::move(catalog)), engine_(std::move(engine)), options_(std::move(options)),
      state_(std::make_unique<Inner>()) {
    if (!options_.logger) options_.logger = default_logger();
}

CatalogLoader::~CatalogLoader() = default;

boost::asio::awaitable<CatalogLoader::State> CatalogLoader::run() {
    if (!catalog_.store()) throw_error(errc::catalog_store_required);
    if (!engine_) throw_error(errc::engine_required);
    std::uint64_t failures = 0;
    while (!state_->stop_requested.load()) {
        boost::system::error_code failed;
        std::string what;
        try {
            co_await ensure_catalog_snapshot(catalog_, engine_);
        } catch (const boost::system::system_error& e) {
            failed = e.code();
            what = e.what();
        }
        const State state = !failed ? State::loaded : is_catalog_invalid(failed) ? State::invalid : State::loading;
        {
            std::lock_guard lock(state_->mutex);
            ++state_->status.attempts;
            state_->status.last_error = what;
            state_->status.state = state;
        }
        if (state != State::loading) {
            if (state == State::invalid)
                options_.logger->error("the stored catalog cannot be loaded: {} (serving it; a PUT /v1/catalog repairs it)", what);
            co_return state;
        }
        if (failed == errc::catalog_version_mismatch) {  // another instance seeded it first: load that
            options_.logger->info("another instance seeded the catalog meanwhile; loading it");
            continue;
        }
        ++failures;
        const auto wait = next_delay(options_.interval, options_.max_backoff, failures, state_->jitter());
        options_.logger->warn("cannot load the catalog (attempt {}): {}; trying again in {} ms", failures, what, wait.count());
        auto stopping = [this] { return state_->stop_requested.load(); };
        co_await state_->stopped.wait_until(stopping, wait);
    }
    co_return State::loading;
}

void CatalogLoader::stop() {
    state_->stop_requested.store(true);
    state_->stopped.notify();
}

CatalogLoader::Status CatalogLoader::status() const {
    std::lock_guard lock(state_->mutex);
    Status s = state_->status;
    if (s.state == State::invalid && engine_->version() > 0) s.state = State::loaded;
    return s;
}

}  // namespace routecat
