// Sparsity formats for real networks (docs/sparsity.md "Real networks"):
// activation thresholds owned by the relu/relu6 layer that makes the zeros,
// inner-product statistics, weight-sparsity targets on raw magnitudes, 1-D
// sensitivity tables, joint points and noise in accuracy tables. Expected
// values are computed by hand in the comments.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/network/builder.hpp"
#include "hass/sparsity/accuracy.hpp"
#include "hass/sparsity/json.hpp"
#include "hass/sparsity/statistics.hpp"

using Catch::Matchers::Contains;
using hass::count_t;
using json = nlohmann::json;
namespace sp = hass::sparsity;

namespace {

/// c0 (1x1, 2) -> r0 (relu6) -> {a (1x1, 2), b (1x1, 2), res}; s1 = a + b;
/// res = s1 + r0 (r0 feeds a residual add and two convolutions); r1 = relu(res);
/// gap (global average pool) -> fc (inner product, 3 features).
hass::network real_net() {
    hass::network_builder b{"real", {4, 4, 2}};
    auto x = b.conv(b.input(), "c0", {.filters = 2, .kernel = 1});
    auto r = b.relu6(x, "r0");
    auto a = b.conv(r, "a", {.filters = 2, .kernel = 1});
    auto bb = b.conv(r, "b", {.filters = 2, .kernel = 1});
    auto s = b.add(a, bb, "s1");
    auto res = b.add(s, r, "res");
    auto r1 = b.relu(res, "r1");
    auto g = b.global_avg_pool(r1, "gap");
    b.inner_product(g, "fc", 3);
    return std::move(b).build();
}

/// A 1x1 layer's statistics: C channels; activations at tau_a {0, 0.5} with
/// zero fraction z0 then z1 per value; a weight grid {0, 0.2} with all weights
/// then half of them non-zero.
sp::decomposed_histograms k1_layer(const std::string& name, count_t C, count_t F, const std::string& owner,
                                   double z0 = 0.25, double z1 = 0.5) {
    sp::decomposed_histograms d;
    d.layer = name;
    d.channels = C;
    d.kernel = 1;
    d.filters = F;
    d.groups = 1;
    d.activation_layer = owner;
    d.tau_a_grid = {0.0, 0.5};
    for (double z : {z0, z1})
        for (count_t c = 0; c < C; ++c) {
            d.activation_hist.push_back(z);
            d.activation_hist.push_back(1 - z);
        }
    d.tau_w_grid = {0.0, 0.2};
    for (double z : {0.0, 0.5})
        for (count_t c = 0; c < C; ++c) {
            d.weight_hist.push_back(z);
            d.weight_hist.push_back(1 - z);
        }
    return d;
}

sp::decomposed_statistics real_stats() {
    sp::decomposed_statistics s;
    s.network = "real";
    s.layers.push_back(k1_layer("a", 2, 2, "r0"));
    s.layers.push_back(k1_layer("b", 2, 2, "r0"));
    s.layers.push_back(k1_layer("fc", 2, 3, "r1", 0.0, 0.5)); // gap of 2 channels: 2 inputs
    return s;
}

json reparse(const nlohmann::ordered_json& j) { return json::parse(j.dump()); }

} // namespace

