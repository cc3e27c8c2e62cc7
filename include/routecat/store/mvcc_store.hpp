#pragma once
// The MVCC key-value store the catalog runs on (spec §5; DESIGN.md "The store interface").
// Every call is a coroutine; failures throw boost::system::system_error with a routecat code.
// Backends: MemoryStore (reference semantics), RocksDbStore (embedded, durable), EtcdStore.

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace routecat {

struct KeyValue {
    std::string key;
    std::string value;

    friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

enum class MutationOp : std::uint8_t { put = 0, del = 1 };

struct Mutation {
    MutationOp op = MutationOp::put;
    std::string key;
    std::string value;  // empty for a delete
    // routecat extension, outside the spec (§5 knows no such flag): the caller promises that every
    // writer of this key, in any transaction, also writes an unguarded key of the same apply() (the
    // catalog: the delta log's keys are only written together with the version key). Any commit
    // that changed this key after start_ts then also changed that key, so apply()'s conflict check
    // on the unguarded keys already fails it, and a store may skip this key's own check. MemoryStore
    // and RocksDbStore check it anyway (a local check is cheap); EtcdStore skips it, which spares a
    // look-up of the key's mod revision when no read it has at hand covers the key. An apply() whose
    // mutations are all guarded is checked in full. Writing a guarded key in a transaction that
    // does not keep the promise can lose a conflict: only the catalog's delta-log writes set it.
    bool guarded = false;

    static Mutation put(std::string key, std::string value) { return {MutationOp::put, std::move(key), std::move(value)}; }
    static Mutation del(std::string key) { return {MutationOp::del, std::move(key), {}}; }
    // The same mutation, guarded (see above).
    Mutation as_guarded() && {
        guarded = true;
        return std::move(*this);
    }

    friend bool operator==(const Mutation&, const Mutation&) = default;
};

// A range read together with the watermark it was taken at.
struct RangeRead {
    std::uint64_t ts = 0;
    std::vector<KeyValue> pairs;
    bool maybe_stale = false;  // from scan_recent(): ts may be below the current watermark
};

// The commit-ts rule of the stores that take caller-chosen timestamps (§5.2; §6.5 step 8): above every
// earlier commit and at least min_commit_ts, i.e. max(last_commit_ts + 1, min_commit_ts).
// catalog_version_overflow when last_commit_ts is u64 max (no commit can follow it).
boost::system::result<std::uint64_t> commit_ts_after(std::uint64_t last_commit_ts, std::uint64_t min_commit_ts) noexcept;

class MvccStore {
public:
    virtual ~MvccStore() = default;

    // The commit watermark: the highest commit ts of any write; 0 for a fresh store.
    virtual boost::asio::awaitable<std::uint64_t> last_commit_ts() = 0;

    // The value visible at ts (newest version <= ts unless it is a tombstone); nothing if none.
    virtual boost::asio::awaitable<std::optional<std::string>> get_at(std::string key, std::uint64_t ts) = 0;

    // Visible pairs with start <= key < end (no end = unbounded), ascending, at most limit of them.
    virtual boost::asio::awaitable<std::vector<KeyValue>> scan_at(std::string start, std::optional<std::string> end,
                                                                  std::size_t limit, std::uint64_t ts) = 0;

    // Atomically writes every mutation at one commit ts and returns it. The ts is >= min_commit_ts and
    // above every earlier commit. Throws errc::write_conflict, writing nothing, when any written key
    // (put or delete) has a version committed after start_ts (a guarded key's own check may be
    // skipped: see Mutation::guarded); errc::unknown_op for a bad op, before
    // anything is written (checked here, once for every backend; then commit() writes).
    boost::asio::awaitable<std::uint64_t> apply(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                std::uint64_t min_commit_ts);

    // True when every call is a network round trip and the store picks commit timestamps itself
    // (etcd). CatalogStore then reads a whole catalog with one scan_latest() and lets apply() choose
    // the commit ts instead of re-reading the watermark first (spec §6.5 step 8 is the store's rule).
    virtual bool round_trip_per_call() const noexcept { return false; }

    // Every visible pair in [start, end) at the current watermark, and that watermark, read as one
    // consistent step. The default is last_commit_ts() followed by an unlimited scan_at().
    virtual boost::asio::awaitable<RangeRead> scan_latest(std::string start, std::optional<std::string> end);

    // A consistent read of [start, end) at a recent ts, possibly below the current watermark (then
    // maybe_stale is set), served without a round trip when the store has one at hand. For optimistic
    // transactions whose apply() conflict check proves the read was still current. Default:
    // scan_latest().
    virtual boost::asio::awaitable<RangeRead> scan_recent(std::string start, std::optional<std::string> end);

    // Push support: when true, wait_for_change(after) completes as soon as last_commit_ts() > after.
    // It is cancellable (per-operation cancellation), throwing operation_aborted.
    virtual bool can_wait_for_change() const noexcept { return false; }
    virtual boost::asio::awaitable<void> wait_for_change(std::uint64_t after_ts);

protected:
    // apply() after its checks: every op is a put or a delete.
    virtual boost::asio::awaitable<std::uint64_t> commit(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                         std::uint64_t min_commit_ts) = 0;
};

}  // namespace routecat
