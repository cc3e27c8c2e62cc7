#include "routecat/store/memory_store.hpp"

#include "routecat/error.hpp"
#include "routecat/key_text.hpp"

#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <limits>

namespace routecat {

namespace asio = boost::asio;

// One pending wait_for_change: a thread-safe channel the committing thread signals.
struct MemoryStore::Waiter {
    explicit Waiter(asio::any_io_executor ex) : channel(std::move(ex), 1) {}
    asio::experimental::concurrent_channel<void(boost::system::error_code)> channel;
};

MemoryStore::MemoryStore() = default;
MemoryStore::~MemoryStore() = default;

const MemoryStore::Version* MemoryStore::visible_at(const std::vector<Version>& versions, std::uint64_t ts) noexcept {
    // Newest version with commit ts <= ts; a tombstone there hides every older version.
    auto it = std::upper_bound(versions.begin(), versions.end(), ts,
                               [](std::uint64_t t, const Version& v) { return t < v.ts; });
    if (it == versions.begin()) return nullptr;
    --it;
    return it->tombstone ? nullptr : &*it;
}

void MemoryStore::raise_watermark_locked(std::uint64_t ts) {
    if (ts <= watermark_) return;
    watermark_ = ts;
    for (const auto& waiter : waiters_) waiter->channel.try_send(boost::system::error_code{});
}

void MemoryStore::write_locked(std::string key, Version version) {
    auto& versions = data_[std::move(key)];
    auto it = std::lower_bound(versions.begin(), versions.end(), version.ts,
                               [](const Version& v, std::uint64_t t) { return v.ts < t; });
    if (it != versions.end() && it->ts == version.ts)
        *it = std::move(version);  // same ts: replace
    else
        versions.insert(it, std::move(version));
}

asio::awaitable<std::uint64_t> MemoryStore::last_commit_ts() {
    std::lock_guard lock(mutex_);
    co_return watermark_;
}

asio::awaitable<std::optional<std::string>> MemoryStore::get_at(std::string key, std::uint64_t ts) {
    std::lock_guard lock(mutex_);
    auto it = data_.find(key);
    if (it == data_.end()) co_return std::nullopt;
    const Version* v = visible_at(it->second, ts);
    if (!v) co_return std::nullopt;
    co_return v->value;
}

asio::awaitable<std::vector<KeyValue>> MemoryStore::scan_at(std::string start, std::optional<std::string> end,
                                                            std::size_t limit, std::uint64_t ts) {
    std::vector<KeyValue> out;
    std::lock_guard lock(mutex_);
    for (auto it = data_.lower_bound(start); it != data_.end() && out.size() < limit; ++it) {
        if (end && it->first >= *end) break;
        if (const Version* v = visible_at(it->second, ts)) out.push_back({it->first, v->value});
    }
    co_return out;
}

asio::awaitable<std::uint64_t> MemoryStore::apply(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                  std::uint64_t min_commit_ts) {
    // Validate before writing anything (upstream writes a prefix before failing; the spec asks us not to).
    for (const auto& m : mutations)
        if (m.op != MutationOp::put && m.op != MutationOp::del) throw_error(errc::unknown_op);

    std::lock_guard lock(mutex_);
    for (const auto& m : mutations) {
        auto it = data_.find(m.key);
        if (it != data_.end() && !it->second.empty() && it->second.back().ts > start_ts)
            throw_error(errc::write_conflict, "key: " + key_to_text(m.key));
    }
    if (watermark_ == std::numeric_limits<std::uint64_t>::max())
        throw_error(errc::catalog_version_overflow, "commit timestamp");
    const std::uint64_t commit_ts = std::max(watermark_ + 1, min_commit_ts);
    for (auto& m : mutations) {
        bool tombstone = m.op == MutationOp::del;
        write_locked(std::move(m.key), Version{commit_ts, tombstone, tombstone ? std::string{} : std::move(m.value)});
    }
    raise_watermark_locked(commit_ts);
    co_return commit_ts;
}

asio::awaitable<void> MemoryStore::wait_for_change(std::uint64_t after_ts) {
    auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
    {
        std::lock_guard lock(mutex_);
        if (watermark_ > after_ts) co_return;
        waiters_.insert(waiter);
    }
    struct Unregister {
        MemoryStore* self;
        std::shared_ptr<Waiter> waiter;
        ~Unregister() {
            std::lock_guard lock(self->mutex_);
            self->waiters_.erase(waiter);
        }
    } unregister{this, waiter};
    // A commit that landed between the check and the insert already signalled the channel (capacity 1),
    // so no wake-up is lost; a wake-up is also re-checked against the watermark.
    for (;;) {
        co_await waiter->channel.async_receive(asio::use_awaitable);
        std::lock_guard lock(mutex_);
        if (watermark_ > after_ts) co_return;
    }
}

void MemoryStore::put_at(std::string key, std::string value, std::uint64_t ts) {
    std::lock_guard lock(mutex_);
    write_locked(std::move(key), Version{ts, false, std::move(value)});
    raise_watermark_locked(ts);
}

void MemoryStore::delete_at(std::string key, std::uint64_t ts) {
    std::lock_guard lock(mutex_);
    write_locked(std::move(key), Version{ts, true, {}});
    raise_watermark_locked(ts);
}

std::optional<std::uint64_t> MemoryStore::latest_commit_ts(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = data_.find(key);
    if (it == data_.end() || it->second.empty()) return std::nullopt;
    return it->second.back().ts;
}

}  // namespace routecat
