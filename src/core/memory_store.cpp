#include "routecat/store/memory_store.hpp"

#include "routecat/error.hpp"
#include "routecat/key_text.hpp"
#include "routecat/detail/change_notifier.hpp"


#include <algorithm>
#include <limits>

namespace routecat {

namespace asio = boost::asio;

MemoryStore::MemoryStore(std::uint64_t retain_versions)
    : retain_(retain_versions), notifier_(std::make_unique<detail::ChangeNotifier>()) {}
MemoryStore::~MemoryStore() = default;

const MemoryStore::Version* MemoryStore::visible_at(const std::vector<Version>& versions, std::uint64_t ts) noexcept {
    // Newest version with commit ts <= ts; a tombstone there hides every older version.
    auto it = std::upper_bound(versions.begin(), versions.end(), ts,
                               [](std::uint64_t t, const Version& v) { return t < v.ts; });
    if (it == versions.begin()) return nullptr;
    --it;
    return it->tombstone ? nullptr : &*it;
}

bool MemoryStore::raise_watermark_locked(std::uint64_t ts) {
    if (ts <= watermark_) return false;
    watermark_ = ts;
    return true;
}

std::uint64_t MemoryStore::horizon_locked() const noexcept {
    return retain_ != 0 && watermark_ > retain_ ? watermark_ - retain_ : 0;
}

void MemoryStore::check_read_ts_locked(std::uint64_t ts) const {
    // §5.2 [H]: ts 0 and u64 max are never "compacted".
    if (ts != 0 && ts != std::numeric_limits<std::uint64_t>::max() && ts < horizon_locked())
        throw_error(errc::read_ts_compacted, "read ts " + std::to_string(ts) + " is below the retention horizon " +
                                                 std::to_string(horizon_locked()));
}

void MemoryStore::collect_locked() {
    const std::uint64_t horizon = horizon_locked();
    while (!pending_.empty() && pending_.begin()->first <= horizon) {
        auto node = pending_.extract(pending_.begin());
        auto it = data_.find(node.mapped());
        if (it == data_.end()) continue;
        auto& versions = it->second;
        // Keep the newest version at or below the horizon (unless a tombstone) and all newer ones.
        auto keep = std::upper_bound(versions.begin(), versions.end(), horizon,
                                     [](std::uint64_t t, const Version& v) { return t < v.ts; });
        if (keep == versions.begin()) continue;
        --keep;
        if (keep->tombstone) ++keep;
        versions.erase(versions.begin(), keep);
        if (versions.empty()) data_.erase(it);
    }
}

void MemoryStore::write_locked(std::string key, Version version) {
    if (retain_ != 0) pending_.emplace(version.ts, key);
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
    check_read_ts_locked(ts);
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
    check_read_ts_locked(ts);
    for (auto it = data_.lower_bound(start); it != data_.end() && out.size() < limit; ++it) {
        if (end && it->first >= *end) break;
        if (const Version* v = visible_at(it->second, ts)) out.push_back({it->first, v->value});
    }
    co_return out;
}

asio::awaitable<std::uint64_t> MemoryStore::commit(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                   std::uint64_t min_commit_ts) {
    std::unique_lock lock(mutex_);
    if (start_ts < horizon_locked())
        throw_error(errc::write_conflict, "start ts " + std::to_string(start_ts) + " is below the retention horizon");
    for (const auto& m : mutations) {
        auto it = data_.find(m.key);
        if (it != data_.end() && !it->second.empty() && it->second.back().ts > start_ts)
            throw_error(errc::write_conflict, "key: " + key_to_text(m.key));
    }
    const std::uint64_t commit_ts = value_or_throw(commit_ts_after(watermark_, min_commit_ts), "commit timestamp");
    for (auto& m : mutations) {
        bool tombstone = m.op == MutationOp::del;
        write_locked(std::move(m.key), Version{commit_ts, tombstone, tombstone ? std::string{} : std::move(m.value)});
    }
    raise_watermark_locked(commit_ts);
    collect_locked();
    lock.unlock();
    notifier_->notify();
    co_return commit_ts;
}

asio::awaitable<void> MemoryStore::wait_for_change(std::uint64_t after_ts) {
    co_await notifier_->wait(after_ts, [this] {
        std::lock_guard lock(mutex_);
        return watermark_;
    });
}

void MemoryStore::put_at(std::string key, std::string value, std::uint64_t ts) {
    std::unique_lock lock(mutex_);
    write_locked(std::move(key), Version{ts, false, std::move(value)});
    const bool rose = raise_watermark_locked(ts);
    collect_locked();
    if (rose) {
        lock.unlock();
        notifier_->notify();
    }
}

void MemoryStore::delete_at(std::string key, std::uint64_t ts) {
    std::unique_lock lock(mutex_);
    write_locked(std::move(key), Version{ts, true, {}});
    const bool rose = raise_watermark_locked(ts);
    collect_locked();
    if (rose) {
        lock.unlock();
        notifier_->notify();
    }
}

std::optional<std::uint64_t> MemoryStore::latest_commit_ts(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = data_.find(key);
    if (it == data_.end() || it->second.empty()) return std::nullopt;
    return it->second.back().ts;
}

std::vector<std::uint64_t> MemoryStore::stored_versions(const std::string& key) const {
    std::lock_guard lock(mutex_);
    std::vector<std::uint64_t> out;
    if (auto it = data_.find(key); it != data_.end())
        for (const auto& v : it->second) out.push_back(v.ts);
    return out;
}

std::uint64_t MemoryStore::horizon() const {
    std::lock_guard lock(mutex_);
    return horizon_locked();
}

}  // namespace routecat
