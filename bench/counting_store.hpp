#pragma once
// An MvccStore decorator that counts the bytes its reads return: key + value of every pair from
// get_at (the key asked for, on a hit), scan_at, scan_latest and scan_recent. The watermark
// (last_commit_ts) is a number, not counted. Every virtual the catalog branches on is forwarded, so
// the catalog takes the same paths as on the store underneath.

#include "routecat/store/mvcc_store.hpp"

#include <atomic>
#include <memory>

namespace routecat::bench {

class CountingStore final : public MvccStore {
public:
    explicit CountingStore(std::shared_ptr<MvccStore> inner) : inner_(std::move(inner)) {}

    std::uint64_t bytes_read() const noexcept { return bytes_.load(); }
    void reset() noexcept { bytes_ = 0; }

    boost::asio::awaitable<std::uint64_t> last_commit_ts() override { return inner_->last_commit_ts(); }
    boost::asio::awaitable<std::optional<std::string>> get_at(std::string key, std::uint64_t ts) override {
        const std::size_t key_bytes = key.size();
        std::optional<std::string> value = co_await inner_->get_at(std::move(key), ts);
        if (value) bytes_ += key_bytes + value->size();
        co_return value;
    }
    boost::asio::awaitable<std::vector<KeyValue>> scan_at(std::string start, std::optional<std::string> end,
                                                          std::size_t limit, std::uint64_t ts) override {
        std::vector<KeyValue> pairs = co_await inner_->scan_at(std::move(start), std::move(end), limit, ts);
        count(pairs);
        co_return pairs;
    }
    bool round_trip_per_call() const noexcept override { return inner_->round_trip_per_call(); }
    // (The inner store's own default scan_latest calls its own scan_at: nothing is counted twice.)
    boost::asio::awaitable<RangeRead> scan_latest(std::string start, std::optional<std::string> end) override {
        RangeRead read = co_await inner_->scan_latest(std::move(start), std::move(end));
        count(read.pairs);
        co_return read;
    }
    boost::asio::awaitable<RangeRead> scan_recent(std::string start, std::optional<std::string> end) override {
        RangeRead read = co_await inner_->scan_recent(std::move(start), std::move(end));
        count(read.pairs);
        co_return read;
    }
    bool can_wait_for_change() const noexcept override { return inner_->can_wait_for_change(); }
    boost::asio::awaitable<void> wait_for_change(std::uint64_t after_ts) override {
        return inner_->wait_for_change(after_ts);
    }

protected:
    boost::asio::awaitable<std::uint64_t> commit(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                 std::uint64_t min_commit_ts) override {
        return inner_->apply(std::move(mutations), start_ts, min_commit_ts);
    }

private:
    void count(const std::vector<KeyValue>& pairs) {
        std::uint64_t n = 0;
        for (const auto& kv : pairs) n += kv.key.size() + kv.value.size();
        bytes_ += n;
    }

    std::shared_ptr<MvccStore> inner_;
    std::atomic<std::uint64_t> bytes_{0};
};

}  // namespace routecat::bench
