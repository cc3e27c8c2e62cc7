#include "routecat/store/etcd_store.hpp"

#include "routecat/codec.hpp"
#include "routecat/error.hpp"
#include "routecat/key_text.hpp"
#include "etcd/etcd_client.hpp"
#include "etcd/etcd_messages.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <unordered_map>

namespace routecat {

namespace asio = boost::asio;
namespace etcd = detail::etcd;
using detail::EtcdClient;
using detail::EtcdReply;

namespace {

constexpr std::int64_t kMaxRevision = std::numeric_limits<std::int64_t>::max();
// Whole reads up to this many keys are cached (a catalog of a million routes, ~2x its bytes).
constexpr std::size_t kMaxCachedKeys = 1'000'000;
constexpr std::size_t kCachedRanges = 4;
// Compare values of up to this many keys are looked up key by key in one txn (etcd's default
// --max-txn-ops is 128); more take one read over their span.
constexpr std::size_t kKeysPerLookupTxn = 64;
// A commit brings a cached range forward by copying it when the range has at most this many keys, or
// the commit writes at least 1 / kCacheCopyPerWrite of them.
constexpr std::size_t kCheapCacheCopy = 4096;
constexpr std::size_t kCacheCopyPerWrite = 64;

bool contains(const std::string& message, std::string_view text) { return message.find(text) != std::string::npos; }

// Maps an etcd error answer to a routecat error; what names the request.
[[noreturn]] void throw_reply_error(const EtcdReply& reply, const char* what) {
    const std::string context = "etcd " + reply.endpoint + ": " + what + ": " + reply.message;
    if (contains(reply.message, "too many operations in txn request") || contains(reply.message, "request is too large") ||
        reply.grpc_code == etcd::GrpcCode::resource_exhausted)
        throw_error(errc::store_request_too_large,
                    context + " (raise etcd's --max-txn-ops / --max-request-bytes, or save fewer changed routes at once)");
    if (contains(reply.message, "required revision has been compacted")) throw_error(errc::read_ts_compacted, context);
    throw_error(errc::store_unavailable, context);
}

// A revision to read at: ts 0 is before any commit (nothing is visible), and a ts past int64 is past
// every revision etcd will ever reach (read the current one).
std::int64_t revision_for(std::uint64_t ts) {
    return ts > static_cast<std::uint64_t>(kMaxRevision) ? 0 : static_cast<std::int64_t>(ts);
}

}  // namespace

// Everything behind EtcdStore's calls: the client, the options and the cache of whole range reads.
struct EtcdStore::Impl {
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

    Impl(EtcdStoreOptions options, std::unique_ptr<EtcdClient> client)
        : options_(std::move(options)), client_(std::move(client)) {}

    asio::awaitable<std::uint64_t> last_commit_ts();
    asio::awaitable<std::optional<std::string>> get_at(std::string key, std::uint64_t ts);
    asio::awaitable<std::vector<KeyValue>> scan_at(std::string start, std::optional<std::string> end, std::size_t limit,
                                                   std::uint64_t ts);
    asio::awaitable<std::uint64_t> commit(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                          std::uint64_t min_commit_ts);
    asio::awaitable<RangeRead> scan_latest(std::string start, std::optional<std::string> end);
    // The cached whole read of exactly this range (no request), else scan_latest().
    asio::awaitable<RangeRead> scan_recent(std::string start, std::optional<std::string> end);
    asio::awaitable<void> wait_for_change(std::uint64_t after_ts);
    // Sends a txn until it is answered, re-sending it after a lost answer (see the header).
    asio::awaitable<etcd::TxnResponse> send_txn(std::string body, std::uint64_t start_ts);
    // After a commit at revision: the cached read it built on brought forward to it, when that is
    // known without a request and cheap.
    void advance_cache(std::shared_ptr<const CachedRange> base, const std::vector<etcd::Operation>& ops,
                       std::int64_t revision);
    // After a commit at revision: every compact_every_revisions-th one compacts (see the header).
    asio::awaitable<void> maybe_compact(std::int64_t revision);

