// The folding options of each layer: every valid folding (MODEL.md "Notation"),
// evaluated once with evaluate_layer and pruned to the Pareto set of
// (latency, DSP, LUT, FF, BRAM18, URAM).
//
//  - convolution: coarse_in | C/G, coarse_out | F/G, coarse_group | G; fine | K
//    when dense, fine in 1..K when the layer is worth modelling sparse;
//  - inner product: coarse_in | N (the flattened input), coarse_out | F;
//  - every other layer: one coarse factor dividing its channels (and its output
//    channels for concat, split and eltwise);
//  - layers with weights get a BRAM and, when the board has URAM, a URAM
//    variant of each folding (latency is the same, only the weight memory moves);
//    when off-chip weights are allowed, also variants that stream a quarter, a
//    half, three quarters or all of the weight memory's block-rows from
//    off-chip memory while the layer runs (fpgaConvNet's stream_weights): fewer
//    blocks on chip plus a one-row stream buffer, and the off-chip bits the
//    cost model charges per image (`offchip_bits`, a seventh objective of the
//    Pareto sets).
//
// Two Pareto sets are kept per layer. `options` is the set that is exact for
// whole designs: an option is dropped only when another option with the same
// stream counts (streams_in, streams_out) is at least as good in latency and
// in every resource, so it needs the same squeezes between layers and can
// replace it in any design. `front` (indices into `options`) is the ordinary
// Pareto set that ignores stream counts; it is smaller and is what the fast
// heuristics scan.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

#include "hass/boards/board.hpp"
#include "hass/cost/policy.hpp"
#include "hass/layers/hardware.hpp"
#include "hass/layers/performance.hpp"
#include "hass/layers/validity.hpp"
#include "hass/network/network.hpp"

namespace hass {

/// One evaluated folding of a layer.
struct folding_option {
    folding fold{};
    count_t latency = 0;     ///< cycles per image
    resources used{};        ///< all modules and weights of the layer
    count_t streams_in = 1;  ///< streams_in(layer, fold)
    count_t streams_out = 1; ///< streams_out(layer, fold)
    count_t offchip_bits = 0; ///< weight bits read from off-chip memory per image (streamed weights only)
    double depth = 0;         ///< the layer's share of the pipeline depth (the cost model's d, or d / r)
    count_t pipeline_depth = 0; ///< the cost model's d: cycles from first input to first output
    /// fpgaConvNet's pipeline depth also adds II * S0 / (size_in * size_out)
    /// for every node of the longest path (S0: the first node's words per
    /// stream): this is 1 / (size_in * size_out) of the layer (and its port
    /// squeeze), 0 under hass's model.
    double depth_ii = 0;
};

/// The options of one layer.
struct layer_options {
    std::vector<folding_option> options; ///< stream-exact Pareto set, by latency ascending
    /// Indices of the options no other option beats by more than front_epsilon
    /// in every resource at no more latency (an epsilon-Pareto set, ignoring
    /// stream counts), by latency ascending: what the fast heuristics scan.
    std::vector<int> front;
    count_t enumerated = 0;              ///< foldings evaluated (storage variants included)
    bool thinned = false;                ///< the enumeration was capped (see enumeration_limit)
};

/// The factors a folding search may choose for one layer.
struct folding_space {
    std::vector<count_t> coarse_in, coarse_out, coarse_group, fine;
    bool single_coarse = false; ///< coarse_out follows coarse_in (layers with one coarse factor)
    bool uram = false;          ///< weights may move to URAM
    bool offchip = false;       ///< weights may stay in off-chip memory

