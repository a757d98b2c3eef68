// The accuracy side of the threshold search (docs/sparsity.md "Accuracy").
//
// An accuracy oracle maps a candidate (one threshold pair per layer with
// statistics, in the order of decomposed_statistics::layers) to the accuracy
// DROP in percentage points (>= 0). checked_drop() rejects NaN, infinite and
// negative drops with a hass::error naming the candidate.
//
// A tabulated oracle holds, per layer, the drop measured with only that layer
// thresholded at each grid point (tau_w, tau_a), interpolates bilinearly
// between grid points and combines the layers by the first-order rule
//
//     total = S + kappa * sum_{l < m} d_l d_m,   S = sum_l d_l,
//
// (kappa = 0: additive drops; kappa > 0: drops compound). synthetic_accuracy_table()
// makes a LABELLED SYNTHETIC table for any network (the zoo included).
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hass/core/error.hpp"
#include "hass/network/network.hpp"
#include "hass/sparsity/statistics.hpp"
#include "hass/sparsity/synthetic.hpp"

namespace hass::sparsity {

/// Accuracy drop in percentage points of a candidate (one pair per layer).
using accuracy_oracle = std::function<double(std::span<const threshold_pair>)>;

/// "{conv1: (tau_w 0.01, tau_a 0), layer1.0.conv1: (...), ... (53 layers)}";
/// names may be empty (layers are then numbered).
inline std::string describe_candidate(std::span<const threshold_pair> candidate,
                                      std::span<const std::string> names = {}) {
    std::string s = "{";
    const std::size_t shown = std::min<std::size_t>(candidate.size(), 6);
    for (std::size_t i = 0; i < shown; ++i) {
        if (i) s += ", ";
        s += (i < names.size() ? names[i] : "#" + std::to_string(i)) + ": (tau_w " + detail::num(candidate[i].tau_w) +
             ", tau_a " + detail::num(candidate[i].tau_a) + ")";
    }
    if (candidate.size() > shown) s += ", ... (" + std::to_string(candidate.size()) + " layers)";
    return s + "}";
}

/// Calls the oracle; throws hass::error naming the candidate when the drop is
/// NaN, infinite or below -tolerance (a negative drop is an improvement the
/// search must not chase; allow measurement noise with `tolerance`).
inline double checked_drop(const accuracy_oracle& oracle, std::span<const threshold_pair> candidate,
                           std::span<const std::string> names = {}, double tolerance = 0.0) {
    if (!oracle) hass::detail::fail("accuracy oracle: empty function");
    const double d = oracle(candidate);
    if (!(d == d))
        hass::detail::fail("accuracy oracle returned NaN for candidate " + describe_candidate(candidate, names));
    if (d == std::numeric_limits<double>::infinity() || d == -std::numeric_limits<double>::infinity())
        hass::detail::fail("accuracy oracle returned an infinite drop for candidate " +
                           describe_candidate(candidate, names));
    if (d < -tolerance)
        hass::detail::fail("accuracy oracle returned a negative drop (" + detail::num(d) +
                           " points) for candidate " + describe_candidate(candidate, names) +
                           "; the oracle must return the accuracy drop (baseline - accuracy), >= 0");
    return d;
}

/// An oracle whose every answer goes through checked_drop.
inline accuracy_oracle checked(accuracy_oracle oracle, std::vector<std::string> names = {}, double tolerance = 0.0) {
    return [o = std::move(oracle), n = std::move(names), tolerance](std::span<const threshold_pair> c) {
        return checked_drop(o, c, n, tolerance);
    };
}

/// Adapts an oracle that returns the accuracy (percent) into one that returns
/// the drop: baseline - accuracy.
inline accuracy_oracle from_accuracy(double baseline, std::function<double(std::span<const threshold_pair>)> accuracy) {
    return [baseline, a = std::move(accuracy)](std::span<const threshold_pair> c) { return baseline - a(c); };
}

// ============================================================================
// Tabulated oracle
// ============================================================================

/// One layer's drop (percentage points) with only that layer thresholded,
/// at every point of a tau_w x tau_a grid.
struct layer_accuracy {
    std::string layer;
    std::vector<double> tau_w;  ///< strictly increasing
    std::vector<double> tau_a;  ///< strictly increasing (one point: no activation threshold)
    std::vector<double> drop;   ///< tau_w.size() x tau_a.size(), row-major, >= 0