    std::string full_key(const std::string& key) const { return options_.prefix + key; }
    std::string full_end(const std::optional<std::string>& end) const;
    asio::awaitable<etcd::RangeResponse> range(etcd::RangeRequest& request);  // may fall back to revision 0
    // Pages through [start, end) at revision (0 = the current one, then pinned to it), at most limit pairs.
    asio::awaitable<std::pair<std::int64_t, std::vector<KeyValue>>> scan(std::string start, std::string end,
                                                                         std::size_t limit, std::int64_t revision);
    // The cached whole read of [start, end) a read at revision (0 = current) may start from.
    std::shared_ptr<const CachedRange> cached_range(const std::string& start, const std::string& end,
                                                    std::int64_t revision);
    // cached brought forward to revision with one request; nothing if keys were deleted meanwhile.
    asio::awaitable<std::shared_ptr<const CachedRange>> refresh(const CachedRange& cached, std::int64_t revision);
    std::vector<KeyValue> pairs_of(const CachedRange& range) const;
    // A cached range read at exactly ts that holds every key.
    std::shared_ptr<const CachedRange> covering_range(const std::vector<std::string>& keys, std::uint64_t ts);
    asio::awaitable<std::unordered_map<std::string, std::int64_t>> mod_revisions_at(const std::vector<std::string>& keys,
                                                                                    std::uint64_t start_ts);
    // The mod revisions of these keys at revision (> 0) in one read-only txn; nothing when etcd
    // refuses it.
    asio::awaitable<std::optional<std::unordered_map<std::string, std::int64_t>>> mod_revisions_by_key(
        const std::vector<std::string>& keys, std::int64_t revision);
    void remember(std::shared_ptr<const CachedRange> range);

    // The watch kept between wait_for_change() calls: it has reported every change from `from` on,
    // up to `seen` (the newest event revision read).
    struct Watch {
        std::unique_ptr<detail::EtcdStream> stream;
        std::int64_t from = 0;
        std::int64_t seen = 0;
    };
    std::unique_ptr<Watch> take_watch();
    void keep_watch(std::unique_ptr<Watch> watch);
    // Reads w until it reports a change after after_ts; false when the watch is over (compacted,
    // cancelled by etcd) and the caller should re-read all the same.
    asio::awaitable<bool> follow(Watch& w, std::int64_t after_ts);

