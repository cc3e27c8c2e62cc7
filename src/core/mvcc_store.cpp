#include "routecat/store/mvcc_store.hpp"

#include "routecat/error.hpp"

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <limits>

namespace routecat {

boost::system::result<std::uint64_t> commit_ts_after(std::uint64_t last_commit_ts, std::uint64_t min_commit_ts) noexcept {
    if (last_commit_ts == std::numeric_limits<std::uint64_t>::max()) return make_error_code(errc::catalog_version_overflow);
    return std::max(last_commit_ts + 1, min_commit_ts);
}

boost::asio::awaitable<std::uint64_t> MvccStore::apply(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                      std::uint64_t min_commit_ts) {
    for (const auto& m : mutations)
        if (m.op != MutationOp::put && m.op != MutationOp::del) throw_error(errc::unknown_op);
    co_return co_await commit(std::move(mutations), start_ts, min_commit_ts);
}

boost::asio::awaitable<RangeRead> MvccStore::scan_latest(std::string start, std::optional<std::string> end) {
    RangeRead read;
    read.ts = co_await last_commit_ts();
    read.pairs = co_await scan_at(std::move(start), std::move(end), std::numeric_limits<std::size_t>::max(), read.ts);
    co_return read;
}

boost::asio::awaitable<RangeRead> MvccStore::scan_recent(std::string start, std::optional<std::string> end) {
    co_return co_await scan_latest(std::move(start), std::move(end));
}

boost::asio::awaitable<void> MvccStore::wait_for_change(std::uint64_t) {
    throw boost::system::system_error(boost::asio::error::operation_not_supported, "wait_for_change");
    co_return;
}

}  // namespace routecat
