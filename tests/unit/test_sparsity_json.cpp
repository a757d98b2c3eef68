// JSON files of the sparsity search (docs/sparsity.md "Files"): round trips of
// the decomposed statistics (histogram grids and raw magnitudes), the product
// histograms, the accuracy table and the thresholds file; and the errors, each
// naming the file, the layer and the field.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/network/builder.hpp"
#include "hass/sparsity/accuracy.hpp"
#include "hass/sparsity/json.hpp"
#include "hass/sparsity/statistics.hpp"
#include "hass/sparsity/synthetic.hpp"

using Catch::Matchers::Contains;
using hass::count_t;
using json = nlohmann::json;
namespace sp = hass::sparsity;

namespace {

/// stem (3x3, 64) -> relu -> layer1.0.conv1 (3x3, 64 -> 32) -> hardswish -> dw (3x3 depthwise) -> relu -> pw (1x1)
hass::network small_net() {
    hass::network_builder b{"small", {8, 8, 3}};
    auto x = b.conv(b.input(), "stem", {.filters = 64, .kernel = 3, .pad = 1});
    x = b.relu(x, "r1");
    x = b.conv(x, "layer1.0.conv1", {.filters = 32, .kernel = 3, .pad = 1});
    x = b.hardswish(x, "hs");
    x = b.conv(x, "dw", {.filters = 32, .kernel = 3, .pad = 1, .groups = 32});
    x = b.relu(x, "r2");
    b.conv(x, "pw", {.filters = 16, .kernel = 1});
    return std::move(b).build();
}

/// Serialises and parses again (what a file round trip does).
json reparse(const nlohmann::ordered_json& j) { return json::parse(j.dump()); }

json& layer_entry(json& j, const std::string& name) {
    for (auto& e : j["layers"])
        if (e["name"] == name) return e;
    FAIL("no layer " << name);
    return j;
}

} // namespace

TEST_CASE("decomposed statistics: write and read back", "[sparsity][json]") {
    const auto net = small_net();
    const auto stats = sp::synthetic_statistics(net);
    const json j = reparse(hass::io::write_decomposed(stats));
    REQUIRE(j["format"] == "hass.sparsity.decomposed");
    REQUIRE(j["synthetic"] == true);
    const auto back = hass::io::read_decomposed(j, "s.json", &net);
    REQUIRE(back.synthetic);
    REQUIRE(back.provenance == stats.provenance);
    REQUIRE(back.network == "small");
    REQUIRE(back.layers.size() == stats.layers.size());
    for (std::size_t i = 0; i < stats.layers.size(); ++i) {
        const auto& a = stats.layers[i];
        const auto& b = back.layers[i];
        INFO(a.layer);
        REQUIRE(b.layer == a.layer);
        REQUIRE(b.channels == a.channels);
        REQUIRE(b.kernel == a.kernel);
        REQUIRE(b.filters == a.filters);
        REQUIRE(b.groups == a.groups);
        REQUIRE(b.source == a.source);
        REQUIRE(b.activation_threshold == a.activation_threshold);
        REQUIRE(b.tau_a_grid == a.tau_a_grid);
        REQUIRE(b.tau_w_grid == a.tau_w_grid);
        REQUIRE(b.activation_hist == a.activation_hist);
        REQUIRE(b.weight_hist == a.weight_hist);
    }
    REQUIRE(back.find("dw")->source == sp::activation_source::hardswish);
    REQUIRE_FALSE(back.find("dw")->activation_threshold);
    // without a network the sizes come from the file
    REQUIRE(hass::io::read_decomposed(j, "s.json").layers[2].groups == 32);

    SECTION("through a file") {
        const auto path = std::filesystem::temp_directory_path() / "hass_test_sparsity_decomposed.json";
        {
            std::ofstream out(path);
            out << hass::io::write_decomposed(stats).dump(1);
        }
        const auto loaded = hass::io::load_decomposed(path, &net);
        std::filesystem::remove(path);
        sp::predictor p(loaded, net), q(stats, net);
        const auto t = q.minimum_thresholds();
        for (std::size_t i = 0; i < p.size(); ++i)
            REQUIRE(p.predict_copy(i, t[i].tau_w, t[i].tau_a).histogram ==
                    q.predict_copy(i, t[i].tau_w, t[i].tau_a).histogram);
    }
}

