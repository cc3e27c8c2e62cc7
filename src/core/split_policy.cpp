#include "routecat/split_policy.hpp"

namespace routecat {

std::optional<std::string> StartSuccessorSplit::split_key(const RouteTable& table, std::size_t i) const {
    auto end = table.end(i);
    if (!end) return std::nullopt;
    std::string mid(table.start(i));
    mid.push_back('\0');
    if (mid >= *end) return std::nullopt;
    return mid;
}

}  // namespace routecat
