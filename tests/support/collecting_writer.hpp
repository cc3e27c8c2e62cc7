#pragma once
// A streamed reply's body, kept in memory for tests: after `keep` pieces the client "goes away"
// (the write throws broken_pipe), which ends the stream as a closed connection would.

#include "routecat/admin/http.hpp"

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <string>
#include <vector>

namespace routecat::test {

class CollectingWriter final : public admin::BodyWriter {
public:
    explicit CollectingWriter(std::size_t keep) : keep_(keep) {}

    boost::asio::awaitable<void> write(std::string piece) override {
        pieces.push_back(std::move(piece));
        if (pieces.size() >= keep_) throw boost::system::system_error(boost::asio::error::broken_pipe);
        co_return;
    }

    std::vector<std::string> pieces;

private:
    std::size_t keep_;
};

}  // namespace routecat::test