TEST_CASE("decomposed statistics with raw weight magnitudes", "[sparsity][json]") {
    const auto net = small_net();
    auto stats = sp::synthetic_statistics(net);
    auto& dw = stats.layers[2]; // depthwise: 32 filters x 1 channel x 9
    dw.tau_w_grid.clear();
    dw.weight_hist.clear();
    for (int i = 0; i < 32 * 9; ++i) dw.magnitudes.push_back(static_cast<float>((i * 37) % 101) / 100.0f);
    const json j = reparse(hass::io::write_decomposed(stats));
    REQUIRE(layer_entry(const_cast<json&>(j), "dw")["weights"].contains("magnitudes"));
    const auto back = hass::io::read_decomposed(j, "raw.json", &net);
    REQUIRE(back.layers[2].magnitudes == dw.magnitudes);
    sp::predictor p(back, net);
    REQUIRE(p.raw_weights(2));
    REQUIRE(p.predict_copy(2, 0.5, 0.0).histogram == sp::predict(dw, 0.5, 0.0).histogram);

    json bad = j;
    layer_entry(bad, "dw")["weights"]["magnitudes"].erase(0);
    REQUIRE_THROWS_WITH(hass::io::read_decomposed(bad, "raw.json", &net),
                        Contains("raw.json: layer 'dw'") && Contains("field 'weights.magnitudes'") &&
                            Contains("32 x 1 x 9 = 288 numbers, got 287 numbers"));
    bad = j;
    layer_entry(bad, "dw")["weights"]["magnitudes"][3] = -1.0;
    REQUIRE_THROWS_WITH(hass::io::read_decomposed(bad, "raw.json", &net), Contains("finite and >= 0"));
    bad = j;
    layer_entry(bad, "dw")["weights"]["tau"] = {0.0};
    REQUIRE_THROWS_WITH(hass::io::read_decomposed(bad, "raw.json", &net), Contains("not both"));
}

TEST_CASE("decomposed statistics: errors name the file, the layer and the field", "[sparsity][json]") {
    const auto net = small_net();
    const json good = reparse(hass::io::write_decomposed(sp::synthetic_statistics(net)));
    auto fails = [&](auto edit, const std::string& a, const std::string& b = "") {
        json j = good;
        edit(j);
        INFO("expecting: " << a << " / " << b);
        REQUIRE_THROWS_AS(hass::io::read_decomposed(j, "stats.json", &net), hass::error);
        REQUIRE_THROWS_WITH(hass::io::read_decomposed(j, "stats.json", &net), Contains(a) && Contains(b));
    };
    // the example of the documentation: 32 rows for 64 input channels
    fails([](json& j) {
        auto& h = layer_entry(j, "layer1.0.conv1")["activations"]["histogram"][0];
        h.erase(h.begin() + 32, h.end());
    }, "stats.json: layer 'layer1.0.conv1'", "histogram has 32 rows but the layer has 64 input channels");
    fails([](json& j) { layer_entry(j, "layer1.0.conv1")["weights"]["histogram"][1][5] = json::array({1.0, 0.0}); },
          "field 'weights.histogram[1][5]'", "histogram row has 2 bins but the layer's kernel has K+1 = 10");
    fails([](json& j) {
        auto& row = layer_entry(j, "stem")["activations"]["histogram"][0][1];
        row[0] = -0.25;
        row[1] = row[1].get<double>() + 0.25;
    }, "layer 'stem'", "is not a probability in [0, 1]");
    fails([](json& j) {
        auto& row = layer_entry(j, "pw")["activations"]["histogram"][0][2];
        for (auto& v : row) v = v.get<double>() * 0.9;
    }, "field 'activations.histogram[0][2]'", "row 2 (input channel 2) sums to 0.900000, not 1");
    fails([](json& j) { layer_entry(j, "stem")["channels"] = 4; }, "layer 'stem': field 'channels'",
          "statistics have 4 input channels but the layer has 3");
    fails([](json& j) { layer_entry(j, "stem")["kernel"] = json::array({5, 5}); }, "field 'kernel'",
          "statistics have 25 kernel positions but the layer has 9");
    fails([](json& j) { layer_entry(j, "stem")["name"] = "stem2"; }, "stats.json: layer 'stem2'",
          "unknown layer: network 'small' has no layer of that name");
    fails([](json& j) { layer_entry(j, "stem")["name"] = "r1"; }, "layer 'r1'", "is a relu, not a convolution");
    fails([](json& j) { j["layers"].push_back(j["layers"][0]); }, "layer 'stem'", "appears twice");
    fails([](json& j) { layer_entry(j, "stem")["weights"]["tau"][2] = 0.0; }, "field 'weights.tau'",
          "strictly increasing");
    fails([](json& j) { layer_entry(j, "stem")["weights"]["tau"][0] = -1.0; }, "field 'weights.tau[0]'", ">= 0");
    fails([](json& j) { layer_entry(j, "dw")["activations"]["tau"] = {0.0, 1.0}; }, "layer 'dw'",
          "no activation threshold");
    fails([](json& j) { layer_entry(j, "stem")["activations"]["histogram"].erase(0); }, "field 'activations.histogram'",
          "one histogram per tau point");
    fails([](json& j) { j["format"] = "hass.sparsity.products"; }, "field 'format'", "hass.sparsity.decomposed");
    fails([](json& j) { layer_entry(j, "stem")["colour"] = 1; }, "unknown field 'colour'");
    fails([](json& j) { layer_entry(j, "stem")["source"] = "gelu"; }, "field 'source'", "unknown value \"gelu\"");
    // without a network the sizes are required
    json j = good;
    j["layers"][0].erase("channels");
    REQUIRE_THROWS_WITH(hass::io::read_decomposed(j, "s.json"), Contains("layer 'stem'") && Contains("missing field 'channels'"));
}

