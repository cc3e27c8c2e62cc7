#include "routecat/store/rocksdb_store.hpp"

#include "routecat/codec.hpp"
#include "routecat/error.hpp"
#include "routecat/key_text.hpp"
#include "routecat/detail/change_notifier.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <limits>
#include <thread>

namespace routecat {

namespace asio = boost::asio;

namespace {

constexpr char kDataTag = 'd';
constexpr char kDataEnd = 'e';  // every data entry sorts below this
const std::string kWatermarkKey = "mwatermark";
constexpr std::size_t kTsSize = 8;
// Values from this size on are kept in blob files (see open()).
constexpr std::uint64_t kMinBlobBytes = 64 * 1024;

// "d" + the key with 0x00 escaped as 0x00 0xFF, closed by 0x00 0x01: order-preserving, prefix-free.
std::string key_prefix(std::string_view key) {
    std::string out;
    out.reserve(key.size() + 3);
    out.push_back(kDataTag);
    for (char c : key) {
        out.push_back(c);
        if (c == '\0') out.push_back('\xff');
    }
    out.push_back('\0');
    out.push_back('\x01');
    return out;
}

std::string version_key(std::string_view key, std::uint64_t ts) {
    std::string out = key_prefix(key);
    codec::append_u64_be(out, std::numeric_limits<std::uint64_t>::max() - ts);  // newest first
    return out;
}

// Splits an entry key into (escaped prefix length, commit ts); the user key is decoded on demand.
struct EntryKey {
    std::string_view prefix;  // "d" + escaped key + terminator
    std::uint64_t ts;
};

std::optional<EntryKey> parse_entry(std::string_view entry) {
    if (entry.size() < 1 + 2 + kTsSize || entry[0] != kDataTag) return std::nullopt;
    const std::size_t prefix_size = entry.size() - kTsSize;
    if (entry[prefix_size - 2] != '\0' || entry[prefix_size - 1] != '\x01') return std::nullopt;
    return EntryKey{entry.substr(0, prefix_size),
                    std::numeric_limits<std::uint64_t>::max() - codec::read_u64_be(entry.substr(prefix_size))};
}

std::string decode_key(std::string_view prefix) {
    std::string key;
    key.reserve(prefix.size());
    for (std::size_t i = 1; i + 2 < prefix.size(); ++i) {
        key.push_back(prefix[i]);
        if (prefix[i] == '\0') ++i;  // skip the 0xFF escape
    }
    return key;
}

// Values: 0x01 + bytes for a put, a lone 0x00 for a tombstone.
std::string put_value(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 1);
    out.push_back('\x01');
    out += value;
    return out;
}
const std::string kTombstone(1, '\0');
bool is_tombstone(std::string_view value) { return value.empty() || value[0] == '\0'; }

std::string watermark_value(std::uint64_t ts) {
    std::string out;
    codec::append_u64_be(out, ts);
    return out;
}

[[noreturn]] void throw_status(const rocksdb::Status& s, const std::string& what) {
    throw_error(errc::store_unavailable, what + ": " + s.ToString());
}

}  // namespace

// The database and what guards it; RocksDbStore's coroutines run these calls on the blocking executor.
struct RocksDbStore::Impl {
    Impl(RocksDbStoreOptions options, asio::any_io_executor blocking, rocksdb::DB* db, std::uint64_t watermark)
        : options_(std::move(options)), blocking_(std::move(blocking)), db_(db), watermark_(watermark),
          notifier_(std::make_unique<detail::ChangeNotifier>()) {
        if (options_.retain_versions != 0) {
            next_gc_at_ = gc_step();
            gc_due_ = horizon() > 0;  // an old history left by an earlier run goes too
            gc_thread_ = std::thread([this] { gc_loop(); });
        }
    }
    ~Impl() {
        if (gc_thread_.joinable()) {
            gc_stopping_.store(true);  // a running pass ends at its next key
            {
                std::lock_guard lock(gc_wake_mutex_);
                gc_stop_ = true;
            }
            gc_wake_.notify_one();
            gc_thread_.join();
        }
        if (db_) db_->Close();
    }

