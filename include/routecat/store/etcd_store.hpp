#pragma once
// The distributed MvccStore: etcd 3.4 over its HTTP/JSON gateway (DESIGN.md "The store interface").
//
// - ts = etcd revision. last_commit_ts() is the cluster's current revision (linearizable); commit
//   timestamps are chosen by etcd, always above every earlier commit, so min_commit_ts is met
//   whenever it is at most the current revision + 1, as it is for every catalog transaction. A fresh
//   cluster is already at revision 1.
// - apply() is one txn: for each written key, mod_revision(key) == the key's mod_revision at start_ts
//   (0 if absent then), so a put OR delete by anyone after start_ts fails the txn with
//   write_conflict. Known gap: a key absent at start_ts that was created and deleted again after it
//   leaves nothing a compare can see; catalog writes never delete a key they did not read.
// - Every key lives under options.prefix. scan_latest() reads a range and its revision in one
//   request, so a catalog snapshot costs one request and a Save two (three when the written keys'
//   revisions at start_ts are not known from the read: one keys-only range at start_ts).
// - wait_for_change(after) watches the prefix from after + 1 and completes on the first event: a
//   catalog write by anyone. A watch whose start was compacted away completes at once (the caller
//   re-reads everything); a broken watch is re-established, on the next endpoint if need be.
// - Reads and watches fail over between endpoints on connection errors, timeouts and "unavailable"
//   answers; a txn is only re-sent when the failed attempt never wrote a byte, and a txn whose
//   outcome is unknown fails with store_unavailable saying so.
// - A txn over etcd's --max-txn-ops or --max-request-bytes fails with store_request_too_large.
// Thread-safe; all I/O runs on the executor given at creation.

#include "routecat/store/mvcc_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace routecat {
namespace detail {
class EtcdClient;
namespace etcd {
struct RangeRequest;
struct RangeResponse;
}  // namespace etcd
}  // namespace detail

struct EtcdStoreOptions {
    std::vector<std::string> endpoints;                 // "http://host:port", tried in order
    std::string prefix = "/routecat/";                  // every key lives under it; not empty
    std::optional<std::string> token;                   // etcd auth token (Authorization header); never logged
    std::chrono::milliseconds request_timeout{2000};    // per attempt: connect, send and the whole answer
    std::size_t max_idle_connections = 16;              // kept-alive connections per endpoint
    std::int64_t page_size = 10000;                     // keys per range request when a scan pages

    friend bool operator==(const EtcdStoreOptions&, const EtcdStoreOptions&) = default;
};

class EtcdStore final : public MvccStore {
public:
    // Checks the options (invalid_config naming the field in error_text); does no I/O.
    static boost::system::result<std::shared_ptr<EtcdStore>> create(EtcdStoreOptions options,
                                                                     boost::asio::any_io_executor ex,
                                                                     std::string* error_text = nullptr);
    ~EtcdStore() override;

    boost::asio::awaitable<std::uint64_t> last_commit_ts() override;
    boost::asio::awaitable<std::optional<std::string>> get_at(std::string key, std::uint64_t ts) override;
    boost::asio::awaitable<std::vector<KeyValue>> scan_at(std::string start, std::optional<std::string> end,
                                                          std::size_t limit, std::uint64_t ts) override;
    boost::asio::awaitable<std::uint64_t> apply(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                std::uint64_t min_commit_ts) override;
    bool round_trip_per_call() const noexcept override { return true; }
    boost::asio::awaitable<RangeRead> scan_latest(std::string start, std::optional<std::string> end) override;
    // The cached whole read of exactly this range (no request), else scan_latest().
    boost::asio::awaitable<RangeRead> scan_recent(std::string start, std::optional<std::string> end) override;
    bool can_wait_for_change() const noexcept override { return true; }
    boost::asio::awaitable<void> wait_for_change(std::uint64_t after_ts) override;

    const EtcdStoreOptions& options() const noexcept { return options_; }
    // HTTP requests sent (watch streams included) and TCP connections opened, for tests and benches.
    std::uint64_t requests_sent() const noexcept;
    std::uint64_t connections_opened() const noexcept;

private:
    struct Private {};

public:
    EtcdStore(Private, EtcdStoreOptions options, std::unique_ptr<detail::EtcdClient> client);

private:
    // A range read in full at one revision: each key's value and mod revision. A read at a fixed
    // revision never changes, so a later whole read of the same range at a revision at or above it
    // needs only the keys modified since (min_mod_revision) and the range's key count (equal to the
    // merged key count iff nothing was deleted), and apply() takes its compare values from here.
    struct CachedRange {
        std::int64_t revision = 0;
        std::string start, end;  // full etcd keys; end "\0" = unbounded
        std::map<std::string, std::pair<std::string, std::int64_t>> entries;  // key -> (value, mod_revision)
        bool covers(const std::string& key) const { return key >= start && (end == std::string(1, '\0') || key < end); }
    };

    std::string full_key(const std::string& key) const { return options_.prefix + key; }
    std::string full_end(const std::optional<std::string>& end) const;
    boost::asio::awaitable<detail::etcd::RangeResponse> range(detail::etcd::RangeRequest& request);  // may fall back to revision 0
    // Pages through [start, end) at revision (0 = the current one, then pinned to it), at most limit pairs.
    boost::asio::awaitable<std::pair<std::int64_t, std::vector<KeyValue>>> scan(std::string start, std::string end,
                                                                                std::size_t limit, std::int64_t revision);
    // The cached whole read of [start, end) a read at revision (0 = current) may start from.
    std::shared_ptr<const CachedRange> cached_range(const std::string& start, const std::string& end,
                                                    std::int64_t revision);
    // cached brought forward to revision with one request; nothing if keys were deleted meanwhile.
    boost::asio::awaitable<std::shared_ptr<const CachedRange>> refresh(const CachedRange& cached, std::int64_t revision);
    std::vector<KeyValue> pairs_of(const CachedRange& range) const;
    // A cached range read at exactly ts that holds every key.
    std::shared_ptr<const CachedRange> covering_range(const std::vector<std::string>& keys, std::uint64_t ts);
    boost::asio::awaitable<std::unordered_map<std::string, std::int64_t>> mod_revisions_at(
        const std::vector<std::string>& keys, std::uint64_t start_ts);
    void remember(std::shared_ptr<const CachedRange> range);

    EtcdStoreOptions options_;
    std::unique_ptr<detail::EtcdClient> client_;
    std::mutex cache_mutex_;
    std::deque<std::shared_ptr<const CachedRange>> cache_;  // most recent first
};

}  // namespace routecat
