#include "routecat/store/mvcc_store.hpp"

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

namespace routecat {

boost::asio::awaitable<void> MvccStore::wait_for_change(std::uint64_t) {
    throw boost::system::system_error(boost::asio::error::operation_not_supported, "wait_for_change");
    co_return;
}

}  // namespace routecat
