// The sparsity statistics of a network's convolutions, as data: product
// histograms measured at threshold points, decomposed histograms (activations
// and weights separately, on threshold grids, or raw weight magnitudes), the
// threshold pairs they are indexed by, where a threshold falls in a grid, and
// the weight threshold that prunes a given fraction of the weights.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/core/math.hpp"
#include "hass/layers/sparsity.hpp"

namespace hass::sparsity {

/// Thresholds of one layer: weights with |w| < tau_w and activations x <= tau_a are zero.
struct threshold_pair {
    double tau_w = 0;
    double tau_a = 0;
    friend constexpr bool operator==(const threshold_pair&, const threshold_pair&) = default;
};

/// What produces a convolution's input (found by walking the network's inputs).
enum class activation_source {
    relu,      ///< a ReLU (or thresholded ReLU): exact zeros, an activation threshold applies
    hardswish, ///< a HardSwish: no activation threshold (tau_a fixed at its minimum)
    other,     ///< no activation (network input, linear bottleneck, ...): no activation threshold
};

constexpr std::string_view to_string(activation_source s) noexcept {
    switch (s) {
    case activation_source::relu: return "relu";
    case activation_source::hardswish: return "hardswish";
    case activation_source::other: return "other";
    }
    return "?";
}

namespace detail {

/// A number for messages: "%.6g".
inline std::string num(double v) {
    if (v != v) return "NaN";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

inline std::string quoted(std::string_view layer) { return "layer '" + std::string(layer) + "'"; }

} // namespace detail

// ============================================================================
// Product histograms: measured at threshold points
// ============================================================================

/// The zero-product histogram of one layer at one threshold point.
struct product_point {
    double tau_w = 0;
    double tau_a = 0;
    sparsity_stats stats; ///< channels x (K + 1), from make_sparsity_stats
};

/// One convolution's zero-product histograms at one or more threshold points.
struct product_histograms {
    std::string layer;
    count_t channels = 0; ///< C
    count_t kernel = 0;   ///< K
    std::vector<product_point> points;

    /// The point measured at exactly (tau_w, tau_a) (relative tolerance 1e-9);
    /// throws hass::error naming the layer and the points it has.
    const product_point& at(double tau_w, double tau_a) const {
        auto same = [](double x, double y) {
            const double d = x > y ? x - y : y - x;
            const double s = (x < 0 ? -x : x) + (y < 0 ? -y : y);
            return d <= 1e-9 * (s > 1 ? s : 1.0);
        };
        for (const auto& p : points)
            if (same(p.tau_w, tau_w) && same(p.tau_a, tau_a)) return p;
        std::string have;
        for (std::size_t i = 0; i < points.size() && i < 8; ++i)
            have += (i ? ", (" : "(") + detail::num(points[i].tau_w) + ", " + detail::num(points[i].tau_a) + ")";
        if (points.size() > 8) have += ", ...";
        hass::detail::fail(detail::quoted(layer) + ": no product histogram measured at (tau_w, tau_a) = (" +
                           detail::num(tau_w) + ", " + detail::num(tau_a) + "); measured at: " +
                           (have.empty() ? std::string("none") : have));
    }
};

/// Product histograms of a network's convolutions.
struct product_statistics {
    std::string network;
    bool synthetic = false;  ///< true: generated, NOT measured on data
    std::string provenance;  ///< where the numbers come from (free text)
    std::vector<product_histograms> layers;

