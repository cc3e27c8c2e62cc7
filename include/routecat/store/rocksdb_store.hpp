#pragma once
// The embedded durable MvccStore: the semantics of spec §5.2 on RocksDB.
//
// Layout: every version of a key is one RocksDB entry "d" + escaped key + (u64 max - commit ts), big-
// endian, so a key's versions sort newest first and a seek to (key, ts) lands on the newest version
// at or below ts. Keys are escaped (0x00 -> 0x00 0xFF, then a 0x00 0x01 terminator) so that no key's
// entries interleave with another's. The watermark is stored under "m" + "watermark". apply() checks
// conflicts and writes all its mutations and the new watermark in one WriteBatch with sync on: a
// crash leaves all of a commit or none of it.
//
// Blocking RocksDB calls run on the executor given at open (a small thread pool), never on the
// caller's; results come back on the caller's executor.
//
// Bounded history (issue 13): with retain_versions > 0 the horizon is last_commit_ts -
// retain_versions, and the rules are MemoryStore's (memory_store.hpp): reads at 0 < ts < horizon
// (ts != u64 max) fail with read_ts_compacted, an apply() starting below it with write_conflict, and
// reads at or above it are unchanged. The dropping is a GC pass on a thread of the store's own: it
// starts whenever the horizon has moved retain_versions / 4 past the previous pass's (so a key holds
// at most about 1.25 x retain_versions versions), walks every entry at one RocksDB snapshot, and deletes
// the versions older than each key's newest at or below the pass's horizon (that one too when it is
// a tombstone), a key's deletes always in one WriteBatch. A pass never holds the commit lock: a
// Save never waits for it (it only ever deletes entries at or below the horizon, where no commit
// writes). RocksDB then reclaims the space in its own compactions.

#include "routecat/store/mvcc_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace routecat {

struct RocksDbStoreOptions {
    std::string path;             // created, with missing parents, when absent
    bool sync = true;             // fsync every commit
    std::uint64_t retain_versions = 0;  // 0 = keep every version (spec §5.2); see above

    friend bool operator==(const RocksDbStoreOptions&, const RocksDbStoreOptions&) = default;
};

class RocksDbStore final : public MvccStore, public std::enable_shared_from_this<RocksDbStore> {
public:
    // Opens the store. Fails with errc::store_locked when another process holds the directory and
    // errc::store_unavailable for any other failure; error_text (when given) says what happened.
    static boost::system::result<std::shared_ptr<RocksDbStore>> open(RocksDbStoreOptions options,
                                                                     boost::asio::any_io_executor blocking_executor,
                                                                     std::string* error_text = nullptr);
    ~RocksDbStore() override;

    boost::asio::awaitable<std::uint64_t> last_commit_ts() override;
    boost::asio::awaitable<std::optional<std::string>> get_at(std::string key, std::uint64_t ts) override;
    boost::asio::awaitable<std::vector<KeyValue>> scan_at(std::string start, std::optional<std::string> end,
                                                          std::size_t limit, std::uint64_t ts) override;
    bool can_wait_for_change() const noexcept override { return true; }
    boost::asio::awaitable<void> wait_for_change(std::uint64_t after_ts) override;

    const std::string& path() const noexcept;

    // The retention horizon (0 when every version is kept).
    std::uint64_t horizon() const noexcept;
    // Runs one GC pass now, on the calling thread (blocking; passes never overlap); the number of
    // entries it deleted. For tests and tools: passes also run by themselves (see above).
    std::size_t collect_history();
    // The commit ts of every version the key still holds (tombstones count), ascending. Blocking.
    std::vector<std::uint64_t> stored_versions(const std::string& key) const;
    // Test hook: called by a GC pass after each batch of deletes it writes, on the pass's thread.
    void on_gc_batch(std::function<void()> hook);

protected:
    boost::asio::awaitable<std::uint64_t> commit(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                 std::uint64_t min_commit_ts) override;

private:
    struct Impl;
    explicit RocksDbStore(std::unique_ptr<Impl> impl);

    // Runs f on the blocking executor and resumes on the caller's (rocksdb_store.cpp).
    template <class F>
    auto blocking(F f) -> boost::asio::awaitable<decltype(f())>;

    std::unique_ptr<Impl> impl_;
};

}  // namespace routecat
