#pragma once
// Fixture of the backend-parametrised suites: an io_context, a fresh store of the backend under
// test, and short synchronous wrappers for the calls most tests make.

#include "support/backend.hpp"
#include "support/printers.hpp"
#include "support/run.hpp"

#include "routecat/store/mvcc_store.hpp"

#include <boost/asio/io_context.hpp>

#include <limits>

namespace routecat::test {

inline constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

struct StoreFixture {
    boost::asio::io_context io;
    std::shared_ptr<MvccStore> store = backend().make_store(io.get_executor());

    template <class T>
    T run(boost::asio::awaitable<T> task) {
        return test::run(io, std::move(task));
    }

    std::uint64_t last() { return run(store->last_commit_ts()); }
    std::optional<std::string> get(std::string key, std::uint64_t ts) { return run(store->get_at(std::move(key), ts)); }
    std::optional<std::string> get(std::string key) { return get(std::move(key), last()); }

    // One transaction that reads at the current watermark.
    std::uint64_t apply(std::vector<Mutation> mutations, std::uint64_t min_commit_ts = 0) {
        const std::uint64_t start = last();
        return run(store->apply(std::move(mutations), start, min_commit_ts));
    }
    std::uint64_t put(std::string key, std::string value) { return apply({Mutation::put(std::move(key), std::move(value))}); }
    std::uint64_t del(std::string key) { return apply({Mutation::del(std::move(key))}); }
};

}  // namespace routecat::test