    std::optional<std::string> get_sync(const std::string& key, std::uint64_t ts) const;
    std::vector<KeyValue> scan_sync(const std::string& start, const std::optional<std::string>& end, std::size_t limit,
                                    std::uint64_t ts) const;
    std::uint64_t apply_sync(std::vector<Mutation>& mutations, std::uint64_t start_ts, std::uint64_t min_commit_ts);

    std::uint64_t horizon() const noexcept {
        const std::uint64_t retain = options_.retain_versions, watermark = watermark_.load();
        return retain != 0 && watermark > retain ? watermark - retain : 0;
    }
    // How far the horizon moves between passes: a key keeps at most ~1.25 x retain_versions versions.
    std::uint64_t gc_step() const noexcept { return std::max<std::uint64_t>(1, options_.retain_versions / 4); }
    // Call after the read's iterator exists: a pass deletes only after the horizon passed its own,
    // so a read whose ts is still at or above the horizon here sees its versions in that iterator.
    void check_read_ts(std::uint64_t ts) const;
    std::size_t collect_sync();
    void gc_loop();

    RocksDbStoreOptions options_;
    asio::any_io_executor blocking_;
    std::unique_ptr<rocksdb::DB> db_;
    std::mutex commit_mutex_;  // one apply at a time: conflict check, commit ts and write are one step
    std::atomic<std::uint64_t> watermark_;
    std::unique_ptr<detail::ChangeNotifier> notifier_;

    // GC (retain_versions > 0): passes run one at a time on gc_thread_, or in collect_history().
    std::mutex gc_mutex_;                    // held by a pass
    std::atomic<bool> gc_stopping_{false};
    std::atomic<std::uint64_t> next_gc_at_{0};  // the horizon at which the next pass is due
    std::mutex gc_wake_mutex_;
    std::condition_variable gc_wake_;
    bool gc_due_ = false, gc_stop_ = false;  // guarded by gc_wake_mutex_
    std::mutex hook_mutex_;
    std::function<void()> gc_batch_hook_;
    std::thread gc_thread_;
};

boost::system::result<std::shared_ptr<RocksDbStore>> RocksDbStore::open(RocksDbStoreOptions options,
                                                                         asio::any_io_executor blocking_executor,
                                                                         std::string* error_text) {
    auto fail = [&](errc code, std::string text) -> boost::system::result<std::shared_ptr<RocksDbStore>> {
        if (error_text) *error_text = std::move(text);
        return make_error_code(code);
    };
    std::error_code fs_error;
    std::filesystem::create_directories(options.path, fs_error);
    if (fs_error) return fail(errc::store_unavailable, "cannot create " + options.path + ": " + fs_error.message());

    rocksdb::Options db_options;
    db_options.create_if_missing = true;
    // Large values (the delta record of a Save that replaced a whole catalog is the size of the
    // catalog) go to blob files: inline, one would be a data block of that size, and every Seek that
    // lands near it (a commit's conflict check of the next delta key) would read and decompress it.
    db_options.enable_blob_files = true;
    db_options.min_blob_size = kMinBlobBytes;
    db_options.blob_compression_type = rocksdb::kSnappyCompression;
    db_options.enable_blob_garbage_collection = true;  // a deleted blob's space returns in compactions
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, &raw);
    if (!s.ok()) {
        // RocksDB holds an fcntl lock on <path>/LOCK; a second opener gets an IOError naming it.
        if (s.IsIOError() && s.ToString().find("lock") != std::string::npos)
            return fail(errc::store_locked, "data directory " + options.path +
                                                " is locked by another process (" + s.ToString() + ")");
        return fail(errc::store_unavailable, "cannot open " + options.path + ": " + s.ToString());
    }
    std::unique_ptr<rocksdb::DB> db(raw);

    std::string stored;
    std::uint64_t watermark = 0;
    s = db->Get(rocksdb::ReadOptions(), kWatermarkKey, &stored);
    if (s.ok()) {
        if (stored.size() != 8) return fail(errc::store_unavailable, "corrupt watermark in " + options.path);
        watermark = codec::read_u64_be(stored);
    } else if (!s.IsNotFound()) {
        return fail(errc::store_unavailable, "cannot read the watermark of " + options.path + ": " + s.ToString());
    }
    auto impl = std::make_unique<Impl>(std::move(options), std::move(blocking_executor), db.release(), watermark);
    return std::shared_ptr<RocksDbStore>(new RocksDbStore(std::move(impl)));
}

