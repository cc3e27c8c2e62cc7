#pragma once
// Reserved catalog keys (spec §3) and the byte-exact records stored under them (§4, tag C).
// Decoders are strict: every failure is one of the spec's errors, never a crash.

#include "routecat/route.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace routecat::codec {

inline constexpr std::string_view kMetaPrefix = "!dist|meta|";
inline constexpr std::string_view kVersionKey = "!dist|meta|version";
inline constexpr std::string_view kNextRouteIdKey = "!dist|meta|next_route_id";
inline constexpr std::string_view kRoutePrefix = "!dist|route|";

inline constexpr std::uint8_t kRecordVersion = 0x01;
inline constexpr std::size_t kMetaRecordSize = 9;

// prefix + value as u64 big-endian; the value of such a key (nothing without the prefix or when the
// suffix is not 8 bytes).
std::string u64_key(std::string_view prefix, std::uint64_t value);
std::optional<std::uint64_t> u64_key_suffix(std::string_view prefix, std::string_view key) noexcept;

// "!dist|route|" + id as u64 big-endian (20 bytes).
std::string route_key(std::uint64_t route_id);
bool is_route_key(std::string_view key) noexcept;
// The id of a route key, or nothing when the key lacks the prefix or its suffix is not 8 bytes.
std::optional<std::uint64_t> route_id_from_key(std::string_view key) noexcept;

// Exclusive end of a prefix scan: the prefix with its last non-0xFF byte incremented and the rest
// dropped; nothing (unbounded) when every byte is 0xFF. "!dist|route|" -> "!dist|route}".
std::optional<std::string> prefix_scan_end(std::string_view prefix);

void append_u64_be(std::string& out, std::uint64_t v);
std::uint64_t read_u64_be(std::string_view bytes) noexcept;  // bytes.size() >= 8

// §4.1: 0x01 + version u64 BE. Version 0 decodes fine.
std::string encode_version(std::uint64_t version);
boost::system::result<std::uint64_t> decode_version(std::string_view bytes, std::string* context = nullptr);

// §4.2: same layout; any failure, and a decoded 0, is catalog_invalid_next_route_id.
std::string encode_next_route_id(std::uint64_t next_route_id);
boost::system::result<std::uint64_t> decode_next_route_id(std::string_view bytes, std::string* context = nullptr);

// §4.3 v1 descriptor record. Encoding validates the route first (§2.2).
boost::system::result<std::string> encode_route_descriptor(const RouteDescriptor& route);
// Decoding follows §4.3 steps 1-7. When context is given, a failure fills it with the spec's context
// text ("unsupported version 2", "invalid end flag 7", ...), empty when the spec has none.
boost::system::result<RouteDescriptor> decode_route_descriptor(std::string_view bytes, std::string* context = nullptr);

// §4.4 [H] v2 descriptor record: the v1 layout with byte 0 = 0x02 and SplitAtHLC (u64 BE) appended.
// routecat has no HLC: it writes 0.
inline constexpr std::uint8_t kRouteRecordVersion2 = 0x02;
boost::system::result<std::string> encode_route_descriptor_v2(const RouteDescriptor& route);
// §4.4's H decoder: 0 refused, 1 = v1 exactly, 2 = v2 exactly, >= 3 = v2 with trailing bytes ignored.
// A SplitAtHLC is checked for presence and dropped (any value decodes). Used for delta payloads only:
// the catalog's own route rows keep the strict v1 decoder above.
boost::system::result<RouteDescriptor> decode_route_descriptor_any(std::string_view bytes,
                                                                   std::string* context = nullptr);

}  // namespace routecat::codec
