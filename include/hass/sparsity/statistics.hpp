// Sparsity statistics for the threshold search (MODEL.md "The sparsity search";
// assumptions and formulas in docs/sparsity.md).
//
// Two forms of statistics per convolution:
//
//  * product_histograms: the histogram MODEL.md's sparse convolution consumes
//    (per input channel c, the probability h[c][z] that a window holds z zero
//    products), measured at one or more threshold points (tau_w, tau_a).
//
//  * decomposed_histograms: per input channel, the histogram of the number a of
//    NON-zero activations in a window at a grid of activation thresholds tau_a,
//    and the histogram of the number b of NON-zero weights in a kernel (over
//    the filters that read the channel) at a grid of weight thresholds tau_w,
//    or the raw weight magnitudes from which that histogram is exact at any
//    tau_w. predict() composes them into product histograms at any
//    (tau_w, tau_a) inside the grids:
//
//        P(m | a, b) = C(a, m) C(K - a, b - m) / C(K, b)   (hypergeometric)
//        h[c][K - m]  = sum_a sum_b P_c(a; tau_a) P_c(b; tau_w) P(m | a, b)
//
//    (non-zero positions uniformly placed and independent; see docs/sparsity.md).
//
//   hass::sparsity::predictor p(stats, net);          // caches per-channel tables
//   const hass::sparsity_stats& s = p.predict(3, 0.01, 0.2);
//   p.apply(net, thresholds);                         // every layer's statistics
//
// Pruning conventions: a weight is zero when |w| < tau_w (or w == 0); an
// activation is zero when x <= tau_a (a thresholded ReLU); padding values are
// zero activations.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/core/math.hpp"
#include "hass/core/text.hpp"
#include "hass/layers/layer.hpp"
#include "hass/layers/sparsity.hpp"
#include "hass/network/network.hpp"

namespace hass::sparsity {

/// Largest kernel K = kr * kc the statistics handle (11 x 11, AlexNet's first layer).
inline constexpr count_t max_kernel = 121;
/// Kernels up to this size get a precomputed hypergeometric table in the predictor.
inline constexpr count_t max_tabulated_kernel = 49;

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

// ============================================================================
// Binomial coefficients and the hypergeometric law
// ============================================================================

namespace detail {

struct binomial_table {
    static constexpr std::size_t n = static_cast<std::size_t>(max_kernel) + 1;
    std::array<double, n * n> v{};
};

/// Pascal's triangle in doubles (exact below 2^53, relative error ~1e-15 above).
constexpr binomial_table make_binomials() {
    binomial_table t;
    constexpr std::size_t n = binomial_table::n;
    for (std::size_t i = 0; i < n; ++i) {
        t.v[i * n] = 1.0;
        for (std::size_t k = 1; k <= i; ++k) t.v[i * n + k] = t.v[(i - 1) * n + k - 1] + (k < i ? t.v[(i - 1) * n + k] : 0.0);
    }
    return t;
}

inline constexpr binomial_table binomials = make_binomials();

/// A number for messages: "%.6g".
inline std::string num(double v) {
    if (v != v) return "NaN";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

inline std::string quoted(std::string_view layer) { return "layer '" + std::string(layer) + "'"; }

} // namespace detail

/// C(n, k) as a double, for 0 <= n <= max_kernel; 0 when k < 0 or k > n.
constexpr double choose(count_t n, count_t k) noexcept {
    if (k < 0 || k > n || n < 0 || n > max_kernel) return 0.0;
    return detail::binomials.v[static_cast<std::size_t>(n) * detail::binomial_table::n + static_cast<std::size_t>(k)];
}

/// P(|A ∩ B| = m) for uniformly placed, independent subsets A (|A| = a) and
/// B (|B| = b) of K positions: C(a, m) C(K - a, b - m) / C(K, b).
constexpr double hypergeometric(count_t K, count_t a, count_t b, count_t m) noexcept {
    if (a < 0 || b < 0 || a > K || b > K || m < 0 || m > a || m > b || b - m > K - a) return 0.0;
    return choose(a, m) * choose(K - a, b - m) / choose(K, b);
}

/// The table hyp[(a * (K+1) + b) * (K+1) + m] of hypergeometric(K, a, b, m).
constexpr std::vector<double> hypergeometric_table(count_t K) {
    const auto n = static_cast<std::size_t>(K + 1);
    std::vector<double> t(n * n * n, 0.0);
    for (count_t a = 0; a <= K; ++a)
        for (count_t b = 0; b <= K; ++b)
            for (count_t m = 0; m <= K; ++m)
                t[(static_cast<std::size_t>(a) * n + static_cast<std::size_t>(b)) * n + static_cast<std::size_t>(m)] =
                    hypergeometric(K, a, b, m);
    return t;
}

/// Composes one channel: pa[a] = P(a non-zero activations in a window),
/// pb[b] = P(b non-zero weights in a kernel), both K+1 entries; writes
/// out[z] = P(z zero products), K+1 entries. `table` is hypergeometric_table(K)
/// or null (coefficients computed on the fly). No allocation.
constexpr void compose(count_t K, const double* pa, const double* pb, double* out, const double* table = nullptr) noexcept {
    const count_t n = K + 1;
    for (count_t z = 0; z <= K; ++z) out[z] = 0.0;
    for (count_t a = 0; a <= K; ++a) {
        const double wa = pa[a];
        if (wa == 0.0) continue;
        for (count_t b = 0; b <= K; ++b) {
            const double w = wa * pb[b];
            if (w == 0.0) continue;
            const count_t lo = a + b - K > 0 ? a + b - K : 0;
            const count_t hi = a < b ? a : b;
            if (table) {
                const double* row = table + (a * n + b) * n;
                for (count_t m = lo; m <= hi; ++m) out[K - m] += w * row[m];
            } else {
                const double scale = w / choose(K, b);
                for (count_t m = lo; m <= hi; ++m) out[K - m] += scale * choose(a, m) * choose(K - a, b - m);
            }
        }
    }
}

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

// ============================================================================
// The predictor
// ============================================================================

/// Composes decomposed statistics into product histograms at any thresholds
/// inside the grids. Construction precomputes, per layer, the activation and
/// weight histograms as flat arrays, the sorted order statistics of raw weight
/// magnitudes, and hypergeometric tables for K <= 49. predict_into() allocates
/// nothing once `out` has the capacity; predict() additionally memoises the
/// last result per layer. Between grid points each histogram is interpolated
/// linearly in the threshold (exact at grid points); outside the grid is an error.
class predictor {
public:
    predictor() = default;