    EtcdStoreOptions options_;
    std::unique_ptr<EtcdClient> client_;
    std::mutex watch_mutex_;
    std::unique_ptr<Watch> idle_watch_;  // guarded by watch_mutex_
    std::mutex cache_mutex_;
    std::deque<std::shared_ptr<const CachedRange>> cache_;  // most recent first
    std::atomic<std::uint64_t> range_response_bytes_{0};  // range answers and look-up txn answers
    std::atomic<std::uint64_t> commits_{0};
    std::atomic<std::uint64_t> compactions_{0};
};

boost::system::result<std::shared_ptr<EtcdStore>> EtcdStore::create(EtcdStoreOptions options, asio::any_io_executor ex,
                                                                     std::string* error_text) {
    auto fail = [&](const std::string& why) -> boost::system::result<std::shared_ptr<EtcdStore>> {
        if (error_text) *error_text = why;
        return make_error_code(errc::invalid_config);
    };
    if (options.endpoints.empty()) return fail("etcd endpoints: at least one endpoint is required");
    std::vector<detail::EtcdEndpoint> endpoints;
    for (const auto& url : options.endpoints) {
        std::string context;
        auto ep = detail::parse_etcd_endpoint(url, &context);
        if (!ep) return fail(context);
        endpoints.push_back(std::move(*ep));
    }
    if (options.prefix.empty()) return fail("etcd prefix: must not be empty");
    if (options.request_timeout.count() <= 0) return fail("etcd request_timeout_ms: must be positive");
    if (options.page_size <= 0) return fail("etcd page_size: must be positive");
    if (options.username.has_value() != options.password.has_value())
        return fail("etcd username and password: set both or neither");
    if (options.username && options.token) return fail("etcd token: not together with username and password");
    if (options.username && options.username->empty()) return fail("etcd username: must not be empty");
    std::optional<detail::EtcdLogin> login;
    if (options.username) login = detail::EtcdLogin{*options.username, *options.password};
    auto client = std::make_unique<EtcdClient>(std::move(ex), std::move(endpoints), options.token.value_or(""),
                                               std::move(login), options.request_timeout, options.max_idle_connections);
    auto impl = std::make_unique<Impl>(std::move(options), std::move(client));
    return std::shared_ptr<EtcdStore>(new EtcdStore(std::move(impl)));
}

EtcdStore::EtcdStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EtcdStore::~EtcdStore() = default;

const EtcdStoreOptions& EtcdStore::options() const noexcept { return impl_->options_; }
std::uint64_t EtcdStore::requests_sent() const noexcept { return impl_->client_->requests_sent(); }
std::uint64_t EtcdStore::connections_opened() const noexcept { return impl_->client_->connections_opened(); }
std::uint64_t EtcdStore::authentications() const noexcept { return impl_->client_->authentications(); }
std::uint64_t EtcdStore::range_response_bytes() const noexcept { return impl_->range_response_bytes_.load(); }
std::uint64_t EtcdStore::compactions() const noexcept { return impl_->compactions_.load(); }

// The MvccStore calls, each the Impl's coroutine of the same name.
asio::awaitable<std::uint64_t> EtcdStore::last_commit_ts() { return impl_->last_commit_ts(); }
asio::awaitable<std::optional<std::string>> EtcdStore::get_at(std::string key, std::uint64_t ts) {
    return impl_->get_at(std::move(key), ts);
}
asio::awaitable<std::vector<KeyValue>> EtcdStore::scan_at(std::string start, std::optional<std::string> end,
                                                          std::size_t limit, std::uint64_t ts) {
    return impl_->scan_at(std::move(start), std::move(end), limit, ts);
}
asio::awaitable<std::uint64_t> EtcdStore::commit(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                 std::uint64_t min_commit_ts) {
    return impl_->commit(std::move(mutations), start_ts, min_commit_ts);
}
asio::awaitable<RangeRead> EtcdStore::scan_latest(std::string start, std::optional<std::string> end) {
    return impl_->scan_latest(std::move(start), std::move(end));
}
asio::awaitable<RangeRead> EtcdStore::scan_recent(std::string start, std::optional<std::string> end) {
    return impl_->scan_recent(std::move(start), std::move(end));
}
asio::awaitable<void> EtcdStore::wait_for_change(std::uint64_t after_ts) { return impl_->wait_for_change(after_ts); }

std::string EtcdStore::Impl::full_end(const std::optional<std::string>& end) const {
    if (end) return full_key(*end);
    // The end of the prefix; "\0" (every key from the start on) when the prefix is all 0xFF bytes.
    return codec::prefix_scan_end(options_.prefix).value_or(std::string(1, '\0'));
}

asio::awaitable<etcd::RangeResponse> EtcdStore::Impl::range(etcd::RangeRequest& request) {
    EtcdReply reply = co_await client_->call("/v3/kv/range", etcd::encode(request), EtcdClient::Retry::idempotent);
    range_response_bytes_ += reply.body_bytes;
    if (reply.grpc_code != 0 && contains(reply.message, "required revision is a future revision")) {
        // Nothing has committed at or below that ts that the current revision does not show; the
        // caller sees revision 0 and pins its next pages to the revision this answer was served at.
        request.revision = 0;
        reply = co_await client_->call("/v3/kv/range", etcd::encode(request), EtcdClient::Retry::idempotent);
        range_response_bytes_ += reply.body_bytes;
    }
    if (reply.grpc_code != 0) throw_reply_error(reply, "range");
    std::string context;
    co_return value_or_throw(etcd::parse_range(reply.body, &context), context);
}

std::shared_ptr<const EtcdStore::Impl::CachedRange> EtcdStore::Impl::cached_range(const std::string& start, const std::string& end,
                                                                       std::int64_t revision) {
    std::lock_guard lock(cache_mutex_);
    for (const auto& range : cache_)
        if (range->start == start && range->end == end && (revision == 0 || range->revision <= revision)) return range;
    return nullptr;
}

void EtcdStore::Impl::remember(std::shared_ptr<const CachedRange> range) {
    std::lock_guard lock(cache_mutex_);
    std::erase_if(cache_, [&](const auto& r) { return r->start == range->start && r->end == range->end; });
    cache_.push_front(std::move(range));
    if (cache_.size() > kCachedRanges) cache_.pop_back();
}

std::vector<KeyValue> EtcdStore::Impl::pairs_of(const CachedRange& range) const {
    std::vector<KeyValue> pairs;
    pairs.reserve(range.entries.size());
    for (const auto& [key, entry] : range.entries) pairs.push_back(KeyValue{key.substr(options_.prefix.size()), entry.first});
    return pairs;
}

asio::awaitable<std::shared_ptr<const EtcdStore::Impl::CachedRange>> EtcdStore::Impl::refresh(const CachedRange& cached,
                                                                                 std::int64_t revision) {
    etcd::RangeRequest request;
    request.key = cached.start;
    request.range_end = cached.end;
    request.revision = revision;
    request.min_mod_revision = cached.revision + 1;
    etcd::RangeResponse changed = co_await range(request);
    if (changed.more) co_return nullptr;  // (etcd ignores limits with filters; never expected)
    auto next = std::make_shared<CachedRange>(cached);
    next->revision = request.revision != 0 ? request.revision : changed.revision;
    for (auto& kv : changed.kvs) {
        if (!cached.covers(kv.key)) throw_error(errc::store_unavailable, "etcd: a key outside the range in a range answer");
        next->entries[kv.key] = {std::move(kv.value), kv.mod_revision};
    }
    if (static_cast<std::int64_t>(next->entries.size()) != changed.count) co_return nullptr;  // keys were deleted
    remember(next);
    co_return next;
}

asio::awaitable<std::pair<std::int64_t, std::vector<KeyValue>>> EtcdStore::Impl::scan(std::string start, std::string end,
                                                                               std::size_t limit,
                                                                               std::int64_t revision) {
    const bool whole = limit == std::numeric_limits<std::size_t>::max();
    if (whole) {
        if (auto cached = cached_range(start, end, revision)) {
            if (auto fresh = co_await refresh(*cached, revision)) co_return std::make_pair(fresh->revision, pairs_of(*fresh));
        }
    }

    std::vector<KeyValue> pairs;
    auto read = std::make_shared<CachedRange>();
    read->start = start;
    read->end = end;
    bool cache_it = whole;
    etcd::RangeRequest request;
    request.key = std::move(start);
    request.range_end = std::move(end);
    request.revision = revision;
    for (;;) {
        const std::size_t wanted = limit - pairs.size();
        request.limit = static_cast<std::int64_t>(std::min<std::size_t>(wanted, static_cast<std::size_t>(options_.page_size)));
        etcd::RangeResponse page = co_await range(request);
        // A read at the current revision is pinned to it for the following pages.
        if (request.revision == 0) request.revision = page.revision;
        for (auto& kv : page.kvs) {
            if (!read->covers(kv.key)) throw_error(errc::store_unavailable, "etcd: a key outside the range in a range answer");
            if (cache_it && read->entries.size() < kMaxCachedKeys) read->entries.emplace(kv.key, std::make_pair(kv.value, kv.mod_revision));
            else cache_it = false;
            pairs.push_back(KeyValue{kv.key.substr(options_.prefix.size()), std::move(kv.value)});
        }
        if (!page.more || pairs.size() >= limit) break;
        if (page.kvs.empty()) throw_error(errc::store_unavailable, "etcd: an empty range page that has more");
        request.key = full_key(pairs.back().key);
        request.key.push_back('\0');
    }
    if (cache_it) {
        read->revision = request.revision;
        remember(std::move(read));
    }
    co_return std::make_pair(request.revision, std::move(pairs));
}

asio::awaitable<std::uint64_t> EtcdStore::Impl::last_commit_ts() {
    etcd::RangeRequest request;
    request.key = options_.prefix;  // any key will do: the answer's header carries the revision
    request.keys_only = true;
    request.limit = 1;
    const etcd::RangeResponse r = co_await range(request);
    co_return static_cast<std::uint64_t>(r.revision);
}

asio::awaitable<std::optional<std::string>> EtcdStore::Impl::get_at(std::string key, std::uint64_t ts) {
    if (ts == 0) co_return std::nullopt;  // revisions start at 1: nothing committed at ts 0
    etcd::RangeRequest request;
    request.key = full_key(key);
    request.revision = revision_for(ts);
    etcd::RangeResponse r = co_await range(request);
    if (r.kvs.empty()) co_return std::nullopt;
    co_return std::move(r.kvs.front().value);
}

asio::awaitable<std::vector<KeyValue>> EtcdStore::Impl::scan_at(std::string start, std::optional<std::string> end,
                                                          std::size_t limit, std::uint64_t ts) {
    if (ts == 0 || limit == 0 || (end && start >= *end)) co_return std::vector<KeyValue>{};
    auto result = co_await scan(full_key(start), full_end(end), limit, revision_for(ts));
    co_return std::move(result.second);
}

asio::awaitable<RangeRead> EtcdStore::Impl::scan_latest(std::string start, std::optional<std::string> end) {
    RangeRead read;
    if (end && start >= *end) {
        read.ts = co_await last_commit_ts();
        co_return read;
    }
    auto result = co_await scan(full_key(start), full_end(end), std::numeric_limits<std::size_t>::max(), 0);
    read.ts = static_cast<std::uint64_t>(result.first);
    read.pairs = std::move(result.second);
    co_return read;
}

asio::awaitable<RangeRead> EtcdStore::Impl::scan_recent(std::string start, std::optional<std::string> end) {
    if (auto cached = cached_range(full_key(start), full_end(end), 0)) {
        RangeRead read;
        read.ts = static_cast<std::uint64_t>(cached->revision);
        read.pairs = pairs_of(*cached);
        read.maybe_stale = true;
        co_return read;
    }
    co_return co_await scan_latest(std::move(start), std::move(end));
}

std::shared_ptr<const EtcdStore::Impl::CachedRange> EtcdStore::Impl::covering_range(const std::vector<std::string>& keys,
                                                                        std::uint64_t ts) {
    std::lock_guard lock(cache_mutex_);
    for (const auto& range : cache_)
        if (static_cast<std::uint64_t>(range->revision) == ts &&
            std::all_of(keys.begin(), keys.end(), [&](const std::string& k) { return range->covers(k); }))
            return range;
    return nullptr;
}

asio::awaitable<std::optional<std::unordered_map<std::string, std::int64_t>>> EtcdStore::Impl::mod_revisions_by_key(
    const std::vector<std::string>& keys, std::int64_t revision) {
    // A read-only txn of one keys-only range per key: its cost is the keys', whatever lies between
    // them (a split compares a route key near the start and new ids at the end of the catalog).
    std::vector<etcd::Operation> ops;
    ops.reserve(keys.size());
    for (const auto& k : keys) {
        etcd::Operation op;
        op.kind = etcd::Operation::Kind::range;
        op.key = k;
        op.revision = revision;
        op.keys_only = true;
        ops.push_back(std::move(op));
    }
    std::string body = etcd::encode_txn({}, ops, {});
    EtcdReply reply = co_await client_->call("/v3/kv/txn", std::move(body), EtcdClient::Retry::idempotent);
    range_response_bytes_ += reply.body_bytes;
    // A refusal (a revision compacted or in the future) is the span read's to answer, as before.
    if (reply.grpc_code != 0) co_return std::nullopt;
    std::string context;
    etcd::TxnResponse txn = value_or_throw(etcd::parse_txn(reply.body, &context), context);
    if (txn.ranges.size() != keys.size())
        throw_error(errc::store_unavailable, "etcd " + reply.endpoint + ": txn: answer with " +
                                                 std::to_string(txn.ranges.size()) + " ranges for " +
                                                 std::to_string(keys.size()) + " keys");
    std::unordered_map<std::string, std::int64_t> mods;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const auto& kvs = txn.ranges[i].kvs;
        mods.emplace(keys[i], kvs.empty() ? 0 : kvs.front().mod_revision);
    }
    co_return mods;
}

