#include "routecat/daemon/config.hpp"

#include "routecat/json/fields.hpp"
#include "routecat/json/route_json.hpp"
#include "routecat/error.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <type_traits>
#include <functional>
#include <utility>

namespace routecat::daemon {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
constexpr std::uint64_t kMaxThreads = 1024;

bool is_ip_address(std::string_view text) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(std::string(text), ec);
    return !ec;
}

// One "key: handler" table per JSON object; handlers get the value and its dotted path.
using Handler = std::function<bool(const json::value&, const std::string&)>;
using Fields = std::vector<std::pair<std::string_view, Handler>>;

class Parser {
public:
    explicit Parser(std::string& error) : error_(error) {}

    bool fail(std::string_view path, std::string_view what) {
        error_ = std::string(path) + ": " + std::string(what);
        return false;
    }

    // An object whose every key has a handler; handlers run in document order, and an unknown key
    // fails where it stands.
    bool object(const json::value& v, std::string_view path, const Fields& fields) {
        if (!v.is_object()) return fail(path, "expected an object");
        std::vector<std::string_view> names;
        for (const auto& f : fields) names.push_back(f.first);
        const auto unknown = unknown_fields(v.get_object(), names);
        for (const auto& kv : v.get_object()) {
            if (!unknown.empty() && kv.key() == unknown.front()) return fail(field_path(path, kv.key()), "unknown key");
            auto it = std::find_if(fields.begin(), fields.end(),
                                   [&](const auto& f) { return f.first == std::string_view(kv.key()); });
            if (!it->second(kv.value(), field_path(path, kv.key()))) return false;
        }
        return true;
    }

    bool u64(const json::value& v, const std::string& path, std::uint64_t& out) {
        std::string message;
        auto n = u64_from_json(v, path, message);
        if (!n) {
            error_ = std::move(message);
            return false;
        }
        out = *n;
        return true;
    }

    bool positive(const json::value& v, const std::string& path, std::uint64_t& out) {
        if (!u64(v, path, out)) return false;
        if (out == 0) return fail(path, "must be positive");
        return true;
    }

    bool at_most(const json::value& v, const std::string& path, std::uint64_t max, std::uint64_t& out) {
        if (!u64(v, path, out)) return false;
        if (out > max) return fail(path, "must be at most " + std::to_string(max));
        return true;
    }

    bool duration(const json::value& v, const std::string& path, bool require_positive, milliseconds& out) {
        std::uint64_t n = 0;
        if (!u64(v, path, n)) return false;
        if (require_positive && n == 0) return fail(path, "must be positive");
        if (n > kMaxDurationMs) return fail(path, "must be at most " + std::to_string(kMaxDurationMs) + " (one year)");
        out = milliseconds(static_cast<milliseconds::rep>(n));
        return true;
    }

    bool string(const json::value& v, const std::string& path, std::string& out) {
        if (!v.is_string()) return fail(path, "expected a string");
        out = std::string(v.get_string());
        return true;
    }

    // null = unset; a present value must be a non-empty string.
    bool optional_string(const json::value& v, const std::string& path, std::optional<std::string>& out) {
        if (v.is_null()) {
            out.reset();
            return true;
        }
        if (!v.is_string()) return fail(path, "expected a string or null");
        if (v.get_string().empty()) return fail(path, "must not be empty (use null to unset)");
        out = std::string(v.get_string());
        return true;
    }

