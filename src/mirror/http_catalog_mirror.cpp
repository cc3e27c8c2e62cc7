#include "routecat/mirror/http_catalog_mirror.hpp"

#include "mirror/feed_connection.hpp"
#include "mirror/feed_endpoint.hpp"
#include "mirror/feed_reply.hpp"

#include "routecat/detail/await_on.hpp"
#include "routecat/error.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <atomic>
#include <mutex>

namespace routecat {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using mirror::FeedConnection;
using mirror::FeedEndpoint;

namespace {

std::shared_ptr<spdlog::logger> stderr_logger() {
    static const auto logger =
        std::make_shared<spdlog::logger>("routecat", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    return logger;
}

// run()'s checks, in §12's order; the endpoints parsed.
std::vector<FeedEndpoint> validate(const std::shared_ptr<Engine>& engine, const HttpCatalogMirrorOptions& options) {
    if (options.endpoints.empty()) throw_error(errc::catalog_watch_client_required, "no endpoints");
    if (!engine) throw_error(errc::engine_required);
    if (options.retry_interval <= 0ms)
        throw_error(errc::catalog_watcher_interval_invalid, "retry_interval " + std::to_string(options.retry_interval.count()) + " ms");
    if (options.poll_timeout <= 0ms) throw_error(errc::invalid_config, "poll_timeout must be positive");
    if (options.request_timeout <= 0ms) throw_error(errc::invalid_config, "request_timeout must be positive");
    std::vector<FeedEndpoint> endpoints;
    for (const auto& url : options.endpoints) {
        std::string error;
        auto endpoint = mirror::parse_feed_endpoint(url, error);
        if (!endpoint) throw_error(endpoint.error(), error);
        endpoints.push_back(std::move(*endpoint));
    }
    return endpoints;
}

// Whether the table holds exactly these routes (loads aside).
bool same_routes(const RouteTable& table, std::vector<RouteDescriptor> routes) {
    if (table.size() != routes.size()) return false;
    std::stable_sort(routes.begin(), routes.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
    for (std::size_t i = 0; i < routes.size(); ++i) {
        const Route r = table.route(i);
        const RouteDescriptor& d = routes[i];
        if (r.route_id != d.route_id || r.start != d.start || r.end != d.end || r.group_id != d.group_id ||
            r.state != d.state)
            return false;
    }
    return true;
}

// "what: context", or what alone when there is no context.
std::string with_context(std::string what, const std::string& context) {
    if (!context.empty()) what += ": " + context;
    return what;
}

bool is_gap(const boost::system::error_code& ec) {
    return ec == errc::engine_delta_version_gap || ec == errc::catalog_delta_version_gap;
}

}  // namespace

// One run(): its strand, and what a stop or a cancellation must interrupt there.
struct HttpCatalogMirror::Run {
    explicit Run(const asio::any_io_executor& ex) : strand(asio::make_strand(ex)) {}

    asio::strand<asio::any_io_executor> strand;
    // On the strand only.
    bool halted = false;
    FeedConnection* connection = nullptr;  // the one in use
    asio::steady_timer* timer = nullptr;   // the wait between attempts

    void halt() {
        halted = true;
        if (connection) connection->cancel();
        if (timer) timer->cancel();
    }
};

struct HttpCatalogMirror::State {
    std::atomic<bool> stop_requested{false};
    std::mutex run_mutex;
    std::shared_ptr<Run> run;  // while run() runs
    mutable std::mutex status_mutex;
    HttpCatalogMirrorStatus status;

    // Halts the current run on its strand, from any thread.
    void halt_run() {
        std::lock_guard lock(run_mutex);
        if (run) asio::post(run->strand, [run = run] { run->halt(); });
    }

    template <class F>
    void update(F&& f) {
        std::lock_guard lock(status_mutex);
        f(status);
    }
};

// The attempts of one run(), on its strand.
class HttpCatalogMirror::Follower {
public:
    Follower(std::shared_ptr<Engine> engine, const HttpCatalogMirrorOptions& options, std::vector<FeedEndpoint> endpoints,
             std::shared_ptr<State> state, std::shared_ptr<Run> run)
        : engine_(std::move(engine)), options_(options), endpoints_(std::move(endpoints)), state_(std::move(state)),
          run_(std::move(run)) {}

    // Attempts, a retry_interval apart, until halted.
    static asio::awaitable<void> loop(std::shared_ptr<Follower> self) {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        self->run_->timer = &timer;
        struct Forget {
            Run& run;
            ~Forget() { run.timer = nullptr; }
        } forget{*self->run_};
        for (;;) {
            if (self->halted()) co_return;
            self->state_->update([](HttpCatalogMirrorStatus& s) { ++s.attempts; });
            const Failure failure = co_await self->attempt();
            if (self->halted()) co_return;
            if (failure.code) self->failed(failure);
            timer.expires_after(self->options_.retry_interval);
            boost::system::error_code ignored;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
    }

private:
    struct Failure {
        boost::system::error_code code;
        std::string error;
    };
    enum class Applied { ok, gap };

    bool halted() const { return run_->halted || state_->stop_requested.load(); }

    // Each endpoint in turn until one is followed to a normal end; the failures otherwise.
    asio::awaitable<Failure> attempt() {
        Failure failure;
        const auto ex = co_await asio::this_coro::executor;
        for (const auto& endpoint : endpoints_) {
            if (halted()) break;
            FeedConnection connection(ex, endpoint, options_.body_limit_bytes, options_.request_timeout);
            run_->connection = &connection;
            bool ended = false;
            boost::system::error_code code;
            std::string error;
            try {
                co_await follow(connection);
                ended = true;
            } catch (const boost::system::system_error& e) {
                code = e.code();
                error = e.what();
            } catch (const std::exception& e) {
                code = errc::catalog_watch_event_invalid;
                error = e.what();
            }
            run_->connection = nullptr;
            if (ended) co_return Failure();
            failure.code = code;
            if (!failure.error.empty()) failure.error += "; ";
            failure.error += endpoint.url + ": " + error;
        }
        co_return failure;
    }

    // Long polls on one connection while they answer; returns to end the attempt normally (after a
    // gap's snapshot, or diverged), throws when a request or an apply fails.
    asio::awaitable<void> follow(FeedConnection& connection) {
        const std::string limit = std::to_string(std::clamp<std::size_t>(options_.batch, 1, kMaxCatalogDeltaBatchSize));
        const std::string timeout = std::to_string(options_.poll_timeout.count()) + "ms";
        const auto deadline = options_.poll_timeout + options_.request_timeout;
        for (;;) {
            const std::uint64_t after = engine_->version();
            std::string target = "/v1/catalog/changes?after=" + std::to_string(after) + "&limit=" + limit + "&timeout=" + timeout;
            const mirror::FeedReply reply = co_await connection.get(std::move(target), deadline);
            std::string error;
            auto changes = mirror::changes_from_reply(reply, error);
            if (!changes && changes.error() == errc::catalog_delta_version_future) {
                // Still behind after a divergence: nothing new to look at.
                if (diverged() && !options_.follow_regression) co_return;
                if (!co_await reconcile(connection)) co_return;
                continue;
            }
            if (!changes && is_gap(changes.error())) {
                co_await reconcile(connection);
                co_return;
            }
            if (!changes) throw_error(changes.error(), error);
            // After a divergence (or from a source answering below our version) the feed cannot tell
            // an unrelated history from ours: compare whole catalogs.
            if (diverged() || changes->version < after) {
                if (!co_await reconcile(connection)) co_return;
                continue;
            }
            if (apply(*changes) == Applied::gap) {
                co_await reconcile(connection);
                co_return;
            }
            synced(connection.endpoint(), changes->version);
        }
    }

    // Reset and deltas, in order; stale versions are skipped (§12).
    Applied apply(CatalogChangeSet& changes) {
        std::uint64_t snapshots = 0;
        std::uint64_t deltas = 0;
        if (changes.reset) {
            const std::uint64_t before = engine_->version();
            std::string context;
            const auto ec = engine_->apply_snapshot(std::move(*changes.reset), &context);
            if (ec && ec != errc::engine_snapshot_version_stale) throw_error(ec, with_context("reset", context));
            if (engine_->version() != before) ++snapshots;
        }
        Applied applied = Applied::ok;
        for (const auto& delta : changes.deltas) {
            const std::uint64_t before = engine_->version();
            std::string context;
            const auto ec = engine_->apply_delta(delta, &context);
            if (is_gap(ec)) {
                applied = Applied::gap;
                break;
            }
            if (ec && ec != errc::engine_snapshot_version_stale)
                throw_error(ec, with_context("delta " + std::to_string(delta.version), context));
            if (engine_->version() != before) ++deltas;
        }
        state_->update([&](HttpCatalogMirrorStatus& s) {
            s.snapshots += snapshots;
            s.deltas += deltas;
        });
        return applied;
    }

    // Compares the source's whole catalog with the engine: a newer one is applied, the same one
    // accepted; an older one (or other routes at our version) is followed back with
    // follow_regression, else the engine keeps its table and the mirror is diverged (false).
    asio::awaitable<bool> reconcile(FeedConnection& connection) {
        const mirror::FeedReply reply = co_await connection.get("/v1/catalog", options_.request_timeout);
        std::string error;
        auto source = mirror::snapshot_from_reply(reply, error);
        if (!source) throw_error(source.error(), "GET /v1/catalog: " + error);
        const std::uint64_t version = source->version;
        const std::uint64_t mine = engine_->version();
        const std::string& url = connection.endpoint().url;
        if (version > mine) {
            std::string context;
            const auto ec = engine_->apply_snapshot(std::move(*source), &context);
            if (ec && ec != errc::engine_snapshot_version_stale) throw_error(ec, with_context("GET /v1/catalog", context));
            if (!ec) state_->update([](HttpCatalogMirrorStatus& s) { ++s.snapshots; });
        } else if (version == mine && same_routes(*engine_->table(), source->routes)) {
            // The same catalog: in step.
        } else if (options_.follow_regression) {
            if (const auto ec = engine_->reset_to(std::move(*source))) throw_error(ec, "GET /v1/catalog (follow_regression)");
            state_->update([](HttpCatalogMirrorStatus& s) { ++s.regressions; });
            options_.logger->warn("catalog mirror follows {} back from version {} to its catalog version {} (follow_regression)",
                                  url, mine, version);
        } else {
            diverge(url, version, mine);
            co_return false;
        }
        synced(connection.endpoint(), version);
        co_return true;
    }

    bool diverged() const {
        std::lock_guard lock(state_->status_mutex);
        return state_->status.diverged;
    }

    // Logged at error once per divergence; the table stays.
    void diverge(const std::string& url, std::uint64_t source_version, std::uint64_t mine) {
        std::string why = url + " is at catalog version " + std::to_string(source_version);
        if (source_version == mine) why += " with other routes than this engine's";
        else why += ", behind this engine's version " + std::to_string(mine);
        bool first = false;
        state_->update([&](HttpCatalogMirrorStatus& s) {
            first = !s.diverged;
            s.diverged = true;
            s.source_version = source_version;
            s.endpoint = url;
            s.last_error = why + "; serving the engine's table";
            s.last_error_code = errc::catalog_delta_version_future;
        });
        if (first) options_.logger->error("catalog mirror diverged: {}; serving the engine's table (follow_regression is off)", why);
    }

    void synced(const FeedEndpoint& endpoint, std::uint64_t source_version) {
        bool was_diverged = false;
        state_->update([&](HttpCatalogMirrorStatus& s) {
            was_diverged = s.diverged;
            s.diverged = false;
            s.last_version = engine_->version();
            s.source_version = source_version;
            s.endpoint = endpoint.url;
            s.last_error.clear();
            s.last_error_code = {};
            s.last_sync = std::chrono::system_clock::now();
        });
        if (was_diverged)
            options_.logger->info("catalog mirror follows {} again, at catalog version {}", endpoint.url, engine_->version());
    }

    void failed(const Failure& failure) {
        state_->update([&](HttpCatalogMirrorStatus& s) {
            ++s.failures;
            s.last_error = failure.error;
            s.last_error_code = failure.code;
        });
        options_.logger->warn("catalog watch attempt failed error=\"{}\" version={}", failure.error, engine_->version());
    }

    std::shared_ptr<Engine> engine_;
    const HttpCatalogMirrorOptions& options_;
    std::vector<FeedEndpoint> endpoints_;
    std::shared_ptr<State> state_;
    std::shared_ptr<Run> run_;
};

HttpCatalogMirror::HttpCatalogMirror(std::shared_ptr<Engine> engine, HttpCatalogMirrorOptions options)
    : engine_(std::move(engine)), options_(std::move(options)), state_(std::make_shared<State>()) {
    if (!options_.logger) options_.logger = stderr_logger();
    if (options_.batch == 0 || options_.batch > kMaxCatalogDeltaBatchSize) options_.batch = kMaxCatalogDeltaBatchSize;
}

HttpCatalogMirror::~HttpCatalogMirror() = default;

asio::awaitable<void> HttpCatalogMirror::run() {
    std::vector<FeedEndpoint> endpoints = validate(engine_, options_);
    auto run = std::make_shared<Run>(co_await asio::this_coro::executor);
    {
        std::lock_guard lock(state_->run_mutex);
        if (state_->stop_requested.load()) co_return;
        state_->run = run;
    }
    state_->update([](HttpCatalogMirrorStatus& s) { s.running = true; });
    // Ends the run whichever way run() leaves; the strand is dropped here, while its io_context lives.
    struct Ended {
        std::shared_ptr<State> state;
        ~Ended() {
            state->update([](HttpCatalogMirrorStatus& s) { s.running = false; });
            std::lock_guard lock(state->run_mutex);
            state->run.reset();
        }
    } ended{state_};
    auto follower = std::make_shared<Follower>(engine_, options_, std::move(endpoints), state_, run);
    // A cancellation of run() halts the follower on its strand (nothing is forwarded across co_spawn).
    auto on_cancel = [run] { asio::post(run->strand, [run] { run->halt(); }); };
    co_await detail::await_on(run->strand, Follower::loop(std::move(follower)), on_cancel);
}

void HttpCatalogMirror::stop() {
    state_->stop_requested.store(true);
    state_->halt_run();
}

HttpCatalogMirrorStatus HttpCatalogMirror::status() const {
    std::lock_guard lock(state_->status_mutex);
    return state_->status;
}

}  // namespace routecat