asio::awaitable<std::unordered_map<std::string, std::int64_t>> EtcdStore::Impl::mod_revisions_at(
    const std::vector<std::string>& keys, std::uint64_t start_ts) {
    std::unordered_map<std::string, std::int64_t> mods;
    if (start_ts == 0) {  // before any commit: every key was absent
        for (const auto& k : keys) mods.emplace(k, 0);
        co_return mods;
    }
    const std::int64_t revision = revision_for(start_ts);
    std::vector<std::string> missing;
    {
        std::lock_guard lock(cache_mutex_);
        for (const auto& k : keys) {
            auto known = std::find_if(cache_.begin(), cache_.end(), [&](const auto& r) {
                return revision != 0 && r->revision == revision && r->covers(k);
            });
            if (known == cache_.end()) {
                missing.push_back(k);
                continue;
            }
            auto it = (*known)->entries.find(k);
            mods.emplace(k, it == (*known)->entries.end() ? 0 : it->second.second);
        }
    }
    if (missing.empty()) co_return mods;

    std::sort(missing.begin(), missing.end());
    if (missing.size() <= kKeysPerLookupTxn) {
        if (auto looked_up = co_await mod_revisions_by_key(missing, revision)) {
            for (auto& k : missing) mods.emplace(std::move(k), looked_up->at(k));
            co_return mods;
        }
    }

    // Many keys (or a revision the txn refused): one keys-only read at start_ts over their span.
    etcd::RangeRequest request;
    request.key = missing.front();
    request.range_end = missing.back() + '\0';
    request.revision = revision;
    request.keys_only = true;
    std::unordered_map<std::string, std::int64_t> found;
    for (;;) {
        request.limit = options_.page_size;
        etcd::RangeResponse page = co_await range(request);
        if (request.revision == 0) request.revision = page.revision;
        for (auto& kv : page.kvs) found.emplace(std::move(kv.key), kv.mod_revision);
        if (!page.more || page.kvs.empty()) break;
        request.key = page.kvs.back().key;
        request.key.push_back('\0');
    }
    for (auto& k : missing) {
        auto it = found.find(k);
        mods.emplace(std::move(k), it == found.end() ? 0 : it->second);
    }
    co_return mods;
}