    /// Bilinear interpolation; throws hass::error naming the layer outside the grid.
    double at(double tw, double ta) const {
        const auto w = detail::locate_in_grid(tau_w, tw, layer, "tau_w");
        const auto a = detail::locate_in_grid(tau_a, ta, layer, "tau_a");
        const std::size_t na = tau_a.size();
        auto v = [&](std::size_t i, std::size_t j) { return drop[i * na + j]; };
        const std::size_t i1 = tau_w.size() > 1 ? w.lo + 1 : w.lo;
        const std::size_t j1 = na > 1 ? a.lo + 1 : a.lo;
        const double lo = v(w.lo, a.lo) + a.t * (v(w.lo, j1) - v(w.lo, a.lo));
        const double hi = v(i1, a.lo) + a.t * (v(i1, j1) - v(i1, a.lo));
        return lo + w.t * (hi - lo);
    }
};

/// Per-layer accuracy drops of a network and the rule that combines them.
struct accuracy_table {
    std::string network;
    bool synthetic = false;  ///< true: generated, NOT measured on data
    std::string provenance;  ///< where the numbers come from (free text)
    std::string metric = "top-1 accuracy drop, percentage points";
    std::optional<double> baseline; ///< the unpruned accuracy (percent), informative
    double interaction = 0.0;       ///< kappa of the combination rule (>= 0)
    std::vector<layer_accuracy> layers;

    const layer_accuracy* find(std::string_view name) const noexcept {
        for (const auto& l : layers)
            if (l.layer == name) return &l;
        return nullptr;
    }
};

/// Checks grids (strictly increasing, finite, tau_w >= 0), sizes and drops (finite, >= 0).
inline void check(const layer_accuracy& l) {
    const std::string where = detail::quoted(l.layer);
    if (l.layer.empty()) hass::detail::fail("accuracy table: a layer has no name");
    if (l.tau_w.empty() || l.tau_a.empty()) hass::detail::fail(where + ": the accuracy grid is empty");
    detail::check_grid(l.tau_w, where, "tau_w", true);
    detail::check_grid(l.tau_a, where, "tau_a", false);
    if (l.drop.size() != l.tau_w.size() * l.tau_a.size())
        hass::detail::fail(where + ": the drop table holds " + std::to_string(l.drop.size()) +
                           " values, expected tau_w points x tau_a points = " + std::to_string(l.tau_w.size()) + " x " +
                           std::to_string(l.tau_a.size()));
    for (std::size_t i = 0; i < l.drop.size(); ++i)
        if (!(l.drop[i] >= 0.0) || l.drop[i] == std::numeric_limits<double>::infinity())
            hass::detail::fail(where + ": drop at (tau_w " + detail::num(l.tau_w[i / l.tau_a.size()]) + ", tau_a " +
                               detail::num(l.tau_a[i % l.tau_a.size()]) + ") is " + detail::num(l.drop[i]) +
                               "; drops must be finite and >= 0");
}

inline void check(const accuracy_table& t) {
    if (!(t.interaction >= 0.0) || t.interaction == std::numeric_limits<double>::infinity())
        hass::detail::fail("accuracy table: interaction must be a finite number >= 0, got " + detail::num(t.interaction));
    for (std::size_t i = 0; i < t.layers.size(); ++i) {
        check(t.layers[i]);
        for (std::size_t j = 0; j < i; ++j)
            if (t.layers[j].layer == t.layers[i].layer)
                hass::detail::fail("accuracy table: " + detail::quoted(t.layers[i].layer) + " appears twice");
    }
}

/// total = S + kappa * sum_{l<m} d_l d_m = S + kappa (S^2 - sum d_l^2) / 2.
constexpr double combine_drops(std::span<const double> drops, double interaction) noexcept {
    double s = 0, sq = 0;
    for (double d : drops) {
        s += d;
        sq += d * d;
    }
    return s + interaction * 0.5 * (s * s - sq);
}

/// An oracle from a table: candidate[i] holds the thresholds of layer order[i].
/// Every name in `order` must be in the table (hass::error otherwise); table
/// layers not in `order` are not thresholded and add nothing.
inline accuracy_oracle tabulated_oracle(accuracy_table table, std::vector<std::string> order) {
    check(table);
    std::vector<std::size_t> rows;
    for (const auto& name : order) {
        const layer_accuracy* l = table.find(name);
        if (!l)
            hass::detail::fail("accuracy table" + (table.network.empty() ? std::string() : " of '" + table.network + "'") +
                               " has no " + detail::quoted(name));
        rows.push_back(static_cast<std::size_t>(l - table.layers.data()));
    }
    return [t = std::move(table), rows = std::move(rows), names = std::move(order)](std::span<const threshold_pair> c) {
        if (c.size() != rows.size())
            hass::detail::fail("tabulated accuracy oracle: got " + std::to_string(c.size()) + " threshold pairs for " +
                               std::to_string(rows.size()) + " layers");
        double s = 0, sq = 0;
        for (std::size_t i = 0; i < c.size(); ++i) {
            const double d = t.layers[rows[i]].at(c[i].tau_w, c[i].tau_a);
            s += d;
            sq += d * d;
        }
        return s + t.interaction * 0.5 * (s * s - sq);
    };
}

/// An oracle in the layer order of a predictor (or decomposed statistics).
inline accuracy_oracle tabulated_oracle(accuracy_table table, const decomposed_statistics& stats) {
    return tabulated_oracle(std::move(table), stats.names());
}

// ============================================================================
// Synthetic accuracy table
// ============================================================================

/// drop_l(tau_w, tau_a) = alpha_l * ( g(s_w) + activation_factor * g(e_a) ),  g(s) = s^2 / (1 - s),
/// s_w = the layer's weight sparsity at tau_w, e_a = the extra activation
/// sparsity beyond the natural ReLU zeros, (F(tau_a) - F(0)) / (1 - F(0));
/// alpha_l = base * (first_layer_factor for the first convolution)
///           * (1 + position_weight * (1 - pos_l))          (pos_l = rank / (n - 1): early layers hurt more)
///           * clamp((mean_share / share_l)^share_exponent, 1/4, 4)  (small layers hurt more),
/// share_l = the layer's share of the convolution weights.
struct synthetic_accuracy_options {
    double base = 0.05;
    double activation_factor = 1.5;
    double first_layer_factor = 3.0;
    double position_weight = 0.5;
    double share_exponent = 0.5;
    double interaction = 0.0;
};

/// alpha_l of every layer of a synthetic model (see synthetic_accuracy_options).
inline std::vector<double> synthetic_sensitivities(const network& net, const synthetic_model& m,
                                                   const synthetic_accuracy_options& o = {}) {
    std::vector<double> alpha;
    double total = 0;
    for (const auto& s : m.layers) total += static_cast<double>(net.layers.at(static_cast<std::size_t>(s.index)).weight_count());
    const double n = static_cast<double>(m.layers.size());
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
        const double share = static_cast<double>(net.layers[static_cast<std::size_t>(m.layers[i].index)].weight_count()) / total;
        const double pos = m.layers.size() > 1 ? static_cast<double>(i) / (n - 1) : 0.0;
        const double size = std::clamp(std::pow((1.0 / n) / share, o.share_exponent), 0.25, 4.0);
        alpha.push_back(o.base * (i == 0 ? o.first_layer_factor : 1.0) * (1 + o.position_weight * (1 - pos)) * size);
    }
    return alpha;
}

