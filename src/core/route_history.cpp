#include "routecat/route_history.hpp"

#include <algorithm>
#include <stdexcept>

namespace routecat {

std::optional<std::uint64_t> HistorySnapshot::owner_of(std::string_view key) const {
    auto i = table_->find_forward(key);
    if (!i) return std::nullopt;
    return table_->group_id(*i);
}

std::vector<Route> HistorySnapshot::routes() const {
    auto routes = table_->routes();
    for (auto& r : routes) r.load = 0;
    return routes;
}

void RouteHistory::record(std::uint64_t version, std::shared_ptr<const RouteTable> table) {
    std::lock_guard lock(mutex_);
    if (depth_ == 0) return;
    if (std::any_of(entries_.begin(), entries_.end(), [&](const auto& e) { return e.first == version; })) return;
    entries_.emplace_back(version, std::move(table));
    evict_locked();
}

std::optional<HistorySnapshot> RouteHistory::at(std::uint64_t version) const {
    std::lock_guard lock(mutex_);
    for (const auto& [v, table] : entries_)
        if (v == version) return HistorySnapshot(v, table);
    return std::nullopt;
}

void RouteHistory::clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
}

std::size_t RouteHistory::depth() const {
    std::lock_guard lock(mutex_);
    return depth_;
}

std::size_t RouteHistory::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

void RouteHistory::set_depth(std::size_t depth) {
    if (depth == 0) throw std::invalid_argument("route history depth must be positive");
    std::lock_guard lock(mutex_);
    depth_ = depth;
    evict_locked();
}

void RouteHistory::evict_locked() {
    while (entries_.size() > depth_) entries_.pop_front();
}

}  // namespace routecat