TEST_CASE("activation thresholds belong to the activation layer that makes the zeros", "[sparsity][real]") {
    const auto net = real_net();
    auto idx = [&](const char* n) { return static_cast<std::size_t>(net.find(n)); };
    // through the split r0 feeds a, b and the residual add; fc reads r1 through the global pool
    REQUIRE(sp::activation_owner_of(net, idx("a")) == net.find("r0"));
    REQUIRE(sp::activation_owner_of(net, idx("b")) == net.find("r0"));
    REQUIRE(sp::activation_owner_of(net, idx("fc")) == net.find("r1"));
    REQUIRE(sp::activation_owner_of(net, idx("c0")) == -1); // the network input
    REQUIRE(sp::activation_owner_of(net, idx("r1")) == -1); // an add is not an activation

    const auto stats = real_stats();
    REQUIRE_NOTHROW(sp::check(stats));
    REQUIRE_NOTHROW(sp::check_against(stats, net));
    sp::predictor p(stats, net);
    // variables: a and b share r0's tau_a; fc owns r1's
    REQUIRE(p.activation_groups() == 2);
    REQUIRE(p.group_name(0) == "r0");
    REQUIRE(p.group_members(0).size() == 2);
    REQUIRE(p.activation_owner(2) == "r1");
    REQUIRE_FALSE(p.convolution(2)); // the inner product: accuracy only, dense in hardware

    SECTION("a thresholds file sets an activation layer's tau_a for every layer reading it") {
        const json t = json::parse(R"({"format": "hass.sparsity.thresholds", "version": 1,
            "layers": [{"name": "r0", "tau_a": 0.5}, {"name": "a", "tau_w": 0.2}]})");
        const auto pairs = hass::io::read_thresholds(t, "t.json", p);
        REQUIRE(pairs[0] == sp::threshold_pair{0.2, 0.5});
        REQUIRE(pairs[1] == sp::threshold_pair{0.0, 0.5});
        REQUIRE(pairs[2] == sp::threshold_pair{0.0, 0.0});
        // the activation sparsity at 0.5: zero fraction 0.5 per value, K = 1
        REQUIRE(p.activation_sparsity(1, pairs[1].tau_a) == Approx(0.5));
        const json clash = json::parse(R"({"format": "hass.sparsity.thresholds", "version": 1,
            "layers": [{"name": "a", "tau_a": 0.5}, {"name": "b", "tau_a": 0.0}]})");
        REQUIRE_THROWS_WITH(hass::io::read_thresholds(clash, "t.json", p),
                            Contains("t.json") && Contains("layer 'b'") && Contains("activation layer 'r0'") &&
                                Contains("share one tau_a"));
        const json w_on_act = json::parse(R"({"format": "hass.sparsity.thresholds", "version": 1,
            "layers": [{"name": "r0", "tau_w": 0.1}]})");
        REQUIRE_THROWS_WITH(hass::io::read_thresholds(w_on_act, "t.json", p), Contains("it has no weights"));
        const json unknown = json::parse(R"({"format": "hass.sparsity.thresholds", "version": 1,
            "layers": [{"name": "zz", "tau_a": 0.1}]})");
        REQUIRE_THROWS_WITH(hass::io::read_thresholds(unknown, "t.json", p),
                            Contains("t.json: layer 'zz'") && Contains("unknown layer"));
        const json outside = json::parse(R"({"format": "hass.sparsity.thresholds", "version": 1,
            "layers": [{"name": "r0", "tau_a": 0.75}]})");
        REQUIRE_THROWS_WITH(hass::io::read_thresholds(outside, "t.json", p),
                            Contains("t.json: layer 'r0'") && Contains("outside the statistics grid [0, 0.5]"));
        // written back: each layer names its activation layer
        const json back = reparse(hass::io::write_thresholds(p, pairs));
        REQUIRE(back["layers"][0]["activation_layer"] == "r0");
        REQUIRE(back["layers"][0]["weight_sparsity"].get<double>() == Approx(0.5));
        REQUIRE(hass::io::read_thresholds(back, "back.json", p) == pairs);
    }
    SECTION("errors: the wrong activation layer, different grids, an activation layer with statistics") {
        auto s = real_stats();
        s.layers[0].activation_layer = "r1";
        s.layers[1].activation_layer = "r1";
        REQUIRE_THROWS_WITH(sp::check_against(s, net),
                            Contains("'a'") && Contains("is not what the layer reads: it reads activation layer 'r0'"));
        s = real_stats();
        s.layers[0].activation_layer = "s1";
        s.layers[1].activation_layer = "s1";
        REQUIRE_THROWS_WITH(sp::check_against(s, net), Contains("activation thresholds belong to relu, relu6"));
        s = real_stats();
        s.layers[1].tau_a_grid = {0.0, 0.4};
        REQUIRE_THROWS_WITH(sp::check(s), Contains("read the same activation layer 'r0'") && Contains("grids differ"));
        s = real_stats();
        s.layers[1].activation_layer = "a";
        REQUIRE_THROWS_WITH(sp::check(s), Contains("is a layer with statistics, not an activation layer"));
    }
    SECTION("inner products: channels = flattened inputs, kernel 1, filters = features") {
        auto s = real_stats();
        s.layers[2] = k1_layer("fc", 3, 3, "r1");
        REQUIRE_THROWS_WITH(sp::check_against(s, net),
                            Contains("'fc'") && Contains("the inner product has 2 inputs and 3 features"));
        // through a file: the sizes come from the network
        json j = reparse(hass::io::write_decomposed(real_stats()));
        REQUIRE(j["layers"][2]["activation_layer"] == "r1");
        for (auto& e : j["layers"]) {
            e.erase("channels");
            e.erase("kernel");
            e.erase("filters");
            e.erase("groups");
        }
        const auto back = hass::io::read_decomposed(j, "s.json", &net);
        REQUIRE(back.layers[2].channels == 2);
        REQUIRE(back.layers[2].filters == 3);
        REQUIRE(back.layers[0].activation_layer == "r0");
        j["layers"][0]["activation_layer"] = "r1";
        j["layers"][1]["activation_layer"] = "r1";
        REQUIRE_THROWS_WITH(hass::io::read_decomposed(j, "s.json", &net),
                            Contains("s.json") && Contains("it reads activation layer 'r0'"));
    }
    SECTION("apply() leaves the inner product dense") {
        auto copy = net;
        auto t = p.minimum_thresholds();
        p.apply(copy, t);
        REQUIRE(copy.layers[static_cast<std::size_t>(copy.find("a"))].sparsity.active());
        REQUIRE_FALSE(copy.layers[static_cast<std::size_t>(copy.find("fc"))].sparsity.active());
    }
}

