// The catalog on a store with bounded history (issue 13), on MemoryStore(retain 5): a read overtaken
// by the horizon (more commits than the store retains landed while it read) is read again from the
// current ts, and the watcher falls back to a snapshot at the current ts.

#include "support/builders.hpp"
#include "support/catalog_options.hpp"
#include "support/hooked_store.hpp"
#include "support/printers.hpp"
#include "support/run.hpp"

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/catalog/catalog_watcher.hpp"
#include "routecat/error.hpp"
#include "routecat/store/memory_store.hpp"

#include <boost/test/unit_test.hpp>

using namespace routecat;
using namespace routecat::test;
namespace asio = boost::asio;

namespace {

struct RetentionFixture {
    asio::io_context io;
    std::shared_ptr<MemoryStore> memory = std::make_shared<MemoryStore>(5);
    std::shared_ptr<HookedStore> hooked = std::make_shared<HookedStore>(memory);
    CatalogStore catalog{hooked, delta_logged()};
    std::shared_ptr<Engine> engine = std::make_shared<Engine>();
    int churns_left = 0;  // scans still to be overtaken

    RetentionFixture() {
        // Before a scan: 10 unrelated commits, twice the retention, so the scan's ts is compacted.
        hooked->before_scan_at([this](MvccStore& inner) -> asio::awaitable<void> {
            if (churns_left == 0) co_return;
            --churns_left;
            for (int i = 0; i < 10; ++i) {
                std::vector<Mutation> m;
                m.push_back(Mutation::put("x", std::to_string(i)));
                const std::uint64_t last = co_await inner.last_commit_ts();
                co_await inner.apply(std::move(m), last, 0);
            }
        });
    }
    template <class T>
    T run(asio::awaitable<T> task) {
        return test::run(io, std::move(task));
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(catalog_retention, RetentionFixture)

BOOST_AUTO_TEST_CASE(a_snapshot_overtaken_by_the_horizon_is_read_again_at_the_current_ts) {
    run(catalog.save(0, {rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)}));  // ts 1
    churns_left = 1;
    const int scans = hooked->scan_calls();
    const CatalogSnapshot snap = run(catalog.snapshot());
    BOOST_TEST(hooked->scan_calls() - scans == 2);  // the first scan, at ts 1, was compacted
    BOOST_TEST(snap.version == 1u);
    BOOST_TEST(snap.read_ts == 11u);
    BOOST_TEST(snap.routes.size() == 2u);
    BOOST_TEST(memory->horizon() == 6u);
}

BOOST_AUTO_TEST_CASE(a_save_overtaken_by_the_horizon_reads_again_and_commits) {
    run(catalog.save(0, {rd(1, "", std::nullopt, 1)}));
    churns_left = 1;
    const CatalogSnapshot saved = run(catalog.save(1, {rd(1, "", std::nullopt, 4)}));
    BOOST_TEST(saved.version == 2u);
    BOOST_TEST(run(memory->last_commit_ts()) == 12u);  // 1 + 10 churn commits + this one
    BOOST_TEST(run(catalog.snapshot()).routes.front().group_id == 4u);
}

BOOST_AUTO_TEST_CASE(three_overtaken_reads_in_a_row_fail_with_read_ts_compacted) {
    run(catalog.save(0, {rd(1, "", std::nullopt, 1)}));
    churns_left = 3;
    const int scans = hooked->scan_calls();
    auto f = failure_of([&] { run(catalog.snapshot()); });
    BOOST_TEST(f.code == errc::read_ts_compacted);
    BOOST_TEST(f.what == "read ts 21 is below the retention horizon 26: read timestamp has been compacted");
    BOOST_TEST(hooked->scan_calls() - scans == 3);
}

BOOST_AUTO_TEST_CASE(the_watcher_falls_back_to_a_snapshot_at_the_current_ts) {
    run(catalog.save(0, {rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)}));
    CatalogWatcher watcher(catalog, engine, polling());
    BOOST_TEST(run(watcher.sync_once()));
    engine->record_access("z");
    run(catalog.save(1, {rd(1, "", "m", 7), rd(2, "m", std::nullopt, 2)}));  // ts 2
    // Every try of the delta read is overtaken: the watcher reads a snapshot at the current ts.
    churns_left = 3;
    const int scans = hooked->scan_calls();
    BOOST_TEST(run(watcher.sync_once()));
    BOOST_TEST(hooked->scan_calls() - scans == 4);  // 3 delta reads, then the routes at ts 32
    BOOST_TEST(engine->version() == 2u);
    BOOST_TEST(engine->get_route("a")->group_id == 7u);
    BOOST_TEST(engine->get_route("z")->load == 0u);  // a snapshot (a delta keeps route 2's load)
    BOOST_TEST(watcher.status().last_read_ts == 32u);
}

BOOST_AUTO_TEST_CASE(the_watcher_survives_a_snapshot_read_overtaken_by_the_horizon) {
    run(catalog.save(0, {rd(1, "", std::nullopt, 3)}));
    CatalogWatcher watcher(catalog, engine, polling());
    churns_left = 1;  // the engine is empty: the first read is already a snapshot
    BOOST_TEST(run(watcher.sync_once()));
    BOOST_TEST(engine->version() == 1u);
    BOOST_TEST(engine->get_route("a")->group_id == 3u);
    BOOST_TEST(watcher.status().last_read_ts == 11u);
}

BOOST_AUTO_TEST_CASE(a_delta_read_overtaken_once_is_read_again_and_keeps_following_deltas) {
    run(catalog.save(0, {rd(1, "", "m", 1), rd(2, "m", std::nullopt, 2)}));
    CatalogWatcher watcher(catalog, engine, polling());
    BOOST_TEST(run(watcher.sync_once()));
    engine->record_access("z");
    run(catalog.save(1, {rd(1, "", "m", 7), rd(2, "m", std::nullopt, 2)}));
    churns_left = 1;
    BOOST_TEST(run(watcher.sync_once()));
    BOOST_TEST(engine->version() == 2u);
    BOOST_TEST(engine->get_route("z")->load == 1u);  // still a delta
}

BOOST_AUTO_TEST_SUITE_END()