asio::awaitable<std::uint64_t> EtcdStore::Impl::commit(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                       std::uint64_t /*min_commit_ts*/) {
    if (mutations.empty()) co_return co_await last_commit_ts();  // nothing to write: no new revision

    // etcd refuses a key twice in one txn; the last mutation of a key is the one that counts. A key
    // is guarded (Mutation::guarded) only when every mutation of it is.
    std::unordered_map<std::string, std::size_t> last_of;
    std::unordered_map<std::string, bool> guarded;
    for (std::size_t i = 0; i < mutations.size(); ++i) {
        std::string key = full_key(mutations[i].key);
        last_of[key] = i;
        auto [it, first] = guarded.emplace(std::move(key), mutations[i].guarded);
        if (!first) it->second = it->second && mutations[i].guarded;
    }
    const bool all_guarded = std::all_of(guarded.begin(), guarded.end(), [](const auto& g) { return g.second; });
    std::vector<std::string> keys;  // the compared ones
    std::vector<etcd::Operation> ops;
    keys.reserve(last_of.size());
    ops.reserve(last_of.size());
    for (std::size_t i = 0; i < mutations.size(); ++i) {
        std::string key = full_key(mutations[i].key);
        if (last_of[key] != i) continue;
        etcd::Operation op;
        op.kind = mutations[i].op == MutationOp::put ? etcd::Operation::Kind::put : etcd::Operation::Kind::del;
        op.key = key;
        op.value = std::move(mutations[i].value);
        ops.push_back(std::move(op));
        // Guarded keys go without a compare: whoever wrote one since start_ts also wrote a compared
        // key of this txn (the catalog's version key), whose compare fails the txn all the same; and
        // a re-send of this txn after a lost answer fails on that key too. Their mod revisions are
        // then never looked up, which is what keeps a Save with the delta log at one request (the
        // delta keys lie outside the catalog read a Save builds on). Chosen over comparing
        // `mod_revision < start_ts + 1` (etcd's LESS, no look-up either): a key deleted after
        // start_ts reads as mod 0 and passes, and the store contract requires that delete to conflict.
        if (all_guarded || !guarded.at(key)) keys.push_back(std::move(key));
    }

    const auto mods = co_await mod_revisions_at(keys, start_ts);
    std::vector<etcd::Compare> compares;
    compares.reserve(keys.size());
    for (const auto& k : keys) compares.push_back(etcd::Compare{k, mods.at(k)});

    // The read this txn builds on, when cached: the range covers the compared keys (their compare
    // values came from it); written keys outside it do not change it.
    auto base = covering_range(keys, start_ts);
    std::string body = etcd::encode_txn(compares, ops, {});
    etcd::TxnResponse txn = co_await send_txn(std::move(body), start_ts);
    advance_cache(std::move(base), ops, txn.revision);
    co_await maybe_compact(txn.revision);
    co_return static_cast<std::uint64_t>(txn.revision);
}

