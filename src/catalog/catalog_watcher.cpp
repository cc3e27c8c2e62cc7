#include "routecat/catalog/catalog_watcher.hpp"

#include "routecat/catalog/backoff.hpp"
#include "routecat/detail/await_on.hpp"

#include "routecat/error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>

namespace routecat {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::shared_ptr<spdlog::logger> default_logger() {
    static const auto logger =
        std::make_shared<spdlog::logger>("routecat", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    return logger;
}

// The waits between syncs run on a strand of run()'s executor: the timer, the push and a wake-up
// channel are only touched there, and stop() (from any thread) posts its wake-up to it.
struct CatalogWatcher::State {
    using Strand = asio::strand<asio::any_io_executor>;
    using Channel = asio::experimental::channel<void(boost::system::error_code)>;

    std::atomic<bool> stop_requested{false};
    std::mutex loop_mutex;        // guards strand and wake against stop() from other threads
    std::optional<Strand> strand;  // run()'s, set when it starts
    std::unique_ptr<Channel> wake;  // capacity 1: a wake-up before the wait is kept for it
    std::mt19937_64 jitter{std::random_device{}()};
    mutable std::mutex status_mutex;
    CatalogWatcherStatus status;

    // Wakes the current (or next) wait, from any thread.
    void wake_up(const std::shared_ptr<State>& self) {
        std::lock_guard lock(loop_mutex);
        if (!strand) return;
        asio::post(*strand, [self] {
            if (self->wake) self->wake->try_send(boost::system::error_code{});
        });
    }
};

CatalogWatcher::CatalogWatcher(CatalogStore catalog, std::shared_ptr<Engine> engine, CatalogWatcherOptions options)
    : catalog_(std::move(catalog)), engine_(std::move(engine)), options_(std::move(options)),
      state_(std::make_shared<State>()) {
    // As the spec's options: a non-positive interval or a null logger keeps the default.
    if (options_.interval <= 0ms) options_.interval = CatalogWatcherOptions{}.interval;
    if (!options_.logger) options_.logger = default_logger();
    if (options_.max_backoff < 0ms) options_.max_backoff = 0ms;
}

CatalogWatcher::~CatalogWatcher() = default;

void CatalogWatcher::validate() const {
    if (!catalog_.store()) throw_error(errc::catalog_store_required);
    if (!engine_) throw_error(errc::engine_required);
}

asio::awaitable<bool> CatalogWatcher::follow_deltas(std::uint64_t version) {
    for (;;) {
        const std::uint64_t from = engine_->version();
        if (from >= version) co_return true;
        CatalogChangeSet changes;
        bool gap = false;
        try {
            changes = co_await catalog_.changes_since(from, static_cast<std::int64_t>(kDefaultCatalogDeltaBatchSize));
        } catch (const boost::system::system_error& e) {
            if (e.code() != errc::catalog_delta_version_gap || !options_.snapshot_on_gap) throw;
            gap = true;
        }
        if (gap) co_return false;  // the snapshot path
        if (changes.reset) {  // no log, or the engine is older than its floor: the whole catalog, read already
            std::string context;
            const auto ec = engine_->apply_snapshot(std::move(*changes.reset), &context);
            if (ec && ec != errc::engine_snapshot_version_stale) throw_error(ec, context);
            co_return true;
        }
        if (changes.deltas.empty()) co_return true;
        for (const auto& delta : changes.deltas) {
            std::string context;
            const auto ec = engine_->apply_delta(delta, &context);
            if (ec == errc::engine_delta_version_gap && options_.snapshot_on_gap) co_return false;
            if (ec && ec != errc::engine_snapshot_version_stale) throw_error(ec, context);
        }
        if (changes.deltas.size() < kDefaultCatalogDeltaBatchSize) co_return true;
    }
}

asio::awaitable<bool> CatalogWatcher::sync_once() {
    validate();
    try {
        co_return co_await sync_at_latest(true);
    } catch (const boost::system::system_error& e) {
        if (e.code() != errc::read_ts_compacted) throw;
    }
    // The store dropped the history below this sync's read ts while it read (issue 13: more commits
    // than it retains landed meanwhile, or etcd was compacted): a snapshot at the current ts.
    co_return co_await sync_at_latest(false);
}

asio::awaitable<bool> CatalogWatcher::sync_at_latest(bool may_follow_deltas) {
    const auto [read_ts, version] = co_await catalog_.latest_version();
    bool applied = false;
    if (version > engine_->version()) {
        // Deltas are keyed by route id: an engine holding access-split (id-0) routes follows snapshots.
        const bool by_deltas = may_follow_deltas && options_.follow_deltas && engine_->version() > 0 &&
                               engine_->table()->ephemeral_routes() == 0;
        if (by_deltas) applied = co_await follow_deltas(version);
        if (!applied) {
            // (Not a braced initializer around co_await: g++ 12 destroys such temporaries twice.)
            CatalogSnapshot snap;
            snap.version = version;
            snap.routes = co_await catalog_.routes_at(read_ts);
            snap.read_ts = read_ts;
            std::string context;
            auto ec = engine_->apply_snapshot(std::move(snap), &context);
            if (ec && ec != errc::engine_snapshot_version_stale) throw_error(ec, context);
            applied = !ec;  // stale: another path applied something newer meanwhile
        }
    }
    std::lock_guard lock(state_->status_mutex);
    state_->status.last_read_ts = read_ts;
    if (applied) state_->status.last_applied_version = std::max(version, engine_->version());
    co_return applied;
}

asio::awaitable<void> CatalogWatcher::logged_sync(const char* failure_message) {
    std::string error;
    bool aborted = false;
    try {
        co_await sync_once();
    } catch (const boost::system::system_error& e) {
        aborted = e.code() == asio::error::operation_aborted;
        error = e.what();
    } catch (const std::exception& e) {
        error = e.what();
    }
    // operation_aborted ends the loop only when this loop was cancelled or stopped; from anywhere else
    // (a store's I/O torn down under it) it is one more failed sync, retried like the others.
    if (aborted && (state_->stop_requested.load() ||
                    (co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none))
        throw boost::system::system_error(asio::error::operation_aborted);
    {
        std::lock_guard lock(state_->status_mutex);
        ++state_->status.syncs;
        if (error.empty()) {
            state_->status.consecutive_failures = 0;
            state_->status.last_sync = std::chrono::system_clock::now();
            state_->status.last_error.clear();
        } else {
            ++state_->status.failures;
            ++state_->status.consecutive_failures;
            state_->status.last_error = error;
        }
    }
    if (!error.empty()) options_.logger->error("{} error=\"{}\"", failure_message, error);
}

std::chrono::milliseconds CatalogWatcher::next_delay() {
    std::uint64_t failures = 0;
    {
        std::lock_guard lock(state_->status_mutex);
        failures = state_->status.consecutive_failures;
    }
    return routecat::next_delay(options_.interval, options_.max_backoff, failures, state_->jitter());
}

namespace {

// The wait itself, on the strand: the timer, the store's push and the wake-up channel race; whichever
// completes first wins and the group cancels the others and waits for them to finish.
enum class Woken { timer, push, wake, timer_cancelled };

asio::awaitable<Woken> wait_on_strand(std::chrono::milliseconds delay, std::shared_ptr<MvccStore> store,
                                      std::optional<std::uint64_t> push_after,
                                      asio::experimental::channel<void(boost::system::error_code)>& wake) {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex, delay);
    auto push = [](std::shared_ptr<MvccStore> store, std::optional<std::uint64_t> after) -> asio::awaitable<void> {
        if (after) {
            co_await store->wait_for_change(*after);
        } else {
            asio::steady_timer forever(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
            co_await forever.async_wait(asio::use_awaitable);
        }
    };
    auto [order, timer_ec, push_error, wake_ec] =
        co_await asio::experimental::make_parallel_group(timer.async_wait(asio::deferred),
                                                         asio::co_spawn(ex, push(std::move(store), push_after), asio::deferred),
                                                         wake.async_receive(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    switch (order[0]) {
        case 0:
            co_return timer_ec ? Woken::timer_cancelled : Woken::timer;
        case 1:
            co_return Woken::push;  // a failed push (a dropped watch) too: sync now, then fall back
        default:
            co_return Woken::wake;
    }
}

}  // namespace

asio::awaitable<CatalogWatcher::Wake> CatalogWatcher::wait_next() {
    // Push only after a successful sync: after a failure the store may be unreachable, and a push
    // that fails at once would spin instead of backing off.
    std::optional<std::uint64_t> push_after;
    {
        std::lock_guard lock(state_->status_mutex);
        if (options_.push && catalog_.store()->can_wait_for_change() && state_->status.consecutive_failures == 0)
            push_after = state_->status.last_read_ts;
    }
    auto wait = wait_on_strand(next_delay(), catalog_.store(), push_after, *state_->wake);
    // A cancellation of run() becomes a wake-up of the wait, posted to its strand.
    auto on_cancel = [state = state_] { state->wake_up(state); };
    const Woken woken = co_await detail::await_on(*state_->strand, std::move(wait), on_cancel);

    if (state_->stop_requested.load()) co_return Wake::stop;
    if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none)
        co_return Wake::cancelled;
    switch (woken) {
        case Woken::timer:
            co_return Wake::timer;
        case Woken::push:
            co_return Wake::push;
        case Woken::timer_cancelled:
            co_return Wake::cancelled;
        default:
            co_return Wake::stop;
    }
}

asio::awaitable<void> CatalogWatcher::run() {
    validate();
    auto ex = co_await asio::this_coro::executor;
    {
        std::lock_guard lock(state_->loop_mutex);
        state_->strand.emplace(asio::make_strand(ex));
        state_->wake = std::make_unique<State::Channel>(*state_->strand, 1);
        if (state_->stop_requested.load()) co_return;
    }
    {
        std::lock_guard lock(state_->status_mutex);
        state_->status.running = true;
    }
    struct NotRunning {
        CatalogWatcher* self;
        ~NotRunning() {
            std::lock_guard lock(self->state_->status_mutex);
            self->state_->status.running = false;
        }
    } not_running{this};

    try {
        co_await logged_sync("catalog watcher initial sync failed");
        for (;;) {
            if (state_->stop_requested.load()) co_return;
            if (co_await wait_next() != Wake::timer && state_->stop_requested.load()) co_return;
            if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
            co_await logged_sync("catalog watcher sync failed");
        }
    } catch (const boost::system::system_error& e) {
        if (e.code() != asio::error::operation_aborted) throw;
        // Cancelled while a store call was in flight: a clean stop.
    }
}

void CatalogWatcher::stop() {
    state_->stop_requested.store(true);
    state_->wake_up(state_);
}

CatalogWatcherStatus CatalogWatcher::status() const {
    std::lock_guard lock(state_->status_mutex);
    return state_->status;
}

}  // namespace routecat
