// Lint fixture (scanned by scripts/lint/check_coroutines.py, never compiled): the conditional
// operator around co_await. g++ 12 frees the result before it is used (ASan: heap-use-after-free;
// -O2: double free), with co_await in one branch or both, and when the conditional itself is the
// operand of co_await. Expected: three conditional-co_await findings, nothing else.
#include <boost/asio/awaitable.hpp>

#include "routecat/store/mvcc_store.hpp"

namespace routecat::fixture {
namespace asio = boost::asio;

asio::awaitable<RangeRead> read_range(MvccStore& store, bool recent, std::string start,
                                      std::optional<std::string> end) {
    RangeRead range = recent
                          ? co_await store.scan_recent(std::move(start), std::move(end))
                          : co_await store.scan_latest(std::move(start), std::move(end));
    co_return range;
}

asio::awaitable<std::optional<std::string>> cached_get(MvccStore& store, const std::optional<std::string>& cached,
                                                       std::string key, std::uint64_t ts) {
    co_return cached ? cached : co_await store.get_at(std::move(key), ts);
}

asio::awaitable<RangeRead> read_range_once(MvccStore& store, bool recent, std::string start) {
    co_return co_await (recent ? store.scan_recent(std::move(start), std::nullopt)
                               : store.scan_latest(std::move(start), std::nullopt));
}

}  // namespace routecat::fixture
