// Checks of decomposed sparsity statistics: sizes, grids, probabilities and
// magnitudes on their own (check), and against a network (check_against: the
// layer shapes and the activation layer each threshold belongs to); the raw
// weight magnitudes of a layer set from its weights (set_magnitudes).
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/core/math.hpp"
#include "hass/layers/layer.hpp"
#include "hass/network/network.hpp"
#include "hass/sparsity/statistics/histograms.hpp"
#include "hass/sparsity/statistics/hypergeometric.hpp"

namespace hass::sparsity {

namespace detail {

/// Checks `rows` rows of K+1 probabilities (non-negative, each summing to 1 within 1e-6).
inline void check_rows(const double* h, count_t rows, count_t K, const std::string& where, std::string_view what) {
    for (count_t c = 0; c < rows; ++c) {
        double sum = 0;
        for (count_t z = 0; z <= K; ++z) {
            const double p = h[c * (K + 1) + z];
            if (!(p >= 0.0) || p > 1.0 + 1e-12)
                hass::detail::fail(where + ": " + std::string(what) + " row " + std::to_string(c) + " bin " +
                                   std::to_string(z) + " is not a probability in [0, 1] (got " + num(p) + ")");
            sum += p;
        }
        if (sum < 1.0 - 1e-6 || sum > 1.0 + 1e-6)
            hass::detail::fail(where + ": " + std::string(what) + " row " + std::to_string(c) + " (input channel " +
                               std::to_string(c) + ") sums to " + hass::detail::fixed(sum, 6) + ", not 1");
    }
}

inline void check_grid(const std::vector<double>& g, const std::string& where, std::string_view what, bool non_negative) {
    for (std::size_t i = 0; i < g.size(); ++i) {
        if (!(g[i] == g[i]) || g[i] == std::numeric_limits<double>::infinity() ||
            g[i] == -std::numeric_limits<double>::infinity())
            hass::detail::fail(where + ": " + std::string(what) + "[" + std::to_string(i) + "] is not a finite number");
        if (non_negative && g[i] < 0)
            hass::detail::fail(where + ": " + std::string(what) + "[" + std::to_string(i) + "] = " + num(g[i]) +
                               " is negative (thresholds on |w| are >= 0)");
        if (i > 0 && !(g[i] > g[i - 1]))
            hass::detail::fail(where + ": " + std::string(what) + " must be strictly increasing, but [" +
                               std::to_string(i - 1) + "] = " + num(g[i - 1]) + " and [" + std::to_string(i) +
                               "] = " + num(g[i]));
    }
}

} // namespace detail

/// Throws hass::error naming the layer when the statistics are inconsistent:
/// sizes, grids (strictly increasing, tau_w >= 0), probabilities (rows sum to 1),
/// magnitudes (finite, >= 0), exactly one of weight grid and magnitudes
/// (`require_weights` false: none is allowed too, for weights filled in later
/// from the model, set_magnitudes()).
inline void check(const decomposed_histograms& l, bool require_weights = true) {
    const std::string where = detail::quoted(l.layer);
    if (l.layer.empty()) hass::detail::fail("decomposed statistics: a layer has no name");
    if (l.channels <= 0) hass::detail::fail(where + ": channels must be > 0");
    if (l.kernel <= 0 || l.kernel > max_kernel)
        hass::detail::fail(where + ": kernel K = " + std::to_string(l.kernel) + " is outside 1.." +
                           std::to_string(max_kernel));
    if (l.filters <= 0) hass::detail::fail(where + ": filters must be > 0");
    if (l.groups <= 0 || l.channels % l.groups != 0 || l.filters % l.groups != 0)
        hass::detail::fail(where + ": groups " + std::to_string(l.groups) + " must divide the channels (" +
                           std::to_string(l.channels) + ") and the filters (" + std::to_string(l.filters) + ")");
    if (l.clusters <= 0) hass::detail::fail(where + ": clusters must be > 0");
    const auto row_block = static_cast<std::size_t>(l.channels * (l.kernel + 1));
    // activations
    if (l.tau_a_grid.empty()) hass::detail::fail(where + ": the activation grid tau_a is empty");
    detail::check_grid(l.tau_a_grid, where, "tau_a", false);
    if (!l.activation_threshold && l.tau_a_grid.size() != 1)
        hass::detail::fail(where + ": the layer has no activation threshold (input from " +
                           std::string(to_string(l.source)) + ") but its tau_a grid has " +
                           std::to_string(l.tau_a_grid.size()) + " points (expected 1)");
    if (l.activation_hist.size() != l.tau_a_grid.size() * row_block)
        hass::detail::fail(where + ": activation histograms hold " + std::to_string(l.activation_hist.size()) +
                           " values, expected tau_a points x channels x (K+1) = " + std::to_string(l.tau_a_grid.size()) +
                           " x " + std::to_string(l.channels) + " x " + std::to_string(l.kernel + 1));
    for (std::size_t i = 0; i < l.tau_a_grid.size(); ++i)
        detail::check_rows(l.activation_hist.data() + i * row_block, l.channels, l.kernel, where,
                           "activation histogram at tau_a = " + detail::num(l.tau_a_grid[i]) + ":");
    // weights
    for (std::size_t i = 0; i < l.weight_targets.size(); ++i)
        if (!(l.weight_targets[i] >= 0.0 && l.weight_targets[i] < 1.0) ||
            (i > 0 && !(l.weight_targets[i] > l.weight_targets[i - 1])))
            hass::detail::fail(where + ": weight-sparsity targets must be strictly increasing fractions in [0, 1), "
                                       "but target [" + std::to_string(i) + "] is " + detail::num(l.weight_targets[i]));
    if (!l.weight_targets.empty() && !l.tau_w_grid.empty())
        hass::detail::fail(where + ": weight-sparsity targets apply to raw magnitudes, not to a tau_w grid");
    if (!require_weights && !l.raw_weights() && l.tau_w_grid.empty() && l.weight_hist.empty()) return;
    if (l.raw_weights() == !l.tau_w_grid.empty())
        hass::detail::fail(where + (l.raw_weights() ? ": give either weight magnitudes or a tau_w grid, not both"
                                                    : ": no weight statistics: the statistics give no tau_w grid or "
                                                      "magnitudes for this layer, and no weights of the model were "
                                                      "given to compute them from (an .onnx MODEL, or --weights FILE)"));
    if (l.raw_weights()) {
        const auto expected = static_cast<std::size_t>(l.filters * l.channels_per_group() * l.kernel);
        if (l.magnitudes.size() != expected)
            hass::detail::fail(where + ": magnitudes hold " + std::to_string(l.magnitudes.size()) +
                               " values, expected filters x channels/groups x K = " + std::to_string(l.filters) +
                               " x " + std::to_string(l.channels_per_group()) + " x " + std::to_string(l.kernel));
        for (std::size_t i = 0; i < l.magnitudes.size(); ++i)
            if (!(l.magnitudes[i] >= 0.0f) || l.magnitudes[i] == std::numeric_limits<float>::infinity())
                hass::detail::fail(where + ": magnitude [" + std::to_string(i) + "] is not a finite number >= 0");
    } else {
        detail::check_grid(l.tau_w_grid, where, "tau_w", true);
        if (l.weight_hist.size() != l.tau_w_grid.size() * row_block)
            hass::detail::fail(where + ": weight histograms hold " + std::to_string(l.weight_hist.size()) +
                               " values, expected tau_w points x channels x (K+1) = " +
                               std::to_string(l.tau_w_grid.size()) + " x " + std::to_string(l.channels) + " x " +
                               std::to_string(l.kernel + 1));
        for (std::size_t i = 0; i < l.tau_w_grid.size(); ++i)
            detail::check_rows(l.weight_hist.data() + i * row_block, l.channels, l.kernel, where,
                               "weight histogram at tau_w = " + detail::num(l.tau_w_grid[i]) + ":");
    }
}

/// Checks every layer, that names are unique, and that layers sharing an
/// activation layer share its tau_a grid (an activation layer is not a layer
/// with statistics).
inline void check(const decomposed_statistics& s, bool require_weights = true) {
    for (std::size_t i = 0; i < s.layers.size(); ++i) {
        const auto& l = s.layers[i];
        check(l, require_weights);
        for (std::size_t j = 0; j < i; ++j)
            if (s.layers[j].layer == l.layer)
                hass::detail::fail("decomposed statistics: " + detail::quoted(l.layer) + " appears twice");
        if (l.activation_layer.empty()) continue;
        if (l.activation_layer == l.layer)
            hass::detail::fail(detail::quoted(l.layer) + ": activation_layer names the layer itself (leave it out: "
                                                         "the layer then owns its activation threshold)");
        if (s.find(l.activation_layer))
            hass::detail::fail(detail::quoted(l.layer) + ": activation_layer '" + l.activation_layer +
                               "' is a layer with statistics, not an activation layer");
        for (std::size_t j = 0; j < i; ++j) {
            const auto& o = s.layers[j];
            if (o.activation_layer != l.activation_layer) continue;
            if (o.tau_a_grid != l.tau_a_grid || o.activation_threshold != l.activation_threshold)
                hass::detail::fail(detail::quoted(l.layer) + " and " + detail::quoted(o.layer) +
                                   " read the same activation layer '" + l.activation_layer +
                                   "', so they share its tau_a, but their activation grids differ (measure both at "
                                   "the same tau_a points)");
            break;
        }
    }
}

/// Whether `t` is an activation layer whose output can be thresholded.
constexpr bool thresholdable(layer_type t) noexcept {
    return t == layer_type::relu || t == layer_type::relu6 || t == layer_type::thresholded_relu;
}

/// The activation layer (relu, relu6, thresholded_relu) that layer `index`
/// reads, through layers that keep zeros where they are: pooling, global
/// pooling, splits, squeezes and the feature-map (first) input of a multiply;
/// -1 when it reads something else (the input, a convolution, an add, a concat,
/// a hardswish, ...).
inline int activation_owner_of(const network& net, std::size_t index) {
    int t = net.layers.at(index).inputs.front();
    while (t != network_input) {
        const layer& l = net.layers[static_cast<std::size_t>(t)];
        if (thresholdable(l.type)) return t;
        const bool passes = l.type == layer_type::pooling || l.type == layer_type::global_pooling ||
                            l.type == layer_type::split || l.type == layer_type::squeeze ||
                            (l.type == layer_type::eltwise && l.op == eltwise_op::mul);
        if (!passes) return -1;
        t = l.inputs.front();
    }
    return -1;
}

/// Sets a layer's weight statistics from its weights, in PyTorch's (and hass's
/// canonical) order: F x C/G x K for a convolution, features x inputs for an
/// inner product (inputs in stream order). Replaces any tau_w grid.
inline void set_magnitudes(decomposed_histograms& l, std::span<const float> weights) {
    const auto expected = static_cast<std::size_t>(l.filters * l.channels_per_group() * l.kernel);
    if (weights.size() != expected)
        hass::detail::fail(detail::quoted(l.layer) + ": the model has " + std::to_string(weights.size()) +
                           " weights for the layer, expected filters x channels/groups x K = " +
                           std::to_string(expected));
    l.magnitudes.resize(weights.size());
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const float w = weights[i];
        if (!std::isfinite(w))
            hass::detail::fail(detail::quoted(l.layer) + ": weight [" + std::to_string(i) + "] is not finite");
        l.magnitudes[i] = w < 0 ? -w : w;
    }
    l.tau_w_grid.clear();
    l.weight_hist.clear();
}

