#include "routecat/catalog_delta.hpp"

#include "routecat/codec.hpp"
#include "routecat/error.hpp"

#include <limits>
#include <unordered_set>

namespace routecat {
namespace {

void set_context(std::string* context, std::string text) {
    if (context) *context = std::move(text);
}

boost::system::error_code fail(errc e, std::string* context, std::string text) {
    set_context(context, std::move(text));
    return make_error_code(e);
}

constexpr std::size_t kDeltaHeaderSize = 25;    // 0x01 + previous version + version + count
constexpr std::size_t kMutationHeaderSize = 17;  // op + route id + payload length

}  // namespace

boost::system::error_code validate_delta(const CatalogDelta& delta, std::string* context) {
    set_context(context, {});
    if (delta.version == 0 || delta.previous_version == std::numeric_limits<std::uint64_t>::max() ||
        delta.previous_version + 1 != delta.version)
        return fail(errc::catalog_delta_version_gap, context,
                    "delta " + std::to_string(delta.version) + " follows " + std::to_string(delta.previous_version));
    std::unordered_set<std::uint64_t> seen;
    for (const auto& m : delta.mutations) {
        const std::string which = "mutation for route " + std::to_string(m.route_id);
        if (m.route_id == 0) return fail(errc::catalog_invalid_delta_mutation, context, "mutation without a route id");
        if (!seen.insert(m.route_id).second)
            return fail(errc::catalog_invalid_delta_mutation, context, which + " repeated");
        switch (m.op) {
            case CatalogMutationOp::upsert:
                if (!m.route || m.route->route_id != m.route_id)
                    return fail(errc::catalog_invalid_delta_mutation, context, which + ": upsert of another route");
                if (auto ec = validate_route(*m.route)) {
                    set_context(context, which);
                    return ec;
                }
                break;
            case CatalogMutationOp::del:
                if (m.route) return fail(errc::catalog_invalid_delta_mutation, context, which + ": delete with a route");
                break;
            default:
                return fail(errc::catalog_invalid_delta_mutation, context,
                            which + ": unknown op " + std::to_string(static_cast<unsigned>(m.op)));
        }
    }
    return {};
}

namespace codec {

std::string delta_key(std::uint64_t version) { return u64_key(kDeltaPrefix, version); }

bool is_delta_key(std::string_view key) noexcept { return key.starts_with(kDeltaPrefix); }

std::optional<std::uint64_t> delta_version_from_key(std::string_view key) noexcept {
    const auto version = u64_key_suffix(kDeltaPrefix, key);
    if (version == 0u) return std::nullopt;  // never a delta
    return version;
}

boost::system::result<std::string> encode_delta(const CatalogDelta& delta, std::string* context) {
    if (auto ec = validate_delta(delta, context)) return ec;
    std::string out;
    out.push_back(static_cast<char>(kRecordVersion));
    append_u64_be(out, delta.previous_version);
    append_u64_be(out, delta.version);
    append_u64_be(out, delta.mutations.size());
    for (const auto& m : delta.mutations) {
        out.push_back(static_cast<char>(m.op));
        append_u64_be(out, m.route_id);
        if (m.op != CatalogMutationOp::upsert) {
            append_u64_be(out, 0);
            continue;
        }
        auto payload = encode_route_descriptor_v2(*m.route);  // valid: checked above
        append_u64_be(out, payload->size());
        out += *payload;
    }
    return out;
}

boost::system::result<CatalogDelta> decode_delta(std::string_view bytes, std::string* context) {
    set_context(context, {});
    const auto invalid = [&](std::string text) { return fail(errc::catalog_invalid_delta_record, context, std::move(text)); };
    if (bytes.size() < kDeltaHeaderSize) return invalid("record of " + std::to_string(bytes.size()) + " bytes");
    if (static_cast<std::uint8_t>(bytes[0]) != kRecordVersion)
        return invalid("unsupported version " + std::to_string(static_cast<std::uint8_t>(bytes[0])));
    CatalogDelta delta;
    delta.previous_version = read_u64_be(bytes.substr(1));
    delta.version = read_u64_be(bytes.substr(9));
    const std::uint64_t count = read_u64_be(bytes.substr(17));
    std::string_view rest = bytes.substr(kDeltaHeaderSize);
    if (count > rest.size() / kMutationHeaderSize)
        return invalid(std::to_string(count) + " mutations cannot fit " + std::to_string(rest.size()) + " bytes");
    delta.mutations.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count; ++i) {
        if (rest.size() < kMutationHeaderSize) return invalid("mutation " + std::to_string(i) + " truncated");
        CatalogRouteMutation m;
        m.op = static_cast<CatalogMutationOp>(static_cast<std::uint8_t>(rest[0]));
        m.route_id = read_u64_be(rest.substr(1));
        const std::uint64_t length = read_u64_be(rest.substr(9));
        rest.remove_prefix(kMutationHeaderSize);
        if (length > rest.size()) return invalid("mutation " + std::to_string(i) + " payload truncated");
        const std::string_view payload = rest.substr(0, static_cast<std::size_t>(length));
        rest.remove_prefix(static_cast<std::size_t>(length));
        if (m.op == CatalogMutationOp::upsert) {
            auto route = decode_route_descriptor_any(payload, context);
            if (!route) return route.error();
            m.route = std::move(*route);
        } else if (!payload.empty()) {
            return fail(errc::catalog_invalid_delta_mutation, context,
                        "mutation " + std::to_string(i) + ": a payload without an upsert");
        }
        delta.mutations.push_back(std::move(m));
    }
    if (!rest.empty()) return invalid("trailing bytes");
    if (auto ec = validate_delta(delta, context)) return ec;
    return delta;
}

std::string encode_delta_floor(std::uint64_t floor) { return encode_version(floor); }

boost::system::result<std::uint64_t> decode_delta_floor(std::string_view bytes, std::string* context) {
    std::string inner;
    auto floor = decode_version(bytes, &inner);
    if (!floor) return fail(errc::catalog_invalid_delta_record, context, "delta floor: " + (inner.empty() ? floor.error().message() : inner));
    if (*floor == 0) return fail(errc::catalog_invalid_delta_record, context, "delta floor 0");
    return *floor;
}

}  // namespace codec
}  // namespace routecat
