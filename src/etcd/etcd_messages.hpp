#pragma once
// The JSON messages of etcd 3.4's HTTP gateway (/v3/kv/range, /v3/kv/txn, /v3/watch), built and
// parsed without I/O. Keys and values travel base64-encoded, 64-bit numbers as decimal strings, and
// fields holding their default value (0, false, empty) are left out of answers. Keys here are full
// etcd keys (the store's prefix already added). Parsers reject anything malformed with
// errc::store_unavailable and say what was wrong in the context text.

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace routecat::detail::etcd {

// gRPC status codes etcd answers with (google.golang.org/grpc/codes).
enum GrpcCode : int {
    ok = 0,
    invalid_argument = 3,
    deadline_exceeded = 4,
    not_found = 5,
    permission_denied = 7,
    resource_exhausted = 8,
    failed_precondition = 9,
    out_of_range = 11,
    unavailable = 14,
    unauthenticated = 16,
};

struct RangeRequest {
    std::string key;
    std::optional<std::string> range_end;  // none: the single key
    std::int64_t revision = 0;             // 0: the current revision
    std::int64_t limit = 0;                // 0: no limit
    std::int64_t min_mod_revision = 0;     // > 0: only keys modified at or after it (count is unfiltered)
    bool keys_only = false;
};

struct KeyValue {
    std::string key;
    std::string value;
    std::int64_t mod_revision = 0;
};

struct RangeResponse {
    std::int64_t revision = 0;  // the store revision the range was served at
    std::vector<KeyValue> kvs;
    bool more = false;
    std::int64_t count = 0;  // keys in the range, before limit and filters
};

struct Compare {
    std::string key;
    std::int64_t mod_revision = 0;  // the compare is mod_revision(key) == this; 0 = absent
};

struct Operation {
    enum class Kind { put, del, range } kind = Kind::put;
    std::string key;
    std::string value;                     // put
    std::optional<std::string> range_end;  // range
    std::int64_t min_mod_revision = 0;     // range
    std::int64_t revision = 0;             // range: 0 = the txn's revision
    bool keys_only = false;                // range
};

struct TxnResponse {
    std::int64_t revision = 0;
    bool succeeded = false;
    std::vector<RangeResponse> ranges;  // the response_range of each operation that was a range
};

struct WatchCreate {
    std::string key;
    std::string range_end;
    std::int64_t start_revision = 0;
};

struct WatchResponse {
    std::int64_t revision = 0;
    bool created = false;
    bool canceled = false;
    std::int64_t compact_revision = 0;  // > 0: the start revision was compacted away
    std::size_t events = 0;
    std::int64_t last_event_revision = 0;  // the newest event's mod_revision (0 without events)
    std::string cancel_reason;
};

// An etcd error answer: {"error": ..., "code": n, "message": ...} (a failed unary call) or
// {"error": {"grpc_code": n, "message": ...}} (a failed stream).
struct ErrorAnswer {
    int code = 0;
    std::string message;
};

std::string encode(const RangeRequest& r);
std::string encode_txn(const std::vector<Compare>& compares, const std::vector<Operation>& success,
                       const std::vector<Operation>& failure);
std::string encode(const WatchCreate& w);

boost::system::result<RangeResponse> parse_range(const boost::json::value& v, std::string* context = nullptr);
boost::system::result<TxnResponse> parse_txn(const boost::json::value& v, std::string* context = nullptr);
boost::system::result<WatchResponse> parse_watch(const boost::json::value& v, std::string* context = nullptr);
// The header revision of any successful answer (a plain range, a status call).
boost::system::result<std::int64_t> parse_header_revision(const boost::json::value& v, std::string* context = nullptr);
// Nothing if v is not an error answer.
std::optional<ErrorAnswer> parse_error(const boost::json::value& v);

}  // namespace routecat::detail::etcd