RocksDbStore::RocksDbStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RocksDbStore::~RocksDbStore() = default;

const std::string& RocksDbStore::path() const noexcept { return impl_->options_.path; }

std::uint64_t RocksDbStore::horizon() const noexcept { return impl_->horizon(); }

std::size_t RocksDbStore::collect_history() { return impl_->collect_sync(); }

void RocksDbStore::on_gc_batch(std::function<void()> hook) {
    std::lock_guard lock(impl_->hook_mutex_);
    impl_->gc_batch_hook_ = std::move(hook);
}

std::vector<std::uint64_t> RocksDbStore::stored_versions(const std::string& key) const {
    const std::string prefix = key_prefix(key);
    std::unique_ptr<rocksdb::Iterator> it(impl_->db_->NewIterator(rocksdb::ReadOptions()));
    std::vector<std::uint64_t> out;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
        if (auto entry = parse_entry(it->key().ToStringView())) out.insert(out.begin(), entry->ts);
    if (!it->status().ok()) throw_status(it->status(), "stored versions");
    return out;
}

template <class F>
auto RocksDbStore::blocking(F f) -> asio::awaitable<decltype(f())> {
    // Runs f on the blocking executor and resumes the caller on its own executor. The job keeps the
    // store alive while f runs and lets go of it *before* the caller resumes, so a caller that drops
    // its last reference has closed the database when it moves on (and can reopen the directory).
    using R = decltype(f());
    auto initiate = [self = shared_from_this(), f = std::move(f)](auto handler) mutable {
        asio::post(self->impl_->blocking_, [self, f = std::move(f), handler = std::move(handler)]() mutable {
            std::exception_ptr error;
            std::optional<R> result;
            try {
                result.emplace(f());
            } catch (...) {
                error = std::current_exception();
            }
            self.reset();
            auto ex = asio::get_associated_executor(handler);
            asio::dispatch(ex, [handler = std::move(handler), error, result = std::move(result)]() mutable {
                std::move(handler)(error, result ? std::move(*result) : R{});
            });
        });
    };
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr, R)>(
        std::move(initiate), asio::use_awaitable);
}

asio::awaitable<std::uint64_t> RocksDbStore::last_commit_ts() { co_return impl_->watermark_.load(); }

asio::awaitable<std::optional<std::string>> RocksDbStore::get_at(std::string key, std::uint64_t ts) {
    // (Capturing lambdas are named before co_await: g++ 12 destroys such temporaries twice; README.)
    auto read = [impl = impl_.get(), key = std::move(key), ts] { return impl->get_sync(key, ts); };
    co_return co_await blocking(std::move(read));
}

asio::awaitable<std::vector<KeyValue>> RocksDbStore::scan_at(std::string start, std::optional<std::string> end,
                                                             std::size_t limit, std::uint64_t ts) {
    if (limit == 0) co_return std::vector<KeyValue>{};
    auto read = [impl = impl_.get(), start = std::move(start), end = std::move(end), limit, ts] {
        return impl->scan_sync(start, end, limit, ts);
    };
    co_return co_await blocking(std::move(read));
}

asio::awaitable<std::uint64_t> RocksDbStore::commit(std::vector<Mutation> mutations, std::uint64_t start_ts,
                                                    std::uint64_t min_commit_ts) {
    auto write = [impl = impl_.get(), mutations = std::move(mutations), start_ts, min_commit_ts]() mutable {
        return impl->apply_sync(mutations, start_ts, min_commit_ts);
    };
    const std::uint64_t commit_ts = co_await blocking(std::move(write));
    impl_->notifier_->notify();
    co_return commit_ts;
}

