// SYNTHETIC sparsity statistics for any network (the zoo included): seeded,
// documented distributions standing in for statistics measured on data.
// Everything this header produces is labelled `synthetic = true` with a
// provenance string saying so. Distributions (docs/sparsity.md "Synthetic statistics"):
//
//  * weights of layer l, input channel c: zero-mean Laplace (default) or
//    Gaussian with standard deviation sigma_{l,c} = sqrt(2 / fan_in) * u_l * v_c
//    (He initialisation; fan_in = C/G * K; u_l log-uniform in [0.8, 1.25],
//    v_c log-uniform in [1/sqrt(spread), sqrt(spread)]). The fraction of
//    surviving weights p_w = P(|w| >= tau_w) is analytic (Laplace:
//    exp(-tau_w sqrt(2) / sigma); Gaussian: erfc(tau_w / (sigma sqrt(2)))) and the
//    non-zero weight count of a kernel is Binomial(K, p_w) (weights independent);
//  * activations reading a ReLU: per channel an exact-zero fraction p0 in
//    [zero_fraction_min, zero_fraction_max] (a per-layer centre plus a channel
//    jitter) and an exponential (default) or half-normal positive part of
//    scale s_c (log-uniform in [1/sqrt(spread), sqrt(spread)]); the probability
//    that an in-image value survives tau_a is q = (1 - p0) P(X > tau_a), and the
//    non-zero count of a window with n in-image positions is Binomial(n, q)
//    (values independent); the n of a window is exact from the geometry (padding);
//  * activations reading a HardSwish or no activation at all: no exact zeros
//    and no activation threshold (tau_a grid = {0}); only padding is zero.
//
// Grids: tau_w at the weight-sparsity targets (default 0, 0.1, ..., 0.9 of the
// layer's weights below tau_w), tau_a = 0 and the activation-sparsity targets
// above the layer's natural (ReLU) zero fraction.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/core/random.hpp"
#include "hass/layers/layer.hpp"
#include "hass/network/network.hpp"
#include "hass/sparsity/statistics.hpp"