TEST_CASE("product histograms: write, read back and errors", "[sparsity][json]") {
    const auto net = small_net();
    sp::predictor p(sp::synthetic_statistics(net), net);
    sp::product_statistics prod;
    prod.network = "small";
    prod.synthetic = true;
    prod.provenance = "SYNTHETIC: tabulated from the synthetic decomposed statistics";
    for (std::size_t i = 0; i < p.size(); ++i) {
        const auto lo = p.minimum_thresholds()[i];
        const sp::threshold_pair hi{p.tau_w_range(i).second, p.tau_a_range(i).second};
        prod.layers.push_back(sp::tabulate(p, i, std::vector<sp::threshold_pair>{lo, hi}));
    }
    const json j = reparse(hass::io::write_products(prod));
    const auto back = hass::io::read_products(j, "p.json", &net);
    REQUIRE(back.synthetic);
    REQUIRE(back.layers.size() == prod.layers.size());
    for (std::size_t i = 0; i < prod.layers.size(); ++i)
        for (std::size_t k = 0; k < 2; ++k) {
            const auto& a = prod.layers[i].points[k];
            const auto& b = back.find(prod.layers[i].layer)->at(a.tau_w, a.tau_a);
            REQUIRE(b.stats.histogram == a.stats.histogram);
            REQUIRE(b.stats.mean_zeros == Approx(a.stats.mean_zeros));
        }

    json bad = j;
    layer_entry(bad, "layer1.0.conv1")["points"][0]["histogram"].erase(0);
    REQUIRE_THROWS_WITH(hass::io::read_products(bad, "p.json", &net),
                        Contains("p.json: layer 'layer1.0.conv1'") && Contains("field 'points[0].histogram'") &&
                            Contains("histogram has 63 rows but the layer has 64 input channels"));
    bad = j;
    layer_entry(bad, "pw")["points"][1] = layer_entry(bad, "pw")["points"][0];
    REQUIRE_THROWS_WITH(hass::io::read_products(bad, "p.json", &net), Contains("appears twice"));
    bad = j;
    layer_entry(bad, "pw")["points"][0]["histogram"][0][0] = 2.0;
    REQUIRE_THROWS_WITH(hass::io::read_products(bad, "p.json", &net), Contains("not a probability"));
    bad = j;
    layer_entry(bad, "pw")["name"] = "nowhere";
    REQUIRE_THROWS_WITH(hass::io::read_products(bad, "p.json", &net), Contains("unknown layer"));
}

