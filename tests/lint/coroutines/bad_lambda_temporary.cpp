// Lint fixture (scanned by scripts/lint/check_coroutines.py, never compiled): a lambda that
// captures by copy, written as a temporary in the statement of a co_await. g++ 12 destroys the
// closure twice (ASan: attempting double-free). Expected: three temporary-in-co_await findings.
#include <boost/asio/awaitable.hpp>

#include "routecat/store/rocksdb_store.hpp"

namespace routecat {
namespace asio = boost::asio;

asio::awaitable<std::optional<std::string>> RocksDbStore::get_at(std::string key, std::uint64_t ts) {
    co_return co_await blocking([this, key = std::move(key), ts] { return get_sync(key, ts); });
}

asio::awaitable<std::vector<KeyValue>> RocksDbStore::scan_at(std::string start, std::optional<std::string> end,
                                                             std::size_t limit, std::uint64_t ts) {
    auto rows = co_await blocking(
        [=, this]() {
            return scan_sync(start, end, limit, ts);
        });
    co_return rows;
}

asio::awaitable<std::uint64_t> RocksDbStore::apply(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                   std::uint64_t min_commit_ts) {
    const auto count = [mutations] { return mutations.size(); }() + co_await last_commit_ts();
    (void)count;
    co_return co_await last_commit_ts();
}

}  // namespace routecat
