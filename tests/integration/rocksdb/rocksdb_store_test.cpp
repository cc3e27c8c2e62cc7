// What only the RocksDB store has: durability across close and reopen, the directory lock, the key
// escaping, and crash safety under SIGKILL (spec §5.2 on disk; issue: the embedded durable store).

#include "integration/rocksdb/crash_routes.hpp"
#include "support/rocksdb_backend.hpp"
#include "support/printers.hpp"
#include "support/run.hpp"

#include "routecat/catalog/catalog_store.hpp"
#include "routecat/codec.hpp"
#include "routecat/error.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <future>
#include <fcntl.h>
#include <poll.h>
#include <random>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace routecat;
using namespace routecat::test;

namespace {

struct RocksFixture {
    boost::asio::io_context io;
    TempDir dir{"routecat-rocksdb-test"};
    std::string path = dir.str() + "/data/catalog";  // parents do not exist yet

    template <class T>
    T run(boost::asio::awaitable<T> task) {
        return test::run(io, std::move(task));
    }
};

std::vector<RouteDescriptor> some_routes(std::uint64_t group) {
    return {{1, "", "m", group, RouteState::active, 0}, {2, "m", std::nullopt, group + 1, RouteState::write_fenced, 1}};
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(rocksdb_store, RocksFixture)

BOOST_AUTO_TEST_CASE(a_catalog_survives_close_and_reopen_and_the_next_save_commits_above) {
    std::uint64_t watermark = 0;
    CatalogSnapshot before;
    {
        CatalogStore catalog(open_rocksdb(path));
        run(catalog.save(0, some_routes(1)));
        run(catalog.save(1, some_routes(5)));
        before = run(catalog.snapshot());
        watermark = run(catalog.store()->last_commit_ts());
    }
    CatalogStore catalog(open_rocksdb(path));
    BOOST_TEST(run(catalog.store()->last_commit_ts()) == watermark);
    const auto after = run(catalog.snapshot());
    BOOST_TEST(after.version == 2u);
    BOOST_TEST((after == before));
    BOOST_TEST(run(catalog.next_route_id()) == 3u);
    run(catalog.save(2, some_routes(9)));
    BOOST_TEST(run(catalog.store()->last_commit_ts()) == watermark + 1);
}

BOOST_AUTO_TEST_CASE(the_watermark_persists_even_for_commits_at_a_chosen_ts) {
    {
        auto store = open_rocksdb(path);
        run(store->apply({Mutation::put("k", "v")}, 0, 1000));
    }
    auto store = open_rocksdb(path);
    BOOST_TEST(run(store->last_commit_ts()) == 1000u);
    BOOST_TEST(run(store->get_at("k", 1000)) == std::optional<std::string>("v"));
    BOOST_TEST(!run(store->get_at("k", 999)).has_value());
}

BOOST_AUTO_TEST_CASE(a_held_directory_is_refused_with_a_clear_error) {
    auto first = open_rocksdb(path);
    std::string error;
    auto second = RocksDbStore::open({path, true}, rocksdb_pool().get_executor(), &error);
    BOOST_TEST_REQUIRE(!second.has_value());
    BOOST_TEST(second.error() == errc::store_locked);
    BOOST_TEST(error.starts_with("data directory " + path + " is locked by another process"));
}

BOOST_AUTO_TEST_CASE(an_unusable_path_is_store_unavailable) {
    std::string error;
    auto store = RocksDbStore::open({"/proc/routecat-cannot-be-here", true}, rocksdb_pool().get_executor(), &error);
    BOOST_TEST_REQUIRE(!store.has_value());
    BOOST_TEST(store.error() == errc::store_unavailable);
    BOOST_TEST(!error.empty());
}

BOOST_AUTO_TEST_CASE(keys_that_prefix_each_other_keep_their_versions_apart) {
    auto store = open_rocksdb(path);
    const std::string a("a"), a0("a\0", 2), a0ff("a\0\xff", 3), a01("a\0\x01", 3), aff("a\xff", 2), e("");
    const std::vector<std::string> keys{e, a, a0, a01, a0ff, aff};
    std::vector<std::uint64_t> first_ts;
    for (const auto& k : keys) first_ts.push_back(run(store->apply({Mutation::put(k, "1:" + k)}, 0, 0)));
    const std::uint64_t mid = run(store->last_commit_ts());
    for (const auto& k : keys) run(store->apply({Mutation::put(k, "2:" + k)}, mid, 0));
    run(store->apply({Mutation::del(a0)}, run(store->last_commit_ts()), 0));
    const std::uint64_t now = run(store->last_commit_ts());

    std::vector<KeyValue> at_mid, at_now;
    for (const auto& k : keys) {
        at_mid.push_back({k, "1:" + k});
        if (k != a0) at_now.push_back({k, "2:" + k});
    }
    BOOST_TEST(run(store->scan_at("", std::nullopt, 100, mid)) == at_mid);
    BOOST_TEST(run(store->scan_at("", std::nullopt, 100, now)) == at_now);
    BOOST_TEST(run(store->scan_at(a0, aff, 100, now)) == (std::vector<KeyValue>{{a01, "2:" + a01}, {a0ff, "2:" + a0ff}}));
    BOOST_TEST(!run(store->get_at(a0, now)).has_value());
    BOOST_TEST(run(store->get_at(a0, mid)) == std::optional<std::string>("1:" + a0));
    BOOST_TEST(run(store->get_at(a, first_ts[1])) == std::optional<std::string>("1:a"));
    BOOST_TEST(!run(store->get_at(a, first_ts[0])).has_value());
}

// Values of 64 KiB and more live in blob files (a whole-catalog delta record is the catalog's
// size; inline it would be one data block every nearby Seek decompresses): they read back exactly,
// at their ts, after a reopen (the memtable flushed to a table and a .blob file) and around small
// values stored inline.
BOOST_AUTO_TEST_CASE(large_values_go_to_blob_files_and_read_back_exactly) {
    std::string big(1 << 20, '\0');
    std::mt19937 rng(5);
    for (auto& c : big) c = static_cast<char>(rng());  // incompressible
    const std::string edge(64 * 1024, 'e');             // exactly the blob threshold
    std::uint64_t first = 0, second = 0;
    {
        auto store = open_rocksdb(path);
        first = run(store->apply({Mutation::put("a", "small"), Mutation::put("b", big), Mutation::put("c", edge)}, 0, 0));
        second = run(store->apply({Mutation::put("b", "now small")}, first, 0));
    }
    auto store = open_rocksdb(path);  // the recovery flushes the log: a table file and a blob file
    bool blob_file = false;
    for (const auto& entry : std::filesystem::directory_iterator(path)) blob_file |= entry.path().extension() == ".blob";
    BOOST_TEST(blob_file);
    BOOST_TEST(run(store->get_at("b", first)) == std::optional<std::string>(big));
    BOOST_TEST(run(store->get_at("b", second)) == std::optional<std::string>("now small"));
    BOOST_TEST((run(store->scan_at("", std::nullopt, 10, first)) ==
                std::vector<KeyValue>{{"a", "small"}, {"b", big}, {"c", edge}}));
    // A conflict check next to a blob: a commit that started before `second` conflicts on "b".
    BOOST_TEST(error_of([&] { run(store->apply({Mutation::put("b", big)}, first, 0)); }) == errc::write_conflict);
}

BOOST_AUTO_TEST_CASE(scans_skip_long_histories_and_read_at_their_ts) {
    auto store = open_rocksdb(path);
    std::vector<std::uint64_t> ts;
    for (int i = 0; i < 300; ++i) {
        const std::uint64_t last = run(store->last_commit_ts());
        ts.push_back(run(store->apply({Mutation::put("hot", std::to_string(i)), Mutation::put("k" + std::to_string(i), "x")}, last, 0)));
    }
    BOOST_TEST(run(store->scan_at("hot", std::string("hou"), 10, ts[150])) == (std::vector<KeyValue>{{"hot", "150"}}));
    const auto rows = run(store->scan_at("", std::nullopt, 1000, ts[9]));
    BOOST_TEST(rows.size() == 11u);  // "hot" + k0..k9
    BOOST_TEST(rows.front() == (KeyValue{"hot", "9"}));
}

// Spawns the crash child on dir with its stdout on a pipe.
struct Child {
    pid_t pid = -1;
    int out = -1;
};

Child spawn_child(const std::string& dir, std::uint64_t retain_versions) {
    int fds[2];
    BOOST_TEST_REQUIRE(pipe(fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::string program = ROUTECAT_CRASH_CHILD;
    std::string retain = std::to_string(retain_versions);
    char* argv[] = {program.data(), const_cast<char*>(dir.c_str()), retain.data(), nullptr};
    Child child;
    BOOST_TEST_REQUIRE(posix_spawn(&child.pid, program.c_str(), &actions, nullptr, argv, environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    child.out = fds[0];
    return child;
}

// Reads the child's output for about ms milliseconds; returns what it printed.
std::string read_for(int fd, int ms) {
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    char buf[4096];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    return text;
}

// Reads the child's output until its first complete line (or ms milliseconds pass).
std::string read_first_line(int fd, int ms) {
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (text.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline)
        text += read_for(fd, 20);
    return text;
}

std::uint64_t last_acknowledged(const std::string& text) {
    // Only complete lines count: a half-written number was not acknowledged to anyone.
    const auto end = text.rfind('\n');
    if (end == std::string::npos) return 0;
    const auto start = text.rfind('\n', end - 1);
    return std::stoull(text.substr(start == std::string::npos ? 0 : start + 1, end));
}

// With GC active (issue 13): the child and every reopen keep 16 versions, so GC passes run all the
// time (one each 16 commits) and kills land in them too.
BOOST_AUTO_TEST_CASE(sigkill_at_random_moments_never_loses_an_acknowledged_save) {
    constexpr std::uint64_t kRetain = 16;
    std::mt19937 rng(20261125);
    std::uint64_t acknowledged = 0;
    int rounds_with_child_saves = 0;
    for (int round = 0; round < 20; ++round) {
        Child child = spawn_child(path, kRetain);
        // Kill it at a random moment once it is saving (under ASan on a loaded machine a child can
        // take over a second to open the store).
        std::string text = read_first_line(child.out, 20000);
        text += read_for(child.out, std::uniform_int_distribution<int>(0, 340)(rng));
        kill(child.pid, SIGKILL);
        int status = 0;
        waitpid(child.pid, &status, 0);
        text += read_for(child.out, 50);  // whatever was already in the pipe
        close(child.out);
        BOOST_TEST_REQUIRE(WIFSIGNALED(status));
        if (auto last = last_acknowledged(text); last > acknowledged) {
            acknowledged = last;
            ++rounds_with_child_saves;
        }

        CatalogStore catalog(open_rocksdb(path, kRetain));
        const auto snap = run(catalog.snapshot());
        BOOST_TEST_INFO("round " << round << ", last acknowledged " << acknowledged);
        BOOST_TEST((snap.version == acknowledged || snap.version == acknowledged + 1));
        if (snap.version > 0) BOOST_TEST((snap.routes == crash_routes(snap.version)));
        // The catalog takes a save at once, then the next child continues from there.
        run(catalog.save(snap.version, crash_routes(snap.version + 1)));
        acknowledged = snap.version + 1;
    }
    // The kills must have hit children that were saving (a loaded machine may start some too slowly).
    BOOST_TEST(rounds_with_child_saves >= 5);
    // The history was bounded: after one more pass the version key (written by every commit, all of
    // them Saves) holds the newest version at or below the horizon and the 16 above it.
    auto store = open_rocksdb(path, kRetain);
    const std::uint64_t last = run(store->last_commit_ts());
    BOOST_TEST(last >= acknowledged);
    store->collect_history();
    std::vector<std::uint64_t> expected;
    for (std::uint64_t ts = last - kRetain; ts <= last; ++ts) expected.push_back(ts);
    BOOST_TEST(store->stored_versions(std::string(codec::kVersionKey)) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

// Bounded history on RocksDB (issue 13): retain 100, as the tests use.
BOOST_FIXTURE_TEST_SUITE(rocksdb_retention, RocksFixture)

using Versions = std::vector<std::uint64_t>;

Versions from_to(std::uint64_t first, std::uint64_t last) {
    Versions out;
    for (std::uint64_t ts = first; ts <= last; ++ts) out.push_back(ts);
    return out;
}

BOOST_AUTO_TEST_CASE(a_pass_keeps_each_keys_newest_version_at_or_below_the_horizon_and_all_above) {
    auto store = open_rocksdb(path, 100, false);
    auto commit = [&](Mutation m) {
        std::vector<Mutation> ms;
        ms.push_back(std::move(m));
        return run(store->apply(std::move(ms), run(store->last_commit_ts()), 0));
    };
    commit(Mutation::put("cold", "c"));  // ts 1
    commit(Mutation::put("gone", "g"));  // ts 2
    commit(Mutation::del("gone"));       // ts 3
    for (int i = 4; i <= 252; ++i) commit(Mutation::put("hot", std::to_string(i)));
    BOOST_TEST(store->horizon() == 152u);
    store->collect_history();  // after the passes that started by themselves every 25 of horizon
    BOOST_TEST(store->stored_versions("hot") == from_to(152, 252), boost::test_tools::per_element());
    BOOST_TEST(store->stored_versions("cold") == Versions{1}, boost::test_tools::per_element());
    BOOST_TEST(store->stored_versions("gone").empty());  // its newest version at or below 152 is a delete
    BOOST_TEST(store->collect_history() == 0u);  // nothing more at the same horizon
    // Reads at and above the horizon are unchanged; below it they are read_ts_compacted.
    BOOST_TEST(run(store->get_at("hot", 152)) == std::optional<std::string>("152"));
    BOOST_TEST(run(store->get_at("cold", 152)) == std::optional<std::string>("c"));
    BOOST_TEST(!run(store->get_at("gone", 152)).has_value());
    auto f = failure_of([&] { run(store->get_at("hot", 151)); });
    BOOST_TEST(f.code == errc::read_ts_compacted);
    BOOST_TEST(f.what == "read ts 151 is below the retention horizon 152: read timestamp has been compacted");
    BOOST_TEST(error_of([&] { run(store->scan_at("", std::nullopt, 10, 1)); }) == errc::read_ts_compacted);
    BOOST_TEST(run(store->scan_at("", std::nullopt, 10, 0)).empty());  // ts 0 and u64 max: never compacted
    BOOST_TEST((run(store->scan_at("", std::nullopt, 10, std::numeric_limits<std::uint64_t>::max())) ==
                std::vector<KeyValue>{{"cold", "c"}, {"hot", "252"}}));
    // A transaction that started below the horizon cannot be checked for conflicts any more.
    std::vector<Mutation> late;
    late.push_back(Mutation::put("gone", "again"));
    BOOST_TEST(error_of([&] { run(store->apply(std::move(late), 151, 0)); }) == errc::write_conflict);
}

BOOST_AUTO_TEST_CASE(the_horizon_survives_a_reopen_and_retain_0_keeps_everything) {
    {
        auto store = open_rocksdb(path, 100, false);
        // Up to ts 124 the horizon stays below 25 (retain / 4), where the first pass would start by itself.
        for (int i = 1; i <= 120; ++i) {
            std::vector<Mutation> ms;
            ms.push_back(Mutation::put("k", std::to_string(i)));
            run(store->apply(std::move(ms), run(store->last_commit_ts()), 0));
        }
        BOOST_TEST(store->collect_history() == 19u);  // versions 1..19 (20 is the newest at or below 20)
    }
    auto store = open_rocksdb(path, 100, false);
    BOOST_TEST(store->horizon() == 20u);
    BOOST_TEST(error_of([&] { run(store->get_at("k", 19)); }) == errc::read_ts_compacted);
    store.reset();
    auto keep_all = open_rocksdb(path);
    BOOST_TEST(keep_all->horizon() == 0u);
    BOOST_TEST(keep_all->collect_history() == 0u);
    BOOST_TEST(keep_all->stored_versions("k") == from_to(20, 120), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(saves_keep_completing_while_a_gc_pass_runs_over_a_large_history) {
    auto store = open_rocksdb(path, 100, false);
    // The pass that starts by itself at horizon 25 stops after its first batch until released.
    std::promise<void> entered, release;
    auto released = release.get_future().share();
    std::atomic<bool> first{true}, timed_out{false};
    store->on_gc_batch([&, released] {
        if (!first.exchange(false)) return;
        entered.set_value();
        if (released.wait_for(std::chrono::seconds(30)) != std::future_status::ready) timed_out = true;
    });
    // 200 commits of 100 keys: 20,000 versions; at ts 125 the horizon reaches 25 and a pass starts.
    for (int c = 1; c <= 200; ++c) {
        std::vector<Mutation> ms;
        for (int k = 0; k < 100; ++k) ms.push_back(Mutation::put("k" + std::to_string(k), std::to_string(c)));
        run(store->apply(std::move(ms), run(store->last_commit_ts()), 0));
    }
    BOOST_TEST_REQUIRE((entered.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready));
    CatalogStore catalog(store);
    for (std::uint64_t v = 0; v < 50; ++v) run(catalog.save(v, some_routes(v + 1)));  // the pass is held
    BOOST_TEST(run(catalog.version()) == 50u);
    release.set_value();
    store->collect_history();  // waits for the held pass, then one at horizon 150
    BOOST_TEST(!timed_out.load());
    BOOST_TEST(store->stored_versions("k7") == from_to(150, 200), boost::test_tools::per_element());
    BOOST_TEST(run(catalog.snapshot()).routes == some_routes(50), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