    explicit predictor(const decomposed_statistics& s) {
        check(s);
        network_ = s.network;
        synthetic_ = s.synthetic;
        provenance_ = s.provenance;
        for (const auto& l : s.layers) add(l);
        for (std::size_t i = 0; i < layers_.size(); ++i) {
            auto& l = layers_[i];
            std::size_t g = 0;
            while (g < groups_.size() && groups_[g].name != l.owner) ++g;
            if (g == groups_.size()) groups_.push_back({l.owner, {}});
            groups_[g].members.push_back(i);
            l.group = g;
        }
    }
    /// Also checks the statistics against `net` and remembers where each layer is (for apply()).
    predictor(const decomposed_statistics& s, const network& net) : predictor(s) { bind(net); }

    /// Checks against `net` and maps each statistics layer to its index in `net`.
    void bind(const network& net) {
        decomposed_statistics shape;
        for (const auto& l : layers_) {
            decomposed_histograms d;
            d.layer = l.name;
            d.channels = l.C;
            d.kernel = l.K;
            d.filters = l.F;
            d.groups = l.G;
            if (l.owner != l.name) d.activation_layer = l.owner;
            shape.layers.push_back(std::move(d));
        }
        check_against(shape, net);
        for (auto& l : layers_) {
            l.net_index = net.find(l.name);
            l.convolution = net.layers[static_cast<std::size_t>(l.net_index)].type == layer_type::convolution;
        }
    }

