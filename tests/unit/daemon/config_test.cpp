#include <boost/test/unit_test.hpp>

#include "routecat/daemon/config.hpp"
#include "routecat/error.hpp"
#include "routecat/store/memory_store.hpp"
#include "support/printers.hpp"
#include "support/run.hpp"

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#ifndef ROUTECAT_SOURCE_DIR
#error "ROUTECAT_SOURCE_DIR must name the source tree (set by tests/CMakeLists.txt)"
#endif

namespace routecat::daemon {
namespace {

using namespace std::chrono_literals;

std::string read_source_file(const std::string& relative) {
    std::ifstream in(std::string(ROUTECAT_SOURCE_DIR) + "/" + relative, std::ios::binary);
    BOOST_TEST_REQUIRE(in.good(), "cannot open " << relative);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

DaemonConfig parse_ok(std::string_view text) {
    std::string error;
    auto c = parse_daemon_config(text, error);
    BOOST_TEST_REQUIRE(c.has_value(), "unexpected error: " << error << " for " << text);
    return *c;
}

void expect_error(std::string_view text, std::string_view message) {
    std::string error;
    auto c = parse_daemon_config(text, error);
    BOOST_TEST_REQUIRE(!c.has_value(), "accepted: " << text);
    BOOST_TEST(c.error() == make_error_code(errc::invalid_config));
    BOOST_TEST(error == message, "for " << text);
}

BOOST_AUTO_TEST_SUITE(daemon_config)

BOOST_AUTO_TEST_CASE(empty_object_gives_the_defaults) {
    const DaemonConfig c = parse_ok("{}");
    BOOST_TEST((c == DaemonConfig{}));
    BOOST_TEST(c.listen.address == "127.0.0.1");
    BOOST_TEST(c.listen.port == 8080);
    BOOST_TEST(c.threads == 0u);
    BOOST_TEST((c.store.kind == StoreKind::rocksdb));
    BOOST_TEST(c.store.rocksdb.path == "./data/routecat");
    BOOST_TEST(c.store.etcd.endpoints == std::vector<std::string>{"http://127.0.0.1:2379"});
    BOOST_TEST(c.store.etcd.prefix == "/routecat/");
    BOOST_TEST(!c.store.etcd.token.has_value());
    BOOST_TEST(c.store.etcd.request_timeout.count() == 2000);
    BOOST_TEST(c.store.retain_versions == 10000u);  // the library's StoreConfig keeps everything (0)
    BOOST_TEST(StoreConfig{}.retain_versions == 0u);
    BOOST_TEST(c.store.etcd.compact_every_revisions == 0u);
    BOOST_TEST(c.watcher.interval.count() == 100);
    BOOST_TEST(c.watcher.max_backoff.count() == 5000);
    BOOST_TEST(c.engine.options.hotspot_threshold == 0u);
    BOOST_TEST(c.engine.bootstrap_routes.empty());
    BOOST_TEST(!c.admin.api.token.has_value());
    BOOST_TEST(!c.admin.token_file.has_value());
    BOOST_TEST(!c.admin.token_env.has_value());
    BOOST_TEST(c.admin.server.body_limit_bytes == 8388608u);
    BOOST_TEST(c.admin.server.header_timeout.count() == 10000);
    BOOST_TEST(c.admin.server.idle_timeout.count() == 60000);
    BOOST_TEST(c.admin.server.max_connections == 1024u);
    BOOST_TEST(c.admin.drain_timeout.count() == 10000);
    BOOST_TEST(c.admin.api.cors_origins.empty());
    BOOST_TEST(c.log.level == "info");
    // Whitespace around the object is fine; empty sections are fine.
    BOOST_TEST((parse_ok(" \n{ }\n") == DaemonConfig{}));
    BOOST_TEST((parse_ok(R"({"listen":{},"store":{},"watcher":{},"engine":{},"admin":{},"log":{}})") == DaemonConfig{}));
}

BOOST_AUTO_TEST_CASE(the_history_keys_reach_the_stores_make_store_builds) {
    boost::asio::io_context io;
    const DaemonConfig memory = parse_ok(R"({"store":{"kind":"memory","retain_versions":2}})");
    auto store = make_store(memory.store, io.get_executor(), io.get_executor()).value();
    for (std::uint64_t start = 0; start < 4; ++start)
        routecat::test::run(io, store->apply({Mutation::put("k", "v")}, start, 0));
    BOOST_TEST(dynamic_cast<MemoryStore&>(*store).horizon() == 2u);  // watermark 4 - 2
    BOOST_TEST(dynamic_cast<MemoryStore&>(*store).stored_versions("k") == (std::vector<std::uint64_t>{2, 3, 4}));

    const DaemonConfig etcd = parse_ok(R"({"store":{"kind":"etcd","compact_every_revisions":5}})");
    auto etcd_store = make_store(etcd.store, io.get_executor(), io.get_executor()).value();  // no I/O
    BOOST_TEST(dynamic_cast<EtcdStore&>(*etcd_store).options().compact_every_revisions == 5u);
    BOOST_TEST(dynamic_cast<EtcdStore&>(*etcd_store).options().retain_revisions == 10000u);
}

BOOST_AUTO_TEST_CASE(shipped_default_file_is_the_defaults) {
    BOOST_TEST((parse_ok(read_source_file("config/routecatd.json")) == DaemonConfig{}));
}

BOOST_AUTO_TEST_CASE(shipped_memory_file) {
    DaemonConfig expected;
    expected.store.kind = StoreKind::memory;
    BOOST_TEST((parse_ok(read_source_file("config/routecatd-memory.json")) == expected));
}

BOOST_AUTO_TEST_CASE(shipped_etcd_file) {
    DaemonConfig expected;
    expected.store.kind = StoreKind::etcd;  // every other value as the defaults: a local etcd on 2379
    BOOST_TEST((parse_ok(read_source_file("config/routecatd-etcd.json")) == expected));
}

BOOST_AUTO_TEST_CASE(every_key_set) {
    const DaemonConfig c = parse_ok(R"({
      "listen": {"address": "::1", "port": 0},
      "threads": 1024,
      "store": {"kind": "etcd", "path": "", "endpoints": ["http://10.0.0.1:2379", "http://etcd-b:2379/"],
                "prefix": "/cell-1/", "token": "s3cret", "request_timeout_ms": 1, "retain_versions": 0,
                "compact_every_revisions": 18446744073709551615},
      "watcher": {"interval_ms": 1, "max_backoff_ms": 0, "push": false},
      "engine": {"hotspot_threshold": 18446744073709551615,
                 "bootstrap_routes": [{"start_text": "m", "group_id": 2, "state": "write_fenced"},
                                      {"start_text": "", "end": "bQ==", "group_id": 1}]},
      "admin": {"token": null, "token_file": "/etc/routecat/token", "token_env": null,
                "body_limit_bytes": 1, "header_timeout_ms": 31536000000, "idle_timeout_ms": 5,
                "max_connections": 1, "drain_timeout_ms": 7, "cors_origins": ["*", "http://localhost:3000"]},
      "keyviz": {"column_ms": 100, "columns": 10, "max_rows_per_column": 100000},
      "log": {"level": "off"}
    })");
    BOOST_TEST(c.listen.address == "::1");
    BOOST_TEST(c.listen.port == 0);
    BOOST_TEST(c.threads == 1024u);
    BOOST_TEST((c.store.kind == StoreKind::etcd));
    BOOST_TEST(c.store.rocksdb.path == "");
    BOOST_TEST(c.store.etcd.endpoints == (std::vector<std::string>{"http://10.0.0.1:2379", "http://etcd-b:2379/"}));
    BOOST_TEST(c.store.etcd.prefix == "/cell-1/");
    BOOST_TEST(c.store.etcd.token == std::optional<std::string>("s3cret"));
    BOOST_TEST(c.store.etcd.request_timeout.count() == 1);
    BOOST_TEST(c.store.retain_versions == 0u);
    BOOST_TEST(c.store.etcd.compact_every_revisions == 18446744073709551615u);
    BOOST_TEST(c.watcher.interval.count() == 1);
    BOOST_TEST(c.watcher.max_backoff.count() == 0);
    BOOST_TEST(!c.watcher.push);
    BOOST_TEST(c.engine.options.hotspot_threshold == 18446744073709551615u);
    BOOST_TEST_REQUIRE(c.engine.bootstrap_routes.size() == 2u);
    // Kept in the order given, route ids 0 (assigned at seeding).
    BOOST_TEST(c.engine.bootstrap_routes[0] == (RouteDescriptor{0, "m", std::nullopt, 2, RouteState::write_fenced, 0}));
    BOOST_TEST(c.engine.bootstrap_routes[1] == (RouteDescriptor{0, "", "m", 1, RouteState::active, 0}));
    BOOST_TEST(!c.admin.api.token.has_value());
    BOOST_TEST(c.admin.token_file == std::optional<std::string>("/etc/routecat/token"));
    BOOST_TEST(!c.admin.token_env.has_value());
    BOOST_TEST(c.admin.server.body_limit_bytes == 1u);
    BOOST_TEST(c.admin.server.header_timeout.count() == 31536000000);
    BOOST_TEST(c.admin.server.idle_timeout.count() == 5);
    BOOST_TEST(c.admin.server.max_connections == 1u);
    BOOST_TEST(c.admin.drain_timeout.count() == 7);
    BOOST_TEST(c.admin.api.cors_origins == (std::vector<std::string>{"*", "http://localhost:3000"}));
    BOOST_TEST(c.log.level == "off");
    BOOST_TEST((c.engine.options.keyviz == KeyVizOptions{100, 10, 100'000}));
}

BOOST_AUTO_TEST_CASE(accepted_values) {
    BOOST_TEST((DaemonConfig{}.engine.options.keyviz == KeyVizOptions{10'000, 360, 1024}));  // the library's defaults
    BOOST_TEST(parse_ok(R"({"keyviz":{"columns":0}})").engine.options.keyviz.columns == 0u);  // off
    BOOST_TEST(parse_ok(R"({"keyviz":{"column_ms":86400000,"columns":1024,"max_rows_per_column":1024}})")
                   .engine.options.keyviz.column_ms == 86'400'000u);
    for (std::string_view level : {"trace", "debug", "info", "warn", "error", "critical", "off"})
        BOOST_TEST(parse_ok(R"({"log":{"level":")" + std::string(level) + "\"}}").log.level == level);
    BOOST_TEST((parse_ok(R"({"store":{"kind":"memory"}})").store.kind == StoreKind::memory));
    BOOST_TEST((parse_ok(R"({"store":{"kind":"memory","path":""}})").store.kind == StoreKind::memory));
    BOOST_TEST(parse_ok(R"({"store":{"kind":"rocksdb","path":"/var/lib/routecat"}})").store.rocksdb.path == "/var/lib/routecat");
    BOOST_TEST(parse_ok(R"({"listen":{"address":"0.0.0.0","port":65535}})").listen.port == 65535);
    BOOST_TEST(parse_ok(R"({"admin":{"token_env":"ROUTECAT_TOKEN"}})").admin.token_env ==
               std::optional<std::string>("ROUTECAT_TOKEN"));
    BOOST_TEST(parse_ok(R"({"admin":{"token":"t","token_file":null,"token_env":null}})").admin.api.token ==
               std::optional<std::string>("t"));
    BOOST_TEST(!parse_ok(R"({"store":{"token":null}})").store.etcd.token.has_value());
    {
        const auto login = parse_ok(R"({"store":{"kind":"etcd","username":"routecat","password_file":"/etc/routecat/etcd-pw"}})");
        BOOST_TEST(login.store.etcd.username == std::optional<std::string>("routecat"));
        BOOST_TEST(login.store_password.file == std::optional<std::string>("/etc/routecat/etcd-pw"));
        BOOST_TEST(!login.store_password.env.has_value());
        BOOST_TEST(!login.store.etcd.password.has_value());  // read by routecatd at start-up, not here
        BOOST_TEST(parse_ok(R"({"store":{"kind":"etcd","username":"u","password_env":"ETCD_PW"}})").store_password.env ==
                   std::optional<std::string>("ETCD_PW"));
    }
    // Adjacent bootstrap routes do not overlap, whatever their order.
    BOOST_TEST(parse_ok(R"({"engine":{"bootstrap_routes":[{"start_text":"m","group_id":2},{"end_text":"m","group_id":1}]}})")
                   .engine.bootstrap_routes.size() == 2u);
    // A gap is fine too; endpoints are only checked for the etcd store.
    BOOST_TEST(parse_ok(R"({"engine":{"bootstrap_routes":[{"end_text":"a","group_id":1},{"start_text":"x","end_text":"y","group_id":1}]}})")
                   .engine.bootstrap_routes.size() == 2u);
    BOOST_TEST(parse_ok(R"({"store":{"endpoints":[]}})").store.etcd.endpoints.empty());
}

BOOST_AUTO_TEST_CASE(malformed_json) {
    expect_error("", "config: invalid JSON at line 1, column 1 (offset 0): incomplete JSON");
    expect_error("{", "config: invalid JSON at line 1, column 2 (offset 1): incomplete JSON");
    expect_error("{} x", "config: invalid JSON at line 1, column 4 (offset 3): extra data");
    expect_error("{\n  \"threads\": ,\n}", "config: invalid JSON at line 2, column 14 (offset 15): syntax error");
    expect_error("{\"a\":1,}", "config: invalid JSON at line 1, column 8 (offset 7): syntax error");
    expect_error("// comment\n{}", "config: invalid JSON at line 1, column 1 (offset 0): syntax error");
    expect_error("{\"log\":{\"level\":\"\xff\"}}", "config: invalid JSON at line 1, column 18 (offset 17): syntax error");
}

BOOST_AUTO_TEST_CASE(mistakes_name_the_field) {
    const std::vector<std::pair<std::string_view, std::string_view>> cases{
        // the document
        {"[]", "config: expected a JSON object"},
        {"null", "config: expected a JSON object"},
        {"8080", "config: expected a JSON object"},
        // unknown keys at every level
        {R"({"tokn":"x"})", "tokn: unknown key"},
        {R"({"admin":{"tokn":"x"}})", "admin.tokn: unknown key"},
        {R"({"listen":{"host":"x"}})", "listen.host: unknown key"},
        {R"({"store":{"kind":"memory","dir":"x"}})", "store.dir: unknown key"},
        {R"({"watcher":{"interval":100}})", "watcher.interval: unknown key"},
        {R"({"engine":{"routes":[]}})", "engine.routes: unknown key"},
        {R"({"log":{"file":"x"}})", "log.file: unknown key"},
        // wrong section types
        {R"({"listen":"127.0.0.1:80"})", "listen: expected an object"},
        {R"({"store":null})", "store: expected an object"},
        {R"({"watcher":[]})", "watcher: expected an object"},
        {R"({"engine":1})", "engine: expected an object"},
        {R"({"admin":true})", "admin: expected an object"},
        {R"({"log":"info"})", "log: expected an object"},
        // listen
        {R"({"listen":{"address":5}})", "listen.address: expected a string"},
        {R"({"listen":{"address":"localhost"}})", "listen.address: expected an IP address (e.g. 127.0.0.1 or ::1)"},
        {R"({"listen":{"address":""}})", "listen.address: expected an IP address (e.g. 127.0.0.1 or ::1)"},
        {R"({"listen":{"address":"[::1]"}})", "listen.address: expected an IP address (e.g. 127.0.0.1 or ::1)"},
        {R"({"listen":{"port":65536}})", "listen.port: must be at most 65535"},
        {R"({"listen":{"port":"8080"}})", "listen.port: expected a non-negative integer"},
        {R"({"listen":{"port":-1}})", "listen.port: expected a non-negative integer"},
        {R"({"listen":{"port":80.5}})", "listen.port: expected a non-negative integer"},
        // threads
        {R"({"threads":1025})", "threads: must be at most 1024"},
        {R"({"threads":18446744073709551615})", "threads: must be at most 1024"},
        {R"({"threads":-1})", "threads: expected a non-negative integer"},
        {R"({"threads":null})", "threads: expected a non-negative integer"},
        {R"({"threads":4.0})", "threads: expected a non-negative integer"},
        {R"({"threads":1e100})", "threads: out of range: at most 18446744073709551615"},
        // store
        {R"({"store":{"kind":"redis"}})", "store.kind: expected one of rocksdb, memory, etcd"},
        {R"({"store":{"kind":"RocksDB"}})", "store.kind: expected one of rocksdb, memory, etcd"},
        {R"({"store":{"kind":1}})", "store.kind: expected a string"},
        {R"({"store":{"path":""}})", "store.path: must not be empty for the rocksdb store"},
        {R"({"store":{"kind":"rocksdb","path":""}})", "store.path: must not be empty for the rocksdb store"},
        {R"({"store":{"path":null}})", "store.path: expected a string"},
        {R"({"store":{"endpoints":"http://x:2379"}})", "store.endpoints: expected an array of strings"},
        {R"({"store":{"endpoints":[1]}})", "store.endpoints[0]: expected a string"},
        {R"({"store":{"kind":"etcd","endpoints":[]}})", "store.endpoints: the etcd store needs at least one endpoint"},
        {R"({"store":{"kind":"etcd","endpoints":["http://a:2379","https://b:2379"]}})",
         "store.endpoints[1]: expected an http:// URL (e.g. http://127.0.0.1:2379)"},
        {R"({"store":{"kind":"etcd","endpoints":["127.0.0.1:2379"]}})",
         "store.endpoints[0]: expected an http:// URL (e.g. http://127.0.0.1:2379)"},
        {R"({"store":{"kind":"etcd","endpoints":["http://"]}})",
         "store.endpoints[0]: expected an http:// URL (e.g. http://127.0.0.1:2379)"},
        {R"({"store":{"kind":"etcd","endpoints":["http://a b:2379"]}})",
         "store.endpoints[0]: expected an http:// URL (e.g. http://127.0.0.1:2379)"},
        {R"({"store":{"kind":"etcd","endpoints":["http://a:99999"]}})",
         "store.endpoints[0]: expected an http:// URL (e.g. http://127.0.0.1:2379)"},
        {R"({"store":{"kind":"etcd","endpoints":["http://a:2379/v3"]}})",
         "store.endpoints[0]: expected an http:// URL (e.g. http://127.0.0.1:2379)"},
        {R"({"store":{"kind":"etcd","endpoints":["http://user:pw@a:2379"]}})",
         "store.endpoints[0]: expected an http:// URL (e.g. http://127.0.0.1:2379)"},
        {R"({"store":{"kind":"etcd","endpoints":["http://a:2379"],"prefix":""}})",
         "store.prefix: must not be empty: every catalog key lives under it"},
        {R"({"store":{"kind":"etcd","endpoints":["HTTP://a:2379"]}})",
         "store.endpoints[0]: expected an http:// URL (e.g. http://127.0.0.1:2379)"},
        {R"({"store":{"prefix":7}})", "store.prefix: expected a string"},
        {R"({"store":{"token":7}})", "store.token: expected a string or null"},
        {R"({"store":{"token":""}})", "store.token: must not be empty (use null to unset)"},
        {R"({"store":{"request_timeout_ms":0}})", "store.request_timeout_ms: must be positive"},
        {R"({"store":{"request_timeout_ms":"2s"}})", "store.request_timeout_ms: expected a non-negative integer"},
        {R"({"store":{"retain_versions":-1}})", "store.retain_versions: expected a non-negative integer"},
        {R"({"store":{"compact_every_revisions":1.5}})", "store.compact_every_revisions: expected a non-negative integer"},
        // watcher
        {R"({"watcher":{"interval_ms":0}})", "watcher.interval_ms: must be positive"},
        {R"({"watcher":{"interval_ms":-100}})", "watcher.interval_ms: expected a non-negative integer"},
        {R"({"watcher":{"interval_ms":"100"}})", "watcher.interval_ms: expected a non-negative integer"},
        {R"({"watcher":{"interval_ms":0.5}})", "watcher.interval_ms: expected a non-negative integer"},
        {R"({"watcher":{"interval_ms":31536000001}})", "watcher.interval_ms: must be at most 31536000000 (one year)"},
        {R"({"watcher":{"max_backoff_ms":-1}})", "watcher.max_backoff_ms: expected a non-negative integer"},
        {R"({"watcher":{"push":"yes"}})", "watcher.push: expected true or false"},
        {R"({"watcher":{"push":null}})", "watcher.push: expected true or false"},
        {R"({"watcher":{"max_backoff_ms":18446744073709551615}})",
         "watcher.max_backoff_ms: must be at most 31536000000 (one year)"},
        // engine
        {R"({"engine":{"hotspot_threshold":-1}})", "engine.hotspot_threshold: expected a non-negative integer"},
        // keyviz
        {R"({"keyviz":[]})", "keyviz: expected an object"},
        {R"({"keyviz":{"column":1000}})", "keyviz.column: unknown key"},
        {R"({"keyviz":{"column_ms":99}})", "keyviz.column_ms: must be at least 100"},
        {R"({"keyviz":{"column_ms":86400001}})", "keyviz.column_ms: must be at most 86400000"},
        {R"({"keyviz":{"column_ms":"10s"}})", "keyviz.column_ms: expected a non-negative integer"},
        {R"({"keyviz":{"columns":-1}})", "keyviz.columns: expected a non-negative integer"},
        {R"({"keyviz":{"columns":100001}})", "keyviz.columns: must be at most 100000"},
        {R"({"keyviz":{"max_rows_per_column":0}})", "keyviz.max_rows_per_column: must be at least 1"},
        {R"({"keyviz":{"max_rows_per_column":1.5}})", "keyviz.max_rows_per_column: expected a non-negative integer"},
        {R"({"keyviz":{"columns":1025,"max_rows_per_column":1024}})",
         "keyviz: columns x max_rows_per_column must be at most 1048576"},
        {R"({"engine":{"hotspot_threshold":"10"}})", "engine.hotspot_threshold: expected a non-negative integer"},
        {R"({"engine":{"bootstrap_routes":{}}})", "engine.bootstrap_routes: expected an array of route objects"},
        {R"({"engine":{"bootstrap_routes":null}})", "engine.bootstrap_routes: expected an array of route objects"},
        {R"({"engine":{"bootstrap_routes":[5]}})", "engine.bootstrap_routes[0]: expected an object"},
        {R"({"engine":{"bootstrap_routes":[{"route_id":1,"group_id":1}]}})",
         "engine.bootstrap_routes[0].route_id: not allowed (route ids are assigned when the catalog is seeded)"},
        {R"({"engine":{"bootstrap_routes":[{"start_text":""}]}})",
         "engine.bootstrap_routes[0]: catalog group id is required"},
        {R"({"engine":{"bootstrap_routes":[{"end_text":"m","group_id":1},{"start_text":"m","group_id":0}]}})",
         "engine.bootstrap_routes[1]: catalog group id is required"},
        {R"({"engine":{"bootstrap_routes":[{"start_text":"m","end_text":"a","group_id":1}]}})",
         "engine.bootstrap_routes[0]: catalog route range is invalid"},
        {R"({"engine":{"bootstrap_routes":[{"start_text":"m","end_text":"m","group_id":1}]}})",
         "engine.bootstrap_routes[0]: catalog route range is invalid"},
        {R"({"engine":{"bootstrap_routes":[{"group_id":1,"end_text":""}]}})",
         "engine.bootstrap_routes[0]: catalog route range is invalid"},
        {R"({"engine":{"bootstrap_routes":[{"group_id":1,"foo":1}]}})",
         "engine.bootstrap_routes[0].foo: unknown field"},
        {R"({"engine":{"bootstrap_routes":[{"group_id":1,"start":"!!!!"}]}})",
         "engine.bootstrap_routes[0].start: invalid base64"},
        {R"({"engine":{"bootstrap_routes":[{"group_id":1,"state":"frozen"}]}})",
         "engine.bootstrap_routes[0].state: unknown state (expected active, write_fenced, migrating_source or "
         "migrating_target)"},
        {R"({"engine":{"bootstrap_routes":[{"group_id":-1}]}})",
         "engine.bootstrap_routes[0].group_id: expected a non-negative integer"},
        {R"({"engine":{"bootstrap_routes":[{"end_text":"m","group_id":1},{"start_text":"a","group_id":2}]}})",
         "engine.bootstrap_routes: routes overlap"},
        {R"({"engine":{"bootstrap_routes":[{"start_text":"m","group_id":2},{"group_id":1}]}})",
         "engine.bootstrap_routes: routes overlap"},
        {R"({"engine":{"bootstrap_routes":[{"group_id":1},{"group_id":2}]}})", "engine.bootstrap_routes: routes overlap"},
        {R"({"engine":{"bootstrap_routes":[{"start_text":"a","end_text":"c","group_id":1},{"start_text":"b","end_text":"d","group_id":2}]}})",
         "engine.bootstrap_routes: routes overlap"},
        // store login
        {R"({"store":{"kind":"etcd","username":"u"}})", "store.username: needs password_file or password_env (the password's source)"},
        {R"({"store":{"kind":"etcd","password_file":"/p"}})", "store.password_file: needs username"},
        {R"({"store":{"kind":"etcd","password_env":"P"}})", "store.password_env: needs username"},
        {R"({"store":{"kind":"etcd","username":"u","password_file":"/p","password_env":"P"}})",
         "store.password_env: not together with password_file: set one of them"},
        {R"({"store":{"kind":"etcd","username":"u","password_env":"P","token":"t"}})",
         "store.token: not together with username: set one of them"},
        {R"({"store":{"username":""}})", "store.username: must not be empty (use null to unset)"},
        {R"({"store":{"password":"pw"}})", "store.password: unknown key"},
        // admin
        {R"({"admin":{"token":"a","token_file":"/t"}})", "admin: at most one of token, token_file, token_env may be set"},
        {R"({"admin":{"token_file":"/t","token_env":"T"}})", "admin: at most one of token, token_file, token_env may be set"},
        {R"({"admin":{"token":"a","token_env":"T"}})", "admin: at most one of token, token_file, token_env may be set"},
        {R"({"admin":{"token":1}})", "admin.token: expected a string or null"},
        {R"({"admin":{"token":""}})", "admin.token: must not be empty (use null to unset)"},
        {R"({"admin":{"token_file":[]}})", "admin.token_file: expected a string or null"},
        {R"({"admin":{"token_env":""}})", "admin.token_env: must not be empty (use null to unset)"},
        {R"({"admin":{"body_limit_bytes":0}})", "admin.body_limit_bytes: must be positive"},
        {R"({"admin":{"body_limit_bytes":"8M"}})", "admin.body_limit_bytes: expected a non-negative integer"},
        {R"({"admin":{"header_timeout_ms":0}})", "admin.header_timeout_ms: must be positive"},
        {R"({"admin":{"idle_timeout_ms":0}})", "admin.idle_timeout_ms: must be positive"},
        {R"({"admin":{"drain_timeout_ms":0}})", "admin.drain_timeout_ms: must be positive"},
        {R"({"admin":{"drain_timeout_ms":1e4}})", "admin.drain_timeout_ms: expected a non-negative integer"},
        {R"({"admin":{"max_connections":0}})", "admin.max_connections: must be positive"},
        {R"({"admin":{"max_connections":-5}})", "admin.max_connections: expected a non-negative integer"},
        {R"({"admin":{"cors_origins":"*"}})", "admin.cors_origins: expected an array of strings"},
        {R"({"admin":{"cors_origins":["*",1]}})", "admin.cors_origins[1]: expected a string"},
        {R"({"admin":{"cors_origins":[""]}})", "admin.cors_origins[0]: must not be empty"},
        // log
        {R"({"log":{"level":"verbose"}})", "log.level: expected one of trace, debug, info, warn, error, critical, off"},
        {R"({"log":{"level":"INFO"}})", "log.level: expected one of trace, debug, info, warn, error, critical, off"},
        {R"({"log":{"level":3}})", "log.level: expected a string"},
    };
    for (const auto& [text, message] : cases) expect_error(text, message);
}

BOOST_AUTO_TEST_CASE(first_mistake_in_document_order_wins) {
    expect_error(R"({"log":{"level":"x"},"tokn":1})", "log.level: expected one of trace, debug, info, warn, error, critical, off");
    expect_error(R"({"tokn":1,"log":{"level":"x"}})", "tokn: unknown key");
}

BOOST_AUTO_TEST_CASE(random_mutations_never_crash) {
    const std::string base = read_source_file("config/routecatd.json");
    std::mt19937_64 rng(11);
    std::uniform_int_distribution<int> byte(0, 255), op(0, 2), count(1, 4);
    int accepted = 0;
    for (int i = 0; i < 10000; ++i) {
        std::string text = base;
        for (int n = count(rng); n > 0 && !text.empty(); --n) {
            const std::size_t at = std::uniform_int_distribution<std::size_t>(0, text.size() - 1)(rng);
            switch (op(rng)) {
                case 0: text[at] = static_cast<char>(byte(rng)); break;
                case 1: text.erase(at, 1); break;
                default: text.insert(at, 1, "{}[]\",:0-9.ntf"[byte(rng) % 15]); break;
            }
        }
        std::string error;
        auto c = parse_daemon_config(text, error);
        if (c) {
            ++accepted;
        } else {
            BOOST_REQUIRE(c.error() == make_error_code(errc::invalid_config));
            BOOST_REQUIRE(!error.empty());
        }
    }
    BOOST_TEST(accepted > 0);
}

BOOST_AUTO_TEST_CASE(listen_argument) {
    std::string error;
    const std::vector<std::tuple<std::string_view, std::string_view, std::uint16_t>> good{
        {"127.0.0.1:8080", "127.0.0.1", 8080}, {"0.0.0.0:0", "0.0.0.0", 0},   {"[::1]:9000", "::1", 9000},
        {"[::]:65535", "::", 65535},           {"10.1.2.3:08080", "10.1.2.3", 8080},
    };
    for (const auto& [text, address, port] : good) {
        auto l = parse_listen(text, error);
        BOOST_TEST_REQUIRE(l.has_value(), "rejected " << text << ": " << error);
        BOOST_TEST(l->address == address);
        BOOST_TEST(l->port == port);
    }
    const std::vector<std::pair<std::string_view, std::string_view>> bad{
        {"", "--listen: expected ADDR:PORT (e.g. 127.0.0.1:8080 or [::1]:9000)"},
        {"8080", "--listen: expected ADDR:PORT (e.g. 127.0.0.1:8080 or [::1]:9000)"},
        {":8080", "--listen: expected ADDR:PORT (e.g. 127.0.0.1:8080 or [::1]:9000)"},
        {"[::1]9000", "--listen: expected ADDR:PORT (e.g. 127.0.0.1:8080 or [::1]:9000)"},
        {"[]:80", "--listen: expected ADDR:PORT (e.g. 127.0.0.1:8080 or [::1]:9000)"},
        {"[::1]", "--listen: expected ADDR:PORT (e.g. 127.0.0.1:8080 or [::1]:9000)"},
        {"127.0.0.1:", "--listen: the port must be a number from 0 to 65535"},
        {"127.0.0.1:65536", "--listen: the port must be a number from 0 to 65535"},
        {"127.0.0.1:123456", "--listen: the port must be a number from 0 to 65535"},
        {"127.0.0.1:-1", "--listen: the port must be a number from 0 to 65535"},
        {"127.0.0.1:80x", "--listen: the port must be a number from 0 to 65535"},
        {"127.0.0.1: 80", "--listen: the port must be a number from 0 to 65535"},
        {"[::1]:http", "--listen: the port must be a number from 0 to 65535"},
        {"::1:9000", "--listen: an IPv6 address must be in brackets (e.g. [::1]:9000)"},
        {"[127.0.0.1]:80", "--listen: brackets are only for IPv6 addresses"},
        {"localhost:80", "--listen: \"localhost\" is not an IP address"},
        {"256.0.0.1:80", "--listen: \"256.0.0.1\" is not an IP address"},
        {"[::g]:80", "--listen: \"::g\" is not an IP address"},
    };
    for (const auto& [text, message] : bad) {
        auto l = parse_listen(text, error);
        BOOST_TEST_REQUIRE(!l.has_value(), "accepted " << text);
        BOOST_TEST(l.error() == make_error_code(errc::invalid_config));
        BOOST_TEST(error == message, "for " << text);
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace routecat::daemon
