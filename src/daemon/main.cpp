// routecatd: the route catalog daemon. Wires a store, the engine, the catalog watcher and the admin
// HTTP server from a JSON config (DESIGN.md "Daemon and set-up").
//
// Exit codes: 0 after a clean shutdown (SIGINT/SIGTERM) or --check-config/--help/--version;
// 1 when start-up fails at run time (data directory locked, port in use, store unreachable);
// 2 for a bad command line or config.

#include "routecat/admin/router.hpp"
#include "routecat/admin/server.hpp"
#include "routecat/catalog/catalog_watcher.hpp"
#include "routecat/keyviz_clock.hpp"
#include "routecat/catalog/catalog_loader.hpp"
#include "routecat/daemon/config.hpp"
#include "routecat/detail/change_notifier.hpp"
#include "routecat/error.hpp"
#include "routecat/store/make_store.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace asio = boost::asio;
using namespace routecat;

namespace {

constexpr const char* kVersion = "routecatd 0.1.0";

constexpr const char* kUsage = R"(usage: routecatd [--config FILE] [--listen ADDR:PORT] [--data-dir DIR]
                 [--check-config] [--help] [--version]

Serves the routecat admin API over a durable route catalog.

  --config FILE      JSON config (see config/routecatd.json); without it the embedded
                     default runs: RocksDB under ./data/routecat, 127.0.0.1:8080
  --listen ADDR:PORT override listen.address and listen.port (port 0: any free port)
  --data-dir DIR     override store.path (RocksDB store)
  --check-config     validate the config and exit (0 valid, 2 invalid)
  --help, --version  print and exit

Exit codes: 0 clean shutdown, 1 start-up failure, 2 bad command line or config.
)";

struct CommandLine {
    std::optional<std::string> config_file, listen, data_dir;
    bool check_config = false, help = false, version = false;
};

std::optional<CommandLine> parse_command_line(int argc, char** argv, std::string& error) {
    CommandLine cl;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&](std::optional<std::string>& out) {
            if (i + 1 >= argc) {
                error = std::string(arg) + " needs a value";
                return false;
            }
            out = argv[++i];
            return true;
        };
        if (arg == "--config") {
            if (!value(cl.config_file)) return std::nullopt;
        } else if (arg == "--listen") {
            if (!value(cl.listen)) return std::nullopt;
        } else if (arg == "--data-dir") {
            if (!value(cl.data_dir)) return std::nullopt;
        } else if (arg == "--check-config") {
            cl.check_config = true;
        } else if (arg == "--help" || arg == "-h") {
            cl.help = true;
        } else if (arg == "--version") {
            cl.version = true;
        } else {
            error = "unknown argument " + std::string(arg);
            return std::nullopt;
        }
    }
    return cl;
}

// The config the command line asks for: the file (or the embedded default) plus the overrides.
std::optional<daemon::DaemonConfig> load_config(const CommandLine& cl, std::string& error) {
    std::string text = "{}";
    if (cl.config_file) {
        std::ifstream in(*cl.config_file);
        if (!in) {
            error = "cannot read config file " + *cl.config_file;
            return std::nullopt;
        }
        std::ostringstream buffer;
        buffer << in.rdbuf();
        text = buffer.str();
    }
    auto config = daemon::parse_daemon_config(text, error);
    if (!config) {
        if (cl.config_file) error = *cl.config_file + ": " + error;
        return std::nullopt;
    }
    if (cl.listen) {
        auto listen = daemon::parse_listen(*cl.listen, error);
        if (!listen) return std::nullopt;  // the message names --listen
        config->listen = *listen;
    }
    if (cl.data_dir) {
        if (cl.data_dir->empty()) {
            error = "--data-dir: must not be empty";
            return std::nullopt;
        }
        config->store.rocksdb.path = *cl.data_dir;
    }
    return *config;
}

bool is_loopback(const std::string& address) {
    boost::system::error_code ec;
    auto a = asio::ip::make_address(address, ec);
    return !ec && a.is_loopback();
}

std::shared_ptr<Engine> build_engine(const daemon::EngineConfig& config, std::shared_ptr<spdlog::logger> log) {
    EngineOptions options = config.options;
    options.on_split_capped = std::make_shared<const SplitCappedHandler>([log](std::string_view why) {
        log->warn("hotspot split skipped: {} (counted in routecat_engine{{what=\"skipped_splits\"}}; "
                  "engine.max_split_key_bytes, engine.max_access_split_routes)", why);
    });
    if (config.bootstrap_routes.empty()) return Engine::with_default_route(options);
    auto engine = std::make_shared<Engine>(options);
    engine->update_routes(config.bootstrap_routes);  // one publish, states kept
    return engine;
}

