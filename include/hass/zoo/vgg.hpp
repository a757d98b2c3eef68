// VGG-16 as torchvision builds it (configuration "D", no BatchNorm), for a
// 224x224x3 input. The adaptive average pool to 7x7 is the identity at this
// input size and the dropouts do nothing at inference, so both are omitted;
// layer names keep torchvision's indices ("features.28", "classifier.6").
#pragma once

#include <array>

#include "hass/core/text.hpp"
#include "hass/network/builder.hpp"

namespace hass::zoo {

/// torchvision vgg16: 138,357,544 parameters, 15.470 GMACs.
constexpr network vgg16() {
    using hass::detail::cat;
    constexpr count_t M = 0; // max pool
    constexpr std::array<count_t, 18> cfg{64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
    network_builder b{"vgg16", {224, 224, 3}};
    auto x = b.input();
    int index = 0;
    for (count_t v : cfg) {
        if (v == M) {
            x = b.max_pool(x, cat("features.", index++), 2, 2);
        } else {
            x = b.conv(x, cat("features.", index++), {.filters = v, .kernel = 3, .pad = 1, .bias = true, .batchnorm = false});
            x = b.relu(x, cat("features.", index++));
        }
    }
    x = b.inner_product(x, "classifier.0", 4096);
    x = b.relu(x, "classifier.1");
    x = b.inner_product(x, "classifier.3", 4096);
    x = b.relu(x, "classifier.4");
    b.inner_product(x, "classifier.6", 1000);
    return std::move(b).build();
}

} // namespace hass::zoo