    std::size_t size() const noexcept { return layers_.size(); }
    const std::string& name(std::size_t i) const { return layers_.at(i).name; }
    int index_of(std::string_view layer_name) const noexcept {
        for (std::size_t i = 0; i < layers_.size(); ++i)
            if (layers_[i].name == layer_name) return static_cast<int>(i);
        return -1;
    }
    /// Index of layer i in the bound network (-1 before bind()).
    int network_index(std::size_t i) const { return layers_.at(i).net_index; }
    count_t channels(std::size_t i) const { return layers_.at(i).C; }
    count_t kernel(std::size_t i) const { return layers_.at(i).K; }
    activation_source source(std::size_t i) const { return layers_.at(i).source; }
    bool has_activation_threshold(std::size_t i) const { return layers_.at(i).tau_a.size() > 1; }
    bool raw_weights(std::size_t i) const { return layers_.at(i).raw; }
    /// False for an inner product of the bound network (modelled dense in hardware: apply() leaves it alone).
    bool convolution(std::size_t i) const { return layers_.at(i).convolution; }
    /// The name of the variable layer i's tau_a belongs to (its activation layer, or the layer itself).
    const std::string& activation_owner(std::size_t i) const { return layers_.at(i).owner; }
    /// Activation-threshold variables: layers reading the same activation layer form one group.
    std::size_t activation_groups() const noexcept { return groups_.size(); }
    std::size_t activation_group(std::size_t i) const { return layers_.at(i).group; }
    const std::string& group_name(std::size_t g) const { return groups_.at(g).name; }
    std::span<const std::size_t> group_members(std::size_t g) const { return groups_.at(g).members; }
    /// The layers and the owners of their tau_a, in order.
    threshold_layout layout() const {
        threshold_layout t;
        for (const auto& l : layers_) {
            t.layers.push_back(l.name);
            t.owners.push_back(l.owner);
        }
        return t;
    }
    /// Raw magnitudes: the weight-sparsity target of each point of tau_w_grid(i) (empty otherwise).
    std::span<const double> weight_targets(std::size_t i) const { return layers_.at(i).targets; }
    /// Throws hass::error when layers sharing an activation layer get different tau_a in `t`.
    void check_shared(std::span<const threshold_pair> t) const {
        check_size(t);
        for (const auto& g : groups_)
            for (std::size_t k = 1; k < g.members.size(); ++k)
                if (t[g.members[k]].tau_a != t[g.members.front()].tau_a)
                    hass::detail::fail(detail::quoted(layers_[g.members[k]].name) + " and " +
                                       detail::quoted(layers_[g.members.front()].name) +
                                       " read the same activation layer '" + g.name +
                                       "' and so share one tau_a, but got " + detail::num(t[g.members[k]].tau_a) +
                                       " and " + detail::num(t[g.members.front()].tau_a));
    }
    const std::string& network_name() const noexcept { return network_; }
    bool synthetic() const noexcept { return synthetic_; }
    const std::string& provenance() const noexcept { return provenance_; }

    /// The activation grid of layer i (one point when it has no activation threshold).
    std::span<const double> tau_a_grid(std::size_t i) const { return layers_.at(i).tau_a; }
    /// The weight grid of layer i: the statistics' grid, or for raw magnitudes
    /// (exact at any tau_w >= 0) the thresholds at the weight-sparsity targets
    /// (threshold_for_sparsity; equal thresholds merged), which the co-search steps through.
    std::span<const double> tau_w_grid(std::size_t i) const { return layers_.at(i).tau_w; }
    /// Valid tau_w: the grid's range, or [0, largest magnitude] for raw magnitudes
    /// (larger tau_w are accepted and prune everything).
    std::pair<double, double> tau_w_range(std::size_t i) const {
        const auto& l = layers_.at(i);
        if (l.raw) return {0.0, static_cast<double>(l.max_magnitude)};
        return {l.tau_w.front(), l.tau_w.back()};
    }
    std::pair<double, double> tau_a_range(std::size_t i) const {
        const auto& l = layers_.at(i);
        return {l.tau_a.front(), l.tau_a.back()};
    }
    /// The smallest thresholds of every layer (the least sparse candidate).
    std::vector<threshold_pair> minimum_thresholds() const {
        std::vector<threshold_pair> t;
        for (std::size_t i = 0; i < layers_.size(); ++i) t.push_back({tau_w_range(i).first, tau_a_range(i).first});
        return t;
    }