asio::awaitable<void> RocksDbStore::wait_for_change(std::uint64_t after_ts) {
    auto watermark = [impl = impl_.get()] { return impl->watermark_.load(); };  // (named, as above)
    co_await impl_->notifier_->wait(after_ts, watermark);
}

std::optional<std::string> RocksDbStore::Impl::get_sync(const std::string& key, std::uint64_t ts) const {
    const std::string prefix = key_prefix(key);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    check_read_ts(ts);
    it->Seek(version_key(key, ts));  // the newest version at or below ts, if the key has one
    if (!it->status().ok()) throw_status(it->status(), "get");
    if (!it->Valid()) return std::nullopt;
    auto entry = parse_entry(it->key().ToStringView());
    if (!entry || entry->prefix != prefix) return std::nullopt;
    const auto value = it->value().ToStringView();
    if (value.empty() || value[0] == '\0') return std::nullopt;  // tombstone
    return std::string(value.substr(1));
}

std::vector<KeyValue> RocksDbStore::Impl::scan_sync(const std::string& start, const std::optional<std::string>& end,
                                              std::size_t limit, std::uint64_t ts) const {
    // All entries of keys below end sort below the escaped end's prefix (the encoding is prefix-free).
    const std::string upper = end ? key_prefix(*end) : std::string(1, kDataEnd);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions read;
    read.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
    check_read_ts(ts);

    std::vector<KeyValue> out;
    it->Seek(key_prefix(start));
    while (it->Valid() && out.size() < limit) {
        auto entry = parse_entry(it->key().ToStringView());
        if (!entry) throw_error(errc::store_unavailable, "corrupt entry key " + key_to_text(it->key().ToStringView()));
        const std::string prefix(entry->prefix);
        if (entry->ts > ts) {
            // Newer than the read: jump to the newest version at or below ts.
            std::string target = prefix;
            codec::append_u64_be(target, std::numeric_limits<std::uint64_t>::max() - ts);
            it->Seek(target);
            if (!it->Valid()) break;
            entry = parse_entry(it->key().ToStringView());
            if (!entry) throw_error(errc::store_unavailable, "corrupt entry key");
            if (entry->prefix != prefix) continue;  // no visible version: this is already the next key
        }
        const auto value = it->value().ToStringView();
        if (!is_tombstone(value)) out.push_back({decode_key(prefix), std::string(value.substr(1))});
        // Skip the key's older versions. Most keys have one or two, so step a few times before paying
        // for a seek past all of them (every entry of the next key sorts above prefix + 0xFF x 8).
        it->Next();
        for (int step = 0; step < 4 && it->Valid() && it->key().starts_with(prefix); ++step) it->Next();
        if (it->Valid() && it->key().starts_with(prefix)) {
            std::string next = prefix;
            next.append(kTsSize, '\xff');
            next.push_back('\0');
            it->Seek(next);
        }
    }
    if (!it->status().ok()) throw_status(it->status(), "scan");
    return out;
}

