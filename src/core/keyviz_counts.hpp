#pragma once
// What the key visualizer's open column has counted for one route, packed into the one 64-bit word
// each route's counters hold (RouteCounters::column), so that counting an access costs one atomic
// add on a cache line record_access already owns (the load counter's).
//
//   bits 52..63 reads, 40..51 writes, 20..39 read bytes, 0..19 write bytes
//
// A field that reaches half its range after an add is drained (the word exchanged for 0 and the
// counts moved to the ring's spill map), so no field ever carries into the next: between the add
// that crosses the half mark and the drain, the other half of the range absorbs what concurrent
// threads add (keys longer than kMaxPackedKeyBytes bypass the word).

#include "routecat/keyviz.hpp"

#include <cstddef>
#include <cstdint>

namespace routecat::detail {

struct OpenCounts {
    std::uint64_t reads = 0;
    std::uint64_t writes = 0;
    std::uint64_t read_bytes = 0;
    std::uint64_t write_bytes = 0;

    OpenCounts& operator+=(const OpenCounts& o) noexcept {
        reads += o.reads;
        writes += o.writes;
        read_bytes += o.read_bytes;
        write_bytes += o.write_bytes;
        return *this;
    }
    std::uint64_t ops() const noexcept { return reads + writes; }
    bool empty() const noexcept { return reads == 0 && writes == 0 && read_bytes == 0 && write_bytes == 0; }
    friend bool operator==(const OpenCounts&, const OpenCounts&) = default;
};

inline constexpr unsigned kReadsShift = 52, kWritesShift = 40, kReadBytesShift = 20, kWriteBytesShift = 0;
inline constexpr std::uint64_t kHalfMarks =
    (std::uint64_t{1} << 63) | (std::uint64_t{1} << 51) | (std::uint64_t{1} << 39) | (std::uint64_t{1} << 19);
// Longer keys are counted straight into the spill map.
inline constexpr std::size_t kMaxPackedKeyBytes = (std::size_t{1} << 18) - 1;

inline std::uint64_t packed_access(AccessKind kind, std::size_t key_bytes) noexcept {
    return kind == AccessKind::read ? (std::uint64_t{1} << kReadsShift) | (std::uint64_t{key_bytes} << kReadBytesShift)
                                    : (std::uint64_t{1} << kWritesShift) | (std::uint64_t{key_bytes} << kWriteBytesShift);
}

inline OpenCounts unpack_counts(std::uint64_t word) noexcept {
    return {word >> kReadsShift, (word >> kWritesShift) & 0xfff, (word >> kReadBytesShift) & 0xfffff,
            word & 0xfffff};
}

inline OpenCounts access_counts(AccessKind kind, std::size_t key_bytes) noexcept {
    if (kind == AccessKind::read) return {1, 0, key_bytes, 0};
    return {0, 1, 0, key_bytes};
}

}  // namespace routecat::detail