    /// Mean fraction of zero weights of layer i at tau_w (over channels and filters).
    double weight_sparsity(std::size_t i, double tau_w) const {
        const auto& l = layers_.at(i);
        std::array<double, max_kernel + 1> pb{};
        double nonzero = 0;
        const auto w = locate_w(l, tau_w);
        for (count_t c = 0; c < l.C; ++c) {
            weight_row(l, w, c, pb.data());
            for (count_t b = 0; b <= l.K; ++b) nonzero += pb[static_cast<std::size_t>(b)] * static_cast<double>(b);
        }
        return 1.0 - nonzero / static_cast<double>(l.C * l.K);
    }
    /// Mean fraction of zero activations in the windows of layer i at tau_a (padding included).
    double activation_sparsity(std::size_t i, double tau_a) const {
        const auto& l = layers_.at(i);
        const auto a = locate(l, l.tau_a, tau_a, "tau_a");
        double nonzero = 0;
        for (count_t c = 0; c < l.C; ++c)
            for (count_t k = 0; k <= l.K; ++k) nonzero += interp(l.act, l, a, c, k) * static_cast<double>(k);
        return 1.0 - nonzero / static_cast<double>(l.C * l.K);
    }

    /// The product histograms of layer i at (tau_w, tau_a) into `out` (its
    /// storage is reused). Throws hass::error naming the layer and the grid
    /// range when a threshold is outside the grid. Thread-safe.
    void predict_into(std::size_t i, double tau_w, double tau_a, sparsity_stats& out) const {
        const auto& l = layers_.at(i);
        const auto wpos = locate_w(l, tau_w);
        const auto apos = locate(l, l.tau_a, tau_a, "tau_a");
        const auto row = static_cast<std::size_t>(l.K + 1);
        out.channels = l.C;
        out.kernel = l.K;
        out.order = l.order;
        out.skip_all_zero = l.skip_all_zero;
        out.clusters = l.clusters;
        out.histogram.resize(static_cast<std::size_t>(l.C) * row);
        std::array<double, max_kernel + 1> pa{}, pb{};
        const double* table = l.K <= max_tabulated_kernel ? tables_[static_cast<std::size_t>(l.K)].data() : nullptr;
        double zeros = 0;
        for (count_t c = 0; c < l.C; ++c) {
            for (count_t k = 0; k <= l.K; ++k) pa[static_cast<std::size_t>(k)] = interp(l.act, l, apos, c, k);
            weight_row(l, wpos, c, pb.data());
            double* h = out.histogram.data() + static_cast<std::size_t>(c) * row;
            compose(l.K, pa.data(), pb.data(), h, table);
            for (count_t z = 0; z <= l.K; ++z) {
                h[z] = h[z] > 1.0 ? 1.0 : h[z]; // rounding; make_sparsity_stats rejects p > 1
                zeros += h[z] * static_cast<double>(z);
            }
        }
        out.mean_zeros = zeros / static_cast<double>(l.C * l.K);
    }

    sparsity_stats predict_copy(std::size_t i, double tau_w, double tau_a) const {
        sparsity_stats s;
        predict_into(i, tau_w, tau_a, s);
        return s;
    }

    /// Memoised: the same thresholds as the previous call for layer i cost nothing.
    /// The reference stays valid until the next predict() of that layer. Not thread-safe.
    const sparsity_stats& predict(std::size_t i, double tau_w, double tau_a) {
        auto& l = layers_.at(i);
        if (!l.memo_valid || l.memo_w != tau_w || l.memo_a != tau_a) {
            l.memo_valid = false;
            predict_into(i, tau_w, tau_a, l.memo);
            l.memo_w = tau_w;
            l.memo_a = tau_a;
            l.memo_valid = true;
        }
        return l.memo;
    }
    const sparsity_stats& predict(std::size_t i, threshold_pair t) { return predict(i, t.tau_w, t.tau_a); }

    /// Every layer's product histograms; `t` has one pair per layer, in order.
    std::vector<sparsity_stats> predict(std::span<const threshold_pair> t) {
        check_size(t);
        std::vector<sparsity_stats> out;
        out.reserve(t.size());
        for (std::size_t i = 0; i < t.size(); ++i) out.push_back(predict(i, t[i]));
        return out;
    }

