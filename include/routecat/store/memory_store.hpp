#pragma once
// An in-memory MVCC store with the reference semantics of spec §5.2: versions per key sorted by
// commit ts, tombstones, a watermark that never lowers, first-committer-wins on the write set, and
// push notification of new commits. Thread-safe; every call completes without suspending, except
// wait_for_change.

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
    MemoryStore();
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

    mutable std::mutex mutex_;
    std::map<std::string, std::vector<Version>, std::less<>> data_;  // versions ascending by ts
    std::uint64_t watermark_ = 0;
    std::unique_ptr<detail::ChangeNotifier> notifier_;
};

}  // namespace routecat
