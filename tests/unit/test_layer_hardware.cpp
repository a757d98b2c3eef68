// Hardware details the C-simulation of the HLS kernels brought out
// (docs/deviations.md items 11 and 12, and the concat rule).
#include <catch2/catch.hpp>

#include <hass/hass.hpp>

#include <string>
#include <vector>

namespace {

hass::layer depthwise_3x3() { // 8x8x4 -> 8x8x4, 3x3 pad 1, groups 4
    hass::network_builder b{"dw", {8, 8, 4}};
    b.conv(b.input(), "dw", {.filters = 4, .kernel = 3, .pad = 1, .groups = 4});
    return std::move(b).build().layers[0];
}

std::vector<std::string> modules_of(const hass::layer& l, const hass::folding& f) {
    std::vector<std::string> names;
    hass::for_each_module(l, f, [&](const auto& m, hass::count_t) { names.emplace_back(std::decay_t<decltype(m)>::name); });
    return names;
}

bool has(const std::vector<std::string>& v, std::string_view name) {
    return std::find(v.begin(), v.end(), name) != v.end();
}

} // namespace

TEST_CASE("a dense accumulator adds the K/f chunks of a window even when C/S = 1", "[layer]") {
    const auto l = depthwise_3x3();
    // coarse_group 4: C/S = 4/4 = 1 channel per stream; fine 3 < K = 9: three chunk sums per window
    const auto chunked = modules_of(l, {.coarse_group = 4, .fine = 3});
    CHECK(has(chunked, "accumulator"));
    // fine = K: one dot product per window and one channel per stream: nothing to add
    const auto whole = modules_of(l, {.coarse_group = 4, .fine = 9});
    CHECK_FALSE(has(whole, "accumulator"));
    // the accumulator never sets the pace: L = 8*8 * (4*9)/(3*4) * 4/(1*4) = 192 cycles either way
    CHECK(hass::evaluate_layer(l, {.coarse_group = 4, .fine = 3}).latency == 192);
}

TEST_CASE("each sparse bias replica holds only its own filters", "[layer][sparse]") {
    hass::network_builder b{"sp", {8, 8, 4}};
    b.conv(b.input(), "conv", {.filters = 64, .kernel = 3, .pad = 1, .bias = true, .batchnorm = false});
    auto l = std::move(b).build().layers[0];
    std::vector<double> h;
    for (int c = 0; c < 4; ++c)
        for (int z = 0; z <= 9; ++z) h.push_back(z == 5 ? 1.0 : 0.0);
    l.sparsity = hass::make_sparsity_stats(4, 9, h, "conv");
    hass::count_t filters = 0, replicas = 0;
    hass::for_each_module(l, {.coarse_out = 4}, [&](const auto& m, hass::count_t r) {
        if constexpr (std::is_same_v<std::decay_t<decltype(m)>, hass::modules::bias>) {
            filters = m.filters;
            replicas = r;
        }
    });
    CHECK(replicas == 4);    // co*cg = 4 output streams
    CHECK(filters == 16);    // 64 / 4 biases each
}

TEST_CASE("a concat's coarse must divide the channels of every input", "[network]") {
    hass::network_builder b{"cat", {4, 4, 6}};
    auto x = b.conv(b.input(), "a", {.filters = 4, .kernel = 1});
    auto y = b.conv(b.input(), "b", {.filters = 6, .kernel = 1});
    b.concat({x, y}, "cat");
    const auto net = std::move(b).build();
    auto f = hass::unit_folding(net);
    const auto cat = static_cast<std::size_t>(net.find("cat"));
    f[cat] = {.coarse_in = 2, .coarse_out = 2};
    CHECK_NOTHROW(hass::validate(net, f)); // 2 divides 4 and 6
    f[cat] = {.coarse_in = 5, .coarse_out = 5};
    CHECK_THROWS_WITH(hass::validate(net, f), Catch::Contains("'cat'") && Catch::Contains("does not divide"));
    // coarse 3 divides the second input (6) and not the first (4)
    f[cat] = {.coarse_in = 3, .coarse_out = 3};
    CHECK_THROWS_WITH(hass::validate(net, f), Catch::Contains("does not divide") && Catch::Contains("4"));

}

TEST_CASE("with three inputs only the network-level rule catches a coarse that misses a middle input", "[network]") {
    // inputs of 4, 2 and 6 channels (12 out): coarse 4 divides 4 and 12 but not 2 or 6
    hass::network_builder b{"cat3", {4, 4, 6}};
    auto x = b.conv(b.input(), "a", {.filters = 4, .kernel = 1});
    auto y = b.conv(b.input(), "b", {.filters = 2, .kernel = 1});
    auto z = b.conv(b.input(), "c", {.filters = 6, .kernel = 1});
    b.concat({x, y, z}, "cat");
    const auto net = std::move(b).build();
    auto f = hass::unit_folding(net);
    const auto cat = static_cast<std::size_t>(net.find("cat"));
    f[cat] = {.coarse_in = 4, .coarse_out = 4};
    CHECK(hass::is_valid_folding(net[cat], f[cat])); // the layer alone sees 4 | 4 and 4 | 12
    CHECK_THROWS_WITH(hass::validate(net, f), Catch::Contains("does not divide the 2 channels of an input"));
}

TEST_CASE("a layer with statistics built dense costs what the dense layer costs", "[layer][sparse]") {
    hass::network_builder b{"sp", {8, 8, 4}};
    b.conv(b.input(), "conv", {.filters = 8, .kernel = 3, .pad = 1});
    const auto dense_layer = std::move(b).build().layers[0];
    auto l = dense_layer;
    std::vector<double> h;
    for (int c = 0; c < 4; ++c)
        for (int z = 0; z <= 9; ++z) h.push_back(z == 6 ? 1.0 : 0.0);
    l.sparsity = hass::make_sparsity_stats(4, 9, h, "conv");
    REQUIRE(l.is_sparse());
    const hass::folding f{.coarse_in = 2, .coarse_out = 2, .fine = 3, .dense = true};
    CHECK(hass::evaluate_layer(l, f) == hass::evaluate_layer(dense_layer, {.coarse_in = 2, .coarse_out = 2, .fine = 3}));
    CHECK_FALSE(hass::evaluate_layer(l, f).sparse);
    // built dense, fine must divide K again
    CHECK_FALSE(hass::is_valid_folding(l, {.fine = 2, .dense = true}));
    CHECK(hass::is_valid_folding(l, {.fine = 2}));
    // only convolutions choose
    hass::layer relu;
    relu.name = "relu";
    relu.in = relu.out = {4, 4, 4};
    CHECK_THAT(hass::folding_problem(relu, {.dense = true}), Catch::Contains("only a convolution"));
}