    /// Sets the sparsity statistics of every bound convolution of `net` (bind()
    /// or the two-argument constructor first) to the prediction at `t`; inner
    /// products are modelled dense and keep no statistics.
    void apply(network& net, std::span<const threshold_pair> t) {
        check_size(t);
        for (std::size_t i = 0; i < t.size(); ++i) {
            if (!layers_[i].convolution) continue;
            const int idx = layers_[i].net_index;
            if (idx < 0 || static_cast<std::size_t>(idx) >= net.layers.size() || net.layers[static_cast<std::size_t>(idx)].name.view() != layers_[i].name)
                hass::detail::fail("predictor::apply: " + detail::quoted(layers_[i].name) +
                                   " is not bound to this network (construct the predictor with the network)");
            net.layers[static_cast<std::size_t>(idx)].sparsity = predict(i, t[i]);
        }
    }

private:
    struct position {
        std::size_t lo = 0;
        double t = 0;   ///< weight of point lo + 1
        double tau = 0; ///< the threshold (raw weights)
    };
    struct cached {
        std::string name;
        count_t C = 0, K = 0, F = 0, G = 1, Cg = 0, Fg = 0;
        activation_source source = activation_source::relu;
        std::vector<double> tau_a, act;
        std::vector<double> tau_w, wgt;
        bool raw = false;
        std::vector<float> order_stats; ///< [C][j = 1..K][Fg], sorted; exact zeros stored as -1
        float max_magnitude = 0;
        interleaving order = interleaving::opt;
        bool skip_all_zero = true;
        count_t clusters = 1;
        std::string owner;            ///< the variable of tau_a
        std::size_t group = 0;        ///< index in groups_
        std::vector<double> targets;  ///< raw: the weight-sparsity target of each tau_w point
        bool convolution = true;      ///< false: an inner product (set by bind)
        int net_index = -1;
        bool memo_valid = false;
        double memo_w = 0, memo_a = 0;
        sparsity_stats memo;
    };

    std::string network_;
    bool synthetic_ = false;
    std::string provenance_;
    std::vector<cached> layers_;
    struct group {
        std::string name;
        std::vector<std::size_t> members;
    };
    std::vector<group> groups_;
    std::vector<std::vector<double>> tables_ = std::vector<std::vector<double>>(max_tabulated_kernel + 1);

    void add(const decomposed_histograms& d) {
        cached l;
        l.name = d.layer;
        l.C = d.channels;
        l.K = d.kernel;
        l.F = d.filters;
        l.G = d.groups;
        l.Cg = d.channels_per_group();
        l.Fg = d.filters_per_group();
        l.source = d.source;
        l.tau_a = d.tau_a_grid;
        l.act = d.activation_hist;
        l.order = d.order;
        l.skip_all_zero = d.skip_all_zero;
        l.clusters = d.clusters;
        l.owner = d.activation_owner();
        l.raw = d.raw_weights();
        if (l.raw) {
            // the search grid: thresholds at the weight-sparsity targets
            std::vector<float> all(d.magnitudes);
            std::sort(all.begin(), all.end());
            for (double target : d.weight_targets.empty() ? default_weight_targets() : d.weight_targets) {
                const double tau = threshold_for_sparsity(all, target);
                if (!l.tau_w.empty() && !(tau > l.tau_w.back())) continue;
                l.tau_w.push_back(tau);
                l.targets.push_back(target);
            }
            // order_stats[c][j][f]: the (j+1)-th smallest magnitude of filter f's kernel for channel c
            const auto K = static_cast<std::size_t>(l.K), Fg = static_cast<std::size_t>(l.Fg),
                       Cg = static_cast<std::size_t>(l.Cg);
            l.order_stats.assign(static_cast<std::size_t>(l.C) * K * Fg, 0.0f);
            std::vector<float> kernel(K);
            for (std::size_t c = 0; c < static_cast<std::size_t>(l.C); ++c) {
                const std::size_t g = c / Cg, ci = c % Cg;
                for (std::size_t f = 0; f < Fg; ++f) {
                    const std::size_t filter = g * Fg + f;
                    for (std::size_t k = 0; k < K; ++k) {
                        const float m = d.magnitudes[(filter * Cg + ci) * K + k];
                        l.max_magnitude = std::max(l.max_magnitude, m);
                        kernel[k] = m == 0.0f ? -1.0f : m;
                    }
                    std::sort(kernel.begin(), kernel.end());
                    for (std::size_t j = 0; j < K; ++j) l.order_stats[(c * K + j) * Fg + f] = kernel[j];
                }
                for (std::size_t j = 0; j < K; ++j) {
                    auto first = l.order_stats.begin() + static_cast<std::ptrdiff_t>((c * K + j) * Fg);
                    std::sort(first, first + static_cast<std::ptrdiff_t>(Fg));
                }
            }
        } else {
            l.tau_w = d.tau_w_grid;
            l.wgt = d.weight_hist;
        }
        if (l.K <= max_tabulated_kernel && tables_[static_cast<std::size_t>(l.K)].empty())
            tables_[static_cast<std::size_t>(l.K)] = hypergeometric_table(l.K);
        layers_.push_back(std::move(l));
    }

