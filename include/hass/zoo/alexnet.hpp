// AlexNet as torchvision builds it (the single-tower "one weird trick"
// variant), for a 224x224x3 input. The adaptive average pool to 6x6 is the
// identity at this input size and the dropouts do nothing at inference, so
// both are omitted; layer names keep torchvision's indices.
#pragma once

#include <string>

#include "hass/network/builder.hpp"

namespace hass::zoo {

/// torchvision alexnet: 61,100,840 parameters, 0.714 GMACs.
constexpr network alexnet() {
    network_builder b{"alexnet", {224, 224, 3}};
    constexpr conv_params plain{.bias = true, .batchnorm = false};
    auto conv = [&](network_builder::tensor x, std::string name, count_t filters, count_t kernel, count_t stride,
                    count_t pad) {
        conv_params p = plain;
        p.filters = filters;
        p.kernel = kernel;
        p.stride = stride;
        p.pad = pad;
        return b.conv(x, std::move(name), p);
    };
    auto x = conv(b.input(), "features.0", 64, 11, 4, 2);
    x = b.relu(x, "features.1");
    x = b.max_pool(x, "features.2", 3, 2);
    x = conv(x, "features.3", 192, 5, 1, 2);
    x = b.relu(x, "features.4");
    x = b.max_pool(x, "features.5", 3, 2);
    x = conv(x, "features.6", 384, 3, 1, 1);
    x = b.relu(x, "features.7");
    x = conv(x, "features.8", 256, 3, 1, 1);
    x = b.relu(x, "features.9");
    x = conv(x, "features.10", 256, 3, 1, 1);
    x = b.relu(x, "features.11");
    x = b.max_pool(x, "features.12", 3, 2);
    x = b.inner_product(x, "classifier.1", 4096);
    x = b.relu(x, "classifier.2");
    x = b.inner_product(x, "classifier.4", 4096);
    x = b.relu(x, "classifier.5");
    b.inner_product(x, "classifier.6", 1000);
    return std::move(b).build();
}

} // namespace hass::zoo
