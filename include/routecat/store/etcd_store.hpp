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
//   Mutation::guarded keys (a routecat extension) get no compare, unless every key of the apply is
//   guarded: the unguarded key their writers always write with them fails the txn instead.
// - Every key lives under options.prefix. scan_latest() reads a range and its revision in one
//   request, so a catalog snapshot costs one request and a Save two (three when the compared keys'
//   revisions at start_ts are not known from the read: up to 64 keys are looked up in one read-only
//   txn of single-key ranges, more by one keys-only range over their span). A Save on the read the
//   store has at hand (scan_recent()) is one request, with the delta log as without it (its keys
//   are guarded): a txn that is the only revision since that read brings it forward locally, when
//   the copy is cheap (a range of <= 4,096 keys, or a txn writing >= 1/64 of them); otherwise the
//   next whole read refreshes it with one min_mod_revision range (which etcd answers by reading
//   every key of the range, so a small change to a large catalog never asks for it).
// - wait_for_change(after) completes on the first event after `after` on one watch of the prefix
//   that outlives the call: the next call continues on the same stream (one connection for a
//   watcher's whole life, not one per wait) as long as it started at or before after + 1. A watch
//   whose start was compacted away completes at once (the caller re-reads everything); a broken
//   watch is re-established from the same revision, on the next endpoint if need be.
// - Reads and watches fail over between endpoints on connection errors, timeouts and "unavailable"
//   answers. A txn whose answer was lost (sent, then the connection broke or timed out) or that was
//   answered "unavailable" is re-sent as is: its mod_revision compares make a second commit
//   impossible. If such a re-send then fails its compares, the first attempt may have committed or
//   another writer may have: commit_outcome_unknown, for the caller to decide by reading (the
//   catalog does). After four sends without an answer: commit_outcome_unknown too.
// - A txn over etcd's --max-txn-ops or --max-request-bytes fails with store_request_too_large.
// - Compaction (issue 13) is cluster-wide, so the store never compacts unless asked: with
//   compact_every_revisions = N > 0, every N-th commit this store makes (counted from its creation;
//   an apply() with no mutation is no commit) is followed by one POST /v3/kv/compaction to that
//   commit's revision - retain_revisions (skipped when that is below 1), physical false. It runs
//   after the txn committed and before apply() returns; its failure (another member or process
//   compacted further, etcd down) is ignored: the commit stands and the next N-th commit compacts
//   again. Reads below a compaction fail with read_ts_compacted (etcd's "required revision has been
//   compacted"); the catalog reads again from the current revision.
// Thread-safe; all I/O runs on the executor given at creation.

#include "routecat/store/mvcc_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace routecat {
struct EtcdStoreOptions {
    std::vector<std::string> endpoints;                 // "http://host:port", tried in order
    std::string prefix = "/routecat/";                  // every key lives under it; not empty
    std::optional<std::string> token;                   // etcd auth token (Authorization header); never logged
    // Token auth by login instead: both set, token unset. A token is fetched from
    // /v3/auth/authenticate when first needed and again whenever etcd refuses it (expired, invalid).
    std::optional<std::string> username;
    std::optional<std::string> password;                // never logged
    std::chrono::milliseconds request_timeout{2000};    // per attempt: connect, send and the whole answer
    std::size_t max_idle_connections = 16;              // kept-alive connections per endpoint
    std::int64_t page_size = 10000;                     // keys per range request when a scan pages
    std::uint64_t compact_every_revisions = 0;          // 0 = never compact (see above)
    std::uint64_t retain_revisions = 0;                 // revisions kept below a compacting commit's

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
    bool round_trip_per_call() const noexcept override { return true; }
    boost::asio::awaitable<RangeRead> scan_latest(std::string start, std::optional<std::string> end) override;
    // The cached whole read of exactly this range (no request), else scan_latest().
    boost::asio::awaitable<RangeRead> scan_recent(std::string start, std::optional<std::string> end) override;
    bool can_wait_for_change() const noexcept override { return true; }
    boost::asio::awaitable<void> wait_for_change(std::uint64_t after_ts) override;

    const EtcdStoreOptions& options() const noexcept;
    // HTTP requests sent (watch streams included) and TCP connections opened, for tests and benches.
    std::uint64_t requests_sent() const noexcept;
    std::uint64_t connections_opened() const noexcept;
    std::uint64_t authentications() const noexcept;  // logins sent to /v3/auth/authenticate
    // Bytes of the HTTP bodies of every /v3/kv/range answer and of the read-only txns that look up
    // compare values (the JSON as received, error answers included): what this store's reads cost
    // on the wire. Not the answers of committing txns, nor watch events. For the bytes-per-sync
    // benchmark and tests.
    std::uint64_t range_response_bytes() const noexcept;
    // Compactions etcd accepted from this store (compact_every_revisions).
    std::uint64_t compactions() const noexcept;

protected:
    boost::asio::awaitable<std::uint64_t> commit(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                 std::uint64_t min_commit_ts) override;

private:
    struct Impl;
    explicit EtcdStore(std::unique_ptr<Impl> impl);

    std::unique_ptr<Impl> impl_;
};

}  // namespace routecat