/// Checks the statistics against a network: every layer named must be a
/// convolution of `net` with the same input channels, kernel, filters and
/// groups, or an inner product (channels = its flattened inputs, K = 1,
/// filters = its features, groups 1); an activation_layer must be the
/// activation layer the layer reads (activation_owner_of). Layers without
/// statistics are allowed (they stay dense).
inline void check_against(const decomposed_statistics& s, const network& net) {
    for (const auto& l : s.layers) {
        const std::string where = detail::quoted(l.layer);
        const int idx = net.find(l.layer);
        if (idx < 0)
            hass::detail::fail("statistics name " + where + ", which network '" + net.name.str() + "' does not have");
        const layer& n = net.layers[static_cast<std::size_t>(idx)];
        if (!l.activation_layer.empty()) {
            const int a = net.find(l.activation_layer);
            const int owner = activation_owner_of(net, static_cast<std::size_t>(idx));
            if (a < 0)
                hass::detail::fail(where + ": activation_layer '" + l.activation_layer + "' is not a layer of network '" +
                                   net.name.str() + "'");
            if (!thresholdable(net.layers[static_cast<std::size_t>(a)].type))
                hass::detail::fail(where + ": activation_layer '" + l.activation_layer + "' is " +
                                   std::string(to_string(net.layers[static_cast<std::size_t>(a)].type)) +
                                   " layer; activation thresholds belong to relu, relu6 and thresholded_relu layers");
            if (owner != a)
                hass::detail::fail(where + ": activation_layer '" + l.activation_layer +
                                   "' is not what the layer reads: " +
                                   (owner < 0 ? std::string("its input comes from no activation layer (through "
                                                            "pooling, splits and squeezes)")
                                              : "it reads activation layer '" +
                                                    net.layers[static_cast<std::size_t>(owner)].name.str() + "'"));
        }
        if (n.type == layer_type::inner_product) {
            if (l.channels != n.in.size() || l.kernel != 1 || l.filters != n.out.channels || l.groups != 1)
                hass::detail::fail(where + ": the inner product has " + std::to_string(n.in.size()) + " inputs and " +
                                   std::to_string(n.out.channels) +
                                   " features: its statistics need channels = inputs, kernel 1, filters = features, "
                                   "groups 1; they have channels " + std::to_string(l.channels) + ", kernel " +
                                   std::to_string(l.kernel) + ", filters " + std::to_string(l.filters) + ", groups " +
                                   std::to_string(l.groups));
            continue;
        }
        if (n.type != layer_type::convolution)
            hass::detail::fail(where + " is " + std::string(to_string(n.type)) +
                               " layer, not a convolution or an inner product");
        if (l.channels != n.in.channels)
            hass::detail::fail(where + ": histogram has " + std::to_string(l.channels) + " rows but the layer has " +
                               std::to_string(n.in.channels) + " input channels");
        if (l.kernel != n.kernel_size())
            hass::detail::fail(where + ": histogram rows have K+1 = " + std::to_string(l.kernel + 1) +
                               " bins but the layer's kernel is " + std::to_string(n.kernel_rows) + "x" +
                               std::to_string(n.kernel_cols) + " (K+1 = " + std::to_string(n.kernel_size() + 1) + ")");
        if (l.filters != n.out.channels)
            hass::detail::fail(where + ": statistics have " + std::to_string(l.filters) + " filters but the layer has " +
                               std::to_string(n.out.channels));
        if (l.groups != n.groups)
            hass::detail::fail(where + ": statistics have " + std::to_string(l.groups) + " groups but the layer has " +
                               std::to_string(n.groups));
    }
}

} // namespace hass::sparsity
