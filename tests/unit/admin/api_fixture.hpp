#pragma once
// Fixture of the admin API handler tests: a memory-backed catalog, an engine loaded from it, and
// call(), which answers one request as routecatd does (handle_admin_request_now, else
// handle_admin_request; no sockets) and parses the JSON reply.

#include "support/builders.hpp"
#include "support/printers.hpp"
#include "support/run.hpp"

#include "routecat/admin/router.hpp"
#include "routecat/catalog/ensure_catalog_snapshot.hpp"
#include "routecat/store/memory_store.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <string>

namespace routecat::test {

struct ApiReply {
    unsigned status = 0;
    boost::json::value json;  // null when the body is not JSON
    admin::Response raw;
    admin::BodyStream stream;  // a streamed reply's body (GET /v1/catalog/changes/stream)

    // {"error":{"code":...}} of an error reply, empty otherwise.
    std::string error_code() const {
        if (!json.is_object() || !json.as_object().contains("error")) return {};
        return std::string(json.at("error").at("code").as_string());
    }
};

struct ApiFixture {
    boost::asio::io_context io;
    std::shared_ptr<MemoryStore> store = std::make_shared<MemoryStore>();
    admin::AdminContext ctx = [this] {
        admin::AdminContext c;
        c.catalog = CatalogStore(store);
        c.engine = Engine::with_default_route();
        return c;
    }();

    ApiFixture() { run(io, ensure_catalog_snapshot(ctx.catalog, ctx.engine)); }  // version 1, one route

    ApiReply call(boost::beast::http::verb method, const std::string& target, const std::string& body = {},
                  const std::map<std::string, std::string>& headers = {}) {
        namespace http = boost::beast::http;
        admin::Request req{method, target, 11};
        // What every client sends; headers may replace them.
        req.set(http::field::host, "localhost");
        if (!body.empty() || method == http::verb::put || method == http::verb::post || method == http::verb::patch)
            req.set(http::field::content_type, "application/json");
        for (const auto& [k, v] : headers) req.set(k, v);
        req.body() = body;
        req.prepare_payload();
        ApiReply reply;
        // As routecatd serves: at once when the request needs no waiting, else the coroutine.
        std::optional<admin::Reply> now = admin::handle_admin_request_now(ctx, req);
        admin::Reply whole = now ? std::move(*now) : run(io, admin::handle_admin_request(ctx, std::move(req)));
        reply.raw = std::move(whole.response);
        reply.stream = std::move(whole.stream);
        reply.status = reply.raw.result_int();
        boost::system::error_code ec;
        reply.json = boost::json::parse(reply.raw.body(), ec);
        return reply;
    }
    ApiReply get(const std::string& target, const std::map<std::string, std::string>& headers = {}) {
        return call(boost::beast::http::verb::get, target, {}, headers);
    }
    ApiReply put(const std::string& target, const std::string& body, const std::map<std::string, std::string>& headers = {}) {
        return call(boost::beast::http::verb::put, target, body, headers);
    }
    ApiReply patch(const std::string& target, const std::string& body, const std::map<std::string, std::string>& headers = {}) {
        return call(boost::beast::http::verb::patch, target, body, headers);
    }
    ApiReply post(const std::string& target, const std::string& body, const std::map<std::string, std::string>& headers = {}) {
        return call(boost::beast::http::verb::post, target, body, headers);
    }

    // Saves routes as the next catalog version and applies it to the engine.
    CatalogSnapshot save_and_apply(std::vector<RouteDescriptor> routes) {
        const std::uint64_t v = run(io, ctx.catalog.version());
        auto saved = run(io, ctx.catalog.save(v, std::move(routes)));
        if (auto ec = ctx.engine->apply_snapshot(saved)) throw boost::system::system_error(ec);
        return saved;
    }
};

}  // namespace routecat::test