    bool string_array(const json::value& v, const std::string& path, std::vector<std::string>& out) {
        if (!v.is_array()) return fail(path, "expected an array of strings");
        std::vector<std::string> items;
        const json::array& a = v.get_array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!a[i].is_string()) return fail(element_path(path, i), "expected a string");
            items.emplace_back(a[i].get_string());
        }
        out = std::move(items);
        return true;
    }

    bool listen(const json::value& v, const std::string& path, ListenConfig& out) {
        return object(v, path,
                      {{"address",
                        [&](const json::value& x, const std::string& p) {
                            if (!string(x, p, out.address)) return false;
                            if (!is_ip_address(out.address))
                                return fail(p, "expected an IP address (e.g. 127.0.0.1 or ::1)");
                            return true;
                        }},
                       {"port", [&](const json::value& x, const std::string& p) {
                            std::uint64_t n = 0;
                            if (!at_most(x, p, 65535, n)) return false;
                            out.port = static_cast<std::uint16_t>(n);
                            return true;
                        }}});
    }

    bool store(const json::value& v, const std::string& path, StoreConfig& out, StorePasswordSource& password) {
        const bool ok = object(
            v, path,
            {{"kind",
              [&](const json::value& x, const std::string& p) {
                  if (!x.is_string()) return fail(p, "expected a string");
                  const std::string_view kind = x.get_string();
                  if (kind == "rocksdb") out.kind = StoreKind::rocksdb;
                  else if (kind == "memory") out.kind = StoreKind::memory;
                  else if (kind == "etcd") out.kind = StoreKind::etcd;
                  else return fail(p, "expected one of rocksdb, memory, etcd");
                  return true;
              }},
             {"path", [&](const json::value& x, const std::string& p) { return string(x, p, out.rocksdb.path); }},
             {"endpoints",
              [&](const json::value& x, const std::string& p) { return string_array(x, p, out.etcd.endpoints); }},
             {"prefix", [&](const json::value& x, const std::string& p) { return string(x, p, out.etcd.prefix); }},
             {"token", [&](const json::value& x, const std::string& p) { return optional_string(x, p, out.etcd.token); }},
             {"username",
              [&](const json::value& x, const std::string& p) { return optional_string(x, p, out.etcd.username); }},
             {"password_file",
              [&](const json::value& x, const std::string& p) { return optional_string(x, p, password.file); }},
             {"password_env",
              [&](const json::value& x, const std::string& p) { return optional_string(x, p, password.env); }},
             {"request_timeout_ms", [&](const json::value& x, const std::string& p) {
                  return duration(x, p, true, out.etcd.request_timeout);
              }},
             {"retain_versions", [&](const json::value& x, const std::string& p) { return u64(x, p, out.retain_versions); }},
             {"compact_every_revisions", [&](const json::value& x, const std::string& p) {
                  return u64(x, p, out.etcd.compact_every_revisions);
              }}});
        if (!ok) return false;
        if (out.kind == StoreKind::rocksdb && out.rocksdb.path.empty())
            return fail(field_path(path, "path"), "must not be empty for the rocksdb store");
        const bool has_password = password.file || password.env;
        if (password.file && password.env)
            return fail(field_path(path, "password_env"), "not together with password_file: set one of them");
        if (out.etcd.username) {
            if (out.etcd.token) return fail(field_path(path, "token"), "not together with username: set one of them");
            if (!has_password)
                return fail(field_path(path, "username"), "needs password_file or password_env (the password's source)");
        } else if (has_password) {
            return fail(field_path(path, password.file ? "password_file" : "password_env"), "needs username");
        }
        if (out.kind == StoreKind::etcd) {
            if (out.etcd.endpoints.empty())
                return fail(field_path(path, "endpoints"), "the etcd store needs at least one endpoint");
            if (out.etcd.prefix.empty())
                return fail(field_path(path, "prefix"), "must not be empty: every catalog key lives under it");
            for (std::size_t i = 0; i < out.etcd.endpoints.size(); ++i)
                if (!is_http_endpoint(out.etcd.endpoints[i]))
                    return fail(element_path(field_path(path, "endpoints"), i),
                                "expected an http:// URL (e.g. http://127.0.0.1:2379)");
        }
        return true;
    }

    static bool is_http_endpoint(std::string_view s) {
        if (!s.starts_with("http://")) return false;
        auto u = boost::urls::parse_uri(s);
        if (!u) return false;
        if (u->encoded_host().empty()) return false;
        // etcd's gateway paths are fixed (/v3/...): a base path, query or credentials would be ignored.
        if (!(u->encoded_path().empty() || u->encoded_path() == "/") || u->has_query() || u->has_fragment() ||
            u->has_userinfo())
            return false;
        if (u->has_port()) {
            // Boost.URL's grammar allows any digit string; port_number() wraps above 65535.
            const auto port = u->port();
            if (port.empty() || port.size() > 5) return false;
            unsigned long n = 0;
            for (char c : port) n = n * 10 + static_cast<unsigned long>(c - '0');
            if (n == 0 || n > 65535) return false;
        }
        return true;
    }

    bool watcher(const json::value& v, const std::string& path, CatalogWatcherOptions& out) {
        return object(v, path,
                      {{"interval_ms",
                        [&](const json::value& x, const std::string& p) { return duration(x, p, true, out.interval); }},
                       {"max_backoff_ms",
                        [&](const json::value& x, const std::string& p) {
                            return duration(x, p, false, out.max_backoff);
                        }},
                       {"push", [&](const json::value& x, const std::string& p) {
                            if (!x.is_bool()) return fail(p, "expected true or false");
                            out.push = x.get_bool();
                            return true;
                        }}});
    }

    bool bootstrap_routes(const json::value& v, const std::string& path, std::vector<RouteDescriptor>& out) {
        if (!v.is_array()) return fail(path, "expected an array of route objects");
        std::vector<RouteDescriptor> routes;
        const json::array& a = v.get_array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            const std::string p = element_path(path, i);
            if (a[i].is_object() && a[i].get_object().contains("route_id"))
                return fail(field_path(p, "route_id"), "not allowed (route ids are assigned when the catalog is seeded)");
            std::string message;
            auto r = route_from_json(a[i], false, message, p);
            if (!r) {
                error_ = std::move(message);
                return false;
            }
            RouteDescriptor check = *r;
            check.route_id = 1;  // stand-in: ids are assigned at seeding
            if (auto ec = validate_route(check)) return fail(p, ec.message());
            routes.push_back(std::move(*r));
        }
        std::vector<const RouteDescriptor*> sorted;
        for (const auto& r : routes) sorted.push_back(&r);
        std::stable_sort(sorted.begin(), sorted.end(),
                         [](const RouteDescriptor* a, const RouteDescriptor* b) { return a->start < b->start; });
        for (std::size_t i = 1; i < sorted.size(); ++i) {
            const RouteDescriptor& prev = *sorted[i - 1];
            if (!prev.end || *prev.end > sorted[i]->start) return fail(path, "routes overlap");
        }
        out = std::move(routes);
        return true;
    }

    bool engine(const json::value& v, const std::string& path, EngineConfig& out) {
        return object(v, path,
                      {{"hotspot_threshold",
                        [&](const json::value& x, const std::string& p) { return u64(x, p, out.options.hotspot_threshold); }},
                       {"max_split_key_bytes",
                        [&](const json::value& x, const std::string& p) {
                            std::uint64_t n = 0;
                            if (!at_most(x, p, 1 << 20, n)) return false;
                            out.options.max_split_key_bytes = static_cast<std::size_t>(n);
                            return true;
                        }},
                       {"max_access_split_routes",
                        [&](const json::value& x, const std::string& p) {
                            return u64(x, p, out.options.max_access_split_routes);
                        }},
                       {"bootstrap_routes", [&](const json::value& x, const std::string& p) {
                            return bootstrap_routes(x, p, out.bootstrap_routes);
                        }}});
    }

    bool keyviz(const json::value& v, const std::string& path, KeyVizOptions& out) {
        auto in_range = [this](std::uint64_t min, std::uint64_t max, auto& field) {
            return [this, min, max, f = &field](const json::value& x, const std::string& p) {
                std::uint64_t n = 0;
                if (!at_most(x, p, max, n)) return false;
                if (n < min) return fail(p, "must be at least " + std::to_string(min));
                *f = static_cast<std::remove_reference_t<decltype(*f)>>(n);
                return true;
            };
        };
        if (!object(v, path,
                    {{"column_ms", in_range(100, 86'400'000, out.column_ms)},
                     {"columns", in_range(0, 100'000, out.columns)},
                     {"max_rows_per_column", in_range(1, 100'000, out.max_rows_per_column)}}))
            return false;
        // The ring's memory is about 120 bytes a row plus keys: bounded whatever the table's size.
        if (out.columns * out.max_rows_per_column > kMaxKeyVizRows)
            return fail(path, "columns x max_rows_per_column must be at most " + std::to_string(kMaxKeyVizRows));
        return true;
    }

    bool admin(const json::value& v, const std::string& path, AdminConfig& out) {
        auto size = [this](std::size_t& field) {
            return [this, f = &field](const json::value& x, const std::string& p) {
                std::uint64_t n = 0;
                if (!positive(x, p, n)) return false;
                *f = static_cast<std::size_t>(n);
                return true;
            };
        };
        auto ms = [this](milliseconds& field) {
            return [this, f = &field](const json::value& x, const std::string& p) { return duration(x, p, true, *f); };
        };
        auto opt = [this](std::optional<std::string>& field) {
            return [this, f = &field](const json::value& x, const std::string& p) { return optional_string(x, p, *f); };
        };
        const bool ok = object(
            v, path,
            {{"token", opt(out.api.token)},
             {"token_file", opt(out.token_file)},
             {"token_env", opt(out.token_env)},
             {"body_limit_bytes", size(out.server.body_limit_bytes)},
             {"header_timeout_ms", ms(out.server.header_timeout)},
             {"idle_timeout_ms", ms(out.server.idle_timeout)},
             {"max_connections", size(out.server.max_connections)},
             {"inflight_body_limit_bytes", size(out.server.inflight_body_limit_bytes)},
             {"drain_timeout_ms", ms(out.drain_timeout)},
             {"cors_origins", [&](const json::value& x, const std::string& p) {
                  if (!string_array(x, p, out.api.cors_origins)) return false;
                  for (std::size_t i = 0; i < out.api.cors_origins.size(); ++i)
                      if (out.api.cors_origins[i].empty()) return fail(element_path(p, i), "must not be empty");
                  return true;
              }},
             {"allowed_hosts", [&](const json::value& x, const std::string& p) {
                  if (!string_array(x, p, out.api.allowed_hosts)) return false;
                  for (std::size_t i = 0; i < out.api.allowed_hosts.size(); ++i) {
                      const std::string& host = out.api.allowed_hosts[i];
                      if (host.empty() || host.find_first_of(" \t/?#@") != std::string::npos)
                          return fail(element_path(p, i), "expected a host name (e.g. routecat.internal or 10.0.0.7)");
                  }
                  return true;
              }}});
        if (!ok) return false;
        const int set = int(out.api.token.has_value()) + int(out.token_file.has_value()) + int(out.token_env.has_value());
        if (set > 1) return fail(path, "at most one of token, token_file, token_env may be set");
        return true;
    }

    bool log(const json::value& v, const std::string& path, LogConfig& out) {
        return object(v, path, {{"level", [&](const json::value& x, const std::string& p) {
                                     if (!x.is_string()) return fail(p, "expected a string");
                                     const std::string_view level = x.get_string();
                                     if (std::find(std::begin(kLogLevels), std::end(kLogLevels), level) ==
                                         std::end(kLogLevels))
                                         return fail(p, "expected one of trace, debug, info, warn, error, critical, off");
                                     out.level = std::string(level);
                                     return true;
                                 }}});
    }

    bool config(const json::value& v, DaemonConfig& out) {
        if (!v.is_object()) return fail("config", "expected a JSON object");
        return object(
            v, "",
            {{"listen", [&](const json::value& x, const std::string& p) { return listen(x, p, out.listen); }},
             {"threads",
              [&](const json::value& x, const std::string& p) {
                  std::uint64_t n = 0;
                  if (!at_most(x, p, kMaxThreads, n)) return false;
                  out.threads = static_cast<unsigned>(n);
                  return true;
              }},
             {"store", [&](const json::value& x, const std::string& p) { return store(x, p, out.store, out.store_password); }},
             {"watcher", [&](const json::value& x, const std::string& p) { return watcher(x, p, out.watcher); }},
             {"engine", [&](const json::value& x, const std::string& p) { return engine(x, p, out.engine); }},
             {"keyviz",
              [&](const json::value& x, const std::string& p) { return keyviz(x, p, out.engine.options.keyviz); }},
             {"admin", [&](const json::value& x, const std::string& p) { return admin(x, p, out.admin); }},
             {"log", [&](const json::value& x, const std::string& p) { return log(x, p, out.log); }}});
    }

private:
    std::string& error_;
};

boost::system::error_code invalid(std::string& error, std::string message) {
    error = std::move(message);
    return errc::invalid_config;
}

}  // namespace

boost::system::result<DaemonConfig> parse_daemon_config(std::string_view json_text, std::string& error) {
    json::stream_parser parser;
    boost::system::error_code ec;
    const std::size_t consumed = parser.write(json_text.data(), json_text.size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) {
        const std::size_t offset = std::min(consumed, json_text.size());
        const std::string_view before = json_text.substr(0, offset);
        const std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
        const std::size_t last_nl = before.rfind('\n');
        const std::size_t column = last_nl == std::string_view::npos ? offset + 1 : offset - last_nl;
        return invalid(error, "config: invalid JSON at line " + std::to_string(line) + ", column " +
                                  std::to_string(column) + " (offset " + std::to_string(offset) +
                                  "): " + ec.message());
    }
    const json::value root = parser.release();

    DaemonConfig config;
    std::string message;
    if (!Parser(message).config(root, config)) return invalid(error, std::move(message));
    return config;
}

boost::system::result<ListenConfig> parse_listen(std::string_view text, std::string& error) {
    constexpr std::string_view kUsage = "--listen: expected ADDR:PORT (e.g. 127.0.0.1:8080 or [::1]:9000)";
    std::string_view address;
    std::string_view port;
    const bool bracketed = text.starts_with('[');
    if (bracketed) {
        const std::size_t close = text.find("]:");
        if (close == std::string_view::npos) return invalid(error, std::string(kUsage));
        address = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const std::size_t colon = text.rfind(':');
        if (colon == std::string_view::npos) return invalid(error, std::string(kUsage));
        address = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (address.empty()) return invalid(error, std::string(kUsage));
    const bool has_colon = address.find(':') != std::string_view::npos;
    if (bracketed && !has_colon) return invalid(error, "--listen: brackets are only for IPv6 addresses");
    if (!bracketed && has_colon)
        return invalid(error, "--listen: an IPv6 address must be in brackets (e.g. [::1]:9000)");
    if (!is_ip_address(address))
        return invalid(error, "--listen: \"" + std::string(address) + "\" is not an IP address");
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return invalid(error, "--listen: the port must be a number from 0 to 65535");
    const unsigned long n = std::stoul(std::string(port));
    if (n > 65535) return invalid(error, "--listen: the port must be a number from 0 to 65535");
    ListenConfig out;
    out.address = std::string(address);
    out.port = static_cast<std::uint16_t>(n);
    return out;
}

}  // namespace routecat::daemon