void EtcdStore::Impl::advance_cache(std::shared_ptr<const CachedRange> base, const std::vector<etcd::Operation>& ops,
                                    std::int64_t revision) {
    // Only when this txn is the one revision since the read it built on: then the range at the
    // commit revision is the read plus this txn's writes, known without asking etcd. (Asking, with a
    // range filtered by min_mod_revision, makes etcd read every key of the range: 350 ms a commit at
    // 100,000 routes.) The copy costs the range's size here, so a txn that writes a small part of a
    // large range (a split) leaves the cache as it is; the next whole read brings it forward.
    if (!base || revision != base->revision + 1) return;
    if (base->entries.size() > kCheapCacheCopy && ops.size() * kCacheCopyPerWrite < base->entries.size()) return;
    auto next = std::make_shared<CachedRange>(*base);
    next->revision = revision;
    for (const auto& op : ops) {
        if (!next->covers(op.key)) continue;
        if (op.kind == etcd::Operation::Kind::put) next->entries[op.key] = {op.value, revision};
        else if (op.kind == etcd::Operation::Kind::del) next->entries.erase(op.key);
    }
    remember(std::move(next));
}

asio::awaitable<void> EtcdStore::Impl::maybe_compact(std::int64_t revision) {
    const std::uint64_t every = options_.compact_every_revisions;
    if (every == 0 || ++commits_ % every != 0) co_return;
    if (static_cast<std::uint64_t>(revision) <= options_.retain_revisions) co_return;
    const std::int64_t target = revision - static_cast<std::int64_t>(options_.retain_revisions);
    std::string body = R"({"revision":")" + std::to_string(target) + R"("})";
    try {
        const EtcdReply reply = co_await client_->call("/v3/kv/compaction", std::move(body), EtcdClient::Retry::idempotent);
        if (reply.grpc_code == 0) ++compactions_;
    } catch (const boost::system::system_error&) {
        // The commit stands; the next compacting commit tries again.
    }
}