    void check_size(std::span<const threshold_pair> t) const {
        if (t.size() != layers_.size())
            hass::detail::fail("predictor: got " + std::to_string(t.size()) + " threshold pairs for " +
                               std::to_string(layers_.size()) + " layers with statistics");
    }

    static position locate(const cached& l, const std::vector<double>& grid, double tau, std::string_view what) {
        const auto p = detail::locate_in_grid(grid, tau, l.name, what, l.source);
        return {p.lo, p.t, tau};
    }

    position locate_w(const cached& l, double tau_w) const {
        if (l.raw) {
            if (!(tau_w >= 0.0))
                hass::detail::fail(detail::quoted(l.name) + ": tau_w = " + detail::num(tau_w) +
                                   " must be a number >= 0");
            return {0, 0.0, tau_w};
        }
        return locate(l, l.tau_w, tau_w, "tau_w");
    }

    static double interp(const std::vector<double>& h, const cached& l, const position& p, count_t c, count_t k) {
        const auto block = static_cast<std::size_t>(l.C * (l.K + 1));
        const std::size_t at = static_cast<std::size_t>(c * (l.K + 1) + k);
        const double v0 = h[p.lo * block + at];
        if (p.t == 0.0) return v0;
        const double v1 = h[(p.lo + 1) * block + at];
        return v0 + p.t * (v1 - v0);
    }

    /// pb[b], b = 0..K, for channel c.
    static void weight_row(const cached& l, const position& p, count_t c, double* pb) {
        if (!l.raw) {
            for (count_t b = 0; b <= l.K; ++b) pb[b] = interp(l.wgt, l, p, c, b);
            return;
        }
        // b_f <= K - j  <=>  the j-th smallest magnitude of filter f is < tau (j = 1..K)
        const auto K = static_cast<std::size_t>(l.K), Fg = static_cast<std::size_t>(l.Fg);
        const auto tau = static_cast<float>(p.tau);
        const double inv = 1.0 / static_cast<double>(Fg);
        double below = 0; // filters with b <= previous bin
        for (std::size_t b = 0; b < K; ++b) {
            const std::size_t j = K - b; // 1-based order statistic index
            const float* first = l.order_stats.data() + (static_cast<std::size_t>(c) * K + (j - 1)) * Fg;
            const auto le = static_cast<double>(std::lower_bound(first, first + Fg, tau) - first);
            pb[b] = (le - below) * inv;
            below = le;
        }
        pb[K] = (static_cast<double>(Fg) - below) * inv;
    }
};

/// The product histograms of one layer at (tau_w, tau_a). Builds the layer's
/// caches on every call: use a predictor for repeated queries.
inline sparsity_stats predict(const decomposed_histograms& layer, double tau_w, double tau_a) {
    decomposed_statistics s;
    s.layers.push_back(layer);
    predictor p(s);
    return p.predict_copy(0, tau_w, tau_a);
}

/// Product histograms of layer i of a predictor at the given points.
inline product_histograms tabulate(const predictor& p, std::size_t i, std::span<const threshold_pair> points) {
    product_histograms h;
    h.layer = p.name(i);
    h.channels = p.channels(i);
    h.kernel = p.kernel(i);
    for (const auto& t : points) h.points.push_back({t.tau_w, t.tau_a, p.predict_copy(i, t.tau_w, t.tau_a)});
    return h;
}

} // namespace hass::sparsity
