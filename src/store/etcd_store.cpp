#include "routecat/store/etcd_store.hpp"

#include "routecat/codec.hpp"
#include "routecat/error.hpp"
#include "routecat/key_text.hpp"
#include "store/etcd_client.hpp"
#include "store/etcd_messages.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <limits>

namespace routecat {

namespace asio = boost::asio;
namespace etcd = detail::etcd;
using detail::EtcdClient;
using detail::EtcdReply;

namespace {

constexpr std::int64_t kMaxRevision = std::numeric_limits<std::int64_t>::max();
// Ranges up to this many keys are remembered for apply()'s compares; bigger ones cost one more read.
constexpr std::size_t kMaxRememberedKeys = 65536;
constexpr std::size_t kRememberedRanges = 4;

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

template <class T>
T parsed_or_throw(boost::system::result<T> r, const std::string& context) {
    if (!r) throw_error(r.error(), context);
    return std::move(*r);
}

// A revision to read at: ts 0 is before any commit (nothing is visible), and a ts past int64 is past
// every revision etcd will ever reach (read the current one).
std::int64_t revision_for(std::uint64_t ts) {
    return ts > static_cast<std::uint64_t>(kMaxRevision) ? 0 : static_cast<std::int64_t>(ts);
}

}  // namespace

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
    auto client = std::make_unique<EtcdClient>(std::move(ex), std::move(endpoints), options.token,
                                               options.request_timeout, options.max_idle_connections);
    return std::make_shared<EtcdStore>(Private{}, std::move(options), std::move(client));
}

EtcdStore::EtcdStore(Private, EtcdStoreOptions options, std::unique_ptr<EtcdClient> client)
    : options_(std::move(options)), client_(std::move(client)) {}

EtcdStore::~EtcdStore() = default;

std::uint64_t EtcdStore::requests_sent() const noexcept { return client_->requests_sent(); }
std::uint64_t EtcdStore::connections_opened() const noexcept { return client_->connections_opened(); }

std::string EtcdStore::full_end(const std::optional<std::string>& end) const {
    if (end) return full_key(*end);
    // The end of the prefix; "\0" (every key from the start on) when the prefix is all 0xFF bytes.
    return codec::prefix_scan_end(options_.prefix).value_or(std::string(1, '\0'));
}

asio::awaitable<etcd::RangeResponse> EtcdStore::range(etcd::RangeRequest& request) {
    EtcdReply reply = co_await client_->call("/v3/kv/range", etcd::encode(request), EtcdClient::Retry::idempotent);
    if (reply.grpc_code != 0 && contains(reply.message, "required revision is a future revision")) {
        // Nothing has committed at or below that ts that the current revision does not show; the
        // caller sees revision 0 and pins its next pages to the revision this answer was served at.
        request.revision = 0;
        reply = co_await client_->call("/v3/kv/range", etcd::encode(request), EtcdClient::Retry::idempotent);
    }
    if (reply.grpc_code != 0) throw_reply_error(reply, "range");
    std::string context;
    co_return parsed_or_throw(etcd::parse_range(reply.body, &context), context);
}

asio::awaitable<std::pair<std::int64_t, std::vector<KeyValue>>> EtcdStore::scan(std::string start, std::string end,
                                                                               std::size_t limit,
                                                                               std::int64_t revision) {
    std::vector<KeyValue> pairs;
    KnownRevisions known;
    known.start = start;
    known.end = end == std::string(1, '\0') ? std::string() : end;
    bool remember_it = true;
    etcd::RangeRequest request;
    request.key = std::move(start);
    request.range_end = std::move(end);
    request.revision = revision;
    std::int64_t served_at = revision;
    for (;;) {
        const std::size_t wanted = limit - pairs.size();
        request.limit = static_cast<std::int64_t>(std::min<std::size_t>(wanted, static_cast<std::size_t>(options_.page_size)));
        etcd::RangeResponse page = co_await range(request);
        // A read at the current revision is pinned to it for the following pages.
        if (request.revision == 0) request.revision = served_at = page.revision;
        for (auto& kv : page.kvs) {
            if (kv.key.compare(0, options_.prefix.size(), options_.prefix) != 0)
                throw_error(errc::store_unavailable, "etcd: a key outside the prefix in a range answer");
            if (remember_it && known.mod_revisions.size() < kMaxRememberedKeys) known.mod_revisions.emplace(kv.key, kv.mod_revision);
            else remember_it = false;
            pairs.push_back(KeyValue{kv.key.substr(options_.prefix.size()), std::move(kv.value)});
        }
        if (!page.more) break;
        if (pairs.size() >= limit) {
            remember_it = false;  // only part of the range was read
            break;
        }
        if (page.kvs.empty()) throw_error(errc::store_unavailable, "etcd: an empty range page that has more");
        request.key = full_key(pairs.back().key);
        request.key.push_back('\0');
    }
    if (remember_it && served_at > 0) {
        known.revision = served_at;
        remember(std::move(known));
    }
    co_return std::make_pair(served_at, std::move(pairs));
}

void EtcdStore::remember(KnownRevisions known) {
    std::lock_guard lock(known_mutex_);
    known_.push_front(std::move(known));
    if (known_.size() > kRememberedRanges) known_.pop_back();
}

asio::awaitable<std::uint64_t> EtcdStore::last_commit_ts() {
    etcd::RangeRequest request;
    request.key = options_.prefix;  // any key will do: the answer's header carries the revision
    request.keys_only = true;
    request.limit = 1;
    const etcd::RangeResponse r = co_await range(request);
    co_return static_cast<std::uint64_t>(r.revision);
}