/// A SYNTHETIC accuracy table on the grids of `stats` (drawn from model `m`; labelled synthetic).
inline accuracy_table synthetic_accuracy_table(const network& net, const synthetic_model& m,
                                               const decomposed_statistics& stats,
                                               const synthetic_accuracy_options& o = {}) {
    const std::vector<double> alpha = synthetic_sensitivities(net, m, o);
    accuracy_table t;
    t.network = net.name.str();
    t.synthetic = true;
    t.interaction = o.interaction;
    t.provenance = "SYNTHETIC (not measured on data): hass::sparsity::synthetic_accuracy_table, "
                   "drop_l = alpha_l (g(s_w) + " + detail::num(o.activation_factor) +
                   " g(e_a)), g(s) = s^2/(1-s), base " + detail::num(o.base) + ", seed " +
                   std::to_string(m.options.seed);
    auto g = [](double s) { return s >= 1 ? 1e9 : s * s / (1 - s); };
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
        const synthetic_layer& s = m.layers[i];
        const decomposed_histograms* d = stats.find(s.name);
        if (!d) hass::detail::fail("synthetic_accuracy_table: the statistics have no " + detail::quoted(s.name));
        layer_accuracy l;
        l.layer = s.name;
        l.tau_w = d->tau_w_grid;
        l.tau_a = d->tau_a_grid;
        if (l.tau_w.empty())
            hass::detail::fail("synthetic_accuracy_table: " + detail::quoted(s.name) +
                               " has raw weight magnitudes; synthetic tables need a tau_w grid");
        const double natural = s.activation_zero_fraction(0.0);
        for (double tw : l.tau_w)
            for (double ta : l.tau_a) {
                const double sw = s.weight_zero_fraction(tw);
                const double ea = s.source == activation_source::relu && natural < 1
                                      ? std::max(0.0, (s.activation_zero_fraction(ta) - natural) / (1 - natural))
                                      : 0.0;
                l.drop.push_back(alpha[i] * (g(sw) + o.activation_factor * g(ea)));
            }
        t.layers.push_back(std::move(l));
    }
    check(t);
    return t;
}

/// Synthetic statistics and accuracy table of one network from one seed.
struct synthetic_problem {
    synthetic_model model;
    decomposed_statistics statistics;
    accuracy_table accuracy;
};

inline synthetic_problem make_synthetic_problem(const network& net, const synthetic_options& so = {},
                                                const synthetic_accuracy_options& ao = {}) {
    synthetic_problem p;
    p.model = make_synthetic_model(net, so);
    p.statistics = synthetic_statistics(net, p.model);
    p.accuracy = synthetic_accuracy_table(net, p.model, p.statistics, ao);
    return p;
}

} // namespace hass::sparsity