    std::size_t size() const noexcept {
        const std::size_t co = single_coarse ? 1 : coarse_out.size();
        return coarse_in.size() * co * coarse_group.size() * fine.size() * (1 + (uram ? 1 : 0) + (offchip ? 1 : 0));
    }
};

/// Positive divisors of n, ascending.
inline std::vector<count_t> divisors_of(count_t n) {
    std::vector<count_t> low, high;
    for (count_t d = 1; d * d <= n; ++d) {
        if (n % d != 0) continue;
        low.push_back(d);
        if (d != n / d) high.push_back(n / d);
    }
    low.insert(low.end(), high.rbegin(), high.rend());
    return low;
}

/// The valid values of every factor of a layer's folding; `uram` allows URAM
/// weights, `offchip` off-chip weights (both only for layers with weights).
inline folding_space folding_space_of(const layer& l, bool uram, bool offchip = false) {
    folding_space s;
    switch (l.type) {
    case layer_type::convolution: {
        const count_t G = l.groups, K = l.kernel_size();
        s.coarse_in = divisors_of(l.in.channels / G);
        s.coarse_out = divisors_of(l.out.channels / G);
        s.coarse_group = divisors_of(G);
        if (l.sparsity.worth_sparse())
            for (count_t f = 1; f <= K; ++f) s.fine.push_back(f);
        else
            s.fine = divisors_of(K);
        s.uram = uram;
        s.offchip = offchip;
        break;
    }
    case layer_type::inner_product:
        s.coarse_in = divisors_of(l.channels_in());
        s.coarse_out = divisors_of(l.filters());
        s.coarse_group = {1};
        s.fine = {1};
        s.uram = uram;
        s.offchip = offchip;
        break;
    default: {
        const bool both = l.type == layer_type::concat || l.type == layer_type::split ||
                          l.type == layer_type::eltwise;
        for (count_t d : divisors_of(l.in.channels))
            if (!both || l.out.channels % d == 0) s.coarse_in.push_back(d);
        s.coarse_out = s.coarse_in;
        s.coarse_group = {1};
        s.fine = {1};
        s.single_coarse = true;
        break;
    }
    }
    return s;
}

/// Folding spaces above this many foldings are thinned: every other inner value
/// of the longest factor list is dropped (1 and the largest value stay) until the
/// space fits. No zoo layer comes near it.
inline constexpr std::size_t enumeration_limit = 20000;

namespace detail {

inline void thin(folding_space& s) {
    while (s.size() > enumeration_limit) {
        std::vector<count_t>* longest = &s.coarse_in;
        for (auto* v : {&s.coarse_out, &s.coarse_group, &s.fine})
            if (!(s.single_coarse && v == &s.coarse_out) && v->size() > longest->size()) longest = v;
        if (longest->size() <= 2) return;
        std::vector<count_t> kept;
        for (std::size_t i = 0; i < longest->size(); ++i)
            if (i % 2 == 0 || i + 1 == longest->size()) kept.push_back((*longest)[i]);
        *longest = kept;
        if (s.single_coarse) s.coarse_out = s.coarse_in;
    }
}

/// a is at least as good as b in latency and every resource.
inline bool dominates(const folding_option& a, const folding_option& b) noexcept {
    return a.latency <= b.latency && a.used.dsp <= b.used.dsp && a.used.lut <= b.used.lut &&
           a.used.ff <= b.used.ff && a.used.bram18 <= b.used.bram18 && a.used.uram <= b.used.uram &&
           a.offchip_bits <= b.offchip_bits;
}

inline bool option_less(const folding_option& a, const folding_option& b) noexcept {
    if (a.latency != b.latency) return a.latency < b.latency;
    if (a.used.dsp != b.used.dsp) return a.used.dsp < b.used.dsp;
    if (a.used.bram18 != b.used.bram18) return a.used.bram18 < b.used.bram18;
    if (a.used.uram != b.used.uram) return a.used.uram < b.used.uram;
    if (a.used.lut != b.used.lut) return a.used.lut < b.used.lut;
    if (a.used.ff != b.used.ff) return a.used.ff < b.used.ff;
    return a.offchip_bits < b.offchip_bits;
}

/// Indices (into `all`, sorted by option_less) of the options no earlier kept one dominates.
inline std::vector<int> pareto_indices(const std::vector<folding_option>& all, const std::vector<int>& order) {
    // the quantities of the kept options, packed for a tight scan; the most
    // recently kept (closest in latency) are the likeliest to dominate
    struct key {
        count_t v[8];
    };
    std::vector<key> kept_keys;
    std::vector<int> kept;
    kept.reserve(order.size());
    kept_keys.reserve(order.size());
    for (int i : order) {
        const folding_option& o = all[static_cast<std::size_t>(i)];
        const key c{{o.latency, o.used.dsp, o.used.lut, o.used.ff, o.used.bram18, o.used.uram, o.offchip_bits, 0}};
        bool dominated = false;
        for (std::size_t k = kept_keys.size(); k-- > 0;) {
            const key& d = kept_keys[k];
            if (d.v[0] <= c.v[0] && d.v[1] <= c.v[1] && d.v[2] <= c.v[2] && d.v[3] <= c.v[3] && d.v[4] <= c.v[4] &&
                d.v[5] <= c.v[5] && d.v[6] <= c.v[6]) {
                dominated = true;
                break;
            }
        }
        if (!dominated) {
            kept.push_back(i);
            kept_keys.push_back(c);
        }
    }
    return kept;
}

/// The epsilon-Pareto set: an option is left out when a kept one is at least as
/// fast and within (1 + eps) of it in every resource and in off-chip bits.
/// Every option is then within (1 + eps) of a kept one, so a weighted cost
/// minimised over the set is at most (1 + eps) times the true minimum.
inline std::vector<int> epsilon_front(const std::vector<folding_option>& all, const std::vector<int>& order,
                                      double eps) {
    // kept options as (latency, dsp, lut, ff, bram18, uram, off-chip bits), in
    // doubles once, scanned newest first
    using key = std::array<double, 7>;
    auto key_of = [](const folding_option& o) {
        return key{static_cast<double>(o.latency),   static_cast<double>(o.used.dsp),
                   static_cast<double>(o.used.lut),  static_cast<double>(o.used.ff),
                   static_cast<double>(o.used.bram18), static_cast<double>(o.used.uram),
                   static_cast<double>(o.offchip_bits)};
    };
    // the kept keys sorted by DSP: only those with DSP within the limit can
    // cover an option, and they are scanned from the closest DSP down (whether
    // some kept key covers it does not depend on the order)
    std::vector<int> kept;
    std::vector<key> kept_keys;
    for (int i : order) {
        const key c = key_of(all[static_cast<std::size_t>(i)]);
        key limit = c;
        for (std::size_t r = 1; r < limit.size(); ++r) limit[r] *= 1 + eps;
        const auto end = std::upper_bound(kept_keys.begin(), kept_keys.end(), limit[1],
                                          [](double v, const key& d) { return v < d[1]; });
        bool covered = false;
        for (auto it = end; it != kept_keys.begin();) {
            const key& d = *--it;
            if (d[0] <= limit[0] && d[2] <= limit[2] && d[3] <= limit[3] && d[4] <= limit[4] && d[5] <= limit[5] &&
                d[6] <= limit[6]) {
                covered = true;
                break;
            }
        }
        if (!covered) {
            kept.push_back(i);
            kept_keys.insert(std::upper_bound(kept_keys.begin(), kept_keys.end(), c[1],
                                              [](double v, const key& d) { return v < d[1]; }),
                             c);
        }
    }
    return kept;
}

} // namespace detail

/// The tolerance of the heuristics' option sets (layer_options::front).
inline constexpr double front_epsilon = 0.03;

/// Every folding of the space (storage variants last within each folding).
inline std::vector<folding> enumerate_foldings(const folding_space& s) {
    std::vector<folding> out;
    out.reserve(s.size());
    for (count_t cg : s.coarse_group)
        for (count_t ci : s.coarse_in)
            for (std::size_t k = 0; k < (s.single_coarse ? 1 : s.coarse_out.size()); ++k)
                for (count_t f : s.fine) {
                    const count_t co = s.single_coarse ? ci : s.coarse_out[k];
                    out.push_back({ci, co, cg, f, weight_storage::bram});
                    if (s.uram) out.push_back({ci, co, cg, f, weight_storage::uram});
                    if (s.offchip) out.push_back({ci, co, cg, f, weight_storage::off_chip});
                }
    return out;
}

/// The dense builds of a layer with statistics (docs/deviations.md item 13).
inline void add_dense_builds(const layer& l, std::vector<folding>& foldings) {
    if (!l.is_sparse()) return;
    const std::size_t n = foldings.size();
    for (std::size_t i = 0; i < n; ++i)
        if (divides(foldings[i].fine, l.kernel_size())) {
            folding f = foldings[i];
            f.dense = true;
            foldings.push_back(f);
        }
}

/// All valid foldings of a layer on a board (URAM variants when the board has
/// URAM, off-chip variants when `offchip` allows them).
inline std::vector<folding> enumerate_foldings(const layer& l, const board& b, bool offchip = false) {
    folding_space s = folding_space_of(l, l.has_weights() && b.budget.uram > 0, l.has_weights() && offchip);
    detail::thin(s);
    auto out = enumerate_foldings(s);
    add_dense_builds(l, out);
    return out;
}

/// The fractions of a weight memory's block-rows the searches may stream from
/// off-chip memory (all_blocks: every row).
inline constexpr std::array<double, 6> stream_fractions{0.25, 0.5, 0.625, 0.75, 0.875, 1.0};

/// The resources an option may use to be part of any design on a board: at
/// most the budget in every resource; with the BRAM-to-LUTRAM rule, BRAM beyond
/// its budget paid for at 288 LUT a block from the LUT budget.
struct option_limit {
    resources budget{};
    bool bram_to_lut = true;
    bool active = false;