asio::awaitable<std::optional<std::string>> EtcdStore::get_at(std::string key, std::uint64_t ts) {
    if (ts == 0) co_return std::nullopt;  // revisions start at 1: nothing committed at ts 0
    etcd::RangeRequest request;
    request.key = full_key(key);
    request.revision = revision_for(ts);
    etcd::RangeResponse r = co_await range(request);
    if (r.kvs.empty()) co_return std::nullopt;
    co_return std::move(r.kvs.front().value);
}

asio::awaitable<std::vector<KeyValue>> EtcdStore::scan_at(std::string start, std::optional<std::string> end,
                                                          std::size_t limit, std::uint64_t ts) {
    if (ts == 0 || limit == 0 || (end && start >= *end)) co_return std::vector<KeyValue>{};
    auto result = co_await scan(full_key(start), full_end(end), limit, revision_for(ts));
    co_return std::move(result.second);
}

asio::awaitable<RangeRead> EtcdStore::scan_latest(std::string start, std::optional<std::string> end) {
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

asio::awaitable<std::unordered_map<std::string, std::int64_t>> EtcdStore::mod_revisions_at(
    const std::vector<std::string>& keys, std::uint64_t start_ts) {
    std::unordered_map<std::string, std::int64_t> mods;
    if (start_ts == 0) {  // before any commit: every key was absent
        for (const auto& k : keys) mods.emplace(k, 0);
        co_return mods;
    }
    const std::int64_t revision = revision_for(start_ts);
    std::vector<std::string> missing;
    {
        std::lock_guard lock(known_mutex_);
        for (const auto& k : keys) {
            auto known = std::find_if(known_.begin(), known_.end(), [&](const KnownRevisions& r) {
                return revision != 0 && r.revision == revision && k >= r.start && (r.end.empty() || k < r.end);
            });
            if (known == known_.end()) {
                missing.push_back(k);
                continue;
            }
            auto it = known->mod_revisions.find(k);
            mods.emplace(k, it == known->mod_revisions.end() ? 0 : it->second);
        }
    }
    if (missing.empty()) co_return mods;

    // One keys-only read at start_ts over the span of the missing keys.
    std::sort(missing.begin(), missing.end());
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

asio::awaitable<std::uint64_t> EtcdStore::apply(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                std::uint64_t /*min_commit_ts*/) {
    for (const auto& m : mutations)
        if (m.op != MutationOp::put && m.op != MutationOp::del) throw_error(errc::unknown_op);
    if (mutations.empty()) co_return co_await last_commit_ts();  // nothing to write: no new revision

    // etcd refuses a key twice in one txn; the last mutation of a key is the one that counts.
    std::unordered_map<std::string, std::size_t> last_of;
    for (std::size_t i = 0; i < mutations.size(); ++i) last_of[full_key(mutations[i].key)] = i;
    std::vector<std::string> keys;
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
        keys.push_back(std::move(key));
    }

    const auto mods = co_await mod_revisions_at(keys, start_ts);
    std::vector<etcd::Compare> compares;
    compares.reserve(keys.size());
    for (const auto& k : keys) compares.push_back(etcd::Compare{k, mods.at(k)});

    EtcdReply reply = co_await client_->call("/v3/kv/txn", etcd::encode_txn(compares, ops, {}), EtcdClient::Retry::once);
    if (reply.grpc_code != 0) throw_reply_error(reply, "txn");
    std::string context;
    const etcd::TxnResponse txn = parsed_or_throw(etcd::parse_txn(reply.body, &context), context);
    if (!txn.succeeded)
        throw_error(errc::write_conflict, "a written key changed after ts " + std::to_string(start_ts));
    co_return static_cast<std::uint64_t>(txn.revision);
}

asio::awaitable<void> EtcdStore::wait_for_change(std::uint64_t after_ts) {
    etcd::WatchCreate create;
    create.key = options_.prefix;
    create.range_end = full_end(std::nullopt);
    create.start_revision = after_ts >= static_cast<std::uint64_t>(kMaxRevision) ? kMaxRevision
                                                                                   : static_cast<std::int64_t>(after_ts + 1);
    const std::string body = etcd::encode(create);
    auto ex = co_await asio::this_coro::executor;
    std::chrono::milliseconds backoff{50};
    for (;;) {
        try {
            auto stream = co_await client_->open_stream("/v3/watch", body);
            for (;;) {
                const boost::json::value message = co_await stream->next();
                if (auto error = etcd::parse_error(message))
                    throw_error(errc::store_unavailable, "etcd " + stream->endpoint() + ": watch: " + error->message);
                std::string context;
                const etcd::WatchResponse w = parsed_or_throw(etcd::parse_watch(message, &context), context);
                // An event is a change; a compacted start or a watch etcd ended may hide one, so the
                // caller re-reads rather than risk never hearing of it.
                if (w.events > 0 || w.compact_revision > 0 || w.canceled) co_return;
            }
        } catch (const boost::system::system_error& e) {
            if (e.code() == asio::error::operation_aborted) throw;
        }
        // Broken or refused: re-establish from the same revision, so nothing in between is missed.
        asio::steady_timer pause(ex, backoff);
        co_await pause.async_wait(asio::use_awaitable);
        backoff = std::min(backoff * 2, std::chrono::milliseconds{2000});
    }
}

}  // namespace routecat