TEST_CASE("accuracy tables: write, read back and errors", "[sparsity][json]") {
    const auto net = small_net();
    const auto prob = sp::make_synthetic_problem(net);
    auto table = prob.accuracy;
    table.baseline = 71.5;
    table.interaction = 0.1;
    const json j = reparse(hass::io::write_accuracy_table(table));
    REQUIRE(j["format"] == "hass.accuracy.table");
    const auto back = hass::io::read_accuracy_table(j, "acc.json", &net);
    REQUIRE(back.synthetic);
    REQUIRE(back.baseline == 71.5);
    REQUIRE(back.interaction == 0.1);
    REQUIRE(back.layers.size() == table.layers.size());
    sp::predictor p(prob.statistics, net);
    std::vector<sp::threshold_pair> t(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) t[i] = {p.tau_w_grid(i)[3], p.tau_a_range(i).second};
    const auto a = sp::tabulated_oracle(table, prob.statistics), b = sp::tabulated_oracle(back, prob.statistics);
    REQUIRE(a(t) == b(t));
    REQUIRE(a(t) > 0);

    auto fails = [&](auto edit, const std::string& x, const std::string& y = "") {
        json k = j;
        edit(k);
        REQUIRE_THROWS_WITH(hass::io::read_accuracy_table(k, "acc.json", &net), Contains(x) && Contains(y));
    };
    fails([](json& k) { layer_entry(k, "pw")["drop"][1][0] = -0.5; }, "acc.json: layer 'pw'",
          "field 'drop[1][0]': accuracy drops must be >= 0");
    fails([](json& k) { layer_entry(k, "pw")["drop"].erase(0); }, "field 'drop'", "one per tau_w");
    fails([](json& k) { layer_entry(k, "pw")["drop"][0].erase(0); }, "field 'drop[0]'", "one per tau_a");
    fails([](json& k) { layer_entry(k, "pw")["name"] = "fc"; }, "layer 'fc'", "unknown layer");
    fails([](json& k) { k["interaction"] = -1; }, "field 'interaction'", ">= 0");
    fails([](json& k) { layer_entry(k, "pw")["tau_a"] = json::array(); }, "field 'tau_a'", "non-empty array");
}

TEST_CASE("thresholds files: one pair per layer, inside the grids", "[sparsity][json]") {
    const auto net = small_net();
    sp::predictor p(sp::synthetic_statistics(net), net);
    std::vector<sp::threshold_pair> t = p.minimum_thresholds();
    // the first layer reads the network input: a one-point tau_a grid; use the last layer's second point
    const std::size_t last = p.size() - 1;
    REQUIRE(p.tau_a_grid(last).size() > 1);
    t[0] = {p.tau_w_grid(0)[4], p.tau_a_grid(0)[0]};
    t[last] = {p.tau_w_grid(last)[2], p.tau_a_grid(last)[1]};
    const json j = reparse(hass::io::write_thresholds(p, t));
    REQUIRE(hass::io::read_thresholds(j, "t.json", p) == t);
    // layers not in the file keep their minimum thresholds
    json partial = j;
    partial["layers"].erase(1);
    REQUIRE(hass::io::read_thresholds(partial, "t.json", p) == t);

    json bad = j;
    bad["layers"][0]["tau_w"] = 10.0;
    REQUIRE_THROWS_WITH(hass::io::read_thresholds(bad, "t.json", p),
                        Contains("t.json: layer 'stem'") && Contains("tau_w = 10 is outside the statistics grid ["));
    bad = j;
    bad["layers"][2]["tau_a"] = 0.5; // dw reads a hardswish
    REQUIRE_THROWS_WITH(hass::io::read_thresholds(bad, "t.json", p),
                        Contains("layer 'dw'") && Contains("the layer has no activation threshold"));
    bad = j;
    bad["layers"][0]["name"] = "nope";
    REQUIRE_THROWS_WITH(hass::io::read_thresholds(bad, "t.json", p), Contains("layer 'nope'") && Contains("unknown layer"));
}
