// The seeded synthetic co-search problem the co-search and verification tests share.
#pragma once

#include <hass/hass.hpp>
#include <hass/sparsity/cosearch.hpp>
#include <hass/sparsity/synthetic.hpp>

namespace hass_test {

// Three 3x3 convolutions after ReLUs: small enough for Debug builds.
inline hass::network small_net() {
    hass::network_builder b{"small", {16, 16, 8}};
    auto x = b.conv(b.input(), "conv1", {.filters = 16, .kernel = 3, .pad = 1});
    x = b.relu(x, "relu1");
    x = b.conv(x, "conv2", {.filters = 16, .kernel = 3, .pad = 1});
    x = b.relu(x, "relu2");
    x = b.conv(x, "conv3", {.filters = 16, .kernel = 3, .pad = 1});
    x = b.relu(x, "relu3");
    x = b.global_avg_pool(x, "gap");
    b.inner_product(x, "fc", 10);
    return std::move(b).build();
}

inline const hass::board small_board{"small", "none", {48, 40000, 80000, 60, 0}, 200, 10};

struct problem {
    hass::network net = small_net();
    hass::sparsity::synthetic_problem synth = hass::sparsity::make_synthetic_problem(net);
    hass::sparsity::predictor pred{synth.statistics, net};
    hass::sparsity::accuracy_oracle oracle = hass::sparsity::tabulated_oracle(synth.accuracy, synth.statistics);
};

} // namespace hass_test
