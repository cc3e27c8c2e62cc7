#include "routecat/codec.hpp"

#include "routecat/error.hpp"

#include <climits>

namespace routecat::codec {
namespace {

void set_context(std::string* context, std::string text) {
    if (context) *context = std::move(text);
}

// A bounds-checked reader over a record; every read fails instead of running past the end.
class Reader {
public:
    explicit Reader(std::string_view bytes) noexcept : rest_(bytes) {}

    bool u8(std::uint8_t& out) noexcept {
        if (rest_.empty()) return false;
        out = static_cast<std::uint8_t>(rest_.front());
        rest_.remove_prefix(1);
        return true;
    }
    bool u64(std::uint64_t& out) noexcept {
        if (rest_.size() < 8) return false;
        out = read_u64_be(rest_);
        rest_.remove_prefix(8);
        return true;
    }
    // A length-prefixed byte string: the length must fit a signed int and the remaining input.
    bool bytes(std::uint64_t length, std::string& out) {
        if (length > static_cast<std::uint64_t>(INT_MAX) || length > rest_.size()) return false;
        out.assign(rest_.substr(0, static_cast<std::size_t>(length)));
        rest_.remove_prefix(static_cast<std::size_t>(length));
        return true;
    }
    bool empty() const noexcept { return rest_.empty(); }

private:
    std::string_view rest_;
};

std::string encode_meta(std::uint64_t value) {
    std::string out;
    out.reserve(kMetaRecordSize);
    out.push_back(static_cast<char>(kRecordVersion));
    append_u64_be(out, value);
    return out;
}

}  // namespace

void append_u64_be(std::string& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

std::uint64_t read_u64_be(std::string_view bytes) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(bytes[i]);
    return v;
}

std::string u64_key(std::string_view prefix, std::uint64_t value) {
    std::string key(prefix);
    append_u64_be(key, value);
    return key;
}

std::optional<std::uint64_t> u64_key_suffix(std::string_view prefix, std::string_view key) noexcept {
    if (!key.starts_with(prefix) || key.size() != prefix.size() + 8) return std::nullopt;
    return read_u64_be(key.substr(prefix.size()));
}

std::string route_key(std::uint64_t route_id) { return u64_key(kRoutePrefix, route_id); }

bool is_route_key(std::string_view key) noexcept { return key.starts_with(kRoutePrefix); }

std::optional<std::uint64_t> route_id_from_key(std::string_view key) noexcept {
    return u64_key_suffix(kRoutePrefix, key);
}

std::optional<std::string> prefix_scan_end(std::string_view prefix) {
    std::string end(prefix);
    while (!end.empty()) {
        auto last = static_cast<unsigned char>(end.back());
        if (last != 0xFF) {
            end.back() = static_cast<char>(last + 1);
            return end;
        }
        end.pop_back();
    }
    return std::nullopt;
}

std::string encode_version(std::uint64_t version) { return encode_meta(version); }

boost::system::result<std::uint64_t> decode_version(std::string_view bytes, std::string* context) {
    if (bytes.size() != kMetaRecordSize) {
        set_context(context, {});
        return make_error_code(errc::catalog_invalid_version_record);
    }
    auto codec_version = static_cast<std::uint8_t>(bytes[0]);
    if (codec_version != kRecordVersion) {
        set_context(context, "unsupported version " + std::to_string(codec_version));
        return make_error_code(errc::catalog_invalid_version_record);
    }
    return read_u64_be(bytes.substr(1));
}

std::string encode_next_route_id(std::uint64_t next_route_id) { return encode_meta(next_route_id); }

boost::system::result<std::uint64_t> decode_next_route_id(std::string_view bytes, std::string* context) {
    std::string inner;
    auto value = decode_version(bytes, &inner);
    if (!value) {
        // Reported as the next-route-id error, never as the version-record error (§4.2, §16.17).
        std::string message = value.error().message();
        set_context(context, "decode next route id: " + (inner.empty() ? message : inner + ": " + message));
        return make_error_code(errc::catalog_invalid_next_route_id);
    }
    if (*value == 0) {
        set_context(context, {});
        return make_error_code(errc::catalog_invalid_next_route_id);
    }
    return *value;
}

boost::system::result<std::string> encode_route_descriptor(const RouteDescriptor& route) {
    if (auto ec = validate_route(route)) return ec;
    std::string out;
    out.reserve(43 + route.start.size() + (route.end ? route.end->size() : 0));
    out.push_back(static_cast<char>(kRecordVersion));
    append_u64_be(out, route.route_id);
    append_u64_be(out, route.group_id);
    out.push_back(static_cast<char>(route.state));
    append_u64_be(out, route.parent_route_id);
    append_u64_be(out, route.start.size());
    out += route.start;
    if (route.end) {
        out.push_back(0x01);
        append_u64_be(out, route.end->size());
        out += *route.end;
    } else {
        out.push_back(0x00);
    }
    return out;
}

namespace {

// §4.3 steps 3-5, after the codec version byte: the fixed fields, Start and the End section. False
// (context set) when the record ends early or a length or the end flag is wrong.
bool read_route_fields(Reader& in, RouteDescriptor& route, std::string* context) {
    std::uint8_t state = 0;
    std::uint64_t start_length = 0;
    if (!in.u64(route.route_id) || !in.u64(route.group_id) || !in.u8(state) || !in.u64(route.parent_route_id) ||
        !in.u64(start_length)) {
        set_context(context, "unexpected end of record");
        return false;
    }
    route.state = static_cast<RouteState>(state);
    if (!in.bytes(start_length, route.start)) {
        set_context(context, "start length " + std::to_string(start_length) + " exceeds record");
        return false;
    }

    std::uint8_t end_flag = 0;
    if (!in.u8(end_flag)) {
        set_context(context, "unexpected end of record");
        return false;
    }
    if (end_flag == 0x01) {
        std::uint64_t end_length = 0;
        if (!in.u64(end_length)) {
            set_context(context, "unexpected end of record");
            return false;
        }
        std::string end;
        if (!in.bytes(end_length, end)) {
            set_context(context, "end length " + std::to_string(end_length) + " exceeds record");
            return false;
        }
        route.end = std::move(end);
    } else if (end_flag != 0x00) {
        set_context(context, "invalid end flag " + std::to_string(end_flag));
        return false;
    }
    return true;
}

}  // namespace

namespace {

// §4.3 (strict: version 1 exactly) or §4.4's H decoder (h: 0 refused, 1 = v1, 2 = v2 exactly, >= 3 =
// v2 with trailing bytes ignored).
boost::system::result<RouteDescriptor> decode_descriptor(std::string_view bytes, std::string* context, bool h) {
    set_context(context, {});
    const auto invalid = make_error_code(errc::catalog_invalid_route_record);
    if (bytes.empty()) return invalid;

    Reader in(bytes);
    std::uint8_t codec_version = 0;
    in.u8(codec_version);
    if (h ? codec_version == 0 : codec_version != kRecordVersion) {
        set_context(context, "unsupported version " + std::to_string(codec_version));
        return invalid;
    }
    RouteDescriptor route;
    if (!read_route_fields(in, route, context)) return invalid;
    std::uint64_t split_at_hlc = 0;  // read to check the layout; routecat does not surface it
    if (codec_version >= kRouteRecordVersion2 && !in.u64(split_at_hlc)) {
        set_context(context, "split HLC missing");
        return invalid;
    }
    // Versions above 2 may carry fields routecat does not know yet (forward compatibility).
    if (codec_version <= kRouteRecordVersion2 && !in.empty()) {
        set_context(context, "trailing bytes");
        return invalid;
    }
    if (auto ec = validate_route(route)) return ec;
    return route;
}

}  // namespace

boost::system::result<RouteDescriptor> decode_route_descriptor(std::string_view bytes, std::string* context) {
    return decode_descriptor(bytes, context, false);
}

boost::system::result<RouteDescriptor> decode_route_descriptor_any(std::string_view bytes, std::string* context) {
    return decode_descriptor(bytes, context, true);
}

boost::system::result<std::string> encode_route_descriptor_v2(const RouteDescriptor& route) {
    auto out = encode_route_descriptor(route);
    if (!out) return out;
    (*out)[0] = static_cast<char>(kRouteRecordVersion2);
    append_u64_be(*out, 0);  // SplitAtHLC: routecat has no HLC
    return out;
}

}  // namespace routecat::codec