// A secret from a file (trailing newlines dropped) or an environment variable, whichever is set;
// nothing when neither is. A file or variable that yields no secret is an error naming
// "<field>_file" or "<field>_env".
std::optional<std::optional<std::string>> read_secret(const std::optional<std::string>& file,
                                                      const std::optional<std::string>& env, const std::string& field,
                                                      std::string& error) {
    std::string secret;
    if (file) {
        std::ifstream in(*file);
        if (!in) {
            error = field + "_file: cannot read " + *file;
            return std::nullopt;
        }
        std::ostringstream buffer;
        buffer << in.rdbuf();
        secret = buffer.str();
        while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
        if (secret.empty()) error = field + "_file: " + *file + " is empty";
    } else if (env) {
        const char* value = std::getenv(env->c_str());
        secret = value ? value : "";
        if (secret.empty()) error = field + "_env: environment variable " + *env + " is unset or empty";
    } else {
        return std::optional<std::string>();
    }
    if (secret.empty()) return std::nullopt;
    return std::optional<std::string>(secret);
}

// The admin token from exactly one of admin.token, admin.token_file or admin.token_env.
std::optional<std::optional<std::string>> resolve_token(const daemon::AdminConfig& admin, std::string& error) {
    if (admin.api.token) return admin.api.token;
    return read_secret(admin.token_file, admin.token_env, "admin.token", error);
}

// How long a stopping daemon waits for the watcher's run() to end after stop().
constexpr std::chrono::milliseconds kWatcherStopGrace{2000};

// The catalog's load and then the watcher's run() have ended (their completion handler says so, from
// any thread).
struct WatcherEnd {
    std::atomic<bool> ended{false};
    detail::ChangeNotifier changed;
};

// After the first signal: requests in flight get drain, then the watcher stops (a store call in flight
// gets a bounded wait), then everything still pending is dropped.
asio::awaitable<void> shut_down(std::shared_ptr<admin::Server> server, std::chrono::milliseconds drain,
                                std::shared_ptr<CatalogWatcher> watcher, WatcherEnd& watcher_end,
                                asio::signal_set& signals, asio::io_context& io, std::shared_ptr<spdlog::logger> log) {
    co_await server->drain(drain);
    watcher->stop();
    auto ended = [&watcher_end] { return watcher_end.ended.load(); };
    if (!co_await watcher_end.changed.wait_until(ended, kWatcherStopGrace))
        log->warn("catalog watcher still busy after {} ms; stopping anyway", kWatcherStopGrace.count());
    signals.cancel();
    io.stop();
}

// Loads the catalog, retrying while the store cannot be read, then follows it with the watcher (also
// after an invalid catalog, so a repair reaches the engine). Nothing when stopped before it loaded.
asio::awaitable<void> load_then_watch(std::shared_ptr<CatalogLoader> loader, std::shared_ptr<CatalogWatcher> watcher,
                                      std::shared_ptr<Engine> engine, std::shared_ptr<spdlog::logger> log) {
    const CatalogLoader::State state = co_await loader->run();
    if (state == CatalogLoader::State::loading) co_return;
    if (state == CatalogLoader::State::loaded)
        log->info("catalog version {} with {} routes", engine->version(), engine->table()->size());
    co_await watcher->run();
}

