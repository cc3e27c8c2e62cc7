#pragma once
// The catalog the golden-byte tests pin responses of (admin/golden_test.cpp and the wire-level
// admin_server_golden suite): four routes whose keys need every kind of escaping, several groups and
// states, multi-digit ids, versions and loads. Everything in it is deterministic (memory store
// timestamps and engine generations are counters), so the same set-up renders the same bytes.
//
//   version 12 (versions 2..11 move the seed route 1 through groups 2..11; delta log from version 2,
//   four kept: floor 9)
//   route 17    ["", a"b\c)                         group 3   active
//   route 42    [a"b\c, k\x00\x1f\x7f\x80\xff)      group 12  write_fenced      parent 17  load 12
//   route 305   [k\x00\x1f\x7f\x80\xff, q)          group 3   active                       load 1
//               [q, zz): no route
//   route 1000  [zz, +inf)                          group 7   migrating_source             load 3
//   next route id 1001

#include "unit/admin/api_fixture.hpp"

#include <boost/test/unit_test.hpp>

namespace routecat::test {

inline const std::string kQuoteBackslash = "a\"b\\c";                    // base64 YSJiXGM=
inline const std::string kControlBytes = std::string("k\x00\x1f\x7f\x80\xff", 6);  // base64 awAff4D/

inline std::vector<RouteDescriptor> golden_routes() {
    return {rd(17, "", kQuoteBackslash, 3),
            rd(42, kQuoteBackslash, kControlBytes, 12, RouteState::write_fenced, 17),
            rd(305, kControlBytes, std::string("q"), 3),
            rd(1000, "zz", std::nullopt, 7, RouteState::migrating_source)};
}

struct GoldenFixture : ApiFixture {
    ApiReply access;  // the reply of the POST /v1/routes/access that set the loads

    GoldenFixture() {
        CatalogStoreOptions logged;
        logged.delta_log = true;
        logged.delta_retention = 4;
        ctx.catalog = CatalogStore(store, logged);
        for (std::uint64_t group = 2; group <= 11; ++group) save_and_apply({rd(1, "", std::nullopt, group)});
        save_and_apply(golden_routes());
        // Loads: 12 on route 42 ("b"), 1 on route 305 (its start), 3 on route 1000 ("zz\xff").
        std::string keys;
        for (int i = 0; i < 12; ++i) keys += R"("Yg==",)";
        keys += R"("awAff4D/","enr/","enr/","enr/")";
        access = post("/v1/routes/access", R"({"keys":[)" + keys + "]}");
        BOOST_REQUIRE_EQUAL(access.status, 200u);
    }
};

}  // namespace routecat::test