    const product_histograms* find(std::string_view name) const noexcept {
        for (const auto& l : layers)
            if (l.layer == name) return &l;
        return nullptr;
    }
};

// ============================================================================
// Decomposed histograms: activations and weights separately
// ============================================================================

/// One convolution's activation and weight statistics.
///
/// Layouts (row-major, rows of K + 1 probabilities that sum to 1):
///  * activation_hist[i][c][a]: at tau_a_grid[i], P(a of the K window values of
///    input channel c are non-zero), over all output positions and images
///    (padding counts as zero);
///  * weight_hist[j][c][b]: at tau_w_grid[j], the fraction of the filters reading
///    input channel c whose K weights for that channel hold b non-zeros;
///  * magnitudes[f][ci][k] (instead of the weight grid): |w| of filter f, channel
///    ci within its group (c = g * C/G + ci for filters f of group g), kernel
///    position k (PyTorch's weight order).
struct decomposed_histograms {
    std::string layer;
    count_t channels = 0; ///< C, input channels
    count_t kernel = 0;   ///< K = kr * kc
    count_t filters = 0;  ///< F, output channels
    count_t groups = 1;   ///< G
    activation_source source = activation_source::relu;
    /// false: the layer has no activation threshold and tau_a_grid has one point.
    bool activation_threshold = true;

    std::vector<double> tau_a_grid;      ///< strictly increasing, >= 1 point
    std::vector<double> activation_hist; ///< tau_a_grid.size() x C x (K + 1)
    std::vector<double> tau_w_grid;      ///< strictly increasing, >= 0 (empty with magnitudes)
    std::vector<double> weight_hist;     ///< tau_w_grid.size() x C x (K + 1)
    std::vector<float> magnitudes;       ///< F x (C / G) x K (empty with a weight grid)
    /// With magnitudes: the weight-sparsity targets the search steps through
    /// (fractions of the layer's weights pruned; empty: 0, 0.1, ..., 0.9).
    std::vector<double> weight_targets;
    /// The activation layer (relu, relu6, thresholded_relu) whose threshold
    /// tau_a this layer's activation histograms are measured at: every layer
    /// naming the same activation layer shares one tau_a (one grid, one value).
    /// Empty: the layer owns its tau_a (a threshold at its own input).
    std::string activation_layer;

    // carried into the predicted sparsity_stats
    interleaving order = interleaving::opt;
    bool skip_all_zero = true;
    count_t clusters = 1;

    constexpr bool raw_weights() const noexcept { return !magnitudes.empty(); }
    /// The name of the variable tau_a belongs to: activation_layer, or the layer itself.
    const std::string& activation_owner() const noexcept { return activation_layer.empty() ? layer : activation_layer; }
    constexpr count_t row() const noexcept { return kernel + 1; }
    constexpr count_t channels_per_group() const noexcept { return groups > 0 ? channels / groups : 0; }
    constexpr count_t filters_per_group() const noexcept { return groups > 0 ? filters / groups : 0; }
};

/// Which threshold variables a candidate's pairs stand for: layers[i] is the
/// layer of pair i (its tau_w), owners[i] the name of the variable its tau_a
/// belongs to (an activation layer shared by several layers, or layers[i]).
struct threshold_layout {
    std::vector<std::string> layers;
    std::vector<std::string> owners;
};

/// Decomposed statistics of a network's convolutions and inner products (in network order).
struct decomposed_statistics {
    std::string network;
    bool synthetic = false; ///< true: generated, NOT measured on data
    std::string provenance; ///< where the numbers come from (free text)
    std::vector<decomposed_histograms> layers;