std::uint64_t RocksDbStore::Impl::apply_sync(std::vector<Mutation>& mutations, std::uint64_t start_ts,
                                       std::uint64_t min_commit_ts) {
    std::lock_guard lock(commit_mutex_);
    if (start_ts < horizon())  // a dropped tombstone could hide a conflict
        throw_error(errc::write_conflict, "start ts " + std::to_string(start_ts) + " is below the retention horizon");
    {
        // First committer wins: any written key with a version newer than start_ts is a conflict.
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
        for (const auto& m : mutations) {
            const std::string prefix = key_prefix(m.key);
            it->Seek(prefix);
            if (!it->status().ok()) throw_status(it->status(), "conflict check");
            if (!it->Valid()) continue;
            auto entry = parse_entry(it->key().ToStringView());
            if (entry && entry->prefix == prefix && entry->ts > start_ts)
                throw_error(errc::write_conflict, "key: " + key_to_text(m.key));
        }
    }
    const std::uint64_t commit_ts = value_or_throw(commit_ts_after(watermark_.load(), min_commit_ts), "commit timestamp");

    rocksdb::WriteBatch batch;
    for (const auto& m : mutations) {
        const std::string k = version_key(m.key, commit_ts);
        rocksdb::Status s = m.op == MutationOp::put ? batch.Put(k, put_value(m.value)) : batch.Put(k, kTombstone);
        if (!s.ok()) throw_status(s, "batch");
    }
    if (auto s = batch.Put(kWatermarkKey, watermark_value(commit_ts)); !s.ok()) throw_status(s, "batch");
    rocksdb::WriteOptions write;
    write.sync = options_.sync;
    if (auto s = db_->Write(write, &batch); !s.ok()) throw_status(s, "commit");
    watermark_.store(commit_ts);
    if (options_.retain_versions != 0 && horizon() >= next_gc_at_.load()) {
        {
            std::lock_guard wake(gc_wake_mutex_);
            gc_due_ = true;
        }
        gc_wake_.notify_one();
    }
    return commit_ts;
}

void RocksDbStore::Impl::check_read_ts(std::uint64_t ts) const {
    const std::uint64_t h = horizon();
    if (ts != 0 && ts != std::numeric_limits<std::uint64_t>::max() && ts < h)
        throw_error(errc::read_ts_compacted,
                    "read ts " + std::to_string(ts) + " is below the retention horizon " + std::to_string(h));
}

std::size_t RocksDbStore::Impl::collect_sync() {
    std::lock_guard pass(gc_mutex_);
    const std::uint64_t h = horizon();
    if (h == 0) return 0;
    const std::string upper(1, kDataEnd);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions read;
    read.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));  // one snapshot for the pass

    rocksdb::WriteBatch batch;
    std::size_t dropped = 0;
    auto flush = [&] {
        if (batch.Count() == 0) return;
        // Unsynced: a lost delete only leaves a version for the next pass; the WAL replays in order.
        if (auto s = db_->Write(rocksdb::WriteOptions(), &batch); !s.ok()) throw_status(s, "gc");
        batch.Clear();
        std::function<void()> hook;
        {
            std::lock_guard lock(hook_mutex_);
            hook = gc_batch_hook_;
        }
        if (hook) hook();
    };
    std::string current;  // the key whose versions are being walked (newest first)
    bool kept = false;    // it has a version at or below h that stays
    for (it->Seek(std::string(1, kDataTag)); it->Valid(); it->Next()) {
        auto entry = parse_entry(it->key().ToStringView());
        if (!entry) continue;
        if (entry->prefix != current) {
            if (gc_stopping_.load()) break;
            if (batch.Count() >= 1024) flush();  // only between keys: a key's deletes stay atomic
            current.assign(entry->prefix);
            kept = false;
        }
        if (entry->ts > h) continue;
        // The newest version at or below h stays unless it is a tombstone; every older one goes.
        if (kept || is_tombstone(it->value().ToStringView())) {
            if (auto s = batch.Delete(it->key()); !s.ok()) throw_status(s, "gc batch");
            ++dropped;
        }
        kept = true;
    }
    if (!it->status().ok()) throw_status(it->status(), "gc scan");
    flush();
    next_gc_at_.store(h + gc_step());
    return dropped;
}

void RocksDbStore::Impl::gc_loop() {
    for (;;) {
        {
            std::unique_lock lock(gc_wake_mutex_);
            gc_wake_.wait(lock, [this] { return gc_due_ || gc_stop_; });
            if (gc_stop_) return;
            gc_due_ = false;
        }
        try {
            collect_sync();
        } catch (const std::exception&) {
            // The next pass tries again; reads and commits report the store's errors themselves.
        }
    }
}

}  // namespace routecat
