#include "keyviz_ring.hpp"

#include "keyviz_column.hpp"

#include <algorithm>

namespace routecat::detail {

namespace {
std::size_t heap_bytes(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }  // beyond SSO
}  // namespace

KeyVizRing::KeyVizRing(KeyVizOptions options) : options_(options) {
    samples_.reserve(kSampleCapacity);
}

void KeyVizRing::drain(const RouteTable::Ref& r) { drain(route_of(r), r.counters()); }

void KeyVizRing::drain(const KeyVizRoute& route, RouteCounters& counters) {
    if (counters.column.load(std::memory_order_relaxed) == 0) return;
    const std::uint64_t word = counters.column.exchange(0, std::memory_order_relaxed);
    if (word != 0) spill(route, &counters, unpack_counts(word));
}

void KeyVizRing::drain_all(const RouteTable& table) {
    table.for_each_from(0, [this](const RouteTable::Ref& r) {
        drain(r);
        return true;
    });
}

void KeyVizRing::spill(const KeyVizRoute& route, const RouteCounters* counters, const OpenCounts& counts) {
    std::lock_guard lock(spill_mutex_);
    auto it = spilled_.find(counters);
    if (it == spilled_.end()) {
        if (spilled_.size() >= kMaxSpilledRoutes) {
            dropped_spills_ += counts.ops();
            return;
        }
        Spilled s{route.route_id, route.group_id, std::string(route.start), std::nullopt, {}};
        if (route.end) s.end = std::string(*route.end);
        it = spilled_.emplace(counters, std::move(s)).first;
    }
    it->second.counts += counts;
}

void KeyVizRing::sample(const RouteTable::Ref& r, std::string_view key, AccessKind kind) {
    std::lock_guard lock(sample_mutex_);
    // This submission stands for the accesses the countdown skipped: a weighted reservoir (Chao)
    // keeps every access equally likely to be in the sample however the countdown grew.
    const double weight = static_cast<double>(std::max<std::uint32_t>(1, keyviz_sample_weight));
    sampled_weight_ += weight;
    if (samples_.size() < kSampleCapacity) {
        samples_.push_back({&r.counters(), std::string(key), kind});
    } else {
        const double p = static_cast<double>(kSampleCapacity) * weight / sampled_weight_;
        if (std::uniform_real_distribution<double>(0, 1)(sample_random_) < p) {
            Sample& s = samples_[std::uniform_int_distribution<std::size_t>(0, kSampleCapacity - 1)(sample_random_)];
            s.route = &r.counters();
            s.key.assign(key);
            s.kind = kind;
        }
    }
    // Thin out as the column fills: about one access in (sampled / capacity) is submitted.
    keyviz_sample_weight = 1 + static_cast<std::uint32_t>(std::min(sampled_weight_ / kSampleCapacity, 4096.0));
    keyviz_sample_countdown = keyviz_sample_weight;
}

void KeyVizRing::advance(std::uint64_t now_ms, const RouteTable& table) {
    std::lock_guard lock(close_mutex_);
    const std::uint64_t width = std::max<std::uint64_t>(options_.column_ms, 1);
    const std::uint64_t aligned = now_ms - now_ms % width;
    if (!open_start_) {
        open_start_ = aligned;
        return;
    }
    const std::uint64_t end = *open_start_ + width;
    if (now_ms < end) return;
    auto column = close_column(table);
    column->window_start = *open_start_;
    column->at = end;
    {
        std::lock_guard ring_lock(ring_mutex_);
        ring_.push_back(std::move(column));
        while (ring_.size() > options_.columns) ring_.pop_front();
    }
    open_start_ = now_ms >= end + width ? aligned : end;
}

std::shared_ptr<KeyVizColumn> KeyVizRing::close_column(const RouteTable& table) {
    std::vector<TouchedRoute> touched;
    table.for_each_from(0, [&touched](const RouteTable::Ref& r) {
        std::atomic<std::uint64_t>& word = r.counters().column;
        if (word.load(std::memory_order_relaxed) == 0) return true;
        if (const std::uint64_t v = word.exchange(0, std::memory_order_relaxed))
            touched.push_back({route_of(r), unpack_counts(v), &r.counters()});
        return true;
    });

    std::unordered_map<const RouteCounters*, Spilled> spilled;
    {
        std::lock_guard lock(spill_mutex_);
        spilled.swap(spilled_);
    }
    std::vector<Sample> samples;
    {
        std::lock_guard lock(sample_mutex_);
        samples.swap(samples_);
        samples_.reserve(kSampleCapacity);
        sampled_weight_ = 0;
    }

    // Spilled counts join the routes they belong to (sorted in; merge_equal sums equal routes).
    const std::size_t from_table = touched.size();
    for (const auto& [counters, s] : spilled) {
        KeyVizRoute route{s.route_id, s.group_id, s.start, std::nullopt};
        if (s.end) route.end = *s.end;
        touched.push_back({route, s.counts, counters});
    }
    auto by_key = [](const TouchedRoute& a, const TouchedRoute& b) {
        if (a.route.start != b.route.start) return a.route.start < b.route.start;
        return a.route.route_id < b.route.route_id;
    };
    std::sort(touched.begin() + static_cast<std::ptrdiff_t>(from_table), touched.end(), by_key);
    std::inplace_merge(touched.begin(), touched.begin() + static_cast<std::ptrdiff_t>(from_table), touched.end(), by_key);

    std::vector<KeySample> keys;
    keys.reserve(samples.size());
    for (const auto& s : samples) keys.push_back({s.route, s.key, s.kind});
    return build_keyviz_column(std::move(touched), keys, options_.max_rows_per_column);
}

std::vector<std::shared_ptr<const KeyVizColumn>> KeyVizRing::columns(std::uint64_t from_ms, std::uint64_t to_ms) const {
    std::lock_guard lock(ring_mutex_);
    std::vector<std::shared_ptr<const KeyVizColumn>> out;
    for (const auto& c : ring_)
        if (c->at > from_ms && c->window_start < to_ms) out.push_back(c);
    return out;
}

std::optional<std::uint64_t> KeyVizRing::open_column_start() const {
    std::lock_guard lock(close_mutex_);
    return open_start_;
}

std::size_t KeyVizRing::memory_bytes() const {
    std::size_t bytes = 0;
    {
        std::lock_guard lock(ring_mutex_);
        for (const auto& c : ring_)
            bytes += sizeof(KeyVizColumn) + 2 * sizeof(void*)  // the column and its shared_ptr's control block
                     + c->rows.capacity() * sizeof(KeyVizRow) + c->keys.capacity();
        bytes += ring_.size() * sizeof(std::shared_ptr<const KeyVizColumn>);
    }
    {
        std::lock_guard lock(spill_mutex_);
        for (const auto& [counters, s] : spilled_)
            bytes += sizeof(counters) + sizeof(Spilled) + 2 * sizeof(void*) + heap_bytes(s.start) +
                     (s.end ? heap_bytes(*s.end) : 0);
    }
    {
        std::lock_guard lock(sample_mutex_);
        bytes += samples_.capacity() * sizeof(Sample);
        for (const auto& s : samples_) bytes += heap_bytes(s.key);
    }
    return bytes;
}

std::uint64_t KeyVizRing::dropped_spills() const {
    std::lock_guard lock(spill_mutex_);
    return dropped_spills_;
}

}  // namespace routecat::detail