TEST_CASE("weight-sparsity targets on raw magnitudes are exact", "[sparsity][real]") {
    // 8 magnitudes 0.1 .. 0.8, sorted
    const std::vector<float> m{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f};
    // n = round(s N), half to even; tau = m_(n) (0-based), pruning |w| < tau
    REQUIRE(sp::threshold_for_sparsity(m, 0.0) == 0.0);
    REQUIRE(sp::threshold_for_sparsity(m, 0.25) == static_cast<double>(0.3f));   // n = 2
    REQUIRE(sp::threshold_for_sparsity(m, 0.3125) == static_cast<double>(0.3f)); // 2.5 -> 2
    REQUIRE(sp::threshold_for_sparsity(m, 0.4375) == static_cast<double>(0.5f)); // 3.5 -> 4
    REQUIRE(sp::threshold_for_sparsity(m, 0.05) == 0.0);                         // 0.4 -> 0
    REQUIRE(sp::threshold_for_sparsity(m, 1.0) > 0.8f);                          // all pruned
    REQUIRE_THROWS_WITH(sp::threshold_for_sparsity(m, 1.5), Contains("outside [0, 1]"));

    // one 1x1 layer, 2 channels, 4 filters: magnitudes f x c
    sp::decomposed_histograms d = k1_layer("pw", 2, 4, "");
    d.tau_w_grid.clear();
    d.weight_hist.clear();
    const std::vector<float> w{-0.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f, 0.7f, 0.8f};
    sp::set_magnitudes(d, w);
    REQUIRE(d.magnitudes[0] == 0.1f);
    d.weight_targets = {0.0, 0.25, 0.5};
    sp::decomposed_statistics s;
    s.layers.push_back(d);
    sp::predictor p(s);
    // the search grid: the thresholds at the targets
    REQUIRE(p.tau_w_grid(0).size() == 3);
    REQUIRE(p.tau_w_grid(0)[1] == static_cast<double>(0.3f));
    REQUIRE(p.tau_w_grid(0)[2] == static_cast<double>(0.5f));
    REQUIRE(p.weight_targets(0)[2] == 0.5);
    // exactly the target: 2 of 8 and 4 of 8 weights are zero
    REQUIRE(p.weight_sparsity(0, p.tau_w_grid(0)[1]) == Approx(0.25));
    REQUIRE(p.weight_sparsity(0, p.tau_w_grid(0)[2]) == Approx(0.5));
    // channel 0 holds 0.1, 0.3, 0.5, 0.7 (filter-major order): at tau 0.5 two survive
    REQUIRE_THROWS_WITH(sp::set_magnitudes(d, std::vector<float>{0.1f}),
                        Contains("'pw'") && Contains("1 weights for the layer, expected filters x channels/groups x K = 8"));
    REQUIRE_THROWS_WITH(sp::set_magnitudes(d, std::vector<float>{0, 0, 0, 0, 0, 0, 0, std::nanf("")}),
                        Contains("weight [7] is not finite"));

    SECTION("a file without weight statistics takes them from the model") {
        sp::decomposed_statistics none;
        none.layers.push_back(k1_layer("pw", 2, 4, ""));
        none.layers[0].tau_w_grid.clear();
        none.layers[0].weight_hist.clear();
        json j = reparse(hass::io::write_decomposed(none));
        REQUIRE_FALSE(j["layers"][0].contains("weights"));
        auto read = hass::io::read_decomposed(j, "nw.json");
        REQUIRE_THROWS_WITH(hass::io::fill_magnitudes(read, [](const std::string&) { return std::span<const float>{}; },
                                                      "nw.json"),
                            Contains("nw.json: layer 'pw': no weight statistics"));
        REQUIRE(hass::io::fill_magnitudes(read, [&](const std::string&) { return std::span<const float>(w); },
                                          "nw.json") == 1);
        REQUIRE(read.layers[0].magnitudes.size() == 8);
        // an accuracy table keyed by weight sparsity: exact at the thresholds of the targets
        const json acc = json::parse(R"({"format": "hass.accuracy.table", "version": 1,
            "layers": [{"name": "pw", "weight_sparsity": [0, 0.25, 0.5], "drop": [0, 0.1, 0.3]},
                       {"name": "gone", "weight_sparsity": [0, 0.5], "drop": [0, 0.1]}]})");
        auto table = hass::io::read_accuracy_table(acc, "acc.json");
        REQUIRE(table.layers[0].by_weight_sparsity);
        REQUIRE_THROWS_WITH(sp::accuracy_model(table, sp::threshold_layout{{"pw"}, {"pw"}}),
                            Contains("given by weight_sparsity"));
        REQUIRE(hass::io::resolve_weight_sparsity(table, read, "acc.json") == 1);
        REQUIRE(table.layers.size() == 1); // 'gone' is not in the statistics
        REQUIRE_THAT(table.notes.back(), Contains("layer 'gone'") && Contains("ignored"));
        REQUIRE(table.layers[0].tau_w == std::vector<double>{0.0, static_cast<double>(0.3f), static_cast<double>(0.5f)});
        const sp::accuracy_model am(table, sp::threshold_layout{{"pw"}, {"pw"}});
        // halfway between the 25% and 50% thresholds: (0.1 + 0.3) / 2
        REQUIRE(am(std::vector<sp::threshold_pair>{{0.4, 0.0}}) == Approx(0.2));
        auto tied = hass::io::read_accuracy_table(json::parse(R"({"format": "hass.accuracy.table", "version": 1,
            "layers": [{"name": "pw", "weight_sparsity": [0.25, 0.3], "drop": [0, 0.1]}]})"), "acc.json");
        REQUIRE_THROWS_WITH(hass::io::resolve_weight_sparsity(tied, read, "acc.json"),
                            Contains("acc.json: layer 'pw': weight_sparsity 0.3 gives the same threshold"));
        auto on_grid = hass::io::read_accuracy_table(acc, "acc.json");
        sp::decomposed_statistics grid;
        grid.layers.push_back(k1_layer("pw", 2, 4, ""));
        REQUIRE_THROWS_WITH(hass::io::resolve_weight_sparsity(on_grid, grid, "acc.json"),
                            Contains("acc.json: layer 'pw': the table gives weight_sparsity, which needs the layer's weights"));
        j["layers"][0]["weights"] = {{"targets", {0.5, 0.25}}};
        REQUIRE_THROWS_WITH(hass::io::read_decomposed(j, "nw.json"), Contains("strictly increasing"));
    }
}

