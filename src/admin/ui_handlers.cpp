#include "admin/ui_handlers.hpp"

#include "admin/etag.hpp"
#include "admin/ui_assets.hpp"
#include "routecat/admin/responses.hpp"

#include <boost/beast/http/field.hpp>

#include <string>

namespace routecat::admin::ui {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kPrefix = "/ui/";

Response redirect(const Request& req, http::status status, std::string_view location) {
    Response res{status, req.version()};
    res.keep_alive(req.keep_alive());
    res.set(http::field::location, location);
    res.prepare_payload();
    return res;
}

// What every file (and its 304) carries: the page may load only this server's files, is never
// framed or sniffed as another type, and is revalidated on each load (a new binary, new files).
void set_file_headers(Response& res, const Asset& asset) {
    res.set("Content-Security-Policy", kContentSecurityPolicy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set(http::field::cache_control, "no-cache");
    res.set(http::field::etag, asset.etag);
}

Response file(const Request& req, const Asset& asset) {
    const auto if_none_match = req.find(http::field::if_none_match);
    if (if_none_match != req.end() && etag::none_match(if_none_match->value(), asset.etag)) {
        Response res = etag::not_modified(req, asset.etag);
        set_file_headers(res, asset);
        return res;
    }
    Response res{http::status::ok, req.version()};
    res.keep_alive(req.keep_alive());
    res.set(http::field::content_type, asset.content_type);
    set_file_headers(res, asset);
    res.body().assign(asset.body.data(), asset.body.size());
    res.prepare_payload();
    return res;
}

}  // namespace

bool is_console_path(std::string_view path) {
    return path == "/" || path == "/ui" || path.starts_with(kPrefix);
}

Response answer(const Request& req, std::string_view path) {
    if (req.method() != http::verb::get) {
        auto res = json_error(req, http::status::method_not_allowed, "method_not_allowed",
                              std::string(req.method_string()) + " is not allowed here; allowed: GET");
        res.set(http::field::allow, "GET");
        return res;
    }
    if (path == "/") return redirect(req, http::status::found, kPrefix);
    if (path == "/ui") return redirect(req, http::status::permanent_redirect, kPrefix);
    // Only a name in the embedded table is served: "..", "//", "%00" and the like name nothing there.
    std::string_view name = path.substr(kPrefix.size());
    if (name.empty()) name = "index.html";
    if (const Asset* asset = find_asset(name)) return file(req, *asset);
    return json_error(req, http::status::not_found, "not_found", "no such file: " + std::string(path));
}

}  // namespace routecat::admin::ui
