#include "mirror/feed_reply.hpp"

#include "routecat/error.hpp"
#include "routecat/json/change_json.hpp"

#include <boost/json/parse.hpp>

namespace routecat::mirror {
namespace {

namespace json = boost::json;

// The routecat code whose API name is name, if any.
std::optional<errc> code_named(std::string_view name) {
    for (int i = 1; i <= static_cast<int>(errc::bad_request); ++i) {
        const auto e = static_cast<errc>(i);
        if (error_name(make_error_code(e)) == name) return e;
    }
    return std::nullopt;
}

// The server's message without the code's own message at its end: the mirror's Error adds it again.
std::string without_message_of(std::string message, const boost::system::error_code& ec) {
    const std::string own = ec.message();
    if (message == own) return {};
    if (message.size() > own.size() + 2 && message.ends_with(": " + own)) message.resize(message.size() - own.size() - 2);
    return message;
}

// The body of a 200, parsed; an unparsable one is catalog_watch_event_invalid.
boost::system::result<json::value> body_of(const FeedReply& reply, std::string& error) {
    boost::system::error_code ec;
    json::value body = json::parse(reply.body, ec);
    if (ec) {
        error = "the answer is not JSON (" + ec.message() + ")";
        return errc::catalog_watch_event_invalid;
    }
    return body;
}

}  // namespace

boost::system::error_code error_from_reply(const FeedReply& reply, std::string& error) {
    error = "HTTP " + std::to_string(reply.status);
    boost::system::error_code parse_failure;
    const json::value body = json::parse(reply.body, parse_failure);
    const json::value* code = nullptr;
    const json::value* message = nullptr;
    if (!parse_failure && body.is_object()) {
        if (const json::value* e = body.get_object().if_contains("error"); e && e->is_object()) {
            code = e->get_object().if_contains("code");
            message = e->get_object().if_contains("message");
        }
    }
    if (!code || !code->is_string()) {
        error += " without an error body";
        if (reply.status == 503) return errc::store_unavailable;
        return errc::catalog_watch_event_invalid;
    }
    const std::string name(code->get_string());
    const std::optional<errc> known = code_named(name);
    boost::system::error_code ec = errc::catalog_watch_event_invalid;
    if (known) ec = *known;
    else if (reply.status == 503) ec = errc::store_unavailable;
    error += " " + name;
    if (message && message->is_string()) {
        const std::string detail = without_message_of(std::string(message->get_string()), ec);
        if (!detail.empty()) error += " (" + detail + ")";
    }
    return ec;
}

boost::system::result<CatalogChangeSet> changes_from_reply(const FeedReply& reply, std::string& error) {
    if (reply.status != 200) return error_from_reply(reply, error);
    auto body = body_of(reply, error);
    if (!body) return body.error();
    return change_set_from_json(*body, error);
}

boost::system::result<CatalogSnapshot> snapshot_from_reply(const FeedReply& reply, std::string& error) {
    if (reply.status != 200) return error_from_reply(reply, error);
    auto body = body_of(reply, error);
    if (!body) return body.error();
    return snapshot_from_json(*body, error);
}

}  // namespace routecat::mirror
