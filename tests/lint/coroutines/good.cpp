// Lint fixture (scanned by scripts/lint/check_coroutines.py, never compiled): coroutine code in the
// shapes g++ 12 compiles correctly. Expected: no finding. Comments and strings that mention the bad
// shapes do not count: Snapshot s{v, co_await read(), ts}; c ? co_await a() : co_await b();
/* co_await blocking([this, key] { return key; }); f({co_await g()}); "unterminated { in a comment */
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/store/mvcc_store.hpp"

#define ROUTECAT_FIXTURE_AWAIT_BOTH(a, b) \
    { auto x = c ? co_await (a) : co_await (b); Pair p{co_await (a), 1}; }

namespace routecat::fixture {
namespace asio = boost::asio;

enum class Mode : std::uint8_t { latest, recent };

struct Snapshot {
    std::uint64_t version{0};
    std::vector<RouteDescriptor> routes{};
    std::uint64_t read_ts = 0;
};

class Reader final : public std::enable_shared_from_this<Reader> {
public:
    explicit Reader(std::shared_ptr<MvccStore> store) : store_{std::move(store)}, limits_{16, 1024} {}

    // A named local first, then the aggregate (not Snapshot{v, co_await ..., ts}).
    asio::awaitable<Snapshot> snapshot_at(const CatalogStore& catalog, std::uint64_t version, std::uint64_t ts) {
        auto routes = co_await catalog.routes_at(ts);
        Snapshot snap{version, std::move(routes), ts};
        co_return snap;
    }

    asio::awaitable<Snapshot> latest(const CatalogStore& catalog) {
        const auto [ts, version] = co_await catalog.latest_version();
        Snapshot snap;
        snap.version = version;
        snap.routes = co_await catalog.routes_at(ts);
        snap.read_ts = ts;
        co_return Snapshot{snap.version, std::move(snap.routes), snap.read_ts};  // no co_await inside
    }

    // if/else, not ?: around co_await.
    asio::awaitable<RangeRead> range(Mode mode, std::string start, std::optional<std::string> end) {
        RangeRead range;
        if (mode == Mode::recent) {
            range = co_await store_->scan_recent(std::move(start), std::move(end));
        } else {
            range = co_await store_->scan_latest(std::move(start), std::move(end));
        }
        const char* label = range.maybe_stale ? "maybe stale" : "current";  // no co_await in it
        log_ = std::string("range: ") + label;
        co_return range;
    }

    asio::awaitable<std::uint64_t> write_marker(std::uint64_t start_ts) {
        // The list is built in its own statement; a literal bound to a std::string parameter is fine.
        std::vector<Mutation> write{Mutation::put("!marker", "1"), Mutation::del("!old")};
        const std::uint64_t commit_ts = co_await store_->apply(std::move(write), start_ts, 0);
        auto value = co_await store_->get_at("!marker", commit_ts);
        if (!value || *value != "1") throw std::runtime_error("marker lost: co_await {x}");
        co_return commit_ts;
    }

    // A named callable, moved in; lambdas capturing only `this` or by reference are fine as temporaries.
    asio::awaitable<std::uint64_t> wait_and_count(std::uint64_t after_ts) {
        auto read = [this, after_ts] { return after_ts + limits_.first; };
        std::uint64_t total = co_await run_blocking(std::move(read));
        total += co_await run_blocking([this] { return limits_.second; });
        total += co_await run_blocking([&] { return total + 1; });
        total += co_await run_blocking([] { return std::uint64_t{7}; });
        co_return total;
    }

    // Lambdas whose bodies hold co_await: the body is the coroutine, not the statement around it.
    void start(asio::any_io_executor ex) {
        asio::co_spawn(
            ex,
            [self = shared_from_this(), this]() mutable -> asio::awaitable<void> {
                Snapshot snap{1, {}, 0};
                for (;;) {
                    snap.read_ts = co_await store_->last_commit_ts();
                    if (snap.read_ts > 100) break;
                    co_await store_->wait_for_change(snap.read_ts);
                }
            },
            asio::detached);
        auto task = [store = store_](std::string key) -> asio::awaitable<std::optional<std::string>> {
            co_return co_await store->get_at(std::move(key), 0);
        };
        asio::co_spawn(ex, task("k"), asio::detached);
    }

    asio::awaitable<std::string> describe() {
        // ?: in a statement of its own, braces that are blocks, a range-for over a braced list.
        const std::uint64_t last = co_await store_->last_commit_ts();
        const bool fresh = last > 0 ? true : false;
        std::string out = R"json({"fresh": "co_await {", "next": {"a": c ? 1 : 2}})json";
        char open = '{', quote = '"', question = '?';
        out += open;
        out += quote;
        out += question;
        for (const char* key : {"a", "b"}) {
            auto value = co_await store_->get_at(key, 0);
            out += value.value_or("-");
        }
        switch (out.size()) {
            case 0: {
                co_await store_->last_commit_ts();
                break;
            }
            default:
                break;
        }
        try {
            do {
                co_await store_->wait_for_change(0);
            } while (!fresh);
        } catch (const std::exception& e) {
            out += e.what();
        }
        if (auto ts = co_await store_->last_commit_ts(); ts > 0) {
            out += std::to_string(ts);
        } else if (ts == 0) {
            out += "none";
        }
        std::string copy((co_await store_->get_at(out, 0)).value_or(""));
        co_return out + copy;
    }

private:
    template <class F>
    auto run_blocking(F f) -> asio::awaitable<decltype(f())> {
        co_return f();
    }

    std::shared_ptr<MvccStore> store_;
    std::pair<std::uint64_t, std::uint64_t> limits_;
    std::string log_;
};

}  // namespace routecat::fixture
