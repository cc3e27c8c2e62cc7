#include "etcd/etcd_messages.hpp"

#include "routecat/base64.hpp"
#include "routecat/error.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

namespace routecat::detail::etcd {

namespace json = boost::json;

namespace {

// The parse failure of one answer: its text goes to the caller's context.
struct Malformed {
    std::string what;
};

[[noreturn]] void malformed(std::string what) { throw Malformed{std::move(what)}; }

template <class T, class F>
boost::system::result<T> parse_with(std::string* context, F f) {
    try {
        return f();
    } catch (const Malformed& m) {
        if (context) *context = "etcd: malformed answer: " + m.what;
        return make_error_code(errc::store_unavailable);
    }
}

const json::object& as_object(const json::value& v, const char* what) {
    if (!v.is_object()) malformed(std::string(what) + " is not an object");
    return v.get_object();
}

// An int64 field: etcd writes them as decimal strings; absent means 0.
std::int64_t int_field(const json::object& o, const char* name) {
    const json::value* v = o.if_contains(name);
    if (!v) return 0;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->get_uint64());
    if (!v->is_string()) malformed(std::string(name) + " is not a number");
    const json::string& s = v->get_string();
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) malformed(std::string(name) + " is not a number");
    return n;
}

bool bool_field(const json::object& o, const char* name) {
    const json::value* v = o.if_contains(name);
    if (!v) return false;
    if (!v->is_bool()) malformed(std::string(name) + " is not a boolean");
    return v->get_bool();
}

std::string bytes_field(const json::object& o, const char* name) {
    const json::value* v = o.if_contains(name);
    if (!v) return {};
    if (!v->is_string()) malformed(std::string(name) + " is not a string");
    auto bytes = base64_decode(v->get_string());
    if (!bytes) malformed(std::string(name) + " is not base64");
    return std::move(*bytes);
}

const json::array* array_field(const json::object& o, const char* name) {
    const json::value* v = o.if_contains(name);
    if (!v) return nullptr;
    if (!v->is_array()) malformed(std::string(name) + " is not an array");
    return &v->get_array();
}

std::int64_t header_revision(const json::object& o) {
    const json::value* h = o.if_contains("header");
    if (!h) malformed("no header");
    const std::int64_t revision = int_field(as_object(*h, "header"), "revision");
    if (revision <= 0) malformed("header revision " + std::to_string(revision));
    return revision;
}

RangeResponse range_from(const json::object& o, std::int64_t revision) {
    RangeResponse r;
    r.revision = revision;
    r.more = bool_field(o, "more");
    r.count = int_field(o, "count");
    if (const json::array* kvs = array_field(o, "kvs")) {
        r.kvs.reserve(kvs->size());
        for (const auto& item : *kvs) {
            const json::object& kv = as_object(item, "kv");
            KeyValue out{bytes_field(kv, "key"), bytes_field(kv, "value"), int_field(kv, "mod_revision")};
            if (out.key.empty()) malformed("kv without a key");
            r.kvs.push_back(std::move(out));
        }
    }
    return r;
}

json::object range_object(const std::string& key, const std::optional<std::string>& end, bool keys_only) {
    json::object o;
    o["key"] = base64_encode(key);
    if (end) o["range_end"] = base64_encode(*end);
    if (keys_only) o["keys_only"] = true;
    return o;
}

}  // namespace

std::string encode(const RangeRequest& r) {
    json::object o = range_object(r.key, r.range_end, r.keys_only);
    if (r.revision != 0) o["revision"] = std::to_string(r.revision);
    if (r.limit != 0) o["limit"] = std::to_string(r.limit);
    if (r.min_mod_revision != 0) o["min_mod_revision"] = std::to_string(r.min_mod_revision);
    return json::serialize(o);
}

