// ResNet-18 and ResNet-50 as torchvision builds them (v1.5: the stride of a
// Bottleneck sits on its 3x3 convolution), for a 224x224x3 input.
//
//   static_assert(hass::zoo::resnet18().parameter_count() == 11'689'512);
//
// BatchNorms are folded into the preceding convolution (`batchnorm = true`);
// each ReLU is its own layer, named after the BatchNorm it follows (relu1,
// relu2, ...) because torchvision reuses one module; the residual add is
// "layerN.M.add".
#pragma once

#include <array>
#include <string>

#include "hass/core/text.hpp"
#include "hass/network/builder.hpp"

namespace hass::zoo {

namespace detail {

/// BasicBlock (ResNet-18/34): 3x3 (stride) -> relu -> 3x3 -> add -> relu.
constexpr network_builder::tensor resnet_basic_block(network_builder& b, network_builder::tensor x,
                                                     const std::string& p, count_t planes, count_t stride) {
    using hass::detail::cat;
    const count_t in_channels = b.shape(x).channels;
    auto y = b.conv(x, cat(p, ".conv1"), {.filters = planes, .kernel = 3, .stride = stride, .pad = 1});
    y = b.relu(y, cat(p, ".relu1"));
    y = b.conv(y, cat(p, ".conv2"), {.filters = planes, .kernel = 3, .pad = 1});
    auto identity = x;
    if (stride != 1 || in_channels != planes)
        identity = b.conv(x, cat(p, ".downsample.0"), {.filters = planes, .kernel = 1, .stride = stride});
    y = b.add(y, identity, cat(p, ".add"));
    return b.relu(y, cat(p, ".relu2"));
}

/// Bottleneck (ResNet-50/101/152): 1x1 -> relu -> 3x3 (stride) -> relu -> 1x1 (4x) -> add -> relu.
constexpr network_builder::tensor resnet_bottleneck(network_builder& b, network_builder::tensor x,
                                                    const std::string& p, count_t planes, count_t stride) {
    using hass::detail::cat;
    constexpr count_t expansion = 4;
    const count_t in_channels = b.shape(x).channels;
    auto y = b.conv(x, cat(p, ".conv1"), {.filters = planes, .kernel = 1});
    y = b.relu(y, cat(p, ".relu1"));
    y = b.conv(y, cat(p, ".conv2"), {.filters = planes, .kernel = 3, .stride = stride, .pad = 1});
    y = b.relu(y, cat(p, ".relu2"));
    y = b.conv(y, cat(p, ".conv3"), {.filters = planes * expansion, .kernel = 1});
    auto identity = x;
    if (stride != 1 || in_channels != planes * expansion)
        identity = b.conv(x, cat(p, ".downsample.0"), {.filters = planes * expansion, .kernel = 1, .stride = stride});
    y = b.add(y, identity, cat(p, ".add"));
    return b.relu(y, cat(p, ".relu3"));
}

/// The torchvision ResNet skeleton: stem, four stages of blocks, pool, fc.
constexpr network resnet(std::string name, const std::array<int, 4>& blocks, bool bottleneck) {
    using hass::detail::cat;
    network_builder b{std::move(name), {224, 224, 3}};
    auto x = b.conv(b.input(), "conv1", {.filters = 64, .kernel = 7, .stride = 2, .pad = 3});
    x = b.relu(x, "relu");
    x = b.max_pool(x, "maxpool", 3, 2, 1);
    constexpr std::array<count_t, 4> planes{64, 128, 256, 512};
    for (int stage = 0; stage < 4; ++stage) {
        for (int i = 0; i < blocks[static_cast<std::size_t>(stage)]; ++i) {
            const count_t stride = (stage > 0 && i == 0) ? 2 : 1;
            const std::string prefix = cat("layer", stage + 1, ".", i);
            const count_t p = planes[static_cast<std::size_t>(stage)];
            x = bottleneck ? resnet_bottleneck(b, x, prefix, p, stride) : resnet_basic_block(b, x, prefix, p, stride);
        }
    }
    x = b.global_avg_pool(x, "avgpool");
    b.inner_product(x, "fc", 1000);
    return std::move(b).build();
}

} // namespace detail

/// torchvision resnet18: 11,689,512 parameters, 1.814 GMACs.
constexpr network resnet18() { return detail::resnet("resnet18", {2, 2, 2, 2}, false); }

/// torchvision resnet50 (v1.5): 25,557,032 parameters, 4.089 GMACs.
constexpr network resnet50() { return detail::resnet("resnet50", {3, 4, 6, 3}, true); }

} // namespace hass::zoo
