// MobileNetV2 and MobileNetV3 (small, large) as torchvision builds them, for a
// 224x224x3 input (width multiplier 1.0, no dilation).
//
// BatchNorms are folded into their convolution (`batchnorm = true`, no bias);
// ReLU6 is modelled as ReLU. A squeeze-excitation block is
//   avgpool -> fc1 (1x1 conv, bias) -> relu -> fc2 (1x1 conv, bias) -> hardsigmoid -> mul
// with the multiply broadcasting the 1x1xC scale over the feature map.
// Layer names follow torchvision's module paths ("features.2.conv.1.0",
// "features.4.block.2.fc1"); activations take the index torchvision gives them
// inside Conv2dNormActivation (".2"), residual adds are "features.N.add".
#pragma once

#include <array>
#include <span>
#include <string>

#include "hass/core/text.hpp"
#include "hass/network/builder.hpp"

namespace hass::zoo {

namespace detail {

/// torchvision's _make_divisible(v, divisor): round to the nearest multiple of
/// `divisor` (at least `divisor`) without going below 90% of `v`.
constexpr count_t make_divisible(count_t v, count_t divisor = 8) noexcept {
    count_t n = (v + divisor / 2) / divisor * divisor;
    if (n < divisor) n = divisor;
    if (10 * n < 9 * v) n += divisor;
    return n;
}

enum class mobilenet_act { relu, hardswish };

constexpr network_builder::tensor activate(network_builder& b, network_builder::tensor x, mobilenet_act a,
                                           std::string name) {
    return a == mobilenet_act::relu ? b.relu(x, std::move(name)) : b.hardswish(x, std::move(name));
}

// ---------------------------------------------------------------- MobileNetV2

struct v2_stage {
    count_t t; ///< expand ratio
    count_t c; ///< output channels
    int n;     ///< repeats
    count_t s; ///< stride of the first repeat
};

/// InvertedResidual of MobileNetV2 (module "features.<index>").
constexpr network_builder::tensor v2_inverted_residual(network_builder& b, network_builder::tensor x, int index,
                                                       count_t out, count_t stride, count_t expand_ratio) {
    using hass::detail::cat;
    const count_t in = b.shape(x).channels;
    const count_t hidden = in * expand_ratio; // int(round(inp * t)) with integer t
    const bool residual = stride == 1 && in == out;
    const std::string p = cat("features.", index, ".conv.");
    int i = 0;
    auto y = x;
    if (expand_ratio != 1) {
        y = b.conv(y, cat(p, i, ".0"), {.filters = hidden, .kernel = 1});
        y = b.relu(y, cat(p, i, ".2"));
        ++i;
    }
    y = b.conv(y, cat(p, i, ".0"), {.filters = hidden, .kernel = 3, .stride = stride, .pad = 1, .groups = hidden});
    y = b.relu(y, cat(p, i, ".2"));
    ++i;
    y = b.conv(y, cat(p, i), {.filters = out, .kernel = 1}); // followed by BN "conv.<i+1>"
    if (residual) y = b.add(y, x, cat("features.", index, ".add"));
    return y;
}

// ---------------------------------------------------------------- MobileNetV3

struct v3_block {
    count_t in;       ///< input channels
    count_t kernel;   ///< depthwise kernel
    count_t expanded; ///< expanded channels
    count_t out;      ///< output channels
    bool se;          ///< squeeze-excitation
    mobilenet_act act;
    count_t stride;
};

/// SqueezeExcitation (torchvision.ops): scale = hardsigmoid(fc2(relu(fc1(avgpool(x))))), x * scale.
constexpr network_builder::tensor squeeze_excitation(network_builder& b, network_builder::tensor x,
                                                     const std::string& p, count_t squeeze) {
    using hass::detail::cat;
    const count_t channels = b.shape(x).channels;
    auto s = b.global_avg_pool(x, cat(p, ".avgpool"));
    s = b.conv(s, cat(p, ".fc1"), {.filters = squeeze, .kernel = 1, .bias = true, .batchnorm = false});
    s = b.relu(s, cat(p, ".activation"));
    s = b.conv(s, cat(p, ".fc2"), {.filters = channels, .kernel = 1, .bias = true, .batchnorm = false});
    s = b.hardsigmoid(s, cat(p, ".scale_activation"));
    return b.mul(x, s, cat(p, ".mul"));
}

/// InvertedResidual of MobileNetV3 (module "features.<index>").
constexpr network_builder::tensor v3_inverted_residual(network_builder& b, network_builder::tensor x, int index,
                                                       const v3_block& c) {
    using hass::detail::cat;
    const count_t in = make_divisible(c.in), expanded = make_divisible(c.expanded), out = make_divisible(c.out);
    const bool residual = c.stride == 1 && in == out;
    const std::string p = cat("features.", index, ".block.");
    int i = 0;
    auto y = x;
    if (expanded != in) {
        y = b.conv(y, cat(p, i, ".0"), {.filters = expanded, .kernel = 1});
        y = activate(b, y, c.act, cat(p, i, ".2"));
        ++i;
    }
    y = b.conv(y, cat(p, i, ".0"),
               {.filters = expanded, .kernel = c.kernel, .stride = c.stride, .pad = (c.kernel - 1) / 2,
                .groups = expanded});
    y = activate(b, y, c.act, cat(p, i, ".2"));
    ++i;
    if (c.se) {
        y = squeeze_excitation(b, y, cat(p, i), make_divisible(expanded / 4));
        ++i;
    }
    y = b.conv(y, cat(p, i, ".0"), {.filters = out, .kernel = 1});
    if (residual) y = b.add(y, x, cat("features.", index, ".add"));
    return y;
}

/// The torchvision MobileNetV3 skeleton.
constexpr network mobilenet_v3(std::string name, std::span<const v3_block> blocks, count_t last_channel) {
    using hass::detail::cat;
    network_builder b{std::move(name), {224, 224, 3}};
    const count_t first = make_divisible(blocks.front().in);
    auto x = b.conv(b.input(), "features.0.0", {.filters = first, .kernel = 3, .stride = 2, .pad = 1});
    x = b.hardswish(x, "features.0.2");
    int index = 1;
    for (const v3_block& c : blocks) x = v3_inverted_residual(b, x, index++, c);
    const count_t lastconv = 6 * make_divisible(blocks.back().out);
    x = b.conv(x, cat("features.", index, ".0"), {.filters = lastconv, .kernel = 1});
    x = b.hardswish(x, cat("features.", index, ".2"));
    x = b.global_avg_pool(x, "avgpool");
    x = b.inner_product(x, "classifier.0", make_divisible(last_channel));
    x = b.hardswish(x, "classifier.1");
    b.inner_product(x, "classifier.3", 1000);
    return std::move(b).build();
}

} // namespace detail

/// torchvision mobilenet_v2: 3,504,872 parameters, 0.301 GMACs.
constexpr network mobilenet_v2() {
    using hass::detail::cat;
    using detail::make_divisible;
    constexpr std::array<detail::v2_stage, 7> setting{{
        {1, 16, 1, 1},
        {6, 24, 2, 2},
        {6, 32, 3, 2},
        {6, 64, 4, 2},
        {6, 96, 3, 1},
        {6, 160, 3, 2},
        {6, 320, 1, 1},
    }};
    network_builder b{"mobilenet_v2", {224, 224, 3}};
    auto x = b.conv(b.input(), "features.0.0", {.filters = make_divisible(32), .kernel = 3, .stride = 2, .pad = 1});
    x = b.relu(x, "features.0.2");
    int index = 1;
    for (const auto& st : setting)
        for (int i = 0; i < st.n; ++i)
            x = detail::v2_inverted_residual(b, x, index++, make_divisible(st.c), i == 0 ? st.s : 1, st.t);
    x = b.conv(x, cat("features.", index, ".0"), {.filters = make_divisible(1280), .kernel = 1});
    x = b.relu(x, cat("features.", index, ".2"));
    x = b.global_avg_pool(x, "avgpool");
    b.inner_product(x, "classifier.1", 1000);
    return std::move(b).build();
}

/// torchvision mobilenet_v3_large: 5,483,032 parameters, 0.217 GMACs.
constexpr network mobilenet_v3_large() {
    using enum detail::mobilenet_act;
    constexpr std::array<detail::v3_block, 15> blocks{{
        {16, 3, 16, 16, false, relu, 1},
        {16, 3, 64, 24, false, relu, 2},
        {24, 3, 72, 24, false, relu, 1},
        {24, 5, 72, 40, true, relu, 2},
        {40, 5, 120, 40, true, relu, 1},
        {40, 5, 120, 40, true, relu, 1},
        {40, 3, 240, 80, false, hardswish, 2},
        {80, 3, 200, 80, false, hardswish, 1},
        {80, 3, 184, 80, false, hardswish, 1},
        {80, 3, 184, 80, false, hardswish, 1},
        {80, 3, 480, 112, true, hardswish, 1},
        {112, 3, 672, 112, true, hardswish, 1},
        {112, 5, 672, 160, true, hardswish, 2},
        {160, 5, 960, 160, true, hardswish, 1},
        {160, 5, 960, 160, true, hardswish, 1},
    }};
    return detail::mobilenet_v3("mobilenet_v3_large", blocks, 1280);
}

/// torchvision mobilenet_v3_small: 2,542,856 parameters, 0.057 GMACs.
constexpr network mobilenet_v3_small() {
    using enum detail::mobilenet_act;
    constexpr std::array<detail::v3_block, 11> blocks{{
        {16, 3, 16, 16, true, relu, 2},
        {16, 3, 72, 24, false, relu, 2},
        {24, 3, 88, 24, false, relu, 1},
        {24, 5, 96, 40, true, hardswish, 2},
        {40, 5, 240, 40, true, hardswish, 1},
        {40, 5, 240, 40, true, hardswish, 1},
        {40, 5, 120, 48, true, hardswish, 1},
        {48, 5, 144, 48, true, hardswish, 1},
        {48, 5, 288, 96, true, hardswish, 2},
        {96, 5, 576, 96, true, hardswish, 1},
        {96, 5, 576, 96, true, hardswish, 1},
    }};
    return detail::mobilenet_v3("mobilenet_v3_small", blocks, 1024);
}

} // namespace hass::zoo
