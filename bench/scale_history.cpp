// RocksDB data directory size after many Saves, with the daemon's default retention.
//
// A 100-route catalog (the daemon's delta log on) gets one route changed per Save through
// CatalogStore on RocksDbStore, sync off (fsyncs change how long it takes, not what is stored). At
// each checkpoint the store is closed and the directory measured twice: as the closed store left it
// (closing does not flush: with the WAL on, the memtable stays in the log files), and after a flush
// and a full compaction. RocksDbStore has no hook for those, so this opens the closed directory with
// RocksDB's default options (the store's own but for blob files, which no value here is large enough
// for; its GC pass deletes entries rather than filtering compactions), then Flush + CompactRange
// with the bottommost level forced. The store is reopened for the next Saves.

#include "bench_common.hpp"
#include "catalog_places.hpp"
#include "scale_bench.hpp"

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/codec.hpp"
#include "routecat/store/rocksdb_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>

namespace routecat::bench::scale {

namespace {

namespace fs = std::filesystem;

struct DirSize {
    std::uint64_t all = 0, sst = 0;
};

DirSize dir_size(const fs::path& dir) {
    DirSize size;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        size.all += entry.file_size();
        if (entry.path().extension() == ".sst") size.sst += entry.file_size();
    }
    return size;
}

DirSize flush_and_compact(const std::string& path) {
    rocksdb::DB* raw = nullptr;
    auto s = rocksdb::DB::Open(rocksdb::Options(), path, &raw);
    if (!s.ok()) throw std::runtime_error("reopen for compaction: " + s.ToString());
    std::unique_ptr<rocksdb::DB> db(raw);
    s = db->Flush(rocksdb::FlushOptions());
    if (s.ok()) {
        rocksdb::CompactRangeOptions options;
        options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
        s = db->CompactRange(options, nullptr, nullptr);
    }
    if (!s.ok()) throw std::runtime_error("flush and compaction: " + s.ToString());
    s = db->Close();
    if (!s.ok()) throw std::runtime_error("close after compaction: " + s.ToString());
    return dir_size(path);
}

}  // namespace

HistoryRun measure_history(const std::vector<std::size_t>& checkpoints, std::uint64_t retain_versions) {
    test::TempDir dir("routecat-scale-history");
    const std::string path = dir.str() + "/db";
    RocksDbStoreOptions store_options{path, false};
    HistoryRun out;
    store_options.retain_versions = retain_versions;
    CatalogStoreOptions catalog_options;
    catalog_options.delta_log = true;  // as the daemon's (main.cpp)

    boost::asio::io_context io;
    boost::asio::thread_pool pool(2);
    auto routes = catalog_routes(100);
    std::uint64_t version = 0;
    std::size_t saves = 0;
    for (const std::size_t checkpoint : checkpoints) {
        const auto t0 = std::chrono::steady_clock::now();
        const std::size_t first = saves;
        std::size_t versions_kept = 0;
        {
            std::string error;
            auto store = RocksDbStore::open(store_options, pool.get_executor(), &error);
            if (!store) throw std::runtime_error("RocksDbStore::open: " + error);
            CatalogStore catalog(*store, catalog_options);
            if (version == 0) version = run(io, catalog.save(0, routes)).version;
            for (; saves < checkpoint; ++saves) {
                routes[saves % routes.size()].group_id = 100 + saves;  // a new group every Save
                version = run(io, catalog.save(version, routes)).version;
                if ((saves + 1) % 10'000 == 0) progress("  RocksDB history: %zu/%zu Saves", saves + 1, checkpoint);
            }
            versions_kept = (*store)->stored_versions(std::string(codec::kVersionKey)).size();
        }  // closed: nothing of the store runs on while the directory is measured
        HistoryFigures f;
        f.saves = checkpoint;
        f.version_key_versions = versions_kept;
        f.saves_per_s = static_cast<double>(saves - first) /
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        f.dir_bytes_closed = dir_size(path).all;
        const DirSize compacted = flush_and_compact(path);
        f.dir_bytes_compacted = compacted.all;
        f.sst_bytes_compacted = compacted.sst;
        out.checkpoints.push_back(f);
    }
    return out;
}

}  // namespace routecat::bench::scale