namespace {

// Answers after which a txn may or may not have been applied: re-sending it is the way to know.
bool outcome_unclear(const EtcdReply& reply) {
    return reply.grpc_code == etcd::GrpcCode::unavailable || reply.grpc_code == etcd::GrpcCode::deadline_exceeded;
}

constexpr int kTxnAttempts = 4;

}  // namespace

asio::awaitable<etcd::TxnResponse> EtcdStore::Impl::send_txn(std::string body, std::uint64_t start_ts) {
    std::string unknown;  // why an earlier send may have committed; empty while none may have
    std::chrono::milliseconds backoff{100};
    for (int attempt = 1;; ++attempt) {
        std::optional<EtcdReply> reply;
        try {
            reply = co_await client_->call("/v3/kv/txn", body, EtcdClient::Retry::once);
        } catch (const boost::system::system_error& e) {
            if (e.code() == errc::commit_outcome_unknown) unknown = e.what();
            // Nothing sent this time (every endpoint refused): the outcome is what it was before.
            else if (e.code() != errc::store_unavailable || unknown.empty()) throw;
        }
        if (reply && reply->grpc_code != 0 && !outcome_unclear(*reply)) throw_reply_error(*reply, "txn");
        if (reply && reply->grpc_code == 0) {
            std::string context;
            etcd::TxnResponse txn = value_or_throw(etcd::parse_txn(reply->body, &context), context);
            if (txn.succeeded) co_return txn;  // the compares held: no earlier send committed
            if (!unknown.empty())
                throw_error(errc::commit_outcome_unknown,
                            "re-sent after " + unknown + ", the txn's compares failed: it committed then or lost to another writer");
            throw_error(errc::write_conflict, "a written key changed after ts " + std::to_string(start_ts));
        }
        if (reply) unknown = "etcd " + reply->endpoint + ": txn: " + reply->message;
        if (attempt == kTxnAttempts) throw_error(errc::commit_outcome_unknown, unknown + "; gave up after " +
                                                                                   std::to_string(kTxnAttempts) + " sends");
        asio::steady_timer pause(co_await asio::this_coro::executor, backoff);
        co_await pause.async_wait(asio::use_awaitable);
        backoff *= 2;
    }
}