    const decomposed_histograms* find(std::string_view name) const noexcept {
        for (const auto& l : layers)
            if (l.layer == name) return &l;
        return nullptr;
    }
    /// Index of the layer in `layers`, or -1.
    int index_of(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < layers.size(); ++i)
            if (layers[i].layer == name) return static_cast<int>(i);
        return -1;
    }
    /// Layer names in order (the order of a candidate's threshold pairs).
    std::vector<std::string> names() const {
        std::vector<std::string> n;
        for (const auto& l : layers) n.push_back(l.layer);
        return n;
    }
    /// The layers and the owners of their activation thresholds.
    threshold_layout layout() const {
        threshold_layout t;
        for (const auto& l : layers) {
            t.layers.push_back(l.layer);
            t.owners.push_back(l.activation_owner());
        }
        return t;
    }
};

/// The weight-sparsity targets of a layer with raw magnitudes when it names none.
inline const std::vector<double>& default_weight_targets() {
    static const std::vector<double> t{0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    return t;
}

/// The weight threshold that prunes round(s N) of N magnitudes (the fraction
/// `s` of the weights, as torch.nn.utils.prune.l1_unstructured counts it:
/// round half to even), `sorted` ascending: n = round(s N); tau = 0 for n = 0,
/// the n-th smallest magnitude m_(n) (0-based) for 0 < n < N, and the float
/// after the largest for n = N. With |w| < tau pruned, exactly n weights are
/// pruned unless m_(n-1) = m_(n) (ties survive together) or the layer holds
/// more than n exact zeros (always pruned).
inline double threshold_for_sparsity(std::span<const float> sorted, double s) {
    if (!(s >= 0.0 && s <= 1.0))
        hass::detail::fail("threshold_for_sparsity: the sparsity " + detail::num(s) + " is outside [0, 1]");
    const auto N = static_cast<double>(sorted.size());
    const double n = std::nearbyint(s * N); // the default rounding mode: half to even
    if (n <= 0 || sorted.empty()) return 0.0;
    if (n >= N) return static_cast<double>(std::nextafter(sorted.back(), std::numeric_limits<float>::infinity()));
    return static_cast<double>(sorted[static_cast<std::size_t>(n)]);
}

namespace detail {

/// Where a threshold falls in a strictly increasing grid: the value is
/// (1 - t) * v[lo] + t * v[lo + 1] (t = 0 and lo = 0 for a one-point grid).
struct grid_position {
    std::size_t lo = 0;
    double t = 0;
};

/// Locates `tau` in `grid` (thresholds within a relative 1e-9 of an end snap to
/// it); throws hass::error naming the layer and the grid range otherwise.
/// `source` words the message of a one-point tau_a grid (no activation threshold).
inline grid_position locate_in_grid(std::span<const double> grid, double tau, std::string_view layer,
                                    std::string_view what, activation_source source = activation_source::relu) {
    if (grid.empty()) hass::detail::fail(quoted(layer) + ": the " + std::string(what) + " grid is empty");
    if (!(tau == tau)) hass::detail::fail(quoted(layer) + ": " + std::string(what) + " is not a number");
    const double lo = grid.front(), hi = grid.back();
    auto near = [](double x, double y) {
        const double d = x > y ? x - y : y - x;
        const double s = (x < 0 ? -x : x) + (y < 0 ? -y : y);
        return d <= 1e-9 * (s > 1 ? s : 1.0);
    };
    if (grid.size() == 1) {
        if (near(tau, lo)) return {0, 0.0};
        if (what == "tau_a" && source != activation_source::relu)
            hass::detail::fail(quoted(layer) + " has no activation threshold (its input comes from " +
                               (source == activation_source::hardswish ? std::string("a hardswish")
                                                                       : std::string("no ReLU")) +
                               "): tau_a is fixed at " + num(lo) + ", got " + num(tau));
        hass::detail::fail(quoted(layer) + ": " + std::string(what) + " = " + num(tau) +
                           " is outside the statistics grid, which has the single point " + num(lo));
    }
    if (tau < lo || tau > hi) {
        if (near(tau, lo)) return {0, 0.0};
        if (near(tau, hi)) return {grid.size() - 2, 1.0};
        hass::detail::fail(quoted(layer) + ": " + std::string(what) + " = " + num(tau) +
                           " is outside the statistics grid [" + num(lo) + ", " + num(hi) + "]");
    }
    auto it = std::upper_bound(grid.begin(), grid.end(), tau); // first point > tau
    std::size_t upper = static_cast<std::size_t>(it - grid.begin());
    if (upper >= grid.size()) upper = grid.size() - 1;
    const std::size_t low = upper - 1;
    return {low, (tau - grid[low]) / (grid[upper] - grid[low])};
}

} // namespace detail

} // namespace hass::sparsity
