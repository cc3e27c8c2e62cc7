#pragma once
// What a routecatd answered to the mirror, decoded without I/O: a change set (GET
// /v1/catalog/changes), a snapshot (GET /v1/catalog), or the error the answer stands for.

#include "routecat/catalog_delta.hpp"
#include "routecat/route.hpp"

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace routecat::mirror {

struct FeedReply {
    unsigned status = 0;
    std::string body;
};

// A 200 whose body is a change set; any other answer is an error (below).
boost::system::result<CatalogChangeSet> changes_from_reply(const FeedReply& reply, std::string& error);
// A 200 whose body is a catalog snapshot.
boost::system::result<CatalogSnapshot> snapshot_from_reply(const FeedReply& reply, std::string& error);

// The error an answer other than 200 stands for, error describing it ("HTTP 409
// catalog_delta_version_future (after 5, catalog version 1)"): the routecat code its JSON error body
// names; else store_unavailable for a 503 (a routecatd starting or stopping: not_synced,
// shutting_down, ...), catalog_watch_event_invalid for anything else.
boost::system::error_code error_from_reply(const FeedReply& reply, std::string& error);

}  // namespace routecat::mirror