// Wires a store, the engine, the watcher and the admin server from config and serves until
// SIGINT/SIGTERM. The exit code.
int run_daemon(daemon::DaemonConfig config) {
    auto log = spdlog::default_logger();
    const unsigned threads = config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
    // One io_context per thread: `io` (this thread) runs the store, the watcher and signals and
    // serves connections like the others; connections go to the contexts in turn and stay there,
    // so a connection needs no strand and the threads share no queue.
    asio::io_context io(1);
    std::vector<std::unique_ptr<asio::io_context>> more_io;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
    std::vector<asio::any_io_executor> session_executors{io.get_executor()};
    for (unsigned i = 1; i < threads; ++i) {
        more_io.push_back(std::make_unique<asio::io_context>(1));
        keep_running.push_back(asio::make_work_guard(*more_io.back()));
        session_executors.push_back(more_io.back()->get_executor());
    }
    asio::thread_pool blocking(2);  // RocksDB calls never run on the threads that serve HTTP

    std::string error;
    auto store = make_store(config.store, io.get_executor(), blocking.get_executor(), &error);
    if (!store) {
        log->critical("store: {}", error);
        return store.error() == errc::invalid_config ? 2 : 1;
    }
    log->info("store: {}", describe(config.store));

    CatalogStoreOptions catalog_options;
    catalog_options.delta_log = true;  // §11's log: watchers and feeds can follow changes as themselves
    CatalogStore catalog(*store, catalog_options);
    auto engine = build_engine(config.engine, log);
    config.watcher.logger = log;
    auto watcher = std::make_shared<CatalogWatcher>(catalog, engine, config.watcher);

    CatalogLoaderOptions loader_options;
    loader_options.logger = log;
    auto loader = std::make_shared<CatalogLoader>(catalog, engine, loader_options);

    admin::AdminContext context;
    context.catalog = catalog;
    context.engine = engine;
    context.watcher = watcher;
    context.options = config.admin.api;
    context.metrics = std::make_shared<admin::Metrics>();
    context.shutdown = std::make_shared<admin::Shutdown>();
    context.loader = loader;
    context.store_kind = config.store.kind == StoreKind::memory    ? "memory"
                         : config.store.kind == StoreKind::rocksdb ? "rocksdb"
                                                                   : "etcd";
    auto server = std::make_shared<admin::Server>(io.get_executor(), config.admin.server,
                                                  [context](admin::Request req) {
                                                      return admin::handle_admin_request(context, std::move(req));
                                                  });
    server->serve_sessions_on(session_executors);
    server->answer_quickly_with([context](const admin::Request& req) { return admin::handle_admin_request_now(context, req); });
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(config.listen.address, ec);
    if (ec) {
        log->critical("listen.address {}: {}", config.listen.address, ec.message());
        return 2;
    }
    auto bound = server->listen({address, config.listen.port});
    if (!bound) {
        log->critical("cannot listen on {}:{}: {}", config.listen.address, config.listen.port, bound.error().message());
        return 1;
    }
    log->info("listening on {}:{}", bound->address().to_string(), bound->port());

    // Serving starts before the catalog has loaded: /healthz answers, /readyz says what is missing.
    WatcherEnd watcher_end;
    asio::co_spawn(io, load_then_watch(loader, watcher, engine, log), [&watcher_end, log](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                log->error("catalog watcher: {}", ex.what());
            }
        }
        watcher_end.ended.store(true);
        watcher_end.changed.notify();
    });
    asio::co_spawn(io, server->run(), asio::detached);
    asio::cancellation_signal stop_keyviz_clock;  // the clock's timer would keep io running
    asio::co_spawn(io, run_keyviz_clock(engine), asio::bind_cancellation_slot(stop_keyviz_clock.slot(), asio::detached));

    // SIGINT/SIGTERM: long polls answer at once, new connections are refused, requests in flight get
    // drain_timeout_ms, then the watcher stops. A second signal exits at once.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& error, int signal) {
        if (error) return;
        log->info("signal {}: draining connections (up to {} ms)", signal, config.admin.drain_timeout.count());
        context.shutdown->begin();
        server->stop();
        stop_keyviz_clock.emit(asio::cancellation_type::terminal);
        signals.async_wait([log](const boost::system::error_code& again, int second) {
            if (again) return;
            log->critical("signal {} again: exiting at once", second);
            log->flush();
            std::_Exit(1);
        });
        loader->stop();
        asio::co_spawn(io, shut_down(server, config.admin.drain_timeout, watcher, watcher_end, signals, io, log),
                       asio::detached);
    });

    std::vector<std::thread> pool;
    for (auto& context : more_io) pool.emplace_back([&context] { context->run(); });
    io.run();
    for (auto& context : more_io) context->stop();  // the drain is over: what is left is dropped
    for (auto& t : pool) t.join();
    blocking.join();
    log->info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    auto logger = std::make_shared<spdlog::logger>("routecatd", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    spdlog::set_default_logger(logger);

    std::string error;
    auto cl = parse_command_line(argc, argv, error);
    if (!cl) {
        std::cerr << "routecatd: " << error << "\n" << kUsage;
        return 2;
    }
    if (cl->help) {
        std::cout << kUsage;
        return 0;
    }
    if (cl->version) {
        std::cout << kVersion << "\n";
        return 0;
    }
    auto config = load_config(*cl, error);
    if (!config) {
        std::cerr << "routecatd: invalid config: " << error << "\n";
        return 2;
    }
    const bool has_token = config->admin.api.token || config->admin.token_file || config->admin.token_env;
    if (!is_loopback(config->listen.address) && !has_token) {
        std::cerr << "routecatd: invalid config: listen.address: refusing to listen on " << config->listen.address
                  << " without an admin token (admin.token, admin.token_file or admin.token_env)\n";
        return 2;
    }
    if (!is_loopback(config->listen.address) && config->admin.api.allowed_hosts.empty()) {
        std::cerr << "routecatd: invalid config: admin.allowed_hosts: refusing to listen on " << config->listen.address
                  << " without the host names clients reach it by (requests naming any other host are refused)\n";
        return 2;
    }
    auto token = resolve_token(config->admin, error);
    auto store_password = read_secret(config->store_password.file, config->store_password.env, "store.password", error);
    if (!token || !store_password) {
        std::cerr << "routecatd: invalid config: " << error << "\n";
        return 2;
    }
    if (cl->check_config) {
        std::cout << "config OK\n";
        return 0;
    }
    config->admin.api.token = *token;
    config->store.etcd.password = *store_password;
    config->admin.api.listen_address = config->listen.address;
    spdlog::set_level(spdlog::level::from_str(config->log.level));
    try {
        return run_daemon(std::move(*config));
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}
