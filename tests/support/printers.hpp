#pragma once
// How Boost.Test prints routecat values (and optional byte strings) in failure messages.

#include "routecat/error.hpp"
#include "routecat/key_text.hpp"
#include "routecat/route.hpp"
#include "routecat/store/mvcc_store.hpp"

#include <boost/test/tools/detail/print_helper.hpp>

#include <optional>
#include <ostream>
#include <string>

namespace routecat {

inline std::ostream& boost_test_print_type(std::ostream& os, errc e) {
    return os << "routecat:" << error_name(make_error_code(e));
}

inline std::ostream& boost_test_print_type(std::ostream& os, const KeyValue& kv) {
    return os << "{\"" << key_to_text(kv.key) << "\": \"" << key_to_text(kv.value) << "\"}";
}

inline std::ostream& boost_test_print_type(std::ostream& os, const Mutation& m) {
    return os << (m.op == MutationOp::put ? "put " : m.op == MutationOp::del ? "del " : "op? ") << '"'
              << key_to_text(m.key) << "\" \"" << key_to_text(m.value) << '"' << (m.guarded ? " guarded" : "");
}

inline std::ostream& boost_test_print_type(std::ostream& os, const RouteDescriptor& r) {
    return os << "{id " << r.route_id << " [\"" << key_to_text(r.start) << "\", "
              << (r.end ? "\"" + key_to_text(*r.end) + "\"" : std::string("inf")) << ") group " << r.group_id
              << " state " << static_cast<int>(r.state) << " parent " << r.parent_route_id << "}";
}

inline std::ostream& boost_test_print_type(std::ostream& os, const Route& r) {
    return os << "{id " << r.route_id << " [\"" << key_to_text(r.start) << "\", "
              << (r.end ? "\"" + key_to_text(*r.end) + "\"" : std::string("inf")) << ") group " << r.group_id
              << " state " << static_cast<int>(r.state) << " load " << r.load << "}";
}

}  // namespace routecat

template <class T>
struct boost::test_tools::tt_detail::print_log_value<std::optional<T>> {
    void operator()(std::ostream& os, const std::optional<T>& v) {
        if (!v) {
            os << "nullopt";
        } else if constexpr (std::is_same_v<T, std::string>) {
            os << '"' << routecat::key_to_text(*v) << '"';
        } else {
            os << *v;
        }
    }
};