TEST_CASE("accuracy tables: 1-D sensitivity tables, joint points, noise", "[sparsity][accuracy][real]") {
    // layout: a and b read r0; fc reads r1
    sp::threshold_layout layout{{"a", "b", "fc"}, {"r0", "r0", "r1"}};
    sp::accuracy_table t;
    t.layers.push_back({"a", {0.0, 0.2}, {}, {0.0, 1.0}});   // weight table
    t.layers.push_back({"b", {0.0, 0.2}, {}, {0.0, 0.4}});   // weight table
    t.layers.push_back({"fc", {0.0, 0.4}, {}, {0.0, 0.5}});  // weight table (inner product)
    t.layers.push_back({"r0", {}, {0.0, 0.5}, {0.0, 2.0}});  // activation table
    // a at 0.1: 0.5; b at 0.2: 0.4; r0 at 0.25: 1.0; fc at 0: 0
    const std::vector<sp::threshold_pair> c{{0.1, 0.25}, {0.2, 0.25}, {0.0, 0.0}};

    SECTION("additive, then with interaction") {
        t.fit_interaction = false;
        REQUIRE(sp::accuracy_model(t, layout)(c) == Approx(1.9));
        t.interaction = 0.2;
        // P = (S^2 - sum d^2) / 2 = (3.61 - 1.41) / 2 = 1.1
        REQUIRE(sp::accuracy_model(t, layout)(c) == Approx(1.9 + 0.2 * 1.1));
    }
    SECTION("an activation table counts once for every layer reading the activation") {
        auto model = sp::accuracy_model(t, layout);
        const std::vector<sp::threshold_pair> only_act{{0.0, 0.5}, {0.0, 0.5}, {0.0, 0.0}};
        REQUIRE(model(only_act) == Approx(2.0));
    }
    SECTION("joint points: reproduced exactly, kappa fitted, blended near them") {
        // a at 0.2 (1.0) with r0 at 0.5 (2.0): S = 3, P = 2; measured 4 -> kappa_1 = 0.5
        t.joint.push_back({{{"a", 0.2, std::nullopt}, {"r0", std::nullopt, 0.5}}, 4.0});
        sp::accuracy_model fitted(t, layout);
        REQUIRE(fitted.kappa0() == Approx(0.5)); // least squares over one point
        REQUIRE(fitted.joint_kappa()[0] == Approx(0.5));
        const std::vector<sp::threshold_pair> at{{0.2, 0.5}, {0.0, 0.5}, {0.0, 0.0}};
        REQUIRE(fitted(at) == 4.0);
        // far from it (r = sqrt((0.5^2 + 0.5^2) / 4) = 0.354 > R = 0.25): kappa_0
        const std::vector<sp::threshold_pair> far{{0.1, 0.25}, {0.0, 0.25}, {0.0, 0.0}};
        REQUIRE(fitted(far) == Approx(1.5 + 0.5 * 0.5));
        // with interaction 0 given: kappa_0 = 0, and near the point (u_r0 = 0.9,
        // r = sqrt(0.01 / 4) = 0.05): w = ((0.25 - 0.05) / (0.25 * 0.05))^2 = 256,
        // w_0 = 16, kappa = 256 * 0.5 / 272; d_a = 1, d_r0 = 1.8: S = 2.8, P = 1.8
        t.fit_interaction = false;
        t.interaction = 0.0;
        sp::accuracy_model fixed(t, layout);
        REQUIRE(fixed(at) == 4.0);
        REQUIRE(fixed(far) == Approx(1.5));
        const std::vector<sp::threshold_pair> near{{0.2, 0.45}, {0.0, 0.45}, {0.0, 0.0}};
        REQUIRE(fixed(near) == Approx(2.8 + 256.0 * 0.5 / 272.0 * 1.8));
    }
    SECTION("errors name the entry") {
        auto bad = t;
        bad.layers.push_back({"a", {}, {0.0, 0.5}, {0.0, 1.0}}); // a reads r0
        REQUIRE_THROWS_WITH(sp::accuracy_model(bad, layout),
                            Contains("'a' reads activation layer 'r0'") && Contains("under that name"));
        bad = t;
        bad.layers.erase(bad.layers.begin() + 1); // no b
        REQUIRE_THROWS_WITH(sp::accuracy_model(bad, layout), Contains("has no layer 'b'"));
        bad = t;
        // only a's term is non-zero: no interaction can give 3
        bad.joint.push_back({{{"a", 0.2, std::nullopt}}, 3.0});
        REQUIRE_THROWS_WITH(sp::accuracy_model(bad, layout),
                            Contains("joint[0]") && Contains("belongs in that layer's table"));
        bad = t;
        bad.joint.push_back({{{"zz", 0.2, std::nullopt}}, 3.0});
        REQUIRE_THROWS_WITH(sp::accuracy_model(bad, layout), Contains("joint[0]") && Contains("'zz'"));
        // the search grid reaches outside the table
        std::vector<std::vector<double>> gw{{0.0, 0.3}, {0.0, 0.2}, {0.0, 0.4}}, ga{{0.0, 0.5}, {0.0, 0.5}, {0.0}};
        REQUIRE_THROWS_WITH(sp::accuracy_model(t, layout, gw, ga),
                            Contains("'a'") && Contains("tau_w grid [0, 0.3] reaches outside the table's tau_w [0, 0.2]"));
        ga[0] = ga[1] = {0.0, 0.5};
        gw[0] = {0.0, 0.2};
        auto no_act = t;
        no_act.layers.pop_back();
        REQUIRE_THROWS_WITH(sp::accuracy_model(no_act, layout, gw, ga),
                            Contains("no drops for the activation threshold of activation layer 'r0'"));
    }
}