namespace hass::sparsity {

enum class weight_law { laplace, gaussian };
enum class activation_law { exponential, half_normal };

constexpr std::string_view to_string(weight_law w) noexcept { return w == weight_law::laplace ? "laplace" : "gaussian"; }
constexpr std::string_view to_string(activation_law a) noexcept {
    return a == activation_law::exponential ? "exponential" : "half_normal";
}

struct synthetic_options {
    std::uint64_t seed = 2024;
    weight_law weights = weight_law::laplace;
    activation_law activations = activation_law::exponential;
    double weight_channel_spread = 2.0;     ///< v_c in [1/sqrt(s), sqrt(s)], log-uniform
    double zero_fraction_min = 0.4;         ///< post-ReLU exact zeros, lowest
    double zero_fraction_max = 0.6;         ///< post-ReLU exact zeros, highest
    double zero_fraction_jitter = 0.1;      ///< channel jitter around the layer centre (total width)
    double activation_scale_spread = 4.0;   ///< s_c in [1/sqrt(s), sqrt(s)], log-uniform
    std::vector<double> weight_targets{0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    std::vector<double> activation_targets{0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    /// Activation targets within this margin above the natural zero fraction are skipped.
    double activation_target_margin = 0.02;
    interleaving order = interleaving::opt;
    bool skip_all_zero = true;
};

/// What produces the input of layer `index`: walks back through pooling, split,
/// squeeze, global pooling (values keep their sign and exact zeros), eltwise add
/// and concat (relu when every input is relu, hardswish when every input is
/// hardswish, other otherwise) and eltwise mul (the first, feature-map input:
/// zeros survive the multiply by a squeeze-excitation scale).
inline activation_source input_source(const network& net, std::size_t index) {
    auto from = [&](auto&& self, int t) -> activation_source {
        if (t == network_input) return activation_source::other;
        const layer& l = net.layers[static_cast<std::size_t>(t)];
        switch (l.type) {
        case layer_type::relu:
        case layer_type::relu6:
        case layer_type::thresholded_relu: return activation_source::relu;
        case layer_type::hardswish: return activation_source::hardswish;
        case layer_type::pooling:
        case layer_type::global_pooling:
        case layer_type::split:
        case layer_type::squeeze: return self(self, l.inputs.front());
        case layer_type::eltwise:
            if (l.op == eltwise_op::mul) return self(self, l.inputs.front());
            [[fallthrough]];
        case layer_type::concat: {
            const activation_source first = self(self, l.inputs.front());
            for (std::size_t k = 1; k < l.inputs.size(); ++k)
                if (self(self, l.inputs[k]) != first) return activation_source::other;
            return first;
        }
        default: return activation_source::other; // convolution, inner product, sigmoids
        }
    };
    return from(from, net.layers.at(index).inputs.front());
}

/// True when the input of layer `index` is (through pooling, splits, squeezes
/// and the feature-map input of a multiply) a global average or max pool:
/// such 1x1 maps of ReLU outputs are practically never exactly zero, so the
/// synthetic generator gives them no natural zeros (the threshold still applies).
inline bool input_is_global_pool(const network& net, std::size_t index) {
    int t = net.layers.at(index).inputs.front();
    while (t != network_input) {
        const layer& l = net.layers[static_cast<std::size_t>(t)];
        if (l.type == layer_type::global_pooling) return true;
        const bool passes = l.type == layer_type::pooling || l.type == layer_type::split ||
                            l.type == layer_type::squeeze || (l.type == layer_type::eltwise && l.op == eltwise_op::mul);
        if (!passes) return false;
        t = l.inputs.front();
    }
    return false;
}

/// The drawn parameters of one layer's synthetic distributions.
struct synthetic_layer {
    std::string name;
    int index = -1; ///< in the network
    activation_source source = activation_source::relu;
    count_t kernel = 1;
    weight_law wlaw = weight_law::laplace;
    activation_law alaw = activation_law::exponential;
    double weight_std = 0;                  ///< sqrt(2 / fan_in) * u_l
    std::vector<double> channel_weight_std; ///< sigma_{l,c} per input channel
    std::vector<double> zero_fraction;      ///< p0 per input channel (0 without ReLU)
    std::vector<double> activation_scale;   ///< s_c per input channel

    /// P(|w| >= tau) for channel c.
    double weight_survival(std::size_t c, double tau) const {
        if (tau <= 0) return 1.0;
        const double s = channel_weight_std[c];
        return wlaw == weight_law::laplace ? std::exp(-tau * std::sqrt(2.0) / s) : std::erfc(tau / (s * std::sqrt(2.0)));
    }
    /// P(x > tau) for an in-image activation of channel c (1 without ReLU).
    double activation_survival(std::size_t c, double tau) const {
        if (source != activation_source::relu) return 1.0;
        const double positive = tau <= 0 ? 1.0
                                : alaw == activation_law::exponential
                                    ? std::exp(-tau / activation_scale[c])
                                    : std::erfc(tau / (activation_scale[c] * std::sqrt(2.0)));
        return (1.0 - zero_fraction[c]) * positive;
    }
    /// Mean over channels of P(|w| < tau): the layer's weight sparsity at tau.
    double weight_zero_fraction(double tau) const {
        double s = 0;
        for (std::size_t c = 0; c < channel_weight_std.size(); ++c) s += 1.0 - weight_survival(c, tau);
        return s / static_cast<double>(channel_weight_std.size());
    }
    /// Mean over channels of P(x <= tau) for in-image values (padding excluded).
    double activation_zero_fraction(double tau) const {
        if (source != activation_source::relu) return 0.0;
        double s = 0;
        for (std::size_t c = 0; c < zero_fraction.size(); ++c) s += 1.0 - activation_survival(c, tau);
        return s / static_cast<double>(zero_fraction.size());
    }
};

/// The drawn parameters of every convolution of a network.
struct synthetic_model {
    std::string network;
    synthetic_options options;
    std::vector<synthetic_layer> layers;
};

namespace detail {

/// splitmix64: decorrelates (seed, layer) into a generator seed.
constexpr std::uint64_t mix(std::uint64_t x) noexcept {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

using ::hass::detail::uniform01;

/// Log-uniform in [1/sqrt(spread), sqrt(spread)].
inline double log_uniform(std::mt19937_64& g, double spread) {
    const double h = 0.5 * std::log(spread > 1 ? spread : 1.0);
    return std::exp(-h + 2 * h * uniform01(g));
}

/// Binomial(n, p) probabilities into out[0..n].
inline void binomial_pmf(count_t n, double p, double* out) {
    if (p <= 0) {
        for (count_t k = 0; k <= n; ++k) out[k] = k == 0 ? 1.0 : 0.0;
        return;
    }
    if (p >= 1) {
        for (count_t k = 0; k <= n; ++k) out[k] = k == n ? 1.0 : 0.0;
        return;
    }
    for (count_t k = 0; k <= n; ++k)
        out[k] = choose(n, k) * std::pow(p, static_cast<double>(k)) * std::pow(1 - p, static_cast<double>(n - k));
}

/// Distribution of the number of in-image positions of a window over the output
/// positions (exact from the geometry): result[n], n = 0..K.
inline std::vector<double> in_image_positions(const layer& l) {
    auto covered = [](count_t size, count_t out, count_t k, count_t stride, count_t pad) {
        std::vector<count_t> counts(static_cast<std::size_t>(k + 1), 0);
        for (count_t o = 0; o < out; ++o) {
            const count_t first = o * stride - pad;
            count_t n = 0;
            for (count_t r = first; r < first + k; ++r) n += (r >= 0 && r < size) ? 1 : 0;
            ++counts[static_cast<std::size_t>(n)];
        }
        std::vector<double> h;
        for (count_t c : counts) h.push_back(static_cast<double>(c) / static_cast<double>(out));
        return h;
    };
    const auto rows = covered(l.in.rows, l.out.rows, l.kernel_rows, l.stride_rows, l.pad_top);
    const auto cols = covered(l.in.cols, l.out.cols, l.kernel_cols, l.stride_cols, l.pad_left);
    std::vector<double> n(static_cast<std::size_t>(l.kernel_size() + 1), 0.0);
    for (std::size_t r = 0; r < rows.size(); ++r)
        for (std::size_t c = 0; c < cols.size(); ++c) n[r * c] += rows[r] * cols[c];
    return n;
}

/// Smallest tau >= 0 with f(tau) >= target for a non-decreasing f (bisection).
template <class F>
double invert(F f, double target, double scale) {
    if (f(0.0) >= target) return 0.0;
    double hi = scale > 0 ? scale : 1.0;
    for (int i = 0; i < 200 && f(hi) < target; ++i) hi *= 2;
    double lo = 0.0;
    for (int i = 0; i < 100 && hi - lo > 1e-15 * hi; ++i) {
        const double mid = 0.5 * (lo + hi);
        (f(mid) < target ? lo : hi) = mid;
    }
    return hi;
}

} // namespace detail

/// Draws the synthetic parameters of every convolution of `net` (deterministic in options.seed).
inline synthetic_model make_synthetic_model(const network& net, const synthetic_options& o = {}) {
    if (!(o.zero_fraction_min >= 0 && o.zero_fraction_min <= o.zero_fraction_max && o.zero_fraction_max < 1))
        hass::detail::fail("synthetic statistics: need 0 <= zero_fraction_min <= zero_fraction_max < 1");
    for (const auto* targets : {&o.weight_targets, &o.activation_targets})
        for (std::size_t i = 0; i < targets->size(); ++i)
            if (!((*targets)[i] >= 0 && (*targets)[i] < 1) || (i > 0 && !((*targets)[i] > (*targets)[i - 1])))
                hass::detail::fail("synthetic statistics: sparsity targets must be strictly increasing in [0, 1)");
    if (o.weight_targets.empty() || o.activation_targets.empty())
        hass::detail::fail("synthetic statistics: the sparsity targets must not be empty");
    synthetic_model m;
    m.network = net.name.str();
    m.options = o;
    for (std::size_t i = 0; i < net.layers.size(); ++i) {
        const layer& l = net.layers[i];
        if (l.type != layer_type::convolution) continue;
        if (l.kernel_size() > max_kernel)
            hass::detail::fail(detail::quoted(l.name.view()) + ": kernel " + std::to_string(l.kernel_rows) + "x" +
                               std::to_string(l.kernel_cols) + " is larger than the statistics support (K <= " +
                               std::to_string(max_kernel) + ")");
        std::mt19937_64 g(detail::mix(o.seed ^ detail::mix(static_cast<std::uint64_t>(i) + 1)));
        synthetic_layer s;
        s.name = l.name.str();
        s.index = static_cast<int>(i);
        s.source = input_source(net, i);
        s.kernel = l.kernel_size();
        s.wlaw = o.weights;
        s.alaw = o.activations;
        const double fan_in = static_cast<double>((l.in.channels / l.groups) * l.kernel_size());
        s.weight_std = std::sqrt(2.0 / fan_in) * std::exp(std::log(0.8) + (std::log(1.25) - std::log(0.8)) * detail::uniform01(g));
        const bool pooled = input_is_global_pool(net, i);
        const double centre = o.zero_fraction_min + (o.zero_fraction_max - o.zero_fraction_min) * detail::uniform01(g);
        const auto C = static_cast<std::size_t>(l.in.channels);
        for (std::size_t c = 0; c < C; ++c) {
            s.channel_weight_std.push_back(s.weight_std * detail::log_uniform(g, o.weight_channel_spread));
            const double jitter = o.zero_fraction_jitter * (detail::uniform01(g) - 0.5);
            const double scale = detail::log_uniform(g, o.activation_scale_spread);
            if (s.source == activation_source::relu) {
                s.zero_fraction.push_back(
                    pooled ? 0.0 : std::clamp(centre + jitter, o.zero_fraction_min, o.zero_fraction_max));
                s.activation_scale.push_back(scale);
            } else {
                s.zero_fraction.push_back(0.0);
                s.activation_scale.push_back(scale);
            }
        }
        m.layers.push_back(std::move(s));
    }
    return m;
}

/// The layer's tau_w grid: the thresholds at the weight-sparsity targets.
inline std::vector<double> synthetic_tau_w_grid(const synthetic_layer& s, const synthetic_options& o) {
    std::vector<double> grid;
    for (double t : o.weight_targets) {
        const double tau = detail::invert([&](double x) { return s.weight_zero_fraction(x); }, t, s.weight_std);
        if (grid.empty() || tau > grid.back() * (1 + 1e-12) + 1e-300) grid.push_back(tau);
    }
    return grid;
}

/// The layer's tau_a grid: {0} without ReLU; else 0 and the activation-sparsity
/// targets above the natural zero fraction (plus the margin).
inline std::vector<double> synthetic_tau_a_grid(const synthetic_layer& s, const synthetic_options& o) {
    std::vector<double> grid{0.0};
    if (s.source != activation_source::relu) return grid;
    const double natural = s.activation_zero_fraction(0.0);
    for (double t : o.activation_targets) {
        if (t <= natural + o.activation_target_margin) continue;
        const double tau = detail::invert([&](double x) { return s.activation_zero_fraction(x); }, t, 1.0);
        if (tau > grid.back() * (1 + 1e-12)) grid.push_back(tau);
    }
    return grid;
}

/// Decomposed statistics of every convolution of `net` from a drawn model.
inline decomposed_statistics synthetic_statistics(const network& net, const synthetic_model& m) {
    const synthetic_options& o = m.options;
    decomposed_statistics out;
    out.network = net.name.str();
    out.synthetic = true;
    out.provenance = "SYNTHETIC (not measured on data): hass::sparsity::synthetic_statistics, seed " +
                     std::to_string(o.seed) + ", " + std::string(to_string(o.weights)) +
                     " weights with He scale, post-ReLU zero fraction in [" + detail::num(o.zero_fraction_min) + ", " +
                     detail::num(o.zero_fraction_max) + "] with " + std::string(to_string(o.activations)) +
                     " positive part, binomial counts (independent values)";
    for (const synthetic_layer& s : m.layers) {
        const layer& l = net.layers.at(static_cast<std::size_t>(s.index));
        if (l.name.view() != s.name) hass::detail::fail("synthetic_statistics: the model was drawn for another network");
        decomposed_histograms d;
        d.layer = s.name;
        d.channels = l.in.channels;
        d.kernel = l.kernel_size();
        d.filters = l.out.channels;
        d.groups = l.groups;
        d.source = s.source;
        d.activation_threshold = s.source == activation_source::relu;
        d.order = o.order;
        d.skip_all_zero = o.skip_all_zero;
        d.tau_w_grid = synthetic_tau_w_grid(s, o);
        d.tau_a_grid = synthetic_tau_a_grid(s, o);
        const count_t K = d.kernel;
        const auto row = static_cast<std::size_t>(K + 1);
        const auto C = static_cast<std::size_t>(d.channels);
        // weights: Binomial(K, P(|w| >= tau))
        d.weight_hist.assign(d.tau_w_grid.size() * C * row, 0.0);
        for (std::size_t j = 0; j < d.tau_w_grid.size(); ++j)
            for (std::size_t c = 0; c < C; ++c)
                detail::binomial_pmf(K, s.weight_survival(c, d.tau_w_grid[j]), d.weight_hist.data() + (j * C + c) * row);
        // activations: mixture over in-image counts n of Binomial(n, q)
        const std::vector<double> positions = detail::in_image_positions(l);
        d.activation_hist.assign(d.tau_a_grid.size() * C * row, 0.0);
        std::vector<double> pmf(row);
        for (std::size_t i = 0; i < d.tau_a_grid.size(); ++i)
            for (std::size_t c = 0; c < C; ++c) {
                const double q = s.activation_survival(c, d.tau_a_grid[i]);
                double* h = d.activation_hist.data() + (i * C + c) * row;
                for (count_t n = 0; n <= K; ++n) {
                    const double pn = positions[static_cast<std::size_t>(n)];
                    if (pn == 0) continue;
                    detail::binomial_pmf(n, q, pmf.data());
                    for (count_t a = 0; a <= n; ++a) h[a] += pn * pmf[static_cast<std::size_t>(a)];
                }
            }
        out.layers.push_back(std::move(d));
    }
    check(out);
    return out;
}

/// Synthetic decomposed statistics of every convolution of `net` (seeded, labelled synthetic).
inline decomposed_statistics synthetic_statistics(const network& net, const synthetic_options& o = {}) {
    return synthetic_statistics(net, make_synthetic_model(net, o));
}

} // namespace hass::sparsity