std::string encode_txn(const std::vector<Compare>& compares, const std::vector<Operation>& success,
                       const std::vector<Operation>& failure) {
    json::array cmp;
    cmp.reserve(compares.size());
    for (const auto& c : compares) {
        json::object o;
        o["key"] = base64_encode(c.key);
        o["target"] = "MOD";
        o["result"] = "EQUAL";
        o["mod_revision"] = std::to_string(c.mod_revision);
        cmp.push_back(std::move(o));
    }
    auto ops = [](const std::vector<Operation>& list) {
        json::array out;
        out.reserve(list.size());
        for (const auto& op : list) {
            json::object o;
            switch (op.kind) {
                case Operation::Kind::put: {
                    json::object put;
                    put["key"] = base64_encode(op.key);
                    put["value"] = base64_encode(op.value);
                    o["request_put"] = std::move(put);
                    break;
                }
                case Operation::Kind::del: {
                    json::object del;
                    del["key"] = base64_encode(op.key);
                    o["request_delete_range"] = std::move(del);
                    break;
                }
                case Operation::Kind::range: {
                    json::object range = range_object(op.key, op.range_end, op.keys_only);
                    if (op.revision != 0) range["revision"] = std::to_string(op.revision);
                    if (op.min_mod_revision != 0) range["min_mod_revision"] = std::to_string(op.min_mod_revision);
                    o["request_range"] = std::move(range);
                    break;
                }
            }
            out.push_back(std::move(o));
        }
        return out;
    };
    json::object txn;
    txn["compare"] = std::move(cmp);
    txn["success"] = ops(success);
    if (!failure.empty()) txn["failure"] = ops(failure);
    return json::serialize(txn);
}

std::string encode(const WatchCreate& w) {
    json::object create;
    create["key"] = base64_encode(w.key);
    create["range_end"] = base64_encode(w.range_end);
    create["start_revision"] = std::to_string(w.start_revision);
    json::object o;
    o["create_request"] = std::move(create);
    return json::serialize(o);
}

boost::system::result<RangeResponse> parse_range(const json::value& v, std::string* context) {
    return parse_with<RangeResponse>(context, [&] {
        const json::object& o = as_object(v, "answer");
        return range_from(o, header_revision(o));
    });
}

boost::system::result<TxnResponse> parse_txn(const json::value& v, std::string* context) {
    return parse_with<TxnResponse>(context, [&] {
        const json::object& o = as_object(v, "answer");
        TxnResponse t;
        t.revision = header_revision(o);
        t.succeeded = bool_field(o, "succeeded");
        if (const json::array* responses = array_field(o, "responses")) {
            for (const auto& item : *responses) {
                const json::object& r = as_object(item, "response");
                if (const json::value* range = r.if_contains("response_range"))
                    t.ranges.push_back(range_from(as_object(*range, "response_range"), t.revision));
            }
        }
        return t;
    });
}

boost::system::result<WatchResponse> parse_watch(const json::value& v, std::string* context) {
    return parse_with<WatchResponse>(context, [&] {
        const json::object& outer = as_object(v, "answer");
        const json::value* result = outer.if_contains("result");
        if (!result) malformed("watch answer without a result");
        const json::object& o = as_object(*result, "result");
        WatchResponse w;
        // A cancel carries a header without a revision (0 is left out), so it is not required here.
        if (const json::value* h = o.if_contains("header")) w.revision = int_field(as_object(*h, "header"), "revision");
        w.created = bool_field(o, "created");
        w.canceled = bool_field(o, "canceled");
        w.compact_revision = int_field(o, "compact_revision");
        if (const json::array* events = array_field(o, "events")) {
            w.events = events->size();
            for (const json::value& event : *events) {
                const json::value* kv = as_object(event, "event").if_contains("kv");
                if (!kv) malformed("watch event without a kv");
                w.last_event_revision = std::max(w.last_event_revision, int_field(as_object(*kv, "kv"), "mod_revision"));
            }
        }
        if (const json::value* reason = o.if_contains("cancel_reason"); reason && reason->is_string())
            w.cancel_reason = reason->get_string();
        return w;
    });
}

boost::system::result<std::int64_t> parse_header_revision(const json::value& v, std::string* context) {
    return parse_with<std::int64_t>(context, [&] { return header_revision(as_object(v, "answer")); });
}

std::optional<ErrorAnswer> parse_error(const json::value& v) {
    if (!v.is_object()) return std::nullopt;
    const json::object& o = v.get_object();
    const json::value* error = o.if_contains("error");
    if (!error) return std::nullopt;
    ErrorAnswer answer;
    const json::object* details = error->is_object() ? &error->get_object() : &o;
    auto code = details->if_contains(error->is_object() ? "grpc_code" : "code");
    if (code && code->is_int64()) answer.code = static_cast<int>(code->get_int64());
    auto message = details->if_contains("message");
    if (message && message->is_string()) answer.message = message->get_string();
    else if (error->is_string()) answer.message = error->get_string();
    if (answer.code == 0) answer.code = GrpcCode::unavailable;  // an error without a code: not a success
    return answer;
}

}  // namespace routecat::detail::etcd
