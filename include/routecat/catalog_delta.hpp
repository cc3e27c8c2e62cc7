#pragma once
// The durable delta log's data (spec §11.1-11.2, [H]): one catalog version's change as a list of
// route mutations, its validation, its byte-exact record, and the delta and floor keys.

#include "routecat/route.hpp"

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace routecat {

enum class CatalogMutationOp : std::uint8_t {
    upsert = 1,
    del = 2,  // "delete"
};

// Upsert carries the whole route (its id equal to route_id); Delete carries none.
struct CatalogRouteMutation {
    CatalogMutationOp op = CatalogMutationOp::upsert;
    std::uint64_t route_id = 0;
    std::optional<RouteDescriptor> route;

    friend bool operator==(const CatalogRouteMutation&, const CatalogRouteMutation&) = default;
};

// What turned catalog version previous_version into version (= previous_version + 1).
struct CatalogDelta {
    std::uint64_t previous_version = 0;
    std::uint64_t version = 0;
    std::vector<CatalogRouteMutation> mutations;

    friend bool operator==(const CatalogDelta&, const CatalogDelta&) = default;
};

// §11.1's change set: the deltas after a version, or the whole catalog when they are not all kept.
// routecat adds the catalog version and the delta floor at the read's ts, so a reader of a page
// knows whether more follow and where the log begins.
struct CatalogChangeSet {
    std::optional<CatalogSnapshot> reset;
    std::vector<CatalogDelta> deltas;
    std::uint64_t version = 0;  // the catalog's version at the read ts
    std::uint64_t floor = 0;    // the oldest delta kept then; 0 = the catalog keeps no log

    friend bool operator==(const CatalogChangeSet&, const CatalogChangeSet&) = default;
};

inline constexpr std::uint64_t kDefaultCatalogDeltaRetention = 1024;
inline constexpr std::size_t kDefaultCatalogDeltaBatchSize = 128;
inline constexpr std::size_t kMaxCatalogDeltaBatchSize = 1024;

// §11.2 validation, first failure wins: versions not contiguous -> catalog_delta_version_gap; a
// mutation with id 0, a repeated id, an Upsert without a route or with another id, a Delete with a
// route, an unknown op -> catalog_invalid_delta_mutation; an Upsert's route failing §2.2 -> that
// error. context names the failing part.
boost::system::error_code validate_delta(const CatalogDelta& delta, std::string* context = nullptr);

namespace codec {

inline constexpr std::string_view kDeltaPrefix = "!dist|delta|";
inline constexpr std::string_view kDeltaFloorKey = "!dist|meta|delta_floor";

// "!dist|delta|" + version u64 BE (20 bytes).
std::string delta_key(std::uint64_t version);
bool is_delta_key(std::string_view key) noexcept;
// The version of a delta key: the prefix, an 8-byte suffix and a version other than 0.
std::optional<std::uint64_t> delta_version_from_key(std::string_view key) noexcept;

// §11.2 record: validated first; header 0x01 + previous version + version + count, then per mutation
// op byte + route id + payload length + payload (an Upsert's v2 descriptor record, a Delete's none).
boost::system::result<std::string> encode_delta(const CatalogDelta& delta, std::string* context = nullptr);
boost::system::result<CatalogDelta> decode_delta(std::string_view bytes, std::string* context = nullptr);

// The floor: the §4.1 version record; undecodable or 0 -> catalog_invalid_delta_record.
std::string encode_delta_floor(std::uint64_t floor);
boost::system::result<std::uint64_t> decode_delta_floor(std::string_view bytes, std::string* context = nullptr);

}  // namespace codec
}  // namespace routecat
