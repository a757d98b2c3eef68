// The predictor: decomposed statistics composed into product histograms at any
// thresholds inside their grids (cached per layer, interpolated linearly
// between grid points), applied to a network's layers; predict() and
// tabulate() for single layers.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
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
#include "hass/sparsity/statistics/checks.hpp"
#include "hass/sparsity/statistics/histograms.hpp"
#include "hass/sparsity/statistics/hypergeometric.hpp"

namespace hass::sparsity {

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
            if (!l.correction.empty()) corrected_row(l.K, l.correction.data() + static_cast<std::size_t>(c) * row, h);
            for (count_t z = 0; z <= l.K; ++z) {
                h[z] = h[z] > 1.0 ? 1.0 : h[z]; // rounding; make_sparsity_stats rejects p > 1
                zeros += h[z] * static_cast<double>(z);
            }
        }
        out.mean_zeros = zeros / static_cast<double>(l.C * l.K);
    }

    /// Corrects layer i's composition by a measurement: `measured` are the
    /// product histograms measured at thresholds `at` (a real model, every layer
    /// pruned at once). From then on every prediction of layer i adds, row by
    /// row, the difference measured - composed at `at` (clipped to [0, 1] and
    /// renormalised to sum 1), so that the prediction at `at` is the measurement
    /// and the composition's error there carries over to other thresholds. A
    /// later correction of the layer replaces the earlier one.
    void correct(std::size_t i, const sparsity_stats& measured, threshold_pair at) {
        auto& l = layers_.at(i);
        const auto row = static_cast<std::size_t>(l.K + 1);
        if (measured.channels != l.C || measured.kernel != l.K ||
            measured.histogram.size() != static_cast<std::size_t>(l.C) * row)
            hass::detail::fail("predictor::correct: " + detail::quoted(l.name) + ": the measured histograms are " +
                               std::to_string(measured.channels) + " channels x " + std::to_string(measured.kernel) +
                               " kernel, the statistics " + std::to_string(l.C) + " x " + std::to_string(l.K));
        l.correction.clear();
        l.memo_valid = false;
        sparsity_stats composed;
        predict_into(i, at.tau_w, at.tau_a, composed);
        l.correction.resize(composed.histogram.size());
        for (std::size_t j = 0; j < composed.histogram.size(); ++j)
            l.correction[j] = measured.histogram[j] - composed.histogram[j];
    }
    /// Whether layer i carries a correction (correct()).
    bool corrected(std::size_t i) const { return !layers_.at(i).correction.empty(); }

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
        std::vector<double> correction; ///< C x (K + 1), added to every prediction (correct())
    };

    /// h += delta, clipped at 0 and renormalised to sum 1 (left as composed when nothing is left).
    static void corrected_row(count_t K, const double* delta, double* h) {
        double sum = 0;
        std::array<double, max_kernel + 1> v{};
        for (count_t z = 0; z <= K; ++z) {
            const auto k = static_cast<std::size_t>(z);
            v[k] = std::max(0.0, h[z] + delta[z]);
            sum += v[k];
        }
        if (!(sum > 0)) return;
        for (count_t z = 0; z <= K; ++z) h[z] = v[static_cast<std::size_t>(z)] / sum;
    }

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