    constexpr bool admits(const resources& r) const noexcept {
        if (!active) return true;
        if (r.dsp > budget.dsp || r.lut > budget.lut || r.ff > budget.ff || r.uram > budget.uram) return false;
        if (!bram_to_lut) return r.bram18 <= budget.bram18;
        return r.bram18 <= budget.bram18 || r.lut + 288 * (r.bram18 - budget.bram18) <= budget.lut;
    }
};

/// Weight memories smaller than this many blocks get no streamed variants.
inline constexpr count_t min_streamed_blocks = 16;

/// Blocks streamed for a fraction of the block-rows (whole rows, at least one).
constexpr count_t streamed_blocks(const cost::weight_plan& p, double fraction) noexcept {
    if (p.total_blocks == 0) return 0;
    if (fraction >= 1.0) return cost::all_blocks;
    const count_t rows = p.total_blocks / p.unit;
    const count_t take = std::max<count_t>(1, ceil_to_count(fraction * static_cast<double>(rows)));
    return take >= rows ? cost::all_blocks : take * p.unit;
}

/// Evaluates every folding of a layer once (under a cost model) and keeps the
/// Pareto sets; `offchip` adds the streamed-weight variants.
template <cost::cost_model Cost = cost::hass>
inline layer_options make_layer_options(const layer& l, const board& b, bool offchip = false,
                                        const option_limit& limit = {}) {
    layer_options out;
    const bool movable = l.has_weights() && !(Cost::rules.inner_product_weights_in_bram && l.type == layer_type::inner_product);
    folding_space s = folding_space_of(l, movable && b.budget.uram > 0, movable && offchip);
    const std::size_t full = s.size();
    detail::thin(s);
    out.thinned = s.size() < full;
    std::vector<folding_option> all;
    all.reserve(s.size());
    auto add = [&](const folding& fold) {
        folding_option o;
        o.fold = fold;
        const layer_performance p = evaluate_layer<Cost>(l, o.fold);
        if (p.undefined) return;
        ++out.enumerated;
        o.latency = p.latency;
        o.used = p.used;
        o.streams_in = streams_in(l, o.fold);
        o.streams_out = streams_out(l, o.fold);
        o.depth = static_cast<double>(p.pipeline_depth) / p.rate_in;
        o.pipeline_depth = p.pipeline_depth;
        if constexpr (Cost::rules.reference_pipeline_depth) {
            const double si = static_cast<double>(l.in.rows * l.in.cols * (l.in.channels / o.streams_in));
            const double so = static_cast<double>(l.out.rows * l.out.cols * (l.out.channels / o.streams_out));
            o.depth_ii = 1.0 / (si * so);
        }
        if (limit.admits(o.used)) all.push_back(o);
        if (!movable) return;
        // the same modules, the weight memory elsewhere: URAM, and blocks streamed from off-chip memory
        const resources modules = p.used - p.weights;
        auto variant = [&](weight_storage where, count_t stream) {
            folding_option v = o;
            v.fold.weights = where;
            v.fold.stream_weights = stream;
            const cost::weight_plan plan = cost::hass_weight_plan(l, v.fold);
            v.used = modules;
            (where == weight_storage::uram ? v.used.uram : v.used.bram18) += plan.on_chip_blocks();
            cost::layer_figures fig;
            fig.latency = p.latency;
            fig.weights = plan;
            fig.stream_bits_per_cycle = cost::reference_stream_bits_per_cycle(plan);
            v.offchip_bits = ceil_to_count(Cost::weight_bits_per_image(l, fig));
            ++out.enumerated;
            if (limit.admits(v.used)) all.push_back(v);
        };
        std::array<weight_storage, 2> memories{weight_storage::bram, weight_storage::uram};
        for (std::size_t m = 0; m < (s.uram ? 2u : 1u); ++m) {
            if (m == 1) variant(weight_storage::uram, 0);
            // streaming pays only for large weight memories: a few blocks free little RAM
            if (!s.offchip || p.weight_plan.total_blocks < min_streamed_blocks) continue;
            const cost::weight_plan base = cost::hass_weight_plan(l, {o.fold.coarse_in, o.fold.coarse_out, o.fold.coarse_group,
                                                                      o.fold.fine, memories[m], o.fold.dense});
            count_t last = 0;
            for (double fr : stream_fractions) {
                const count_t st = streamed_blocks(base, fr);
                if (st == last) continue;
                last = st;
                variant(memories[m], st);
            }
        }
    };
    for (count_t cg : s.coarse_group)
        for (count_t ci : s.coarse_in)
            for (std::size_t k = 0; k < (s.single_coarse ? 1 : s.coarse_out.size()); ++k) {
                const count_t co = s.single_coarse ? ci : s.coarse_out[k];
                for (count_t f : s.fine) add({ci, co, cg, f, weight_storage::bram});
                // a layer with statistics may also be built dense (docs/deviations.md item 13)
                if (l.is_sparse())
                    for (count_t f : divisors_of(l.kernel_size()))
                        add({ci, co, cg, f, weight_storage::bram, true});
            }
    std::vector<int> order(all.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::stable_sort(order.begin(), order.end(), [&](int a, int c) {
        const auto& x = all[static_cast<std::size_t>(a)];
        const auto& y = all[static_cast<std::size_t>(c)];
        if (x.streams_in != y.streams_in) return x.streams_in < y.streams_in;
        if (x.streams_out != y.streams_out) return x.streams_out < y.streams_out;
        return detail::option_less(x, y);
    });
    // stream-exact Pareto set: prune within each (streams_in, streams_out) group
    std::vector<int> exact;
    for (std::size_t g = 0; g < order.size();) {
        std::size_t e = g;
        const auto& head = all[static_cast<std::size_t>(order[g])];
        while (e < order.size() && all[static_cast<std::size_t>(order[e])].streams_in == head.streams_in &&
               all[static_cast<std::size_t>(order[e])].streams_out == head.streams_out)
            ++e;
        const std::vector<int> group(order.begin() + static_cast<std::ptrdiff_t>(g),
                                     order.begin() + static_cast<std::ptrdiff_t>(e));
        const std::vector<int> kept = detail::pareto_indices(all, group);
        exact.insert(exact.end(), kept.begin(), kept.end());
        g = e;
    }
    std::stable_sort(exact.begin(), exact.end(), [&](int a, int c) {
        return detail::option_less(all[static_cast<std::size_t>(a)], all[static_cast<std::size_t>(c)]);
    });
    out.options.reserve(exact.size());
    for (int i : exact) out.options.push_back(all[static_cast<std::size_t>(i)]);
    std::vector<int> idx(out.options.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int>(i);
    out.front = detail::epsilon_front(out.options, idx, front_epsilon);
    return out;
}

namespace detail {
/// Two layers that build the same hardware (names and producers aside).
inline bool same_hardware(const layer& a, const layer& b) {
    const auto& sa = a.sparsity;
    const auto& sb = b.sparsity;
    return a.type == b.type && a.in == b.in && a.out == b.out && a.inputs.size() == b.inputs.size() &&
           a.kernel_rows == b.kernel_rows && a.kernel_cols == b.kernel_cols && a.stride_rows == b.stride_rows &&
           a.stride_cols == b.stride_cols && a.pad_top == b.pad_top && a.pad_right == b.pad_right &&
           a.pad_bottom == b.pad_bottom && a.pad_left == b.pad_left && a.groups == b.groups && a.bias == b.bias &&
           a.batchnorm == b.batchnorm && a.pool == b.pool && a.op == b.op && a.broadcast == b.broadcast &&
           a.threshold == b.threshold && a.fan_out == b.fan_out && a.width == b.width &&
           sa.channels == sb.channels && sa.kernel == sb.kernel && sa.order == sb.order &&
           sa.skip_all_zero == sb.skip_all_zero && sa.clusters == sb.clusters && sa.mean_zeros == sb.mean_zeros &&
           sa.histogram == sb.histogram;
}
} // namespace detail

/// The options of every layer of a network on a board. Layers that build the
/// same hardware (repeated blocks) share one enumeration. `offchip` adds the
/// streamed-weight variants.
template <cost::cost_model Cost = cost::hass>
inline std::vector<layer_options> make_network_options(const network& net, const board& b, bool offchip = false,
                                                       const option_limit& limit = {}) {
    std::vector<layer_options> out;
    out.reserve(net.size());
    std::vector<std::size_t> unique; // indices of layers enumerated so far
    for (std::size_t i = 0; i < net.size(); ++i) {
        const layer& l = net.layers[i];
        std::size_t same = i;
        for (std::size_t u : unique)
            if (detail::same_hardware(net.layers[u], l)) {
                same = u;
                break;
            }
        if (same != i) {
            out.push_back(out[same]);
            out.back().enumerated = 0;
            continue;
        }
        unique.push_back(i);
        out.push_back(make_layer_options<Cost>(l, b, offchip, limit));
    }
    return out;
}

} // namespace hass
