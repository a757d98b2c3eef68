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
#include <memory>
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
        // appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "#" + std::to_string(i) at -O3
        if (i < names.size()) {
            s += names[i];
        } else {
            s += '#';
            s += std::to_string(i);
        }
        s += ": (tau_w ";
        s += detail::num(candidate[i].tau_w);
        s += ", tau_a ";
        s += detail::num(candidate[i].tau_a);
        s += ')';
    }
    if (candidate.size() > shown) s += ", ... (" + std::to_string(candidate.size()) + " layers)";
    return s + "}";
}

/// The drop `d` an oracle answered for `candidate`; throws hass::error naming
/// the candidate when it is NaN, infinite or below -tolerance.
inline double checked_drop_value(double d, std::span<const threshold_pair> candidate,
                                 std::span<const std::string> names = {}, double tolerance = 0.0) {
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

/// Calls the oracle; throws hass::error naming the candidate when the drop is
/// NaN, infinite or below -tolerance (a negative drop is an improvement the
/// search must not chase; allow measurement noise with `tolerance`).
inline double checked_drop(const accuracy_oracle& oracle, std::span<const threshold_pair> candidate,
                           std::span<const std::string> names = {}, double tolerance = 0.0) {
    if (!oracle) hass::detail::fail("accuracy oracle: empty function");
    return checked_drop_value(oracle(candidate), candidate, names, tolerance);
}

/// Accuracy drops of several candidates at once, in their order: one call for
/// a set the search scores before deciding (the greedy's neighbours, ...), so
/// that an oracle with a fixed cost per call (a process, the Python GIL, a GPU
/// batch) pays it once.
using batch_accuracy_oracle = std::function<std::vector<double>(std::span<const std::vector<threshold_pair>>)>;

/// Calls the batch oracle; throws hass::error when it answers a different
/// number of drops than candidates, or (as checked_drop) naming the candidate
/// and its place in the batch when a drop is NaN, infinite or negative.
inline std::vector<double> checked_drops(const batch_accuracy_oracle& oracle,
                                         std::span<const std::vector<threshold_pair>> candidates,
                                         std::span<const std::string> names = {}, double tolerance = 0.0) {
    if (!oracle) hass::detail::fail("batch accuracy oracle: empty function");
    std::vector<double> d = oracle(candidates);
    if (d.size() != candidates.size())
        hass::detail::fail("batch accuracy oracle returned " + std::to_string(d.size()) + " drops for " +
                           std::to_string(candidates.size()) + " candidates (one drop per candidate, in order)");
    for (std::size_t i = 0; i < d.size(); ++i) {
        try {
            checked_drop_value(d[i], candidates[i], names, tolerance);
        } catch (const hass::error& e) {
            hass::detail::fail(std::string(e.what()) + " (candidate " + std::to_string(i + 1) + " of a batch of " +
                               std::to_string(d.size()) + ")");
        }
    }
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

/// Measured drops (percentage points) of one threshold variable, or of a
/// layer's two thresholds together:
///  * a 2-D grid: `tau_w` and `tau_a` given, drop[i][j] with only this layer
///    thresholded at (tau_w[i], tau_a[j]) (its tau_a: that of its activation layer);
///  * a weight sensitivity table: `tau_a` empty, drop[i] with only this layer's
///    weights pruned at tau_w[i];
///  * an activation sensitivity table: `tau_w` empty, `layer` names an
///    activation layer (or a layer that owns its tau_a), drop[j] with only that
///    activation thresholded at tau_a[j].
/// Values between points are interpolated (bi)linearly; outside is an error.
struct layer_accuracy {
    std::string layer;
    std::vector<double> tau_w;  ///< strictly increasing (empty: an activation table)
    std::vector<double> tau_a;  ///< strictly increasing (empty: a weight table; one point: no activation threshold)
    std::vector<double> drop;   ///< tau_w.size() x tau_a.size(), row-major, >= 0 (1-D: one per point)
    /// tau_w holds weight sparsities (fractions pruned), not thresholds, until
    /// io::resolve_weight_sparsity turns them into thresholds with the layer's weights.
    bool by_weight_sparsity = false;

    enum class form { grid, weight, activation };
    form kind() const noexcept { return tau_a.empty() ? form::weight : tau_w.empty() ? form::activation : form::grid; }

    /// (Bi)linear interpolation; the missing axis of a 1-D table is ignored.
    /// Throws hass::error naming the layer outside the grid.
    double at(double tw, double ta) const {
        if (tau_a.empty()) return line(tau_w, tw, "tau_w", 1);
        if (tau_w.empty()) return line(tau_a, ta, "tau_a", 1);
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

private:
    double line(const std::vector<double>& g, double tau, std::string_view what, std::size_t) const {
        const auto p = detail::locate_in_grid(g, tau, layer, what);
        const double v0 = drop[p.lo];
        return g.size() > 1 ? v0 + p.t * (drop[p.lo + 1] - v0) : v0;
    }
};

/// One setting of a joint point: a layer's tau_w and/or an activation's tau_a.
struct joint_setting {
    std::string layer;
    std::optional<double> tau_w, tau_a;
};

/// A measured joint point: several thresholds at once (variables not named are
/// at the lowest point of their table) and the drop measured with all of them.
struct joint_point {
    std::vector<joint_setting> layers;
    double drop = 0;
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
    /// Measured joint points: the oracle reproduces each exactly (see accuracy_model).
    std::vector<joint_point> joint;
    /// With joint points: fit kappa to them (least squares, >= 0) instead of using `interaction`.
    bool fit_interaction = true;
    /// Radius of a joint point's influence, in root-mean-square normalised threshold distance.
    double joint_radius = 0.25;
    /// Measurement noise (points): the reader clamps negative drops down to -noise to 0 (with a note).
    double noise = 0.1;
    /// What the reader changed or ignored (negative drops clamped, ...), for the user to see.
    std::vector<std::string> notes;

    /// The entry of `name` of kind `k` (a layer may have a weight table and, when it owns
    /// its tau_a, an activation table).
    const layer_accuracy* find(std::string_view name) const noexcept {
        for (const auto& l : layers)
            if (l.layer == name) return &l;
        return nullptr;
    }
    const layer_accuracy* find(std::string_view name, layer_accuracy::form k) const noexcept {
        for (const auto& l : layers)
            if (l.layer == name && l.kind() == k) return &l;
        return nullptr;
    }
};

inline std::string_view to_string(layer_accuracy::form k) noexcept {
    return k == layer_accuracy::form::grid ? "2-D grid" : k == layer_accuracy::form::weight ? "weight table" : "activation table";
}

/// Checks grids (strictly increasing, finite, tau_w >= 0), sizes and drops (finite, >= 0).
inline void check(const layer_accuracy& l) {
    const std::string where = detail::quoted(l.layer);
    if (l.layer.empty()) hass::detail::fail("accuracy table: a layer has no name");
    if (l.by_weight_sparsity)
        hass::detail::fail(where + ": the weight table is given by weight_sparsity; it needs the layer's weights to "
                                   "become thresholds (io::resolve_weight_sparsity)");
    if (l.tau_w.empty() && l.tau_a.empty()) hass::detail::fail(where + ": the accuracy grid is empty");
    detail::check_grid(l.tau_w, where, "tau_w", true);
    detail::check_grid(l.tau_a, where, "tau_a", false);
    const std::size_t nw = l.tau_w.empty() ? 1 : l.tau_w.size(), na = l.tau_a.empty() ? 1 : l.tau_a.size();
    if (l.drop.size() != nw * na)
        hass::detail::fail(where + ": the drop table holds " + std::to_string(l.drop.size()) +
                           " values, expected tau_w points x tau_a points = " + std::to_string(nw) + " x " +
                           std::to_string(na));
    for (std::size_t i = 0; i < l.drop.size(); ++i)
        if (!(l.drop[i] >= 0.0) || l.drop[i] == std::numeric_limits<double>::infinity())
            hass::detail::fail(where + ": drop at (tau_w " + (l.tau_w.empty() ? std::string("-") : detail::num(l.tau_w[i / na])) +
                               ", tau_a " + (l.tau_a.empty() ? std::string("-") : detail::num(l.tau_a[i % na])) + ") is " +
                               detail::num(l.drop[i]) + "; drops must be finite and >= 0");
}

inline void check(const accuracy_table& t) {
    if (!(t.interaction >= 0.0) || t.interaction == std::numeric_limits<double>::infinity())
        hass::detail::fail("accuracy table: interaction must be a finite number >= 0, got " + detail::num(t.interaction));
    if (!(t.joint_radius > 0.0) || !std::isfinite(t.joint_radius))
        hass::detail::fail("accuracy table: joint_radius must be a finite number > 0, got " + detail::num(t.joint_radius));
    if (!(t.noise >= 0.0) || !std::isfinite(t.noise))
        hass::detail::fail("accuracy table: noise must be a finite number >= 0, got " + detail::num(t.noise));
    for (std::size_t i = 0; i < t.layers.size(); ++i) {
        check(t.layers[i]);
        for (std::size_t j = 0; j < i; ++j)
            if (t.layers[j].layer == t.layers[i].layer && t.layers[j].kind() == t.layers[i].kind())
                hass::detail::fail("accuracy table: " + detail::quoted(t.layers[i].layer) + " has two " +
                                   std::string(to_string(t.layers[i].kind())) + "s");
    }
    for (std::size_t j = 0; j < t.joint.size(); ++j)
        if (!(t.joint[j].drop >= 0.0) || !std::isfinite(t.joint[j].drop))
            hass::detail::fail("accuracy table: joint[" + std::to_string(j) + "]: the drop is " +
                               detail::num(t.joint[j].drop) + "; drops must be finite and >= 0");
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

/// A tabulated accuracy oracle, compiled against the candidate's layout.
///
/// Variables: tau_w of every layer of the layout, and tau_a of every activation
/// owner (layers reading the same activation layer share one). Every table
/// entry is a term d_t: a weight table (one layer's tau_w), an activation table
/// (one owner's tau_a) or a 2-D grid (a layer's tau_w and its owner's tau_a).
/// A variable belongs to at most one term. For a candidate x,
///
///     S(x) = sum_t d_t(x),   P(x) = sum_{t<u} d_t(x) d_u(x) = (S^2 - sum_t d_t^2) / 2,
///     drop(x) = max(0, S(x) + kappa(x) P(x)).
///
/// Without joint points kappa(x) = kappa_0 = `interaction`. With joint points
/// x_j (measured drops D_j): kappa_j = (D_j - S(x_j)) / P(x_j) reproduces point
/// j; kappa_0 is the least-squares fit sum_j P_j (D_j - S_j) / sum_j P_j^2,
/// clamped to >= 0 (unless the table gives `interaction`); and kappa(x) blends
/// them with the modified Shepard weights of Franke and Nielson (1980):
///
///     w_j(x) = ((R - r_j(x))_+ / (R r_j(x)))^2,   w_0 = 1 / R^2,
///     kappa(x) = (w_0 kappa_0 + sum_j w_j kappa_j) / (w_0 + sum_j w_j),
///
/// r_j(x) the root-mean-square distance between x and x_j over the variables
/// whose table has more than one point, each threshold normalised to [0, 1]
/// over its table's axis, and R = joint_radius. At x_j, r_j = 0 and the oracle
/// returns D_j exactly; beyond R from every joint point kappa = kappa_0; where
/// only one term is non-zero (P = 0, single-layer measurements) the drop is
/// that term, so the sensitivity tables are reproduced exactly too.
class accuracy_model {
public:
    /// `grids_w` / `grids_a` (optional, one per layer): the thresholds the search
    /// will ask for; each variable with more than one must be covered by a term
    /// whose axis spans them. Without grids, every layer needs a weight or grid term.
    accuracy_model(accuracy_table table, threshold_layout layout,
                   std::vector<std::vector<double>> grids_w = {}, std::vector<std::vector<double>> grids_a = {})
        : table_(std::move(table)), layout_(std::move(layout)) {
        check(table_);
        const std::size_t n = layout_.layers.size();
        if (layout_.owners.size() != n) layout_.owners = layout_.layers;
        const std::string of = "accuracy table" + (table_.network.empty() ? std::string() : " of '" + table_.network + "'");
        // activation groups: the first layer of each owner
        group_of_.assign(n, 0);
        for (std::size_t i = 0; i < n; ++i) {
            std::size_t g = 0;
            while (g < group_first_.size() && layout_.owners[group_first_[g]] != layout_.owners[i]) ++g;
            if (g == group_first_.size()) group_first_.push_back(i);
            group_of_[i] = g;
        }
        std::vector<int> w_term(n, -1), a_term(group_first_.size(), -1);
        auto layer_index = [&](const std::string& name) -> int {
            for (std::size_t i = 0; i < n; ++i)
                if (layout_.layers[i] == name) return static_cast<int>(i);
            return -1;
        };
        auto group_index = [&](const std::string& name) -> int {
            for (std::size_t g = 0; g < group_first_.size(); ++g)
                if (layout_.owners[group_first_[g]] == name) return static_cast<int>(g);
            return -1;
        };
        std::vector<std::string> ignored;
        for (std::size_t e = 0; e < table_.layers.size(); ++e) {
            const layer_accuracy& l = table_.layers[e];
            const auto kind = l.kind();
            term t;
            t.entry = e;
            if (kind == layer_accuracy::form::activation) {
                const int g = group_index(l.layer);
                if (g < 0) {
                    const int i = layer_index(l.layer);
                    if (i >= 0)
                        hass::detail::fail(of + ": " + detail::quoted(l.layer) + " reads activation layer '" +
                                           layout_.owners[static_cast<std::size_t>(i)] +
                                           "', which owns its tau_a: give the activation table under that name");
                    ignored.push_back(l.layer);
                    continue;
                }
                t.a_group = g;
                t.a_layer = static_cast<int>(group_first_[static_cast<std::size_t>(g)]);
            } else {
                const int i = layer_index(l.layer);
                if (i < 0) {
                    ignored.push_back(l.layer);
                    continue;
                }
                t.w_layer = i;
                if (kind == layer_accuracy::form::grid && l.tau_a.size() > 1) {
                    t.a_group = static_cast<int>(group_of_[static_cast<std::size_t>(i)]);
                    t.a_layer = i;
                }
            }
            if (t.w_layer >= 0) {
                int& owner = w_term[static_cast<std::size_t>(t.w_layer)];
                if (owner >= 0)
                    hass::detail::fail(of + ": " + detail::quoted(l.layer) + " has both a " +
                                       std::string(to_string(table_.layers[static_cast<std::size_t>(terms_[static_cast<std::size_t>(owner)].entry)].kind())) +
                                       " and a " + std::string(to_string(kind)) + " for its tau_w; give one");
                owner = static_cast<int>(terms_.size());
            }
            if (t.a_group >= 0) {
                int& owner = a_term[static_cast<std::size_t>(t.a_group)];
                if (owner >= 0) {
                    const auto& other = table_.layers[terms_[static_cast<std::size_t>(owner)].entry];
                    hass::detail::fail(of + ": the tau_a of activation '" +
                                       layout_.owners[group_first_[static_cast<std::size_t>(t.a_group)]] +
                                       "' has drops in two entries, " + detail::quoted(other.layer) + " (" +
                                       std::string(to_string(other.kind())) + ") and " + detail::quoted(l.layer) +
                                       " (" + std::string(to_string(kind)) +
                                       "); layers that share an activation layer need 1-D tables: tau_w per layer, "
                                       "tau_a per activation layer");
                }
                owner = static_cast<int>(terms_.size());
            }
            terms_.push_back(t);
        }
        if (!ignored.empty()) {
            std::string list;
            for (std::size_t k = 0; k < ignored.size() && k < 6; ++k) list += (k ? ", '" : "'") + ignored[k] + "'";
            if (ignored.size() > 6) list += ", ...";
            notes_.push_back(std::to_string(ignored.size()) + " table entr" + (ignored.size() == 1 ? "y names" : "ies name") +
                             " layers the statistics do not threshold (" + list + "): ignored");
        }
        // terms in candidate order: with 2-D grids only, the sum is the one of the first-order rule, term by term
        std::stable_sort(terms_.begin(), terms_.end(), [](const term& x, const term& y) {
            return std::max(x.w_layer, x.a_layer) < std::max(y.w_layer, y.a_layer);
        });
        // coverage
        const bool have_grids = grids_w.size() == n;
        for (std::size_t i = 0; i < n; ++i) {
            const term* tw = find_w(static_cast<int>(i));
            if (!have_grids) {
                if (!tw)
                    hass::detail::fail(of + " has no " + detail::quoted(layout_.layers[i]) + " (a weight table or a 2-D grid)");
                continue;
            }
            const auto& gw = grids_w[i];
            if (gw.size() > 1) {
                if (!tw)
                    hass::detail::fail(of + " has no drops for " + detail::quoted(layout_.layers[i]) +
                                       " (its tau_w grid has " + std::to_string(gw.size()) +
                                       " points): give a weight table or a 2-D grid");
                covers(table_.layers[tw->entry].tau_w, gw, layout_.layers[i], "tau_w", of);
            }
            if (group_first_[group_of_[i]] == i && grids_a.size() == n && grids_a[i].size() > 1) {
                const term* ta = find_a(static_cast<int>(group_of_[i]));
                const std::string& owner = layout_.owners[i];
                if (!ta)
                    hass::detail::fail(of + " has no drops for the activation threshold of " +
                                       (owner == layout_.layers[i] ? detail::quoted(owner) : "activation layer '" + owner + "'") +
                                       " (its tau_a grid has " + std::to_string(grids_a[i].size()) +
                                       " points): give an activation table" +
                                       (owner == layout_.layers[i] ? std::string(" or a 2-D grid") : std::string()));
                covers(table_.layers[ta->entry].tau_a, grids_a[i], owner, "tau_a", of);
            }
        }
        kappa0_ = table_.interaction;
        compile_joint(of);
    }

    std::size_t size() const noexcept { return layout_.layers.size(); }
    double kappa0() const noexcept { return kappa0_; }
    /// kappa_j of every joint point (reproduces it exactly).
    const std::vector<double>& joint_kappa() const noexcept { return joint_kappa_; }
    const std::vector<std::string>& notes() const noexcept { return notes_; }
    const accuracy_table& table() const noexcept { return table_; }

    double operator()(std::span<const threshold_pair> c) const {
        if (c.size() != layout_.layers.size())
            hass::detail::fail("tabulated accuracy oracle: got " + std::to_string(c.size()) + " threshold pairs for " +
                               std::to_string(layout_.layers.size()) + " layers");
        double s = 0, sq = 0;
        for (const term& t : terms_) {
            const double d = value(t, c);
            s += d;
            sq += d * d;
        }
        if (joint_.empty()) return s + kappa0_ * 0.5 * (s * s - sq);
        double kappa = 0;
        if (const auto exact = blend(c, kappa)) return *exact;
        return std::max(0.0, s + kappa * 0.5 * (s * s - sq));
    }

private:
    struct term {
        std::size_t entry = 0;
        int w_layer = -1; ///< candidate index whose tau_w the term reads
        int a_group = -1; ///< activation group it covers
        int a_layer = -1; ///< candidate index whose tau_a it reads
    };
    struct compiled_joint {
        std::vector<double> u; ///< normalised coordinates (one per coordinate_)
        double drop = 0;
        double kappa = 0;
    };
    struct coordinate {
        bool weight = true;
        int layer = -1; ///< candidate index read
        double lo = 0, hi = 1;
    };

    accuracy_table table_;
    threshold_layout layout_;
    std::vector<std::size_t> group_of_, group_first_;
    std::vector<term> terms_;
    std::vector<coordinate> coords_;
    std::vector<compiled_joint> joint_;
    std::vector<double> joint_kappa_;
    std::vector<std::string> notes_;
    double kappa0_ = 0;

    const term* find_w(int i) const {
        for (const auto& t : terms_)
            if (t.w_layer == i) return &t;
        return nullptr;
    }
    const term* find_a(int g) const {
        for (const auto& t : terms_)
            if (t.a_group == g) return &t;
        return nullptr;
    }
    static void covers(const std::vector<double>& axis, const std::vector<double>& grid, const std::string& name,
                       std::string_view what, const std::string& of) {
        const double lo = grid.front(), hi = grid.back();
        const double tol = 1e-9 * std::max(1.0, std::abs(lo) + std::abs(hi));
        if (lo < axis.front() - tol || hi > axis.back() + tol)
            hass::detail::fail(of + ": " + detail::quoted(name) + ": the statistics' " + std::string(what) + " grid [" +
                               detail::num(lo) + ", " + detail::num(hi) + "] reaches outside the table's " +
                               std::string(what) + " [" + detail::num(axis.front()) + ", " + detail::num(axis.back()) +
                               "]; measure drops over the whole grid");
    }
    double value(const term& t, std::span<const threshold_pair> c) const {
        const layer_accuracy& l = table_.layers[t.entry];
        const double tw = t.w_layer >= 0 ? c[static_cast<std::size_t>(t.w_layer)].tau_w : (l.tau_w.empty() ? 0.0 : l.tau_w.front());
        const double ta = t.a_layer >= 0 ? c[static_cast<std::size_t>(t.a_layer)].tau_a : (l.tau_a.empty() ? 0.0 : l.tau_a.front());
        return l.at(tw, ta);
    }
    /// kappa(x) by the modified Shepard blend; the measured drop when x is a joint point.
    std::optional<double> blend(std::span<const threshold_pair> c, double& kappa) const {
        const double R = table_.joint_radius;
        const double w0 = 1.0 / (R * R);
        double num = w0 * kappa0_, den = w0;
        for (const auto& j : joint_) {
            double r2 = 0;
            for (std::size_t k = 0; k < coords_.size(); ++k) {
                const auto& co = coords_[k];
                const auto& p = c[static_cast<std::size_t>(co.layer)];
                const double u = ((co.weight ? p.tau_w : p.tau_a) - co.lo) / (co.hi - co.lo);
                r2 += (u - j.u[k]) * (u - j.u[k]);
            }
            const double r = coords_.empty() ? 0.0 : std::sqrt(r2 / static_cast<double>(coords_.size()));
            if (r == 0.0) return j.drop;
            if (r >= R) continue;
            const double w = ((R - r) / (R * r)) * ((R - r) / (R * r));
            num += w * j.kappa;
            den += w;
        }
        kappa = num / den;
        return std::nullopt;
    }
    void compile_joint(const std::string& of) {
        if (table_.joint.empty()) return;
        const std::size_t n = layout_.layers.size();
        // coordinates: every variable whose term axis has more than one point
        for (const auto& t : terms_) {
            const layer_accuracy& l = table_.layers[t.entry];
            if (t.w_layer >= 0 && l.tau_w.size() > 1) coords_.push_back({true, t.w_layer, l.tau_w.front(), l.tau_w.back()});
            if (t.a_layer >= 0 && l.tau_a.size() > 1) coords_.push_back({false, t.a_layer, l.tau_a.front(), l.tau_a.back()});
        }
        double pp = 0, pr = 0;
        std::vector<double> s_of, p_of;
        for (std::size_t j = 0; j < table_.joint.size(); ++j) {
            const joint_point& jp = table_.joint[j];
            const std::string at = of + ": joint[" + std::to_string(j) + "]";
            // the candidate of the point: the lowest table point unless named
            std::vector<threshold_pair> c(n);
            for (const auto& t : terms_) {
                const layer_accuracy& l = table_.layers[t.entry];
                if (t.w_layer >= 0) c[static_cast<std::size_t>(t.w_layer)].tau_w = l.tau_w.front();
                if (t.a_group >= 0)
                    for (std::size_t i = 0; i < n; ++i)
                        if (group_of_[i] == static_cast<std::size_t>(t.a_group)) c[i].tau_a = l.tau_a.front();
            }
            std::vector<bool> set_w(n, false), set_a(group_first_.size(), false);
            for (const auto& st : jp.layers) {
                int li = -1, g = -1;
                for (std::size_t i = 0; i < n; ++i)
                    if (layout_.layers[i] == st.layer) li = static_cast<int>(i);
                for (std::size_t k = 0; k < group_first_.size(); ++k)
                    if (layout_.owners[group_first_[k]] == st.layer) g = static_cast<int>(k);
                if (li < 0 && g < 0)
                    hass::detail::fail(at + ": " + detail::quoted(st.layer) +
                                       " is not a layer or an activation layer the statistics threshold");
                if (!st.tau_w && !st.tau_a) hass::detail::fail(at + ": " + detail::quoted(st.layer) + ": give tau_w or tau_a");
                if (st.tau_w) {
                    if (li < 0) hass::detail::fail(at + ": " + detail::quoted(st.layer) + " is an activation layer: it has no tau_w");
                    if (!find_w(li))
                        hass::detail::fail(at + ": " + detail::quoted(st.layer) + ": the table has no drops for its tau_w");
                    if (set_w[static_cast<std::size_t>(li)]) hass::detail::fail(at + ": " + detail::quoted(st.layer) + " appears twice");
                    set_w[static_cast<std::size_t>(li)] = true;
                    c[static_cast<std::size_t>(li)].tau_w = *st.tau_w;
                }
                if (st.tau_a) {
                    if (g < 0) g = static_cast<int>(group_of_[static_cast<std::size_t>(li)]);
                    if (!find_a(g))
                        hass::detail::fail(at + ": " + detail::quoted(st.layer) + ": the table has no drops for its tau_a");
                    if (set_a[static_cast<std::size_t>(g)])
                        hass::detail::fail(at + ": the tau_a of '" + layout_.owners[group_first_[static_cast<std::size_t>(g)]] +
                                           "' is given twice");
                    set_a[static_cast<std::size_t>(g)] = true;
                    for (std::size_t i = 0; i < n; ++i)
                        if (group_of_[i] == static_cast<std::size_t>(g)) c[i].tau_a = *st.tau_a;
                }
            }
            double s = 0, sq = 0;
            try {
                for (const term& t : terms_) {
                    const double d = value(t, c);
                    s += d;
                    sq += d * d;
                }
            } catch (const hass::error& e) {
                hass::detail::fail(at + ": " + e.what());
            }
            const double p = 0.5 * (s * s - sq);
            compiled_joint cj;
            cj.drop = jp.drop;
            for (const auto& co : coords_) {
                const auto& pr2 = c[static_cast<std::size_t>(co.layer)];
                cj.u.push_back(((co.weight ? pr2.tau_w : pr2.tau_a) - co.lo) / (co.hi - co.lo));
            }
            for (const auto& other : joint_)
                if (other.u == cj.u)
                    hass::detail::fail(at + ": the same thresholds as an earlier joint point (give each assignment once)");
            if (!(p > 1e-12)) {
                if (std::abs(jp.drop - s) > 1e-9)
                    hass::detail::fail(at + ": at most one of its thresholds has a non-zero drop in the tables, so no "
                                            "interaction can reproduce it: measured " + detail::num(jp.drop) +
                                       ", the tables give " + detail::num(s) +
                                       " (a point with one layer thresholded belongs in that layer's table)");
                cj.kappa = std::numeric_limits<double>::quiet_NaN(); // any kappa reproduces it
            } else {
                cj.kappa = (jp.drop - s) / p;
                pp += p * p;
                pr += p * (jp.drop - s);
            }
            joint_.push_back(std::move(cj));
        }
        if (table_.fit_interaction && pp > 0) kappa0_ = std::max(0.0, pr / pp);
        for (auto& j : joint_)
            if (j.kappa != j.kappa) j.kappa = kappa0_;
        for (const auto& j : joint_) joint_kappa_.push_back(j.kappa);
    }
};

/// An oracle from a table: candidate[i] holds the thresholds of layout.layers[i],
/// whose tau_a belongs to layout.owners[i] (see accuracy_model). Without search
/// grids, every layer needs a weight table or a 2-D grid. Table entries naming
/// no layer of the layout are not thresholded and add nothing.
inline accuracy_oracle tabulated_oracle(accuracy_table table, threshold_layout layout,
                                        std::vector<std::vector<double>> grids_w = {},
                                        std::vector<std::vector<double>> grids_a = {}) {
    auto m = std::make_shared<const accuracy_model>(std::move(table), std::move(layout), std::move(grids_w),
                                                    std::move(grids_a));
    return [m](std::span<const threshold_pair> c) { return (*m)(c); };
}

/// An oracle whose layers are `order` (each owning its tau_a).
inline accuracy_oracle tabulated_oracle(accuracy_table table, std::vector<std::string> order) {
    threshold_layout l;
    l.owners = order;
    l.layers = std::move(order);
    return tabulated_oracle(std::move(table), std::move(l));
}

/// An oracle in the layer order of decomposed statistics (their activation layers shared).
inline accuracy_oracle tabulated_oracle(accuracy_table table, const decomposed_statistics& stats) {
    return tabulated_oracle(std::move(table), stats.layout());
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