std::unique_ptr<EtcdStore::Impl::Watch> EtcdStore::Impl::take_watch() {
    std::lock_guard lock(watch_mutex_);
    return std::move(idle_watch_);
}

void EtcdStore::Impl::keep_watch(std::unique_ptr<Watch> watch) {
    std::lock_guard lock(watch_mutex_);
    if (!idle_watch_ || idle_watch_->from > watch->from) idle_watch_ = std::move(watch);
}

asio::awaitable<bool> EtcdStore::Impl::follow(Watch& w, std::int64_t after_ts) {
    for (;;) {
        if (w.seen > after_ts) co_return true;
        const boost::json::value message = co_await w.stream->next();
        if (auto error = etcd::parse_error(message)) {
            if (detail::is_auth_refusal(error->message)) client_->token_refused(w.stream->token());
            throw_error(errc::store_unavailable, "etcd " + w.stream->endpoint() + ": watch: " + error->message);
        }
        std::string context;
        const etcd::WatchResponse r = value_or_throw(etcd::parse_watch(message, &context), context);
        // A compacted start or a watch etcd ended may hide a change: the caller re-reads rather than
        // risk never hearing of it. (An expired token shows as "permission denied" here.)
        if (r.compact_revision > 0 || r.canceled) {
            if (r.cancel_reason.find("permission denied") != std::string::npos) client_->token_refused(w.stream->token());
            co_return false;
        }
        if (r.events > 0) w.seen = std::max(w.seen, r.last_event_revision);
    }
}

asio::awaitable<void> EtcdStore::Impl::wait_for_change(std::uint64_t after_ts) {
    const std::int64_t after = after_ts >= static_cast<std::uint64_t>(kMaxRevision) ? kMaxRevision - 1
                                                                                     : static_cast<std::int64_t>(after_ts);
    std::unique_ptr<Watch> w = take_watch();
    if (w && w->from > after + 1) w.reset();  // it may have missed a change the caller has not seen
    auto ex = co_await asio::this_coro::executor;
    std::chrono::milliseconds backoff{50};
    for (;;) {
        try {
            if (!w) {
                w = std::make_unique<Watch>();
                w->from = after + 1;
                etcd::WatchCreate create;
                create.key = options_.prefix;
                create.range_end = full_end(std::nullopt);
                create.start_revision = w->from;
                w->stream = co_await client_->open_stream("/v3/watch", etcd::encode(create));
            }
            const bool going_on = co_await follow(*w, after);
            if (going_on) keep_watch(std::move(w));
            co_return;
        } catch (const boost::system::system_error& e) {
            // Cancelled: the stream lost nothing and may serve the next wait.
            if (e.code() == asio::error::operation_aborted) {
                if (w && w->stream) keep_watch(std::move(w));
                throw;
            }
        }
        // Broken or refused: re-establish from the same revision, so nothing in between is missed.
        w.reset();
        asio::steady_timer pause(ex, backoff);
        co_await pause.async_wait(asio::use_awaitable);
        backoff = std::min(backoff * 2, std::chrono::milliseconds{2000});
    }
}

}  // namespace routecat
