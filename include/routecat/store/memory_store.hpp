#pragma once
// An in-memory MVCC store with the reference semantics of spec §5.2: versions per key sorted by
// commit ts, tombstones, a watermark that never lowers, first-committer-wins on the write set, and
// push notification of new commits. Thread-safe; every call completes without suspending, except
// wait_for_change.
//
// Bounded history (issue 13): with retain_versions > 0 the retention horizon is
// last_commit_ts - retain_versions (0 while the watermark is lower). Every write drops the versions a
// newer version at or below the horizon shadows: each key keeps its newest version at or below the
// horizon (none when that one is a tombstone) and everything above it, so reads at or above the
// horizon are unchanged. A read at 0 < ts < horizon (ts != u64 max) fails with read_ts_compacted, and
// an apply() whose start_ts is below the horizon with write_conflict (a dropped tombstone could hide
// a conflict). retain_versions 0 keeps every version: §5.2 exactly.

#include "routecat/store/mvcc_store.hpp"

#include <map>
#include <memory>
#include <mutex>

namespace routecat {
namespace detail {
class ChangeNotifier;
}

class MemoryStore final : public MvccStore {
public:
    explicit MemoryStore(std::uint64_t retain_versions = 0);
    ~MemoryStore() override;

    boost::asio::awaitable<std::uint64_t> last_commit_ts() override;
    boost::asio::awaitable<std::optional<std::string>> get_at(std::string key, std::uint64_t ts) override;
    boost::asio::awaitable<std::vector<KeyValue>> scan_at(std::string start, std::optional<std::string> end,
                                                          std::size_t limit, std::uint64_t ts) override;
    bool can_wait_for_change() const noexcept override { return true; }
    boost::asio::awaitable<void> wait_for_change(std::uint64_t after_ts) override;

    // Raw writes at a caller-chosen ts, as upstream's PutAt/DeleteAt: no conflict check; a version at
    // an existing ts replaces it; the watermark becomes max(watermark, ts).
    void put_at(std::string key, std::string value, std::uint64_t ts);
    void delete_at(std::string key, std::uint64_t ts);
    // Commit ts of the key's newest version (tombstones count), if any.
    std::optional<std::uint64_t> latest_commit_ts(const std::string& key) const;
    // The commit ts of every version the key still holds (tombstones count), ascending.
    std::vector<std::uint64_t> stored_versions(const std::string& key) const;
    // The retention horizon (see above); 0 when every version is kept.
    std::uint64_t horizon() const;

protected:
    boost::asio::awaitable<std::uint64_t> commit(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                 std::uint64_t min_commit_ts) override;

private:
    struct Version {
        std::uint64_t ts = 0;
        bool tombstone = false;
        std::string value;
    };
    void write_locked(std::string key, Version version);
    static const Version* visible_at(const std::vector<Version>& versions, std::uint64_t ts) noexcept;
    bool raise_watermark_locked(std::uint64_t ts);  // true when it rose
    std::uint64_t horizon_locked() const noexcept;
    void check_read_ts_locked(std::uint64_t ts) const;
    void collect_locked();  // drops what the horizon lets go

    mutable std::mutex mutex_;
    std::map<std::string, std::vector<Version>, std::less<>> data_;  // versions ascending by ts
    std::uint64_t watermark_ = 0;
    std::uint64_t retain_ = 0;
    // (ts, key) of each version written above the horizon: when the horizon reaches ts, the versions
    // of key older than its newest one at or below the horizon go.
    std::multimap<std::uint64_t, std::string> pending_;
    std::unique_ptr<detail::ChangeNotifier> notifier_;
};

}  // namespace routecat
