#include "scale_daemon.hpp"

#include "catalog_places.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace routecat::bench::scale {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;

struct Daemon::Connection {
    asio::io_context io;
    beast::tcp_stream stream{io};
    beast::flat_buffer buffer;

    explicit Connection(unsigned short port) {
        stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port));
    }
};

Daemon::Daemon(const test::TempDir& dir, const std::string& name, boost::json::object store) {
    boost::json::object admin{{"body_limit_bytes", kAdminBodyLimitBytes},
                              {"inflight_body_limit_bytes", kAdminInflightBodyLimitBytes}};
    boost::json::object config{{"listen", boost::json::object{{"address", "127.0.0.1"}, {"port", 0}}},
                               {"store", std::move(store)},
                               {"admin", std::move(admin)},
                               {"log", boost::json::object{{"level", "info"}}}};  // "listening on" gives the port
    const std::string path = dir.str() + "/" + name + ".json";
    std::ofstream(path) << boost::json::serialize(config);
    process_ = std::make_unique<test::Process>(ROUTECATD, std::vector<std::string>{"--config", path},
                                               dir.str() + "/" + name + ".log");
    const std::string marker = "listening on 127.0.0.1:";
    auto log = process_->wait_for_log(marker, 60s);
    if (!log) throw std::runtime_error(name + " did not start: " + process_->log());
    port_ = static_cast<unsigned short>(std::stoi(log->substr(log->find(marker) + marker.size())));
    connection_ = std::make_unique<Connection>(port_);
}

Daemon::~Daemon() = default;

double Daemon::rss_mib() const {
    std::ifstream in("/proc/" + std::to_string(process_->pid()) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // "VmRSS:  1234 kB"
    throw std::runtime_error("no VmRSS for pid " + std::to_string(process_->pid()));
}

double Daemon::cpu_seconds() const {
    std::ifstream in("/proc/" + std::to_string(process_->pid()) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // after "pid (comm) "
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i)
        if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime (proc(5))
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::uint64_t Daemon::wait_ready(std::uint64_t at_least, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const Reply r = request(http::verb::get, "/readyz");
        if (r.status == 200) {
            const auto version = boost::json::parse(r.body).at("version").to_number<std::uint64_t>();
            if (version >= at_least) return version;
        }
        if (process_->wait_exit(0ms))
            throw std::runtime_error("routecatd exited while loading: " + process_->log());
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("routecatd not ready at version " + std::to_string(at_least) +
                                     ": /readyz " + std::to_string(r.status) + " " + r.body);
        std::this_thread::sleep_for(50ms);
    }
}

Reply Daemon::request(http::verb method, const std::string& target, const std::string& body) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "localhost");
    req.keep_alive(true);
    if (!body.empty()) {
        req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
    }
    auto& c = *connection_;
    http::write(c.stream, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    http::read(c.stream, c.buffer, parser);
    return {parser.get().result_int(), std::move(parser.get().body())};
}

void Daemon::stop() {
    connection_.reset();
    process_->signal(SIGTERM);
    if (!process_->wait_exit(30s)) process_->signal(SIGKILL);
}

std::vector<RouteDescriptor> daemon_catalog(std::size_t n) { return catalog_routes(n, 12); }

std::string split_key_of(const RouteDescriptor& route) { return route.start + "5"; }  // start < key < end

std::string split_body(std::uint64_t expected_version, std::uint64_t route_id, const std::string& split_key_text) {
    return boost::json::serialize(boost::json::object{
        {"expected_version", expected_version}, {"route_id", route_id}, {"split_key_text", split_key_text}});
}

}  // namespace routecat::bench::scale
