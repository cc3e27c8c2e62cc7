// config/grafana/routecat.json, the dashboard for routecatd's Prometheus metrics: it parses, has what
// Grafana's import needs (the datasource input every panel uses, a uid, panels with queries), and
// every metric name, label and `what` value its queries use is one GET /metrics exposes.

#include "unit/admin/api_fixture.hpp"

#include "routecat/catalog/catalog_watcher.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace routecat;
using namespace routecat::test;
namespace json = boost::json;

namespace {

json::value dashboard() {
    std::ifstream in(std::string(ROUTECAT_SOURCE_DIR) + "/config/grafana/routecat.json");
    std::stringstream text;
    text << in.rdbuf();
    BOOST_TEST_REQUIRE(!text.str().empty());
    return json::parse(text.str());
}

std::vector<std::string> queries(const json::value& d) {
    std::vector<std::string> exprs;
    for (const auto& panel : d.at("panels").as_array())
        for (const auto& target : panel.at("targets").as_array()) exprs.emplace_back(target.at("expr").as_string());
    exprs.emplace_back(d.at("templating").at("list").at(0).at("definition").as_string());
    return exprs;
}

// Every match of group 1 of `pattern` in every query.
std::set<std::string> found(const std::vector<std::string>& exprs, const std::string& pattern) {
    std::set<std::string> out;
    const std::regex re(pattern);
    for (const auto& e : exprs)
        for (auto it = std::sregex_iterator(e.begin(), e.end(), re); it != std::sregex_iterator(); ++it)
            out.insert((*it)[1].str());
    return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(admin_grafana, ApiFixture)

BOOST_AUTO_TEST_CASE(the_dashboard_imports_with_a_prometheus_input_and_queries_in_every_panel) {
    const json::value d = dashboard();
    BOOST_TEST(d.at("uid").as_string() == "routecat");
    BOOST_TEST(d.at("title").as_string() == "routecat");
    const auto& input = d.at("__inputs").at(0);
    BOOST_TEST(input.at("name").as_string() == "DS_PROMETHEUS");
    BOOST_TEST(input.at("pluginId").as_string() == "prometheus");
    std::set<std::int64_t> ids;
    const auto& panels = d.at("panels").as_array();
    BOOST_TEST(panels.size() >= 8u);
    for (const auto& panel : panels) {
        BOOST_TEST(!panel.at("title").as_string().empty());
        BOOST_TEST(panel.at("datasource").at("uid").as_string() == "${DS_PROMETHEUS}");
        BOOST_TEST(ids.insert(panel.at("id").as_int64()).second, "duplicate panel id");
        BOOST_TEST(!panel.at("targets").as_array().empty());
        for (const auto& target : panel.at("targets").as_array())
            BOOST_TEST(target.at("datasource").at("uid").as_string() == "${DS_PROMETHEUS}");
        const auto& grid = panel.at("gridPos");
        BOOST_TEST(grid.at("x").as_int64() + grid.at("w").as_int64() <= 24);
    }
}

BOOST_AUTO_TEST_CASE(every_metric_label_and_what_value_it_queries_is_exposed) {
    // A daemon's context: metrics, a watcher, one save; then the requests the panels count.
    ctx.metrics = std::make_shared<admin::Metrics>();
    ctx.watcher = std::make_shared<CatalogWatcher>(ctx.catalog, ctx.engine, CatalogWatcherOptions::spec());
    put("/v1/catalog", R"({"expected_version":1,"routes":[{"route_id":1,"group_id":1}]})");
    get("/v1/routes/lookup?key=a");
    get("/nope");
    const std::string text = get("/metrics").raw.body();

    const auto exprs = queries(dashboard());
    const auto metrics = found(exprs, R"(\b(routecat_[a-z_]+))");
    BOOST_TEST(metrics.size() >= 5u);
    for (std::string name : metrics) {
        for (const char* suffix : {"_bucket", "_sum", "_count"})  // a histogram's series
            if (name.ends_with(suffix) && text.find("# TYPE " + name.substr(0, name.size() - std::strlen(suffix)) + " histogram") != std::string::npos)
                name = name.substr(0, name.size() - std::strlen(suffix));
        BOOST_TEST(text.find("# TYPE " + name + " ") != std::string::npos, name << " is not in /metrics");
    }
    for (const auto& what : found(exprs, R"re(what="([a-z_]+)")re"))
        BOOST_TEST(text.find("what=\"" + what + "\"") != std::string::npos, "what=" << what << " is not in /metrics");
    for (const auto& label : found(exprs, R"(by \(([a-z_]+))"))
        BOOST_TEST(text.find(label + "=\"") != std::string::npos, "label " << label << " is not in /metrics");
    for (const auto& label : found(exprs, R"re(([a-z_]+)=~?")re"))
        if (label != "instance")  // added by Prometheus when it scrapes
            BOOST_TEST(text.find(label + "=\"") != std::string::npos, "label " << label << " is not in /metrics");
}

BOOST_AUTO_TEST_SUITE_END()