TEST_CASE("accuracy table files: 1-D tables, joint points, noise, 2-D grids", "[sparsity][accuracy][json][real]") {
    const auto net = real_net();
    const json j = json::parse(R"({
        "format": "hass.accuracy.table", "version": 1, "network": "real", "noise": 0.1,
        "layers": [
            {"name": "a", "tau_w": [0.0, 0.2], "drop": [0.0, 1.0]},
            {"name": "b", "tau_w": [0.0, 0.2], "tau_a": [0.0], "drop": [[-0.05], [0.4]]},
            {"name": "fc", "tau_w": [0.0, 0.4], "drop": [0.0, 0.5]},
            {"name": "r0", "tau_a": [0.0, 0.5], "drop": [0.0, 2.0]}],
        "joint": [{"layers": [{"name": "a", "tau_w": 0.2}, {"name": "r0", "tau_a": 0.5}], "drop": 4.0}]})");
    const auto t = hass::io::read_accuracy_table(j, "acc.json", &net);
    REQUIRE(t.layers.size() == 4);
    REQUIRE(t.layers[0].kind() == sp::layer_accuracy::form::weight);
    REQUIRE(t.layers[1].kind() == sp::layer_accuracy::form::grid);
    REQUIRE(t.layers[3].kind() == sp::layer_accuracy::form::activation);
    REQUIRE(t.layers[1].drop[0] == 0.0); // -0.05 within the noise: clamped
    REQUIRE(t.notes.size() == 1);
    REQUIRE_THAT(t.notes[0], Contains("1 negative drop within the noise tolerance (0.1 points) read as 0") &&
                                 Contains("-0.05 at layer 'b' tau_w 0 tau_a 0"));
    REQUIRE(t.fit_interaction); // no "interaction": fitted to the joint points
    REQUIRE(t.joint.size() == 1);
    REQUIRE(*t.joint[0].layers[1].tau_a == 0.5);
    const sp::accuracy_model m(t, sp::threshold_layout{{"a", "b", "fc"}, {"r0", "r0", "r1"}});
    REQUIRE(m(std::vector<sp::threshold_pair>{{0.2, 0.5}, {0.0, 0.5}, {0.0, 0.0}}) == 4.0);
    // written and read back
    const auto back = hass::io::read_accuracy_table(reparse(hass::io::write_accuracy_table(t)), "back.json", &net);
    REQUIRE(back.layers[3].tau_a == t.layers[3].tau_a);
    REQUIRE(back.joint[0].drop == 4.0);
    REQUIRE(back.fit_interaction);

    auto fails = [&](json bad, const std::string& what) {
        REQUIRE_THROWS_WITH(hass::io::read_accuracy_table(bad, "acc.json", &net), Contains("acc.json") && Contains(what));
    };
    json bad = j;
    bad["layers"][0]["drop"][1] = -0.5;
    fails(bad, "negative values down to -noise = -0.1 points are read as measurement noise");
    bad = j;
    bad["noise"] = 0.0;
    fails(bad, "got -0.05");
    bad = j;
    bad["layers"][3]["name"] = "s1";
    fails(bad, "activation tables belong to relu, relu6 and thresholded_relu layers");
    bad = j;
    bad["layers"][0]["name"] = "r0";
    fails(bad, "not a convolution or an inner product");
    bad = j;
    bad["layers"].push_back({{"name", "a"}, {"tau_w", {0.0, 0.1}}, {"drop", {0.0, 0.1}}});
    fails(bad, "appears twice in the file (as weight table)");
    bad = j;
    bad["layers"][0]["drop"] = {{0.0}, {1.0}};
    fails(bad, "expected 2 drops (one per tau_w point)");
    bad = j;
    bad["joint"][0]["layers"][0]["name"] = "zz";
    fails(bad, "unknown layer");
    bad = j;
    bad["layers"][0].erase("tau_w");
    fails(bad, "give tau_w or weight_sparsity (a weight table), tau_a (an activation table) or both");
}
